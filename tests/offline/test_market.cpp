// The simulated market from a configuration: [simulation] first, else the
// portfolios' own fixed risk models and mean-variance expected returns.
#include <doctest/doctest.h>

#include <string>

#include "config/config.hpp"
#include "offline/market.hpp"

namespace ballast::offline {
namespace test_market {
namespace {

config::Config parse(const std::string& text) {
  config::LoadResult r = config::parse_config(text, "test.toml", config::Purpose::offline);
  std::string errors;
  for (const auto& e : r.errors) errors += e.to_string() + "\n";
  INFO(errors);
  REQUIRE(r.config.has_value());
  return std::move(*r.config);
}

TEST_CASE("[simulation] gives the whole market, start prices defaulting to 100") {
  const config::Config c = parse(R"([[portfolios]]
id = "p"
cash = 1
targets = { SPY = 0.6, AGG = 0.4 }
[simulation]
expected_returns = { SPY = 0.07, AGG = 0.03 }
volatilities = { SPY = 0.18, AGG = 0.05 }
correlations = { "SPY:AGG" = -0.2 }
start_prices = { SPY = 450 }
)");
  const MarketResult m = gbm_market(c);
  REQUIRE(m.error.empty());
  CHECK(m.market->symbols == std::vector<std::string>{"AGG", "SPY"});
  CHECK(m.market->start_prices == std::vector<double>{100, 450});
  CHECK(m.market->drift == std::vector<double>{0.03, 0.07});
  CHECK(m.market->volatility == std::vector<double>{0.05, 0.18});
  CHECK(m.market->correlation(0, 1) == -0.2);
  CHECK(m.market->correlation(1, 0) == -0.2);
}

TEST_CASE("without [simulation] volatilities and returns, the portfolios' models give them") {
  const config::Config c = parse(R"([[portfolios]]
id = "mv"
cash = 1
targets = { SPY = 0.6, AGG = 0.4 }
[portfolios.risk]
volatilities = { SPY = 0.18, AGG = 0.05 }
correlations = { "SPY:AGG" = -0.2 }
[portfolios.model]
kind = "mean-variance"
risk_aversion = 3
expected_returns = { SPY = 0.07, AGG = 0.03 }

[[portfolios]]
id = "gold"
cash = 1
targets = { SPY = 0.5, GLD = 0.5 }
[portfolios.risk]
volatilities = { SPY = 0.18, GLD = 0.15 }
[portfolios.model]
kind = "mean-variance"
risk_aversion = 3
expected_returns = { SPY = 0.07, GLD = 0.04 }
)");
  const MarketResult m = gbm_market(c);
  REQUIRE(m.error.empty());
  CHECK(m.market->symbols == std::vector<std::string>{"AGG", "SPY", "GLD"});
  CHECK(m.market->volatility == std::vector<double>{0.05, 0.18, 0.15});
  CHECK(m.market->drift == std::vector<double>{0.03, 0.07, 0.04});
  CHECK(m.market->correlation(0, 1) == -0.2);
  CHECK(m.market->correlation(1, 2) == 0);  // no model names SPY:GLD
}

TEST_CASE("portfolios that disagree on the market are an error that names them") {
  const config::Config c = parse(R"([[portfolios]]
id = "a"
cash = 1
targets = { SPY = 1 }
[portfolios.risk]
volatilities = { SPY = 0.18 }

[[portfolios]]
id = "b"
cash = 1
targets = { SPY = 1 }
[portfolios.risk]
volatilities = { SPY = 0.2 }
)");
  CHECK(gbm_market(c).error ==
        "portfolios a and b give the volatility of SPY different values (0.18 and 0.2); give one in [simulation]");
}

TEST_CASE("a symbol without an expected return is named, with where to give one") {
  const config::Config c = parse(R"([[portfolios]]
id = "p"
cash = 1
targets = { SPY = 0.6, AGG = 0.4 }
[simulation]
volatilities = { SPY = 0.18, AGG = 0.05 }
)");
  CHECK(gbm_market(c).error ==
        "no expected return for AGG, SPY: give [simulation] expected_returns for every symbol, or a mean-variance "
        "model's expected_returns that names it");
}

}  // namespace
}  // namespace test_market
}  // namespace ballast::offline
