#pragma once
// The fleet live: ticks in, block orders out, fills back to the accounts.
// Accounts the monitor finds outside a band trade; their trades gather in a
// decision window and leave as one block order per symbol and side
// (fleet/block_orders.hpp), or, for models with `slicing`, as child orders one
// interval apart (fleet/block_slicing.hpp); each fill report of a block is
// allocated to its accounts in whole lots, and an account is checked again
// only when all of its blocks are final. Pure: no I/O, no clock (`now` is a
// parameter).
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/symbol_table.hpp"
#include "core/time.hpp"
#include "core/types.hpp"
#include "execution/io/order_codec.hpp"
#include "fleet/account_ids.hpp"
#include "fleet/account_lots.hpp"
#include "fleet/account_view.hpp"
#include "fleet/allocation_limits.hpp"
#include "fleet/block_orders.hpp"
#include "fleet/fleet_monitor.hpp"
#include "fleet/fleet_summary.hpp"
#include "fleet/harvest_index.hpp"
#include "fleet/pending_washes.hpp"
#include "fleet/rebalance_weighing.hpp"
#include "tax/lots.hpp"
#include "tax/wash_sale.hpp"

namespace ballast::fleet {

struct DeskOptions {
  /// How long the trades of a window gather before their blocks leave,
  /// counted from the first trade; 0: each tick's trades leave at once.
  core::DurationNs window = core::kNanosPerSecond;
  /// No fill reports: a block counts as filled at its reference price when it leaves.
  bool book_on_send = true;
  /// A symbol and side with more accounts leaves as several blocks: as many
  /// as fit one order frame with the longest account ids.
  std::size_t max_allocations_per_block = execution::kAllocationsPerFrame;
  /// Each account's trades pass these before they join a block (fleet/allocation_limits.hpp).
  AllocationLimits limits;
  /// Accounts a model's calendar date looks at per on_timer, so that a date
  /// of a large book is spread over several calls (the daemon makes the
  /// next one once its loop has served what came meanwhile, while
  /// calendar_running()); 0: all at once. A call also stops once
  /// calendar_trades accounts have traded (0: no such stop): their orders,
  /// not the looking, are most of a date's work.
  std::size_t calendar_slice = 4096;
  std::size_t calendar_trades = 256;
};

/// A block order to send: the order's id and the block (symbol, side, lots,
/// reference price, the accounts' allocations).
struct DeskOrder {
  std::string order_id;
  /// The window's: the id of its first block (the orders of one window are one rebalance of the fleet).
  std::string rebalance_id;
  BlockOrder block;
  core::TimeNs created_at = 0;
  /// "calendar" when every account of its window was rebalanced by a
  /// calendar date, "threshold" otherwise.
  std::string reason = "threshold";
  /// A sell's: per allocation (in block.allocations' order), the lots its
  /// fills close by name, in order, as the order names them on the wire
  /// (core::Allocation::lots); at most execution::kLotsPerAllocation each.
  /// Empty for a buy, or a sell that names no lots.
  std::vector<std::vector<core::NamedLot>> named_lots;
  /// A child of a sliced block that leaves later, at created_at: written to
  /// the state file now, sent when it is due (DeskOutput::released).
  bool scheduled = false;
};

/// A lot closed by a sell fill, for the state file's realised gains.
struct DeskRealised {
  AccountIndex account = 0;
  core::SymbolId symbol = core::kNoSymbol;
  tax::RealisedLine line;  ///< as closed: a wash sale's disallowed loss comes as a DeskWash
  std::uint64_t seq = 0;   ///< its number in the state file's realised gains
};

/// A wash sale: part of a realised loss line's loss (an earlier one, or one
/// of this output) is disallowed by a replacement bought within 30 days.
struct DeskWash {
  std::uint64_t seq = 0;  ///< the loss line's
  double add_disallowed = 0;  ///< > 0
};

/// What one call decided.
struct DeskOutput {
  /// New orders: each is written to the state file, and sent unless scheduled.
  std::vector<DeskOrder> orders;
  /// Scheduled children (written when they were decided) whose time has come: to send now.
  std::vector<DeskOrder> released;
  /// Accounts whose cash or holdings changed (fills booked), for the state
  /// file; an account may appear more than once.
  std::vector<AccountIndex> changed;
  std::uint64_t rebalances = 0;  ///< accounts that decided to trade
  /// Trades left out of a block, with why (block_orders.hpp); their accounts
  /// are settled as they are.
  std::vector<std::string> refusals;
  /// Accounts whose tax lots changed (a block of theirs became final), to be
  /// written with their positions; an account may appear more than once.
  std::vector<AccountIndex> lots_changed;
  /// The lots those fills closed, in the order closed.
  std::vector<DeskRealised> realised;
  /// Wash sales found, after the lines they name.
  std::vector<DeskWash> washes;
  /// Tax decisions, as a person reads them: harvests, switches back, buys
  /// redirected to a substitute or held back so as not to wash a loss.
  std::vector<std::string> tax_decisions;

  void clear() {
    orders.clear();
    released.clear();
    changed.clear();
    rebalances = 0;
    refusals.clear();
    lots_changed.clear();
    realised.clear();
    washes.clear();
    tax_decisions.clear();
  }
  bool empty() const {
    return orders.empty() && released.empty() && changed.empty() && rebalances == 0 && refusals.empty() &&
           lots_changed.empty() && realised.empty() && washes.empty() && tax_decisions.empty();
  }
};

/// What a fill report did.
struct DeskFill {
  enum class Result { not_ours, applied, refused };
  Result result = Result::not_ours;
  std::string error;                 ///< why it was refused
  double unallocated_quantity = 0;   ///< filled but below a whole lot, or past the block
  bool final = false;                ///< the block is finished
};

/// An account as GET /accounts/ID shows it.
struct AccountDetail {
  AccountView view;  ///< holdings and cash include the fills booked so far
  core::TimeNs last_rebalance = 0;  ///< 0: never, since this start
  std::vector<std::string> open_orders;  ///< ids of its blocks not yet final
  bool pending = false;  ///< waiting for its blocks or its window
};

/// An account's holdings (in its model's symbol order) and cash as booked:
/// the book plus the fills of its open blocks.
struct Position {
  std::vector<double> quantities;
  double cash = 0;
};

struct DeskCounters {
  std::uint64_t rebalances = 0;
  std::uint64_t blocks_sent = 0;       ///< children of sliced blocks included, as each leaves
  std::uint64_t blocks_sliced = 0;     ///< blocks sent as children
  std::uint64_t allocations_sent = 0;  ///< account shares in the blocks sent
  std::uint64_t fills_applied = 0;
  std::uint64_t fills_refused = 0;
  /// Account trades denied by the limits, by execution::DenyReason.
  std::array<std::uint64_t, execution::kDenyReasonCount> denied{};
  std::uint64_t harvests = 0;        ///< losses sold into a substitute
  std::uint64_t switches_back = 0;   ///< substitutes sold back into their primary
  std::uint64_t buys_redirected = 0; ///< buys that would wash a loss, bought in a substitute instead
  std::uint64_t buys_held_back = 0;  ///< buys that would wash a loss, with no substitute to take them
  /// Band rebalance sells cut (one per sell) so as not to realise a loss that
  /// a household buy of the last 30 days, or one decided and not yet final, would wash.
  std::uint64_t sells_held_back = 0;
  /// Band rebalances a model's dynamic trigger held: their benefit did not pass
  /// their cost, the tax they would realise included (one per decision held;
  /// the looks skipped while an account stays held are not counted).
  std::uint64_t rebalances_held = 0;
  /// Accounts a model's calendar date rebalanced (counted in rebalances too;
  /// one a dynamic trigger held is not).
  std::uint64_t calendar_rebalances = 0;
};

class FleetDesk {
 public:
  /// `symbols` names the book's symbol ids (the order's symbol) and must
  /// outlive the desk; `next_order_seq` gives the sequence number of each new
  /// order id ("fleet-<yyyymmdd>-<seq>"); `lots`: the accounts' tax lots
  /// as the book keeps them (AccountLots::restore), on the book's indexes.
  FleetDesk(FleetMonitor monitor, const core::SymbolTable& symbols, DeskOptions options,
            std::function<std::uint64_t()> next_order_seq, AccountLots lots = AccountLots{});

  /// Checks every account at the current prices (rebalancing those in breach).
  void resync(core::TimeNs now, DeskOutput& out);
  /// The same at `prices`, taken at once (FleetMonitor::resync).
  void resync(std::span<const double> prices, core::TimeNs now, DeskOutput& out);
  /// New limits (a reload): from the next decision on.
  void set_limits(AllocationLimits limits) { options_.limits = std::move(limits); }
  /// A new price; rebalances it causes join the window (which may close now).
  /// Holdings whose harvest trigger it passes are decided at the next on_timer.
  void on_tick(core::SymbolId symbol, double price, core::TimeNs now, DeskOutput& out);
  /// Decides the harvests queued by ticks and the accounts of the models'
  /// calendar dates (below), then closes the window when its time has come,
  /// then releases the children of sliced blocks that are due (the caller
  /// does not call it while trading is halted: dates and children wait).
  ///
  /// Calendar dates (a model's `[[models.triggers]]` of kind "calendar"): on
  /// each date every account of the model is rebalanced to its targets when
  /// a trade is worth making (FleetMonitor::rebalance_to_target), through
  /// the same limits, window and blocks as a band's rebalance;
  /// DeskOptions::calendar_slice accounts per call. An account busy then
  /// (its window or blocks) is rebalanced once it settles. The first call
  /// schedules each model's next date: dates before it (a stop, a halt
  /// before the desk ran) are not made up.
  void on_timer(core::TimeNs now, DeskOutput& out);
  /// Whether a calendar date is being run through the accounts.
  bool calendar_running() const { return batch_next_.has_value(); }
  /// A fill report: not_ours when its order is not an open block of this desk.
  DeskFill on_fill(const core::FillReport& report, core::TimeNs now, DeskOutput& out);

  /// Block orders with no final report `timeout` after they left (children
  /// still scheduled have not left) become
  /// unknown: their fate is not known, so their accounts stay held (nothing
  /// is decided on positions that may have moved) until a late report or an
  /// operator's resolve() finishes them. The ids of those that became unknown now.
  std::vector<std::string> time_out(core::TimeNs now, core::DurationNs timeout);
  /// The final report that finishes an open block from what the broker says
  /// (an operator's resolve): with `filled`, it ended with that cumulative
  /// quantity at `avg_price` (filled when that is the whole block, cancelled
  /// otherwise); without, nothing more filled than is booked (cancelled, at
  /// the price booked). nullopt with `error` when `order_id` is not an open
  /// block or `filled` is outside [0, the block's quantity]; on_fill() then
  /// checks the rest as it checks any report.
  std::optional<core::FillReport> resolution(std::string_view order_id, std::optional<double> filled,
                                             double avg_price, std::string& error) const;
  /// The open block's order, or null.
  const DeskOrder* open_block(std::string_view order_id) const;
  /// Ids of the open blocks whose fate is unknown, in order.
  std::vector<std::string> unknown_blocks() const;

  /// A block order left open by an earlier run (from the state file), with
  /// the cumulative quantities of the fill reports it had and the last
  /// average price: its accounts wait for it again. The fills it had are in
  /// the book already (they were committed with them). A sell's named lots
  /// (order.named_lots, as it named them when sent) are what its final fills
  /// close again. A scheduled child (order.scheduled) waits for its time
  /// again. Why not, when its accounts, figures or named lots do not fit the book.
  std::optional<std::string> restore_block(DeskOrder order, std::span<const double> cumulative_fills,
                                           double avg_price);

  std::optional<AccountIndex> find(std::string_view id) const;
  AccountDetail detail(AccountIndex a) const;
  Position position(AccountIndex a) const;
  /// Accounts a page looks at, at most: weighing each for `only_breaching`,
  /// a few milliseconds of the daemon's loop.
  static constexpr std::size_t kPageLooksAt = 65'536;
  struct AccountPage {
    std::vector<AccountIndex> accounts;
    /// Set when the page stopped after looking at `looks_at` accounts, before
    /// `limit` and before the end of the book: the account to go on after.
    std::optional<AccountIndex> go_on_after;
  };
  /// Up to `limit` accounts in book order, starting after account `after`
  /// (nullopt: from the first); `only_breaching`: those outside a band now.
  /// Looks at no more than `looks_at` accounts (closed ones included; 0 is taken as 1).
  AccountPage page(std::optional<AccountIndex> after, std::size_t limit, bool only_breaching,
                   std::size_t looks_at = kPageLooksAt) const;
  FleetSummary summary() const;
  /// Adds the open accounts of [begin, end) at the current prices to `into`:
  /// summary() taken in parts.
  void summarise_part(AccountIndex begin, AccountIndex end, FleetSummary& into) const;
  /// Bytes held by the largest parts: the book's arrays, the safe zones, the
  /// index of ids, the tax lots. The lots' figure walks every account with lots.
  struct Memory {
    std::size_t book = 0;
    std::size_t zones = 0;
    std::size_t ids = 0;
    std::size_t lots = 0;
  };
  Memory memory() const;
  /// The same with the accounts' part of the lots' figure taken in parts:
  /// `lot_account_bytes` is lot_bytes() over every account.
  Memory memory(std::size_t lot_account_bytes) const;
  /// The tax lots' bytes of the accounts [begin, end), the table's aside.
  std::size_t lot_bytes(AccountIndex begin, AccountIndex end) const;
  /// Accounts waiting for a window or a block.
  std::size_t pending_accounts() const { return pending_.size(); }
  std::size_t open_blocks() const { return open_.size(); }
  /// Children of sliced blocks not sent yet (counted in open_blocks()).
  std::size_t scheduled_children() const { return schedule_.size(); }
  /// Accounts held because the book refused what their fills left (e.g. cash
  /// below zero after a sell failed and its buys filled).
  std::size_t stuck_accounts() const { return stuck_.size(); }
  core::TimeNs window_closes_at() const { return window_closes_at_; }

  const AccountBook& book() const { return monitor_.book(); }
  const FleetMonitor& monitor() const { return monitor_; }
  const DeskCounters& counters() const { return counters_; }
  const core::SymbolTable& symbols() const { return symbols_; }

  // Tax lots. A block's fills become lots when it is final, all at once, on
  // the UTC day it became final and at its average price (a fill report
  // carries no commission: the basis is the price paid): a buy opens a lot,
  // a sell closes lots by the account's method, units held beyond them first.
  const AccountLots& lots() const { return lots_; }
  /// Replaces account `a`'s lots and method by the record's (a start, a live
  /// create or update): why not, and then nothing changes. Refused while busy.
  std::optional<std::string> set_lots(AccountIndex a, const AccountRecord& record);
  /// Realised lines of earlier runs (the state file's), for `a`'s yearly totals.
  void add_realised(AccountIndex a, std::span<const tax::RealisedLine> lines) { lots_.add_realised(a, lines); }

  // The wash-sale rule (US; tax/wash_sale.hpp) over the lots the desk books:
  // a loss sale and a buy of the same symbol within 30 days of each other,
  // in any accounts of one household, disallow the loss on as many units;
  // it moves into the replacement lot's basis (out.washes and lots_changed).
  // Before that, the checks before a buy (avoid_wash_sales) and before a
  // harvest also see the trades decided and not yet final (in the window or
  // in open blocks) of every account of the household: a sell by the loss the
  // account's lots say it realises at its sized price, a buy by its units.
  // Each is dropped when its block is final (the ledger has what it did).
  /// Trades decided and not yet final that the wash-sale checks see (of
  /// accounts in a household: no other account sees one outside any).
  std::size_t decided_trades() const { return decided_.size(); }
  /// The number the next realised line gets (the state file's last + 1).
  void set_next_realised_seq(std::uint64_t seq) { next_seq_ = seq; }
  /// After a restart, with the lots restored: the buys of the last 30 days
  /// before `today` still held (and not replacements already) become
  /// replacements again.
  void remember_buys(tax::Day today);
  /// After a restart: a loss line of the last 30 days (the state file's),
  /// whose loss not yet disallowed waits for replacements again.
  void remember_loss(AccountIndex a, core::SymbolId symbol, const tax::RealisedLine& line, std::uint64_t seq);

  // Live changes to the book (the control API). None trades: a changed
  // account is checked at the current prices on the next tick of its symbols.
  /// A model for accounts added or changed from now on (an account's variant
  /// of a configuration model); its index is book().models().size() − 1.
  /// Its `identical` groups join the wash-sale rule's (for trades from now on).
  std::optional<std::string> add_model(Model m);
  /// A new account at index book().size(), of `household` (empty: none).
  /// Refused, and nothing changes, when its id is in the book (a closed
  /// account's too) or as the monitor refuses it.
  std::optional<std::string> add_account(std::string_view id, ModelIndex model, double cash,
                                         std::span<const double> quantities, double band_multiplier,
                                         std::string_view household = {});
  /// Replaces an account's model, cash, holdings, multiplier and household
  /// (empty: none — so an account keeps its household only when given it
  /// again). Refused, and nothing changes, while it is busy or closed or as the
  /// book refuses the figures or the household; a stuck account is released
  /// (these figures replace what its fills booked).
  std::optional<std::string> set_account(AccountIndex a, ModelIndex model, double cash,
                                         std::span<const double> quantities, double band_multiplier,
                                         std::string_view household = {});
  /// Never checked again, and out of page() and summary(); its id stays
  /// taken. Refused while busy; a stuck account may be closed.
  std::optional<std::string> close_account(AccountIndex a);
  /// Waiting for its decision window or its blocks: a change now would lose or double its fills.
  bool busy(AccountIndex a) const;
  bool closed(AccountIndex a) const { return monitor_.state(a) == AccountState::closed; }
  std::size_t closed_accounts() const { return closed_; }

 private:
  /// Fills booked for an account while its blocks are open: added to the
  /// book when the last one is final.
  struct Pending {
    std::vector<double> quantity_change;  ///< per model symbol
    double cash_change = 0;
    std::uint32_t open_blocks = 0;
    bool in_window = false;
  };
  struct OpenBlock {
    DeskOrder order;
    std::vector<std::uint64_t> allocated;  ///< lots per allocation so far
    std::vector<double> booked_cash;       ///< cash moved per allocation so far (signed)
    double avg_price = 0;                  ///< of the last report that filled something
    bool unknown = false;                  ///< no final report within the timeout
    core::TimeNs sent_at = 0;              ///< when it left (its timeout counts from here)
    /// Its allocations are counted in open_legs_: a child of a sliced block,
    /// or a block restored after a restart (which may be one).
    bool counted = false;
  };

  /// The monitor's rebalances in scratch_: sized, weighed (a model's dynamic
  /// trigger) and into the window. `resync`: every held account is decided afresh.
  /// `calendar`: they come from a calendar date (the window's orders' reason).
  void take_rebalances(core::TimeNs now, DeskOutput& out, bool resync = false, bool calendar = false);
  /// The models' calendar dates due by `now`, and the next slice of the accounts of those being run.
  void run_calendars(core::TimeNs now, DeskOutput& out);
  // A model's dynamic trigger (fleet/rebalance_weighing.hpp). A rebalance it
  // holds leaves the account as it is: out of pending at once, with nothing
  // sent and no trace in `out` but the hold itself. The monitor gives it a
  // zone of kHoldRecheck around the prices of the hold although it is in
  // breach, so it is checked again only when a price of its symbols has
  // moved that far; the desk then decides it again only when its benefit has
  // grown past what it was when held. On a new UTC day (wake_held) and at a
  // resync it is decided afresh: in between, its costs and taxes are taken
  // to be what they were.
  static constexpr double kHoldRecheck = 0.002;
  struct Held {
    double benefit = 0;  ///< B when held
    tax::Day day = 0;    ///< the UTC day it was held on
  };
  /// Holds account `a` as `w` weighed it: counted, recorded in held_, said in
  /// `out`, and released as it is.
  void hold(AccountIndex a, const RebalanceWeighing& w, core::TimeNs now, DeskOutput& out);
  /// Held on `now`'s day with a benefit not grown since.
  bool still_held(AccountIndex a, core::TimeNs now);
  /// A rebalance that sends nothing: the account leaves pending with the
  /// book's figures (`held`: zoned for kHoldRecheck although in breach).
  void release_unchanged(AccountIndex a, DeskOutput& out, bool held = false);
  /// On the first tick of a new UTC day: the accounts held (or resting) since
  /// an earlier day are woken (checked on the next tick of their symbols) and forgotten.
  void wake_held(tax::Day today);
  /// Account `a`'s sized_ trades into the window's blocks (what a block
  /// refuses, to `out`); those taken are decided trades the wash-sale checks
  /// see (`harvest`: its sell is a harvest's, at a loss on every unit). Each
  /// sell from lots names the lots it will close, chosen now (`now`'s day,
  /// the trade's price) as its fills would close them.
  void collect_sized(AccountIndex a, core::TimeNs now, bool harvest, DeskOutput& out);
  /// Opens the decision window if none is open (closing it at once when it is 0).
  void open_window(core::TimeNs now, DeskOutput& out);
  /// Cash and holdings of the book at the current prices.
  double value_of(AccountIndex a) const;
  void close_window(core::TimeNs now, DeskOutput& out);
  /// `order` becomes an open block of its accounts, to `out` (sent now unless
  /// scheduled); `counted`: its allocations count in open_legs_.
  void open_order(DeskOrder order, bool counted, core::TimeNs now, DeskOutput& out);
  /// The blocks of one symbol, side and slicing, sliced into children when
  /// together they are worth more than one child: by_step_[k] gets step k's,
  /// due `now` + k intervals (scheduled from step 1 on). False, and nothing
  /// done, when they are not.
  bool slice_group(std::span<const BlockOrder> group, const core::Slicing& slicing, core::TimeNs now);
  /// A block order leaves now: counted, and its timeout starts.
  void mark_sent(OpenBlock& b, core::TimeNs now);
  /// An order just sent with no fill reports to come: booked in full at its reference price and finished.
  void book_sent(const std::string& order_id, core::TimeNs now, DeskOutput& out);
  /// A scheduled child is not any more: out of the schedule (a report came for it).
  void unschedule(OpenBlock& b);
  /// The scheduled children due by `now`, to out.released.
  void release_due(core::TimeNs now, DeskOutput& out);
  /// `released`, a child due at `due`, left late at `now`: when a later step
  /// of its group (same rebalance, symbol and side) is due by now too (the
  /// desk was stopped, paused or killed past it), every later step of the
  /// group moves by now − due (their created_at with them), so that they
  /// leave one interval apart from now rather than all at once.
  void respace_after(const DeskOrder& released, core::TimeNs due, core::TimeNs now);
  /// The number of `m`'s slicing for the block collector (0: none).
  std::uint16_t slicing_class(const Model& m);
  /// Books a cumulative fill of `b` at `avg_price`; false with `error` when refused.
  bool book_fill(OpenBlock& b, double cumulative_quantity, double avg_price, DeskFill& result, DeskOutput& out);
  /// The block is final: its fills become lots, and its accounts with nothing else open are settled.
  void finish(const OpenBlock& b, core::TimeNs now, DeskOutput& out);
  /// The block's fills as lots of its accounts (see lots()).
  void book_lots(const OpenBlock& b, core::TimeNs now, DeskOutput& out);
  /// Applies wash-sale matches to the replacement lots and the loss lines.
  void apply_washes(DeskOutput& out);
  // Tax-loss harvesting (fleet/desk_harvest.cpp). Each holding of a model
  // with [models.tax.harvest] and substitutes has a trigger price in
  // harvest_ (the highest price at which it is worth harvesting; for a
  // substitute, at which it can switch back without a gain): a tick at or
  // below it hands the account to harvest_holding(). Triggers follow the lots.
  enum class HarvestStep {
    traded,  ///< its trades joined the window; the trigger follows the new lots
    rearm,   ///< nothing to do at this price: the trigger is set again
    park,    ///< not now (busy, or a wash sale in the way): again tomorrow or at settle
  };
  /// The trigger of account `a`'s holding of `symbol` (0: none).
  double harvest_trigger(AccountIndex a, core::SymbolId symbol) const;
  void rearm_harvest(AccountIndex a, core::SymbolId symbol);
  void rearm_harvest(AccountIndex a);
  /// Takes out `a`'s triggers (its model is about to change, or it closes).
  void disarm_harvest(AccountIndex a);
  /// Queues the holdings whose trigger the price of `symbol` passes. They are
  /// decided at the next timer (or at once by a resync), at the prices of
  /// then: a tick moves one symbol, and a harvest also buys another.
  void harvest_due(core::SymbolId symbol);
  void take_harvests(core::TimeNs now, DeskOutput& out);
  HarvestStep harvest_holding(AccountIndex a, core::SymbolId symbol, core::TimeNs now, DeskOutput& out);
  /// The trades of a harvest or a switch back: `plan_quantity` of `symbol`
  /// sold, the proceeds bought in the first of `into` (model slots) whose buy
  /// washes nothing. False, and nothing done, when none can.
  bool trade_harvest(AccountIndex a, core::SymbolId symbol, double plan_quantity, std::span<const std::size_t> into,
                     bool switch_back, core::TimeNs now, DeskOutput& out);
  /// Parked triggers come back on a new UTC day.
  void unpark_harvest(core::TimeNs now);
  /// avoid_wash_sales: each buy that would wash a loss of the household's last
  /// 30 days, decided and not yet final, or sold by a sell of this same
  /// decision, goes to a substitute whose buy would not, or is held back.
  void redirect_washing_buys(AccountIndex a, core::TimeNs now, DeskOutput& out);
  /// avoid_washed_losses: each sell that would realise a loss which a household
  /// buy of the last 30 days, or one decided and not yet final, would wash is
  /// cut to the whole lots its lot method sells before the first at a loss;
  /// the buys to what the rest pays for (why, to `out`).
  void hold_back_washed_losses(AccountIndex a, core::TimeNs now, DeskOutput& out);

  static std::uint64_t holding_key(AccountIndex a, core::SymbolId symbol) { return (std::uint64_t{a} << 32) | symbol; }
  /// Why a restored block's named lots cannot be its own: named by a buy, not
  /// one list per allocation, more than execution::kLotsPerAllocation, a
  /// quantity not finite and > 0, or more units than the allocation's.
  static std::optional<std::string> check_restored_lots(const DeskOrder& order);
  /// A sell block's allocations' named lots (named_lots_) as its order names them.
  std::vector<std::vector<core::NamedLot>> wire_lots(const BlockOrder& block);
  /// The model's `identical` groups, declared to the wash-sale ledger.
  void declare_identical(const Model& m);
  /// The account's household for the wash-sale ledger.
  tax::HouseholdIndex wash_household(AccountIndex a) const;
  /// Would a buy of `quantity` of `symbol` in `household` on `day` wash a
  /// loss: one the ledger keeps, or a loss sale decided and not yet final.
  bool buy_would_wash(tax::HouseholdIndex household, core::SymbolId symbol, tax::Day day, double quantity) const;
  /// The units of `symbol`'s group that `household` decided to buy, not yet final.
  double decided_buys(tax::HouseholdIndex household, core::SymbolId symbol) const;
  /// Of a sale by account `a`'s method of `quantity` of `symbol` at `price`
  /// on `day`, held `held_before`, the units its lots would sell at a loss.
  double sale_loss_units(AccountIndex a, core::SymbolId symbol, tax::Day day, double quantity, double price,
                         double held_before) const;
  /// A trade of `a` taken into a block: decided, for the wash-sale checks
  /// (`held_before`: the units of its symbol held before it).
  void note_decided(AccountIndex a, const SizedTrade& t, tax::Day day, bool harvest, double held_before);
  /// Forgets what no trade from `today` on can wash.
  void forget_washes(tax::Day today);
  /// `rest`: the account traded nothing after all (its trades refused or cut
  /// to nothing) on that day: zoned for kHoldRecheck although in breach, and
  /// woken on the next day's first tick.
  void settle(AccountIndex a, DeskOutput& out, std::optional<tax::Day> rest = std::nullopt);
  Pending& pending(AccountIndex a);
  /// Makes `a` pending and part of the open decision window.
  void enter_window(AccountIndex a);
  /// The trades of `r` as sized, through the limits (denials to `out`) and
  /// the model's tax policy.
  void limit_trades(const FleetRebalance& r, core::TimeNs now, DeskOutput& out);
  /// avoid_short_term_gains: each sell cut to the units that realise no
  /// short-term gain, and the buys to what the rest pays for (why, to `out`).
  void hold_back_short_term_gains(AccountIndex a, core::TimeNs now, DeskOutput& out);

  std::vector<SizedTrade> sized_;
  std::unordered_map<AccountIndex, Held> held_;
  tax::Day held_woken_on_ = 0;     ///< the day wake_held last ran for
  std::unordered_map<AccountIndex, tax::Day> resting_;  ///< settle(rest): the day each rests since
  std::vector<double> deviation_;  ///< scratch of still_held
  FleetMonitor monitor_;
  const core::SymbolTable& symbols_;
  DeskOptions options_;
  std::function<std::uint64_t()> next_order_seq_;
  BlockCollector collector_;
  core::TimeNs window_closes_at_ = 0;  ///< 0: no window open
  std::unordered_map<AccountIndex, Pending> pending_;
  std::vector<AccountIndex> in_window_;                 ///< the accounts enter_window took since the window opened
  std::map<std::string, OpenBlock, std::less<>> open_;  ///< by order id
  /// The scheduled children by when they are due, in the order decided.
  std::multimap<core::TimeNs, std::string> schedule_;
  /// Counted blocks (OpenBlock::counted) open per account, symbol and side
  /// (leg_key): a sliced trade is decided, for the wash-sale checks and as a
  /// harvest, until its last child is final.
  std::unordered_map<std::uint64_t, std::uint32_t> open_legs_;
  static std::uint64_t leg_key(AccountIndex a, core::SymbolId symbol, core::Side side) {
    return (std::uint64_t{a} << 33) | (std::uint64_t{symbol} << 1) | (side == core::Side::sell ? 1u : 0u);
  }
  /// close_window's orders by the step they leave at (scratch).
  std::vector<std::vector<DeskOrder>> by_step_;
  /// The distinct slicings of the models, numbered from 1 (slicing_class).
  std::vector<core::Slicing> slicings_;
  // Calendar dates (on_timer).
  std::vector<core::TimeNs> next_date_;                ///< per model; 0: no calendar, or not scheduled yet
  std::vector<char> date_due_;                         ///< per model: a date came, its run not started
  std::vector<char> in_run_;                           ///< per model: the run under way takes its accounts
  std::optional<AccountIndex> batch_next_;             ///< the next account the run looks at
  std::unordered_set<AccountIndex> calendar_waiting_;  ///< busy on their model's date
  std::vector<AccountIndex> calendar_ready_;           ///< settled since: rebalanced at the next on_timer
  /// Whether the open window holds an account a band (or a harvest) decided,
  /// and one a calendar date did: its orders' reason.
  bool window_band_ = false;
  bool window_calendar_ = false;
  AccountIds ids_;                                      ///< by id, into the monitor's book
  std::vector<core::TimeNs> last_rebalance_;  ///< per account
  FleetOutput scratch_;
  /// Accounts whose booked holdings the book refused at settle: held pending.
  std::vector<AccountIndex> stuck_;
  DeskCounters counters_;
  std::size_t closed_ = 0;
  AccountLots lots_;
  tax::WashSaleLedger wash_;
  std::vector<tax::WashMatch> matches_;
  /// Trades decided and not yet final, for the wash-sale checks.
  PendingWashes decided_;
  /// Loss lines of the last 30 days with loss left to disallow, by seq.
  struct RecentLoss {
    AccountIndex account = 0;
    tax::RealisedLine line;
  };
  std::unordered_map<std::uint64_t, RecentLoss> recent_losses_;
  std::uint64_t next_seq_ = 1;
  tax::Day washes_forgotten_on_ = 0;
  HarvestIndex harvest_;
  std::vector<AccountIndex> harvest_due_;
  std::vector<std::pair<AccountIndex, core::SymbolId>> harvest_queue_;
  /// Holdings whose harvest waits for a new day or their account's settle, by account.
  std::unordered_map<AccountIndex, std::vector<core::SymbolId>> parked_;
  tax::Day parked_on_ = 0;
  /// Sells that are harvests or switches back ((account << 32) | symbol): they
  /// close the lots at a loss, highest basis first, and no units of unknown basis.
  std::unordered_set<std::uint64_t> harvest_sells_;
  /// The lots each decided sell names ((account << 32) | symbol), in the order
  /// to close them, until its block is made (wire_lots moves them into the
  /// order, whose fills close them first). An account decides one thing at a
  /// time, so the lots are still there.
  std::unordered_map<std::uint64_t, std::vector<tax::SpecificLot>> named_lots_;
};

}  // namespace ballast::fleet
