// The loader on broken files: every problem is reported with its line, column
// and what was expected, and all of them are reported at once.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "config/config.hpp"
#include "tests/config/config_test_support.hpp"

namespace ballast::config {
namespace loader_errors_test {
namespace {

using test::contains;
using test::describe;
using test::only_error;

/// A feed and a portfolio: the daemon accepts the file apart from what a test appends.
constexpr std::string_view kDaemonBase = R"([[feeds]]
name = "f"
endpoint = "tcp://127.0.0.1:5556"
[[portfolios]]
id = "p"
targets = { A = 1 }
)";

TEST_CASE("unknown keys are located at the key and list the known ones") {
  SUBCASE("in [execution]") {
    const auto e = only_error(R"([execution]
mode = "live"
foo = 1
)");
    CHECK_AT(e, 3, 1);
    CHECK(e.message ==
          "unknown key \"foo\" in [execution] (expected one of: endpoint, connect, fills_endpoint, mode, "
          "order_timeout, fill_price_collar, kill_switch, limits, insecure)");
  }
  SUBCASE("at the top level") {
    const auto e = only_error(R"([deamon]
log_level = "info"
)");
    CHECK_AT(e, 1, 2);
    CHECK(e.message ==
          "unknown key \"deamon\" at the top level (expected one of: daemon, feeds, execution, curve, status, "
          "portfolios, models, fleet, simulation, fix)");
  }
  SUBCASE("in [daemon]") {
    const auto e = only_error("[daemon]\nlevel = \"info\"\n");
    CHECK_AT(e, 2, 1);
    CHECK(contains(e.message, "unknown key \"level\" in [daemon]"));
  }
  SUBCASE("in [status]") {
    const auto e = only_error("[status]\nport = 8787\n");
    CHECK_AT(e, 2, 1);
    CHECK(e.message ==
          "unknown key \"port\" in [status] (expected one of: listen, token, header_timeout, body_timeout, "
          "idle_timeout, write_timeout, max_requests_per_connection, max_connections, max_header_bytes, "
          "max_body_bytes)");
  }
  SUBCASE("in [[feeds]]") {
    const auto e = only_error(R"([[feeds]]
name = "f"
endpoint = "tcp://h:1"
stale = "30s"
)");
    CHECK_AT(e, 4, 1);
    CHECK(contains(e.message, "unknown key \"stale\" in [[feeds]]"));
  }
  SUBCASE("in [[portfolios]]") {
    const auto e = only_error(R"([[portfolios]]
id = "p"
targets = { A = 1 }
  weights = 1
)");
    CHECK_AT(e, 4, 3);
    CHECK(contains(e.message, "unknown key \"weights\" in [[portfolios]]"));
  }
  SUBCASE("in a feed's fields, next to an empty field name") {
    const LoadResult r = parse_config(R"([[feeds]]
name = "f"
endpoint = "tcp://h:1"
fields = { price = "last", volume = "v", ts = "" }
)",
                                      "test.toml", Purpose::offline);
    INFO(describe(r));
    REQUIRE(r.errors.size() == 2);
    CHECK_AT(r.errors[0], 4, 28);
    CHECK(r.errors[0].message == "unknown key \"volume\" in fields (expected one of: symbol, price, bid, ask, ts)");
    CHECK_AT(r.errors[1], 4, 47);
    CHECK(r.errors[1].message == "fields.ts: expected a non-empty string");
  }
  SUBCASE("in a threshold trigger") {
    const auto e = only_error(R"([[portfolios]]
id = "p"
targets = { A = 1 }
[[portfolios.triggers]]
kind = "threshold"
absolute = 0.1
every = "1d"
)");
    CHECK_AT(e, 7, 1);
    CHECK(e.message ==
          "unknown key \"every\" in a threshold trigger (expected one of: kind, absolute, relative, total)");
  }
  SUBCASE("in a calendar trigger") {
    const auto e = only_error(R"([[portfolios]]
id = "p"
targets = { A = 1 }
[[portfolios.triggers]]
kind = "calendar"
every = "1d"
absolute = 0.1
)");
    CHECK_AT(e, 7, 1);
    CHECK(e.message == "unknown key \"absolute\" in a calendar trigger (expected one of: kind, every, anchor)");
  }
}

TEST_CASE("wrong types say what was expected and what was found, at the value") {
  SUBCASE("string") {
    const auto e = only_error("[daemon]\nlog_file = 5\n");
    CHECK_AT(e, 2, 12);
    CHECK(e.message == "log_file: expected a string, got an integer");
  }
  SUBCASE("boolean") {
    const auto e = only_error("[execution]\nconnect = \"yes\"\n");
    CHECK_AT(e, 2, 11);
    CHECK(e.message == "connect: expected a boolean (true or false), got a string");
  }
  SUBCASE("number") {
    const auto e = only_error("[[portfolios]]\nid = \"p\"\ntargets = { A = 1 }\ncash = \"lots\"\n");
    CHECK_AT(e, 4, 8);
    CHECK(e.message == "cash: expected a number, got a string");
  }
  SUBCASE("integer") {
    const auto e = only_error("[[feeds]]\nname = \"f\"\nendpoint = \"tcp://h:1\"\njump_confirm = 2.5\n");
    CHECK_AT(e, 4, 16);
    CHECK(e.message == "jump_confirm: expected an integer, got a float");
  }
  SUBCASE("a section that is not a table") {
    const auto e = only_error("daemon = 3\n");
    CHECK_AT(e, 1, 10);
    CHECK(e.message == "daemon: expected a table, got an integer");
  }
  SUBCASE("[feeds] written as a single table") {
    const auto e = only_error("[feeds]\nname = \"x\"\n");
    CHECK_AT(e, 1, 1);
    CHECK(e.message == "feeds: expected an array of tables ([[feeds]]), got a table");
  }
  SUBCASE("an element of feeds that is not a table") {
    const auto e = only_error("feeds = [1]\n");
    CHECK_AT(e, 1, 10);
    CHECK(e.message == "feeds: expected every element to be a table, got an integer");
  }
  SUBCASE("holdings written as an array") {
    const auto e = only_error("[[portfolios]]\nid = \"p\"\ntargets = { A = 1 }\nholdings = [1, 2]\n");
    CHECK_AT(e, 4, 12);
    CHECK(e.message == "holdings: expected a table, got an array");
  }
  SUBCASE("a target weight written as a string") {
    const auto e = only_error("[[portfolios]]\nid = \"p\"\ntargets = { A = \"60%\" }\n");
    CHECK_AT(e, 3, 17);
    CHECK(e.message == "targets.A: expected a number, got a string");
  }
  SUBCASE("[portfolios.triggers] written as a single table") {
    const auto e =
        only_error("[[portfolios]]\nid = \"p\"\ntargets = { A = 1 }\n[portfolios.triggers]\nkind = \"threshold\"\n");
    CHECK_AT(e, 4, 1);
    CHECK(e.message == "triggers: expected an array of tables ([[portfolios.triggers]]), got a table");
  }
  SUBCASE("a trigger kind that is not a string") {
    const auto e = only_error("[[portfolios]]\nid = \"p\"\ntargets = { A = 1 }\n[[portfolios.triggers]]\nkind = 1\n");
    CHECK_AT(e, 5, 8);
    CHECK(e.message == "kind: expected a string, got an integer");
  }
  SUBCASE("a non-finite number") {
    const auto e = only_error("[[portfolios]]\nid = \"p\"\ntargets = { A = 1 }\ncash = inf\n");
    CHECK_AT(e, 4, 8);
    CHECK(e.message == "cash: expected a finite number, got inf");
  }
}

TEST_CASE("enumerated values list the accepted ones") {
  SUBCASE("log_level") {
    const auto e = only_error("[daemon]\nlog_level = \"verbose\"\n");
    CHECK_AT(e, 2, 13);
    CHECK(e.message == "log_level: expected \"trace\", \"debug\", \"info\", \"warn\", or \"error\", got \"verbose\"");
  }
  SUBCASE("log_format") {
    const auto e = only_error("[daemon]\nlog_format = \"xml\"\n");
    CHECK_AT(e, 2, 14);
    CHECK(e.message == "log_format: expected \"text\" or \"json\", got \"xml\"");
  }
  SUBCASE("framing") {
    const auto e = only_error("[[feeds]]\nname = \"f\"\nendpoint = \"tcp://h:1\"\nframing = \"json\"\n");
    CHECK_AT(e, 4, 11);
    CHECK(e.message == "framing: expected \"multipart\" or \"topic-json\", got \"json\"");
  }
  SUBCASE("mode") {
    const auto e = only_error("[execution]\nmode = \"paper\"\n");
    CHECK_AT(e, 2, 8);
    CHECK(e.message == "mode: expected \"live\" or \"dry-run\", got \"paper\"");
  }
  SUBCASE("rebalance_to") {
    const auto e = only_error("[[portfolios]]\nid = \"p\"\ntargets = { A = 1 }\nrebalance_to = \"edge\"\n");
    CHECK_AT(e, 4, 16);
    CHECK(e.message == "rebalance_to: expected \"target\" or \"band-edge\", got \"edge\"");
  }
  SUBCASE("an enumerated value of the wrong type") {
    const auto e = only_error("[execution]\nmode = true\n");
    CHECK_AT(e, 2, 8);
    CHECK(e.message == "mode: expected \"live\" or \"dry-run\", got a boolean");
  }
}

TEST_CASE("feed errors") {
  SUBCASE("a missing name is reported at the [[feeds]] header") {
    const auto e = only_error("# feeds\n[[feeds]]\nendpoint = \"tcp://h:1\"\n");
    CHECK_AT(e, 2, 1);
    CHECK(e.message == "[[feeds]] is missing required key \"name\"");
  }
  SUBCASE("a missing endpoint") {
    const auto e = only_error("[[feeds]]\nname = \"f\"\n");
    CHECK_AT(e, 1, 1);
    CHECK(e.message == "[[feeds]] is missing required key \"endpoint\"");
  }
  SUBCASE("an empty name") {
    const auto e = only_error("[[feeds]]\nname = \"\"\nendpoint = \"tcp://h:1\"\n");
    CHECK_AT(e, 2, 8);
    CHECK(e.message == "name: expected a non-empty string");
  }
  SUBCASE("a duplicate name points back at the first") {
    const auto e = only_error(R"([[feeds]]
name = "a"
endpoint = "tcp://h:1"
[[feeds]]
name = "a"
endpoint = "tcp://h:2"
)");
    CHECK_AT(e, 5, 8);
    CHECK(e.message == "duplicate feed name \"a\" (first defined at line 2)");
  }
  SUBCASE("an endpoint without a ZeroMQ scheme") {
    for (const char* endpoint : {"http://h:1", "tcp://", "127.0.0.1:5556", "TCP://h:1"}) {
      CAPTURE(endpoint);
      const auto e = only_error(std::string("[[feeds]]\nname = \"f\"\nendpoint = \"") + endpoint + "\"\n");
      CHECK_AT(e, 3, 12);
      CHECK(e.message == std::string("endpoint: expected a ZeroMQ endpoint starting with tcp://, ipc:// or inproc://, "
                                     "got \"") +
                             endpoint + "\"");
    }
  }
  SUBCASE("an unparseable stale_after says which forms are accepted") {
    for (const char* text : {"30", "30 s", "-5s", "0s", "1mo", "soon"}) {
      CAPTURE(text);
      const auto e = only_error(std::string("[[feeds]]\nname = \"f\"\nendpoint = \"tcp://h:1\"\nstale_after = \"") +
                                text + "\"\n");
      CHECK_AT(e, 4, 15);
      CHECK(e.message == std::string("stale_after: expected a duration, a positive number and a unit (ns, us, ms, s, "
                                     "m, h, d or w), such as \"250ms\", \"30s\", \"15m\", \"1h\", \"1d\" or \"1w\", "
                                     "got \"") +
                             text + "\"");
    }
  }
  SUBCASE("stale_after as a bare number") {
    const auto e = only_error("[[feeds]]\nname = \"f\"\nendpoint = \"tcp://h:1\"\nstale_after = 30\n");
    CHECK_AT(e, 4, 15);
    CHECK(e.message == "stale_after: expected a string, got an integer");
  }
  SUBCASE("max_jump must be positive") {
    const auto e = only_error("[[feeds]]\nname = \"f\"\nendpoint = \"tcp://h:1\"\nmax_jump = 0\n");
    CHECK_AT(e, 4, 12);
    CHECK(e.message == "max_jump: must be > 0, got 0");
  }
  SUBCASE("jump_confirm must be at least 1") {
    const auto e = only_error("[[feeds]]\nname = \"f\"\nendpoint = \"tcp://h:1\"\njump_confirm = 0\n");
    CHECK_AT(e, 4, 16);
    CHECK(e.message == "jump_confirm: must be an integer in 1..2147483647, got 0");
  }
  SUBCASE("coalesce is off, instant or a window of at most 10s, above 0") {
    for (const char* text : {"0s", "-5ms", "50", "on", "Instant", "1mo"}) {
      CAPTURE(text);
      const auto e =
          only_error(std::string("[[feeds]]\nname = \"f\"\nendpoint = \"tcp://h:1\"\ncoalesce = \"") + text + "\"\n");
      CHECK_AT(e, 4, 12);
      CHECK(e.message == std::string("coalesce: expected \"off\", \"instant\" or a duration such as \"50ms\" (a "
                                     "positive number and a unit (ns, us, ms, s, m, h, d or w), such as \"250ms\", "
                                     "\"30s\", \"15m\", \"1h\", \"1d\" or \"1w\"), got \"") +
                             text + "\"");
    }
    for (const char* text : {"10001ms", "1m", "1d"}) {
      CAPTURE(text);
      const auto e =
          only_error(std::string("[[feeds]]\nname = \"f\"\nendpoint = \"tcp://h:1\"\ncoalesce = \"") + text + "\"\n");
      CHECK_AT(e, 4, 12);
      CHECK(e.message == std::string("coalesce: a window of at most \"10s\", got \"") + text + "\"");
    }
  }
  SUBCASE("coalesce as a number or a boolean") {
    const auto n = only_error("[[feeds]]\nname = \"f\"\nendpoint = \"tcp://h:1\"\ncoalesce = 50\n");
    CHECK_AT(n, 4, 12);
    CHECK(n.message == "coalesce: expected a string, got an integer");
    const auto b = only_error("[[feeds]]\nname = \"f\"\nendpoint = \"tcp://h:1\"\ncoalesce = false\n");
    CHECK(b.message == "coalesce: expected a string, got a boolean");
  }
  SUBCASE("a symbol mapped to an empty name") {
    const auto e = only_error("[[feeds]]\nname = \"f\"\nendpoint = \"tcp://h:1\"\nsymbols = { \"BTC-USD\" = \"\" }\n");
    CHECK_AT(e, 4, 25);
    CHECK(e.message == "symbols.BTC-USD: expected a non-empty string");
  }
  SUBCASE("a symbol mapped to a number") {
    const auto e = only_error("[[feeds]]\nname = \"f\"\nendpoint = \"tcp://h:1\"\nsymbols = { \"BTC.USD\" = 1 }\n");
    CHECK_AT(e, 4, 25);
    CHECK(e.message == "symbols.\"BTC.USD\": expected a string, got an integer");
  }
}

TEST_CASE("the engine's clock is wall or data") {
  const auto e = only_error("[daemon]\nclock = \"steady\"\n");
  CHECK_AT(e, 2, 9);
  CHECK(e.message == "clock: expected \"wall\" or \"data\", got \"steady\"");
  const auto n = only_error("[daemon]\nclock = 1\n");
  CHECK(contains(n.message, "got an integer"));
}

TEST_CASE("execution errors") {
  SUBCASE("endpoint") {
    const auto e = only_error("[execution]\nendpoint = \"udp://h:1\"\n");
    CHECK_AT(e, 2, 12);
    CHECK(contains(e.message, "endpoint: expected a ZeroMQ endpoint"));
  }
  SUBCASE("fills_endpoint") {
    const auto e = only_error("[execution]\nfills_endpoint = \"localhost:5558\"\n");
    CHECK_AT(e, 2, 18);
    CHECK(
        e.message ==
        "fills_endpoint: expected a ZeroMQ endpoint starting with tcp://, ipc:// or inproc://, got \"localhost:5558\"");
  }
}

TEST_CASE("status listen must be host:port with a known host form and a port in 1..65535") {
  for (const char* listen :
       {"8787", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "127.0.0.1:http", ":8787", "example.com:80", "::1:8787",
        "[::1]", "[nope]:80", "256.0.0.1:80", "1.2.3:80", "01.2.3.4:80", "[::1:80"}) {
    CAPTURE(listen);
    const auto e = only_error(std::string("[status]\nlisten = \"") + listen + "\"\n");
    CHECK_AT(e, 2, 10);
    CHECK(contains(e.message, std::string("listen: expected \"host:port\" (an IPv4 address, localhost or [IPv6], and "
                                          "a port 1..65535), got \"") +
                                  listen + "\": "));
  }
}

TEST_CASE("the daemon refuses a non-loopback listen without a token") {
  for (const char* extra : {"", "token = \"\"\n"}) {
    CAPTURE(extra);
    const auto e =
        only_error(std::string(kDaemonBase) + "[status]\nlisten = \"0.0.0.0:8787\"\n" + extra, Purpose::daemon);
    CHECK_AT(e, 8, 10);
    CHECK(e.message ==
          "listen: \"0.0.0.0:8787\" is not a loopback address and [status] token is not set; anyone who can reach it "
          "could pause, resume or rebalance: set token, or listen on 127.0.0.1");
  }
  for (const char* listen : {"192.168.1.10:8787", "[::]:8787", "[2001:db8::1]:80", "128.0.0.1:80"}) {
    CAPTURE(listen);
    const auto e = only_error(std::string(kDaemonBase) + "[status]\nlisten = \"" + listen + "\"\n", Purpose::daemon);
    CHECK_AT(e, 8, 10);
    CHECK(contains(e.message, "is not a loopback address and [status] token is not set"));
  }
}

TEST_CASE("portfolio errors") {
  SUBCASE("a missing id is reported at the [[portfolios]] header") {
    const auto e = only_error("\n[[portfolios]]\ntargets = { A = 1 }\n");
    CHECK_AT(e, 2, 1);
    CHECK(e.message == "[[portfolios]] is missing required key \"id\"");
  }
  SUBCASE("an id with characters that cannot go into an order id") {
    for (const char* id : {"my book", "a/b", "caf\xc3\xa9", "x:y"}) {
      CAPTURE(id);
      const auto e = only_error(std::string("[[portfolios]]\nid = \"") + id + "\"\ntargets = { A = 1 }\n");
      CHECK_AT(e, 2, 6);
      CHECK(e.message == std::string("id: \"") + id +
                             "\" may contain only letters, digits, '_', '.' and '-', because it is part of order ids");
    }
  }
  SUBCASE("a duplicate id") {
    const auto e = only_error(R"([[portfolios]]
id = "p"
targets = { A = 1 }
[[portfolios]]
id = "p"
targets = { B = 1 }
)");
    CHECK_AT(e, 5, 6);
    CHECK(e.message == "duplicate portfolio id \"p\" (first defined at line 2)");
  }
  SUBCASE("negative cash") {
    const auto e = only_error("[[portfolios]]\nid = \"p\"\ntargets = { A = 1 }\ncash = -5\n");
    CHECK_AT(e, 4, 8);
    CHECK(e.message == "cash: must be >= 0, got -5");
  }
  SUBCASE("a negative holding") {
    const auto e = only_error("[[portfolios]]\nid = \"p\"\ntargets = { A = 1 }\nholdings = { A = -1 }\n");
    CHECK_AT(e, 4, 18);
    CHECK(e.message == "holdings.A: must be >= 0, got -1");
  }
  SUBCASE("a negative min_trade_value") {
    const auto e = only_error("[[portfolios]]\nid = \"p\"\ntargets = { A = 1 }\nmin_trade_value = -0.5\n");
    CHECK_AT(e, 4, 19);
    CHECK(e.message == "min_trade_value: must be >= 0, got -0.5");
  }
  SUBCASE("missing targets are reported at the header, and holdings are not checked against them") {
    const auto e = only_error("[[portfolios]]\nid = \"p\"\nholdings = { A = 1 }\n");
    CHECK_AT(e, 1, 1);
    CHECK(e.message == "[[portfolios]] is missing required key \"targets\"");
  }
  SUBCASE("empty targets") {
    const auto e = only_error("[[portfolios]]\nid = \"p\"\ntargets = {}\n");
    CHECK_AT(e, 3, 11);
    CHECK(e.message == "targets: expected at least one symbol with its weight, such as { SPY = 1.0 }");
  }
  SUBCASE("a weight written as percent") {
    const auto e = only_error("[[portfolios]]\nid = \"p\"\ntargets = { A = 60, B = 0.4 }\n");
    CHECK_AT(e, 3, 17);
    CHECK(e.message == "targets.A: must be in [0, 1], got 60 (a fraction, not percent)");
  }
  SUBCASE("cash_target outside [0, 1]") {
    const auto e = only_error("[[portfolios]]\nid = \"p\"\ntargets = { A = 1 }\ncash_target = 1.5\n");
    CHECK_AT(e, 4, 15);
    CHECK(e.message == "cash_target: must be in [0, 1], got 1.5 (a fraction, not percent)");
  }
  SUBCASE("targets that do not sum to 1 are reported at the targets table, with the sum") {
    const auto e = only_error("[[portfolios]]\nid = \"p\"\ntargets = { A = 0.6, B = 0.3 }\n");
    CHECK_AT(e, 3, 11);
    CHECK(e.message == "targets: weights plus cash_target (0) sum to 0.9, expected 1 (within 1e-6)");
  }
  SUBCASE("cash_target counts towards the sum") {
    const auto e = only_error("[[portfolios]]\nid = \"p\"\ntargets = { A = 0.6, B = 0.4 }\ncash_target = 0.1\n");
    CHECK_AT(e, 3, 11);
    CHECK(e.message == "targets: weights plus cash_target (0.1) sum to 1.1, expected 1 (within 1e-6)");
  }
  SUBCASE("a sum off by more than 1e-6") {
    const auto e = only_error("[[portfolios]]\nid = \"p\"\n[portfolios.targets]\nA = 0.5\nB = 0.499998\n");
    CHECK_AT(e, 3, 1);
    CHECK(contains(e.message, "sum to 0.999998"));
  }
  SUBCASE("a holding with no target says how to sell it out") {
    const auto e = only_error(R"([[portfolios]]
id = "p"
targets = { SPY = 1 }
holdings = { SPY = 1, TLT = 5 }
)");
    CHECK_AT(e, 4, 23);
    CHECK(e.message == "holdings.TLT: TLT has no target; write TLT = 0 in targets to sell it out");
  }
  SUBCASE("a holding with no target whose symbol needs quoting") {
    const auto e = only_error("[[portfolios]]\nid = \"p\"\ntargets = { A = 1 }\nholdings = { \"BRK.B\" = 5 }\n");
    CHECK_AT(e, 4, 14);
    CHECK(e.message == "holdings.\"BRK.B\": \"BRK.B\" has no target; write \"BRK.B\" = 0 in targets to sell it out");
  }
  SUBCASE("lot sizes must be positive and name symbols in targets") {
    const LoadResult r = parse_config(R"([[portfolios]]
id = "p"
targets = { SPY = 1 }
lot_sizes = { SPY = 0, XYZ = 1 }
)",
                                      "test.toml", Purpose::offline);
    INFO(describe(r));
    REQUIRE(r.errors.size() == 2);
    CHECK_AT(r.errors[0], 4, 21);
    CHECK(r.errors[0].message == "lot_sizes.SPY: must be > 0, got 0");
    CHECK_AT(r.errors[1], 4, 24);
    CHECK(r.errors[1].message == "lot_sizes.XYZ: XYZ has no target; lot_sizes may only name symbols in targets");
  }
}

TEST_CASE("negative and out-of-range weights are each reported, without a sum error on top") {
  const LoadResult r =
      parse_config("[[portfolios]]\nid = \"p\"\ntargets = { A = 1.1, B = -0.1 }\n", "test.toml", Purpose::offline);
  INFO(describe(r));
  REQUIRE(r.errors.size() == 2);
  CHECK_AT(r.errors[0], 3, 17);
  CHECK(r.errors[0].message == "targets.A: must be in [0, 1], got 1.1 (a fraction, not percent)");
  CHECK_AT(r.errors[1], 3, 26);
  CHECK(r.errors[1].message == "targets.B: must be in [0, 1], got -0.1");
}

constexpr std::string_view kPortfolioHead =
    "[[portfolios]]\nid = \"p\"\ntargets = { A = 1 }\n[[portfolios.triggers]]\n";

TEST_CASE("trigger errors") {
  const std::string head(kPortfolioHead);
  SUBCASE("a missing kind is reported at the trigger's header") {
    const auto e = only_error(head + "every = \"1d\"\n");
    CHECK_AT(e, 4, 1);
    CHECK(e.message ==
          "[[portfolios.triggers]] is missing required key \"kind\" (one of \"threshold\", \"calendar\", "
          "\"volatility\", \"dynamic\")");
  }
  SUBCASE("an unknown kind lists the known ones") {
    const auto e = only_error(head + "kind = \"drift\"\n");
    CHECK_AT(e, 5, 8);
    CHECK(e.message ==
          "kind: unknown trigger kind \"drift\" (known kinds: \"threshold\", \"calendar\", \"volatility\", "
          "\"dynamic\")");
  }
  SUBCASE("a threshold trigger without any limit") {
    const auto e = only_error(head + "kind = \"threshold\"\n");
    CHECK_AT(e, 4, 1);
    CHECK(e.message == "a threshold trigger needs at least one of absolute, relative, total");
  }
  SUBCASE("absolute must be in (0, 1]") {
    const auto e = only_error(head + "kind = \"threshold\"\nabsolute = 0\n");
    CHECK_AT(e, 6, 12);
    CHECK(e.message == "absolute: must be in (0, 1], got 0");
  }
  SUBCASE("absolute written as percent") {
    const auto e = only_error(head + "kind = \"threshold\"\nabsolute = 5\n");
    CHECK_AT(e, 6, 12);
    CHECK(e.message == "absolute: must be in (0, 1], got 5 (a fraction, not percent)");
  }
  SUBCASE("relative must be positive") {
    const auto e = only_error(head + "kind = \"threshold\"\nrelative = -0.25\n");
    CHECK_AT(e, 6, 12);
    CHECK(e.message == "relative: must be > 0, got -0.25");
  }
  SUBCASE("total must be in (0, 1]") {
    const auto e = only_error(head + "kind = \"threshold\"\ntotal = 1.5\n");
    CHECK_AT(e, 6, 9);
    CHECK(e.message == "total: must be in (0, 1], got 1.5 (a fraction, not percent)");
  }
  SUBCASE("a calendar trigger without every") {
    const auto e = only_error(head + "kind = \"calendar\"\n");
    CHECK_AT(e, 4, 1);
    CHECK(e.message ==
          "a calendar trigger is missing required key \"every\" (a duration such as \"30s\", \"15m\", "
          "\"1h\", \"1d\" or \"1w\", or whole calendar months such as \"1mo\", \"3mo\" or \"1y\")");
  }
  SUBCASE("an unparseable period says which forms are accepted") {
    for (const char* every : {"monthly", "1 mo", "0d", "1.5mo", "-1y", "1q"}) {
      CAPTURE(every);
      const auto e = only_error(head + "kind = \"calendar\"\nevery = \"" + every + "\"\n");
      CHECK_AT(e, 6, 9);
      CHECK(e.message == std::string("every: expected a period, a duration such as \"30s\", \"15m\", \"1h\", \"1d\" "
                                     "or \"1w\", or whole calendar months such as \"1mo\", \"3mo\" or \"1y\", got \"") +
                             every + "\"");
    }
  }
  SUBCASE("every as a number") {
    const auto e = only_error(head + "kind = \"calendar\"\nevery = 30\n");
    CHECK_AT(e, 6, 9);
    CHECK(e.message == "every: expected a string, got an integer");
  }
  SUBCASE("an anchor string that is not ISO-8601") {
    const auto e = only_error(head + "kind = \"calendar\"\nevery = \"1d\"\nanchor = \"next tuesday\"\n");
    CHECK_AT(e, 7, 10);
    CHECK(e.message ==
          "anchor: expected an ISO-8601 date-time such as \"2026-01-01T00:00:00Z\" or a date such as "
          "\"2026-01-01\", got \"next tuesday\"");
  }
  SUBCASE("an anchor that is a time of day alone") {
    const auto e = only_error(head + "kind = \"calendar\"\nevery = \"1d\"\nanchor = 10:00:00\n");
    CHECK_AT(e, 7, 10);
    CHECK(e.message ==
          "anchor: expected a date-time (2026-01-01T00:00:00Z), a date (2026-01-01) or an ISO-8601 "
          "string, got a time");
  }
}

TEST_CASE("every problem in a file is reported, in file order") {
  const LoadResult r = parse_config(R"([daemon]
log_level = "loud"
bogus = true

[[feeds]]
endpoint = "zmq://x"

[[portfolios]]
id = "p"
cash = -1
holdings = { Q = 1 }
targets = { A = 0.5 }

[[portfolios.triggers]]
kind = "calendar"
every = "soon"

[status]
listen = "10.0.0.1:8787"
)",
                                    "multi.toml", Purpose::daemon);
  INFO(describe(r));
  CHECK_FALSE(r.config.has_value());
  REQUIRE(r.errors.size() == 9);
  CHECK(r.errors[0].to_string() ==
        "multi.toml:2:13: log_level: expected \"trace\", \"debug\", \"info\", \"warn\", or \"error\", got \"loud\"");
  CHECK_AT(r.errors[1], 3, 1);
  CHECK(contains(r.errors[1].message, "unknown key \"bogus\""));
  CHECK_AT(r.errors[2], 5, 1);
  CHECK(r.errors[2].message == "[[feeds]] is missing required key \"name\"");
  CHECK_AT(r.errors[3], 6, 12);
  CHECK(contains(r.errors[3].message, "endpoint: expected a ZeroMQ endpoint"));
  CHECK_AT(r.errors[4], 10, 8);
  CHECK(r.errors[4].message == "cash: must be >= 0, got -1");
  CHECK_AT(r.errors[5], 11, 14);
  CHECK(contains(r.errors[5].message, "write Q = 0 in targets"));
  CHECK_AT(r.errors[6], 12, 11);
  CHECK(contains(r.errors[6].message, "sum to 0.5"));
  CHECK_AT(r.errors[7], 16, 9);
  CHECK(contains(r.errors[7].message, "every: expected a period"));
  CHECK_AT(r.errors[8], 19, 10);
  CHECK(contains(r.errors[8].message, "not a loopback address"));
  for (const auto& e : r.errors) CHECK(e.file == "multi.toml");
}

TEST_CASE("a TOML syntax error is located and reported alone") {
  SUBCASE("a missing value") {
    const auto e = only_error("[daemon]\nlog_level = \n");
    CHECK_AT(e, 2, 13);
    CHECK(contains(e.message, "invalid TOML: "));
  }
  SUBCASE("a duplicate key") {
    const auto e = only_error("[execution]\nmode = \"live\"\nmode = \"dry-run\"\n");
    CHECK(e.line == 3);
    CHECK(e.column > 0);
    CHECK(contains(e.message, "invalid TOML: "));
  }
  SUBCASE("an unterminated string, with semantic problems before it") {
    const auto e = only_error("[execution]\nmode = \"paper\"\nfoo = 1\nendpoint = \"tcp://h\n", Purpose::daemon);
    CHECK(e.line == 4);
    CHECK(contains(e.message, "invalid TOML: "));
  }
}

TEST_CASE("the daemon needs feeds and portfolios") {
  SUBCASE("neither: both reported at the top of the file") {
    const LoadResult r = parse_config("[daemon]\nlog_level = \"info\"\n", "test.toml", Purpose::daemon);
    REQUIRE(r.errors.size() == 2);
    CHECK_AT(r.errors[0], 1, 1);
    CHECK(r.errors[0].message == "no [[feeds]]: the daemon needs at least one market-data feed");
    CHECK_AT(r.errors[1], 1, 1);
    CHECK(r.errors[1].message ==
          "no [[portfolios]] and no [[models]]: the daemon needs at least one portfolio or model to manage");
  }
  SUBCASE("an empty feeds array is reported where it is written") {
    const auto e = only_error("feeds = []\n[[portfolios]]\nid = \"p\"\ntargets = { A = 1 }\n", Purpose::daemon);
    CHECK_AT(e, 1, 9);
    CHECK(e.message == "no [[feeds]]: the daemon needs at least one market-data feed");
  }
  SUBCASE("feeds of the wrong type are reported once") {
    const auto e = only_error("feeds = 1\n[[portfolios]]\nid = \"p\"\ntargets = { A = 1 }\n", Purpose::daemon);
    CHECK_AT(e, 1, 9);
    CHECK(e.message == "feeds: expected an array of tables ([[feeds]]), got an integer");
  }
  SUBCASE("offline reads the same file without them") {
    CHECK(parse_config("[daemon]\nlog_level = \"info\"\n", "test.toml", Purpose::offline).config.has_value());
  }
}

TEST_CASE("a file that cannot be read is one error with no line, saying why") {
  SUBCASE("missing") {
    const LoadResult r = load_config("/nonexistent/ballast/ballast.toml");
    CHECK_FALSE(r.config.has_value());
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].file == "/nonexistent/ballast/ballast.toml");
    CHECK(r.errors[0].line == 0);
    CHECK(r.errors[0].message == "cannot read configuration file: No such file or directory");
    CHECK(r.errors[0].to_string() ==
          "/nonexistent/ballast/ballast.toml: cannot read configuration file: No such file or directory");
  }
  SUBCASE("a directory") {
    const std::string dir = std::filesystem::temp_directory_path().string();
    const LoadResult r = load_config(dir);
    CHECK_FALSE(r.config.has_value());
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].line == 0);
    CHECK(r.errors[0].message == "cannot read configuration file: Is a directory");
  }
}

TEST_CASE("ConfigError::to_string is file:line:column: message") {
  CHECK(ConfigError{"a.toml", 3, 7, "bad"}.to_string() == "a.toml:3:7: bad");
  CHECK(ConfigError{"a.toml", 3, 0, "bad"}.to_string() == "a.toml:3: bad");
  CHECK(ConfigError{"a.toml", 0, 0, "bad"}.to_string() == "a.toml: bad");
}

}  // namespace
}  // namespace loader_errors_test
}  // namespace ballast::config
