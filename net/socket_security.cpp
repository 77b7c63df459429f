#include "net/socket_security.hpp"

#include <cerrno>
#include <cstdint>

#include "net/curve_keys.hpp"

namespace ballast::net {

ClientKeysResult load_client_keys(const ClientKeyFiles& files) {
  ClientKeysResult r;
  if (files.secret_key_file.empty() && files.public_key_file.empty() && files.server_key_file.empty()) return r;
  if (files.secret_key_file.empty()) {
    r.error = "CURVE needs this end's secret key file (from `ballast keygen`)";
    return r;
  }
  if (files.server_key_file.empty()) {
    r.error = "CURVE needs the server's public key file (the daemon's, from its `ballast keygen`)";
    return r;
  }
  const KeyFileResult secret = read_key_file(files.secret_key_file, KeyFileKind::secret_key);
  if (!secret.key) {
    r.error = secret.error;
    return r;
  }
  const KeyFileResult server = read_key_file(files.server_key_file, KeyFileKind::public_key);
  if (!server.key) {
    r.error = server.error;
    return r;
  }
  CurveClientKeys keys{*server.key, public_key_of(*secret.key).value_or(""), *secret.key};
  if (keys.public_key.empty()) {
    r.error = "this build of libzmq has no CURVE support";
    return r;
  }
  if (!files.public_key_file.empty()) {
    const KeyFileResult pub = read_key_file(files.public_key_file, KeyFileKind::public_key);
    if (!pub.key) {
      r.error = pub.error;
      return r;
    }
    if (*pub.key != keys.public_key) {
      r.error = "the key in " + files.public_key_file + " is not the public key of the secret key in " +
                files.secret_key_file;
      return r;
    }
  }
  r.keys = std::move(keys);
  return r;
}

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
