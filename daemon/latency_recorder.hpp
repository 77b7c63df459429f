#pragma once
// Tick-to-order latency with sub-microsecond resolution for percentiles in
// /status and the benchmarks (the Prometheus histogram has coarse buckets).
#include <array>
#include <cstdint>

namespace ballast::daemon {

class LatencyRecorder {
 public:
  /// Records one sample in nanoseconds; O(1), no allocation.
  void record(std::int64_t ns);
  std::uint64_t count() const { return count_; }
  /// The q-quantile (0..1) in nanoseconds, to the bucket's upper edge; 0 when empty.
  std::int64_t quantile(double q) const;
  std::int64_t max() const { return max_; }

 private:
  // 100 ns buckets up to 1 ms, then 10 µs buckets up to 100 ms; beyond is the last bucket.
  static constexpr int kFine = 10'000;
  static constexpr int kCoarse = 9'900;
  std::array<std::uint32_t, kFine + kCoarse + 1> buckets_{};
  std::uint64_t count_ = 0;
  std::int64_t max_ = 0;
};

}  // namespace ballast::daemon
