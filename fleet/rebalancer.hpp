#pragma once
// The exact check of one account and its rebalance, shared by the safe-zone
// monitor and the brute-force reference so that both decide alike.
#include <span>
#include <vector>

#include "execution/order_sizing.hpp"
#include "fleet/account_book.hpp"
#include "fleet/fleet_output.hpp"

namespace ballast::fleet {

class Rebalancer {
 public:
  /// Whether any asset of the account is outside its band at `prices` (by
  /// symbol id), as strategies::check_threshold decides it.
  bool in_breach(const AccountBook& book, AccountIndex a, std::span<const double> prices);

  /// When the account is in breach: sizes the trades as the daemon does (to
  /// target, or to the band edge with outward rounding) with
  /// execution::size_trades, applies them to its quantities and cash at
  /// `prices`, and appends them to `out`. True when it traded.
  bool check_and_rebalance(AccountBook& book, AccountIndex a, std::span<const double> prices, FleetOutput& out);

 private:
  /// Fills weights_ and value_; false when the account has no value.
  bool weigh(const AccountBook& book, AccountIndex a, std::span<const double> prices);

  std::vector<double> weights_;
  std::vector<double> desired_;
  std::vector<execution::SizingAsset> sizing_;
  double value_ = 0;
};

}  // namespace ballast::fleet
