// Tick → order latency: inside ballastd (receipt of the tick to the order handed
// to ZeroMQ, per order) and end to end over loopback (publish to receipt of the
// first order), side by side with a raw ZeroMQ echo of the same path.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "bench/bench_common.hpp"
#include "tests/integration/support.hpp"

using namespace ballast;
using namespace std::chrono;

namespace {

constexpr int kWarmup = 200;

std::vector<double> raw_echo(int iterations) {
  zmq::context_t ctx(1);
  zmq::socket_t pub(ctx, zmq::socket_type::pub);
  zmq::socket_t pull(ctx, zmq::socket_type::pull);
  const std::string feed = "tcp://127.0.0.1:" + std::to_string(testing::free_port());
  const std::string orders = "tcp://127.0.0.1:" + std::to_string(testing::free_port());
  pub.bind(feed);
  pull.connect(orders);
  std::atomic<bool> stop{false};
  std::thread echo([&] {
    zmq::socket_t sub(ctx, zmq::socket_type::sub);
    zmq::socket_t push(ctx, zmq::socket_type::push);
    sub.set(zmq::sockopt::subscribe, "");
    sub.set(zmq::sockopt::rcvtimeo, 100);
    sub.connect(feed);
    push.bind(orders);
    zmq::message_t topic, body;
    while (!stop) {
      if (!sub.recv(topic)) continue;
      (void)sub.recv(body);
      push.send(body, zmq::send_flags::none);
    }
  });
  pull.set(zmq::sockopt::rcvtimeo, 50);
  // Wait until the echo path carries a message.
  zmq::message_t msg;
  for (;;) {
    pub.send(zmq::str_buffer("S0"), zmq::send_flags::sndmore);
    pub.send(zmq::str_buffer(R"({"price":100})"), zmq::send_flags::none);
    if (pull.recv(msg)) break;
  }
  while (pull.recv(msg, zmq::recv_flags::dontwait)) {
  }
  pull.set(zmq::sockopt::rcvtimeo, 1000);
  std::vector<double> us;
  for (int i = 0; i < iterations + kWarmup; ++i) {
    const auto t0 = steady_clock::now();
    pub.send(zmq::str_buffer("S0"), zmq::send_flags::sndmore);
    pub.send(zmq::str_buffer(R"({"price":200})"), zmq::send_flags::none);
    if (!pull.recv(msg)) continue;
    if (i >= kWarmup) us.push_back(duration<double, std::micro>(steady_clock::now() - t0).count());
    std::this_thread::sleep_for(200us);
  }
  stop = true;
  echo.join();
  return us;
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::stoi(argv[1]) : 5000;
  std::printf("latency: %d ticks, each crossing a 5%% band of a 10-asset portfolio (about 10 orders each)\n",
              iterations);
  const auto raw = raw_echo(iterations);
  std::printf("  raw ZeroMQ echo (PUB->SUB->PUSH->PULL): p50 %7.1f us  p99 %7.1f us\n", bench::percentile(raw, 0.5),
              bench::percentile(raw, 0.99));

  testing::DaemonHarness d(bench::ten_asset_portfolio(0.05));
  d.start();
  const auto syms = bench::ten_symbols();
  for (const auto& s : syms) d.prime(s, 100);
  std::vector<double> first_us;
  int missing = 0;
  for (int i = 0; i < iterations + kWarmup; ++i) {
    // Alternate S0 between 100 and 300: each tick breaches the band and rebalances.
    const std::string json = i % 2 == 0 ? R"({"price":300})" : R"({"price":100})";
    const auto t0 = steady_clock::now();
    d.publish("S0", json);
    const bool got = !d.next_order(1000ms).empty();
    const auto t1 = steady_clock::now();
    if (!got) {
      ++missing;
      continue;
    }
    if (i >= kWarmup) first_us.push_back(duration<double, std::micro>(t1 - t0).count());
    // Drain the rest of this rebalance's orders before the next tick.
    while (!d.next_order(20ms).empty()) {
    }
  }
  if (missing) std::printf("  %d ticks produced no order within 1 s\n", missing);
  auto s = d.status();
  auto lat = s["execution"]["latency_us"];
  std::printf("  ballastd in-daemon, receipt->send per order (%.0f orders): p50 %6.2f us  p99 %6.2f us  max %7.1f us\n",
              testing::num(lat["count"]), testing::num(lat["p50"]), testing::num(lat["p99"]),
              testing::num(lat["max"]));
  std::printf("  ballastd end to end, publish->first order received:      p50 %7.1f us  p99 %7.1f us\n",
              bench::percentile(first_us, 0.5), bench::percentile(first_us, 0.99));
  std::printf("  targets: in-daemon p99 <= 20 us; end-to-end p99 <= 150 us\n");
  return 0;
}
