// The loader on [portfolios.risk], [portfolios.model] and the risk-aware
// triggers: valid tables land in exact typed values, and every broken one is
// reported at its line and column with what was expected.
#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "config/config.hpp"
#include "core/time.hpp"
#include "tests/config/config_test_support.hpp"

namespace ballast::config {
namespace loader_models_test {
namespace {

using strategies::ModelKind;
using test::describe;
using test::only_error;
using test::with_head;
using test::valid;

using Pairs = std::vector<std::pair<std::string, double>>;

/// Parses and requires exactly `n` errors, which it returns in file order.
std::vector<ConfigError> errors(const std::string& text, std::size_t n) {
  const LoadResult r = parse_config(text, "test.toml", Purpose::offline);
  INFO("errors:\n", describe(r));
  REQUIRE(r.errors.size() == n);
  CHECK_FALSE(r.config.has_value());
  return r.errors;
}

// --- valid files --------------------------------------------------------------------------------------------------

TEST_CASE("a portfolio without risk or model tables gets no risk model and the fixed model") {
  const Config c = valid(with_head(""));
  const auto& p = c.portfolios.at(0);
  CHECK_FALSE(p.risk.has_value());
  CHECK(p.model.kind == ModelKind::fixed);
}

TEST_CASE("an estimated risk model, a target-vol model and both risk-aware triggers") {
  const Config c = valid(R"([[portfolios]]
id = "tv"
targets = { SPY = 0.5, QQQ = 0.3, AGG = 0.2 }

[portfolios.risk]
halflife = "30d"
sample_every = "1h"
min_samples = 50
periods_per_year = 8760
history = "data/prices.csv"

[portfolios.model]
kind = "target-vol"
target_vol = 0.12
max_leverage = 1.5
safe = "AGG"

[[portfolios.triggers]]
kind = "volatility"
change = 0.25
min = 0.05
max = 0.2

[[portfolios.triggers]]
kind = "dynamic"
risk_aversion = 3
horizon = "1w"
cost_bps = { default = 12.5, SPY = 2, AGG = 0 }
)");
  const auto& p = c.portfolios.at(0);
  REQUIRE(p.risk.has_value());
  const strategies::RiskSpec& risk = *p.risk;
  CHECK(risk.halflife == 30 * core::kNanosPerDay);
  CHECK(risk.sample_every == 3600 * core::kNanosPerSecond);
  CHECK(risk.min_samples == 50);
  CHECK(risk.periods_per_year == 8760.0);
  CHECK(risk.history == "data/prices.csv");  // beside "test.toml", which has no directory
  CHECK(risk.volatilities.empty());
  CHECK(risk.correlations.empty());

  CHECK(p.model.kind == ModelKind::target_vol);
  CHECK(p.model.target_vol == 0.12);
  CHECK(p.model.max_leverage == 1.5);
  CHECK(p.model.safe == "AGG");

  REQUIRE(p.triggers.size() == 2);
  const auto* vol = std::get_if<strategies::VolatilityTrigger>(&p.triggers[0]);
  REQUIRE(vol);
  CHECK(vol->change == 0.25);
  CHECK(vol->min == 0.05);
  CHECK(vol->max == 0.2);
  const auto* dyn = std::get_if<strategies::DynamicTrigger>(&p.triggers[1]);
  REQUIRE(dyn);
  CHECK(dyn->risk_aversion == 3.0);
  CHECK(dyn->horizon == 7 * core::kNanosPerDay);
  CHECK(dyn->cost_bps == 12.5);
  CHECK(dyn->cost_bps_by_symbol == Pairs{{"AGG", 0.0}, {"SPY", 2.0}});
}

TEST_CASE("risk, model and trigger defaults") {
  const Config c = valid(with_head(R"([portfolios.risk]
[portfolios.model]
kind = "target-vol"
[[portfolios.triggers]]
kind = "volatility"
min = 0
[[portfolios.triggers]]
kind = "dynamic"
)"));
  const auto& p = c.portfolios.at(0);
  REQUIRE(p.risk.has_value());
  CHECK(p.risk->halflife == 60 * core::kNanosPerDay);
  CHECK(p.risk->sample_every == core::kNanosPerDay);
  CHECK(p.risk->min_samples == 20);
  CHECK_FALSE(p.risk->periods_per_year.has_value());
  CHECK(p.risk->history.empty());
  CHECK(p.model.kind == ModelKind::target_vol);
  CHECK(p.model.target_vol == 0.10);
  CHECK(p.model.max_leverage == 1.0);
  CHECK(p.model.safe == "cash");
  REQUIRE(p.triggers.size() == 2);
  const auto* vol = std::get_if<strategies::VolatilityTrigger>(&p.triggers[0]);
  REQUIRE(vol);
  CHECK_FALSE(vol->change.has_value());
  CHECK(vol->min == 0.0);
  CHECK_FALSE(vol->max.has_value());
  const auto* dyn = std::get_if<strategies::DynamicTrigger>(&p.triggers[1]);
  REQUIRE(dyn);
  CHECK(dyn->risk_aversion == 1.0);
  CHECK(dyn->horizon == 30 * core::kNanosPerDay);
  CHECK(dyn->cost_bps == 10.0);
  CHECK(dyn->cost_bps_by_symbol.empty());
}

TEST_CASE("a dynamic trigger's cost_bps may be one number for every asset") {
  const Config c = valid(with_head(R"(risk = {}
[[portfolios.triggers]]
kind = "dynamic"
cost_bps = 4
)"));
  const auto* dyn = std::get_if<strategies::DynamicTrigger>(&c.portfolios.at(0).triggers.at(0));
  REQUIRE(dyn);
  CHECK(dyn->cost_bps == 4.0);
  CHECK(dyn->cost_bps_by_symbol.empty());
}

TEST_CASE("history is resolved against the config file's directory") {
  const auto history_of = [](const std::string& config_path, const std::string& history) {
    const LoadResult r =
        parse_config(with_head("[portfolios.risk]\nhistory = \"" + history + "\"\n"), config_path, Purpose::offline);
    INFO(describe(r));
    REQUIRE(r.config.has_value());
    REQUIRE(r.config->portfolios.at(0).risk.has_value());
    return r.config->portfolios.at(0).risk->history;
  };
  CHECK(history_of("/etc/ballast/ballast.toml", "prices.csv") == "/etc/ballast/prices.csv");
  CHECK(history_of("/etc/ballast/ballast.toml", "data/prices.csv") == "/etc/ballast/data/prices.csv");
  CHECK(history_of("/etc/ballast/ballast.toml", "../shared/prices.csv") == "/etc/ballast/../shared/prices.csv");
  CHECK(history_of("/etc/ballast/ballast.toml", "/var/lib/ballast/prices.csv") == "/var/lib/ballast/prices.csv");
  CHECK(history_of("configs/paper.toml", "prices.csv") == "configs/prices.csv");
  CHECK(history_of("paper.toml", "prices.csv") == "prices.csv");
}

TEST_CASE("a fixed risk model with correlations, and a risk-parity model with budgets") {
  const Config c = valid(R"([[portfolios]]
id = "rp"
targets = { SPY = 0.4, AGG = 0.4, GLD = 0.2 }

[portfolios.risk]
volatilities = { SPY = 0.18, AGG = 0.05, GLD = 0.15 }
correlations = { "SPY:AGG" = -0.2, "GLD:SPY" = 0.1 }

[portfolios.model]
kind = "risk-parity"
budgets = { SPY = 0.5, AGG = 0.25, GLD = 0.25 }
)");
  const auto& p = c.portfolios.at(0);
  REQUIRE(p.risk.has_value());
  // Per-symbol tables come out in the order of the assets (targets).
  CHECK(p.risk->volatilities == Pairs{{"AGG", 0.05}, {"GLD", 0.15}, {"SPY", 0.18}});
  REQUIRE(p.risk->correlations.size() == 2);
  CHECK(p.risk->correlations[0].a == "GLD");
  CHECK(p.risk->correlations[0].b == "SPY");
  CHECK(p.risk->correlations[0].rho == 0.1);
  CHECK(p.risk->correlations[1].a == "SPY");
  CHECK(p.risk->correlations[1].b == "AGG");
  CHECK(p.risk->correlations[1].rho == -0.2);
  CHECK(p.risk->history.empty());
  CHECK(p.model.kind == ModelKind::risk_parity);
  CHECK(p.model.budgets == Pairs{{"AGG", 0.25}, {"GLD", 0.25}, {"SPY", 0.5}});
}

TEST_CASE("a risk-parity model without budgets has equal ones") {
  const Config c = valid(with_head("[portfolios.risk]\n[portfolios.model]\nkind = \"risk-parity\"\n"));
  CHECK(c.portfolios.at(0).model.kind == ModelKind::risk_parity);
  CHECK(c.portfolios.at(0).model.budgets.empty());
}

TEST_CASE("a mean-variance model") {
  const Config c = valid(R"([[portfolios]]
id = "mv"
targets = { SPY = 0.5, AGG = 0.3, GLD = 0.1 }
cash_target = 0.1

[portfolios.risk]
halflife = "90d"

[portfolios.model]
kind = "mean-variance"
risk_aversion = 4
expected_returns = { SPY = 0.07, AGG = 0.03, GLD = -0.01 }
min_weight = 0.05
max_weight = 0.6
)");
  const auto& m = c.portfolios.at(0).model;
  CHECK(m.kind == ModelKind::mean_variance);
  CHECK(m.risk_aversion == 4.0);
  CHECK(m.expected_returns == Pairs{{"AGG", 0.03}, {"GLD", -0.01}, {"SPY", 0.07}});
  CHECK(m.min_weight == 0.05);
  CHECK(m.max_weight == 0.6);
}

TEST_CASE("mean-variance bounds that fit exactly what cash_target leaves are feasible") {
  // 3 × 0.3 = 0.9 = 1 − 0.1 in decimal, not quite in binary.
  const Config c = valid(R"([[portfolios]]
id = "mv"
targets = { SPY = 0.3, AGG = 0.3, GLD = 0.3 }
cash_target = 0.1
risk = {}
[portfolios.model]
kind = "mean-variance"
risk_aversion = 2
expected_returns = { SPY = 0.1, AGG = 0.1, GLD = 0.1 }
min_weight = 0.3
max_weight = 0.3
)");
  CHECK(c.portfolios.at(0).model.min_weight == 0.3);
  CHECK(c.portfolios.at(0).model.max_weight == 0.3);
}

TEST_CASE("a cppi model with a floor fraction, a risky symbol and a safe symbol") {
  const Config c = valid(with_head(R"([portfolios.model]
kind = "cppi"
risky = "SPY"
safe = "AGG"
floor = 0.8
multiplier = 4
)"));
  const auto& p = c.portfolios.at(0);
  CHECK_FALSE(p.risk.has_value());  // cppi needs no risk model
  CHECK(p.model.kind == ModelKind::cppi);
  CHECK(p.model.risky == "SPY");
  CHECK(p.model.safe == "AGG");
  CHECK(p.model.floor == 0.8);
  CHECK_FALSE(p.model.floor_value.has_value());
  CHECK(p.model.multiplier == 4.0);
}

TEST_CASE("a cppi model with an absolute floor, the targets mix and cash as the safe asset") {
  const Config c = valid(with_head("[portfolios.model]\nkind = \"cppi\"\nfloor_value = 90000\n"));
  const auto& m = c.portfolios.at(0).model;
  CHECK(m.kind == ModelKind::cppi);
  CHECK(m.risky.empty());
  CHECK(m.safe == "cash");
  CHECK_FALSE(m.floor.has_value());
  CHECK(m.floor_value == 90000.0);
  CHECK(m.multiplier == 2.0);
}

TEST_CASE("buy-and-hold and an explicit fixed model") {
  CHECK(valid(with_head("[portfolios.model]\nkind = \"buy-and-hold\"\n")).portfolios.at(0).model.kind ==
        ModelKind::buy_and_hold);
  CHECK(valid(with_head("model = { kind = \"fixed\" }\n")).portfolios.at(0).model.kind == ModelKind::fixed);
}

// --- errors: [portfolios.risk] ------------------------------------------------------------------------------------

TEST_CASE("risk table errors") {
  SUBCASE("an unknown key lists the known ones") {
    const auto e = only_error(with_head("[portfolios.risk]\nhalf_life = \"30d\"\n"));
    CHECK_AT(e, 5, 1);
    CHECK(e.message ==
          "unknown key \"half_life\" in [portfolios.risk] (expected one of: halflife, sample_every, min_samples, "
          "periods_per_year, history, volatilities, correlations)");
  }
  SUBCASE("risk of the wrong type") {
    const auto e = only_error(with_head("risk = \"ewma\"\n"));
    CHECK_AT(e, 4, 8);
    CHECK(e.message == "risk: expected a table, got a string");
  }
  SUBCASE("a halflife that is not a duration") {
    const auto e = only_error(with_head("[portfolios.risk]\nhalflife = \"2mo\"\n"));
    CHECK_AT(e, 5, 12);
    CHECK(e.message ==
          "halflife: expected a duration, a positive number and a unit (ns, us, ms, s, m, h, d or w), such as "
          "\"250ms\", \"30s\", \"15m\", \"1h\", \"1d\" or \"1w\", got \"2mo\"");
  }
  SUBCASE("a sample_every that is not a duration") {
    const auto e = only_error(with_head("[portfolios.risk]\nsample_every = 86400\n"));
    CHECK_AT(e, 5, 16);
    CHECK(e.message == "sample_every: expected a string, got an integer");
  }
  SUBCASE("min_samples below 1") {
    const auto e = only_error(with_head("[portfolios.risk]\nmin_samples = 0\n"));
    CHECK_AT(e, 5, 15);
    CHECK(e.message == "min_samples: must be an integer in 1..2147483647, got 0");
  }
  SUBCASE("min_samples as a float") {
    const auto e = only_error(with_head("[portfolios.risk]\nmin_samples = 20.0\n"));
    CHECK_AT(e, 5, 15);
    CHECK(e.message == "min_samples: expected an integer, got a float");
  }
  SUBCASE("periods_per_year must be positive") {
    const auto e = only_error(with_head("[portfolios.risk]\nperiods_per_year = 0\n"));
    CHECK_AT(e, 5, 20);
    CHECK(e.message == "periods_per_year: must be > 0, got 0");
  }
  SUBCASE("an empty history") {
    const auto e = only_error(with_head("[portfolios.risk]\nhistory = \"\"\n"));
    CHECK_AT(e, 5, 11);
    CHECK(e.message == "history: expected a non-empty string");
  }
  SUBCASE("history with volatilities") {
    const auto e = only_error(with_head(R"([portfolios.risk]
volatilities = { SPY = 0.18, AGG = 0.05 }
history = "prices.csv"
)"));
    CHECK_AT(e, 6, 11);
    CHECK(e.message == "history: a fixed risk model (volatilities) needs no history; remove history or volatilities");
  }
}

TEST_CASE("fixed risk model errors") {
  SUBCASE("a negative volatility") {
    const auto e = only_error(with_head("[portfolios.risk]\nvolatilities = { SPY = -0.18, AGG = 0.05 }\n"));
    CHECK_AT(e, 5, 24);
    CHECK(e.message == "volatilities.SPY: must be >= 0, got -0.18");
  }
  SUBCASE("an infinite volatility") {
    const auto e = only_error(with_head("[portfolios.risk]\nvolatilities = { SPY = inf, AGG = 0.05 }\n"));
    CHECK_AT(e, 5, 24);
    CHECK(e.message == "volatilities.SPY: expected a finite number, got inf");
  }
  SUBCASE("a volatility for a symbol without a target") {
    const auto e = only_error(with_head("[portfolios.risk]\nvolatilities = { SPY = 0.18, AGG = 0.05, TLT = 0.1 }\n"));
    CHECK_AT(e, 5, 42);
    CHECK(e.message == "volatilities.TLT: TLT has no target; volatilities may only name symbols in targets");
  }
  SUBCASE("a symbol of targets without a volatility") {
    const auto e = only_error(with_head("[portfolios.risk]\nvolatilities = { SPY = 0.18 }\n"));
    CHECK_AT(e, 5, 16);
    CHECK(e.message == "volatilities: missing AGG; a fixed risk model needs a volatility for every symbol in targets");
  }
  SUBCASE("correlations without volatilities") {
    const auto e = only_error(with_head("[portfolios.risk]\ncorrelations = { \"SPY:AGG\" = -0.2 }\n"));
    CHECK_AT(e, 5, 16);
    CHECK(e.message ==
          "correlations: only a fixed risk model takes correlations; give volatilities for every symbol too, or "
          "remove correlations to estimate both from prices");
  }
  SUBCASE("a correlation key that is not A:B") {
    // A key without ':' is a bare TOML key, so messages spell it unquoted.
    const std::pair<std::string, std::string> cases[] = {
        {"SPY-AGG", "SPY-AGG"}, {":AGG", "\":AGG\""}, {"SPY:", "\"SPY:\""}, {"SPY:AGG:GLD", "\"SPY:AGG:GLD\""}};
    for (const auto& c : cases) {
      const std::string& key = c.first;
      const std::string& spelled = c.second;
      CAPTURE(key);
      const auto e =
          only_error(with_head("[portfolios.risk]\nvolatilities = { SPY = 0.18, AGG = 0.05 }\n"
                               "correlations = { \"" +
                               key + "\" = 0.1 }\n"));
      CHECK_AT(e, 6, 18);
      CHECK(e.message ==
            "correlations." + spelled + ": expected two symbols of targets written \"A:B\", such as \"SPY:AGG\"");
    }
  }
  SUBCASE("a correlation of a symbol with itself") {
    const auto e = only_error(with_head(R"([portfolios.risk]
volatilities = { SPY = 0.18, AGG = 0.05 }
correlations = { "SPY:SPY" = 1 }
)"));
    CHECK_AT(e, 6, 18);
    CHECK(e.message == "correlations.\"SPY:SPY\": the correlation of a symbol with itself is always 1");
  }
  SUBCASE("a correlation naming a symbol without a target") {
    const auto e = only_error(with_head(R"([portfolios.risk]
volatilities = { SPY = 0.18, AGG = 0.05 }
correlations = { "SPY:TLT" = 0.3 }
)"));
    CHECK_AT(e, 6, 18);
    CHECK(e.message == "correlations.\"SPY:TLT\": TLT has no target; correlations may only name symbols in targets");
  }
  SUBCASE("a correlation outside [-1, 1]") {
    const auto e = only_error(with_head(R"([portfolios.risk]
volatilities = { SPY = 0.18, AGG = 0.05 }
correlations = { "SPY:AGG" = -1.2 }
)"));
    CHECK_AT(e, 6, 30);
    CHECK(e.message == "correlations.\"SPY:AGG\": must be in [-1, 1], got -1.2");
  }
  SUBCASE("a pair given twice in either order is reported at the later one") {
    const auto e = only_error(with_head(R"([portfolios.risk]
volatilities = { SPY = 0.18, AGG = 0.05 }
[portfolios.risk.correlations]
"SPY:AGG" = -0.2
"AGG:SPY" = -0.3
)"));
    CHECK_AT(e, 8, 1);
    CHECK(e.message == "correlations.\"AGG:SPY\": duplicate pair (first given as \"SPY:AGG\" at line 7)");
  }
  SUBCASE("correlations that are not jointly possible") {
    const auto e = only_error(R"([[portfolios]]
id = "p"
targets = { A = 0.4, B = 0.3, C = 0.3 }
[portfolios.risk]
volatilities = { A = 0.2, B = 0.2, C = 0.2 }
correlations = { "A:B" = 0.9, "A:C" = 0.9, "B:C" = -0.9 }
)");
    CHECK_AT(e, 4, 1);
    CHECK(test::contains(e.message,
                         "correlations are jointly inconsistent: the matrix is not positive semi-definite (smallest "
                         "eigenvalue "));
  }
}

// --- errors: [portfolios.model] -----------------------------------------------------------------------------------

TEST_CASE("model kind errors") {
  SUBCASE("a missing kind is reported at the table") {
    const auto e = only_error(with_head("[portfolios.model]\ntarget_vol = 0.1\n"));
    CHECK_AT(e, 4, 1);
    CHECK(e.message ==
          "[portfolios.model] is missing required key \"kind\" (one of \"fixed\", \"target-vol\", \"risk-parity\", "
          "\"mean-variance\", \"cppi\", \"buy-and-hold\")");
  }
  SUBCASE("an unknown kind lists the known ones") {
    const auto e = only_error(with_head("[portfolios.model]\nkind = \"min-variance\"\n"));
    CHECK_AT(e, 5, 8);
    CHECK(e.message ==
          "kind: unknown model kind \"min-variance\" (known kinds: \"fixed\", \"target-vol\", \"risk-parity\", "
          "\"mean-variance\", \"cppi\", \"buy-and-hold\")");
  }
  SUBCASE("a kind that is not a string") {
    const auto e = only_error(with_head("model = { kind = 1 }\n"));
    CHECK_AT(e, 4, 18);
    CHECK(e.message == "kind: expected a string, got an integer");
  }
  SUBCASE("a key of another kind is unknown for this one") {
    const auto e = only_error(with_head("[portfolios.model]\nkind = \"fixed\"\ntarget_vol = 0.1\n"));
    CHECK_AT(e, 6, 1);
    CHECK(e.message == "unknown key \"target_vol\" in a fixed model (expected one of: kind)");
  }
  SUBCASE("buy-and-hold takes no keys") {
    const auto e = only_error(with_head("[portfolios.model]\nkind = \"buy-and-hold\"\nsafe = \"cash\"\n"));
    CHECK_AT(e, 6, 1);
    CHECK(e.message == "unknown key \"safe\" in a buy-and-hold model (expected one of: kind)");
  }
  SUBCASE("target-vol and risk-parity need a risk model") {
    for (const char* kind : {"target-vol", "risk-parity"}) {
      CAPTURE(kind);
      const auto e = only_error(with_head(std::string("\n[portfolios.model]\nkind = \"") + kind + "\"\n"));
      CHECK_AT(e, 5, 1);
      CHECK(e.message == std::string("kind = \"") + kind + "\" needs [portfolios.risk]");
    }
  }
  SUBCASE("mean-variance needs a risk model") {
    const auto e = only_error(with_head(
        "model = { kind = \"mean-variance\", risk_aversion = 1, expected_returns = { SPY = 0.1, AGG = 0 } }\n"));
    CHECK_AT(e, 4, 9);
    CHECK(e.message == "kind = \"mean-variance\" needs [portfolios.risk]");
  }
}

TEST_CASE("target-vol errors") {
  const std::string head = with_head("[portfolios.risk]\n[portfolios.model]\nkind = \"target-vol\"\n");  // to line 6
  SUBCASE("unknown keys list the target-vol keys") {
    const auto e = only_error(head + "risky = \"SPY\"\n");
    CHECK_AT(e, 7, 1);
    CHECK(e.message ==
          "unknown key \"risky\" in a target-vol model (expected one of: kind, target_vol, max_leverage, safe)");
  }
  SUBCASE("target_vol must be positive") {
    const auto e = only_error(head + "target_vol = 0\n");
    CHECK_AT(e, 7, 14);
    CHECK(e.message == "target_vol: must be > 0, got 0");
  }
  SUBCASE("max_leverage must be positive") {
    const auto e = only_error(head + "max_leverage = -1\n");
    CHECK_AT(e, 7, 16);
    CHECK(e.message == "max_leverage: must be > 0, got -1");
  }
  SUBCASE("safe must be a symbol of targets or cash") {
    const auto e = only_error(head + "safe = \"TLT\"\n");
    CHECK_AT(e, 7, 8);
    CHECK(e.message == "safe: \"TLT\" is not in targets; expected a symbol of targets or \"cash\"");
  }
  SUBCASE("the risky mix needs another symbol with a target") {
    const auto e = only_error(R"([[portfolios]]
id = "p"
targets = { SPY = 0, AGG = 1 }
risk = {}
[portfolios.model]
kind = "target-vol"
safe = "AGG"
)");
    CHECK_AT(e, 5, 1);
    CHECK(e.message ==
          "a target-vol model needs a risky mix: a symbol of targets other than safe (\"AGG\") with a target > 0");
  }
}

TEST_CASE("risk-parity errors") {
  const std::string head = with_head("[portfolios.risk]\n[portfolios.model]\nkind = \"risk-parity\"\n");  // to line 6
  SUBCASE("unknown keys list the risk-parity keys") {
    const auto e = only_error(head + "budget = { SPY = 1 }\n");
    CHECK_AT(e, 7, 1);
    CHECK(e.message == "unknown key \"budget\" in a risk-parity model (expected one of: kind, budgets)");
  }
  SUBCASE("a zero budget") {
    const auto e = only_error(head + "budgets = { SPY = 1, AGG = 0 }\n");
    CHECK_AT(e, 7, 28);
    CHECK(e.message == "budgets.AGG: must be > 0, got 0");
  }
  SUBCASE("a budget for a symbol without a target") {
    const auto e = only_error(head + "budgets = { SPY = 0.5, AGG = 0.25, TLT = 0.25 }\n");
    CHECK_AT(e, 7, 36);
    CHECK(e.message == "budgets.TLT: TLT has no target; budgets may only name symbols in targets");
  }
  SUBCASE("a symbol without a budget") {
    const auto e = only_error(head + "budgets = { SPY = 1 }\n");
    CHECK_AT(e, 7, 11);
    CHECK(e.message == "budgets: missing AGG; when budgets are given, every symbol in targets needs one");
  }
  SUBCASE("budgets that do not sum to 1") {
    const auto e = only_error(head + "budgets = { SPY = 0.6, AGG = 0.3 }\n");
    CHECK_AT(e, 7, 11);
    CHECK(e.message == "budgets: sum to 0.9, expected 1 (within 1e-6)");
  }
}

TEST_CASE("mean-variance errors") {
  const std::string head = with_head("[portfolios.risk]\n[portfolios.model]\nkind = \"mean-variance\"\n");  // to line 6
  const std::string returns = "expected_returns = { SPY = 0.07, AGG = 0.03 }\n";
  SUBCASE("risk_aversion and expected_returns are required") {
    const auto r = errors(head, 2);
    CHECK_AT(r[0], 5, 1);
    CHECK(r[0].message == "a mean-variance model is missing required key \"risk_aversion\" (a number > 0)");
    CHECK_AT(r[1], 5, 1);
    CHECK(r[1].message ==
          "a mean-variance model is missing required key \"expected_returns\" (an annual expected return for every "
          "symbol in targets, such as { SPY = 0.07 })");
  }
  SUBCASE("risk_aversion must be positive") {
    const auto e = only_error(head + "risk_aversion = 0\n" + returns);
    CHECK_AT(e, 7, 17);
    CHECK(e.message == "risk_aversion: must be > 0, got 0");
  }
  SUBCASE("unknown keys list the mean-variance keys") {
    const auto e = only_error(head + "risk_aversion = 2\n" + returns + "floor = 0.8\n");
    CHECK_AT(e, 9, 1);
    CHECK(e.message ==
          "unknown key \"floor\" in a mean-variance model (expected one of: kind, risk_aversion, expected_returns, "
          "min_weight, max_weight)");
  }
  SUBCASE("a symbol without an expected return") {
    const auto e = only_error(head + "risk_aversion = 2\nexpected_returns = { SPY = 0.07 }\n");
    CHECK_AT(e, 8, 20);
    CHECK(e.message ==
          "expected_returns: missing AGG; a mean-variance model needs an expected return for every symbol in targets");
  }
  SUBCASE("an expected return that is not finite") {
    const auto e = only_error(head + "risk_aversion = 2\nexpected_returns = { SPY = nan, AGG = 0.03 }\n");
    CHECK_AT(e, 8, 28);
    CHECK(e.message == "expected_returns.SPY: expected a finite number, got nan");
  }
  SUBCASE("an expected return for a symbol without a target") {
    const auto e = only_error(head + "risk_aversion = 2\nexpected_returns = { SPY = 0.07, AGG = 0.03, TLT = 0.04 }\n");
    CHECK_AT(e, 8, 46);
    CHECK(e.message == "expected_returns.TLT: TLT has no target; expected_returns may only name symbols in targets");
  }
  SUBCASE("max_weight below min_weight") {
    const auto e = only_error(head + "risk_aversion = 2\n" + returns + "min_weight = 0.4\nmax_weight = 0.3\n");
    CHECK_AT(e, 10, 14);
    CHECK(e.message == "max_weight: must be >= min_weight (0.4), got 0.3");
  }
  SUBCASE("min_weight outside [0, 1]") {
    const auto e = only_error(head + "risk_aversion = 2\n" + returns + "min_weight = -0.1\n");
    CHECK_AT(e, 9, 14);
    CHECK(e.message == "min_weight: must be in [0, 1], got -0.1");
  }
  SUBCASE("a min_weight the symbols cannot all hold") {
    const auto e = only_error(head + "risk_aversion = 2\n" + returns + "min_weight = 0.6\n");
    CHECK_AT(e, 9, 14);
    CHECK(e.message ==
          "min_weight: 2 symbols at min_weight 0.6 need 1.2, more than the 1 that cash_target (0) leaves; lower "
          "min_weight");
  }
  SUBCASE("a max_weight too small to invest what cash_target leaves") {
    const auto e = only_error(R"([[portfolios]]
id = "p"
targets = { SPY = 0.6, AGG = 0.35 }
cash_target = 0.05
risk = {}
[portfolios.model]
kind = "mean-variance"
risk_aversion = 2
expected_returns = { SPY = 0.07, AGG = 0.03 }
max_weight = 0.4
)");
    CHECK_AT(e, 10, 14);
    CHECK(e.message ==
          "max_weight: 2 symbols at max_weight 0.4 hold at most 0.8, less than the 0.95 that cash_target (0.05) "
          "leaves; raise max_weight or cash_target");
  }
}

TEST_CASE("cppi errors") {
  const std::string head = with_head("[portfolios.model]\nkind = \"cppi\"\n");  // to line 5
  SUBCASE("neither floor nor floor_value") {
    const auto e = only_error(head + "multiplier = 3\n");
    CHECK_AT(e, 4, 1);
    CHECK(e.message == "a cppi model needs one of floor, floor_value");
  }
  SUBCASE("both floor and floor_value") {
    const auto e = only_error(head + "floor = 0.8\nfloor_value = 80000\n");
    CHECK_AT(e, 7, 15);
    CHECK(e.message == "floor_value: give either floor or floor_value, not both");
  }
  SUBCASE("a floor of 1 or more") {
    const auto e = only_error(head + "floor = 1\n");
    CHECK_AT(e, 6, 9);
    CHECK(e.message == "floor: must be in (0, 1), got 1");
  }
  SUBCASE("a floor written as percent") {
    const auto e = only_error(head + "floor = 80\n");
    CHECK_AT(e, 6, 9);
    CHECK(e.message == "floor: must be in (0, 1), got 80 (a fraction of the starting value, not percent)");
  }
  SUBCASE("a floor_value of zero") {
    const auto e = only_error(head + "floor_value = 0\n");
    CHECK_AT(e, 6, 15);
    CHECK(e.message == "floor_value: must be > 0, got 0");
  }
  SUBCASE("a multiplier of zero") {
    const auto e = only_error(head + "floor = 0.8\nmultiplier = 0\n");
    CHECK_AT(e, 7, 14);
    CHECK(e.message == "multiplier: must be > 0, got 0");
  }
  SUBCASE("risky must be a symbol of targets, never cash") {
    const auto e = only_error(head + "floor = 0.8\nrisky = \"cash\"\n");
    CHECK_AT(e, 7, 9);
    CHECK(e.message == "risky: \"cash\" is not in targets; expected a symbol of targets");
  }
  SUBCASE("safe must differ from risky") {
    const auto e = only_error(head + "floor = 0.8\nrisky = \"SPY\"\nsafe = \"SPY\"\n");
    CHECK_AT(e, 8, 8);
    CHECK(e.message == "safe: must differ from risky (\"SPY\")");
  }
  SUBCASE("without risky, the targets other than safe are the risky mix") {
    const auto e = only_error(R"([[portfolios]]
id = "p"
targets = { AGG = 1 }
model = { kind = "cppi", safe = "AGG", floor = 0.9 }
)");
    CHECK_AT(e, 4, 9);
    CHECK(e.message ==
          "a cppi model needs a risky mix: a symbol of targets other than safe (\"AGG\") with a target > 0");
  }
  SUBCASE("unknown keys list the cppi keys") {
    const auto e = only_error(head + "floor = 0.8\ntarget_vol = 0.1\n");
    CHECK_AT(e, 7, 1);
    CHECK(e.message ==
          "unknown key \"target_vol\" in a cppi model (expected one of: kind, risky, safe, floor, floor_value, "
          "multiplier)");
  }
}

// --- errors: risk-aware triggers ----------------------------------------------------------------------------------

TEST_CASE("volatility trigger errors") {
  const std::string head = with_head("risk = {}\n[[portfolios.triggers]]\nkind = \"volatility\"\n");  // to line 6
  SUBCASE("needs a risk model") {
    const auto e = only_error(with_head("[[portfolios.triggers]]\nkind = \"volatility\"\nchange = 0.5\n"));
    CHECK_AT(e, 4, 1);
    CHECK(e.message == "kind = \"volatility\" needs [portfolios.risk]");
  }
  SUBCASE("needs at least one limit") {
    const auto e = only_error(head);
    CHECK_AT(e, 5, 1);
    CHECK(e.message == "a volatility trigger needs at least one of change, min, max");
  }
  SUBCASE("change must be positive") {
    const auto e = only_error(head + "change = 0\n");
    CHECK_AT(e, 7, 10);
    CHECK(e.message == "change: must be > 0, got 0");
  }
  SUBCASE("min must be non-negative") {
    const auto e = only_error(head + "min = -0.1\n");
    CHECK_AT(e, 7, 7);
    CHECK(e.message == "min: must be >= 0, got -0.1");
  }
  SUBCASE("max must be positive") {
    const auto e = only_error(head + "max = 0\n");
    CHECK_AT(e, 7, 7);
    CHECK(e.message == "max: must be > 0, got 0");
  }
  SUBCASE("max must exceed min") {
    const auto e = only_error(head + "min = 0.2\nmax = 0.2\n");
    CHECK_AT(e, 8, 7);
    CHECK(e.message == "max: must be > min (0.2), got 0.2");
  }
  SUBCASE("unknown keys list the volatility trigger keys") {
    const auto e = only_error(head + "change = 0.5\nabsolute = 0.1\n");
    CHECK_AT(e, 8, 1);
    CHECK(e.message == "unknown key \"absolute\" in a volatility trigger (expected one of: kind, change, min, max)");
  }
}

TEST_CASE("dynamic trigger errors") {
  const std::string head = with_head("risk = {}\n[[portfolios.triggers]]\nkind = \"dynamic\"\n");  // to line 6
  SUBCASE("needs a risk model") {
    const auto e = only_error(with_head("[[portfolios.triggers]]\nkind = \"dynamic\"\n"));
    CHECK_AT(e, 4, 1);
    CHECK(e.message == "kind = \"dynamic\" needs [portfolios.risk]");
  }
  SUBCASE("risk_aversion must be positive") {
    const auto e = only_error(head + "risk_aversion = -1\n");
    CHECK_AT(e, 7, 17);
    CHECK(e.message == "risk_aversion: must be > 0, got -1");
  }
  SUBCASE("horizon must be a duration") {
    const auto e = only_error(head + "horizon = \"1mo\"\n");
    CHECK_AT(e, 7, 11);
    CHECK(e.message ==
          "horizon: expected a duration, a positive number and a unit (ns, us, ms, s, m, h, d or w), such as "
          "\"250ms\", \"30s\", \"15m\", \"1h\", \"1d\" or \"1w\", got \"1mo\"");
  }
  SUBCASE("a negative cost_bps") {
    const auto e = only_error(head + "cost_bps = -1\n");
    CHECK_AT(e, 7, 12);
    CHECK(e.message == "cost_bps: must be >= 0, got -1");
  }
  SUBCASE("cost_bps of the wrong type") {
    const auto e = only_error(head + "cost_bps = \"10\"\n");
    CHECK_AT(e, 7, 12);
    CHECK(e.message == "cost_bps: expected a number or a table such as { default = 10, SPY = 5 }, got a string");
  }
  SUBCASE("a negative default in a cost_bps table") {
    const auto e = only_error(head + "cost_bps = { default = -2 }\n");
    CHECK_AT(e, 7, 24);
    CHECK(e.message == "cost_bps.default: must be >= 0, got -2");
  }
  SUBCASE("a cost_bps symbol without a target") {
    const auto e = only_error(head + "cost_bps = { default = 10, TLT = 5 }\n");
    CHECK_AT(e, 7, 28);
    CHECK(e.message == "cost_bps.TLT: TLT has no target; cost_bps may only name symbols in targets");
  }
  SUBCASE("unknown keys list the dynamic trigger keys") {
    const auto e = only_error(head + "change = 0.5\n");
    CHECK_AT(e, 7, 1);
    CHECK(e.message ==
          "unknown key \"change\" in a dynamic trigger (expected one of: kind, risk_aversion, horizon, cost_bps)");
  }
}

TEST_CASE("problems in risk, model and triggers are all reported, in file order") {
  const LoadResult r = parse_config(R"([[portfolios]]
id = "p"
targets = { SPY = 0.6, AGG = 0.4 }
[portfolios.model]
kind = "target-vol"
target_vol = 0
[[portfolios.triggers]]
kind = "volatility"
max = -1
[[portfolios.triggers]]
kind = "dynamic"
cost_bps = { XYZ = 1 }
)",
                                    "test.toml", Purpose::offline);
  INFO(describe(r));
  REQUIRE(r.errors.size() == 6);
  CHECK_AT(r.errors[0], 4, 1);
  CHECK(r.errors[0].message == "kind = \"target-vol\" needs [portfolios.risk]");
  CHECK_AT(r.errors[1], 6, 14);
  CHECK(r.errors[1].message == "target_vol: must be > 0, got 0");
  CHECK_AT(r.errors[2], 7, 1);
  CHECK(r.errors[2].message == "kind = \"volatility\" needs [portfolios.risk]");
  CHECK_AT(r.errors[3], 9, 7);
  CHECK(r.errors[3].message == "max: must be > 0, got -1");
  CHECK_AT(r.errors[4], 10, 1);
  CHECK(r.errors[4].message == "kind = \"dynamic\" needs [portfolios.risk]");
  CHECK_AT(r.errors[5], 12, 14);
  CHECK(r.errors[5].message == "cost_bps.XYZ: XYZ has no target; cost_bps may only name symbols in targets");
}

}  // namespace
}  // namespace loader_models_test
}  // namespace ballast::config
