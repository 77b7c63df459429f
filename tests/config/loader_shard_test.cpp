// The loader on [daemon] shard: "i/n" read into a Shard, every bad value
// reported at its line and column, all of them at once, and the portfolios
// left whole (the daemon picks its own).
#include <doctest/doctest.h>

#include <string>

#include "config/config.hpp"
#include "tests/config/config_test_support.hpp"

namespace ballast::config {
namespace loader_shard_test {
namespace {

using test::contains;
using test::describe;
using test::only_error;
using test::valid;

TEST_CASE("without shard a daemon is shard 0 of 1") {
  CHECK(valid("").daemon.shard == Shard{0, 1});
}

TEST_CASE("shard is read as index and count, and every portfolio stays in the config") {
  const Config c = valid(test::with_head(R"([[portfolios]]
id = "q"
targets = { SPY = 1 }
[daemon]
shard = "1/2"
)"));
  CHECK(c.daemon.shard == Shard{1, 2});
  CHECK(c.portfolios.size() == 2);
}

TEST_CASE("a bad shard is reported at its value with what was expected") {
  struct Case {
    const char* value;
    const char* says;
  };
  for (const Case& c : {Case{"3/2", "the index i must be below n"}, Case{"2/2", "the index i must be below n"},
                        Case{"0/0", "the number of daemons n must be 1 to 1024"},
                        Case{"1/1000000", "the number of daemons n must be 1 to 1024"},
                        Case{"a/b", "expected \"i/n\""}, Case{"1", "expected \"i/n\""},
                        Case{"-1/2", "expected \"i/n\""}, Case{"", "expected \"i/n\""}}) {
    INFO("shard = ", c.value);
    const auto e = only_error(test::with_head(std::string("[daemon]\nshard = \"") + c.value + "\"\n"));
    CHECK(e.file == "test.toml");
    CHECK_AT(e, 5, 9);
    CHECK(contains(e.message, std::string("shard: \"") + c.value + "\""));
    CHECK(contains(e.message, c.says));
  }
}

TEST_CASE("a shard that is not a string says so") {
  const auto e = only_error(test::with_head("[daemon]\nshard = 1\n"));
  CHECK_AT(e, 5, 9);
  CHECK(e.message == "shard: expected a string, got an integer");
}

TEST_CASE("a bad shard is reported with the other problems of the file") {
  const LoadResult r = parse_config(R"([daemon]
shard = "3/2"
clock = "steady"
[[feeds]]
name = "f"
endpoint = "tcp://127.0.0.1:5556"
[[portfolios]]
id = "p"
targets = { A = 1 }
)",
                                    "test.toml", Purpose::daemon);
  INFO(describe(r));
  REQUIRE(r.errors.size() == 2);
  CHECK_AT(r.errors[0], 2, 9);
  CHECK(contains(r.errors[0].message, "shard"));
  CHECK_AT(r.errors[1], 3, 9);
}

}  // namespace
}  // namespace loader_shard_test
}  // namespace ballast::config
