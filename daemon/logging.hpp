#pragma once
// Log setup (text or JSON lines) and rate-limited warnings for bad input.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "config/config.hpp"

namespace spdlog {
class logger;
}

namespace ballast::daemon {

/// Builds the daemon's logger: stdout (or `log_file`), UTC times, text by
/// default or one JSON object per line with `log_format = "json"`. When
/// stdout is the journal (JOURNAL_STREAM names it), each line starts with its
/// syslog priority, `<N>`, and a text line has no time of its own.
/// Returns an error text when the log file cannot be opened.
std::string setup_logging(const config::DaemonConfig& cfg);
/// Makes `logger` the default, writing `format` (and, with `journal`, the
/// syslog priority prefix); setup_logging's last step, and the tests' way in.
void install_logger(std::shared_ptr<spdlog::logger> logger, config::LogFormat format, bool journal);
/// Applies a new level at reload; false when the name is unknown.
bool set_log_level(std::string_view level);

/// Lets the first warning of a kind through, then at most one per interval,
/// saying how many were held back. Time is passed in, as everywhere.
class RateLimiter {
 public:
  explicit RateLimiter(std::int64_t interval_ns = 10'000'000'000) : interval_ns_(interval_ns) {}
  /// True when a warning for `key` may be logged now; `suppressed` is how many
  /// were held back since the last one that was.
  bool allow(std::string_view key, std::int64_t now_ns, std::uint64_t& suppressed);

 private:
  struct Slot {
    std::int64_t last_ns = 0;
    std::uint64_t held = 0;
    bool seen = false;
  };
  std::int64_t interval_ns_;
  std::unordered_map<std::string, Slot> slots_;
};

}  // namespace ballast::daemon
