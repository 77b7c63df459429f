#pragma once
// Statistics of a value series over time: returns, volatility, Sharpe ratio,
// drawdown and tracking error. Pure; shared by backtests and Monte Carlo runs.
//
// Conventions, the same in every function:
// - A series is `times` (strictly increasing, TimeNs) and `values` (the
//   portfolio's value at those times, > 0), of equal length.
// - Years are calendar years of 365.25 days, measured on the series' own
//   clock: elapsed years = (times.back() − times.front()) / 365.25 days.
// - Period returns are from one observation to the next: r_k = ln(v_k / v_{k−1})
//   (log, the default, as the risk models use) or v_k / v_{k−1} − 1 (simple).
// - Annualising uses the periods per year actually observed:
//   (values.size() − 1) / elapsed years. Daily trading-day rows come out near
//   252, calendar-day rows near 365; no calendar is assumed.
// - Standard deviations are sample ones (divided by n − 1).
// - Where a figure is undefined (too few values, no elapsed time, a value ≤ 0
//   under log returns, zero volatility for a ratio), the answer is NaN, which
//   the JSON writer prints as null. Nothing throws; mismatched lengths abort
//   (a caller's bug, not bad data).
#include <cstddef>
#include <span>
#include <vector>

#include "core/time.hpp"

namespace ballast::offline {

enum class ReturnKind { log, simple };

/// 365.25 days, in nanoseconds.
inline constexpr double kNanosPerYear = 365.25 * static_cast<double>(core::kNanosPerDay);

/// Elapsed calendar years from `from` to `to` (negative when `to` is earlier).
double years_between(core::TimeNs from, core::TimeNs to);

/// The n − 1 returns between consecutive values.
std::vector<double> period_returns(std::span<const double> values, ReturnKind kind = ReturnKind::log);

/// Observed periods per year: (times.size() − 1) / elapsed years; NaN with
/// fewer than two times or no elapsed time.
double periods_per_year(std::span<const core::TimeNs> times);

/// v_last / v_first − 1.
double total_return(std::span<const double> values);

/// Compound annual growth rate: (v_last / v_first)^(1 / years) − 1 over the
/// elapsed calendar time; −1 when the series ends at or below zero.
double annualised_return(std::span<const core::TimeNs> times, std::span<const double> values);

/// Sample standard deviation of the period returns × sqrt(periods per year);
/// NaN with fewer than two returns.
double annualised_volatility(std::span<const core::TimeNs> times, std::span<const double> values,
                             ReturnKind kind = ReturnKind::log);

/// (annualised return − risk_free_rate) / annualised volatility, the rate being
/// annual (0.02 = 2 % a year); NaN when the volatility is 0 or undefined.
double sharpe_ratio(std::span<const core::TimeNs> times, std::span<const double> values, double risk_free_rate = 0,
                    ReturnKind kind = ReturnKind::log);

/// The largest fall from a running peak.
struct Drawdown {
  double max = 0;          ///< fraction of the peak: 0.2 is a 20 % fall; 0 when the series never falls
  std::size_t peak = 0;    ///< index of the peak it fell from
  std::size_t trough = 0;  ///< index of the lowest point after that peak
};
Drawdown max_drawdown(std::span<const double> values);

/// The fall below the running peak at every value: d_k = 1 − v_k / max(v_0..v_k),
/// a fraction (0.2 is 20 % under the peak, 0 at a new high); its largest entry
/// is max_drawdown().max. 0 while the peak is not > 0.
std::vector<double> drawdown_series(std::span<const double> values);

/// `values` relative to `benchmark` at the same times: v_k / b_k − 1 (0.01 is
/// 1 % above the benchmark); NaN where b_k is not > 0.
std::vector<double> relative_to(std::span<const double> values, std::span<const double> benchmark);

enum class CalendarPeriod { month, year };

/// The return over one calendar month or year (UTC): from the last value
/// before it — the series' first value for the period it starts in — to the
/// last value in it. So the first and last periods cover only the part the
/// series covers, and consecutive periods compound to the total return.
struct PeriodReturn {
  int year = 0;
  unsigned month = 0;     ///< 1–12; 0 for a year
  std::size_t first = 0;  ///< index of the first value in the period
  std::size_t last = 0;   ///< index of the last value in it
  double value = 0;       ///< simple return; NaN when the value it starts from is not > 0
};
/// One entry per period with at least one value, in time order; the first
/// period's return runs from values[0], so a series of one value gives 0.
std::vector<PeriodReturn> calendar_returns(std::span<const core::TimeNs> times, std::span<const double> values,
                                           CalendarPeriod period);

/// Annualised tracking error of `values` against `benchmark` (same times):
/// the sample standard deviation of the differences of their period returns,
/// × sqrt(periods per year). NaN with fewer than two returns.
double tracking_error(std::span<const core::TimeNs> times, std::span<const double> values,
                      std::span<const double> benchmark, ReturnKind kind = ReturnKind::log);

/// The figures above for one series, computed in one go.
struct SeriesStats {
  double years = 0;  ///< elapsed calendar years
  double periods_per_year = 0;
  double total_return = 0;
  double annualised_return = 0;
  double annualised_volatility = 0;
  double sharpe_ratio = 0;
  Drawdown drawdown;
};
SeriesStats summarize(std::span<const core::TimeNs> times, std::span<const double> values, double risk_free_rate = 0,
                      ReturnKind kind = ReturnKind::log);

}  // namespace ballast::offline
