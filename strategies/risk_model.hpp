#pragma once
// Covariance of asset returns for risk-aware targets, triggers and /status.
//
// Two models share one snapshot type (RiskEstimate):
//   EwmaRiskModel   estimated from prices, exponentially weighted, on the data's clock;
//   FixedRiskModel  given by configuration: annualised volatilities and correlations.
//
// EWMA sampling rules (the data's clock, never the wall clock):
// - The first observation anchors a grid anchor + k·sample_every. A sample is
//   taken by the first observation at or after each grid time, with the prices
//   passed to that call; observations between grid times cost one compare.
// - A sample's return is log(p_now / p_ref), p_ref being the prices of the
//   last accepted sample; Σ ← λΣ + (1 − λ) r rᵀ, mean assumed zero
//   (RiskMetrics), λ = 0.5^(sample_every / halflife).
// - A sample where any asset's price is missing (≤ 0, NaN or infinite) is
//   skipped entirely: no update, p_ref kept, so the next accepted sample's
//   return spans both periods.
// - When the clock jumps over several grid times (a weekend, an outage, a
//   skipped sample), one sample is taken and its return covers the whole gap,
//   unscaled and weighted as one sample. This is the trading-day convention:
//   Monday's return counts as one daily return, which is what annualising
//   daily samples with 252 assumes.
// - Bias correction: the estimate starts at zero, so after n samples the
//   weights sum to 1 − λⁿ; every reading divides by it, which makes a short
//   history an unbiased (if noisy) estimate instead of one biased low.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <Eigen/Core>

#include "core/time.hpp"

namespace ballast::strategies {

using core::kNanosPerDay;

struct RiskModelParams {
  /// Time for a sample's weight to halve; > 0.
  core::DurationNs halflife = 60 * kNanosPerDay;
  /// Grid step of the samples on the data's clock; > 0.
  core::DurationNs sample_every = kNanosPerDay;
  /// Warm when at least this many return samples went in; ≥ 1.
  int min_samples = 20;
  /// Samples per year for annualising; when absent, 252 (trading days) for
  /// sample_every = 1d, else 365.25 days / sample_every (a market that never closes).
  std::optional<double> periods_per_year;
};

/// Every problem with the parameters, empty when they are usable.
std::vector<std::string> validate(const RiskModelParams& p);
/// periods_per_year, or its default for sample_every.
double periods_per_year(const RiskModelParams& p);

/// A snapshot of either model: what target models, triggers and /status read.
struct RiskEstimate {
  Eigen::MatrixXd cov_annual;  ///< annualised covariance of log returns, symmetric N×N
  bool warm = false;
  double warmth = 0;         ///< in [0, 1]: samples / min_samples, capped
  std::size_t samples = 0;   ///< return samples behind the estimate (0 for a fixed model)

  std::size_t assets() const { return static_cast<std::size_t>(cov_annual.rows()); }
  /// Annualised volatility of asset i.
  double volatility(std::size_t i) const;
  /// 0 when either asset has no variance (yet).
  double correlation(std::size_t i, std::size_t j) const;
};

/// sqrt(wᵀΣw) with Σ annualised; weights has one entry per asset (aborts otherwise).
double portfolio_volatility(const Eigen::MatrixXd& cov_annual, std::span<const double> weights);
/// wᵢ(Σw)ᵢ / wᵀΣw per asset, summing to 1; all zero when wᵀΣw is 0.
std::vector<double> risk_contributions(const Eigen::MatrixXd& cov_annual, std::span<const double> weights);

/// Exponentially weighted covariance of log returns over a fixed universe of
/// N assets (indices 0..N−1), updated from prices sampled on the data's clock.
class EwmaRiskModel {
 public:
  /// Aborts on parameters that validate() rejects: check them where they are read.
  EwmaRiskModel(std::size_t assets, const RiskModelParams& params);

  /// Replays a history through observe(): row r is at times[r], asset i reads
  /// column column_of_asset[i] of the row-major prices (NaN for no price).
  /// Mapping symbols to columns is the caller's job. Aborts when the shapes
  /// disagree (prices ≠ times × columns, a column out of range): that is a bug
  /// in the caller, not bad data.
  static EwmaRiskModel warm_from(const RiskModelParams& params, std::span<const core::TimeNs> times,
                                 std::span<const double> prices_row_major, std::size_t columns,
                                 std::span<const std::size_t> column_of_asset);
  /// warm_from into this model: continues its grid and its estimate.
  void replay(std::span<const core::TimeNs> times, std::span<const double> prices_row_major, std::size_t columns,
              std::span<const std::size_t> column_of_asset);

  /// Call as often as you like. Between grid times it is one compare and
  /// allocates nothing; at a sample, O(N²) and still allocation-free.
  /// `prices` has one entry per asset (aborts otherwise, checked at samples).
  void observe(core::TimeNs t, std::span<const double> prices) {
    if (t < next_sample_) return;
    sample(t, prices);
  }
  /// True when observe(t, ...) would take a sample, so a caller can skip
  /// building the price vector otherwise.
  bool sample_due(core::TimeNs t) const { return t >= next_sample_; }
  /// The next grid time; the minimum TimeNs before the first observation.
  core::TimeNs next_sample_at() const { return next_sample_; }

  std::size_t assets() const { return n_; }
  const RiskModelParams& params() const { return params_; }
  /// Decay per sample, λ = 0.5^(sample_every / halflife).
  double lambda() const { return lambda_; }

  /// Return samples taken (skipped ones not counted).
  std::size_t samples() const { return samples_; }
  bool warm() const { return samples_ >= static_cast<std::size_t>(params_.min_samples); }
  double warmth() const;
  /// Grid times where a price was missing, so no sample was taken.
  std::size_t skipped() const { return skipped_; }
  /// Samples whose return spanned more than one grid step.
  std::size_t gap_samples() const { return gap_samples_; }

  /// Bias-corrected, annualised; all zero before the first return.
  Eigen::MatrixXd covariance_annual() const;
  /// Annualised volatility of asset i; 0 before the first return.
  double volatility_annual(std::size_t i) const;
  double portfolio_volatility(std::span<const double> weights) const;
  std::vector<double> risk_contributions(std::span<const double> weights) const;
  RiskEstimate estimate() const;

 private:
  void sample(core::TimeNs t, std::span<const double> prices);
  /// Bias correction and annualisation together: the factor that turns the
  /// raw accumulator into an annualised covariance; 0 before the first return.
  double annual_scale() const;

  std::size_t n_;
  RiskModelParams params_;
  double lambda_;
  double one_minus_lambda_;
  double log_lambda_;
  double periods_per_year_;

  core::TimeNs anchor_ = 0;
  /// The minimum TimeNs until the first observation, so that one is always a sample.
  core::TimeNs next_sample_;
  bool started_ = false;
  core::TimeNs reference_at_ = 0;  ///< grid time of the last accepted sample
  bool has_reference_ = false;

  std::size_t samples_ = 0;
  std::size_t skipped_ = 0;
  std::size_t gap_samples_ = 0;

  /// Σ (1−λ)λ^(n−1−k) r_k r_kᵀ, not yet bias-corrected; lower triangle only.
  Eigen::MatrixXd cov_raw_;
  Eigen::VectorXd log_reference_;
  // Scratch for a sample, sized once so a sample never allocates.
  Eigen::VectorXd log_now_;
  Eigen::VectorXd returns_;
};

/// One off-diagonal correlation of a FixedRiskModel, by asset index.
struct CorrelationPair {
  std::size_t a = 0;
  std::size_t b = 0;
  double rho = 0;
};

struct FixedRiskModelResult;

/// A risk model given by configuration; always warm.
class FixedRiskModel {
 public:
  /// Validates and builds: volatilities finite and ≥ 0; pairs within the
  /// universe, off the diagonal, given once, ρ in [−1, 1]; missing pairs are
  /// 0; the correlation matrix positive semi-definite. `names`, when given,
  /// label the assets in the messages (else "asset 3"). Never throws.
  static FixedRiskModelResult make(std::vector<double> volatilities_annual, std::span<const CorrelationPair> correlations,
                                   std::span<const std::string> names = {});

  std::size_t assets() const { return static_cast<std::size_t>(cov_annual_.rows()); }
  const Eigen::MatrixXd& covariance_annual() const { return cov_annual_; }
  double volatility_annual(std::size_t i) const;
  double portfolio_volatility(std::span<const double> weights) const;
  std::vector<double> risk_contributions(std::span<const double> weights) const;
  RiskEstimate estimate() const { return {cov_annual_, true, 1.0, 0}; }

 private:
  explicit FixedRiskModel(Eigen::MatrixXd cov_annual) : cov_annual_(std::move(cov_annual)) {}
  Eigen::MatrixXd cov_annual_;
};

struct FixedRiskModelResult {
  std::optional<FixedRiskModel> model;  ///< present only when ok()
  std::vector<std::string> errors;      ///< every problem found, in input order
  bool ok() const { return errors.empty(); }
};

/// Either model, for callers that hold one from configuration.
using RiskModel = std::variant<EwmaRiskModel, FixedRiskModel>;
RiskEstimate estimate(const RiskModel& m);

}  // namespace ballast::strategies
