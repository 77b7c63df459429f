#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "core/json_writer.hpp"

namespace test_json_writer {

using namespace ballast::core;

TEST_CASE("json writer nests, separates and escapes") {
  std::string s;
  JsonWriter w(s);
  w.begin_object().field("a", 1).field("b", "x\"y\n").key("c").begin_array().value(1.5).value(true).null().end_array();
  w.field("d", std::nan("")).key("e").begin_object().end_object().end_object();
  CHECK(s == R"({"a":1,"b":"x\"y\n","c":[1.5,true,null],"d":null,"e":{}})");
}

TEST_CASE("json numbers are shortest round-trip") {
  std::string s;
  append_json_number(s, 589.12);
  s += ' ';
  append_json_number(s, 0.1);
  s += ' ';
  append_json_number(s, 12.0);
  CHECK(s == "589.12 0.1 12");
  std::string c;
  append_json_string(c, std::string("\x01", 1));
  CHECK(c == "\"\\u0001\"");
}

TEST_CASE("json numbers at or beyond 2^64 are written in exponent form, not as long integers") {
  // A 21-digit integer is what shortest round-trip gives for these; decoders
  // that read integers into 64 bits (the project's own among them) refuse it.
  for (const double d : {1.2345678901234567e20, 18446744073709551616.0, -3.0e25, 5.7e11 * 1e9}) {
    std::string s;
    append_json_number(s, d);
    CAPTURE(s);
    CHECK(s.find('e') != std::string::npos);
    CHECK(std::stod(s) == d);
  }
  std::string small;
  append_json_number(small, 123456789012.0);
  CHECK(small == "123456789012");
}

}  // namespace test_json_writer
