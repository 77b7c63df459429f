#include "daemon/latency_recorder.hpp"

#include <algorithm>
#include <cmath>

namespace ballast::daemon {

void LatencyRecorder::record(std::int64_t ns) {
  ns = std::max<std::int64_t>(ns, 0);
  std::size_t bucket;
  if (ns < 1'000'000) bucket = static_cast<std::size_t>(ns / 100);
  else bucket = std::min<std::size_t>(kFine + static_cast<std::size_t>((ns - 1'000'000) / 10'000), buckets_.size() - 1);
  ++buckets_[bucket];
  ++count_;
  max_ = std::max(max_, ns);
}

std::int64_t LatencyRecorder::quantile(double q) const {
  if (count_ == 0) return 0;
  const auto rank = static_cast<std::uint64_t>(std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(count_)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= std::max<std::uint64_t>(rank, 1)) {
      const std::int64_t upper = i < kFine ? static_cast<std::int64_t>(i + 1) * 100
                                           : 1'000'000 + static_cast<std::int64_t>(i - kFine + 1) * 10'000;
      return std::min(upper, max_);
    }
  }
  return max_;
}

}  // namespace ballast::daemon
