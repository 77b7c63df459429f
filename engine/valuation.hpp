#pragma once
// Pricing and valuation: the last price and quote of every symbol, and what a
// portfolio is worth at them, its weights and its drift from the targets.
#include <cstddef>
#include <vector>

#include "core/types.hpp"
#include "engine/portfolio_state.hpp"
#include "strategies/drift.hpp"

namespace ballast::engine {

/// Per symbol: the last price and its time, the price before it, the live
/// quote. Sized to the symbol table; a symbol never priced reads 0.
class PriceTable {
 public:
  /// Sized to `symbols` symbols; the new ones unpriced, without a quote.
  void resize(std::size_t symbols);
  std::size_t size() const { return last_.size(); }
  /// Records a tick's price, quote and time; false, recording nothing, for a
  /// symbol beyond the table.
  bool update(const core::Tick& tick);

  /// 0 for a symbol not priced yet or beyond the table.
  double price(core::SymbolId s) const { return s < last_.size() ? last_[s] : 0.0; }
  bool has_price(core::SymbolId s) const { return price(s) > 0; }
  /// The time of the last price; 0 when none.
  core::TimeNs time(core::SymbolId s) const { return s < ts_.size() ? ts_[s] : 0; }
  // The rest is for symbols in the table.
  /// The live quote; NaN when the feed gave none.
  double bid(core::SymbolId s) const { return bids_[s]; }
  double ask(core::SymbolId s) const { return asks_[s]; }
  /// The risk gate's last good price: the one before the last tick, or the
  /// last itself when it was the first.
  double last_good(core::SymbolId s) const { return before_[s] > 0 ? before_[s] : last_[s]; }

 private:
  std::vector<double> last_;
  std::vector<double> before_;
  std::vector<core::TimeNs> ts_;
  std::vector<double> bids_, asks_;
};

/// Value and weights of a portfolio at the last prices.
struct Valuation {
  double value = 0;
  std::vector<double> weights;  ///< per asset
  double cash_weight = 0;
  bool priced = false;  ///< every asset has a price
};

Valuation valuation(const PortfolioState& p, const PriceTable& prices);

/// A portfolio's weights and targets side by side at the last prices: what the
/// triggers and the sizing read. Reused from one evaluation to the next, so
/// that valuing on a tick allocates nothing.
struct WeightSnapshot {
  std::vector<double> weights;  ///< per asset, of the value, cash included
  std::vector<double> targets;  ///< per asset, as the model set them
  double value = 0;             ///< cash + Σ quantity × price

  /// Values `p` at `prices`; false when an asset has no price or the value is
  /// not positive (the weights are then not usable).
  bool take(const PortfolioState& p, const PriceTable& prices);
  void reserve(std::size_t assets);
  strategies::WeightView view(const PortfolioState& p) const {
    return {weights, targets, p.cash / value, p.cash_target};
  }
  strategies::DriftSummary drift(const PortfolioState& p) const { return strategies::summarize_drift(view(p)); }
};

}  // namespace ballast::engine
