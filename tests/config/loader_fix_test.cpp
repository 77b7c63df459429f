// The loader on [fix], the FIX gateway's table: defaults taken from the
// daemon's own tables, exact values, and every mistake at its line and column.
#include <doctest/doctest.h>

#include <string>

#include "config/config.hpp"
#include "core/time.hpp"
#include "tests/config/config_test_support.hpp"

namespace ballast::config {
namespace loader_fix_test {
namespace {

using test::describe;
using test::only_error;
using test::valid;

constexpr core::DurationNs kSecond = core::kNanosPerSecond;

/// A complete [fix] table on lines 1-5; what a test appends starts at line 6.
constexpr std::string_view kFix = R"([fix]
sender_comp_id = "BALLAST"
target_comp_id = "BROKER"
host = "fix.example.net"
port = 9878
)";

std::string with_fix(std::string_view rest) { return std::string(kFix) + std::string(rest); }

TEST_CASE("without [fix] there is no FIX configuration") { CHECK_FALSE(valid("").fix.has_value()); }

TEST_CASE("[fix] takes its endpoints, bind flag and state directory from the daemon's tables by default") {
  const Config c = valid(R"([daemon]
state_dir = "/srv/ballast"

[execution]
endpoint = "tcp://127.0.0.1:6000"
fills_endpoint = "tcp://127.0.0.1:6001"
connect = true

)" + std::string(kFix));
  REQUIRE(c.fix.has_value());
  const FixConfig& f = *c.fix;
  CHECK(f.sender_comp_id == "BALLAST");
  CHECK(f.target_comp_id == "BROKER");
  CHECK(f.host == "fix.example.net");
  CHECK(f.port == 9878);
  CHECK(f.heartbeat == 30 * kSecond);
  CHECK(f.reconnect_interval == 5 * kSecond);
  CHECK(f.state_dir == "/srv/ballast/fix");
  CHECK(f.orders_endpoint == "tcp://127.0.0.1:6000");
  CHECK(f.fills_endpoint == "tcp://127.0.0.1:6001");
  CHECK(f.bind);
  CHECK(f.curve_secret_key_file.empty());
  CHECK(f.curve_server_key_file.empty());
}

TEST_CASE("[fix] reads every key into exact values; key files are relative to the config file") {
  const LoadResult r = parse_config(with_fix(R"(heartbeat = "1m"
reconnect_interval = "1s"
state_dir = "/var/lib/ballast-fix"
orders_endpoint = "tcp://10.0.0.5:5557"
fills_endpoint = "ipc:///run/ballast/fills"
bind = false
curve_secret_key_file = "keys/gateway.key"
curve_public_key_file = "/etc/ballast/gateway.pub"
curve_server_key_file = "keys/ballastd.pub"
)"),
                                    "/etc/ballast/ballast.toml", Purpose::offline);
  INFO(describe(r));
  REQUIRE(r.config.has_value());
  const FixConfig& f = *r.config->fix;
  CHECK(f.heartbeat == 60 * kSecond);
  CHECK(f.reconnect_interval == kSecond);
  CHECK(f.state_dir == "/var/lib/ballast-fix");
  CHECK(f.orders_endpoint == "tcp://10.0.0.5:5557");
  CHECK(f.fills_endpoint == "ipc:///run/ballast/fills");
  CHECK_FALSE(f.bind);
  CHECK(f.curve_secret_key_file == "/etc/ballast/keys/gateway.key");
  CHECK(f.curve_public_key_file == "/etc/ballast/gateway.pub");
  CHECK(f.curve_server_key_file == "/etc/ballast/keys/ballastd.pub");
}

TEST_CASE("the daemon's purpose checks [fix] as well, and a daemon config may carry it") {
  const std::string daemon = R"([[feeds]]
name = "f"
endpoint = "tcp://127.0.0.1:5556"

[execution]
fills_endpoint = "tcp://127.0.0.1:5558"

[[portfolios]]
id = "p"
targets = { SPY = 1.0 }

)";
  CHECK(valid(daemon + std::string(kFix), Purpose::daemon).fix->port == 9878);
  const LoadResult r = parse_config(daemon + "[fix]\nport = 0\n", "test.toml", Purpose::daemon);
  CHECK_FALSE(r.config.has_value());
  CHECK(r.errors.size() == 4);  // three keys missing, and the port
}

TEST_CASE("[fix] without the required keys reports each at the table") {
  const LoadResult r = parse_config("[execution]\nfills_endpoint = \"tcp://127.0.0.1:5558\"\n[fix]\n", "test.toml",
                                    Purpose::offline);
  INFO(describe(r));
  REQUIRE(r.errors.size() == 4);
  for (const ConfigError& e : r.errors) CHECK_AT(e, 3, 1);
  CHECK(r.errors[0].message == "[fix] is missing required key \"sender_comp_id\"");
  CHECK(r.errors[1].message == "[fix] is missing required key \"target_comp_id\"");
  CHECK(r.errors[2].message == "[fix] is missing required key \"host\"");
  CHECK(r.errors[3].message == "[fix] is missing required key \"port\"");
}

TEST_CASE("[fix] with no fills endpoint anywhere is refused at the table") {
  const auto e = only_error(kFix);
  CHECK_AT(e, 1, 1);
  CHECK(test::contains(e.message, "[fix] needs the daemon's fills endpoint"));
}

/// A valid [fix] table with `line` on line 2, in place of the key it sets.
std::string fix_with(const std::string& line) {
  std::string text = "[fix]\n" + line + "\n";
  for (const char* base : {"sender_comp_id = \"BALLAST\"", "target_comp_id = \"BROKER\"", "host = \"h\"",
                           "port = 9878", "fills_endpoint = \"tcp://127.0.0.1:5558\""}) {
    const std::string b = base;
    if (line.substr(0, line.find(' ')) != b.substr(0, b.find(' '))) text += b + "\n";
  }
  return text;
}

TEST_CASE("a wrong [fix] value is located at its value") {
  struct Case {
    const char* line;
    int column;
    const char* message;
  };
  for (const Case& c : {
           Case{"port = 0", 8, "port: must be an integer in 1..65535, got 0"},
           Case{"port = 65536", 8, "port: must be an integer in 1..65535, got 65536"},
           Case{"port = \"9878\"", 8, "port: expected an integer, got a string"},
           Case{"host = \"\"", 8, "host: expected a non-empty string"},
           Case{"sender_comp_id = 7", 18, "sender_comp_id: expected a string, got an integer"},
           Case{"heartbeat = \"500ms\"", 13, "heartbeat: must be whole seconds between \"1s\" and \"1h\", got \"500ms\""},
           Case{"heartbeat = \"1500ms\"", 13,
                "heartbeat: must be whole seconds between \"1s\" and \"1h\", got \"1500ms\""},
           Case{"heartbeat = \"2h\"", 13, "heartbeat: must be whole seconds between \"1s\" and \"1h\", got \"2h\""},
           Case{"heartbeat = 30", 13, "heartbeat: expected a string, got an integer"},
           Case{"reconnect_interval = \"0s\"", 22, nullptr},
           Case{"reconnect_interval = \"2d\"", 22,
                "reconnect_interval: must be whole seconds between \"1s\" and \"1h\", got \"2d\""},
           Case{"state_dir = \"\"", 13, "state_dir: expected a non-empty string"},
           Case{"orders_endpoint = \"127.0.0.1:5557\"", 19, nullptr},
           Case{"fills_endpoint = 5558", 18, "fills_endpoint: expected a string, got an integer"},
           Case{"bind = \"yes\"", 8, "bind: expected a boolean (true or false), got a string"},
           Case{"curve_secret_key_file = \"\"", 25, "curve_secret_key_file: expected a non-empty string"},
       }) {
    const std::string line = c.line;
    CAPTURE(line);
    const auto e = only_error(fix_with(line));
    CHECK_AT(e, 2, c.column);
    if (c.message) CHECK(e.message == std::string(c.message));
  }
}

TEST_CASE("[fix] CURVE key files: the secret and the server key go together") {
  SUBCASE("a secret key without the server's") {
    const auto e = only_error(with_fix("fills_endpoint = \"tcp://127.0.0.1:5558\"\ncurve_secret_key_file = \"g.key\"\n"));
    CHECK_AT(e, 7, 25);
    CHECK(e.message == "curve_secret_key_file: CURVE needs curve_server_key_file too");
  }
  SUBCASE("a server key without a secret one") {
    const auto e = only_error(with_fix("fills_endpoint = \"tcp://127.0.0.1:5558\"\ncurve_server_key_file = \"d.pub\"\n"));
    CHECK_AT(e, 7, 25);
    CHECK(e.message == "curve_server_key_file: CURVE needs curve_secret_key_file too");
  }
  SUBCASE("a public key alone") {
    const auto e = only_error(with_fix("fills_endpoint = \"tcp://127.0.0.1:5558\"\ncurve_public_key_file = \"g.pub\"\n"));
    CHECK_AT(e, 7, 25);
    CHECK(e.message == "curve_public_key_file: only checks curve_secret_key_file, which is not set");
  }
}

TEST_CASE("every [fix] mistake is reported at once, in file order, with unknown keys") {
  const LoadResult r = parse_config(R"([fix]
sender_comp_id = ""
target_comp_id = "BROKER"
host = "h"
port = -1
heartbeat = "soon"
fills_endpoint = "tcp://127.0.0.1:5558"
password = "x"
)",
                                    "test.toml", Purpose::offline);
  INFO(describe(r));
  CHECK_FALSE(r.config.has_value());
  REQUIRE(r.errors.size() == 4);
  CHECK_AT(r.errors[0], 2, 18);
  CHECK_AT(r.errors[1], 5, 8);
  CHECK_AT(r.errors[2], 6, 13);
  CHECK_AT(r.errors[3], 8, 1);
  CHECK(test::contains(r.errors[3].message, "password"));
}

TEST_CASE("examples/fix.toml is valid for the daemon and for ballast fix, with its [fix] table as written") {
  const std::string path = std::string(BALLAST_EXAMPLES) + "/fix.toml";
  for (const Purpose purpose : {Purpose::daemon, Purpose::offline}) {
    const LoadResult r = load_config(path, purpose);
    INFO(describe(r));
    REQUIRE(r.config.has_value());
    REQUIRE(r.config->fix.has_value());
    const FixConfig& f = *r.config->fix;
    CHECK(f.sender_comp_id == "BALLAST");
    CHECK(f.target_comp_id == "BROKER");
    CHECK(f.host == "127.0.0.1");
    CHECK(f.port == 9878);
    CHECK(f.heartbeat == 30 * kSecond);
    CHECK(f.reconnect_interval == 5 * kSecond);
    CHECK(f.state_dir == "/var/lib/ballast/fix");
    CHECK(f.orders_endpoint == "tcp://127.0.0.1:5557");
    CHECK(f.fills_endpoint == "tcp://127.0.0.1:5558");
    CHECK_FALSE(f.bind);
    CHECK(f.curve_secret_key_file.empty());
  }
}

}  // namespace
}  // namespace loader_fix_test
}  // namespace ballast::config
