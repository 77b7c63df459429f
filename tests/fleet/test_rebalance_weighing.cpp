// The dynamic trigger's arithmetic on a model's account, worked by hand
// (the account and its figures: dynamic_test_support.hpp).
#include <doctest/doctest.h>

#include <vector>

#include "fleet/account_lots.hpp"
#include "fleet/rebalance_weighing.hpp"
#include "fleet_test_support.hpp"
#include "dynamic_test_support.hpp"

namespace test_rebalance_weighing {

using namespace ballast;
using namespace ballast::fleet;
using namespace ballast::fleet::test;

namespace {

const std::vector<SizedTrade> kTrades = {{0, core::Side::sell, 10, 100, 1}, {1, core::Side::buy, 10, 100, 1}};
const std::vector<double> kPrices = {100, 100};

}  // namespace

TEST_CASE("the weighing: B from Σ and d, C from trading and the net tax, ahead only when B > C") {
  const std::vector<double> d = {0.10, -0.10};
  // B = (10/2)·0.0003·1·10,000 = 15; C = 1 + 37 = 38.
  const RebalanceWeighing held = weigh(dynamic_trigger(), dynamic_cov(), d, 10'000, 1.0, 37.0);
  CHECK(held.benefit == doctest::Approx(15.0));
  CHECK(held.cost() == doctest::Approx(38.0));
  CHECK_FALSE(held.goes_ahead());
  // Without the tax: C = 1 < 15.
  CHECK(weigh(dynamic_trigger(), dynamic_cov(), d, 10'000, 1.0, 0).goes_ahead());
  // A net loss is no reason to trade: it counts as 0, never below.
  const RebalanceWeighing loss = weigh(dynamic_trigger(), dynamic_cov(), d, 10'000, 20.0, -40.0);
  CHECK(loss.tax == 0);
  CHECK(loss.cost() == doctest::Approx(20.0));
  CHECK_FALSE(loss.goes_ahead());
  // B = C does not trade: the benefit must pass the cost.
  CHECK_FALSE(weigh(dynamic_trigger(), dynamic_cov(), d, 10'000, 15.0, 0).goes_ahead());
}

TEST_CASE("the account's deviation and value, by slot, and by group at the primary") {
  AccountBook book = one_account(dynamic_model(std::nullopt), 0, {60, 40});
  std::vector<double> d;
  CHECK(account_deviation(book, 0, kPrices, d) == doctest::Approx(10'000));
  REQUIRE(d.size() == 2);
  CHECK(d[0] == doctest::Approx(0.10));
  CHECK(d[1] == doctest::Approx(-0.10));

  // AAA2 (slot 2) stands in for AAA: 30 AAA + 30 AAA2 weigh 0.6 together,
  // d = (0.6 − 0.5, 0.4 − 0.5) at the primaries and 0 at the substitute.
  Model m = dynamic_model(std::nullopt);
  m.symbols.push_back(2);
  m.targets.push_back(0);
  m.lot_sizes.push_back(1);
  m.group_of = {0, 1, 0};
  Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(3, 3);
  cov.topLeftCorner(2, 2) = dynamic_cov();
  cov(2, 2) = 0.04;
  m.dynamic->cov_annual = cov;
  AccountBook grouped = one_account(m, 0, {30, 40, 30});
  CHECK(account_deviation(grouped, 0, std::vector<double>{100, 100, 100}, d) == doctest::Approx(10'000));
  REQUIRE(d.size() == 3);
  CHECK(d[0] == doctest::Approx(0.10));
  CHECK(d[1] == doctest::Approx(-0.10));
  CHECK(d[2] == 0);
}

TEST_CASE("trading cost: a flat cost_bps per symbol, or the model's cost model") {
  const core::SymbolTable symbols = aaa_bbb();
  Model m = dynamic_model(std::nullopt);
  // 5 bps of 2,000 traded.
  CHECK(trading_cost(*m.dynamic, kTrades, symbols, m) == doctest::Approx(1.00));
  // BBB at 2 bps: 1000·5/10⁴ + 1000·2/10⁴ = 0.70.
  m.dynamic->trigger.cost_bps_by_symbol = {{"BBB", 2}};
  CHECK(trading_cost(*m.dynamic, kTrades, symbols, m) == doctest::Approx(0.70));
  // [models.costs]: commission 10 bps (1.00 a trade) and a half-spread of
  // 5 bps (10 units × 0.05 = 0.50 a trade): 2 × 1.50 = 3.00.
  m.dynamic->costs = core::CostParams{.commission_bps = 10, .half_spread_bps = 5};
  CHECK(trading_cost(*m.dynamic, kTrades, symbols, m) == doctest::Approx(3.00));
}

TEST_CASE("the tax a sale would realise, lots chosen as the sale would choose them, and left as they are") {
  const core::SymbolTable symbols = aaa_bbb();
  AccountBook book = one_account(dynamic_model(kDynamicRates), 0, {60, 40});
  AccountLots lots;
  REQUIRE_FALSE(lots.restore(0, dynamic_lots("acct"), symbols));
  const tax::Day day = tax::day_of(kDynamicDay);
  // The short-term lot first: 10 × (100 − 90) × 37% = 37.00.
  CHECK(sale_tax(book, 0, lots, kTrades, day) == doctest::Approx(37.0));
  // 40 units reach the long-term lot: 30 × 3.70 + 10 × 4.00 = 151.00.
  CHECK(lots.tax_if_sold(0, 0, day, 40, 100, 60, kDynamicRates) == doctest::Approx(151.0));
  // Asked twice, the same: nothing was sold.
  CHECK(lots.tax_if_sold(0, 0, day, 40, 100, 60, kDynamicRates) == doctest::Approx(151.0));
  CHECK(lots.lots(0, 0).size() == 2);
  // 10 units held beyond the lots (70 held) go first and realise nothing:
  // the other 30 are the short-term lot, 30 × 3.70 = 111.00.
  CHECK(lots.tax_if_sold(0, 0, day, 40, 100, 70, kDynamicRates) == doctest::Approx(111.0));
  // Without rates, no tax.
  CHECK(lots.tax_if_sold(0, 0, day, 40, 100, 60, std::nullopt) == 0);

  // Lots at a loss: min_tax sells the long-term one first (−20 × 20% = −4.00
  // a unit against −10 × 37% = −3.70): 10 × −4.00 = −40.00, signed.
  AccountLots losses;
  REQUIRE_FALSE(losses.restore(0, dynamic_lots("acct", 120, 110), symbols));
  CHECK(sale_tax(book, 0, losses, kTrades, day) == doctest::Approx(-40.0));
}

TEST_CASE("the whole weighing of the hand-worked account: held with its rates, ahead without") {
  const core::SymbolTable symbols = aaa_bbb();
  const tax::Day day = tax::day_of(kDynamicDay);
  AccountLots lots;
  REQUIRE_FALSE(lots.restore(0, dynamic_lots("acct"), symbols));

  const AccountBook taxed = one_account(dynamic_model(kDynamicRates), 0, {60, 40});
  const RebalanceWeighing held = weigh_rebalance(taxed, 0, kPrices, kTrades, lots, day, symbols);
  CHECK(held.benefit == doctest::Approx(15.00));
  CHECK(held.trading_cost == doctest::Approx(1.00));
  CHECK(held.tax == doctest::Approx(37.00));
  CHECK_FALSE(held.goes_ahead());

  const AccountBook untaxed = one_account(dynamic_model(std::nullopt), 0, {60, 40});
  const RebalanceWeighing ahead = weigh_rebalance(untaxed, 0, kPrices, kTrades, lots, day, symbols);
  CHECK(ahead.tax == 0);
  CHECK(ahead.cost() == doctest::Approx(1.00));
  CHECK(ahead.goes_ahead());
}

}  // namespace test_rebalance_weighing
