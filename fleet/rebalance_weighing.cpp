#include "fleet/rebalance_weighing.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "execution/cost_model.hpp"
#include "strategies/dynamic_benefit.hpp"
#include "strategies/policy.hpp"

namespace ballast::fleet {

RebalanceWeighing weigh(const strategies::DynamicTrigger& trigger, const Eigen::MatrixXd& cov_annual,
                        std::span<const double> deviation, double value, double trading_cost, double tax_realised) {
  RebalanceWeighing w;
  w.benefit = strategies::dynamic_benefit(trigger, cov_annual, deviation, value);
  w.trading_cost = trading_cost;
  w.tax = std::max(0.0, tax_realised);
  return w;
}

double account_deviation(const AccountBook& book, AccountIndex a, std::span<const double> prices,
                         std::vector<double>& deviation) {
  const Model& m = book.model(a);
  const std::span<const double> held = book.quantities(a);
  deviation.assign(m.size(), 0.0);
  double value = book.cash(a);
  for (std::size_t i = 0; i < m.size(); ++i) value += held[i] * prices[m.symbols[i]];
  if (!(value > 0)) return 0;
  // Weights gather at their group's primary; every primary then less its target.
  for (std::size_t i = 0; i < m.size(); ++i) deviation[primary_of(m, i)] += held[i] * prices[m.symbols[i]] / value;
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (primary_of(m, i) == i) deviation[i] -= m.targets[i];
  }
  return value;
}

double trading_cost(const ModelDynamic& dynamic, std::span<const SizedTrade> trades, const core::SymbolTable& symbols,
                    const Model& m) {
  double cost = 0;
  for (const SizedTrade& t : trades) {
    const std::string& name = symbols.name(t.symbol);
    if (dynamic.costs) {
      execution::CostInputs in;
      in.symbol = name;
      in.quantity = t.quantity;
      in.price = t.price;
      // Impact needs σ of daily returns: Σ's, over 252 trading days, as for a portfolio.
      const auto i = static_cast<Eigen::Index>(slot_of(m, t.symbol));
      if (i < dynamic.cov_annual.rows()) {
        in.daily_volatility = std::sqrt(std::max(dynamic.cov_annual(i, i), 0.0) / 252.0);
      }
      cost += execution::estimate_cost(*dynamic.costs, in).total();
    } else {
      const double bps = strategies::lookup(dynamic.trigger.cost_bps_by_symbol, name, dynamic.trigger.cost_bps);
      cost += std::abs(t.quantity) * t.price * bps / 1e4;
    }
  }
  return cost;
}

double sale_tax(const AccountBook& book, AccountIndex a, const AccountLots& lots, std::span<const SizedTrade> trades,
                tax::Day day) {
  const Model& m = book.model(a);
  if (!m.tax_rates) return 0;
  const std::span<const double> held = book.quantities(a);
  double tax = 0;
  for (const SizedTrade& t : trades) {
    if (t.side != core::Side::sell) continue;
    tax += lots.tax_if_sold(a, t.symbol, day, t.quantity, t.price, held[slot_of(m, t.symbol)], m.tax_rates);
  }
  return tax;
}

RebalanceWeighing weigh_rebalance(const AccountBook& book, AccountIndex a, std::span<const double> prices,
                                  std::span<const SizedTrade> trades, const AccountLots& lots, tax::Day day,
                                  const core::SymbolTable& symbols) {
  const Model& m = book.model(a);
  const ModelDynamic& dynamic = *m.dynamic;
  std::vector<double> deviation;
  const double value = account_deviation(book, a, prices, deviation);
  return weigh(dynamic.trigger, dynamic.cov_annual, deviation, value, trading_cost(dynamic, trades, symbols, m),
               sale_tax(book, a, lots, trades, day));
}

}  // namespace ballast::fleet
