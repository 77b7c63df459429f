#include "feeds/tick_guard.hpp"

#include <doctest/doctest.h>

namespace test_tick_guard {

using ballast::core::RejectReason;
using ballast::core::TimeNs;
using ballast::feeds::TickGuard;

namespace {

constexpr TimeNs kSecond = 1'000'000'000;
constexpr TimeNs kT0 = 1'700'000'000 * kSecond;

TickGuard::Limits jump_limits(double max_jump, int confirm = 3) {
  TickGuard::Limits l;
  l.max_jump = max_jump;
  l.jump_confirm = confirm;
  return l;
}

// Feeds ticks one second apart, so ordering never interferes.
struct Driver {
  TickGuard guard{1};
  TickGuard::Limits limits;
  TimeNs t = kT0;
  TickGuard::Verdict tick(double price) {
    t += kSecond;
    return guard.check(0, price, t, t, limits);
  }
};

}  // namespace

TEST_CASE("the first tick of a symbol is accepted and becomes the reference") {
  TickGuard g(2);
  const auto v = g.check(1, 100, kT0, kT0, jump_limits(0.1));
  CHECK(v.accepted());
  CHECK_FALSE(v.confirmed_jump);
  CHECK(g.last_price(1) == 100);
  CHECK(g.last_accepted_at(1) == kT0);
  CHECK_FALSE(g.last_price(0).has_value());
}

TEST_CASE("a tick older than the last accepted one is out_of_order; an equal time is fine") {
  TickGuard g(1);
  const TickGuard::Limits l;
  REQUIRE(g.check(0, 100, kT0, kT0, l).accepted());
  CHECK(g.check(0, 101, kT0 - 1, kT0 + 1, l).reject == RejectReason::out_of_order);
  CHECK(g.last_price(0) == 100);
  CHECK(g.check(0, 102, kT0, kT0 + 2, l).accepted());
  CHECK(g.last_price(0) == 102);
}

TEST_CASE("jumps at, just inside and just outside max_jump") {
  const auto verdict_after_100 = [](double price) {
    Driver d;
    d.limits = jump_limits(0.25);
    REQUIRE(d.tick(100).accepted());
    const auto v = d.tick(price);
    CHECK(d.guard.last_price(0) == (v.accepted() ? price : 100));
    return v;
  };
  CHECK(verdict_after_100(125).accepted());  // exactly +25%
  CHECK(verdict_after_100(75).accepted());   // exactly -25%
  CHECK(verdict_after_100(124.99).accepted());
  CHECK(verdict_after_100(75.01).accepted());
  CHECK(verdict_after_100(125.01).reject == RejectReason::jump);
  CHECK(verdict_after_100(74.99).reject == RejectReason::jump);
}

TEST_CASE("without max_jump any move is accepted") {
  Driver d;
  REQUIRE(d.tick(100).accepted());
  CHECK(d.tick(1000).accepted());
  CHECK(d.tick(1).accepted());
}

TEST_CASE("a real 30% move is confirmed by jump_confirm agreeing ticks") {
  Driver d;
  d.limits = jump_limits(0.1, 3);
  REQUIRE(d.tick(100).accepted());
  CHECK(d.tick(130).reject == RejectReason::jump);
  CHECK(d.tick(131).reject == RejectReason::jump);
  const auto confirmed = d.tick(129.5);
  CHECK(confirmed.accepted());
  CHECK(confirmed.confirmed_jump);
  CHECK(d.guard.last_price(0) == 129.5);
  // The new level is the reference now.
  const auto next = d.tick(131);
  CHECK(next.accepted());
  CHECK_FALSE(next.confirmed_jump);
  CHECK(d.tick(100).reject == RejectReason::jump);
}

TEST_CASE("an isolated spike is never accepted") {
  Driver d;
  d.limits = jump_limits(0.1, 3);
  REQUIRE(d.tick(100).accepted());
  for (int i = 0; i < 50; ++i) {
    CHECK(d.tick(150).reject == RejectReason::jump);
    CHECK(d.tick(150).reject == RejectReason::jump);
    CHECK(d.tick(101).accepted());  // back near the old price: the candidate is gone
  }
  CHECK(d.guard.last_price(0) == 101);
}

TEST_CASE("jump ticks that disagree restart the candidate") {
  Driver d;
  d.limits = jump_limits(0.1, 3);
  REQUIRE(d.tick(100).accepted());
  CHECK(d.tick(130).reject == RejectReason::jump);
  CHECK(d.tick(130).reject == RejectReason::jump);
  CHECK(d.tick(200).reject == RejectReason::jump);  // far from 130: a new candidate
  CHECK(d.tick(200).reject == RejectReason::jump);
  CHECK(d.tick(60).reject == RejectReason::jump);
  CHECK(d.tick(200).reject == RejectReason::jump);
  CHECK(d.tick(205).reject == RejectReason::jump);
  CHECK(d.tick(199).accepted());
  CHECK(d.guard.last_price(0) == 199);
}

TEST_CASE("jump_confirm of one accepts the first jump tick") {
  Driver d;
  d.limits = jump_limits(0.1, 1);
  REQUIRE(d.tick(100).accepted());
  const auto v = d.tick(150);
  CHECK(v.accepted());
  CHECK(v.confirmed_jump);
}

TEST_CASE("an out-of-order tick does not count towards a jump confirmation") {
  TickGuard g(1);
  const auto l = jump_limits(0.1, 2);
  REQUIRE(g.check(0, 100, kT0, kT0, l).accepted());
  CHECK(g.check(0, 130, kT0 + 2, kT0 + 2, l).reject == RejectReason::jump);
  CHECK(g.check(0, 130, kT0 - 1, kT0 + 3, l).reject == RejectReason::out_of_order);
  CHECK(g.check(0, 130, kT0 + 4, kT0 + 4, l).accepted());
}

TEST_CASE("staleness follows the receipt time of the last accepted tick") {
  TickGuard g(2);
  TickGuard::Limits l;
  l.stale_after = 30 * kSecond;
  l.max_jump = 0.1;
  CHECK(g.is_stale(0, kT0));  // never ticked
  CHECK_FALSE(g.last_accepted_at(0).has_value());
  // The data's time may lag; receipt time is what counts.
  REQUIRE(g.check(0, 100, kT0 - 3600 * kSecond, kT0, l).accepted());
  CHECK_FALSE(g.is_stale(0, kT0));
  CHECK_FALSE(g.is_stale(0, kT0 + 30 * kSecond));
  CHECK(g.is_stale(0, kT0 + 30 * kSecond + 1));
  // Rejected ticks do not refresh it.
  CHECK(g.check(0, 500, kT0, kT0 + 20 * kSecond, l).reject == RejectReason::jump);
  CHECK(g.is_stale(0, kT0 + 31 * kSecond));
  CHECK(g.is_stale(1, kT0));
}

TEST_CASE("staleness uses stale_after of the feed that last delivered the symbol") {
  TickGuard g(1);
  TickGuard::Limits slow;
  slow.stale_after = 300 * kSecond;
  TickGuard::Limits fast;
  fast.stale_after = 5 * kSecond;
  REQUIRE(g.check(0, 100, kT0, kT0, slow).accepted());
  CHECK_FALSE(g.is_stale(0, kT0 + 60 * kSecond));
  REQUIRE(g.check(0, 100, kT0 + 1, kT0 + 60 * kSecond, fast).accepted());
  CHECK_FALSE(g.is_stale(0, kT0 + 65 * kSecond));
  CHECK(g.is_stale(0, kT0 + 66 * kSecond));
}

TEST_CASE("unknown symbols and unusable prices are refused; resize keeps state") {
  TickGuard g(1);
  const TickGuard::Limits l;
  CHECK(g.check(1, 100, kT0, kT0, l).reject == RejectReason::unknown_symbol);
  CHECK(g.is_stale(1, kT0));
  CHECK(g.check(0, 0, kT0, kT0, l).reject == RejectReason::bad_price);
  CHECK(g.check(0, -1, kT0, kT0, l).reject == RejectReason::bad_price);
  REQUIRE(g.check(0, 100, kT0, kT0, l).accepted());
  g.resize(3);
  CHECK(g.size() == 3);
  CHECK(g.last_price(0) == 100);
  CHECK(g.check(2, 50, kT0, kT0, l).accepted());
  CHECK(g.check(0, 101, kT0 - 1, kT0, l).reject == RejectReason::out_of_order);
}

TEST_CASE("a tick stamped beyond max_future is bad_time and never moves the out-of-order mark") {
  TickGuard g(1);
  TickGuard::Limits l;
  l.max_future = 5 * kSecond;
  REQUIRE(g.check(0, 100, kT0, kT0, l).accepted());
  // A year ahead: once, this froze the symbol until restart.
  CHECK(g.check(0, 101, kT0 + 365 * 86400 * kSecond, kT0 + kSecond, l).reject == RejectReason::bad_time);
  CHECK(g.last_price(0) == 100);
  CHECK(g.check(0, 102, kT0 + 2 * kSecond, kT0 + 2 * kSecond, l).accepted());
  // Up to the limit ahead is fine (clocks differ a little); just beyond is not.
  CHECK(g.check(0, 103, kT0 + 8 * kSecond, kT0 + 3 * kSecond, l).accepted());
  CHECK(g.check(0, 104, kT0 + 9 * kSecond + 1, kT0 + 4 * kSecond, l).reject == RejectReason::bad_time);
  CHECK(g.check(0, 105, kT0 + 9 * kSecond, kT0 + 9 * kSecond, l).accepted());
}

TEST_CASE("the very first tick of a symbol is judged against max_future too, and unset means no check") {
  TickGuard g(2);
  TickGuard::Limits l;  // 5 s by default
  CHECK(g.check(0, 100, kT0 + 60 * kSecond, kT0, l).reject == RejectReason::bad_time);
  CHECK_FALSE(g.last_price(0).has_value());
  CHECK(g.check(0, 100, kT0, kT0, l).accepted());
  l.max_future.reset();
  CHECK(g.check(1, 100, kT0 + 3600 * kSecond, kT0, l).accepted());
}

}  // namespace test_tick_guard
