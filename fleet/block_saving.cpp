#include "fleet/block_saving.hpp"

#include <vector>

namespace ballast::fleet {
namespace {

void add(CostTally& tally, const execution::CostParams& params, std::span<const SymbolMarket> markets,
         core::SymbolId symbol, double quantity, double price) {
  execution::CostInputs in;
  in.quantity = quantity;
  in.price = price;
  if (symbol < markets.size()) {
    const SymbolMarket& m = markets[symbol];
    in.symbol = m.symbol;
    in.bid = m.bid;
    in.ask = m.ask;
    in.daily_volatility = m.daily_volatility;
  }
  const execution::CostBreakdown c = execution::estimate_cost(params, in);
  tally.commission += c.commission;
  tally.spread += c.spread;
  tally.slippage += c.slippage;
  tally.impact += c.impact;
  ++tally.tickets;
}

}  // namespace

CostTally BlockSaving::saving() const {
  CostTally s;
  s.commission = separate.commission - netted.commission;
  s.spread = separate.spread - netted.spread;
  s.slippage = separate.slippage - netted.slippage;
  s.impact = separate.impact - netted.impact;
  s.tickets = separate.tickets - netted.tickets;
  return s;
}

BlockSaving estimate_block_saving(std::span<const AccountTrade> window, const execution::CostParams& params,
                                  std::span<const SymbolMarket> markets, std::size_t max_allocations_per_block) {
  BlockSaving result;
  BlockCollector collector(max_allocations_per_block);
  for (const AccountTrade& t : window) {
    if (collector.add(t)) {
      ++result.refused;
      continue;
    }
    add(result.separate, params, markets, t.symbol, t.quantity(), t.reference_price);
  }
  for (const BlockOrder& b : collector.take()) {
    add(result.netted, params, markets, b.symbol, b.quantity(), b.reference_price);
  }
  return result;
}

}  // namespace ballast::fleet
