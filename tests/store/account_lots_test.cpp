// The accounts' tax lots and realised gains in the state file: lots and the
// lot method round-trip with their record and are replaced by the daemon's
// account_lots; realised lines are appended and read by year or by account,
// and outlive their account; files of versions 1 and 2 are upgraded.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "store/account_tables.hpp"
#include "store/state_store.hpp"
#include "store_test_support.hpp"
#include "tax/holding_period.hpp"
#include "tests/support/scratch_dir.hpp"

namespace account_lots_test {

using namespace ballast;
using namespace ballast::store;
using ballast::fleet::AccountRecord;
using ballast::fleet::RecordLot;
using ballast::store::test::contains;
using ballast::store::test::kAccountsSchemaV2First;
using ballast::store::test::kOrderAllocationsSchemaV2;
using ballast::store::test::kSchemaV1;
using ballast::store::test::open_error;
using ballast::store::test::open_ok;
using ballast::store::test::raw_sql;
using ballast::store::test::raw_value;
using ballast::tax::CloseMethod;
using ballast::tax::day_of;
using ballast::testing::ScratchDir;

namespace {

RecordLot lot(std::string symbol, double quantity, double cost, tax::Day acquired) {
  return RecordLot{std::move(symbol), quantity, cost, acquired, acquired, 0};
}

/// The lots as the file gives them back: each with an id (fleet::number_lots).
std::vector<RecordLot> numbered(std::vector<RecordLot> lots) {
  fleet::number_lots(lots);
  return lots;
}

/// 5 BND in one lot, 10 VTI in three lots of 7 (one split by a wash sale).
AccountRecord account(const std::string& id) {
  AccountRecord a;
  a.id = id;
  a.model = "balanced";
  a.cash = 100;
  a.holdings = {{"BND", 5}, {"VTI", 10}};
  a.lots = {lot("BND", 5, 72.5, day_of(2023, 1, 2)), lot("VTI", 4, 200, day_of(2024, 3, 1)),
            RecordLot{"VTI", 2.5, 0.1 + 0.2, day_of(2024, 9, 16), day_of(2024, 6, 3), 4.25},
            lot("VTI", 0.5, 1.0 / 3, day_of(1969, 7, 20))};  // a day before 1970 is negative
  // Ids as the daemon keeps them: not 0, 1, … after sales and wash-sale splits.
  a.lots[0].id = 3;
  a.lots[1].id = 0;
  a.lots[2].id = 7;
  a.lots[3].id = 4294967295u;
  a.lot_method = CloseMethod::hifo;
  return a;
}

Change lots_change(const std::string& id, std::vector<RecordLot> lots, CloseMethod method) {
  Change c;
  c.account_lots.push_back(AccountLotsRow{id, std::move(lots), method});
  return c;
}

tax::RealisedLine line(tax::LotId lot, tax::Day sold, double quantity, double proceeds, double basis,
                       tax::Term term = tax::Term::short_term, double wash_disallowed = 0) {
  tax::RealisedLine l;
  l.lot = lot;
  l.purchase = lot;
  l.quantity = quantity;
  l.acquired = day_of(2024, 3, 1);
  l.holding_from = day_of(2024, 3, 1);
  l.sold = sold;
  l.proceeds = proceeds;
  l.basis = basis;
  l.gain = proceeds - basis;
  l.term = term;
  l.wash_disallowed = wash_disallowed;
  return l;
}

bool same(const RealisedRow& a, const RealisedRow& b) {
  const tax::RealisedLine& x = a.line;
  const tax::RealisedLine& y = b.line;
  return a.account == b.account && a.symbol == b.symbol && x.lot == y.lot && x.purchase == y.purchase &&
         x.quantity == y.quantity && x.acquired == y.acquired && x.holding_from == y.holding_from &&
         x.sold == y.sold && x.proceeds == y.proceeds && x.basis == y.basis && x.gain == y.gain &&
         x.term == y.term && x.wash_disallowed == y.wash_disallowed;
}

/// "account/symbol/lot" of each row, for checks on order.
std::vector<std::string> keys(const std::vector<RealisedRow>& rows) {
  std::vector<std::string> out;
  for (const RealisedRow& r : rows) out.push_back(r.account + "/" + r.symbol + "/" + std::to_string(r.line.lot));
  return out;
}

std::vector<RealisedRow> of_year(const StateStore& store, int year) {
  std::vector<RealisedRow> out;
  store.for_each_realised(year, [&](const RealisedRow& r) { out.push_back(r); });
  return out;
}

}  // namespace

TEST_CASE("lots and the lot method round-trip with their account, bit for bit, through every way in and out") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  AccountRecord many = account("many");
  many.holdings = {{"BND", 1e9}, {"VTI", 10}, {std::string(200, 'Z'), 1}};
  many.lots.clear();
  for (int i = 0; i < 3000; ++i) many.lots.push_back(lot("BND", 1 + i * 1e-3, 50 + i, day_of(2000, 1, 1) + i));
  many.lots.push_back(lot(std::string(200, 'Z'), 1, 1e-300, day_of(2999, 12, 31)));
  fleet::number_lots(many.lots);
  many.lot_method = CloseMethod::min_tax;
  AccountRecord none = account("none");
  none.lots.clear();
  none.lot_method = CloseMethod::fifo;
  {
    StateStore store = open_ok(path);
    Change c;
    c.accounts = {account("a1"), none};
    store.commit(c);
    int n = 0;
    CHECK(store.commit_accounts([&](AccountRecord& r) {
      if (n++ == 1) return false;
      r = many;
      return true;
    }) == 1);
  }
  StateStore store = open_ok(path);
  CHECK(store.account("a1") == account("a1"));
  CHECK(store.account("none") == none);
  CHECK(store.account("many") == many);
  std::vector<AccountRecord> all;
  store.for_each_account([&](const AccountRecord& a) { all.push_back(a); });  // one record reused: lots shrink too
  REQUIRE(all.size() == 3);
  CHECK(all[0] == account("a1"));
  CHECK(all[1] == many);
  CHECK(all[2] == none);
}

TEST_CASE("an account the book cannot keep for its lots fails the commit") {
  ScratchDir dir;
  StateStore store = open_ok(dir.file("state.db"));
  for (int i = 0; i < 4; ++i) {
    AccountRecord bad = account("a1");
    if (i == 0) bad.lots[1].quantity = 0;
    if (i == 1) bad.lot_method = CloseMethod::specific;
    if (i == 2) bad.lots[1].quantity = 11;  // 13.5 VTI in lots of 10 held
    if (i == 3) std::swap(bad.lots[0], bad.lots[1]);
    Change c;
    c.accounts = {bad};
    CHECK_THROWS_AS(store.commit(c), StoreError);
  }
  CHECK(store.account_count() == 0);
}

TEST_CASE("account lots replace an account's lots and method; the rest of its record stays") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  StateStore store = open_ok(path);
  Change open;
  open.accounts = {account("a1"), account("a2")};
  store.commit(open);

  const std::vector<RecordLot> after_sale{lot("BND", 5, 72.5, day_of(2023, 1, 2)), lot("VTI", 1, 200, day_of(2024, 3, 1))};
  store.commit(lots_change("a1", after_sale, CloseMethod::min_tax));
  AccountRecord expected = account("a1");
  expected.lots = numbered(after_sale);
  expected.lot_method = CloseMethod::min_tax;
  CHECK(store.account("a1") == expected);
  CHECK(store.account("a2") == account("a2"));

  store.commit(lots_change("a1", {}, CloseMethod::fifo));
  expected.lots.clear();
  expected.lot_method = CloseMethod::fifo;
  CHECK(store.account("a1") == expected);
}

TEST_CASE("account lots come after the account positions of the same change") {
  ScratchDir dir;
  StateStore store = open_ok(dir.file("state.db"));
  Change open;
  open.accounts = {account("a1")};
  store.commit(open);
  // A sale of all 10 VTI: its holding and its lots go in one change.
  Change sale = lots_change("a1", {lot("BND", 5, 72.5, day_of(2023, 1, 2))}, CloseMethod::hifo);
  sale.account_positions.push_back(AccountPositions{"a1", 2600, {{"BND", 5}}});
  store.commit(sale);
  const auto a1 = store.account("a1");
  REQUIRE(a1);
  CHECK(a1->holdings == std::vector<std::pair<std::string, double>>{{"BND", 5}});
  CHECK(a1->lots == numbered({lot("BND", 5, 72.5, day_of(2023, 1, 2))}));
  CHECK(a1->cash == 2600);

  // A sale in progress: 3 of the 5 BND sold so far, its lots closed only
  // when it is final. The lots are kept above the holding, as booked.
  Change selling = lots_change("a1", {lot("BND", 5, 72.5, day_of(2023, 1, 2))}, CloseMethod::hifo);
  selling.account_positions.push_back(AccountPositions{"a1", 2800, {{"BND", 2}}});
  store.commit(selling);
  CHECK(store.account("a1")->holdings == std::vector<std::pair<std::string, double>>{{"BND", 2}});
  CHECK(store.account("a1")->lots == numbered({lot("BND", 5, 72.5, day_of(2023, 1, 2))}));
}

TEST_CASE("account lots of an unknown account, or that the book cannot keep, fail the whole commit") {
  ScratchDir dir;
  StateStore store = open_ok(dir.file("state.db"));
  Change open;
  open.accounts = {account("a1")};
  store.commit(open);
  SUBCASE("an unknown account") {
    Change c = lots_change("nobody", {}, CloseMethod::fifo);
    c.accounts = {account("a2")};
    try {
      store.commit(c);
      FAIL("lots of an unknown account were committed");
    } catch (const StoreError& e) {
      CHECK(contains(e.what(), "no account \"nobody\""));
    }
    CHECK_FALSE(store.has_account("a2"));
  }
  SUBCASE("specific as the account's method") {
    CHECK_THROWS_AS(store.commit(lots_change("a1", {}, CloseMethod::specific)), StoreError);
  }
  SUBCASE("a lot of a NaN cost, or held from after it was acquired") {
    std::vector<RecordLot> lots{lot("VTI", 1, std::nan(""), 1)};
    CHECK_THROWS_AS(store.commit(lots_change("a1", lots, CloseMethod::fifo)), StoreError);
    lots = {RecordLot{"VTI", 1, 1, 10, 11, 0}};
    CHECK_THROWS_AS(store.commit(lots_change("a1", lots, CloseMethod::fifo)), StoreError);
  }
  CHECK(store.account("a1") == account("a1"));
}

TEST_CASE("realised lines are appended, read back per account in order and per year by account, then order") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  const RealisedRow a1_2024{"a1", "VTI", line(0, day_of(2024, 12, 31), 4, 990, 800)};  // 4 × 250 − 10 costs; 4 × 200
  const RealisedRow b_2025{"b", "BND", line(3, day_of(2025, 1, 1), 2, 140, 145, tax::Term::long_term, 5)};
  const RealisedRow a1_2025{"a1", "VTI", line(1, day_of(2025, 6, 30), 0.1 + 0.2, 1.0 / 3, 1e-9)};
  const RealisedRow a0_2025{"a0", "VTI", line(2, day_of(2025, 12, 31), 1, 10, 12)};
  {
    StateStore store = open_ok(path);
    Change c;
    c.realised = {a1_2024, b_2025};
    store.commit(c);
    c.realised = {a1_2025, a0_2025};
    store.commit(c);
  }
  StateStore store = open_ok(path);
  const auto a1 = store.realised_of("a1");
  REQUIRE(a1.size() == 2);
  CHECK(same(a1[0], a1_2024));
  CHECK(same(a1[1], a1_2025));
  CHECK(store.realised_of("nobody").empty());

  CHECK(keys(of_year(store, 2024)) == std::vector<std::string>{"a1/VTI/0"});
  const auto y2025 = of_year(store, 2025);
  CHECK(keys(y2025) == std::vector<std::string>{"a0/VTI/2", "a1/VTI/1", "b/BND/3"});
  REQUIRE(y2025.size() == 3);
  CHECK(same(y2025[2], b_2025));
  CHECK(y2025[2].line.reported_gain() == 0);  // a loss of 5, all of it disallowed
  CHECK(of_year(store, 2023).empty());
  CHECK(of_year(store, 2026).empty());
}

TEST_CASE("an account's realised lines outlive it: closing it keeps its tax records") {
  ScratchDir dir;
  StateStore store = open_ok(dir.file("state.db"));
  Change open;
  open.accounts = {account("a1")};
  store.commit(open);
  Change last_sale = lots_change("a1", {lot("BND", 5, 72.5, day_of(2023, 1, 2))}, CloseMethod::hifo);
  last_sale.account_positions.push_back(AccountPositions{"a1", 2600, {{"BND", 5}}});
  last_sale.realised = {RealisedRow{"a1", "VTI", line(1, day_of(2025, 3, 3), 10, 2600, 2000)}};
  store.commit(last_sale);
  Change close;
  close.closed_accounts = {"a1"};
  store.commit(close);
  CHECK_FALSE(store.has_account("a1"));
  REQUIRE(store.realised_of("a1").size() == 1);
  CHECK(store.realised_of("a1")[0].line.gain == 600);
  CHECK(of_year(store, 2025).size() == 1);
}

TEST_CASE("a realised line the table cannot keep fails the whole commit") {
  ScratchDir dir;
  StateStore store = open_ok(dir.file("state.db"));
  const double nan = std::nan("");
  const double inf = std::numeric_limits<double>::infinity();
  for (int i = 0; i < 8; ++i) {
    RealisedRow bad{"a1", "VTI", line(0, day_of(2025, 1, 2), 1, 10, 9)};
    if (i == 0) bad.account = "a 1";
    if (i == 1) bad.symbol.clear();
    if (i == 2) bad.line.quantity = 0;
    if (i == 3) bad.line.proceeds = nan;
    if (i == 4) bad.line.gain = inf;
    if (i == 5) bad.line.wash_disallowed = -1;
    if (i == 6) bad.line.basis = -inf;
    if (i == 7) bad.line.term = static_cast<tax::Term>(7);
    Change c;
    c.realised = {RealisedRow{"a1", "VTI", line(0, day_of(2025, 1, 2), 1, 10, 9)}, bad};
    c.accounts = {account("a2")};
    CHECK_THROWS_AS(store.commit(c), StoreError);
  }
  CHECK(store.realised_of("a1").empty());
  CHECK(store.account_count() == 0);
}

TEST_CASE("a damaged lots blob is named by table, column and account when read") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  {
    StateStore store = open_ok(path);
    Change c;
    c.accounts = {account("a1"), account("a2")};
    store.commit(c);
  }
  SUBCASE("cut short") { raw_sql(path, "UPDATE accounts SET lots = substr(lots, 1, 20) WHERE id = 'a2'"); }
  SUBCASE("of another format") { raw_sql(path, "UPDATE accounts SET lots = x'03' WHERE id = 'a2'"); }
  SUBCASE("empty") { raw_sql(path, "UPDATE accounts SET lots = x'' WHERE id = 'a2'"); }
  StateStore store = open_ok(path);
  try {
    store.for_each_account([](const AccountRecord&) {});
    FAIL("a damaged row was read");
  } catch (const StoreError& e) {
    CHECK(contains(e.what(), "is corrupt: accounts.lots of account \"a2\" is malformed"));
    CHECK(e.sqlite_code() == SQLITE_CORRUPT);
  }
  CHECK_THROWS_AS((void)store.account("a2"), StoreError);
  CHECK(store.account("a1") == account("a1"));
}

TEST_CASE("the lots blob decodes what it encodes and refuses anything else") {
  const AccountRecord a = account("x");
  std::string blob;
  sql::encode_lots(a.lots, blob);
  // The format byte; BND, 1 lot of 36 bytes; VTI, 3 lots.
  CHECK(blob.size() == 1 + (1 + 3 + 1 + 36) + (1 + 3 + 1 + 3 * 36));
  CHECK(blob[0] == '\x02');
  std::vector<RecordLot> back(7, lot("stale", 1, 1, 1));
  REQUIRE(sql::decode_lots(blob, back));
  CHECK(back == a.lots);
  for (std::size_t cut = 0; cut < blob.size(); ++cut) {
    std::vector<RecordLot> t;
    if (cut == 1 || cut == 42) continue;  // the format byte alone, or BND's run whole: valid
    CHECK_MESSAGE(!sql::decode_lots(std::string_view(blob).substr(0, cut), t), cut);
  }
  std::string empty;
  sql::encode_lots({}, empty);
  CHECK(empty == "\x02");
  CHECK(sql::decode_lots(empty, back));
  CHECK(back.empty());

  const auto refused = [](std::vector<RecordLot> lots) {
    std::string bytes;
    sql::encode_lots(lots, bytes);
    std::vector<RecordLot> t;
    return !sql::decode_lots(bytes, t);
  };
  CHECK(refused({lot("A", 0, 1, 1)}));
  CHECK(refused({lot("A", 1, -1, 1)}));
  CHECK(refused({lot("A", 1, 1, 1), lot("B", std::nan(""), 1, 1)}));
  CHECK(refused({RecordLot{"A", 1, 1, 5, 6, 0}}));
  CHECK(refused({RecordLot{"A", 1, 1, 5, 5, -0.5}}));
  CHECK(refused({lot("B", 1, 1, 1), lot("A", 1, 1, 1)}));              // runs out of order
  CHECK(refused({lot("A", 1, 1, 1), lot("B", 1, 1, 1), lot("A", 1, 1, 1)}));  // a symbol in two runs
  CHECK(refused({lot("", 1, 1, 1)}));
  CHECK(refused(std::vector<RecordLot>(fleet::kMaxLotsPerAccount + 1, lot("A", 1, 1, 1))));
  CHECK_FALSE(refused(std::vector<RecordLot>(fleet::kMaxLotsPerAccount, lot("A", 1, 1, 1))));
  CHECK_FALSE(sql::decode_lots(std::string("\x01\x01" "A\x00", 4), back));  // a run of no lots
  CHECK_FALSE(sql::decode_lots(std::string("\x02\x01" "A\x00", 4), back));
  CHECK_FALSE(sql::decode_lots(std::string("\x03", 1), back));  // a format not yet written

  // Two lots of one symbol with one id; the same id in two symbols is fine.
  std::vector<RecordLot> twice{lot("A", 1, 1, 1), lot("A", 2, 1, 1)};
  twice[0].id = twice[1].id = 5;
  CHECK(refused(twice));
  twice[1].symbol = "B";
  CHECK_FALSE(refused(twice));
}

TEST_CASE("lots without ids are written numbered after the ids their symbol has, in order") {
  std::vector<RecordLot> lots{lot("A", 1, 1, 1), lot("A", 2, 1, 1), lot("A", 3, 1, 1), lot("B", 4, 1, 1)};
  lots[1].id = 9;
  std::string blob;
  sql::encode_lots(lots, blob);
  std::vector<RecordLot> back;
  REQUIRE(sql::decode_lots(blob, back));
  REQUIRE(back.size() == 4);
  CHECK(back[0].id == 10u);
  CHECK(back[1].id == 9u);
  CHECK(back[2].id == 11u);
  CHECK(back[3].id == 0u);
  // As the book numbers them on a restore.
  fleet::number_lots(lots);
  CHECK(back == lots);
}

TEST_CASE("a lots blob of format 1, written before lot ids were kept, decodes with its lots numbered in order") {
  // Format 1 by hand: BND with one lot, VTI with two; each lot its quantity,
  // cost and wash adjustment (8 bytes each) and its two days (4 bytes each).
  const auto f64 = [](double v) {
    std::string s(8, '\0');
    const auto bits = std::bit_cast<std::uint64_t>(v);
    for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((bits >> (8 * i)) & 0xff);
    return s;
  };
  const auto day = [](tax::Day d) {
    std::string s(4, '\0');
    const auto bits = std::bit_cast<std::uint32_t>(d);
    for (int i = 0; i < 4; ++i) s[i] = static_cast<char>((bits >> (8 * i)) & 0xff);
    return s;
  };
  const auto lot_bytes = [&](double q, double cost, double wash, tax::Day acquired, tax::Day from) {
    return f64(q) + f64(cost) + f64(wash) + day(acquired) + day(from);
  };
  const tax::Day d1 = day_of(2023, 1, 2), d2 = day_of(2024, 3, 1), d3 = day_of(2024, 9, 16), d0 = day_of(2024, 6, 3);
  const std::string blob = std::string("\x01") + "\x03" "BND" "\x01" + lot_bytes(5, 72.5, 0, d1, d1) + "\x03" "VTI" "\x02" +
                           lot_bytes(4, 200, 0, d2, d2) + lot_bytes(2.5, 188, 4.25, d3, d0);
  std::vector<RecordLot> back;
  REQUIRE(sql::decode_lots(blob, back));
  std::vector<RecordLot> want{lot("BND", 5, 72.5, d1), lot("VTI", 4, 200, d2), RecordLot{"VTI", 2.5, 188, d3, d0, 4.25}};
  want[0].id = 0;
  want[1].id = 0;
  want[2].id = 1;
  CHECK(back == want);
  // Written again, it is format 2 with the same ids.
  std::string again;
  sql::encode_lots(back, again);
  CHECK(again[0] == '\x02');
  std::vector<RecordLot> twice;
  REQUIRE(sql::decode_lots(again, twice));
  CHECK(twice == want);
}

TEST_CASE("an account row whose lots blob is of format 1 is read with its lots numbered in order") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  {
    StateStore store = open_ok(path);
    Change c;
    c.accounts = {account("a1")};
    store.commit(c);
  }
  // The same lots as format 1: each lot's 4 id bytes dropped, the format byte 1.
  std::string v2;
  sql::encode_lots(account("a1").lots, v2);
  std::string v1 = "\x01";
  std::size_t at = 1;
  while (at < v2.size()) {
    const std::size_t symbol_bytes = static_cast<unsigned char>(v2[at]);
    const std::size_t count = static_cast<unsigned char>(v2[at + 1 + symbol_bytes]);
    v1 += v2.substr(at, 2 + symbol_bytes);
    at += 2 + symbol_bytes;
    for (std::size_t i = 0; i < count; ++i, at += 36) v1 += v2.substr(at, 32);
  }
  std::string hex;
  for (const char c : v1) {
    constexpr char kDigits[] = "0123456789abcdef";
    hex += kDigits[static_cast<unsigned char>(c) >> 4];
    hex += kDigits[static_cast<unsigned char>(c) & 15];
  }
  raw_sql(path, "UPDATE accounts SET lots = x'" + hex + "' WHERE id = 'a1'");
  StateStore store = open_ok(path);
  AccountRecord want = account("a1");
  for (RecordLot& l : want.lots) l.id.reset();
  fleet::number_lots(want.lots);  // BND 0; VTI 0, 1, 2
  CHECK(want.lots[3].id == 2u);
  CHECK(store.account("a1") == want);
}

// ---- files of earlier versions -----------------------------------------------

TEST_CASE("a version-2 state file is upgraded to 4: its accounts have no lots and fifo, and can be given lots") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  raw_sql(path, std::string("PRAGMA application_id = 1112298324;") + kSchemaV1 + kAccountsSchemaV2First +
                    kOrderAllocationsSchemaV2 +
                    "UPDATE meta SET value = 2 WHERE key = 'schema_version';"
                    "INSERT INTO accounts VALUES ('a1', 'balanced', 100, 'h1', NULL, 1.5, X'01', X'01');"
                    "INSERT INTO order_allocations VALUES ('o1', 0, 'a1', 5);"
                    "INSERT INTO portfolios VALUES ('p', 12.5, 3, 4, 0.5, 0.25, 'seed');");
  AccountRecord a1;
  a1.id = "a1";
  a1.model = "balanced";
  a1.cash = 100;
  a1.household = "h1";
  a1.band_multiplier = 1.5;
  {
    StateStore store = open_ok(path);
    CHECK(store.account("a1") == a1);
    CHECK(store.load().portfolios.size() == 1);
    CHECK(raw_value(path, "SELECT count(*) FROM order_allocations") == "1");
    a1.holdings = {{"VTI", 2}};
    Change c;
    c.account_positions.push_back(AccountPositions{"a1", 100, a1.holdings});
    c.account_lots.push_back(AccountLotsRow{"a1", {lot("VTI", 2, 200, day_of(2024, 3, 1))}, CloseMethod::hifo});
    c.realised = {RealisedRow{"a1", "VTI", line(0, day_of(2025, 1, 2), 1, 250, 200)}};
    store.commit(c);
  }
  CHECK(raw_value(path, "SELECT value FROM meta WHERE key = 'schema_version'") == "4");
  StateStore store = open_ok(path);  // a second open finds version 4: nothing to do
  a1.lots = numbered({lot("VTI", 2, 200, day_of(2024, 3, 1))});
  a1.lot_method = CloseMethod::hifo;
  CHECK(store.account("a1") == a1);
  CHECK(store.realised_of("a1").size() == 1);
}

TEST_CASE("a version-1 state file is upgraded to 4 with lots and the realised gains table") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  raw_sql(path, std::string("PRAGMA application_id = 1112298324;") + kSchemaV1);
  {
    StateStore store = open_ok(path);
    Change c;
    c.accounts = {account("a1")};
    c.realised = {RealisedRow{"a1", "VTI", line(0, day_of(2025, 1, 2), 1, 250, 200)}};
    store.commit(c);
  }
  CHECK(raw_value(path, "SELECT value FROM meta WHERE key = 'schema_version'") == "4");
  StateStore store = open_ok(path);
  CHECK(store.account("a1") == account("a1"));
  CHECK(of_year(store, 2025).size() == 1);
}

TEST_CASE("a version-2 file whose upgrade fails is refused and left at version 2") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  // Something already named realised_lots: the upgrade's last CREATE TABLE fails.
  raw_sql(path, std::string("PRAGMA application_id = 1112298324;") + kSchemaV1 + kAccountsSchemaV2First +
                    kOrderAllocationsSchemaV2 +
                    "UPDATE meta SET value = 2 WHERE key = 'schema_version';"
                    "CREATE TABLE realised_lots (x);");
  const std::string message = open_error(path);
  CHECK(contains(message, "cannot upgrade state file " + path + " from schema version 2 to 4"));
  CHECK(contains(message, "left as it was"));
  CHECK(raw_value(path, "SELECT value FROM meta WHERE key = 'schema_version'") == "2");
  CHECK(raw_value(path, "SELECT count(*) FROM pragma_table_info('accounts') WHERE name IN ('lots', 'lot_method')") ==
        "0");
}

}  // namespace account_lots_test
