// Instants on their own: which ticks are decided together, and when.
#include "daemon/instant_batcher.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace test_instant_batcher {

using namespace ballast;
using daemon::Instant;
using daemon::InstantBatcher;
using Kind = config::Coalesce::Kind;
using namespace std::chrono_literals;

namespace {

const daemon::SteadyClock::time_point kT0{};

core::Tick tick(core::SymbolId symbol, core::TimeNs ts) { return {symbol, 100.0 + symbol, ts}; }

/// Every instant decided: its ticks' symbols, its timestamp and its receipt.
struct Decided {
  struct One {
    std::vector<core::SymbolId> symbols;
    core::TimeNs ts;
    daemon::SteadyClock::time_point received;
  };
  std::vector<One> all;
  InstantBatcher::Decide decide() {
    return [this](const Instant& i) {
      One one{{}, i.ts, i.received};
      for (const auto& t : i.ticks) one.symbols.push_back(t.symbol);
      all.push_back(std::move(one));
    };
  }
};

}  // namespace

TEST_CASE("coalesce off decides every tick alone, at once") {
  Decided d;
  InstantBatcher b({Kind::off, 0}, d.decide());
  CHECK_FALSE(b.add(tick(0, 10), kT0));
  CHECK_FALSE(b.add(tick(1, 10), kT0 + 1ms));
  REQUIRE(d.all.size() == 2);
  CHECK(d.all[0].symbols == std::vector<core::SymbolId>{0});
  CHECK(d.all[1].symbols == std::vector<core::SymbolId>{1});
  CHECK(d.all[1].received == kT0 + 1ms);
  CHECK(b.pending() == 0);
  CHECK_FALSE(b.deadline());
}

TEST_CASE("an instant is the consecutive ticks of one timestamp, decided when another timestamp arrives") {
  Decided d;
  InstantBatcher b({Kind::instant, 0}, d.decide());
  b.add(tick(0, 10), kT0);
  b.add(tick(1, 10), kT0 + 1ms);
  b.add(tick(2, 10), kT0 + 2ms);
  CHECK(d.all.empty());
  CHECK(b.pending() == 3);
  b.add(tick(0, 11), kT0 + 3ms);
  REQUIRE(d.all.size() == 1);
  CHECK(d.all[0].symbols == std::vector<core::SymbolId>{0, 1, 2});
  CHECK(d.all[0].ts == 10);
  CHECK(d.all[0].received == kT0);  // the first tick's receipt
  CHECK(b.pending() == 1);
  // A timestamp earlier than the pending one is another instant too.
  b.add(tick(1, 9), kT0 + 4ms);
  REQUIRE(d.all.size() == 2);
  CHECK(d.all[1].ts == 11);
}

TEST_CASE("with coalesce instant the end of a burst decides what is pending") {
  Decided d;
  InstantBatcher b({Kind::instant, 0}, d.decide());
  CHECK_FALSE(b.add(tick(0, 10), kT0));  // no deadline: nothing to arm
  b.add(tick(1, 10), kT0);
  b.drained();
  REQUIRE(d.all.size() == 1);
  CHECK(d.all[0].symbols == std::vector<core::SymbolId>{0, 1});
  b.drained();  // nothing pending: nothing decided
  CHECK(d.all.size() == 1);
  // A single-asset feed with distinct timestamps: each tick decided by the end of its burst.
  b.add(tick(0, 11), kT0);
  b.drained();
  b.add(tick(0, 12), kT0);
  b.drained();
  CHECK(d.all.size() == 3);
  // The timer plays no part without a window.
  b.add(tick(0, 13), kT0);
  b.expire(kT0 + 1h);
  CHECK(d.all.size() == 3);
}

TEST_CASE("with a window the instant waits out bursts for its other ticks, up to the window from its first") {
  Decided d;
  InstantBatcher b({Kind::window, 50'000'000}, d.decide());
  CHECK(b.add(tick(0, 10), kT0));  // began: arm the timer
  REQUIRE(b.deadline());
  CHECK(*b.deadline() == kT0 + 50ms);
  b.drained();  // a row split across wake-ups is not cut at the burst's end
  CHECK_FALSE(b.add(tick(1, 10), kT0 + 20ms));
  CHECK(*b.deadline() == kT0 + 50ms);
  b.expire(kT0 + 49ms);  // early: still waiting
  CHECK(d.all.empty());
  b.expire(kT0 + 50ms);
  REQUIRE(d.all.size() == 1);
  CHECK(d.all[0].symbols == std::vector<core::SymbolId>{0, 1});
  CHECK_FALSE(b.deadline());
  b.expire(kT0 + 1h);  // a late firing finds nothing
  CHECK(d.all.size() == 1);
}

TEST_CASE("with a window another timestamp decides before the window ends, and starts a window of its own") {
  Decided d;
  InstantBatcher b({Kind::window, 50'000'000}, d.decide());
  b.add(tick(0, 10), kT0);
  b.add(tick(1, 10), kT0 + 1ms);
  CHECK(b.add(tick(0, 11), kT0 + 5ms));
  REQUIRE(d.all.size() == 1);
  CHECK(d.all[0].ts == 10);
  CHECK(*b.deadline() == kT0 + 55ms);
  b.expire(kT0 + 50ms);  // the first instant's timer, late: the new one waits on
  CHECK(d.all.size() == 1);
}

TEST_CASE("flush decides what is pending, and a new mode applies after it") {
  Decided d;
  InstantBatcher b({Kind::window, 1'000'000'000}, d.decide());
  b.flush();
  CHECK(d.all.empty());
  b.add(tick(0, 10), kT0);
  b.flush();
  CHECK(d.all.size() == 1);
  b.add(tick(0, 11), kT0);
  b.set_coalesce({Kind::off, 0});
  CHECK(d.all.size() == 2);
  b.add(tick(0, 12), kT0);
  CHECK(d.all.size() == 3);
  CHECK(daemon::to_string(b.coalesce()) == "off");
}

TEST_CASE("a flood of one timestamp is decided in parts of at most kMaxTicks") {
  Decided d;
  InstantBatcher b({Kind::instant, 0}, d.decide());
  for (std::size_t i = 0; i < InstantBatcher::kMaxTicks + 5; ++i) b.add(tick(0, 10), kT0);
  REQUIRE(d.all.size() == 1);
  CHECK(d.all[0].symbols.size() == InstantBatcher::kMaxTicks);
  CHECK(b.pending() == 5);
}

TEST_CASE("coalescing modes are named as the configuration spells them") {
  CHECK(daemon::to_string({Kind::instant, 0}) == "instant");
  CHECK(daemon::to_string({Kind::window, 50'000'000}) == "50ms");
  CHECK(daemon::to_string({Kind::window, 10'000'000'000}) == "10s");
}

}  // namespace test_instant_batcher
