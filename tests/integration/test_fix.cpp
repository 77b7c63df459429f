// The real `ballast fix` between the daemon's sockets (real ZeroMQ on
// loopback) and a QuickFIX acceptor playing the venue over TCP: orders,
// cancels and replaces reach the venue once each, whatever happens to the
// connection or to the gateway (SIGKILL at any point, then a restart); each
// cumulative state of an order reaches the daemon at most once, the final one
// at least once.
#include <doctest/doctest.h>

#include <signal.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "tests/integration/support.hpp"
#include "tests/support/fix_broker.hpp"
#include "tests/support/fix_sides.hpp"

namespace test_fix {

using namespace std::chrono_literals;
using namespace ballast;
using namespace ballast::testing;
using core::AmendAction;
using core::FillStatus;
namespace tag = cli::fix::tag;

namespace {

constexpr int kKilled = 128 + SIGKILL;

/// A venue: a market order in "REJ" is rejected; any other market order is
/// taken and filled at once, in full, or half of it while `partial` holds for
/// "SPY" (the test fills the rest); a limit order rests until the test fills
/// it; a replace is confirmed and fills one unit; a cancel is confirmed.
struct Venue {
  explicit Venue(int port) : broker("BROKER", "BALLAST", port) {
    broker.on_message([this](const FixMessage& m) { answer(m); });
  }

  void answer(const FixMessage& m) {
    const std::string cl = m.get(tag::kClOrdId);
    const double qty = std::stod(m.get(tag::kOrderQty));
    std::lock_guard lock(mutex);
    if (m.msg_type == "D") {
      orders[cl] = m;
      if (m.get(tag::kSymbol) == "REJ") {
        broker.send("8", exec_report(m, cl, '8', '8', qty, 0, 0));
        return;
      }
      broker.send("8", exec_report(m, cl, '0', '0', qty, 0, 0));
      if (m.get(tag::kOrdType) == "2") return;  // rests
      const bool half = partial && m.get(tag::kSymbol) == "SPY";
      filled[cl] = half ? qty / 2 : qty;
      broker.send("8", exec_report(m, cl, 'F', half ? '1' : '2', qty, filled[cl], 100.5));
    } else if (m.msg_type == "G") {
      orders[cl] = m;
      filled[cl] = filled[m.get(tag::kOrigClOrdId)] + 1;
      broker.send("8", exec_report(m, cl, '5', '0', qty, 0, 0));
      broker.send("8", exec_report(m, cl, 'F', '1', qty, filled[cl], 99.5));
    } else if (m.msg_type == "F") {
      const std::string orig = m.get(tag::kOrigClOrdId);
      broker.send("8", exec_report(m, cl, '4', '4', qty, filled[orig], 99.5));
    }
  }

  /// Fills the rest of an order the venue took (by its current ClOrdID).
  void fill_rest(const std::string& cl) {
    std::lock_guard lock(mutex);
    const FixMessage& m = orders.at(cl);
    const double qty = std::stod(m.get(tag::kOrderQty));
    filled[cl] = qty;
    REQUIRE(broker.send("8", exec_report(m, cl, 'F', '2', qty, qty, 101)));
  }

  /// Waits until the gateway has processed everything the venue sent so far.
  bool heard_all() {
    const std::string id = "sync-" + std::to_string(++test_requests);
    return broker.test_request(id) && eventually([&] { return broker.answered(id); }, 10s);
  }

  FixBroker broker;
  std::atomic<bool> partial{false};
  std::mutex mutex;
  std::map<std::string, FixMessage> orders;  // ClOrdID → the D or G that made it
  std::map<std::string, double> filled;      // ClOrdID → cumulative quantity filled
  int test_requests = 0;
};

/// The daemon's sockets, a venue and the config of a gateway between them.
struct FixSetup {
  TempDir dir;
  int port = free_port();
  Venue venue{port};
  FixDaemonSide daemon;
  std::string fills_endpoint = daemon.fills_endpoint();
  std::string config_path = dir.file("ballast.toml");
  std::vector<core::FillReport> reports;  // every report the daemon's socket got, in order
  int fences = 0;

  FixSetup() {
    dir.write("ballast.toml", "[fix]\nsender_comp_id = \"BALLAST\"\ntarget_comp_id = \"BROKER\"\n"
                              "host = \"127.0.0.1\"\nport = " +
                                  std::to_string(port) +
                                  "\nheartbeat = \"5s\"\nreconnect_interval = \"1s\"\n"
                                  "state_dir = \"" +
                                  dir.file("fix") + "\"\norders_endpoint = \"" + daemon.orders_endpoint() +
                                  "\"\nfills_endpoint = \"" + fills_endpoint + "\"\n");
  }

  /// Starts `ballast fix` (armed to kill itself at `crash_at`) and waits for its logon.
  std::unique_ptr<Process> start(const char* crash_at = nullptr) {
    const int logons = venue.broker.logons();
    if (crash_at) setenv("BALLAST_FIX_CRASH_AT", crash_at, 1);
    auto p = std::make_unique<Process>(BALLAST_CLI_PATH, std::vector<std::string>{"fix", "--config", config_path},
                                       dir.file("fix.log"));
    unsetenv("BALLAST_FIX_CRASH_AT");
    REQUIRE_MESSAGE(eventually([&] { return venue.broker.logons() > logons && venue.broker.logged_on(); }, 20s),
                    dir.read("fix.log"));
    return p;
  }

  /// Takes what the daemon's socket got until `done` holds (or the deadline).
  bool collect_until(const std::function<bool()>& done, std::chrono::milliseconds within = 15s) {
    return eventually(
        [&] {
          while (auto r = daemon.receive(20ms)) reports.push_back(*r);
          return done();
        },
        within);
  }

  int reports_of(const std::string& id, FillStatus status) const {
    int n = 0;
    for (const auto& r : reports) n += r.order_id == id && r.status == status ? 1 : 0;
    return n;
  }
  bool has(const std::string& id, FillStatus status) const { return reports_of(id, status) > 0; }

  /// A new order that fills at once, and its report: the gateway hands its
  /// reports over in the order it made them, and takes the venue's messages in
  /// the venue's order, so whatever it was going to report before has come.
  void fence() {
    const std::string id = "fence-" + std::to_string(++fences);
    daemon.send(fix_order(id, "QQQ", 1));
    REQUIRE_MESSAGE(collect_until([&] { return has(id, FillStatus::filled); }), dir.read("fix.log"));
  }

  /// No report says the same cumulative state of an order twice.
  void check_no_repeats() const {
    std::map<std::tuple<std::string, FillStatus, double>, int> seen;
    for (const auto& r : reports) {
      const int n = ++seen[{r.order_id, r.status, r.filled_quantity}];
      CAPTURE(r.order_id);
      CAPTURE(r.filled_quantity);
      CHECK(n == 1);
    }
  }

  /// SIGTERM: a clean stop.
  void stop(std::unique_ptr<Process>& gateway) {
    gateway->signal(SIGTERM);
    CHECK_MESSAGE(gateway->wait_exit(15s) == 0, dir.read("fix.log"));
  }
};

/// Kills the gateway at `point` while it handles one order, restarts it, and
/// checks that the order reached the venue once and its fill the daemon once.
void kill_at_and_restart(const char* point) {
  FixSetup s;
  auto gateway = s.start(point);
  s.daemon.send(fix_order("x-1", "SPY", 3));
  REQUIRE_MESSAGE(gateway->wait_exit(15s) == kKilled, s.dir.read("fix.log"));

  gateway = s.start();
  s.daemon.send(fix_order("x-1", "SPY", 3));  // a restarted daemon sends its open orders again
  REQUIRE_MESSAGE(s.collect_until([&] { return s.has("x-1", FillStatus::filled); }), s.dir.read("fix.log"));
  s.fence();
  CHECK(count_of(s.venue.broker, "D", "x-1") == 1);
  CHECK(s.reports_of("x-1", FillStatus::filled) == 1);
  s.check_no_repeats();
}

}  // namespace

TEST_CASE("ballast fix sends orders to the venue and reports fills, partial fills, rejects, replaces and cancels") {
  FixSetup s;
  s.venue.partial = true;
  auto gateway = s.start();

  s.daemon.send(fix_order("main-1", "QQQ", 12));
  s.daemon.send(fix_order("main-2", "SPY", 10));
  s.daemon.send(fix_order("main-3", "REJ", 5));
  s.daemon.send(fix_order("main-4", "IEF", 8, 94.25));
  REQUIRE_MESSAGE(s.collect_until([&] {
    return s.has("main-1", FillStatus::filled) && s.has("main-2", FillStatus::partially_filled) &&
           s.has("main-3", FillStatus::rejected) && count_of(s.venue.broker, "D", "main-4") == 1;
  }),
                  s.dir.read("fix.log"));
  s.venue.fill_rest("main-2");
  s.daemon.send(fix_amendment(AmendAction::replace, "main-4", "q-1", 6, 94.5));
  REQUIRE(s.collect_until(
      [&] { return s.has("main-2", FillStatus::filled) && s.has("main-4", FillStatus::partially_filled); }));
  s.daemon.send(fix_amendment(AmendAction::cancel, "main-4", "q-2"));
  REQUIRE(s.collect_until([&] { return s.has("main-4", FillStatus::cancelled); }));
  s.daemon.send(fix_order("main-1", "QQQ", 12));                             // seen before: dropped
  s.daemon.send(fix_amendment(AmendAction::cancel, "main-1", "q-3"));        // finished: dropped
  s.daemon.send(fix_amendment(AmendAction::cancel, "main-4", "q-2"));        // request seen before: dropped
  s.fence();

  const auto last = [&](const std::string& id) {
    core::FillReport out;
    for (const auto& r : s.reports) {
      if (r.order_id == id) out = r;
    }
    return out;
  };
  CHECK(last("main-1").filled_quantity == 12);
  CHECK(last("main-1").avg_price == 100.5);
  CHECK(last("main-2").filled_quantity == 10);
  CHECK(last("main-2").avg_price == 101);
  CHECK(last("main-3").filled_quantity == 0);
  CHECK(last("main-4").filled_quantity == 1);
  CHECK(last("main-4").avg_price == 99.5);
  CHECK(s.reports_of("main-2", FillStatus::partially_filled) == 1);
  CHECK(s.reports_of("main-4", FillStatus::partially_filled) == 1);
  s.check_no_repeats();

  // What the venue got: one message per order or request, as README "FIX gateway" says.
  std::map<std::string, FixMessage> by_cl;
  for (const FixMessage& m : s.venue.broker.received()) {
    CAPTURE(m.get(tag::kClOrdId));
    CHECK(by_cl.count(m.get(tag::kClOrdId)) == 0);
    by_cl[m.get(tag::kClOrdId)] = m;
  }
  CHECK(by_cl.size() == 7);  // four orders, a replace, a cancel and the fence
  const FixMessage& market = by_cl["main-2"];
  CHECK(market.msg_type == "D");
  CHECK(market.get(tag::kAccount) == "main");
  CHECK(market.get(tag::kSymbol) == "SPY");
  CHECK(market.get(tag::kSide) == "1");
  CHECK(market.get(tag::kOrderQty) == "10");
  CHECK(market.get(tag::kOrdType) == "1");
  CHECK(market.get(tag::kPrice).empty());
  const FixMessage& limit = by_cl["main-4"];
  CHECK(limit.get(tag::kOrdType) == "2");
  CHECK(limit.get(tag::kPrice) == "94.25");
  const FixMessage& replace = by_cl["main-4.r1"];
  CHECK(replace.msg_type == "G");
  CHECK(replace.get(tag::kOrigClOrdId) == "main-4");
  CHECK(replace.get(tag::kOrderQty) == "6");
  CHECK(replace.get(tag::kPrice) == "94.5");
  const FixMessage& cancel = by_cl["main-4.c2"];
  CHECK(cancel.msg_type == "F");
  CHECK(cancel.get(tag::kOrigClOrdId) == "main-4.r1");
  s.stop(gateway);
}

TEST_CASE("ballast fix goes on after the venue drops the connection in the middle, and both sides resend what the other missed") {
  FixSetup s;
  s.venue.partial = true;
  auto gateway = s.start();
  s.daemon.send(fix_order("a", "SPY", 4));
  s.daemon.send(fix_order("b", "SPY", 6));
  REQUIRE(s.collect_until(
      [&] { return s.has("a", FillStatus::partially_filled) && s.has("b", FillStatus::partially_filled); }));

  const int logons = s.venue.broker.logons();
  s.venue.broker.disconnect();
  REQUIRE(eventually([&] { return !s.venue.broker.logged_on(); }));
  // While the session is down: the venue fills the rest of A, the daemon sends C.
  s.venue.fill_rest("a");
  s.daemon.send(fix_order("c", "QQQ", 2));

  REQUIRE(eventually([&] { return s.venue.broker.logons() > logons && s.venue.broker.logged_on(); }, 15s));
  REQUIRE_MESSAGE(s.collect_until([&] { return s.has("a", FillStatus::filled) && s.has("c", FillStatus::filled); }),
                  s.dir.read("fix.log"));
  s.venue.fill_rest("b");
  REQUIRE(s.collect_until([&] { return s.has("b", FillStatus::filled); }));
  s.fence();

  for (const char* id : {"a", "b", "c"}) {
    CAPTURE(id);
    CHECK(count_of(s.venue.broker, "D", id) == 1);
    CHECK(s.reports_of(id, FillStatus::filled) == 1);
  }
  CHECK(s.reports_of("a", FillStatus::partially_filled) == 1);
  s.check_no_repeats();
  s.stop(gateway);
}

TEST_CASE("ballast fix killed between fills and restarted: each order reaches the venue once, each report at most once") {
  FixSetup s;
  s.venue.partial = true;
  auto gateway = s.start();
  for (const char* id : {"o-1", "o-2", "o-3"}) s.daemon.send(fix_order(id, "SPY", 10));
  REQUIRE(s.collect_until([&] {
    return s.has("o-1", FillStatus::partially_filled) && s.has("o-2", FillStatus::partially_filled) &&
           s.has("o-3", FillStatus::partially_filled);
  }));

  gateway->signal(SIGKILL);
  REQUIRE(gateway->wait_exit(10s) == kKilled);
  // While it is down the venue fills o-1: the session resends it after the logon.
  s.venue.fill_rest("o-1");

  gateway = s.start();
  s.venue.partial = false;
  // A restarted daemon sends its open orders again under their ids, and a new one.
  for (const char* id : {"o-1", "o-2", "o-3"}) s.daemon.send(fix_order(id, "SPY", 10));
  s.daemon.send(fix_order("o-4", "SPY", 2));
  REQUIRE(s.collect_until([&] { return s.has("o-1", FillStatus::filled) && s.has("o-4", FillStatus::filled); }));
  s.venue.fill_rest("o-2");
  s.venue.fill_rest("o-3");
  REQUIRE(s.collect_until([&] { return s.has("o-2", FillStatus::filled) && s.has("o-3", FillStatus::filled); }));
  s.fence();

  for (const char* id : {"o-1", "o-2", "o-3", "o-4"}) {
    CAPTURE(id);
    CHECK(count_of(s.venue.broker, "D", id) == 1);
    CHECK(s.reports_of(id, FillStatus::filled) == 1);
  }
  s.check_no_repeats();
  s.stop(gateway);
}

TEST_CASE("ballast fix killed after journaling an order but before handing it to the session sends it once") {
  kill_at_and_restart("before_send");
}

TEST_CASE("ballast fix killed after handing an order to the session but before marking it sent sends it once") {
  kill_at_and_restart("after_send");
}

TEST_CASE("ballast fix killed after journaling a fill but before reporting it reports it once") {
  kill_at_and_restart("before_report");
}

TEST_CASE("ballast fix keeps the reports it made while the daemon was away, across a kill -9, and hands them over once") {
  FixSetup s;
  s.venue.partial = true;
  auto gateway = s.start();
  s.daemon.send(fix_order("d-1", "SPY", 8));
  REQUIRE(s.collect_until([&] { return s.has("d-1", FillStatus::partially_filled); }));

  // The daemon goes away; the venue fills the rest, a new order fills at once.
  s.daemon.close_fills();
  s.daemon.send(fix_order("d-2", "QQQ", 3));
  REQUIRE(eventually([&] { return count_of(s.venue.broker, "D", "d-2") == 1; }));
  s.venue.fill_rest("d-1");
  REQUIRE(s.venue.heard_all());  // both fills are journaled by now
  gateway->signal(SIGKILL);
  REQUIRE(gateway->wait_exit(10s) == kKilled);

  gateway = s.start();
  REQUIRE(s.daemon.bind_fills(s.fills_endpoint));
  REQUIRE_MESSAGE(
      s.collect_until([&] { return s.has("d-1", FillStatus::filled) && s.has("d-2", FillStatus::filled); }),
      s.dir.read("fix.log"));
  s.fence();
  CHECK(s.reports_of("d-1", FillStatus::filled) == 1);
  CHECK(s.reports_of("d-2", FillStatus::filled) == 1);
  CHECK(count_of(s.venue.broker, "D", "d-1") == 1);
  CHECK(count_of(s.venue.broker, "D", "d-2") == 1);
  s.check_no_repeats();
  s.stop(gateway);
}

TEST_CASE("ballast fix refuses a config without [fix], a broken [fix] with its place, and a missing --config") {
  TempDir dir;
  dir.write("none.toml", "[execution]\nfills_endpoint = \"tcp://127.0.0.1:5558\"\n");
  RunResult r = run_command(BALLAST_CLI_PATH, {"fix", "--config", dir.file("none.toml")});
  CHECK(r.code == 78);
  dir.write("bad.toml", "[fix]\nsender_comp_id = \"A\"\ntarget_comp_id = \"B\"\nhost = \"h\"\nport = 0\n");
  r = run_command(BALLAST_CLI_PATH, {"fix", "--config", dir.file("bad.toml")});
  CHECK(r.code == 78);
  CHECK(r.output.find("bad.toml:5:8") != std::string::npos);
  CHECK(run_command(BALLAST_CLI_PATH, {"fix", "--config", dir.file("absent.toml")}).code == 78);
  CHECK(run_command(BALLAST_CLI_PATH, {"fix"}).code == 2);
}

}  // namespace test_fix
