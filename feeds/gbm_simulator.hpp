#pragma once
// Seeded, correlated geometric Brownian motion: the price source of `ballast feed sim`
// and of tests that want realistic but reproducible paths.
#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace ballast::feeds {

struct GbmAsset {
  std::string symbol;
  double start_price = 100.0;  ///< > 0
  double drift = 0.0;          ///< μ, annualised
  double volatility = 0.2;     ///< σ, annualised, >= 0
};

struct GbmParams {
  std::vector<GbmAsset> assets;
  /// Full correlation matrix (assets × assets). When empty, every pair of
  /// assets has `common_correlation`.
  Eigen::MatrixXd correlation;
  double common_correlation = 0.0;
  std::uint64_t seed = 1;
};

/// An N×N matrix with 1 on the diagonal and `rho` elsewhere.
Eigen::MatrixXd constant_correlation(std::size_t n, double rho);

struct GbmCreateResult;

/// Advances every price by the exact log-normal step
///   S ← S·exp((μ − σ²/2)·dt + σ·√dt·Z),  Z = L·ε,  L·Lᵀ = correlation,
/// with ε drawn from a Box–Muller transform of std::mt19937_64, so one seed
/// gives the same path on every platform and standard library.
class GbmSimulator {
 public:
  /// Validates the parameters (prices > 0, σ >= 0, finite numbers, distinct
  /// symbols, a symmetric positive-definite correlation with a unit diagonal);
  /// on failure `error` says which rule was broken.
  static GbmCreateResult create(GbmParams params);

  /// Advances by `dt_years` (> 0 and finite; anything else leaves prices unchanged).
  void step(double dt_years);

  std::size_t size() const { return symbols_.size(); }
  const std::vector<std::string>& symbols() const { return symbols_; }
  const std::vector<double>& prices() const { return prices_; }
  /// Natural logarithms of the prices, kept as the state so long runs do not
  /// accumulate rounding from repeated multiplication.
  const std::vector<double>& log_prices() const { return log_prices_; }
  /// The lower-triangular Cholesky factor of the correlation matrix.
  const Eigen::MatrixXd& cholesky_factor() const { return cholesky_; }

  /// One standard normal draw from the simulator's generator (exposed for tests).
  double standard_normal();

 private:
  GbmSimulator() = default;

  std::vector<std::string> symbols_;
  std::vector<double> drift_;
  std::vector<double> volatility_;
  std::vector<double> log_prices_;
  std::vector<double> prices_;
  Eigen::MatrixXd cholesky_;
  Eigen::VectorXd independent_;
  Eigen::VectorXd correlated_;
  std::mt19937_64 rng_;
  std::optional<double> spare_normal_;
};

struct GbmCreateResult {
  std::optional<GbmSimulator> simulator;  ///< engaged when `error` is empty
  std::string error;
};

}  // namespace ballast::feeds
