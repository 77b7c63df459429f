#include "offline/report_html.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ballast::offline {
namespace {

// Numbers in tables use tabular figures so that columns line up; wide tables
// scroll inside their own box rather than widening the page.
constexpr const char* kStyle =
    R"(body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;max-width:1008px;margin:24px auto;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:36px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:22px 0 4px}p.meta{color:#555;margin:0 0 12px}
table{border-collapse:collapse;margin:6px 0 12px;font-variant-numeric:tabular-nums}
th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:right;vertical-align:top;white-space:nowrap}
th{background:#f6f6f6;font-weight:600;color:#333;white-space:normal}th:first-child,td:first-child{text-align:left}
td.text,th.text{text-align:left;white-space:normal}.scroll{overflow-x:auto;max-width:100%}
.legend{font-size:12px;color:#444;margin:2px 0}.legend span{margin-right:14px;white-space:nowrap}
.legend i{display:inline-block;width:14px;height:3px;vertical-align:middle;margin-right:4px}
.legend i.area{height:10px;opacity:.35}.legend i.box{height:10px}
svg{display:block;max-width:100%;height:auto}svg text{font:11px system-ui,sans-serif;fill:#555}
svg text.title{fill:#333}.note{color:#666;font-size:12px;margin:4px 0 10px})";

std::string printf_double(const char* format, int decimals, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, decimals, v);
  return buf;
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string report_fixed(double v, int decimals) {
  if (!std::isfinite(v)) return "–";
  std::string s = printf_double("%.*f", decimals, v);
  // A true minus sign, and no "−0.00".
  if (s[0] == '-') s = s.find_first_not_of("-0.") == std::string::npos ? s.substr(1) : "−" + s.substr(1);
  return s;
}

std::string report_money(double v, int decimals) {
  if (!std::isfinite(v)) return "–";
  const std::string digits = printf_double("%.*f", decimals, std::abs(v));
  const std::size_t dot = std::min(digits.find('.'), digits.size());
  std::string grouped;
  for (std::size_t i = 0; i < dot; ++i) {
    if (i > 0 && (dot - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  const bool zero = digits.find_first_not_of("0.") == std::string::npos;
  return (v < 0 && !zero ? "−" : "") + grouped + digits.substr(dot);
}

std::string report_percent(double fraction, int decimals) {
  return std::isfinite(fraction) ? report_fixed(100 * fraction, decimals) + "%" : "–";
}

std::string report_signed_percent(double fraction, int decimals) {
  if (!std::isfinite(fraction)) return "–";
  const std::string s = report_fixed(100 * fraction, decimals);
  const bool zero = s.find_first_not_of("0.") == std::string::npos;
  return (fraction > 0 && !zero ? "+" : "") + s + "%";
}

std::string report_date(core::TimeNs t) {
  const std::string s = core::format_iso8601(t);
  if (s.compare(10, std::string::npos, "T00:00:00.000Z") == 0) return s.substr(0, 10);
  return s.substr(0, 10) + " " + s.substr(11, 8);
}

std::string report_page_start(std::string_view title, std::string_view extra_css) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>";
  out += html_escape(title);
  out += "</title><style>";
  out += kStyle;
  out += extra_css;
  out += "</style></head><body>\n";
  return out;
}

std::string report_page_end() { return "\n</body></html>\n"; }

std::string report_color(std::size_t i) {
  static constexpr const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
                                             "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"};
  return kPalette[i % (sizeof kPalette / sizeof kPalette[0])];
}

}  // namespace ballast::offline
