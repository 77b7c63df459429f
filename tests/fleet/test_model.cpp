// check_model on substitute groups: each malformed group_of refused with its reason.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "fleet/model.hpp"
#include "tests/fleet/fleet_test_support.hpp"

namespace ballast::fleet {
namespace test_model {
namespace {

/// 0.6 / 0.4 / 0 over symbols 0..2.
Model three() { return test::simple_model({0.6, 0.4, 0.0}, 0.05); }

std::string refusal(const Model& m) { return check_model(m, 3).value_or("accepted"); }

TEST_CASE("groups: no group_of, one per slot, or substitutes at target 0 are accepted") {
  Model m = three();
  CHECK_FALSE(check_model(m, 3));
  m.group_of = {0, 1, 2};
  CHECK_FALSE(check_model(m, 3));
  CHECK_FALSE(has_substitutes(m));
  m.group_of = {0, 1, 0};
  CHECK_FALSE(check_model(m, 3));
  CHECK(has_substitutes(m));
  CHECK(primary_of(m, 2) == 0);
  // A substitute may come before its primary in slot order.
  m.targets = {0.0, 0.4, 0.6};
  m.group_of = {2, 1, 2};
  CHECK_FALSE(check_model(m, 3));
}

TEST_CASE("groups: a group_of of another length is refused") {
  Model m = three();
  m.group_of = {0, 1};
  CHECK(refusal(m) == "group_of needs one entry per symbol, or none");
  m.group_of = {0, 1, 2, 3};
  CHECK(refusal(m) == "group_of needs one entry per symbol, or none");
}

TEST_CASE("groups: a slot past the model is refused") {
  Model m = three();
  m.group_of = {0, 1, 3};
  CHECK(refusal(m) == "group_of[2] names slot 3, past the model's symbols");
}

TEST_CASE("groups: a primary that is itself a substitute (a chain) is refused") {
  Model m = three();
  m.targets = {0.6, 0.0, 0.0};
  m.group_of = {0, 0, 1};  // 2 → 1 → 0
  CHECK(refusal(m) == "group_of[2] names slot 1, which is not a primary of its own");
}

TEST_CASE("groups: a substitute with a target other than 0 is refused") {
  Model m = three();
  m.group_of = {0, 0, 2};  // slot 1 (0.4) a substitute of slot 0
  CHECK(refusal(m) == "a substitute's target must be 0 (slot 1)");
}

}  // namespace
}  // namespace test_model
}  // namespace ballast::fleet
