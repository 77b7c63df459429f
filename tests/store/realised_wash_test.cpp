// The realised lines' seqs and wash sales in the state file: a line is
// appended as the seq it is given or as the next one, every read gives its seq
// back, a line's disallowed loss is raised by later wash sales up to its loss
// and never past it, and the recent lines are read back by the day sold.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "store/realised_table.hpp"
#include "store/state_store.hpp"
#include "store_test_support.hpp"
#include "tax/holding_period.hpp"
#include "tests/support/scratch_dir.hpp"

namespace realised_wash_test {

using namespace ballast;
using namespace ballast::store;
using ballast::store::test::contains;
using ballast::store::test::open_ok;
using ballast::tax::day_of;
using ballast::testing::ScratchDir;

namespace {

/// `quantity` units of VTI bought on 2025-03-03, sold on `sold`.
RealisedRow row(std::string account, tax::Day sold, double quantity, double proceeds, double basis,
                std::uint64_t seq = 0) {
  tax::RealisedLine l;
  l.lot = 1;
  l.purchase = 1;
  l.quantity = quantity;
  l.acquired = day_of(2025, 3, 3);
  l.holding_from = day_of(2025, 3, 3);
  l.sold = sold;
  l.proceeds = proceeds;
  l.basis = basis;
  l.gain = proceeds - basis;
  l.term = tax::Term::short_term;
  return RealisedRow{std::move(account), "VTI", l, seq};
}

std::vector<std::uint64_t> seqs(const std::vector<RealisedRow>& rows) {
  std::vector<std::uint64_t> out;
  for (const RealisedRow& r : rows) out.push_back(r.seq);
  return out;
}

std::vector<RealisedRow> sold_since(const StateStore& store, tax::Day from) {
  std::vector<RealisedRow> out;
  store.for_each_realised_sold_since(from, [&](const RealisedRow& r) { out.push_back(r); });
  return out;
}

std::vector<RealisedRow> of_year(const StateStore& store, int year) {
  std::vector<RealisedRow> out;
  store.for_each_realised(year, [&](const RealisedRow& r) { out.push_back(r); });
  return out;
}

/// The line of seq `seq` of an account, read through realised_of.
RealisedRow line_of(const StateStore& store, const std::string& account, std::uint64_t seq) {
  for (const RealisedRow& r : store.realised_of(account)) {
    if (r.seq == seq) return r;
  }
  FAIL("no line " << seq << " of " << account);
  return {};
}

Change wash(std::uint64_t seq, double add) {
  Change c;
  c.realised_wash.push_back(RealisedWash{seq, add});
  return c;
}

fleet::AccountRecord account(const std::string& id) {
  fleet::AccountRecord a;
  a.id = id;
  a.model = "balanced";
  a.cash = 100;
  return a;
}

/// The detail column of every row of EXPLAIN QUERY PLAN for `sql`, one a line.
std::string query_plan(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  std::string out;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    out += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
    out += '\n';
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

const tax::Day kSold = day_of(2026, 11, 2);

}  // namespace

TEST_CASE("realised lines take the seq they are given or the next one, and every read gives it back") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  {
    StateStore store = open_ok(path);
    CHECK(store.last_realised_seq() == 0);
    Change c;
    c.realised = {row("a1", kSold, 1, 90, 100), row("a1", kSold, 2, 190, 200)};
    store.commit(c);
    CHECK(store.last_realised_seq() == 2);
    c.realised = {row("b", kSold, 1, 90, 100, 10)};  // a gap: 3 to 9 are never used
    store.commit(c);
    CHECK(store.last_realised_seq() == 10);
    c.realised = {row("a1", kSold, 1, 90, 100)};  // the next after 10
    store.commit(c);
    c.realised = {row("b", kSold, 1, 90, 100, 12), row("b", kSold, 1, 90, 100), row("a1", kSold, 1, 90, 100, 20)};
    store.commit(c);
    CHECK(store.last_realised_seq() == 20);
  }
  StateStore store = open_ok(path);
  CHECK(store.last_realised_seq() == 20);
  CHECK(seqs(store.realised_of("a1")) == std::vector<std::uint64_t>{1, 2, 11, 20});
  CHECK(seqs(store.realised_of("b")) == std::vector<std::uint64_t>{10, 12, 13});
  CHECK(seqs(of_year(store, 2026)) == std::vector<std::uint64_t>{1, 2, 11, 20, 10, 12, 13});  // by account
  CHECK(seqs(sold_since(store, kSold)) == std::vector<std::uint64_t>{1, 2, 10, 11, 12, 13, 20});
  const RealisedRow second = line_of(store, "a1", 2);
  CHECK(second.line.quantity == 2);
  CHECK(second.line.gain == -10);  // 190 − 200
}

TEST_CASE("a seq that is not above every seq in the table fails the whole commit") {
  ScratchDir dir;
  StateStore store = open_ok(dir.file("state.db"));
  Change first;
  first.realised = {row("a1", kSold, 1, 90, 100, 5)};
  store.commit(first);

  const auto refused = [&](std::vector<RealisedRow> rows, const std::string& why) {
    Change c;
    c.accounts = {account("a2")};
    c.realised = std::move(rows);
    try {
      store.commit(c);
      FAIL("committed");
    } catch (const StoreError& e) {
      CHECK_MESSAGE(contains(e.what(), why), std::string(e.what()));
      CHECK(e.sqlite_code() == SQLITE_CONSTRAINT);
    }
    CHECK(store.last_realised_seq() == 5);
    CHECK(store.realised_of("a1").size() == 1);
    CHECK(store.account_count() == 0);
  };
  refused({row("a1", kSold, 1, 90, 100, 5)}, "seq 5 is not above the last one in the table, 5");
  refused({row("a1", kSold, 1, 90, 100, 4)}, "seq 4 is not above the last one in the table, 5");
  // The rows before it in the same change count: the table's last is then 7.
  refused({row("a1", kSold, 1, 90, 100, 7), row("a1", kSold, 1, 90, 100, 6)},
          "seq 6 is not above the last one in the table, 7");
  refused({row("a1", kSold, 1, 90, 100), row("a1", kSold, 1, 90, 100, 6)},  // the first took 6
          "seq 6 is not above the last one in the table, 6");
  refused({row("a1", kSold, 1, 90, 100, std::uint64_t{1} << 63)}, "is not below 2^63");
  refused({row("a1", kSold, 1, 90, 100, std::numeric_limits<std::uint64_t>::max())}, "is not below 2^63");

  Change next;
  next.realised = {row("a1", kSold, 1, 90, 100, 6)};
  store.commit(next);
  CHECK(store.last_realised_seq() == 6);
}

TEST_CASE("wash sales raise a loss line's disallowed loss, on a committed line or one of the same change") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  {
    StateStore store = open_ok(path);
    Change c;
    c.realised = {row("a1", kSold, 10, 900, 1000)};  // seq 1: a loss of 100
    store.commit(c);
    store.commit(wash(1, 30));
    CHECK(line_of(store, "a1", 1).line.wash_disallowed == 30);
    CHECK(line_of(store, "a1", 1).line.reported_gain() == -70);  // −100 + 30
    store.commit(wash(1, 45));
    CHECK(line_of(store, "a1", 1).line.wash_disallowed == 75);

    // A line and its wash sale in one change: by the seq given, and by the next one.
    Change both;
    both.realised = {row("a1", kSold, 4, 150, 200, 8), row("a1", kSold, 1, 40, 41)};  // losses of 50 and 1
    both.realised_wash = {RealisedWash{8, 20}, RealisedWash{9, 0.25}, RealisedWash{8, 5}, RealisedWash{1, 25}};
    store.commit(both);
  }
  StateStore store = open_ok(path);
  CHECK(line_of(store, "a1", 1).line.wash_disallowed == 100);  // 30 + 45 + 25: the whole loss
  CHECK(line_of(store, "a1", 1).line.reported_gain() == 0);
  CHECK(line_of(store, "a1", 8).line.wash_disallowed == 25);   // 20 + 5
  CHECK(line_of(store, "a1", 8).line.reported_gain() == -25);  // −50 + 25
  CHECK(line_of(store, "a1", 9).line.wash_disallowed == 0.25);
  // The rest of the line is as it was written.
  const tax::RealisedLine l = line_of(store, "a1", 8).line;
  CHECK(l.quantity == 4);
  CHECK(l.proceeds == 150);
  CHECK(l.basis == 200);
  CHECK(l.gain == -50);
}

TEST_CASE("a disallowed loss a rounding above the line's loss is the whole loss; more than that is refused") {
  ScratchDir dir;
  StateStore store = open_ok(dir.file("state.db"));
  Change c;
  c.realised = {row("a1", kSold, 10, 900, 1000), row("a1", kSold, 10, 900, 1000)};  // seqs 1 and 2, losses of 100
  store.commit(c);
  store.commit(wash(1, 60));
  store.commit(wash(2, 60));
  // The tolerance on a loss of 100: 1e-9 × 100 + 1e-9 = 1.01e-7.
  store.commit(wash(1, 40.00000005));  // 100.00000005: 5e-8 over
  CHECK(line_of(store, "a1", 1).line.wash_disallowed == 100);
  CHECK(line_of(store, "a1", 1).line.reported_gain() == 0);
  try {
    store.commit(wash(2, 40.0000002));  // 100.0000002: 2e-7 over
    FAIL("committed");
  } catch (const StoreError& e) {
    CHECK_MESSAGE(contains(e.what(), "refused a wash sale on realised line 2: the loss disallowed would be "
                                     "100.0000002, more than the line's loss of 100"),
                  std::string(e.what()));
  }
  CHECK(line_of(store, "a1", 2).line.wash_disallowed == 60);
  store.commit(wash(2, 40));
  CHECK(line_of(store, "a1", 2).line.wash_disallowed == 100);
}

TEST_CASE("a wash sale the table cannot take fails the whole commit and writes nothing") {
  ScratchDir dir;
  StateStore store = open_ok(dir.file("state.db"));
  Change c;
  // seq 1: a loss of 100 with 40 disallowed; seq 2: a gain of 10; seq 3: no gain, no loss.
  c.realised = {row("a1", kSold, 10, 900, 1000), row("a1", kSold, 1, 110, 100), row("a1", kSold, 1, 100, 100)};
  c.realised_wash = {RealisedWash{1, 40}};
  store.commit(c);

  struct Case {
    RealisedWash wash;
    std::string why;
  };
  const double nan = std::nan("");
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<Case> cases = {
      {{99, 1}, "realised line 99: there is no such line"},
      {{0, 1}, "realised line 0: there is no such line"},
      {{std::numeric_limits<std::uint64_t>::max(), 1}, "there is no such line"},
      {{1, 0}, "realised line 1: the loss disallowed must be a finite number > 0"},
      {{1, -5}, "must be a finite number > 0"},
      {{1, nan}, "must be a finite number > 0"},
      {{1, inf}, "must be a finite number > 0"},
      {{2, 1}, "realised line 2: the line is not a loss (its gain is 10)"},
      {{3, 1}, "realised line 3: the line is not a loss (its gain is 0)"},
      {{1, 51}, "the loss disallowed would be 101, more than the line's loss of 100"},  // 40 + 10 + 51 of 100
  };
  for (const Case& k : cases) {
    Change bad;
    bad.accounts = {account("a2")};
    bad.realised = {row("a1", kSold, 1, 50, 60)};  // would be seq 4
    bad.realised_wash = {RealisedWash{1, 10}, RealisedWash{4, 10}, k.wash};
    try {
      store.commit(bad);
      FAIL("committed " << k.why);
    } catch (const StoreError& e) {
      CHECK_MESSAGE(contains(e.what(), k.why), std::string(e.what()));
      CHECK(e.sqlite_code() == SQLITE_CONSTRAINT);
    }
    CHECK(store.last_realised_seq() == 3);
    CHECK(line_of(store, "a1", 1).line.wash_disallowed == 40);
    CHECK(line_of(store, "a1", 2).line.wash_disallowed == 0);
    CHECK(store.account_count() == 0);
  }
}

TEST_CASE("the lines sold since a day are those sold on it or later, in seq order") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  StateStore store = open_ok(path);
  CHECK(sold_since(store, kSold).empty());
  Change c;
  c.realised = {row("b", kSold + 5, 1, 90, 100),   // seq 1
                row("a1", kSold - 1, 1, 90, 100),  // seq 2: the day before
                row("a1", kSold, 1, 90, 100),      // seq 3: on the day
                row("a0", kSold + 1, 1, 90, 100)};  // seq 4
  store.commit(c);
  Change later;
  later.realised = {row("a0", kSold, 1, 90, 100)};  // seq 5
  store.commit(later);

  CHECK(seqs(sold_since(store, kSold)) == std::vector<std::uint64_t>{1, 3, 4, 5});
  CHECK(seqs(sold_since(store, kSold - 1)) == std::vector<std::uint64_t>{1, 2, 3, 4, 5});
  CHECK(seqs(sold_since(store, kSold + 1)) == std::vector<std::uint64_t>{1, 4});
  CHECK(seqs(sold_since(store, kSold + 5)) == std::vector<std::uint64_t>{1});
  CHECK(sold_since(store, kSold + 6).empty());
  CHECK(seqs(sold_since(store, day_of(1969, 1, 1))) == std::vector<std::uint64_t>{1, 2, 3, 4, 5});
  const auto on_day = sold_since(store, kSold);
  CHECK(on_day[1].account == "a1");
  CHECK(on_day[1].line.sold == kSold);

  // The query finds them through the index on sold, then sorts the few it found.
  const std::string plan = query_plan(path, sql::kRealisedSoldSince);
  CHECK_MESSAGE(contains(plan, "USING INDEX realised_lots_by_sold (sold>?)"), plan);
  CHECK_MESSAGE(!contains(plan, "SCAN realised_lots"), plan);
}

}  // namespace realised_wash_test
