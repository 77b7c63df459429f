// The ZAP handler on real sockets over loopback: who gets in, who is refused,
// and how refusals are counted and reported.
#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "net/socket_security.hpp"
#include "net/zap_handler.hpp"
#include "tests/net/net_test_support.hpp"

namespace ballast::net {
namespace test_zap_handler {
namespace {

using namespace std::chrono_literals;
using test::bind_loopback;
using test::eventually;
using test::receive;

/// Refusals as the handler reports them, from its thread.
struct Reports {
  std::mutex mutex;
  std::vector<RefusedHandshake> seen;
  ZapHandler::OnRefused callback() {
    return [this](const RefusedHandshake& r) {
      std::lock_guard lock(mutex);
      seen.push_back(r);
    };
  }
  std::vector<RefusedHandshake> snapshot() {
    std::lock_guard lock(mutex);
    return seen;
  }
};

/// A daemon-like end: one CURVE PULL server guarded by a handler.
struct Server {
  zmq::context_t ctx{1};
  Reports reports;
  KeyPair keys = test::key_pair();
  ZapHandler zap{ctx, reports.callback()};
  zmq::socket_t pull{ctx, zmq::socket_type::pull};
  std::size_t slot = 0;
  std::string endpoint;

  explicit Server(const std::vector<std::string>& allowed) {
    slot = zap.add_socket("fills");
    pull.set(zmq::sockopt::linger, 0);
    make_curve_server(pull, {keys.secret_key, zap.allow(slot, allowed)});
    zap.watch(pull, slot);
    endpoint = bind_loopback(pull);
    zap.start();
  }
  ~Server() { pull.close(); }
};

zmq::socket_t client(zmq::context_t& ctx, const std::string& endpoint, const std::string& server_key,
                     const KeyPair* own) {
  zmq::socket_t push(ctx, zmq::socket_type::push);
  push.set(zmq::sockopt::linger, 0);
  if (own) make_curve_client(push, {server_key, own->public_key, own->secret_key});
  push.connect(endpoint);
  return push;
}

TEST_CASE("a listed key gets in; an unlisted key is refused, counted and reported with its key") {
  const KeyPair listed = test::key_pair();
  const KeyPair stranger = test::key_pair();
  Server server({listed.public_key});
  zmq::context_t ctx(1);

  zmq::socket_t rogue = client(ctx, server.endpoint, server.keys.public_key, &stranger);
  rogue.send(zmq::str_buffer("forged"), zmq::send_flags::dontwait);
  CHECK(eventually([&] { return server.zap.counts(server.slot).unlisted_key >= 1; }));

  zmq::socket_t good = client(ctx, server.endpoint, server.keys.public_key, &listed);
  good.send(zmq::str_buffer("real"), zmq::send_flags::none);
  CHECK(receive(server.pull, 10s) == std::optional<std::string>("real"));
  // Nothing the rogue sent is ever delivered.
  CHECK(test::drain(server.pull).empty());

  const HandshakeCounts counts = server.zap.counts(server.slot);
  CHECK(counts.accepted == 1);
  CHECK(counts.failed == 0);
  const auto reports = server.reports.snapshot();
  REQUIRE_FALSE(reports.empty());
  CHECK(reports[0].socket == "fills");
  CHECK(reports[0].reason == Refusal::unlisted_key);
  CHECK(reports[0].detail == stranger.public_key);
  CHECK(reports[0].peer == "127.0.0.1");
  CHECK(server.zap.label(server.slot) == "fills");
}

TEST_CASE("a client without CURVE, or with a wrong server key, fails before ZAP and is counted as failed") {
  Server server({test::key_pair().public_key});
  zmq::context_t ctx(1);
  zmq::socket_t refused;
  SUBCASE("plain") { refused = client(ctx, server.endpoint, "", nullptr); }
  SUBCASE("wrong server key") {
    const KeyPair own = test::key_pair();
    refused = client(ctx, server.endpoint, test::key_pair().public_key, &own);
  }
  refused.send(zmq::str_buffer("refused"), zmq::send_flags::dontwait);
  CHECK(eventually([&] { return server.zap.counts(server.slot).failed >= 1; }));
  CHECK(server.zap.counts(server.slot).accepted == 0);
  CHECK(test::drain(server.pull).empty());
  const auto reports = server.reports.snapshot();
  REQUIRE_FALSE(reports.empty());
  CHECK(reports[0].reason == Refusal::failed);
  CHECK(reports[0].socket == "fills");
  CHECK_FALSE(reports[0].detail.empty());
}

TEST_CASE("each socket has its own allowlist: a publisher's key does not open the order socket") {
  zmq::context_t ctx(1);
  const KeyPair daemon = test::key_pair();
  const KeyPair publisher = test::key_pair();
  const KeyPair gateway = test::key_pair();
  ZapHandler zap(ctx);
  const std::size_t feed_slot = zap.add_socket("feed primary");
  const std::size_t orders_slot = zap.add_socket("orders");
  const std::vector<std::string> publishers{publisher.public_key, "not a key: ignored"};
  const std::vector<std::string> gateways{gateway.public_key};

  zmq::socket_t orders(ctx, zmq::socket_type::push);
  orders.set(zmq::sockopt::linger, 0);
  make_curve_server(orders, {daemon.secret_key, zap.allow(orders_slot, gateways)});
  const std::string orders_endpoint = bind_loopback(orders);
  zmq::socket_t feed(ctx, zmq::socket_type::pull);
  feed.set(zmq::sockopt::linger, 0);
  make_curve_server(feed, {daemon.secret_key, zap.allow(feed_slot, publishers)});
  const std::string feed_endpoint = bind_loopback(feed);
  zap.start();

  // The publisher's key takes no order...
  zmq::socket_t thief(ctx, zmq::socket_type::pull);
  thief.set(zmq::sockopt::linger, 0);
  make_curve_client(thief, {daemon.public_key, publisher.public_key, publisher.secret_key});
  thief.connect(orders_endpoint);
  CHECK(eventually([&] { return zap.counts(orders_slot).unlisted_key >= 1; }));
  // ...the gateway's does...
  zmq::socket_t gw(ctx, zmq::socket_type::pull);
  gw.set(zmq::sockopt::linger, 0);
  make_curve_client(gw, {daemon.public_key, gateway.public_key, gateway.secret_key});
  gw.connect(orders_endpoint);
  orders.send(zmq::str_buffer("order"), zmq::send_flags::none);
  CHECK(receive(gw, 10s) == std::optional<std::string>("order"));
  CHECK(test::drain(thief).empty());
  // ...and the publisher's opens the feed socket.
  zmq::socket_t pub = client(ctx, feed_endpoint, daemon.public_key, &publisher);
  pub.send(zmq::str_buffer("tick"), zmq::send_flags::none);
  CHECK(receive(feed, 10s) == std::optional<std::string>("tick"));
  CHECK(zap.counts(feed_slot).accepted == 1);
  CHECK(zap.counts(feed_slot).unlisted_key == 0);
  CHECK(zap.socket_count() == 2);
  orders.close();
  feed.close();
}

TEST_CASE("a connection libzmq drops for good is reported as abandoned; one it reconnects by itself is not") {
  zmq::context_t ctx(1);
  std::atomic<int> abandoned{0};
  std::atomic<std::size_t> abandoned_slot{99};
  ZapHandler zap(ctx, {}, [&](std::size_t slot) {
    abandoned_slot = slot;
    ++abandoned;
  });
  zmq::socket_t pub(ctx, zmq::socket_type::pub);
  pub.set(zmq::sockopt::linger, 0);
  const std::string endpoint = bind_loopback(pub);
  zmq::socket_t sub(ctx, zmq::socket_type::sub);
  sub.set(zmq::sockopt::linger, 0);
  sub.set(zmq::sockopt::subscribe, "");
  cap_messages(sub, 1024);
  const std::size_t slot = zap.add_socket("feed:x");
  zap.watch(sub, slot, true);
  sub.connect(endpoint);
  zap.start();
  const auto delivered = [&] {
    return eventually([&] {
      pub.send(zmq::str_buffer("tick"), zmq::send_flags::dontwait);
      return receive(sub, 20ms).has_value();
    });
  };
  REQUIRE(delivered());

  // Over the cap: libzmq drops the connection and, as for any protocol error, gives up on it.
  pub.send(zmq::buffer(std::string(2048, 'x')), zmq::send_flags::none);
  REQUIRE(eventually([&] { return abandoned == 1; }));
  CHECK(abandoned_slot == slot);
  // A second connect() alone would be ignored; disconnect first, and it works again.
  sub.disconnect(endpoint);
  sub.connect(endpoint);
  REQUIRE(delivered());

  // The publisher goes away and comes back: libzmq reconnects by itself.
  pub.unbind(endpoint);
  REQUIRE(eventually([&] {
    try {
      pub.bind(endpoint);
      return true;
    } catch (const zmq::error_t&) {
      return false;  // the old listener is still closing
    }
  }));
  REQUIRE(delivered());
  CHECK(abandoned == 1);
  sub.close();
  pub.close();
}

TEST_CASE("a second handler in the same context cannot bind the ZAP endpoint") {
  zmq::context_t ctx(1);
  ZapHandler first(ctx);
  CHECK_THROWS_AS(ZapHandler second(ctx), zmq::error_t);
}

TEST_CASE("a handler that never started closes cleanly, and one that started stops on destruction") {
  {
    zmq::context_t ctx(1);
    ZapHandler idle(ctx);
  }
  zmq::context_t ctx(1);
  ZapHandler running(ctx);
  running.add_socket("x");
  running.start();
}

}  // namespace
}  // namespace test_zap_handler
}  // namespace ballast::net
