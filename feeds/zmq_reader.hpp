#pragma once
// One ZeroMQ receiving socket (SUB or PULL) driven by a boost::asio::io_context.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <zmq.hpp>

namespace ballast::feeds {

struct ZmqReaderOptions {
  /// Frames kept per message; later frames are received and discarded, but
  /// still counted, so the handler can reject the message.
  std::size_t max_frames = 2;
  /// Messages handled per wake-up before yielding to other work on the
  /// io_context (timers, the status server); the rest follow from a posted drain.
  std::size_t fairness_cap = 512;
  /// Called when a burst has ended: after messages were handled, the queue
  /// was found empty and the reader waits again. Not called when the
  /// fairness cap yields with more queued, nor after a drain that found
  /// nothing. May be empty. It runs after the wait is armed, so a throw
  /// surfaces from io_context::run() with the reader still armed.
  std::function<void()> on_drained;
};

/// Reads whole messages from a socket on the io_context's thread.
///
/// ZMQ_FD is edge-triggered and only says "look at ZMQ_EVENTS": after every
/// wake-up the reader receives while ZMQ_EVENTS has ZMQ_POLLIN, and only then
/// waits again, or queued messages would stall. The fd belongs to ZeroMQ and is
/// released, never closed, by the reader.
///
/// The io_context must outlive the reader; the reader is not movable, and must
/// not be destroyed from inside its own handler.
class ZmqReader {
 public:
  /// Called once per message. `frames` holds the first min(frame_count,
  /// max_frames) frames; their storage is reused for the next message, so copy
  /// what must outlive the call. A handler that throws makes io_context::run()
  /// throw; the reader stays armed, so run() may be called again.
  using Handler = std::function<void(std::span<zmq::message_t> frames, std::size_t frame_count)>;

  /// Takes the socket, already connected or bound and subscribed; more options
  /// may be set through socket() before start().
  ZmqReader(boost::asio::io_context& io, zmq::socket_t socket, Handler handler, ZmqReaderOptions options = {});
  ~ZmqReader();
  ZmqReader(const ZmqReader&) = delete;
  ZmqReader& operator=(const ZmqReader&) = delete;

  /// Registers the socket with the io_context and looks for messages already
  /// queued. Throws boost::system::system_error if the fd cannot be registered.
  void start();
  /// Stops delivering; queued messages stay in the socket until start().
  void stop();

  bool running() const { return running_; }
  /// The errno that stopped the reader (ETERM when the context was shut down); 0 if none.
  int error() const { return error_; }
  /// Messages received since construction, including over-long ones.
  std::uint64_t messages() const { return messages_; }

  zmq::socket_t& socket() { return socket_; }

 private:
  void post_drain();
  void wait();
  void drain(std::uint64_t generation);
  /// Receives one whole message into frames_; 0 when none is queued. Any socket
  /// error other than EAGAIN/EINTR stops the reader and yields 0.
  std::size_t receive() noexcept;

  boost::asio::io_context& io_;
  // Declared before descriptor_ so that the socket is closed after the
  // descriptor has let go of its fd.
  zmq::socket_t socket_;
  boost::asio::posix::stream_descriptor descriptor_;
  Handler handler_;
  std::vector<zmq::message_t> frames_;
  zmq::message_t overflow_;
  std::size_t fairness_cap_;
  std::function<void()> on_drained_;
  bool delivered_since_drained_ = false;
  bool running_ = false;
  int error_ = 0;
  std::uint64_t messages_ = 0;
  // Bumped by start() and stop(): a wake-up or posted drain from an earlier
  // run finds a different generation and does nothing.
  std::uint64_t generation_ = 0;
  // Expires with the reader, so completions still queued in the io_context do
  // not touch a destroyed object.
  std::shared_ptr<char> alive_;
};

}  // namespace ballast::feeds
