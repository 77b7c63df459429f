#include "strategies/drift.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ballast::strategies {

DriftSummary summarize_drift(const WeightView& w) {
  DriftSummary s;
  double sum_abs = std::abs(w.cash_weight - w.cash_target);
  for (std::size_t i = 0; i < w.weights.size(); ++i) {
    const double d = std::abs(w.weights[i] - w.targets[i]);
    sum_abs += d;
    if (d > s.max_abs) {
      s.max_abs = d;
      s.max_index = i;
    }
  }
  s.total = sum_abs / 2;
  return s;
}

Breach check_threshold(const ThresholdTrigger& t, const WeightView& w) {
  Breach b;
  for (std::size_t i = 0; i < w.weights.size(); ++i) {
    const double d = w.weights[i] - w.targets[i];
    if (t.absolute && std::abs(d) > *t.absolute) return {Breach::Kind::absolute, i, d, *t.absolute};
    if (t.relative && std::abs(d) > *t.relative * w.targets[i]) {
      return {Breach::Kind::relative, i, d, *t.relative * w.targets[i]};
    }
  }
  if (t.total) {
    const double total = summarize_drift(w).total;
    if (total > *t.total) return {Breach::Kind::total, 0, total, *t.total};
  }
  return b;
}

bool outside_band(const ThresholdTrigger& t, double weight, double target) {
  const double d = std::abs(weight - target);
  return (t.absolute && d > *t.absolute) || (t.relative && d > *t.relative * target);
}

std::string describe(const Breach& b, std::string_view symbol) {
  char buf[160];
  switch (b.kind) {
    case Breach::Kind::none: return "no breach";
    case Breach::Kind::absolute:
    case Breach::Kind::relative:
      std::snprintf(buf, sizeof buf, "%.*s drift %+.4f beyond %s limit %.4f", static_cast<int>(symbol.size()),
                    symbol.data(), b.drift,
                    b.kind == Breach::Kind::absolute ? "absolute" : "relative", b.limit);
      return buf;
    case Breach::Kind::total:
      std::snprintf(buf, sizeof buf, "total drift %.4f beyond limit %.4f", b.drift, b.limit);
      return buf;
  }
  return {};
}

double band_edge_fraction(const ThresholdTrigger& bands, const WeightView& w) {
  double lambda = 0;
  for (std::size_t i = 0; i < w.weights.size(); ++i) {
    const double d = std::abs(w.weights[i] - w.targets[i]);
    if (d <= 0) continue;
    double half_width = INFINITY;
    if (bands.absolute) half_width = std::min(half_width, *bands.absolute);
    if (bands.relative) half_width = std::min(half_width, *bands.relative * w.targets[i]);
    if (d > half_width) lambda = std::max(lambda, 1 - half_width / d);
  }
  if (bands.total) {
    const double total = summarize_drift(w).total;
    if (total > *bands.total) lambda = std::max(lambda, 1 - *bands.total / total);
  }
  return std::clamp(lambda, 0.0, 1.0);
}

}  // namespace ballast::strategies
