#include "config/transport_security.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <string>
#include <vector>

#include "config/table_reader.hpp"
#include "core/text_format.hpp"
#include "net/curve_keys.hpp"

namespace ballast::config {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

using core::quote;

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string text(host);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
  }
  return false;
}

/// A file named by `key`, read into `out` by `read`; problems reported at the key.
template <class ReadFile>
bool read_named_file(TableReader& r, std::string_view key, const std::string& config_path, std::string& path_out,
                     ReadFile&& read, Diagnostics& diag) {
  const auto path = r.nonempty_string(key);
  if (!path) return false;
  path_out = beside_config(config_path, *path);
  std::string error = read(path_out);
  if (error.empty()) return true;
  diag.error(r.node(key)->source(), r.name(key) + ": " + error);
  return false;
}

/// Inline public keys: an array of Z85 strings. Each bad entry is reported at itself.
void read_inline_keys(TableReader& r, std::string_view key, std::vector<std::string>& out, Diagnostics& diag) {
  const toml::node* n = r.node(key);
  if (!n) return;
  const auto* list = n->as_array();
  if (!list) {
    diag.error(n->source(), r.name(key) + ": expected an array of CURVE public keys (40 Z85 characters each), got " +
                                std::string(type_name(n->type())));
    return;
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const toml::node& item = *list->get(i);
    const std::string name = r.name(key) + "[" + std::to_string(i) + "]";
    const auto text = read_string(item, name, diag);
    if (!text) continue;
    if (!net::is_z85_key(*text)) {
      diag.error(item.source(), name + ": expected a CURVE public key (40 Z85 characters), got " +
                                    (text->size() == net::kZ85KeyLength ? "characters outside Z85"
                                                                        : std::to_string(text->size()) + " characters"));
      continue;
    }
    if (std::find(out.begin(), out.end(), *text) == out.end()) out.push_back(*text);
  }
}

void add_unique(std::vector<std::string>& to, const std::vector<std::string>& keys) {
  for (const std::string& k : keys) {
    if (std::find(to.begin(), to.end(), k) == to.end()) to.push_back(k);
  }
}

/// An allowlist that came out empty although it was written: a file that
/// could not be read, or inline entries that were not keys, reported already.
bool reported_already(const toml::table& t, std::string_view file_key, std::string_view inline_key) {
  if (t.contains(file_key)) return true;  // a file that was read holds at least one key
  const toml::node* n = t.get(inline_key);
  if (!n) return false;
  const auto* list = n->as_array();
  return !list || !list->empty();
}

}  // namespace

bool is_local_endpoint(std::string_view endpoint) {
  if (starts_with(endpoint, "ipc://") || starts_with(endpoint, "inproc://")) return true;
  if (!starts_with(endpoint, "tcp://")) return false;
  std::string_view address = endpoint.substr(6);
  // "source;destination" (a connect from a chosen source): the peer is the destination.
  if (const std::size_t semi = address.find(';'); semi != std::string_view::npos) address = address.substr(semi + 1);
  const std::size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return false;
  return is_loopback_host(address.substr(0, colon));
}

CurveConfig read_curve(const toml::table& t, Purpose purpose, Diagnostics& diag) {
  TableReader r(t, "[curve]", "",
                {"secret_key_file", "public_key_file", "publishers_file", "publishers", "gateways_file", "gateways"},
                diag);
  CurveConfig c;
  read_inline_keys(r, "publishers", c.publishers, diag);
  read_inline_keys(r, "gateways", c.gateways, diag);
  if (!r.has("secret_key_file")) r.missing("secret_key_file", "the daemon's secret key, from `ballast keygen`");
  if (purpose != Purpose::daemon) {
    // Offline commands never open these sockets, and may run as a user who
    // cannot read the daemon's secret key: only the shape is checked.
    for (std::string_view key : {"secret_key_file", "public_key_file", "publishers_file", "gateways_file"}) {
      (void)r.nonempty_string(key);
    }
    return c;
  }
  if (!net::curve_available()) {
    diag.error(t.source(), "[curve]: this build of libzmq has no CURVE support");
    return c;
  }

  const std::string& config_path = diag.file();
  read_named_file(
      r, "secret_key_file", config_path, c.secret_key_file,
      [&](const std::string& path) {
        const auto key = net::read_key_file(path, net::KeyFileKind::secret_key);
        if (!key.key) return key.error;
        c.secret_key = *key.key;
        c.public_key = net::public_key_of(c.secret_key).value_or("");
        return std::string();
      },
      diag);
  read_named_file(
      r, "public_key_file", config_path, c.public_key_file,
      [&](const std::string& path) {
        const auto key = net::read_key_file(path, net::KeyFileKind::public_key);
        if (!key.key) return key.error;
        if (!c.public_key.empty() && *key.key != c.public_key) {
          return "the key in " + path + " is not the public key of secret_key_file's secret key (" + c.public_key +
                 ")";
        }
        return std::string();
      },
      diag);
  const auto read_allowlist = [&](std::vector<std::string>& into) {
    return [&into](const std::string& path) {
      const auto list = net::read_key_list_file(path);
      if (!list.error.empty()) return list.error;
      add_unique(into, list.keys);
      return std::string();
    };
  };
  read_named_file(r, "publishers_file", config_path, c.publishers_file, read_allowlist(c.publishers), diag);
  read_named_file(r, "gateways_file", config_path, c.gateways_file, read_allowlist(c.gateways), diag);
  return c;
}

void check_plain_endpoint(const toml::node& endpoint, const EndpointRole& role, bool curve, bool insecure,
                          Diagnostics& diag) {
  const auto* text = endpoint.as_string();
  if (curve || insecure || !text || is_local_endpoint(text->get())) return;
  diag.error(endpoint.source(), std::string(role.key) + ": " + quote(text->get()) +
                                    " is not on this machine and has no CURVE: anyone who can reach it could " +
                                    std::string(role.exposure) + ". Add [curve], or write insecure = true in " +
                                    std::string(role.table) + " to accept that");
}

void check_allowlists(const toml::table& curve, const Config& config, Diagnostics& diag) {
  const auto* curve_config = config.curve ? &*config.curve : nullptr;
  if (!curve_config) return;
  const bool curve_feeds = std::any_of(config.feeds.begin(), config.feeds.end(), [](const FeedConfig& f) {
    return !f.insecure;
  });
  if (curve_feeds && curve_config->publishers.empty() && !reported_already(curve, "publishers_file", "publishers")) {
    diag.error(curve.source(),
               "[curve]: no publishers_file or publishers: a feed with CURVE would refuse every publisher; list "
               "the publishers' public keys, or write insecure = true in a feed to leave it plain");
  }
  const bool curve_execution = config.execution.mode == ExecutionMode::live && !config.execution.insecure;
  if (curve_execution && curve_config->gateways.empty() && !reported_already(curve, "gateways_file", "gateways")) {
    diag.error(curve.source(),
               "[curve]: no gateways_file or gateways: the order and fill sockets with CURVE would refuse every "
               "gateway; list the gateways' public keys, or write insecure = true in [execution] to leave them plain");
  }
}

}  // namespace ballast::config
