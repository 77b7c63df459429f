#include "feeds/zmq_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <utility>

#include <boost/asio/post.hpp>

namespace ballast::feeds {

ZmqReader::ZmqReader(boost::asio::io_context& io, zmq::socket_t socket, Handler handler, ZmqReaderOptions options)
    : io_(io),
      socket_(std::move(socket)),
      descriptor_(io),
      handler_(std::move(handler)),
      frames_(std::max<std::size_t>(options.max_frames, 1)),
      fairness_cap_(std::max<std::size_t>(options.fairness_cap, 1)),
      on_drained_(std::move(options.on_drained)),
      alive_(std::make_shared<char>()) {}

ZmqReader::~ZmqReader() {
  alive_.reset();
  // Cancels a pending wait and hands the fd back untouched: closing it would
  // break the ZeroMQ socket that still owns it.
  if (descriptor_.is_open()) descriptor_.release();
}

void ZmqReader::start() {
  if (running_) return;
  if (!descriptor_.is_open()) descriptor_.assign(socket_.get(zmq::sockopt::fd));
  running_ = true;
  error_ = 0;
  ++generation_;
  // Messages may already be queued, and the fd's edge for them may be long
  // gone: look at ZMQ_EVENTS once instead of waiting for an edge.
  post_drain();
}

void ZmqReader::stop() {
  if (!running_) return;
  running_ = false;
  ++generation_;
  boost::system::error_code ignored;
  descriptor_.cancel(ignored);
}

void ZmqReader::post_drain() {
  boost::asio::post(io_, [this, alive = std::weak_ptr<char>(alive_), generation = generation_] {
    if (alive.expired()) return;
    drain(generation);
  });
}

void ZmqReader::wait() {
  descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                         [this, alive = std::weak_ptr<char>(alive_), generation = generation_](
                             const boost::system::error_code& ec) {
                           if (alive.expired() || ec == boost::asio::error::operation_aborted) return;
                           if (ec) {
                             if (generation == generation_) {
                               running_ = false;
                               error_ = ec.value();
                             }
                             return;
                           }
                           drain(generation);
                         });
}

std::size_t ZmqReader::receive() noexcept {
  try {
    for (;;) {
      try {
        // No ZMQ_EVENTS check per message: a non-blocking receive answers the
        // same question, and the check costs as much as the receive itself.
        if (!socket_.recv(frames_[0], zmq::recv_flags::dontwait)) return 0;
        std::size_t count = 1;
        bool more = frames_[0].more();
        while (more) {
          zmq::message_t& target = count < frames_.size() ? frames_[count] : overflow_;
          // The parts of a message arrive together, so this does not wait.
          if (!socket_.recv(target, zmq::recv_flags::dontwait)) break;
          ++count;
          more = target.more();
        }
        return count;
      } catch (const zmq::error_t& e) {
        if (e.num() != EINTR) throw;
      }
    }
  } catch (const zmq::error_t& e) {
    running_ = false;
    error_ = e.num();
    return 0;
  }
}

void ZmqReader::drain(std::uint64_t generation) {
  if (!running_ || generation != generation_) return;
  for (std::size_t handled = 0;; ++handled) {
    if (handled == fairness_cap_) {
      // More may be queued with no new edge coming; come back after the
      // io_context has run whatever else is ready.
      post_drain();
      return;
    }
    const std::size_t count = receive();
    if (!running_) return;
    if (count == 0) break;
    ++messages_;
    delivered_since_drained_ = true;
    const std::size_t kept = std::min(count, frames_.size());
    try {
      handler_(std::span<zmq::message_t>(frames_.data(), kept), count);
    } catch (...) {
      if (running_ && generation == generation_) post_drain();
      throw;
    }
    if (!running_ || generation != generation_) return;
  }
  // EAGAIN said the queue was empty; ZMQ_EVENTS confirms it and re-arms the
  // edge-triggered fd, so a message that raced in is not left stranded.
  try {
    if (socket_.get(zmq::sockopt::events) & ZMQ_POLLIN) {
      post_drain();
      return;
    }
  } catch (const zmq::error_t& e) {
    running_ = false;
    error_ = e.num();
    return;
  }
  wait();
  if (delivered_since_drained_) {
    delivered_since_drained_ = false;
    if (on_drained_) on_drained_();
  }
}

}  // namespace ballast::feeds
