// Monte Carlo throughput: 10,000 paths × 252 daily steps × 10 assets × 5
// policies through the engine, on 1 and 2 threads, against the same run's
// baselines: the paths alone (generation), and a plain loop that values five
// fixed portfolios and rebalances them monthly without the engine.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "offline/market.hpp"
#include "offline/paths.hpp"
#include "offline/simulate.hpp"

using namespace ballast;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kAssets = 10;

std::string symbol(int i) { return "S" + std::to_string(i); }

/// Ten assets, five policies over all of them, and the market in [simulation].
std::string config_text() {
  std::string targets = "{ ", vols = "{ ", mus = "{ ", corr = "{ ";
  for (int i = 0; i < kAssets; ++i) {
    const std::string sep = i ? ", " : "";
    targets += sep + symbol(i) + " = 0.1";
    vols += sep + symbol(i) + " = " + std::to_string(0.05 + 0.02 * i);
    mus += sep + symbol(i) + " = " + std::to_string(0.03 + 0.005 * i);
    for (int j = i + 1; j < kAssets; ++j) corr += std::string(corr.size() > 2 ? ", " : "") + "\"" + symbol(i) + ":" + symbol(j) + "\" = 0.3";
  }
  targets += " }";
  vols += " }";
  mus += " }";
  corr += " }";
  const std::string head = "cash = 1000000.0\ntargets = " + targets + "\nmin_trade_value = 500.0\n";
  return "[simulation]\nexpected_returns = " + mus + "\nvolatilities = " + vols + "\ncorrelations = " + corr +
         "\n\n[[portfolios]]\nid = \"monthly\"\n" + head +
         "[[portfolios.triggers]]\nkind = \"calendar\"\nevery = \"1mo\"\n"
         "\n[[portfolios]]\nid = \"bands\"\n" + head +
         "[[portfolios.triggers]]\nkind = \"threshold\"\nabsolute = 0.02\n"
         "\n[[portfolios]]\nid = \"hold\"\n" + head +
         "[portfolios.model]\nkind = \"buy-and-hold\"\n"
         "\n[[portfolios]]\nid = \"insured\"\n" + head +
         "[portfolios.model]\nkind = \"cppi\"\nsafe = \"S0\"\nfloor = 0.8\nmultiplier = 3.0\n"
         "[[portfolios.triggers]]\nkind = \"threshold\"\nabsolute = 0.03\n"
         "\n[[portfolios]]\nid = \"costaware\"\n" + head +
         "[portfolios.risk]\nvolatilities = " + vols + "\ncorrelations = " + corr + "\n"
         "[[portfolios.triggers]]\nkind = \"dynamic\"\nrisk_aversion = 4.0\nhorizon = \"365d\"\ncost_bps = 10\n";
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// Generates every path on `threads` threads, as the runner's workers would; a checksum keeps it honest.
double generate_all(const offline::PathSource& source, std::size_t paths, std::size_t steps, unsigned threads) {
  std::vector<double> sums(threads, 0.0);
  auto work = [&](unsigned t) {
    std::vector<double> buf((steps + 1) * source.assets());
    for (std::size_t p = t; p < paths; p += threads) {
      source.fill(p, steps, buf);
      sums[t] += buf.back();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  double s = 0;
  for (const double x : sums) s += x;
  return s;
}

/// Five equal-weight portfolios valued every step and rebalanced every 21 steps
/// in plain arrays: what the arithmetic costs without the engine.
double naive_loop(const offline::PathSource& source, std::size_t paths, std::size_t steps) {
  const std::size_t n = source.assets();
  std::vector<double> buf((steps + 1) * n);
  std::vector<double> q(5 * n);
  double sink = 0;
  for (std::size_t p = 0; p < paths; ++p) {
    source.fill(p, steps, buf);
    for (std::size_t k = 0; k <= steps; ++k) {
      const double* px = buf.data() + k * n;
      for (std::size_t j = 0; j < 5; ++j) {
        double* qj = q.data() + j * n;
        double value = 0;
        for (std::size_t i = 0; i < n; ++i) value += k == 0 ? 1e5 : qj[i] * px[i];
        if (k % 21 == 0) {
          for (std::size_t i = 0; i < n; ++i) qj[i] = value / static_cast<double>(n) / px[i];
        }
        sink += value;
      }
    }
  }
  return sink;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t paths = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 10'000;
  const config::LoadResult loaded = config::parse_config(config_text(), "bench.toml", config::Purpose::offline);
  if (!loaded.config) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    return 1;
  }
  const config::Config& cfg = *loaded.config;
  const offline::ClockResult clock = offline::make_clock(core::Period{0, 12}, core::Period{core::kNanosPerDay, 0});
  offline::MarketResult market = offline::gbm_market(cfg);
  auto made = offline::GbmPaths::create(std::move(*market.market), 1 / clock.clock->steps_per_year, 1);
  const offline::GbmPaths& source = *made.paths;
  const std::size_t steps = clock.clock->steps;
  const std::size_t policies = cfg.portfolios.size();
  std::printf("simulate: %zu paths x %zu steps x %d assets x %zu policies (%u hardware threads)\n", paths, steps,
              kAssets, policies, std::thread::hardware_concurrency());

  for (const unsigned threads : {1u, 2u}) {
    const auto t0 = Clock::now();
    const double sum = generate_all(source, paths, steps, threads);
    const double s = seconds_since(t0);
    std::printf("  paths alone (GBM), %u thread%s:  %6.2f s  %8.0f paths/s%s\n", threads, threads == 1 ? " " : "s",
                s, static_cast<double>(paths) / s, std::isfinite(sum) ? "" : "!");
  }
  {
    const auto t0 = Clock::now();
    const double sink = naive_loop(source, paths, steps);
    const double s = seconds_since(t0);
    std::printf("  plain monthly loop, no engine, 1 thread:  %6.2f s  %8.0f paths/s%s\n", s,
                static_cast<double>(paths) / s, std::isfinite(sink) ? "" : "!");
  }

  double seconds[2] = {0, 0};
  double first_mean = 0;
  for (const unsigned threads : {1u, 2u}) {
    offline::SimulationOptions o;
    o.paths = paths;
    o.clock = *clock.clock;
    o.threads = threads;
    const auto t0 = Clock::now();
    const offline::SimulationResult r = offline::simulate(cfg.portfolios, source, o);
    const double s = seconds_since(t0);
    seconds[threads - 1] = s;
    if (!r.error.empty()) {
      std::fprintf(stderr, "%s\n", r.error.c_str());
      return 1;
    }
    if (threads == 1) first_mean = r.policies[0].terminal_mean;
    const double policy_steps = static_cast<double>(paths * steps * policies);
    std::printf("  engine, %u thread%s:               %6.2f s  %8.0f paths/s  %5.0f ns per policy-step%s\n", threads,
                threads == 1 ? " " : "s", s, static_cast<double>(paths) / s, 1e9 * s * threads / policy_steps,
                r.policies[0].terminal_mean == first_mean ? "" : "  (results differ!)");
    if (threads == 2) {
      std::printf("    rebalances per path-year:");
      for (const auto& p : r.policies) std::printf(" %s %.1f", p.id.c_str(), p.rebalances_per_year);
      std::printf("\n");
    }
  }
  std::printf("  scaling 1 -> 2 threads: %.2fx\n", seconds[0] / seconds[1]);

  // One engine per policy instead of one for all: each policy on its own run
  // (the paths are drawn again for each, so their generation is counted five times).
  {
    double total = 0;
    for (const auto& spec : cfg.portfolios) {
      offline::SimulationOptions o;
      o.paths = paths;
      o.clock = *clock.clock;
      o.threads = 2;
      const auto t0 = Clock::now();
      const offline::SimulationResult r = offline::simulate({spec}, source, o);
      total += seconds_since(t0);
      if (!r.error.empty()) return 1;
    }
    std::printf("  one engine per policy, 2 threads, paths drawn per policy: %6.2f s\n", total);
  }
  return 0;
}
