#include <doctest/doctest.h>

#include <vector>

#include "execution/order_sizing.hpp"

namespace test_order_sizing {

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

TEST_CASE("outward rounding raises an asset outside its band to min_trade_value, never past the full trade") {
  // value 10,000, cash 2,000: A 100 @ 40 (0.40), B 40 @ 100 (0.40). Targets
  // 0.44 / 0.36, band ±0.03: A is 0.04 under (outside), B 0.04 over. Edge at
  // λ = 0.25: A to 0.41 → +2.5 shares → 3 ($120); B to 0.39 → −1 share ($100).
  // With min_trade_value 150: A's 3 shares ($120) would be dropped and A left
  // outside; raised to ceil(150 / 40) = 4 ($160). B, inside after the trade
  // and not flagged, is dropped ($100 < 150), as before.
  std::vector<SizingAsset> assets{{100, 40, 0.41, 1}, {40, 100, 0.39, 1}};
  assets[0].outside_band = true;
  const std::vector<double> full{0.44, 0.36};
  SizingRequest req;
  req.assets = assets;
  req.cash = 2000;
  req.min_trade_value = 150;
  req.rounding = Rounding::outward;
  req.full_weights = full;
  auto r = size_trades(req);
  REQUIRE(r.trades.size() == 1);
  CHECK(r.trades[0].asset == 0);
  CHECK(r.trades[0].side == Side::buy);
  CHECK(r.trades[0].quantity == 4);
  CHECK(r.cash_after == doctest::Approx(2000 - 160));

  // Not flagged: dropped as before (nothing to trade).
  assets[0].outside_band = false;
  CHECK(size_trades(req).trades.empty());

  // The full trade caps the raise: at min_trade_value 500 A would need 13
  // shares, but the full trade to 0.44 is (4,400 − 4,000) / 40 = 10: 10
  // shares ($400 < 500) are still worth too little and nothing is traded.
  assets[0].outside_band = true;
  req.min_trade_value = 500;
  CHECK(size_trades(req).trades.empty());
  // At 360 the raise to 9 shares ($360) is within the full 10.
  req.min_trade_value = 360;
  r = size_trades(req);
  REQUIRE(r.trades.size() == 1);
  CHECK(r.trades[0].quantity == 9);
}

TEST_CASE("outward for the assets outside their bands, the nearest lot for the rest") {
  // As above: A +2.5 shares (outside its band), B to 0.397: −0.3 share.
  std::vector<SizingAsset> assets{{100, 40, 0.41, 1}, {40, 100, 0.397, 1}};
  assets[0].outside_band = true;
  const std::vector<double> full{0.44, 0.36};
  SizingRequest req;
  req.assets = assets;
  req.cash = 2000;
  req.rounding = Rounding::outward_outside;
  req.full_weights = full;
  auto r = size_trades(req);
  // A 3 outward; B's 0.3 rounds to none.
  REQUIRE(r.trades.size() == 1);
  CHECK(r.trades[0].asset == 0);
  CHECK(r.trades[0].quantity == 3);
  // Every asset outward: B sells one.
  req.rounding = Rounding::outward;
  r = size_trades(req);
  REQUIRE(r.trades.size() == 2);
  CHECK(r.trades[0].asset == 1);
  CHECK(r.trades[0].quantity == 1);
  // Nearest never passes the full trade: B to 0.30 (−10 shares) is capped by
  // the full −4; and never crosses the target: B to 0.41 (+1) against a full sell, none.
  assets[1].desired_weight = 0.30;
  req.rounding = Rounding::outward_outside;
  r = size_trades(req);
  REQUIRE(r.trades.size() == 2);
  CHECK(r.trades[0].asset == 1);
  CHECK(r.trades[0].quantity == 4);
  assets[1].desired_weight = 0.41;
  CHECK(size_trades(req).trades.size() == 1);
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

}  // namespace test_order_sizing
