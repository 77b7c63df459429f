#pragma once
// The pure engine: ticks, timer firings, fills and commands in; orders and
// state changes out. No sockets, files, clocks or logging: `now` is a parameter.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/symbol_table.hpp"
#include "core/types.hpp"
#include "engine/ids.hpp"
#include "engine/monitor.hpp"
#include "engine/order_book.hpp"
#include "engine/output.hpp"
#include "engine/portfolio_model.hpp"
#include "engine/portfolio_state.hpp"
#include "engine/trade_sizer.hpp"
#include "engine/trigger_decision.hpp"
#include "engine/valuation.hpp"
#include "execution/cost_model.hpp"
#include "execution/limit_price.hpp"
#include "execution/order_sizing.hpp"
#include "execution/risk_gate.hpp"
#include "strategies/policy.hpp"

namespace ballast::engine {

struct EngineOptions {
  /// Book every order as filled at its reference price when it is emitted
  /// (no fills endpoint, or dry-run); otherwise wait for fill reports.
  bool book_on_send = true;
  /// With fill reports: an order open this long without a final report becomes
  /// unknown. It stays open and holds its portfolio (no decision is made on
  /// positions that may have moved) until a report or an operator finishes it.
  /// 0: never unknown.
  core::DurationNs order_timeout = 0;
  /// A fill whose average price is further than this fraction from the order's
  /// reference price is refused as inconsistent, never booked; unset: no check.
  std::optional<double> fill_price_collar = 0.2;
  /// The pre-trade risk gate every order passes before it is emitted.
  execution::RiskLimits limits;
};

/// Why a manual rebalance did not run (a business refusal, not an error).
enum class Refusal {
  none,
  unknown_portfolio,
  not_ready,
  orders_open,
  orders_unknown,  ///< an order's fate is unknown: nothing is decided until it is resolved
  nothing_to_trade,
  killed,
  invalid_amount
};
std::string_view to_string(Refusal r);

class Engine {
 public:
  Engine(std::vector<strategies::PortfolioSpec> specs, EngineOptions options, core::TimeNs now);

  /// An accepted tick: updates the price, then evaluates only the portfolios holding the symbol.
  void on_tick(const core::Tick& tick, core::TimeNs now, Output& out);
  /// Ticks of one instant, such as a row of a prices file: every price is set
  /// first, then each portfolio holding any of them samples its risk model and
  /// is evaluated once. Fed one by one through on_tick, the first tick of a row
  /// would be judged (and risk-sampled) against the previous row's other prices.
  void on_ticks(std::span<const core::Tick> ticks, core::TimeNs now, Output& out);
  /// Calendar schedules; call at least every second on wall-clock time (or each data row).
  void on_timer(core::TimeNs now, Output& out);
  /// Starts every calendar schedule again from `now`: each next date becomes
  /// the first after it, as when the engine was made at `now`. For a shell
  /// whose clock is the data's, which it learns only at the first tick.
  void restart_calendars(core::TimeNs now);
  void on_fill(const core::FillReport& fill, Output& out);
  /// An operator finishes an unfinished order (usually an unknown one) from
  /// what the broker says: `filled_quantity` units in all at average
  /// `avg_price` (filled when that is the whole order, else cancelled with that
  /// much filled), or, without a quantity, cancelled with what is booked.
  /// Books like a final report, without the fill price collar. False with
  /// `error` set when there is no such unfinished order or the figures cannot be
  /// (fewer than booked, more than ordered, no positive price).
  bool resolve_order(std::string_view order_id, std::optional<double> filled_quantity, double avg_price, Output& out,
                     std::string& error);
  /// Rebalances one portfolio (or all when `portfolio` is empty) to target now, reason "manual".
  /// Works while paused: pausing stops the triggers, not the operator.
  Refusal rebalance_now(std::string_view portfolio, core::TimeNs now, Output& out);

  /// Replays a price history through a portfolio's EWMA risk model (the shell
  /// reads the file): row r at times[r], asset i of the portfolio's spec in
  /// column column_of_asset[i] of the row-major prices (NaN: no price).
  void warm_risk(std::size_t portfolio, std::span<const core::TimeNs> times, std::span<const double> prices,
                 std::size_t columns, std::span<const std::size_t> column_of_asset);
  /// Annualised volatility σ = sqrt(wᵀΣw) at the current weights; nullopt without an estimate.
  std::optional<double> portfolio_volatility(std::size_t portfolio) const;

  void set_paused(bool paused) { paused_ = paused; }
  bool paused() const { return paused_; }
  /// The kill switch: while on, no order is created, by a trigger or an operator
  /// (child orders of a sliced order wait until it is released).
  void set_killed(bool killed) { killed_ = killed; }
  /// New gate limits (on reload); the gate's memory of recent orders is kept.
  void set_limits(execution::RiskLimits limits) { sizer_.set_limits(std::move(limits)); }
  /// Orders the gate denied, by reason, since start.
  std::uint64_t denied(execution::DenyReason r) const { return sizer_.denied(r); }
  bool killed() const { return killed_; }
  /// The shell's verdict on a symbol's freshness; a stale symbol blocks its portfolios.
  void set_stale(core::SymbolId symbol, bool stale) { monitor_.set_stale(symbol, stale); }
  bool stale(core::SymbolId symbol) const { return monitor_.stale(symbol); }

  /// Applies new policies; positions and cash of portfolios that stay are kept
  /// (the state is the truth), new portfolios start from their seed holdings.
  void reconfigure(std::vector<strategies::PortfolioSpec> specs, core::TimeNs now);

  const Sequences& sequences() const { return seq_; }
  void set_sequences(const Sequences& s) { seq_ = s; }

  const core::SymbolTable& symbols() const { return symbols_; }
  core::SymbolId find_symbol(std::string_view name) const { return symbols_.find(name); }
  /// Symbols no portfolio holds whose ticks the daemon still takes (the
  /// fleet's): priced and watched for staleness like the portfolios'. Kept
  /// across reconfigure().
  void watch_symbols(const std::vector<std::string>& names);
  bool has_price(core::SymbolId s) const { return prices_.has_price(s); }
  double price(core::SymbolId s) const { return prices_.price(s); }
  core::TimeNs price_time(core::SymbolId s) const { return prices_.time(s); }

  const std::vector<PortfolioState>& portfolios() const { return portfolios_; }
  std::optional<std::size_t> find_portfolio(std::string_view id) const;
  /// Orders emitted and not finished, by order_id.
  const std::unordered_map<std::string, OpenOrder>& open_orders() const { return book_.open(); }
  /// The shell handed the order to the execution queue: created → sent.
  void mark_sent(const std::string& order_id) { book_.mark_sent(order_id); }
  /// Child orders of sliced orders not emitted yet, for a portfolio.
  std::size_t pending_children(std::size_t portfolio) const { return book_.pending_children(portfolio); }
  /// Every sliced order still sending children.
  const std::vector<SlicePlan>& slice_plans() const { return book_.plans(); }

  /// Portfolios whose positions, cash or counters changed since the last call,
  /// each once, appended to `into` (what the shell must persist).
  void take_changed(std::vector<std::size_t>& into) { changed_.take(into); }

  /// The cost model's estimate for trading `quantity` of a portfolio's asset now.
  execution::CostBreakdown estimate_cost(std::size_t portfolio, std::size_t asset, double quantity) const;

  /// Books a deposit (amount > 0) or withdrawal (< 0) and trades toward target
  /// with it: a deposit buys the most underweight assets, a withdrawal sells
  /// the most overweight, reason "cash_flow". `detail` says what was done.
  Refusal cash_flow(std::string_view portfolio, double amount, core::TimeNs now, Output& out, std::string& detail);

  // Restoring durable state (the shell reads it; the engine takes it as the truth).
  /// Positions and cash of a portfolio; symbols it does not target are kept with target 0.
  bool restore_positions(std::string_view portfolio, double cash,
                         std::span<const std::pair<std::string, double>> positions);
  struct RestoredCounters {
    std::uint64_t rebalances = 0, orders = 0;
    double costs_estimated = 0, costs_realized = 0;
  };
  void restore_counters(std::size_t portfolio, const RestoredCounters& c);
  /// What was left of a sliced order: its children go on, one per interval,
  /// and hold the portfolio until the last. False when the portfolio or the
  /// symbol is unknown or the quantities are not positive.
  bool restore_slice(std::string_view portfolio, std::string_view symbol, core::Side side, double remaining,
                     double child, double lot_size, core::TimeNs next_at, core::DurationNs interval,
                     std::string reason, std::string rebalance_id);
  /// An order that was not finished: open again, counted in its portfolio's next decision.
  bool restore_order(const core::Order& order, core::OrderState state, double filled_quantity, double filled_value);
  Valuation valuation(std::size_t portfolio) const { return engine::valuation(portfolios_[portfolio], prices_); }
  /// Orders sent and not yet finished, all portfolios.
  std::size_t open_order_count() const { return book_.open().size(); }
  /// Open orders whose fate is unknown (past the order timeout), all portfolios.
  std::size_t unknown_order_count() const { return book_.unknown(); }

 private:
  void build_portfolio(PortfolioState& p, strategies::PortfolioSpec spec, core::TimeNs now, bool keep_positions);
  /// After the portfolios or their assets changed: per-symbol tables sized to
  /// the symbol table (new symbols unpriced), and the symbol → portfolios index.
  void rebuild_index();
  /// Whether portfolio `index` can be decided on: prices fresh for every asset.
  bool ready(const PortfolioState& p) const { return monitor_.ready(p, prices_); }
  void evaluate(std::size_t index, core::TimeNs now, Output& out);
  /// `fraction`, when given, is how far toward target to trade (the dynamic
  /// trigger's band edge); otherwise the threshold bands decide for band-edge.
  bool rebalance(std::size_t index, std::string_view reason, std::string detail, bool to_target, core::TimeNs now,
                 Output& out, std::optional<double> fraction = std::nullopt);
  /// The id the next rebalance of `p` will have.
  std::string next_rebalance_id(const PortfolioState& p, core::TimeNs now) const;
  /// Makes, counts and (when booking on send) books one order; returns its estimated cost.
  execution::CostBreakdown emit(std::size_t index, std::size_t asset, core::Side side, double quantity,
                                std::string_view reason, const std::string& rebalance_id, core::TimeNs now,
                                Output& out);
  /// Child orders that came due; each passes the gate when it is emitted.
  void emit_children(core::TimeNs now, Output& out);
  /// Records a rebalance of `sized` (its id, why, the drift before) and emits its orders.
  void execute(std::size_t index, std::string_view reason, std::string detail, const strategies::DriftSummary& drift,
               const execution::SizingResult& sized, core::TimeNs now, Output& out);
  void emit_trades(std::size_t index, RebalanceRecord& rec, const execution::SizingResult& sized, core::TimeNs now,
                   Output& out);

  EngineOptions options_;
  core::SymbolTable symbols_;
  PriceTable prices_;
  Monitor monitor_;
  std::vector<PortfolioState> portfolios_;
  OrderBook book_;
  TradeSizer sizer_;
  ChangeSet changed_;
  Sequences seq_;
  bool paused_ = false;
  bool killed_ = false;

  // Scratch space reused by every evaluation (no per-tick allocation).
  WeightSnapshot weights_;
  std::vector<double> desired_;
  std::vector<double> deviation_;
  std::vector<double> risk_prices_;
};

}  // namespace ballast::engine
