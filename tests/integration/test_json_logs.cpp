// The real ballastd with log_format = "json" and a log file: each event's
// fields are keys of its line's object. Read by key, never by wording.
#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/support.hpp"

namespace test_json_logs {

using namespace ballast::testing;

namespace {

/// Every line of a JSON log, parsed; a line that is not one JSON object fails the test.
class JsonLog {
 public:
  explicit JsonLog(const std::string& text) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      // Each element refers into its parser's document: one parser per line.
      auto parser = std::make_unique<simdjson::dom::parser>();
      simdjson::dom::element e;
      REQUIRE_MESSAGE(parser->parse(line).get(e) == simdjson::SUCCESS, line);
      REQUIRE_MESSAGE(e.is_object(), line);
      parsers_.push_back(std::move(parser));
      lines_.push_back(e);
    }
  }
  /// The lines of one event, in order.
  std::vector<simdjson::dom::element> events(std::string_view name) const {
    std::vector<simdjson::dom::element> out;
    for (const auto& e : lines_) {
      std::string_view event;
      if (e["event"].get(event) == simdjson::SUCCESS && event == name) out.push_back(e);
    }
    return out;
  }
  const std::vector<simdjson::dom::element>& lines() const { return lines_; }

 private:
  std::vector<std::unique_ptr<simdjson::dom::parser>> parsers_;
  std::vector<simdjson::dom::element> lines_;
};

std::string str(simdjson::dom::element e) { return std::string(std::string_view(e)); }

}  // namespace

TEST_CASE("json logs carry the fields of a rebalance, its orders, a fill and a rejected tick as keys") {
  DaemonHarness d(kSixtyForty, "", "", "", /*with_fills=*/true);
  d.add_daemon_keys("log_format = \"json\"\nlog_file = \"" + d.dir.file("events.log") + "\"");
  d.start();
  d.prime("AGG", 100);
  d.prime("SPY", 400);
  d.settle();
  d.publish("SPY", R"({"price": 300})");  // beyond the band: sell 56 AGG, buy 22 SPY
  const auto orders = d.orders(2);
  REQUIRE(orders.size() == 2);
  simdjson::dom::parser parser;
  std::vector<std::map<std::string, std::string>> sent;
  for (const auto& o : orders) {
    simdjson::dom::element e = parser.parse(o);
    sent.push_back({{"order_id", str(e["order_id"])}, {"symbol", str(e["symbol"])}, {"side", str(e["side"])},
                    {"rebalance_id", str(e["rebalance_id"])}});
  }
  const std::string sell_id = sent[0]["order_id"];
  d.send_fill(R"({"order_id":")" + sell_id + R"(","status":"filled","filled_quantity":56,"avg_price":100.25})");
  d.publish("SPY", "not json \"at all\"\n");
  d.publish("XYZ", R"({"price": 10})");
  REQUIRE(eventually([&] {
    const JsonLog log(d.dir.read("events.log"));
    return !log.events("fill").empty() && log.events("tick_rejected").size() >= 2;
  }));
  const JsonLog log(d.dir.read("events.log"));
  for (const auto& e : log.lines()) {
    CHECK(!str(e["ts"]).empty());
    CHECK(!str(e["level"]).empty());
    CHECK(!str(e["msg"]).empty());
    CHECK(!str(e["event"]).empty());  // every line of the daemon is an event
  }

  const auto rebalances = log.events("rebalance");
  REQUIRE(rebalances.size() == 1);
  const auto r = rebalances[0];
  CHECK(str(r["rebalance_id"]) == sent[0]["rebalance_id"]);
  CHECK(str(r["portfolio"]) == "main");
  CHECK(str(r["reason"]) == "threshold");
  CHECK(!str(r["why"]).empty());
  CHECK(num(r["value"]) == doctest::Approx(61000));
  CHECK(num(r["max_drift"]) > 0.05);
  CHECK(bool(r["sent"]));
  const auto listed = r["orders"].get_array();
  REQUIRE(listed.size() == 2);
  CHECK(str(listed.at(0)["order_id"]) == sell_id);
  CHECK(str(listed.at(0)["side"]) == "sell");
  CHECK(num(listed.at(0)["quantity"]) == 56);
  CHECK(num(listed.at(0)["price"]) == 100);
  CHECK(str(listed.at(1)["order_id"]) == sent[1]["order_id"]);

  const auto order_lines = log.events("order_sent");  // debug, as the harness logs
  REQUIRE(order_lines.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(str(order_lines[i]["order_id"]) == sent[i]["order_id"]);
    CHECK(str(order_lines[i]["symbol"]) == sent[i]["symbol"]);
    CHECK(str(order_lines[i]["side"]) == sent[i]["side"]);
    CHECK(str(order_lines[i]["rebalance_id"]) == sent[i]["rebalance_id"]);
    CHECK(str(order_lines[i]["portfolio"]) == "main");
    CHECK(num(order_lines[i]["quantity"]) > 0);
    CHECK(num(order_lines[i]["price"]) > 0);
  }

  const auto fills = log.events("fill");
  REQUIRE(fills.size() == 1);
  CHECK(str(fills[0]["order_id"]) == sell_id);
  CHECK(str(fills[0]["portfolio"]) == "main");
  CHECK(str(fills[0]["status"]) == "filled");
  CHECK(num(fills[0]["quantity"]) == 56);
  CHECK(num(fills[0]["price"]) == 100.25);
  CHECK(bool(fills[0]["finished"]));

  std::map<std::string, simdjson::dom::element> rejected;
  for (const auto& e : log.events("tick_rejected")) rejected.emplace(str(e["reason"]), e);
  REQUIRE(rejected.count("malformed") == 1);
  CHECK(str(rejected.at("malformed")["feed"]) == "primary");
  REQUIRE(rejected.count("unknown_symbol") == 1);
  CHECK(str(rejected.at("unknown_symbol")["symbol"]) == "XYZ");
  CHECK(int64_t(rejected.at("unknown_symbol")["suppressed"]) == 0);

  const auto started = log.events("started");
  REQUIRE(started.size() == 1);
  CHECK(str(started[0]["version"]) == BALLAST_VERSION);
  CHECK(str(started[0]["mode"]) == "live");
}

}  // namespace test_json_logs
