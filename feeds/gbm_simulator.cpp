#include "feeds/gbm_simulator.hpp"

#include <Eigen/Cholesky>
#include <cmath>
#include <numbers>
#include <set>
#include <utility>

namespace ballast::feeds {
namespace {

// User-typed matrices ("0.3" on both sides) are exactly symmetric; the slack
// only forgives matrices computed elsewhere and printed with rounding.
constexpr double kSymmetryTolerance = 1e-9;

std::string describe_asset(const GbmAsset& a, std::size_t i) {
  return a.symbol.empty() ? "asset " + std::to_string(i + 1) : a.symbol;
}

std::string check_assets(const std::vector<GbmAsset>& assets) {
  if (assets.empty()) return "no symbols to simulate";
  std::set<std::string> seen;
  for (std::size_t i = 0; i < assets.size(); ++i) {
    const GbmAsset& a = assets[i];
    const std::string name = describe_asset(a, i);
    if (a.symbol.empty()) return name + ": empty symbol";
    if (!seen.insert(a.symbol).second) return name + ": symbol listed twice";
    if (!std::isfinite(a.start_price) || a.start_price <= 0) return name + ": start price must be a finite number > 0";
    if (!std::isfinite(a.drift)) return name + ": drift must be finite";
    if (!std::isfinite(a.volatility) || a.volatility < 0) return name + ": volatility must be a finite number >= 0";
  }
  return {};
}

std::string check_correlation(const Eigen::MatrixXd& c) {
  const auto n = c.rows();
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) {
      const double v = c(i, j);
      const std::string where = "correlation(" + std::to_string(i + 1) + "," + std::to_string(j + 1) + ")";
      if (!std::isfinite(v)) return where + " is not finite";
      if (i == j && std::abs(v - 1.0) > kSymmetryTolerance) return where + " must be 1 on the diagonal";
      if (v < -1.0 - kSymmetryTolerance || v > 1.0 + kSymmetryTolerance) return where + " is outside [-1, 1]";
      if (std::abs(v - c(j, i)) > kSymmetryTolerance) return "correlation matrix is not symmetric at " + where;
    }
  }
  return {};
}

}  // namespace

Eigen::MatrixXd constant_correlation(std::size_t n, double rho) {
  const auto size = static_cast<Eigen::Index>(n);
  Eigen::MatrixXd m = Eigen::MatrixXd::Constant(size, size, rho);
  m.diagonal().setOnes();
  return m;
}

GbmCreateResult GbmSimulator::create(GbmParams params) {
  GbmCreateResult result;
  if (std::string e = check_assets(params.assets); !e.empty()) {
    result.error = std::move(e);
    return result;
  }
  const std::size_t n = params.assets.size();
  Eigen::MatrixXd correlation;
  if (params.correlation.size() == 0) {
    if (!std::isfinite(params.common_correlation) || params.common_correlation < -1.0 ||
        params.common_correlation > 1.0) {
      result.error = "correlation must be a number in [-1, 1]";
      return result;
    }
    correlation = constant_correlation(n, params.common_correlation);
  } else {
    if (params.correlation.rows() != static_cast<Eigen::Index>(n) ||
        params.correlation.cols() != static_cast<Eigen::Index>(n)) {
      result.error = "correlation matrix is " + std::to_string(params.correlation.rows()) + "x" +
                     std::to_string(params.correlation.cols()) + " but there are " + std::to_string(n) + " symbols";
      return result;
    }
    if (std::string e = check_correlation(params.correlation); !e.empty()) {
      result.error = std::move(e);
      return result;
    }
    // Average with the transpose so the factor is of an exactly symmetric matrix.
    correlation = 0.5 * (params.correlation + params.correlation.transpose());
  }

  Eigen::LLT<Eigen::MatrixXd> llt(correlation);
  if (llt.info() != Eigen::Success) {
    result.error =
        "correlation matrix is not positive definite (a Cholesky factor does not exist; "
        "check for correlations of +/-1 or an inconsistent set of pairwise values)";
    return result;
  }

  GbmSimulator sim;
  sim.cholesky_ = llt.matrixL();
  sim.symbols_.reserve(n);
  for (const GbmAsset& a : params.assets) {
    sim.symbols_.push_back(a.symbol);
    sim.drift_.push_back(a.drift);
    sim.volatility_.push_back(a.volatility);
    sim.log_prices_.push_back(std::log(a.start_price));
    sim.prices_.push_back(a.start_price);
  }
  sim.independent_ = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(n));
  sim.correlated_ = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(n));
  sim.rng_.seed(params.seed);
  result.simulator = std::move(sim);
  return result;
}

double GbmSimulator::standard_normal() {
  if (spare_normal_) {
    const double z = *spare_normal_;
    spare_normal_.reset();
    return z;
  }
  // 53 random bits per uniform; u1 is shifted into (0, 1] so log(u1) is finite.
  constexpr double kTwoToMinus53 = 1.0 / 9007199254740992.0;
  const double u1 = static_cast<double>((rng_() >> 11) + 1) * kTwoToMinus53;
  const double u2 = static_cast<double>(rng_() >> 11) * kTwoToMinus53;
  const double radius = std::sqrt(-2.0 * std::log(u1));
  const double angle = 2.0 * std::numbers::pi * u2;
  spare_normal_ = radius * std::sin(angle);
  return radius * std::cos(angle);
}

void GbmSimulator::step(double dt_years) {
  if (!std::isfinite(dt_years) || dt_years <= 0) return;
  for (Eigen::Index i = 0; i < independent_.size(); ++i) independent_(i) = standard_normal();
  correlated_.noalias() = cholesky_.triangularView<Eigen::Lower>() * independent_;
  const double sqrt_dt = std::sqrt(dt_years);
  for (std::size_t i = 0; i < log_prices_.size(); ++i) {
    const double sigma = volatility_[i];
    log_prices_[i] += (drift_[i] - 0.5 * sigma * sigma) * dt_years +
                      sigma * sqrt_dt * correlated_(static_cast<Eigen::Index>(i));
    prices_[i] = std::exp(log_prices_[i]);
  }
}

}  // namespace ballast::feeds
