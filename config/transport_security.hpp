#pragma once
// The configuration of transport security: the `[curve]` table, and the rule
// that a feed, order or fill endpoint off this machine needs CURVE or an
// explicit `insecure = true`.
#include <toml++/toml.h>

#include <string_view>

#include "config/config.hpp"
#include "config/diagnostics.hpp"

namespace ballast::config {

/// ipc:// and inproc://, and tcp:// to 127.0.0.0/8, [::1] (also ::ffff:127.x.y.z)
/// or localhost: reachable from this machine only. Anything else (another
/// address, a host or interface name, "*") is not.
bool is_local_endpoint(std::string_view endpoint);

/// Reads `[curve]`. Inline keys are checked for every purpose; with
/// Purpose::daemon the key files and allowlist files are read too (relative
/// paths are beside the config file), and every problem is reported at the key
/// that names the file.
CurveConfig read_curve(const toml::table& t, Purpose purpose, Diagnostics& diag);

/// What travels on an endpoint, for messages: "publish ticks", "take orders", ...
struct EndpointRole {
  std::string_view key;       ///< "endpoint", "fills_endpoint"
  std::string_view exposure;  ///< what anyone who reaches it could do
  std::string_view table;     ///< where insecure = true goes: "this feed", "[execution]"
};

/// Reports (at `endpoint`) an endpoint that would carry plain ZeroMQ off this
/// machine: no [curve] and no `insecure = true`.
void check_plain_endpoint(const toml::node& endpoint, const EndpointRole& role, bool curve, bool insecure,
                          Diagnostics& diag);

/// Reports (at the `[curve]` table) CURVE sockets left without an allowlist,
/// which would refuse every client: feeds without publishers, an order or fill
/// socket without gateways. Problems with a given allowlist were reported
/// when it was read and are not repeated.
void check_allowlists(const toml::table& curve, const Config& config, Diagnostics& diag);

}  // namespace ballast::config
