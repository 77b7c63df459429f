// Trust under faults, with the real binary: an order whose fate is unknown
// holds its portfolio until a report or an operator resolves it; the kill
// switch survives restarts; forged fills are refused; floods of bad input are
// counted, not logged line by line; health says what is wrong.
#include <doctest/doctest.h>
#include <sys/mount.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/integration/support.hpp"

namespace test_trust {

using namespace ballast::testing;

namespace {

// As kSixtyForty, without a minimum trade value.
const std::string kSixtyFortyAnySize = R"(
[[portfolios]]
id = "main"
cash = 1000.0
holdings = { SPY = 100, AGG = 300 }
targets = { SPY = 0.6, AGG = 0.4 }

[[portfolios.triggers]]
kind = "threshold"
absolute = 0.05
)";

std::string field(const std::string& json, const char* key) {
  simdjson::dom::parser parser;
  return std::string(std::string_view(parser.parse(json)[key]));
}

void price_inside_band(DaemonHarness& d) {
  d.prime("AGG", 100);
  d.prime("SPY", 400);
  d.settle();
}

double quantity(DaemonHarness& d, const std::string& symbol) { return num(asset(d.status(), 0, symbol)["quantity"]); }

RunResult cli(const DaemonHarness& d, std::vector<std::string> args) {
  args.push_back("--url");
  args.push_back(d.ports.url(""));
  return run_command(BALLAST_CLI_PATH, args);
}

std::uintmax_t log_size(const DaemonHarness& d) { return std::filesystem::file_size(d.dir.file("ballastd.log")); }

}  // namespace

TEST_CASE("an order without a final report is unknown: nothing is traded again until it is resolved") {
  DaemonHarness d(kSixtyFortyAnySize, "", "order_timeout = \"1s\"", "", /*with_fills=*/true);
  d.start();
  price_inside_band(d);
  d.publish("SPY", R"({"price": 300})");
  const auto first = d.orders(2);
  REQUIRE(first.size() == 2);
  const std::string sell = field(first[0], "order_id"), buy = field(first[1], "order_id");
  REQUIRE(eventually([&] { return num(d.status()["execution"]["orders_unknown"]) == 2; }));
  // Once, the same rebalance went out again here under new ids.
  d.publish("SPY", R"({"price": 290})");
  CHECK(d.orders(3, 500ms).size() == 2);
  CHECK(d.post("/control/rebalance?portfolio=main").status == 409);
  auto s = d.status();
  CHECK(num(s["portfolios"].at(0)["unknown_orders"]) == 2);
  CHECK(std::string_view(s["execution"]["open"].at(0)["state"]) == "unknown");
  const auto health = d.get("/healthz");
  CHECK(health.status == 503);
  CHECK(health.body.find("2 orders unknown") != std::string::npos);
  CHECK(d.get("/metrics").body.find("ballast_orders_unknown{portfolio=\"main\"} 2") != std::string::npos);
  CHECK(cli(d, {"status"}).code == 1);
  const auto listed = cli(d, {"orders"});
  CHECK(listed.code == 0);
  CHECK(listed.output.find(buy) != std::string::npos);
  CHECK(listed.output.find("unknown") != std::string::npos);

  // A late report finishes the sell; the operator tells what became of the buy.
  d.send_fill(R"({"order_id":")" + sell + R"(","status":"filled","filled_quantity":56,"avg_price":100})");
  REQUIRE(eventually([&] { return quantity(d, "AGG") == 244; }));
  CHECK(num(d.status()["execution"]["orders_unknown"]) == 1);
  CHECK(cli(d, {"orders", "resolve", buy, "--filled", "22"}).code == 2);  // a quantity needs its price
  CHECK(cli(d, {"orders", "resolve", buy, "--filled", "30", "--price", "300"}).code == 1);  // more than ordered
  CHECK(cli(d, {"orders", "resolve", "main-19990101-000001", "--cancelled"}).code == 1);
  CHECK(d.post("/control/orders/resolve?order_id=" + buy).status == 400);
  const auto resolved = cli(d, {"orders", "resolve", buy, "--filled", "22", "--price", "300"});
  CHECK_MESSAGE(resolved.code == 0, resolved.output);
  CHECK(resolved.output.find("\"state\":\"filled\"") != std::string::npos);
  CHECK(quantity(d, "SPY") == 122);
  s = d.status();
  CHECK(num(s["execution"]["orders_unknown"]) == 0);
  CHECK(num(s["execution"]["orders_resolved"]) == 1);
  CHECK(num(s["portfolios"].at(0)["open_orders"]) == 0);
  CHECK(d.get("/healthz").status == 200);
  CHECK(cli(d, {"status"}).code == 0);
  // Free to decide again, from what really happened: 122 SPY, 244 AGG, no cash.
  d.publish("SPY", R"({"price": 240})");
  CHECK(d.orders(4).size() == 4);
}

TEST_CASE("the kill switch survives SIGTERM and kill -9; only a release turns it off, and that survives too") {
  DaemonHarness d(kSixtyFortyAnySize);
  d.start();
  REQUIRE(d.post("/control/kill").status == 200);
  d.process->signal(SIGTERM);
  REQUIRE(d.process->wait_exit(5s) == 0);
  d.start();
  CHECK(bool(d.status()["kill_switch"]) == true);
  price_inside_band(d);
  d.publish("SPY", R"({"price": 300})");
  CHECK(d.orders(1, 500ms).empty());
  d.process->signal(SIGKILL);
  REQUIRE(d.process->wait_exit(5s) == 128 + SIGKILL);
  d.start();
  CHECK(bool(d.status()["kill_switch"]) == true);
  CHECK(d.get("/healthz").body.find("kill switch on") != std::string::npos);
  REQUIRE(d.post("/control/release").status == 200);
  d.process->signal(SIGKILL);
  REQUIRE(d.process->wait_exit(5s) == 128 + SIGKILL);
  d.start();
  CHECK(bool(d.status()["kill_switch"]) == false);
  d.prime("AGG", 100);
  d.prime("SPY", 300);
  CHECK(d.orders(2).size() == 2);
}

TEST_CASE("a forged fill far from the order's price is refused, counted and never booked") {
  DaemonHarness d(kSixtyFortyAnySize, "", "order_timeout = \"1h\"", "", /*with_fills=*/true);
  d.start();
  price_inside_band(d);
  d.publish("SPY", R"({"price": 300})");
  const auto orders = d.orders(2);
  REQUIRE(orders.size() == 2);
  const std::string buy = field(orders[1], "order_id");
  // Once, this drove cash to −2e11.
  d.send_fill(R"({"order_id":")" + buy + R"(","status":"filled","filled_quantity":22,"avg_price":1e9})");
  d.send_fill(R"({"order_id":")" + buy + R"(","status":"filled","filled_quantity":2200,"avg_price":300})");
  REQUIRE(eventually([&] { return num(d.status()["execution"]["fill_reports"]["inconsistent"]) == 2; }));
  CHECK(num(d.status()["portfolios"].at(0)["cash"]) == 1000);
  CHECK(quantity(d, "SPY") == 100);
  d.send_fill(R"({"order_id":")" + buy + R"(","status":"filled","filled_quantity":22,"avg_price":300.5})");
  REQUIRE(eventually([&] { return quantity(d, "SPY") == 122; }));
}

TEST_CASE("floods of forged fills and of denials are counted in full and logged a few times") {
  // No cash: with the AGG sell denied, no buy can be paid for and nothing trades.
  std::string no_cash = kSixtyFortyAnySize;
  no_cash.replace(no_cash.find("cash = 1000.0"), 13, "cash = 0.0");
  DaemonHarness d(no_cash, "", "order_timeout = \"1h\"\n[execution.limits]\nrestricted_symbols = [\"AGG\"]", "",
                  /*with_fills=*/true);
  d.start();
  price_inside_band(d);
  const auto before = log_size(d);
  for (int i = 0; i < 3000; ++i) {
    d.send_fill(R"({"order_id":"forged-)" + std::to_string(i) +
                R"(","status":"filled","filled_quantity":1,"avg_price":1})");
  }
  // Out of band with AGG restricted: every tick tries, and is denied the AGG sell.
  for (int i = 0; i < 300; ++i) d.publish("SPY", R"({"price": 300})");
  REQUIRE(eventually([&] { return num(d.status()["execution"]["fill_reports"]["unknown_order"]) == 3000; }));
  REQUIRE(eventually([&] { return num(d.status()["feeds"].at(0)["received"]) >= 300; }));
  CHECK(num(d.status()["execution"]["denied"]["restricted_symbol"]) >= 300);
  // Once, 300k forged reports wrote 27 MB in 3 s; a line each here would be 300 kB.
  CHECK(log_size(d) - before < 20'000);
}

TEST_CASE("a state file that cannot be written stops trading and says so until a write succeeds") {
  DaemonHarness d(kSixtyFortyAnySize);
  const std::string state = d.dir.file("state");
  std::filesystem::create_directories(state);
  if (::mount("tmpfs", state.c_str(), "tmpfs", 0, "size=2m") != 0) {
    MESSAGE("skipped: a small file system cannot be mounted here (needs root)");
    return;
  }
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{state};
  d.start();
  price_inside_band(d);
  // Fill the file system to the last byte.
  {
    std::ofstream filler(state + "/filler", std::ios::binary);
    const std::string block(4096, 'x');
    while (filler.write(block.data(), block.size())) {
    }
  }
  {
    std::ofstream last(state + "/filler2", std::ios::binary);
    while (last.put('x')) last.flush();
  }
  d.publish("SPY", R"({"price": 300})");
  REQUIRE(eventually([&] { return bool(d.status()["kill_switch"]); }));
  CHECK(d.orders(1, 300ms).empty());  // nothing leaves that is not on disk
  // Which write the full disk refused last depends on where SQLite still had
  // room (a reused WAL can take a small write): the state file's or the kill
  // switch's record; either way health names it.
  const auto health = d.get("/healthz");
  CHECK(health.status == 503);
  CHECK((health.body.find("state file cannot be written") != std::string::npos ||
         health.body.find("kill switch not recorded") != std::string::npos));
  std::filesystem::remove(state + "/filler");
  std::filesystem::remove(state + "/filler2");
  REQUIRE(eventually([&] { return d.get("/healthz").body.find("state file") == std::string::npos; }));
  CHECK(bool(d.status()["kill_switch"]));  // stays on until an operator releases it
}

}  // namespace test_trust
