#include "net/socket_security.hpp"

#include <cerrno>
#include <cstdint>

namespace ballast::net {

void make_curve_server(zmq::socket_t& socket, const CurveServerKeys& keys) {
  // The ZAP handler tells sockets (and their allowlists) apart by the domain.
  if (keys.zap_domain.empty()) {
    errno = EINVAL;
    throw zmq::error_t();
  }
  socket.set(zmq::sockopt::curve_server, 1);
  socket.set(zmq::sockopt::curve_secretkey, keys.secret_key);
  socket.set(zmq::sockopt::zap_domain, keys.zap_domain);
}

void make_curve_client(zmq::socket_t& socket, const CurveClientKeys& keys) {
  socket.set(zmq::sockopt::curve_serverkey, keys.server_key);
  socket.set(zmq::sockopt::curve_publickey, keys.public_key);
  socket.set(zmq::sockopt::curve_secretkey, keys.secret_key);
}

bool uses_curve(zmq::socket_t& socket) { return socket.get(zmq::sockopt::mechanism) == ZMQ_CURVE; }

void cap_messages(zmq::socket_t& socket, std::size_t bytes) {
  const std::size_t on_wire = bytes + (uses_curve(socket) ? kCurveMessageOverhead : 0);
  socket.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(on_wire));
}

}  // namespace ballast::net
