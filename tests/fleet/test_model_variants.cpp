// An account's cash target and restricted symbols as a variant of its model:
// the targets computed by hand, variants shared by accounts with the same
// overrides, and the refusals.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "fleet/model_variants.hpp"
#include "tests/fleet/fleet_test_support.hpp"

namespace ballast::fleet {
namespace test_model_variants {
namespace {

struct Fixture {
  core::SymbolTable symbols;
  std::vector<Model> models;
  ModelVariants variants{{"balanced", "bonds"}};
  ModelVariants::AddModel add = [this](Model m, ModelIndex& index) -> std::optional<std::string> {
    if (auto why = check_model(m, symbols.size())) return why;
    index = static_cast<ModelIndex>(models.size());
    models.push_back(std::move(m));
    return std::nullopt;
  };

  Fixture() {
    Model balanced;  // VTI 0.6, BND 0.4: fully invested
    balanced.symbols = {symbols.intern("VTI"), symbols.intern("BND")};
    balanced.targets = {0.6, 0.4};
    balanced.lot_sizes = {1, 1};
    balanced.bands.absolute = 0.05;
    Model bonds;  // BND 0.9, 10% cash
    bonds.symbols = {symbols.intern("BND")};
    bonds.targets = {0.9};
    bonds.lot_sizes = {1};
    bonds.bands.absolute = 0.05;
    models = {balanced, bonds};
    symbols.intern("GLD");  // in no model
  }

  AccountRecord record(std::string id, std::string model) {
    AccountRecord r;
    r.id = std::move(id);
    r.model = std::move(model);
    r.cash = 1000;
    return r;
  }
};

TEST_CASE("a cash target of its own scales the model's targets to sum to 1 minus it") {
  Fixture f;
  const Model m = with_overrides(f.models[0], 0.1, {});
  CHECK(m.targets[0] == doctest::Approx(0.54));  // 0.6 × 0.9 / 1.0
  CHECK(m.targets[1] == doctest::Approx(0.36));
  CHECK(m.cash_target() == doctest::Approx(0.1));
  // A model with cash already: 0.9 scaled to 0.75.
  CHECK(with_overrides(f.models[1], 0.25, {}).targets[0] == doctest::Approx(0.75));
  // Bands, lots and symbols are the model's.
  CHECK(m.lot_sizes == f.models[0].lot_sizes);
  CHECK(*m.bands.absolute == 0.05);
}

TEST_CASE("a restricted symbol's target goes to cash") {
  Fixture f;
  const core::SymbolId vti = f.symbols.find("VTI");
  const Model m = with_overrides(f.models[0], std::nullopt, std::vector<core::SymbolId>{vti});
  CHECK(m.targets[0] == 0);
  CHECK(m.targets[1] == doctest::Approx(0.4));
  CHECK(m.cash_target() == doctest::Approx(0.6));
  // Both: scaled first, then restricted (0.36 of BND, the rest cash).
  const Model both = with_overrides(f.models[0], 0.1, std::vector<core::SymbolId>{vti});
  CHECK(both.targets[0] == 0);
  CHECK(both.targets[1] == doctest::Approx(0.36));
}

TEST_CASE("accounts place on their model, or on a variant shared by the same overrides") {
  Fixture f;
  BookPlace place;
  AccountRecord plain = f.record("a1", "balanced");
  plain.holdings = {{"BND", 3}, {"VTI", 2}};
  REQUIRE_FALSE(f.variants.place(plain, f.models, f.symbols, f.add, place));
  CHECK(place.model == 0);
  CHECK(place.quantities == std::vector<double>{2, 3});  // the model's order: VTI, BND

  AccountRecord cash = f.record("a2", "balanced");
  cash.cash_target = 0.1;
  REQUIRE_FALSE(f.variants.place(cash, f.models, f.symbols, f.add, place));
  CHECK(place.model == 2);
  CHECK(f.models[2].targets[0] == doctest::Approx(0.54));
  CHECK(f.variants.name(2) == "balanced");

  AccountRecord same = f.record("a3", "balanced");
  same.cash_target = 0.1;
  REQUIRE_FALSE(f.variants.place(same, f.models, f.symbols, f.add, place));
  CHECK(place.model == 2);

  AccountRecord restricted = f.record("a4", "bonds");
  restricted.restricted = {"BND"};
  REQUIRE_FALSE(f.variants.place(restricted, f.models, f.symbols, f.add, place));
  CHECK(place.model == 3);
  CHECK(f.variants.name(3) == "bonds");
  CHECK(f.models[3].targets[0] == 0);
  CHECK(f.variants.variant_count() == 2);
  CHECK(f.variants.name(1) == "bonds");

  // A restricted symbol the model does not hold restricts nothing: the model itself.
  AccountRecord elsewhere = f.record("a5", "bonds");
  elsewhere.restricted = {"GLD", "VTI"};
  REQUIRE_FALSE(f.variants.place(elsewhere, f.models, f.symbols, f.add, place));
  CHECK(place.model == 1);
  CHECK(f.variants.variant_count() == 2);
}

TEST_CASE("a variant keeps its model's tax policy") {
  Fixture f;
  f.models[0].avoid_short_term_gains = true;
  const core::SymbolId vti = f.symbols.find("VTI");
  CHECK(with_overrides(f.models[0], 0.1, std::vector<core::SymbolId>{vti}).avoid_short_term_gains);
  CHECK_FALSE(with_overrides(f.models[1], 0.1, {}).avoid_short_term_gains);

  AccountRecord cash = f.record("a1", "balanced");
  cash.cash_target = 0.1;
  BookPlace place;
  REQUIRE_FALSE(f.variants.place(cash, f.models, f.symbols, f.add, place));
  REQUIRE(place.model == 2);
  CHECK(f.models[2].avoid_short_term_gains);
}

namespace {

/// VTI 0.5 (slot 0) with substitutes ITOT (slot 2) and SCHB (slot 3), BND 0.4 (slot 1): 10% cash.
Model grouped(core::SymbolTable& symbols) {
  Model m;
  m.symbols = {symbols.intern("VTI"), symbols.intern("BND"), symbols.intern("ITOT"), symbols.intern("SCHB")};
  m.targets = {0.5, 0.4, 0, 0};
  m.lot_sizes = {1, 1, 1, 1};
  m.bands.absolute = 0.05;
  m.group_of = {0, 1, 0, 0};
  return m;
}

}  // namespace

TEST_CASE("groups: a restricted substitute leaves its group, on its own at target 0") {
  Fixture f;
  const Model base = grouped(f.symbols);
  const Model m = with_overrides(base, std::nullopt, std::vector<core::SymbolId>{f.symbols.find("ITOT")});
  CHECK(m.group_of == std::vector<std::uint32_t>{0, 1, 2, 0});
  CHECK(m.targets == base.targets);
  CHECK_FALSE(check_model(m, f.symbols.size()));
}

TEST_CASE("groups: a restricted primary hands its group and target to its first unrestricted substitute") {
  Fixture f;
  const Model base = grouped(f.symbols);
  const core::SymbolId vti = f.symbols.find("VTI"), itot = f.symbols.find("ITOT");
  const Model m = with_overrides(base, std::nullopt, std::vector<core::SymbolId>{vti});
  CHECK(m.group_of == std::vector<std::uint32_t>{0, 1, 2, 2});
  CHECK(m.targets == std::vector<double>{0, 0.4, 0.5, 0});
  CHECK_FALSE(check_model(m, f.symbols.size()));
  // ITOT restricted too: SCHB keeps the group. With a cash target of 0.28,
  // 0.9 invested scales by 0.8: SCHB takes 0.5 × 0.8 = 0.4, BND 0.32.
  const Model both = with_overrides(base, 0.28, std::vector<core::SymbolId>{vti, itot});
  CHECK(both.group_of == std::vector<std::uint32_t>{0, 1, 2, 3});
  CHECK(both.targets[0] == 0);
  CHECK(both.targets[1] == doctest::Approx(0.32));
  CHECK(both.targets[2] == 0);
  CHECK(both.targets[3] == doctest::Approx(0.4));
  CHECK(both.cash_target() == doctest::Approx(0.28));
  CHECK_FALSE(check_model(both, f.symbols.size()));
  // Every member restricted: each on its own at 0, the group's weight in cash.
  const Model none = with_overrides(
      base, std::nullopt, std::vector<core::SymbolId>{vti, itot, f.symbols.find("SCHB")});
  CHECK(none.group_of == std::vector<std::uint32_t>{0, 1, 2, 3});
  CHECK(none.targets == std::vector<double>{0, 0.4, 0, 0});
  CHECK_FALSE(check_model(none, f.symbols.size()));
}

TEST_CASE("an unknown model, a holding outside the model and too many variants are refused") {
  Fixture f;
  BookPlace place;
  const auto unknown = f.variants.place(f.record("a1", "growth"), f.models, f.symbols, f.add, place);
  REQUIRE(unknown);
  CHECK(*unknown == "account a1 follows model growth, which the configuration does not define");

  AccountRecord gold = f.record("a2", "bonds");
  gold.holdings = {{"GLD", 1}};
  const auto outside = f.variants.place(gold, f.models, f.symbols, f.add, place);
  REQUIRE(outside);
  CHECK(*outside == "account a2 holds GLD, which its model bonds does not");

  AccountRecord r = f.record("a3", "balanced");
  for (std::size_t i = 0; i < kMaxModelVariants; ++i) {
    r.cash_target = static_cast<double>(i) / (2.0 * kMaxModelVariants);
    REQUIRE_FALSE(f.variants.place(r, f.models, f.symbols, f.add, place));
  }
  r.cash_target = 0.75;
  const auto many = f.variants.place(r, f.models, f.symbols, f.add, place);
  REQUIRE(many);
  CHECK(many->find("more than 10000 distinct combinations") != std::string::npos);
  // One already made is still found.
  r.cash_target = 0;
  CHECK_FALSE(f.variants.place(r, f.models, f.symbols, f.add, place));
}

}  // namespace
}  // namespace test_model_variants
}  // namespace ballast::fleet
