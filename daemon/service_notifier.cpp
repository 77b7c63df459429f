#include "daemon/service_notifier.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "daemon/log_event.hpp"

namespace ballast::daemon {
namespace {

std::string count(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace

std::string service_status_text(const ServiceSummary& s) {
  std::string text = s.killed ? "kill switch on" : s.paused ? "paused" : s.dry_run ? "dry-run" : "trading";
  text += ": " + count(s.portfolios, "portfolio", "portfolios") + ", " + std::to_string(s.feeds_fresh) + " of " +
          count(s.feeds, "feed", "feeds") + " fresh";
  if (s.problems) text += "; degraded: " + count(s.problems, "problem", "problems") + " (ballast status)";
  return text;
}

ServiceNotifier::ServiceNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  enabled_ = socket && *socket;
  if (!enabled_) return;
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0) watchdog_ = std::chrono::microseconds(usec);
}

void ServiceNotifier::ready(const ServiceSummary& s) {
  if (!enabled_) return;
  last_status_ = service_status_text(s);
  send("READY=1\nSTATUS=" + last_status_);
  last_ping_ = Clock::now();
}

void ServiceNotifier::reloading() {
  if (!enabled_) return;
  // systemd from 253 on wants the reload's start on CLOCK_MONOTONIC, so that it
  // can tell this reload's READY=1 from an earlier one; 252 ignores it.
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  const auto usec = static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000u + static_cast<std::uint64_t>(ts.tv_nsec) / 1000u;
  send("RELOADING=1\nSTATUS=reloading the configuration\nMONOTONIC_USEC=" + std::to_string(usec));
}

void ServiceNotifier::stopping() {
  if (!enabled_) return;
  send("STOPPING=1\nSTATUS=stopping");
}

void ServiceNotifier::timer(Clock::time_point now, const ServiceSummary& s) {
  if (watchdog_.count() > 0 && now - last_ping_ >= watchdog_ / 2) {
    send("WATCHDOG=1");
    last_ping_ = now;
  }
  std::string text = service_status_text(s);
  if (text != last_status_) {
    last_status_ = std::move(text);
    send("STATUS=" + last_status_);
  }
}

void ServiceNotifier::send(const std::string& message) {
  const int rc = sd_notify(0, message.c_str());
  if (rc < 0 && !failed_) {
    failed_ = true;
    using namespace fmt::literals;
    log_event(spdlog::level::warn, "notify_failed",
              "cannot notify systemd through NOTIFY_SOCKET: {error}; further failures are not logged",
              "error"_a = std::strerror(-rc));
  }
}

}  // namespace ballast::daemon
