#pragma once
// The daemon's two clocks: wall time (what the engine and the logs are handed
// as `now`) and a steady clock for latencies and uptime.
#include <chrono>

#include "core/time.hpp"

namespace ballast::daemon {

using SteadyClock = std::chrono::steady_clock;

inline core::TimeNs wall_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace ballast::daemon
