#include "offline/market.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include "config/diagnostics.hpp"
#include "core/number_text.hpp"

namespace ballast::offline {
namespace {

using PerSymbol = std::vector<std::pair<std::string, double>>;

/// A value per symbol gathered from several portfolios, each naming where it came from.
class Gathered {
 public:
  /// Records `value` for `key` from portfolio `source`; an error text when an
  /// earlier portfolio gave another value.
  std::string add(const std::string& key, double value, const std::string& source, const std::string& what) {
    const auto [it, inserted] = values_.emplace(key, std::pair{value, source});
    if (inserted || it->second.first == value) return {};
    return "portfolios " + it->second.second + " and " + source + " give " + what + " different values (" +
           core::shortest(it->second.first) + " and " + core::shortest(value) + "); give one in [simulation]";
  }
  const std::pair<double, std::string>* find(const std::string& key) const {
    const auto it = values_.find(key);
    return it == values_.end() ? nullptr : &it->second;
  }

 private:
  std::map<std::string, std::pair<double, std::string>> values_;
};

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string pair_key(const std::string& a, const std::string& b) { return a < b ? a + ":" + b : b + ":" + a; }

}  // namespace

std::vector<std::string> portfolio_symbols(const std::vector<strategies::PortfolioSpec>& portfolios) {
  std::vector<std::string> out;
  for (const auto& p : portfolios) {
    for (const auto& a : p.assets) {
      if (std::find(out.begin(), out.end(), a.symbol) == out.end()) out.push_back(a.symbol);
    }
  }
  return out;
}

std::vector<double> start_prices(const config::Config& config, const std::vector<std::string>& symbols) {
  std::vector<double> out(symbols.size(), 100.0);
  if (!config.simulation) return out;
  for (const auto& [symbol, price] : config.simulation->start_prices) {
    for (std::size_t i = 0; i < symbols.size(); ++i) {
      if (symbols[i] == symbol) out[i] = price;
    }
  }
  return out;
}

MarketResult gbm_market(const config::Config& config) {
  MarketResult result;
  const std::vector<std::string> symbols = portfolio_symbols(config.portfolios);
  if (symbols.empty()) {
    result.error = "no portfolio names a symbol: there is nothing to simulate";
    return result;
  }
  const config::SimulationConfig defaults;
  const config::SimulationConfig& sim = config.simulation ? *config.simulation : defaults;

  // Volatilities and correlations: [simulation]'s, or the fixed risk models'.
  Gathered vols, corrs, returns;
  std::vector<std::string> errors;
  if (!sim.volatilities.empty()) {
    for (const auto& [s, v] : sim.volatilities) vols.add(s, v, "[simulation]", s);
    for (const auto& c : sim.correlations) corrs.add(pair_key(c.a, c.b), c.rho, "[simulation]", c.a + ":" + c.b);
  } else {
    for (const auto& p : config.portfolios) {
      if (!p.risk || p.risk->volatilities.empty()) continue;
      for (const auto& [s, v] : p.risk->volatilities) {
        if (auto e = vols.add(s, v, p.id, "the volatility of " + s); !e.empty()) errors.push_back(std::move(e));
      }
      for (const auto& c : p.risk->correlations) {
        const std::string what = "the correlation of " + c.a + " and " + c.b;
        if (auto e = corrs.add(pair_key(c.a, c.b), c.rho, p.id, what); !e.empty()) errors.push_back(std::move(e));
      }
    }
  }
  if (!sim.expected_returns.empty()) {
    for (const auto& [s, v] : sim.expected_returns) returns.add(s, v, "[simulation]", s);
  } else {
    for (const auto& p : config.portfolios) {
      if (p.model.kind != strategies::ModelKind::mean_variance) continue;
      for (const auto& [s, v] : p.model.expected_returns) {
        if (auto e = returns.add(s, v, p.id, "the expected return of " + s); !e.empty()) errors.push_back(std::move(e));
      }
    }
  }
  if (!errors.empty()) {
    result.error = errors.front();
    return result;
  }

  GbmMarket m;
  m.symbols = symbols;
  m.start_prices = start_prices(config, symbols);
  std::vector<std::string> no_vol, no_return;
  for (const auto& s : symbols) {
    const auto* v = vols.find(s);
    const auto* r = returns.find(s);
    if (!v) no_vol.push_back(s);
    if (!r) no_return.push_back(s);
    m.volatility.push_back(v ? v->first : 0.0);
    m.drift.push_back(r ? r->first : 0.0);
  }
  if (!no_vol.empty()) {
    result.error = "no volatility for " + join(no_vol) +
                   ": give [simulation] volatilities for every symbol, or a fixed [portfolios.risk] model "
                   "(volatilities) that names it";
    return result;
  }
  if (!no_return.empty()) {
    result.error = "no expected return for " + join(no_return) +
                   ": give [simulation] expected_returns for every symbol, or a mean-variance model's "
                   "expected_returns that names it";
    return result;
  }
  const auto n = static_cast<Eigen::Index>(symbols.size());
  m.correlation = Eigen::MatrixXd::Identity(n, n);
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    for (std::size_t j = i + 1; j < symbols.size(); ++j) {
      if (const auto* c = corrs.find(pair_key(symbols[i], symbols[j]))) {
        m.correlation(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = c->first;
        m.correlation(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(i)) = c->first;
      }
    }
  }
  // Each portfolio's own correlations are consistent; several put together need not be.
  if (const CorrelationFactor f = correlation_factor(m.correlation, m.symbols); !f.error.empty()) {
    result.error = f.error + (sim.volatilities.empty() ? " (put together from the portfolios' fixed risk models; "
                                                         "give one model in [simulation])"
                                                       : "");
    return result;
  }
  result.market = std::move(m);
  return result;
}

}  // namespace ballast::offline
