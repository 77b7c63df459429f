#include "daemon/http_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <exception>
#include <map>
#include <unordered_set>

#include "daemon/connection_eviction.hpp"
#include "daemon/http_parsing.hpp"

namespace ballast::daemon {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using detail::iequals;

namespace {

// After an error response or a Connection: close, the peer may still be
// sending (the rest of an oversized body, pipelined requests). Closing with
// unread bytes makes the kernel send RST, which can destroy the response in
// the peer's receive buffer, so the send side is shut first and the rest is
// read and discarded for a short while.
constexpr std::chrono::milliseconds kLingerTimeout{2'000};
constexpr std::size_t kLingerMaxBytes = 1024 * 1024;
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};
/// What an idle keep-alive connection reads at once while it waits for the
/// next request; the header parser takes it from there.
constexpr std::size_t kIdleReadBytes = 4096;

constexpr std::string_view kContinueResponse = "HTTP/1.1 100 Continue\r\n\r\n";

/// The peer a socket's connection is counted against; all-zero when the peer
/// is already gone.
PeerKey socket_peer(const tcp::socket& socket) {
  error_code ec;
  const tcp::endpoint remote = socket.remote_endpoint(ec);
  return ec ? PeerKey{} : peer_key(remote.address());
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_header_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), is_token_char);
}

std::string header_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (const char c : v) {
    if (c != '\r' && c != '\n' && c != '\0') out.push_back(c);
  }
  return out;
}

std::string format_endpoint(const tcp::endpoint& ep) {
  const auto addr = ep.address();
  std::string out = addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string();
  return out + ":" + std::to_string(ep.port());
}

std::optional<asio::ip::address> resolve_listen_host(const ListenAddress& listen) {
  if (iequals(listen.host, "localhost")) return asio::ip::address(asio::ip::address_v4::loopback());
  error_code ec;
  const auto addr = asio::ip::make_address(listen.host, ec);
  if (ec) return std::nullopt;
  return addr;
}

}  // namespace

HttpResponse text_response(int status, std::string_view text) {
  HttpResponse r;
  r.status = status;
  r.body.reserve(text.size() + 1);
  r.body.append(text);
  if (r.body.empty() || r.body.back() != '\n') r.body.push_back('\n');
  return r;
}

HttpResponse json_response(int status, std::string json) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(json);
  return r;
}

std::optional<ListenAddress> parse_listen(std::string_view listen, std::string* error) {
  const auto fail = [&](std::string why) -> std::optional<ListenAddress> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  if (listen.empty()) return fail("empty address, expected host:port");

  std::string_view host;
  std::string_view port_text;
  if (listen.front() == '[') {
    const auto close = listen.find(']');
    if (close == std::string_view::npos) return fail("missing ']' after the IPv6 address");
    host = listen.substr(1, close - 1);
    const std::string_view rest = listen.substr(close + 1);
    if (rest.empty() || rest.front() != ':') return fail("missing port, expected [address]:port");
    port_text = rest.substr(1);
    error_code ec;
    (void)asio::ip::make_address_v6(std::string(host), ec);
    if (ec || host.find('%') != std::string_view::npos) {
      return fail("'" + std::string(host) + "' is not an IPv6 address");
    }
  } else {
    const auto colon = listen.rfind(':');
    if (colon == std::string_view::npos) return fail("missing port, expected host:port");
    host = listen.substr(0, colon);
    port_text = listen.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return fail("an IPv6 address must be bracketed, as in [::1]:8787");
    }
    if (host.empty()) return fail("missing host, expected host:port (0.0.0.0 for every interface)");
    if (!iequals(host, "localhost")) {
      error_code ec;
      (void)asio::ip::make_address_v4(std::string(host), ec);
      if (ec) {
        return fail("'" + std::string(host) +
                    "' is not an IPv4 address, localhost or a bracketed IPv6 address");
      }
    }
  }

  unsigned port = 0;
  const auto* first = port_text.data();
  const auto* last = port_text.data() + port_text.size();
  const auto [ptr, ec] = std::from_chars(first, last, port);
  if (port_text.empty() || port_text.size() > 5 || ec != std::errc() || ptr != last || port > 65535 ||
      !std::all_of(first, last, [](char c) { return c >= '0' && c <= '9'; })) {
    return fail("'" + std::string(port_text) + "' is not a port number (0-65535)");
  }
  return ListenAddress{iequals(host, "localhost") ? std::string("localhost") : std::string(host),
                       static_cast<std::uint16_t>(port)};
}

bool is_loopback_listen(std::string_view listen) {
  const auto parsed = parse_listen(listen);
  if (!parsed) return false;
  const auto addr = resolve_listen_host(*parsed);
  if (!addr) return false;
  if (addr->is_loopback()) return true;
  if (addr->is_v6() && addr->to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, addr->to_v6()).is_loopback();
  }
  return false;
}

bool bearer_token_matches(std::string_view authorization_header, std::string_view token) {
  if (token.empty()) return false;
  std::string_view h = trim(authorization_header);
  constexpr std::string_view scheme = "bearer";
  if (h.size() <= scheme.size() || !iequals(h.substr(0, scheme.size()), scheme)) return false;
  h.remove_prefix(scheme.size());
  if (h.front() != ' ' && h.front() != '\t') return false;
  const std::string_view candidate = trim(h);

  // The loop runs over the expected token whatever the candidate is, so its
  // duration says nothing about how many leading bytes were right.
  volatile unsigned char diff = candidate.size() == token.size() ? 0 : 1;
  for (std::size_t i = 0; i < token.size(); ++i) {
    const unsigned char c = i < candidate.size() ? static_cast<unsigned char>(candidate[i]) : 0;
    diff = diff | static_cast<unsigned char>(c ^ static_cast<unsigned char>(token[i]));
  }
  return diff == 0;
}

bool route_matches(std::string_view route, std::string_view path) {
  // "/prefix/*" stands for one more segment: not empty, without '/'.
  if (route.size() >= 2 && route.substr(route.size() - 2) == "/*") {
    const std::string_view prefix = route.substr(0, route.size() - 1);
    if (path.size() <= prefix.size() || path.substr(0, prefix.size()) != prefix) return false;
    return path.find('/', prefix.size()) == std::string_view::npos;
  }
  return route == path;
}

Router& Router::add(std::string method, std::string path, HttpHandler handler) {
  routes_.push_back(Route{std::move(method), std::move(path), std::move(handler)});
  return *this;
}

HttpResponse Router::operator()(const HttpRequest& request) const {
  const Route* get_route = nullptr;
  std::vector<std::string_view> allowed;
  for (const Route& route : routes_) {
    if (!route_matches(route.path, request.path)) continue;
    if (route.method == request.method) return route.handler(request);
    if (route.method == "GET") get_route = &route;
    if (std::find(allowed.begin(), allowed.end(), route.method) == allowed.end()) {
      allowed.push_back(route.method);
    }
  }
  if (request.method == "HEAD" && get_route) return get_route->handler(request);
  if (allowed.empty()) return text_response(404, "not found");

  if (get_route && std::find(allowed.begin(), allowed.end(), "HEAD") == allowed.end()) {
    allowed.push_back("HEAD");
  }
  std::string allow;
  for (const std::string_view method : allowed) {
    if (!allow.empty()) allow += ", ";
    allow += method;
  }
  HttpResponse r = text_response(405, "method not allowed");
  r.headers.emplace_back("Allow", std::move(allow));
  return r;
}

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  class Session;

  Impl(asio::io_context& io, std::string listen, HttpHandler handler, HttpServerLimits limits)
      : io_(io),
        listen_(std::move(listen)),
        handler_(std::move(handler)),
        limits_(limits),
        acceptor_(io),
        retry_timer_(io) {}

  void accept();
  void on_accept(const error_code& ec, tcp::socket socket);
  /// Closes open connections until one more fits under max_connections.
  void make_room();
  /// The connection to close for a new one (connection_eviction.hpp says which).
  Session* pick_victim() const;
  void enlist(Session* session, const PeerKey& peer);
  void discharge(Session* session, const PeerKey& peer);
  void stop();

  asio::io_context& io_;
  std::string listen_;
  HttpHandler handler_;
  HttpServerLimits limits_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
  bool started_ = false;
  bool stopped_ = false;
  std::uint16_t port_ = 0;
  std::string local_address_;
  HttpServerStats stats_;
  // Sessions own themselves through their pending operations; this set only
  // lets stop() and make_room() reach the open ones. A session leaves it when
  // its socket is closed.
  std::unordered_set<Session*> sessions_;
  std::map<PeerKey, std::size_t> peers_;  // open connections per peer; no zero counts
};

class HttpServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  using Clock = std::chrono::steady_clock;

  Session(std::shared_ptr<Impl> server, tcp::socket socket, const PeerKey& peer)
      : server_(std::move(server)),
        stream_(std::move(socket)),
        buffer_(server_->limits_.max_header_bytes + server_->limits_.max_body_bytes + 8192),
        peer_(peer),
        since_(Clock::now()) {
    server_->enlist(this, peer_);
  }
  ~Session() {
    if (!closed_) server_->discharge(this, peer_);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// The header timeout of the first request runs from here, the accept.
  void start() { read_header(); }

  /// Closes the socket and leaves the server's set; pending operations
  /// complete with an error and do nothing more. Idempotent.
  void close() {
    if (closed_) return;
    closed_ = true;
    server_->discharge(this, peer_);
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  const PeerKey& peer() const { return peer_; }

  /// How the eviction policy sees this connection.
  EvictionCandidate candidate(std::size_t peer_connections) const {
    const ConnectionState state = phase_ == Phase::lingering ? ConnectionState::lingering
                                  : phase_ == Phase::idle    ? ConnectionState::idle
                                                             : ConnectionState::busy;
    return EvictionCandidate{peer_connections, state, since_};
  }

 private:
  /// What the connection waits for; says which timeout runs and which
  /// counter a timeout goes to.
  enum class Phase { header, body, writing, idle, lingering };

  void read_header() {
    phase_ = Phase::header;
    parser_.emplace();
    detail::configure_parser(*parser_, server_->limits_);
    stream_.expires_after(server_->limits_.header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](const error_code& ec, std::size_t) {
                              self->on_header(ec);
                            });
  }

  void on_header(const error_code& ec) {
    if (closed_) return;
    if (ec) return on_read_error(ec);
    if (server_->stopped_) return close();
    phase_ = Phase::body;
    stream_.expires_after(server_->limits_.body_timeout);
    const auto expect = parser_->get()[http::field::expect];
    if (iequals(std::string_view(expect.data(), expect.size()), "100-continue") && !parser_->is_done()) {
      asio::async_write(stream_, asio::buffer(kContinueResponse.data(), kContinueResponse.size()),
                        [self = shared_from_this()](const error_code& wec, std::size_t) {
                          if (self->closed_) return;
                          if (wec) return self->on_read_error(wec);
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](const error_code& ec, std::size_t) { self->on_body(ec); });
  }

  void on_read_error(const error_code& ec) {
    Impl& s = *server_;
    if (ec == asio::error::operation_aborted || s.stopped_) return close();
    if (ec == beast::error::timeout) {
      ++(phase_ == Phase::header ? s.stats_.header_timeouts : s.stats_.body_timeouts);
      return close();
    }
    if (const auto rejection = detail::rejection_for(ec)) {
      ++s.stats_.bad_requests;
      return send_error(*rejection);
    }
    close();  // the peer left, reset, broken pipe, ...: nobody to answer
  }

  void on_body(const error_code& ec) {
    if (closed_) return;
    if (ec) return on_read_error(ec);
    if (server_->stopped_) return close();

    detail::RequestMessage message = parser_->release();
    HttpRequest request;
    if (const auto rejection = detail::to_request(message, request)) {
      ++server_->stats_.bad_requests;
      return send_error(*rejection);
    }

    ++server_->stats_.requests;
    ++requests_;
    HttpResponse response;
    try {
      response = server_->handler_(request);
    } catch (const std::exception&) {
      ++server_->stats_.handler_errors;
      response = text_response(500, "internal error");
    } catch (...) {
      ++server_->stats_.handler_errors;
      response = text_response(500, "internal error");
    }
    const bool keep_alive =
        message.keep_alive() && !server_->stopped_ && requests_ < server_->limits_.max_requests_per_connection;
    send(std::move(response), message.version(), request.method == "HEAD", keep_alive);
  }

  void send_error(const detail::Rejection& rejection) {
    send(text_response(rejection.status, rejection.reason), 11, false, false);
  }

  void send(HttpResponse response, unsigned version, bool head, bool keep_alive) {
    try {
      response_ = {};
      response_.version(version == 10 ? 10 : 11);
      const int status = (response.status >= 100 && response.status <= 599) ? response.status : 500;
      response_.result(static_cast<unsigned>(status));
      response_.set(http::field::server, "ballastd");
      response_.set(http::field::content_type, header_value(response.content_type));
      response_.set(http::field::cache_control, "no-store");
      for (const auto& [name, value] : response.headers) {
        // Framing headers belong to the server; a handler setting them would
        // desynchronise the connection.
        if (!is_header_name(name) || iequals(name, "Content-Length") ||
            iequals(name, "Transfer-Encoding") || iequals(name, "Connection")) {
          continue;
        }
        response_.set(name, header_value(value));
      }
      response_.body() = std::move(response.body);
      response_.keep_alive(keep_alive);
      response_.prepare_payload();
      if (head) response_.body().clear();  // Content-Length still tells the size of the GET
    } catch (const std::exception&) {
      return close();
    }

    phase_ = Phase::writing;
    stream_.expires_after(server_->limits_.write_timeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this(), keep_alive](const error_code& ec, std::size_t) {
                        self->on_write(ec, keep_alive);
                      });
  }

  void on_write(const error_code& ec, bool keep_alive) {
    if (closed_) return;
    if (ec) {
      if (ec == beast::error::timeout) ++server_->stats_.write_timeouts;
      return close();
    }
    if (!keep_alive || server_->stopped_) return linger();
    since_ = Clock::now();
    // A pipelined request has begun already: its header timeout runs from now.
    if (buffer_.size() > 0) return read_header();
    wait_for_request();
  }

  void wait_for_request() {
    phase_ = Phase::idle;
    stream_.expires_after(server_->limits_.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kIdleReadBytes),
                            [self = shared_from_this()](const error_code& ec, std::size_t n) {
                              self->on_idle_read(ec, n);
                            });
  }

  void on_idle_read(const error_code& ec, std::size_t n) {
    if (closed_) return;
    buffer_.commit(n);
    if (ec) {
      if (ec == beast::error::timeout) ++server_->stats_.idle_timeouts;
      return close();  // or the client ended the connection, as it may between requests
    }
    if (server_->stopped_) return close();
    since_ = Clock::now();  // the first byte of the next request: its header timeout starts
    read_header();
  }

  void linger() {
    phase_ = Phase::lingering;
    since_ = Clock::now();
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec || server_->stopped_) return close();
    stream_.expires_after(kLingerTimeout);
    drain();
  }

  void drain() {
    stream_.async_read_some(asio::buffer(discard_), [self = shared_from_this()](const error_code& ec,
                                                                                std::size_t n) {
      if (self->closed_) return;
      self->drained_ += n;
      if (ec || self->drained_ > kLingerMaxBytes || self->server_->stopped_) return self->close();
      self->drain();
    });
  }

  std::shared_ptr<Impl> server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<detail::RequestParser> parser_;
  http::response<http::string_body> response_;
  std::array<char, 4096> discard_{};
  std::size_t drained_ = 0;
  const PeerKey peer_;
  Phase phase_ = Phase::header;
  Clock::time_point since_;  // when the current request, idle wait or linger began
  std::size_t requests_ = 0;
  bool closed_ = false;
};

void HttpServer::Impl::accept() {
  acceptor_.async_accept([self = shared_from_this()](const error_code& ec, tcp::socket socket) {
    self->on_accept(ec, std::move(socket));
  });
}

void HttpServer::Impl::on_accept(const error_code& ec, tcp::socket socket) {
  if (stopped_ || ec == asio::error::operation_aborted) return;
  if (ec) {
    // Out of descriptors or a peer that gave up during the handshake: pause a
    // moment so that a persistent error does not spin the event loop.
    if (ec == asio::error::connection_aborted) return accept();
    retry_timer_.expires_after(kAcceptRetryDelay);
    retry_timer_.async_wait([self = shared_from_this()](const error_code& wec) {
      if (!wec && !self->stopped_) self->accept();
    });
    return;
  }

  ++stats_.connections_accepted;
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  const PeerKey peer = socket_peer(socket);
  make_room();
  try {
    std::make_shared<Session>(shared_from_this(), std::move(socket), peer)->start();
  } catch (const std::exception&) {
    // Out of memory for one more session: drop this connection, keep the server.
  }
  accept();
}

void HttpServer::Impl::make_room() {
  const std::size_t cap = std::max<std::size_t>(limits_.max_connections, 1);
  while (sessions_.size() >= cap) {
    Session* victim = pick_victim();
    if (!victim) return;
    ++stats_.connections_evicted;
    victim->close();  // leaves sessions_ at once; its handlers run later and find it closed
  }
}

HttpServer::Impl::Session* HttpServer::Impl::pick_victim() const {
  if (sessions_.empty()) return nullptr;
  std::vector<Session*> open(sessions_.begin(), sessions_.end());
  std::vector<EvictionCandidate> candidates;
  candidates.reserve(open.size());
  for (const Session* session : open) candidates.push_back(session->candidate(peers_.at(session->peer())));
  return open[pick_eviction_victim(candidates)];
}

void HttpServer::Impl::enlist(Session* session, const PeerKey& peer) {
  sessions_.insert(session);
  ++peers_[peer];
}

void HttpServer::Impl::discharge(Session* session, const PeerKey& peer) {
  if (sessions_.erase(session) == 0) return;
  const auto it = peers_.find(peer);
  if (it != peers_.end() && --it->second == 0) peers_.erase(it);
}

void HttpServer::Impl::stop() {
  if (stopped_) return;
  stopped_ = true;
  error_code ignored;
  acceptor_.close(ignored);
  retry_timer_.cancel();
  // close() leaves sessions_ and never runs completion handlers inline, so
  // the copy is walked safely.
  const std::vector<Session*> open(sessions_.begin(), sessions_.end());
  for (Session* session : open) session->close();
}

HttpServer::HttpServer(boost::asio::io_context& io, std::string listen, HttpHandler handler,
                       HttpServerLimits limits)
    : impl_(std::make_shared<Impl>(io, std::move(listen), std::move(handler), limits)) {}

HttpServer::~HttpServer() { impl_->stop(); }

std::optional<std::string> HttpServer::start() {
  Impl& s = *impl_;
  if (s.stopped_) return "the status server was stopped and cannot be restarted";
  if (s.started_) return "the status server is already running";

  std::string why;
  const auto listen = parse_listen(s.listen_, &why);
  if (!listen) return "invalid listen address '" + s.listen_ + "': " + why;
  const auto addr = resolve_listen_host(*listen);
  if (!addr) return "invalid listen address '" + s.listen_ + "'";
  const tcp::endpoint endpoint(*addr, listen->port);

  const auto failed = [&](std::string_view step, const error_code& ec) {
    error_code ignored;
    s.acceptor_.close(ignored);
    return "cannot listen on " + s.listen_ + ": " + std::string(step) + ": " + ec.message();
  };
  error_code ec;
  s.acceptor_.open(endpoint.protocol(), ec);
  if (ec) return failed("socket", ec);
  s.acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (ec) return failed("SO_REUSEADDR", ec);
  s.acceptor_.bind(endpoint, ec);
  if (ec) return failed("bind", ec);
  s.acceptor_.listen(tcp::acceptor::max_listen_connections, ec);
  if (ec) return failed("listen", ec);
  const tcp::endpoint bound = s.acceptor_.local_endpoint(ec);
  if (ec) return failed("getsockname", ec);

  s.port_ = bound.port();
  s.local_address_ = format_endpoint(bound);
  s.started_ = true;
  s.accept();
  return std::nullopt;
}

void HttpServer::stop() { impl_->stop(); }

std::uint16_t HttpServer::port() const { return impl_->port_; }

std::string HttpServer::local_address() const { return impl_->local_address_; }

std::size_t HttpServer::open_connections() const { return impl_->sessions_.size(); }

const HttpServerStats& HttpServer::stats() const { return impl_->stats_; }

}  // namespace ballast::daemon
