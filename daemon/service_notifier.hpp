#pragma once
// The daemon's side of systemd's Type=notify protocol (sd_notify): READY=1,
// RELOADING=1, STOPPING=1, STATUS= lines and watchdog pings. Every call is a
// no-op when the daemon was not started with NOTIFY_SOCKET.
#include <chrono>
#include <cstddef>
#include <string>

namespace ballast::daemon {

/// What the STATUS= line says about the daemon.
struct ServiceSummary {
  std::size_t portfolios = 0;
  std::size_t feeds = 0;
  std::size_t feeds_fresh = 0;  ///< feeds with an accepted tick within their stale_after
  bool killed = false;
  bool paused = false;
  bool dry_run = false;
  std::size_t problems = 0;  ///< health problems, as /healthz counts them (the kill switch is one)
};

/// The STATUS= text: "trading: 2 portfolios, 1 of 2 feeds fresh", with
/// "kill switch on", "paused" or "dry-run" in place of "trading" and the
/// number of health problems after it.
std::string service_status_text(const ServiceSummary& s);

class ServiceNotifier {
 public:
  using Clock = std::chrono::steady_clock;

  /// Reads NOTIFY_SOCKET, and the watchdog interval systemd set for this
  /// process (WATCHDOG_USEC, WATCHDOG_PID), from the environment.
  ServiceNotifier();

  bool enabled() const { return enabled_; }
  /// Zero when systemd asked for no watchdog.
  std::chrono::microseconds watchdog_interval() const { return watchdog_; }

  /// READY=1 with the status line: the end of setup and of each reload.
  void ready(const ServiceSummary& s);
  /// RELOADING=1 with MONOTONIC_USEC, as a reload begins.
  void reloading();
  /// STOPPING=1, as a shutdown begins.
  void stopping();
  /// From the event loop's timer: WATCHDOG=1 once half the interval has
  /// passed since the last ping, and STATUS= when its text changed.
  /// `summary` is called only when enabled.
  template <class SummaryFn>
  void on_timer(Clock::time_point now, SummaryFn&& summary) {
    if (enabled_) timer(now, summary());
  }

 private:
  void timer(Clock::time_point now, const ServiceSummary& s);
  void send(const std::string& message);

  bool enabled_ = false;
  bool failed_ = false;  ///< a send failed: logged once
  std::chrono::microseconds watchdog_{0};
  Clock::time_point last_ping_{};
  std::string last_status_;
};

}  // namespace ballast::daemon
