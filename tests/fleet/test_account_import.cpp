#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "fleet/account_import.hpp"

namespace test_account_import {

using namespace ballast::fleet;

namespace {

const ModelCatalog kCatalog{{"balanced", {"BND", "VTI", "VXUS"}}, {"income", {"BND", "VTIP"}}};

using Holdings = std::vector<std::pair<std::string, double>>;

ImportResult csv(const std::string& text, ImportLimits limits = {}) {
  return parse_accounts(text, AccountFormat::csv, &kCatalog, limits);
}
ImportResult jsonl(const std::string& text, ImportLimits limits = {}) {
  return parse_accounts(text, AccountFormat::json_lines, &kCatalog, limits);
}

/// "line:column" of every error, for checks on where they point.
std::vector<std::string> places(const ImportResult& r) {
  std::vector<std::string> out;
  for (const auto& e : r.errors) out.push_back(std::to_string(e.line) + ":" + std::to_string(e.column));
  return out;
}

bool mentions(const ImportError& e, const std::string& part) { return e.message.find(part) != std::string::npos; }

std::string dump(const ImportResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.message + "\n";
  return out;
}

}  // namespace

TEST_CASE("the format is named by the file's extension, else by its first character") {
  CHECK(format_from_name("accounts.csv") == AccountFormat::csv);
  CHECK(format_from_name("/data/x.y/ACCOUNTS.CSV") == AccountFormat::csv);
  CHECK(format_from_name("a.jsonl") == AccountFormat::json_lines);
  CHECK(format_from_name("a.ndjson") == AccountFormat::json_lines);
  CHECK_FALSE(format_from_name("a.txt"));
  CHECK_FALSE(format_from_name("dir.csv/accounts"));
  CHECK(sniff_format("\n  \r\n {\"id\":1}") == AccountFormat::json_lines);
  CHECK(sniff_format("\xEF\xBB\xBF{}") == AccountFormat::json_lines);
  CHECK(sniff_format("id,model,cash\n") == AccountFormat::csv);
  CHECK(sniff_format("") == AccountFormat::csv);
}

TEST_CASE("CSV: fixed columns, symbol columns as holdings, empty cells as none") {
  const auto r = csv(
      "id,model,cash,household,band_multiplier,cash_target,restricted,VTI,BND,VXUS\n"
      "a1,balanced,1000,h1,1.5,0.02,VXUS;BND,10,5,\n"
      "\n"
      "a2,income,0,,,,,,3.5,\n");
  INFO(dump(r));
  REQUIRE(r.errors.empty());
  CHECK(r.rows == 2);
  REQUIRE(r.records.size() == 2);
  const AccountRecord& a = r.records[0];
  CHECK(a.id == "a1");
  CHECK(a.model == "balanced");
  CHECK(a.cash == 1000);
  CHECK(a.household == "h1");
  CHECK(a.band_multiplier == 1.5);
  CHECK(a.cash_target == 0.02);
  CHECK(a.restricted == std::vector<std::string>{"BND", "VXUS"});
  CHECK(a.holdings == Holdings{{"BND", 5}, {"VTI", 10}});  // sorted by symbol
  const AccountRecord& b = r.records[1];
  CHECK(b.household.empty());
  CHECK(b.band_multiplier == 1);
  CHECK_FALSE(b.cash_target);
  CHECK(b.restricted.empty());
  CHECK(b.holdings == Holdings{{"BND", 3.5}});
}

TEST_CASE("CSV: quoted fields, spaces around fields, CRLF, a byte-order mark and zero holdings") {
  const auto r = csv("\xEF\xBB\xBFid, model ,cash,restricted,\"VTI\",BND\r\n"
                     "\"a,1\" , balanced , 10 ,\" VTI ; BND \",0,2\r\n"
                     "\"b\"\"2\",balanced,1,,\"\",\r\n");
  // "a,1" and b"2 are not valid ids: the quoting worked, the check refuses them.
  REQUIRE(r.errors.size() == 2);
  CHECK(mentions(r.errors[0], "\"a,1\""));
  CHECK(places(r) == std::vector<std::string>{"2:1", "3:1"});
  CHECK(mentions(r.errors[1], "\"b\"2\""));

  const auto ok = csv("id,model,cash,VTI\r\n  a1 ,balanced, 7 ,0\r\n");
  REQUIRE(ok.errors.empty());
  CHECK(ok.records[0].id == "a1");
  CHECK(ok.records[0].cash == 7);
  CHECK(ok.records[0].holdings.empty());
}

TEST_CASE("CSV: every bad row is reported with its line and the column of the field at fault") {
  const auto r = csv(
      "id,model,cash,VTI,BND,VTIP\n"  // line 1
      "a1,balanced,abc,1,2,\n"        // 2: cash not a number (column 13)
      "a2,growth,5,1,,\n"             // 3: unknown model (column 4)
      "a3,balanced,5,1,,4\n"          // 4: VTIP not in balanced (column 18)
      "a4,balanced,5,-1,x,\n"         // 5: negative VTI (column 15), BND not a number (18)
      "a5,balanced,5\n"               // 6: too few fields
      "a1,balanced,5,1,,\n"           // 7: a1 again
      "a 6,balanced,,1,,\n"           // 8: bad id (1), empty cash (14)
      "a7,income,5,,1,\n");           // 9: good
  INFO(dump(r));
  CHECK(places(r) ==
        std::vector<std::string>{"2:13", "3:4", "4:18", "5:15", "5:18", "6:0", "7:1", "8:1", "8:14"});
  CHECK(mentions(r.errors[0], "cash \"abc\" is not a number"));
  CHECK(mentions(r.errors[1], "model \"growth\""));
  CHECK(mentions(r.errors[2], "\"VTIP\""));
  CHECK(mentions(r.errors[5], "3 fields; the header has 6"));
  CHECK(mentions(r.errors[6], "given twice (first on line 2)"));
  CHECK(mentions(r.errors[8], "cash is empty"));
  CHECK(r.rows == 8);
  REQUIRE(r.records.size() == 1);
  CHECK(r.records[0].id == "a7");
}

TEST_CASE("CSV: a bad header is reported and no row is read") {
  SUBCASE("a required column missing") {
    const auto r = csv("id,cash,VTI\na1,1,1\n");
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].line == 1);
    CHECK(mentions(r.errors[0], "no model column"));
    CHECK(r.records.empty());
    CHECK(r.rows == 0);
  }
  SUBCASE("a column twice, one without a name, one no model holds") {
    const auto r = csv("id,model,cash,VTI,VTI,,SPY\na1,balanced,1,1,1,,\n");
    CHECK(places(r) == std::vector<std::string>{"1:19", "1:23", "1:24"});
    CHECK(mentions(r.errors[0], "\"VTI\" is given twice"));
    CHECK(mentions(r.errors[1], "no name"));
    CHECK(mentions(r.errors[2], "\"SPY\" is neither"));
    CHECK(r.records.empty());
  }
  SUBCASE("an empty file or blank lines only") {
    for (const char* text : {"", "\n\n  \n"}) {
      const auto r = csv(text);
      REQUIRE(r.errors.size() == 1);
      CHECK(mentions(r.errors[0], "no header"));
    }
  }
  SUBCASE("a header alone is a file of no accounts") {
    const auto r = csv("id,model,cash\n");
    CHECK(r.errors.empty());
    CHECK(r.records.empty());
  }
}

TEST_CASE("CSV: a broken quote spoils its line only") {
  const auto r = csv("id,model,cash\n\"a1,balanced,1\na2,balanced,\"1\"x\na3,balanced,1\n");
  CHECK(places(r) == std::vector<std::string>{"2:0", "3:0"});
  CHECK(mentions(r.errors[0], "not closed"));
  CHECK(mentions(r.errors[1], "after the closing quote"));
  REQUIRE(r.records.size() == 1);
  CHECK(r.records[0].id == "a3");
}

TEST_CASE("JSON lines: every key, null as absent, blank lines skipped") {
  const auto r = jsonl(
      R"({"id":"a1","model":"balanced","cash":1000,"holdings":{"VTI":10,"BND":0,"VXUS":2.5},"household":"h1","restricted":["VTI"],"cash_target":0.02,"band_multiplier":1.5})"
      "\n\n   \n"
      R"({"id":"a2","model":"income","cash":0,"holdings":null,"household":null,"restricted":null,"cash_target":null,"band_multiplier":null})"
      "\n");
  INFO(dump(r));
  REQUIRE(r.errors.empty());
  REQUIRE(r.records.size() == 2);
  const AccountRecord& a = r.records[0];
  CHECK(a.id == "a1");
  CHECK(a.cash == 1000);
  CHECK(a.holdings == Holdings{{"VTI", 10}, {"VXUS", 2.5}});
  CHECK(a.household == "h1");
  CHECK(a.restricted == std::vector<std::string>{"VTI"});
  CHECK(a.cash_target == 0.02);
  CHECK(a.band_multiplier == 1.5);
  const AccountRecord& b = r.records[1];
  CHECK(b.holdings.empty());
  CHECK(b.household.empty());
  CHECK_FALSE(b.cash_target);
  CHECK(b.band_multiplier == 1);
}

TEST_CASE("JSON lines: every bad line is reported with its line") {
  const auto r = jsonl(
      R"({"id":"a1","model":"balanced","cash":1,"colour":"red"})"
      "\n"  // 1: unknown key
      R"({"id":"a2","cash":1})"
      "\n"  // 2: model missing
      R"({"id":"a3","model":"balanced","cash":"1"})"
      "\n"  // 3: cash a string
      R"({"id":"a4","model":"balanced","cash":1,"holdings":{"VTI":"x","SPY":1}})"
      "\n"  // 4: a quantity not a number, a symbol not in the model
      R"({"id":"a5","model":"balanced","cash":1,)"
      "\n"  // 5: broken JSON
      R"([1,2])"
      "\n"  // 6: not an object
      R"({"id":"a6","model":"balanced","cash":1} {"id":"a7"})"
      "\n"  // 7: trailing content
      R"({"id":"a1","model":"balanced","cash":1,"cash":2})"
      "\n"  // 8: a1 again, cash twice
      R"({"id":"a8","model":"balanced","cash":1e400,"restricted":[1]})"
      "\n"  // 9: cash out of range, a restricted symbol not a string
      R"({"id":"a9","model":"balanced","cash":1,"holdings":{"VTI":1,"VTI":2}})"
      "\n"  // 10: a symbol twice
      R"({"id":"ok","model":"balanced","cash":1,"holdings":{"VTI":1}})"
      "\n");
  INFO(dump(r));
  std::vector<std::size_t> lines;
  for (const auto& e : r.errors) lines.push_back(e.line);
  CHECK(lines == std::vector<std::size_t>{1, 2, 3, 4, 4, 5, 6, 7, 8, 8, 9, 9, 10});
  CHECK(mentions(r.errors[0], "unknown key \"colour\""));
  CHECK(mentions(r.errors[1], "\"model\" is missing"));
  CHECK(mentions(r.errors[2], "cash must be a number"));
  CHECK(mentions(r.errors[5], "not valid JSON"));
  CHECK(mentions(r.errors[6], "not a JSON object"));
  CHECK(mentions(r.errors[7], "trailing content"));
  CHECK(r.rows == 11);
  CHECK(mentions(r.errors[8], "\"cash\" is given twice"));
  CHECK(mentions(r.errors[9], "given twice (first on line 1)"));
  REQUIRE(r.records.size() == 1);
  CHECK(r.records[0].id == "ok");
}

TEST_CASE("caps: a line too long, too many fields, too many accounts, too many errors") {
  ImportLimits limits;
  limits.max_line_bytes = 40;
  limits.max_fields = 4;
  SUBCASE("a long line is reported and skipped, the next ones read") {
    const auto r = csv("id,model,cash\na1,balanced," + std::string(100, '1') + "\na2,balanced,1\n", limits);
    CHECK(places(r) == std::vector<std::string>{"2:0"});
    CHECK(mentions(r.errors[0], "at most 40"));
    REQUIRE(r.records.size() == 1);
    CHECK(r.rows == 2);
    const auto j = jsonl(std::string(41, ' ') + "{}\n", limits);
    CHECK(places(j) == std::vector<std::string>{"1:0"});
  }
  SUBCASE("a header of too many columns reads no row") {
    const auto r = csv("id,model,cash,VTI,BND\na1,balanced,1,1,1\n", limits);
    CHECK(places(r) == std::vector<std::string>{"1:0"});
    CHECK(mentions(r.errors[0], "more than 4 fields"));
    CHECK(r.records.empty());
  }
  SUBCASE("a row of too many fields") {
    const auto r = csv("id,model,cash\na1,b,1,2,3,4,5,6\n", limits);
    CHECK(places(r) == std::vector<std::string>{"2:0"});
  }
  SUBCASE("a JSON line of too many keys and holdings") {
    const auto r = jsonl(R"({"id":"a","model":"balanced","cash":1,"holdings":{"VTI":1,"BND":1}})" "\n");
    CHECK(r.errors.empty());
    limits.max_line_bytes = 1000;
    const auto capped = jsonl(R"({"id":"a","model":"balanced","cash":1,"holdings":{"VTI":1,"BND":1}})" "\n", limits);
    REQUIRE(capped.errors.size() == 1);
    CHECK(mentions(capped.errors[0], "more than 4 keys"));
  }
  SUBCASE("past max_records, reading stops with one error") {
    limits.max_records = 2;
    const auto r = csv("id,model,cash\na1,balanced,1\na2,balanced,1\na3,balanced,1\na4,balanced,1\n", limits);
    CHECK(places(r) == std::vector<std::string>{"4:0"});
    CHECK(r.records.size() == 2);
  }
  SUBCASE("errors past max_errors are counted, not kept") {
    limits.max_errors = 3;
    std::string text = "id,model,cash\n";
    for (int i = 0; i < 10; ++i) text += "a" + std::to_string(i) + ",nope,1\n";
    const auto r = csv(text, limits);
    CHECK(r.errors.size() == 3);
    CHECK(r.errors_not_kept == 7);
    CHECK(r.errors.back().line == 4);
  }
}

TEST_CASE("the reader hands out one record at a time, with its line, and takes the caller's errors") {
  const std::string text = "id,model,cash\n\na1,balanced,1\nbad,nope,1\na2,income,2\n";
  AccountReader reader(text, AccountFormat::csv, &kCatalog);
  AccountRecord record;
  REQUIRE(reader.next(record));
  CHECK(record.id == "a1");
  CHECK(reader.line() == 3);
  record.holdings = {{"junk", 1}};  // reused storage is cleared
  REQUIRE(reader.next(record));
  CHECK(record.id == "a2");
  CHECK(record.holdings.empty());
  CHECK(reader.line() == 5);
  reader.add_error(reader.line(), 1, "already in the book");
  CHECK_FALSE(reader.next(record));
  CHECK(reader.rows() == 3);
  REQUIRE(reader.error_count() == 2);
  CHECK(reader.errors()[0].line == 4);
  CHECK(reader.errors()[1] == ImportError{5, 1, "already in the book"});
}

TEST_CASE("without a catalog only the format is checked") {
  const auto r = parse_accounts("id,model,cash,ANY\na1,whatever,1,2\n", AccountFormat::csv);
  REQUIRE(r.errors.empty());
  CHECK(r.records[0].holdings == Holdings{{"ANY", 2}});
}

TEST_CASE("hostile bytes never crash the reader") {
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>((i * 7919) % 256));
  for (const auto format : {AccountFormat::csv, AccountFormat::json_lines}) {
    for (const std::string& text : {junk, "id,model,cash\n" + junk, "{" + junk, std::string("\0\0,\n", 4)}) {
      const auto r = parse_accounts(text, format, &kCatalog);
      CHECK(r.records.size() <= r.rows);
    }
  }
}

TEST_CASE("one account object: the record, over several lines if need be") {
  const AccountObject one = parse_account_object(
      "{\n  \"id\": \"a1\",\r\n  \"model\": \"balanced\",\n  \"cash\": 5,\n  \"holdings\": {\"VTI\": 2, \"BND\": 1}\n}\n",
      &kCatalog);
  REQUIRE(one.record);
  CHECK(one.problems.empty());
  CHECK(one.record->id == "a1");
  CHECK(one.record->holdings == Holdings{{"BND", 1}, {"VTI", 2}});
}

TEST_CASE("one account object: every problem, without line or column, those of a field named by it") {
  const auto problems = [](std::string_view text) {
    const AccountObject one = parse_account_object(text, &kCatalog);
    CHECK_FALSE(one.record);
    return one.problems;
  };
  CHECK(problems("") == std::vector<std::string>{
                            "expected one account as a JSON object, such as {\"id\":\"a1\",\"model\":\"balanced\",\"cash\":1000}"});
  CHECK(problems("  [1]").size() == 1);
  CHECK(problems("{\"id\":\"a1\",").front().starts_with("not valid JSON"));
  const auto fields = problems(R"({"id":"a1","model":"balanced","cash":-1,"holdings":{"VTIP":1},"cash_target":2})");
  REQUIRE(fields.size() == 3);
  CHECK(fields[0].starts_with("cash: "));
  CHECK(fields[1].starts_with("holdings: holds \"VTIP\""));
  CHECK(fields[2].starts_with("cash_target: "));
  CHECK(problems(R"({"id":"a1","model":"balanced","cash":0} {"id":"a2","model":"balanced","cash":0})") ==
        std::vector<std::string>{"trailing content after the object"});
  // Without a catalog, only the shape.
  CHECK(parse_account_object(R"({"id":"a1","model":"anything","cash":0,"holdings":{"X":1}})").record);
  CHECK_FALSE(parse_account_object(R"({"id":"a 1","model":"anything","cash":0})").record);
}

namespace {

ballast::tax::Day day(int y, unsigned m, unsigned d) { return ballast::tax::day_of(y, m, d); }

}  // namespace

TEST_CASE("CSV: lots and lot_method columns, lots sorted by symbol, empty cells as none and fifo") {
  const auto r = csv(
      "id,model,cash,VTI,BND,lots,lot_method\n"
      "a1,balanced,10,10,5,\"VTI:4@200:2024-03-01;BND:5@72.5:2023-01-02;VTI:6@210.25:2024-09-16:from=2024-06-03:wash=4.25\","
      "hifo\n"
      "a2,balanced,0,3,,,\n"
      "a3,balanced,0,,2,BND:2@70:2022-12-30, min_tax \n");
  INFO(dump(r));
  REQUIRE(r.errors.empty());
  REQUIRE(r.records.size() == 3);
  const AccountRecord& a = r.records[0];
  CHECK(a.lot_method == ballast::tax::CloseMethod::hifo);
  CHECK(a.lots == std::vector<RecordLot>{
                      {"BND", 5, 72.5, day(2023, 1, 2), day(2023, 1, 2), 0},
                      {"VTI", 4, 200, day(2024, 3, 1), day(2024, 3, 1), 0},
                      {"VTI", 6, 210.25, day(2024, 9, 16), day(2024, 6, 3), 4.25},
                  });
  CHECK(r.records[1].lots.empty());
  CHECK(r.records[1].lot_method == ballast::tax::CloseMethod::fifo);
  CHECK(r.records[2].lot_method == ballast::tax::CloseMethod::min_tax);
  CHECK(r.records[2].lots == std::vector<RecordLot>{{"BND", 2, 70, day(2022, 12, 30), day(2022, 12, 30), 0}});
}

TEST_CASE("CSV: every bad lot and lot method is reported with its line and the lots column") {
  const auto r = csv(
      "id,model,cash,VTI,lots,lot_method\n"                 // 1
      "a1,balanced,1,10,VTI:x@1:2024-01-01;VTI:1@1:,\n"    // 2: lots 1 and 2 (column 18)
      "a2,balanced,1,10,VTI:1@1:2025-02-29;,fifo\n"        // 3: a 29 February 2025, a trailing ';'
      "a3,balanced,1,10,VTI:11@1:2024-01-01,\n"            // 4: 11 lots' units of 10 held
      "a4,balanced,1,10,BND:1@1:2024-01-01,\n"             // 5: a lot of a symbol not held
      "a5,balanced,1,10,VTI:1@0:2024-01-01,\n"             // 6: a cost of 0
      "a6,balanced,1,10,,specific\n"                       // 7: specific (column 19)
      "a7,balanced,1,10,,lifo\n"                           // 8: no such method
      "a8,balanced,1,10,VTI:1@1:2024-01-01:from=2024-01-02,\n"  // 9: held from after acquired
      "ok,balanced,1,10,VTI:10@1:2024-01-01,fifo\n");
  INFO(dump(r));
  CHECK(places(r) ==
        std::vector<std::string>{"2:18", "2:18", "3:18", "3:18", "4:18", "5:18", "6:18", "7:19", "8:19", "9:18"});
  CHECK(mentions(r.errors[0], "lots: lot 1: the quantity \"x\" is not a number"));
  CHECK(mentions(r.errors[1], "lots: lot 2: the acquired date \"\""));
  CHECK(mentions(r.errors[2], "lots: lot 1: the acquired date \"2025-02-29\""));
  CHECK(mentions(r.errors[3], "lots: lot 2 is empty"));
  CHECK(mentions(r.errors[4], "the lots of \"VTI\" add up to 11, more than the 10 held"));
  CHECK(mentions(r.errors[5], "lots of \"BND\", which the account does not hold"));
  CHECK(mentions(r.errors[6], "lot 1 (\"VTI\"): the cost per unit must be a finite number > 0"));
  CHECK(mentions(r.errors[7], "not specific"));
  CHECK(mentions(r.errors[8], "lot_method \"lifo\" is not fifo, hifo or min_tax"));
  CHECK(mentions(r.errors[9], "holding period starts after the day it was acquired"));
  REQUIRE(r.records.size() == 1);
  CHECK(r.records[0].id == "ok");
}

TEST_CASE("JSON lines: lots and lot_method, optional lot keys absent or null") {
  const auto r = jsonl(
      R"({"id":"a1","model":"balanced","cash":1,"holdings":{"VTI":10,"BND":5},"lot_method":"min_tax","lots":[)"
      R"({"symbol":"VTI","quantity":6,"cost_per_unit":210.25,"acquired":"2024-09-16","holding_from":"2024-06-03","wash_adjustment_per_unit":4.25},)"
      R"({"symbol":"BND","quantity":5,"cost_per_unit":72.5,"acquired":"2023-01-02","holding_from":null,"wash_adjustment_per_unit":null}]})"
      "\n"
      R"({"id":"a2","model":"balanced","cash":1,"lots":[],"lot_method":null})"
      "\n"
      R"({"id":"a3","model":"balanced","cash":1,"lots":null})"
      "\n");
  INFO(dump(r));
  REQUIRE(r.errors.empty());
  REQUIRE(r.records.size() == 3);
  CHECK(r.records[0].lot_method == ballast::tax::CloseMethod::min_tax);
  CHECK(r.records[0].lots == std::vector<RecordLot>{
                                 {"BND", 5, 72.5, day(2023, 1, 2), day(2023, 1, 2), 0},
                                 {"VTI", 6, 210.25, day(2024, 9, 16), day(2024, 6, 3), 4.25},
                             });
  CHECK(r.records[1].lots.empty());
  CHECK(r.records[1].lot_method == ballast::tax::CloseMethod::fifo);
  CHECK(r.records[2].lots.empty());
}

TEST_CASE("JSON lines: every bad lot is reported with its line, naming the lot") {
  std::size_t n = 0;
  const auto line = [&](const std::string& rest) {
    return R"({"id":"a)" + std::to_string(++n) + R"(","model":"balanced","cash":1,"holdings":{"VTI":10},)" + rest + "\n";
  };
  const auto r = jsonl(
      line(R"("lots":{"symbol":"VTI"}})")                                        // 1: not an array
      + line(R"("lots":[1,{"symbol":"VTI","quantity":"1","cost_per_unit":1,"acquired":"2024-01-01"}]})")  // 2: two bad lots
      + line(R"("lots":[{"symbol":"VTI","quantity":1,"cost_per_unit":1}]})")    // 3: acquired missing
      + line(R"("lots":[{"symbol":"VTI","quantity":1,"cost_per_unit":1,"acquired":"2025-02-29","colour":1}]})")  // 4
      + line(R"("lots":[{"symbol":"VTI","quantity":1,"quantity":2,"cost_per_unit":1,"acquired":"2024-01-01"}]})")  // 5
      + line(R"("lots":[{"symbol":"VTI","quantity":1e400,"cost_per_unit":1,"acquired":"2024-01-01"}]})")  // 6
      + line(R"("lots":[{"symbol":"VTI","quantity":1,"cost_per_unit":1,"acquired":20240101}]})")  // 7
      + line(R"("lot_method":"specific"})")                                       // 8
      + line(R"("lot_method":"LIFO"})")                                           // 9
      + line(R"("lot_method":1})")                                                // 10
      + line(R"("lots":[{"symbol":"VTI","quantity":11,"cost_per_unit":1,"acquired":"2024-01-01"}]})")  // 11
      + line(R"("lots":[{"symbol":"VTI","quantity":1,"cost_per_unit":1,"acquired":"2024-01-01"},]})")  // 12: broken
      + line(R"("lots":[{"symbol":"VTI","quantity":10,"cost_per_unit":1,"acquired":"2024-01-01"}]})"));  // 13: good
  INFO(dump(r));
  std::vector<std::size_t> lines;
  for (const auto& e : r.errors) lines.push_back(e.line);
  CHECK(lines == std::vector<std::size_t>{1, 2, 2, 3, 4, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  CHECK(mentions(r.errors[0], "lots must be an array of lot objects"));
  CHECK(mentions(r.errors[1], "lots: lot 1: must be an object"));
  CHECK(mentions(r.errors[2], "lots: lot 2: quantity must be a number"));
  CHECK(mentions(r.errors[3], "lots: lot 1: key \"acquired\" is missing"));
  CHECK(mentions(r.errors[4], "lots: lot 1: acquired \"2025-02-29\" is not a date YYYY-MM-DD"));
  CHECK(mentions(r.errors[5], "lots: lot 1: unknown key \"colour\""));
  CHECK(mentions(r.errors[6], "lots: lot 1: key \"quantity\" is given twice"));
  CHECK(mentions(r.errors[7], "lots: lot 1: quantity must be a number a double can hold"));
  CHECK(mentions(r.errors[8], "lots: lot 1: acquired must be a date \"YYYY-MM-DD\""));
  CHECK(mentions(r.errors[9], "not specific"));
  CHECK(mentions(r.errors[10], "lot_method \"LIFO\" is not fifo, hifo or min_tax"));
  CHECK(mentions(r.errors[11], "lot_method must be a string"));
  CHECK(mentions(r.errors[12], "add up to 11, more than the 10 held"));
  CHECK(mentions(r.errors[13], "not valid JSON"));
  REQUIRE(r.records.size() == 1);
  CHECK(r.records[0].lots.size() == 1);
}

TEST_CASE("CSV and JSON lines: a lot may carry its id, kept as given; a lot without one has none") {
  const auto c = csv(
      "id,model,cash,VTI,BND,lots\n"
      "a1,balanced,10,10,5,\"VTI:4@200:2024-03-01:id=7;BND:5@72.5:2023-01-02;VTI:6@210:2024-09-16:wash=1: id=0 \"\n");
  INFO(dump(c));
  REQUIRE(c.errors.empty());
  REQUIRE(c.records.size() == 1);
  const std::vector<RecordLot>& lots = c.records[0].lots;
  REQUIRE(lots.size() == 3);
  CHECK(lots[0].symbol == "BND");
  CHECK_FALSE(lots[0].id);
  CHECK(lots[1].id == 7u);
  CHECK(lots[2].id == 0u);

  const auto j = jsonl(
      R"({"id":"a1","model":"balanced","cash":1,"holdings":{"VTI":10},"lots":[)"
      R"({"symbol":"VTI","quantity":6,"cost_per_unit":210,"acquired":"2024-09-16","id":4294967294},)"
      R"({"symbol":"VTI","quantity":4,"cost_per_unit":200,"acquired":"2024-03-01","id":null}]})"
      "\n");
  INFO(dump(j));
  REQUIRE(j.errors.empty());
  REQUIRE(j.records.size() == 1);
  CHECK(j.records[0].lots[0].id == 4294967294u);
  CHECK_FALSE(j.records[0].lots[1].id);
}

TEST_CASE("the largest lot id is refused beside a lot of its symbol without one: nothing is left to number it") {
  const auto line = [](const std::string& second_id) {
    return R"({"id":"a1","model":"balanced","cash":1,"holdings":{"VTI":10},"lots":[)"
           R"({"symbol":"VTI","quantity":6,"cost_per_unit":210,"acquired":"2024-09-16","id":4294967295},)"
           R"({"symbol":"VTI","quantity":4,"cost_per_unit":200,"acquired":"2024-03-01")" +
           second_id + "}]}\n";
  };
  const auto refused = jsonl(line(""));
  INFO(dump(refused));
  REQUIRE(refused.errors.size() == 1);
  CHECK(mentions(refused.errors[0], "lot 1 (\"VTI\"): id 4294967295 leaves no id for the lots of its symbol"));
  // Every lot numbered: the largest id is an id like any other.
  const auto taken = jsonl(line(R"(,"id":0)"));
  INFO(dump(taken));
  CHECK(taken.errors.empty());
  CHECK(taken.records.size() == 1);
}

TEST_CASE("CSV: a bad or repeated lot id is reported with its line and the lots column") {
  const auto r = csv(
      "id,model,cash,VTI,BND,lots\n"                                              // 1
      "a1,balanced,1,10,5,VTI:1@1:2024-01-01:id=x\n"                               // 2: not a number
      "a2,balanced,1,10,5,VTI:1@1:2024-01-01:id=-1\n"                              // 3: negative
      "a3,balanced,1,10,5,VTI:1@1:2024-01-01:id=4294967296\n"                      // 4: past 2^32 - 1
      "a4,balanced,1,10,5,VTI:1@1:2024-01-01:id=1:id=2\n"                          // 5: given twice
      "a5,balanced,1,10,5,VTI:1@1:2024-01-01:id=\n"                                // 6: empty
      "a6,balanced,1,10,5,VTI:1@1:2024-01-01:id=3;VTI:2@1:2024-02-01:id=3\n"       // 7: one id twice
      "ok,balanced,1,10,5,VTI:1@1:2024-01-01:id=3;BND:2@1:2024-02-01:id=3\n");    // 8: per symbol: fine
  INFO(dump(r));
  CHECK(places(r) == std::vector<std::string>{"2:20", "3:20", "4:20", "5:20", "6:20", "7:20"});
  CHECK(mentions(r.errors[0], "lots: lot 1: the lot id (id=) \"x\" is not a whole number from 0 to 4294967295"));
  CHECK(mentions(r.errors[1], "the lot id (id=) \"-1\" is not a whole number"));
  CHECK(mentions(r.errors[2], "the lot id (id=) \"4294967296\" is not a whole number"));
  CHECK(mentions(r.errors[3], "lots: lot 1: id= is given twice"));
  CHECK(mentions(r.errors[4], "the lot id (id=) \"\" is not a whole number"));
  CHECK(mentions(r.errors[5], "lot 2 (\"VTI\"): id 3 is lot 1's already (a symbol's lot ids must be distinct)"));
  REQUIRE(r.records.size() == 1);
  CHECK(r.records[0].id == "ok");
}

TEST_CASE("JSON lines: a bad or repeated lot id is reported with its line, naming the lot") {
  std::size_t n = 0;
  const auto line = [&](const std::string& ids) {
    return R"({"id":"a)" + std::to_string(++n) + R"(","model":"balanced","cash":1,"holdings":{"VTI":10},"lots":[)" +
           R"({"symbol":"VTI","quantity":1,"cost_per_unit":1,"acquired":"2024-01-01")" + ids + "]}\n";
  };
  const auto r = jsonl(line(R"(,"id":"7"})")                                   // 1: a string
                       + line(R"(,"id":-1})")                                  // 2: negative
                       + line(R"(,"id":1.5})")                                 // 3: not whole
                       + line(R"(,"id":4294967296})")                          // 4: past 2^32 - 1
                       + line(R"(,"id":1,"id":2})")                            // 5: given twice
                       + line(R"(,"id":2},{"symbol":"VTI","quantity":1,"cost_per_unit":1,"acquired":"2024-01-02","id":2})")  // 6
                       + line(R"(,"id":2},{"symbol":"VTI","quantity":1,"cost_per_unit":1,"acquired":"2024-01-02","id":3})"));  // 7: good
  INFO(dump(r));
  std::vector<std::size_t> lines;
  for (const auto& e : r.errors) lines.push_back(e.line);
  CHECK(lines == std::vector<std::size_t>{1, 2, 3, 4, 5, 6});
  CHECK(mentions(r.errors[0], "lots: lot 1: id must be a whole number from 0 to 4294967295"));
  CHECK(mentions(r.errors[1], "lots: lot 1: id must be a whole number"));
  CHECK(mentions(r.errors[2], "lots: lot 1: id must be a whole number"));
  CHECK(mentions(r.errors[3], "lots: lot 1: id must be a whole number"));
  CHECK(mentions(r.errors[4], "lots: lot 1: key \"id\" is given twice"));
  CHECK(mentions(r.errors[5], "lot 2 (\"VTI\"): id 2 is lot 1's already"));
  REQUIRE(r.records.size() == 1);
  CHECK(r.records[0].lots.size() == 2);
}

}  // namespace test_account_import
