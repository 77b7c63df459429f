#include "execution/cash_flow.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <utility>

#include "core/text_format.hpp"

namespace ballast::execution {
namespace {

// Money compared across sums of products is equal up to this fraction of the
// portfolio's gross value: far below a cent at any realistic size.
constexpr double kValueEpsilon = 1e-12;

double floor_lots(double lots) { return std::floor(lots + kLotEpsilon); }
double ceil_lots(double lots) { return std::ceil(lots - kLotEpsilon); }

double lots_value(double lots, const SizingAsset& a) { return lots_to_quantity(lots, a.lot_size) * a.price; }

CashFlowPlan refuse(const CashFlowRequest& req, std::string reason) {
  CashFlowPlan plan;
  plan.cash_after = req.cash;
  plan.error = std::move(reason);
  return plan;
}

std::optional<std::string> check_inputs(const CashFlowRequest& req) {
  if (!std::isfinite(req.cash) || req.cash < 0) return "cash must be finite and >= 0";
  if (!std::isfinite(req.amount)) return "amount must be finite";
  if (!std::isfinite(req.cash_target) || req.cash_target < 0 || req.cash_target > 1)
    return "cash_target must be in [0, 1]";
  if (!std::isfinite(req.min_trade_value) || req.min_trade_value < 0) return "min_trade_value must be finite and >= 0";
  for (std::size_t i = 0; i < req.assets.size(); ++i) {
    const SizingAsset& a = req.assets[i];
    const std::string where = core::printf_string("asset %zu: ", i);
    if (!std::isfinite(a.quantity) || a.quantity < 0) return where + "quantity must be finite and >= 0";
    if (!std::isfinite(a.price) || !(a.price > 0)) return where + "price must be finite and > 0";
    if (!std::isfinite(a.desired_weight) || a.desired_weight < 0)
      return where + "target weight must be finite and >= 0";
    if (!std::isfinite(a.lot_size) || !(a.lot_size > 0)) return where + "lot size must be finite and > 0";
  }
  return std::nullopt;
}

// Indices with a positive key, largest key first, ties in asset order.
std::vector<std::uint32_t> largest_first(const std::vector<double>& key) {
  std::vector<std::uint32_t> order;
  for (std::uint32_t i = 0; i < key.size(); ++i)
    if (key[i] > 0) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) { return key[x] > key[y]; });
  return order;
}

std::vector<SizedTrade> to_trades(std::span<const SizingAsset> assets, const std::vector<double>& lots,
                                  core::Side side) {
  std::vector<SizedTrade> trades;
  for (std::uint32_t i = 0; i < lots.size(); ++i) {
    if (lots[i] <= 0) continue;
    SizedTrade t;
    t.asset = i;
    t.side = side;
    t.quantity = lots_to_quantity(lots[i], assets[i].lot_size);
    t.value = t.quantity * assets[i].price;
    trades.push_back(t);
  }
  return trades;
}

struct Raised {
  std::vector<double> lots;  ///< lots sold per asset
  double value = 0;
};

// The sells for a withdrawal, leaving out the assets in `excluded`.
Raised raise_cash(std::span<const SizingAsset> assets, const std::vector<double>& excess, double need, double tol,
                  const std::vector<bool>& excluded) {
  const std::size_t n = assets.size();
  Raised r;
  r.lots.assign(n, 0.0);
  std::vector<double> held(n, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    if (!excluded[i]) held[i] = floor_lots(assets[i].quantity / assets[i].lot_size);

  // Overweights first: toward the target to the nearest lot, so a small excess in
  // a large lot is not sold past its target by most of a lot, but no more lots
  // than the need still open, rounded up so the last sell covers it.
  for (std::uint32_t i : largest_first(excess)) {
    if (r.value >= need - tol) break;
    if (excluded[i]) continue;
    const SizingAsset& a = assets[i];
    const double lot_value = a.lot_size * a.price;
    const double toward_target = std::round(excess[i] / lot_value);
    const double enough = ceil_lots((need - r.value) / lot_value);
    const double lots = std::min({toward_target, enough, held[i]});
    if (lots <= 0) continue;
    r.lots[i] = lots;
    r.value += lots_value(lots, a);
  }
  if (r.value >= need - tol) return r;

  // Still short: every asset gives pro rata to what it still holds, lots rounded
  // up, so the shares cover the rest whenever the holdings can.
  const double open = need - r.value;
  double holdings = 0;
  for (std::size_t i = 0; i < n; ++i) holdings += lots_value(held[i] - r.lots[i], assets[i]);
  if (!(holdings > 0)) return r;
  for (std::size_t i = 0; i < n; ++i) {
    const SizingAsset& a = assets[i];
    const double left = held[i] - r.lots[i];
    if (left <= 0) continue;
    const double share = open * lots_value(left, a) / holdings;
    r.lots[i] += std::min(ceil_lots(share / (a.lot_size * a.price)), left);
  }
  r.value = 0;
  for (std::size_t i = 0; i < n; ++i) r.value += lots_value(r.lots[i], assets[i]);
  return r;
}

CashFlowPlan plan_withdrawal(const CashFlowRequest& req, double value_after, double tol) {
  const auto& assets = req.assets;
  const std::size_t n = assets.size();
  CashFlowPlan plan;
  const double cash_left = req.cash + req.amount;  // before any sell; may be negative
  const double cash_wanted = req.cash_target * value_after;
  if (cash_left >= cash_wanted) {
    plan.cash_after = cash_left;
    return plan;
  }
  double sellable = 0;
  for (const auto& a : assets) sellable += lots_value(floor_lots(a.quantity / a.lot_size), a);
  if (cash_left + sellable < -tol)
    return refuse(req, core::printf_string("withdrawal %.2f beyond the cash plus the whole lots held %.2f", -req.amount,
                                           req.cash + sellable));
  // What the whole lots can give, when that falls short of the cash target but
  // still pays the withdrawal.
  const double need = std::min(cash_wanted - cash_left, sellable);

  std::vector<double> excess(n, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    excess[i] = std::max(0.0, assets[i].quantity * assets[i].price - assets[i].desired_weight * value_after);

  std::vector<bool> excluded(n, false);
  std::vector<bool> kept(n, false);
  Raised r = raise_cash(assets, excess, need, tol, excluded);
  // Each pass settles one small sell for good (dropped or kept): at most n passes.
  for (;;) {
    std::size_t smallest = n;
    double smallest_value = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (r.lots[i] <= 0 || kept[i]) continue;
      const double v = lots_value(r.lots[i], assets[i]);
      if (v >= req.min_trade_value) continue;
      if (smallest == n || v < smallest_value) {
        smallest = i;
        smallest_value = v;
      }
    }
    if (smallest == n) break;
    excluded[smallest] = true;
    Raised without = raise_cash(assets, excess, need, tol, excluded);
    if (without.value >= need - tol) {
      r = std::move(without);
    } else {
      excluded[smallest] = false;
      kept[smallest] = true;
    }
  }

  plan.trades = to_trades(assets, r.lots, core::Side::sell);
  double proceeds = 0;
  for (const auto& t : plan.trades) proceeds += t.value;
  // Lots rounded up cover the need up to binary noise of the lot products.
  plan.cash_after = std::max(0.0, cash_left + proceeds);
  return plan;
}

CashFlowPlan plan_deposit(const CashFlowRequest& req, double value_after, double tol) {
  const auto& assets = req.assets;
  const std::size_t n = assets.size();
  CashFlowPlan plan;
  const double cash_in = req.cash + req.amount;
  plan.cash_after = cash_in;
  const double money = cash_in - req.cash_target * value_after;
  if (!(money > 0)) return plan;

  std::vector<double> shortfall(n, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    shortfall[i] = std::max(0.0, assets[i].desired_weight * value_after - assets[i].quantity * assets[i].price);
  const double total_shortfall = std::accumulate(shortfall.begin(), shortfall.end(), 0.0);

  std::vector<double> lots(n, 0.0);
  double spent = 0;
  // Buys up to `want` of asset i in whole lots, rounded down, within the money left.
  auto buy = [&](std::size_t i, double want) {
    const SizingAsset& a = assets[i];
    double l = floor_lots(std::min(want, money - spent) / (a.lot_size * a.price));
    // Flooring with the lot tolerance may round up by binary noise: cut a lot or
    // two, then give up (at huge magnitudes a lot is below a double's spacing).
    for (int pass = 0; l > 0 && spent + lots_value(l, a) > money; ++pass) l = pass < 2 ? l - 1 : 0;
    if (l <= 0) return;
    const double v = lots_value(l, a);
    if (v < req.min_trade_value) return;
    lots[i] = l;
    spent += v;
  };

  if (money <= total_shortfall + tol) {
    for (std::uint32_t i : largest_first(shortfall)) {
      if (money - spent <= 0) break;
      buy(i, shortfall[i]);
    }
  } else {
    // Every shortfall is paid for; the rest follows the target weights.
    const double surplus = money - total_shortfall;
    double weights = 0;
    for (const auto& a : assets) weights += a.desired_weight;
    for (std::size_t i = 0; i < n; ++i)
      buy(i, shortfall[i] + (weights > 0 ? surplus * assets[i].desired_weight / weights : 0.0));
  }

  plan.trades = to_trades(assets, lots, core::Side::buy);
  plan.cash_after = cash_in - spent;
  return plan;
}

}  // namespace

CashFlowPlan plan_cash_flow(const CashFlowRequest& req) {
  if (auto problem = check_inputs(req)) return refuse(req, std::move(*problem));

  double holdings = 0;
  for (const auto& a : req.assets) holdings += a.quantity * a.price;
  const double value_after = holdings + req.cash + req.amount;
  const double gross = holdings + req.cash + std::abs(req.amount);
  if (!std::isfinite(value_after) || !std::isfinite(gross)) return refuse(req, "portfolio value is not finite");
  const double tol = kValueEpsilon * std::max(1.0, gross);

  if (req.amount == 0) {
    CashFlowPlan plan;
    plan.cash_after = req.cash;
    return plan;
  }
  if (req.amount > 0) return plan_deposit(req, value_after, tol);
  if (value_after < -tol)
    return refuse(
        req, core::printf_string("withdrawal %.2f beyond the portfolio value %.2f", -req.amount, holdings + req.cash));
  return plan_withdrawal(req, std::max(0.0, value_after), tol);
}

}  // namespace ballast::execution
