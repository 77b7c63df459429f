#pragma once
// Polling with a deadline: how tests wait for something to happen elsewhere.
#include <chrono>
#include <functional>
#include <thread>

namespace ballast::testing {

/// Polls `pred` until it holds or the deadline passes.
inline bool eventually(const std::function<bool()>& pred,
                       std::chrono::milliseconds within = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

}  // namespace ballast::testing
