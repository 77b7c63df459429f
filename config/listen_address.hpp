#pragma once
// `[status] listen`: where the status HTTP server binds (SPEC §5).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ballast::config {

struct ListenAddress {
  std::string host;  ///< "127.0.0.1", "localhost" or an IPv6 address without brackets ("::1")
  std::uint16_t port = 0;
  /// 127.0.0.0/8, localhost or ::1 (also as ::ffff:127.x.y.z): reachable from this machine only.
  bool loopback = false;
};

struct ListenParseResult {
  std::optional<ListenAddress> address;
  std::string error;  ///< why `address` is empty
};

/// Parses "host:port": host is an IPv4 address, "localhost" or a bracketed IPv6
/// address ("[::1]:8787"); port is 1..65535. Host names other than localhost are
/// refused, since whether they are loopback cannot be decided without a resolver.
ListenParseResult parse_listen_address(std::string_view text);

}  // namespace ballast::config
