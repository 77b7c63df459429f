#include "execution/io/order_sender.hpp"

#include <cerrno>

namespace ballast::execution {

OrderSender::OrderSender(zmq::context_t& context, const std::string& endpoint, OrderSenderOptions options)
    : socket_(context, zmq::socket_type::push) {
  socket_.set(zmq::sockopt::linger, static_cast<int>(options.linger.count()));
  if (options.send_hwm > 0) socket_.set(zmq::sockopt::sndhwm, options.send_hwm);
  if (options.prepare) options.prepare(socket_);
  // No ZMQ_IMMEDIATE when connecting: ZeroMQ then keeps the pipe to the gateway
  // across its restarts, so frames already handed over survive a reconnect.
  if (options.connect) {
    socket_.connect(endpoint);
  } else {
    socket_.bind(endpoint);
  }
}

bool OrderSender::try_send(std::string_view json) noexcept {
  for (;;) {
    if (zmq_send(socket_.handle(), json.data(), json.size(), ZMQ_DONTWAIT) >= 0) {
      ++sent_;
      return true;
    }
    const int err = zmq_errno();
    if (err == EINTR) continue;
    if (err != EAGAIN) error_ = err;
    return false;
  }
}

bool OrderSender::send(std::string_view json) {
  // Anything still queued goes first, so a frame can never overtake an older one.
  if (!queue_.empty()) flush();
  if (queue_.empty() && try_send(json)) return true;
  queue_.emplace_back(json);
  return false;
}

std::size_t OrderSender::flush() {
  std::size_t moved = 0;
  while (!queue_.empty() && try_send(queue_.front())) {
    queue_.pop_front();
    ++moved;
  }
  return moved;
}

std::size_t OrderSender::flush_for(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t moved = flush();
  while (!queue_.empty()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    zmq_pollitem_t item{socket_.handle(), 0, ZMQ_POLLOUT, 0};
    const int rc = zmq_poll(&item, 1, static_cast<long>(left.count()));
    if (rc < 0 && zmq_errno() != EINTR) {
      error_ = zmq_errno();
      break;
    }
    const std::size_t now_moved = flush();
    moved += now_moved;
    // Writable yet refused for another reason than "would block": waiting longer
    // would only spin.
    if (rc > 0 && now_moved == 0 && error_ != 0) break;
  }
  return moved;
}

std::string OrderSender::endpoint() const { return socket_.get(zmq::sockopt::last_endpoint); }

}  // namespace ballast::execution
