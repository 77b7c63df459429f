#pragma once
// The exact check of one account and its rebalance, shared by the safe-zone
// monitor and the brute-force reference so that both decide alike.
#include <span>
#include <vector>

#include "execution/order_sizing.hpp"
#include "fleet/account_book.hpp"
#include "fleet/fleet_output.hpp"

namespace ballast::fleet {

/// The quantity held after a fill of `quantity` on `side`, as a rebalance
/// applies it (never below zero).
double apply_fill(double held, core::Side side, double quantity);

class Rebalancer {
 public:
  /// Whether any asset of the account is outside its band at `prices` (by
  /// symbol id), as strategies::check_threshold decides it.
  bool in_breach(const AccountBook& book, AccountIndex a, std::span<const double> prices);

  /// What check() found.
  enum class Outcome {
    no_value,      ///< the account is worth nothing at these prices: nothing to weigh
    inside_bands,  ///< every asset within its band
    stuck,         ///< in breach, but lots, cash or min_trade_value leave no trade to make
    traded,        ///< in breach, and its trades went to `out`
  };

  /// When the account is in breach: sizes the trades as the daemon does (to
  /// target, or to the band edge with outward rounding) with
  /// execution::size_trades and appends them to `out` at `prices`; with
  /// `apply`, also applies them to its quantities and cash (filled at once).
  Outcome check(AccountBook& book, AccountIndex a, std::span<const double> prices, FleetOutput& out,
                bool apply = true);

  /// check() filling at once: true when it traded.
  bool check_and_rebalance(AccountBook& book, AccountIndex a, std::span<const double> prices, FleetOutput& out) {
    return check(book, a, prices, out) == Outcome::traded;
  }

 private:
  /// Fills weights_ and value_; false when the account has no value.
  bool weigh(const AccountBook& book, AccountIndex a, std::span<const double> prices);

  std::vector<double> weights_;
  std::vector<double> desired_;
  std::vector<execution::SizingAsset> sizing_;
  double value_ = 0;
};

}  // namespace ballast::fleet
