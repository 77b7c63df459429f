// Compiled as C++14 with QuickFIX's headers; see fix_broker.hpp.
#include "tests/support/fix_broker.hpp"

#include <netinet/in.h>
#include <quickfix/Application.h>
#include <quickfix/MessageStore.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/ThreadedSocketAcceptor.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>

namespace ballast {
namespace testing {

int free_fix_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("no free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string FixMessage::get(int tag) const {
  for (const auto& f : fields) {
    if (f.first == tag) return f.second;
  }
  return {};
}

namespace {

constexpr int kTestReqIdTag = 112;

class BrokerApp : public FIX::Application {
 public:
  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID&) override { ++logons; }
  void onLogout(const FIX::SessionID&) override {}
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) noexcept override {}
  void fromAdmin(const FIX::Message& message, const FIX::SessionID&) noexcept override {
    try {
      if (message.getHeader().getField(FIX::FIELD::MsgType) != "0" || !message.isSetField(kTestReqIdTag)) return;
      std::lock_guard<std::mutex> lock(mutex);
      heartbeats.insert(message.getField(kTestReqIdTag));
    } catch (const std::exception&) {
    }
  }
  void fromApp(const FIX::Message& message, const FIX::SessionID&) noexcept override {
    FixMessage m;
    try {
      m.msg_type = message.getHeader().getField(FIX::FIELD::MsgType);
      m.poss_dup = message.getHeader().isSetField(FIX::FIELD::PossDupFlag) &&
                   message.getHeader().getField(FIX::FIELD::PossDupFlag) == "Y";
      for (FIX::FieldMap::const_iterator it = message.begin(); it != message.end(); ++it) {
        m.fields.emplace_back(it->getTag(), it->getString());
      }
    } catch (const std::exception&) {
      return;
    }
    std::function<void(const FixMessage&)> h;
    {
      std::lock_guard<std::mutex> lock(mutex);
      messages.push_back(m);
      h = handler;
    }
    if (h) h(m);
  }

  mutable std::mutex mutex;
  std::vector<FixMessage> messages;
  std::set<std::string> heartbeats;  // TestReqIDs the gateway's Heartbeats answered
  std::function<void(const FixMessage&)> handler;
  std::atomic<int> logons{0};
};

}  // namespace

struct FixBroker::Impl {
  Impl(const std::string& sender, const std::string& target, int port)
      : id("FIX.4.4", sender, target), settings(parse(sender, target, port)), acceptor(app, store, settings) {}

  static FIX::SessionSettings parse(const std::string& sender, const std::string& target, int port) {
    std::ostringstream text;
    text << "[DEFAULT]\nConnectionType=acceptor\nSocketAcceptPort=" << port
         << "\nSocketReuseAddress=Y\nStartTime=00:00:00\nEndTime=00:00:00\nUseDataDictionary=N\n"
         << "ResetOnLogon=N\nResetOnLogout=N\nResetOnDisconnect=N\n"
         << "[SESSION]\nBeginString=FIX.4.4\nSenderCompID=" << sender << "\nTargetCompID=" << target << "\n";
    std::istringstream in(text.str());
    return FIX::SessionSettings(in);
  }

  BrokerApp app;
  FIX::SessionID id;
  FIX::SessionSettings settings;
  FIX::MemoryStoreFactory store;
  // A thread per connection: disconnect() from the test's thread shuts the
  // socket down and that thread ends it. The single-threaded SocketAcceptor
  // would have two threads change its socket monitor at once.
  FIX::ThreadedSocketAcceptor acceptor;
};

FixBroker::FixBroker(const std::string& sender, const std::string& target, int port)
    : impl_(new Impl(sender, target, port)) {
  impl_->acceptor.start();
}

FixBroker::~FixBroker() { impl_->acceptor.stop(true); }

void FixBroker::on_message(std::function<void(const FixMessage&)> handler) {
  std::lock_guard<std::mutex> lock(impl_->app.mutex);
  impl_->app.handler = std::move(handler);
}

std::vector<FixMessage> FixBroker::received() const {
  std::lock_guard<std::mutex> lock(impl_->app.mutex);
  return impl_->app.messages;
}

bool FixBroker::send(const std::string& msg_type, const std::vector<std::pair<int, std::string>>& fields) {
  FIX::Message message;
  message.getHeader().setField(FIX::FIELD::MsgType, msg_type);
  for (const auto& f : fields) message.setField(f.first, f.second);
  try {
    return FIX::Session::sendToTarget(message, impl_->id);
  } catch (const FIX::SessionNotFound&) {
    return false;
  }
}

bool FixBroker::logged_on() const {
  FIX::Session* s = FIX::Session::lookupSession(impl_->id);
  return s && s->isLoggedOn();
}

int FixBroker::logons() const { return impl_->app.logons.load(); }

void FixBroker::disconnect() {
  if (FIX::Session* s = FIX::Session::lookupSession(impl_->id)) s->disconnect();
}

bool FixBroker::test_request(const std::string& id) {
  FIX::Message message;
  message.getHeader().setField(FIX::FIELD::MsgType, "1");
  message.setField(kTestReqIdTag, id);
  try {
    return FIX::Session::sendToTarget(message, impl_->id);
  } catch (const FIX::SessionNotFound&) {
    return false;
  }
}

bool FixBroker::answered(const std::string& id) const {
  std::lock_guard<std::mutex> lock(impl_->app.mutex);
  return impl_->app.heartbeats.count(id) > 0;
}

}  // namespace testing
}  // namespace ballast
