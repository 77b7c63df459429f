// The loader on [[models]]: a portfolio's policy without its own facts, read
// into Config::models, limited to what the fleet runs, every refusal at its
// line and column.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <variant>

#include "config/config.hpp"
#include "tests/config/config_test_support.hpp"

namespace ballast::config {
namespace loader_fleet_models_test {
namespace {

using test::contains;
using test::describe;
using test::only_error;
using test::valid;

/// A model on lines 1-6; what a test appends to it starts at line 7.
constexpr std::string_view kModel = R"([[models]]
id = "balanced"
targets = { VTI = 0.6, BND = 0.4 }
lot_sizes = { VTI = 1, BND = 0.5 }
[[models.triggers]]
kind = "threshold"
)";

std::string model_with(std::string_view rest) { return std::string(kModel) + std::string(rest); }

TEST_CASE("a model is read like a portfolio's policy, without cash or holdings") {
  const Config c = valid(model_with("absolute = 0.05\nrelative = 0.25\n"));
  REQUIRE(c.models.size() == 1);
  CHECK(c.portfolios.empty());
  const strategies::PortfolioSpec& m = c.models[0];
  CHECK(m.id == "balanced");
  CHECK(m.cash == 0);
  REQUIRE(m.assets.size() == 2);
  CHECK(m.assets[0].symbol == "BND");  // a TOML table's keys come in order
  CHECK(m.assets[0].target == doctest::Approx(0.4));
  CHECK(m.assets[0].lot_size == doctest::Approx(0.5));
  CHECK(m.assets[1].symbol == "VTI");
  REQUIRE(m.triggers.size() == 1);
  const auto& band = std::get<strategies::ThresholdTrigger>(m.triggers[0]);
  CHECK(band.absolute == doctest::Approx(0.05));
  CHECK(band.relative == doctest::Approx(0.25));
}

TEST_CASE("models and portfolios live side by side") {
  const Config both = valid(test::with_head(std::string(kModel) + "absolute = 0.05\n"));
  CHECK(both.portfolios.size() == 1);
  CHECK(both.models.size() == 1);
}

TEST_CASE("the daemon runs models, but not without the state file that holds their accounts") {
  const std::string head = "[[feeds]]\nname = \"f\"\nendpoint = \"tcp://127.0.0.1:5556\"\n";
  SUBCASE("models alone are enough for the daemon, with a [fleet] window") {
    const LoadResult r = parse_config(head + model_with("absolute = 0.05\n") + "[fleet]\nwindow = \"2s\"\n", "test.toml",
                                      Purpose::daemon);
    INFO(describe(r));
    REQUIRE(r.config.has_value());
    CHECK(r.config->models.size() == 1);
    CHECK(r.config->fleet.window == 2 * core::kNanosPerSecond);
  }
  SUBCASE("durability off is refused at the models") {
    const LoadResult r = parse_config("[daemon]\ndurability = \"off\"\n" + head + model_with("absolute = 0.05\n"),
                                      "test.toml", Purpose::daemon);
    INFO(describe(r));
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].line == 6);
    CHECK(contains(r.errors[0].message, "cannot run with [daemon] durability = \"off\""));
  }
  SUBCASE("dry-run is refused at the models") {
    const LoadResult r = parse_config("[execution]\nmode = \"dry-run\"\n" + head + model_with("absolute = 0.05\n"),
                                      "test.toml", Purpose::daemon);
    INFO(describe(r));
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].line == 6);
    CHECK(contains(r.errors[0].message, "dry-run"));
  }
  SUBCASE("offline tools read the same models with durability off") {
    CHECK(parse_config("[daemon]\ndurability = \"off\"\n" + model_with("absolute = 0.05\n"), "test.toml",
                       Purpose::offline)
              .config.has_value());
  }
}

TEST_CASE("an account's own facts are refused in a model, where they are") {
  const auto cash = only_error(model_with("absolute = 0.05\n").insert(kModel.find("targets"), "cash = 100\n"));
  CHECK_AT(cash, 3, 8);
  CHECK(contains(cash.message, "cash: not a model key"));
  CHECK(contains(cash.message, "account book"));
  const auto holdings = only_error(model_with("absolute = 0.05\n").insert(kModel.find("lot_sizes"), "holdings = { VTI = 3 }\n"));
  CHECK_AT(holdings, 4, 12);
  CHECK(contains(holdings.message, "holdings: not a model key"));
}

TEST_CASE("a model's slicing is read as a portfolio's, and its errors are reported at their key") {
  const Config c = valid(
      model_with("absolute = 0.05\n")
          .insert(kModel.find("[[models.triggers]]"), "slicing = { max_child_value = 1000, interval = \"45s\" }\n"));
  REQUIRE(c.models.at(0).slicing.has_value());
  CHECK(c.models.at(0).slicing->max_child_value == 1000);
  CHECK(c.models.at(0).slicing->interval == 45 * core::kNanosPerSecond);

  const auto negative =
      only_error(model_with("absolute = 0.05\n")
                     .insert(kModel.find("[[models.triggers]]"), "slicing = { max_child_value = -5 }\n"));
  CHECK_AT(negative, 5, 31);
  CHECK(contains(negative.message, "max_child_value"));
}

TEST_CASE("a model's calendar dates are read beside its bands, and refused without them") {
  const Config c = valid(model_with("absolute = 0.05\n[[models.triggers]]\nkind = \"calendar\"\nevery = \"1d\"\n"));
  REQUIRE(c.models.at(0).triggers.size() == 2);
  const auto* calendar = std::get_if<strategies::CalendarTrigger>(&c.models.at(0).triggers[1]);
  REQUIRE(calendar);
  CHECK(calendar->every == core::parse_period("1d").value());

  const auto alone =
      only_error(model_with("every = \"1d\"\n").replace(kModel.find("\"threshold\""), 11, "\"calendar\""));
  CHECK_AT(alone, 5, 1);
  CHECK(contains(alone.message, "a calendar trigger on a model runs beside its bands"));
}

TEST_CASE("what the fleet does not run is refused at its key") {
  const auto limit = only_error(model_with("absolute = 0.05\n").insert(kModel.find("[[models.triggers]]"),
                                                                        "order_type = \"limit\"\n"));
  CHECK(contains(limit.message, "order_type: not supported for [[models]] yet"));
}

TEST_CASE("a model's threshold trigger takes a total band") {
  const Config c = valid(model_with("absolute = 0.05\ntotal = 0.1\n"));
  const auto& bands = std::get<strategies::ThresholdTrigger>(c.models.at(0).triggers.at(0));
  CHECK(bands.absolute == 0.05);
  CHECK(bands.total == 0.1);
  const Config alone = valid(model_with("total = 0.1\n"));
  CHECK(std::get<strategies::ThresholdTrigger>(alone.models.at(0).triggers.at(0)).total == 0.1);
}

TEST_CASE("a symbol trades in one lot size across models, and no portfolio is called fleet") {
  const std::string other = "[[models]]\nid = \"other\"\ntargets = { VTI = 1 }\nlot_sizes = { VTI = 5 }\n"
                            "[[models.triggers]]\nkind = \"threshold\"\nabsolute = 0.05\n";
  const auto lots = only_error(model_with("absolute = 0.05\n") + other);
  CHECK_AT(lots, 11, 13);
  CHECK(contains(lots.message, "VTI trades in lots of 5 here and of 1 in model balanced"));
  const auto fleet = only_error("[[portfolios]]\nid = \"fleet\"\ntargets = { SPY = 1 }\n");
  CHECK_AT(fleet, 2, 6);
  CHECK(contains(fleet.message, "reserved for the block orders"));
}

TEST_CASE("a model without triggers, and a repeated model id, are refused") {
  const auto none = only_error("[[models]]\nid = \"m\"\ntargets = { VTI = 1 }\n");
  CHECK_AT(none, 1, 1);
  CHECK(contains(none.message, "needs at least one [[models.triggers]]"));

  const LoadResult twice =
      parse_config(model_with("absolute = 0.05\n") + model_with("absolute = 0.05\n"), "test.toml", Purpose::offline);
  INFO(describe(twice));
  REQUIRE(twice.errors.size() == 1);
  CHECK(twice.errors[0].line == 9);
  CHECK(contains(twice.errors[0].message, "model id"));
}

TEST_CASE("a model's targets are checked as a portfolio's are") {
  const auto e = only_error("[[models]]\nid = \"m\"\ntargets = { VTI = 0.7, BND = 0.4 }\n[[models.triggers]]\n"
                            "kind = \"threshold\"\nabsolute = 0.05\n");
  CHECK_AT(e, 3, 11);
  CHECK(contains(e.message, "sum to 1.1"));
}

TEST_CASE("a model avoids short-term gains only when its [models.tax] says so") {
  CHECK(valid(model_with("absolute = 0.05\n[models.tax]\navoid_short_term_gains = true\n"))
            .models.at(0)
            .tax.avoid_short_term_gains);
  CHECK_FALSE(valid(model_with("absolute = 0.05\n[models.tax]\navoid_short_term_gains = false\n"))
                  .models.at(0)
                  .tax.avoid_short_term_gains);
  CHECK_FALSE(valid(model_with("absolute = 0.05\n[models.tax]\n")).models.at(0).tax.avoid_short_term_gains);
  CHECK_FALSE(valid(model_with("absolute = 0.05\n")).models.at(0).tax.avoid_short_term_gains);
  CHECK(valid(model_with("absolute = 0.05\n").insert(kModel.find("[[models.triggers]]"),
                                                     "tax = { avoid_short_term_gains = true }\n"))
            .models.at(0)
            .tax.avoid_short_term_gains);
}

TEST_CASE("a [models.tax] key that is unknown or not a boolean is refused at its place") {
  const auto unknown = only_error(model_with("absolute = 0.05\n[models.tax]\navoid_short_term = true\n"));
  CHECK_AT(unknown, 9, 1);
  CHECK(contains(unknown.message, "unknown key \"avoid_short_term\" in [models.tax]"));
  CHECK(contains(unknown.message, "avoid_short_term_gains"));

  const auto word = only_error(model_with("absolute = 0.05\n[models.tax]\navoid_short_term_gains = \"yes\"\n"));
  CHECK_AT(word, 9, 26);
  CHECK(word.message == "tax.avoid_short_term_gains: expected a boolean (true or false), got a string");

  const auto not_table = only_error(model_with("absolute = 0.05\n").insert(kModel.find("[[models.triggers]]"),
                                                                           "tax = true\n"));
  CHECK_AT(not_table, 5, 7);
  CHECK(contains(not_table.message, "tax: expected a table"));
}

TEST_CASE("a portfolio has no tax lots, so a tax table on it is refused at the table") {
  const auto header = only_error(test::with_head("[portfolios.tax]\navoid_short_term_gains = true\n"));
  CHECK_AT(header, 4, 1);
  CHECK(header.message == "tax: only [[models]] keep tax lots (their accounts'); a portfolio has none");

  const auto inline_table = only_error(test::with_head("tax = { avoid_short_term_gains = true }\n"));
  CHECK_AT(inline_table, 4, 7);
  CHECK(contains(inline_table.message, "only [[models]] keep tax lots"));

  CHECK(valid(test::with_head("")).portfolios.at(0).tax == strategies::TaxPolicy{});
}

TEST_CASE("the fleet's decision window is one second unless [fleet] says otherwise") {
  CHECK(valid(model_with("absolute = 0.05\n")).fleet.window == core::kNanosPerSecond);
  CHECK(valid(model_with("absolute = 0.05\n[fleet]\nwindow = \"250ms\"\n")).fleet.window ==
        core::kNanosPerSecond / 4);
  CHECK(valid(model_with("absolute = 0.05\n[fleet]\nwindow = \"0s\"\n")).fleet.window == 0);
}

TEST_CASE("gains turn long-term after 12 months unless [fleet] says otherwise, from 1 to 1200 months") {
  CHECK(valid(model_with("absolute = 0.05\n")).fleet.long_term_after_months == 12);
  CHECK(valid(model_with("absolute = 0.05\n[fleet]\nlong_term_after_months = 6\n")).fleet.long_term_after_months == 6);
  const auto zero = only_error(model_with("absolute = 0.05\n[fleet]\nlong_term_after_months = 0\n"));
  CHECK_AT(zero, 9, 26);
  CHECK(zero.message == "long_term_after_months: must be from 1 to 1200 (months), got 0");
  const auto years = only_error(model_with("absolute = 0.05\n[fleet]\nlong_term_after_months = 1.5\n"));
  CHECK_AT(years, 9, 26);
  CHECK(contains(years.message, "long_term_after_months: expected an integer"));
}

TEST_CASE("a fleet window that is not a duration from 0s to 60s is refused at its value") {
  const auto long_one = only_error(model_with("absolute = 0.05\n[fleet]\nwindow = \"2m\"\n"));
  CHECK_AT(long_one, 9, 10);
  CHECK(contains(long_one.message, "window: must be from \"0s\""));
  const auto word = only_error(model_with("absolute = 0.05\n[fleet]\nwindow = \"soon\"\n"));
  CHECK_AT(word, 9, 10);
  CHECK(contains(word.message, "expected a duration"));
  const auto key = only_error(model_with("absolute = 0.05\n[fleet]\nwindw = \"1s\"\n"));
  CHECK(contains(key.message, "unknown key \"windw\""));
}

}  // namespace
}  // namespace loader_fleet_models_test
}  // namespace ballast::config
