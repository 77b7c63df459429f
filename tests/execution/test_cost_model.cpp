#include <doctest/doctest.h>

#include <cmath>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "execution/cost_model.hpp"

namespace test_cost_model {

using namespace ballast::execution;
using ballast::core::Side;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// 100 units at 50: value 5000.
CostInputs hundred_at_fifty() {
  CostInputs in;
  in.symbol = "SPY";
  in.quantity = 100;
  in.price = 50;
  return in;
}

bool mentions(const std::vector<std::string>& errors, const std::string& word) {
  for (const auto& e : errors) {
    if (e.find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("default parameters cost nothing and fill at the price") {
  const auto c = estimate_cost(CostParams{}, hundred_at_fifty());
  CHECK(c.commission == 0);
  CHECK(c.spread == 0);
  CHECK(c.slippage == 0);
  CHECK(c.impact == 0);
  CHECK(c.total() == 0);
  CHECK(c.fill_price(Side::buy) == 50);
  CHECK(c.fill_price(Side::sell) == 50);
  CHECK(validate(CostParams{}).empty());
}

TEST_CASE("per-share commission: 100 units at 0.005 is 0.5, lifted to a 1.0 minimum") {
  CostParams p;
  p.commission_per_share = 0.005;
  CHECK(estimate_cost(p, hundred_at_fifty()).commission == doctest::Approx(0.5));
  p.commission_min = 1.0;
  CHECK(estimate_cost(p, hundred_at_fifty()).commission == doctest::Approx(1.0));
}

TEST_CASE("bps commission: 10 bps of 5000 is 5") {
  CostParams p;
  p.commission_bps = 10;
  CHECK(estimate_cost(p, hundred_at_fifty()).commission == doctest::Approx(5.0));
}

TEST_CASE("per-share and bps commissions add before the minimum is compared") {
  // 0.005 × 100 + 10 bps × 5000 = 0.5 + 5 = 5.5 > minimum 1.
  CostParams p;
  p.commission_per_share = 0.005;
  p.commission_bps = 10;
  p.commission_min = 1.0;
  CHECK(estimate_cost(p, hundred_at_fifty()).commission == doctest::Approx(5.5));
}

TEST_CASE("commission minimum applies just under it, is matched at it, and is passed over it") {
  // 0.01 per unit against a 1.00 minimum: 99 → 0.99, 100 → 1.00, 101 → 1.01.
  CostParams p;
  p.commission_per_share = 0.01;
  p.commission_min = 1.0;
  CostInputs in = hundred_at_fifty();
  in.quantity = 99;
  CHECK(estimate_cost(p, in).commission == doctest::Approx(1.0));
  in.quantity = 100;
  CHECK(estimate_cost(p, in).commission == doctest::Approx(1.0));
  in.quantity = 101;
  CHECK(estimate_cost(p, in).commission == doctest::Approx(1.01));
}

TEST_CASE("commission minimum is not charged for a zero quantity") {
  CostParams p;
  p.commission_min = 1.0;
  p.half_spread_bps = 5;
  CostInputs in = hundred_at_fifty();
  in.quantity = 0;
  const auto c = estimate_cost(p, in);
  CHECK(c.commission == 0);
  CHECK(c.total() == 0);
  CHECK(c.fill_price(Side::buy) == 50);
}

TEST_CASE("live bid/ask 49.98/50.02 gives half-spread 0.02, 2 for 100 units, ignoring the bps fallback") {
  CostParams p;
  p.half_spread_bps = 50;
  CostInputs in = hundred_at_fifty();
  in.bid = 49.98;
  in.ask = 50.02;
  CHECK(estimate_cost(p, in).spread == doctest::Approx(2.0));
}

TEST_CASE("without a live quote the spread is price × half_spread_bps") {
  // 50 × 5 bps = 0.025 per unit → 2.5 for 100 units.
  CostParams p;
  p.half_spread_bps = 5;
  CHECK(estimate_cost(p, hundred_at_fifty()).spread == doctest::Approx(2.5));
}

TEST_CASE("an unusable quote falls back to the bps half-spread") {
  CostParams p;
  p.half_spread_bps = 5;
  const double bids[] = {kNaN, 49.98, 50.02, 0.0, -1.0, 49.98, kInf};
  const double asks[] = {50.02, kNaN, 49.98, 50.02, 50.02, kInf, kInf};
  for (std::size_t i = 0; i < std::size(bids); ++i) {
    CAPTURE(i);
    CostInputs in = hundred_at_fifty();
    in.bid = bids[i];
    in.ask = asks[i];
    CHECK(estimate_cost(p, in).spread == doctest::Approx(2.5));
  }
}

TEST_CASE("a locked quote (bid = ask) has no spread") {
  CostParams p;
  p.half_spread_bps = 5;
  CostInputs in = hundred_at_fifty();
  in.bid = 50;
  in.ask = 50;
  CHECK(estimate_cost(p, in).spread == 0);
}

TEST_CASE("slippage: 3 bps of 5000 is 1.5") {
  CostParams p;
  p.slippage_bps = 3;
  CHECK(estimate_cost(p, hundred_at_fifty()).slippage == doctest::Approx(1.5));
}

TEST_CASE("impact: eta 0.1, daily sigma 0.02, 10000 of ADV 1000000 costs 0.0002 of value") {
  // 0.1 × 0.02 × sqrt(0.01) = 0.0002; value 10000 × 50 = 500000 → 100.
  CostParams p;
  p.impact_eta = 0.1;
  p.adv = {{"AGG", 5e6}, {"SPY", 1e6}};
  CostInputs in = hundred_at_fifty();
  in.quantity = 10000;
  in.daily_volatility = 0.02;
  const auto c = estimate_cost(p, in);
  CHECK(c.impact == doctest::Approx(100.0));
  CHECK(c.impact / (in.quantity * in.price) == doctest::Approx(0.0002));
}

TEST_CASE("impact grows with the square root of the quantity") {
  CostParams p;
  p.impact_eta = 0.1;
  p.adv = {{"SPY", 1e6}};
  CostInputs in = hundred_at_fifty();
  in.daily_volatility = 0.02;
  in.quantity = 10000;
  const double small = estimate_cost(p, in).impact;
  in.quantity = 40000;
  const double large = estimate_cost(p, in).impact;
  // 4× the quantity: 4× the value at 2× the fraction.
  CHECK(large == doctest::Approx(8 * small));
}

TEST_CASE("impact is zero without an ADV for the symbol, without eta, or without volatility") {
  CostParams p;
  p.impact_eta = 0.1;
  p.adv = {{"SPY", 1e6}};
  CostInputs in = hundred_at_fifty();
  in.quantity = 10000;
  in.daily_volatility = 0.02;
  REQUIRE(estimate_cost(p, in).impact > 0);

  CostInputs other = in;
  other.symbol = "AGG";
  CHECK(estimate_cost(p, other).impact == 0);

  CostParams no_eta = p;
  no_eta.impact_eta = 0;
  CHECK(estimate_cost(no_eta, in).impact == 0);

  CostInputs calm = in;
  calm.daily_volatility = 0;
  CHECK(estimate_cost(p, calm).impact == 0);

  CostParams bad_adv = p;
  bad_adv.adv = {{"SPY", 0}};
  CHECK(estimate_cost(bad_adv, in).impact == 0);
}

TEST_CASE("the first ADV given for a symbol is the one used") {
  CostParams p;
  p.impact_eta = 0.1;
  p.adv = {{"SPY", 1e6}, {"SPY", 4e6}};
  CostInputs in = hundred_at_fifty();
  in.quantity = 10000;
  in.daily_volatility = 0.02;
  CHECK(estimate_cost(p, in).impact == doctest::Approx(100.0));
}

TEST_CASE("total is the sum of the four components") {
  CostParams p;
  p.commission_per_share = 0.005;
  p.commission_min = 1.0;
  p.slippage_bps = 3;
  p.impact_eta = 0.1;
  p.adv = {{"SPY", 1e6}};
  CostInputs in = hundred_at_fifty();
  in.bid = 49.98;
  in.ask = 50.02;
  in.daily_volatility = 0.02;
  // commission max(0.5, 1) = 1; spread 2; slippage 1.5;
  // impact 5000 × 0.1 × 0.02 × sqrt(100 / 1e6) = 5000 × 0.00002 = 0.1.
  const auto c = estimate_cost(p, in);
  CHECK(c.commission == doctest::Approx(1.0));
  CHECK(c.spread == doctest::Approx(2.0));
  CHECK(c.slippage == doctest::Approx(1.5));
  CHECK(c.impact == doctest::Approx(0.1));
  CHECK(c.total() == doctest::Approx(4.6));
}

TEST_CASE("fill price moves up for a buy and down for a sell by spread, slippage and impact per unit") {
  CostParams p;
  p.commission_bps = 10;  // charged beside the fill, never in it
  p.slippage_bps = 2;     // 0.01 per unit at 50
  CostInputs in = hundred_at_fifty();
  in.bid = 49.98;
  in.ask = 50.02;
  const auto c = estimate_cost(p, in);
  CHECK(c.fill_price(Side::buy) == doctest::Approx(50.03));
  CHECK(c.fill_price(Side::sell) == doctest::Approx(49.97));
  CHECK(c.quantity * c.fill_price(Side::buy) == doctest::Approx(5000 + c.spread + c.slippage + c.impact));
  CHECK(c.quantity * c.fill_price(Side::sell) == doctest::Approx(5000 - c.spread - c.slippage - c.impact));
}

TEST_CASE("fill price includes impact per unit") {
  // impact 100 over 10000 units = 0.01 per unit.
  CostParams p;
  p.impact_eta = 0.1;
  p.adv = {{"SPY", 1e6}};
  CostInputs in = hundred_at_fifty();
  in.quantity = 10000;
  in.daily_volatility = 0.02;
  const auto c = estimate_cost(p, in);
  CHECK(c.fill_price(Side::buy) == doctest::Approx(50.01));
  CHECK(c.fill_price(Side::sell) == doctest::Approx(49.99));
}

TEST_CASE("a negative quantity costs the same as its magnitude") {
  CostParams p;
  p.commission_per_share = 0.005;
  p.half_spread_bps = 5;
  p.slippage_bps = 3;
  CostInputs in = hundred_at_fifty();
  const auto plus = estimate_cost(p, in);
  in.quantity = -100;
  const auto minus = estimate_cost(p, in);
  CHECK(minus.quantity == 100);
  CHECK(minus.commission == doctest::Approx(plus.commission));
  CHECK(minus.spread == doctest::Approx(plus.spread));
  CHECK(minus.slippage == doctest::Approx(plus.slippage));
  CHECK(minus.fill_price(Side::sell) == doctest::Approx(plus.fill_price(Side::sell)));
}

TEST_CASE("non-finite inputs give finite costs, never NaN") {
  CostParams p;
  p.commission_per_share = 0.005;
  p.commission_bps = 10;
  p.commission_min = 1.0;
  p.half_spread_bps = 5;
  p.slippage_bps = 3;
  p.impact_eta = 0.1;
  p.adv = {{"SPY", 1e6}};

  SUBCASE("quantity NaN or infinite costs nothing") {
    for (const double q : {kNaN, kInf, -kInf}) {
      CostInputs in = hundred_at_fifty();
      in.quantity = q;
      const auto c = estimate_cost(p, in);
      CHECK(c.total() == 0);
      CHECK(c.quantity == 0);
    }
  }
  SUBCASE("a price that is not positive and finite leaves only per-share commission and a live spread") {
    for (const double price : {kNaN, kInf, 0.0, -50.0}) {
      CAPTURE(price);
      CostInputs in = hundred_at_fifty();
      in.price = price;
      in.daily_volatility = 0.02;
      in.bid = 49.98;
      in.ask = 50.02;
      const auto c = estimate_cost(p, in);
      CHECK(c.commission == doctest::Approx(1.0));  // max(0.5 per share, minimum 1)
      CHECK(c.spread == doctest::Approx(2.0));
      CHECK(c.slippage == 0);
      CHECK(c.impact == 0);
      CHECK(std::isfinite(c.total()));
    }
  }
  SUBCASE("a non-finite or negative volatility disables impact") {
    for (const double sigma : {kNaN, kInf, -0.02}) {
      CostInputs in = hundred_at_fifty();
      in.daily_volatility = sigma;
      CHECK(estimate_cost(p, in).impact == 0);
    }
  }
}

TEST_CASE("parameters that validate() rejects count as zero in the estimate") {
  CostParams p;
  p.commission_per_share = -0.005;
  p.commission_bps = kNaN;
  p.commission_min = -1;
  p.half_spread_bps = kInf;
  p.slippage_bps = -3;
  p.impact_eta = kNaN;
  p.adv = {{"SPY", -1e6}};
  CostInputs in = hundred_at_fifty();
  in.daily_volatility = 0.02;
  const auto c = estimate_cost(p, in);
  CHECK(c.total() == 0);
  CHECK(c.fill_price(Side::buy) == 50);
}

TEST_CASE("validate accepts usable parameters") {
  CostParams p;
  p.commission_per_share = 0.005;
  p.commission_bps = 1;
  p.commission_min = 1;
  p.half_spread_bps = 2;
  p.slippage_bps = 3;
  p.impact_eta = 0.1;
  p.adv = {{"SPY", 1e6}, {"AGG", 5e5}};
  CHECK(validate(p).empty());
}

TEST_CASE("validate reports each negative parameter by name") {
  const char* names[] = {"commission_per_share", "commission_bps", "commission_min",
                         "half_spread_bps",      "slippage_bps",   "impact_eta"};
  for (int i = 0; i < 6; ++i) {
    CAPTURE(names[i]);
    CostParams p;
    double* fields[] = {&p.commission_per_share, &p.commission_bps, &p.commission_min,
                        &p.half_spread_bps,      &p.slippage_bps,   &p.impact_eta};
    *fields[i] = -1;
    const auto errors = validate(p);
    REQUIRE(errors.size() == 1);
    CHECK(mentions(errors, names[i]));
    CHECK(mentions(errors, "-1"));
  }
}

TEST_CASE("validate rejects non-finite parameters") {
  CostParams p;
  p.commission_bps = kNaN;
  p.slippage_bps = kInf;
  p.impact_eta = -kInf;
  const auto errors = validate(p);
  CHECK(errors.size() == 3);
  CHECK(mentions(errors, "commission_bps"));
  CHECK(mentions(errors, "slippage_bps"));
  CHECK(mentions(errors, "impact_eta"));
}

TEST_CASE("validate rejects an ADV that is zero, negative or not finite, naming the symbol") {
  CostParams p;
  p.adv = {{"SPY", 0}, {"AGG", -5}, {"GLD", kNaN}, {"TLT", kInf}, {"IEF", 1e6}};
  const auto errors = validate(p);
  CHECK(errors.size() == 4);
  CHECK(mentions(errors, "SPY"));
  CHECK(mentions(errors, "AGG"));
  CHECK(mentions(errors, "GLD"));
  CHECK(mentions(errors, "TLT"));
  CHECK(!mentions(errors, "IEF"));
}

TEST_CASE("validate reports a symbol whose ADV is given twice") {
  CostParams p;
  p.adv = {{"SPY", 1e6}, {"AGG", 5e5}, {"SPY", 2e6}};
  const auto errors = validate(p);
  REQUIRE(errors.size() == 1);
  CHECK(mentions(errors, "SPY"));
  CHECK(mentions(errors, "more than once"));
}

TEST_CASE("validate collects every problem, not just the first") {
  CostParams p;
  p.commission_per_share = -1;
  p.commission_min = -1;
  p.impact_eta = kNaN;
  p.adv = {{"SPY", 0}};
  CHECK(validate(p).size() == 4);
}

}  // namespace test_cost_model
