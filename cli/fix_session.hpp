#pragma once
// The FIX 4.4 session of `ballast fix`, on QuickFIX: an initiator with a file
// store (sequence numbers and sent messages, for resends) and a file log.
//
// QuickFIX's headers as Debian ships them declare dynamic exception
// specifications, which C++17 removed, so only fix_session.cpp includes them
// and it alone is compiled as C++14 (see CMakeLists.txt). This header is
// therefore written in C++14 too: no project headers, no QuickFIX types.
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ballast {
namespace cli {
namespace fix {

/// A message body: tag and value, in order.
using SessionFields = std::vector<std::pair<int, std::string>>;

struct SessionSettings {
  std::string sender_comp_id;
  std::string target_comp_id;
  std::string host;
  int port = 0;
  int heartbeat_s = 30;
  int reconnect_s = 5;
  std::string store_dir;  ///< QuickFIX's FileStore: sequence numbers and sent messages
  std::string log_dir;    ///< QuickFIX's FileLog: every message in and out, and session events
};

/// What the session reports, on its own thread.
class SessionHandler {
 public:
  virtual ~SessionHandler() = default;
  virtual void on_logon() = 0;
  virtual void on_logout() = 0;
  /// An application message from the venue. When this returns, the message
  /// counts as processed (its sequence number is taken); until then a crash
  /// makes the venue send it again after the restart. It must not throw.
  virtual void on_message(const std::string& msg_type, const SessionFields& body) = 0;
  /// A line about the session (logons, disconnects, refusals).
  virtual void on_event(const std::string& text) = 0;
};

class FixSession {
 public:
  /// Creates the initiator and its session, with sequence numbers and stored
  /// messages from the store. Throws std::runtime_error with a reason.
  FixSession(const SessionSettings& settings, SessionHandler& handler);
  ~FixSession();
  FixSession(const FixSession&) = delete;
  FixSession& operator=(const FixSession&) = delete;

  /// Connects and logs on in the background, reconnecting after each loss.
  void start();
  /// Logs out and disconnects.
  void stop();

  /// Hands a message to the session: stored with its sequence number, sent at
  /// once when logged on, and otherwise sent by the resend after the next
  /// logon. False when the session could not store it.
  bool send(const std::string& msg_type, const SessionFields& body);
  /// The sequence number the next outgoing message will get.
  int next_sender_seq() const;
  bool logged_on() const;
  /// The ClOrdIDs (tag 11) of the stored outgoing messages numbered from `from` on.
  std::vector<std::string> stored_cl_ord_ids(int from) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fix
}  // namespace cli
}  // namespace ballast
