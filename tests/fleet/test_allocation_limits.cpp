// [execution.limits] on an account's share of a block: hand-computed cases.
#include <doctest/doctest.h>

#include <vector>

#include "fleet/allocation_limits.hpp"

namespace ballast::fleet {
namespace test_allocation_limits {
namespace {

using core::Side;
using execution::DenyReason;

constexpr core::SymbolId kA = 0, kB = 1, kC = 2;

TEST_CASE("trades within the limits pass unchanged; the fraction defaults to the whole account") {
  AllocationLimits limits;
  std::vector<SizedTrade> trades{{kA, Side::sell, 10, 100, 1}, {kB, Side::buy, 5, 200, 1}};
  CHECK(apply_allocation_limits(limits, 10'000, 0, trades).empty());
  CHECK(trades.size() == 2);
  // Worth more than the account: denied even with no limit written.
  std::vector<SizedTrade> big{{kB, Side::buy, 60, 200, 1}};  // 12,000 of 10,000
  const auto d = apply_allocation_limits(limits, 10'000, 12'000, big);
  REQUIRE(d.size() == 1);
  CHECK(d[0].reason == DenyReason::max_order_fraction);
  CHECK(big.empty());
}

TEST_CASE("a denied buy is dropped and its cash stays") {
  AllocationLimits limits;
  limits.max_order_value = 1000;  // exactly at the limit passes
  std::vector<SizedTrade> trades{{kA, Side::sell, 10, 100, 1}, {kB, Side::buy, 5, 200, 1}, {kC, Side::buy, 11, 100, 1}};
  const auto d = apply_allocation_limits(limits, 10'000, 0, trades);
  REQUIRE(d.size() == 1);
  CHECK(d[0].symbol == kC);
  CHECK(d[0].reason == DenyReason::max_order_value);
  CHECK(d[0].detail == "order value 1100.00 beyond max_order_value 1000.00");
  REQUIRE(trades.size() == 2);
  CHECK(trades[1].quantity == 5);
}

TEST_CASE("a denied sell scales the buys down to the cash and the other sells' proceeds, in whole lots") {
  AllocationLimits limits;
  limits.restricted = {kA};
  // Sell 10 A (denied) and 4 B at 100 = 400; cash 150: 550 for buys of
  // C 6 × 100 = 600 in lots of 2 → scale 550/600 → 5.5 → 4 (floored to lots).
  std::vector<SizedTrade> trades{{kA, Side::sell, 10, 100, 1}, {kB, Side::sell, 4, 100, 1}, {kC, Side::buy, 6, 100, 2}};
  const auto d = apply_allocation_limits(limits, 5'000, 150, trades);
  REQUIRE(d.size() == 1);
  CHECK(d[0].reason == DenyReason::restricted_symbol);
  REQUIRE(trades.size() == 2);
  CHECK(trades[0].symbol == kB);
  CHECK(trades[1].quantity == 4);
  // With nothing left to pay for them, the buys go.
  std::vector<SizedTrade> only{{kA, Side::sell, 10, 100, 1}, {kC, Side::buy, 6, 100, 1}};
  CHECK(apply_allocation_limits(limits, 5'000, 0, only).size() == 1);
  CHECK(only.empty());
}

TEST_CASE("the account-level limits are read from [execution.limits], restricted symbols by id") {
  core::SymbolTable symbols;
  symbols.intern("SPY");
  symbols.intern("AGG");
  execution::RiskLimits limits;
  limits.max_order_value = 5000;
  limits.max_order_fraction = 0.25;
  limits.restricted_symbols = {"AGG", "XYZ"};
  const AllocationLimits a = AllocationLimits::from(limits, symbols);
  CHECK(*a.max_order_value == 5000);
  CHECK(*a.max_order_fraction == 0.25);
  CHECK(a.restricted == std::vector<core::SymbolId>{1});
  std::vector<SizedTrade> trades{{0, Side::buy, 30, 100, 1}};  // 3,000 of 10,000 > 0.25
  const auto d = apply_allocation_limits(a, 10'000, 3'000, trades);
  REQUIRE(d.size() == 1);
  CHECK(d[0].reason == DenyReason::max_order_fraction);
}

}  // namespace
}  // namespace test_allocation_limits
}  // namespace ballast::fleet
