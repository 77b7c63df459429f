// Ingest throughput: two-frame JSON ticks for a 10-asset portfolio, absorbed by
// ballastd, side by side with raw ZeroMQ (the same publisher, a SUB that only
// counts) in the same run.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "bench/bench_common.hpp"
#include "tests/integration/support.hpp"

using namespace ballast;
using namespace std::chrono;

namespace {

std::vector<std::string> make_payloads(std::size_t n) {
  // Small moves around 100 so that no band is crossed: this measures ingest, not trading.
  std::vector<std::string> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    char buf[96];
    std::snprintf(buf, sizeof buf, R"({"price":%.4f,"bid":%.4f,"ask":%.4f})", 100 + 0.001 * double(i % 97),
                  99.99 + 0.001 * double(i % 97), 100.01 + 0.001 * double(i % 97));
    out.emplace_back(buf);
  }
  return out;
}

void publish_all(zmq::socket_t& pub, const std::vector<std::string>& syms, const std::vector<std::string>& payloads,
                 std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    const std::string& s = syms[i % syms.size()];
    pub.send(zmq::buffer(s), zmq::send_flags::sndmore);
    pub.send(zmq::buffer(payloads[i % payloads.size()]), zmq::send_flags::none);
  }
}

double raw_zmq_rate(std::size_t count, const std::vector<std::string>& syms, const std::vector<std::string>& payloads) {
  zmq::context_t ctx(1);
  zmq::socket_t pub(ctx, zmq::socket_type::pub);
  pub.set(zmq::sockopt::sndhwm, 0);
  const std::string ep = "tcp://127.0.0.1:" + std::to_string(testing::free_port());
  pub.bind(ep);
  std::atomic<bool> ready{false};
  std::atomic<std::size_t> got{0};
  steady_clock::time_point first, last;
  std::thread sub_thread([&] {
    zmq::socket_t sub(ctx, zmq::socket_type::sub);
    sub.set(zmq::sockopt::rcvhwm, 100'000);
    sub.set(zmq::sockopt::subscribe, "");
    sub.connect(ep);
    zmq::message_t topic, body;
    ready = true;
    std::size_t n = 0;
    while (n < count + 1) {
      if (!sub.recv(topic)) continue;
      (void)sub.recv(body);
      if (topic.to_string_view() == "WARM") continue;
      if (n == 0) first = steady_clock::now();
      ++n;
    }
    last = steady_clock::now();
    got = n;
  });
  // Markers the SUB ignores, sent while its subscription travels to the PUB.
  while (!ready) std::this_thread::yield();
  for (int i = 0; i < 200; ++i) {
    pub.send(zmq::str_buffer("WARM"), zmq::send_flags::sndmore);
    pub.send(zmq::str_buffer("{}"), zmq::send_flags::none);
    std::this_thread::sleep_for(1ms);
  }
  publish_all(pub, syms, payloads, count + 1);
  sub_thread.join();
  return double(count) / duration<double>(last - first).count();
}

double received(testing::DaemonHarness& d) { return testing::num(d.status()["feeds"].at(0)["received"]); }

}  // namespace

int main(int argc, char** argv) {
  const std::size_t count = argc > 1 ? std::stoul(argv[1]) : 2'000'000;
  const auto syms = bench::ten_symbols();
  const auto payloads = make_payloads(1000);
  std::printf("ingest: %zu two-frame JSON ticks over tcp loopback, 10 symbols, one 10-asset portfolio\n", count);

  const double raw = raw_zmq_rate(count, syms, payloads);
  std::printf("  raw ZeroMQ SUB (count only): %10.0f ticks/s\n", raw);

  testing::DaemonHarness d(bench::ten_asset_portfolio(0.5), "", "", "", false);
  d.start();
  for (const auto& s : syms) d.prime(s, 100);
  const double before = received(d);
  const auto t0 = steady_clock::now();
  publish_all(d.publisher(), syms, payloads, count);
  const bool done = testing::eventually([&] { return received(d) >= before + double(count); }, 300s);
  const auto t1 = steady_clock::now();
  const double after = received(d);
  const double daemon_rate = (after - before) / duration<double>(t1 - t0).count();
  std::printf("  ballastd (decode, hygiene, drift check): %10.0f ticks/s%s\n", daemon_rate,
              done ? "" : " (did not absorb them all)");
  std::printf("  ratio: %.0f%% of raw (target >= 60%%)\n", 100.0 * daemon_rate / raw);
  std::printf("  ballastd resident memory after the run: %ld KiB\n", bench::rss_kib(d.process->pid()));
  return 0;
}
