#pragma once
// Structural checks of the HTML reports: what a browser needs to draw every
// chart, and nothing that would make a page fetch anything. No pixels.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ballast::offline::testing {

inline std::size_t count_of(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

/// Every problem with the SVG in `html`: an <svg> without width, height and
/// viewBox; a tag inside one that is never closed, closed out of order or
/// closed without being opened; an attribute whose quotes do not pair up; a
/// coordinate that is not made of numbers (NaN, inf, empty). One line each;
/// empty when the charts are well-formed.
inline std::string svg_problems(std::string_view html) {
  std::vector<std::string> problems;
  std::size_t from = 0;
  while ((from = html.find("<svg", from)) != std::string_view::npos) {
    const std::size_t end = html.find("</svg>", from);
    if (end == std::string_view::npos) {
      problems.push_back("an <svg> is never closed");
      break;
    }
    const std::string_view svg = html.substr(from, end + 6 - from);
    const std::string_view open = svg.substr(0, svg.find('>') + 1);
    for (const char* attr : {" width=\"", " height=\"", " viewBox=\""}) {
      if (open.find(attr) == std::string_view::npos) problems.push_back(std::string(open) + " lacks" + attr);
    }
    std::vector<std::string> stack;
    for (std::size_t at = svg.find('<'); at != std::string_view::npos; at = svg.find('<', at + 1)) {
      const std::size_t close = svg.find('>', at);
      if (close == std::string_view::npos) {
        problems.push_back("a tag is never finished");
        break;
      }
      const std::string_view tag = svg.substr(at + 1, close - at - 1);
      if (count_of(tag, "\"") % 2 != 0) problems.push_back("unpaired quotes in <" + std::string(tag) + ">");
      for (const char* attr : {" x=\"", " y=\"", " x1=\"", " x2=\"", " y1=\"", " y2=\"", " cx=\"", " cy=\"", " r=\"",
                               " width=\"", " height=\"", " d=\"", " points=\"", " viewBox=\""}) {
        const std::size_t a = tag.find(attr);
        if (a == std::string_view::npos) continue;
        const std::size_t v = a + std::string_view(attr).size();
        const std::string_view value = tag.substr(v, tag.find('"', v) - v);
        if (value.empty() || value.find_first_not_of("0123456789.-, MLZ") != std::string_view::npos) {
          problems.push_back("not a number:" + std::string(attr) + std::string(value) + "\"");
        }
      }
      if (tag.starts_with('/')) {
        const std::string name(tag.substr(1));
        if (stack.empty() || stack.back() != name) {
          problems.push_back("</" + name + "> closes " + (stack.empty() ? "nothing" : "<" + stack.back() + ">"));
        } else {
          stack.pop_back();
        }
      } else if (!tag.ends_with('/')) {
        stack.emplace_back(tag.substr(0, tag.find_first_of(" \n")));
      }
    }
    if (!stack.empty()) problems.push_back("<" + stack.back() + "> is never closed");
    from = end + 6;
  }
  std::string out;
  for (const auto& p : problems) out += p + "\n";
  return out;
}

/// What in `html` would fetch something or run something: scripts, external
/// links, images, style imports, url() references, event handlers. One line
/// each; empty when there is none.
inline std::string external_references(std::string_view html) {
  std::vector<std::string> found;
  for (const char* needle : {"<script", "http:", "https:", "//", "src=", "<link", "<img", "<iframe", "<object",
                             "<embed", "@import", "url(", "xlink:href", " onload=", " onclick=", "javascript:"}) {
    // "//" would only be the start of a URL: the pages have no comments.
    if (html.find(needle) != std::string_view::npos) found.emplace_back(needle);
  }
  // Links only to anchors in the page.
  for (std::size_t at = html.find("href=\""); at != std::string_view::npos; at = html.find("href=\"", at + 1)) {
    if (html.substr(at + 6, 1) != "#") found.emplace_back(html.substr(at, 30));
  }
  std::string out;
  for (const auto& f : found) out += f + "\n";
  return out;
}

}  // namespace ballast::offline::testing
