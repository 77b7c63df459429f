// Fleet monitoring: a million personalised accounts checked on every tick.
// The safe-zone monitor (fleet::FleetMonitor) against the brute force
// (fleet::BruteForceFleet: every holder of the symbol checked on every tick)
// on the same calm feed in the same run, plus the full resync sweep, the
// build time, resident memory and per-tick latency percentiles.
//
// Fleet: ACCOUNTS accounts × 10 holdings over 100 symbols, 40 models (random
// targets leaving 0–5% in cash, absolute bands of 2–5% or relative ones of
// 20–40%, lots of 1 or 0.1, half of them band-edge), band multipliers 0.75–1.5,
// every weight drawn at random inside ±90% of its band (2% of accounts up to
// 110%: in breach at the start, rebalanced by the first resync). With a fifth
// argument "total", every model also has a total band of 10–15%; with
// "volatility", a volatility trigger instead: σ within ±10–15% of its
// targets' (change), under a Σ of σ 15–30% per symbol and correlations of 0.5.
// Feed: a random symbol per tick, its log price moving by N(0, 1 bp).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "fleet/brute_force_fleet.hpp"
#include "fleet/fleet_monitor.hpp"
#include "fleet/model_from_spec.hpp"
#include "fleet/zone_sweep.hpp"

using namespace ballast;
using ballast::bench::load_average;
using ballast::bench::status_kib;
using ballast::bench::thread_cpu_seconds;
using namespace ballast::fleet;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kSymbols = 100;
constexpr std::size_t kModels = 40;
constexpr std::size_t kHoldings = 10;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

enum class Extra { none, total, volatility };

/// The extra trigger on every model, drawn apart, so that the book is otherwise the same.
AccountBook build_book(std::size_t accounts, std::vector<double>& prices, Extra extra) {
  std::mt19937_64 rng(42), total_rng(7), sigma_rng(11);
  // σ per symbol and one correlation for every pair: Σ_ij = ρ σ_i σ_j.
  std::vector<double> sigma(kSymbols);
  for (double& v : sigma) v = 0.15 + 0.15 * std::uniform_real_distribution<double>(0, 1)(sigma_rng);
  constexpr double kCorrelation = 0.5;
  std::uniform_real_distribution<double> unit(0, 1);
  prices.clear();
  for (std::size_t j = 0; j < kSymbols; ++j) prices.push_back(10 + 490 * unit(rng));
  AccountBook book(kSymbols);
  book.reserve(accounts, accounts * kHoldings, accounts * 10);
  for (std::size_t k = 0; k < kModels; ++k) {
    Model m;
    std::vector<core::SymbolId> all(kSymbols);
    for (std::size_t j = 0; j < kSymbols; ++j) all[j] = static_cast<core::SymbolId>(j);
    std::shuffle(all.begin(), all.end(), rng);
    m.symbols.assign(all.begin(), all.begin() + kHoldings);
    double sum = 0;
    for (std::size_t i = 0; i < kHoldings; ++i) sum += m.targets.emplace_back(0.5 + unit(rng));
    const double invested = 0.95 + 0.05 * unit(rng);
    for (double& t : m.targets) t *= invested / sum;
    for (std::size_t i = 0; i < kHoldings; ++i) m.lot_sizes.push_back(k % 2 ? 1.0 : 0.1);
    if (k % 3) m.bands.absolute = 0.02 + 0.03 * unit(rng);
    else m.bands.relative = 0.2 + 0.2 * unit(rng);
    m.rebalance_to = k % 4 < 2 ? strategies::RebalanceTo::band_edge : strategies::RebalanceTo::target;
    m.min_trade_value = 10;
    if (extra == Extra::total) m.bands.total = 0.10 + 0.05 * unit(total_rng);
    if (extra == Extra::volatility) {
      Eigen::MatrixXd cov(kHoldings, kHoldings);
      for (std::size_t i = 0; i < kHoldings; ++i) {
        for (std::size_t j = 0; j < kHoldings; ++j) {
          const double s = sigma[m.symbols[i]] * sigma[m.symbols[j]];
          cov(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = i == j ? s : kCorrelation * s;
        }
      }
      const std::vector<strategies::Trigger> triggers = {
          strategies::VolatilityTrigger{0.10 + 0.05 * unit(total_rng), std::nullopt, std::nullopt}};
      m.volatility = volatility_band(triggers, std::move(cov), m.targets);
    }
    if (auto why = book.add_model(std::move(m))) {
      std::fprintf(stderr, "model refused: %s\n", why->c_str());
      std::exit(1);
    }
  }
  std::vector<double> q(kHoldings);
  char id[32];
  for (std::size_t a = 0; a < accounts; ++a) {
    const auto k = static_cast<ModelIndex>(rng() % kModels);
    const Model& m = book.models()[k];
    const double multiplier = 0.75 + 0.75 * unit(rng);
    const strategies::ThresholdTrigger bands = scaled_bands(m.bands, multiplier);
    const double value = 10'000 + 990'000 * unit(rng);
    const double reach = a % 50 == 0 ? 1.1 : 0.9;
    double invested = 0;
    for (std::size_t i = 0; i < kHoldings; ++i) {
      const double h = band_half_width(bands, m.targets[i]);
      const double w = std::max(0.0, m.targets[i] + reach * h * (2 * unit(rng) - 1));
      q[i] = std::floor(value * w / prices[m.symbols[i]] / m.lot_sizes[i]) * m.lot_sizes[i];
      invested += q[i] * prices[m.symbols[i]];
    }
    const int n = std::snprintf(id, sizeof id, "acct%zu", a);
    if (auto why = book.add_account(std::string_view(id, static_cast<std::size_t>(n)), k,
                                    std::max(0.0, value - invested), q, multiplier)) {
      std::fprintf(stderr, "account refused: %s\n", why->c_str());
      std::exit(1);
    }
  }
  return book;
}

struct Tick {
  core::SymbolId symbol;
  double price;
};

std::vector<Tick> calm_feed(std::vector<double> prices, std::size_t count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> step(0, 1e-4);
  std::vector<Tick> ticks(count);
  for (Tick& t : ticks) {
    t.symbol = static_cast<core::SymbolId>(rng() % prices.size());
    t.price = prices[t.symbol] *= std::exp(step(rng));
  }
  return ticks;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t accounts = argc > 1 ? std::stoul(argv[1]) : 1'000'000;
  const std::size_t tick_count = argc > 2 ? std::stoul(argv[2]) : 2'000'000;
  const std::size_t brute_ticks = argc > 3 ? std::stoul(argv[3]) : 300;
  // Slots on their own zones before a tick rezones (0: the monitor's default).
  const std::size_t rezone_at = argc > 4 ? std::stoul(argv[4]) : 0;
  // "total": every model also has a total band; "volatility", a volatility
  // trigger (fleet/safe_zone.hpp).
  const std::string extra_arg = argc > 5 ? argv[5] : "";
  const Extra extra = extra_arg == "total" ? Extra::total : extra_arg == "volatility" ? Extra::volatility : Extra::none;
  if (!extra_arg.empty() && extra == Extra::none) {
    std::fprintf(stderr, "the fifth argument is \"total\" or \"volatility\", got \"%s\"\n", extra_arg.c_str());
    return 2;
  }

  std::printf("fleet: %zu accounts x %zu holdings over %zu symbols, %zu models%s (load average %s)\n", accounts,
              kHoldings, kSymbols, kModels,
              extra == Extra::total        ? " with total bands"
              : extra == Extra::volatility ? " with volatility triggers"
                                           : "",
              load_average().c_str());
  auto t0 = Clock::now();
  std::vector<double> prices;
  AccountBook book = build_book(accounts, prices, extra);
  const double book_s = seconds_since(t0);
  t0 = Clock::now();
  FleetMonitor monitor(std::move(book), prices);
  monitor.set_rezone_at(rezone_at);
  const double index_s = seconds_since(t0);
  t0 = Clock::now();
  FleetOutput out;
  monitor.resync(out);
  const double first_resync_s = seconds_since(t0);
  std::printf("build: book %.2f s, zone index %.3f s, first resync %.3f s (%zu accounts rebalanced)\n", book_s,
              index_s, first_resync_s, out.rebalances.size());
  const long rss_kib = status_kib("VmRSS");
  const long hwm_kib = status_kib("VmHWM");
  std::printf("memory: VmRSS %.1f MB, VmHWM %.1f MB; arrays %.1f MB (%.0f bytes per account)\n", rss_kib / 1024.0,
              hwm_kib / 1024.0, static_cast<double>(monitor.memory_bytes()) / (1 << 20),
              static_cast<double>(monitor.memory_bytes()) / static_cast<double>(accounts));
  std::size_t unbounded = 0, always = 0;
  std::vector<double> radii;
  for (AccountIndex a = 0; a < accounts; ++a) {
    const float r = monitor.zone_radius(a);
    if (std::isinf(r)) (r > 0 ? unbounded : always) += 1;
    else radii.push_back(r);
  }
  std::printf("zones: radius p1 %.4f, p50 %.4f; %zu accounts checked on every tick, %zu never\n",
              bench::percentile(radii, 0.01), bench::percentile(radii, 0.5), always, unbounded);

  // The brute force starts from the same book and prices, after the first resync.
  const std::vector<Tick> ticks = calm_feed(prices, tick_count, 7);
  const std::vector<Tick> latency_ticks = calm_feed(prices, 200'000, 8);

  // Throughput: the whole feed, no clock per tick.
  BruteForceFleet brute(monitor.book(), std::vector<double>(monitor.prices().begin(), monitor.prices().end()));
  const std::size_t n_brute = std::min(brute_ticks, ticks.size());
  std::size_t brute_rebalances = 0;
  t0 = Clock::now();
  for (std::size_t i = 0; i < n_brute; ++i) {
    out.clear();
    brute.on_tick(ticks[i].symbol, ticks[i].price, out);
    brute_rebalances += out.rebalances.size();
  }
  const double brute_s = seconds_since(t0);

  std::size_t monitor_rebalances_first = 0, monitor_rebalances = 0;
  const double cpu0 = thread_cpu_seconds();
  t0 = Clock::now();
  for (std::size_t i = 0; i < ticks.size(); ++i) {
    out.clear();
    monitor.on_tick(ticks[i].symbol, ticks[i].price, out);
    monitor_rebalances += out.rebalances.size();
    if (i + 1 == n_brute) monitor_rebalances_first = monitor_rebalances;
  }
  const double monitor_s = seconds_since(t0);
  const double monitor_cpu_s = thread_cpu_seconds() - cpu0;
  std::printf(
      "calm feed, %zu ticks: safe zones %.0f ticks/s (%.3f us/tick; %.0f ticks per CPU second), "
      "%llu accounts checked, %zu rebalances, %llu rezones (at %zu slots)\n",
      ticks.size(), static_cast<double>(ticks.size()) / monitor_s, monitor_s * 1e6 / static_cast<double>(ticks.size()),
      static_cast<double>(ticks.size()) / monitor_cpu_s,
      static_cast<unsigned long long>(monitor.counters().evaluations), monitor_rebalances,
      static_cast<unsigned long long>(monitor.counters().rezones), monitor.rezone_at());
  std::printf("brute force, first %zu ticks: %.0f ticks/s (%.3f ms/tick), %zu rebalances (safe zones: %zu)\n",
              n_brute, static_cast<double>(n_brute) / brute_s, brute_s * 1e3 / static_cast<double>(n_brute),
              brute_rebalances, monitor_rebalances_first);
  std::printf("speed-up: %.0fx per tick\n",
              (brute_s / static_cast<double>(n_brute)) / (monitor_s / static_cast<double>(ticks.size())));

  // Latency: tick in → its rebalances out, one clock pair per tick.
  std::vector<double> ns;
  ns.reserve(latency_ticks.size());
  for (const Tick& t : latency_ticks) {
    out.clear();
    const auto a = Clock::now();
    monitor.on_tick(t.symbol, t.price, out);
    ns.push_back(std::chrono::duration<double, std::nano>(Clock::now() - a).count());
  }
  std::printf("latency over %zu ticks: p50 %.0f ns, p99 %.0f ns, p99.9 %.0f ns, max %.0f ns\n", ns.size(),
              bench::percentile(ns, 0.5), bench::percentile(ns, 0.99), bench::percentile(ns, 0.999),
              bench::percentile(ns, 1.0));

  // The full resync sweep: every account weighed, every zone rebuilt; on
  // one thread, then on two.
  std::printf("resync sweep kernel: %s\n",
              ZoneSweep(monitor.book(), prices).wide() ? "four assets at a time (AVX2)" : "two assets at a time (SSE)");
  for (const unsigned threads : {1u, 2u}) {
    monitor.set_threads(threads);
    std::vector<double> sweeps, cpu;
    for (int i = 0; i < 7; ++i) {
      out.clear();
      t0 = Clock::now();
      const double c0 = thread_cpu_seconds();
      monitor.resync(out);
      cpu.push_back((thread_cpu_seconds() - c0) * 1e3);
      sweeps.push_back(seconds_since(t0) * 1e3);
    }
    // The calling thread's CPU time: with one thread, the whole sweep's;
    // with two, its own share (the other thread's is not counted).
    std::printf("resync sweep, %u thread%s: median %.1f ms, best %.1f ms (7 runs); "
                "caller's CPU median %.1f ms, best %.1f ms\n",
                threads, threads > 1 ? "s" : "", bench::percentile(sweeps, 0.5), bench::percentile(sweeps, 0.0),
                bench::percentile(cpu, 0.5), bench::percentile(cpu, 0.0));
  }
  std::printf("VmHWM at the end (brute force's copy of the book included): %.1f MB\n",
              status_kib("VmHWM") / 1024.0);
  return 0;
}
