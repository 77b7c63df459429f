#include "cli/feed_proxy.hpp"

#include <cerrno>
#include <chrono>
#include <ostream>
#include <string_view>
#include <zmq.hpp>

#include "config/transport_security.hpp"
#include "net/socket_security.hpp"
#include "net/zap_handler.hpp"

namespace ballast::cli {
namespace {

/// How often the loop looks at the stop flag and the frontend's connection.
constexpr std::chrono::milliseconds kPollInterval{100};
/// At most this many messages are moved one way before the other way gets a turn.
constexpr int kBatch = 1000;
/// Queued messages per socket and peer. As the daemon's feed socket: a burst
/// of a few seconds of ticks fits; beyond it XPUB drops for the slow daemon only.
constexpr int kHighWaterMark = 100'000;

bool is_zmq_endpoint(std::string_view e) {
  for (std::string_view scheme : {"tcp://", "ipc://", "inproc://"}) {
    if (e.size() > scheme.size() && e.substr(0, scheme.size()) == scheme) return true;
  }
  return false;
}

/// Moves up to kBatch whole messages from `from` to `to`, part by part.
/// Returns the number moved. Throws zmq::error_t (EINTR included).
std::uint64_t forward(zmq::socket_t& from, zmq::socket_t& to) {
  std::uint64_t moved = 0;
  for (int n = 0; n < kBatch; ++n) {
    zmq::message_t part;
    if (!from.recv(part, zmq::recv_flags::dontwait)) break;
    for (;;) {
      const bool more = part.more();
      // XPUB and XSUB never block a send: a full queue drops for that peer.
      (void)to.send(part, more ? zmq::send_flags::sndmore | zmq::send_flags::dontwait : zmq::send_flags::dontwait);
      if (!more) break;
      // The rest of a message is already here: ZeroMQ delivers messages whole.
      (void)from.recv(part, zmq::recv_flags::none);
    }
    ++moved;
  }
  return moved;
}

}  // namespace

std::string check_feed_proxy_options(const FeedProxyOptions& options) {
  struct Side {
    std::string_view option;
    const std::string& endpoint;
    std::string_view exposure;
  };
  for (const Side& s : {Side{"--frontend", options.frontend, "send it ticks"},
                        Side{"--backend", options.backend, "read every tick and send subscriptions"}}) {
    if (!is_zmq_endpoint(s.endpoint)) {
      return std::string(s.option) + ": expected a ZeroMQ endpoint starting with tcp://, ipc:// or inproc://, got \"" +
             s.endpoint + "\"";
    }
    if (!options.insecure && !config::is_local_endpoint(s.endpoint)) {
      return std::string(s.option) + " " + s.endpoint +
             " is not on this machine and the proxy speaks plain ZeroMQ: anyone who reaches it could " +
             std::string(s.exposure) +
             ". Use a loopback or ipc:// endpoint, or give --insecure to accept that (README \"Running n daemons\")";
    }
  }
  return {};
}

int run_feed_proxy(const FeedProxyOptions& options, const std::atomic<bool>& stop, std::ostream& out,
                   std::ostream& err) {
  if (const std::string problem = check_feed_proxy_options(options); !problem.empty()) {
    err << "ballast feed proxy: " << problem << "\n";
    return 2;
  }
  FeedProxyCounts counts;
  std::atomic<bool> frontend_dropped{false};
  try {
    zmq::context_t context(1);
    // Before the sockets and destroyed after them. It answers no handshake
    // (the sockets are plain); it tells when libzmq dropped the connection to
    // a publisher for a protocol error, such as a message over the cap, and
    // will not make it again.
    net::ZapHandler watcher(context, {}, [&](std::size_t) { frontend_dropped = true; });
    zmq::socket_t frontend(context, zmq::socket_type::xsub);
    zmq::socket_t backend(context, zmq::socket_type::xpub);
    for (zmq::socket_t* s : {&frontend, &backend}) {
      s->set(zmq::sockopt::linger, 0);
      s->set(zmq::sockopt::rcvhwm, kHighWaterMark);
      s->set(zmq::sockopt::sndhwm, kHighWaterMark);
    }
    net::cap_messages(frontend, net::kMaxTickBytes);
    net::cap_messages(backend, net::kMaxControlBytes);
    const std::size_t slot = watcher.add_socket("frontend");
    watcher.watch(frontend, slot, !options.bind_frontend);
    watcher.start();
    if (options.bind_frontend) frontend.bind(options.frontend);
    else frontend.connect(options.frontend);
    backend.bind(options.backend);
    out << "ballast feed proxy: publishers at " << options.frontend << " ("
        << (options.bind_frontend ? "bound" : "connected") << "), daemons at " << options.backend << " (bound)"
        << std::endl;

    zmq::pollitem_t items[] = {{frontend.handle(), 0, ZMQ_POLLIN, 0}, {backend.handle(), 0, ZMQ_POLLIN, 0}};
    while (!stop) {
      try {
        zmq::poll(items, 2, kPollInterval);
        if (items[0].revents & ZMQ_POLLIN) counts.messages += forward(frontend, backend);
        if (items[1].revents & ZMQ_POLLIN) counts.subscriptions += forward(backend, frontend);
      } catch (const zmq::error_t& e) {
        if (e.num() != EINTR) throw;  // a signal: the loop looks at `stop`
      }
      if (frontend_dropped.exchange(false)) {
        // The endpoint is still registered, so a plain connect() would be ignored.
        try {
          frontend.disconnect(options.frontend);
        } catch (const zmq::error_t&) {
          // ENOENT: nothing left to remove.
        }
        frontend.connect(options.frontend);
        ++counts.reconnects;
      }
    }
  } catch (const zmq::error_t& e) {
    err << "ballast feed proxy: " << e.what() << "\n";
    return 1;
  }
  out << "ballast feed proxy: stopped: " << counts.messages << " messages to the daemons, " << counts.subscriptions
      << " subscription messages to the publishers, " << counts.reconnects << " reconnects" << std::endl;
  return 0;
}

}  // namespace ballast::cli
