#include "fleet/safe_zone.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/numbers.hpp"

namespace ballast::fleet {

namespace {
using core::kInf;

/// The account's value at `prices` when a zone may be derived for it (the
/// derivations need cash ≥ 0 and a value > 0); 0 otherwise.
double zone_value(const AccountBook& book, AccountIndex a, std::span<const double> prices) {
  const Model& m = book.model(a);
  const std::span<const double> q = book.quantities(a);
  const double cash = book.cash(a);
  if (!(cash >= 0)) return 0;
  double value = cash;
  for (std::size_t i = 0; i < q.size(); ++i) value += q[i] * prices[m.symbols[i]];
  return value > 0 ? value : 0;
}
}  // namespace

double asset_zone_factor(double weight, double target, double half_width) {
  const double upper = target + half_width - kZoneWeightMargin;
  const double lower = target - half_width + kZoneWeightMargin;
  if (!(weight <= upper && weight >= lower)) return 0;
  double x = kInf;
  if (upper < 1 && weight > 0) x = std::min(x, upper * (1 - weight) / (weight * (1 - upper)));
  if (lower > 0 && weight < 1) x = std::min(x, weight * (1 - lower) / (lower * (1 - weight)));
  return x;
}

double asset_zone_radius(double weight, double target, double half_width) {
  const double x = asset_zone_factor(weight, target, half_width);
  return x >= 1 ? 0.5 * std::log(x) : -kInf;
}

double account_zone_radius(const AccountBook& book, AccountIndex a, std::span<const double> prices) {
  const Model& m = book.model(a);
  const std::span<const double> q = book.quantities(a);
  const double value = zone_value(book, a, prices);
  if (!(value > 0)) return -kInf;
  const double multiplier = book.band_multiplier(a);
  const double absolute = m.bands.absolute ? *m.bands.absolute * multiplier : kInf;
  const bool has_relative = m.bands.relative.has_value();
  const double relative = has_relative ? *m.bands.relative * multiplier : 0;
  // asset_zone_factor for every asset, written over values instead of
  // weights (w = v / V) so that no asset needs a division: the smallest
  // factor is kept as a fraction num / den (den = 0: +∞). The rounding this
  // changes is of order 1e-16, far inside kZoneWeightMargin.
  double num = 1, den = 0;
  const auto keep = [&](double n, double d) {
    if (n * den < num * d) num = n, den = d;
  };
  // For the total band (see safe_zone.hpp): Σ|v − t·V| and Σ v·(V − v) over
  // the assets (groups) and the cash.
  const double cash = book.cash(a);
  double spread = std::abs(cash - m.cash_target() * value), spread_rate = cash * (value - cash);
  // One asset (or group) of value v and target t: false when outside its narrowed band.
  const auto zone = [&](double v, double t) {
    spread += std::abs(v - t * value);
    spread_rate += v * (value - v);
    // As band_half_width(scaled_bands(...)): the same products.
    const double h = has_relative ? std::min(absolute, relative * t) : absolute;
    const double upper = t + h - kZoneWeightMargin;
    const double lower = t - h + kZoneWeightMargin;
    if (!(v <= upper * value && v >= lower * value)) return false;
    const double rest = value - v;
    if (upper < 1 && v > 0) keep(upper * rest, v * (1 - upper));
    if (lower > 0 && rest > 0) keep(v * (1 - lower), lower * rest);
    return true;
  };
  if (m.group_of.empty()) {
    for (std::size_t i = 0; i < q.size(); ++i) {
      if (!zone(q[i] * prices[m.symbols[i]], m.targets[i])) return -kInf;
    }
  } else {
    // Per slot: the value of the group it is the primary of. The rebalancer
    // sums the members' weights instead: the same to a few ulps, far inside
    // kZoneWeightMargin.
    thread_local std::vector<double> group_value;
    group_value.assign(q.size(), 0.0);
    for (std::size_t i = 0; i < q.size(); ++i) group_value[m.group_of[i]] += q[i] * prices[m.symbols[i]];
    for (std::size_t i = 0; i < q.size(); ++i) {
      if (m.group_of[i] == i && !zone(group_value[i], m.targets[i])) return -kInf;
    }
  }
  if (m.bands.total) {
    // x ≤ 1 + (2(T − margin)·V − Σ|v − t·V|)·V / min(Σ v·(V − v), V²/2), as a fraction.
    const double slack = 2 * (*m.bands.total * multiplier - kZoneWeightMargin) * value - spread;
    if (!(slack >= 0)) return -kInf;
    const double rate = std::min(spread_rate, 0.5 * value * value);
    if (rate > 0) keep(rate + slack * value, rate);
  }
  if (m.volatility) {
    // x ≤ 1 + (distance of σ to the band's nearer edge − margin) / (√λ_max·min(S₂, ½)) (safe_zone.hpp).
    thread_local std::vector<double> weights;
    weights.resize(q.size());
    double s2 = 0;  // Σ (w(1 − w))² over the assets
    for (std::size_t i = 0; i < q.size(); ++i) {
      const double w = weights[i] = q[i] * prices[m.symbols[i]] / value;
      s2 += w * (1 - w) * w * (1 - w);
    }
    const ModelVolatility& v = *m.volatility;
    const double sigma = volatility_of(v, weights);
    const double slack = std::min(sigma - v.low, v.high - sigma) - kZoneWeightMargin;
    if (!(slack >= 0)) return -kInf;
    const double rate = v.root_largest_eigenvalue * std::min(std::sqrt(s2), 0.5);
    if (rate > 0) keep(rate + slack, rate);
  }
  if (den == 0) return kInf;
  const double x = num / den;
  if (!(x >= 1)) return -kInf;
  // One log per account; rounded down by a relative hair: the log is correct
  // to an ulp or so, and the zone may be smaller than the bound but never larger.
  return 0.5 * std::log(x) * (1 - 1e-12);
}

namespace {

/// h_i of the derivation (safe_zone.hpp): asset i's full trade to target
/// trades nothing while under it, prices having fallen by at most `shrink`
/// (e^{−fall}). Less margins for the sizing's rounding: relative to the lot,
/// to the quantities (the full trade is a difference of them), and to the
/// value of a trade (quantities rounded to 1e-9).
double no_trade_half_width(const Model& m, std::size_t i, double quantity, double price, double shrink) {
  const double lot = m.lot_sizes[i];
  const double by_value = m.min_trade_value * (1 - 1e-9) * shrink / price - lot * 0.5 - 1e-9;
  return std::max(lot * 0.5, by_value) - lot * 1e-9 - 1e-12 * quantity;
}

/// account_no_trade_radius for half-widths computed as if every price had
/// fallen by a factor e^{−fall} (the min_trade_value bound grows as prices fall).
double no_trade_radius(const Model& m, std::span<const double> q, double cash, double value,
                       std::span<const double> prices, double fall) {
  const double shrink = std::exp(-fall);
  double x = kInf;  // the smallest factor e^{2r} over the assets
  for (std::size_t i = 0; i < q.size(); ++i) {
    const double lot = m.lot_sizes[i];
    const double price = prices[m.symbols[i]];
    const double h = no_trade_half_width(m, i, q[i], price, shrink);
    const double y = m.targets[i] * value / price;
    // No sale: nothing to sell (less than a lot held), or y' > q − h.
    if (q[i] >= lot * (1 - 2e-9)) {
      if (!(h > 0 && y > q[i] - h)) return -kInf;
      if (q[i] > h) x = std::min(x, y / (q[i] - h));
    }
    // No purchase: y' < q + h, or a lot costs more than the cash even at the
    // lowest price of the zone (the sizing then floors every buy to nothing).
    const double by_target = h > 0 && y < q[i] + h ? (y > 0 ? (q[i] + h) / y : kInf) : 0;
    const double lot_cost = (lot - 1e-9) * price * (1 - 1e-8);
    const double by_cash = lot_cost > 0 && cash < lot_cost ? (cash > 0 ? (lot_cost / cash) * (lot_cost / cash) : kInf) : 0;
    const double buy = std::max(by_target, by_cash);
    if (!(buy >= 1)) return -kInf;
    x = std::min(x, buy);
  }
  if (x == kInf) return kInf;
  return 0.5 * std::log(x) * (1 - 1e-12);
}

/// The no-trade radius of an account to target (nearest rounding) whose
/// buys the cash cannot pay for: every asset either trades nothing (|f| < h,
/// as above) or buys k ≥ 1 lots, k fixed inside the zone, and the cash is
/// short of the buys' total by more than the largest k: the sizing scales
/// every buy by C / B and floors each, k·C/B < 1, to nothing. Half-widths
/// as if every price had fallen by e^{−fall}.
double scaled_away_radius(const Model& m, std::span<const double> q, double cash, double value,
                          std::span<const double> prices, double fall) {
  if (m.rebalance_to != strategies::RebalanceTo::target) return -kInf;
  const double shrink = std::exp(-fall);
  double x = kInf;
  double buys = 0;   // Σ (kℓ − 1e-9)·p: the buys' total, less the quantities' rounding
  double most = 0;   // the largest k
  for (std::size_t i = 0; i < q.size(); ++i) {
    const double lot = m.lot_sizes[i];
    const double price = prices[m.symbols[i]];
    const double y = m.targets[i] * value / price;
    const double margin = lot * 1e-9 + 1e-12 * (q[i] + y);
    const double by_value = m.min_trade_value * (1 - 1e-9) * shrink / price - lot * 0.5 - 1e-9;
    const double h = std::max(lot * 0.5, by_value) - margin;
    if (h > 0 && y < q[i] + h && y > q[i] - h) {  // trades nothing
      if (y > 0) x = std::min(x, (q[i] + h) / y);
      if (q[i] > h) x = std::min(x, y / (q[i] - h));
      continue;
    }
    const double k = std::round((y - q[i]) / lot);
    if (!(k >= 1)) return -kInf;  // a sale
    const double low = q[i] + (k - 0.5) * lot + margin, high = q[i] + (k + 0.5) * lot - margin;
    if (!(y > low && y < high)) return -kInf;
    x = std::min(x, std::min(high / y, y / low));
    const double worth = (k * lot - 1e-9) * price;  // the buy, at least
    if (m.min_trade_value > 0) {
      // Kept by the sizing (worth min_trade_value) at every price of the zone.
      const double f = worth * (1 - 1e-9) / m.min_trade_value;
      if (!(f >= 1)) return -kInf;
      x = std::min(x, f * f);
    }
    buys += worth;
    most = std::max(most, k);
  }
  if (most == 0) return -kInf;  // no buy: account_no_trade_radius's own case
  if (cash > 0) {
    const double f = buys * (1 - 1e-8) / (most * cash);
    if (!(f >= 1)) return -kInf;
    x = std::min(x, f * f);
  }
  if (x == kInf) return kInf;
  if (!(x >= 1)) return -kInf;
  return 0.5 * std::log(x) * (1 - 1e-12);
}

}  // namespace

double account_no_trade_radius(const AccountBook& book, AccountIndex a, std::span<const double> prices) {
  const Model& m = book.model(a);
  const std::span<const double> q = book.quantities(a);
  const double cash = book.cash(a);
  // The derivation (safe_zone.hpp) sizes each asset on its own; a group
  // holding a substitute does not, and no bound is proven for it. Holding
  // none, the account decides as its model without groups: the bound holds.
  for (std::size_t i = 0; i < m.group_of.size(); ++i) {
    if (m.group_of[i] != i && q[i] != 0) return -kInf;
  }
  const double value = zone_value(book, a, prices);
  if (!(value > 0)) return -kInf;
  // With the half-widths of today's prices, a first radius r0; then again
  // with those of prices up to r0 lower: the half-widths only grow inside
  // the smaller radius this gives, so it holds.
  double best = -kInf;
  for (const auto radius : {no_trade_radius, scaled_away_radius}) {
    const double r0 = radius(m, q, cash, value, prices, 0);
    if (!(r0 > 0)) {
      best = std::max(best, r0);
      continue;
    }
    const double r1 = radius(m, q, cash, value, prices, std::min(r0, 1.0));
    best = std::max(best, std::min({r0, r1, 1.0}));
  }
  return best;
}

namespace {

/// account_stuck_radius for half-widths as if every price had fallen by e^{−fall}.
double stuck_radius(const Model& m, std::span<const double> q, double value, std::span<const double> prices,
                    const strategies::ThresholdTrigger& bands, double fall) {
  const double shrink = std::exp(-fall);
  double x = kInf;  // the smallest factor e^{2r} over the assets
  for (std::size_t i = 0; i < q.size(); ++i) {
    const double price = prices[m.symbols[i]];
    const double t = m.targets[i];
    // Past a total band (or out of a volatility band) every asset off its
    // target may trade (Rebalancer::check), so with one every asset is
    // bounded as an asset outside its band is.
    const double inside =
        bands.total || m.volatility ? 0.0 : asset_zone_factor(q[i] * price / value, t, band_half_width(bands, t));
    if (inside >= 1) {
      x = std::min(x, inside);
      continue;
    }
    // Outside its band (or within the margin of its edge): it trades nothing
    // as long as its full trade stays under h, as no_trade_radius bounds it
    // (a sale also when less than a lot is held) — but not the cash's floor:
    // the sales of the other assets may pay for its buy.
    const double h = no_trade_half_width(m, i, q[i], price, shrink);
    const double y = t * value / price;
    if (!(h > 0)) return -kInf;
    if (q[i] >= m.lot_sizes[i] * (1 - 2e-9)) {
      if (!(y > q[i] - h)) return -kInf;
      if (q[i] > h) x = std::min(x, y / (q[i] - h));
    }
    if (!(y < q[i] + h)) return -kInf;
    if (y > 0) x = std::min(x, (q[i] + h) / y);
  }
  if (!(x >= 1)) return -kInf;
  return x == kInf ? kInf : 0.5 * std::log(x) * (1 - 1e-12);
}

}  // namespace

double account_stuck_radius(const AccountBook& book, AccountIndex a, std::span<const double> prices) {
  const Model& m = book.model(a);
  if (m.rebalance_to != strategies::RebalanceTo::band_edge || !m.group_of.empty()) return -kInf;
  const std::span<const double> q = book.quantities(a);
  const double value = zone_value(book, a, prices);
  if (!(value > 0)) return -kInf;
  const strategies::ThresholdTrigger bands = scaled_bands(m.bands, book.band_multiplier(a));
  // As account_no_trade_radius: h shrinks as prices rise, so a first radius
  // r0, then again with the half-widths of prices up to r0 higher.
  const double r0 = stuck_radius(m, q, value, prices, bands, 0);
  if (!(r0 > 0)) return r0;
  const double r1 = stuck_radius(m, q, value, prices, bands, std::min(r0, 1.0));
  return std::min({r0, r1, 1.0});
}

double account_quiet_radius(const AccountBook& book, AccountIndex a, std::span<const double> prices) {
  const double r = account_zone_radius(book, a, prices);
  if (r >= 1e-3) return r;
  return std::max(r, account_no_trade_radius(book, a, prices));
}

}  // namespace ballast::fleet
