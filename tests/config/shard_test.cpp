// The shard rule: FNV-1a 64 of a portfolio id, modulo the number of daemons,
// checked against values computed by hand from the algorithm's definition,
// and the "i/n" form with its bad inputs.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "config/shard.hpp"

namespace ballast::config {
namespace shard_test {
namespace {

TEST_CASE("fnv1a_64 gives the published values of FNV-1a 64") {
  CHECK(fnv1a_64("") == 0xcbf29ce484222325ULL);  // the offset basis: nothing was hashed
  CHECK(fnv1a_64("a") == 0xaf63dc4c8601ec8cULL);
  CHECK(fnv1a_64("foobar") == 0x85944171f73967e8ULL);
}

TEST_CASE("fnv1a_64 of one byte is (basis xor byte) times the prime, modulo 2^64") {
  // 0xcbf29ce484222325 ^ 0x61 = 0xcbf29ce484222344; × 0x100000001b3 mod 2^64:
  const std::uint64_t by_hand = (0xcbf29ce484222325ULL ^ 0x61ULL) * 0x100000001b3ULL;
  CHECK(fnv1a_64("a") == by_hand);
  // Bytes above 0x7f are taken unsigned.
  CHECK(fnv1a_64("\xff") == (0xcbf29ce484222325ULL ^ 0xffULL) * 0x100000001b3ULL);
}

TEST_CASE("a portfolio's shard is its id's hash modulo the number of daemons") {
  // fnv1a_64("main") = 0x1f5962a2ce9803c8: even, and 2 modulo 3.
  CHECK(fnv1a_64("main") == 0x1f5962a2ce9803c8ULL);
  CHECK(shard_of("main", 1) == 0);
  CHECK(shard_of("main", 2) == 0);
  CHECK(shard_of("main", 3) == 2);
  // fnv1a_64("p0") = 0x08d59807b575ec6d: odd, and 0 modulo 3.
  CHECK(fnv1a_64("p0") == 0x08d59807b575ec6dULL);
  CHECK(shard_of("p0", 2) == 1);
  CHECK(shard_of("p0", 3) == 0);
  CHECK(owns(Shard{1, 2}, "p0"));
  CHECK_FALSE(owns(Shard{0, 2}, "p0"));
  CHECK(owns(Shard{}, "p0"));  // the default shard owns everything
}

TEST_CASE("the shards of n daemons split the portfolios: disjoint, and together all of them") {
  std::vector<strategies::PortfolioSpec> all;
  for (const char* id : {"p0", "p1", "p2", "p3", "p4", "p5", "main", "income"}) {
    strategies::PortfolioSpec p;
    p.id = id;
    all.push_back(p);
  }
  for (std::uint32_t n : {1u, 2u, 3u, 7u}) {
    std::multiset<std::string> seen;
    for (std::uint32_t i = 0; i < n; ++i) {
      for (const auto& p : owned_portfolios(all, Shard{i, n})) {
        CHECK(shard_of(p.id, n) == i);
        seen.insert(p.id);
      }
    }
    CHECK(seen.size() == all.size());
    for (const auto& p : all) CHECK(seen.count(p.id) == 1);
  }
  // p0 … p5 alternate between the two halves (their hashes are odd, even, …).
  std::vector<std::string> zero;
  for (const auto& p : owned_portfolios(all, Shard{0, 2})) zero.push_back(p.id);
  CHECK(zero == std::vector<std::string>{"p1", "p3", "p5", "main", "income"});
}

TEST_CASE("parse_shard reads i/n") {
  const auto a = parse_shard("0/1");
  REQUIRE(a.shard);
  CHECK(*a.shard == Shard{0, 1});
  const auto b = parse_shard("1/2");
  REQUIRE(b.shard);
  CHECK(*b.shard == Shard{1, 2});
  const auto c = parse_shard("1023/1024");
  REQUIRE(c.shard);
  CHECK(*c.shard == Shard{1023, 1024});
  CHECK(to_string(*b.shard) == "1/2");
}

TEST_CASE("parse_shard refuses anything but i/n with i below n and n from 1 to 1024") {
  for (const char* bad : {"3/2", "2/2", "0/0", "a/b", "1/1000000", "0/1025", "", "/", "1", "1/", "/2", "-1/2", "+1/2",
                          "1/-2", " 1/2", "1/2 ", "1 /2", "01/2", "1/02", "1/2/3", "1.0/2", "0x1/2",
                          "99999999999999999999/2", "1/99999999999999999999"}) {
    INFO("text: ", bad);
    const auto r = parse_shard(bad);
    CHECK_FALSE(r.shard);
    CHECK_FALSE(r.error.empty());
  }
}

}  // namespace
}  // namespace shard_test
}  // namespace ballast::config
