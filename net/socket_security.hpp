#pragma once
// Socket options for transport security, in one place for the daemon and the
// `ballast` tools: the CURVE roles and the cap on what a socket takes in.
//
// Every option here must be set before the socket binds or connects.
#include <cstddef>
#include <optional>
#include <string>

#include <zmq.hpp>

namespace ballast::net {

/// The largest message part, in bytes, each kind of socket accepts. A larger
/// one is refused by ZeroMQ as its size arrives, before any memory is taken
/// for it, and the connection that sent it is closed (the peer may reconnect).
/// Ticks: a feed message over 64 KiB is malformed anyway (README, "Market data in").
inline constexpr std::size_t kMaxTickBytes = 64 * 1024;
/// Orders (read by gateways) and fill reports (read by the daemon): the
/// execution codecs refuse a frame over 64 KiB, and a real one is a few hundred bytes.
inline constexpr std::size_t kMaxOrderBytes = 64 * 1024;
inline constexpr std::size_t kMaxFillBytes = 64 * 1024;
/// Sockets that only send (PUB, XPUB, PUSH) still read what peers send them:
/// subscriptions, or nothing at all. 4 KiB is far above a subscription to a symbol.
inline constexpr std::size_t kMaxControlBytes = 4 * 1024;
/// What CURVE adds to every message part on the wire (command name, nonce,
/// MAC and flags), which ZeroMQ counts against ZMQ_MAXMSGSIZE.
inline constexpr std::size_t kCurveMessageOverhead = 33;

/// This end is the CURVE server: it proves itself with its secret key and lets
/// a client in only when the ZAP handler says yes for `zap_domain`.
struct CurveServerKeys {
  std::string secret_key;  ///< Z85
  std::string zap_domain;  ///< not empty: how the ZAP handler knows which allowlist applies
};

/// This end is a CURVE client: it knows the server's public key and proves
/// itself with its own key pair.
struct CurveClientKeys {
  std::string server_key;  ///< Z85, the server's public key
  std::string public_key;  ///< Z85
  std::string secret_key;  ///< Z85
};

/// The key files of a CURVE client (`ballast paper`, `ballast feed`): its own
/// secret key, optionally its public key (checked against the secret), and the
/// server's public key. All empty: no CURVE.
struct ClientKeyFiles {
  std::string secret_key_file;
  std::string public_key_file;
  std::string server_key_file;
};

struct ClientKeysResult {
  std::optional<CurveClientKeys> keys;  ///< empty without CURVE or on error
  std::string error;                    ///< why the files cannot be used
};

/// Reads the files of `files`: nothing when none is named; the secret and the
/// server key are needed together. Never throws.
ClientKeysResult load_client_keys(const ClientKeyFiles& files);

/// Makes `socket` a CURVE server. Throws zmq::error_t on a malformed key.
void make_curve_server(zmq::socket_t& socket, const CurveServerKeys& keys);
/// Makes `socket` a CURVE client. Throws zmq::error_t on a malformed key.
void make_curve_client(zmq::socket_t& socket, const CurveClientKeys& keys);
/// True when `socket` uses CURVE (either role).
bool uses_curve(zmq::socket_t& socket);

/// Sets ZMQ_MAXMSGSIZE so that no message part carrying more than `bytes` is
/// taken in. Call after the CURVE role, whose overhead it adds.
void cap_messages(zmq::socket_t& socket, std::size_t bytes);

}  // namespace ballast::net
