// Backtest throughput: rows × portfolios per second through offline::run_backtest
// (the daemon's engine, every row fed as one instant, every series recorded),
// against a naive loop in the same run that values, checks and rebalances each
// portfolio to target with fractional quantities and records the same series.
//
// Data: examples/lpp2005_prices.csv (six indices, 378 daily rows) repeated end
// to end, each copy scaled to continue where the last one ended and shifted
// forward in time, so the clock keeps increasing and prices do not jump.
// Portfolios: six assets, a threshold band between 1% and 3% and a monthly
// calendar date, all starting from the same holdings.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "feeds/price_table.hpp"
#include "offline/backtest.hpp"

using namespace ballast;
using namespace std::chrono;

namespace {

/// Keeps the optimiser from dropping work whose result is otherwise unused.
inline void escape(const void* p) { asm volatile("" : : "g"(p) : "memory"); }

feeds::PriceTable repeated(const feeds::PriceTable& base, std::size_t copies) {
  feeds::PriceTable t;
  t.symbols = base.symbols;
  const std::size_t n = base.cols();
  const core::DurationNs span = base.times.back() - base.times.front() + core::kNanosPerDay;
  std::vector<double> scale(n, 1.0);
  for (std::size_t c = 0; c < copies; ++c) {
    for (std::size_t r = 0; r < base.rows(); ++r) {
      t.times.push_back(base.times[r] + static_cast<core::DurationNs>(c) * span);
      for (std::size_t j = 0; j < n; ++j) t.prices.push_back(base.at(r, j) * scale[j]);
    }
    for (std::size_t j = 0; j < n; ++j) scale[j] *= base.at(base.rows() - 1, j) / base.at(0, j);
  }
  return t;
}

std::vector<strategies::PortfolioSpec> portfolios(const feeds::PriceTable& t, std::size_t count) {
  const std::vector<double> targets{0.35, 0.15, 0.10, 0.15, 0.15, 0.10};
  std::vector<strategies::PortfolioSpec> specs;
  for (std::size_t k = 0; k < count; ++k) {
    strategies::PortfolioSpec p;
    p.id = "p" + std::to_string(k);
    p.cash = 10'000;
    for (std::size_t i = 0; i < t.cols(); ++i) p.assets.push_back({t.symbols[i], targets[i], 1000, 0.001});
    const double band = 0.01 + 0.02 * static_cast<double>(k % 10) / 9;
    p.triggers.push_back(strategies::ThresholdTrigger{band, std::nullopt, std::nullopt});
    p.triggers.push_back(strategies::CalendarTrigger{core::Period{0, 1}, std::nullopt});
    specs.push_back(std::move(p));
  }
  return specs;
}

/// The naive loop: the same policy written out, no engine, no lots, no ids.
struct NaiveResult {
  std::size_t rebalances = 0;
  double final_value = 0;
};

NaiveResult naive(const feeds::PriceTable& t, const std::vector<strategies::PortfolioSpec>& specs) {
  const std::size_t n = t.cols();
  NaiveResult result;
  struct State {
    std::vector<double> q;
    double cash;
    double band;
    std::vector<double> target;
    std::vector<double> values, weights, drift;
  };
  std::vector<State> states;
  for (const auto& s : specs) {
    State st;
    for (const auto& a : s.assets) {
      st.q.push_back(a.holding);
      st.target.push_back(a.target);
    }
    st.cash = s.cash;
    st.band = *std::get<strategies::ThresholdTrigger>(s.triggers[0]).absolute;
    st.values.reserve(t.rows());
    st.drift.reserve(t.rows());
    st.weights.reserve(t.rows() * n);
    states.push_back(std::move(st));
  }
  unsigned last_month = 0;
  for (std::size_t r = 0; r < t.rows(); ++r) {
    const double* px = &t.prices[r * n];
    const unsigned month = core::civil_from_days(t.times[r] / core::kNanosPerDay).month;
    const bool month_start = r > 0 && month != last_month;
    last_month = month;
    for (auto& st : states) {
      double value = st.cash;
      for (std::size_t i = 0; i < n; ++i) value += st.q[i] * px[i];
      double drift = 0;
      for (std::size_t i = 0; i < n; ++i) drift = std::max(drift, std::abs(st.q[i] * px[i] / value - st.target[i]));
      if (drift > st.band || month_start) {
        for (std::size_t i = 0; i < n; ++i) {
          const double want = st.target[i] * value / px[i];
          st.cash -= (want - st.q[i]) * px[i];
          st.q[i] = want;
        }
        ++result.rebalances;
      }
      st.values.push_back(value);
      st.drift.push_back(drift);
      for (std::size_t i = 0; i < n; ++i) st.weights.push_back(st.q[i] * px[i] / value);
    }
  }
  for (const auto& st : states) {
    result.final_value += st.values.back();
    escape(st.weights.data());
    escape(st.drift.data());
  }
  return result;
}

/// Runs `f` until at least `min_seconds` have passed; seconds per run.
template <class F>
double time_per_run(F&& f, double min_seconds) {
  std::size_t runs = 0;
  const auto t0 = steady_clock::now();
  double elapsed = 0;
  do {
    f();
    ++runs;
    elapsed = duration<double>(steady_clock::now() - t0).count();
  } while (elapsed < min_seconds);
  return elapsed / static_cast<double>(runs);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t copies = argc > 1 ? std::stoul(argv[1]) : 20;
  const auto loaded = feeds::load_price_table(std::string(BALLAST_EXAMPLES) + "/lpp2005_prices.csv");
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n", loaded.errors.front().c_str());
    return 1;
  }
  const feeds::PriceTable prices = repeated(loaded.table, copies);
  std::printf("backtest throughput: LPP2005 (6 symbols) repeated %zu times = %zu daily rows\n\n", copies,
              prices.rows());
  std::printf("%11s %14s %14s %16s %16s %10s %12s\n", "portfolios", "engine ms", "naive ms", "engine rows*p/s",
              "naive rows*p/s", "ratio", "rebalances");
  for (const std::size_t count : {std::size_t{1}, std::size_t{10}, std::size_t{100}}) {
    const auto specs = portfolios(prices, count);
    std::size_t engine_rebalances = 0;
    const double engine_s = time_per_run(
        [&] {
          const offline::BacktestRun run = offline::run_backtest(specs, prices);
          engine_rebalances = 0;
          for (const auto& p : run.portfolios) engine_rebalances += p.rebalances.size();
          escape(&run);
        },
        1.0);
    NaiveResult naive_result;
    const double naive_s = time_per_run([&] { naive_result = naive(prices, specs); }, 1.0);
    const double work = static_cast<double>(prices.rows() * count);
    std::printf("%11zu %14.2f %14.2f %16.3g %16.3g %9.1f%% %12zu\n", count, 1e3 * engine_s, 1e3 * naive_s,
                work / engine_s, work / naive_s, 100 * naive_s / engine_s, engine_rebalances);
  }
  std::printf("\nratio: the engine's throughput as a share of the naive loop's.\n");
  return 0;
}
