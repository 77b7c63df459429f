#pragma once
// Drift of a portfolio from its targets, and the threshold rules on it. Pure
// functions over weights: the engine, backtests and tests share them.
#include <cstddef>
#include <span>
#include <string>

#include "strategies/policy.hpp"

namespace ballast::strategies {

/// Weights include cash as one more "asset": Σ weights + cash_weight = 1.
struct WeightView {
  std::span<const double> weights;
  std::span<const double> targets;
  double cash_weight = 0;
  double cash_target = 0;
};

struct DriftSummary {
  double max_abs = 0;              ///< largest |w − t| over the assets
  std::size_t max_index = 0;       ///< the asset where it is
  double total = 0;                ///< Σ|w − t| / 2, cash included
};
DriftSummary summarize_drift(const WeightView& w);

/// Which limit of a threshold trigger a portfolio breaches, if any.
struct Breach {
  enum class Kind { none, absolute, relative, total } kind = Kind::none;
  std::size_t asset = 0;  ///< for absolute and relative
  double drift = 0;       ///< w − t of that asset, or the total drift
  double limit = 0;       ///< the limit it exceeded (for relative: relative × target)
  explicit operator bool() const { return kind != Kind::none; }
};
/// The first breach found (absolute, then relative, then total); strict
/// comparisons, so drift exactly at a limit does not fire.
Breach check_threshold(const ThresholdTrigger& t, const WeightView& w);
/// Whether one asset at `weight` breaches its own band (absolute or
/// relative) around `target`, as check_threshold decides it.
bool outside_band(const ThresholdTrigger& t, double weight, double target);
/// "SPY drift +0.0612 beyond absolute limit 0.0500" and the like; `symbol`
/// names the breaching asset (unused for a total-drift breach).
std::string describe(const Breach& b, std::string_view symbol);

/// The band-edge step: the smallest λ in [0, 1] such that w + λ(t − w) lies
/// inside every band of `t` (each |w'−t| = (1−λ)|w−t| shrinks together).
/// The asset furthest outside lands on its band edge; 0 when nothing is outside.
double band_edge_fraction(const ThresholdTrigger& bands, const WeightView& w);

}  // namespace ballast::strategies
