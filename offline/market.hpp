#pragma once
// The market a Monte Carlo run simulates, from the configuration the daemon
// reads: [simulation]'s own model where it gives one, else the portfolios'
// fixed risk models (volatilities and correlations) and mean-variance models
// (expected returns). No field means something different here: a portfolio's
// volatilities are the ones its fixed risk model already uses.
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "offline/paths.hpp"

namespace ballast::offline {

/// Every symbol the portfolios name, in the order of their assets, portfolio by portfolio.
std::vector<std::string> portfolio_symbols(const std::vector<strategies::PortfolioSpec>& portfolios);

/// [simulation] start_prices per symbol, 100 for the ones it does not name.
std::vector<double> start_prices(const config::Config& config, const std::vector<std::string>& symbols);

struct MarketResult {
  std::optional<GbmMarket> market;  ///< engaged when error is empty
  std::string error;
};

/// The GBM market over portfolio_symbols(): volatilities and correlations from
/// [simulation] when it gives volatilities, else from the portfolios' fixed
/// risk models (a symbol takes the first that names it; two models that
/// disagree on a volatility or a correlation are an error, and a pair no model
/// names is uncorrelated); expected returns from [simulation], else from the
/// mean-variance models, likewise. A symbol left without either is an error
/// that names it and says where to give it.
MarketResult gbm_market(const config::Config& config);

}  // namespace ballast::offline
