#include "execution/io/order_sender.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

namespace test_order_sender {

using ballast::execution::OrderSender;
using ballast::execution::OrderSenderOptions;

namespace {

using Clock = std::chrono::steady_clock;

std::string order_json(int i) { return R"({"order_id":"o-)" + std::to_string(i) + R"("})"; }

// Receives until `count` frames arrived or the deadline passed, flushing the
// sender between attempts as the daemon's timer would.
std::vector<std::string> collect(zmq::socket_t& pull, OrderSender& sender, std::size_t count) {
  std::vector<std::string> got;
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  zmq::message_t msg;
  while (got.size() < count && Clock::now() < deadline) {
    sender.flush();
    if (pull.recv(msg, zmq::recv_flags::none)) got.emplace_back(static_cast<const char*>(msg.data()), msg.size());
  }
  return got;
}

}  // namespace

TEST_CASE("orders wait in the queue until a gateway connects, then arrive in order") {
  zmq::context_t ctx;
  OrderSender sender(ctx, "tcp://127.0.0.1:*");
  const std::string endpoint = sender.endpoint();
  CHECK(endpoint.rfind("tcp://127.0.0.1:", 0) == 0);

  constexpr int kCount = 100;
  for (int i = 0; i < kCount; ++i) CHECK_FALSE(sender.send(order_json(i)));
  CHECK(sender.queued() == static_cast<std::size_t>(kCount));
  CHECK(sender.sent() == 0);
  CHECK(sender.flush() == 0);

  zmq::socket_t pull(ctx, zmq::socket_type::pull);
  pull.set(zmq::sockopt::rcvtimeo, 20);
  pull.connect(endpoint);
  const std::vector<std::string> got = collect(pull, sender, kCount);
  REQUIRE(got.size() == static_cast<std::size_t>(kCount));
  for (int i = 0; i < kCount; ++i) CHECK(got[i] == order_json(i));
  CHECK(sender.queued() == 0);
  CHECK(sender.sent() == static_cast<std::uint64_t>(kCount));
  CHECK(sender.error() == 0);
}

TEST_CASE("a send while older orders are queued joins the end of the queue") {
  zmq::context_t ctx;
  OrderSender sender(ctx, "inproc://sender-order");
  CHECK_FALSE(sender.send(order_json(0)));
  CHECK_FALSE(sender.send(order_json(1)));

  zmq::socket_t pull(ctx, zmq::socket_type::pull);
  pull.set(zmq::sockopt::rcvtimeo, 20);
  pull.connect("inproc://sender-order");
  // Whether or not the pipe is attached yet, the new order goes after the old ones.
  sender.send(order_json(2));
  const std::vector<std::string> got = collect(pull, sender, 3);
  CHECK(got == std::vector<std::string>{order_json(0), order_json(1), order_json(2)});
}

TEST_CASE("at the high-water mark orders queue in memory and none is lost") {
  zmq::context_t ctx;
  OrderSenderOptions options;
  options.send_hwm = 5;
  OrderSender sender(ctx, "inproc://sender-hwm", options);
  zmq::socket_t pull(ctx, zmq::socket_type::pull);
  pull.set(zmq::sockopt::rcvhwm, 5);
  pull.set(zmq::sockopt::rcvtimeo, 20);
  pull.connect("inproc://sender-hwm");

  constexpr int kCount = 1000;
  for (int i = 0; i < kCount; ++i) sender.send(order_json(i));
  CHECK(sender.queued() > 0);  // the gateway has not read anything yet
  const std::vector<std::string> got = collect(pull, sender, kCount);
  REQUIRE(got.size() == static_cast<std::size_t>(kCount));
  bool in_order = true;
  for (int i = 0; i < kCount; ++i) in_order = in_order && got[i] == order_json(i);
  CHECK(in_order);
  CHECK(sender.queued() == 0);
}

TEST_CASE("a connecting sender hands orders to ZeroMQ, which delivers them once the gateway binds") {
  zmq::context_t ctx;
  OrderSenderOptions options;
  options.connect = true;
  OrderSender sender(ctx, "inproc://sender-connect", options);
  for (int i = 0; i < 3; ++i) sender.send(order_json(i));

  zmq::socket_t pull(ctx, zmq::socket_type::pull);
  pull.set(zmq::sockopt::rcvtimeo, 20);
  pull.bind("inproc://sender-connect");
  const std::vector<std::string> got = collect(pull, sender, 3);
  CHECK(got == std::vector<std::string>{order_json(0), order_json(1), order_json(2)});
}

TEST_CASE("flush_for waits for a gateway within its timeout") {
  zmq::context_t ctx;
  OrderSender sender(ctx, "tcp://127.0.0.1:*");
  sender.send(order_json(0));
  // Nobody connected: the wait ends at the timeout with the order still queued.
  const auto start = Clock::now();
  CHECK(sender.flush_for(std::chrono::milliseconds(50)) == 0);
  CHECK(Clock::now() - start >= std::chrono::milliseconds(45));
  CHECK(sender.queued() == 1);

  zmq::socket_t pull(ctx, zmq::socket_type::pull);
  pull.set(zmq::sockopt::rcvtimeo, 5000);
  pull.connect(sender.endpoint());
  CHECK(sender.flush_for(std::chrono::seconds(20)) == 1);
  zmq::message_t msg;
  REQUIRE(pull.recv(msg));
  CHECK(msg.to_string() == order_json(0));
}

}  // namespace test_order_sender
