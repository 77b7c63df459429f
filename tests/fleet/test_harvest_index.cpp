#include <doctest/doctest.h>

#include <algorithm>
#include <limits>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include "fleet/harvest_index.hpp"

namespace test_harvest_index {

using namespace ballast;
using namespace ballast::fleet;

namespace {

std::vector<AccountIndex> due(HarvestIndex& index, core::SymbolId symbol, double price) {
  std::vector<AccountIndex> out;
  index.due(symbol, price, out);
  return out;
}

std::vector<AccountIndex> sorted(std::vector<AccountIndex> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("a tick finds the holdings whose trigger is at or above its price, highest first, and forgets them") {
  HarvestIndex index;
  index.set(0, 3, 100);
  index.set(1, 3, 90);
  index.set(2, 3, 80);
  CHECK(index.size() == 3);
  CHECK(due(index, 3, 95) == std::vector<AccountIndex>{0});
  CHECK(index.size() == 2);
  CHECK_FALSE(index.trigger(0, 3));
  CHECK(due(index, 3, 95).empty());  // taken out: the caller sets it again
  CHECK(due(index, 3, 80) == std::vector<AccountIndex>{1, 2});
  CHECK(index.size() == 0);
  CHECK(due(index, 3, 1).empty());
}

TEST_CASE("holdings with equal triggers are all due at that price and none just above it") {
  HarvestIndex index;
  for (AccountIndex a = 0; a < 5; ++a) index.set(a, 0, 90);
  CHECK(due(index, 0, 90.000001).empty());
  CHECK(sorted(due(index, 0, 90)) == std::vector<AccountIndex>{0, 1, 2, 3, 4});
}

TEST_CASE("a trigger set again replaces the earlier one") {
  HarvestIndex index;
  index.set(7, 1, 100);
  index.set(7, 1, 50);
  CHECK(index.size() == 1);
  CHECK(index.trigger(7, 1) == 50);
  CHECK(due(index, 1, 80).empty());  // the entry at 100 is stale
  CHECK(due(index, 1, 50) == std::vector<AccountIndex>{7});

  // Back to an earlier value: its old entry and the new one both match, yet
  // the holding is due once.
  index.set(7, 1, 100);
  index.set(7, 1, 50);
  index.set(7, 1, 100);
  CHECK(due(index, 1, 99) == std::vector<AccountIndex>{7});
  CHECK(due(index, 1, 1).empty());
  // Set, removed and set again at the same trigger: due once too.
  index.set(7, 1, 60);
  index.remove(7, 1);
  index.set(7, 1, 60);
  CHECK(due(index, 1, 60) == std::vector<AccountIndex>{7});
  CHECK(due(index, 1, 1).empty());
}

TEST_CASE("a trigger raised above the price is due, one lowered below it is not") {
  HarvestIndex index;
  index.set(1, 0, 80);
  index.set(2, 0, 120);
  index.set(1, 0, 110);
  index.set(2, 0, 90);
  CHECK(due(index, 0, 100) == std::vector<AccountIndex>{1});
  CHECK(index.trigger(2, 0) == 90);
}

TEST_CASE("a removed holding is never due, and removing an unknown one does nothing") {
  HarvestIndex index;
  index.set(4, 2, 100);
  index.set(5, 2, 100);
  index.remove(4, 2);
  index.remove(4, 9);      // a symbol it does not hold
  index.remove(1000, 2);   // an account never seen
  CHECK(index.size() == 1);
  CHECK_FALSE(index.trigger(4, 2));
  CHECK(due(index, 2, 10) == std::vector<AccountIndex>{5});
  CHECK(due(index, 77, 10).empty());  // a symbol never seen
}

TEST_CASE("a trigger not above zero removes the holding") {
  HarvestIndex index;
  index.set(0, 0, 100);
  index.set(1, 0, 100);
  index.set(2, 0, 100);
  index.set(0, 0, 0);
  index.set(1, 0, -5);
  index.set(2, 0, std::numeric_limits<double>::quiet_NaN());
  index.set(3, 0, 0);  // never had one: nothing to remove
  CHECK(index.size() == 0);
  CHECK(due(index, 0, 1).empty());
}

TEST_CASE("an account's holdings of different symbols are separate") {
  HarvestIndex index;
  index.set(0, 0, 100);
  index.set(0, 1, 100);
  index.set(0, 2, 50);
  CHECK(due(index, 1, 99) == std::vector<AccountIndex>{0});
  CHECK(index.trigger(0, 0) == 100);
  CHECK(index.trigger(0, 2) == 50);
  CHECK_FALSE(index.trigger(0, 1));
  index.remove(0, 0);
  CHECK(index.trigger(0, 2) == 50);
  CHECK(due(index, 2, 50) == std::vector<AccountIndex>{0});
  CHECK(index.size() == 0);
}

TEST_CASE("stale entries are dropped once they outnumber live ones, and memory stays bounded") {
  HarvestIndex index;
  for (AccountIndex a = 0; a < 100; ++a) index.set(a, 0, 100 + a);
  for (int round = 0; round < 1000; ++round) {
    for (AccountIndex a = 0; a < 100; ++a) index.set(a, 0, 100 + a + round + 1);
    REQUIRE(index.entries() <= 2 * 100 + 64);
  }
  const std::size_t bytes = index.memory_bytes();
  for (int round = 0; round < 1000; ++round) {
    for (AccountIndex a = 0; a < 100; ++a) index.set(a, 0, 5000 - round);
  }
  CHECK(index.memory_bytes() == bytes);
  CHECK(index.size() == 100);
  // Now removing: stale entries fall with the live ones.
  for (AccountIndex a = 0; a < 90; ++a) index.remove(a, 0);
  CHECK(index.entries() <= 2 * 10 + 64);
  CHECK(sorted(due(index, 0, 1)) == std::vector<AccountIndex>{90, 91, 92, 93, 94, 95, 96, 97, 98, 99});
  CHECK(index.entries() == 0);
}

TEST_CASE("random sets, removals and ticks find what a plain map of triggers finds") {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<AccountIndex> account(0, 60);
  std::uniform_int_distribution<core::SymbolId> symbol(0, 4);
  std::uniform_int_distribution<int> op(0, 9), level(0, 20);
  HarvestIndex index;
  std::map<std::pair<AccountIndex, core::SymbolId>, double> model;
  for (int step = 0; step < 200000; ++step) {
    const AccountIndex a = account(rng);
    const core::SymbolId s = symbol(rng);
    const int o = op(rng);
    if (o < 6) {
      // Few distinct levels: equal triggers and values set back are common.
      const double trigger = level(rng) * 5.0 - 5;  // −5 and 0 remove
      index.set(a, s, trigger);
      if (trigger > 0) model[{a, s}] = trigger;
      else model.erase({a, s});
    } else if (o < 8) {
      index.remove(a, s);
      model.erase({a, s});
    } else {
      const double price = level(rng) * 5.0 + (o == 8 ? 0 : 2.5);
      std::vector<AccountIndex> found;
      index.due(s, price, found);
      std::vector<AccountIndex> expected;
      for (auto it = model.begin(); it != model.end();) {
        if (it->first.second == s && it->second >= price) {
          expected.push_back(it->first.first);
          it = model.erase(it);
        } else {
          ++it;
        }
      }
      REQUIRE(sorted(found) == expected);
    }
    REQUIRE(index.size() == model.size());
    if (step % 1000 == 0) {
      for (const auto& [key, trigger] : model) REQUIRE(index.trigger(key.first, key.second) == trigger);
      REQUIRE(index.entries() <= 2 * index.size() + 5 * 64);
    }
  }
}

TEST_CASE("a holding taken out leaves room that the account's next trigger takes, of any symbol") {
  HarvestIndex index;
  for (core::SymbolId s = 0; s < 3; ++s) index.set(0, s, 50);
  std::vector<AccountIndex> out;
  index.due(0, 10, out);
  index.due(1, 10, out);
  index.due(2, 10, out);
  CHECK(out == std::vector<AccountIndex>{0, 0, 0});
  const std::size_t bytes = index.memory_bytes();
  for (int round = 0; round < 1000; ++round) {
    const auto s = static_cast<core::SymbolId>(round % 3);
    index.set(0, s, 60);
    index.set(0, (s + 1) % 3, 70);
    CHECK(index.size() == 2);
    CHECK(due(index, s, 60) == std::vector<AccountIndex>{0});
    CHECK(due(index, (s + 1) % 3, 70) == std::vector<AccountIndex>{0});
  }
  CHECK(index.memory_bytes() == bytes);
  CHECK(index.size() == 0);
}

}  // namespace test_harvest_index
