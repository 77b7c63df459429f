#include "daemon/log_event.hpp"

#include <doctest/doctest.h>
#include <simdjson.h>
#include <spdlog/sinks/ostream_sink.h>

#include <cmath>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/logging.hpp"

namespace test_log_event {

namespace {

using namespace fmt::literals;
using ballast::config::LogFormat;
using ballast::daemon::HeldBack;
using ballast::daemon::log_event;
using ballast::daemon::RawJson;
using ballast::daemon::TextOnly;

/// The daemon's logger writing into a string for the length of a test; the
/// previous default logger comes back, in text, afterwards.
class CapturedLog {
 public:
  explicit CapturedLog(LogFormat format, bool journal = false) : previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_st>(out_));
    ballast::daemon::install_logger(std::move(logger), format, journal);
    spdlog::set_level(spdlog::level::info);
  }
  ~CapturedLog() { ballast::daemon::install_logger(previous_, LogFormat::text, false); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }
  /// A text line without its time: "info  fill ...".
  static std::string without_time(const std::string& line) { return line.substr(line.find(' ') + 1); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

void log_a_fill(bool finished) {
  const std::string id = "main-20261123-000021";
  log_event(spdlog::level::info, "fill",
            "fill {order_id} {status} quantity={quantity} price={price:.6g} portfolio={portfolio}{open}",
            "order_id"_a = id, "status"_a = "filled", "quantity"_a = 2.0, "price"_a = 642.87654321,
            "portfolio"_a = "balanced", "open"_a = TextOnly{finished ? "" : " (still open)"}, "finished"_a = finished,
            "attempt"_a = 3);
}

}  // namespace

TEST_CASE("a text event reads as its template, with only the fields the template names") {
  CapturedLog log(LogFormat::text);
  log_a_fill(true);
  log_a_fill(false);
  const auto lines = log.lines();
  REQUIRE(lines.size() == 2);
  CHECK(CapturedLog::without_time(lines[0]) ==
        "info  fill main-20261123-000021 filled quantity=2 price=642.877 portfolio=balanced");
  CHECK(CapturedLog::without_time(lines[1]) ==
        "info  fill main-20261123-000021 filled quantity=2 price=642.877 portfolio=balanced (still open)");
}

TEST_CASE("a json event carries every field as a typed key beside the message") {
  CapturedLog log(LogFormat::json);
  log_a_fill(false);
  const auto lines = log.lines();
  REQUIRE(lines.size() == 1);
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  REQUIRE_MESSAGE(parser.parse(lines[0]).get(e) == simdjson::SUCCESS, lines[0]);
  CHECK(std::string_view(e["level"]) == "info");
  CHECK(!std::string_view(e["ts"]).empty());
  CHECK(std::string_view(e["msg"]) ==
        "fill main-20261123-000021 filled quantity=2 price=642.877 portfolio=balanced (still open)");
  CHECK(std::string_view(e["event"]) == "fill");
  CHECK(std::string_view(e["order_id"]) == "main-20261123-000021");
  CHECK(std::string_view(e["status"]) == "filled");
  CHECK(double(e["quantity"]) == 2.0);
  CHECK(double(e["price"]) == 642.87654321);  // the full value, not the text's six digits
  CHECK(std::string_view(e["portfolio"]) == "balanced");
  CHECK(bool(e["finished"]) == false);
  CHECK(int64_t(e["attempt"]) == 3);
  CHECK(e["open"].error() == simdjson::NO_SUCH_FIELD);  // text only
}

TEST_CASE("json keys and the message escape quotes, backslashes, newlines and control characters") {
  CapturedLog log(LogFormat::json);
  const std::string nasty = "say \"hi\"\\ to\nthe\tfeed \x01 ünï";
  log_event(spdlog::level::warn, "tick_rejected", "feed {feed}: dropped a tick ({detail})", "feed"_a = "primary",
            "detail"_a = nasty, "symbol"_a = std::string_view("A\"B"));
  const auto lines = log.lines();
  REQUIRE(lines.size() == 1);  // the newline in the detail did not split the line
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  REQUIRE_MESSAGE(parser.parse(lines[0]).get(e) == simdjson::SUCCESS, lines[0]);
  CHECK(std::string_view(e["level"]) == "warning");
  CHECK(std::string_view(e["detail"]) == nasty);
  CHECK(std::string_view(e["symbol"]) == "A\"B");
  CHECK(std::string_view(e["msg"]) == "feed primary: dropped a tick (" + nasty + ")");
}

TEST_CASE("raw json, held-back counts and non-finite numbers render as json values") {
  {
    CapturedLog log(LogFormat::json);
    log_event(spdlog::level::info, "rebalance", "rebalance {rebalance_id}{suppressed}", "rebalance_id"_a = "r-1",
              "orders"_a = RawJson{R"([{"order_id":"o-1","quantity":12}])"}, "volatility"_a = RawJson{""},
              "suppressed"_a = HeldBack{4}, "drift"_a = std::numeric_limits<double>::quiet_NaN());
    const auto lines = log.lines();
    REQUIRE(lines.size() == 1);
    simdjson::dom::parser parser;
    simdjson::dom::element e;
    REQUIRE_MESSAGE(parser.parse(lines[0]).get(e) == simdjson::SUCCESS, lines[0]);
    CHECK(std::string_view(e["orders"].at(0)["order_id"]) == "o-1");
    CHECK(e["volatility"].is_null());
    CHECK(e["drift"].is_null());
    CHECK(int64_t(e["suppressed"]) == 4);
    CHECK(std::string_view(e["msg"]) == "rebalance r-1; 4 more of this kind since the last warning");
  }
  CapturedLog log(LogFormat::text);
  log_event(spdlog::level::warn, "fill_unknown_order", "fill report for unknown order {order_id} ignored{suppressed}",
            "order_id"_a = "x", "suppressed"_a = HeldBack{0});
  log_event(spdlog::level::warn, "fill_unknown_order", "fill report for unknown order {order_id} ignored{suppressed}",
            "order_id"_a = "x", "suppressed"_a = HeldBack{2});
  const auto lines = log.lines();
  REQUIRE(lines.size() == 2);
  CHECK(CapturedLog::without_time(lines[0]) == "warning fill report for unknown order x ignored");
  CHECK(CapturedLog::without_time(lines[1]) ==
        "warning fill report for unknown order x ignored; 2 more of this kind since the last warning");
}

TEST_CASE("a plain message in json has only the line's own keys, even right after an event") {
  CapturedLog log(LogFormat::json);
  log_event(spdlog::level::info, "paused", "paused by operator", "by"_a = "operator");
  spdlog::info("a \"plain\" message");
  const auto lines = log.lines();
  REQUIRE(lines.size() == 2);
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  REQUIRE_MESSAGE(parser.parse(lines[1]).get(e) == simdjson::SUCCESS, lines[1]);
  CHECK(std::string_view(e["msg"]) == "a \"plain\" message");
  CHECK(e["event"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(e["by"].error() == simdjson::NO_SUCH_FIELD);
}

TEST_CASE("events below the level are not written, and the journal prefix stays in front of the object") {
  CapturedLog log(LogFormat::json, true);
  log_event(spdlog::level::debug, "noise", "not written {n}", "n"_a = 1);
  log_event(spdlog::level::critical, "state_write_failed", "state file write failed: {error}", "error"_a = "disk full");
  const auto lines = log.lines();
  REQUIRE(lines.size() == 1);
  REQUIRE(lines[0].rfind("<2>{", 0) == 0);
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  REQUIRE(parser.parse(lines[0].substr(3)).get(e) == simdjson::SUCCESS);
  CHECK(std::string_view(e["error"]) == "disk full");
  CHECK(std::string_view(e["event"]) == "state_write_failed");
}

}  // namespace test_log_event
