#include "daemon/service_notifier.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <optional>

#include "tests/support/notify_socket.hpp"
#include "tests/support/scratch_dir.hpp"

namespace test_service_notifier {

using ballast::daemon::ServiceNotifier;
using ballast::daemon::ServiceSummary;
using ballast::daemon::service_status_text;
using ballast::testing::NotifySocket;
using ballast::testing::ScratchDir;
using namespace std::chrono_literals;

namespace {

/// Sets an environment variable for the length of a test.
class EnvVar {
 public:
  EnvVar(const char* name, const std::string& value) : name_(name) { ::setenv(name, value.c_str(), 1); }
  ~EnvVar() { ::unsetenv(name_); }

 private:
  const char* name_;
};

ServiceSummary two_portfolios() {
  return {.portfolios = 2, .feeds = 2, .feeds_fresh = 1};
}

}  // namespace

TEST_CASE("the status line says trading, the portfolios and how many feeds are fresh") {
  CHECK(service_status_text(two_portfolios()) == "trading: 2 portfolios, 1 of 2 feeds fresh");
  ServiceSummary one{.portfolios = 1, .feeds = 1, .feeds_fresh = 1};
  CHECK(service_status_text(one) == "trading: 1 portfolio, 1 of 1 feed fresh");
}

TEST_CASE("the status line puts the kill switch first, then pause, then dry-run, and counts health problems") {
  ServiceSummary s = two_portfolios();
  s.dry_run = true;
  CHECK(service_status_text(s).rfind("dry-run: ", 0) == 0);
  s.paused = true;
  CHECK(service_status_text(s).rfind("paused: ", 0) == 0);
  s.killed = true;
  s.problems = 2;
  CHECK(service_status_text(s) ==
        "kill switch on: 2 portfolios, 1 of 2 feeds fresh; degraded: 2 problems (ballast status)");
}

TEST_CASE("without NOTIFY_SOCKET the notifier is off and sends nothing") {
  ::unsetenv("NOTIFY_SOCKET");
  ServiceNotifier n;
  CHECK_FALSE(n.enabled());
  n.ready(two_portfolios());
  n.on_timer(ServiceNotifier::Clock::now(), [] {
    FAIL("the summary is not computed while the notifier is off");
    return ServiceSummary{};
  });
}

TEST_CASE("the notifier sends READY with the status, RELOADING with MONOTONIC_USEC, and STOPPING") {
  ScratchDir dir;
  NotifySocket socket(dir.file("notify"));
  EnvVar notify("NOTIFY_SOCKET", socket.path());
  ServiceNotifier n;
  REQUIRE(n.enabled());
  CHECK(n.watchdog_interval() == 0us);

  n.ready(two_portfolios());
  auto m = socket.next(1s);
  REQUIRE(m);
  CHECK(NotifySocket::has_line(*m, "READY=1"));
  CHECK(NotifySocket::value(*m, "STATUS") == "trading: 2 portfolios, 1 of 2 feeds fresh");

  n.reloading();
  m = socket.next(1s);
  REQUIRE(m);
  CHECK(NotifySocket::has_line(*m, "RELOADING=1"));
  const auto usec = NotifySocket::value(*m, "MONOTONIC_USEC");
  REQUIRE(usec);
  CHECK(std::stoull(*usec) > 0);

  n.stopping();
  m = socket.next(1s);
  REQUIRE(m);
  CHECK(NotifySocket::has_line(*m, "STOPPING=1"));
}

TEST_CASE("the timer sends STATUS only when its text changes") {
  ScratchDir dir;
  NotifySocket socket(dir.file("notify"));
  EnvVar notify("NOTIFY_SOCKET", socket.path());
  ServiceNotifier n;
  n.ready(two_portfolios());
  REQUIRE(socket.next(1s));
  const auto now = ServiceNotifier::Clock::now();
  n.on_timer(now, [] { return two_portfolios(); });
  CHECK_FALSE(socket.next(0ms));  // unchanged: nothing sent
  n.on_timer(now, [] {
    ServiceSummary s = two_portfolios();
    s.killed = true;
    return s;
  });
  const auto m = socket.next(1s);
  REQUIRE(m);
  CHECK(NotifySocket::value(*m, "STATUS")->rfind("kill switch on", 0) == 0);
}

TEST_CASE("with WATCHDOG_USEC the timer pings at half the interval") {
  ScratchDir dir;
  NotifySocket socket(dir.file("notify"));
  EnvVar notify("NOTIFY_SOCKET", socket.path());
  EnvVar watchdog("WATCHDOG_USEC", "2000000");
  ServiceNotifier n;
  REQUIRE(n.watchdog_interval() == 2s);
  // Times far ahead of the READY, so that the first ping is due at once.
  const auto start = ServiceNotifier::Clock::now() + 1h;
  const auto summary = [] { return two_portfolios(); };
  n.ready(two_portfolios());
  REQUIRE(socket.next(1s));
  n.on_timer(start, summary);
  CHECK(socket.next(0ms) == "WATCHDOG=1");
  n.on_timer(start + 999ms, summary);
  CHECK_FALSE(socket.next(0ms));
  n.on_timer(start + 1s, summary);
  CHECK(socket.next(0ms) == "WATCHDOG=1");
}

TEST_CASE("a watchdog meant for another process is not pinged") {
  ScratchDir dir;
  NotifySocket socket(dir.file("notify"));
  EnvVar notify("NOTIFY_SOCKET", socket.path());
  EnvVar watchdog("WATCHDOG_USEC", "2000000");
  EnvVar pid("WATCHDOG_PID", std::to_string(::getpid() + 1));
  ServiceNotifier n;
  CHECK(n.watchdog_interval() == 0us);
}

}  // namespace test_service_notifier
