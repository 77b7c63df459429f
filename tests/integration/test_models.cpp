// Risk models, target models and the new triggers in the real daemon.
#include <doctest/doctest.h>

#include "tests/integration/support.hpp"

namespace test_models {

using namespace ballast::testing;

TEST_CASE("a risk-parity portfolio warmed from a history CSV trades from its first ticks") {
  DaemonHarness d(std::string(R"(
[[portfolios]]
id = "parity"
cash = 100000.0
targets = { SBI = 0.5, SPI = 0.5 }
lot_sizes = { SBI = 0.01, SPI = 0.01 }

[portfolios.risk]
history = ")") + BALLAST_TEST_DATA + R"(/lpp2005_first120.csv"

[portfolios.model]
kind = "risk-parity"

[[portfolios.triggers]]
kind = "threshold"
absolute = 0.02
)");
  d.start();
  auto s = d.status();
  auto model = s["portfolios"].at(0)["model"];
  CHECK(std::string_view(model["kind"]) == "risk-parity");
  CHECK(bool(model["ready"]) == true);
  CHECK(bool(model["risk"]["warm"]) == true);
  CHECK(num(model["risk"]["samples"]) > 100);
  // Bonds are calmer than equities: risk parity holds more of them.
  CHECK(num(asset(s, 0, "SBI")["target"]) > num(asset(s, 0, "SPI")["target"]));
  // The next trading day, at the history's last prices: all cash, so the band is breached.
  d.prime_frames({"SBI", R"({"price": 98.3735, "ts": "2006-04-17T00:00:00Z"})"});
  d.prime_frames({"SPI", R"({"price": 115.531, "ts": "2006-04-17T00:00:00Z"})"});
  const auto orders = d.orders(2);
  REQUIRE(orders.size() == 2);
  REQUIRE(eventually([&] { return num(d.status()["portfolios"].at(0)["rebalances"]) == 1; }));
  s = d.status();
  const double rc_sbi = num(asset(s, 0, "SBI")["risk_contribution"]);
  const double rc_spi = num(asset(s, 0, "SPI")["risk_contribution"]);
  CHECK(rc_sbi == doctest::Approx(0.5).epsilon(0.01));
  CHECK(rc_spi == doctest::Approx(0.5).epsilon(0.01));
  CHECK(num(asset(s, 0, "SPI")["volatility"]) > num(asset(s, 0, "SBI")["volatility"]));
  CHECK(num(s["portfolios"].at(0)["volatility"]) > 0);
}

TEST_CASE("a fixed risk model and the dynamic trigger, through the daemon") {
  DaemonHarness d(R"(
[[portfolios]]
id = "dyn"
holdings = { A = 70, B = 30 }
targets = { A = 0.6, B = 0.4 }

[portfolios.risk]
volatilities = { A = 0.2, B = 0.1 }

[[portfolios.triggers]]
kind = "dynamic"
risk_aversion = 4.0
horizon = "365.25d"
cost_bps = 10
)");
  d.start();
  d.prime("B", 100);
  d.prime("A", 100);  // w = (0.7, 0.3): benefit 0.001·V beats cost 0.0002·V
  const auto orders = d.orders(2);
  REQUIRE(orders.size() == 2);
  CHECK(orders[0].find("\"reason\":\"dynamic\"") != std::string::npos);
  auto s = d.status();
  CHECK(num(asset(s, 0, "A")["volatility"]) == doctest::Approx(0.2));
  CHECK(std::string_view(s["portfolios"].at(0)["last_rebalance"]["reason"]) == "dynamic");
}

TEST_CASE("a model that is not warm does not trade, and says so") {
  DaemonHarness d(R"(
[[portfolios]]
id = "cold"
cash = 1000.0
targets = { A = 0.5, B = 0.5 }

[portfolios.risk]
min_samples = 50

[portfolios.model]
kind = "mean-variance"
risk_aversion = 3.0
expected_returns = { A = 0.05, B = 0.03 }

[[portfolios.triggers]]
kind = "threshold"
absolute = 0.01
)");
  d.start();
  d.prime("A", 10);
  d.prime("B", 10);
  CHECK(d.orders(1, 300ms).empty());
  auto model = d.status()["portfolios"].at(0)["model"];
  CHECK(bool(model["ready"]) == false);
  CHECK(std::string_view(model["state"]).rfind("warming", 0) == 0);
  CHECK(d.post("/control/rebalance?portfolio=cold").status == 409);
}

TEST_CASE("target-vol, CPPI and buy-and-hold portfolios in one daemon") {
  DaemonHarness d(R"(
[[portfolios]]
id = "tv"
cash = 10000.0
targets = { SPY = 1.0, AGG = 0.0 }

[portfolios.risk]
volatilities = { SPY = 0.20, AGG = 0.05 }

[portfolios.model]
kind = "target-vol"
target_vol = 0.10
safe = "AGG"

[[portfolios.triggers]]
kind = "threshold"
absolute = 0.05

[[portfolios]]
id = "cppi"
cash = 10000.0
targets = { SPY = 1.0 }
lot_sizes = { SPY = 0.001 }

[portfolios.model]
kind = "cppi"
floor_value = 7500.0
multiplier = 2.0

[[portfolios.triggers]]
kind = "threshold"
absolute = 0.05

[[portfolios]]
id = "hold"
holdings = { SPY = 10, AGG = 10 }
targets = { SPY = 0.5, AGG = 0.5 }

[portfolios.model]
kind = "buy-and-hold"

[[portfolios.triggers]]
kind = "threshold"
absolute = 0.01
)");
  d.start();
  d.prime("AGG", 100);
  d.prime("SPY", 500);
  // tv: 10% / 20% → half in SPY (10 shares), half in AGG (50); cppi: 2 × (10000 − 7500) = 5000 in SPY.
  REQUIRE(eventually([&] {
    auto s = d.status();
    return num(s["portfolios"].at(0)["rebalances"]) == 1 && num(s["portfolios"].at(1)["rebalances"]) == 1;
  }));
  auto s = d.status();
  CHECK(num(asset(s, 0, "SPY")["quantity"]) == 10);
  CHECK(num(asset(s, 0, "AGG")["quantity"]) == 50);
  CHECK(num(asset(s, 0, "SPY")["target"]) == doctest::Approx(0.5));
  CHECK(num(asset(s, 1, "SPY")["quantity"]) == doctest::Approx(10));
  CHECK(std::string_view(s["portfolios"].at(1)["model"]["kind"]) == "cppi");
  CHECK(num(s["portfolios"].at(2)["rebalances"]) == 0);
  CHECK(num(asset(s, 2, "SPY")["quantity"]) == 10);
  CHECK(d.post("/control/rebalance?portfolio=hold").status == 200);  // nothing_to_trade
  CHECK(num(d.status()["portfolios"].at(2)["orders"]) == 0);
}

}  // namespace test_models
