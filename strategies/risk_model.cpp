#include "strategies/risk_model.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "core/number_text.hpp"

namespace ballast::strategies {

namespace {

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "ballast: broken invariant: %s\n", what);
  std::abort();
}

bool usable_price(double p) { return p > 0 && p < std::numeric_limits<double>::infinity(); }

/// Σw from a matrix whose lower triangle holds Σ (a full symmetric one qualifies).
Eigen::VectorXd sigma_times(const Eigen::MatrixXd& lower, std::span<const double> weights) {
  if (weights.size() != static_cast<std::size_t>(lower.rows())) broken("risk model: one weight per asset expected");
  const Eigen::Map<const Eigen::VectorXd> w(weights.data(), lower.rows());
  return lower.selfadjointView<Eigen::Lower>() * w;
}

double variance_of(const Eigen::MatrixXd& lower, double scale, std::span<const double> weights) {
  const Eigen::Map<const Eigen::VectorXd> w(weights.data(), static_cast<Eigen::Index>(weights.size()));
  return scale * w.dot(sigma_times(lower, weights));
}

std::vector<double> contributions_of(const Eigen::MatrixXd& lower, std::span<const double> weights) {
  const Eigen::VectorXd sw = sigma_times(lower, weights);
  const Eigen::Map<const Eigen::VectorXd> w(weights.data(), sw.size());
  const double total = w.dot(sw);
  std::vector<double> out(weights.size(), 0.0);
  // A portfolio without variance has no risk to apportion.
  if (!(total > 0)) return out;
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = weights[i] * sw[static_cast<Eigen::Index>(i)] / total;
  return out;
}

}  // namespace

std::vector<std::string> validate(const RiskModelParams& p) {
  std::vector<std::string> errors;
  if (p.halflife <= 0) errors.emplace_back("halflife must be a positive duration");
  if (p.sample_every <= 0) errors.emplace_back("sample_every must be a positive duration");
  if (p.min_samples < 1) errors.emplace_back("min_samples must be at least 1");
  if (p.periods_per_year && !(*p.periods_per_year > 0 && std::isfinite(*p.periods_per_year))) {
    errors.emplace_back("periods_per_year must be a positive number");
  }
  return errors;
}

double periods_per_year(const RiskModelParams& p) {
  if (p.periods_per_year) return *p.periods_per_year;
  if (p.sample_every == kNanosPerDay) return 252.0;
  return 365.25 * static_cast<double>(kNanosPerDay) / static_cast<double>(p.sample_every);
}

double RiskEstimate::volatility(std::size_t i) const {
  if (i >= assets()) broken("RiskEstimate::volatility: asset out of range");
  const auto k = static_cast<Eigen::Index>(i);
  return std::sqrt(std::max(0.0, cov_annual(k, k)));
}

double RiskEstimate::correlation(std::size_t i, std::size_t j) const {
  if (i >= assets() || j >= assets()) broken("RiskEstimate::correlation: asset out of range");
  const auto a = static_cast<Eigen::Index>(i);
  const auto b = static_cast<Eigen::Index>(j);
  const double denom = std::sqrt(cov_annual(a, a) * cov_annual(b, b));
  if (!(denom > 0)) return 0;
  // |ρ| ≤ 1 holds exactly; only rounding can step past it.
  return std::clamp(cov_annual(a, b) / denom, -1.0, 1.0);
}

double portfolio_volatility(const Eigen::MatrixXd& cov_annual, std::span<const double> weights) {
  return std::sqrt(std::max(0.0, variance_of(cov_annual, 1.0, weights)));
}

std::vector<double> risk_contributions(const Eigen::MatrixXd& cov_annual, std::span<const double> weights) {
  return contributions_of(cov_annual, weights);
}

// ---------------------------------------------------------------------------------------------------------------------

EwmaRiskModel::EwmaRiskModel(std::size_t assets, const RiskModelParams& params)
    : n_(assets), params_(params), next_sample_(std::numeric_limits<core::TimeNs>::min()) {
  if (!validate(params).empty()) broken("EwmaRiskModel: invalid parameters (check them with validate())");
  log_lambda_ = static_cast<double>(params.sample_every) / static_cast<double>(params.halflife) * std::log(0.5);
  lambda_ = std::exp(log_lambda_);
  // expm1 keeps 1 − λ exact to the last bits when λ is close to 1 (long half-lives).
  one_minus_lambda_ = -std::expm1(log_lambda_);
  periods_per_year_ = strategies::periods_per_year(params);
  const auto n = static_cast<Eigen::Index>(assets);
  cov_raw_ = Eigen::MatrixXd::Zero(n, n);
  log_reference_ = Eigen::VectorXd::Zero(n);
  log_now_ = Eigen::VectorXd::Zero(n);
  returns_ = Eigen::VectorXd::Zero(n);
}

EwmaRiskModel EwmaRiskModel::warm_from(const RiskModelParams& params, std::span<const core::TimeNs> times,
                                       std::span<const double> prices_row_major, std::size_t columns,
                                       std::span<const std::size_t> column_of_asset) {
  EwmaRiskModel m(column_of_asset.size(), params);
  m.replay(times, prices_row_major, columns, column_of_asset);
  return m;
}

void EwmaRiskModel::replay(std::span<const core::TimeNs> times, std::span<const double> prices_row_major,
                           std::size_t columns, std::span<const std::size_t> column_of_asset) {
  if (column_of_asset.size() != n_) broken("EwmaRiskModel::replay: one column per asset expected");
  if (prices_row_major.size() != times.size() * columns) broken("EwmaRiskModel::replay: prices are not times × columns");
  for (const auto c : column_of_asset) {
    if (c >= columns) broken("EwmaRiskModel::replay: column out of range");
  }
  std::vector<double> row(n_);
  for (std::size_t r = 0; r < times.size(); ++r) {
    if (!sample_due(times[r])) continue;
    const double* src = prices_row_major.data() + r * columns;
    for (std::size_t i = 0; i < n_; ++i) row[i] = src[column_of_asset[i]];
    observe(times[r], row);
  }
}

void EwmaRiskModel::sample(core::TimeNs t, std::span<const double> prices) {
  if (prices.size() != n_) broken("EwmaRiskModel::observe: one price per asset expected");
  const core::DurationNs every = params_.sample_every;
  core::TimeNs grid = t;
  if (!started_) {
    started_ = true;
    anchor_ = t;
  } else {
    grid = anchor_ + (t - anchor_) / every * every;
  }
  next_sample_ = grid + every;

  for (std::size_t i = 0; i < n_; ++i) {
    const double p = prices[i];
    if (!usable_price(p)) {
      ++skipped_;
      return;
    }
    log_now_[static_cast<Eigen::Index>(i)] = std::log(p);
  }

  if (has_reference_) {
    returns_ = log_now_ - log_reference_;
    // Σ ← λΣ + (1−λ) r rᵀ on the lower triangle, one column at a time: a
    // single pass over N²/2 entries, vectorised, into storage sized up front.
    const auto n = static_cast<Eigen::Index>(n_);
    for (Eigen::Index j = 0; j < n; ++j) {
      const Eigen::Index len = n - j;
      const double s = one_minus_lambda_ * returns_[j];
      cov_raw_.col(j).tail(len) = lambda_ * cov_raw_.col(j).tail(len) + s * returns_.tail(len);
    }
    ++samples_;
    if (grid - reference_at_ > every) ++gap_samples_;
  }
  log_reference_.swap(log_now_);
  reference_at_ = grid;
  has_reference_ = true;
}

double EwmaRiskModel::warmth() const {
  return std::min(1.0, static_cast<double>(samples_) / static_cast<double>(params_.min_samples));
}

double EwmaRiskModel::annual_scale() const {
  if (samples_ == 0) return 0;
  // The weights of n samples sum to 1 − λⁿ; dividing by it removes the pull
  // towards the zero the accumulator started from.
  const double weight = -std::expm1(static_cast<double>(samples_) * log_lambda_);
  return periods_per_year_ / weight;
}

Eigen::MatrixXd EwmaRiskModel::covariance_annual() const {
  Eigen::MatrixXd full = cov_raw_.selfadjointView<Eigen::Lower>();
  full *= annual_scale();
  return full;
}

double EwmaRiskModel::volatility_annual(std::size_t i) const {
  if (i >= n_) broken("EwmaRiskModel::volatility_annual: asset out of range");
  const auto k = static_cast<Eigen::Index>(i);
  return std::sqrt(std::max(0.0, cov_raw_(k, k) * annual_scale()));
}

double EwmaRiskModel::portfolio_volatility(std::span<const double> weights) const {
  return std::sqrt(std::max(0.0, variance_of(cov_raw_, annual_scale(), weights)));
}

std::vector<double> EwmaRiskModel::risk_contributions(std::span<const double> weights) const {
  return contributions_of(cov_raw_, weights);
}

RiskEstimate EwmaRiskModel::estimate() const { return {covariance_annual(), warm(), warmth(), samples_}; }

// ---------------------------------------------------------------------------------------------------------------------

FixedRiskModelResult FixedRiskModel::make(std::vector<double> volatilities_annual,
                                          std::span<const CorrelationPair> correlations,
                                          std::span<const std::string> names) {
  FixedRiskModelResult result;
  const std::size_t n = volatilities_annual.size();
  const auto name = [&](std::size_t i) {
    return i < names.size() ? names[i] : "asset " + std::to_string(i);
  };

  for (std::size_t i = 0; i < n; ++i) {
    const double v = volatilities_annual[i];
    if (!(v >= 0 && std::isfinite(v))) {
      result.errors.push_back("volatility of " + name(i) + " is " + core::shortest(v) +
                              ": expected a finite number >= 0");
    }
  }

  const auto size = static_cast<Eigen::Index>(n);
  Eigen::MatrixXd corr = Eigen::MatrixXd::Identity(size, size);
  // Which pairs were given, so a pair named twice (in either order) is caught.
  std::vector<char> seen(n * n, 0);
  for (std::size_t k = 0; k < correlations.size(); ++k) {
    const auto& c = correlations[k];
    if (c.a >= n || c.b >= n) {
      result.errors.push_back("correlation " + std::to_string(k) + " names asset index " +
                              std::to_string(std::max(c.a, c.b)) + ", outside the " + std::to_string(n) + " assets");
      continue;
    }
    const std::string pair = name(c.a) + " and " + name(c.b);
    if (c.a == c.b) {
      result.errors.push_back("correlation of " + name(c.a) + " with itself: the diagonal is always 1");
      continue;
    }
    if (!(c.rho >= -1 && c.rho <= 1)) {
      result.errors.push_back("correlation of " + pair + " is " + core::shortest(c.rho) +
                              ": expected a number in [-1, 1]");
      continue;
    }
    auto& mark = seen[std::min(c.a, c.b) * n + std::max(c.a, c.b)];
    if (mark) {
      result.errors.push_back("correlation of " + pair + " is given twice");
      continue;
    }
    mark = 1;
    const auto a = static_cast<Eigen::Index>(c.a);
    const auto b = static_cast<Eigen::Index>(c.b);
    corr(a, b) = c.rho;
    corr(b, a) = c.rho;
  }
  if (!result.errors.empty()) return result;

  // Pairwise-plausible correlations can still be jointly impossible (A~B and
  // A~C strongly positive, B~C strongly negative): such a matrix would give
  // some portfolio a negative variance.
  if (n > 0) {
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(corr, Eigen::EigenvaluesOnly);
    const double smallest = eig.eigenvalues().minCoeff();
    // Rounding in the solver is a few ulps of the largest eigenvalue (≤ N).
    const double tolerance = 1e-12 * static_cast<double>(n);
    if (eig.info() != Eigen::Success || smallest < -tolerance) {
      result.errors.push_back(
          "correlations are jointly inconsistent: the matrix is not positive semi-definite "
          "(smallest eigenvalue " +
          core::shortest(smallest) + ")");
      return result;
    }
  }

  const Eigen::Map<const Eigen::VectorXd> vol(volatilities_annual.data(), size);
  Eigen::MatrixXd cov = vol.asDiagonal() * corr * vol.asDiagonal();
  result.model.emplace(FixedRiskModel(std::move(cov)));
  return result;
}

double FixedRiskModel::volatility_annual(std::size_t i) const {
  if (i >= assets()) broken("FixedRiskModel::volatility_annual: asset out of range");
  const auto k = static_cast<Eigen::Index>(i);
  return std::sqrt(cov_annual_(k, k));
}

double FixedRiskModel::portfolio_volatility(std::span<const double> weights) const {
  return strategies::portfolio_volatility(cov_annual_, weights);
}

std::vector<double> FixedRiskModel::risk_contributions(std::span<const double> weights) const {
  return strategies::risk_contributions(cov_annual_, weights);
}

RiskEstimate estimate(const RiskModel& m) {
  return std::visit([](const auto& model) { return model.estimate(); }, m);
}

}  // namespace ballast::strategies
