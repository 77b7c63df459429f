// The streaming risk model alone: cost of one EWMA covariance update per
// sample, cost of observe() on a tick with no sample due, and allocations on
// both paths, against a naive baseline that recomputes the sample covariance
// of a 250-sample window at every sample.
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "strategies/risk_model.hpp"

using namespace ballast;
using namespace std::chrono;

// Every heap allocation in the process goes through malloc (operator new and
// Eigen's aligned allocator alike), so counting it here proves the hot paths
// allocation-free. Sanitizers bring their own malloc; leave it to them.
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define BALLAST_BENCH_COUNT_MALLOC 1
namespace {
std::size_t g_mallocs = 0;
}
extern "C" void* __libc_malloc(std::size_t size);
extern "C" void* malloc(std::size_t size) {
  ++g_mallocs;
  return __libc_malloc(size);
}
#else
namespace {
std::size_t g_mallocs = 0;  // stays 0: nothing counts
}
#endif

namespace {

constexpr std::size_t kWindow = 250;
constexpr core::DurationNs kDay = strategies::kNanosPerDay;

/// Keeps the optimiser from hoisting or dropping work on `p`'s object.
inline void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

std::vector<double> random_prices(std::size_t rows, std::size_t assets, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0.0, 0.01);
  std::vector<double> out(rows * assets);
  std::vector<double> log_p(assets, std::log(100.0));
  for (std::size_t r = 0; r < rows; ++r) {
    const double common = z(rng);
    for (std::size_t i = 0; i < assets; ++i) {
      if (r > 0) log_p[i] += 0.5 * common + z(rng);
      out[r * assets + i] = std::exp(log_p[i]);
    }
  }
  return out;
}

struct Figures {
  double ns = 0;
  double mallocs = 0;  ///< per call
};

/// EWMA: observe() on one row per grid time, so every call is a sample.
Figures ewma_update(std::size_t n, const std::vector<double>& prices, std::size_t rows) {
  std::size_t calls = 0;
  std::size_t mallocs = 0;
  double seconds = 0;
  while (seconds < 0.3) {
    strategies::EwmaRiskModel m(n, strategies::RiskModelParams{});
    m.observe(0, std::span<const double>(prices.data(), n));
    const std::size_t before = g_mallocs;
    const auto t0 = steady_clock::now();
    for (std::size_t r = 1; r < rows; ++r) {
      m.observe(static_cast<core::TimeNs>(r) * kDay, std::span<const double>(prices.data() + r * n, n));
    }
    seconds += duration<double>(steady_clock::now() - t0).count();
    mallocs += g_mallocs - before;
    calls += rows - 1;
    escape(&m);
  }
  return {1e9 * seconds / static_cast<double>(calls), static_cast<double>(mallocs) / static_cast<double>(calls)};
}

/// EWMA: observe() on ticks that fall between two grid times.
Figures ewma_tick(std::size_t n, const std::vector<double>& prices) {
  strategies::EwmaRiskModel m(n, strategies::RiskModelParams{});
  const std::span<const double> row(prices.data(), n);
  m.observe(0, row);
  m.observe(kDay, std::span<const double>(prices.data() + n, n));
  constexpr std::size_t ticks = 50'000'000;
  const std::size_t before = g_mallocs;
  const auto t0 = steady_clock::now();
  for (std::size_t i = 0; i < ticks; ++i) {
    m.observe(kDay + 1 + static_cast<core::TimeNs>(i & 0xffff), row);
    escape(&m);
  }
  const double seconds = duration<double>(steady_clock::now() - t0).count();
  if (m.samples() != 1) std::printf("  (unexpected: a tick between grid times took a sample)\n");
  return {1e9 * seconds / ticks, static_cast<double>(g_mallocs - before) / ticks};
}

/// Baseline: keep the last 250 returns and recompute their sample covariance
/// (mean removed, divided by W − 1) from scratch at every sample.
Figures naive_window(std::size_t n, const std::vector<double>& prices, std::size_t rows) {
  const auto cols = static_cast<Eigen::Index>(n);
  Eigen::MatrixXd window = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(kWindow), cols);
  Eigen::MatrixXd cov(cols, cols);
  Eigen::VectorXd log_prev(cols);
  for (Eigen::Index i = 0; i < cols; ++i) log_prev[i] = std::log(prices[static_cast<std::size_t>(i)]);
  std::size_t calls = 0;
  std::size_t mallocs = 0;
  double seconds = 0;
  std::size_t r = 1;
  while (seconds < 0.3 || calls < 3) {
    const double* row = prices.data() + r * n;
    const std::size_t before = g_mallocs;
    const auto t0 = steady_clock::now();
    const auto slot = static_cast<Eigen::Index>(calls % kWindow);
    for (Eigen::Index i = 0; i < cols; ++i) {
      const double lp = std::log(row[i]);
      window(slot, i) = lp - log_prev[i];
      log_prev[i] = lp;
    }
    const Eigen::MatrixXd centred = window.rowwise() - window.colwise().mean();
    cov.noalias() = centred.transpose() * centred / static_cast<double>(kWindow - 1);
    seconds += duration<double>(steady_clock::now() - t0).count();
    mallocs += g_mallocs - before;
    escape(cov.data());
    ++calls;
    r = r + 1 < rows ? r + 1 : 1;
  }
  return {1e9 * seconds / static_cast<double>(calls), static_cast<double>(mallocs) / static_cast<double>(calls)};
}

/// Reading the estimate (off the tick path: status, target models).
double read_cost(std::size_t n, const std::vector<double>& prices, std::size_t rows) {
  strategies::EwmaRiskModel m(n, strategies::RiskModelParams{});
  for (std::size_t r = 0; r < rows; ++r) {
    m.observe(static_cast<core::TimeNs>(r) * kDay, std::span<const double>(prices.data() + r * n, n));
  }
  const std::size_t reads = n >= 500 ? 200 : 5'000;
  const auto t0 = steady_clock::now();
  for (std::size_t i = 0; i < reads; ++i) {
    const auto e = m.estimate();
    escape(e.cov_annual.data());
  }
  return 1e9 * duration<double>(steady_clock::now() - t0).count() / static_cast<double>(reads);
}

#ifdef BALLAST_BENCH_COUNT_MALLOC
constexpr bool kCounting = true;
#else
constexpr bool kCounting = false;
#endif

std::string allocs(double per_call) {
  if (!kCounting) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", per_call);
  return buf;
}

std::string human(double ns) {
  char buf[32];
  if (ns < 1e3) {
    std::snprintf(buf, sizeof buf, "%.2f ns", ns);
  } else if (ns < 1e6) {
    std::snprintf(buf, sizeof buf, "%.2f us", ns / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f ms", ns / 1e6);
  }
  return buf;
}

}  // namespace

int main() {
  std::printf("risk model: EWMA update vs naive %zu-sample window recomputation, per sample;\n", kWindow);
  std::printf("observe() on a tick with no sample due; estimate() = annualised N x N snapshot\n");
#ifndef BALLAST_BENCH_COUNT_MALLOC
  std::printf("(allocation counts unavailable under sanitizers)\n");
#endif
  std::printf("%6s | %14s %8s | %14s %8s | %8s | %16s %8s | %12s\n", "N", "EWMA /sample", "allocs", "naive /sample",
              "allocs", "speed-up", "observe() /tick", "allocs", "estimate()");
  for (const std::size_t n : {10, 100, 500}) {
    const std::size_t rows = 600;
    const auto prices = random_prices(rows, n, static_cast<unsigned>(n));
    const auto update = ewma_update(n, prices, rows);
    const auto naive = naive_window(n, prices, rows);
    const auto tick = ewma_tick(n, prices);
    const double read = read_cost(n, prices, rows);
    std::printf("%6zu | %14s %8s | %14s %8s | %7.0fx | %16s %8s | %12s\n", n, human(update.ns).c_str(),
                allocs(update.mallocs).c_str(), human(naive.ns).c_str(), allocs(naive.mallocs).c_str(),
                naive.ns / update.ns, human(tick.ns).c_str(), allocs(tick.mallocs).c_str(), human(read).c_str());
  }
  return 0;
}
