// POST /control/accounts/* on their own: requests straight to the route, with
// a real fleet on a real state file (no sockets). What a request may not do
// is refused with a reason, and a refusal writes nothing.
#include "daemon/account_routes.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "daemon/persistence.hpp"
#include "tests/support/scratch_dir.hpp"

namespace test_account_routes {

using namespace ballast;
using daemon::AccountAction;
using daemon::HttpRequest;
using daemon::HttpResponse;

namespace {

const core::TimeNs kNow = *core::parse_iso8601("2026-12-05T12:00:00Z");

config::Config fleet_config(const testing::ScratchDir& dir) {
  config::Config c;
  c.execution.mode = config::ExecutionMode::dry_run;
  c.daemon.state_dir = dir.path().string();
  c.daemon.durability = config::Durability::normal;
  c.fleet.window = 0;
  strategies::PortfolioSpec m;
  m.id = "balanced";
  m.assets = {{"SPY", 0.6, 0, 1}, {"AGG", 0.4, 0, 1}};
  m.triggers = {strategies::ThresholdTrigger{0.05, std::nullopt, std::nullopt}};
  c.models.push_back(m);
  return c;
}

daemon::Persistence open_state(const config::Config& cfg) {
  std::string error;
  auto p = daemon::Persistence::open(cfg.daemon, error);
  REQUIRE_MESSAGE(p.has_value(), error);
  return std::move(*p);
}

fleet::AccountRecord on_target(const std::string& id) {
  fleet::AccountRecord r;
  r.id = id;
  r.model = "balanced";
  r.holdings = {{"AGG", 4}, {"SPY", 6}};
  return r;
}

struct Fixture {
  testing::ScratchDir dir;
  config::Config cfg = fleet_config(dir);
  engine::Engine engine{{}, {}, kNow};
  daemon::Persistence persistence = open_state(cfg);
  daemon::RateLimiter limiter;
  daemon::FleetFlow fleet{cfg, engine, persistence, limiter, true};

  Fixture() {
    engine.watch_symbols(daemon::FleetFlow::symbols_of(cfg));
    store::Change seed;
    seed.accounts = {on_target("a1")};
    persistence.commit(seed);
    REQUIRE(fleet.load({}).empty());
  }
  void price() {
    for (const char* s : {"SPY", "AGG"}) fleet.on_tick({engine.find_symbol(s), 100, kNow}, kNow, daemon::SteadyClock::now());
    REQUIRE(fleet.running());
  }
  HttpResponse send(AccountAction action, const std::string& body, const std::string& id = "") {
    HttpRequest r;
    r.method = "POST";
    r.body = body;
    if (!id.empty()) r.query["id"] = id;
    return daemon::account_control(&fleet, action, r);
  }
  bool stored(const std::string& id) const { return persistence.store().has_account(id); }
};

/// Makes the state file refuse every change to the account book, as a full disk would.
void refuse_account_writes(const std::string& path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  for (const char* op : {"INSERT", "UPDATE", "DELETE"}) {
    const std::string sql = std::string("CREATE TRIGGER refuse_") + op + " BEFORE " + op +
                            " ON accounts BEGIN SELECT RAISE(ABORT, 'refused for the test'); END;";
    CHECK(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  sqlite3_close(db);
}

}  // namespace

TEST_CASE("a bad account body is 400 with each problem named by its field, and nothing is written") {
  Fixture f;
  f.price();
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"", {"one account as a JSON object"}},
      {"[]", {"one account as a JSON object"}},
      {"{", {"not valid JSON"}},
      {R"({"id":"b1"})", {"\"model\" is missing", "\"cash\" is missing"}},
      {R"({"id":"b1","model":"growth","cash":-1,"holdings":{"SPY":1,"QQQ":2},"band_multiplier":0})",
       {"model: model \"growth\"", "cash: cash must be", "band_multiplier: "}},
      {R"({"id":"b1","model":"balanced","cash":0,"holdings":{"QQQ":2},"restricted":["TLT"]})",
       {"holdings: holds \"QQQ\"", "restricted: restricted symbol \"TLT\""}},
      {R"({"id":"b1","model":"balanced","cash":0,"cash_target":1})", {"cash_target: "}},
      {R"({"id":"b1","model":"balanced","cash":0,"household":"two words"})", {"household: "}},
      {R"({"id":"b1","model":"balanced","cash":0,"holdings":{"SPY":"ten"}})", {"quantity of \"SPY\" must be a number"}},
      {R"({"id":"b1","model":"balanced","cash":0,"id":"b2"})", {"given twice"}},
      {"{\"id\":\"b1\",\"model\":\"balanced\",\"cash\":0}\n{\"id\":\"b2\",\"model\":\"balanced\",\"cash\":0}",
       {"trailing content"}},
  };
  for (const auto& c : cases) {
    for (const AccountAction action : {AccountAction::create, AccountAction::update}) {
      const HttpResponse r = f.send(action, c.first);
      INFO(c.first);
      INFO(r.body);
      CHECK(r.status == 400);
      for (const std::string& reason : c.second) CHECK(r.body.find(reason) != std::string::npos);
      CHECK(r.body.find("line") == std::string::npos);
    }
  }
  CHECK_FALSE(f.stored("b1"));
  CHECK_FALSE(f.stored("b2"));
  CHECK(f.fleet.accounts() == 1);
}

TEST_CASE("an object spread over lines is one account") {
  Fixture f;
  f.price();
  const HttpResponse r = f.send(AccountAction::create, "{\r\n \"id\": \"b1\",\n \"model\": \"balanced\",\n \"cash\": 10\n}\n");
  INFO(r.body);
  CHECK(r.status == 200);
  CHECK(f.stored("b1"));
}

TEST_CASE("parameters the routes do not take, and a close without an id, are 400") {
  Fixture f;
  f.price();
  HttpRequest r;
  r.method = "POST";
  r.body = R"({"id":"b1","model":"balanced","cash":0})";
  r.query["id"] = "b1";
  CHECK(daemon::account_control(&f.fleet, AccountAction::create, r).status == 400);
  CHECK(daemon::account_control(&f.fleet, AccountAction::update, r).status == 400);
  r.query = {{"account", "a1"}};
  CHECK(daemon::account_control(&f.fleet, AccountAction::close, r).status == 400);
  r.query = {{"id", ""}};
  CHECK(daemon::account_control(&f.fleet, AccountAction::close, r).status == 400);
  CHECK_FALSE(f.stored("b1"));
  CHECK(f.stored("a1"));
}

TEST_CASE("no fleet, or a fleet not started yet, is 503 and nothing is written") {
  Fixture f;
  HttpRequest r;
  r.method = "POST";
  r.body = R"({"id":"b1","model":"balanced","cash":0})";
  CHECK(daemon::account_control(nullptr, AccountAction::create, r).status == 503);
  CHECK(f.send(AccountAction::create, r.body).status == 503);
  CHECK(f.send(AccountAction::close, "", "a1").status == 503);
  CHECK_FALSE(f.stored("b1"));
  CHECK(f.stored("a1"));
}

TEST_CASE("create, update and close answer 404 and 409 as the book says, and commit before they apply") {
  Fixture f;
  f.price();
  CHECK(f.send(AccountAction::create, R"({"id":"a1","model":"balanced","cash":0})").status == 409);
  CHECK(f.send(AccountAction::update, R"({"id":"zz","model":"balanced","cash":0})").status == 404);
  CHECK(f.send(AccountAction::close, "", "zz").status == 404);

  HttpResponse r = f.send(AccountAction::create, R"({"id":"b1","model":"balanced","cash":250,"holdings":{"SPY":1}})");
  REQUIRE(r.status == 200);
  CHECK(r.body.find("\"id\":\"b1\"") != std::string::npos);
  CHECK(f.persistence.store().account("b1")->cash == 250);

  r = f.send(AccountAction::update, R"({"id":"b1","model":"balanced","cash":0,"restricted":["SPY"]})");
  REQUIRE(r.status == 200);
  const auto stored = f.persistence.store().account("b1");
  CHECK(stored->cash == 0);
  CHECK(stored->holdings.empty());
  CHECK(stored->restricted == std::vector<std::string>{"SPY"});

  r = f.send(AccountAction::close, "", "b1");
  REQUIRE(r.status == 200);
  CHECK(r.body == R"({"id":"b1","result":"closed"})");
  CHECK_FALSE(f.stored("b1"));
  CHECK_FALSE(f.fleet.account_json("b1", 0));
  CHECK(f.send(AccountAction::close, "", "b1").status == 404);
  CHECK(f.send(AccountAction::create, R"({"id":"b1","model":"balanced","cash":0})").status == 409);
  CHECK(f.fleet.accounts() == 1);
}

TEST_CASE("when the state file refuses the change the answer is 500 and the book stays as it was") {
  Fixture f;
  f.price();
  refuse_account_writes(f.persistence.path());
  HttpResponse r = f.send(AccountAction::create, R"({"id":"b1","model":"balanced","cash":0})");
  INFO(r.body);
  CHECK(r.status == 500);
  CHECK(r.body.find("refused for the test") != std::string::npos);
  CHECK_FALSE(f.fleet.account_json("b1", 0));
  CHECK(f.fleet.accounts() == 1);

  r = f.send(AccountAction::update, R"({"id":"a1","model":"balanced","cash":999})");
  CHECK(r.status == 500);
  CHECK(f.fleet.account_json("a1", 0)->find("\"cash\":999") == std::string::npos);

  CHECK(f.send(AccountAction::close, "", "a1").status == 500);
  CHECK(f.fleet.account_json("a1", 0));
  CHECK(f.stored("a1"));
}

}  // namespace test_account_routes
