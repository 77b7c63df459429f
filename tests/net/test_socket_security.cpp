// The CURVE roles and the message caps on real sockets over loopback.
#include <doctest/doctest.h>

#include <string>
#include <zmq.hpp>

#include "net/socket_security.hpp"
#include "net/zap_handler.hpp"
#include "tests/net/net_test_support.hpp"
#include "tests/support/scratch_dir.hpp"

namespace ballast::net {
namespace test_socket_security {
namespace {

using namespace std::chrono_literals;
using test::bind_loopback;
using test::eventually;
using test::receive;

/// A PULL socket with a cap, and a monitor that sees its connections drop.
struct CappedReceiver {
  zmq::socket_t pull;
  zmq::socket_t monitor;
  std::string endpoint;

  CappedReceiver(zmq::context_t& ctx, std::size_t cap, const CurveServerKeys* curve, const std::string& name)
      : pull(ctx, zmq::socket_type::pull), monitor(ctx, zmq::socket_type::pair) {
    pull.set(zmq::sockopt::linger, 0);
    if (curve) make_curve_server(pull, *curve);
    cap_messages(pull, cap);
    const std::string monitor_endpoint = "inproc://test-monitor-" + name;
    REQUIRE(zmq_socket_monitor(pull.handle(), monitor_endpoint.c_str(), ZMQ_EVENT_DISCONNECTED) == 0);
    monitor.connect(monitor_endpoint);
    endpoint = bind_loopback(pull);
  }

  /// True once the socket has closed a connection.
  bool disconnected() {
    zmq::message_t event;
    bool seen = false;
    while (monitor.recv(event, zmq::recv_flags::dontwait)) {
      if (event.more()) (void)monitor.recv(event, zmq::recv_flags::dontwait);
      seen = true;
    }
    return seen;
  }
};

zmq::socket_t pusher(zmq::context_t& ctx, const std::string& endpoint, const CurveClientKeys* curve) {
  zmq::socket_t push(ctx, zmq::socket_type::push);
  push.set(zmq::sockopt::linger, 0);
  if (curve) make_curve_client(push, *curve);
  push.connect(endpoint);
  return push;
}

/// Sends a part of `size` bytes over a connection, then checks that it is
/// refused: the receiver drops the connection and never delivers it, while a
/// normal message over a new connection still arrives.
void check_cap(std::size_t cap, bool with_curve) {
  zmq::context_t ctx(1);
  const KeyPair server = test::key_pair();
  const KeyPair client = test::key_pair();
  ZapHandler zap(ctx);
  const std::size_t slot = zap.add_socket("capped");
  const std::vector<std::string> allowed{client.public_key};
  const CurveServerKeys server_keys{server.secret_key, zap.allow(slot, allowed)};
  const CurveClientKeys client_keys{server.public_key, client.public_key, client.secret_key};
  zap.start();
  CappedReceiver rx(ctx, cap, with_curve ? &server_keys : nullptr, with_curve ? "curve" : "plain");
  const CurveClientKeys* keys = with_curve ? &client_keys : nullptr;

  zmq::socket_t first = pusher(ctx, rx.endpoint, keys);
  first.send(zmq::buffer(std::string(cap, 'a')), zmq::send_flags::none);
  const auto at_cap = receive(rx.pull, 10s);
  REQUIRE(at_cap);
  CHECK(at_cap->size() == cap);

  first.send(zmq::buffer(std::string(cap + 1, 'b')), zmq::send_flags::none);
  CHECK(eventually([&] { return rx.disconnected(); }));
  first.close();

  zmq::socket_t second = pusher(ctx, rx.endpoint, keys);
  second.send(zmq::str_buffer("normal"), zmq::send_flags::none);
  const auto normal = receive(rx.pull, 10s);
  REQUIRE(normal);
  CHECK(*normal == "normal");
  CHECK(test::drain(rx.pull).empty());
}

TEST_CASE("a message part at the cap arrives; one byte more closes the connection and never arrives") {
  SUBCASE("plain") { check_cap(kMaxTickBytes, false); }
  SUBCASE("CURVE: the cap counts the payload, not CURVE's own bytes") { check_cap(kMaxTickBytes, true); }
  SUBCASE("a small cap") { check_cap(kMaxControlBytes, false); }
  SUBCASE("a small cap with CURVE: the handshake fits under it") { check_cap(kMaxControlBytes, true); }
}

TEST_CASE("a CURVE client with the server's key reaches a CURVE server") {
  zmq::context_t ctx(1);
  const KeyPair server = test::key_pair();
  const KeyPair client = test::key_pair();
  ZapHandler zap(ctx);
  const std::size_t slot = zap.add_socket("orders");
  const std::vector<std::string> allowed{client.public_key};
  const std::string domain = zap.allow(slot, allowed);
  zap.start();

  zmq::socket_t pull(ctx, zmq::socket_type::pull);
  pull.set(zmq::sockopt::linger, 0);
  make_curve_server(pull, {server.secret_key, domain});
  CHECK(uses_curve(pull));
  const std::string endpoint = bind_loopback(pull);
  zmq::socket_t push(ctx, zmq::socket_type::push);
  push.set(zmq::sockopt::linger, 0);
  make_curve_client(push, {server.public_key, client.public_key, client.secret_key});
  CHECK(uses_curve(push));
  push.connect(endpoint);
  push.send(zmq::str_buffer("hello"), zmq::send_flags::none);
  CHECK(receive(pull, 10s) == std::optional<std::string>("hello"));
  CHECK(zap.counts(slot).accepted == 1);
}

TEST_CASE("a CURVE server needs a ZAP domain, and a malformed key is refused") {
  zmq::context_t ctx(1);
  zmq::socket_t s(ctx, zmq::socket_type::pull);
  const KeyPair pair = test::key_pair();
  CHECK_THROWS_AS(make_curve_server(s, {pair.secret_key, ""}), zmq::error_t);
  CHECK_THROWS_AS(make_curve_server(s, {"short", "d"}), zmq::error_t);
  zmq::socket_t c(ctx, zmq::socket_type::push);
  CHECK_THROWS_AS(make_curve_client(c, {"short", pair.public_key, pair.secret_key}), zmq::error_t);
  zmq::socket_t plain(ctx, zmq::socket_type::push);
  CHECK_FALSE(uses_curve(plain));
}

TEST_CASE("a client's key files: none means no CURVE; the secret and the server key go together") {
  testing::ScratchDir dir;
  const KeyPair own = test::key_pair();
  const KeyPair server = test::key_pair();
  const KeyPair other = test::key_pair();
  REQUIRE(write_key_pair(own, dir.file("gw.key"), dir.file("gw.pub")).empty());
  REQUIRE(write_key_pair(server, dir.file("d.key"), dir.file("d.pub")).empty());
  REQUIRE(write_key_pair(other, dir.file("o.key"), dir.file("o.pub")).empty());

  ClientKeysResult r = load_client_keys({});
  CHECK_FALSE(r.keys);
  CHECK(r.error.empty());

  r = load_client_keys({dir.file("gw.key"), dir.file("gw.pub"), dir.file("d.pub")});
  REQUIRE(r.keys);
  CHECK(r.keys->secret_key == own.secret_key);
  CHECK(r.keys->public_key == own.public_key);
  CHECK(r.keys->server_key == server.public_key);
  CHECK(load_client_keys({dir.file("gw.key"), "", dir.file("d.pub")}).keys->public_key == own.public_key);

  CHECK(load_client_keys({dir.file("gw.key"), "", ""}).error ==
        "CURVE needs the server's public key file (the daemon's, from its `ballast keygen`)");
  CHECK(load_client_keys({"", "", dir.file("d.pub")}).error ==
        "CURVE needs this end's secret key file (from `ballast keygen`)");
  CHECK(load_client_keys({"", dir.file("gw.pub"), ""}).error ==
        "CURVE needs this end's secret key file (from `ballast keygen`)");
  CHECK(load_client_keys({dir.file("gw.key"), dir.file("o.pub"), dir.file("d.pub")}).error ==
        "the key in " + dir.file("o.pub") + " is not the public key of the secret key in " + dir.file("gw.key"));
  // The public file (mode 0644) where the secret belongs: refused.
  CHECK_FALSE(load_client_keys({dir.file("gw.pub"), "", dir.file("d.pub")}).keys);
  CHECK_FALSE(load_client_keys({dir.file("gw.key"), "", dir.file("missing.pub")}).keys);
}

TEST_CASE("without a ZAP handler libzmq lets any client key through, which is why the daemon runs one") {
  zmq::context_t ctx(1);
  const KeyPair server = test::key_pair();
  const KeyPair stranger = test::key_pair();
  zmq::socket_t pull(ctx, zmq::socket_type::pull);
  pull.set(zmq::sockopt::linger, 0);
  make_curve_server(pull, {server.secret_key, "no-handler"});
  const std::string endpoint = bind_loopback(pull);
  zmq::socket_t push(ctx, zmq::socket_type::push);
  push.set(zmq::sockopt::linger, 0);
  make_curve_client(push, {server.public_key, stranger.public_key, stranger.secret_key});
  push.connect(endpoint);
  push.send(zmq::str_buffer("let in"), zmq::send_flags::none);
  CHECK(receive(pull, 10s) == std::optional<std::string>("let in"));
}

}  // namespace
}  // namespace test_socket_security
}  // namespace ballast::net
