#include "engine/monitor.hpp"

namespace ballast::engine {

void Monitor::rebuild(std::span<const PortfolioState> portfolios, std::size_t symbols) {
  holders_.assign(symbols, {});
  for (std::uint32_t i = 0; i < portfolios.size(); ++i) {
    for (const auto& a : portfolios[i].assets) holders_[a.symbol].push_back(i);
  }
  stale_.resize(symbols, 0);
}

void Monitor::set_stale(core::SymbolId s, bool stale) {
  if (s < stale_.size()) stale_[s] = stale ? 1 : 0;
}

bool Monitor::ready(const PortfolioState& p, const PriceTable& prices) const {
  for (const auto& a : p.assets) {
    if (!(prices.price(a.symbol) > 0) || stale(a.symbol)) return false;
  }
  return true;
}

}  // namespace ballast::engine
