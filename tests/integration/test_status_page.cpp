// The page at GET / of the real ballastd: one HTML document that loads
// nothing from elsewhere and needs no token. With Chromium installed, the page
// is rendered headless: a screenshot goes to the build's test-output/, and
// the values it shows (its data-value attributes) must be /status's.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "tests/integration/support.hpp"

namespace test_status_page {

using namespace ballast::testing;

namespace {

const std::string kPortfolios = kSixtyForty + R"(
[[portfolios]]
id = "income"
cash = 2500.0
holdings = { AGG = 370, SPY = 30 }
targets = { AGG = 0.7, SPY = 0.25 }
cash_target = 0.05

[[portfolios.triggers]]
kind = "threshold"
absolute = 0.05
)";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A daemon with two portfolios, a token, one rebalance behind it, prices still.
struct PageFixture {
  DaemonHarness d{kPortfolios, "", "", "token = \"s3cret\""};
  PageFixture() {
    d.start();
    d.prime("AGG", 100);
    d.prime("SPY", 400);
    d.settle();
    d.publish("SPY", R"({"price": 300})");
    REQUIRE(d.orders(3).size() >= 3);
    // main leaves its band, and so does income's AGG: both rebalance.
    REQUIRE(eventually([&] { return num(d.status()["portfolios"].at(1)["rebalances"]) == 1; }));
    d.settle();
  }
};

/// What in the page (the vendored chart library taken out) would fetch from
/// elsewhere or run from elsewhere; empty when nothing.
std::string external_references(std::string page) {
  const std::string library = read_file(std::string(BALLAST_SOURCE_DIR) + "/daemon/dashboard/chart.min.js");
  REQUIRE(library.size() > 100'000);
  const std::size_t at = page.find(library);
  REQUIRE_MESSAGE(at != std::string::npos, "the page does not hold the vendored chart library unchanged");
  page.erase(at, library.size());
  CHECK(page.find(library.substr(0, 200)) == std::string::npos);  // once only
  std::string found;
  for (const char* needle : {"http:", "https:", "ws:", "wss:", "ftp:", "//cdn", "src=", "href=", "<link", "<img",
                             "<iframe", "<object", "<embed", "@import", "url(", "import(", "importScripts",
                             "XMLHttpRequest", "WebSocket", "EventSource", "sendBeacon", "<base", "<form"}) {
    if (page.find(needle) != std::string::npos) found += std::string(needle) + "\n";
  }
  // Its one request: its own /status.
  static const std::regex fetch_call(R"(fetch\(([^,)]*))");
  for (auto it = std::sregex_iterator(page.begin(), page.end(), fetch_call); it != std::sregex_iterator(); ++it) {
    if ((*it)[1] != "\"/status\"") found += "fetch(" + (*it)[1].str() + ")\n";
  }
  return found;
}

/// data-field → data-value of every element of a rendered page.
std::map<std::string, std::string> shown_values(const std::string& dom) {
  static const std::regex pair(R"re(data-field="([^"]+)" data-value="([^"]*)")re");
  std::map<std::string, std::string> out;
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), pair); it != std::sregex_iterator(); ++it) {
    out[(*it)[1]] = (*it)[2];
  }
  return out;
}

std::string as_text(simdjson::dom::element e) {
  if (e.is_string()) return std::string(std::string_view(e));
  if (e.is_bool()) return bool(e) ? "true" : "false";
  std::ostringstream s;
  s.precision(17);
  s << num(e);
  return s.str();
}

/// Chromium, headless, on `url`; returns its standard output. `extra` are its other arguments.
std::string chromium(const std::string& exe, const std::string& url, const std::vector<std::string>& extra,
                     const TempDir& dir, const std::string& name) {
  std::vector<std::string> args{"--headless",     "--disable-gpu",       "--no-sandbox",
                                "--no-first-run", "--disable-extensions", "--hide-scrollbars",
                                "--user-data-dir=" + dir.file("profile-" + name), "--virtual-time-budget=5000"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(url);
  const std::string out = dir.file(name + ".out"), err = dir.file(name + ".err");
  std::string command = "exec '" + exe + "'";
  for (const auto& a : args) command += " '" + a + "'";
  command += " > '" + out + "' 2> '" + err + "'";
  Process p("/bin/sh", {"-c", command}, dir.file(name + ".log"));
  const auto code = p.wait_exit(90s);
  REQUIRE_MESSAGE(code == 0, name, ": chromium exited ", code.value_or(-1), "\n", read_file(err));
  return read_file(out);
}

}  // namespace

TEST_CASE("GET / is one HTML page that loads nothing from elsewhere and needs no token") {
  PageFixture f;
  const auto page = f.d.get("/");
  REQUIRE(page.status == 200);
  CHECK(page.content_type == "text/html; charset=utf-8");
  CHECK(page.body.rfind("<!doctype html>", 0) == 0);
  CHECK(page.body.find("</html>") != std::string::npos);
  CHECK(external_references(page.body).empty());
  CHECK(f.d.get("/status").status == 200);  // what the page polls needs no token either
  CHECK(f.d.post("/control/pause").status == 401);  // while control still does
}

TEST_CASE("headless Chromium renders the status page with the values of /status") {
  const auto exe = find_program("chromium");
  if (!exe) {
    MESSAGE("chromium is not installed (Debian package chromium): the page was not rendered");
    return;
  }
  PageFixture f;
  TempDir tmp;
  const std::string url = f.d.ports.url("/");
  const std::filesystem::path output(BALLAST_TEST_OUTPUT);
  std::filesystem::create_directories(output);
  const std::string screenshot = (output / "status_page.png").string();
  std::filesystem::remove(screenshot);
  // One run takes the screenshot and dumps the DOM it shows.
  const std::string dom =
      chromium(*exe, url, {"--window-size=1280,900", "--screenshot=" + screenshot, "--dump-dom"}, tmp, "page");
  CHECK(std::filesystem::file_size(screenshot) > 20'000);
  MESSAGE("screenshot of the status page: ", screenshot);
  REQUIRE_MESSAGE(dom.find("data-rendered=\"1\"") != std::string::npos, dom.substr(0, 2000));
  const auto shown = shown_values(dom);
  auto s = f.d.status();  // prices hold still: the page saw these values
  std::map<std::string, std::string> expected{{"version", as_text(s["version"])},
                                              {"mode", as_text(s["mode"])},
                                              {"health", as_text(s["health"]["status"])},
                                              {"paused", as_text(s["paused"])},
                                              {"kill_switch", as_text(s["kill_switch"])}};
  double total = 0;
  for (auto p : s["portfolios"].get_array()) {
    const std::string key = "portfolio/" + std::string(std::string_view(p["id"]));
    total += num(p["value"]);
    for (const char* field : {"value", "cash", "max_drift", "total_drift", "rebalances", "orders", "open_orders",
                              "cash_weight", "cash_target"}) {
      expected[key + "/" + field] = as_text(p[field]);
    }
    expected[key + "/last_rebalance"] = p["last_rebalance"].is_null() ? "" : as_text(p["last_rebalance"]["rebalance_id"]);
    for (auto a : p["assets"].get_array()) {
      const std::string asset_key = key + "/asset/" + std::string(std::string_view(a["symbol"]));
      for (const char* field : {"price", "quantity", "weight", "target", "drift"}) {
        expected[asset_key + "/" + field] = as_text(a[field]);
      }
    }
  }
  for (auto feed : s["feeds"].get_array()) {
    expected["feed/" + std::string(std::string_view(feed["name"])) + "/ticks"] = as_text(feed["ticks"]);
  }
  for (auto r : s["recent_rebalances"].get_array()) {
    const std::string id{std::string_view(r["rebalance_id"])};
    expected["rebalance/" + id] = id;
  }
  for (auto o : s["recent_orders"].get_array()) {
    const std::string id{std::string_view(o["order_id"])};
    expected["order/" + id] = id;
  }
  REQUIRE(expected.size() > 40);
  for (const auto& entry : expected) {
    const std::string& field = entry.first;  // not a structured binding: clang 14's INFO cannot capture one
    const std::string& value = entry.second;
    INFO(field);
    REQUIRE_MESSAGE(shown.count(field) == 1, "the page shows no ", field);
    const std::string& got = shown.at(field);
    // Numbers as text may differ in form (1e-05, 0.00001) but not in value.
    char* end = nullptr;
    const double expected_number = std::strtod(value.c_str(), &end);
    if (!value.empty() && end && *end == '\0' && value != "true" && value != "false") {
      CHECK(std::strtod(got.c_str(), nullptr) == expected_number);
    } else {
      CHECK(got == value);
    }
  }
  CHECK(std::strtod(shown.at("total_value").c_str(), nullptr) == doctest::Approx(total));
  CHECK(shown.at("portfolio_count") == "2");
}

}  // namespace test_status_page
