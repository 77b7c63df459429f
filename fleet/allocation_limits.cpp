#include "fleet/allocation_limits.hpp"

#include <algorithm>
#include <cmath>

namespace ballast::fleet {

AllocationLimits AllocationLimits::from(const execution::RiskLimits& limits, const core::SymbolTable& symbols) {
  AllocationLimits out;
  out.max_order_value = limits.max_order_value;
  out.max_order_fraction = limits.max_order_fraction;
  for (const std::string& name : limits.restricted_symbols) {
    if (const core::SymbolId id = symbols.find(name); id != core::kNoSymbol) out.restricted.push_back(id);
  }
  std::sort(out.restricted.begin(), out.restricted.end());
  return out;
}

namespace {

std::optional<AllocationDenial> check(const AllocationLimits& limits, double account_value, const SizedTrade& t) {
  const auto deny = [&](execution::DenyReason reason, std::string detail) {
    return AllocationDenial{t.symbol, t.side, reason, std::move(detail)};
  };
  if (std::binary_search(limits.restricted.begin(), limits.restricted.end(), t.symbol)) {
    return deny(execution::DenyReason::restricted_symbol, "the symbol is in restricted_symbols");
  }
  execution::GateDecision d = execution::check_order_value(limits.max_order_value, limits.max_order_fraction,
                                                           t.quantity * t.price, account_value);
  if (!d.allowed()) return deny(*d.denied, std::move(d.detail));
  return std::nullopt;
}

}  // namespace

std::vector<AllocationDenial> apply_allocation_limits(const AllocationLimits& limits, double account_value,
                                                      double cash, std::vector<SizedTrade>& trades) {
  std::vector<AllocationDenial> denials;
  bool sell_denied = false;
  std::erase_if(trades, [&](const SizedTrade& t) {
    auto d = check(limits, account_value, t);
    if (!d) return false;
    sell_denied = sell_denied || t.side == core::Side::sell;
    denials.push_back(std::move(*d));
    return true;
  });
  if (sell_denied) fit_buys_to_cash(cash, trades);
  return denials;
}

void fit_buys_to_cash(double cash, std::vector<SizedTrade>& trades) {
  double available = cash;
  double wanted = 0;
  for (const SizedTrade& t : trades) {
    if (t.side == core::Side::sell) available += t.quantity * t.price;
    else wanted += t.quantity * t.price;
  }
  if (wanted <= available || wanted <= 0) return;
  const double scale = std::max(0.0, available) / wanted;
  for (SizedTrade& t : trades) {
    if (t.side == core::Side::buy) t.quantity = std::floor(t.quantity * scale / t.lot + 1e-9) * t.lot;
  }
  std::erase_if(trades, [](const SizedTrade& t) { return !(t.quantity > 0); });
}

}  // namespace ballast::fleet
