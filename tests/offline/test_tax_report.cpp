// The realised gains of a tax year as `ballast tax report` writes them: the
// exact CSV and the 1099-B text in cents, with totals worked by hand.
#include "offline/tax_report.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>

namespace test_tax_report {

using namespace ballast;
using offline::TaxReportFormat;
using tax::day_of;

namespace {

tax::RealisedLine line(double quantity, tax::Day acquired, tax::Day holding_from, tax::Day sold, double proceeds,
                       double basis, double gain, tax::Term term, double wash = 0) {
  tax::RealisedLine l;
  l.quantity = quantity;
  l.acquired = acquired;
  l.holding_from = holding_from;
  l.sold = sold;
  l.proceeds = proceeds;
  l.basis = basis;
  l.gain = gain;
  l.term = term;
  l.wash_disallowed = wash;
  return l;
}

// Account a1:
//   10 AAA bought 2023-01-10, sold 2025-03-03: 1500 − 1000 = 500, long-term.
//   5 BBB bought 2025-01-02, sold 2025-02-14: 300 − 500 = −200, short-term,
//     all 200 of the loss disallowed by a wash sale: reported 0.
//   2.5 CCC bought 2025-04-01 as a wash sale's replacement (holding period
//     from 2025-02-20), sold 2025-06-30: 250.125 − 300.3349 = −50.2099, short-term.
// Account b2:
//   3 DDD bought 2025-05-05, sold 2025-08-08: 90.5 − 120.75 = −30.25, short-term.
const tax::RealisedLine kAaa = line(10, day_of(2023, 1, 10), day_of(2023, 1, 10), day_of(2025, 3, 3), 1500, 1000,
                                    500, tax::Term::long_term);
const tax::RealisedLine kBbb = line(5, day_of(2025, 1, 2), day_of(2025, 1, 2), day_of(2025, 2, 14), 300, 500, -200,
                                    tax::Term::short_term, 200);
const tax::RealisedLine kCcc = line(2.5, day_of(2025, 4, 1), day_of(2025, 2, 20), day_of(2025, 6, 30), 250.125,
                                    300.3349, -50.2099, tax::Term::short_term);
const tax::RealisedLine kDdd = line(3, day_of(2025, 5, 5), day_of(2025, 5, 5), day_of(2025, 8, 8), 90.5, 120.75,
                                    -30.25, tax::Term::short_term);

std::string report(TaxReportFormat format, bool with_lines = true) {
  std::ostringstream out;
  offline::TaxReportWriter w(out, format, 2025);
  if (with_lines) {
    CHECK(w.add("a1", "AAA", kAaa).empty());
    CHECK(w.add("a1", "BBB", kBbb).empty());
    CHECK(w.add("a1", "CCC", kCcc).empty());
    CHECK(w.add("b2", "DDD", kDdd).empty());
  }
  CHECK(w.finish().empty());
  CHECK(w.lines() == (with_lines ? 4u : 0u));
  return out.str();
}

}  // namespace

TEST_CASE("tax report csv: one row per realised line, exact numbers, the reported gain adds the wash sale back") {
  CHECK(report(TaxReportFormat::csv) ==
        "account,symbol,quantity,acquired,holding_from,sold,proceeds,basis,wash_disallowed,gain,term\n"
        "a1,AAA,10,2023-01-10,2023-01-10,2025-03-03,1500,1000,0,500,long_term\n"
        "a1,BBB,5,2025-01-02,2025-01-02,2025-02-14,300,500,200,0,short_term\n"  // −200 + 200
        "a1,CCC,2.5,2025-04-01,2025-02-20,2025-06-30,250.125,300.3349,0,-50.2099,short_term\n"
        "b2,DDD,3,2025-05-05,2025-05-05,2025-08-08,90.5,120.75,0,-30.25,short_term\n");
}

TEST_CASE("tax report csv: a symbol with a comma is quoted, a basis in fractions of a cent keeps its digits") {
  std::ostringstream out;
  offline::TaxReportWriter w(out, TaxReportFormat::csv, 2025);
  tax::RealisedLine l = kDdd;
  l.basis = 1.0 / 3;
  l.gain = l.proceeds - l.basis;
  l.quantity = 0.1 + 0.2;
  REQUIRE(w.add("a1", "BRK,B", l).empty());
  REQUIRE(w.finish().empty());
  const std::string row = out.str().substr(offline::tax_report_csv_header().size());
  CHECK(row == "a1,\"BRK,B\",0.30000000000000004,2025-05-05,2025-05-05,2025-08-08,90.5,0.3333333333333333,0,"
               "90.16666666666667,short_term\n");
  // The digits read back as the very doubles.
  CHECK(std::stod("0.3333333333333333") == 1.0 / 3);
  CHECK(std::stod("90.16666666666667") == 90.5 - 1.0 / 3);
}

TEST_CASE("tax report 1099b: per account, short-term before long-term, in cents, with Schedule D's totals") {
  // a1 short-term, in cents:
  //   BBB: 1d 300.00, 1e 500.00, 1g 200.00, gain 300.00 − 500.00 + 200.00 = 0.00
  //   CCC: 1d 250.125 → 250.13 (half away from zero), 1e 300.3349 → 300.33,
  //        1g 0.00, gain 250.13 − 300.33 = −50.20 (column (h) of the rounded
  //        boxes, where −50.2099 alone would round to −50.21)
  //   total: 1d 300.00 + 250.13 = 550.13; 1e 500.00 + 300.33 = 800.33;
  //          1g 200.00; gain 0.00 − 50.20 = −50.20 (= 550.13 − 800.33 + 200.00)
  // a1 long-term: AAA 1500.00, 1000.00, 0.00, 500.00; the total the same.
  // b2 short-term: DDD 90.50, 120.75, 0.00, −30.25; the total the same.
  // 1b is holding_from: CCC's 2025-02-20, not its trade day 2025-04-01.
  CHECK(report(TaxReportFormat::form_1099b) ==
        "Form 1099-B: proceeds from broker transactions, tax year 2025\n"
        "\n"
        "Account a1, Short-term\n"
        "1a description    1b acquired  1c sold     1d proceeds  1e cost basis  1g wash sale  gain or loss\n"
        "5 BBB             2025-01-02   2025-02-14       300.00         500.00        200.00          0.00\n"
        "2.5 CCC           2025-02-20   2025-06-30       250.13         300.33          0.00        -50.20\n"
        "Total short-term                                550.13         800.33        200.00        -50.20\n"
        "\n"
        "Account a1, Long-term\n"
        "1a description   1b acquired  1c sold     1d proceeds  1e cost basis  1g wash sale  gain or loss\n"
        "10 AAA           2023-01-10   2025-03-03      1500.00        1000.00          0.00        500.00\n"
        "Total long-term                               1500.00        1000.00          0.00        500.00\n"
        "\n"
        "Account b2, Short-term\n"
        "1a description    1b acquired  1c sold     1d proceeds  1e cost basis  1g wash sale  gain or loss\n"
        "3 DDD             2025-05-05   2025-08-08        90.50         120.75          0.00        -30.25\n"
        "Total short-term                                 90.50         120.75          0.00        -30.25\n");
}

TEST_CASE("tax report 1099b: with its model's rates an account's totals show the tax estimated on them") {
  // a1 at 37% short-term and 20% long-term, of the printed totals:
  //   short-term −50.20 × 0.37 = −18.574 → −18.57 (a saving)
  //   long-term   500.00 × 0.20 = 100.00
  //   the account: −18.57 + 100.00 = 81.43
  // b2's model has no rates: its section is as without them.
  const tax::TaxRates rates{0.37, 0.20};
  std::ostringstream out;
  offline::TaxReportWriter w(out, TaxReportFormat::form_1099b, 2025);
  CHECK(w.add("a1", "AAA", kAaa, rates).empty());
  CHECK(w.add("a1", "BBB", kBbb, rates).empty());
  CHECK(w.add("a1", "CCC", kCcc, rates).empty());
  CHECK(w.add("b2", "DDD", kDdd).empty());
  CHECK(w.finish().empty());
  CHECK(out.str() ==
        "Form 1099-B: proceeds from broker transactions, tax year 2025\n"
        "\n"
        "Account a1, Short-term\n"
        "1a description        1b acquired  1c sold     1d proceeds  1e cost basis  1g wash sale  gain or loss\n"
        "5 BBB                 2025-01-02   2025-02-14       300.00         500.00        200.00          0.00\n"
        "2.5 CCC               2025-02-20   2025-06-30       250.13         300.33          0.00        -50.20\n"
        "Total short-term                                    550.13         800.33        200.00        -50.20\n"
        "Estimated tax at 37%                                                                           -18.57\n"
        "\n"
        "Account a1, Long-term\n"
        "1a description        1b acquired  1c sold     1d proceeds  1e cost basis  1g wash sale  gain or loss\n"
        "10 AAA                2023-01-10   2025-03-03      1500.00        1000.00          0.00        500.00\n"
        "Total long-term                                    1500.00        1000.00          0.00        500.00\n"
        "Estimated tax at 20%                                                                           100.00\n"
        "\n"
        "Account a1, estimated tax: 81.43\n"
        "\n"
        "Account b2, Short-term\n"
        "1a description    1b acquired  1c sold     1d proceeds  1e cost basis  1g wash sale  gain or loss\n"
        "3 DDD             2025-05-05   2025-08-08        90.50         120.75          0.00        -30.25\n"
        "Total short-term                                 90.50         120.75          0.00        -30.25\n");
}

TEST_CASE("tax report 1099b: an estimated tax is rounded as the boxes are, its rate shown as a percentage") {
  // A gain of 300.50 − 200.00 = 100.50: short-term at 37% it is 37.185 →
  // 37.19 (half away from zero); long-term at 23.8% 23.919 → 23.92.
  const auto estimate = [](tax::Term term, const tax::TaxRates& rates) {
    tax::RealisedLine l = kDdd;
    l.proceeds = 300.5;
    l.basis = 200;
    l.gain = 100.5;
    l.term = term;
    std::ostringstream out;
    offline::TaxReportWriter w(out, TaxReportFormat::form_1099b, 2025);
    CHECK(w.add("c3", "DDD", l, rates).empty());
    CHECK(w.finish().empty());
    // The estimate's row without its padding, and the account's line.
    const std::string text = out.str();
    const std::size_t at = text.find("Estimated tax at ");
    REQUIRE(at != std::string::npos);
    const std::string row = text.substr(at, text.find('\n', at) - at);
    const std::size_t gap = row.find("  ");
    return row.substr(0, gap) + " " + row.substr(row.find_first_not_of(' ', gap)) + " | " +
           text.substr(text.find("Account c3, estimated tax: "));
  };
  CHECK(estimate(tax::Term::short_term, tax::TaxRates{0.37, 0.20}) ==
        "Estimated tax at 37% 37.19 | Account c3, estimated tax: 37.19\n");
  CHECK(estimate(tax::Term::long_term, tax::TaxRates{0.37, 0.238}) ==
        "Estimated tax at 23.8% 23.92 | Account c3, estimated tax: 23.92\n");
}

TEST_CASE("tax report csv: the rates change nothing") {
  std::ostringstream with, without;
  offline::TaxReportWriter a(with, TaxReportFormat::csv, 2025), b(without, TaxReportFormat::csv, 2025);
  REQUIRE(a.add("a1", "AAA", kAaa, tax::TaxRates{0.37, 0.20}).empty());
  REQUIRE(b.add("a1", "AAA", kAaa).empty());
  REQUIRE(a.finish().empty());
  REQUIRE(b.finish().empty());
  CHECK(with.str() == without.str());
}

TEST_CASE("tax report without lines: the csv header alone, or a line saying there were no sales") {
  CHECK(report(TaxReportFormat::csv, false) == offline::tax_report_csv_header());
  CHECK(report(TaxReportFormat::form_1099b, false) == "no sales in 2025\n");
}

TEST_CASE("tax report refuses lines not grouped by account in ascending order") {
  for (const TaxReportFormat format : {TaxReportFormat::csv, TaxReportFormat::form_1099b}) {
    std::ostringstream out;
    offline::TaxReportWriter w(out, format, 2025);
    REQUIRE(w.add("b2", "DDD", kDdd).empty());
    CHECK(w.add("a1", "AAA", kAaa) ==
          "account \"a1\" comes after \"b2\": the lines are not grouped by account in ascending order");
  }
}

TEST_CASE("tax report 1099b refuses an amount too large for cents") {
  std::ostringstream out;
  offline::TaxReportWriter w(out, TaxReportFormat::form_1099b, 2025);
  tax::RealisedLine l = kDdd;
  l.proceeds = 2e16;
  CHECK(w.add("a1", "DDD", l) == "account \"a1\", \"DDD\" sold 2025-08-08: an amount does not fit in cents");
}

TEST_CASE("cents are rounded half away from zero from the shortest digits of the amount") {
  CHECK(offline::cents_of(2.675) == 268);  // the double is 2.67499999..., its digits 2.675
  CHECK(offline::cents_of(-2.675) == -268);
  CHECK(offline::cents_of(0.005) == 1);
  CHECK(offline::cents_of(0.0049999) == 0);
  CHECK(offline::cents_of(1234.5) == 123450);
  CHECK(offline::cents_of(1e-300) == 0);
  CHECK(offline::cents_of(std::numeric_limits<double>::denorm_min()) == 0);
  CHECK(offline::cents_of(9999999999999998.0) == 999999999999999800);
  CHECK_FALSE(offline::cents_of(1e16));
  CHECK_FALSE(offline::cents_of(std::nan("")));
  CHECK_FALSE(offline::cents_of(-std::numeric_limits<double>::infinity()));

  CHECK(offline::cents_text(-123456) == "-1234.56");
  CHECK(offline::cents_text(5) == "0.05");
  CHECK(offline::cents_text(-5) == "-0.05");
  CHECK(offline::cents_text(0) == "0.00");
  CHECK(offline::cents_text(std::numeric_limits<std::int64_t>::min()) == "-92233720368547758.08");
}

TEST_CASE("tax report formats by name") {
  CHECK(offline::parse_tax_report_format("csv") == TaxReportFormat::csv);
  CHECK(offline::parse_tax_report_format("1099b") == TaxReportFormat::form_1099b);
  CHECK_FALSE(offline::parse_tax_report_format("1099-B"));
  CHECK(offline::to_string(TaxReportFormat::form_1099b) == "1099b");
}

}  // namespace test_tax_report
