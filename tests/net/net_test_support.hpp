#pragma once
// Helpers shared by the transport-security tests: polling with a deadline,
// keys, and sockets on loopback.
#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "net/curve_keys.hpp"

namespace ballast::net::test {

using namespace std::chrono_literals;

/// Polls `pred` until it holds or the deadline passes.
inline bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds within = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

inline KeyPair key_pair() {
  auto pair = generate_key_pair();
  if (!pair) throw std::runtime_error("this libzmq has no CURVE");
  return *pair;
}

/// Binds `socket` on a port of 127.0.0.1 that the system picks; returns the endpoint.
inline std::string bind_loopback(zmq::socket_t& socket) {
  socket.bind("tcp://127.0.0.1:*");
  return socket.get(zmq::sockopt::last_endpoint);
}

/// One message, waiting up to `within`; nullopt when none came.
inline std::optional<std::string> receive(zmq::socket_t& socket, std::chrono::milliseconds within) {
  socket.set(zmq::sockopt::rcvtimeo, static_cast<int>(within.count()));
  zmq::message_t msg;
  if (!socket.recv(msg)) return std::nullopt;
  return msg.to_string();
}

/// Everything queued now, without waiting.
inline std::vector<std::string> drain(zmq::socket_t& socket) {
  std::vector<std::string> out;
  zmq::message_t msg;
  while (socket.recv(msg, zmq::recv_flags::dontwait)) out.push_back(msg.to_string());
  return out;
}

}  // namespace ballast::net::test
