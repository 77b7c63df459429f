// What the replay's lock-step reads from the daemon's /status, and how it fails.
#include "cli/replay_sync.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <string>

namespace test_replay_sync {

using ballast::cli::DaemonSync;
using ballast::cli::read_daemon_progress;

TEST_CASE("the daemon's progress sums its feeds and reads its open orders") {
  std::string error;
  const auto p = read_daemon_progress(
      R"({"feeds":[{"name":"a","received":10,"pending_ticks":2},{"name":"b","received":5,"pending_ticks":0}],)"
      R"("execution":{"open_orders":3,"orders_queued":0}})",
      error);
  REQUIRE(p);
  CHECK(p->received == 15);
  CHECK(p->pending_ticks == 2);
  CHECK(p->open_orders == 3);
}

TEST_CASE("a status the lock-step cannot read is an error with a reason") {
  const struct {
    const char* body;
    const char* reason;
  } cases[] = {
      {"", "not a JSON object"},
      {"[1,2]", "not a JSON object"},
      {"{\"feeds\":", "not a JSON object"},
      {R"({"execution":{"open_orders":0}})", "no \"feeds\" array"},
      {R"({"feeds":{},"execution":{"open_orders":0}})", "no \"feeds\" array"},
      {R"({"feeds":[{"received":1}],"execution":{"open_orders":0}})", "lacks a \"received\" or \"pending_ticks\""},
      {R"({"feeds":[{"received":-1,"pending_ticks":0}],"execution":{"open_orders":0}})", "lacks a \"received\""},
      {R"({"feeds":[{"received":"1","pending_ticks":0}],"execution":{"open_orders":0}})", "lacks a \"received\""},
      {R"({"feeds":[{"received":1.5,"pending_ticks":0}],"execution":{"open_orders":0}})", "lacks a \"received\""},
      {R"({"feeds":[]})", "execution.open_orders"},
      {R"({"feeds":[],"execution":{"open_orders":null}})", "execution.open_orders"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.body);
    std::string error;
    CHECK_FALSE(read_daemon_progress(c.body, error).has_value());
    CHECK(error.find(c.reason) != std::string::npos);
  }
}

TEST_CASE("with no daemon at the URL the lock-step gives up after its timeout, saying where it looked") {
  std::atomic<bool> stop{false};
  // A port nothing listens on (the discard port, closed on loopback).
  DaemonSync sync("http://127.0.0.1:9/", std::chrono::milliseconds(100), stop);
  const std::string error = sync.start();
  CHECK(error.find("cannot read http://127.0.0.1:9/status") != std::string::npos);
  CHECK(sync.after_row(1, false).find("cannot read http://127.0.0.1:9/status") != std::string::npos);
  stop = true;  // a stop ends the wait without an error
  CHECK(sync.after_row(2, true).empty());
}

}  // namespace test_replay_sync
