#pragma once
// The status socket (SPEC §5): a small HTTP/1.1 server on the daemon's single
// io_context. Beast stays inside http_server.cpp so that the daemon's wiring,
// which only needs these types, compiles without it.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace ballast::daemon {

struct HttpRequest {
  std::string method;  ///< as sent, e.g. "GET"
  std::string path;    ///< percent-decoded, without the query
  std::map<std::string, std::string> query;  ///< percent-decoded, '+' is a space; the first of repeated keys wins
  std::string authorization;                 ///< the raw Authorization header, empty when absent
  std::string body;
};

struct HttpResponse {
  int status = 200;  ///< outside 100..599 is sent as 500
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  /// Further headers (Allow, WWW-Authenticate, Retry-After, ...). CR and LF are
  /// stripped from values so that no handler can split the response.
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Called on the io_context's thread for every complete request. An exception
/// escaping it becomes a 500; it never reaches the event loop.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

/// A plain-text response; the body gets a trailing newline so that curl output
/// ends cleanly.
HttpResponse text_response(int status, std::string_view text);
/// An application/json response with `json` as the body, unchanged.
HttpResponse json_response(int status, std::string json);

/// What one status socket allows. Every limit is finite: a client that is
/// slow, silent or greedy is cut off by one of them, never served forever.
struct HttpServerLimits {
  std::size_t max_body_bytes = 64 * 1024;   ///< larger bodies get 413
  std::size_t max_header_bytes = 8 * 1024;  ///< request line + headers; larger gets 431
  /// The request line and headers must all have arrived this long after the
  /// connection was accepted or, for a later request on a kept-alive
  /// connection, after its first byte: a client trickling one byte at a time
  /// cannot stretch it.
  std::chrono::milliseconds header_timeout{5'000};
  /// The body must all have arrived this long after the headers.
  std::chrono::milliseconds body_timeout{10'000};
  /// A kept-alive connection is closed when the next request has not begun
  /// this long after the last response was written.
  std::chrono::milliseconds idle_timeout{5'000};
  /// A response must be written (taken by the peer) within this.
  std::chrono::milliseconds write_timeout{10'000};
  /// The response to the Nth request on one connection carries
  /// `Connection: close`, and the connection ends after it.
  std::size_t max_requests_per_connection = 100;
  /// Open connections at most (0 counts as 1). A connection accepted when all
  /// are taken is never refused: it closes the open connection least worth
  /// keeping instead (see connection_eviction.hpp).
  std::size_t max_connections = 64;

  bool operator==(const HttpServerLimits&) const = default;
};

/// Counters for the daemon's metrics; they only grow.
struct HttpServerStats {
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_evicted = 0;  ///< closed to make room for a new connection
  std::uint64_t requests = 0;             ///< complete requests handed to the handler
  std::uint64_t bad_requests = 0;         ///< malformed HTTP, oversized headers or bodies
  std::uint64_t header_timeouts = 0;      ///< connections dropped by header_timeout
  std::uint64_t body_timeouts = 0;        ///< connections dropped by body_timeout
  std::uint64_t idle_timeouts = 0;        ///< kept-alive connections closed by idle_timeout
  std::uint64_t write_timeouts = 0;       ///< connections dropped by write_timeout
  std::uint64_t handler_errors = 0;       ///< exceptions thrown by the handler (answered 500)
};

/// What the server makes of the bytes of one request.
struct HttpParseResult {
  enum class Outcome {
    request,     ///< a complete request that goes to the handler
    rejected,    ///< answered with `status` and the connection closed
    incomplete,  ///< the bytes end before the request does: the server waits for more
  };
  Outcome outcome = Outcome::incomplete;
  HttpRequest request;       ///< when outcome is request
  int status = 0;            ///< when rejected: 400, 413 or 431
  std::string reason;        ///< when rejected: the text of the error response
  std::size_t consumed = 0;  ///< bytes of the input the parser took; after a request, the rest is the next one
  bool keep_alive = false;   ///< when outcome is request: whether the client asks to keep the connection
};

/// Parses the first request in `raw` exactly as the server does: the same
/// Beast parser with the same limits (max_header_bytes, max_body_bytes), the
/// same answers to errors and the same conversion to HttpRequest. Pure and
/// total, so that a fuzz harness can drive it with any bytes.
HttpParseResult parse_http_request(std::string_view raw, const HttpServerLimits& limits);

/// A parsed `[status] listen` value.
struct ListenAddress {
  std::string host;  ///< "127.0.0.1", "::1" (no brackets) or "localhost"
  std::uint16_t port = 0;
};

/// Parses "host:port" where host is an IPv4 address, "localhost" or a bracketed
/// IPv6 address ("[::1]:8787"); port 0 asks the system for a free port.
/// nullopt with `error` set (when given) on anything else.
std::optional<ListenAddress> parse_listen(std::string_view listen, std::string* error = nullptr);

/// True when `listen` only accepts connections from this host (127.0.0.0/8,
/// ::1, an IPv4-mapped loopback, "localhost"). False for wildcard addresses and
/// for strings that do not parse, so that a doubtful address demands a token.
bool is_loopback_listen(std::string_view listen);

/// True when the header is `Bearer <token>` (scheme case-insensitive). The
/// comparison takes the same time wherever the first difference is, and an
/// empty `token` never matches.
bool bearer_token_matches(std::string_view authorization_header, std::string_view token);

/// Maps method and path to handlers: an unknown path is 404, a known path with
/// another method is 405 with an Allow header. HEAD is served by the GET route.
/// Whether a route's path takes a request's: equal, or for a route ending in
/// "/*", the same prefix and one more non-empty segment ("/accounts/*" takes
/// "/accounts/a1", not "/accounts/" or "/accounts/a1/x").
bool route_matches(std::string_view route, std::string_view path);

/// Requests to handlers by method and path (see route_matches).
class Router {
 public:
  Router& add(std::string method, std::string path, HttpHandler handler);
  HttpResponse operator()(const HttpRequest& request) const;

 private:
  struct Route {
    std::string method;
    std::string path;
    HttpHandler handler;
  };
  std::vector<Route> routes_;
};

/// HTTP/1.1 with keep-alive on a caller's io_context, which must outlive the
/// server. Every member must be called on the io_context's thread, or while
/// the io_context is not running.
///
/// Under pressure a full server still takes the next connection, so that an
/// operator can always reach the control endpoints: the new connection closes
/// the open one least worth keeping (connection_eviction.hpp says which and
/// why), and every phase of a connection has its own timeout.
class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, std::string listen, HttpHandler handler,
             HttpServerLimits limits = {});
  /// Stops the server; in-flight operations finish on the io_context without
  /// calling the handler again.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds, listens and starts accepting. nullopt on success, otherwise why the
  /// listen string was refused or the address could not be bound; never throws.
  [[nodiscard]] std::optional<std::string> start();
  /// Closes the acceptor and every open connection; the handler is not called
  /// afterwards. Idempotent.
  void stop();

  /// The bound port (the real one when the listen string asked for 0); 0 before start().
  std::uint16_t port() const;
  /// "127.0.0.1:8787" or "[::1]:8787" as bound; empty before start().
  std::string local_address() const;
  std::size_t open_connections() const;
  const HttpServerStats& stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared with sessions so that late completions stay safe
};

}  // namespace ballast::daemon
