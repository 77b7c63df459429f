#include "execution/limit_price.hpp"

#include <doctest/doctest.h>

#include <limits>

namespace test_limit_price {

using ballast::core::Side;
using namespace ballast::execution;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

TEST_CASE("a limit from mid sits offset_bps inside the mid: a buy below it, a sell above") {
  LimitOrderSpec s;
  s.offset_bps = 10;  // 0.1 %
  // bid 99, ask 101: mid 100 → buy 99.90, sell 100.10.
  CHECK(limit_price(s, Side::buy, 100.5, 99, 101) == doctest::Approx(99.9));
  CHECK(limit_price(s, Side::sell, 100.5, 99, 101) == doctest::Approx(100.1));
}

TEST_CASE("a limit from touch starts at the far side: the ask for a buy, the bid for a sell") {
  LimitOrderSpec s;
  s.from = LimitFrom::touch;
  s.offset_bps = -5;  // eager: up to 5 bps through the touch
  CHECK(limit_price(s, Side::buy, 100, 99, 101) == doctest::Approx(101 * 1.0005));
  CHECK(limit_price(s, Side::sell, 100, 99, 101) == doctest::Approx(99 * 0.9995));
  s.offset_bps = 0;
  CHECK(limit_price(s, Side::buy, 100, 99, 101) == 101);
}

TEST_CASE("without a usable quote the last price is the base for mid and touch alike") {
  LimitOrderSpec s;
  s.offset_bps = 20;
  CHECK(limit_price(s, Side::buy, 50, kNaN, kNaN) == doctest::Approx(49.9));
  s.from = LimitFrom::touch;
  CHECK(limit_price(s, Side::sell, 50, 0, 51) == doctest::Approx(50.1));   // a bid of 0 is no quote
  CHECK(limit_price(s, Side::sell, 50, 52, 51) == doctest::Approx(50.1));  // a crossed quote neither
}

TEST_CASE("a tick rounds the limit away from crossing: down for a buy, up for a sell") {
  LimitOrderSpec s;
  s.tick = 0.05;
  s.offset_bps = 3;  // mid 100 → 99.97 / 100.03
  CHECK(limit_price(s, Side::buy, 100, 99, 101) == doctest::Approx(99.95));
  CHECK(limit_price(s, Side::sell, 100, 99, 101) == doctest::Approx(100.05));
  s.offset_bps = 0;  // already on the grid: unchanged
  CHECK(limit_price(s, Side::buy, 100, 99, 101) == doctest::Approx(100.0));
  CHECK(limit_price(s, Side::sell, 100, 99, 101) == doctest::Approx(100.0));
}

TEST_CASE("no usable price gives no limit") {
  LimitOrderSpec s;
  CHECK(limit_price(s, Side::buy, 0, kNaN, kNaN) == 0);
  CHECK(limit_price(s, Side::buy, kNaN, kNaN, kNaN) == 0);
  s.offset_bps = 10000;  // a buy at zero is no price
  CHECK(limit_price(s, Side::buy, 100, kNaN, kNaN) == 0);
}

}  // namespace test_limit_price
