#include <doctest/doctest.h>

#include <vector>

#include "execution/order_sizing.hpp"

using namespace ballast::execution;
using ballast::core::Side;

TEST_CASE("sizing to target: hand-computed 60/40 after a fall, sells first") {
  // cash 1000, SPY 100 @ 300 = 30000, AGG 300 @ 100 = 30000: value 61000.
  // SPY to 0.6 × 61000 = 36600 → buy 22; AGG to 24400 → sell 56. Cash ends at 0.
  const std::vector<SizingAsset> assets{{100, 300, 0.6, 1}, {300, 100, 0.4, 1}};
  SizingRequest req;
  req.assets = assets;
  req.cash = 1000;
  const auto r = size_trades(req);
  REQUIRE(r.trades.size() == 2);
  CHECK(r.trades[0].asset == 1);
  CHECK(r.trades[0].side == Side::sell);
  CHECK(r.trades[0].quantity == 56);
  CHECK(r.trades[1].asset == 0);
  CHECK(r.trades[1].side == Side::buy);
  CHECK(r.trades[1].quantity == 22);
  CHECK(r.cash_after == doctest::Approx(0.0));
  CHECK(!r.buys_scaled);
}

TEST_CASE("sizing rounds to lots, including fractional lots") {
  // value 10000 all cash; 0.5 of BTC @ 30000 → 0.16666 → 0.167 with lot 0.001.
  const std::vector<SizingAsset> assets{{0, 30000, 0.5, 0.001}, {0, 100, 0.5, 10}};
  SizingRequest req;
  req.assets = assets;
  req.cash = 10000;
  const auto r = size_trades(req);
  REQUIRE(r.trades.size() == 2);
  // 0.167 × 30000 = 5010 and 50 × 100 = 5000: more than the 10000 of cash.
  CHECK(r.buys_scaled);
  double spent = 0;
  for (const auto& t : r.trades) spent += t.value;
  CHECK(spent <= 10000);
  CHECK(r.cash_after >= 0);
  CHECK(r.trades[0].quantity == doctest::Approx(0.166));
  CHECK(r.trades[1].quantity == 40);  // 50 × 0.999 floored to 10-lots
}

TEST_CASE("sizing never spends cash the portfolio does not have") {
  const std::vector<SizingAsset> assets{{0, 10, 0.5, 1}, {0, 10, 0.5, 1}};
  SizingRequest req;
  req.assets = assets;
  req.cash = 0;
  CHECK(size_trades(req).trades.empty());
  req.cash = -50;
  CHECK(size_trades(req).trades.empty());
}

TEST_CASE("sizing drops trades under the minimum value and never sells more than held") {
  const std::vector<SizingAsset> assets{{10, 100, 0.505, 1}, {9.5, 100, 0.0, 1}, {0, 100, 0.5, 1}};
  SizingRequest req;
  req.assets = assets;
  req.cash = 50;
  req.min_trade_value = 150;
  const auto r = size_trades(req);
  // Asset 0 wants +0.05 lots → nothing; asset 1 sells 9 of 9.5 (whole lots);
  // asset 2 wants 10 lots (1000) but cash after the sell is 950: scaled to 9.
  REQUIRE(r.trades.size() == 2);
  CHECK(r.trades[0].side == Side::sell);
  CHECK(r.trades[0].quantity == 9);
  CHECK(r.trades[1].side == Side::buy);
  CHECK(r.trades[1].quantity == 9);
  req.min_trade_value = 901;
  const auto r2 = size_trades(req);
  REQUIRE(r2.trades.empty());
}

TEST_CASE("min trade value: exactly at the minimum is sent, just under is not") {
  const std::vector<SizingAsset> assets{{0, 50, 1.0, 1}};
  SizingRequest req;
  req.assets = assets;
  req.cash = 100;
  req.min_trade_value = 100;
  CHECK(size_trades(req).trades.size() == 1);
  req.min_trade_value = 100.01;
  CHECK(size_trades(req).trades.empty());
}

TEST_CASE("outward rounding reaches past the band edge but not past the target") {
  // value 10000: A 70 @ 100 (0.70), B 30 @ 100 (0.30); target 0.6/0.4; edge at 0.65 → sell 5.
  const std::vector<SizingAsset> assets{{70, 100, 0.6547, 1}, {30, 100, 0.3453, 1}};
  const std::vector<double> full{0.6, 0.4};
  SizingRequest req;
  req.assets = assets;
  req.rounding = Rounding::outward;
  req.full_weights = full;
  const auto r = size_trades(req);
  REQUIRE(r.trades.size() == 2);
  CHECK(r.trades[0].quantity == 5);  // 4.53 rounded outward
  CHECK(r.trades[1].quantity == 5);
}

TEST_CASE("lots to quantity removes binary noise") {
  CHECK(lots_to_quantity(3, 0.001) == 0.003);
  CHECK(lots_to_quantity(7, 0.1) == 0.7);
}

TEST_CASE("sizing terminates and respects cash at magnitudes where a lot is below rounding") {
  // Values near 5e18: one lot of 100 is smaller than the spacing of doubles there.
  std::vector<SizingAsset> assets{{1.5672495981640998e16, 300, 0.1, 1}};
  for (int i = 0; i < 9; ++i) assets.push_back({5.2e15, 100, 0.1, 1});
  SizingRequest req;
  req.assets = assets;
  req.cash = 0;
  const auto r = size_trades(req);
  double spent = 0, got = 0;
  for (const auto& t : r.trades) (t.side == Side::buy ? spent : got) += t.value;
  CHECK(spent <= got);
}
