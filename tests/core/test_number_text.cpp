#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "core/number_text.hpp"

namespace test_number_text {

using ballast::core::append_shortest;
using ballast::core::shortest;

TEST_CASE("a number is spelled in the fewest digits that read back as it") {
  CHECK(shortest(12) == "12");
  CHECK(shortest(0.1) == "0.1");
  CHECK(shortest(588.5) == "588.5");
  CHECK(shortest(-0.001) == "-0.001");
  CHECK(shortest(0.1 + 0.2) == "0.30000000000000004");
  CHECK(shortest(1e20) == "1e+20");
  CHECK(shortest(5e-324) == "5e-324");
  CHECK(std::stod(shortest(1.0 / 3)) == 1.0 / 3);
}

TEST_CASE("a number that is not finite is spelled as such, never as a figure") {
  CHECK(shortest(std::numeric_limits<double>::infinity()) == "inf");
  CHECK(shortest(-std::numeric_limits<double>::infinity()) == "-inf");
  CHECK(shortest(std::nan("")) == "nan");
}

TEST_CASE("append_shortest appends to what is there") {
  std::string s = "got ";
  append_shortest(s, 2.5);
  CHECK(s == "got 2.5");
}

}  // namespace test_number_text
