// `ballast feed proxy` on real loopback sockets: what it accepts as options,
// ticks forwarded whole from a publisher to every subscriber, an oversized
// message dropped at the socket without ending the feed, and a clean stop.
#include <doctest/doctest.h>

#include <atomic>
#include <sstream>
#include <string>
#include <thread>
#include <zmq.hpp>

#include "cli/feed_proxy.hpp"
#include "net/socket_security.hpp"
#include "tests/support/eventually.hpp"

namespace ballast::cli {
namespace test_feed_proxy {
namespace {

using namespace std::chrono_literals;

FeedProxyOptions options(std::string frontend, std::string backend, bool insecure = false) {
  FeedProxyOptions o;
  o.frontend = std::move(frontend);
  o.backend = std::move(backend);
  o.insecure = insecure;
  return o;
}

TEST_CASE("the proxy accepts endpoints on this machine and refuses others without insecure") {
  CHECK(check_feed_proxy_options(options("tcp://127.0.0.1:5556", "tcp://127.0.0.1:5566")).empty());
  CHECK(check_feed_proxy_options(options("ipc:///run/ballast/feed", "tcp://localhost:5566")).empty());
  CHECK(check_feed_proxy_options(options("inproc://feed", "tcp://[::1]:5566")).empty());
  for (const char* remote : {"tcp://10.0.0.1:5556", "tcp://*:5556", "tcp://eth0:5556", "tcp://md-host:5556"}) {
    INFO(remote);
    CHECK_FALSE(check_feed_proxy_options(options(remote, "tcp://127.0.0.1:5566")).empty());
    CHECK_FALSE(check_feed_proxy_options(options("tcp://127.0.0.1:5556", remote)).empty());
    CHECK(check_feed_proxy_options(options(remote, remote, true)).empty());
  }
  for (const char* bad : {"", "127.0.0.1:5556", "udp://127.0.0.1:5556", "tcp://"}) {
    INFO(bad);
    CHECK_FALSE(check_feed_proxy_options(options(bad, "tcp://127.0.0.1:5566", true)).empty());
    CHECK_FALSE(check_feed_proxy_options(options("tcp://127.0.0.1:5556", bad, true)).empty());
  }
}

TEST_CASE("refused options exit 2 before any socket is opened") {
  std::atomic<bool> stop{true};
  std::ostringstream out, err;
  CHECK(run_feed_proxy(options("tcp://10.0.0.1:5556", "tcp://127.0.0.1:5566"), stop, out, err) == 2);
  CHECK(out.str().empty());
}

/// A publisher, the proxy on its own thread, and two subscribers on ipc endpoints.
struct Rig {
  std::string dir = "/tmp/ballast-proxy-test-" + std::to_string(::getpid());
  std::string front = "ipc://" + dir + "-front";
  std::string back = "ipc://" + dir + "-back";
  zmq::context_t ctx{1};
  zmq::socket_t pub{ctx, zmq::socket_type::pub};
  zmq::socket_t sub_a{ctx, zmq::socket_type::sub};
  zmq::socket_t sub_b{ctx, zmq::socket_type::sub};
  std::atomic<bool> stop{false};
  std::ostringstream out, err;
  int code = -1;
  std::thread proxy;

  Rig() {
    for (auto* s : {&pub, &sub_a, &sub_b}) s->set(zmq::sockopt::linger, 0);
    pub.bind(front);
    proxy = std::thread([this] { code = run_feed_proxy(options(front, back), stop, out, err); });
    for (auto* s : {&sub_a, &sub_b}) {
      s->set(zmq::sockopt::subscribe, "");
      s->connect(back);
    }
  }
  ~Rig() {
    stop = true;
    if (proxy.joinable()) proxy.join();
  }
  void send(const std::string& topic, const std::string& body) {
    pub.send(zmq::buffer(topic), zmq::send_flags::sndmore);
    pub.send(zmq::buffer(body), zmq::send_flags::none);
  }
  /// The next message's frames on `s`, or none.
  static std::vector<std::string> next(zmq::socket_t& s) {
    std::vector<std::string> frames;
    zmq::message_t m;
    if (!s.recv(m, zmq::recv_flags::dontwait)) return frames;
    frames.push_back(m.to_string());
    while (m.more()) {
      (void)s.recv(m);
      frames.push_back(m.to_string());
    }
    return frames;
  }
  /// Publishes `topic`/`body` until each subscriber has one message with that body.
  bool reaches_both(const std::string& topic, const std::string& body) {
    bool a = false, b = false;
    return testing::eventually([&] {
      send(topic, body);
      for (auto [s, seen] : {std::pair{&sub_a, &a}, std::pair{&sub_b, &b}}) {
        for (auto f = next(*s); !f.empty(); f = next(*s)) {
          CHECK(f.size() == 2);
          if (f.size() == 2 && f[1] == body) *seen = true;
        }
      }
      return a && b;
    });
  }
};

TEST_CASE("ticks reach every subscriber whole, an oversized one is dropped, and the feed goes on") {
  Rig rig;
  CHECK(rig.reaches_both("SPY", R"({"price":400})"));
  // Over the 64 KiB cap: the proxy drops the connection that carried it and connects again.
  rig.send("SPY", std::string(net::kMaxTickBytes + 1, 'x'));
  CHECK(rig.reaches_both("SPY", R"({"price":401})"));
  rig.stop = true;
  rig.proxy.join();
  CHECK(rig.code == 0);
  CHECK(rig.err.str().empty());
  CHECK_FALSE(rig.out.str().empty());
}

}  // namespace
}  // namespace test_feed_proxy
}  // namespace ballast::cli
