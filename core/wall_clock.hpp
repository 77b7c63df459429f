#pragma once
// The wall clock, read by the I/O shells only (the daemon, the feed
// publishers, the gateways): the engine is handed `now` and never reads it.
#include <chrono>

#include "core/time.hpp"

namespace ballast::core {

/// Nanoseconds since the Unix epoch, now.
inline TimeNs wall_clock_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace ballast::core
