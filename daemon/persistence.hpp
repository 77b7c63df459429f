#pragma once
// The daemon's durable state: what the engine decided goes to the state file
// before an order leaves, and on start the engine is restored from it. The
// glue between engine::Engine and store::StateStore; the engine knows nothing
// of files, the store nothing of portfolios.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "engine/engine.hpp"
#include "store/state_store.hpp"

namespace ballast::daemon {

/// Something in the state file that does not fit the config, for the log.
struct StateWarning {
  /// seed_changed, unknown_portfolio, unfinished_after_removal, order_of_unknown_portfolio,
  /// order_not_restored, slice_not_restored
  std::string kind;
  std::string portfolio;
  std::string order_id;  ///< empty when the warning is not about one order
  std::string symbol;    ///< empty when the warning is not about one symbol
  std::string text;      ///< the whole sentence, one line
};

/// What a start found in the state file.
struct Restored {
  /// Orders that may not have left before the last stop: sent again, with the
  /// same order_id (gateways deduplicate by id).
  std::vector<core::Order> resend;
  std::vector<std::string> seeded;   ///< portfolios first seen now: seeded from the config
  std::vector<std::string> restored; ///< portfolios restored from the file
  /// Portfolios whose config cash or holdings differ from what they were seeded
  /// with: the file stays the truth, the difference is only reported.
  std::vector<std::string> seed_changed;
  std::vector<StateWarning> warnings;
  /// The fleet's block orders left unfinished (with their allocations): the
  /// fleet waits for them again, and they are sent again like `resend`.
  std::vector<store::OrderRow> blocks;
};

/// Logs a warning found in the state file, with what it concerns as keys.
void log_state_warning(const StateWarning& w);

/// The state file's row for an order just decided: "created" until it is
/// handed to the queue; with `booked_on_send` (no fill reports) filled in full
/// at its reference price already.
store::OrderRow new_order_row(const core::Order& order, bool booked_on_send, core::TimeNs now);

class Persistence {
 public:
  /// `<state_dir>/state.db`.
  static std::string path_for(const config::DaemonConfig& d);
  /// Opens the state file; an error message (never a fresh start) when it cannot.
  static std::optional<Persistence> open(const config::DaemonConfig& d, std::string& error);

  /// Restores positions, cash, counters and unfinished orders into `engine`;
  /// seeds the portfolios the file does not know from their config. With
  /// `book_on_send`, unfinished orders were booked when decided: they are only
  /// sent again. Throws store::StoreError when the file cannot be read.
  Restored restore(engine::Engine& engine, bool book_on_send);

  /// After a reload: portfolios new to the engine are restored from the file
  /// when it knows them (a portfolio removed and added again keeps its
  /// positions), seeded from the config otherwise. Throws store::StoreError.
  Restored adopt(engine::Engine& engine, const std::vector<std::string>& added);

  /// Writes, in one transaction, everything `out` and the engine's changed
  /// portfolios say.
  /// Call before any order of `out` is sent. Throws store::StoreError.
  void commit(engine::Engine& engine, const engine::Output& out, core::TimeNs now, bool book_on_send);
  /// An order handed to the queue: recorded by the next flush, as sent (or as
  /// filled when orders are booked on send).
  void note_sent(const core::Order& order, core::TimeNs now, bool book_on_send);
  /// Commits what changed outside a decision, then what note_sent collected,
  /// if anything (the daemon calls it on its timer). Throws store::StoreError.
  void flush(engine::Engine& engine, core::TimeNs now);
  /// Writes the id counters as they are: after a failed write, whether the
  /// file takes writes again. Throws store::StoreError.
  void write_counters(const engine::Engine& engine);

  /// Copies the WAL into the database when something was committed since the
  /// last time: off the order path, so that SQLite's own checkpoint does not
  /// land inside a commit that an order waits for. Throws store::StoreError.
  void checkpoint();

  /// Forgets a portfolio's positions and cash so that the next start seeds it
  /// from the config again (`ballastd --reset-portfolio`). False when unknown.
  bool reset_portfolio(const std::string& id);

  /// Writes a change made outside the engine (the fleet's accounts and block
  /// orders) in one transaction. Throws store::StoreError.
  void commit(const store::Change& change);
  /// The state file itself, for the fleet's account book.
  const store::StateStore& store() const { return store_; }

  const std::string& path() const { return store_.path(); }
  std::uint64_t commits() const { return commits_; }
  const std::vector<std::string>& seed_changed() const { return seed_changed_; }

  /// The canonical text of a portfolio's config cash and holdings.
  static std::string seed_of(const strategies::PortfolioSpec& spec);

 private:
  explicit Persistence(store::StateStore s) : store_(std::move(s)) {}
  void add_portfolio(const engine::Engine& engine, std::size_t index, store::Change& change) const;
  /// One portfolio from the snapshot, or seeded from its config when the file
  /// does not know it; `with_slices`: and the rest of its sliced orders.
  void restore_one(engine::Engine& engine, std::size_t index, const store::Snapshot& snap, Restored& r,
                   store::Change& change, bool with_slices);

  store::StateStore store_;
  std::vector<store::OrderUpdate> pending_sent_;
  std::vector<std::size_t> changed_;  // scratch
  std::vector<std::string> seed_changed_;
  std::map<std::string, std::string> seeds_;  ///< as the file has them, for portfolios whose config changed
  std::uint64_t commits_ = 0;
  std::uint64_t checkpointed_at_ = 0;  ///< commits_ at the last checkpoint
};

}  // namespace ballast::daemon
