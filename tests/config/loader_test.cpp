// The loader on valid files: every key lands in the typed config with its exact value.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <variant>

#include "config/config.hpp"
#include "core/time.hpp"
#include "tests/config/config_test_support.hpp"

namespace ballast::config {
namespace loader_test {
namespace {

using test::contains;
using test::only_error;
using test::valid;

const strategies::AssetSpec* find_asset(const strategies::PortfolioSpec& p, std::string_view symbol) {
  for (const auto& a : p.assets) {
    if (a.symbol == symbol) return &a;
  }
  return nullptr;
}

core::TimeNs utc(std::string_view iso) {
  const auto t = core::parse_iso8601(iso);
  REQUIRE(t.has_value());
  return *t;
}

constexpr std::string_view kFullConfig = R"([daemon]
log_level = "debug"
log_format = "json"
log_file = "/var/log/ballast/ballastd.log"
state_dir = "/tmp/ballast-state"

[[feeds]]
name = "primary"
endpoint = "tcp://127.0.0.1:5556"
bind = true
framing = "topic-json"
stale_after = "1m"
max_jump = 0.2
jump_confirm = 5
fields = { price = "last", ts = "timestamp" }
symbols = { "BTC-USD" = "BTC", "ETH-USD" = "ETH" }

[[feeds]]
name = "backup"
endpoint = "ipc:///run/ballast/feed"

[execution]
endpoint = "tcp://0.0.0.0:5557"
connect = true
fills_endpoint = "inproc://fills"
mode = "dry-run"

[status]
listen = "0.0.0.0:9000"
token = "s3cret"

[[portfolios]]
id = "main.v2"
cash = 1000
holdings = { SPY = 100, AGG = 300.5 }
targets = { SPY = 0.55, AGG = 0.4 }
cash_target = 0.05
min_trade_value = 50
lot_sizes = { AGG = 0.001 }
rebalance_to = "band-edge"

[[portfolios.triggers]]
kind = "threshold"
absolute = 0.05
relative = 1
total = 0.1

[[portfolios.triggers]]
kind = "calendar"
every = "3mo"
anchor = 2026-01-15T09:30:00-05:00

[[portfolios]]
id = "crypto_1"
targets = { BTC = 0.5, ETH = 0.5 }

[[portfolios.triggers]]
kind = "calendar"
every = "1w"
anchor = "2026-01-05"
)";

TEST_CASE("a full configuration is read into the exact typed values") {
  const Config c = valid(kFullConfig, Purpose::daemon);
  CHECK(c.path == "test.toml");

  CHECK(c.daemon.log_level == "debug");
  CHECK(c.daemon.log_format == LogFormat::json);
  CHECK(c.daemon.log_file == "/var/log/ballast/ballastd.log");
  CHECK(c.daemon.state_dir == "/tmp/ballast-state");

  REQUIRE(c.feeds.size() == 2);
  const FeedConfig& f = c.feeds[0];
  CHECK(f.name == "primary");
  CHECK(f.endpoint == "tcp://127.0.0.1:5556");
  CHECK(f.bind);
  CHECK(f.format.framing == core::Framing::topic_json);
  CHECK(f.stale_after == 60 * core::kNanosPerSecond);
  REQUIRE(f.max_jump.has_value());
  CHECK(*f.max_jump == 0.2);
  CHECK(f.jump_confirm == 5);
  CHECK(f.format.fields.price == "last");
  CHECK(f.format.fields.ts == "timestamp");
  CHECK(f.format.fields.symbol == "symbol");
  CHECK(f.format.fields.bid == "bid");
  CHECK(f.format.fields.ask == "ask");
  CHECK(f.format.symbols.size() == 2);
  CHECK(f.format.symbols.at("BTC-USD") == "BTC");
  CHECK(f.format.symbols.at("ETH-USD") == "ETH");

  const FeedConfig& b = c.feeds[1];
  CHECK(b.name == "backup");
  CHECK(b.endpoint == "ipc:///run/ballast/feed");
  CHECK_FALSE(b.bind);
  CHECK(b.format.framing == core::Framing::multipart);
  CHECK(b.stale_after == 30 * core::kNanosPerSecond);
  CHECK(b.max_jump == 0.5);  // the safe default
  CHECK(b.max_future == 5 * core::kNanosPerSecond);
  CHECK(b.jump_confirm == 3);
  CHECK(b.format.symbols.empty());

  CHECK(c.execution.endpoint == "tcp://0.0.0.0:5557");
  CHECK(c.execution.connect);
  CHECK(c.execution.fills_endpoint == "inproc://fills");
  CHECK(c.execution.mode == ExecutionMode::dry_run);

  CHECK(c.status.listen == "0.0.0.0:9000");
  CHECK(c.status.token == "s3cret");

  REQUIRE(c.portfolios.size() == 2);
  const strategies::PortfolioSpec& p = c.portfolios[0];
  CHECK(p.id == "main.v2");
  CHECK(p.cash == 1000.0);
  CHECK(p.cash_target == 0.05);
  CHECK(p.min_trade_value == 50.0);
  CHECK(p.rebalance_to == strategies::RebalanceTo::band_edge);
  REQUIRE(p.assets.size() == 2);
  const auto* spy = find_asset(p, "SPY");
  const auto* agg = find_asset(p, "AGG");
  REQUIRE(spy);
  REQUIRE(agg);
  CHECK(spy->target == 0.55);
  CHECK(spy->holding == 100.0);
  CHECK(spy->lot_size == 1.0);
  CHECK(agg->target == 0.4);
  CHECK(agg->holding == 300.5);
  CHECK(agg->lot_size == 0.001);

  REQUIRE(p.triggers.size() == 2);
  const auto* th = std::get_if<strategies::ThresholdTrigger>(&p.triggers[0]);
  REQUIRE(th);
  CHECK(th->absolute == 0.05);
  CHECK(th->relative == 1.0);
  CHECK(th->total == 0.1);
  const auto* cal = std::get_if<strategies::CalendarTrigger>(&p.triggers[1]);
  REQUIRE(cal);
  CHECK(cal->every == core::Period{0, 3});
  REQUIRE(cal->anchor.has_value());
  CHECK(*cal->anchor == utc("2026-01-15T14:30:00Z"));

  const strategies::PortfolioSpec& q = c.portfolios[1];
  CHECK(q.id == "crypto_1");
  CHECK(q.cash == 0.0);
  CHECK(q.cash_target == 0.0);
  CHECK(q.min_trade_value == 0.0);
  CHECK(q.rebalance_to == strategies::RebalanceTo::target);
  CHECK(q.assets.size() == 2);
  REQUIRE(find_asset(q, "BTC"));
  CHECK(find_asset(q, "BTC")->holding == 0.0);
  REQUIRE(q.triggers.size() == 1);
  const auto* weekly = std::get_if<strategies::CalendarTrigger>(&q.triggers[0]);
  REQUIRE(weekly);
  CHECK(weekly->every == core::Period{7 * 86400 * core::kNanosPerSecond, 0});
  CHECK(weekly->anchor == utc("2026-01-05T00:00:00Z"));
}

TEST_CASE("the SPEC section 6 example parses for the daemon") {
  const Config c = valid(R"(
[daemon]
log_level = "info"            # trace|debug|info|warn|error
state_dir = "/var/lib/ballast"

[[feeds]]
name = "primary"
endpoint = "tcp://127.0.0.1:5556"
framing = "multipart"         # or "topic-json"
stale_after = "30s"
max_jump = 0.25

[execution]
endpoint = "tcp://127.0.0.1:5557"
fills_endpoint = "tcp://127.0.0.1:5558"   # optional
mode = "live"                              # or "dry-run"

[status]
listen = "127.0.0.1:8787"

[[portfolios]]
id = "main"
cash = 1000.0
holdings = { SPY = 100, AGG = 300 }
targets = { SPY = 0.6, AGG = 0.4 }   # with cash_target, sums to 1
cash_target = 0.0
min_trade_value = 50.0               # smaller trades are not sent
lot_sizes = { SPY = 1, AGG = 1 }     # default 1; fractional lots allowed (0.001)
rebalance_to = "target"              # or "band-edge"

[[portfolios.triggers]]
kind = "threshold"
absolute = 0.05     # |weight - target| > 0.05 for any asset
relative = 0.25     # |weight - target| > 0.25 * target for any asset (either limit fires)

[[portfolios.triggers]]
kind = "calendar"
every = "1mo"       # a duration ("30s", "15m", "1h", "1d", "1w") or "1mo", "3mo", "1y"
)",
                         Purpose::daemon);
  REQUIRE(c.feeds.size() == 1);
  CHECK(c.feeds[0].max_jump == 0.25);
  CHECK(c.execution.fills_endpoint == "tcp://127.0.0.1:5558");
  CHECK(c.execution.mode == ExecutionMode::live);
  REQUIRE(c.portfolios.size() == 1);
  const auto& p = c.portfolios[0];
  CHECK(p.assets.size() == 2);
  CHECK(find_asset(p, "SPY")->target == 0.6);
  CHECK(find_asset(p, "AGG")->holding == 300.0);
  REQUIRE(p.triggers.size() == 2);
  const auto* th = std::get_if<strategies::ThresholdTrigger>(&p.triggers[0]);
  REQUIRE(th);
  CHECK(th->absolute == 0.05);
  CHECK(th->relative == 0.25);
  CHECK_FALSE(th->total.has_value());
  const auto* cal = std::get_if<strategies::CalendarTrigger>(&p.triggers[1]);
  REQUIRE(cal);
  CHECK(cal->every == core::Period{0, 1});
  CHECK_FALSE(cal->anchor.has_value());
}

TEST_CASE("an empty file is a valid offline configuration with every default") {
  const Config c = valid("");
  const Config defaults;
  CHECK(c.daemon.log_level == defaults.daemon.log_level);
  CHECK(c.daemon.log_format == LogFormat::text);
  CHECK(c.daemon.log_file.empty());
  CHECK(c.daemon.state_dir == "/var/lib/ballast");
  CHECK(c.feeds.empty());
  CHECK(c.execution.endpoint == "tcp://127.0.0.1:5557");
  CHECK_FALSE(c.execution.connect);
  CHECK(c.execution.fills_endpoint.empty());
  CHECK(c.execution.mode == ExecutionMode::live);
  CHECK(c.execution.order_timeout == 300 * core::kNanosPerSecond);
  CHECK(c.execution.fill_price_collar == 0.2);
  CHECK_FALSE(c.execution.kill_switch);
  CHECK(c.status.listen == "127.0.0.1:8787");
  CHECK(c.status.token.empty());
  CHECK(c.portfolios.empty());
  CHECK(c.daemon.clock == EngineClock::wall);
}

TEST_CASE("the engine's clock is the wall clock or the data's") {
  CHECK(valid("[daemon]\nclock = \"wall\"\n").daemon.clock == EngineClock::wall);
  CHECK(valid("[daemon]\nclock = \"data\"\n").daemon.clock == EngineClock::data);
}

TEST_CASE("a feed coalesces ticks of one timestamp by default; off, instant and a window are read") {
  const auto feed = [](std::string_view line) {
    return valid("[[feeds]]\nname = \"f\"\nendpoint = \"inproc://f\"\n" + std::string(line)).feeds.at(0).coalesce;
  };
  CHECK(feed("") == Coalesce{Coalesce::Kind::instant, 0});
  CHECK(feed("coalesce = \"instant\"\n") == Coalesce{Coalesce::Kind::instant, 0});
  CHECK(feed("coalesce = \"off\"\n") == Coalesce{Coalesce::Kind::off, 0});
  CHECK(feed("coalesce = \"50ms\"\n") == Coalesce{Coalesce::Kind::window, 50'000'000});
  CHECK(feed("coalesce = \"10s\"\n") == Coalesce{Coalesce::Kind::window, 10 * core::kNanosPerSecond});
}

TEST_CASE("fill_price_collar is a positive fraction or \"none\"") {
  CHECK(valid("[execution]\nfill_price_collar = 0.05\n").execution.fill_price_collar == 0.05);
  CHECK_FALSE(valid("[execution]\nfill_price_collar = \"none\"\n").execution.fill_price_collar.has_value());
  const auto zero = only_error("[execution]\nfill_price_collar = 0\n");
  CHECK(zero.line == 2);
  CHECK(zero.column == 21);
  CHECK(zero.message == "fill_price_collar: must be > 0, got 0");
  const auto word = only_error("[execution]\nfill_price_collar = \"wide\"\n");
  CHECK(word.message == "fill_price_collar: expected a number or \"none\", got \"wide\"");
}

TEST_CASE("order_timeout and kill_switch are read from [execution]") {
  const Config c = valid("[execution]\norder_timeout = \"90s\"\nkill_switch = true\n");
  CHECK(c.execution.order_timeout == 90 * core::kNanosPerSecond);
  CHECK(c.execution.kill_switch);
  const auto bad = only_error("[execution]\norder_timeout = \"soon\"\n");
  CHECK(bad.line == 2);
  CHECK(bad.column == 17);
  CHECK(contains(bad.message, "order_timeout"));
  const auto wrong = only_error("[execution]\nkill_switch = \"yes\"\n");
  CHECK(wrong.line == 2);
  CHECK(contains(wrong.message, "kill_switch: expected a boolean"));
}

TEST_CASE("numbers may be written as integers or floats") {
  const Config c = valid(R"([[feeds]]
name = "f"
endpoint = "inproc://f"
max_jump = 1

[[portfolios]]
id = "p"
cash = 250
holdings = { A = 3.5 }
targets = { A = 1, B = 0 }
cash_target = 0
min_trade_value = 1e2
lot_sizes = { A = 10 }
)");
  CHECK(c.feeds[0].max_jump == 1.0);
  const auto& p = c.portfolios[0];
  CHECK(p.cash == 250.0);
  CHECK(p.min_trade_value == 100.0);
  CHECK(find_asset(p, "A")->target == 1.0);
  CHECK(find_asset(p, "A")->holding == 3.5);
  CHECK(find_asset(p, "A")->lot_size == 10.0);
  CHECK(find_asset(p, "B")->target == 0.0);
}

TEST_CASE("targets that sum to 1 within 1e-6 are accepted") {
  const Config c = valid(R"([[portfolios]]
id = "p"
targets = { A = 0.1, B = 0.2, C = 0.3, D = 0.3999995 }
)");
  CHECK(c.portfolios[0].assets.size() == 4);
}

TEST_CASE("a holding written as zero target is kept so that it can be sold out") {
  const Config c = valid(R"([[portfolios]]
id = "p"
holdings = { OLD = 12 }
targets = { NEW = 1, OLD = 0 }
)");
  const auto* old = find_asset(c.portfolios[0], "OLD");
  REQUIRE(old);
  CHECK(old->target == 0.0);
  CHECK(old->holding == 12.0);
}

TEST_CASE("a portfolio without triggers is valid: it rebalances only on command") {
  const Config c = valid(R"([[portfolios]]
id = "manual"
targets = { A = 1 }
)");
  CHECK(c.portfolios[0].triggers.empty());
}

TEST_CASE("calendar anchors: offset, local and date-only TOML values, and strings") {
  const Config c = valid(R"([[portfolios]]
id = "p"
targets = { A = 1 }
[[portfolios.triggers]]
kind = "calendar"
every = "1d"
anchor = 2026-03-01T10:00:00.5+02:00
[[portfolios.triggers]]
kind = "calendar"
every = "12h"
anchor = 2026-03-01T10:00:00
[[portfolios.triggers]]
kind = "calendar"
every = "1y"
anchor = 2026-03-01
[[portfolios.triggers]]
kind = "calendar"
every = "15m"
anchor = "2026-03-01T10:00:00+01:00"
)");
  const auto& t = c.portfolios[0].triggers;
  REQUIRE(t.size() == 4);
  CHECK(std::get<strategies::CalendarTrigger>(t[0]).anchor == utc("2026-03-01T08:00:00.5Z"));
  CHECK(std::get<strategies::CalendarTrigger>(t[1]).anchor == utc("2026-03-01T10:00:00Z"));
  CHECK(std::get<strategies::CalendarTrigger>(t[1]).every == core::Period{12 * 3600 * core::kNanosPerSecond, 0});
  CHECK(std::get<strategies::CalendarTrigger>(t[2]).anchor == utc("2026-03-01T00:00:00Z"));
  CHECK(std::get<strategies::CalendarTrigger>(t[2]).every == core::Period{0, 12});
  CHECK(std::get<strategies::CalendarTrigger>(t[3]).anchor == utc("2026-03-01T09:00:00Z"));
}

TEST_CASE("feeds and portfolios may also be written as inline arrays of tables") {
  const Config c = valid(R"(feeds = [{ name = "a", endpoint = "tcp://127.0.0.1:1" }, { name = "b", endpoint = "ipc:///tmp/b" }]
portfolios = [{ id = "p", targets = { X = 1 }, triggers = [{ kind = "threshold", total = 0.2 }] }]
)",
                         Purpose::daemon);
  CHECK(c.feeds.size() == 2);
  CHECK(c.feeds[1].name == "b");
  REQUIRE(c.portfolios.size() == 1);
  CHECK(std::get<strategies::ThresholdTrigger>(c.portfolios[0].triggers[0]).total == 0.2);
}

TEST_CASE("an empty fills_endpoint means no fills socket") {
  const Config c = valid("[execution]\nfills_endpoint = \"\"\n");
  CHECK(c.execution.fills_endpoint.empty());
}

TEST_CASE("a non-loopback listen with a token is accepted; loopback forms need no token") {
  CHECK(valid("[status]\nlisten = \"0.0.0.0:8787\"\ntoken = \"t\"\n", Purpose::offline).status.token == "t");
  const std::string base =
      "[[feeds]]\nname = \"f\"\nendpoint = \"tcp://127.0.0.1:1\"\n"
      "[[portfolios]]\nid = \"p\"\ntargets = { A = 1 }\n[status]\nlisten = ";
  for (const char* listen : {"\"127.0.0.1:8787\"", "\"127.9.9.9:1\"", "\"localhost:65535\"", "\"[::1]:8787\""}) {
    CAPTURE(listen);
    CHECK(valid(base + listen + "\n", Purpose::daemon).status.listen ==
          std::string(listen).substr(1, std::string(listen).size() - 2));
  }
  const Config c = valid(base + "\"[::]:8787\"\ntoken = \"secret\"\n", Purpose::daemon);
  CHECK(c.status.token == "secret");
}

TEST_CASE("offline purpose does not require feeds, portfolios or a token") {
  const std::string text = "[status]\nlisten = \"0.0.0.0:8787\"\n";
  const Config c = valid(text, Purpose::offline);
  CHECK(c.feeds.empty());
  CHECK(c.portfolios.empty());

  const LoadResult daemon = parse_config(text, "test.toml", Purpose::daemon);
  CHECK_FALSE(daemon.config.has_value());
  REQUIRE(daemon.errors.size() == 3);
  CHECK(contains(daemon.errors[0].message, "no [[feeds]]"));
  CHECK(contains(daemon.errors[1].message, "no [[portfolios]]"));
  CHECK(contains(daemon.errors[2].message, "token"));
}

TEST_CASE("load_config reads a file from disk and records its path") {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("ballast-config-test-" + std::to_string(::getpid()) + ".toml");
  {
    std::ofstream out(path);
    out << kFullConfig;
  }
  const LoadResult r = load_config(path.string());
  std::filesystem::remove(path);
  INFO(test::describe(r));
  REQUIRE(r.errors.empty());
  REQUIRE(r.config.has_value());
  CHECK(r.config->path == path.string());
  CHECK(r.config->portfolios.size() == 2);
}

TEST_CASE("load_config locates errors with the file's own path") {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("ballast-config-bad-" + std::to_string(::getpid()) + ".toml");
  {
    std::ofstream out(path);
    out << "[execution]\nmode = \"paper\"\n";
  }
  const LoadResult r = load_config(path.string(), Purpose::offline);
  std::filesystem::remove(path);
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].file == path.string());
  CHECK(r.errors[0].to_string() == path.string() + ":2:8: mode: expected \"live\" or \"dry-run\", got \"paper\"");
}

}  // namespace
}  // namespace loader_test
}  // namespace ballast::config
