// The real ballastd over real sockets on loopback: what crosses the wire.
#include <doctest/doctest.h>

#include "tests/integration/support.hpp"

#include <set>
#include <sstream>

namespace test_daemon {

using namespace ballast::testing;

namespace {

struct ParsedOrder {
  std::string order_id, portfolio, symbol, side, order_type, reason, rebalance_id, created_at;
  double quantity = 0, reference_price = 0;
};

ParsedOrder parse_order(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element e = parser.parse(json);
  ParsedOrder o;
  o.order_id = std::string(std::string_view(e["order_id"]));
  o.portfolio = std::string(std::string_view(e["portfolio"]));
  o.symbol = std::string(std::string_view(e["symbol"]));
  o.side = std::string(std::string_view(e["side"]));
  o.order_type = std::string(std::string_view(e["order_type"]));
  o.reason = std::string(std::string_view(e["reason"]));
  o.rebalance_id = std::string(std::string_view(e["rebalance_id"]));
  o.created_at = std::string(std::string_view(e["created_at"]));
  o.quantity = num(e["quantity"]);
  o.reference_price = num(e["reference_price"]);
  return o;
}

/// Prices SPY at 400 and AGG at 100: weights 0.563 / 0.423, inside the band.
void price_inside_band(DaemonHarness& d) {
  d.prime("AGG", 100);
  d.prime("SPY", 400);
  d.settle();
}

void check_hand_computed_rebalance(const std::vector<std::string>& orders, const std::string& reason) {
  // value 1000 + 100 × 300 + 300 × 100 = 61000; SPY to 36600 → buy 22; AGG to 24400 → sell 56.
  REQUIRE(orders.size() == 2);
  const auto sell = parse_order(orders[0]);
  const auto buy = parse_order(orders[1]);
  CHECK(sell.side == "sell");
  CHECK(sell.symbol == "AGG");
  CHECK(sell.quantity == 56);
  CHECK(sell.reference_price == 100);
  CHECK(buy.side == "buy");
  CHECK(buy.symbol == "SPY");
  CHECK(buy.quantity == 22);
  CHECK(buy.reference_price == 300);
  for (const auto& o : {sell, buy}) {
    CHECK(o.portfolio == "main");
    CHECK(o.order_type == "market");
    CHECK(o.reason == reason);
    CHECK(o.rebalance_id == sell.rebalance_id);
    CHECK(o.order_id.rfind("main-", 0) == 0);
    CHECK(o.created_at.size() == 24);
  }
  CHECK(sell.order_id != buy.order_id);
}

}  // namespace

TEST_CASE("a threshold breach sends hand-computed orders, sells first, and books them") {
  DaemonHarness d(kSixtyForty);
  d.start();
  price_inside_band(d);
  CHECK(d.orders(1, 300ms).empty());
  d.publish("SPY", R"({"price": 300})");
  const auto orders = d.orders(2);
  check_hand_computed_rebalance(orders, "threshold");
  CHECK(eventually([&] { return num(asset(d.status(), 0, "SPY")["quantity"]) == 122; }));
  auto s = d.status();
  CHECK(num(asset(s, 0, "AGG")["quantity"]) == 244);
  CHECK(num(s["portfolios"].at(0)["cash"]) == doctest::Approx(0));
  CHECK(num(s["portfolios"].at(0)["rebalances"]) == 1);
  CHECK(std::string_view(s["portfolios"].at(0)["last_rebalance"]["reason"]) == "threshold");
  const auto metrics = d.get("/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.body.find("ballast_orders_total{portfolio=\"main\",reason=\"threshold\",side=\"buy\"} 1") !=
        std::string::npos);
  CHECK(metrics.body.find("ballast_tick_to_order_seconds_count 1") != std::string::npos);
}

TEST_CASE("order ids are never reused across a restart, even without a state file") {
  DaemonHarness d(kSixtyForty);
  d.add_daemon_keys("durability = \"off\"");  // positions start from the config each time
  d.start();
  price_inside_band(d);
  d.publish("SPY", R"({"price": 300})");
  const auto first = d.orders(2);
  REQUIRE(first.size() == 2);
  d.process->signal(SIGTERM);
  REQUIRE(d.process->wait_exit(5s) == 0);
  d.start();
  d.prime("AGG", 100);
  d.prime("SPY", 300);  // the fresh start has the seed holdings again: the same breach
  const auto all = d.orders(4);
  REQUIRE(all.size() == 4);
  std::set<std::string> ids;
  for (const auto& o : all) ids.insert(parse_order(o).order_id);
  CHECK(ids.size() == 4);
}

TEST_CASE("collector-style topic-json feed with remapped fields and symbols") {
  DaemonHarness d(R"(
[[portfolios]]
id = "crypto"
holdings = { BTC = 1, ETH = 10 }
targets = { BTC = 0.5, ETH = 0.5 }
lot_sizes = { BTC = 0.001, ETH = 0.001 }

[[portfolios.triggers]]
kind = "threshold"
absolute = 0.05
)",
                  R"(framing = "topic-json"
fields = { ts = "timestamp" }
symbols = { "BTC-USD" = "BTC", "ETH-USD" = "ETH" })");
  d.start();
  auto frame = [](const std::string& sym, double bid, double ask, double ts) {
    return "COINBASE-ticker-" + sym + R"( {"exchange":"COINBASE","symbol":")" + sym + R"(","bid":")" +
           std::to_string(bid) + R"(","ask":")" + std::to_string(ask) + R"(","timestamp":)" + std::to_string(ts) + "}";
  };
  d.prime_frames({frame("ETH-USD", 2999, 3001, 1700000000.0)});
  d.prime_frames({frame("BTC-USD", 29999, 30001, 1700000000.0)});
  auto s = d.status();
  CHECK(num(asset(s, 0, "BTC")["price"]) == 30000);
  CHECK(num(asset(s, 0, "ETH")["price"]) == 3000);
  d.publish_frames({frame("BTC-USD", 35999, 36001, 1700000001.0)});  // weight 0.545: inside
  CHECK(d.orders(1, 300ms).empty());
  d.publish_frames({frame("BTC-USD", 39999, 40001, 1700000002.0)});  // weight 0.571: breach
  const auto orders = d.orders(2);
  REQUIRE(orders.size() == 2);
  // value 70000: BTC to 35000 → sell 0.125; ETH to 35000 → buy 1.6667 → 1.667 lots of 0.001,
  // which costs 5001 > 5000 of proceeds, so the buy is scaled and floored to 1.666.
  const auto sell = parse_order(orders[0]);
  const auto buy = parse_order(orders[1]);
  CHECK(sell.symbol == "BTC");
  CHECK(sell.quantity == doctest::Approx(0.125));
  CHECK(buy.symbol == "ETH");
  CHECK(buy.quantity == doctest::Approx(1.666));
}

TEST_CASE("a burst of hostile ticks moves no price, is counted, and the daemon still trades correctly") {
  DaemonHarness d(kSixtyForty, "max_jump = 0.25");
  d.start();
  // Data time a little in the past, so that ticks stamped at receipt are in order.
  d.prime_frames({"AGG", R"({"price": 100, "ts": 1790000000})"});
  d.prime_frames({"SPY", R"({"price": 400, "ts": 1790000000})"});
  d.settle();
  const double accepted = d.ticks();
  const std::vector<std::vector<std::string>> hostile = {
      {"SPY", "not json at all"},
      {"SPY", R"({"price": NaN})"},
      {"SPY", R"({"price": "nan"})"},
      {"SPY", R"({"price": -5})"},
      {"SPY", R"({"price": 0})"},
      {"SPY", R"({"price": "1e999"})"},
      {"SPY", R"({"price": 4000})"},                      // a jump beyond 25%
      {"SPY", R"({"price": 390, "ts": 1700000000})"},     // older than the last tick
      {"SPY", R"({"price": 390, "ts": 4000000000})"},     // from 2096: beyond max_future
      {"SPY", R"({"price": 390, "ts": "yesterday"})"},
      {"QQQ", R"({"price": 390})"},                       // nobody holds it
      {"SPY", R"([390])"},
      {"SPY", R"({"price": 390)"},
      {"SPY"},                                                   // one frame where two belong
      {"SPY", R"({"price": 390})", "extra"},                     // three frames
      {"", R"({"price": 390})"},                                 // no symbol at all
      {"SPY", R"({"price": {"nested": 1}})"},
      {"SPY", "\xff\xfe\x00garbage"},
  };
  for (const auto& frames : hostile) d.publish_frames(frames);
  d.publish_frames({"SPY", R"({"price": 400})"});  // a good one last, to know all arrived
  REQUIRE(eventually([&] { return d.ticks() == accepted + 1; }));
  auto s = d.status();
  CHECK(num(asset(s, 0, "SPY")["price"]) == 400);
  CHECK(num(asset(s, 0, "AGG")["price"]) == 100);
  auto rejected = s["feeds"].at(0)["rejected"];
  CHECK(num(rejected["malformed"]) >= 10);
  CHECK(num(rejected["bad_price"]) >= 2);
  CHECK(num(rejected["jump"]) == 1);
  CHECK(num(rejected["out_of_order"]) == 1);
  CHECK(num(rejected["unknown_symbol"]) == 1);
  CHECK(num(rejected["bad_time"]) == 1);
  CHECK(num(rejected["malformed"]) + num(rejected["bad_price"]) + num(rejected["jump"]) +
            num(rejected["out_of_order"]) + num(rejected["unknown_symbol"]) + num(rejected["bad_time"]) ==
        hostile.size());
  CHECK(d.orders(1, 200ms).empty());
  CHECK(d.process->running());
  d.publish_frames({"SPY", R"({"price": 300})"});  // a real 25% move: inside max_jump
  check_hand_computed_rebalance(d.orders(2), "threshold");
}

TEST_CASE("one tick from the future is bad_time and does not freeze the symbol") {
  DaemonHarness d(kSixtyForty);
  d.start();
  price_inside_band(d);
  const double accepted = d.ticks();
  d.publish_frames({"SPY", R"({"price": 401, "ts": 4000000000})"});  // 2096
  d.publish_frames({"SPY", R"({"price": 300})"});                    // stamped at receipt: now
  check_hand_computed_rebalance(d.orders(2), "threshold");
  CHECK(d.ticks() == accepted + 1);
  CHECK(num(d.status()["feeds"].at(0)["rejected"]["bad_time"]) == 1);
  CHECK(num(d.status()["feeds"].at(0)["rejected"]["out_of_order"]) == 0);
}

TEST_CASE("with no limits written, one absurd print neither moves a price nor makes an order") {
  // The feed's default max_jump of 0.5 stops it; once a tick at 1e12 made an order for 5.7e11 units.
  DaemonHarness d(kSixtyForty);
  d.start();
  price_inside_band(d);
  d.publish_frames({"SPY", R"({"price": 1e12})"});
  REQUIRE(eventually([&] { return num(d.status()["feeds"].at(0)["rejected"]["jump"]) == 1; }));
  CHECK(num(asset(d.status(), 0, "SPY")["price"]) == 400);
  CHECK(d.orders(1, 300ms).empty());
}

TEST_CASE("a confirmed large move is accepted after jump_confirm ticks") {
  DaemonHarness d(kSixtyForty, "max_jump = 0.2\njump_confirm = 3");
  d.start();
  price_inside_band(d);
  const double before = d.ticks();
  for (int i = 0; i < 3; ++i) d.publish("SPY", R"({"price": 280})");  // -30%, three times
  REQUIRE(eventually([&] { return d.ticks() == before + 1; }));
  CHECK(num(asset(d.status(), 0, "SPY")["price"]) == 280);
  CHECK(d.orders(2).size() == 2);
}

TEST_CASE("calendar trigger rebalances on schedule") {
  DaemonHarness d(R"(
[[portfolios]]
id = "main"
cash = 1000.0
holdings = { SPY = 100, AGG = 300 }
targets = { SPY = 0.6, AGG = 0.4 }

[[portfolios.triggers]]
kind = "calendar"
every = "1s"
)");
  d.start();
  price_inside_band(d);
  // 71000: SPY to 42600 → +6.5 → 7 lots, but 2800 > 1000 + 1600 of cash: 6; AGG to 28400 → sell 16.
  const auto orders = d.orders(2, 5s);
  REQUIRE(orders.size() == 2);
  const auto sell = parse_order(orders[0]);
  const auto buy = parse_order(orders[1]);
  CHECK(sell.symbol == "AGG");
  CHECK(sell.quantity == 16);
  CHECK(buy.symbol == "SPY");
  CHECK(buy.quantity == 6);
  CHECK(sell.reason == "calendar");
  auto s = d.status();
  CHECK(std::string_view(s["portfolios"].at(0)["triggers"].at(0)["kind"]) == "calendar");
}

TEST_CASE("fill reports drive positions; open orders block new decisions; bad reports change nothing") {
  DaemonHarness d(kSixtyForty, "", "", "", /*with_fills=*/true);
  d.start();
  price_inside_band(d);
  d.publish("SPY", R"({"price": 300})");
  const auto orders = d.orders(2);
  REQUIRE(orders.size() == 2);
  const auto sell = parse_order(orders[0]);
  const auto buy = parse_order(orders[1]);
  CHECK(num(d.status()["portfolios"].at(0)["open_orders"]) == 2);
  d.publish("SPY", R"({"price": 250})");  // still a breach, but orders are open
  CHECK(d.orders(3, 300ms).size() == 2);

  d.send_fill(R"({"order_id":")" + sell.order_id + R"(","status":"partially_filled","filled_quantity":20,"avg_price":100.5})");
  d.send_fill(R"({"order_id":")" + sell.order_id + R"(","status":"filled","filled_quantity":56,"avg_price":100.25})");
  d.send_fill(R"({"order_id":"nobody-20260101-000001","status":"filled","filled_quantity":1,"avg_price":1})");
  d.send_fill(R"({"order_id":")" + buy.order_id + R"(","status":"exploded"})");
  d.send_fill(R"({"order_id":")" + buy.order_id + R"(","status":"rejected","filled_quantity":0,"avg_price":0})");
  REQUIRE(eventually([&] { return num(d.status()["portfolios"].at(0)["open_orders"]) == 0; }));
  auto s = d.status();
  CHECK(num(asset(s, 0, "AGG")["quantity"]) == 244);
  CHECK(num(asset(s, 0, "SPY")["quantity"]) == 100);
  CHECK(num(s["portfolios"].at(0)["cash"]) == doctest::Approx(1000 + 56 * 100.25));
  CHECK(num(s["execution"]["fill_reports"]["unknown_order"]) == 1);
  CHECK(num(s["execution"]["fill_reports"]["malformed"]) == 1);
  CHECK(num(s["execution"]["fill_reports"]["applied"]) == 3);
}

TEST_CASE("dry-run sends nothing and shows the orders in status") {
  DaemonHarness d(kSixtyForty, "", "mode = \"dry-run\"");
  d.start();
  price_inside_band(d);
  d.publish("SPY", R"({"price": 300})");
  REQUIRE(eventually([&] { return d.status()["recent_orders"].get_array().size() == 2; }));
  auto s = d.status();
  CHECK(std::string_view(s["mode"]) == "dry-run");
  auto first = s["recent_orders"].at(0);
  CHECK(std::string_view(first["side"]) == "sell");
  CHECK(num(first["quantity"]) == 56);
  CHECK(bool(first["sent"]) == false);
  CHECK(d.orders(1, 500ms).empty());
}

TEST_CASE("pause and resume require the bearer token when one is set") {
  DaemonHarness d(kSixtyForty, "", "", "token = \"s3cret\"");
  d.start();
  price_inside_band(d);
  CHECK(d.post("/control/pause").status == 401);
  CHECK(d.post("/control/pause", "wrong").status == 401);
  CHECK(d.get("/control/pause").status == 405);
  CHECK(d.post("/control/pause", "s3cret").status == 200);
  CHECK(bool(d.status()["paused"]) == true);
  const double before = d.ticks();
  d.publish("SPY", R"({"price": 300})");
  REQUIRE(eventually([&] { return d.ticks() > before; }));
  CHECK(d.orders(1, 300ms).empty());
  CHECK(d.post("/control/resume").status == 401);
  CHECK(d.post("/control/resume", "s3cret").status == 200);
  d.publish("SPY", R"({"price": 300})");
  check_hand_computed_rebalance(d.orders(2), "threshold");
  CHECK(d.post("/control/nonsense", "s3cret").status == 404);
  CHECK(d.get("/nowhere").status == 404);
}

TEST_CASE("pause without a token, and a manual rebalance while paused") {
  DaemonHarness d(kSixtyForty);
  d.start();
  price_inside_band(d);
  CHECK(d.post("/control/pause").status == 200);
  CHECK(d.post("/control/rebalance?portfolio=nope").status == 404);
  const auto r = d.post("/control/rebalance?portfolio=main");
  CHECK(r.status == 200);
  const auto orders = d.orders(2);
  REQUIRE(orders.size() == 2);
  CHECK(parse_order(orders[0]).reason == "manual");
}

TEST_CASE("a reload with a bad file is refused and the daemon keeps its configuration") {
  DaemonHarness d(kSixtyForty);
  d.start();
  price_inside_band(d);
  const std::string good = d.dir.read("ballast.toml");
  d.dir.write("ballast.toml", good + "\n[[portfolios]]\nid = 5\n");
  d.process->signal(SIGHUP);
  const auto r = d.post("/control/reload");
  CHECK(r.status == 422);
  CHECK(r.body.find("ballast.toml:") != std::string::npos);
  CHECK(d.process->running());
  CHECK(num(asset(d.status(), 0, "SPY")["target"]) == 0.6);
  std::string changed = good;
  changed.replace(changed.find("SPY = 0.6, AGG = 0.4"), 20, "SPY = 0.5, AGG = 0.5");
  d.dir.write("ballast.toml", changed);
  CHECK(d.post("/control/reload").status == 200);
  auto s = d.status();
  CHECK(num(asset(s, 0, "SPY")["target"]) == 0.5);
  CHECK(num(asset(s, 0, "SPY")["quantity"]) == 100);  // positions are state: kept
}

TEST_CASE("healthz turns 503 with a reason when a feed goes stale") {
  DaemonHarness d(kSixtyForty, "stale_after = \"1s\"");
  d.start();
  CHECK(d.get("/healthz").status == 503);  // no ticks yet
  price_inside_band(d);
  REQUIRE(eventually([&] { return d.get("/healthz").status == 200; }));
  CHECK(d.get("/healthz").body == "ok\n");
  REQUIRE(eventually([&] { return d.get("/healthz").body.find("stale: ") != std::string::npos; }, 5s));
  const auto r = d.get("/healthz");
  CHECK(r.status == 503);
  CHECK(r.body.find("feed primary: no tick for") != std::string::npos);
  CHECK(bool(asset(d.status(), 0, "SPY")["stale"]) == true);
  // A stale portfolio does not trade on what it still has.
  CHECK(d.post("/control/rebalance?portfolio=main").status == 409);
}

TEST_CASE("SIGTERM and SIGINT stop the daemon cleanly with exit 0") {
  for (const int sig : {SIGTERM, SIGINT}) {
    DaemonHarness d(kSixtyForty);
    d.start();
    d.process->signal(sig);
    CHECK(d.process->wait_exit(5s) == 0);
  }
}

TEST_CASE("every SIGHUP reloads, and SIGTERM after several reloads still stops with exit 0") {
  // systemctl reload twice must not take the service down.
  DaemonHarness d(kSixtyForty);
  d.start();
  const std::string good = d.dir.read("ballast.toml");
  const char* spy_targets[] = {"SPY = 0.5, AGG = 0.5", "SPY = 0.7, AGG = 0.3", "SPY = 0.4, AGG = 0.6"};
  const double expected[] = {0.5, 0.7, 0.4};
  for (int i = 0; i < 3; ++i) {
    std::string changed = good;
    changed.replace(changed.find("SPY = 0.6, AGG = 0.4"), 20, spy_targets[i]);
    d.dir.write("ballast.toml", changed);
    d.process->signal(SIGHUP);
    REQUIRE(eventually([&] { return num(asset(d.status(), 0, "SPY")["target"]) == expected[i]; }));
    CHECK(num(d.status()["reloads"]["applied"]) == i + 1);
    CHECK(d.process->running());
  }
  d.process->signal(SIGTERM);
  CHECK(d.process->wait_exit(5s) == 0);
}

TEST_CASE("check-config reports every problem with file:line:column and exits 78") {
  TempDir dir;
  dir.write("bad.toml", R"([daemon]
log_level = "loud"

[[feeds]]
name = "primary"
endpoint = "tcp://127.0.0.1:5556"
stale_after = "soon"

[[portfolios]]
id = "main"
targets = { SPY = 0.6, AGG = 0.3 }
)");
  const auto r = run_command(BALLASTD_PATH, {"--config", dir.file("bad.toml"), "--check-config"});
  CHECK(r.code == 78);
  CHECK(r.output.find("bad.toml:2:") != std::string::npos);
  CHECK(r.output.find("bad.toml:7:") != std::string::npos);
  CHECK(r.output.find("bad.toml:11:") != std::string::npos);
  dir.write("good.toml", "[[feeds]]\nname = \"p\"\nendpoint = \"tcp://127.0.0.1:5556\"\n" + kSixtyForty);
  CHECK(run_command(BALLASTD_PATH, {"--config", dir.file("good.toml"), "--check-config"}).code == 0);
  CHECK(run_command(BALLASTD_PATH, {"--version"}).code == 0);
  CHECK(run_command(BALLASTD_PATH, {"--no-such-flag"}).code == 2);
}

TEST_CASE("the daemon refuses a non-loopback status socket without a token") {
  TempDir dir;
  dir.write("open.toml", "[[feeds]]\nname = \"p\"\nendpoint = \"tcp://127.0.0.1:5556\"\n[status]\nlisten = \"0.0.0.0:8787\"\n" +
                             kSixtyForty);
  const auto r = run_command(BALLASTD_PATH, {"--config", dir.file("open.toml")});
  CHECK(r.code == 78);
  CHECK(r.output.find("token") != std::string::npos);
}

TEST_CASE("the ballast CLI shows the status table and drives control with a token") {
  DaemonHarness d(kSixtyForty, "", "", "token = \"s3cret\"");
  d.start();
  price_inside_band(d);
  const std::string url = d.ports.url("");
  auto status = run_command(BALLAST_CLI_PATH, {"status", "--url", url});
  CHECK(status.code == 0);
  CHECK(status.output.find("SPY") != std::string::npos);
  CHECK(status.output.find("main") != std::string::npos);
  CHECK(run_command(BALLAST_CLI_PATH, {"status", "--json", "--url", url}).output.find("\"portfolios\"") !=
        std::string::npos);
  CHECK(run_command(BALLAST_CLI_PATH, {"pause", "--url", url}).code == 1);
  CHECK(run_command(BALLAST_CLI_PATH, {"pause", "--url", url, "--token", "s3cret"}).code == 0);
  CHECK(bool(d.status()["paused"]) == true);
  CHECK(run_command(BALLAST_CLI_PATH, {"rebalance", "main", "--url", url, "--token", "s3cret"}).code == 0);
  CHECK(d.orders(2).size() == 2);
  CHECK(run_command(BALLAST_CLI_PATH, {"resume", "--url", url, "--token", "s3cret"}).code == 0);
  CHECK(run_command(BALLAST_CLI_PATH, {"reload", "--url", url, "--token", "s3cret"}).code == 0);
  CHECK(run_command(BALLAST_CLI_PATH, {"status", "--url", "http://127.0.0.1:1"}).code == 1);
  CHECK(run_command(BALLAST_CLI_PATH, {"bogus"}).code == 2);
}

TEST_CASE("the shipped example configurations validate") {
  for (const char* name : {"ballast.toml", "demo.toml", "strategies.toml"}) {
    const auto r = run_command(BALLASTD_PATH, {"--config", std::string(BALLAST_EXAMPLES) + "/" + name, "--check-config"});
    CHECK_MESSAGE(r.code == 0, name << ": " << r.output);
  }
}

TEST_CASE("the kill switch stops every order, from the control socket and from the config") {
  {
    DaemonHarness d(kSixtyForty);
    d.start();
    price_inside_band(d);
    CHECK(d.post("/control/kill").status == 200);
    CHECK(bool(d.status()["kill_switch"]) == true);
    d.publish("SPY", R"({"price": 250})");  // a large drift
    REQUIRE(eventually([&] { return num(asset(d.status(), 0, "SPY")["price"]) == 250; }));
    CHECK(d.orders(1, 300ms).empty());
    CHECK(d.post("/control/rebalance?portfolio=main").status == 409);
    const auto metrics = d.get("/metrics").body;
    CHECK(metrics.find("ballast_kill_switch 1") != std::string::npos);
    CHECK(d.post("/control/release").status == 200);
    d.publish("SPY", R"({"price": 250})");
    CHECK(d.orders(2).size() == 2);
  }
  {
    DaemonHarness d(kSixtyForty, "", "kill_switch = true");
    d.start();
    CHECK(bool(d.status()["kill_switch"]) == true);
    price_inside_band(d);
    CHECK(run_command(BALLAST_CLI_PATH, {"rebalance", "main", "--url", d.ports.url("")}).code == 1);
    CHECK(run_command(BALLAST_CLI_PATH, {"kill", "--release", "--url", d.ports.url("")}).code == 0);
    CHECK(d.post("/control/rebalance?portfolio=main").status == 200);
    CHECK(d.orders(2).size() == 2);
  }
}

}  // namespace test_daemon
