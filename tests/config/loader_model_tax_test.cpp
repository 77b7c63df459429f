// The loader on a model's [models.tax] table beyond avoid_short_term_gains:
// the tax rates, substitute groups (checked against the model's targets),
// wash-sale avoidance and [models.tax.harvest], every refusal at its line and
// column with its exact message.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "tests/config/config_test_support.hpp"

namespace ballast::config {
namespace loader_model_tax_test {
namespace {

using test::describe;
using test::only_error;
using test::valid;

/// A model with substitutes to name (targets of 0) on lines 1-7, ending in
/// its [models.tax] header: what a test appends starts at line 8.
constexpr std::string_view kModel = R"([[models]]
id = "balanced"
targets = { VTI = 0.6, ITOT = 0, SCHB = 0, BND = 0.4, AGG = 0 }
[[models.triggers]]
kind = "threshold"
absolute = 0.05
[models.tax]
)";

std::string tax_with(std::string_view rest) { return std::string(kModel) + std::string(rest); }

strategies::TaxPolicy tax_of(std::string_view rest) { return valid(tax_with(rest)).models.at(0).tax; }

/// kModel with a substitute for VTI on line 8, which a harvest needs: what
/// a test appends starts at line 9.
std::string harvest_with(std::string_view rest) { return tax_with("substitutes = { VTI = [\"ITOT\"] }\n") + std::string(rest); }

strategies::TaxPolicy harvest_of(std::string_view rest) { return valid(harvest_with(rest)).models.at(0).tax; }

TEST_CASE("a model's tax rates are read as fractions, and are absent unless given") {
  const strategies::TaxPolicy both = tax_of("short_term_rate = 0.37\nlong_term_rate = 0.2\n");
  CHECK(both.short_term_rate == 0.37);
  CHECK(both.long_term_rate == 0.2);

  const strategies::TaxPolicy one = tax_of("long_term_rate = 0\n");
  CHECK_FALSE(one.short_term_rate.has_value());
  CHECK(one.long_term_rate == 0.0);

  const strategies::TaxPolicy none = tax_of("");
  CHECK_FALSE(none.short_term_rate.has_value());
  CHECK_FALSE(none.long_term_rate.has_value());
}

TEST_CASE("a tax rate outside [0, 1) or not a number is refused at its value") {
  const auto percent = only_error(tax_with("short_term_rate = 37\n"));
  CHECK_AT(percent, 8, 19);
  CHECK(percent.message == "tax.short_term_rate: must be in [0, 1), got 37 (a fraction, not percent)");

  const auto all = only_error(tax_with("long_term_rate = 1\n"));
  CHECK_AT(all, 8, 18);
  CHECK(all.message == "tax.long_term_rate: must be in [0, 1), got 1");

  const auto negative = only_error(tax_with("long_term_rate = -0.1\n"));
  CHECK_AT(negative, 8, 18);
  CHECK(negative.message == "tax.long_term_rate: must be in [0, 1), got -0.1");

  const auto text = only_error(tax_with("short_term_rate = \"37%\"\n"));
  CHECK_AT(text, 8, 19);
  CHECK(text.message == "tax.short_term_rate: expected a number, got a string");
}

TEST_CASE("wash sales are avoided unless [models.tax] says not to") {
  CHECK(tax_of("").avoid_wash_sales);
  CHECK(valid(std::string(kModel.substr(0, kModel.find("[models.tax]")))).models.at(0).tax.avoid_wash_sales);
  CHECK(tax_of("avoid_wash_sales = true\n").avoid_wash_sales);
  CHECK_FALSE(tax_of("avoid_wash_sales = false\n").avoid_wash_sales);

  const auto number = only_error(tax_with("avoid_wash_sales = 1\n"));
  CHECK_AT(number, 8, 20);
  CHECK(number.message == "tax.avoid_wash_sales: expected a boolean (true or false), got an integer");
}

TEST_CASE("band sales a buy would wash are cut only when [models.tax] asks") {
  CHECK_FALSE(tax_of("").avoid_washed_losses);
  CHECK(tax_of("avoid_washed_losses = true\n").avoid_washed_losses);
  CHECK_FALSE(tax_of("avoid_washed_losses = false\n").avoid_washed_losses);

  const auto text = only_error(tax_with("avoid_washed_losses = \"yes\"\n"));
  CHECK_AT(text, 8, 23);
  CHECK(text.message == "tax.avoid_washed_losses: expected a boolean (true or false), got a string");
}

TEST_CASE("substitute groups are read by primary, each group's substitutes in the order written") {
  const strategies::TaxPolicy inline_table = tax_of("substitutes = { VTI = [\"SCHB\", \"ITOT\"], BND = [\"AGG\"] }\n");
  using Groups = decltype(inline_table.substitutes);
  // A TOML table's keys come sorted; an array keeps its order.
  CHECK(inline_table.substitutes == Groups{{"BND", {"AGG"}}, {"VTI", {"SCHB", "ITOT"}}});

  const strategies::TaxPolicy header = tax_of("[models.tax.substitutes]\nVTI = [\"ITOT\", \"SCHB\"]\n");
  CHECK(header.substitutes == Groups{{"VTI", {"ITOT", "SCHB"}}});

  CHECK(tax_of("").substitutes.empty());
  CHECK(tax_of("substitutes = {}\n").substitutes.empty());
}

TEST_CASE("substitutes that are not a table of non-empty arrays of symbols are refused at their place") {
  const auto array = only_error(tax_with("substitutes = [\"ITOT\"]\n"));
  CHECK_AT(array, 8, 15);
  CHECK(array.message == "tax.substitutes: expected a table of each primary symbol with its substitutes, such as "
                         "{ VTI = [\"ITOT\", \"SCHB\"] }, got an array");

  const auto string = only_error(tax_with("substitutes = { VTI = \"ITOT\" }\n"));
  CHECK_AT(string, 8, 23);
  CHECK(string.message ==
        "tax.substitutes.VTI: expected an array of its substitutes' symbols, such as [\"ITOT\", \"SCHB\"], got a string");

  const auto empty = only_error(tax_with("substitutes = { VTI = [] }\n"));
  CHECK_AT(empty, 8, 23);
  CHECK(empty.message == "tax.substitutes.VTI: expected at least one substitute symbol, such as [\"ITOT\"]");

  const auto number = only_error(tax_with("substitutes = { VTI = [\"ITOT\", 3] }\n"));
  CHECK_AT(number, 8, 32);
  CHECK(number.message == "tax.substitutes.VTI[1]: expected a string, got an integer");

  const auto blank = only_error(tax_with("substitutes = { VTI = [\"\"] }\n"));
  CHECK_AT(blank, 8, 24);
  CHECK(blank.message == "tax.substitutes.VTI[0]: expected a non-empty string");

  const auto no_primary = only_error(tax_with("substitutes = { \"\" = [\"ITOT\"] }\n"));
  CHECK_AT(no_primary, 8, 17);
  CHECK(no_primary.message == "tax.substitutes: a symbol must not be empty");
}

TEST_CASE("every symbol of a substitute group is an asset of the model, and a substitute's target is 0") {
  const auto primary = only_error(tax_with("substitutes = { QQQ = [\"ITOT\"] }\n"));
  CHECK_AT(primary, 8, 17);
  CHECK(primary.message == "tax.substitutes.QQQ: QQQ has no target; substitutes may only name symbols in targets");

  const auto substitute = only_error(tax_with("substitutes = { VTI = [\"ITOT\", \"VOO\"] }\n"));
  CHECK_AT(substitute, 8, 32);
  CHECK(substitute.message ==
        "tax.substitutes.VTI[1]: VOO has no target; write VOO = 0 in targets to hold it as a substitute");

  const auto weighted = only_error(tax_with("substitutes = { VTI = [\"BND\"] }\n"));
  CHECK_AT(weighted, 8, 24);
  CHECK(weighted.message ==
        "tax.substitutes.VTI[0]: BND has a target of 0.4; a substitute's target must be 0, as its group is held to "
        "VTI's");

  // A symbol that needs quotes in TOML is quoted in the message.
  const auto dotted = only_error(tax_with("substitutes = { VTI = [\"BRK.B\"] }\n"));
  CHECK_AT(dotted, 8, 24);
  CHECK(dotted.message ==
        "tax.substitutes.VTI[0]: \"BRK.B\" has no target; write \"BRK.B\" = 0 in targets to hold it as a substitute");
}

TEST_CASE("substitutes are not checked against targets that could not be read") {
  const auto e = only_error("[[models]]\nid = \"m\"\ntargets = 1\n[[models.triggers]]\nkind = \"threshold\"\n"
                            "absolute = 0.05\n[models.tax]\nsubstitutes = { QQQ = [\"VOO\"] }\n");
  CHECK_AT(e, 3, 11);
  CHECK(e.message == "targets: expected a table, got an integer");
}

TEST_CASE("a symbol belongs to one substitute group at most, and a primary is no substitute") {
  const auto primary = only_error(tax_with("substitutes = { BND = [\"AGG\"], VTI = [\"ITOT\", \"BND\"] }\n"));
  CHECK_AT(primary, 8, 47);
  CHECK(primary.message ==
        "tax.substitutes.VTI[1]: BND is the primary of a group of its own; a primary cannot also be a substitute");

  const auto itself = only_error(tax_with("substitutes = { VTI = [\"VTI\"] }\n"));
  CHECK_AT(itself, 8, 24);
  CHECK(itself.message == "tax.substitutes.VTI[0]: VTI is this group's primary; it cannot be its own substitute");

  const auto twice = only_error(tax_with("substitutes = { VTI = [\"ITOT\", \"ITOT\"] }\n"));
  CHECK_AT(twice, 8, 32);
  CHECK(twice.message == "tax.substitutes.VTI[1]: ITOT is named twice in this group");

  // Reported where the file names it the second time, though BND's group sorts first.
  const auto two_groups = only_error(tax_with("substitutes = { VTI = [\"ITOT\"], BND = [\"AGG\", \"ITOT\"] }\n"));
  CHECK_AT(two_groups, 8, 47);
  CHECK(two_groups.message ==
        "tax.substitutes.BND[1]: ITOT is a substitute of VTI already; a symbol belongs to one group at most");
}

TEST_CASE("[models.tax.harvest] is read as a table or inline, and is absent unless given") {
  const strategies::TaxPolicy table =
      harvest_of("[models.tax.harvest]\nmin_loss = 100\nmin_loss_fraction = 0.05\ncost_bps = 5\n");
  REQUIRE(table.harvest.has_value());
  CHECK(*table.harvest == strategies::TaxPolicy::Harvest{100, 0.05, 5});

  const strategies::TaxPolicy fraction_only = harvest_of("harvest = { min_loss_fraction = 0.1 }\n");
  REQUIRE(fraction_only.harvest.has_value());
  CHECK(*fraction_only.harvest == strategies::TaxPolicy::Harvest{0, 0.1, 0});

  const strategies::TaxPolicy loss_only = harvest_of("harvest = { min_loss = 250 }\n");
  REQUIRE(loss_only.harvest.has_value());
  CHECK(*loss_only.harvest == strategies::TaxPolicy::Harvest{250, 0, 0});

  CHECK_FALSE(harvest_of("").harvest.has_value());
}

TEST_CASE("a harvest of any loss at all is refused at its table as a mistake") {
  const auto header = only_error(harvest_with("[models.tax.harvest]\ncost_bps = 5\n"));
  CHECK_AT(header, 9, 1);
  CHECK(header.message == "[models.tax.harvest] needs min_loss or min_loss_fraction above 0: with both 0, every loss "
                          "however small would be harvested");

  const auto zeros = only_error(harvest_with("harvest = { min_loss = 0, min_loss_fraction = 0 }\n"));
  CHECK_AT(zeros, 9, 11);
  CHECK(test::contains(zeros.message, "needs min_loss or min_loss_fraction above 0"));
}

TEST_CASE("a [models.tax.harvest] number out of range, of the wrong type or an unknown key is refused at its place") {
  // A threshold that was refused is not also reported as missing.
  const auto negative = only_error(harvest_with("[models.tax.harvest]\nmin_loss = -1\n"));
  CHECK_AT(negative, 10, 12);
  CHECK(negative.message == "tax.harvest.min_loss: must be >= 0, got -1");

  const auto fraction = only_error(harvest_with("[models.tax.harvest]\nmin_loss_fraction = 1\n"));
  CHECK_AT(fraction, 10, 21);
  CHECK(fraction.message == "tax.harvest.min_loss_fraction: must be in [0, 1), got 1");

  const auto text = only_error(harvest_with("[models.tax.harvest]\nmin_loss = \"100\"\n"));
  CHECK_AT(text, 10, 12);
  CHECK(text.message == "tax.harvest.min_loss: expected a number, got a string");

  const auto whole = only_error(harvest_with("[models.tax.harvest]\nmin_loss = 10\ncost_bps = 10000\n"));
  CHECK_AT(whole, 11, 12);
  CHECK(whole.message == "tax.harvest.cost_bps: must be < 10000 (10000 bps is the whole value traded), got 10000");

  const auto below = only_error(harvest_with("[models.tax.harvest]\nmin_loss = 10\ncost_bps = -1\n"));
  CHECK_AT(below, 11, 12);
  CHECK(below.message == "tax.harvest.cost_bps: must be >= 0, got -1");

  const auto unknown = only_error(harvest_with("[models.tax.harvest]\nmin_loss = 10\nmin_gain = 1\n"));
  CHECK_AT(unknown, 11, 1);
  CHECK(unknown.message == "unknown key \"min_gain\" in [models.tax.harvest] (expected one of: min_loss, "
                           "min_loss_fraction, cost_bps)");

  const auto flag = only_error(harvest_with("harvest = true\n"));
  CHECK_AT(flag, 9, 11);
  CHECK(flag.message == "tax.harvest: expected a table, got a boolean");
}

TEST_CASE("an unknown [models.tax] key is refused with every key it could have been") {
  const auto e = only_error(tax_with("short_rate = 0.37\n"));
  CHECK_AT(e, 8, 1);
  CHECK(e.message == "unknown key \"short_rate\" in [models.tax] (expected one of: avoid_short_term_gains, "
                     "short_term_rate, long_term_rate, substitutes, identical, avoid_wash_sales, "
                     "avoid_washed_losses, harvest)");
}

TEST_CASE("every problem of a [models.tax] table is reported in one pass") {
  const LoadResult r =
      parse_config(tax_with("short_term_rate = 2\nsubstitutes = { VTI = [\"VOO\"] }\nharvest = { cost_bps = 5 }\n"),
                   "test.toml", Purpose::offline);
  INFO(describe(r));
  REQUIRE(r.errors.size() == 3);
  CHECK(r.errors[0].line == 8);
  CHECK(r.errors[1].line == 9);
  CHECK(r.errors[2].line == 10);
}

TEST_CASE("a harvest without substitutes is refused at its table: it would have nothing to buy") {
  const auto e = only_error(tax_with("[models.tax.harvest]\nmin_loss = 100\n"));
  CHECK_AT(e, 7, 1);
  CHECK(e.message == "[models.tax.harvest] needs substitutes: a harvest buys what it sells in a substitute, so that "
                     "the exposure stays; name them with substitutes = { PRIMARY = [\"SUBSTITUTE\"] }");
}

TEST_CASE("identical groups are read in order and checked against the model's targets") {
  const strategies::TaxPolicy t = tax_of("identical = [[\"VTI\", \"SCHB\"], [\"BND\", \"AGG\"]]\n");
  CHECK(t.identical == std::vector<std::vector<std::string>>{{"VTI", "SCHB"}, {"BND", "AGG"}});
  CHECK(tax_of("").identical.empty());

  const auto unknown = only_error(tax_with("identical = [[\"VTI\", \"VOO\"]]\n"));
  CHECK_AT(unknown, 8, 22);
  CHECK(unknown.message == "tax.identical[0][1]: VOO has no target; write VOO = 0 in targets to name it here");

  const auto twice = only_error(tax_with("identical = [[\"VTI\", \"SCHB\"], [\"SCHB\", \"ITOT\"]]\n"));
  CHECK_AT(twice, 8, 32);
  CHECK(twice.message ==
        "tax.identical[1][0]: SCHB is in tax.identical[0][1] already; a symbol belongs to one group at most");

  const auto one = only_error(tax_with("identical = [[\"VTI\"]]\n"));
  CHECK_AT(one, 8, 14);
  CHECK(one.message == "tax.identical[0]: expected two or more symbols: a group of one is identical to nothing");

  const auto flat = only_error(tax_with("identical = [\"VTI\"]\n"));
  CHECK_AT(flat, 8, 14);
  CHECK(flat.message == "tax.identical[0]: expected an array of two or more symbols, such as [\"VOO\", \"IVV\"], got a "
                        "string");

  const auto table = only_error(tax_with("identical = { VTI = \"SCHB\" }\n"));
  CHECK_AT(table, 8, 13);
  CHECK(test::contains(table.message, "tax.identical: expected an array of groups of symbols"));
}

}  // namespace
}  // namespace loader_model_tax_test
}  // namespace ballast::config
