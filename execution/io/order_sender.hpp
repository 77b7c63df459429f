#pragma once
// The execution queue's sending end (SPEC §3): a ZeroMQ PUSH socket that never
// drops an order on our side.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>

#include <zmq.hpp>

namespace ballast::execution {

struct OrderSenderOptions {
  /// Default: bind, and gateways connect (SPEC §3 `connect = false`).
  bool connect = false;
  /// How long closing the socket may wait for ZeroMQ to deliver what it holds.
  std::chrono::milliseconds linger{2000};
  /// ZMQ_SNDHWM; 0 keeps ZeroMQ's default (1000 messages).
  int send_hwm = 0;
  /// Sets further options (transport security, caps) before the bind or connect.
  std::function<void(zmq::socket_t&)> prepare;
};

/// Sends one frame per order without ever blocking the event loop. When
/// ZeroMQ would block (no gateway connected yet, or the high-water mark is
/// reached) the frame waits in an in-memory FIFO; flush() retries it, and
/// send() flushes first, so frames leave in the order they were given.
///
/// Frames handed to ZeroMQ are its responsibility: with a bound socket, a
/// gateway that disconnects loses what was queued for it.
class OrderSender {
 public:
  /// Binds (or connects) at once; throws zmq::error_t if the endpoint is unusable.
  OrderSender(zmq::context_t& context, const std::string& endpoint, OrderSenderOptions options = {});

  /// True when the frame went to ZeroMQ now, false when it was queued. Never
  /// throws on a socket error: the frame stays queued and error() says why.
  bool send(std::string_view json);
  /// Hands queued frames to ZeroMQ, oldest first, until it would block.
  /// Returns how many left the queue.
  std::size_t flush();
  /// Like flush(), but waits up to `timeout` for ZeroMQ to accept the rest
  /// (for a clean shutdown). Returns how many left the queue.
  std::size_t flush_for(std::chrono::milliseconds timeout);

  std::size_t queued() const { return queue_.size(); }
  /// The errno of the last send that failed for a reason other than "would
  /// block" (ETERM during shutdown); 0 if none.
  int error() const { return error_; }
  /// Frames handed to ZeroMQ since construction.
  std::uint64_t sent() const { return sent_; }
  /// The resolved endpoint (a `tcp://host:*` bind reports the chosen port).
  std::string endpoint() const;

  zmq::socket_t& socket() { return socket_; }

 private:
  /// False when ZeroMQ would block or failed (then error_ is set).
  bool try_send(std::string_view json) noexcept;

  zmq::socket_t socket_;
  std::deque<std::string> queue_;
  std::uint64_t sent_ = 0;
  int error_ = 0;
};

}  // namespace ballast::execution
