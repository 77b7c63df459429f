#include "config/listen_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>

namespace ballast::config {
namespace {

ListenParseResult fail(std::string why) { return {std::nullopt, std::move(why)}; }

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

/// Dotted-quad only: inet_aton-style forms ("127.1", octal "0177.0.0.1") are
/// refused because people read them differently than the resolver does.
std::optional<std::array<unsigned, 4>> parse_ipv4(std::string_view s) {
  std::array<unsigned, 4> octets{};
  for (std::size_t i = 0; i < 4; ++i) {
    const std::size_t dot = i < 3 ? s.find('.') : s.size();
    if (dot == std::string_view::npos) return std::nullopt;
    const std::string_view part = s.substr(0, dot);
    if (!all_digits(part) || part.size() > 3 || (part.size() > 1 && part[0] == '0')) return std::nullopt;
    unsigned v = 0;
    for (char c : part) v = v * 10 + static_cast<unsigned>(c - '0');
    if (v > 255) return std::nullopt;
    octets[i] = v;
    s = i < 3 ? s.substr(dot + 1) : std::string_view{};
  }
  return octets;
}

}  // namespace

ListenParseResult parse_listen_address(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || (!text.empty() && text.back() == ']')) return fail("missing \":port\"");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);

  if (!all_digits(port_text) || port_text.size() > 5) return fail("port must be a number in 1..65535");
  unsigned port = 0;
  for (char c : port_text) port = port * 10 + static_cast<unsigned>(c - '0');
  if (port < 1 || port > 65535) return fail("port must be a number in 1..65535");

  ListenAddress out;
  out.port = static_cast<std::uint16_t>(port);
  if (host.empty()) return fail("missing host before \":port\"");
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']')
      return fail("an IPv6 address must be written in brackets, as [::1]:8787");
    const std::string inner(host.substr(1, host.size() - 2));
    in6_addr addr{};
    if (inet_pton(AF_INET6, inner.c_str(), &addr) != 1) return fail("\"" + inner + "\" is not an IPv6 address");
    out.host = inner;
    const bool v4_mapped_loopback = IN6_IS_ADDR_V4MAPPED(&addr) && addr.s6_addr[12] == 127;
    out.loopback = IN6_IS_ADDR_LOOPBACK(&addr) || v4_mapped_loopback;
    return {out, {}};
  }
  if (host.find(':') != std::string_view::npos)
    return fail("an IPv6 address must be written in brackets, as [::1]:8787");
  if (host == "localhost") {
    out.host = "localhost";
    out.loopback = true;
    return {out, {}};
  }
  const auto octets = parse_ipv4(host);
  if (!octets) {
    return fail("host must be an IPv4 address, localhost or a bracketed IPv6 address, got \"" + std::string(host) +
                "\"");
  }
  out.host = std::string(host);
  out.loopback = (*octets)[0] == 127;
  return {out, {}};
}

}  // namespace ballast::config
