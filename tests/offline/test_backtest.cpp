// offline::run_backtest: the engine over a table of prices, checked by hand
// and against independent arithmetic.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "feeds/price_table.hpp"
#include "offline/backtest.hpp"

namespace test_backtest {

using namespace ballast;
using offline::BacktestRun;
using offline::run_backtest;
using strategies::PortfolioSpec;

namespace {

feeds::PriceTable table(const std::string& csv) {
  auto r = feeds::parse_price_table(csv, "test.csv");
  REQUIRE(r.ok());
  return r.table;
}

feeds::PriceTable lpp2005() {
  auto r = feeds::load_price_table(std::string(BALLAST_EXAMPLES) + "/lpp2005_prices.csv");
  REQUIRE(r.ok());
  return r.table;
}

std::vector<PortfolioSpec> portfolios(const std::string& toml) {
  auto loaded = config::parse_config(toml, "test.toml", config::Purpose::offline);
  for (const auto& e : loaded.errors) INFO(e.to_string());
  REQUIRE(loaded.config);
  return loaded.config->portfolios;
}

/// Rows [from, to) of a table.
feeds::PriceTable slice(const feeds::PriceTable& t, std::size_t from, std::size_t to) {
  feeds::PriceTable s;
  s.symbols = t.symbols;
  s.times.assign(t.times.begin() + static_cast<std::ptrdiff_t>(from), t.times.begin() + static_cast<std::ptrdiff_t>(to));
  s.prices.assign(t.prices.begin() + static_cast<std::ptrdiff_t>(from * t.cols()),
                  t.prices.begin() + static_cast<std::ptrdiff_t>(to * t.cols()));
  return s;
}

}  // namespace

TEST_CASE("three rows, every figure by hand") {
  const auto specs = portfolios(R"(
[[portfolios]]
id = "ab"
holdings = { A = 50, B = 50 }
targets = { A = 0.5, B = 0.5 }
[[portfolios.triggers]]
kind = "threshold"
absolute = 0.05
)");
  // Row 0: 50·100 + 50·100 = 10000, on target.
  // Row 1: A 5500, B 5000, V 10500; A weighs 5500/10500 = 0.5238095: drift 0.0238095, inside the band.
  // Row 2: A 6500, B 4500, V 11000; A weighs 0.5909091: drift 1/11 = 0.0909091 → rebalance.
  //   A: (5500 − 6500) / 130 = −7.69 → sell 8 for 1040;  B: (5500 − 4500) / 90 = 11.11 → buy 11 for 990.
  //   After: A 42 (5460), B 61 (5490), cash 1040 − 990 = 50; V 11000.
  const auto prices = table("date,A,B\n2026-01-05,100,100\n2026-01-06,110,100\n2026-01-07,130,90\n");
  const BacktestRun run = run_backtest(specs, prices);
  REQUIRE(run.ok());
  REQUIRE(run.portfolios.size() == 1);
  const auto& p = run.portfolios[0];
  CHECK(p.first_row == 0);
  REQUIRE(p.times.size() == 3);
  CHECK(p.start_value == 10000);
  CHECK(p.values == std::vector<double>{10000, 10500, 11000});
  CHECK(p.cash == std::vector<double>{0, 0, 50});
  CHECK(p.final_value == 11000);

  REQUIRE(p.orders.size() == 2);
  CHECK(p.orders[0].symbol == "A");
  CHECK(p.orders[0].side == core::Side::sell);
  CHECK(p.orders[0].quantity == 8);
  CHECK(p.orders[0].reference_price == 130);
  CHECK(p.orders[0].created_at == prices.times[2]);
  CHECK(p.orders[0].reason == "threshold");
  CHECK(p.orders[1].symbol == "B");
  CHECK(p.orders[1].side == core::Side::buy);
  CHECK(p.orders[1].quantity == 11);
  CHECK(p.orders[1].reference_price == 90);
  CHECK(p.final_quantities == std::vector<double>{42, 61});
  CHECK(p.final_cash == 50);

  REQUIRE(p.rebalances.size() == 1);
  CHECK(p.rebalances[0].at == prices.times[2]);
  CHECK(p.rebalances[0].value == doctest::Approx(11000));
  CHECK(p.rebalances[0].traded_value == doctest::Approx(2030));
  CHECK(p.rebalances[0].max_abs_drift == doctest::Approx(1.0 / 11));
  // Turnover: 2030 / mean(10000, 10500, 11000) = 2030 / 10500 = 0.1933333.
  CHECK(p.traded_value == doctest::Approx(2030));
  CHECK(p.average_value == doctest::Approx(10500));
  CHECK(p.turnover == doctest::Approx(0.1933333));
  CHECK(p.costs == 0);

  // Drift before each row's trades: 0, 0.0238095, 0.0909091; weights after them.
  REQUIRE(p.drift.size() == 3);
  CHECK(p.drift[0] == doctest::Approx(0.0));
  CHECK(p.drift[1] == doctest::Approx(500.0 / 21000));
  CHECK(p.drift[2] == doctest::Approx(1.0 / 11));
  CHECK(p.max_abs_drift == doctest::Approx(1.0 / 11));
  CHECK(p.weights[2 * 2 + 0] == doctest::Approx(5460.0 / 11000));
  CHECK(p.weights[2 * 2 + 1] == doctest::Approx(5490.0 / 11000));
  CHECK(p.targets == std::vector<double>{0.5, 0.5, 0.5, 0.5, 0.5, 0.5});
  CHECK(p.final_targets == std::vector<double>{0.5, 0.5});

  // Buy and hold: 50·A + 50·B = 10000, 10500, 11000 — the same, as trading cost nothing.
  CHECK(p.buy_and_hold == std::vector<double>{10000, 10500, 11000});
  // Constant mix: × (0.5·110/100 + 0.5·100/100) = × 1.05 → 10500; then
  // × (0.5·130/110 + 0.5·90/100) = × 1.0409091 → 10929.5455.
  REQUIRE(p.constant_mix.size() == 3);
  CHECK(p.constant_mix[1] == doctest::Approx(10500));
  CHECK(p.constant_mix[2] == doctest::Approx(10929.5454545));

  // Two days: total return 10 %. Log returns ln 1.05 and ln(11000/10500); their
  // spread |ln 1.05 − ln 1.0476190| = 0.0022701 is the volatility per √(periods/year)
  // (see the metrics tests): 0.0022701 · √(365.25/2) = 0.0306785.
  CHECK(p.stats.total_return == doctest::Approx(0.10));
  CHECK(p.stats.annualised_volatility == doctest::Approx(0.0306785).epsilon(1e-5));
  CHECK(p.stats.drawdown.max == 0);
  // Tracking error: the return differences are 0 and ln(11000/10500) − ln 1.0409091
  // = 0.0064256, so 0.0064256 · √(365.25/2) = 0.0868342.
  CHECK(p.tracking_error == doctest::Approx(0.0868342).epsilon(1e-5));
}

TEST_CASE("three rows with costs: orders fill at the row's price plus the configured costs") {
  const auto specs = portfolios(R"(
[[portfolios]]
id = "ab"
holdings = { A = 50, B = 50 }
targets = { A = 0.5, B = 0.5 }
costs = { commission_bps = 10, half_spread_bps = 50 }
[[portfolios.triggers]]
kind = "threshold"
absolute = 0.05
)");
  // As the case without costs: row 2 sells 8 A at 130 and buys 11 B at 90,
  // which leaves 50 of cash, enough for the 12.18 of costs:
  //   sell A: commission 1.04, half-spread 8 · 0.65 = 5.2 → 8 · 129.35 − 1.04 = 1033.76 in;
  //   buy B:  commission 0.99, half-spread 11 · 0.45 = 4.95 → 11 · 90.45 + 0.99 = 995.94 out.
  // Cash 37.82; value 42 · 130 + 61 · 90 + 37.82 = 10987.82.
  const auto prices = table("date,A,B\n2026-01-05,100,100\n2026-01-06,110,100\n2026-01-07,130,90\n");
  const BacktestRun run = run_backtest(specs, prices);
  REQUIRE(run.ok());
  const auto& p = run.portfolios.at(0);
  REQUIRE(p.orders.size() == 2);
  CHECK(p.orders[0].quantity == 8);
  CHECK(p.orders[1].quantity == 11);
  CHECK(p.final_cash == doctest::Approx(37.82));
  CHECK(p.final_value == doctest::Approx(10987.82));
  CHECK(p.costs == doctest::Approx(12.18));
  CHECK(p.rebalances.at(0).cost == doctest::Approx(12.18));
  // Buy-and-hold never trades, so it pays nothing: 11000.
  CHECK(p.buy_and_hold.back() == doctest::Approx(11000));
}

TEST_CASE("the costs split into commission, spread, slippage and impact, which sum to the total") {
  // The three rows with costs again, every component of the cost model on:
  // row 2 sells 8 A at 130 (value 1040) and buys 11 B at 90 (value 990).
  //   commission: A max(8 · 0.01 + 1040 · 10 bps, 1.115) = 1.12; B max(0.11 + 0.99, 1.115) = 1.115 → 2.235
  //   spread:     A 8 · 0.65 = 5.2; B 11 · 0.45 = 4.95 → 10.15
  //   slippage:   A 1040 · 20 bps = 2.08; B 990 · 20 bps = 1.98 → 4.06
  //   impact:     V · η · σ_daily · √(q / ADV), σ_daily = σ / √252:
  //               A 1040 · 0.5 · 0.2/√252 · √(8/1000) = 0.585974; B 990 · 0.5 · 0.1/√252 · √(11/2000) = 0.231252
  //               → 0.817226
  // Total 17.262226, less than the 50 of cash the trades leave, so the sizes stand.
  const auto specs = portfolios(R"(
[[portfolios]]
id = "ab"
holdings = { A = 50, B = 50 }
targets = { A = 0.5, B = 0.5 }
costs = { commission_per_share = 0.01, commission_bps = 10, commission_min = 1.115, half_spread_bps = 50, slippage_bps = 20, impact_eta = 0.5, adv = { A = 1000, B = 2000 } }
[portfolios.risk]
volatilities = { A = 0.2, B = 0.1 }
[[portfolios.triggers]]
kind = "threshold"
absolute = 0.05
)");
  const auto prices = table("date,A,B\n2026-01-05,100,100\n2026-01-06,110,100\n2026-01-07,130,90\n");
  const BacktestRun run = run_backtest(specs, prices);
  REQUIRE(run.ok());
  const auto& p = run.portfolios.at(0);
  REQUIRE(p.orders.size() == 2);
  CHECK(p.orders[0].quantity == 8);
  CHECK(p.orders[1].quantity == 11);
  REQUIRE(p.rebalances.size() == 1);
  const auto& r = p.rebalances[0];
  CHECK(r.commission == doctest::Approx(2.235));
  CHECK(r.spread == doctest::Approx(10.15));
  CHECK(r.slippage == doctest::Approx(4.06));
  CHECK(r.impact == doctest::Approx(0.817226).epsilon(1e-5));
  CHECK(r.cost == doctest::Approx(17.262226).epsilon(1e-6));
  CHECK(r.commission + r.spread + r.slippage + r.impact == doctest::Approx(r.cost).epsilon(1e-12));
  // The portfolio's totals are the rebalances' sums; the cash paid all of it.
  CHECK(p.commission == doctest::Approx(2.235));
  CHECK(p.spread == doctest::Approx(10.15));
  CHECK(p.slippage == doctest::Approx(4.06));
  CHECK(p.impact == doctest::Approx(0.817226).epsilon(1e-5));
  CHECK(p.commission + p.spread + p.slippage + p.impact == doctest::Approx(p.costs).epsilon(1e-12));
  CHECK(p.final_cash == doctest::Approx(50 - 17.262226).epsilon(1e-6));
}

TEST_CASE("the cost split of many rebalances still sums to the total") {
  const auto specs = portfolios(R"(
[[portfolios]]
id = "ab"
holdings = { A = 50, B = 50 }
targets = { A = 0.5, B = 0.5 }
lot_sizes = { A = 0.01, B = 0.01 }
costs = { commission_per_share = 0.002, commission_min = 0.5, half_spread_bps = 4, slippage_bps = 3, impact_eta = 0.3, adv = { A = 500, B = 800 } }
[portfolios.risk]
volatilities = { A = 0.3, B = 0.15 }
[[portfolios.triggers]]
kind = "threshold"
absolute = 0.01
)");
  std::string csv = "date,A,B\n";
  double a = 100, b = 100;
  for (int d = 1; d <= 28; ++d) {
    a *= d % 3 == 0 ? 0.96 : 1.03;
    b *= d % 4 == 0 ? 1.02 : 0.99;
    csv += "2026-02-" + std::string(d < 10 ? "0" : "") + std::to_string(d) + "," + std::to_string(a) + "," +
           std::to_string(b) + "\n";
  }
  const BacktestRun run = run_backtest(specs, table(csv));
  REQUIRE(run.ok());
  const auto& p = run.portfolios.at(0);
  REQUIRE(p.rebalances.size() >= 3);
  CHECK(p.commission > 0);
  CHECK(p.spread > 0);
  CHECK(p.slippage > 0);
  CHECK(p.impact > 0);
  for (const auto& r : p.rebalances) {
    CHECK(r.commission + r.spread + r.slippage + r.impact == doctest::Approx(r.cost).epsilon(1e-12));
  }
  CHECK(p.commission + p.spread + p.slippage + p.impact == doctest::Approx(p.costs).epsilon(1e-12));
}

TEST_CASE("a seed that is all cash buys on the first decision, and buy-and-hold buys the targets") {
  const auto specs = portfolios(R"(
[[portfolios]]
id = "cash"
cash = 10000.0
targets = { A = 0.6, B = 0.4 }
lot_sizes = { A = 0.001, B = 0.001 }
[[portfolios.triggers]]
kind = "threshold"
absolute = 0.05
)");
  const auto prices = table("date,A,B\n2026-01-05,100,50\n2026-01-06,120,50\n2026-01-07,90,60\n");
  const BacktestRun run = run_backtest(specs, prices);
  REQUIRE(run.ok());
  const auto& p = run.portfolios[0];
  // Row 0: all in cash, drift 0.6 → buy 60 A and 80 B at the row's prices.
  REQUIRE(p.rebalances.size() >= 1);
  CHECK(p.rebalances[0].at == prices.times[0]);
  CHECK(p.drift[0] == doctest::Approx(0.6));
  REQUIRE(p.orders.size() >= 2);
  CHECK(p.orders[0].quantity == doctest::Approx(60));
  CHECK(p.orders[1].quantity == doctest::Approx(80));
  CHECK(p.start_value == 10000);
  // Buy-and-hold holds those 60 A and 80 B: 60·120 + 80·50 = 11200, 60·90 + 80·60 = 10200.
  CHECK(p.buy_and_hold[0] == doctest::Approx(10000));
  CHECK(p.buy_and_hold[1] == doctest::Approx(11200));
  CHECK(p.buy_and_hold[2] == doctest::Approx(10200));
}

TEST_CASE("buy-and-hold: the value is Σ holdings × price + cash on every row, exactly") {
  const auto specs = portfolios(R"(
[[portfolios]]
id = "hold"
cash = 12345.67
holdings = { SBI = 4000, SPI = 1500, SII = 1000, LMI = 1500, MPI = 1000, ALT = 500 }
targets = { SBI = 0.4, SPI = 0.15, SII = 0.1, LMI = 0.15, MPI = 0.1, ALT = 0.1 }
[portfolios.model]
kind = "buy-and-hold"
[[portfolios.triggers]]
kind = "threshold"
absolute = 0.01
[[portfolios.triggers]]
kind = "calendar"
every = "1mo"
)");
  const auto prices = lpp2005();
  const BacktestRun run = run_backtest(specs, prices);
  REQUIRE(run.ok());
  const auto& p = run.portfolios[0];
  CHECK(p.orders.empty());
  CHECK(p.rebalances.empty());
  REQUIRE(p.values.size() == prices.rows());
  // In the portfolio's own order of symbols, which the arithmetic follows.
  const std::map<std::string, double> seed{{"SBI", 4000}, {"SPI", 1500}, {"SII", 1000},
                                           {"LMI", 1500}, {"MPI", 1000}, {"ALT", 500}};
  std::vector<double> holdings;
  std::vector<std::size_t> col;
  for (const auto& s : p.symbols) {
    holdings.push_back(seed.at(s));
    col.push_back(static_cast<std::size_t>(std::find(prices.symbols.begin(), prices.symbols.end(), s) -
                                           prices.symbols.begin()));
  }
  for (std::size_t r = 0; r < prices.rows(); ++r) {
    double expected = 12345.67;
    for (std::size_t i = 0; i < holdings.size(); ++i) expected += holdings[i] * prices.at(r, col[i]);
    CHECK(p.values[r] == expected);
    CHECK(p.buy_and_hold[r] == expected);
  }
  CHECK(p.final_value == p.values.back());
  CHECK(p.stats.total_return == doctest::Approx(p.buy_and_hold_stats.total_return));
  CHECK(p.turnover == 0);
}

TEST_CASE("calendar monthly on LPP2005 matches a plain loop that rebalances on the first row of each month") {
  const auto specs = portfolios(R"(
[[portfolios]]
id = "monthly"
cash = 50000.0
holdings = { SBI = 4000, SPI = 1500, SII = 1000, LMI = 1500, MPI = 1000, ALT = 500 }
targets = { SBI = 0.35, SPI = 0.15, SII = 0.10, LMI = 0.15, MPI = 0.15, ALT = 0.08 }
cash_target = 0.02
lot_sizes = { SBI = 0.0001, SPI = 0.0001, SII = 0.0001, LMI = 0.0001, MPI = 0.0001, ALT = 0.0001 }
[[portfolios.triggers]]
kind = "calendar"
every = "1mo"
)");
  const auto prices = lpp2005();
  const BacktestRun run = run_backtest(specs, prices);
  REQUIRE(run.ok());
  const auto& p = run.portfolios[0];

  // The independent computation: whole lots of 0.0001 to the nearest lot, at
  // the first row of each calendar month after the first row; the 2% cash
  // target leaves room for the rounding, so no buy is ever cut to the cash.
  const std::vector<std::string> symbols{"SBI", "SPI", "SII", "LMI", "MPI", "ALT"};
  const std::vector<double> target{0.35, 0.15, 0.10, 0.15, 0.15, 0.08};
  std::vector<double> q{4000, 1500, 1000, 1500, 1000, 500};
  double cash = 50000;
  const double lot = 0.0001;
  std::vector<std::size_t> col;
  for (const auto& s : symbols) {
    col.push_back(static_cast<std::size_t>(std::find(prices.symbols.begin(), prices.symbols.end(), s) -
                                           prices.symbols.begin()));
  }
  std::vector<core::TimeNs> dates;
  std::size_t orders = 0;
  REQUIRE(p.values.size() == prices.rows());
  for (std::size_t r = 0; r < prices.rows(); ++r) {
    const auto day = core::civil_from_days(prices.times[r] / core::kNanosPerDay);
    bool new_month = false;
    if (r > 0) {
      const auto before = core::civil_from_days(prices.times[r - 1] / core::kNanosPerDay);
      new_month = day.month != before.month || day.year != before.year;
    }
    if (new_month) {
      double value = cash;
      for (std::size_t i = 0; i < q.size(); ++i) value += q[i] * prices.at(r, col[i]);
      for (std::size_t i = 0; i < q.size(); ++i) {
        const double px = prices.at(r, col[i]);
        const double lots = std::round((target[i] * value - q[i] * px) / px / lot);
        if (lots == 0) continue;
        const double traded = std::round(std::abs(lots) * lot * 1e9) / 1e9;
        q[i] = std::round((q[i] + (lots > 0 ? traded : -traded)) * 1e9) / 1e9;
        cash -= (lots > 0 ? traded : -traded) * px;
        ++orders;
      }
      dates.push_back(prices.times[r]);
    }
    double value = cash;
    for (std::size_t i = 0; i < q.size(); ++i) value += q[i] * prices.at(r, col[i]);
    // One lot of 0.0001 at ~100 is 1e-8 of the value: a rounding difference would show.
    CHECK(p.values[r] == doctest::Approx(value).epsilon(1e-10));
  }
  CHECK(dates.size() == 18);
  std::vector<core::TimeNs> got;
  for (const auto& rec : p.rebalances) got.push_back(rec.at);
  CHECK(got == dates);
  CHECK(p.orders.size() == orders);
  for (const auto& o : p.orders) CHECK(o.reason == "calendar");
  for (std::size_t i = 0; i < q.size(); ++i) {
    const auto at = std::find(p.symbols.begin(), p.symbols.end(), symbols[i]) - p.symbols.begin();
    CHECK(p.final_quantities[static_cast<std::size_t>(at)] == doctest::Approx(q[i]).epsilon(1e-12));
  }
  CHECK(p.final_cash == doctest::Approx(cash).epsilon(1e-9));
}

TEST_CASE("an empty cell keeps the symbol's last price") {
  const auto specs = portfolios(R"(
[[portfolios]]
id = "ab"
holdings = { A = 10, B = 10 }
targets = { A = 0.5, B = 0.5 }
)");
  const auto prices = table("date,A,B\n2026-01-05,100,100\n2026-01-06,,120\n2026-01-07,90,\n");
  const BacktestRun run = run_backtest(specs, prices);
  REQUIRE(run.ok());
  CHECK(run.portfolios[0].values == std::vector<double>{2000, 2200, 2100});
}

TEST_CASE("a portfolio's series start once every symbol it holds has a price") {
  const auto specs = portfolios(R"(
[[portfolios]]
id = "ab"
holdings = { A = 10, B = 10 }
targets = { A = 0.5, B = 0.5 }
[[portfolios]]
id = "a"
holdings = { A = 10 }
targets = { A = 1.0 }
)");
  const auto prices = table("date,A,B\n2026-01-05,100,\n2026-01-06,110,\n2026-01-07,120,50\n");
  const BacktestRun run = run_backtest(specs, prices);
  REQUIRE(run.ok());
  CHECK(run.portfolios[0].first_row == 2);
  CHECK(run.portfolios[0].values == std::vector<double>{1700});
  CHECK(run.portfolios[1].first_row == 0);
  CHECK(run.portfolios[1].values == std::vector<double>{1000, 1100, 1200});
}

TEST_CASE("a calendar date on the first row is honoured") {
  const auto specs = portfolios(R"(
[[portfolios]]
id = "m"
cash = 1000.0
targets = { A = 1.0 }
[[portfolios.triggers]]
kind = "calendar"
every = "1mo"
)");
  const auto prices = table("date,A\n2026-01-01,10\n2026-01-02,11\n2026-02-03,12\n");
  const BacktestRun run = run_backtest(specs, prices);
  REQUIRE(run.ok());
  const auto& p = run.portfolios[0];
  REQUIRE(p.rebalances.size() == 1);
  CHECK(p.rebalances[0].at == prices.times[0]);
  CHECK(p.rebalances[0].reason == "calendar");
  // Fully invested at the first row; February's date finds nothing worth trading.
  CHECK(p.final_quantities == std::vector<double>{100});
}

TEST_CASE("a risk history warms the model only with rows before the data") {
  const auto full = lpp2005();
  const auto history = slice(full, 0, 120);
  const auto data = slice(full, 120, full.rows());
  const std::string toml = R"(
[[portfolios]]
id = "parity"
cash = 1000000.0
targets = { SBI = 0.2, SPI = 0.2, SII = 0.2, LMI = 0.2, MPI = 0.2 }
[portfolios.risk]
history = "/history.csv"
[portfolios.model]
kind = "risk-parity"
[[portfolios.triggers]]
kind = "threshold"
absolute = 0.02
)";
  const auto specs = portfolios(toml);
  REQUIRE(specs[0].risk->history == "/history.csv");

  SUBCASE("a history before the data: warm from the first row, which trades") {
    offline::BacktestOptions options;
    options.histories.emplace("/history.csv", history);
    const BacktestRun run = run_backtest(specs, data, options);
    REQUIRE(run.ok());
    const auto& p = run.portfolios[0];
    REQUIRE_FALSE(p.rebalances.empty());
    CHECK(p.rebalances[0].at == data.times[0]);
    // Risk parity moves the targets away from the configured 20% each.
    CHECK(std::abs(p.final_targets[0] - 0.2) > 0.01);
  }
  SUBCASE("the data itself as history: nothing before the first row, so it warms on the data") {
    offline::BacktestOptions options;
    options.histories.emplace("/history.csv", data);
    const BacktestRun run = run_backtest(specs, data, options);
    REQUIRE(run.ok());
    const auto& p = run.portfolios[0];
    REQUIRE_FALSE(p.rebalances.empty());
    // min_samples = 20 daily samples on the data's own clock first.
    CHECK(p.rebalances[0].at > data.times[19]);
  }
  SUBCASE("a history that was not loaded is an error") {
    const BacktestRun run = run_backtest(specs, data);
    CHECK_FALSE(run.ok());
    REQUIRE(run.errors.size() == 1);
    CHECK(run.errors[0] == "portfolio parity: risk history /history.csv was not loaded");
  }
  SUBCASE("a history without a column for an asset is an error") {
    feeds::PriceTable narrow = table("date,SBI,SPI\n2005-01-03,100,100\n");
    offline::BacktestOptions options;
    options.histories.emplace("/history.csv", narrow);
    const BacktestRun run = run_backtest(specs, data, options);
    CHECK_FALSE(run.ok());
    CHECK(run.errors.size() == 3);
    CHECK(run.errors[0] == "portfolio parity: risk history /history.csv has no column for LMI");
  }
}

TEST_CASE("targets that move with the model are reported as the engine holds them") {
  const auto specs = portfolios(R"(
[[portfolios]]
id = "vol"
cash = 1000000.0
targets = { SPI = 0.6, MPI = 0.4, SBI = 0.0 }
[portfolios.risk]
min_samples = 10
[portfolios.model]
kind = "target-vol"
target_vol = 0.05
safe = "SBI"
[[portfolios.triggers]]
kind = "calendar"
every = "1mo"
)");
  const auto prices = lpp2005();
  const BacktestRun run = run_backtest(specs, prices);
  REQUIRE(run.ok());
  const auto& p = run.portfolios[0];
  CHECK(p.model_state == "ready");
  // The safe asset takes what the risky sleeve gives up to reach 5% volatility.
  CHECK(p.final_targets[2] > 0.1);
  double sum = p.final_cash_target;
  for (const double t : p.final_targets) sum += t;
  CHECK(sum == doctest::Approx(1.0));
  const std::size_t last = p.times.size() - 1;
  for (std::size_t i = 0; i < 3; ++i) CHECK(p.targets[last * 3 + i] == p.final_targets[i]);
}

TEST_CASE("inputs that cannot be run are errors, every one of them") {
  const auto specs = portfolios(R"(
[[portfolios]]
id = "one"
holdings = { A = 10, C = 5 }
targets = { A = 0.5, C = 0.5 }
[[portfolios]]
id = "two"
holdings = { B = 10, D = 1 }
targets = { B = 0.5, D = 0.5 }
)");
  const auto prices = table("date,A,B,D\n2026-01-05,100,,\n2026-01-06,110,,\n2026-01-07,120,5,\n");
  const BacktestRun run = run_backtest(specs, prices);
  CHECK_FALSE(run.ok());
  CHECK(run.portfolios.empty());
  CHECK(run.errors == std::vector<std::string>{"portfolio one: symbol C has no column in the prices",
                                               "portfolio two: symbol D has no price in any row"});
  CHECK(run_backtest({}, prices).errors == std::vector<std::string>{"no [[portfolios]] to backtest"});
  CHECK(run_backtest(specs, feeds::PriceTable{}).errors.front() == "the prices have no rows");
}

TEST_CASE("the example backtest configuration is one the daemon takes, and it runs offline") {
  const std::string path = std::string(BALLAST_EXAMPLES) + "/backtest.toml";
  const auto daemon = config::load_config(path, config::Purpose::daemon);
  for (const auto& e : daemon.errors) INFO(e.to_string());
  REQUIRE(daemon.config);
  const BacktestRun run = run_backtest(daemon.config->portfolios, lpp2005());
  REQUIRE(run.ok());
  REQUIRE(run.portfolios.size() == 4);
  // All four start on target with the same 1,000,000; the buy-and-hold one never trades.
  for (const auto& p : run.portfolios) CHECK(p.start_value == doctest::Approx(1'000'000));
  CHECK(run.portfolios[3].spec.id == "hold");
  CHECK(run.portfolios[3].orders.empty());
  CHECK(run.portfolios[3].values == run.portfolios[3].buy_and_hold);
  CHECK(run.portfolios[2].rebalances.size() == 18);
}

}  // namespace test_backtest
