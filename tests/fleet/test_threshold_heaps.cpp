#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "fleet/threshold_heaps.hpp"
#include "fleet_test_support.hpp"

using namespace ballast;
using namespace ballast::fleet;
using ballast::fleet::test::simple_model;

TEST_CASE("threshold heaps find exactly the slots below a query after random updates") {
  AccountBook book(3);
  REQUIRE_FALSE(book.add_model(simple_model({0.3, 0.3, 0.3}, 0.05)));
  for (int a = 0; a < 500; ++a) REQUIRE_FALSE(book.add_account("a", 0, 0, std::vector<double>{1, 1, 1}));
  ThresholdHeaps heaps(book);
  std::vector<float> key(book.slot_count(), -INFINITY);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> any(-10, 10);
  for (int round = 0; round < 3000; ++round) {
    const auto s = static_cast<SlotIndex>(rng() % book.slot_count());
    const auto j = static_cast<core::SymbolId>(s % 3);  // slots follow the model's symbols 0, 1, 2
    key[s] = round % 50 == 0 ? INFINITY : any(rng);
    heaps.update(j, s, key[s]);
    if (round % 100 != 99) continue;
    for (core::SymbolId sym = 0; sym < 3; ++sym) {
      const double query = any(rng);
      std::vector<SlotIndex> found, expected;
      heaps.for_each_below(sym, query, [&](SlotIndex slot) { found.push_back(slot); });
      for (SlotIndex t = sym; t < book.slot_count(); t += 3) {
        if (static_cast<double>(key[t]) < query) expected.push_back(t);
      }
      std::sort(found.begin(), found.end());
      REQUIRE(found == expected);
      for (SlotIndex t = sym; t < book.slot_count(); t += 3) REQUIRE(heaps.key_of(t, sym) == key[t]);
    }
  }
}
