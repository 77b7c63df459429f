#include "net/zap_handler.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <zmq.h>

#include "net/curve_keys.hpp"

namespace ballast::net {
namespace {

std::atomic<std::uint64_t> g_next_id{0};

std::string_view view(const zmq::message_t& m) { return {static_cast<const char*>(m.data()), m.size()}; }

std::string z85_of(std::string_view binary_key) {
  if (binary_key.size() != 32) return "(not a 32-byte key)";
  std::array<char, kZ85KeyLength + 1> z{};
  zmq_z85_encode(z.data(), reinterpret_cast<const std::uint8_t*>(binary_key.data()), binary_key.size());
  return std::string(z.data(), kZ85KeyLength);
}

std::string describe_failure(std::uint16_t event, std::uint32_t value) {
  if (event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) {
    return std::string("handshake failed: ") + std::strerror(static_cast<int>(value));
  }
  switch (value) {
    case ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH:
      return "security mechanisms differ: one end uses CURVE and the other does not";
    case ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC:
      return "cryptographic check failed: the client may hold a wrong server key";
    case ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE:
      return "key exchange failed";
    default:
      break;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "protocol error 0x%08x", static_cast<unsigned>(value));
  return buf;
}

}  // namespace

ZapHandler::ZapHandler(zmq::context_t& context, OnRefused on_refused, OnAbandoned on_abandoned)
    : context_(context),
      on_refused_(std::move(on_refused)),
      on_abandoned_(std::move(on_abandoned)),
      zap_(context, zmq::socket_type::rep),
      stop_in_(context, zmq::socket_type::pair),
      stop_out_(context, zmq::socket_type::pair),
      id_(std::to_string(g_next_id.fetch_add(1))) {
  zap_.set(zmq::sockopt::linger, 0);
  zap_.bind(kEndpoint);
  const std::string stop_endpoint = "inproc://ballast.zap-stop." + id_;
  stop_in_.bind(stop_endpoint);
  stop_out_.connect(stop_endpoint);
}

ZapHandler::~ZapHandler() {
  if (thread_.joinable()) {
    try {
      stop_out_.send(zmq::str_buffer("stop"), zmq::send_flags::none);
    } catch (const zmq::error_t&) {
      // ETERM: the thread sees it too and ends.
    }
    thread_.join();
  }
}

std::size_t ZapHandler::add_socket(std::string label) {
  slots_.emplace_back(std::move(label));
  return slots_.size() - 1;
}

std::string ZapHandler::allow(std::size_t slot, std::span<const std::string> allowed) {
  std::string domain = "ballast." + std::to_string(slot);
  Domain& d = domains_[domain];
  d.slot = slot;
  for (const std::string& key : allowed) {
    if (!is_z85_key(key)) continue;
    std::array<char, kZ85KeyLength + 1> z{};
    std::memcpy(z.data(), key.data(), kZ85KeyLength);
    std::array<std::uint8_t, 32> bytes{};
    zmq_z85_decode(bytes.data(), z.data());
    d.keys.emplace(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  return domain;
}

void ZapHandler::watch(zmq::socket_t& socket, std::size_t slot, bool report_abandoned) {
  const std::string endpoint = "inproc://ballast.handshakes." + id_ + "." + std::to_string(monitors_.size());
  // Refusals by ZAP arrive as requests; these are the ones that never get there.
  int events = ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL;
  if (report_abandoned) {
    events |= ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_CONNECT_RETRIED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED;
  }
  if (zmq_socket_monitor(socket.handle(), endpoint.c_str(), events) != 0) throw zmq::error_t();
  Monitor m{zmq::socket_t(context_, zmq::socket_type::pair), slot, report_abandoned, std::nullopt};
  m.socket.set(zmq::sockopt::linger, 0);
  m.socket.connect(endpoint);
  monitors_.push_back(std::move(m));
}

void ZapHandler::start() {
  if (thread_.joinable()) return;
  // The sockets move to the thread; starting it is the memory barrier that
  // ZeroMQ asks for when a socket changes threads.
  thread_ = std::thread([this] { run(); });
}

HandshakeCounts ZapHandler::counts(std::size_t slot) const {
  const Slot& s = slots_[slot];
  return {s.accepted.load(std::memory_order_relaxed), s.unlisted_key.load(std::memory_order_relaxed),
          s.failed.load(std::memory_order_relaxed)};
}

void ZapHandler::run() {
  std::vector<zmq_pollitem_t> items;
  items.push_back({zap_.handle(), 0, ZMQ_POLLIN, 0});
  items.push_back({stop_in_.handle(), 0, ZMQ_POLLIN, 0});
  for (Monitor& m : monitors_) items.push_back({m.socket.handle(), 0, ZMQ_POLLIN, 0});
  for (;;) {
    if (zmq_poll(items.data(), static_cast<int>(items.size()), next_timeout()) < 0) {
      if (zmq_errno() == EINTR) continue;
      return;  // ETERM: the context is going away
    }
    if (items[1].revents & ZMQ_POLLIN) return;
    try {
      if (items[0].revents & ZMQ_POLLIN) answer_requests();
      for (std::size_t i = 0; i < monitors_.size(); ++i) {
        if (items[i + 2].revents & ZMQ_POLLIN) read_events(monitors_[i]);
      }
    } catch (const zmq::error_t& e) {
      if (e.num() == ETERM) return;
      // EINTR or a transient error: the next poll tries again.
    }
    report_abandoned();
  }
}

long ZapHandler::next_timeout() const {
  const auto now = std::chrono::steady_clock::now();
  long timeout = -1;
  for (const Monitor& m : monitors_) {
    if (!m.dropped_at) continue;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(*m.dropped_at + kAbandonGrace - now).count();
    const long ms = left < 0 ? 0 : static_cast<long>(left);
    timeout = timeout < 0 ? ms : std::min(timeout, ms);
  }
  return timeout;
}

void ZapHandler::report_abandoned() {
  const auto now = std::chrono::steady_clock::now();
  for (Monitor& m : monitors_) {
    if (!m.dropped_at || now < *m.dropped_at + kAbandonGrace) continue;
    m.dropped_at.reset();
    if (!on_abandoned_) continue;
    try {
      on_abandoned_(m.slot);
    } catch (...) {
      // The owner could not be told; the next drop tells it again.
    }
  }
}

void ZapHandler::answer_requests() {
  std::vector<zmq::message_t> request;
  for (;;) {
    request.clear();
    zmq::message_t part;
    if (!zap_.recv(part, zmq::recv_flags::dontwait)) return;
    request.push_back(std::move(part));
    while (request.back().more()) {
      zmq::message_t next;
      // The parts of a message arrive together.
      if (!zap_.recv(next, zmq::recv_flags::dontwait)) break;
      request.push_back(std::move(next));
    }
    answer(request);
  }
}

void ZapHandler::answer(std::vector<zmq::message_t>& request) {
  // RFC 27: version, request id, domain, address, identity, mechanism, credentials...
  const bool well_formed = request.size() >= 6 && view(request[0]) == "1.0";
  const std::string_view request_id = request.size() >= 2 ? view(request[1]) : std::string_view{};
  std::string status = "400";
  std::string text = "unlisted key";
  std::string user_id;
  if (well_formed) {
    const std::string domain(view(request[2]));
    const std::string_view address = view(request[3]);
    const std::string_view mechanism = view(request[5]);
    const auto d = domains_.find(domain);
    if (mechanism != "CURVE" || request.size() < 7 || d == domains_.end()) {
      text = "CURVE with a known domain only";
      report({d == domains_.end() ? "ZAP domain \"" + domain + "\"" : slots_[d->second.slot].label,
              Refusal::unlisted_key, std::string(address), "mechanism " + std::string(mechanism)});
      if (d != domains_.end()) slots_[d->second.slot].unlisted_key.fetch_add(1, std::memory_order_relaxed);
    } else {
      const std::string key(view(request[6]));
      Slot& slot = slots_[d->second.slot];
      if (d->second.keys.contains(key)) {
        status = "200";
        text = "OK";
        user_id = z85_of(key);
        slot.accepted.fetch_add(1, std::memory_order_relaxed);
      } else {
        slot.unlisted_key.fetch_add(1, std::memory_order_relaxed);
        report({slot.label, Refusal::unlisted_key, std::string(address), z85_of(key)});
      }
    }
  } else {
    text = "malformed ZAP request";
  }
  // A REP socket must answer every request it took, malformed or not.
  zap_.send(zmq::str_buffer("1.0"), zmq::send_flags::sndmore);
  zap_.send(zmq::buffer(request_id), zmq::send_flags::sndmore);
  zap_.send(zmq::buffer(status), zmq::send_flags::sndmore);
  zap_.send(zmq::buffer(text), zmq::send_flags::sndmore);
  zap_.send(zmq::buffer(user_id), zmq::send_flags::sndmore);
  zap_.send(zmq::message_t(), zmq::send_flags::none);
}

void ZapHandler::read_events(Monitor& monitor) {
  for (;;) {
    zmq::message_t event;
    if (!monitor.socket.recv(event, zmq::recv_flags::dontwait)) return;
    zmq::message_t address;
    if (event.more()) (void)monitor.socket.recv(address, zmq::recv_flags::dontwait);
    if (event.size() < 6) continue;
    std::uint16_t id = 0;
    std::uint32_t value = 0;
    std::memcpy(&id, event.data(), sizeof id);
    std::memcpy(&value, static_cast<const char*>(event.data()) + sizeof id, sizeof value);
    if (id == ZMQ_EVENT_DISCONNECTED) {
      // libzmq schedules its own reconnect right after, unless it gave up.
      if (monitor.report_abandoned && !monitor.dropped_at) monitor.dropped_at = std::chrono::steady_clock::now();
      continue;
    }
    if (id == ZMQ_EVENT_CONNECT_RETRIED || id == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
      monitor.dropped_at.reset();
      continue;
    }
    if (id != ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL && id != ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) continue;
    Slot& slot = slots_[monitor.slot];
    slot.failed.fetch_add(1, std::memory_order_relaxed);
    report({slot.label, Refusal::failed, std::string(view(address)), describe_failure(id, value)});
  }
}

void ZapHandler::report(const RefusedHandshake& r) {
  if (!on_refused_) return;
  try {
    on_refused_(r);
  } catch (...) {
    // A report that cannot be logged must not stop the handler.
  }
}

}  // namespace ballast::net
