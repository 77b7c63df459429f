#include "daemon/transport_security.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <memory>

#include "daemon/log_event.hpp"
#include "daemon/logging.hpp"
#include "daemon/wall_clock.hpp"
#include "net/socket_security.hpp"

namespace ballast::daemon {
namespace {

using namespace fmt::literals;

/// Logs refusals from the ZAP handler's thread, rate-limited per socket and reason.
net::ZapHandler::OnRefused refusal_logger() {
  auto limiter = std::make_shared<RateLimiter>();
  return [limiter](const net::RefusedHandshake& r) {
    const bool unlisted = r.reason == net::Refusal::unlisted_key;
    std::uint64_t held = 0;
    if (!limiter->allow(r.socket + (unlisted ? "/unlisted_key" : "/failed"), wall_now(), held)) return;
    if (unlisted) {
      log_event(spdlog::level::warn, "handshake_refused",
                "{socket}: refused a CURVE client from {peer}: its key {key} is not on the allowlist{suppressed}",
                "socket"_a = r.socket, "peer"_a = r.peer, "key"_a = r.detail, "reason"_a = "unlisted_key",
                "suppressed"_a = HeldBack{held});
    } else {
      log_event(spdlog::level::warn, "handshake_refused", "{socket}: a handshake on {peer} failed: {detail}{suppressed}",
                "socket"_a = r.socket, "peer"_a = r.peer, "detail"_a = r.detail, "reason"_a = "failed",
                "suppressed"_a = HeldBack{held});
    }
  };
}

}  // namespace

TransportSecurity::TransportSecurity(boost::asio::io_context& io, zmq::context_t& context,
                                     const config::Config& config)
    : io_(io), curve_(config.curve), feeds_(config.feeds), execution_(config.execution) {
  // The handler's thread only posts: the socket belongs to the event loop. A
  // post that is still queued when the loop stops is dropped with it.
  zap_ = std::make_unique<net::ZapHandler>(context, refusal_logger(), [this](std::size_t slot) {
    boost::asio::post(io_, [this, slot] { reconnect(slot); });
  });
}

TransportSecurity::~TransportSecurity() = default;

void TransportSecurity::prepare(zmq::socket_t& socket, Socket s, const std::vector<std::string>* allowed) {
  s.slot = zap_->add_socket(s.label);
  if (s.curve) {
    net::make_curve_server(socket, {curve_->secret_key, zap_->allow(s.slot, *allowed)});
  }
  net::cap_messages(socket, s.cap);
  zap_->watch(socket, s.slot, s.connects);
  sockets_.push_back(std::move(s));
}

void TransportSecurity::prepare_feed(zmq::socket_t& socket, std::size_t feed_index) {
  const config::FeedConfig& f = feeds_.at(feed_index);
  const bool curve = curve_ && !f.insecure;
  Socket s{"feed:" + f.name, f.endpoint, curve, net::kMaxTickBytes};
  s.connects = !f.bind;
  prepare(socket, std::move(s), curve ? &curve_->publishers : nullptr);
}

void TransportSecurity::keep_connected(std::size_t feed_index, zmq::socket_t& socket) {
  const std::string label = "feed:" + feeds_.at(feed_index).name;
  for (Socket& s : sockets_) {
    if (s.label == label && s.connects) s.socket = &socket;
  }
}

void TransportSecurity::reconnect(std::size_t slot) {
  for (Socket& s : sockets_) {
    if (s.slot != slot || !s.socket) continue;
    try {
      // The endpoint is still registered, so a plain connect() would be ignored.
      s.socket->disconnect(s.endpoint);
    } catch (const zmq::error_t&) {
      // ENOENT: nothing left to remove.
    }
    try {
      s.socket->connect(s.endpoint);
      ++s.reconnects;
    } catch (const zmq::error_t& e) {
      log_event(spdlog::level::err, "reconnect_failed", "{socket}: cannot connect to {endpoint} again: {error}",
                "socket"_a = s.label, "endpoint"_a = s.endpoint, "error"_a = e.what());
      return;
    }
    std::uint64_t held = 0;
    if (reconnect_limiter_.allow(s.label, wall_now(), held)) {
      const std::string more = held ? fmt::format("; {} more times since the last warning", held) : "";
      log_event(spdlog::level::warn, "reconnected",
                "{socket}: the connection to {endpoint} was dropped for a protocol error (a message over {cap} bytes, "
                "or a refused handshake); connected again{more}",
                "socket"_a = s.label, "endpoint"_a = s.endpoint, "cap"_a = s.cap, "more"_a = TextOnly{more},
                "suppressed"_a = held);
    }
  }
}

void TransportSecurity::prepare_orders(zmq::socket_t& socket) {
  const bool curve = curve_ && !execution_.insecure;
  // The order socket only sends: what a gateway may send it is capped small.
  prepare(socket, {"orders", execution_.endpoint, curve, net::kMaxControlBytes}, curve ? &curve_->gateways : nullptr);
}

void TransportSecurity::prepare_fills(zmq::socket_t& socket) {
  const bool curve = curve_ && !execution_.insecure;
  prepare(socket, {"fills", execution_.fills_endpoint, curve, net::kMaxFillBytes},
          curve ? &curve_->gateways : nullptr);
}

void TransportSecurity::start() {
  zap_->start();
  std::string secured, plain;
  for (const Socket& s : sockets_) {
    std::string& list = s.curve ? secured : plain;
    list += (list.empty() ? "" : ", ") + s.label;
  }
  if (curve_) {
    const std::string plain_text = plain.empty() ? std::string() : "; plain (insecure = true): " + plain;
    log_event(spdlog::level::info, "curve_key", "CURVE server key {key} on {secured}{plain_text}",
              "key"_a = curve_->public_key, "secured"_a = secured.empty() ? std::string("no socket") : secured,
              "plain_text"_a = TextOnly{plain_text}, "plain"_a = plain);
  }
}

void TransportSecurity::write_status(core::JsonWriter& w) const {
  w.begin_object();
  w.key("public_key");
  if (curve_) w.value(curve_->public_key);
  else w.null();
  std::uint64_t refused = 0;
  w.key("sockets").begin_array();
  for (const Socket& s : sockets_) {
    const net::HandshakeCounts c = zap_->counts(s.slot);
    refused += c.unlisted_key + c.failed;
    w.begin_object().field("socket", s.label).field("endpoint", s.endpoint).field("curve", s.curve);
    w.field("max_message_bytes", s.cap).field("reconnects", s.reconnects);
    w.key("handshakes").begin_object().field("accepted", c.accepted);
    w.field("unlisted_key", c.unlisted_key).field("failed", c.failed).end_object();
    w.end_object();
  }
  w.end_array();
  w.field("handshakes_refused", refused);
  w.end_object();
}

void TransportSecurity::add_metrics(MetricsRegistry& metrics) {
  auto& refused = metrics.counter_family(
      "ballast_handshakes_refused_total",
      "ZeroMQ handshakes refused, by socket and reason: unlisted_key (a CURVE client not on the allowlist) or failed "
      "(no CURVE, a wrong server key, a protocol error).",
      {"socket", "reason"});
  auto& accepted =
      metrics.counter_family("ballast_handshakes_accepted_total", "CURVE clients let in, by socket.", {"socket"});
  for (const Socket& s : sockets_) {
    refused.with({s.label, "unlisted_key"});
    refused.with({s.label, "failed"});
    if (s.curve) accepted.with({s.label});
  }
  metrics.on_collect([this, &refused, &accepted] {
    for (Socket& s : sockets_) {
      const net::HandshakeCounts now = zap_->counts(s.slot);
      refused.with({s.label, "unlisted_key"}).inc(static_cast<double>(now.unlisted_key - s.reported.unlisted_key));
      refused.with({s.label, "failed"}).inc(static_cast<double>(now.failed - s.reported.failed));
      if (s.curve) accepted.with({s.label}).inc(static_cast<double>(now.accepted - s.reported.accepted));
      s.reported = now;
    }
  });
}

}  // namespace ballast::daemon
