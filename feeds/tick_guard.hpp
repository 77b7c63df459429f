#pragma once
// Per-symbol tick hygiene across all feeds: ordering, jumps, staleness (SPEC §2).
#include <cstddef>
#include <optional>
#include <vector>

#include "core/time.hpp"
#include "core/types.hpp"

namespace ballast::feeds {

/// Decides, per symbol, whether a decoded tick may move the price. Symbols are
/// the engine's dense ids; a tick for an id beyond size() is unknown_symbol.
class TickGuard {
 public:
  /// The checks of the feed that delivered a tick.
  struct Limits {
    /// Largest accepted |price / last − 1|; unset = no jump check.
    std::optional<double> max_jump;
    /// Consecutive jump-rejected ticks agreeing on a new level (within max_jump of
    /// the first of them) that confirm it; the last of them is accepted. Values
    /// below 1 count as 1.
    int jump_confirm = 3;
    /// A symbol last delivered by this feed is stale after this long without an
    /// accepted tick.
    core::DurationNs stale_after = 30 * core::kNanosPerSecond;
    /// A tick stamped more than this ahead of its receipt is bad_time; unset = no check.
    /// Without it, one tick from the future would make every later real tick out_of_order.
    std::optional<core::DurationNs> max_future = 5 * core::kNanosPerSecond;
  };

  struct Verdict {
    /// Empty when accepted; otherwise bad_time, out_of_order, jump, bad_price or unknown_symbol.
    std::optional<core::RejectReason> reject;
    /// Accepted as the confirmation of a new level after a run of jump rejections.
    bool confirmed_jump = false;

    bool accepted() const { return !reject.has_value(); }
  };

  explicit TickGuard(std::size_t symbol_count);

  /// `ts` is the data's time (ordering), `now` the time of receipt (staleness
  /// and the future limit). Equal timestamps are in order. An accepted tick
  /// becomes the reference; a rejected one moves no price and no ordering mark.
  Verdict check(core::SymbolId symbol, double price, core::TimeNs ts, core::TimeNs now, const Limits& limits);

  /// Never-ticked and unknown symbols are stale.
  bool is_stale(core::SymbolId symbol, core::TimeNs now) const;
  /// Receipt time of the last accepted tick; empty when there was none.
  std::optional<core::TimeNs> last_accepted_at(core::SymbolId symbol) const;
  /// The last accepted price; empty when there was none.
  std::optional<double> last_price(core::SymbolId symbol) const;

  /// Grows (or shrinks) the table; existing symbols keep their state.
  void resize(std::size_t symbol_count);
  std::size_t size() const { return symbols_.size(); }

 private:
  struct SymbolState {
    bool has_last = false;
    double last_price = 0;
    core::TimeNs last_ts = 0;           ///< data time of the last accepted tick
    core::TimeNs last_received = 0;     ///< receipt time of the last accepted tick
    core::DurationNs stale_after = 0;   ///< of the feed that delivered it
    double candidate = 0;               ///< the level a run of jump ticks agrees on
    int candidate_count = 0;            ///< 0: no candidate
  };

  void accept(SymbolState& s, double price, core::TimeNs ts, core::TimeNs now, const Limits& limits);

  std::vector<SymbolState> symbols_;
};

}  // namespace ballast::feeds
