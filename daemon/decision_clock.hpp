#pragma once
// What the engine is handed as `now` (README "Clocks"): the wall clock, or the
// data's own: the time of the last instant decided, which never goes back, so
// that a replay is decided on the data's calendar as a backtest is. Tick
// hygiene, staleness, logs and the state file stay on the wall clock.
#include "config/config.hpp"
#include "core/time.hpp"

namespace ballast::daemon {

class DecisionClock {
 public:
  explicit DecisionClock(config::EngineClock kind) : kind_(kind) {}

  bool data() const { return kind_ == config::EngineClock::data; }
  /// The wall clock always runs; the data clock from its first instant on.
  bool started() const { return !data() || started_; }

  /// An instant stamped `ts` is being decided at wall time `wall`: the time
  /// to hand the engine. The data clock moves to `ts` unless that is earlier
  /// than where it stands.
  core::TimeNs decide_at(core::TimeNs ts, core::TimeNs wall) {
    if (!data()) return wall;
    if (!started_ || ts > data_now_) data_now_ = ts;
    started_ = true;
    return data_now_;
  }
  /// The engine's time at wall time `wall`; with the data clock before its
  /// first instant, `wall` (nothing is priced yet, so nothing is decided by it).
  core::TimeNs now(core::TimeNs wall) const { return data() && started_ ? data_now_ : wall; }

 private:
  config::EngineClock kind_;
  bool started_ = false;
  core::TimeNs data_now_ = 0;
};

}  // namespace ballast::daemon
