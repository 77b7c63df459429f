#pragma once
// Deposits and withdrawals as the cheap rebalance: new money buys what is most
// underweight, a withdrawal sells what is most overweight, and often nothing
// needs selling at all. Pure.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "execution/order_sizing.hpp"

namespace ballast::execution {

struct CashFlowRequest {
  /// The holdings; each asset's desired_weight is read as its target weight.
  std::span<const SizingAsset> assets;
  double cash = 0;             ///< before the flow, >= 0
  double cash_target = 0;      ///< weight of cash in the value after the flow, in [0, 1]
  double amount = 0;           ///< > 0 a deposit, < 0 a withdrawal, 0 no flow
  double min_trade_value = 0;  ///< >= 0; how each side applies it: see plan_cash_flow
};

struct CashFlowPlan {
  std::vector<SizedTrade> trades;  ///< in asset order: only buys for a deposit, only sells for a withdrawal
  double cash_after = 0;           ///< cash + amount − buys + sells; >= 0 whenever error is empty
  /// Set when the flow cannot be planned: no trades, and cash_after is the cash before the flow.
  std::optional<std::string> error;
};

/// Plans the trades that book one cash flow. With V' = Σ quantity × price + cash + amount:
/// - deposit: invests (cash + amount) − cash_target × V'. Shortfall s = max(0, t × V' − q × p);
///   the largest shortfall (the most underweight by weight, s / V') buys first, ties in asset
///   order, each up to its shortfall until the money runs out; lots rounded down, a buy under
///   min_trade_value is skipped and its money moves on to the next. Money beyond Σ s (only when
///   the target weights and cash_target sum to less than 1) goes to each asset pro rata to its
///   target weight, on top of its shortfall. Never sells, never spends more than that money.
/// - withdrawal of W = −amount: no trade while cash − W >= cash_target × V'. Otherwise raises
///   need = cash_target × V' − (cash − W), capped at what the whole lots held are worth.
///   Excess e = max(0, q × p − t × V'); the largest excess sells first, ties in asset order,
///   each toward its target to the nearest lot but no more lots than the remaining need rounded
///   up; any need left is then taken from every asset pro rata to what it still holds, lots
///   rounded up. Never buys, never sells more than the whole lots held. A sell under
///   min_trade_value is dropped (smallest first) only when the plan redone without that asset
///   still raises the need; otherwise it is kept, since the withdrawal must be paid.
/// - amount 0: no trades.
/// Errors (values, never thrown): a non-finite input, a negative cash, quantity, weight or
/// min_trade_value, a price or lot size that is not > 0, a cash_target outside [0, 1], a
/// withdrawal larger than the portfolio (V' < 0) or than what whole lots and cash can pay.
CashFlowPlan plan_cash_flow(const CashFlowRequest& req);

}  // namespace ballast::execution
