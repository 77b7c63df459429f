#include "execution/order_sizing.hpp"

#include <algorithm>
#include <cmath>

#include "core/round_half_away.hpp"

namespace ballast::execution {
namespace {

double floor_lots(double quantity, double lot) { return std::floor(quantity / lot + kLotEpsilon); }

}  // namespace

double lots_to_quantity(double lots, double lot_size) {
  const double q = lots * lot_size;
  return core::round_half_away(q * 1e9) / 1e9;
}

SizingResult size_trades(const SizingRequest& req) {
  SizingResult result;
  size_trades(req, result);
  return result;
}

void size_trades(const SizingRequest& req, SizingResult& result) {
  result.trades.clear();
  result.buys_scaled = false;
  double value = req.cash;
  for (const auto& a : req.assets) value += a.quantity * a.price;
  if (!(value > 0)) {
    result.cash_after = req.cash;
    return;
  }

  // Sells go straight to the result, buys after them (no allocation once
  // the result and this scratch have grown to the portfolio's size).
  thread_local std::vector<SizedTrade> buys;
  buys.clear();
  std::vector<SizedTrade>& sells = result.trades;
  for (std::uint32_t i = 0; i < req.assets.size(); ++i) {
    const SizingAsset& a = req.assets[i];
    if (!(a.price > 0) || !(a.lot_size > 0)) continue;
    const double delta_qty = (a.desired_weight * value - a.quantity * a.price) / a.price;
    double lots = 0;
    if (req.rounding != Rounding::nearest && i < req.full_weights.size()) {
      const double full_qty = (req.full_weights[i] * value - a.quantity * a.price) / a.price;
      const double full_lots = core::round_half_away(std::abs(full_qty) / a.lot_size);
      const bool outward = req.rounding == Rounding::outward || a.outside_band;
      lots = std::min(outward ? std::ceil(std::abs(delta_qty) / a.lot_size - kLotEpsilon)
                              : core::round_half_away(std::abs(delta_qty) / a.lot_size),
                      full_lots);
      // Band-edge never crosses the target: only move in the direction of the delta.
      if ((full_qty > 0) != (delta_qty > 0)) lots = 0;
      // An asset outside its band whose lots are worth too little to trade
      // would stay outside: it trades min_trade_value's worth if the full trade allows.
      if (a.outside_band && lots > 0 && lots * a.lot_size * a.price < req.min_trade_value) {
        lots = std::min(std::ceil(req.min_trade_value / (a.lot_size * a.price)), full_lots);
      }
    } else {
      lots = core::round_half_away(std::abs(delta_qty) / a.lot_size);
    }
    if (lots <= 0) continue;
    SizedTrade t;
    t.asset = i;
    if (delta_qty < 0) {
      t.side = core::Side::sell;
      lots = std::min(lots, floor_lots(a.quantity, a.lot_size));
      if (lots <= 0) continue;
    } else {
      t.side = core::Side::buy;
    }
    t.quantity = lots_to_quantity(lots, a.lot_size);
    t.value = t.quantity * a.price;
    if (t.value < req.min_trade_value) continue;
    (t.side == core::Side::sell ? sells : buys).push_back(t);
  }

  double cash = req.cash;
  for (const auto& s : sells) cash += s.value;
  double buy_total = 0;
  for (const auto& b : buys) buy_total += b.value;
  if (buy_total > cash) {
    result.buys_scaled = true;
    const double factor = cash > 0 ? cash / buy_total : 0.0;
    std::size_t kept = 0;
    for (SizedTrade b : buys) {
      const SizingAsset& a = req.assets[b.asset];
      const double lots = floor_lots(b.quantity * factor, a.lot_size);
      if (lots <= 0) continue;
      b.quantity = lots_to_quantity(lots, a.lot_size);
      b.value = b.quantity * a.price;
      if (b.value < req.min_trade_value) continue;
      buys[kept++] = b;
    }
    buys.resize(kept);
    // Flooring keeps the sum under the cash up to rounding; cut whole lots from
    // the largest buy until it holds. Bounded: each pass cuts at least one lot
    // and, after a few passes, drops the largest buy outright.
    for (int pass = 0; !buys.empty(); ++pass) {
      double spent = 0;
      for (const auto& b : buys) spent += b.value;
      if (spent <= cash) break;
      auto largest = std::max_element(buys.begin(), buys.end(),
                                      [](const SizedTrade& x, const SizedTrade& y) { return x.value < y.value; });
      const SizingAsset& a = req.assets[largest->asset];
      const double cut = std::max(1.0, std::ceil((spent - cash) / (a.price * a.lot_size)));
      const double lots = pass < 3 ? floor_lots(largest->quantity, a.lot_size) - cut : 0.0;
      largest->quantity = lots > 0 ? lots_to_quantity(lots, a.lot_size) : 0.0;
      largest->value = largest->quantity * a.price;
      if (lots <= 0 || largest->value < req.min_trade_value) buys.erase(largest);
    }
  }
  for (const auto& b : buys) cash -= b.value;

  result.trades.insert(result.trades.end(), buys.begin(), buys.end());
  result.cash_after = cash;
}

}  // namespace ballast::execution
