#pragma once
// The daemon's transport security: which of its ZeroMQ sockets use CURVE (the
// daemon is always the CURVE server, whether it binds or connects), whose keys
// each lets in, the cap on what each takes in, and the refused handshakes in
// /status, /metrics and the log.
//
// The allowlists are fixed at start: a reload that changes [curve] or
// `insecure` takes effect at the next restart, like an endpoint. They are read
// by the ZAP handler's own thread and never by the event loop.
//
// A feed the daemon connects to is connected again when libzmq drops the
// connection for good (after an oversized message or a refused handshake),
// at most once per ZapHandler::kAbandonGrace: a publisher that was refused is
// let in as soon as its key is right, and one bad message does not end a feed.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <zmq.hpp>

#include "config/config.hpp"
#include "core/json_writer.hpp"
#include "daemon/logging.hpp"
#include "daemon/metrics.hpp"
#include "net/zap_handler.hpp"

namespace ballast::daemon {

class TransportSecurity {
 public:
  /// Binds the ZAP handler in `context` at once, before any socket is made, so
  /// that no CURVE handshake can pass unchecked. Throws zmq::error_t.
  /// Refusals are logged as warnings, at most one per ten seconds per socket
  /// and reason, with the count held back.
  TransportSecurity(boost::asio::io_context& io, zmq::context_t& context, const config::Config& config);
  /// Destroy after the sockets it prepared (they are checked until then).
  ~TransportSecurity();
  TransportSecurity(const TransportSecurity&) = delete;
  TransportSecurity& operator=(const TransportSecurity&) = delete;

  /// Each of these is called once, before the socket binds or connects: the
  /// CURVE server role with the socket's allowlist (or plain), the message cap,
  /// and the watch on failed handshakes. Throws zmq::error_t.
  void prepare_feed(zmq::socket_t& socket, std::size_t feed_index);
  void prepare_orders(zmq::socket_t& socket);
  void prepare_fills(zmq::socket_t& socket);
  /// Connects the feed's socket (as moved into its reader, connected) again
  /// when libzmq abandons its connection; on the io_context's thread. For feeds
  /// the daemon connects (not `bind = true`).
  void keep_connected(std::size_t feed_index, zmq::socket_t& socket);
  /// Starts answering handshakes; those that came first wait for it.
  void start();

  /// The "transport" object of /status.
  void write_status(core::JsonWriter& w) const;
  /// ballast_handshakes_refused_total{socket,reason} and
  /// ballast_handshakes_accepted_total{socket}, brought up to date at every scrape.
  void add_metrics(MetricsRegistry& metrics);

 private:
  struct Socket {
    std::string label;  // "feed:<name>", "orders", "fills"
    std::string endpoint;
    bool curve = false;
    std::size_t cap = 0;
    std::size_t slot = 0;
    bool connects = false;             // the daemon connects: it reconnects when libzmq gives up
    zmq::socket_t* socket = nullptr;   // set by keep_connected
    std::uint64_t reconnects = 0;
    net::HandshakeCounts reported;  // what the metrics show so far
  };
  void prepare(zmq::socket_t& socket, Socket s, const std::vector<std::string>* allowed);
  void reconnect(std::size_t slot);

  boost::asio::io_context& io_;
  RateLimiter reconnect_limiter_;  // the event loop's; the ZAP thread has its own
  std::optional<config::CurveConfig> curve_;
  std::vector<config::FeedConfig> feeds_;
  config::ExecutionConfig execution_;
  std::unique_ptr<net::ZapHandler> zap_;
  std::vector<Socket> sockets_;
};

}  // namespace ballast::daemon
