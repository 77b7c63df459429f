#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "execution/cash_flow.hpp"

namespace test_cash_flow {

using namespace ballast::execution;
using ballast::core::Side;

namespace {

CashFlowRequest request(const std::vector<SizingAsset>& assets, double cash, double amount, double cash_target = 0,
                        double min_trade_value = 0) {
  CashFlowRequest req;
  req.assets = assets;
  req.cash = cash;
  req.amount = amount;
  req.cash_target = cash_target;
  req.min_trade_value = min_trade_value;
  return req;
}

}  // namespace

TEST_CASE("a deposit into a drifted 60/40 buys only the underweight asset, lots rounded down") {
  // A 70 @ 100 = 7000 (target 0.6), B 100 @ 30 = 3000 (target 0.4): value 10000, no cash.
  // Deposit 1000 → V' = 11000. A: 6600 − 7000 → no shortfall. B: 4400 − 3000 = 1400.
  // The 1000 all goes to B: 1000 / 30 = 33.3 → 33 lots = 990, cash left 10.
  const std::vector<SizingAsset> assets{{70, 100, 0.6, 1}, {100, 30, 0.4, 1}};
  const auto plan = plan_cash_flow(request(assets, 0, 1000));
  REQUIRE(!plan.error);
  REQUIRE(plan.trades.size() == 1);
  CHECK(plan.trades[0].asset == 1);
  CHECK(plan.trades[0].side == Side::buy);
  CHECK(plan.trades[0].quantity == 33);
  CHECK(plan.trades[0].value == 990);
  CHECK(plan.cash_after == 10);
}

TEST_CASE("a deposit into a portfolio at target buys every asset in proportion") {
  // A 60 @ 100 = 6000 (0.6), B 80 @ 50 = 4000 (0.4): at target. Deposit 1000 → V' = 11000:
  // A short 6600 − 6000 = 600 → 6 lots; B short 4400 − 4000 = 400 → 8 lots. Cash 0.
  const std::vector<SizingAsset> assets{{60, 100, 0.6, 1}, {80, 50, 0.4, 1}};
  const auto plan = plan_cash_flow(request(assets, 0, 1000));
  REQUIRE(!plan.error);
  REQUIRE(plan.trades.size() == 2);
  CHECK(plan.trades[0].asset == 0);
  CHECK(plan.trades[0].quantity == 6);
  CHECK(plan.trades[1].asset == 1);
  CHECK(plan.trades[1].quantity == 8);
  CHECK(plan.cash_after == 0);
}

TEST_CASE("a deposit that only tops cash up to its target trades nothing") {
  // A 95 @ 100 = 9500 (0.9), cash 500, cash target 0.1. Deposit 300 → V' = 10300:
  // money = 800 − 1030 < 0.
  const std::vector<SizingAsset> assets{{95, 100, 0.9, 1}};
  const auto plan = plan_cash_flow(request(assets, 500, 300, 0.1));
  REQUIRE(!plan.error);
  CHECK(plan.trades.empty());
  CHECK(plan.cash_after == 800);
}

TEST_CASE("a deposit beyond every shortfall follows the target weights") {
  // Weights 0.5 + 0.3 + cash target 0.1 leave 0.1 unassigned.
  // A 50 @ 100 = 5000, B 60 @ 50 = 3000, cash 2000: value 10000. Deposit 1000 → V' = 11000;
  // money = 3000 − 1100 = 1900; shortfalls A 5500 − 5000 = 500, B 3300 − 3000 = 300.
  // Surplus 1100 by weight: A 1100 × 0.5/0.8 = 687.5, B 412.5.
  // A 1187.5 → 11 lots = 1100; B 712.5 → 14 lots = 700. Cash 3000 − 1800 = 1200.
  const std::vector<SizingAsset> assets{{50, 100, 0.5, 1}, {60, 50, 0.3, 1}};
  const auto plan = plan_cash_flow(request(assets, 2000, 1000, 0.1));
  REQUIRE(!plan.error);
  REQUIRE(plan.trades.size() == 2);
  CHECK(plan.trades[0].quantity == 11);
  CHECK(plan.trades[1].quantity == 14);
  CHECK(plan.cash_after == 1200);
}

TEST_CASE("a deposit fills the largest absolute shortfall first, not the largest relative one") {
  // A 48 @ 100 (0.5), B 26 @ 100 (0.3), C 16 @ 100 (0.2), cash 1000, cash target 0.1: value 10000.
  // Deposit 1500 → V' = 11500; money = 2500 − 1150 = 1350.
  // Shortfalls: A 5750 − 4800 = 950, B 3450 − 2600 = 850, C 2300 − 1600 = 700 → order A, B, C
  // (relative to target it would be C 30%, B 25%, A 17%).
  // A takes 950 → 9 lots = 900; B takes the 450 left → 4 lots = 400; C's 50 buys no lot.
  // Cash 2500 − 1300 = 1200.
  const std::vector<SizingAsset> assets{{48, 100, 0.5, 1}, {26, 100, 0.3, 1}, {16, 100, 0.2, 1}};
  const auto plan = plan_cash_flow(request(assets, 1000, 1500, 0.1));
  REQUIRE(!plan.error);
  REQUIRE(plan.trades.size() == 2);
  CHECK(plan.trades[0].asset == 0);
  CHECK(plan.trades[0].quantity == 9);
  CHECK(plan.trades[1].asset == 1);
  CHECK(plan.trades[1].quantity == 4);
  CHECK(plan.cash_after == 1200);
}

TEST_CASE("a deposit skips a buy under the minimum trade value and keeps its money in cash") {
  // A 50 @ 100 (0.5), B 27 @ 100 (0.3), C 23 @ 100 (0.2): value 10000. Deposit 500 → V' = 10500.
  // Shortfalls: B 3150 − 2700 = 450, A 5250 − 5000 = 250, C none.
  // B 4 lots = 400, then A with the 100 left: 1 lot = 100.
  const std::vector<SizingAsset> assets{{50, 100, 0.5, 1}, {27, 100, 0.3, 1}, {23, 100, 0.2, 1}};
  auto plan = plan_cash_flow(request(assets, 0, 500, 0, 100));
  REQUIRE(plan.trades.size() == 2);
  CHECK(plan.trades[0].asset == 0);
  CHECK(plan.trades[0].quantity == 1);
  CHECK(plan.trades[1].asset == 1);
  CHECK(plan.trades[1].quantity == 4);
  CHECK(plan.cash_after == 0);

  // Minimum 150: A's 100 is dropped and stays in cash.
  plan = plan_cash_flow(request(assets, 0, 500, 0, 150));
  REQUIRE(plan.trades.size() == 1);
  CHECK(plan.trades[0].asset == 1);
  CHECK(plan.cash_after == 100);

  // Minimum 401: B's 400 is dropped; its money moves on to A, capped at A's shortfall:
  // 2 lots = 200, also under the minimum. Nothing trades.
  plan = plan_cash_flow(request(assets, 0, 500, 0, 401));
  CHECK(plan.trades.empty());
  CHECK(plan.cash_after == 500);
}

TEST_CASE("a deposit in fractional lots floors to the lot and never overspends") {
  // BTC 0.1 @ 30000 = 3000 (0.5, lot 0.001), ETF 70 @ 100 = 7000 (0.5): value 10000.
  // Deposit 2000 → V' = 12000. BTC short 3000, ETF over. 2000 / 30000 = 0.0667 → 0.066
  // (66 lots) = 1980; cash 20.
  const std::vector<SizingAsset> assets{{0.1, 30000, 0.5, 0.001}, {70, 100, 0.5, 1}};
  const auto plan = plan_cash_flow(request(assets, 0, 2000));
  REQUIRE(!plan.error);
  REQUIRE(plan.trades.size() == 1);
  CHECK(plan.trades[0].asset == 0);
  CHECK(plan.trades[0].quantity == 0.066);
  CHECK(plan.trades[0].value == doctest::Approx(1980));
  CHECK(plan.cash_after == doctest::Approx(20));
  CHECK(plan.cash_after >= 0);
}

TEST_CASE("a withdrawal covered by the cash above its target sells nothing") {
  // A 55 @ 100 (0.6), B 35 @ 100 (0.35), cash 1000, cash target 0.05: value 10000.
  // Withdraw 400 → V' = 9600; cash 600 ≥ 0.05 × 9600 = 480.
  const std::vector<SizingAsset> assets{{55, 100, 0.6, 1}, {35, 100, 0.35, 1}};
  auto plan = plan_cash_flow(request(assets, 1000, -400, 0.05));
  REQUIRE(!plan.error);
  CHECK(plan.trades.empty());
  CHECK(plan.cash_after == 600);

  // No cash target: withdrawing exactly the cash sells nothing and leaves 0.
  plan = plan_cash_flow(request(assets, 1000, -1000));
  REQUIRE(!plan.error);
  CHECK(plan.trades.empty());
  CHECK(plan.cash_after == 0);
}

TEST_CASE("a withdrawal sells the overweight asset, lots rounded up to cover the need") {
  // A 70 @ 100 = 7000 (0.6), B 30 @ 100 = 3000 (0.4), no cash. Withdraw 250 → V' = 9750.
  // need 250; A over by 7000 − 5850 = 1150, B under. A sells ceil(2.5) = 3 lots = 300; cash 50.
  const std::vector<SizingAsset> assets{{70, 100, 0.6, 1}, {30, 100, 0.4, 1}};
  auto plan = plan_cash_flow(request(assets, 0, -250));
  REQUIRE(!plan.error);
  REQUIRE(plan.trades.size() == 1);
  CHECK(plan.trades[0].asset == 0);
  CHECK(plan.trades[0].side == Side::sell);
  CHECK(plan.trades[0].quantity == 3);
  CHECK(plan.trades[0].value == 300);
  CHECK(plan.cash_after == 50);

  // With a cash target: A 70 @ 100 (0.6), B 29 @ 100 (0.38), cash 100, target 0.02: value 10000.
  // Withdraw 300 → V' = 9700; need = 194 − (100 − 300) = 394 → A sells ceil(3.94) = 4 lots;
  // cash −200 + 400 = 200, at least the 194 targeted.
  const std::vector<SizingAsset> with_cash{{70, 100, 0.6, 1}, {29, 100, 0.38, 1}};
  plan = plan_cash_flow(request(with_cash, 100, -300, 0.02));
  REQUIRE(!plan.error);
  REQUIRE(plan.trades.size() == 1);
  CHECK(plan.trades[0].asset == 0);
  CHECK(plan.trades[0].quantity == 4);
  CHECK(plan.cash_after == doctest::Approx(200));
}

TEST_CASE("a withdrawal beyond the most overweight asset moves on to the next") {
  // A 45 @ 100 (0.4), B 31 @ 100 (0.3), C 24 @ 100 (0.3): value 10000. Withdraw 1000 → V' = 9000.
  // Excess A 4500 − 3600 = 900, B 3100 − 2700 = 400, C under. A sells its 9 lots of excess,
  // B the last 100: 1 lot. Cash 0.
  const std::vector<SizingAsset> assets{{45, 100, 0.4, 1}, {31, 100, 0.3, 1}, {24, 100, 0.3, 1}};
  const auto plan = plan_cash_flow(request(assets, 0, -1000));
  REQUIRE(!plan.error);
  REQUIRE(plan.trades.size() == 2);
  CHECK(plan.trades[0].asset == 0);
  CHECK(plan.trades[0].quantity == 9);
  CHECK(plan.trades[1].asset == 1);
  CHECK(plan.trades[1].quantity == 1);
  CHECK(plan.cash_after == 0);
}

TEST_CASE("a withdrawal sells each overweight toward its target, then what lots leave pro rata to holdings") {
  // A 60 @ 100 (0.6), B 40 @ 100 (0.4), at target. Withdraw 1000 → V' = 9000:
  // excess A 6000 − 5400 = 600 → 6 lots, B 4000 − 3600 = 400 → 4 lots. Exactly 1000, cash 0.
  const std::vector<SizingAsset> assets{{60, 100, 0.6, 1}, {40, 100, 0.4, 1}};
  auto plan = plan_cash_flow(request(assets, 0, -1000));
  REQUIRE(plan.trades.size() == 2);
  CHECK(plan.trades[0].quantity == 6);
  CHECK(plan.trades[1].quantity == 4);
  CHECK(plan.cash_after == 0);

  // Cash target 0.2 with 1000 of cash: A 52 @ 100, B 48 @ 100 (0.4 each): value 11000.
  // Withdraw 3000 → V' = 8000, need 1600 − (1000 − 3000) = 3600.
  // Excess A 5200 − 3200 = 2000 → 20 lots, B 4800 − 3200 = 1600 → 16 lots: 3600, cash 1600.
  const std::vector<SizingAsset> with_target{{52, 100, 0.4, 1}, {48, 100, 0.4, 1}};
  plan = plan_cash_flow(request(with_target, 1000, -3000, 0.2));
  REQUIRE(plan.trades.size() == 2);
  CHECK(plan.trades[0].quantity == 20);
  CHECK(plan.trades[1].quantity == 16);
  CHECK(plan.cash_after == doctest::Approx(1600));

  // A lot of A is worth 1000: A 6 @ 1000 (0.6), B 40 @ 100 (0.4): value 10000. Withdraw 300 →
  // V' = 9700; excess A 6000 − 5820 = 180 → round(0.18) = 0 lots; B 4000 − 3880 = 120 →
  // round(1.2) = 1 lot = 100 (under the ceil(300 / 100) = 3 the need allows). 200 still short:
  // holdings A 6000, B 3900 → A 200 × 6000/9900 = 121.2 → 1 lot (1000), B 78.8 → 1 lot (100).
  // Sold: A 1 (1000), B 2 (200); cash −300 + 1200 = 900.
  const std::vector<SizingAsset> lumpy{{6, 1000, 0.6, 1}, {40, 100, 0.4, 1}};
  plan = plan_cash_flow(request(lumpy, 0, -300));
  REQUIRE(!plan.error);
  REQUIRE(plan.trades.size() == 2);
  CHECK(plan.trades[0].asset == 0);
  CHECK(plan.trades[0].quantity == 1);
  CHECK(plan.trades[1].asset == 1);
  CHECK(plan.trades[1].quantity == 2);
  CHECK(plan.cash_after == 900);
}

TEST_CASE("a withdrawal in fractional lots rounds up to the lot") {
  // BTC 0.2 @ 30000 = 6000 (0.5, lot 0.001), ETF 40 @ 100 = 4000 (0.5). Withdraw 1000 → V' = 9000.
  // need 1000; BTC over by 1500. 1000 / 30 per lot = 33.3 → 34 lots = 0.034 BTC = 1020; cash 20.
  const std::vector<SizingAsset> assets{{0.2, 30000, 0.5, 0.001}, {40, 100, 0.5, 1}};
  const auto plan = plan_cash_flow(request(assets, 0, -1000));
  REQUIRE(!plan.error);
  REQUIRE(plan.trades.size() == 1);
  CHECK(plan.trades[0].asset == 0);
  CHECK(plan.trades[0].quantity == 0.034);
  CHECK(plan.trades[0].value == doctest::Approx(1020));
  CHECK(plan.cash_after == doctest::Approx(20));
  CHECK(plan.cash_after >= 0);
}

TEST_CASE("a withdrawal drops a small sell when another asset can raise it instead") {
  // Same as "moves on to the next": A 9 lots (900) and B 1 lot (100). With a minimum of 150,
  // B's 100 is dropped; redone without B, A's 9 lots leave 100 that the pro rata step takes from
  // A (3600 of holdings → 60 → 1 lot) and C (2400 → 40 → 1 lot). C's 100 is under the minimum
  // too; redone without B and C, A gives all of it: 10 lots, one trade, cash 0.
  const std::vector<SizingAsset> assets{{45, 100, 0.4, 1}, {31, 100, 0.3, 1}, {24, 100, 0.3, 1}};
  const auto plan = plan_cash_flow(request(assets, 0, -1000, 0, 150));
  REQUIRE(!plan.error);
  REQUIRE(plan.trades.size() == 1);
  CHECK(plan.trades[0].asset == 0);
  CHECK(plan.trades[0].quantity == 10);
  CHECK(plan.cash_after == 0);
}

TEST_CASE("a withdrawal keeps a small sell when nothing else can pay for it") {
  // A 10 @ 100 (1.0), no cash. Withdraw 50 → V' = 950; need 50: 1 lot = 100, under the minimum
  // of 500, but without it the withdrawal is unpaid: kept. Cash 50.
  const std::vector<SizingAsset> assets{{10, 100, 1.0, 1}};
  const auto plan = plan_cash_flow(request(assets, 0, -50, 0, 500));
  REQUIRE(!plan.error);
  REQUIRE(plan.trades.size() == 1);
  CHECK(plan.trades[0].quantity == 1);
  CHECK(plan.cash_after == 50);
}

TEST_CASE("a withdrawal larger than the portfolio is refused with a reason and no trades") {
  // cash 100, A 10 @ 100: value 1100. Withdraw 1200 → V' = −100.
  const std::vector<SizingAsset> assets{{10, 100, 1.0, 1}};
  auto plan = plan_cash_flow(request(assets, 100, -1200));
  REQUIRE(plan.error);
  CHECK(plan.trades.empty());
  CHECK(plan.cash_after == 100);

  // Withdrawing exactly all of it sells every lot and leaves 0.
  plan = plan_cash_flow(request(assets, 100, -1100));
  REQUIRE(!plan.error);
  REQUIRE(plan.trades.size() == 1);
  CHECK(plan.trades[0].quantity == 10);
  CHECK(plan.cash_after == 0);
}

TEST_CASE("a withdrawal that whole lots cannot pay is refused; one they can pay ignores the cash target") {
  // A 10.5 @ 100 (lot 1): 1050, of which whole lots 1000. Withdraw 1040 → V' = 10 ≥ 0,
  // but 1040 > 1000 sellable: refused.
  const std::vector<SizingAsset> assets{{10.5, 100, 0.9, 1}};
  auto plan = plan_cash_flow(request(assets, 0, -1040, 0.1));
  REQUIRE(plan.error);
  CHECK(plan.trades.empty());

  // Withdraw 1000 → V' = 50; need 5 + 1000 = 1005 capped at the 1000 sellable: all 10 lots go,
  // the withdrawal is paid and cash ends at 0, short of its target.
  plan = plan_cash_flow(request(assets, 0, -1000, 0.1));
  REQUIRE(!plan.error);
  REQUIRE(plan.trades.size() == 1);
  CHECK(plan.trades[0].quantity == 10);
  CHECK(plan.cash_after == 0);
}

TEST_CASE("no flow, no trades") {
  const std::vector<SizingAsset> assets{{70, 100, 0.6, 1}, {30, 100, 0.4, 1}};
  const auto plan = plan_cash_flow(request(assets, 500, 0));
  REQUIRE(!plan.error);
  CHECK(plan.trades.empty());
  CHECK(plan.cash_after == 500);
}

TEST_CASE("bad inputs are refused with a reason, never thrown") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<SizingAsset> good{{10, 100, 1.0, 1}};
  auto refused = [](const CashFlowRequest& req) {
    const auto plan = plan_cash_flow(req);
    CHECK(plan.trades.empty());
    if (!std::isnan(req.cash)) CHECK(plan.cash_after == req.cash);
    return plan.error.has_value();
  };
  CHECK(refused(request(good, 0, nan)));
  CHECK(refused(request(good, 0, inf)));
  CHECK(refused(request(good, nan, 100)));
  CHECK(refused(request(good, -1, 100)));
  CHECK(refused(request(good, 0, 100, nan)));
  CHECK(refused(request(good, 0, 100, 1.5)));
  CHECK(refused(request(good, 0, 100, -0.1)));
  CHECK(refused(request(good, 0, 100, 0, -1)));
  CHECK(refused(request(good, 0, 100, 0, inf)));
  for (const auto& bad : std::vector<SizingAsset>{{nan, 100, 1, 1},
                                                  {-1, 100, 1, 1},
                                                  {10, 0, 1, 1},
                                                  {10, -5, 1, 1},
                                                  {10, inf, 1, 1},
                                                  {10, 100, nan, 1},
                                                  {10, 100, -0.1, 1},
                                                  {10, 100, 1, 0},
                                                  {10, 100, 1, nan}}) {
    const std::vector<SizingAsset> assets{good[0], bad};
    CHECK(refused(request(assets, 0, 100)));
    CHECK(refused(request(assets, 0, -100)));
  }
  // Finite inputs whose value overflows.
  const std::vector<SizingAsset> huge{{1e308, 1e308, 1, 1}};
  CHECK(refused(request(huge, 0, 100)));
}

TEST_CASE("cash flows keep their invariants over many generated portfolios") {
  // Deterministic pseudo-random portfolios; every plan is checked against the rules that hold
  // whatever the numbers: one side only, whole lots, never more than held, cash never negative,
  // a deposit never spends more than the money above the cash target.
  std::uint64_t state = 42;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / static_cast<double>(1ULL << 53);
  };
  const double lots[] = {1, 10, 0.001, 0.5};
  for (int round = 0; round < 3000; ++round) {
    const int n = 1 + static_cast<int>(next() * 4);
    std::vector<SizingAsset> assets;
    double weights = 0;
    for (int i = 0; i < n; ++i) {
      SizingAsset a;
      a.lot_size = lots[static_cast<int>(next() * 4)];
      a.quantity = std::floor(next() * 200) * a.lot_size + (next() < 0.2 ? a.lot_size * 0.5 : 0);
      a.price = 1 + std::floor(next() * 50000) / 100;
      a.desired_weight = next();
      weights += a.desired_weight;
      assets.push_back(a);
    }
    const double cash_target = next() < 0.5 ? 0 : next() * 0.2;
    const double scale = (next() < 0.1 ? 0.7 : 1.0 - cash_target) / weights;
    for (auto& a : assets) a.desired_weight *= scale;
    double holdings = 0;
    for (const auto& a : assets) holdings += a.quantity * a.price;
    const double cash = std::floor(next() * 5000);
    const double amount = std::floor((next() - 0.5) * 2 * (holdings + cash) * 1.1);
    const double min_trade = next() < 0.5 ? 0 : std::floor(next() * 500);
    const auto req = request(assets, cash, amount, cash_target, min_trade);
    const auto plan = plan_cash_flow(req);
    const double value_after = holdings + cash + amount;
    if (plan.error) {
      CHECK(plan.trades.empty());
      CHECK(amount < 0);
      continue;
    }
    CHECK(plan.cash_after >= 0);
    double buys = 0, sells = 0;
    for (const auto& t : plan.trades) {
      const SizingAsset& a = assets[t.asset];
      CHECK(t.quantity > 0);
      const double lots_traded = t.quantity / a.lot_size;
      CHECK(std::abs(lots_traded - std::round(lots_traded)) < 1e-6);
      if (t.side == Side::buy) {
        CHECK(amount > 0);
        CHECK(t.value >= min_trade);
        buys += t.value;
      } else {
        CHECK(amount < 0);
        CHECK(t.quantity <= a.quantity);
        sells += t.value;
      }
    }
    CHECK(plan.cash_after == doctest::Approx(cash + amount - buys + sells));
    if (amount > 0) CHECK(buys <= std::max(0.0, cash + amount - cash_target * value_after) + 1e-6);
    if (amount < 0 && cash + amount >= cash_target * value_after) CHECK(plan.trades.empty());
  }
}

TEST_CASE("cash flows terminate at magnitudes where a lot is below rounding") {
  std::vector<SizingAsset> assets{{1.5672495981640998e16, 300, 0.1, 1}};
  for (int i = 0; i < 9; ++i) assets.push_back({5.2e15, 100, 0.1, 1});
  for (double amount : {1e18, -1e18, 3.0, -3.0}) {
    const auto plan = plan_cash_flow(request(assets, 0, amount, 0, 0));
    REQUIRE(!plan.error);
    CHECK(plan.cash_after >= 0);
  }
}

}  // namespace test_cash_flow
