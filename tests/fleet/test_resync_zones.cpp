#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "fleet/resync_zones.hpp"
#include "fleet_test_support.hpp"

namespace test_resync_zones {

using namespace ballast;
using namespace ballast::fleet;
using ballast::fleet::test::simple_model;

TEST_CASE("quantised radii round down by under 1% and keep zero and infinities") {
  CHECK(quantise_radius(0.0f) == 0.0f);
  CHECK(quantise_radius(INFINITY) == INFINITY);
  CHECK(quantise_radius(-INFINITY) == -INFINITY);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> any(1e-6f, 2.0f);
  for (int i = 0; i < 1000; ++i) {
    const float r = any(rng);
    const float q = quantise_radius(r);
    REQUIRE(q <= r);
    REQUIRE(q >= r * (1 - 1.0f / 128));
  }
}

TEST_CASE("the resync list yields each holder once, when the price first goes past its radius either way") {
  AccountBook book(3);
  REQUIRE_FALSE(book.add_model(simple_model({0.5, 0.4}, 0.05)));                      // symbols 0, 1
  Model other = simple_model({0.5}, 0.05);
  other.symbols = {2};
  REQUIRE_FALSE(book.add_model(other));                                                 // symbol 2
  std::vector<float> radius;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> any(0.0f, 0.1f);
  for (int a = 0; a < 400; ++a) {
    if (a % 4 == 3) REQUIRE_FALSE(book.add_account("b", 1, 0, std::vector<double>{1}));
    else REQUIRE_FALSE(book.add_account("a", 0, 0, std::vector<double>{1, 1}));
    radius.push_back(a % 50 == 0 ? -INFINITY : a % 70 == 0 ? INFINITY : quantise_radius(any(rng)));
  }
  const std::vector<double> centre{std::log(100.0), std::log(50.0), std::log(20.0)};
  ResyncZones zones(book);
  zones.rebuild(book, radius, centre, [](AccountIndex a) { return a % 5 != 4; });  // some left out
  std::vector<int> seen(book.size(), 0);
  double high = 0, low = 0;  // the furthest symbol 0 has gone each way
  std::normal_distribution<double> step(0, 0.01);
  double x = 0;
  for (int tick = 0; tick < 2000; ++tick) {
    x += step(rng);
    high = std::max(high, x);
    low = std::min(low, x);
    zones.for_each_passed(0, centre[0] + x, [&](AccountIndex a) { ++seen[a]; });
    for (AccountIndex a = 0; a < book.size(); ++a) {
      const bool holder = a % 4 != 3 && a % 5 != 4;
      const bool passed = static_cast<double>(radius[a]) < high || static_cast<double>(radius[a]) < -low;
      // Passed both ways: yielded once per direction, at most twice.
      REQUIRE(seen[a] >= (holder && passed ? 1 : 0));
      REQUIRE(seen[a] <= (holder && passed ? 2 : 0));
    }
  }
  CHECK(zones.size() == 320);
}

}  // namespace test_resync_zones
