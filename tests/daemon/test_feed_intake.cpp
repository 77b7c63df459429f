// The feed intake on its own: messages as ZeroMQ frames, no sockets.
#include "daemon/feed_intake.hpp"

#include <doctest/doctest.h>

#include <vector>

namespace test_feed_intake {

using namespace ballast;
using daemon::FeedIntake;

namespace {

const core::TimeNs kNow = *core::parse_iso8601("2026-12-05T12:00:00Z");

strategies::PortfolioSpec sixty_forty() {
  strategies::PortfolioSpec p;
  p.id = "main";
  p.cash = 1000;
  p.assets = {{"SPY", 0.6, 100, 1}, {"AGG", 0.4, 300, 1}};
  return p;
}

config::FeedConfig feed_config() {
  config::FeedConfig f;
  f.name = "primary";
  f.endpoint = "tcp://127.0.0.1:5556";
  return f;
}

bool offer(FeedIntake& intake, daemon::Feed& feed, std::vector<std::string> parts, core::Tick& tick) {
  std::vector<zmq::message_t> frames;
  for (const auto& p : parts) frames.emplace_back(p.data(), p.size());
  return intake.accept(feed, frames, frames.size(), kNow, tick);
}

}  // namespace

TEST_CASE("the feed intake passes good ticks on in the engine's symbols and counts every drop by reason") {
  engine::Engine engine({sixty_forty()}, {}, kNow);
  daemon::RateLimiter limiter;
  FeedIntake intake(engine, limiter);
  daemon::Feed& feed = intake.add(feed_config());
  core::Tick tick;
  REQUIRE(offer(intake, feed, {"SPY", R"({"price": 400, "bid": 399.9, "ask": 400.1})"}, tick));
  CHECK(tick.symbol == engine.find_symbol("SPY"));
  CHECK(tick.price == 400);
  CHECK(tick.bid == 399.9);
  CHECK(tick.ts == kNow);
  CHECK_FALSE(offer(intake, feed, {"SPY"}, tick));                                         // one frame
  CHECK_FALSE(offer(intake, feed, {"QQQ", R"({"price": 1})"}, tick));                      // nobody holds it
  CHECK_FALSE(offer(intake, feed, {"SPY", R"({"price": 1000})"}, tick));                   // beyond max_jump 0.5
  CHECK_FALSE(offer(intake, feed, {"SPY", R"({"price": 400, "ts": 4000000000})"}, tick));  // from 2096
  CHECK(feed.received == 5);
  CHECK(feed.accepted == 1);
  CHECK(feed.rejected[static_cast<int>(core::RejectReason::malformed)] == 1);
  CHECK(feed.rejected[static_cast<int>(core::RejectReason::unknown_symbol)] == 1);
  CHECK(feed.rejected[static_cast<int>(core::RejectReason::jump)] == 1);
  CHECK(feed.rejected[static_cast<int>(core::RejectReason::bad_time)] == 1);
  CHECK(feed.last_accepted_at == kNow);
}

TEST_CASE("staleness and health follow the last accepted tick of each symbol") {
  engine::Engine engine({sixty_forty()}, {}, kNow);
  daemon::RateLimiter limiter;
  FeedIntake intake(engine, limiter);
  daemon::Feed& feed = intake.add(feed_config());
  std::vector<std::string> problems;
  intake.refresh_staleness(kNow);
  intake.health_problems(kNow, problems);
  CHECK(problems == std::vector<std::string>{"feed primary: no tick yet", "stale: SPY, AGG"});
  core::Tick tick;
  REQUIRE(offer(intake, feed, {"SPY", R"({"price": 400})"}, tick));
  REQUIRE(offer(intake, feed, {"AGG", R"({"price": 100})"}, tick));
  intake.refresh_staleness(kNow);
  CHECK_FALSE(engine.stale(engine.find_symbol("SPY")));
  problems.clear();
  intake.health_problems(kNow, problems);
  CHECK(problems.empty());
  intake.refresh_staleness(kNow + 31 * core::kNanosPerSecond);
  CHECK(engine.stale(engine.find_symbol("AGG")));
}

TEST_CASE("a reload changes a feed's checks in place and names the changes that need a restart") {
  engine::Engine engine({sixty_forty()}, {}, kNow);
  daemon::RateLimiter limiter;
  FeedIntake intake(engine, limiter);
  intake.add(feed_config());
  auto next = feed_config();
  next.max_jump = 0.1;
  next.stale_after = 5 * core::kNanosPerSecond;
  std::vector<std::string> restart;
  intake.reconfigure({next}, restart);
  CHECK(restart.empty());
  CHECK(intake.feeds()[0]->limits.max_jump == 0.1);
  CHECK(intake.feeds()[0]->cfg.stale_after == 5 * core::kNanosPerSecond);
  next.endpoint = "tcp://127.0.0.1:6000";
  intake.reconfigure({next}, restart);
  CHECK(restart == std::vector<std::string>{"[[feeds]] primary"});
  intake.reconfigure({next, next}, restart);
  CHECK(restart.back() == "[[feeds]]");
}

TEST_CASE("a reload changes a feed's coalescing in place, deciding what was pending first") {
  engine::Engine engine({sixty_forty()}, {}, kNow);
  daemon::RateLimiter limiter;
  FeedIntake intake(engine, limiter);
  daemon::Feed& feed = intake.add(feed_config());
  std::size_t decided = 0;
  feed.batcher = std::make_unique<daemon::InstantBatcher>(feed.cfg.coalesce,
                                                          [&](const daemon::Instant& i) { decided += i.ticks.size(); });
  core::Tick tick;
  REQUIRE(offer(intake, feed, {"SPY", R"({"price": 400})"}, tick));
  feed.batcher->add(tick, {});
  CHECK(feed.batcher->pending() == 1);
  auto next = feed_config();
  next.coalesce = {config::Coalesce::Kind::window, 20'000'000};
  std::vector<std::string> restart;
  intake.reconfigure({next}, restart);
  CHECK(restart.empty());
  CHECK(decided == 1);
  CHECK(feed.batcher->coalesce() == next.coalesce);
  std::string status;
  core::JsonWriter w(status);
  intake.write_status(w, kNow);
  CHECK(status.find(R"("coalesce":"20ms","pending_ticks":0)") != std::string::npos);
  feed.batcher->add(tick, {});
  intake.flush_instants();
  CHECK(decided == 2);
}

}  // namespace test_feed_intake
