// The metrics as Prometheus reads them from the real ballastd, and the
// dashboard and alerts shipped in packaging/ against them: every metric they
// name is one the daemon exports. With promtool installed, the rules are also
// checked and unit-tested by it, and the dashboard's queries parsed.
#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/support.hpp"

namespace test_monitoring {

using namespace ballast::testing;

namespace {

const std::string kPortfolio = R"(
[[portfolios]]
id = "main"
cash = 1000.0
holdings = { SPY = 100, AGG = 300 }
targets = { SPY = 0.6, AGG = 0.4 }

[[portfolios.triggers]]
kind = "threshold"
absolute = 0.05
)";

const std::string kSource = BALLAST_SOURCE_DIR;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Metric name → type, from the exposition's `# TYPE` lines.
std::map<std::string, std::string> exported_types(const std::string& exposition) {
  std::map<std::string, std::string> types;
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# TYPE ", 0) != 0) continue;
    std::istringstream words(line.substr(7));
    std::string name, type;
    words >> name >> type;
    types[name] = type;
  }
  return types;
}

/// The names of the series that a scrape can hold: a histogram's as
/// Prometheus stores them (_bucket, _sum, _count).
std::set<std::string> series_names(const std::map<std::string, std::string>& types) {
  std::set<std::string> names;
  for (const auto& [name, type] : types) {
    if (type == "histogram") {
      for (const char* suffix : {"_bucket", "_sum", "_count"}) names.insert(name + suffix);
    } else {
      names.insert(name);
    }
  }
  return names;
}

std::set<std::string> ballast_names_in(const std::string& expr) {
  static const std::regex name(R"(\bballast_[A-Za-z0-9_:]*)");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(expr.begin(), expr.end(), name); it != std::sregex_iterator(); ++it) {
    out.insert(it->str());
  }
  return out;
}

struct AlertRule {
  std::string name, expr;
};

std::vector<AlertRule> alert_rules() {
  const YAML::Node doc = YAML::LoadFile(kSource + "/packaging/prometheus/alerts.yml");
  std::vector<AlertRule> rules;
  for (const auto& group : doc["groups"]) {
    CHECK(!group["name"].as<std::string>().empty());
    for (const auto& rule : group["rules"]) {
      const std::string name = rule["alert"].as<std::string>();
      INFO(name);
      CHECK(!rule["labels"]["severity"].as<std::string>().empty());
      CHECK(!rule["annotations"]["summary"].as<std::string>().empty());
      CHECK(!rule["annotations"]["description"].as<std::string>().empty());
      rules.push_back({name, rule["expr"].as<std::string>()});
    }
  }
  return rules;
}

/// Every PromQL query of the Grafana dashboard: panel targets and template variables.
void collect_queries(simdjson::dom::element e, std::vector<std::string>& out) {
  if (e.is_array()) {
    for (auto item : e.get_array()) collect_queries(item, out);
  } else if (e.is_object()) {
    for (auto [key, value] : e.get_object()) {
      if ((key == "expr" || key == "definition") && value.is_string()) out.emplace_back(std::string_view(value));
      else collect_queries(value, out);
    }
  }
}

/// A dashboard query with Grafana's variables replaced, so that promtool can parse it.
std::string without_grafana_variables(std::string q) {
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"$__rate_interval", "5m"}, {"$__range", "6h"}, {"$instance", ".*"}, {"$portfolio", ".*"}}) {
    for (std::size_t at = q.find(from); at != std::string::npos; at = q.find(from, at + to.size())) {
      q.replace(at, from.size(), to);
    }
  }
  return q;
}

}  // namespace

TEST_CASE("metrics follow Prometheus' conventions: counters end in _total, build info, feed age, latency buckets") {
  DaemonHarness d(kPortfolio);
  d.start();
  const std::string before_tick = d.get("/metrics").body;
  const auto types = exported_types(before_tick);
  REQUIRE(types.size() > 30);
  for (const auto& entry : types) {
    const std::string& name = entry.first;  // not a structured binding: clang 14's INFO cannot capture one
    const std::string& type = entry.second;
    INFO(name, " ", type);
    CHECK(name.rfind("ballast_", 0) == 0);
    // A running total is a counter, and only a counter's name says _total.
    CHECK((type == "counter") == name.ends_with("_total"));
  }
  CHECK(before_tick.find("ballast_build_info{version=\"" BALLAST_VERSION "\"} 1\n") != std::string::npos);
  // Before its first tick a feed ages from the start, never a sentinel.
  static const std::regex age(R"(ballast_feed_age_seconds\{feed="primary"\} ([^\n]+)\n)");
  std::smatch m;
  REQUIRE(std::regex_search(before_tick, m, age));
  CHECK(std::stod(m[1]) >= 0);
  CHECK(std::stod(m[1]) < 60);
  CHECK(types.at("ballast_tick_to_order_seconds") == "histogram");

  d.prime("AGG", 100);
  d.prime("SPY", 400);
  d.settle();
  d.publish("SPY", R"({"price": 300})");
  REQUIRE(d.orders(2).size() == 2);
  REQUIRE(eventually([&] {
    return d.get("/metrics").body.find("ballast_tick_to_order_seconds_count 1\n") != std::string::npos;
  }));
  const std::string after = d.get("/metrics").body;
  // Resolution between 1 and 10 ms, beside the microseconds below.
  for (const char* le : {"1e-05", "1e-04", "0.001", "0.002", "0.003", "0.005", "0.0075", "0.01", "0.1"}) {
    CHECK_MESSAGE(after.find(std::string("ballast_tick_to_order_seconds_bucket{le=\"") + le + "\"}") !=
                      std::string::npos,
                  le);
  }
  CHECK(after.find("ballast_orders_finished_total{portfolio=\"main\",state=\"filled\"} 2\n") != std::string::npos);
  CHECK(after.find("ballast_state_commits_total ") != std::string::npos);
}

TEST_CASE("the alert rules and the Grafana dashboard use only metrics that the daemon exports") {
  DaemonHarness d(kPortfolio, "", "", "", /*with_fills=*/true);
  d.start();
  const auto exported = series_names(exported_types(d.get("/metrics").body));

  const auto rules = alert_rules();
  REQUIRE(rules.size() >= 6);
  std::set<std::string> alerts;
  for (const auto& rule : rules) {
    alerts.insert(rule.name);
    const auto names = ballast_names_in(rule.expr);
    INFO(rule.name, ": ", rule.expr);
    CHECK((!names.empty() || rule.expr.find("up{") != std::string::npos));  // this daemon's metrics, or its scrape
    for (const auto& name : names) CHECK_MESSAGE(exported.count(name) == 1, name, " is not exported");
  }
  // What an operator must hear about.
  for (const char* a : {"BallastDown", "BallastFeedStale", "BallastKillSwitchOn", "BallastUnknownOrders",
                        "BallastDenialsRising", "BallastStateFileFailing"}) {
    CHECK_MESSAGE(alerts.count(a) == 1, a);
  }

  const std::string dashboard_text = read_file(kSource + "/packaging/grafana/ballast.json");
  simdjson::dom::parser parser;
  simdjson::dom::element dashboard;
  REQUIRE(parser.parse(dashboard_text).get(dashboard) == simdjson::SUCCESS);
  CHECK(std::string_view(dashboard["title"]) == "Ballast");
  std::vector<std::string> queries;
  collect_queries(dashboard, queries);
  REQUIRE(queries.size() > 20);
  std::set<std::string> used;
  for (const auto& q : queries) {
    const auto names = ballast_names_in(q);
    for (const auto& name : names) {
      CHECK_MESSAGE(exported.count(name) == 1, name, " in ", q, " is not exported");
      used.insert(name);
    }
  }
  // The panels an operator looks for.
  for (const char* name : {"ballast_ticks_total", "ballast_ticks_rejected_total", "ballast_feed_age_seconds",
                           "ballast_rebalances_total", "ballast_orders_total", "ballast_fill_reports_total",
                           "ballast_orders_denied_total", "ballast_orders_unknown", "ballast_kill_switch",
                           "ballast_tick_to_order_seconds_bucket", "ballast_state_commits_total",
                           "ballast_state_write_errors_total"}) {
    CHECK_MESSAGE(used.count(name) == 1, name, " has no panel");
  }

  const auto promtool = find_program("promtool");
  if (!promtool) {
    MESSAGE("promtool is not installed (Debian package prometheus): the rules were not run through it");
    return;
  }
  const std::string dir = kSource + "/packaging/prometheus";
  const auto check = run_command(*promtool, {"check", "rules", dir + "/alerts.yml"});
  CHECK_MESSAGE(check.code == 0, check.output);
  const auto test = run_command(*promtool, {"test", "rules", dir + "/alerts_test.yml"});
  CHECK_MESSAGE(test.code == 0, test.output);
  // promtool parses PromQL only inside rules: each dashboard query becomes a recording rule.
  TempDir tmp;
  std::string recording = "groups:\n  - name: dashboard\n    rules:\n";
  int n = 0;
  for (const auto& q : queries) {
    if (q.rfind("label_values(", 0) == 0) continue;  // Grafana's own function, not PromQL
    std::string quoted;
    for (const char c : without_grafana_variables(q)) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    recording += "      - record: dashboard:query_" + std::to_string(n++) + "\n        expr: '" + quoted + "'\n";
  }
  tmp.write("dashboard_rules.yml", recording);
  const auto parsed = run_command(*promtool, {"check", "rules", tmp.file("dashboard_rules.yml")});
  CHECK_MESSAGE(parsed.code == 0, parsed.output);
}

}  // namespace test_monitoring
