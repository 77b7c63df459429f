#pragma once
// The `ballast` CLI's side of the status socket: one blocking request at a
// time, with a deadline, and every failure as a value.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ballast::cli {

struct HttpResult {
  /// The response's status code; 0 when no response arrived (see `error`).
  int status = 0;
  std::string content_type;
  std::string body;
  /// Empty when a response arrived, whatever its status; otherwise why not:
  /// a bad URL, connection refused, a timeout, a malformed response.
  std::string error;
  /// The kind of `error`, for a caller that advises what to do about it.
  enum class Failure { none, invalid, resolve, refused, timeout, other };
  Failure failure = Failure::none;

  bool ok() const { return error.empty(); }
};

/// The parts of an `http://host:port/path?query` URL.
struct HttpUrl {
  std::string host;  ///< without brackets for IPv6
  std::uint16_t port = 80;
  std::string target = "/";  ///< path and query, as sent on the request line
};

/// Accepts "http://host[:port][/path][?query]" and, for convenience on the
/// command line, the same without "http://". The fragment is dropped.
/// nullopt with `error` set (when given) for https, a missing host, a bad port.
std::optional<HttpUrl> parse_http_url(std::string_view url, std::string* error = nullptr);

/// Sends one request with `Connection: close` and waits for the whole response.
/// A non-empty `bearer_token` adds `Authorization: Bearer <token>`; a non-empty
/// `body` is sent as application/json. `timeout` bounds everything together:
/// name lookup, connect, write and read. Never throws.
HttpResult http_request(std::string_view method, std::string_view url, std::string_view bearer_token,
                        std::string_view body, std::chrono::milliseconds timeout);

}  // namespace ballast::cli
