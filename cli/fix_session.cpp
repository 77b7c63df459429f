// Compiled as C++14 with QuickFIX's headers; see fix_session.hpp.
#include "cli/fix_session.hpp"

#include <quickfix/Application.h>
#include <quickfix/FileLog.h>
#include <quickfix/FileStore.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/SocketInitiator.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace ballast {
namespace cli {
namespace fix {
namespace {

constexpr int kClOrdIdTag = 11;

class Application : public FIX::Application {
 public:
  explicit Application(SessionHandler& handler) : handler_(handler) {}

  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID&) override { handler_.on_logon(); }
  void onLogout(const FIX::SessionID&) override { handler_.on_logout(); }
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  // noexcept is stricter than the dynamic exception specifications of the
  // base class, so it overrides them without repeating them.
  void toApp(FIX::Message&, const FIX::SessionID&) noexcept override {}
  void fromAdmin(const FIX::Message& message, const FIX::SessionID&) noexcept override {
    try {
      std::string type;
      if (message.getHeader().isSetField(FIX::FIELD::MsgType)) type = message.getHeader().getField(FIX::FIELD::MsgType);
      if (type == "5" && message.isSetField(FIX::FIELD::Text)) {
        handler_.on_event("logout from the venue: " + message.getField(FIX::FIELD::Text));
      } else if (type == "3" && message.isSetField(FIX::FIELD::Text)) {
        handler_.on_event("session-level reject from the venue: " + message.getField(FIX::FIELD::Text));
      }
    } catch (const std::exception&) {
      // Only for the log; the session handles the message itself.
    }
  }
  void fromApp(const FIX::Message& message, const FIX::SessionID&) noexcept override {
    try {
      const std::string type = message.getHeader().getField(FIX::FIELD::MsgType);
      SessionFields body;
      for (FIX::FieldMap::const_iterator it = message.begin(); it != message.end(); ++it) {
        body.emplace_back(it->getTag(), it->getString());
      }
      handler_.on_message(type, body);
    } catch (const std::exception& e) {
      // The message is not processed: stopping here, before QuickFIX counts
      // it, makes the venue send it again once the gateway is back.
      std::fprintf(stderr, "fix: cannot process a message from the venue: %s\n", e.what());
      std::abort();
    }
  }

 private:
  SessionHandler& handler_;
};

std::string settings_text(const SessionSettings& s) {
  std::ostringstream out;
  // Sequence numbers carry over restarts and reconnects (no reset), so what
  // was missed either way is resent; StartTime = EndTime is a daily session.
  out << "[DEFAULT]\n"
      << "ConnectionType=initiator\n"
      << "FileStorePath=" << s.store_dir << "\n"
      << "FileLogPath=" << s.log_dir << "\n"
      << "StartTime=00:00:00\nEndTime=00:00:00\n"
      << "UseDataDictionary=N\n"
      << "ResetOnLogon=N\nResetOnLogout=N\nResetOnDisconnect=N\n"
      << "PersistMessages=Y\n"
      << "ReconnectInterval=" << s.reconnect_s << "\n"
      << "HeartBtInt=" << s.heartbeat_s << "\n"
      << "[SESSION]\n"
      << "BeginString=FIX.4.4\n"
      << "SenderCompID=" << s.sender_comp_id << "\n"
      << "TargetCompID=" << s.target_comp_id << "\n"
      << "SocketConnectHost=" << s.host << "\n"
      << "SocketConnectPort=" << s.port << "\n";
  return out.str();
}

}  // namespace

struct FixSession::Impl {
  Impl(const SessionSettings& s, SessionHandler& handler)
      : app(handler),
        id("FIX.4.4", s.sender_comp_id, s.target_comp_id),
        settings(parse(settings_text(s))),
        store(s.store_dir),
        log(s.log_dir),
        initiator(app, store, settings, log) {}

  static FIX::SessionSettings parse(const std::string& text) {
    std::istringstream in(text);
    return FIX::SessionSettings(in);
  }

  FIX::Session& session() const {
    FIX::Session* s = FIX::Session::lookupSession(id);
    if (!s) throw std::runtime_error("FIX session " + id.toString() + " is gone");
    return *s;
  }

  Application app;
  bool started = false;
  FIX::SessionID id;
  FIX::SessionSettings settings;
  FIX::FileStoreFactory store;
  FIX::FileLogFactory log;
  FIX::SocketInitiator initiator;
};

FixSession::FixSession(const SessionSettings& settings, SessionHandler& handler) {
  try {
    impl_.reset(new Impl(settings, handler));
  } catch (const FIX::Exception& e) {
    throw std::runtime_error(std::string("FIX session: ") + e.what());
  }
}

FixSession::~FixSession() {
  if (impl_) stop();
}

void FixSession::start() {
  try {
    impl_->initiator.start();
    impl_->started = true;
  } catch (const FIX::Exception& e) {
    throw std::runtime_error(std::string("FIX session: ") + e.what());
  }
}

void FixSession::stop() {
  if (!impl_->started) return;
  impl_->started = false;
  impl_->initiator.stop();
}

bool FixSession::send(const std::string& msg_type, const SessionFields& body) {
  FIX::Message message;
  message.getHeader().setField(FIX::FIELD::MsgType, msg_type);
  for (const auto& field : body) message.setField(field.first, field.second);
  try {
    return FIX::Session::sendToTarget(message, impl_->id);
  } catch (const FIX::SessionNotFound&) {
    return false;
  }
}

int FixSession::next_sender_seq() const { return impl_->session().getExpectedSenderNum(); }

bool FixSession::logged_on() const { return impl_->session().isLoggedOn(); }

std::vector<std::string> FixSession::stored_cl_ord_ids(int from) const {
  std::vector<std::string> ids;
  FIX::Session& s = impl_->session();
  const int to = s.getExpectedSenderNum() - 1;
  if (from < 1 || from > to) return ids;
  std::vector<std::string> messages;
  try {
    s.getStore()->get(from, to, messages);
  } catch (const FIX::IOException& e) {
    throw std::runtime_error(std::string("FIX store: ") + e.what());
  }
  for (const std::string& raw : messages) {
    try {
      FIX::Message m(raw, false);
      if (m.isSetField(kClOrdIdTag)) ids.push_back(m.getField(kClOrdIdTag));
    } catch (const FIX::Exception&) {
      // Not a message this gateway wrote; it holds no ClOrdID of ours.
    }
  }
  return ids;
}

}  // namespace fix
}  // namespace cli
}  // namespace ballast
