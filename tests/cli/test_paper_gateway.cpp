#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <chrono>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "cli/paper_gateway.hpp"
#include "core/types.hpp"
#include "tests/support/sample_order.hpp"
#include "execution/io/fill_codec.hpp"
#include "execution/io/order_codec.hpp"
#include "tests/support/scratch_dir.hpp"

namespace test_paper_gateway {

using namespace std::chrono_literals;
using ballast::cli::describe_report;
using ballast::cli::PaperOptions;
using ballast::cli::PaperStats;
using ballast::cli::read_feed_price;
using ballast::core::FillReport;
using ballast::core::FillStatus;
using ballast::core::Order;
using ballast::core::OrderType;
using ballast::core::Side;
using ballast::testing::make_order;

namespace {

constexpr ballast::core::TimeNs kNow = 1'763'908'201'000'000'000LL;

/// Runs the gateway loop on its own thread; the destructor stops and joins it.
class GatewayThread {
 public:
  explicit GatewayThread(PaperOptions options)
      : thread_([this, options = std::move(options)] { stats_ = run_paper_loop(options, stop_, out_, err_); }) {}
  ~GatewayThread() { stop(); }
  const PaperStats& stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return stats_;
  }
  // Only read after stop().
  std::string out() const { return out_.str(); }
  std::string err() const { return err_.str(); }

 private:
  std::atomic<bool> stop_{false};
  PaperStats stats_;
  std::ostringstream out_;
  std::ostringstream err_;
  std::thread thread_;
};

/// The daemon's side of the execution wire: orders PUSH and fills PULL, bound on
/// loopback ports the OS picks, plus a price publisher.
struct DaemonSide {
  zmq::context_t ctx;
  zmq::socket_t orders{ctx, zmq::socket_type::push};
  zmq::socket_t fills{ctx, zmq::socket_type::pull};
  zmq::socket_t prices{ctx, zmq::socket_type::pub};

  DaemonSide() {
    for (zmq::socket_t* s : {&orders, &fills, &prices}) {
      s->set(zmq::sockopt::linger, 0);
      s->bind("tcp://127.0.0.1:*");
    }
    // A bound PUSH blocks until the gateway connects; bound the wait.
    orders.set(zmq::sockopt::sndtimeo, 10000);
  }
  std::string endpoint(zmq::socket_t& s) { return s.get(zmq::sockopt::last_endpoint); }

  PaperOptions gateway_options() {
    PaperOptions o;
    o.orders_endpoint = endpoint(orders);
    o.fills_endpoint = endpoint(fills);
    o.feed_endpoint = endpoint(prices);
    o.linger = 0ms;
    return o;
  }

  void send_order(const Order& order) {
    std::string frame;
    ballast::execution::encode_order(order, frame);
    REQUIRE(orders.send(zmq::buffer(frame), zmq::send_flags::none));
  }

  void send_amendment(const ballast::core::OrderAmendment& a) {
    std::string frame;
    ballast::execution::encode_amendment(a, frame);
    REQUIRE(orders.send(zmq::buffer(frame), zmq::send_flags::none));
  }

  std::optional<FillReport> receive_fill(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      zmq_pollitem_t item{fills.handle(), 0, ZMQ_POLLIN, 0};
      if (zmq_poll(&item, 1, static_cast<long>(left.count())) <= 0) continue;
      zmq::message_t msg;
      if (!fills.recv(msg, zmq::recv_flags::dontwait)) continue;
      auto decoded = ballast::execution::decode_fill(msg.to_string_view(), 0);
      REQUIRE_MESSAGE(decoded.ok, decoded.error);
      return decoded.fill;
    }
  }
};

}  // namespace

TEST_CASE("paper report lines are readable") {
  const Order o = make_order("main-20261123-000001", "SPY", Side::buy, 12, 589.0);
  FillReport r;
  r.order_id = o.order_id;
  r.filled_quantity = 12;
  r.avg_price = 589.2;
  CHECK(describe_report(o, r) == "FILL main-20261123-000001 buy 12 SPY @ 589.20");
  r.status = FillStatus::partially_filled;
  r.filled_quantity = 6;
  CHECK(describe_report(o, r) == "PARTIAL main-20261123-000001 buy 6/12 SPY @ 589.20");
  r.status = FillStatus::rejected;
  CHECK(describe_report(o, r) == "REJECT main-20261123-000001 buy 12 SPY");
  Order lim = o;
  lim.order_type = OrderType::limit;
  lim.limit_price = 580;
  r.status = FillStatus::cancelled;
  CHECK(describe_report(lim, r) == "CANCEL main-20261123-000001 buy 12 SPY limit 580.00");
  const Order small = make_order("x", "SHIB-USD", Side::sell, 1e6, 0.00001);
  FillReport rs;
  rs.order_id = "x";
  rs.filled_quantity = 1e6;
  rs.avg_price = 0.0000123;
  CHECK(describe_report(small, rs) == "FILL x sell 1000000 SHIB-USD @ 0.0000123");
  CHECK(ballast::cli::describe_resting(lim, false) == "OPEN main-20261123-000001 buy 12 SPY limit 580.00");
  CHECK(ballast::cli::describe_resting(lim, true) == "REPLACED main-20261123-000001 buy 12 SPY limit 580.00");
}

// ---------------------------------------------------------------------------
// Feed messages

TEST_CASE("paper reads prices from both framings") {
  auto p = read_feed_price({"SPY", R"({"symbol":"SPY","price":589.2,"ts":1763908200.5})"});
  REQUIRE(p);
  CHECK(p->symbol == "SPY");
  CHECK(p->price == 589.2);

  p = read_feed_price({R"(SPY {"symbol":"SPY","price":589.3})"});
  REQUIRE(p);
  CHECK(p->price == 589.3);

  p = read_feed_price({R"(COINBASE-ticker-BTC-USD {"exchange":"COINBASE","symbol":"BTC-USD","bid":"42000","ask":"42002","timestamp":1})"});
  REQUIRE(p);
  CHECK(p->symbol == "BTC-USD");
  CHECK(p->price == 42001.0);
  CHECK(p->bid == 42000.0);
  CHECK(p->ask == 42002.0);

  p = read_feed_price({"AGG", R"({"price":"98.5"})"});
  REQUIRE(p);
  CHECK(p->symbol == "AGG");
  CHECK(p->price == 98.5);
  CHECK(std::isnan(p->bid));
  CHECK(std::isnan(p->ask));

  p = read_feed_price({"AGG", R"({"price":98.5,"bid":98.4,"ask":98.6})"});
  REQUIRE(p);
  CHECK(p->price == 98.5);
  CHECK(p->bid == 98.4);

  p = read_feed_price({R"({"symbol":"X","price":3})"});
  REQUIRE(p);
  CHECK(p->symbol == "X");
}

TEST_CASE("paper ignores feed messages without a usable price") {
  for (const std::vector<std::string>& frames : std::vector<std::vector<std::string>>{
           {},
           {""},
           {"SPY"},
           {"SPY", "not json"},
           {"SPY", R"({"price":0})"},
           {"SPY", R"({"price":-1})"},
           {"SPY", R"({"price":"abc"})"},
           {"SPY", R"({"bid":1})"},
           {"SPY", R"([1,2])"},
           {"SPY", R"({"price":1e999})"},
           {R"({"price":5})"},
           {"SPY {\"price\":"},
       }) {
    CHECK_FALSE(read_feed_price(frames).has_value());
  }
}

// ---------------------------------------------------------------------------
// Over real sockets

TEST_CASE("paper gateway fills orders from a real queue at the feed's price") {
  DaemonSide daemon;
  PaperOptions options = daemon.gateway_options();
  options.rules.slippage_bps = 10;
  GatewayThread gateway(options);

  // The feed subscription becomes live some time after the gateway connects;
  // probe until a fill shows the feed's price rather than the reference price.
  int probes = 0;
  bool fed = false;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!fed && std::chrono::steady_clock::now() < deadline) {
    daemon.prices.send(zmq::str_buffer("SPY"), zmq::send_flags::sndmore);
    daemon.prices.send(zmq::str_buffer(R"({"symbol":"SPY","price":200,"ts":1763908200})"), zmq::send_flags::none);
    daemon.send_order(make_order("probe-" + std::to_string(++probes), "SPY", Side::buy, 2, 100.0));
    const auto fill = daemon.receive_fill(5s);
    REQUIRE(fill.has_value());
    CHECK(fill->order_id == "probe-" + std::to_string(probes));
    CHECK(fill->status == FillStatus::filled);
    CHECK(fill->filled_quantity == 2);
    if (fill->avg_price == doctest::Approx(200.2)) {
      fed = true;
    } else {
      CHECK(fill->avg_price == doctest::Approx(100.1));
    }
  }
  REQUIRE(fed);

  // A malformed order is dropped and the next one still fills.
  REQUIRE(daemon.orders.send(zmq::str_buffer("{not an order"), zmq::send_flags::none));
  daemon.send_order(make_order("main-20261123-000042", "AGG", Side::sell, 10, 50.0));
  const auto fill = daemon.receive_fill(5s);
  REQUIRE(fill.has_value());
  CHECK(fill->order_id == "main-20261123-000042");
  CHECK(fill->avg_price == doctest::Approx(49.95));

  const PaperStats& stats = gateway.stop();
  CHECK(stats.exit_code == 0);
  CHECK(stats.malformed == 1);
  CHECK(stats.orders == static_cast<std::uint64_t>(probes) + 1);
  CHECK(stats.filled == stats.orders);
  CHECK(stats.reports_sent == stats.orders);
  CHECK(stats.reports_dropped == 0);
  CHECK(stats.prices >= 1);
  CHECK(gateway.out().find("FILL main-20261123-000042 sell 10 AGG @ 49.95\n") != std::string::npos);
  CHECK(gateway.err().find("malformed order") != std::string::npos);
}

TEST_CASE("paper gateway sends partial then full reports after its latency") {
  DaemonSide daemon;
  PaperOptions options = daemon.gateway_options();
  options.feed_endpoint.clear();
  options.rules.partial = true;
  options.rules.reject_every = 2;
  options.latency = 30ms;
  GatewayThread gateway(options);

  const auto sent = std::chrono::steady_clock::now();
  daemon.send_order(make_order("a", "SPY", Side::buy, 12, 100.0));
  const auto first = daemon.receive_fill(5s);
  const auto elapsed = std::chrono::steady_clock::now() - sent;
  const auto second = daemon.receive_fill(5s);
  REQUIRE(first.has_value());
  REQUIRE(second.has_value());
  CHECK(elapsed >= 30ms);
  CHECK(first->status == FillStatus::partially_filled);
  CHECK(first->filled_quantity == 6);
  CHECK(second->status == FillStatus::filled);
  CHECK(second->filled_quantity == 12);
  CHECK(second->avg_price == 100.0);

  daemon.send_order(make_order("b", "SPY", Side::sell, 4, 100.0));
  const auto rejected = daemon.receive_fill(5s);
  REQUIRE(rejected.has_value());
  CHECK(rejected->order_id == "b");
  CHECK(rejected->status == FillStatus::rejected);

  const PaperStats& stats = gateway.stop();
  CHECK(stats.orders == 2);
  CHECK(stats.partial_reports == 1);
  CHECK(stats.filled == 1);
  CHECK(stats.rejected == 1);
  CHECK(stats.reports_sent == 3);
}

TEST_CASE("paper gateway fills a block order as one order and ignores its allocations") {
  DaemonSide daemon;
  PaperOptions options = daemon.gateway_options();
  options.feed_endpoint.clear();  // filled at the reference price
  options.rules.partial = true;
  GatewayThread gateway(options);

  Order block = make_order("fleet-20261123-000001", "SPY", Side::buy, 10, 100.0);
  block.allocations = {{"a1", 3}, {"a2", 5}, {"a3", 2}};
  daemon.send_order(block);
  const auto partial = daemon.receive_fill(5s);
  const auto filled = daemon.receive_fill(5s);
  REQUIRE(partial.has_value());
  REQUIRE(filled.has_value());
  CHECK(partial->order_id == block.order_id);
  CHECK(partial->status == FillStatus::partially_filled);
  CHECK(partial->filled_quantity == 5);
  CHECK(filled->order_id == block.order_id);
  CHECK(filled->status == FillStatus::filled);
  CHECK(filled->filled_quantity == 10);
  CHECK(filled->avg_price == 100.0);

  const PaperStats& stats = gateway.stop();
  CHECK(stats.malformed == 0);
  CHECK(stats.orders == 1);
  CHECK(stats.filled == 1);
  CHECK(stats.reports_sent == 2);
}

TEST_CASE("paper gateway keeps limit orders open, and cancels and replaces them from the queue") {
  DaemonSide daemon;
  PaperOptions options = daemon.gateway_options();
  options.feed_endpoint.clear();  // orders are priced at their reference price
  GatewayThread gateway(options);

  Order resting = make_order("rest-1", "SPY", Side::buy, 5, 100.0);
  resting.order_type = OrderType::limit;
  resting.limit_price = 99.0;
  Order other = resting;
  other.order_id = "rest-2";
  daemon.send_order(resting);
  daemon.send_order(other);
  daemon.send_order(resting);  // the daemon sends it again: dropped

  ballast::core::OrderAmendment cancel;
  cancel.action = ballast::core::AmendAction::cancel;
  cancel.order_id = "rest-2";
  cancel.request_id = "req-1";
  cancel.portfolio = "main";
  cancel.symbol = "SPY";
  cancel.created_at = kNow;
  daemon.send_amendment(cancel);
  const auto cancelled = daemon.receive_fill(5s);
  REQUIRE(cancelled.has_value());
  CHECK(cancelled->order_id == "rest-2");
  CHECK(cancelled->status == FillStatus::cancelled);
  CHECK(cancelled->filled_quantity == 0);

  ballast::core::OrderAmendment replace = cancel;
  replace.action = ballast::core::AmendAction::replace;
  replace.order_id = "rest-1";
  replace.request_id = "req-2";
  replace.quantity = 7;
  replace.limit_price = 100.5;
  daemon.send_amendment(replace);
  daemon.send_amendment(replace);  // a repeated request id: dropped
  const auto filled = daemon.receive_fill(5s);
  REQUIRE(filled.has_value());
  CHECK(filled->order_id == "rest-1");
  CHECK(filled->status == FillStatus::filled);
  CHECK(filled->filled_quantity == 7);
  CHECK(filled->avg_price == 100.0);
  CHECK_FALSE(daemon.receive_fill(100ms).has_value());

  const PaperStats& stats = gateway.stop();
  CHECK(stats.orders == 3);
  CHECK(stats.amendments == 3);
  CHECK(stats.dropped == 2);
  CHECK(stats.cancelled == 1);
  CHECK(stats.filled == 1);
  CHECK(stats.resting == 0);
  CHECK(gateway.out().find("OPEN rest-1 buy 5 SPY limit 99.00\n") != std::string::npos);
  CHECK(gateway.out().find("CANCEL rest-2 buy 5 SPY limit 99.00\n") != std::string::npos);
  CHECK(gateway.out().find("FILL rest-1 buy 7 SPY @ 100.00\n") != std::string::npos);
}

TEST_CASE("paper gateway records every order it takes in the backtest's orders CSV, appending") {
  ballast::testing::ScratchDir dir;
  const std::string path = dir.file("orders.csv");
  for (int run = 0; run < 2; ++run) {
    DaemonSide daemon;
    PaperOptions options = daemon.gateway_options();
    options.feed_endpoint.clear();
    options.record_path = path;
    GatewayThread gateway(options);
    daemon.send_order(make_order("main-20261123-00000" + std::to_string(run + 1), "SPY", Side::buy, 12, 589.25));
    REQUIRE(daemon.receive_fill(5s).has_value());
    CHECK(gateway.stop().exit_code == 0);
  }
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text ==
        "order_id,portfolio,rebalance_id,time,symbol,side,quantity,price,reason\n"
        "main-20261123-000001,main,main-20261123-000001,2025-11-23T14:30:00.000Z,SPY,buy,12,589.25,threshold\n"
        "main-20261123-000002,main,main-20261123-000001,2025-11-23T14:30:00.000Z,SPY,buy,12,589.25,threshold\n");
}

TEST_CASE("paper gateway refuses unusable options") {
  std::atomic<bool> stop{false};
  std::ostringstream out, err;
  PaperOptions o;
  o.rules.slippage_bps = -1;
  CHECK(run_paper_loop(o, stop, out, err).exit_code == 2);
  o.rules.slippage_bps = 0;
  o.orders_endpoint = "nonsense-endpoint";
  const PaperStats s = run_paper_loop(o, stop, out, err);
  CHECK(s.exit_code == 1);
  CHECK(s.error.find("nonsense-endpoint") != std::string::npos);
  CHECK(ballast::cli::run_paper_gateway(o, stop, out, err) == 1);
  o.orders_endpoint = "tcp://127.0.0.1:1";
  o.record_path = "/nonexistent-dir/orders.csv";
  const PaperStats r = run_paper_loop(o, stop, out, err);
  CHECK(r.exit_code == 1);
  CHECK(r.error.find("cannot open record file /nonexistent-dir/orders.csv") != std::string::npos);
}

}  // namespace test_paper_gateway
