#pragma once
// The exact check of one account and its rebalance, shared by the safe-zone
// monitor and the brute-force reference so that both decide alike.
#include <cstdint>
#include <span>
#include <vector>

#include "execution/order_sizing.hpp"
#include "fleet/account_book.hpp"
#include "fleet/fleet_output.hpp"
#include "strategies/drift.hpp"

namespace ballast::fleet {

/// The quantity held after a fill of `quantity` on `side`, as a rebalance
/// applies it (never below zero).
double apply_fill(double held, core::Side side, double quantity);

/// Substitute groups (Model::group_of). The trigger sees one entry per group,
/// in the order of the primaries: the sum of its members' weights against the
/// primary's target and band. A rebalance moves each group's weight to its
/// desired value (the target, or λ of the way there at band-edge, λ found over
/// the groups) and splits the change among the members: a rise is bought in
/// the primary; a fall is sold from the substitutes first, in slot order, then
/// from the primary. Members then size as assets do without groups (band-edge:
/// lots rounded outward, never past the full rebalance split the same way,
/// except that a member the partial split leaves alone on a fall is left
/// alone by the full one too). With no group_of, every slot its own group, or
/// no substitute held, it decides to the bit as without groups.
class Rebalancer {
 public:
  /// Whether any group (asset, without groups) of the account is outside its
  /// band, or its total drift past the total band, at `prices` (by symbol
  /// id), as strategies::check_threshold decides it; or its σ outside the
  /// model's volatility band.
  bool in_breach(const AccountBook& book, AccountIndex a, std::span<const double> prices);

  /// What check() found.
  enum class Outcome {
    no_value,      ///< the account is worth nothing at these prices: nothing to weigh
    inside_bands,  ///< every asset (group) within its band
    stuck,         ///< in breach, but lots, cash or min_trade_value leave no trade to make
    traded,        ///< in breach (or sized to target: `to_target`), and its trades went to `out`
  };

  /// When the account is in breach: sizes the trades as the daemon does (to
  /// target, or to the band edge with outward rounding) with
  /// execution::size_trades and appends them to `out` at `prices`. Band-edge
  /// rounds outward only the assets (groups) outside their bands, the rest to
  /// the nearest lot; when that leaves a band breached, every asset outward,
  /// and then trades only if one of them is of an asset outside its band
  /// (failing that, the whole way to target, on the same condition). Past a
  /// total band, every asset (group) off its target counts as outside.
  /// Outside a volatility band (Model::volatility: σ of the weights under the
  /// model's Σ), the account is sized the whole way to its targets, band-edge
  /// or not, every asset off target outside; with
  /// `apply`, also applies them to its quantities and cash (filled at once).
  /// With `to_target` (a model's calendar date) an account of a model that
  /// rebalances to target is sized to its targets inside its bands too: it
  /// trades when a trade is worth making (whole lots, min_trade_value), and
  /// is inside_bands otherwise. Band-edge trades only what is outside, so a
  /// band-edge account inside its bands stays inside_bands.
  Outcome check(AccountBook& book, AccountIndex a, std::span<const double> prices, FleetOutput& out, bool apply = true,
                bool to_target = false);

  /// check() filling at once: true when it traded.
  bool check_and_rebalance(AccountBook& book, AccountIndex a, std::span<const double> prices, FleetOutput& out) {
    return check(book, a, prices, out) == Outcome::traded;
  }

 private:
  /// Fills weights_ and value_; false when the account has no value.
  bool weigh(const AccountBook& book, AccountIndex a, std::span<const double> prices);
  /// The trigger's view of the weighed account: its assets, or its groups
  /// (group_weights_ and group_targets_, filled here).
  strategies::WeightView view(const Model& m, double cash_weight);
  /// Member-level desired weights into `into`: each group moved λ of the way
  /// from its weight to its target (exactly to the target when `full`), split
  /// as the class comment says. `full` comes after the partial split, whose
  /// untouched primaries it leaves untouched too.
  void split(const Model& m, double lambda, bool full, std::vector<double>& into);
  /// Whether `sized`, filled at `prices`, leaves a group (asset) of account
  /// `a` outside its band. Overwrites the weights weigh() and view() filled.
  bool leaves_breach(const AccountBook& book, AccountIndex a, std::span<const double> prices,
                     const strategies::ThresholdTrigger& bands, const execution::SizingResult& sized);

  std::vector<double> weights_;
  std::vector<std::uint32_t> group_index_;  ///< per slot: its group, in the order of the primaries
  std::vector<double> group_weights_;
  std::vector<double> group_targets_;
  std::vector<double> group_left_;  ///< per group, while splitting: the fall not yet sold
  std::vector<double> group_kept_;  ///< per group, while splitting: its substitutes' desired weights
  std::vector<std::uint8_t> untouched_;  ///< per slot: the partial split left it alone (see split)
  std::vector<double> desired_;
  std::vector<double> full_;
  std::vector<execution::SizingAsset> sizing_;
  std::vector<double> after_;  ///< quantities once a sizing fills (leaves_breach)
  execution::SizingResult sized_;  ///< check's sizing, its room reused
  double value_ = 0;
};

}  // namespace ballast::fleet
