#pragma once
// The fleet in the daemon: the accounts of the account book that this shard
// owns, following the configuration's [[models]], run by a fleet::FleetDesk.
// Ticks go to the desk; the block orders it decides are committed to the state
// file with the engine's order ids, then sent; fill reports of block orders
// come here from the order flow and are allocated to the accounts, whose new
// holdings and cash are committed with the fill. /status gets a summary and
// /accounts the detail of one account or a page of those outside a band.
#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/config.hpp"
#include "core/json_writer.hpp"
#include "core/symbol_table.hpp"
#include "daemon/latency_recorder.hpp"
#include "daemon/logging.hpp"
#include "daemon/metrics.hpp"
#include "daemon/persistence.hpp"
#include "daemon/wall_clock.hpp"
#include "engine/engine.hpp"
#include "execution/io/order_sender.hpp"
#include "fleet/fleet_desk.hpp"
#include "fleet/model_variants.hpp"

namespace ballast::daemon {

class FleetFlow {
 public:
  /// `persistence` holds the account book; the engine gives order ids and
  /// tells whether trading is halted (kill switch, pause).
  FleetFlow(const config::Config& cfg, engine::Engine& engine, Persistence& persistence, RateLimiter& limiter,
            bool book_on_send);

  /// Reads this shard's accounts from the state file. An error text when the
  /// book cannot be used (an account of an unknown model, a file that cannot
  /// be read); the daemon does not start then.
  /// `blocks`: the block orders the state file holds unfinished; with fill
  /// reports their accounts wait for them again, and scheduled children
  /// (scheduled_child) wait for their time again in any case.
  std::string load(const std::vector<store::OrderRow>& blocks);
  /// A child of a sliced block written when it was decided and never sent:
  /// still "created", due after the commit that wrote it. Not sent again at
  /// a restart: it leaves when it is due.
  static bool scheduled_child(const store::OrderRow& row) {
    return row.state == core::OrderState::created && row.order.created_at > row.updated_at;
  }

  void set_sender(execution::OrderSender* sender) { sender_ = sender; }
  /// [execution.limits] after a reload: each account's trades pass them from the next decision on.
  void set_limits(const execution::RiskLimits& limits);
  /// Called when a write to the state file failed (nothing was sent): the
  /// daemon turns the kill switch on and health says why.
  void on_state_failure(std::function<void(const std::string&)> f) { on_state_failure_ = std::move(f); }

  /// A tick already accepted by the feed intake, on the engine's symbols.
  /// `received`: when it arrived (tick-to-order latency).
  void on_tick(const core::Tick& tick, core::TimeNs now, SteadyClock::time_point received);
  /// Closes a due decision window; after a halt ends, catches up on the prices.
  void on_timer(core::TimeNs now);
  /// A fill report: nullopt when it is not for a block order; else whether it was applied.
  std::optional<bool> on_fill(const core::FillReport& fill, core::TimeNs now);

  /// An operator finishes an open block order (POST /control/orders/resolve):
  /// the final report it became, applied and written like one; nullopt with
  /// `error` when it is not an open block or the figures cannot be.
  std::optional<core::FillReport> resolve(std::string_view order_id, std::optional<double> filled, double avg_price,
                                          core::TimeNs now, std::string& error);
  bool has_open_block(std::string_view order_id) const;
  /// Block orders whose fate is unknown, for /healthz.
  void health_problems(std::vector<std::string>& problems) const;

  /// Accounts loaded; 0 before load().
  std::size_t accounts() const;
  bool running() const { return desk_ != nullptr; }
  /// Symbols the models hold, for the engine to accept their ticks.
  static std::vector<std::string> symbols_of(const config::Config& cfg);

  void add_metrics(MetricsRegistry& metrics);
  /// The "fleet" object of /status: counts, drift histogram, rebalances per minute.
  /// Its summary (breaching, unvalued, the histogram, memory_mb) looks at
  /// every account: once it is a second old, the next call starts a new pass,
  /// which the daemon runs in slices (next_summary_slice) between its other
  /// work, and answers with the last one meanwhile. The first pass starts
  /// with the fleet; asked before it ends, or for a book of one slice or
  /// less, the summary is taken at once.
  void write_status(core::JsonWriter& w, core::TimeNs now) const;
  /// Whether a pass for the summary is under way.
  bool summary_pass_pending() const { return pass_.has_value(); }
  /// A calendar date is part way through the book, and trading is not halted.
  bool calendar_running() const { return desk_ && !halted() && desk_->calendar_running(); }
  /// Looks at the next kSummarySlice accounts of the pass under way; true
  /// while more remain. At the last the pass becomes the summary.
  bool next_summary_slice();
  /// Accounts a slice looks at: about 0.6 ms of the loop's time at a
  /// million accounts (0.35 the summary, 0.25 the lots' bytes).
  static constexpr std::size_t kSummarySlice = 4096;
  /// GET /accounts/ID: the body, or nullopt when the account is not in this
  /// daemon's book; with its tax lots (their terms on the UTC day of `now`)
  /// and its realised gains per year from the state file.
  std::optional<std::string> account_json(std::string_view id, core::TimeNs now) const;
  /// GET /accounts?breaching=true&limit=&after=: a page of accounts (those
  /// outside a band now with `only_breaching`) and the id to continue after.
  /// Empty, with `error` set, when `after` is not an account of this book.
  std::string page_json(std::size_t limit, std::string_view after, bool only_breaching, std::string& error) const;

  /// A live change to the book (POST /control/accounts/*; daemon/fleet_accounts.cpp).
  struct AccountEdit {
    enum class Result { done, bad_request, unknown, exists, busy, other_shard, not_started, state_failed };
    Result result = Result::done;
    std::string id;
    /// done: the account as account_json shows it (a closed one: nothing); else the reason.
    std::string text;
    std::vector<std::string> problems;  ///< bad_request: each problem of the record
  };
  /// `text`: one account in the import's JSON lines format. Committed to the
  /// state file (one transaction) before the desk takes it; then checked at
  /// the current prices on the next tick of its symbols, never here.
  AccountEdit create_account(std::string_view text);
  /// Replaces the record of an account of the book (refused while it is busy).
  AccountEdit update_account(std::string_view text);
  /// Removes the account from the state file, then from the desk's checks.
  AccountEdit close_account(std::string_view id);

 private:
  /// Commits what `out_` says (accounts, orders), then sends its orders; a
  /// failed commit turns the kill switch on and nothing leaves.
  /// `received`: the receipt of the tick being handled, whose latency to the
  /// first order sent (after the state file's commit) is recorded.
  void handle(core::TimeNs now, store::Change change = {},
              std::optional<SteadyClock::time_point> received = std::nullopt);
  /// The wash-sale rule's memory at start: the seq of the next realised line,
  /// the recent buys (from the lots) and the recent loss lines (from the state file).
  void restore_washes(core::TimeNs now);
  /// The tax lots, realised lines and wash sales `out_` holds, added to `change`.
  void add_lots(store::Change& change) const;
  /// Writes an applied fill report of a block with the accounts it moved.
  void record_fill(const core::FillReport& fill, const fleet::DeskFill& r, core::TimeNs now);
  core::Order to_order(const fleet::DeskOrder& o) const;
  /// Reads an unfinished block order of the state file for the desk; why not.
  /// The book's index of each account id named by a restored block (kNotInBook when absent).
  using AccountIndexById = std::unordered_map<std::string_view, fleet::AccountIndex>;
  static constexpr fleet::AccountIndex kNotInBook = std::numeric_limits<fleet::AccountIndex>::max();
  std::optional<std::string> restore_block(const fleet::AccountBook& book, const AccountIndexById& index,
                                           const store::OrderRow& row);
  bool halted() const { return engine_.killed() || engine_.paused(); }

  const config::Config& cfg_;
  engine::Engine& engine_;
  Persistence& persistence_;
  RateLimiter& limiter_;
  bool book_on_send_;
  execution::RiskLimits limits_;
  execution::OrderSender* sender_ = nullptr;
  core::SymbolTable symbols_;                   ///< the fleet's own dense ids
  std::vector<core::SymbolId> fleet_symbol_of_; ///< engine symbol id → fleet id (kNoSymbol: not the fleet's)
  std::vector<double> last_price_;              ///< by fleet id; 0: none yet
  fleet::ModelVariants variants_;          ///< the config models and the accounts' variants of them
  /// The book until every symbol has a price; then the desk owns it.
  std::unique_ptr<fleet::AccountBook> waiting_;
  std::unique_ptr<fleet::FleetDesk> desk_;
  /// Unfinished block orders from the state file, with their fills so far,
  /// given to the desk when it starts.
  struct RestoredBlock {
    fleet::DeskOrder order;
    std::vector<double> cumulative_fills;
    double avg_price = 0;
  };
  std::vector<RestoredBlock> restored_;
  /// The accounts' tax lots read from the state file, given to the desk when it starts.
  fleet::AccountLots lots_;
  fleet::DeskOutput out_;
  bool was_halted_ = false;
  /// /status's breaching counts and drift histogram, and when they were taken.
  static constexpr std::chrono::seconds kSummaryMaxAge{1};
  mutable std::optional<fleet::FleetSummary> summary_;
  mutable fleet::FleetDesk::Memory memory_;  ///< taken with summary_
  mutable SteadyClock::time_point summary_at_;  ///< when its pass ended
  /// The pass under way: what it has summed, and the next account it looks at.
  struct SummaryPass {
    fleet::FleetSummary partial;
    std::size_t lot_bytes = 0;  ///< the accounts' part of memory_mb's lots
    fleet::AccountIndex next = 0;
  };
  mutable std::optional<SummaryPass> pass_;
  /// Takes the summary in one go, now.
  void take_summary() const;
  bool resync_on_release_ = false;  ///< the desk started while halted: check every account on release
  std::vector<bool> moved_while_halted_;  ///< by fleet id
  std::string encoded_;
  // Rebalances in the last minutes, for "rebalances per minute": one bucket per minute.
  mutable std::vector<std::pair<core::TimeNs, std::uint64_t>> per_minute_;
  std::function<void(const std::string&)> on_state_failure_;
  LatencyRecorder latency_;  ///< tick receipt → its first block order sent (a window of 0), after the commit
  LatencyRecorder commit_latency_;  ///< the state file's commit of each change carrying block orders
  std::size_t accounts_in_file_ = 0;
  CounterFamily* orders_metric_ = nullptr;
  /// create_account and update_account; why not before anything is written.
  AccountEdit put_account(std::string_view text, bool update);
};

}  // namespace ballast::daemon
