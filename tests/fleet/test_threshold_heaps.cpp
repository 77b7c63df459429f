#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "fleet/threshold_heaps.hpp"
#include "fleet_test_support.hpp"

namespace test_threshold_heaps {

using namespace ballast;
using namespace ballast::fleet;
using ballast::fleet::test::simple_model;

namespace {

/// Every slot of `sym` in the heaps, against the keys the test expects.
void require_heap(const ThresholdHeaps& heaps, core::SymbolId sym, const std::vector<float>& key,
                  const std::vector<bool>& in, std::size_t symbols, double query) {
  std::vector<SlotIndex> found, expected;
  heaps.for_each_below(sym, query, [&](SlotIndex slot) { found.push_back(slot); });
  std::size_t held = 0;
  for (SlotIndex t = sym; t < key.size(); t += static_cast<SlotIndex>(symbols)) {
    if (!in[t]) continue;
    ++held;
    REQUIRE(heaps.key_of(t, sym) == key[t]);
    if (static_cast<double>(key[t]) < query) expected.push_back(t);
  }
  std::sort(found.begin(), found.end());
  REQUIRE(found == expected);
  REQUIRE(heaps.size(sym) == held);
}

}  // namespace

TEST_CASE("threshold heaps find exactly the slots below a query after random inserts, updates and erasures") {
  AccountBook book(3);
  REQUIRE_FALSE(book.add_model(simple_model({0.3, 0.3, 0.3}, 0.05)));
  for (int a = 0; a < 500; ++a) REQUIRE_FALSE(book.add_account("a", 0, 0, std::vector<double>{1, 1, 1}));
  ThresholdHeaps heaps(book);
  for (core::SymbolId sym = 0; sym < 3; ++sym) CHECK(heaps.size(sym) == 0);
  std::vector<float> key(book.slot_count(), -INFINITY);
  std::vector<bool> in(book.slot_count(), false);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> any(-10, 10);
  for (int round = 0; round < 6000; ++round) {
    const auto s = static_cast<SlotIndex>(rng() % book.slot_count());
    const auto j = static_cast<core::SymbolId>(s % 3);  // slots follow the model's symbols 0, 1, 2
    const float k = round % 50 == 0 ? INFINITY : round % 70 == 0 ? -INFINITY : any(rng);
    if (!in[s]) {
      heaps.insert(j, s, k);
      in[s] = true;
      key[s] = k;
    } else if (rng() % 4 == 0) {
      heaps.erase(j, s);
      in[s] = false;
    } else {
      heaps.update(j, s, k);
      key[s] = k;
    }
    if (round % 100 != 99) continue;
    for (core::SymbolId sym = 0; sym < 3; ++sym) require_heap(heaps, sym, key, in, 3, any(rng));
    REQUIRE(heaps.entries() == static_cast<std::size_t>(std::count(in.begin(), in.end(), true)));
  }
  heaps.clear();
  for (core::SymbolId sym = 0; sym < 3; ++sym) CHECK(heaps.size(sym) == 0);
  CHECK(heaps.entries() == 0);
}

TEST_CASE("threshold heaps follow slots that move when an account's holdings change in number") {
  AccountBook book(3);
  REQUIRE_FALSE(book.add_model(simple_model({0.3, 0.3, 0.3}, 0.05)));
  REQUIRE_FALSE(book.add_model(simple_model({0.5}, 0.05)));
  for (int a = 0; a < 4; ++a) REQUIRE_FALSE(book.add_account("a", 0, 0, std::vector<double>{1, 1, 1}));
  ThresholdHeaps heaps(book);
  for (SlotIndex s = 0; s < book.slot_count(); ++s) heaps.insert(static_cast<core::SymbolId>(s % 3), s, float(s));
  // Account 1 (slots 3..5) out, then down to one holding: later slots move by −2.
  for (SlotIndex s = 3; s < 6; ++s) heaps.erase(static_cast<core::SymbolId>(s % 3), s);
  REQUIRE_FALSE(book.set_account(1, 1, 0, std::vector<double>{2}));
  heaps.shift_slots(6, -2);
  std::vector<SlotIndex> found;
  heaps.for_each_below(0, 100, [&](SlotIndex s) { found.push_back(s); });
  std::sort(found.begin(), found.end());
  // Symbol 0 was held by slots 0, 6, 9 (keys 0, 6, 9): now slots 0, 4, 7.
  CHECK(found == std::vector<SlotIndex>{0, 4, 7});
  CHECK(heaps.key_of(4, 0) == 6.0f);
  CHECK(heaps.key_of(7, 0) == 9.0f);
  CHECK(book.first_slot(2) == 4);
  CHECK(book.quantities(1).size() == 1);
}

}  // namespace test_threshold_heaps
