// Two daemons sharing one configuration, one feed through `ballast feed
// proxy`: each owns its shard of the portfolios, both see every tick, and a
// breach trades only on the daemon that owns the portfolio.
#include <doctest/doctest.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/support.hpp"

namespace test_shard {

using namespace ballast::testing;

namespace {

/// Six 60/40 portfolios; at SPY 400 / AGG 100 all are inside their bands. Only
/// p0 has a band narrow enough for SPY at 300 to breach it. FNV-1a 64 puts
/// p0, p2 and p4 in shard 1 of 2 (odd hashes), p1, p3 and p5 in shard 0.
std::string six_portfolios() {
  std::string body;
  for (int i = 0; i < 6; ++i) {
    body += "[[portfolios]]\nid = \"p" + std::to_string(i) +
            "\"\ncash = 1000.0\nholdings = { SPY = 100, AGG = 300 }\ntargets = { SPY = 0.6, AGG = 0.4 }\n"
            "min_trade_value = 50.0\n[[portfolios.triggers]]\nkind = \"threshold\"\nabsolute = " +
            std::string(i == 0 ? "0.05" : "0.5") + "\n\n";
  }
  return body;
}

/// A harness whose daemon takes its feed from `endpoint` (the proxy) instead
/// of the harness's own publisher, as shard `shard`.
void point_at(DaemonHarness& d, const std::string& endpoint, const std::string& shard) {
  std::string text = d.dir.read("ballast.toml");
  const std::string own = "endpoint = \"" + d.ports.feed_endpoint() + "\"";
  text.replace(text.find(own), own.size(), "endpoint = \"" + endpoint + "\"");
  d.dir.write("ballast.toml", text);
  d.add_daemon_keys("shard = \"" + shard + "\"");
}

std::set<std::string> portfolio_ids(DaemonHarness& d) {
  std::set<std::string> ids;
  for (auto p : d.status()["portfolios"].get_array()) ids.insert(std::string(std::string_view(p["id"])));
  return ids;
}

double received(DaemonHarness& d) { return num(d.status()["feeds"].at(0)["received"]); }

/// A publisher the test drives, and `ballast feed proxy` passing its ticks on
/// to every daemon connected to `backend`.
struct ProxiedFeed {
  TempDir dir;
  std::string frontend = "tcp://127.0.0.1:" + std::to_string(free_port());
  std::string backend = "tcp://127.0.0.1:" + std::to_string(free_port());
  zmq::context_t ctx{1};
  zmq::socket_t pub{ctx, zmq::socket_type::pub};
  std::optional<Process> proxy;

  ProxiedFeed() {
    pub.set(zmq::sockopt::linger, 0);
    pub.bind(frontend);
    proxy.emplace(BALLAST_CLI_PATH, std::vector<std::string>{"feed", "proxy", "--frontend", frontend, "--backend", backend},
                  dir.file("proxy.log"));
  }

  void publish(const std::string& symbol, double price) {
    const std::string json = "{\"price\":" + std::to_string(price) + "}";
    pub.send(zmq::buffer(symbol), zmq::send_flags::sndmore);
    pub.send(zmq::buffer(json), zmq::send_flags::none);
  }

  /// Subscriptions travel daemon → proxy → publisher: publishes until both daemons count one more tick.
  void prime(const std::string& symbol, double price, DaemonHarness& a, DaemonHarness& b) {
    const double before_a = a.ticks(), before_b = b.ticks();
    REQUIRE(eventually(
        [&] {
          publish(symbol, price);
          return a.ticks() > before_a && b.ticks() > before_b;
        },
        15s));
  }

  void stop() {
    proxy->signal(SIGTERM);
    CHECK(proxy->wait_exit(5s) == 0);
  }
};

}  // namespace

TEST_CASE("two shards behind one feed proxy split the portfolios and only the owner of a breach trades") {
  ProxiedFeed feed;
  DaemonHarness zero(six_portfolios());
  DaemonHarness one(six_portfolios());
  point_at(zero, feed.backend, "0/2");
  point_at(one, feed.backend, "1/2");
  zero.start();
  one.start();

  // Each owns its share: disjoint, and together every portfolio of the file.
  CHECK(portfolio_ids(zero) == std::set<std::string>{"p1", "p3", "p5"});
  CHECK(portfolio_ids(one) == std::set<std::string>{"p0", "p2", "p4"});
  for (auto* d : {&zero, &one}) {
    auto shard = d->status()["shard"];
    CHECK(num(shard["index"]) == (d == &zero ? 0 : 1));
    CHECK(num(shard["count"]) == 2);
    CHECK(num(shard["portfolios"]) == 3);
  }

  feed.prime("AGG", 100.0, zero, one);
  feed.prime("SPY", 400.0, zero, one);
  zero.settle();
  one.settle();
  CHECK(zero.orders(1, 300ms).empty());
  CHECK(one.orders(1, 300ms).empty());

  // SPY at 300 breaches p0 only, which shard 1 owns.
  const double zero_before = received(zero);
  feed.publish("SPY", 300);
  const auto orders = one.orders(2);
  REQUIRE(orders.size() == 2);
  for (const auto& o : orders) CHECK(o.find("\"portfolio\":\"p0\"") != std::string::npos);
  // Shard 0 saw the same tick and sent nothing.
  CHECK(eventually([&] { return received(zero) > zero_before; }));
  zero.settle();
  CHECK(zero.orders(1, 300ms).empty());
  for (auto p : zero.status()["portfolios"].get_array()) CHECK(num(p["rebalances"]) == 0);
  feed.stop();
}

TEST_CASE("two shards of a fleet each trade only the accounts of the book that hash to them") {
  ProxiedFeed feed;
  const std::string models =
      "[[models]]\nid = \"balanced\"\ntargets = { SPY = 0.6, AGG = 0.4 }\n[[models.triggers]]\n"
      "kind = \"threshold\"\nabsolute = 0.05\n[fleet]\nwindow = \"0s\"\n";
  // FNV-1a 64 puts a1 and a3 in shard 1 of 2, a2 and a4 in shard 0. At 100
  // and 100, a1 and a2 hold only SPY: a1 sells 4, a2 sells 8.
  const std::string accounts = "id,model,cash,SPY,AGG\na1,balanced,0,10,\na2,balanced,0,20,\n"
                               "a3,balanced,0,6,4\na4,balanced,0,6,4\n";
  DaemonHarness zero(models);
  DaemonHarness one(models);
  point_at(zero, feed.backend, "0/2");
  point_at(one, feed.backend, "1/2");
  // Each daemon has its state file; the same book is imported into both.
  import_accounts(zero, accounts);
  import_accounts(one, accounts);
  zero.start();
  one.start();
  for (auto* d : {&zero, &one}) {
    auto fleet = d->status()["fleet"];
    CHECK(num(fleet["accounts"]) == 2);
    CHECK(num(fleet["accounts_in_file"]) == 4);
  }
  feed.prime("AGG", 100.0, zero, one);
  feed.prime("SPY", 100.0, zero, one);
  const auto from_zero = zero.orders(2);
  const auto from_one = one.orders(2);
  REQUIRE(from_zero.size() == 2);
  REQUIRE(from_one.size() == 2);
  CHECK(from_zero[0].find("\"allocations\":[{\"account\":\"a2\",\"quantity\":8}]") != std::string::npos);
  CHECK(from_one[0].find("\"allocations\":[{\"account\":\"a1\",\"quantity\":4}]") != std::string::npos);
  CHECK(zero.get("/accounts/a1").status == 404);
  CHECK(one.get("/accounts/a1").status == 200);
  feed.stop();
}

TEST_CASE("the feed proxy refuses plain endpoints off this machine unless --insecure, and stops on SIGINT") {
  TempDir dir;
  const std::string local = "tcp://127.0.0.1:" + std::to_string(free_port());
  auto r = run_command(BALLAST_CLI_PATH, {"feed", "proxy", "--frontend", "tcp://10.0.0.1:5556", "--backend", local});
  CHECK(r.code == 2);
  r = run_command(BALLAST_CLI_PATH, {"feed", "proxy", "--frontend", local, "--backend", "tcp://*:5566"});
  CHECK(r.code == 2);
  r = run_command(BALLAST_CLI_PATH, {"feed", "proxy", "--frontend", "udp://127.0.0.1:1", "--backend", local});
  CHECK(r.code == 2);

  // With --insecure a wildcard backend is accepted (bound on every interface), and ticks flow.
  zmq::context_t ctx{1};
  zmq::socket_t pub{ctx, zmq::socket_type::pub};
  pub.set(zmq::sockopt::linger, 0);
  pub.bind(local);
  const int port = free_port();
  Process proxy(BALLAST_CLI_PATH,
                {"feed", "proxy", "--frontend", local, "--backend", "tcp://*:" + std::to_string(port), "--insecure"},
                dir.file("proxy.log"));
  zmq::socket_t sub{ctx, zmq::socket_type::sub};
  sub.set(zmq::sockopt::linger, 0);
  sub.set(zmq::sockopt::subscribe, "");
  sub.connect("tcp://127.0.0.1:" + std::to_string(port));
  CHECK(eventually([&] {
    pub.send(zmq::str_buffer("SPY"), zmq::send_flags::sndmore);
    pub.send(zmq::str_buffer("{\"price\":1}"), zmq::send_flags::none);
    zmq::message_t m;
    return sub.recv(m, zmq::recv_flags::dontwait).has_value();
  }));
  proxy.signal(SIGINT);
  CHECK(proxy.wait_exit(5s) == 0);
}

}  // namespace test_shard
