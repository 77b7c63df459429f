#pragma once
// Safe zones (geometric monitoring): around the prices an account was last
// checked at, a radius r in log-price space inside which it cannot breach a
// band, so that ticks inside every account's zone need no work at all.
#include <span>

#include "fleet/account_book.hpp"

namespace ballast::fleet {

/// Weights are kept this far inside the band, so that the rounding of the
/// exact check (weights of order 1, errors of order 1e-16) can never find a
/// breach inside a zone.
inline constexpr double kZoneWeightMargin = 1e-12;

/// For one asset of weight w (of the value, cash included) and band
/// [t − h, t + h]: the largest x = e^{2r} such that no price move of at most
/// r in log terms on each of the account's symbols takes w out of the band
/// narrowed by kZoneWeightMargin. +∞ when no move can; 0 when w is already
/// outside the narrowed band.
///
/// Derivation. Let v_i = q_i·p_i ≥ 0, cash C ≥ 0 and V = C + Σv. Prices move
/// by factors f_j ∈ [e^{−r}, e^{r}]; cash does not move. The new weight of i is
/// w' = v_i f_i / (v_i f_i + R) with R = C + Σ_{j≠i} v_j f_j, and
/// e^{−r}(V − v_i) ≤ R ≤ e^{r}(V − v_i) because C ≥ 0. So
///   w' ≤ w x / (w x + 1 − w)  and  w' ≥ w / (w + x (1 − w)),  x = e^{2r}.
/// Keeping the first ≤ U (when U < 1 and w > 0):
///   w x (1 − U) ≤ U (1 − w)  ⇔  x ≤ U (1 − w) / (w (1 − U)).
/// Keeping the second ≥ L (when L > 0 and w < 1):
///   w (1 − L) ≥ L x (1 − w)  ⇔  x ≤ w (1 − L) / (L (1 − w)).
/// Both bounds are ≥ 1 exactly when L ≤ w ≤ U. They are reached (the zone is
/// tight) for an account of two assets and no cash moving in opposite
/// directions; a single symbol moving alone can go twice as far.
///
/// Substitute groups (Model::group_of). The same holds for a group's weight,
/// with v_i the group's value Σ_{k∈G} v_k: each member moves by its own
/// factor f_k ∈ [e^{−r}, e^{r}], so the group's value moves by a factor in
/// the same interval (a weighted mean of the f_k), and so does R, now C plus
/// the values outside the group. Nothing else was used.
double asset_zone_factor(double weight, double target, double half_width);

/// ½ ln asset_zone_factor: the radius for one asset; −∞ when it is outside.
double asset_zone_radius(double weight, double target, double half_width);

/// The account's radius at `prices` (indexed by symbol id): the smallest over
/// its assets (its groups, against the primaries' targets and bands, when the
/// model has group_of) and, with a total band, the total drift's, rounded down.
///
/// The total band T: the drift D = ½(Σ|w_i − t_i| + |c − t_c|), cash c of
/// target t_c = 1 − Σt. Under moves of at most r (x = e^{2r} as above), the
/// bounds of asset_zone_factor's derivation give
///   w x / (w x + 1 − w) − w = w(1 − w)(x − 1) / (w x + 1 − w) ≤ w(1 − w)(x − 1)
/// and the same for w − w / (w + x(1 − w)), both denominators being ≥ 1. The
/// cash's weight C / (C + R') with R' within e^{±r}(V − C) moves by at most
/// c(1 − c)(e^{r} − 1) ≤ c(1 − c)(x − 1), so the weights move by
/// Σ|w' − w| ≤ (x − 1)·S in all, S = Σ w_i(1 − w_i) + c(1 − c). Also, with
/// f_i the assets' factors and 1 the cash's, w_i' = w_i f_i / F where
/// F = Σ w_j f_j is the f's mean under the weights (cash included), so
/// Σ|w' − w| = Σ w_i |f_i − F| / F: a mean absolute deviation of values in
/// [e^{−r}, e^{r}], at most half their range, over F ≥ e^{−r}: at most
/// (x − 1)/2. So D' ≤ D + ½(x − 1)·min(S, ½), and D' ≤ T − kZoneWeightMargin
/// while x ≤ 1 + 2(T − kZoneWeightMargin − D) / min(S, ½). The first is
/// tight to first order for two assets and no cash moving apart, the second
/// for many assets of which half the weight rises and half falls; a group's
/// weight moves as an asset's (above), so both hold over the groups.
///
/// A volatility band [L, H] (Model::volatility): σ(w) = √(wᵀΣw) is a norm
/// of w for a positive semidefinite Σ, so |σ(w') − σ(w)| ≤ σ(w' − w) ≤
/// √λ_max·‖w' − w‖₂ over the assets (the cash at 0 variance). Each weight
/// moves by at most w_i(1 − w_i)(x − 1) (above), so
/// ‖w' − w‖₂ ≤ (x − 1)·S₂ with S₂ = √Σ(w_i(1 − w_i))², and
/// ‖w' − w‖₂ ≤ ‖w' − w‖₁ ≤ (x − 1)/2. So σ stays inside the band narrowed
/// by kZoneWeightMargin while x ≤ 1 + (min(σ − L, H − σ) −
/// kZoneWeightMargin) / (√λ_max·min(S₂, ½)). For ten weights of 0.1, S₂ is
/// 0.28: the zone is 1.75 times as wide as with ½ alone. −∞ when the account is not certified safe (in or
/// within the margin of a breach, negative cash, no value): it must then be
/// checked exactly on every tick of its symbols. +∞ when no move can breach.
double account_zone_radius(const AccountBook& book, AccountIndex a, std::span<const double> prices);

/// The radius r around `prices` inside which a rebalance of the account can
/// make no trade at all, in or out of its bands: −∞ when it may trade now.
///
/// Derivation. A rebalance sizes each asset from its full trade to target,
/// f_i = y_i − q_i with y_i = t_i V / p_i, in lots of ℓ_i: nearest rounding
/// rounds it, band-edge rounding never goes past it, so the lots are
/// ≤ |f_i|/ℓ_i + ½ and zero when |f_i| < ℓ_i / 2; a trade worth less than
/// min_trade_value (mtv) is dropped, and (|f_i| + ℓ_i/2)·p_i < mtv
/// guarantees that. So with h_i = max(ℓ_i/2, mtv/p_i − ℓ_i/2) (less margins
/// for the sizing's rounding):
/// - nothing is sold when, for every asset, y_i > q_i − h_i or less than a
///   lot is held;
/// - with nothing sold, nothing is bought when, for every asset,
///   y_i < q_i + h_i or one lot costs more than the cash C (the sizing
///   scales the buys to the cash and floors them to whole lots: to none);
/// - or, for an account to target (nearest rounding), with nothing sold,
///   nothing is bought when each asset either trades nothing as above or
///   buys a number k_i ≥ 1 of lots that stays the same inside the zone, and
///   C·max k < Σ k_i ℓ_i p_i: every buy is scaled by C / Σ and floored to
///   nothing.
/// Under moves of at most r in log terms (cash fixed, C ≥ 0), y_i stays
/// within [y_i e^{−2r}, y_i e^{2r}] and p_i ≥ p_i e^{−r}, which bounds r by
/// ½ ln((q_i + h_i)/y_i), ½ ln(y_i/(q_i − h_i)) and ln(ℓ_i p_i / C) (and
/// the like for k_i's rounding interval and for Σ k_i ℓ_i p_i). h_i
/// shrinks as p_i rises: it is taken at the highest price inside a first
/// radius, and the radius computed again with it (never larger than the
/// first). Capped at 1.
///
/// Substitute groups. This sizes each asset on its own; a group's rebalance
/// does not (a substitute's holding moves its primary's trade, and which
/// member trades depends on the direction). So an account holding any
/// substitute gets −∞. One holding none is decided to the bit as its model
/// without group_of would decide it (Rebalancer: its groups weigh exactly
/// their primaries, its substitutes keep 0 and the primaries get the group's
/// numbers) and, quantities not moving with prices, stays so inside the zone:
/// the bound above holds for it unchanged.
double account_no_trade_radius(const AccountBook& book, AccountIndex a, std::span<const double> prices);

/// For an account to the band's edge that is in breach and that the
/// rebalancer leaves untraded (Rebalancer::Outcome::stuck): the radius inside
/// which it stays so. −∞ when none is proven: not band-edge, holding a
/// substitute, cash below zero, no value, or an asset outside its band that
/// might trade.
///
/// Derivation. Band-edge trades only when one of the trades is of an asset
/// outside its band (Rebalancer::check), and an asset trades at most the
/// lots of its full trade to target, f_i = y_i − q_i, rounded to the nearest
/// (y_i = t_i V / p_i), kept only when worth min_trade_value: nothing while
/// |f_i| < h_i, with h_i as for account_no_trade_radius (half a lot, or less
/// than min_trade_value's worth), and no sale when less than a lot is held.
/// Inside the zone (cash fixed, C ≥ 0) y_i stays within [y_i e^{−2r},
/// y_i e^{2r}]. So with every asset outside its band bounded by
/// ½ ln((q_i + h_i)/y_i) and ½ ln(y_i/(q_i − h_i)), and every asset inside
/// by asset_zone_radius (it stays inside), no asset outside its band trades:
/// the trades of the others are refused, or the account is back inside its
/// bands. The cash's floor on buys (account_no_trade_radius) is not used: the
/// others' sales may pay for a buy. h_i is taken at the highest prices of a
/// first radius, as there. With a total band or a volatility band every asset
/// is bounded as one outside its band is: past either any asset off its
/// target may trade.
/// Capped at 1.
double account_stuck_radius(const AccountBook& book, AccountIndex a, std::span<const double> prices);

/// The radius inside which the account cannot rebalance: the larger of
/// account_zone_radius and account_no_trade_radius (the latter computed only
/// when the former is under 0.1%, where it may help).
double account_quiet_radius(const AccountBook& book, AccountIndex a, std::span<const double> prices);

}  // namespace ballast::fleet
