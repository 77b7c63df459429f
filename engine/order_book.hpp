#pragma once
// The book of open orders: orders emitted and not yet finished (sent,
// partially filled, or unknown after the order timeout), the rest of sliced
// orders still to send, limit orders that outlive their time to live, and the
// fill reports booked into the portfolios.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/execution_params.hpp"
#include "core/symbol_table.hpp"
#include "core/types.hpp"
#include "engine/ids.hpp"
#include "engine/monitor.hpp"
#include "engine/output.hpp"
#include "engine/portfolio_state.hpp"
#include "engine/valuation.hpp"

namespace ballast::engine {

/// The rest of an order being sliced: one child every interval.
struct SlicePlan {
  std::size_t portfolio = 0;
  core::SymbolId symbol = core::kNoSymbol;
  std::size_t asset = 0;
  core::Side side = core::Side::buy;
  double remaining = 0;  ///< quantity still to send
  double child = 0;      ///< quantity per child
  double lot_size = 1;
  core::TimeNs next_at = 0;
  core::DurationNs interval = 0;
  std::string reason;
  std::string rebalance_id;
};

/// An order emitted and not yet finished: sent, partially filled, or unknown.
struct OpenOrder {
  std::size_t portfolio = 0;
  core::SymbolId symbol = core::kNoSymbol;
  core::Side side = core::Side::buy;
  double quantity = 0;
  double reference_price = 0;
  core::TimeNs sent_at = 0;  ///< when it was emitted
  double booked_quantity = 0;
  double booked_value = 0;
  core::OrderState state = core::OrderState::created;
  // Limit orders only (README "Limit orders").
  core::OrderType order_type = core::OrderType::market;
  double limit_price = 0;    ///< as last sent (a replace changes it)
  core::TimeNs expire_at = 0;  ///< when it is cancelled or replaced if still open; 0: never (or a cancel is out)
  int replaces = 0;            ///< replaces sent so far
};

/// Sets a limit order's type, price and expiry from the portfolio's limit
/// settings and the live quote. Booked on send, nothing rests: no expiry.
void price_limit(const core::LimitOrderSpec& spec, core::SymbolId symbol, const PriceTable& prices,
                 bool book_on_send, core::TimeNs now, core::Order& o);

/// Each open order and sliced order holds its portfolio: it counts in the
/// portfolio's open_orders until it is finished.
class OrderBook {
 public:
  /// A fill whose average price is further than `fill_price_collar` from the
  /// order's reference price is refused as inconsistent; unset: no check.
  explicit OrderBook(std::optional<double> fill_price_collar) : collar_(fill_price_collar) {}

  /// Orders emitted and not finished, by order_id.
  const std::unordered_map<std::string, OpenOrder>& open() const { return open_; }
  /// Open orders in state unknown, all portfolios.
  std::size_t unknown() const { return unknown_; }
  /// Opens an order of portfolio `p` (o.portfolio); false when the id is open already.
  bool add(std::string order_id, const OpenOrder& o, PortfolioState& p);
  /// The shell handed the order to the execution queue: created → sent.
  void mark_sent(const std::string& order_id);

  /// A fill report, booked into its portfolio; an order it finishes is closed.
  void on_fill(const core::FillReport& fill, std::span<PortfolioState> portfolios, ChangeSet& changed, Output& out);
  /// An operator finishes an open order (see Engine::resolve_order); false
  /// with `error` set when there is no such order or the figures cannot be.
  bool resolve(std::string_view order_id, std::optional<double> filled_quantity, double avg_price,
               std::span<PortfolioState> portfolios, ChangeSet& changed, Output& out, std::string& error);
  /// Orders without a final report `timeout` after they were sent become
  /// unknown: still open, holding their portfolio, reported as timed out.
  void time_out(core::TimeNs now, core::DurationNs timeout, std::span<PortfolioState> portfolios, Output& out);
  /// Limit orders past their time to live: a replace at a fresh price, or a
  /// cancel (after max_replaces, under the kill switch, on a stale price, or by the settings).
  void expire_limit_orders(core::TimeNs now, std::span<const PortfolioState> portfolios, const PriceTable& prices,
                           const Monitor& monitor, const core::SymbolTable& symbols, bool killed, Sequences& seq,
                           Output& out);

  /// Every sliced order still sending children.
  std::vector<SlicePlan>& plans() { return plans_; }
  const std::vector<SlicePlan>& plans() const { return plans_; }
  void add_plan(SlicePlan plan, PortfolioState& p);
  /// Ends plans_[k]: its portfolio is no longer held by it.
  void end_plan(std::size_t k, PortfolioState& p);
  /// Child orders of sliced orders not emitted yet, for a portfolio.
  std::size_t pending_children(std::size_t portfolio) const;
  /// Whether a sell of `portfolio` is still to come: a sliced one or an open one.
  bool sells_pending(std::size_t portfolio) const;

  /// After a reconfigure: orders and plans follow their portfolio to its new
  /// index (old_to_new; SIZE_MAX: removed, they are forgotten), and plans their
  /// symbol to its new asset index in `portfolios` (the new ones); a plan
  /// whose symbol is gone ends.
  void reindex(std::span<const std::size_t> old_to_new, std::span<PortfolioState> portfolios);

 private:
  /// Applies a report to open_[it] and finishes the order when the report is final.
  void report_on(std::unordered_map<std::string, OpenOrder>::iterator it, const core::FillReport& fill,
                 bool by_operator, std::span<PortfolioState> portfolios, ChangeSet& changed, Output& out);
  /// Applies a report to an open order; the outcome's kind and deltas. An
  /// operator's resolution skips the price collar.
  void apply_report(OpenOrder& o, const core::FillReport& fill, bool by_operator, PortfolioState& p,
                    ChangeSet& changed, FillOutcome& outcome);

  std::optional<double> collar_;
  std::unordered_map<std::string, OpenOrder> open_;
  std::size_t unknown_ = 0;  ///< open orders in state unknown
  std::vector<SlicePlan> plans_;
};

}  // namespace ballast::engine
