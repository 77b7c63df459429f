#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "fleet/block_saving.hpp"

namespace test_block_saving {

using namespace ballast;
using namespace ballast::fleet;
using core::Side;

namespace {

execution::CostParams params() {
  execution::CostParams p;
  p.commission_per_share = 0.005;
  p.commission_min = 1;
  p.half_spread_bps = 2;
  p.slippage_bps = 1;
  p.impact_eta = 0.1;
  p.adv = {{"SPY", 1e6}};
  return p;
}

const std::vector<SymbolMarket> kMarkets{{"SPY", NAN, NAN, 0.02}, {"BND", NAN, NAN, 0.02}};

}  // namespace

TEST_CASE("three accounts buying one symbol save two commission minimums and pay more impact as one block") {
  const std::vector<AccountTrade> window{
      {0, 0, Side::buy, 10, 100, 1},
      {1, 0, Side::buy, 20, 100, 1},
      {2, 0, Side::buy, 70, 100, 1},
      {3, 1, Side::sell, 50, 80, 1},  // alone in its block: the same cost both ways, but for impact (no ADV: none)
  };
  const BlockSaving s = estimate_block_saving(window, params(), kMarkets, 1000);
  CHECK(s.refused == 0);

  // Alone: every commission is the $1 minimum (0.05, 0.10, 0.35, 0.25 per share).
  CHECK(s.separate.tickets == 4);
  CHECK(s.separate.commission == doctest::Approx(4));
  // Spread 2 bps of the price per unit: 100·0.02 + 50·0.016.
  CHECK(s.separate.spread == doctest::Approx(2.8));
  // Slippage 1 bp of 10,000 + 4,000.
  CHECK(s.separate.slippage == doctest::Approx(1.4));
  // Impact V·0.1·0.02·√(q/10⁶): 1,000·0.002·√1e-5 + 2,000·0.002·√2e-5 + 7,000·0.002·√7e-5.
  const double alone = 2 * std::sqrt(1e-5) + 4 * std::sqrt(2e-5) + 14 * std::sqrt(7e-5);
  CHECK(s.separate.impact == doctest::Approx(alone));

  CHECK(s.netted.tickets == 2);
  CHECK(s.netted.commission == doctest::Approx(2));
  CHECK(s.netted.spread == doctest::Approx(2.8));
  CHECK(s.netted.slippage == doctest::Approx(1.4));
  CHECK(s.netted.impact == doctest::Approx(10'000 * 0.002 * 0.01));  // √(100/10⁶) = 0.01

  const CostTally saved = s.saving();
  CHECK(saved.tickets == 2);
  CHECK(saved.commission == doctest::Approx(2));
  CHECK(saved.spread == doctest::Approx(0).epsilon(1e-12));
  CHECK(saved.slippage == doctest::Approx(0).epsilon(1e-12));
  CHECK(saved.impact == doctest::Approx(alone - 0.2));
  CHECK(saved.impact < 0);  // the square-root law charges the bigger order more
  CHECK(saved.total() == doctest::Approx(2 + alone - 0.2));
  CHECK(s.separate.total() - s.netted.total() == doctest::Approx(saved.total()));
}

TEST_CASE("spread and slippage are the same netted or not, at the lots' weighted price and with a live quote") {
  execution::CostParams p;
  p.half_spread_bps = 5;
  p.slippage_bps = 3;
  p.commission_bps = 1;
  const std::vector<AccountTrade> window{{0, 0, Side::buy, 3, 99, 1}, {1, 0, Side::buy, 5, 101, 1}};
  const BlockSaving s = estimate_block_saving(window, p, kMarkets, 1000);
  CHECK(s.separate.spread == doctest::Approx(s.netted.spread));
  CHECK(s.separate.slippage == doctest::Approx(s.netted.slippage));
  CHECK(s.separate.commission == doctest::Approx(s.netted.commission));
  CHECK(s.saving().total() == doctest::Approx(0).epsilon(1e-12));

  const std::vector<SymbolMarket> quoted{{"SPY", 99.9, 100.1, 0}};
  const BlockSaving q = estimate_block_saving(window, p, quoted, 1000);
  CHECK(q.separate.spread == doctest::Approx(8 * 0.1));
  CHECK(q.netted.spread == doctest::Approx(8 * 0.1));
}

TEST_CASE("blocks capped in accounts need more tickets, and refused trades are in neither tally") {
  execution::CostParams p;
  p.commission_min = 1;
  std::vector<AccountTrade> window;
  for (AccountIndex a = 0; a < 5; ++a) window.push_back({a, 0, Side::buy, 1, 10, 1});
  window.push_back({9, 0, Side::buy, 1, 10, 0.5});  // another lot size: refused
  window.push_back({9, 7, Side::buy, 0, 10, 1});    // no lots: refused
  window.push_back({8, 7, Side::sell, 4, 10, 1});   // a symbol without a market: no quote, no impact
  const BlockSaving s = estimate_block_saving(window, p, kMarkets, 2);
  CHECK(s.refused == 2);
  CHECK(s.separate.tickets == 6);
  CHECK(s.netted.tickets == 4);  // 2 + 2 + 1 buy blocks, 1 sell
  CHECK(s.saving().commission == doctest::Approx(2));
  CHECK(s.netted.impact == 0);

  const BlockSaving none = estimate_block_saving({}, p, kMarkets, 2);
  CHECK(none.separate.tickets == 0);
  CHECK(none.saving().total() == 0);
}

}  // namespace test_block_saving
