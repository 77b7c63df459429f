// ballastd under systemd's protocols, with the real binary: a datagram socket
// stands in for NOTIFY_SOCKET, and JOURNAL_STREAM names the daemon's stdout.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "tests/integration/support.hpp"
#include "tests/support/notify_socket.hpp"

namespace test_systemd {

using namespace ballast::testing;

namespace {

/// Starts the harness's ballastd with extra environment variables (through
/// env(1), so that this process's own environment stays as it is).
void start_with_env(DaemonHarness& d, const std::vector<std::string>& env) {
  std::vector<std::string> args = env;
  args.insert(args.end(), {BALLASTD_PATH, "--config", d.config_path});
  d.process = std::make_unique<Process>("/usr/bin/env", args, d.dir.file("ballastd.log"));
}

std::optional<std::string> status_line(const std::string& message) {
  return NotifySocket::value(message, "STATUS");
}

bool status_starts(const std::string& message, const std::string& prefix) {
  const auto s = status_line(message);
  return s && s->rfind(prefix, 0) == 0;
}

}  // namespace

TEST_CASE("under NOTIFY_SOCKET ballastd says READY once its status socket answers, with a status line") {
  DaemonHarness d(kSixtyForty);
  NotifySocket notify(d.dir.file("notify"));
  start_with_env(d, {"NOTIFY_SOCKET=" + notify.path()});
  const auto seen = notify.until_line("READY=1", 15s);
  REQUIRE_MESSAGE(!seen.empty(), d.log());
  // No retry: READY=1 comes after the status socket listens.
  CHECK(d.get("/status").status == 200);
  CHECK(status_starts(seen.back(), "trading: 1 portfolio, 0 of 1 feed fresh; degraded"));

  // Ticks make the feed fresh and the daemon healthy: the status line follows.
  d.prime("AGG", 100);
  d.prime("SPY", 400);
  CHECK_FALSE(notify.until_line("STATUS=trading: 1 portfolio, 1 of 1 feed fresh", 10s).empty());

  REQUIRE(d.post("/control/kill").status == 200);
  CHECK_FALSE(notify.until([](const std::string& m) { return status_starts(m, "kill switch on"); }, 10s).empty());
}

TEST_CASE("a SIGHUP reload is RELOADING with MONOTONIC_USEC, then READY; SIGTERM is STOPPING and exit 0") {
  DaemonHarness d(kSixtyForty);
  NotifySocket notify(d.dir.file("notify"));
  start_with_env(d, {"NOTIFY_SOCKET=" + notify.path()});
  REQUIRE_MESSAGE(!notify.until_line("READY=1", 15s).empty(), d.log());

  d.process->signal(SIGHUP);
  const auto reload = notify.until_line("RELOADING=1", 10s);
  REQUIRE(!reload.empty());
  const auto usec = NotifySocket::value(reload.back(), "MONOTONIC_USEC");
  REQUIRE(usec);
  CHECK(std::stoull(*usec) > 0);
  const auto ready = notify.until_line("READY=1", 10s);
  REQUIRE(!ready.empty());
  CHECK(num(d.status()["reloads"]["applied"]) == 1);

  d.process->signal(SIGTERM);
  CHECK_FALSE(notify.until_line("STOPPING=1", 10s).empty());
  CHECK(d.process->wait_exit(10s) == 0);
}

TEST_CASE("with WATCHDOG_USEC the event loop pings the watchdog, again and again") {
  DaemonHarness d(kSixtyForty);
  NotifySocket notify(d.dir.file("notify"));
  start_with_env(d, {"NOTIFY_SOCKET=" + notify.path(), "WATCHDOG_USEC=1000000"});
  REQUIRE_MESSAGE(!notify.until_line("READY=1", 15s).empty(), d.log());
  for (int i = 0; i < 3; ++i) CHECK_FALSE(notify.until_line("WATCHDOG=1", 10s).empty());
}

TEST_CASE("with stdout on the journal each log line starts with its syslog priority, in text and in json") {
  for (const std::string format : {"text", "json"}) {
    CAPTURE(format);
    DaemonHarness d(kSixtyForty);
    d.add_daemon_keys("log_format = \"" + format + "\"");
    // The log file exists before the daemon starts, so its device and inode
    // can stand for the journal's stream.
    d.dir.write("ballastd.log", "");
    struct stat st {};
    REQUIRE(::stat(d.dir.file("ballastd.log").c_str(), &st) == 0);
    start_with_env(d, {"JOURNAL_STREAM=" + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino)});
    REQUIRE(eventually([&] { return d.get("/status").status == 200; }, 15s));
    // A warning, dropped; sent again until the daemon has counted one, as
    // ZeroMQ drops what is published before the subscription arrives.
    REQUIRE(eventually([&] {
      d.publish("SPY", "not a tick");
      return num(d.status()["feeds"].at(0)["received"]) >= 1;
    }));
    d.process->signal(SIGTERM);
    REQUIRE(d.process->wait_exit(10s) == 0);

    const std::map<std::string, char> priority{{"trace", '7'}, {"debug", '7'}, {"info", '6'},
                                               {"warning", '4'}, {"warn", '4'}, {"error", '3'}, {"critical", '2'}};
    const std::regex text_line(R"(<([0-7])>(\w+) +.*)");
    const std::regex json_line(R"re(<([0-7])>\{"ts":"[^"]+","level":"(\w+)",.*\})re");
    int lines = 0;
    std::set<char> priorities;
    std::istringstream in(d.log());
    for (std::string line; std::getline(in, line);) {
      std::smatch m;
      REQUIRE_MESSAGE(std::regex_match(line, m, format == "json" ? json_line : text_line), line);
      REQUIRE(priority.count(m[2].str()));
      CHECK(m[1].str()[0] == priority.at(m[2].str()));
      priorities.insert(m[1].str()[0]);
      ++lines;
    }
    CHECK(lines >= 3);
    CHECK(priorities.count('6'));
    CHECK(priorities.count('4'));
  }
}

TEST_CASE("a JOURNAL_STREAM that is not stdout leaves the log lines as they are") {
  DaemonHarness d(kSixtyForty);
  d.dir.write("elsewhere", "");
  struct stat st {};
  REQUIRE(::stat(d.dir.file("elsewhere").c_str(), &st) == 0);
  start_with_env(d, {"JOURNAL_STREAM=" + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino)});
  REQUIRE(eventually([&] { return d.get("/status").status == 200; }, 15s));
  d.process->signal(SIGTERM);
  REQUIRE(d.process->wait_exit(10s) == 0);
  std::istringstream in(d.log());
  int lines = 0;
  for (std::string line; std::getline(in, line); ++lines) {
    CHECK_MESSAGE(std::regex_match(line, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \w+ +.*)")), line);
  }
  CHECK(lines >= 2);
}

TEST_CASE("ballastd runs as an unprivileged user, as the unit's User=ballast does") {
  DaemonHarness d(kSixtyForty);
  if (::geteuid() == 0) {
    // As root here: drop to nobody, who must be able to write the state.
    std::filesystem::permissions(d.dir.path(), std::filesystem::perms::all, std::filesystem::perm_options::add);
    d.process = std::make_unique<Process>(
        "/usr/bin/setpriv", std::vector<std::string>{"--reuid=65534", "--regid=65534", "--clear-groups", BALLASTD_PATH,
                                                     "--config", d.config_path},
        d.dir.file("ballastd.log"));
  } else {
    d.process = std::make_unique<Process>(BALLASTD_PATH, std::vector<std::string>{"--config", d.config_path},
                                          d.dir.file("ballastd.log"));
  }
  REQUIRE_MESSAGE(eventually([&] { return d.get("/status").status == 200; }, 15s), d.log());
  d.prime("AGG", 100);
  d.prime("SPY", 400);
  CHECK(d.process->running());
  d.process->signal(SIGTERM);
  CHECK(d.process->wait_exit(10s) == 0);
}

}  // namespace test_systemd
