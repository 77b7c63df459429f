#include "offline/paths.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <set>
#include <utility>

#include "config/diagnostics.hpp"
#include "core/number_text.hpp"

namespace ballast::offline {
namespace {

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "ballast: broken invariant: %s\n", what);
  std::abort();
}

// Hand-typed matrices are exactly symmetric; the slack forgives only ones
// computed elsewhere and printed with rounding.
constexpr double kSymmetryTolerance = 1e-9;

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void check_rows(std::span<double> prices, std::size_t steps, std::size_t assets) {
  if (prices.size() != (steps + 1) * assets) broken("PathSource::fill: prices must hold (steps + 1) × assets values");
}

}  // namespace

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

PathRng::PathRng(std::uint64_t seed, std::uint64_t stream) {
  // The stream is mixed before it meets the seed, so that nearby (seed, path)
  // pairs (1, 2) and (2, 1) do not start from related states.
  std::uint64_t x = splitmix64(seed) ^ splitmix64(stream ^ 0x6a09e667f3bcc909ULL);
  for (auto& s : s_) {
    x = splitmix64(x);
    s = x;
  }
}

std::uint64_t PathRng::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double PathRng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

std::uint64_t PathRng::below(std::uint64_t n) {
  // Reject the lowest (2^64 mod n) values, so every residue is equally likely.
  const std::uint64_t threshold = (0 - n) % n;
  while (true) {
    const std::uint64_t x = next();
    if (x >= threshold) return x % n;
  }
}

double PathRng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  // Marsaglia's polar form of Box–Muller: a point drawn uniformly in the unit
  // disc gives two independent normals without a sine or a cosine.
  double u, v, s;
  do {
    u = 2 * uniform() - 1;
    v = 2 * uniform() - 1;
    s = u * u + v * v;
  } while (s >= 1 || s == 0);
  const double scale = std::sqrt(-2 * std::log(s) / s);
  spare_ = v * scale;
  has_spare_ = true;
  return u * scale;
}

CorrelationFactor correlation_factor(const Eigen::MatrixXd& c, std::span<const std::string> names) {
  CorrelationFactor out;
  const auto name = [&](Eigen::Index i) {
    const auto k = static_cast<std::size_t>(i);
    return k < names.size() ? names[k] : "asset " + std::to_string(k + 1);
  };
  const Eigen::Index n = c.rows();
  if (c.cols() != n) {
    out.error = "the correlation matrix is " + std::to_string(c.rows()) + "x" + std::to_string(c.cols()) +
                ", not square";
    return out;
  }
  if (names.size() > 0 && names.size() != static_cast<std::size_t>(n)) {
    out.error = "the correlation matrix is " + std::to_string(n) + "x" + std::to_string(n) + " but there are " +
                std::to_string(names.size()) + " symbols";
    return out;
  }
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) {
      const double v = c(i, j);
      const std::string pair = i == j ? name(i) + " with itself" : name(i) + " and " + name(j);
      if (!std::isfinite(v)) {
        out.error = "the correlation of " + pair + " is not a finite number";
        return out;
      }
      if (i == j && std::abs(v - 1.0) > kSymmetryTolerance) {
        out.error = "the correlation of " + pair + " is " + core::shortest(v) + "; the diagonal must be 1";
        return out;
      }
      if (v < -1.0 - kSymmetryTolerance || v > 1.0 + kSymmetryTolerance) {
        out.error = "the correlation of " + pair + " is " + core::shortest(v) + ", outside [-1, 1]";
        return out;
      }
      if (std::abs(v - c(j, i)) > kSymmetryTolerance) {
        out.error = "the correlation matrix is not symmetric: " + name(i) + "~" + name(j) + " is " + core::shortest(v) +
                    " but " + name(j) + "~" + name(i) + " is " + core::shortest(c(j, i));
        return out;
      }
    }
  }
  const Eigen::MatrixXd symmetric = 0.5 * (c + c.transpose());
  const Eigen::LLT<Eigen::MatrixXd> llt(symmetric);
  if (llt.info() == Eigen::Success) {
    out.factor = llt.matrixL();
    return out;
  }
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(symmetric);
  const double smallest = eig.eigenvalues().minCoeff();
  // Rounding in the solver is a few ulps of the largest eigenvalue (≤ N).
  const double tolerance = 1e-12 * static_cast<double>(n);
  if (eig.info() != Eigen::Success || smallest < -tolerance) {
    out.error =
        "correlations are jointly inconsistent: the matrix is not positive semi-definite (smallest "
        "eigenvalue " +
        core::shortest(smallest) + "); no set of assets can have them";
    return out;
  }
  const Eigen::VectorXd roots = eig.eigenvalues().cwiseMax(0.0).cwiseSqrt();
  out.factor = eig.eigenvectors() * roots.asDiagonal();
  return out;
}

GbmPaths::Result GbmPaths::create(GbmMarket market, double dt_years, std::uint64_t seed) {
  Result result;
  const std::size_t n = market.symbols.size();
  if (n == 0) {
    result.error = "no symbols to simulate";
    return result;
  }
  if (market.start_prices.size() != n || market.drift.size() != n || market.volatility.size() != n) {
    result.error = "one start price, drift and volatility per symbol expected";
    return result;
  }
  if (!(dt_years > 0) || !std::isfinite(dt_years)) {
    result.error = "the step must be a positive number of years, got " + core::shortest(dt_years);
    return result;
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& s = market.symbols[i];
    if (!seen.insert(s).second) {
      result.error = s + " is listed twice";
      return result;
    }
    if (!(market.start_prices[i] > 0) || !std::isfinite(market.start_prices[i])) {
      result.error =
          "the start price of " + s + " is " + core::shortest(market.start_prices[i]) + "; expected a number > 0";
      return result;
    }
    if (!std::isfinite(market.drift[i])) {
      result.error = "the expected return of " + s + " is not a finite number";
      return result;
    }
    if (!(market.volatility[i] >= 0) || !std::isfinite(market.volatility[i])) {
      result.error =
          "the volatility of " + s + " is " + core::shortest(market.volatility[i]) + "; expected a number >= 0";
      return result;
    }
  }
  const auto size = static_cast<Eigen::Index>(n);
  if (market.correlation.size() == 0) market.correlation = Eigen::MatrixXd::Identity(size, size);
  CorrelationFactor f = correlation_factor(market.correlation, market.symbols);
  if (!f.error.empty()) {
    result.error = std::move(f.error);
    return result;
  }

  GbmPaths g;
  g.factor_ = std::move(f.factor);
  g.scaled_factor_ = g.factor_;
  const double sqrt_dt = std::sqrt(dt_years);
  for (std::size_t i = 0; i < n; ++i) {
    const double sigma = market.volatility[i];
    g.log_start_.push_back(std::log(market.start_prices[i]));
    g.drift_per_step_.push_back((market.drift[i] - 0.5 * sigma * sigma) * dt_years);
    g.scaled_factor_.row(static_cast<Eigen::Index>(i)) *= sigma * sqrt_dt;
  }
  g.market_ = std::move(market);
  g.seed_ = seed;
  result.paths = std::move(g);
  return result;
}

void GbmPaths::fill(std::size_t path, std::size_t steps, std::span<double> prices) const {
  const std::size_t n = market_.symbols.size();
  check_rows(prices, steps, n);
  PathRng rng(seed_, path);
  std::vector<double> log_price = log_start_;
  std::vector<double> z(n);
  for (std::size_t i = 0; i < n; ++i) prices[i] = market_.start_prices[i];
  for (std::size_t k = 1; k <= steps; ++k) {
    for (double& x : z) x = rng.normal();
    double* row = prices.data() + k * n;
    for (std::size_t i = 0; i < n; ++i) {
      double shock = 0;
      for (std::size_t j = 0; j < n; ++j) {
        shock += scaled_factor_(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) * z[j];
      }
      log_price[i] += drift_per_step_[i] + shock;
      row[i] = std::exp(log_price[i]);
    }
  }
}

BootstrapPaths::Result BootstrapPaths::create(const feeds::PriceTable& table, std::vector<std::string> symbols,
                                              std::vector<double> start_prices, std::size_t block,
                                              std::uint64_t seed) {
  Result result;
  const std::size_t n = symbols.size();
  if (n == 0) {
    result.error = "no symbols to simulate";
    return result;
  }
  if (start_prices.size() != n) {
    result.error = "one start price per symbol expected";
    return result;
  }
  std::vector<std::size_t> column(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t c = 0;
    while (c < table.cols() && table.symbols[c] != symbols[i]) ++c;
    if (c == table.cols()) {
      result.error = "the prices file has no column for " + symbols[i];
      return result;
    }
    column[i] = c;
    if (!(start_prices[i] > 0) || !std::isfinite(start_prices[i])) {
      result.error =
          "the start price of " + symbols[i] + " is " + core::shortest(start_prices[i]) + "; expected a number > 0";
      return result;
    }
  }
  if (block == 0) {
    result.error = "the block length must be at least 1";
    return result;
  }

  BootstrapPaths b;
  // Forward-fill: last[i] is the asset's latest price, NaN before its first.
  std::vector<double> last(n, std::numeric_limits<double>::quiet_NaN());
  std::vector<double> previous_log(n);
  bool started = false;
  for (std::size_t r = 0; r < table.rows(); ++r) {
    bool complete = true;
    for (std::size_t i = 0; i < n; ++i) {
      const double p = table.at(r, column[i]);
      if (p > 0 && std::isfinite(p)) {
        last[i] = p;
      } else if (started) {
        ++b.filled_prices_;
      }
      complete = complete && last[i] > 0;
    }
    if (!complete) {
      ++b.dropped_rows_;
      continue;
    }
    if (started) {
      for (std::size_t i = 0; i < n; ++i) {
        const double log_now = std::log(last[i]);
        b.returns_.push_back(log_now - previous_log[i]);
        previous_log[i] = log_now;
      }
    } else {
      for (std::size_t i = 0; i < n; ++i) previous_log[i] = std::log(last[i]);
      started = true;
    }
  }
  const std::size_t rows = b.returns_.size() / n;
  if (rows == 0) {
    result.error = "the prices file needs at least two rows where every simulated symbol has a price";
    return result;
  }
  if (block > rows) {
    result.error = "the block length " + std::to_string(block) + " is longer than the " + std::to_string(rows) +
                   " returns in the prices file";
    return result;
  }
  b.symbols_ = std::move(symbols);
  for (double p : start_prices) b.log_start_.push_back(std::log(p));
  b.start_ = std::move(start_prices);
  b.block_ = block;
  b.seed_ = seed;
  result.paths = std::move(b);
  return result;
}

void BootstrapPaths::draw_rows(std::size_t path, std::size_t steps, std::span<std::size_t> rows) const {
  if (rows.size() != steps) broken("BootstrapPaths::draw_rows: one row per step expected");
  const std::size_t available = this->rows();
  PathRng rng(seed_, path);
  std::size_t k = 0;
  while (k < steps) {
    const auto start = static_cast<std::size_t>(rng.below(available));
    for (std::size_t j = 0; j < block_ && k < steps; ++j) rows[k++] = (start + j) % available;
  }
}

void BootstrapPaths::fill(std::size_t path, std::size_t steps, std::span<double> prices) const {
  const std::size_t n = symbols_.size();
  check_rows(prices, steps, n);
  std::vector<std::size_t> rows(steps);
  draw_rows(path, steps, rows);
  std::vector<double> log_price = log_start_;
  for (std::size_t i = 0; i < n; ++i) prices[i] = start_[i];
  for (std::size_t k = 1; k <= steps; ++k) {
    const double* r = returns_.data() + rows[k - 1] * n;
    double* row = prices.data() + k * n;
    for (std::size_t i = 0; i < n; ++i) {
      log_price[i] += r[i];
      row[i] = std::exp(log_price[i]);
    }
  }
}

ExplicitPaths::ExplicitPaths(std::vector<std::string> symbols, std::vector<std::vector<double>> paths)
    : symbols_(std::move(symbols)), paths_(std::move(paths)) {
  if (symbols_.empty() || paths_.empty()) broken("ExplicitPaths: no symbols or no paths");
  for (const auto& p : paths_) {
    if (p.size() != paths_.front().size() || p.size() % symbols_.size() != 0 || p.size() < 2 * symbols_.size()) {
      broken("ExplicitPaths: every path needs the same number (≥ 2) of whole rows");
    }
  }
}

std::size_t ExplicitPaths::steps() const { return paths_.front().size() / symbols_.size() - 1; }

void ExplicitPaths::fill(std::size_t path, std::size_t steps, std::span<double> prices) const {
  check_rows(prices, steps, symbols_.size());
  if (path >= paths_.size() || steps != this->steps()) broken("ExplicitPaths::fill: no such path or length");
  const auto& p = paths_[path];
  std::copy(p.begin(), p.end(), prices.begin());
}

}  // namespace ballast::offline
