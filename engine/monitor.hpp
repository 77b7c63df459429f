#pragma once
// Monitoring: which portfolios a price touches, so that a tick evaluates only
// those, and which symbols the shell has found stale.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/types.hpp"
#include "engine/portfolio_state.hpp"
#include "engine/valuation.hpp"

namespace ballast::engine {

class Monitor {
 public:
  /// Indexes the portfolios' assets (held or targeted) by symbol, over
  /// `symbols` symbols, and sizes the staleness table to them.
  void rebuild(std::span<const PortfolioState> portfolios, std::size_t symbols);
  /// The portfolios holding or targeting `s`, by index, ascending.
  std::span<const std::uint32_t> holders(core::SymbolId s) const { return holders_[s]; }

  /// A row of ticks at one instant: begin it, touch each symbol that ticked,
  /// then evaluate each touched portfolio once.
  void begin_row(std::size_t portfolios) { touched_.assign(portfolios, 0); }
  void touch(core::SymbolId s) {
    for (const std::uint32_t i : holders_[s]) touched_[i] = 1;
  }
  bool touched(std::size_t portfolio) const { return touched_[portfolio] != 0; }

  /// The shell's verdict on a symbol's freshness; a symbol beyond the table is ignored.
  void set_stale(core::SymbolId s, bool stale);
  bool stale(core::SymbolId s) const { return s < stale_.size() && stale_[s]; }

  /// Every asset of `p` has a price and none is stale: it can be decided on.
  bool ready(const PortfolioState& p, const PriceTable& prices) const;

 private:
  std::vector<std::vector<std::uint32_t>> holders_;  ///< per symbol
  std::vector<char> stale_;                          ///< per symbol
  std::vector<char> touched_;                        ///< per portfolio, within a row
};

}  // namespace ballast::engine
