#pragma once
// What both HTML reports are made of besides their charts: escaping, numbers
// for people, the page's head and style. Every page is self-contained: inline
// CSS and SVG, no scripts, nothing fetched. Pure string building.
#include <cstddef>
#include <string>
#include <string_view>

#include "core/time.hpp"

namespace ballast::offline {

/// The width of the page's content, in CSS pixels: full-width charts are drawn
/// at it, so that their text is as large as the page's on a desktop screen
/// (narrower screens scale the charts down).
inline constexpr int kReportContentWidth = 1008;

/// `text` with &, <, >, " and ' escaped for HTML text and attributes.
std::string html_escape(std::string_view text);

/// `v` with `decimals` decimals; "–" when not finite.
std::string report_fixed(double v, int decimals);
/// 1234567.8 → "1,234,567.80" (with decimals = 2), a true minus sign when negative; "–" when not finite.
std::string report_money(double v, int decimals = 2);
/// 0.1234 → "12.34%"; "–" when not finite.
std::string report_percent(double fraction, int decimals = 2);
/// As report_percent with a sign: "+1.2%", "−0.4%", "0.0%".
std::string report_signed_percent(double fraction, int decimals = 1);
/// "2026-03-05", or "2026-03-05 14:30:00" when not at midnight UTC.
std::string report_date(core::TimeNs t);

/// The i-th line colour of a chart, from a palette of ten, repeating.
std::string report_color(std::size_t i);

/// "<!DOCTYPE html>…<body>": the head with the shared style and `extra_css` after it.
std::string report_page_start(std::string_view title, std::string_view extra_css = {});
/// "</body></html>\n".
std::string report_page_end();

}  // namespace ballast::offline
