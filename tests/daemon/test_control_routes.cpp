// The status socket's routes on their own: requests straight to the router,
// with a real engine and order flow (dry-run: nothing is sent), no sockets.
#include "daemon/control_routes.hpp"

#include <doctest/doctest.h>

#include "tests/support/scratch_dir.hpp"

namespace test_control_routes {

using namespace ballast;
using daemon::HttpRequest;

namespace {

const core::TimeNs kNow = *core::parse_iso8601("2026-12-05T12:00:00Z");

struct Fixture {
  testing::ScratchDir dir;
  config::Config cfg = [] {
    config::Config c;
    c.execution.mode = config::ExecutionMode::dry_run;
    c.status.token = "s3cret";
    return c;
  }();
  engine::Engine engine{{[] {
                           strategies::PortfolioSpec p;
                           p.id = "main";
                           p.cash = 1000;
                           p.assets = {{"SPY", 0.6, 100, 1}, {"AGG", 0.4, 300, 1}};
                           return p;
                         }()},
                        {},
                        kNow};
  daemon::SequenceFile sequences{dir.path().string()};
  daemon::KillSwitchFile kill_file{dir.path().string()};
  daemon::RateLimiter limiter;
  daemon::OrderFlow flow{cfg, engine, sequences, nullptr, kill_file, limiter, true};
  engine::Output out;
  int reloads = 0;
  core::TimeNs engine_now = kNow;  // what the daemon's clock says
  daemon::Router router = daemon::make_routes({engine, flow, out, cfg.status.token, [this] { return engine_now; },
                                               [this] {
                                                 ++reloads;
                                                 return std::string();
                                               },
                                               [] { return std::string("{}"); },
                                               [this] {
                                                 std::vector<std::string> p;
                                                 flow.health_problems(p);
                                                 return p;
                                               },
                                               [] { return std::string(); }});

  Fixture() {
    std::string error;
    REQUIRE(sequences.open(error));
  }
  daemon::HttpResponse post(const std::string& path, const std::string& query_key = "",
                            const std::string& query_value = "", const std::string& token = "s3cret") {
    HttpRequest r;
    r.method = "POST";
    r.path = path;
    if (!query_key.empty()) r.query[query_key] = query_value;
    if (!token.empty()) r.authorization = "Bearer " + token;
    return router(r);
  }
};

}  // namespace

TEST_CASE("control routes need the token, take POST only, and know their actions") {
  Fixture f;
  CHECK(f.post("/control/pause", "", "", "").status == 401);
  CHECK(f.post("/control/pause", "", "", "wrong").status == 401);
  CHECK(f.post("/control/pause").status == 200);
  CHECK(f.engine.paused());
  CHECK(f.post("/control/resume").status == 200);
  CHECK_FALSE(f.engine.paused());
  CHECK(f.post("/control/nonsense").status == 404);
  HttpRequest get;
  get.method = "GET";
  get.path = "/control/kill";
  const auto r = f.router(get);
  CHECK(r.status == 405);
  CHECK(r.headers.at(0).second == "POST");
  CHECK(f.post("/control/reload").status == 200);
  CHECK(f.reloads == 1);
}

TEST_CASE("kill and release go through the order flow, which records the switch on disk") {
  Fixture f;
  CHECK(f.post("/control/kill").status == 200);
  CHECK(f.engine.killed());
  CHECK(f.kill_file.read().has_value());
  HttpRequest health;
  health.method = "GET";
  health.path = "/healthz";
  const auto h = f.router(health);
  CHECK(h.status == 503);
  CHECK(h.body == "degraded: kill switch on\n");
  CHECK(f.post("/control/rebalance", "portfolio", "main").status == 409);
  CHECK(f.post("/control/release").status == 200);
  CHECK_FALSE(f.kill_file.read().has_value());
  CHECK(f.router(health).status == 200);
}

TEST_CASE("cash and resolve requests are checked before they reach the engine") {
  Fixture f;
  CHECK(f.post("/control/cash").status == 400);
  CHECK(f.post("/control/cash", "portfolio", "main").status == 400);
  CHECK(f.post("/control/orders/resolve", "order_id", "x").status == 400);
  HttpRequest r;
  r.method = "POST";
  r.path = "/control/orders/resolve";
  r.authorization = "Bearer s3cret";
  r.query = {{"order_id", "main-1"}, {"filled", "abc"}, {"price", "1"}};
  CHECK(f.router(r).status == 400);
  r.query = {{"order_id", "main-1"}, {"cancelled", "true"}};
  CHECK(f.router(r).status == 404);  // no such open order
  CHECK(f.post("/control/rebalance", "portfolio", "nope").status == 404);
}

TEST_CASE("GET / serves the status page without the token, locked to its own origin") {
  Fixture f;  // a token is set: reading needs none, as for /status
  HttpRequest get;
  get.method = "GET";
  get.path = "/";
  const auto r = f.router(get);
  CHECK(r.status == 200);
  CHECK(r.content_type == "text/html; charset=utf-8");
  CHECK(r.body.rfind("<!doctype html>", 0) == 0);
  CHECK(r.body.find("</html>") != std::string::npos);
  std::string csp;
  for (const auto& [name, value] : r.headers) {
    if (name == "Content-Security-Policy") csp = value;
  }
  CHECK(csp.find("default-src 'none'") != std::string::npos);
  CHECK(csp.find("connect-src 'self'") != std::string::npos);
  get.method = "HEAD";
  CHECK(f.router(get).status == 200);
  get.method = "POST";
  CHECK(f.router(get).status == 405);
}

TEST_CASE("an operator's rebalance is decided at the engine's time, which may be the data's") {
  Fixture f;
  f.engine_now = *core::parse_iso8601("2006-05-29T00:00:00Z");
  engine::Output ignored;
  f.engine.on_tick({f.engine.find_symbol("SPY"), 300, f.engine_now}, f.engine_now, ignored);
  f.engine.on_tick({f.engine.find_symbol("AGG"), 100, f.engine_now}, f.engine_now, ignored);
  const auto r = f.post("/control/rebalance", "portfolio", "main");
  CHECK(r.status == 200);
  CHECK(r.body.find("main-20060529-") != std::string::npos);
  REQUIRE(f.engine.portfolios()[0].last_rebalance.has_value());
  CHECK(f.engine.portfolios()[0].last_rebalance->at == f.engine_now);
}

}  // namespace test_control_routes
