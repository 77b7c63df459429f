#pragma once
// What one engine call decided, as values the shell acts on: orders,
// rebalances, fill outcomes, denials, amendments of limit orders.
#include <cstddef>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "engine/portfolio_state.hpp"
#include "execution/risk_gate.hpp"

namespace ballast::engine {

/// An order the risk gate refused: never emitted.
struct Denial {
  std::size_t portfolio = 0;
  core::Order order;  ///< as it would have been sent, without an order_id
  execution::DenyReason reason = execution::DenyReason::max_order_value;
  std::string detail;
};

struct RebalanceEvent {
  std::size_t portfolio = 0;
  RebalanceRecord record;
  std::size_t first_order = 0;  ///< index into Output::orders
};

/// What a fill report did.
struct FillOutcome {
  /// timed_out: no final report within the order timeout (the engine's own
  /// finding, not a report): the order is now unknown and still open.
  enum class Kind { applied, unknown_order, inconsistent, timed_out } kind = Kind::applied;
  std::string order_id;
  std::size_t portfolio = 0;
  core::FillStatus status = core::FillStatus::filled;
  double quantity_delta = 0;  ///< newly filled quantity booked by this report
  double price = 0;           ///< average price of the newly filled part
  bool finished = false;      ///< the order is no longer open
  core::OrderState state = core::OrderState::sent;  ///< the order's state after the report
  double filled_quantity = 0;  ///< cumulative, as booked
  double filled_value = 0;     ///< cumulative quantity × price, as booked
  bool by_operator = false;    ///< applied: an operator's resolution, not a gateway's report
  std::string detail;          ///< inconsistent: what did not fit the order
};

/// Decisions of one engine call. The caller clears and reuses it, so a call
/// that decides nothing allocates nothing.
struct Output {
  std::vector<core::Order> orders;
  std::vector<RebalanceEvent> rebalances;
  std::vector<FillOutcome> fills;
  std::vector<Denial> denials;
  /// Cancels and replaces of limit orders that outlived their time to live.
  std::vector<core::OrderAmendment> amendments;
  void clear() {
    orders.clear();
    rebalances.clear();
    fills.clear();
    denials.clear();
    amendments.clear();
  }
  bool empty() const {
    return orders.empty() && rebalances.empty() && fills.empty() && denials.empty() && amendments.empty();
  }
};

}  // namespace ballast::engine
