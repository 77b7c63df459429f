#pragma once
// One feed's accepted ticks grouped into instants (README "Instants"): the
// consecutive ticks that carry one timestamp are applied together and decided
// once, as a backtest decides a row. Pure: the daemon offers ticks, the ends
// of the reader's bursts and its timer's firings, and is called back with each
// instant that is complete.
#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/types.hpp"
#include "daemon/wall_clock.hpp"

namespace ballast::daemon {

/// Ticks that one decision takes together.
struct Instant {
  std::span<const core::Tick> ticks;  ///< valid during the callback only
  core::TimeNs ts = 0;                ///< the timestamp they share
  SteadyClock::time_point received;   ///< when the first of them arrived (tick-to-order latency)
};

class InstantBatcher {
 public:
  /// Called with every complete instant, never with an empty one. It must not
  /// call back into the batcher.
  using Decide = std::function<void(const Instant&)>;

  /// An instant holds at most this many ticks: one that grows past it (a flood
  /// of one timestamp) is decided in parts, so memory stays bounded.
  static constexpr std::size_t kMaxTicks = 65'536;

  InstantBatcher(config::Coalesce coalesce, Decide decide);

  /// An accepted tick. A pending instant with another timestamp is decided
  /// first; with coalesce "off" the tick is decided at once. True when the
  /// tick began a pending instant that has a deadline() (arm a timer for it).
  bool add(const core::Tick& tick, SteadyClock::time_point received);
  /// The reader has handled everything queued: "instant" decides what is pending.
  void drained();
  /// A timer fired at `now`: the pending instant is decided when its window has ended.
  void expire(SteadyClock::time_point now);
  /// Decides whatever is pending (before a reload, at shutdown).
  void flush();

  /// With a window: when the pending instant must be decided at the latest.
  std::optional<SteadyClock::time_point> deadline() const;
  /// Ticks held in the pending instant.
  std::size_t pending() const { return ticks_.size(); }

  const config::Coalesce& coalesce() const { return coalesce_; }
  /// A new mode (a reload): what is pending is decided first.
  void set_coalesce(config::Coalesce coalesce);

 private:
  config::Coalesce coalesce_;
  Decide decide_;
  std::vector<core::Tick> ticks_;  // reused: no allocation once it has held the largest instant
  SteadyClock::time_point received_;
};

/// "off", "instant" or the window ("50ms"), as the configuration spells it.
std::string to_string(const config::Coalesce& coalesce);

}  // namespace ballast::daemon
