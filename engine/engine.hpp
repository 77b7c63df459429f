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
#include "execution/cost_model.hpp"
#include "execution/order_sizing.hpp"
#include "execution/risk_gate.hpp"
#include "strategies/drift.hpp"
#include "strategies/policy.hpp"
#include "strategies/risk_model.hpp"

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

struct AssetState {
  core::SymbolId symbol = core::kNoSymbol;
  double quantity = 0;
  double target = 0;
  double lot_size = 1;
};

/// What the last rebalance of a portfolio did and why.
struct RebalanceRecord {
  std::string rebalance_id;
  std::string reason;  ///< threshold, calendar, manual
  std::string detail;  ///< the breach, or the schedule that came due
  core::TimeNs at = 0;
  double value = 0;          ///< portfolio value before trading
  double max_abs_drift = 0;  ///< largest |w − t| before trading
  double total_drift = 0;    ///< Σ|w − t| / 2 before trading
  std::size_t orders = 0;
  double traded_value = 0;   ///< Σ quantity × reference price of the orders
  double cost = 0;           ///< estimated cost of the orders under the portfolio's cost model
  /// `cost` by component, as execution::CostBreakdown splits it; they sum to
  /// `cost`. Not kept in the state file: a record read back from it has only `cost`.
  double commission = 0, spread = 0, slippage = 0, impact = 0;
};

/// One portfolio's state. The fields a tick reads come first, so that an
/// evaluation that decides nothing touches as few cache lines as it can; the
/// policy and the records follow.
struct PortfolioState {
  // Read on every tick.
  double cash = 0;
  double cash_target = 0;         ///< effective: the model's, or spec.cash_target
  std::uint32_t open_orders = 0;  ///< sent, not yet finished by a fill report (unknown ones included)
  std::uint32_t unknown_orders = 0;  ///< of those, the ones past the order timeout
  strategies::ModelKind model_kind = strategies::ModelKind::fixed;  ///< spec.model.kind
  /// False while the targets cannot be trusted: the model needs a warm risk
  /// estimate it does not have yet, or it failed. No trading then.
  bool model_ready = true;
  bool risk_warm = false;
  std::vector<AssetState> assets;  ///< in spec.assets order, then any held symbol no longer targeted
  /// Over the first spec.assets.size() assets; out of line, as most ticks only ask whether it exists.
  std::unique_ptr<strategies::RiskModel> risk;
  std::optional<std::string> pending;  ///< a calendar rebalance that came due but could not run yet

  strategies::PortfolioSpec spec;  ///< the policy; spec.assets' holdings are only the seed
  std::vector<core::TimeNs> next_due;  ///< per trigger: the next calendar time (0 for others)
  Eigen::MatrixXd cov;                 ///< annualised covariance of the last estimate (empty before one)
  double vol_reference = 0;            ///< σ at the last rebalance, for the volatility trigger
  double start_value = 0;              ///< value when first fully priced (CPPI's floor fraction)
  std::string model_state = "ready";  ///< read it through model_state_text()
  double cppi_exposure = 0;           ///< CPPI: risky exposure and cushion at the last refresh
  double cppi_cushion = 0;
  std::uint64_t rebalances = 0;
  std::uint64_t orders = 0;
  std::uint64_t denied = 0;            ///< orders the risk gate refused
  std::uint64_t orders_filled = 0;     ///< final states reached, by state
  std::uint64_t orders_rejected = 0;
  std::uint64_t orders_cancelled = 0;
  double costs_estimated = 0;  ///< Σ estimated cost of the orders decided
  double costs_realized = 0;   ///< Σ cost booked: fills against their reference price, plus commission when booked on send
  std::optional<RebalanceRecord> last_rebalance;
};

/// The model's state for people: "ready", "warming: ...", "exposure 0.62, cushion 1234.00", "error: ...".
std::string model_state_text(const PortfolioState& p);

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

/// An order the risk gate refused: never emitted.
struct Denial {
  std::size_t portfolio = 0;
  core::Order order;  ///< as it would have been sent, without an order_id
  execution::DenyReason reason = execution::DenyReason::max_order_value;
  std::string detail;
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

/// Id counters; persisted by the shell so ids are never reused across restarts.
struct Sequences {
  std::uint64_t next_order = 1;
  std::uint64_t next_rebalance = 1;
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

/// Value and weights of a portfolio at the last prices.
struct Valuation {
  double value = 0;
  std::vector<double> weights;  ///< per asset
  double cash_weight = 0;
  bool priced = false;  ///< every asset has a price
};

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
  void set_limits(execution::RiskLimits limits) { gate_.set_limits(std::move(limits)); }
  /// Orders the gate denied, by reason, since start.
  std::uint64_t denied(execution::DenyReason r) const { return denied_[static_cast<std::size_t>(r)]; }
  bool killed() const { return killed_; }
  /// The shell's verdict on a symbol's freshness; a stale symbol blocks its portfolios.
  void set_stale(core::SymbolId symbol, bool stale);
  bool stale(core::SymbolId symbol) const { return symbol < stale_.size() && stale_[symbol]; }

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
  bool has_price(core::SymbolId s) const { return s < prices_.size() && prices_[s] > 0; }
  double price(core::SymbolId s) const { return s < prices_.size() ? prices_[s] : 0.0; }
  core::TimeNs price_time(core::SymbolId s) const { return s < price_ts_.size() ? price_ts_[s] : 0; }

  const std::vector<PortfolioState>& portfolios() const { return portfolios_; }
  std::optional<std::size_t> find_portfolio(std::string_view id) const;
  /// Orders emitted and not finished, by order_id.
  const std::unordered_map<std::string, OpenOrder>& open_orders() const { return open_; }
  /// The shell handed the order to the execution queue: created → sent.
  void mark_sent(const std::string& order_id);
  /// Child orders of sliced orders not emitted yet, for a portfolio.
  std::size_t pending_children(std::size_t portfolio) const;
  /// Every sliced order still sending children.
  const std::vector<SlicePlan>& slice_plans() const { return plans_; }

  /// Portfolios whose positions, cash or counters changed since the last call,
  /// each once, appended to `into` (what the shell must persist).
  void take_changed(std::vector<std::size_t>& into);

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
  Valuation valuation(std::size_t portfolio) const;
  /// Orders sent and not yet finished, all portfolios.
  std::size_t open_order_count() const { return open_.size(); }
  /// Open orders whose fate is unknown (past the order timeout), all portfolios.
  std::size_t unknown_order_count() const { return unknown_; }

 private:
  /// Applies a report to an open order; the outcome's kind and deltas. An
  /// operator's resolution skips the price collar.
  void apply_report(OpenOrder& o, const core::FillReport& fill, bool by_operator, FillOutcome& outcome);
  /// Applies a report to open_[it] and finishes the order when the report is final.
  void report_on(std::unordered_map<std::string, OpenOrder>::iterator it, const core::FillReport& fill,
                 bool by_operator, Output& out);

  void build_portfolio(PortfolioState& p, strategies::PortfolioSpec spec, core::TimeNs now, bool keep_positions);
  void rebuild_index();
  /// Per-symbol tables sized to the symbol table (new symbols unpriced).
  void size_symbol_tables();
  bool ready(const PortfolioState& p) const;
  void evaluate(std::size_t index, core::TimeNs now, Output& out);
  /// Values the portfolio into the scratch buffers; false when a price is missing.
  bool value_into_scratch(const PortfolioState& p);
  /// `fraction`, when given, is how far toward target to trade (the dynamic
  /// trigger's band edge); otherwise the threshold bands decide for band-edge.
  bool rebalance(std::size_t index, std::string_view reason, std::string detail, bool to_target, core::TimeNs now,
                 Output& out, std::optional<double> fraction = std::nullopt);
  void build_risk(PortfolioState& p);
  /// Samples prices into the EWMA estimate when one is due on the data's clock.
  void sample_risk(std::size_t index, core::TimeNs ts);
  /// Recomputes the covariance snapshot and the model's targets.
  void refresh_model(std::size_t index);
  /// Sets targets from a model that depends on the portfolio value (CPPI).
  void refresh_value_model(PortfolioState& p);
  /// wᵀΣw over the spec assets for `w` (weights or deviations); 0 without an estimate.
  double quadratic(const PortfolioState& p, std::span<const double> w) const;
  void book(PortfolioState& p, core::SymbolId symbol, core::Side side, double quantity, double value);
  /// Makes, counts and (when booking on send) books one order; returns its estimated cost.
  execution::CostBreakdown emit(std::size_t index, std::size_t asset, core::Side side, double quantity,
                                std::string_view reason, const std::string& rebalance_id, core::TimeNs now,
                                Output& out);
  /// Sizes the trades to `desired_` and passes them through costs and the gate;
  /// a denied or too-costly sell is frozen and the rest re-sized, so buys never
  /// count on proceeds that will not come.
  execution::SizingResult size_checked(std::size_t index, bool band_edge, core::TimeNs now, Output& out);
  /// Checks (and, when allowed, records) one trade at the gate; the denial when it is refused.
  /// `rebalance_id`: the rebalance the order belongs to; empty: the one being decided.
  std::optional<Denial> pass_gate(std::size_t index, std::size_t asset, core::Side side, double quantity, double value,
                                  core::TimeNs now, std::string_view rebalance_id = {});
  /// Child orders that came due; each passes the gate when it is emitted.
  void emit_children(core::TimeNs now, Output& out);
  /// The quantity of the first child when a trade of `quantity` is sliced; the
  /// whole quantity when it is not.
  double first_child(const PortfolioState& p, const AssetState& a, double quantity) const;
  // engine/limit_orders.cpp
  /// Sets a limit order's type, price and expiry from the portfolio's spec and the live quote.
  void price_limit(const PortfolioState& p, core::SymbolId symbol, core::Order& o, core::TimeNs now) const;
  /// Limit orders past their time to live: a replace at a fresh price, or a
  /// cancel (after max_replaces, under the kill switch, or by the spec).
  void expire_limit_orders(core::TimeNs now, Output& out);
  /// Records a rebalance of `sized` (its id, why, the drift before) and emits its orders.
  void execute(std::size_t index, std::string_view reason, std::string detail, const strategies::DriftSummary& drift,
               const execution::SizingResult& sized, core::TimeNs now, Output& out);
  void emit_trades(std::size_t index, RebalanceRecord& rec, const execution::SizingResult& sized, core::TimeNs now,
                   Output& out);
  void finish_order(PortfolioState& p, core::OrderState state);
  void mark_changed(const PortfolioState& p);
  AssetState* find_asset(PortfolioState& p, core::SymbolId symbol);

  EngineOptions options_;
  core::SymbolTable symbols_;
  std::vector<double> prices_;
  std::vector<core::TimeNs> price_ts_;
  std::vector<char> stale_;
  std::vector<PortfolioState> portfolios_;
  /// symbol → portfolios holding or targeting it, so a tick touches only those.
  std::vector<std::vector<std::uint32_t>> holders_;
  std::unordered_map<std::string, OpenOrder> open_;
  std::size_t unknown_ = 0;  ///< open orders in state unknown
  bool killed_ = false;
  execution::RiskGate gate_;
  std::array<std::uint64_t, execution::kDenyReasonCount> denied_{};
  std::vector<SlicePlan> plans_;
  std::vector<char> changed_flag_;
  std::vector<std::size_t> changed_;
  std::vector<double> prev_prices_;  ///< per symbol: the price before the last tick (the gate's last good price)
  std::vector<double> bids_, asks_;  ///< per symbol: the last live quote, NaN when the feed has none
  Sequences seq_;
  bool paused_ = false;

  // Scratch space reused by every evaluation (no per-tick allocation).
  std::vector<double> weights_;
  std::vector<double> targets_;
  std::vector<double> deviation_;
  std::vector<double> risk_prices_;
  std::vector<double> desired_;
  std::vector<char> frozen_;
  std::vector<execution::SizingAsset> sizing_assets_;
  std::vector<execution::SizedTrade> allowed_;
  core::Order gate_order_;
  std::vector<char> touched_;  ///< per portfolio, for on_ticks
  double value_ = 0;
};

}  // namespace ballast::engine
