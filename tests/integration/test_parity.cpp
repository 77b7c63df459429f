// One truth: the daemon, fed a replay of the prices, decides what the backtest
// decides on them. For every policy of the example configurations, the real
// `ballast backtest` and the real `ballastd` (data clock, live, fills from the
// real `ballast paper`, fed by the real `ballast feed replay` in lock-step)
// must send the same orders for the same rebalances and end with the same
// positions. The test configuration is derived from the example files, so it
// follows them.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/support.hpp"

namespace test_parity {

using namespace ballast::testing;

namespace {

/// The replayed rows of examples/lpp2005_prices.csv: a few months after the
/// first 150, so that the risk models warm on the history before them (as in
/// the backtest, which warms on the rows of `history` strictly before its
/// first row) and every policy trades.
constexpr std::size_t kFirstRow = 150;
constexpr std::size_t kRows = 120;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

/// The example without the tables only the daemon reads: its portfolios and
/// everything under them.
std::string portfolios_of(const std::string& example) {
  std::string out;
  bool daemon_only = false;
  for (const std::string& line : lines_of(example)) {
    const auto first = line.find_first_not_of(" \t");
    if (first != std::string::npos && line[first] == '[') {
      const std::string header = line.substr(first);
      daemon_only = false;
      for (const char* table : {"[daemon]", "[[feeds]]", "[execution]", "[execution.", "[status]", "[curve]"}) {
        daemon_only = daemon_only || header.rfind(table, 0) == 0;
      }
    }
    if (!daemon_only) out += line + "\n";
  }
  return out;
}

/// Splits one line of the orders CSV (fields quoted when they hold a comma or a quote).
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

/// One order as both sides must agree on it: its id aside.
struct OrderLine {
  std::string rebalance_id, time, symbol, side, quantity, price, reason;
  std::string text() const { return time + " " + side + " " + quantity + " " + symbol + " @ " + price + " " + reason; }
};
/// What one portfolio did: its orders in sending order, its rebalances ("time reason") in order.
struct Decisions {
  std::vector<std::string> orders;
  std::vector<std::string> rebalances;
};

/// The orders CSV (`ballast backtest --orders`, `ballast paper --record`), by portfolio.
std::map<std::string, Decisions> read_decisions(const std::string& text) {
  std::map<std::string, Decisions> out;
  std::map<std::string, std::vector<std::string>> seen_rebalances;
  const auto lines = lines_of(text);
  REQUIRE_FALSE(lines.empty());
  CHECK(lines.front() == "order_id,portfolio,rebalance_id,time,symbol,side,quantity,price,reason");
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto f = csv_fields(lines[i]);
    REQUIRE(f.size() == 9);
    const OrderLine o{f[2], f[3], f[4], f[5], f[6], f[7], f[8]};
    Decisions& d = out[f[1]];
    d.orders.push_back(o.text());
    // A rebalance is known by its id: its first order says when and why.
    auto& ids = seen_rebalances[f[1]];
    if (std::find(ids.begin(), ids.end(), o.rebalance_id) == ids.end()) {
      ids.push_back(o.rebalance_id);
      d.rebalances.push_back(o.time + " " + o.reason);
    }
  }
  return out;
}

/// Where two lists of decisions part: the first entry that differs, or the one only one of them has.
std::string first_difference(const std::vector<std::string>& backtest, const std::vector<std::string>& live) {
  for (std::size_t i = 0; i < std::max(backtest.size(), live.size()); ++i) {
    const std::string b = i < backtest.size() ? backtest[i] : "(none)";
    const std::string l = i < live.size() ? live[i] : "(none)";
    if (b != l) return "#" + std::to_string(i + 1) + ": backtest " + b + ", live " + l;
  }
  return "none";
}

/// Runs one example's policies both ways over the same rows and compares.
void check_parity(const std::string& example_name) {
  TempDir dir;
  DaemonPorts ports;
  const std::string examples = BALLAST_EXAMPLES;
  // The examples name their risk history beside themselves.
  const std::string history = read_text(examples + "/lpp2005_prices.csv");
  dir.write("lpp2005_prices.csv", history);
  const auto rows = lines_of(history);
  REQUIRE(rows.size() > kFirstRow + kRows);
  std::string prices = rows[0] + "\n";
  for (std::size_t r = kFirstRow + 1; r <= kFirstRow + kRows; ++r) prices += rows[r] + "\n";
  dir.write("prices.csv", prices);

  // The example's portfolios, with the tables the daemon needs to run them as
  // the backtest does: the data's clock, instants waited for across wake-ups
  // (the lock-step replay sends the next row as soon as the daemon has the
  // whole of this one, so the window only ever waits for a split row), live
  // orders and a fills endpoint.
  std::ostringstream cfg;
  cfg << "[daemon]\nstate_dir = \"" << dir.file("state") << "\"\nclock = \"data\"\ndurability = \"normal\"\n\n"
      << "[[feeds]]\nname = \"replay\"\nendpoint = \"" << ports.feed_endpoint() << "\"\ncoalesce = \"2s\"\n"
      << "stale_after = \"1h\"\n\n"
      << "[execution]\nendpoint = \"" << ports.orders_endpoint() << "\"\nfills_endpoint = \""
      << ports.fills_endpoint() << "\"\n\n"
      << "[status]\nlisten = \"127.0.0.1:" << ports.status << "\"\n\n"
      << portfolios_of(read_text(examples + "/" + example_name));
  const std::string config = dir.file("parity.toml");
  dir.write("parity.toml", cfg.str());

  const RunResult backtest = run_command(BALLAST_CLI_PATH, {"backtest", "--config", config, "--prices",
                                                            dir.file("prices.csv"), "--orders",
                                                            dir.file("backtest.csv"), "--json"});
  INFO(backtest.output);
  REQUIRE(backtest.code == 0);

  Process daemon(BALLASTD_PATH, {"--config", config}, dir.file("ballastd.log"));
  const auto status = [&] { return ballast::cli::http_request("GET", ports.url("/status"), "", "", 2s); };
  REQUIRE_MESSAGE(eventually([&] { return status().status == 200; }, 15s), dir.read("ballastd.log"));
  // Fills at the orders' reference price (no feed), with each portfolio's cost
  // model: what the backtest books when it sends them.
  Process paper(BALLAST_CLI_PATH,
                {"paper", "--orders", ports.orders_endpoint(), "--fills", ports.fills_endpoint(), "--feed", "",
                 "--config", config, "--record", dir.file("live.csv")},
                dir.file("paper.log"));
  const RunResult replay = run_command(
      BALLAST_CLI_PATH, {"feed", "replay", dir.file("prices.csv"), "--endpoint", ports.feed_endpoint(), "--rate", "0",
                         "--sync", ports.url(""), "--warmup-ms", "15000"});
  INFO(replay.output);
  INFO(dir.read("ballastd.log"));
  REQUIRE(replay.code == 0);
  // The lock-step ends once the daemon has decided the last row and every fill is booked.
  const ballast::cli::HttpResult final_status = status();
  REQUIRE(final_status.status == 200);
  paper.signal(SIGTERM);
  CHECK(paper.wait_exit() == 0);
  daemon.signal(SIGTERM);
  CHECK(daemon.wait_exit() == 0);

  const auto expected = read_decisions(dir.read("backtest.csv"));
  const auto live = read_decisions(dir.read("live.csv"));
  simdjson::dom::parser bt_parser, live_parser;
  const simdjson::dom::element bt = bt_parser.parse(backtest.output);
  const simdjson::dom::element st = live_parser.parse(final_status.body);
  std::vector<simdjson::dom::element> policies;
  if (simdjson::dom::array several; bt["portfolios"].get_array().get(several) == simdjson::SUCCESS) {
    for (const simdjson::dom::element p : several) policies.push_back(p);
  } else {
    policies.push_back(bt);  // one portfolio: its object alone
  }
  std::size_t index = 0;
  for (const simdjson::dom::element p : policies) {
    const std::string id{std::string_view(p["id"])};
    CAPTURE(id);
    const simdjson::dom::element state = st["portfolios"].at(index++);
    REQUIRE(std::string_view(state["id"]) == id);
    const Decisions none;
    const Decisions& want = expected.contains(id) ? expected.at(id) : none;
    const Decisions& got = live.contains(id) ? live.at(id) : none;
    CHECK_MESSAGE(got.rebalances == want.rebalances, first_difference(want.rebalances, got.rebalances));
    CHECK_MESSAGE(got.orders == want.orders, first_difference(want.orders, got.orders));
    CHECK(num(state["rebalances"]) == num(p["rebalances"]));
    // A policy that trades must have traded here, or the comparison proves little.
    if (std::string_view(p["model_state"]) != "never trades") CHECK_FALSE(want.rebalances.empty());
    // Booked alike: the same positions, and the same cash up to the last bits
    // of the commission (spread over the quantity in a fill's average price).
    for (const simdjson::dom::key_value_pair held : p["final_quantities"].get_object()) {
      const std::string symbol(held.key);
      CAPTURE(symbol);
      CHECK(num(asset(st, index - 1, symbol)["quantity"]) == num(held.value));
    }
    CHECK(num(state["cash"]) == doctest::Approx(num(p["final_cash"])).epsilon(1e-12).scale(1e6));
  }
  CHECK(index == st["portfolios"].get_array().size());
}

}  // namespace

TEST_CASE("live decides as the backtest does: every policy of examples/strategies.toml") {
  check_parity("strategies.toml");
}

TEST_CASE("live decides as the backtest does: every policy of examples/backtest.toml") {
  check_parity("backtest.toml");
}

TEST_CASE("a lock-step replay with no daemon to wait for stops with exit 1 and says where it looked") {
  TempDir dir;
  dir.write("prices.csv", "date,SPY\n2024-01-02,470\n2024-01-03,471\n");
  const RunResult r = run_command(BALLAST_CLI_PATH, {"feed", "replay", dir.file("prices.csv"), "--endpoint",
                                                     "tcp://127.0.0.1:" + std::to_string(free_port()), "--rate", "0",
                                                     "--warmup-ms", "0", "--sync", "http://127.0.0.1:9",
                                                     "--sync-timeout-ms", "200"});
  CHECK(r.code == 1);
  CHECK(r.output.find("cannot read http://127.0.0.1:9/status") != std::string::npos);
}

}  // namespace test_parity
