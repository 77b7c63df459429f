// `[curve]` and `insecure`: key files and allowlists read and checked, every
// problem located at the key that names the file, and endpoints off this
// machine refused without CURVE unless written insecure.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config/config.hpp"
#include "config/transport_security.hpp"
#include "net/curve_keys.hpp"
#include "tests/config/config_test_support.hpp"
#include "tests/support/scratch_dir.hpp"

namespace ballast::config {
namespace loader_curve_test {
namespace {

using test::contains;
using test::describe;
using test::only_error;
using test::valid;

/// A feed on loopback and a portfolio, lines 1-6; a test appends from line 7.
constexpr std::string_view kBase = R"([[feeds]]
name = "f"
endpoint = "tcp://127.0.0.1:5556"
[[portfolios]]
id = "p"
targets = { A = 1 }
)";

std::string base(std::string_view rest) { return std::string(kBase) + std::string(rest); }

net::KeyPair new_keys() {
  auto pair = net::generate_key_pair();
  REQUIRE(pair.has_value());
  return *pair;
}

/// Key files as `ballast keygen` writes them, and allowlists, in a scratch directory.
struct KeyFiles {
  testing::ScratchDir dir;
  net::KeyPair daemon = new_keys();
  net::KeyPair publisher = new_keys();
  net::KeyPair gateway = new_keys();
  std::string secret = dir.file("ballastd.key");
  std::string pub = dir.file("ballastd.pub");
  std::string publishers = dir.file("publishers");
  std::string gateways = dir.file("gateways");

  KeyFiles() {
    REQUIRE(net::write_key_pair(daemon, secret, pub).empty());
    write("publishers", "# who may publish ticks\n" + publisher.public_key + "  # market data host\n");
    write("gateways", gateway.public_key + "\n");
  }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir.file(name), std::ios::binary) << text;
    std::filesystem::permissions(dir.file(name), std::filesystem::perms::owner_read |
                                                     std::filesystem::perms::owner_write);
  }
  /// A complete [curve] table on lines 7-11.
  std::string table() const {
    return "[curve]\nsecret_key_file = \"" + secret + "\"\npublic_key_file = \"" + pub + "\"\npublishers_file = \"" +
           publishers + "\"\ngateways_file = \"" + gateways + "\"\n";
  }
};

/// The one error of a daemon config.
ConfigError daemon_error(const std::string& text) { return only_error(text, Purpose::daemon); }

TEST_CASE("a complete [curve] table reads the daemon's keys and both allowlists") {
  KeyFiles k;
  const Config c = valid(base(k.table() + "publishers = [\"" + k.gateway.public_key + "\", \"" +
                              k.publisher.public_key + "\"]\n"),
                         Purpose::daemon);
  REQUIRE(c.curve);
  CHECK(c.curve->secret_key == k.daemon.secret_key);
  CHECK(c.curve->public_key == k.daemon.public_key);
  CHECK(c.curve->secret_key_file == k.secret);
  // Inline keys come first, then the file's; a key in both is listed once.
  CHECK(c.curve->publishers == std::vector<std::string>{k.gateway.public_key, k.publisher.public_key});
  CHECK(c.curve->gateways == std::vector<std::string>{k.gateway.public_key});
  CHECK_FALSE(c.feeds[0].insecure);
  CHECK_FALSE(c.execution.insecure);
}

TEST_CASE("key files are found beside the config file") {
  KeyFiles k;
  const std::string config = k.dir.file("ballast.toml");
  std::ofstream(config) << base(
      "[curve]\nsecret_key_file = \"ballastd.key\"\npublishers_file = \"publishers\"\n"
      "gateways = [\"" +
      k.gateway.public_key + "\"]\n");
  const LoadResult r = load_config(config, Purpose::daemon);
  INFO(describe(r));
  REQUIRE(r.config);
  CHECK(r.config->curve->public_key == k.daemon.public_key);
  CHECK(r.config->curve->publishers == std::vector<std::string>{k.publisher.public_key});
  CHECK(r.config->curve->publishers_file == k.publishers);
}

TEST_CASE("[curve] errors in the daemon's key files are reported at the key that names the file") {
  KeyFiles k;
  const std::string rest = "publishers_file = \"" + k.publishers + "\"\ngateways_file = \"" + k.gateways + "\"\n";
  SUBCASE("no secret key file") {
    const auto e = daemon_error(base("[curve]\n" + rest));
    CHECK_AT(e, 7, 1);
    CHECK(e.message ==
          "[curve] is missing required key \"secret_key_file\" (the daemon's secret key, from `ballast keygen`)");
  }
  SUBCASE("a secret key file that does not exist") {
    const auto e = daemon_error(base("[curve]\nsecret_key_file = \"" + k.dir.file("nope.key") + "\"\n" + rest));
    CHECK_AT(e, 8, 19);
    CHECK(contains(e.message, "secret_key_file: cannot read " + k.dir.file("nope.key")));
  }
  SUBCASE("a secret key file others may read") {
    std::filesystem::permissions(k.secret, std::filesystem::perms::others_read, std::filesystem::perm_options::add);
    const auto e = daemon_error(base("[curve]\nsecret_key_file = \"" + k.secret + "\"\n" + rest));
    CHECK_AT(e, 8, 19);
    CHECK(e.message == "secret_key_file: " + k.secret +
                           " holds a secret key but group or others may access it (mode 0604): chmod 600 " + k.secret);
  }
  SUBCASE("a secret key file whose second line is not a key") {
    k.write("bad.key", "# comment\nnot-a-key\n");
    const auto e = daemon_error(base("[curve]\nsecret_key_file = \"" + k.dir.file("bad.key") + "\"\n" + rest));
    CHECK_AT(e, 8, 19);
    CHECK(contains(e.message, "secret_key_file: " + k.dir.file("bad.key") + ":2:1: expected a CURVE key"));
  }
  SUBCASE("an empty secret key file") {
    k.write("empty.key", "");
    const auto e = daemon_error(base("[curve]\nsecret_key_file = \"" + k.dir.file("empty.key") + "\"\n" + rest));
    CHECK(e.message == "secret_key_file: " + k.dir.file("empty.key") + " holds no key");
  }
  SUBCASE("a secret key file name that is not a string, or empty") {
    auto e = daemon_error(base("[curve]\nsecret_key_file = 7\n" + rest));
    CHECK_AT(e, 8, 19);
    CHECK(e.message == "secret_key_file: expected a string, got an integer");
    e = daemon_error(base("[curve]\nsecret_key_file = \"\"\n" + rest));
    CHECK(e.message == "secret_key_file: expected a non-empty string");
  }
  SUBCASE("a public key file of another key pair") {
    const auto e = daemon_error(base("[curve]\nsecret_key_file = \"" + k.secret + "\"\npublic_key_file = \"" +
                                     k.publishers + "\"\n" + rest));
    CHECK_AT(e, 9, 19);
    CHECK(e.message == "public_key_file: the key in " + k.publishers +
                           " is not the public key of secret_key_file's secret key (" + k.daemon.public_key + ")");
  }
  SUBCASE("a public key file that holds two keys") {
    k.write("two.pub", k.daemon.public_key + "\n" + k.gateway.public_key + "\n");
    const auto e = daemon_error(base("[curve]\nsecret_key_file = \"" + k.secret + "\"\npublic_key_file = \"" +
                                     k.dir.file("two.pub") + "\"\n" + rest));
    CHECK(e.message ==
          "public_key_file: " + k.dir.file("two.pub") + ":2:1: a second key; a key file holds exactly one");
  }
}

TEST_CASE("[curve] allowlist errors are located, and all of them are reported at once") {
  KeyFiles k;
  const std::string head = "[curve]\nsecret_key_file = \"" + k.secret + "\"\n";
  SUBCASE("an allowlist file that does not exist, one with no key, and a mistake elsewhere") {
    k.write("empty", "# nobody\n");
    const LoadResult r = parse_config(base(head + "publishers_file = \"" + k.dir.file("missing") +
                                           "\"\ngateways_file = \"" + k.dir.file("empty") + "\"\n" +
                                           "[execution]\nmode = \"paper\"\n"),
                                      "test.toml", Purpose::daemon);
    INFO(describe(r));
    REQUIRE(r.errors.size() == 3);
    CHECK_AT(r.errors[0], 9, 19);
    CHECK(contains(r.errors[0].message, "publishers_file: cannot read " + k.dir.file("missing")));
    CHECK_AT(r.errors[1], 10, 17);
    CHECK(r.errors[1].message ==
          "gateways_file: " + k.dir.file("empty") + " holds no key: every client would be refused");
    CHECK_AT(r.errors[2], 12, 8);
    CHECK(r.errors[2].message == "mode: expected \"live\" or \"dry-run\", got \"paper\"");
  }
  SUBCASE("a bad line in an allowlist names the file's line and column") {
    k.write("bad", k.gateway.public_key + "\n\n  xyz # too short\n");
    const auto e = daemon_error(base(head + "publishers_file = \"" + k.publishers + "\"\ngateways_file = \"" +
                                     k.dir.file("bad") + "\"\n"));
    CHECK_AT(e, 10, 17);
    CHECK(contains(e.message, "gateways_file: " + k.dir.file("bad") + ":3:3: expected a CURVE key"));
  }
  SUBCASE("inline keys: not an array, not a string, not a key") {
    const LoadResult r = parse_config(
        base(head + "publishers = \"" + k.publisher.public_key + "\"\ngateways = [\"" + k.gateway.public_key +
             "\", 5, \"abc\", \"" + std::string(40, '~') + "\"]\n"),
        "test.toml", Purpose::daemon);
    INFO(describe(r));
    REQUIRE(r.errors.size() == 4);
    CHECK_AT(r.errors[0], 9, 14);
    CHECK(r.errors[0].message ==
          "publishers: expected an array of CURVE public keys (40 Z85 characters each), got a string");
    CHECK_AT(r.errors[1], 10, 57);
    CHECK(r.errors[1].message == "gateways[1]: expected a string, got an integer");
    CHECK_AT(r.errors[2], 10, 60);
    CHECK(r.errors[2].message == "gateways[2]: expected a CURVE public key (40 Z85 characters), got 3 characters");
    CHECK_AT(r.errors[3], 10, 67);
    CHECK(r.errors[3].message ==
          "gateways[3]: expected a CURVE public key (40 Z85 characters), got characters outside Z85");
  }
  SUBCASE("file names that are not strings, all reported at once") {
    const LoadResult r = parse_config(
        base(head + "public_key_file = []\npublishers_file = 1\ngateways_file = { path = \"g\" }\n"), "test.toml",
        Purpose::daemon);
    INFO(describe(r));
    REQUIRE(r.errors.size() == 3);
    CHECK_AT(r.errors[0], 9, 19);
    CHECK(r.errors[0].message == "public_key_file: expected a string, got an array");
    CHECK_AT(r.errors[1], 10, 19);
    CHECK(r.errors[1].message == "publishers_file: expected a string, got an integer");
    CHECK_AT(r.errors[2], 11, 17);
    CHECK(r.errors[2].message == "gateways_file: expected a string, got a table");
  }
  SUBCASE("an unknown key lists the known ones") {
    const auto e = only_error(base("[curve]\nsecret_key_file = \"x\"\nclients = []\n"));
    CHECK_AT(e, 9, 1);
    CHECK(e.message ==
          "unknown key \"clients\" in [curve] (expected one of: secret_key_file, public_key_file, publishers_file, "
          "publishers, gateways_file, gateways)");
  }
  SUBCASE("[curve] that is not a table") {
    const auto e = only_error("curve = true\n" + std::string(kBase));
    CHECK_AT(e, 1, 9);
    CHECK(e.message == "curve: expected a table, got a boolean");
  }
}

TEST_CASE("CURVE sockets without an allowlist are refused: nobody could connect") {
  KeyFiles k;
  const std::string head = "[curve]\nsecret_key_file = \"" + k.secret + "\"\n";
  SUBCASE("feeds without publishers") {
    const auto e = daemon_error(base(head + "gateways_file = \"" + k.gateways + "\"\n"));
    CHECK_AT(e, 7, 1);
    CHECK(e.message ==
          "[curve]: no publishers_file or publishers: a feed with CURVE would refuse every publisher; list the "
          "publishers' public keys, or write insecure = true in a feed to leave it plain");
  }
  SUBCASE("an empty inline list is no allowlist") {
    const auto e = daemon_error(base(head + "publishers = []\ngateways_file = \"" + k.gateways + "\"\n"));
    CHECK(contains(e.message, "[curve]: no publishers_file or publishers"));
  }
  SUBCASE("order and fill sockets without gateways") {
    const auto e = daemon_error(base(head + "publishers_file = \"" + k.publishers + "\"\n"));
    CHECK_AT(e, 7, 1);
    CHECK(contains(e.message, "[curve]: no gateways_file or gateways: the order and fill sockets with CURVE would "
                              "refuse every gateway"));
  }
  SUBCASE("no gateways are needed in dry-run, or with plain execution sockets") {
    const Config dry = valid(base(head + "publishers_file = \"" + k.publishers + "\"\n[execution]\nmode = \"dry-run\"\n"),
                             Purpose::daemon);
    CHECK(dry.curve->gateways.empty());
    const Config plain = valid(base(head + "publishers_file = \"" + k.publishers + "\"\n[execution]\ninsecure = true\n"),
                               Purpose::daemon);
    CHECK(plain.execution.insecure);
  }
  SUBCASE("no publishers are needed when every feed is plain") {
    const std::string text = "[[feeds]]\nname = \"f\"\nendpoint = \"tcp://127.0.0.1:5556\"\ninsecure = true\n"
                             "[[portfolios]]\nid = \"p\"\ntargets = { A = 1 }\n" +
                             head + "gateways_file = \"" + k.gateways + "\"\n";
    const Config c = valid(text, Purpose::daemon);
    CHECK(c.feeds[0].insecure);
  }
}

TEST_CASE("an endpoint off this machine without CURVE is refused unless written insecure") {
  SUBCASE("a feed") {
    const auto e = daemon_error(R"([[feeds]]
name = "f"
endpoint = "tcp://10.1.2.3:5556"
[[portfolios]]
id = "p"
targets = { A = 1 }
)");
    CHECK_AT(e, 3, 12);
    CHECK(e.message ==
          "endpoint: \"tcp://10.1.2.3:5556\" is not on this machine and has no CURVE: anyone who can reach it could "
          "publish ticks. Add [curve], or write insecure = true in this feed to accept that");
  }
  SUBCASE("the order endpoint, and the fills endpoint, in one pass") {
    const LoadResult r = parse_config(base(R"([execution]
endpoint = "tcp://*:5557"
fills_endpoint = "tcp://gateway.example:5558"
)"),
                                      "test.toml", Purpose::daemon);
    INFO(describe(r));
    REQUIRE(r.errors.size() == 2);
    CHECK_AT(r.errors[0], 8, 12);
    CHECK(contains(r.errors[0].message, "endpoint: \"tcp://*:5557\" is not on this machine and has no CURVE: anyone "
                                        "who can reach it could take orders. Add [curve], or write insecure = true in "
                                        "[execution] to accept that"));
    CHECK_AT(r.errors[1], 9, 18);
    CHECK(contains(r.errors[1].message, "could report fills"));
  }
  SUBCASE("insecure = true accepts it") {
    const Config c = valid(R"([[feeds]]
name = "f"
endpoint = "tcp://10.1.2.3:5556"
insecure = true
[[portfolios]]
id = "p"
targets = { A = 1 }
[execution]
endpoint = "tcp://0.0.0.0:5557"
insecure = true
)",
                           Purpose::daemon);
    CHECK(c.feeds[0].insecure);
    CHECK(c.execution.insecure);
  }
  SUBCASE("dry-run opens no order socket, so its endpoint is not checked") {
    valid(base("[execution]\nendpoint = \"tcp://0.0.0.0:5557\"\nmode = \"dry-run\"\n"), Purpose::daemon);
  }
  SUBCASE("offline commands open no socket") {
    valid("[[feeds]]\nname = \"f\"\nendpoint = \"tcp://10.1.2.3:5556\"\n", Purpose::offline);
  }
  SUBCASE("insecure must be a boolean") {
    const auto e = only_error(base("[execution]\ninsecure = \"yes\"\n"));
    CHECK_AT(e, 8, 12);
    CHECK(e.message == "insecure: expected a boolean (true or false), got a string");
    const auto f = only_error("[[feeds]]\nname = \"f\"\nendpoint = \"tcp://127.0.0.1:1\"\ninsecure = 1\n");
    CHECK_AT(f, 4, 12);
    CHECK(f.message == "insecure: expected a boolean (true or false), got an integer");
  }
  SUBCASE("with [curve], an endpoint anywhere is fine") {
    KeyFiles k;
    const Config c = valid(std::string(R"([[feeds]]
name = "f"
endpoint = "tcp://10.1.2.3:5556"
[[portfolios]]
id = "p"
targets = { A = 1 }
[execution]
endpoint = "tcp://0.0.0.0:5557"
)") + k.table(),
                           Purpose::daemon);
    CHECK(c.curve);
  }
}

TEST_CASE("offline commands check [curve]'s shape but never open its files") {
  const Config c = valid(base("[curve]\nsecret_key_file = \"/nonexistent/ballastd.key\"\npublishers_file = "
                              "\"/nonexistent/p\"\n"),
                         Purpose::offline);
  REQUIRE(c.curve);
  CHECK(c.curve->secret_key.empty());
  const LoadResult r = parse_config(base("[curve]\nsecret_key_file = 3\ngateways = [\"short\"]\n"), "test.toml",
                                    Purpose::offline);
  INFO(describe(r));
  REQUIRE(r.errors.size() == 2);
  CHECK(r.errors[0].message == "secret_key_file: expected a string, got an integer");
  CHECK(contains(r.errors[1].message, "gateways[0]: expected a CURVE public key"));
}

TEST_CASE("local endpoints are ipc, inproc and tcp to loopback; everything else is not") {
  for (const char* local : {"ipc:///run/ballast/feed", "inproc://x", "tcp://127.0.0.1:5556", "tcp://127.200.1.9:1",
                            "tcp://localhost:5556", "tcp://[::1]:5556", "tcp://::1:5556", "tcp://[::ffff:127.0.0.1]:1",
                            "tcp://127.0.0.1:*", "tcp://10.0.0.1:0;127.0.0.1:5556"}) {
    CAPTURE(local);
    CHECK(is_local_endpoint(local));
  }
  for (const char* remote : {"tcp://10.0.0.1:5556", "tcp://*:5556", "tcp://0.0.0.0:5556", "tcp://[::]:5556",
                             "tcp://eth0:5556", "tcp://lo:5556", "tcp://localhost.example.com:1", "tcp://128.0.0.1:1",
                             "tcp://127.0.0.1;10.0.0.1:5556", "tcp://noport", "pgm://eth0;239.192.1.1:5555",
                             "udp://127.0.0.1:1", ""}) {
    CAPTURE(remote);
    CHECK_FALSE(is_local_endpoint(remote));
  }
}

}  // namespace
}  // namespace loader_curve_test
}  // namespace ballast::config
