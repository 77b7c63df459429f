#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>

#include "core/round_half_away.hpp"

namespace test_round_half_away {

using ballast::core::round_half_away;

namespace {

bool same_bits(double a, double b) {
  std::uint64_t x = 0, y = 0;
  std::memcpy(&x, &a, sizeof a);
  std::memcpy(&y, &b, sizeof b);
  return x == y || (std::isnan(a) && std::isnan(b));
}

}  // namespace

TEST_CASE("round_half_away is std::round: halves, their neighbours, signs, zeros, infinities, NaN") {
  const double inf = std::numeric_limits<double>::infinity();
  const double edge[] = {0.0,
                         -0.0,
                         0.5,
                         -0.5,
                         1.5,
                         -1.5,
                         2.5,
                         -2.5,
                         0.49999999999999994,
                         -0.49999999999999994,
                         4503599627370495.5,
                         4503599627370497.0,
                         9007199254740993.0,
                         1e300,
                         -1e300,
                         5e-324,
                         -5e-324,
                         inf,
                         -inf,
                         std::nan("")};
  for (const double x : edge) {
    CAPTURE(x);
    CHECK(same_bits(round_half_away(x), std::round(x)));
    CHECK(same_bits(round_half_away(std::nextafter(x, inf)), std::round(std::nextafter(x, inf))));
    CHECK(same_bits(round_half_away(std::nextafter(x, -inf)), std::round(std::nextafter(x, -inf))));
  }
  CHECK(round_half_away(2.5) == 3);
  CHECK(round_half_away(-2.5) == -3);
  CHECK(round_half_away(0.49999999999999994) == 0);
}

TEST_CASE("round_half_away is std::round on a million random doubles of every scale") {
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> unit(-1, 1);
  for (int i = 0; i < 1'000'000; ++i) {
    const double x = unit(rng) * std::ldexp(1.0, static_cast<int>(rng() % 120) - 60);
    const double halfway = std::floor(x) + 0.5;  // exact halves too
    REQUIRE(same_bits(round_half_away(x), std::round(x)));
    REQUIRE(same_bits(round_half_away(halfway), std::round(halfway)));
  }
}

}  // namespace test_round_half_away
