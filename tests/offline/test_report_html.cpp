// Numbers and text as the reports print them.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "offline/report_html.hpp"
#include "tests/offline/html_checks.hpp"

namespace test_report_html {

using namespace ballast;
using namespace ballast::offline;

TEST_CASE("html_escape escapes text and attributes") {
  CHECK(html_escape("a<b> & \"c\" 'd'") == "a&lt;b&gt; &amp; &quot;c&quot; &#39;d&#39;");
  CHECK(html_escape("plain") == "plain");
}

TEST_CASE("money is grouped by thousands with a true minus sign") {
  CHECK(report_money(1234567.8) == "1,234,567.80");
  CHECK(report_money(999.994) == "999.99");
  CHECK(report_money(-1234.5) == "−1,234.50");
  CHECK(report_money(-0.001) == "0.00");
  CHECK(report_money(1500, 0) == "1,500");
  CHECK(report_money(NAN) == "–");
}

TEST_CASE("percentages, with and without a sign") {
  CHECK(report_percent(0.1234) == "12.34%");
  CHECK(report_percent(-0.005, 1) == "−0.5%");
  CHECK(report_percent(INFINITY) == "–");
  CHECK(report_signed_percent(0.0123) == "+1.2%");
  CHECK(report_signed_percent(-0.0123, 2) == "−1.23%");
  CHECK(report_signed_percent(0.00001) == "0.0%");
  CHECK(report_signed_percent(-0.00001) == "0.0%");
  CHECK(report_fixed(-0.0001, 2) == "0.00");
}

TEST_CASE("dates are the day, with the time only when it is not midnight UTC") {
  const core::TimeNs day = core::days_from_civil(2026, 3, 5) * core::kNanosPerDay;
  CHECK(report_date(day) == "2026-03-05");
  CHECK(report_date(day + 14 * 3600 * core::kNanosPerSecond + 30 * 60 * core::kNanosPerSecond) ==
        "2026-03-05 14:30:00");
}

TEST_CASE("a page starts with its escaped title and inline style, and fetches nothing") {
  const std::string page = report_page_start("A <b> report", ".x{color:red}") + report_page_end();
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(page.find("<title>A &lt;b&gt; report</title>") != std::string::npos);
  CHECK(page.find(".x{color:red}</style>") != std::string::npos);
  CHECK(ballast::offline::testing::external_references(page).empty());
}

}  // namespace test_report_html
