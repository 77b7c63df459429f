#pragma once
// Price paths for Monte Carlo runs: correlated geometric Brownian motion, a
// circular block bootstrap of a price history, or paths given outright (tests
// and designed scenarios).
//
// Reproducibility: path p is a function of (seed, p) alone. Each path draws
// from its own generator, seeded by splitmix64 from the seed and the path
// index, so a path comes out the same whichever thread draws it and in
// whatever order; a run is the same on one thread or many.
#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "feeds/price_table.hpp"

namespace ballast::offline {

/// One step of splitmix64 (Steele, Lea, Flood 2014): a bijective 64-bit mix.
std::uint64_t splitmix64(std::uint64_t x);

/// xoshiro256** (Blackman, Vigna) seeded through splitmix64 from (seed,
/// stream); normals by Marsaglia's polar method, both of each pair used.
/// Integer arithmetic, sqrt and log only, so the same seed gives the same
/// numbers on every platform and standard library (std::normal_distribution
/// does not promise that).
class PathRng {
 public:
  PathRng(std::uint64_t seed, std::uint64_t stream);
  std::uint64_t next();
  /// In [0, 1), 53 random bits.
  double uniform();
  /// Uniform in [0, n) for n > 0, without modulo bias (Lemire's method).
  std::uint64_t below(std::uint64_t n);
  /// A standard normal draw.
  double normal();

 private:
  std::uint64_t s_[4];
  double spare_ = 0;
  bool has_spare_ = false;
};

/// Where the paths of a run come from. fill() writes path `path` as
/// steps + 1 rows of assets() prices, row-major, row 0 being the start prices
/// (the same for every path).
/// It must depend on `path` alone: the runner calls it from several threads.
class PathSource {
 public:
  virtual ~PathSource() = default;
  /// Column names of the rows fill() writes.
  virtual const std::vector<std::string>& symbols() const = 0;
  std::size_t assets() const { return symbols().size(); }
  virtual void fill(std::size_t path, std::size_t steps, std::span<double> prices) const = 0;
};

/// A lower-triangular L with L·Lᵀ = correlation: the Cholesky factor when the
/// matrix is positive definite. A positive semi-definite one (a correlation of
/// exactly ±1, say) has none; it gets V·√Λ from its eigen-decomposition, which
/// also reproduces it exactly but is not triangular. Anything else (not
/// symmetric, a diagonal other than 1, an entry outside [−1, 1], a negative
/// eigenvalue) is an error that says which.
struct CorrelationFactor {
  Eigen::MatrixXd factor;  ///< set when error is empty
  std::string error;
};
CorrelationFactor correlation_factor(const Eigen::MatrixXd& correlation, std::span<const std::string> names = {});

/// The market of a geometric Brownian motion: annualised arithmetic drifts μ
/// and volatilities σ, and the correlation of the Brownian increments.
struct GbmMarket {
  std::vector<std::string> symbols;
  std::vector<double> start_prices;  ///< > 0
  std::vector<double> drift;         ///< μ, annualised
  std::vector<double> volatility;    ///< σ, annualised, ≥ 0
  Eigen::MatrixXd correlation;       ///< N×N; empty means the identity
};

/// Exact discretisation of correlated GBM:
///   S ← S·exp((μ − σ²/2)·Δt + σ·√Δt·(L·z)),  z ~ N(0, I),  L·Lᵀ = correlation,
/// so every step's log return is exactly normal with mean (μ − σ²/2)Δt and
/// covariance Σ·Δt, whatever Δt is.
class GbmPaths final : public PathSource {
 public:
  struct Result;
  /// Validates the market and `dt_years` (> 0); the error says what is wrong.
  static Result create(GbmMarket market, double dt_years, std::uint64_t seed);

  const std::vector<std::string>& symbols() const override { return market_.symbols; }
  void fill(std::size_t path, std::size_t steps, std::span<double> prices) const override;
  const Eigen::MatrixXd& factor() const { return factor_; }

 private:
  GbmPaths() = default;
  GbmMarket market_;
  std::vector<double> log_start_;
  std::vector<double> drift_per_step_;  ///< (μ − σ²/2)·Δt
  Eigen::MatrixXd factor_;              ///< L
  Eigen::MatrixXd scaled_factor_;       ///< diag(σ√Δt)·L, one row per asset
  std::uint64_t seed_ = 0;
};

struct GbmPaths::Result {
  std::optional<GbmPaths> paths;  ///< engaged when error is empty
  std::string error;
};

/// A circular block bootstrap (Politis & Romano 1992) of the per-row log
/// returns of a price table: each path strings together blocks of `block`
/// consecutive rows' returns, each block starting at a uniformly drawn row and
/// wrapping from the last return to the first, and compounds them from the
/// start prices. Rows keep every asset's return of that row together, so the
/// co-movement of the assets is the history's own.
///
/// Missing prices are forward-filled (the asset's return is 0 on that row and
/// the next priced row's return covers the gap); rows before every selected
/// column has a price are dropped.
class BootstrapPaths final : public PathSource {
 public:
  struct Result;
  /// `symbols` are columns of `table` (every one must be there); `start_prices`
  /// one per symbol, > 0; block ≥ 1 and no longer than the returns there are.
  static Result create(const feeds::PriceTable& table, std::vector<std::string> symbols,
                       std::vector<double> start_prices, std::size_t block, std::uint64_t seed);

  const std::vector<std::string>& symbols() const override { return symbols_; }
  void fill(std::size_t path, std::size_t steps, std::span<double> prices) const override;

  /// Rows of returns available (one fewer than the rows used).
  std::size_t rows() const { return returns_.size() / symbols_.size(); }
  /// The log return of `asset` on return row `row` (row r is from price row r to r + 1).
  double log_return(std::size_t row, std::size_t asset) const { return returns_[row * symbols_.size() + asset]; }
  /// The return row each step of `path` takes, in order (steps entries).
  void draw_rows(std::size_t path, std::size_t steps, std::span<std::size_t> rows) const;
  std::size_t block() const { return block_; }
  /// Leading rows dropped because a column had no price yet.
  std::size_t dropped_rows() const { return dropped_rows_; }
  /// Missing prices filled with the asset's previous one.
  std::size_t filled_prices() const { return filled_prices_; }

 private:
  BootstrapPaths() = default;
  std::vector<std::string> symbols_;
  std::vector<double> start_;
  std::vector<double> log_start_;
  std::vector<double> returns_;  ///< rows() × symbols, row-major
  std::size_t block_ = 1;
  std::uint64_t seed_ = 0;
  std::size_t dropped_rows_ = 0;
  std::size_t filled_prices_ = 0;
};

struct BootstrapPaths::Result {
  std::optional<BootstrapPaths> paths;
  std::string error;
};

/// Paths given outright: every path has the same number of rows (steps + 1)
/// of one price per symbol. fill() aborts when asked for another path count
/// or length, which is a caller's bug.
class ExplicitPaths final : public PathSource {
 public:
  ExplicitPaths(std::vector<std::string> symbols, std::vector<std::vector<double>> paths);
  const std::vector<std::string>& symbols() const override { return symbols_; }
  void fill(std::size_t path, std::size_t steps, std::span<double> prices) const override;
  std::size_t paths() const { return paths_.size(); }
  std::size_t steps() const;

 private:
  std::vector<std::string> symbols_;
  std::vector<std::vector<double>> paths_;
};

}  // namespace ballast::offline
