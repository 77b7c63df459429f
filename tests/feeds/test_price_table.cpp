#include <doctest/doctest.h>

#include "tests/support/temp_file.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "core/time.hpp"
#include "feeds/price_table.hpp"

namespace test_price_table {

using ballast::core::kNanosPerSecond;
using ballast::core::parse_iso8601;
using ballast::feeds::load_price_table;
using ballast::feeds::parse_price_table;
using ballast::feeds::PriceTableResult;

namespace {

std::string joined(const PriceTableResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += e + "\n";
  return out;
}

bool has_error(const PriceTableResult& r, const std::string& fragment) {
  for (const auto& e : r.errors) {
    if (e.find(fragment) != std::string::npos) return true;
  }
  return false;
}

using ballast::testing::TempFile;

}  // namespace

TEST_CASE("price table reads the wide form with dates") {
  auto r = parse_price_table("date,SPY,AGG\n2024-01-02,470.5,98.1\n2024-01-03,472,98.25\n", "p.csv");
  REQUIRE_MESSAGE(r.ok(), joined(r));
  REQUIRE(r.table.symbols == std::vector<std::string>{"SPY", "AGG"});
  REQUIRE(r.table.rows() == 2);
  CHECK(r.table.times[0] == *parse_iso8601("2024-01-02"));
  CHECK(r.table.times[1] == *parse_iso8601("2024-01-03"));
  CHECK(r.table.at(0, 0) == 470.5);
  CHECK(r.table.at(0, 1) == 98.1);
  CHECK(r.table.at(1, 0) == 472.0);
  CHECK(r.table.at(1, 1) == 98.25);
}

TEST_CASE("price table reads ISO-8601 date-times") {
  auto r = parse_price_table("date,BTC\n2024-01-02T14:30:00Z,42000\n2024-01-02T15:30:00.5+01:00,42001\n", "p.csv");
  REQUIRE_MESSAGE(r.ok(), joined(r));
  CHECK(r.table.times[0] == *parse_iso8601("2024-01-02T14:30:00Z"));
  CHECK(r.table.times[1] == *parse_iso8601("2024-01-02T14:30:00.5Z"));
}

TEST_CASE("price table reads epoch seconds with fractions exactly") {
  auto r = parse_price_table("ts,SPY\n1700000000,1\n1700000000.123456789,2\n1.7000001e9,3\n", "p.csv");
  REQUIRE_MESSAGE(r.ok(), joined(r));
  CHECK(r.table.times[0] == 1'700'000'000LL * kNanosPerSecond);
  CHECK(r.table.times[1] == 1'700'000'000LL * kNanosPerSecond + 123'456'789);
  CHECK(r.table.times[2] == 1'700'000'100LL * kNanosPerSecond);
}

TEST_CASE("price table accepts CRLF, blank lines, a BOM, quotes and header case") {
  auto r = parse_price_table("\xEF\xBB\xBF\r\nDate , \"SPY\",AGG\r\n\r\n2024-01-02, 470.5 ,\"98.1\"\r\n\r\n", "p.csv");
  REQUIRE_MESSAGE(r.ok(), joined(r));
  CHECK(r.table.symbols == std::vector<std::string>{"SPY", "AGG"});
  REQUIRE(r.table.rows() == 1);
  CHECK(r.table.at(0, 0) == 470.5);
  CHECK(r.table.at(0, 1) == 98.1);
}

TEST_CASE("price table accepts a file without a trailing newline") {
  auto r = parse_price_table("ts,X\n1,10\n2,11", "p.csv");
  REQUIRE_MESSAGE(r.ok(), joined(r));
  CHECK(r.table.rows() == 2);
}

TEST_CASE("price table leaves NaN where the wide form has no price") {
  auto r = parse_price_table("date,A,B,C\n2024-01-02,1,,3\n2024-01-03,NA,2,null\n", "p.csv");
  REQUIRE_MESSAGE(r.ok(), joined(r));
  CHECK(std::isnan(r.table.at(0, 1)));
  CHECK(std::isnan(r.table.at(1, 0)));
  CHECK(std::isnan(r.table.at(1, 2)));
  CHECK(r.table.at(1, 1) == 2.0);
}

TEST_CASE("price table groups long-form rows into times") {
  auto r = parse_price_table(
      "ts,symbol,price\n"
      "100,SPY,470\n"
      "100,AGG,98\n"
      "160,AGG,98.5\n"
      "220,SPY,471\n"
      "220,BTC,42000\n"
      "220,AGG,99\n",
      "long.csv");
  REQUIRE_MESSAGE(r.ok(), joined(r));
  REQUIRE(r.table.symbols == std::vector<std::string>{"SPY", "AGG", "BTC"});
  REQUIRE(r.table.rows() == 3);
  CHECK(r.table.times[1] == 160 * kNanosPerSecond);
  CHECK(r.table.at(0, 0) == 470.0);
  CHECK(r.table.at(0, 1) == 98.0);
  CHECK(std::isnan(r.table.at(0, 2)));
  CHECK(std::isnan(r.table.at(1, 0)));
  CHECK(r.table.at(1, 1) == 98.5);
  CHECK(r.table.at(2, 2) == 42000.0);
}

TEST_CASE("price table reads long form keyed by date") {
  auto r = parse_price_table("date,Symbol,Price\n2024-01-02,SPY,470\n2024-01-03,SPY,471\n", "long.csv");
  REQUIRE_MESSAGE(r.ok(), joined(r));
  CHECK(r.table.rows() == 2);
  CHECK(r.table.at(1, 0) == 471.0);
}

TEST_CASE("price table reports an empty file") {
  auto r = parse_price_table("", "empty.csv");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0] == "empty.csv: empty file");
  CHECK_FALSE(parse_price_table("\n\r\n  \n", "blank.csv").ok());
}

TEST_CASE("price table reports a header without rows") {
  auto r = parse_price_table("date,SPY\n", "h.csv");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0] == "h.csv:1: no data rows after the header");
}

TEST_CASE("price table reports an unknown header form") {
  for (const char* text : {"when,SPY\n1,2\n", "date\n2024-01-02\n", "SPY,AGG\n1,2\n"}) {
    auto r = parse_price_table(text, "h.csv");
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].find("h.csv:1: unknown header form") == 0);
  }
}

TEST_CASE("price table reports bad cells with file and line") {
  auto r = parse_price_table(
      "date,SPY,AGG\n"
      "2024-01-02,470,98\n"
      "\n"
      "2024-01-03,abc,98\n"
      "2024-01-04,471\n"
      "2024-01-05,-1,98\n"
      "2024-01-06,0,98\n"
      "2024-13-07,471,98\n"
      "2024-01-08,inf,98\n",
      "bad.csv");
  CHECK_MESSAGE(has_error(r, "bad.csv:4: column 2 (SPY): unparseable number 'abc'"), joined(r));
  CHECK_MESSAGE(has_error(r, "bad.csv:5: wrong column count: expected 3, got 2"), joined(r));
  CHECK_MESSAGE(has_error(r, "bad.csv:6: column 2 (SPY): price must be a finite number > 0, got '-1'"), joined(r));
  CHECK_MESSAGE(has_error(r, "bad.csv:7: column 2 (SPY): price must be"), joined(r));
  CHECK_MESSAGE(has_error(r, "bad.csv:8: unparseable time '2024-13-07'"), joined(r));
  CHECK_MESSAGE(has_error(r, "bad.csv:9: column 2 (SPY): price must be"), joined(r));
  CHECK(r.errors.size() == 6);
}

TEST_CASE("price table reports times that do not increase") {
  SUBCASE("wide form, equal time") {
    auto r = parse_price_table("ts,X\n10,1\n10,2\n", "t.csv");
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0] == "t.csv:3: times not increasing: '10' is not after the time on line 2");
  }
  SUBCASE("wide form, earlier time") {
    auto r = parse_price_table("date,X\n2024-01-03,1\n2024-01-02,2\n", "t.csv");
    CHECK(has_error(r, "t.csv:3: times not increasing"));
  }
  SUBCASE("long form, earlier time") {
    auto r = parse_price_table("ts,symbol,price\n10,X,1\n20,X,2\n15,Y,3\n", "t.csv");
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0] == "t.csv:4: times not increasing: '15' is before the time on line 3");
  }
}

TEST_CASE("price table reports header and long-form mistakes") {
  CHECK(has_error(parse_price_table("date,SPY,SPY\n2024-01-02,1,2\n", "h.csv"), "h.csv:1: symbol SPY appears twice"));
  CHECK(has_error(parse_price_table("date,SPY,\n2024-01-02,1,2\n", "h.csv"), "h.csv:1: column 3 has an empty symbol"));
  auto r = parse_price_table("ts,symbol,price\n1,X,1\n1,X,2\n2,,3\n3,X\n4,X,zz\n", "l.csv");
  CHECK_MESSAGE(has_error(r, "l.csv:3: second price for X at the same time (first on line 2)"), joined(r));
  CHECK_MESSAGE(has_error(r, "l.csv:4: empty symbol"), joined(r));
  CHECK_MESSAGE(has_error(r, "l.csv:5: wrong column count: expected 3, got 2"), joined(r));
  CHECK_MESSAGE(has_error(r, "l.csv:6: unparseable number 'zz'"), joined(r));
}

TEST_CASE("price table reports an unterminated quote") {
  CHECK(has_error(parse_price_table("date,SPY\n\"2024-01-02,1\n", "q.csv"), "q.csv:2: unterminated quoted field"));
}

TEST_CASE("price table caps the number of errors it lists") {
  std::string text = "ts,X\n";
  for (int i = 0; i < 500; ++i) text += std::to_string(i + 1) + ",bad\n";
  auto r = parse_price_table(text, "many.csv");
  REQUIRE(r.errors.size() == 51);
  CHECK(r.errors.back() == "many.csv: 450 more errors not shown");
}

TEST_CASE("price table never throws on arbitrary bytes") {
  std::mt19937 rng(5);
  using namespace std::string_literals;
  const std::string alphabet = "date,ts,symbol,price0123456789.-eE:TZ \"\r\n\x00\xff"s;
  for (int i = 0; i < 2000; ++i) {
    std::string text = i % 2 ? "ts,A,B\n" : "ts,symbol,price\n";
    const int len = static_cast<int>(rng() % 200);
    for (int k = 0; k < len; ++k) text.push_back(alphabet[rng() % alphabet.size()]);
    auto r = parse_price_table(text, "fuzz.csv");
    if (r.ok()) CHECK(r.table.prices.size() == r.table.rows() * r.table.cols());
  }
}

TEST_CASE("price table loads a file from disk and names it in errors") {
  TempFile good("date,SPY\n2024-01-02,470\n");
  auto r = load_price_table(good.path());
  REQUIRE_MESSAGE(r.ok(), joined(r));
  CHECK(r.table.at(0, 0) == 470.0);

  TempFile bad("date,SPY\n2024-01-02,x\n");
  auto rb = load_price_table(bad.path());
  REQUIRE(rb.errors.size() == 1);
  CHECK(rb.errors[0].find(bad.path() + ":2: ") == 0);

  auto missing = load_price_table("/nonexistent/ballast/prices.csv");
  REQUIRE(missing.errors.size() == 1);
  CHECK(missing.errors[0].find("/nonexistent/ballast/prices.csv: cannot open") == 0);

  auto dir = load_price_table(std::filesystem::temp_directory_path().string());
  CHECK_FALSE(dir.ok());
}

}  // namespace test_price_table
