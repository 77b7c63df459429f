// The FIX gateway over real sockets: ZeroMQ to the daemon's side, FIX over
// TCP on loopback to a QuickFIX acceptor that plays the venue.
#include "cli/fix_gateway.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/eventually.hpp"
#include "tests/support/fix_broker.hpp"
#include "tests/support/fix_sides.hpp"
#include "tests/support/scratch_dir.hpp"

namespace test_fix_gateway {

using namespace std::chrono_literals;
using namespace ballast;
using ballast::testing::eventually;
using ballast::testing::exec_report;
using ballast::testing::FixBroker;
using ballast::testing::FixDaemonSide;
using ballast::testing::FixMessage;
using cli::FixGatewayOptions;
using cli::FixGatewayStats;
using core::FillStatus;
namespace tag = cli::fix::tag;

namespace {

/// Runs the gateway loop on its own thread; stop() joins it.
class FixGatewayThread {
 public:
  explicit FixGatewayThread(FixGatewayOptions options)
      : options_(std::move(options)), thread_([this] { stats_ = run_fix_loop(options_, stop_, out_, err_); }) {}
  ~FixGatewayThread() { stop(); }
  const FixGatewayStats& stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return stats_;
  }
  std::string out() const { return out_.str(); }  // after stop()

 private:
  FixGatewayOptions options_;
  std::atomic<bool> stop_{false};
  FixGatewayStats stats_;
  std::ostringstream out_;
  std::ostringstream err_;
  std::thread thread_;
};

/// A venue, the daemon's sockets and a gateway between them.
struct Harness {
  testing::ScratchDir dir;
  int port = testing::free_fix_port();
  FixBroker broker{"BROKER", "BALLAST", port};
  FixDaemonSide daemon;

  FixGatewayOptions options() {
    FixGatewayOptions o;
    o.fix.sender_comp_id = "BALLAST";
    o.fix.target_comp_id = "BROKER";
    o.fix.host = "127.0.0.1";
    o.fix.port = port;
    o.fix.heartbeat = 5 * core::kNanosPerSecond;
    o.fix.reconnect_interval = core::kNanosPerSecond;
    o.fix.state_dir = dir.file("fix");
    o.fix.orders_endpoint = daemon.orders_endpoint();
    o.fix.fills_endpoint = daemon.fills_endpoint();
    o.linger = 0ms;
    return o;
  }
};

/// Every report the daemon's socket gets within `quiet` of the last one.
std::vector<core::FillReport> drain(FixDaemonSide& daemon, std::chrono::milliseconds quiet = 300ms) {
  std::vector<core::FillReport> out;
  while (auto r = daemon.receive(quiet)) out.push_back(*r);
  return out;
}

}  // namespace

TEST_CASE("fix gateway sends orders as NewOrderSingle and reports fills, partial fills and rejects") {
  Harness h;
  h.broker.on_message([&](const FixMessage& m) {
    if (m.msg_type != "D") return;
    const std::string cl = m.get(tag::kClOrdId);
    const double qty = std::stod(m.get(tag::kOrderQty));
    if (m.get(tag::kSymbol) == "BAD") {
      h.broker.send("8", exec_report(m, cl, '8', '8', qty, 0, 0));
      return;
    }
    h.broker.send("8", exec_report(m, cl, '0', '0', qty, 0, 0));
    h.broker.send("8", exec_report(m, cl, 'F', '1', qty, qty / 2, 589.25));
    h.broker.send("8", exec_report(m, cl, 'F', '1', qty, qty / 2, 589.25));  // repeated: nothing new
    h.broker.send("8", exec_report(m, cl, 'F', '2', qty, qty, 589.5));
  });
  FixGatewayThread gateway(h.options());
  REQUIRE(eventually([&] { return h.broker.logged_on(); }));

  h.daemon.send(testing::fix_order("main-1", "SPY", 12));
  auto r = h.daemon.receive(10s);
  REQUIRE(r);
  CHECK(r->order_id == "main-1");
  CHECK(r->status == FillStatus::partially_filled);
  CHECK(r->filled_quantity == 6);
  CHECK(r->avg_price == 589.25);
  r = h.daemon.receive(10s);
  REQUIRE(r);
  CHECK(r->status == FillStatus::filled);
  CHECK(r->filled_quantity == 12);
  CHECK(r->avg_price == 589.5);

  h.daemon.send(testing::fix_order("main-2", "BAD", 3, 101.5));
  r = h.daemon.receive(10s);
  REQUIRE(r);
  CHECK(r->order_id == "main-2");
  CHECK(r->status == FillStatus::rejected);
  CHECK(r->filled_quantity == 0);

  h.daemon.send(testing::fix_order("main-1", "SPY", 12));  // the daemon sends it again: dropped
  CHECK(drain(h.daemon).empty());

  const auto received = h.broker.received();
  REQUIRE(received.size() == 2);
  const FixMessage& d = received[0];
  CHECK(d.msg_type == "D");
  CHECK(d.get(tag::kClOrdId) == "main-1");
  CHECK(d.get(tag::kAccount) == "main");
  CHECK(d.get(tag::kSymbol) == "SPY");
  CHECK(d.get(tag::kSide) == "1");
  CHECK(d.get(tag::kOrderQty) == "12");
  CHECK(d.get(tag::kOrdType) == "1");
  CHECK(d.get(tag::kTimeInForce) == "0");
  CHECK(d.get(tag::kTransactTime).size() == 21);
  CHECK(received[1].get(tag::kOrdType) == "2");
  CHECK(received[1].get(tag::kPrice) == "101.5");

  const FixGatewayStats& stats = gateway.stop();
  CHECK(stats.exit_code == 0);
  CHECK(stats.orders == 3);
  CHECK(stats.dropped == 1);
  CHECK(stats.sent == 2);
  CHECK(stats.reports_sent == 3);
  CHECK(stats.reports_waiting == 0);
}

TEST_CASE("fix gateway sends a block order as one NewOrderSingle and ignores its allocations") {
  Harness h;
  h.broker.on_message([&](const FixMessage& m) {
    if (m.msg_type != "D") return;
    const std::string cl = m.get(tag::kClOrdId);
    const double qty = std::stod(m.get(tag::kOrderQty));
    h.broker.send("8", exec_report(m, cl, 'F', '2', qty, qty, 589.5));
  });
  FixGatewayThread gateway(h.options());
  REQUIRE(eventually([&] { return h.broker.logged_on(); }));

  core::Order block = testing::fix_order("fleet-1", "SPY", 10);
  block.allocations = {{"a1", 3}, {"a2", 5}, {"a3", 2}};
  h.daemon.send(block);
  const auto r = h.daemon.receive(10s);
  REQUIRE(r);
  CHECK(r->order_id == "fleet-1");
  CHECK(r->status == FillStatus::filled);
  CHECK(r->filled_quantity == 10);

  const auto received = h.broker.received();
  REQUIRE(received.size() == 1);
  CHECK(received[0].msg_type == "D");
  CHECK(received[0].get(tag::kClOrdId) == "fleet-1");
  CHECK(received[0].get(tag::kOrderQty) == "10");
  CHECK(received[0].get(78).empty());  // NoAllocs: the gateway does not pass allocations on

  const FixGatewayStats& stats = gateway.stop();
  CHECK(stats.orders == 1);
  CHECK(stats.sent == 1);
  CHECK(stats.dropped == 0);
}

TEST_CASE("fix gateway replaces and cancels an order, and maps every report back to the daemon's order id") {
  Harness h;
  std::mutex mutex;
  std::map<std::string, FixMessage> orders;  // ClOrdID → the message
  h.broker.on_message([&](const FixMessage& m) {
    const std::string cl = m.get(tag::kClOrdId);
    std::lock_guard lock(mutex);
    orders[cl] = m;
    if (m.msg_type == "D") {
      h.broker.send("8", exec_report(m, cl, '0', '0', std::stod(m.get(tag::kOrderQty)), 0, 0));
    } else if (m.msg_type == "G") {
      if (m.get(tag::kPrice) == "1") {  // a price the venue refuses
        h.broker.send("9", {{tag::kOrderId, "V-o"},
                            {tag::kClOrdId, cl},
                            {tag::kOrigClOrdId, m.get(tag::kOrigClOrdId)},
                            {tag::kOrdStatus, "0"},
                            {tag::kCxlRejResponseTo, "2"},
                            {tag::kText, "price out of range"}});
        return;
      }
      const double qty = std::stod(m.get(tag::kOrderQty));
      h.broker.send("8", exec_report(m, cl, '5', '0', qty, 0, 0));
      h.broker.send("8", exec_report(m, cl, 'F', '1', qty, 2, 99.5));
    } else if (m.msg_type == "F") {
      h.broker.send("8", exec_report(m, cl, '4', '4', std::stod(m.get(tag::kOrderQty)), 2, 99.5));
    }
  });
  FixGatewayThread gateway(h.options());
  REQUIRE(eventually([&] { return h.broker.logged_on(); }));

  h.daemon.send(testing::fix_order("o-1", "SPY", 5, 99.0));
  REQUIRE(eventually([&] { return testing::count_of(h.broker, "D", "o-1") == 1; }));
  // Refused: the order stays as it was.
  h.daemon.send(testing::fix_amendment(core::AmendAction::replace, "o-1", "q-1", 6, 1));
  REQUIRE(eventually([&] { return testing::count_of(h.broker, "G", "o-1.r1") == 1; }));
  // Accepted: re-sized and re-priced, then part of it fills.
  h.daemon.send(testing::fix_amendment(core::AmendAction::replace, "o-1", "q-2", 8, 99.5));
  h.daemon.send(testing::fix_amendment(core::AmendAction::replace, "o-1", "q-2", 8, 99.5));  // repeated: dropped
  auto r = h.daemon.receive(10s);
  REQUIRE(r);
  CHECK(r->order_id == "o-1");
  CHECK(r->status == FillStatus::partially_filled);
  CHECK(r->filled_quantity == 2);
  h.daemon.send(testing::fix_amendment(core::AmendAction::cancel, "o-1", "q-3"));
  r = h.daemon.receive(10s);
  REQUIRE(r);
  CHECK(r->order_id == "o-1");
  CHECK(r->status == FillStatus::cancelled);
  CHECK(r->filled_quantity == 2);
  CHECK(r->avg_price == 99.5);
  CHECK(drain(h.daemon).empty());

  std::lock_guard lock(mutex);
  REQUIRE(orders.count("o-1.r2") == 1);
  CHECK(orders["o-1.r2"].get(tag::kOrigClOrdId) == "o-1");
  CHECK(orders["o-1.r2"].get(tag::kOrderQty) == "8");
  CHECK(orders["o-1.r2"].get(tag::kPrice) == "99.5");
  REQUIRE(orders.count("o-1.c3") == 1);
  CHECK(orders["o-1.c3"].msg_type == "F");
  CHECK(orders["o-1.c3"].get(tag::kOrigClOrdId) == "o-1.r2");
  CHECK(orders["o-1.c3"].get(tag::kOrderQty) == "8");
  CHECK(testing::count_of(h.broker, "G", "o-1.r2") == 1);

  const FixGatewayStats& stats = gateway.stop();
  CHECK(stats.exit_code == 0);
  CHECK(stats.amendments == 4);
  CHECK(stats.dropped == 1);
  CHECK(stats.sent == 4);
}

TEST_CASE("fix gateway reconnects after a disconnect and both sides resend what the other missed") {
  Harness h;
  std::atomic<bool> answer{true};
  h.broker.on_message([&](const FixMessage& m) {
    if (m.msg_type != "D" || !answer) return;
    const std::string cl = m.get(tag::kClOrdId);
    const double qty = std::stod(m.get(tag::kOrderQty));
    h.broker.send("8", exec_report(m, cl, '0', '0', qty, 0, 0));
    h.broker.send("8", exec_report(m, cl, 'F', '1', qty, 1, 50));
  });
  FixGatewayThread gateway(h.options());
  REQUIRE(eventually([&] { return h.broker.logged_on(); }));

  h.daemon.send(testing::fix_order("a", "SPY", 4));
  auto r = h.daemon.receive(10s);
  REQUIRE(r);
  CHECK(r->status == FillStatus::partially_filled);
  const FixMessage order_a = h.broker.received().at(0);

  answer = false;
  h.broker.disconnect();
  REQUIRE(eventually([&] { return !h.broker.logged_on(); }));
  // While the session is down: the venue fills A, the daemon sends B.
  h.broker.send("8", exec_report(order_a, "a", 'F', '2', 4, 4, 51));
  h.daemon.send(testing::fix_order("b", "SPY", 2));

  REQUIRE(eventually([&] { return h.broker.logons() >= 2 && h.broker.logged_on(); }, 15s));
  r = h.daemon.receive(10s);
  REQUIRE(r);
  CHECK(r->order_id == "a");
  CHECK(r->status == FillStatus::filled);
  CHECK(r->filled_quantity == 4);
  CHECK(r->avg_price == 51);
  REQUIRE(eventually([&] { return testing::count_of(h.broker, "D", "b") == 1; }));
  for (const FixMessage& m : h.broker.received()) {
    if (m.get(tag::kClOrdId) == "b") CHECK(m.poss_dup);  // it came by the resend
  }
  CHECK(testing::count_of(h.broker, "D", "a") == 1);
  CHECK(drain(h.daemon).empty());
  CHECK(gateway.stop().exit_code == 0);
}

TEST_CASE("fix gateway refuses a state directory it cannot create") {
  Harness h;
  FixGatewayOptions o = h.options();
  o.fix.state_dir = "/proc/ballast-fix-test";
  std::atomic<bool> stop{false};
  std::ostringstream out, err;
  const FixGatewayStats s = cli::run_fix_loop(o, stop, out, err);
  CHECK(s.exit_code == 1);
  CHECK(s.error.find("/proc/ballast-fix-test") != std::string::npos);
}

}  // namespace test_fix_gateway
