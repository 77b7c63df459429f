#pragma once
// The daemon's two clocks: wall time (what the engine and the logs are handed
// as `now`) and a steady clock for latencies and uptime.
#include <chrono>

#include "core/time.hpp"
#include "core/wall_clock.hpp"

namespace ballast::daemon {

using SteadyClock = std::chrono::steady_clock;

inline core::TimeNs wall_now() { return core::wall_clock_now(); }

}  // namespace ballast::daemon
