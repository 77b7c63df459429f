#include "offline/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "core/numbers.hpp"

namespace ballast::offline {
namespace {

using core::kNaN;

void require_same_length(std::size_t a, std::size_t b) {
  if (a != b) std::abort();
}

double one_return(double from, double to, ReturnKind kind) {
  if (kind == ReturnKind::simple) return from != 0 ? to / from - 1 : kNaN;
  return from > 0 && to > 0 ? std::log(to / from) : kNaN;
}

/// Sample standard deviation (n − 1); NaN below two values.
double sample_stdev(std::span<const double> x) {
  if (x.size() < 2) return kNaN;
  double mean = 0;
  for (const double v : x) mean += v;
  mean /= static_cast<double>(x.size());
  double ss = 0;
  for (const double v : x) ss += (v - mean) * (v - mean);
  return std::sqrt(ss / static_cast<double>(x.size() - 1));
}

}  // namespace

double years_between(core::TimeNs from, core::TimeNs to) { return static_cast<double>(to - from) / kNanosPerYear; }

std::vector<double> period_returns(std::span<const double> values, ReturnKind kind) {
  std::vector<double> out;
  if (values.size() < 2) return out;
  out.reserve(values.size() - 1);
  for (std::size_t k = 1; k < values.size(); ++k) out.push_back(one_return(values[k - 1], values[k], kind));
  return out;
}

double periods_per_year(std::span<const core::TimeNs> times) {
  if (times.size() < 2) return kNaN;
  const double years = years_between(times.front(), times.back());
  return years > 0 ? static_cast<double>(times.size() - 1) / years : kNaN;
}

double total_return(std::span<const double> values) {
  if (values.size() < 2 || !(values.front() > 0)) return kNaN;
  return values.back() / values.front() - 1;
}

double annualised_return(std::span<const core::TimeNs> times, std::span<const double> values) {
  require_same_length(times.size(), values.size());
  if (values.size() < 2 || !(values.front() > 0)) return kNaN;
  const double years = years_between(times.front(), times.back());
  if (!(years > 0)) return kNaN;
  const double growth = values.back() / values.front();
  if (!(growth > 0)) return -1;
  return std::pow(growth, 1 / years) - 1;
}

double annualised_volatility(std::span<const core::TimeNs> times, std::span<const double> values, ReturnKind kind) {
  require_same_length(times.size(), values.size());
  return sample_stdev(period_returns(values, kind)) * std::sqrt(periods_per_year(times));
}

double sharpe_ratio(std::span<const core::TimeNs> times, std::span<const double> values, double risk_free_rate,
                    ReturnKind kind) {
  const double vol = annualised_volatility(times, values, kind);
  if (!(vol > 0)) return kNaN;
  return (annualised_return(times, values) - risk_free_rate) / vol;
}

Drawdown max_drawdown(std::span<const double> values) {
  Drawdown d;
  std::size_t peak = 0;
  for (std::size_t k = 1; k < values.size(); ++k) {
    if (values[k] > values[peak]) {
      peak = k;
      continue;
    }
    if (!(values[peak] > 0)) continue;
    const double fall = 1 - values[k] / values[peak];
    if (fall > d.max) {
      d.max = fall;
      d.peak = peak;
      d.trough = k;
    }
  }
  return d;
}

std::vector<double> drawdown_series(std::span<const double> values) {
  std::vector<double> out;
  out.reserve(values.size());
  double peak = -std::numeric_limits<double>::infinity();
  for (const double v : values) {
    peak = std::max(peak, v);
    out.push_back(peak > 0 ? 1 - v / peak : 0.0);
  }
  return out;
}

std::vector<double> relative_to(std::span<const double> values, std::span<const double> benchmark) {
  require_same_length(values.size(), benchmark.size());
  std::vector<double> out;
  out.reserve(values.size());
  for (std::size_t k = 0; k < values.size(); ++k) out.push_back(benchmark[k] > 0 ? values[k] / benchmark[k] - 1 : kNaN);
  return out;
}

std::vector<PeriodReturn> calendar_returns(std::span<const core::TimeNs> times, std::span<const double> values,
                                           CalendarPeriod period) {
  require_same_length(times.size(), values.size());
  std::vector<PeriodReturn> out;
  for (std::size_t k = 0; k < times.size(); ++k) {
    // Floor division: days before 1970 are negative.
    core::TimeNs days = times[k] / core::kNanosPerDay;
    if (times[k] % core::kNanosPerDay < 0) --days;
    const core::CivilDate d = core::civil_from_days(days);
    const unsigned month = period == CalendarPeriod::month ? d.month : 0;
    if (out.empty() || out.back().year != d.year || out.back().month != month) {
      PeriodReturn p;
      p.year = d.year;
      p.month = month;
      p.first = k;
      out.push_back(p);
    }
    out.back().last = k;
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double from = i == 0 ? values[0] : values[out[i - 1].last];
    out[i].value = from > 0 ? values[out[i].last] / from - 1 : kNaN;
  }
  return out;
}

double tracking_error(std::span<const core::TimeNs> times, std::span<const double> values,
                      std::span<const double> benchmark, ReturnKind kind) {
  require_same_length(times.size(), values.size());
  require_same_length(values.size(), benchmark.size());
  std::vector<double> diff = period_returns(values, kind);
  const std::vector<double> bench = period_returns(benchmark, kind);
  for (std::size_t k = 0; k < diff.size(); ++k) diff[k] -= bench[k];
  return sample_stdev(diff) * std::sqrt(periods_per_year(times));
}

SeriesStats summarize(std::span<const core::TimeNs> times, std::span<const double> values, double risk_free_rate,
                      ReturnKind kind) {
  require_same_length(times.size(), values.size());
  SeriesStats s;
  s.years = times.size() < 2 ? 0.0 : years_between(times.front(), times.back());
  s.periods_per_year = periods_per_year(times);
  s.total_return = total_return(values);
  s.annualised_return = annualised_return(times, values);
  s.annualised_volatility = annualised_volatility(times, values, kind);
  s.sharpe_ratio = s.annualised_volatility > 0 ? (s.annualised_return - risk_free_rate) / s.annualised_volatility : kNaN;
  s.drawdown = max_drawdown(values);
  return s;
}

}  // namespace ballast::offline
