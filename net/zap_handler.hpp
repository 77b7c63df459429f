#pragma once
// The ZAP handler (ZeroMQ RFC 27) that decides who may complete a CURVE
// handshake with the daemon, and the count of handshakes it refused.
//
// Without a ZAP handler in the context, libzmq lets ANY client key complete a
// CURVE handshake. This handler binds `inproc://zeromq.zap.01` as soon as it is
// constructed, before any CURVE socket exists, and keeps it bound until it is
// destroyed, after the sockets it guards; a request it cannot answer is never
// answered, which stalls that handshake rather than letting it through.
//
// It runs on its own thread with allowlists fixed before start(): nothing on
// the daemon's event loop waits for it, and it shares no mutable state but the
// counters (atomics). It also watches the guarded sockets' monitor events, so
// that handshakes which fail before ZAP is asked (a client without CURVE, a
// client with a wrong server key) are counted too.
//
// libzmq never reconnects a connection it dropped for a protocol error — a
// message over ZMQ_MAXMSGSIZE, a refused handshake — and keeps the endpoint as
// a zombie that a second connect() silently ignores. For the sockets that ask
// for it, the handler notices such a connection (dropped, and no reconnect
// scheduled within a grace period) and says so, so that the socket's owner can
// disconnect and connect again on its own thread.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <zmq.hpp>

namespace ballast::net {

enum class Refusal {
  unlisted_key,  ///< a CURVE client whose public key is not on the socket's allowlist
  failed,        ///< the handshake failed before ZAP: no CURVE, a wrong server key, a protocol error
};

struct RefusedHandshake {
  std::string socket;  ///< the label the socket was registered with
  Refusal reason = Refusal::unlisted_key;
  std::string peer;    ///< the client's address (unlisted_key) or the socket's endpoint (failed)
  std::string detail;  ///< the client's public key (Z85), or what failed
};

struct HandshakeCounts {
  std::uint64_t accepted = 0;      ///< CURVE clients the allowlist let in
  std::uint64_t unlisted_key = 0;  ///< refused: key not on the allowlist
  std::uint64_t failed = 0;        ///< refused before ZAP (no CURVE, wrong server key, protocol error)
};

class ZapHandler {
 public:
  /// Called on the handler's thread for every refusal; it must not block for long.
  using OnRefused = std::function<void(const RefusedHandshake&)>;
  /// Called on the handler's thread with the slot of a socket whose connection
  /// libzmq dropped for good; it must not block for long.
  using OnAbandoned = std::function<void(std::size_t slot)>;
  static constexpr const char* kEndpoint = "inproc://zeromq.zap.01";
  /// How long after a drop libzmq has to schedule its own reconnect (it does so
  /// at once, in its I/O thread) before the connection counts as abandoned.
  static constexpr std::chrono::milliseconds kAbandonGrace{1000};

  /// Binds the ZAP endpoint in `context` at once. Throws zmq::error_t when
  /// another handler holds it. The context must outlive the handler.
  explicit ZapHandler(zmq::context_t& context, OnRefused on_refused = {}, OnAbandoned on_abandoned = {});
  /// Stops the thread and closes the endpoint: destroy the handler after the
  /// sockets it guards, or a client could connect unchecked in between.
  ~ZapHandler();
  ZapHandler(const ZapHandler&) = delete;
  ZapHandler& operator=(const ZapHandler&) = delete;

  /// A socket to count handshakes for, named `label` in counts and reports.
  /// Returns its slot. Before start().
  std::size_t add_socket(std::string label);
  /// Lets CURVE clients holding one of `allowed` (Z85 public keys; any other
  /// entry is ignored) into the socket at `slot`, and refuses every other.
  /// Returns the ZAP domain to give that socket (CurveServerKeys). Before start().
  std::string allow(std::size_t slot, std::span<const std::string> allowed);
  /// Counts the handshakes of `socket` that fail before ZAP is asked, under
  /// `slot`; with `report_abandoned`, also reports (OnAbandoned) connections
  /// that libzmq dropped and will not make again. The socket may be closed
  /// before the handler. Before start().
  void watch(zmq::socket_t& socket, std::size_t slot, bool report_abandoned = false);
  /// Starts answering. Requests that came before wait for it.
  void start();

  HandshakeCounts counts(std::size_t slot) const;
  const std::string& label(std::size_t slot) const { return slots_[slot].label; }
  std::size_t socket_count() const { return slots_.size(); }

 private:
  struct Slot {
    explicit Slot(std::string l) : label(std::move(l)) {}
    std::string label;
    std::atomic<std::uint64_t> accepted{0}, unlisted_key{0}, failed{0};
  };
  struct Domain {
    std::size_t slot = 0;
    std::unordered_set<std::string> keys;  ///< 32-byte binary keys
  };
  struct Monitor {
    zmq::socket_t socket;
    std::size_t slot = 0;
    bool report_abandoned = false;
    /// A connection dropped at this time and no reconnect was scheduled yet.
    std::optional<std::chrono::steady_clock::time_point> dropped_at;
  };

  void run();
  /// Milliseconds until the next grace period ends; -1 when none is running.
  long next_timeout() const;
  void report_abandoned();
  void answer_requests();
  void answer(std::vector<zmq::message_t>& request);
  void read_events(Monitor& monitor);
  void report(const RefusedHandshake& r);

  zmq::context_t& context_;
  OnRefused on_refused_;
  OnAbandoned on_abandoned_;
  zmq::socket_t zap_;
  zmq::socket_t stop_in_;
  zmq::socket_t stop_out_;
  std::deque<Slot> slots_;  // a deque: atomics neither move nor copy
  std::unordered_map<std::string, Domain> domains_;
  std::vector<Monitor> monitors_;
  std::string id_;  // tells this handler's inproc endpoints apart from another's
  std::thread thread_;
};

}  // namespace ballast::net
