#pragma once
// A FIX 4.4 acceptor on loopback that plays the venue for the FIX gateway's
// tests: it records every application message it takes and answers as the
// test says. Compiled as C++14 with QuickFIX's headers, like
// cli/fix_session.cpp, so this header is C++14 too.
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ballast {
namespace testing {

/// A free TCP port on 127.0.0.1 at the time of asking.
int free_fix_port();

struct FixMessage {
  std::string msg_type;
  std::vector<std::pair<int, std::string>> fields;  ///< the body
  bool poss_dup = false;                            ///< sent again by a resend (43=Y)
  /// The body's value for `tag`; empty when absent.
  std::string get(int tag) const;
};

class FixBroker {
 public:
  /// Listens on 127.0.0.1:`port` as `sender` for `target` (the gateway's
  /// SenderCompID), keeping its session's state in memory for its lifetime.
  FixBroker(const std::string& sender, const std::string& target, int port);
  ~FixBroker();
  FixBroker(const FixBroker&) = delete;
  FixBroker& operator=(const FixBroker&) = delete;

  /// Called on the acceptor's thread for each application message, after it is recorded.
  void on_message(std::function<void(const FixMessage&)> handler);
  /// Every application message taken so far, in order.
  std::vector<FixMessage> received() const;
  /// Sends an application message to the gateway (stored and resent like any).
  bool send(const std::string& msg_type, const std::vector<std::pair<int, std::string>>& fields);
  bool logged_on() const;
  /// Logons so far.
  int logons() const;
  /// Drops the connection without a logout; the gateway reconnects.
  void disconnect();
  /// Sends a TestRequest (35=1) with TestReqID `id`; false when the session
  /// could not take it.
  bool test_request(const std::string& id);
  /// The gateway's Heartbeat answering test_request(`id`) came back. The
  /// gateway takes the venue's messages in order, so by then it has processed
  /// every message sent before the TestRequest.
  bool answered(const std::string& id) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace testing
}  // namespace ballast
