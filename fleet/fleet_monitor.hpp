#pragma once
// Every account of a fleet checked on every tick, with work proportional to
// the accounts whose safe zone the tick leaves (geometric monitoring): each
// account holds a radius r around the prices it was last checked at
// (fleet/safe_zone.hpp), inside which no price move can breach its bands.
// Zones live in one of two places:
// - after a resync every zone is centred on the same prices, and one list of
//   the accounts by radius finds those a tick leaves (fleet/resync_zones.hpp);
// - an account checked since gets a zone of its own: a pair of thresholds
//   ln c ± r per symbol, in two heaps per symbol (fleet/threshold_heaps.hpp).
// A tick walks only the list entries and the thresholds it passes; those
// accounts are checked exactly: in breach → rebalanced; either way → a new
// zone of their own at today's prices (for one in breach that nothing may
// trade, account_stuck_radius). A tick that leaves no zone touches no
// account. Pure: no I/O, no clock (resync may use threads: set_threads).
//
// Memory. The heaps cost 24 bytes a slot (two entries and two positions),
// the list 12 bytes an account. So that the heaps do not come to hold every
// slot of a long-running book, once more than a quarter of the slots are in
// them (rezone_at) the tick's end rezones: every zone is centred on the prices
// of then and goes back into the list, as a resync does but without trading
// (an account not certified safe is checked on the next tick of its symbols,
// as it would have been). The decisions stay those of the brute force.
//
// Fills. By default (Fills::at_once, the backtest's and the benchmark's) a
// rebalance is filled at once at the tick's prices. With Fills::on_settle (a
// live daemon) a rebalance only reports its trades: the account becomes
// pending — not checked on ticks nor by resync — until settle() says what
// was actually filled.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/account_book.hpp"
#include "fleet/fleet_output.hpp"
#include "fleet/rebalancer.hpp"
#include "fleet/resync_zones.hpp"
#include "fleet/threshold_heaps.hpp"

namespace ballast::fleet {

struct FleetCounters {
  std::uint64_t ticks = 0;        ///< usable ticks seen
  std::uint64_t evaluations = 0;  ///< accounts checked after leaving their zone (resyncs not counted)
  std::uint64_t rebalances = 0;   ///< accounts that traded, resyncs included
  std::uint64_t rezones = 0;      ///< zones moved back into the list (see the file comment)
};

/// What happens to a rebalance's trades (see the file comment).
enum class Fills : std::uint8_t {
  at_once,    ///< applied to the book at the tick's prices
  on_settle,  ///< reported only; the account is pending until settle()
};

/// Where an account stands.
enum class AccountState : std::uint8_t {
  resync_zone,  ///< zoned by the last resync (or, before any, checked on the next tick of its symbols)
  own_zone,     ///< zoned on its own since, in the threshold heaps
  pending,      ///< its rebalance awaits settle() (Fills::on_settle): never checked meanwhile
  closed,       ///< closed: never checked again
};

class FleetMonitor {
 public:
  /// `prices`: one per symbol id of the book, each usable (a broken
  /// invariant otherwise). Until the first resync() every account is
  /// checked on the first tick of each of its symbols, as the brute force
  /// would, and zoned from then on.
  FleetMonitor(AccountBook book, std::vector<double> prices, Fills fills = Fills::at_once);

  /// Checks every account that is neither pending nor closed at the current
  /// prices, rebalancing those in breach (appended to `out` in account
  /// order), and rebuilds every zone, centred on the current prices.
  void resync(FleetOutput& out);
  /// The same after taking `prices` (one per symbol id; unusable ones keep
  /// the last price) as the current prices at once: for prices that moved
  /// while nothing was decided, with no account checked at a mix of old and
  /// new prices on the way. Not counted as ticks.
  void resync(std::span<const double> prices, FleetOutput& out);

  /// A new last price for `symbol`; appends the rebalances it causes to
  /// `out` in ascending account order. False, and nothing changes, when the
  /// symbol is unknown or the price unusable.
  bool on_tick(core::SymbolId symbol, double price, FleetOutput& out);

  /// Threads resync() checks accounts on (≥ 1; 1 by default: all on the
  /// caller's thread). The result is the same for any number.
  void set_threads(unsigned threads) { threads_ = threads > 0 ? threads : 1; }
  unsigned threads() const { return threads_; }
  /// A tick's end rezones once more than this many slots are zoned on their
  /// own (0: the default, a quarter of the book's slots and at least
  /// kRezoneAtLeast). Rezoning never trades and changes no decision.
  void set_rezone_at(std::size_t slots) { rezone_at_ = slots; }
  std::size_t rezone_at() const;
  static constexpr std::size_t kRezoneAtLeast = 65536;
  Fills fills() const { return fills_; }

  /// With Fills::on_settle: what a pending account's orders actually did —
  /// its quantities (one per model symbol) and cash once they are final.
  /// The account leaves pending and gets a zone at the current prices; if it
  /// is not certified safe there it is checked exactly on the next tick of
  /// any of its symbols (a settle never trades by itself). The reason, and
  /// nothing changes, when the account is not pending or the figures are
  /// refused (as AccountBook::set_account refuses them).
  std::optional<std::string> settle(AccountIndex a, std::span<const double> quantities, double cash);
  /// settle() for a rebalance held back (a model's dynamic trigger): the zone
  /// is at least `hold_radius` (rounded down) around the current prices even
  /// when the account is in breach, so that it is not checked again until a
  /// price of its symbols moves that far, wake() or a resync.
  std::optional<std::string> settle_held(AccountIndex a, std::span<const double> quantities, double cash,
                                         double hold_radius);
  /// An account zoned by settle_held (or any checked account) gets its own
  /// radius at the current prices again: −∞ when it is in breach, checked on
  /// the next tick of its symbols. Nothing for a pending or closed account.
  void wake(AccountIndex a);

  /// A live change to an account (model, cash, quantities, multiplier): the
  /// book is updated and the account re-zoned at the current prices (checked
  /// on the next tick of its symbols when not certified safe; never traded
  /// here). A pending account stays pending (settle() will bring its fills).
  /// O(holdings) when the number of holdings stays the same; otherwise every
  /// later account's slots move (O(fleet), about the cost of a resync). The
  /// reason, and nothing changes, when refused (unknown or closed account,
  /// or what AccountBook::set_account refuses).
  std::optional<std::string> set_account(AccountIndex a, ModelIndex model, double cash,
                                         std::span<const double> quantities, double band_multiplier = 1);

  /// Adds a model to the book (the reason when check_model refuses it); its
  /// index is book().models().size() − 1.
  std::optional<std::string> add_model(Model m);

  /// Adds an account at index book().size(), of `household` (empty: none)
  /// (as AccountBook::add_account refuses, the reason) and zones it at the
  /// current prices. Amortised O(holdings) — but the book's arrays grow as
  /// vectors do: reserve the book before constructing the monitor to avoid
  /// copying them.
  std::optional<std::string> add_account(std::string_view id, ModelIndex model, double cash,
                                         std::span<const double> quantities, double band_multiplier = 1,
                                         std::string_view household = {});

  /// Puts an account in `household` (empty: none), as AccountBook::set_household
  /// does and refuses. Its zone stays: a household moves no band.
  std::optional<std::string> set_household(AccountIndex a, std::string_view household) {
    return book_.set_household(a, household);
  }

  /// Closes an account: it is never checked again and keeps its place (and
  /// its last holdings) in the book. A pending account may be closed (its
  /// open orders are the caller's). The reason when unknown or closed already.
  std::optional<std::string> close_account(AccountIndex a);

  /// A model's calendar date: account `a` is rebalanced to its targets at
  /// the current prices, in breach or not, when a trade is worth making
  /// (Rebalancer::check's `to_target`), appended to `out`; it then waits for
  /// settle() (Fills::on_settle) or gets a zone at its new holdings. False,
  /// and nothing changes, for a pending or closed account or when nothing is
  /// worth trading.
  bool rebalance_to_target(AccountIndex a, FleetOutput& out);

  /// With Fills::on_settle: makes the account pending as its own rebalance
  /// would, for orders decided by an earlier run (restored from the state
  /// file) that settle() will finish. The reason when unknown, closed or
  /// pending already.
  std::optional<std::string> hold(AccountIndex a);

  const AccountBook& book() const { return book_; }
  std::span<const double> prices() const { return prices_; }
  const FleetCounters& counters() const { return counters_; }
  AccountState state(AccountIndex a) const { return state_[a]; }
  /// The radius of an account's current zone, rounded down (−∞: checked on
  /// every tick of its symbols; +∞: no price move can breach it). Not
  /// meaningful for pending and closed accounts.
  float zone_radius(AccountIndex a) const { return radius_[a]; }
  /// Bytes held by the book, the prices and the zones.
  std::size_t memory_bytes() const;

 private:
  struct Checker {
    Rebalancer rebalancer;
    std::uint64_t rebalances = 0;
  };

  /// Checks `a` exactly (rebalancing it when in breach); its new radius, or
  /// nullopt when it traded and waits for settle().
  std::optional<float> check(AccountIndex a, Checker& checker, FleetOutput& out);
  /// Its radius at the current prices without trading (settle, set_account).
  float radius_now(AccountIndex a) const;
  /// resync() when `trade`; rezone() otherwise.
  void rebuild_zones(FleetOutput& out, bool trade);
  /// Every zone centred on the current prices, in the list, without trading:
  /// an account not certified safe gets −∞ (checked on the next tick of its
  /// symbols); a hold's zone (settle_held) is not kept.
  void rezone();
  /// Gives `a` its own zone of radius r around the current prices.
  void place(AccountIndex a, float r);
  /// Takes `a`'s thresholds out of the heaps when it has any.
  void detach(AccountIndex a);
  void keys(AccountIndex a, float r, bool insert);

  AccountBook book_;
  Fills fills_;
  unsigned threads_ = 1;
  std::size_t rezone_at_ = 0;
  std::vector<double> prices_;
  std::vector<double> ln_prices_;
  ResyncZones resync_zones_;
  ThresholdHeaps upper_;  ///< keys ln c + r: passed by a price above them
  ThresholdHeaps lower_;  ///< keys r − ln c: passed by a price below ln c − r
  Checker checker_;
  FleetCounters counters_;
  std::vector<float> radius_;        ///< per account
  std::vector<AccountState> state_;  ///< per account
  std::vector<AccountIndex> candidates_;
};

}  // namespace ballast::fleet
