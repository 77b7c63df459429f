#pragma once
// `ballast feed replay --sync URL`: the replay in lock-step with a daemon, so
// that every row is decided, and its fills booked, before the next one
// arrives, however loaded the machine. After each row it polls the daemon's
// GET /status until the daemon has received every tick sent so far and has no
// order open (after the last row, also until no instant is pending).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ballast::cli {

/// What the lock-step reads from /status.
struct DaemonProgress {
  std::uint64_t received = 0;       ///< Σ feeds[].received: messages taken off the feed sockets
  std::uint64_t pending_ticks = 0;  ///< Σ feeds[].pending_ticks: in instants not decided yet
  std::uint64_t open_orders = 0;    ///< execution.open_orders: sent, not finished by a fill report
};

/// Reads the progress from a /status body; nullopt with `error` set when it is
/// not JSON or a field is missing or not a count.
std::optional<DaemonProgress> read_daemon_progress(std::string_view status_json, std::string& error);

class DaemonSync {
 public:
  /// `url` is the daemon's status address ("http://127.0.0.1:8787"); `timeout`
  /// bounds each wait. The waits end early, without an error, on `stop`.
  DaemonSync(std::string url, std::chrono::milliseconds timeout, const std::atomic<bool>& stop);

  /// Before the first row: what the daemon has received already. An error text, empty when read.
  std::string start();
  /// After a row: waits until the daemon is done with it. An error text, empty when done.
  std::string after_row(std::uint64_t ticks_sent, bool last_row);

 private:
  /// The daemon's progress, or the reason it could not be read.
  std::optional<DaemonProgress> poll(std::string& error) const;

  std::string url_;
  std::chrono::milliseconds timeout_;
  const std::atomic<bool>& stop_;
  std::uint64_t baseline_ = 0;
  std::uint64_t rows_ = 0;
};

}  // namespace ballast::cli
