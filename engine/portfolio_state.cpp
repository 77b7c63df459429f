#include "engine/portfolio_state.hpp"

#include <cmath>

namespace ballast::engine {

AssetState* find_asset(PortfolioState& p, core::SymbolId symbol) {
  for (auto& a : p.assets) {
    if (a.symbol == symbol) return &a;
  }
  return nullptr;
}

void book_trade(PortfolioState& p, core::SymbolId symbol, core::Side side, double quantity, double value) {
  AssetState* a = find_asset(p, symbol);
  if (!a) return;
  if (side == core::Side::buy) {
    a->quantity += quantity;
    p.cash -= value;
  } else {
    a->quantity -= quantity;
    p.cash += value;
  }
  a->quantity = std::round(a->quantity * 1e9) / 1e9;
}

void ChangeSet::mark(std::size_t portfolio) {
  if (flag_.size() <= portfolio) flag_.resize(portfolio + 1, 0);
  if (flag_[portfolio]) return;
  flag_[portfolio] = 1;
  list_.push_back(portfolio);
}

void ChangeSet::mark_all(std::size_t portfolios) {
  flag_.assign(portfolios, 1);
  list_.clear();
  for (std::size_t i = 0; i < portfolios; ++i) list_.push_back(i);
}

void ChangeSet::take(std::vector<std::size_t>& into) {
  for (const std::size_t i : list_) {
    flag_[i] = 0;
    into.push_back(i);
  }
  list_.clear();
}

}  // namespace ballast::engine
