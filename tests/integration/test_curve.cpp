// Transport security with the real ballastd and ballast over loopback: CURVE
// keys from `ballast keygen`, the allowlists enforced on the feed, order and
// fill sockets, and the cap that drops an oversized tick at the socket.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "net/curve_keys.hpp"
#include "net/socket_security.hpp"
#include "tests/integration/support.hpp"

namespace test_curve {

using namespace ballast::testing;
namespace net = ballast::net;

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

net::KeyPair new_keys() {
  auto pair = net::generate_key_pair();
  REQUIRE(pair.has_value());
  return *pair;
}

std::string tcp(int port) { return "tcp://127.0.0.1:" + std::to_string(port); }

/// A ballastd with [curve]: its key pair, a publisher and a gateway on the
/// allowlists, and a stranger on neither.
struct CurveDaemon {
  TempDir dir;
  DaemonPorts ports;
  net::KeyPair daemon = new_keys();
  net::KeyPair publisher = new_keys();
  net::KeyPair gateway = new_keys();
  net::KeyPair stranger = new_keys();
  std::unique_ptr<Process> process;
  simdjson::dom::parser parser;
  std::string body;

  CurveDaemon() {
    REQUIRE(net::write_key_pair(daemon, dir.file("ballastd.key"), dir.file("ballastd.pub")).empty());
    dir.write("publishers", "# market data\n" + publisher.public_key + "\n");
    dir.write("gateways", gateway.public_key + "  # the paper gateway\n");
  }
  ~CurveDaemon() {
    if (process && process->running()) {
      process->signal(SIGTERM);
      process->wait_exit(5s);
    }
  }

  /// Writes the config (`feeds_and_execution` first, then [curve], [status],
  /// [daemon] and the portfolio) and starts the daemon.
  void start(const std::string& feeds_and_execution) {
    dir.write("ballast.toml", feeds_and_execution + "\n[curve]\nsecret_key_file = \"ballastd.key\"\n" +
                                  "public_key_file = \"ballastd.pub\"\npublishers_file = \"publishers\"\n" +
                                  "gateways_file = \"gateways\"\n\n[status]\nlisten = \"127.0.0.1:" +
                                  std::to_string(ports.status) + "\"\n\n[daemon]\nstate_dir = \"" +
                                  dir.file("state") + "\"\nlog_level = \"debug\"\n" + kPortfolio);
    process = std::make_unique<Process>(BALLASTD_PATH, std::vector<std::string>{"--config", dir.file("ballast.toml")},
                                        dir.file("ballastd.log"));
    if (!eventually([this] { return get("/status").status == 200; }, 15s)) {
      FAIL("ballastd did not come up:\n" << dir.read("ballastd.log"));
    }
  }

  ballast::cli::HttpResult get(const std::string& path) const {
    return ballast::cli::http_request("GET", ports.url(path), "", "", 2s);
  }
  simdjson::dom::element status() {
    const auto r = get("/status");
    if (r.status != 200) FAIL("GET /status failed: " << r.error << "\n" << dir.read("ballastd.log"));
    body = r.body;
    return parser.parse(body);
  }
  simdjson::dom::element feed(const std::string& name) {
    for (auto f : status()["feeds"].get_array()) {
      if (std::string_view(f["name"]) == name) return f;
    }
    FAIL("no feed " << name);
    return {};
  }
  /// The handshake counts of one socket ("feed:<name>", "orders", "fills").
  simdjson::dom::element handshakes(const std::string& socket) {
    for (auto s : status()["transport"]["sockets"].get_array()) {
      if (std::string_view(s["socket"]) == socket) return s["handshakes"];
    }
    FAIL("no socket " << socket);
    return {};
  }
  double refused(const std::string& socket, const char* reason) { return num(handshakes(socket)[reason]); }

  net::CurveClientKeys client(const net::KeyPair& own) const {
    return {daemon.public_key, own.public_key, own.secret_key};
  }
};

zmq::socket_t socket_for(zmq::context_t& ctx, zmq::socket_type type, const net::CurveClientKeys* keys) {
  zmq::socket_t s(ctx, type);
  s.set(zmq::sockopt::linger, 0);
  if (keys) net::make_curve_client(s, *keys);
  return s;
}

void publish(zmq::socket_t& pub, const std::string& symbol, const std::string& json) {
  pub.send(zmq::buffer(symbol), zmq::send_flags::sndmore);
  pub.send(zmq::buffer(json), zmq::send_flags::none);
}

/// Publishes a tick until the feed has accepted one more (the subscription
/// arrives a moment after the daemon connects).
void prime(CurveDaemon& d, zmq::socket_t& pub, const std::string& feed, const std::string& symbol, double price) {
  const double before = num(d.feed(feed)["ticks"]);
  const bool counted = eventually([&] {
    publish(pub, symbol, "{\"price\":" + std::to_string(price) + "}");
    return num(d.feed(feed)["ticks"]) > before;
  });
  REQUIRE_MESSAGE(counted, d.dir.read("ballastd.log"));
}

std::vector<std::string> drain(zmq::socket_t& s) {
  std::vector<std::string> out;
  zmq::message_t msg;
  while (s.recv(msg, zmq::recv_flags::dontwait)) out.push_back(msg.to_string());
  return out;
}

}  // namespace

TEST_CASE("CURVE feeds: a listed publisher's ticks are accepted; an unlisted key's and a plain publisher's never") {
  CurveDaemon d;
  const int unlisted_port = free_port();
  const int plain_port = free_port();
  zmq::context_t ctx(1);
  const auto listed_keys = d.client(d.publisher);
  const auto stranger_keys = d.client(d.stranger);
  zmq::socket_t listed = socket_for(ctx, zmq::socket_type::pub, &listed_keys);
  zmq::socket_t unlisted = socket_for(ctx, zmq::socket_type::pub, &stranger_keys);
  zmq::socket_t plain = socket_for(ctx, zmq::socket_type::pub, nullptr);
  listed.bind(d.ports.feed_endpoint());
  unlisted.bind(tcp(unlisted_port));
  plain.bind(tcp(plain_port));
  d.start("[[feeds]]\nname = \"listed\"\nendpoint = \"" + d.ports.feed_endpoint() +
          "\"\n[[feeds]]\nname = \"unlisted\"\nendpoint = \"" + tcp(unlisted_port) +
          "\"\n[[feeds]]\nname = \"plain\"\nendpoint = \"" + tcp(plain_port) + "\"\n[execution]\nendpoint = \"" +
          d.ports.orders_endpoint() + "\"\n");

  // The daemon connects to each publisher and refuses the two it must.
  REQUIRE(eventually([&] { return d.refused("feed:unlisted", "unlisted_key") >= 1; }));
  REQUIRE(eventually([&] { return d.refused("feed:plain", "failed") >= 1; }));
  for (int i = 0; i < 20; ++i) {
    publish(unlisted, "SPY", R"({"price": 1})");
    publish(plain, "SPY", R"({"price": 2})");
  }
  prime(d, listed, "listed", "SPY", 400);
  prime(d, listed, "listed", "AGG", 100);

  auto s = d.status();
  CHECK(num(asset(s, 0, "SPY")["price"]) == 400);
  CHECK(num(d.feed("unlisted")["received"]) == 0);
  CHECK(num(d.feed("plain")["received"]) == 0);
  CHECK(num(d.handshakes("feed:listed")["accepted"]) >= 1);
  CHECK(d.refused("feed:listed", "unlisted_key") == 0);
  CHECK(d.refused("feed:unlisted", "failed") == 0);
  CHECK(num(d.handshakes("feed:unlisted")["accepted"]) == 0);
  CHECK(num(d.status()["transport"]["handshakes_refused"]) >= 2);
  CHECK(std::string_view(d.status()["transport"]["public_key"]) == d.daemon.public_key);
  const auto metrics = d.get("/metrics").body;
  CHECK(metrics.find("ballast_handshakes_refused_total{socket=\"feed:unlisted\",reason=\"unlisted_key\"} 0") ==
        std::string::npos);
  CHECK(metrics.find("ballast_handshakes_refused_total{socket=\"feed:listed\",reason=\"unlisted_key\"} 0") !=
        std::string::npos);
  CHECK(d.process->running());
}

TEST_CASE("orders reach the listed paper gateway and never an unlisted or plain PULL") {
  CurveDaemon d;
  zmq::context_t ctx(1);
  const auto publisher_keys = d.client(d.publisher);
  const auto stranger_keys = d.client(d.stranger);
  zmq::socket_t pub = socket_for(ctx, zmq::socket_type::pub, &publisher_keys);
  pub.bind(d.ports.feed_endpoint());
  d.start("[[feeds]]\nname = \"primary\"\nendpoint = \"" + d.ports.feed_endpoint() + "\"\n[execution]\nendpoint = \"" +
          d.ports.orders_endpoint() + "\"\nfills_endpoint = \"" + d.ports.fills_endpoint() + "\"\n");

  // Thieves connect first: without the allowlist each would take its share of the orders.
  zmq::socket_t rogue = socket_for(ctx, zmq::socket_type::pull, &stranger_keys);
  rogue.connect(d.ports.orders_endpoint());
  zmq::socket_t plain_rogue = socket_for(ctx, zmq::socket_type::pull, nullptr);
  plain_rogue.connect(d.ports.orders_endpoint());
  REQUIRE(eventually([&] { return d.refused("orders", "unlisted_key") >= 1 && d.refused("orders", "failed") >= 1; }));

  REQUIRE(net::write_key_pair(d.gateway, d.dir.file("gw.key"), d.dir.file("gw.pub")).empty());
  Process paper(BALLAST_CLI_PATH,
                {"paper", "--orders", d.ports.orders_endpoint(), "--fills", d.ports.fills_endpoint(), "--feed", "",
                 "--curve-secret-key", d.dir.file("gw.key"), "--curve-public-key", d.dir.file("gw.pub"),
                 "--curve-server-key", d.dir.file("ballastd.pub")},
                d.dir.file("paper.log"));
  REQUIRE(eventually([&] { return num(d.handshakes("orders")["accepted"]) >= 1; }));
  REQUIRE(eventually([&] { return num(d.handshakes("fills")["accepted"]) >= 1; }));

  prime(d, pub, "primary", "AGG", 100);
  prime(d, pub, "primary", "SPY", 400);
  publish(pub, "SPY", R"({"price": 300})");  // the breach: sell 56 AGG, buy 22 SPY
  REQUIRE(eventually([&] { return num(d.status()["execution"]["fill_reports"]["applied"]) == 2; }));
  auto s = d.status();
  CHECK(num(s["portfolios"].at(0)["orders"]) == 2);
  CHECK(num(asset(s, 0, "SPY")["quantity"]) == 122);
  CHECK(num(asset(s, 0, "AGG")["quantity"]) == 244);
  CHECK(drain(rogue).empty());
  CHECK(drain(plain_rogue).empty());
  paper.signal(SIGTERM);
  CHECK(paper.wait_exit() == 0);
  CHECK(d.dir.read("paper.log").find("CURVE to the daemon") != std::string::npos);
}

TEST_CASE("a forged fill from an unlisted key or a plain socket never books; the listed gateway's does") {
  CurveDaemon d;
  zmq::context_t ctx(1);
  const auto publisher_keys = d.client(d.publisher);
  const auto gateway_keys = d.client(d.gateway);
  const auto stranger_keys = d.client(d.stranger);
  zmq::socket_t pub = socket_for(ctx, zmq::socket_type::pub, &publisher_keys);
  pub.bind(d.ports.feed_endpoint());
  d.start("[[feeds]]\nname = \"primary\"\nendpoint = \"" + d.ports.feed_endpoint() + "\"\n[execution]\nendpoint = \"" +
          d.ports.orders_endpoint() + "\"\nfills_endpoint = \"" + d.ports.fills_endpoint() + "\"\n");
  zmq::socket_t orders = socket_for(ctx, zmq::socket_type::pull, &gateway_keys);
  orders.connect(d.ports.orders_endpoint());
  zmq::socket_t fills = socket_for(ctx, zmq::socket_type::push, &gateway_keys);
  fills.connect(d.ports.fills_endpoint());

  prime(d, pub, "primary", "AGG", 100);
  prime(d, pub, "primary", "SPY", 400);
  publish(pub, "SPY", R"({"price": 300})");
  std::vector<std::string> ids;
  REQUIRE(eventually([&] {
    for (const auto& o : drain(orders)) {
      simdjson::dom::parser p;
      ids.emplace_back(std::string_view(p.parse(o)["order_id"]));
    }
    return ids.size() == 2;
  }));

  // What the forgers send: the real order ids, filled at an absurd price.
  zmq::socket_t forger = socket_for(ctx, zmq::socket_type::push, &stranger_keys);
  forger.connect(d.ports.fills_endpoint());
  zmq::socket_t plain_forger = socket_for(ctx, zmq::socket_type::push, nullptr);
  plain_forger.connect(d.ports.fills_endpoint());
  for (const auto& id : ids) {
    const std::string forged = R"({"order_id":")" + id + R"(","status":"filled","filled_quantity":56,"avg_price":1e9})";
    forger.send(zmq::buffer(forged), zmq::send_flags::dontwait);
    plain_forger.send(zmq::buffer(forged), zmq::send_flags::dontwait);
  }
  REQUIRE(eventually([&] { return d.refused("fills", "unlisted_key") >= 1 && d.refused("fills", "failed") >= 1; }));

  fills.send(zmq::buffer(R"({"order_id":")" + ids[0] + R"(","status":"filled","filled_quantity":56,"avg_price":100})"),
             zmq::send_flags::none);
  fills.send(zmq::buffer(R"({"order_id":")" + ids[1] + R"(","status":"filled","filled_quantity":22,"avg_price":300})"),
             zmq::send_flags::none);
  REQUIRE(eventually([&] { return num(d.status()["execution"]["open_orders"]) == 0; }));
  auto s = d.status();
  CHECK(num(s["execution"]["fill_reports"]["applied"]) == 2);
  CHECK(num(s["execution"]["fill_reports"]["malformed"]) == 0);
  CHECK(num(s["execution"]["fill_reports"]["unknown_order"]) == 0);
  // 1000 + 56 × 100 − 22 × 300: nothing at 1e9.
  CHECK(num(s["portfolios"].at(0)["cash"]) == doctest::Approx(1000 + 5600 - 6600));
  CHECK(num(asset(s, 0, "SPY")["quantity"]) == 122);
}

TEST_CASE("keys from ballast keygen work end to end: feed sim and paper as CURVE clients of the daemon") {
  CurveDaemon d;
  // The daemon's pair is replaced by one from the real command, and so are the clients'.
  std::filesystem::remove(d.dir.file("ballastd.key"));
  std::filesystem::remove(d.dir.file("ballastd.pub"));
  for (const char* name : {"ballastd", "sim", "gw"}) {
    const auto r = run_command(BALLAST_CLI_PATH, {"keygen", d.dir.file(name)});
    INFO(r.output);
    REQUIRE(r.code == 0);
  }
  struct stat st {};
  REQUIRE(::stat(d.dir.file("ballastd.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const auto again = run_command(BALLAST_CLI_PATH, {"keygen", d.dir.file("sim")});
  CHECK(again.code == 1);
  CHECK(again.output.find("refusing to overwrite") != std::string::npos);
  d.dir.write("publishers", d.dir.read("sim.pub"));
  d.dir.write("gateways", d.dir.read("gw.pub"));

  d.start("[[feeds]]\nname = \"primary\"\nendpoint = \"" + d.ports.feed_endpoint() + "\"\n[execution]\nendpoint = \"" +
          d.ports.orders_endpoint() + "\"\nfills_endpoint = \"" + d.ports.fills_endpoint() + "\"\n");
  const std::vector<std::string> server{"--curve-server-key", d.dir.file("ballastd.pub")};
  std::vector<std::string> sim_args{"feed", "sim", "--endpoint", d.ports.feed_endpoint(), "--symbols",
                                    "SPY:400:0:0.9,AGG:100:0:0.01", "--speed", "2340000", "--rate", "50",
                                    "--curve-secret-key", d.dir.file("sim.key")};
  sim_args.insert(sim_args.end(), server.begin(), server.end());
  Process sim(BALLAST_CLI_PATH, sim_args, d.dir.file("sim.log"));
  std::vector<std::string> paper_args{"paper", "--orders", d.ports.orders_endpoint(), "--fills",
                                      d.ports.fills_endpoint(), "--feed", "", "--curve-secret-key",
                                      d.dir.file("gw.key")};
  paper_args.insert(paper_args.end(), server.begin(), server.end());
  Process paper(BALLAST_CLI_PATH, paper_args, d.dir.file("paper.log"));

  // A volatile SPY breaches the 5% band soon; the gateway fills and reports.
  const bool traded = eventually([&] { return num(d.status()["execution"]["fill_reports"]["applied"]) >= 2; }, 30s);
  INFO(d.dir.read("sim.log"), d.dir.read("paper.log"), d.dir.read("ballastd.log"));
  CHECK(traded);
  CHECK(num(d.feed("primary")["ticks"]) > 0);
  CHECK(d.refused("feed:primary", "unlisted_key") == 0);
  CHECK(d.refused("orders", "unlisted_key") == 0);

  // A tool with its own key but not the daemon's public key is refused by the tool itself.
  const auto missing_server = run_command(
      BALLAST_CLI_PATH, {"paper", "--orders", d.ports.orders_endpoint(), "--curve-secret-key", d.dir.file("gw.key")});
  CHECK(missing_server.code == 2);
  const auto wrong_public = run_command(
      BALLAST_CLI_PATH, {"feed", "sim", "--endpoint", "tcp://127.0.0.1:*", "--curve-secret-key", d.dir.file("sim.key"),
                         "--curve-public-key", d.dir.file("gw.pub"), "--curve-server-key", d.dir.file("ballastd.pub")});
  CHECK(wrong_public.code == 2);
  CHECK(wrong_public.output.find("is not the public key of the secret key") != std::string::npos);
}

TEST_CASE("an oversized tick is dropped at the socket, never decoded; a normal tick after it is accepted") {
  DaemonHarness d(kPortfolio);
  d.start();
  d.prime("AGG", 100);
  // 8 MiB: ZeroMQ refuses it by its size alone and closes the connection, so
  // the daemon never holds it; its SUB connects again at once.
  d.publish("SPY", std::string(8 * 1024 * 1024, ' ') + R"({"price": 400})");
  d.prime("SPY", 400);
  d.settle();
  auto s = d.status();
  CHECK(num(asset(s, 0, "SPY")["price"]) == 400);
  CHECK(num(s["feeds"].at(0)["rejected"]["malformed"]) == 0);
  CHECK(num(s["transport"]["sockets"].at(0)["max_message_bytes"]) == 65536);
  // libzmq gives up on a connection it dropped for a protocol error; the daemon connects again.
  CHECK(num(s["transport"]["sockets"].at(0)["reconnects"]) >= 1);
  CHECK(d.process->running());
}

TEST_CASE("check-config refuses a plain endpoint off this machine, and bad key files, at file:line:column") {
  TempDir dir;
  dir.write("remote.toml", "[[feeds]]\nname = \"f\"\nendpoint = \"tcp://192.0.2.1:5556\"\n" + kPortfolio);
  auto r = run_command(BALLASTD_PATH, {"--config", dir.file("remote.toml"), "--check-config"});
  CHECK(r.code == 78);
  CHECK(r.output.find(dir.file("remote.toml") + ":3:12: endpoint: \"tcp://192.0.2.1:5556\" is not on this machine") !=
        std::string::npos);
  dir.write("insecure.toml",
            "[[feeds]]\nname = \"f\"\nendpoint = \"tcp://192.0.2.1:5556\"\ninsecure = true\n" + kPortfolio);
  CHECK(run_command(BALLASTD_PATH, {"--config", dir.file("insecure.toml"), "--check-config"}).code == 0);

  dir.write("bad.key", "not a key\n");
  ::chmod(dir.file("bad.key").c_str(), 0600);
  dir.write("keys.toml", "[[feeds]]\nname = \"f\"\nendpoint = \"tcp://127.0.0.1:5556\"\n[curve]\nsecret_key_file = "
                         "\"bad.key\"\npublishers_file = \"missing\"\n[execution]\ninsecure = true\n" +
                             kPortfolio);
  r = run_command(BALLASTD_PATH, {"--config", dir.file("keys.toml"), "--check-config"});
  CHECK(r.code == 78);
  CHECK(r.output.find(dir.file("keys.toml") + ":5:19: secret_key_file: ") != std::string::npos);
  CHECK(r.output.find(dir.file("keys.toml") + ":6:19: publishers_file: cannot read ") != std::string::npos);
}

}  // namespace test_curve
