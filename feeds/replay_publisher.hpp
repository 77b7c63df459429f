#pragma once
// `ballast feed replay FILE.csv`: publishes historical prices over ZeroMQ,
// stamped with the data's clock so the daemon sees the data's time.
#include <atomic>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

#include "core/time.hpp"
#include "feeds/price_table.hpp"
#include "feeds/sim_publisher.hpp"

namespace ballast::feeds {

/// Lock-step with whoever consumes the replay (`--sync`): each hook returns an
/// error text, empty to go on; an error stops the replay with exit code 1.
struct ReplaySync {
  /// Once, after the warmup and before the first row.
  std::function<std::string()> start;
  /// After each row is sent: the ticks sent so far in this run, and whether
  /// the row was the last one the replay will send.
  std::function<std::string(std::uint64_t ticks_sent, bool last_row)> after_row;
};

struct ReplayOptions {
  PublisherOptions publisher;
  std::string path;  ///< the prices CSV (SPEC §7 forms)
  /// Data seconds per wall second; when > 0 rows are paced by the data's own
  /// gaps (86400 replays daily data at one row per second).
  double speed = 0.0;
  /// Rows per wall second, used when speed is 0; 0 with speed 0 = as fast as possible.
  double rate = 1.0;
  /// Start over at the end. Each pass is shifted forward by the span of the
  /// data (plus one gap) so times keep increasing and the daemon does not drop
  /// the second pass as out of order.
  bool loop = false;
  /// Stamp ticks with the wall clock at sending instead of the row's time.
  bool wall_clock_ts = false;
  /// Rows to publish; 0 = every row (until stopped when looping).
  std::uint64_t count = 0;
  /// Wait for the consumer after every row, besides the pacing above.
  std::optional<ReplaySync> sync;
};

/// Where the n-th published row (counting across loops) comes from.
struct ReplayStep {
  std::size_t row = 0;
  core::TimeNs ts = 0;         ///< the row's time, shifted by whole loop spans
  double wall_offset_s = 0.0;  ///< when to send it, in wall seconds after the first row
};

/// The shift between two passes of a looped replay: last − first time plus the
/// last gap (one second for a single-row table).
core::DurationNs replay_loop_span(const PriceTable& table);
/// The n-th step of a replay of a non-empty `table` under `options`' pacing.
ReplayStep replay_step(const PriceTable& table, const ReplayOptions& options, std::uint64_t n);

/// Replays an already loaded table (rows without a price for a symbol send
/// nothing for it). Ends at the end of the data, after `count` rows, or on `stop`.
PublishSummary publish_replay(const PriceTable& table, const ReplayOptions& options, const std::atomic<bool>& stop);
/// Loads `options.path`, then replays it; an unreadable file is exit code 1
/// with every located error in `error`, one per line.
PublishSummary publish_replay(const ReplayOptions& options, const std::atomic<bool>& stop);
/// publish_replay plus a start line and a one-line summary on `out`, errors on
/// `err`. Returns the process exit code.
int run_replay_publisher(const ReplayOptions& options, const std::atomic<bool>& stop, std::ostream& out,
                         std::ostream& err);

}  // namespace ballast::feeds
