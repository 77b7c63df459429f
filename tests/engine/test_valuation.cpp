// Pricing and valuation: the price table, a portfolio's value, weights and drift.
#include <doctest/doctest.h>

#include <cmath>

#include "engine/valuation.hpp"
#include "engine_test_support.hpp"

namespace test_valuation {

using namespace ballast;
using namespace ballast::engine;
using namespace ballast::engine::test;

TEST_CASE("a price table reads 0 for a symbol never priced and for one beyond the table") {
  PriceTable t;
  t.resize(2);
  CHECK(t.price(0) == 0);
  CHECK_FALSE(t.has_price(0));
  CHECK(t.time(1) == 0);
  CHECK(t.price(7) == 0);
  CHECK(t.time(7) == 0);
  CHECK(std::isnan(t.bid(0)));
  CHECK(std::isnan(t.ask(0)));
}

TEST_CASE("a tick for a symbol beyond the table is not recorded") {
  PriceTable t;
  t.resize(1);
  CHECK_FALSE(t.update({3, 100, kNow}));
  CHECK(t.size() == 1);
  CHECK(t.update({0, 100, kNow, 99.5, 100.5}));
  CHECK(t.price(0) == 100);
  CHECK(t.time(0) == kNow);
  CHECK(t.bid(0) == 99.5);
  CHECK(t.ask(0) == 100.5);
}

TEST_CASE("the last good price is the one before the last tick, or the first tick's own") {
  PriceTable t;
  t.resize(1);
  t.update({0, 100, kNow});
  CHECK(t.last_good(0) == 100);
  t.update({0, 140, kNow + kSecond});
  CHECK(t.price(0) == 140);
  CHECK(t.last_good(0) == 100);
}

TEST_CASE("growing the table keeps the prices it has and leaves new symbols unpriced") {
  PriceTable t;
  t.resize(1);
  t.update({0, 100, kNow});
  t.resize(3);
  CHECK(t.price(0) == 100);
  CHECK_FALSE(t.has_price(2));
  CHECK(std::isnan(t.bid(2)));
}

TEST_CASE("a weight snapshot values cash and assets at the last prices, beside the targets") {
  core::SymbolTable symbols;
  const PortfolioState p = state_of(sixty_forty(), symbols);
  const PriceTable prices = prices_of(symbols, {{"SPY", 300}, {"AGG", 100}});
  WeightSnapshot w;
  REQUIRE(w.take(p, prices));
  // 100 × 300 + 300 × 100 + 1000 = 61000.
  CHECK(w.value == 61000);
  CHECK(w.weights[0] == doctest::Approx(30000.0 / 61000));
  CHECK(w.weights[1] == doctest::Approx(30000.0 / 61000));
  CHECK(w.targets == std::vector<double>{0.6, 0.4});
  const strategies::DriftSummary d = w.drift(p);
  CHECK(d.max_abs == doctest::Approx(0.6 - 30000.0 / 61000));
}

TEST_CASE("a weight snapshot is refused while an asset is unpriced or the value is not positive") {
  core::SymbolTable symbols;
  PortfolioState p = state_of(sixty_forty(), symbols);
  WeightSnapshot w;
  CHECK_FALSE(w.take(p, prices_of(symbols, {{"SPY", 300}})));
  p.cash = -60000;
  CHECK_FALSE(w.take(p, prices_of(symbols, {{"SPY", 300}, {"AGG", 100}})));
}

TEST_CASE("a valuation without a price for every asset says so, and gives cash its weight when it can") {
  core::SymbolTable symbols;
  const PortfolioState p = state_of(sixty_forty(), symbols);
  const Valuation partial = valuation(p, prices_of(symbols, {{"SPY", 300}}));
  CHECK_FALSE(partial.priced);
  CHECK(partial.value == 31000);
  const Valuation full = valuation(p, prices_of(symbols, {{"SPY", 300}, {"AGG", 100}}));
  CHECK(full.priced);
  CHECK(full.value == 61000);
  CHECK(full.cash_weight == doctest::Approx(1000.0 / 61000));
  CHECK(full.weights.size() == 2);
}

}  // namespace test_valuation
