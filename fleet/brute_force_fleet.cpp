#include "fleet/brute_force_fleet.hpp"

#include <cstdio>
#include <cstdlib>

namespace ballast::fleet {

BruteForceFleet::BruteForceFleet(AccountBook book, std::vector<double> prices)
    : book_(std::move(book)), prices_(std::move(prices)), holders_begin_(book_.symbol_count() + 1, 0) {
  bool usable = prices_.size() == book_.symbol_count();
  for (const double p : prices_) usable = usable && usable_price(p);
  if (!usable) {
    std::fprintf(stderr, "ballast: broken invariant: fleet: one usable price per symbol expected\n");
    std::abort();
  }
  for (AccountIndex a = 0; a < book_.size(); ++a) {
    for (const core::SymbolId j : book_.model(a).symbols) ++holders_begin_[j + 1];
  }
  for (std::size_t j = 0; j < book_.symbol_count(); ++j) holders_begin_[j + 1] += holders_begin_[j];
  holders_.resize(holders_begin_.back());
  std::vector<std::uint32_t> cursor(holders_begin_.begin(), holders_begin_.end() - 1);
  for (AccountIndex a = 0; a < book_.size(); ++a) {
    for (const core::SymbolId j : book_.model(a).symbols) holders_[cursor[j]++] = a;
  }
}

void BruteForceFleet::resync(FleetOutput& out) {
  for (AccountIndex a = 0; a < book_.size(); ++a) rebalancer_.check_and_rebalance(book_, a, prices_, out);
}

bool BruteForceFleet::on_tick(core::SymbolId symbol, double price, FleetOutput& out) {
  if (symbol >= prices_.size() || !usable_price(price)) return false;
  prices_[symbol] = price;
  for (std::uint32_t k = holders_begin_[symbol]; k < holders_begin_[symbol + 1]; ++k) {
    rebalancer_.check_and_rebalance(book_, holders_[k], prices_, out);
  }
  return true;
}

}  // namespace ballast::fleet
