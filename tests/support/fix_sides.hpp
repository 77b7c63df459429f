#pragma once
// The two ends of the FIX gateway under test: the daemon's order and fill
// sockets (real ZeroMQ on loopback) and the venue's ExecutionReports.
#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>
#include <zmq.hpp>

#include "cli/fix_mapping.hpp"
#include "core/types.hpp"
#include "execution/io/fill_codec.hpp"
#include "execution/io/order_codec.hpp"
#include "tests/support/fix_broker.hpp"

namespace ballast::testing {

using FixFields = std::vector<std::pair<int, std::string>>;

/// The daemon's side of the execution wire: orders PUSH and fills PULL, bound
/// on loopback ports the OS picks.
struct FixDaemonSide {
  zmq::context_t ctx;
  zmq::socket_t orders{ctx, zmq::socket_type::push};
  zmq::socket_t fills{ctx, zmq::socket_type::pull};

  FixDaemonSide() {
    for (zmq::socket_t* s : {&orders, &fills}) {
      s->set(zmq::sockopt::linger, 0);
      s->bind("tcp://127.0.0.1:*");
    }
    orders.set(zmq::sockopt::sndtimeo, 10000);
  }
  std::string orders_endpoint() { return orders.get(zmq::sockopt::last_endpoint); }
  std::string fills_endpoint() { return fills.get(zmq::sockopt::last_endpoint); }

  /// The daemon's fills socket goes away (as when the daemon is down).
  void close_fills() { fills.close(); }
  /// It is back, bound at `endpoint` (retried while the old one's port is
  /// still being released).
  bool bind_fills(const std::string& endpoint, std::chrono::milliseconds within = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    for (;;) {
      try {
        zmq::socket_t s(ctx, zmq::socket_type::pull);
        s.set(zmq::sockopt::linger, 0);
        s.bind(endpoint);
        fills = std::move(s);
        return true;
      } catch (const zmq::error_t&) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  }

  void send(const core::Order& order) {
    std::string frame;
    execution::encode_order(order, frame);
    REQUIRE(orders.send(zmq::buffer(frame), zmq::send_flags::none));
  }
  void send(const core::OrderAmendment& a) {
    std::string frame;
    execution::encode_amendment(a, frame);
    REQUIRE(orders.send(zmq::buffer(frame), zmq::send_flags::none));
  }

  /// The next fill report, waiting up to `timeout`.
  std::optional<core::FillReport> receive(std::chrono::milliseconds timeout) {
    zmq_pollitem_t item{fills.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, static_cast<long>(timeout.count())) <= 0) return std::nullopt;
    zmq::message_t msg;
    if (!fills.recv(msg, zmq::recv_flags::dontwait)) return std::nullopt;
    auto decoded = execution::decode_fill(msg.to_string_view(), 0);
    REQUIRE_MESSAGE(decoded.ok, decoded.error);
    return decoded.fill;
  }
};

inline core::Order fix_order(const std::string& id, const std::string& symbol, double quantity,
                             double limit_price = 0) {
  core::Order o;
  o.order_id = id;
  o.portfolio = "main";
  o.symbol = symbol;
  o.side = core::Side::buy;
  o.quantity = quantity;
  o.reference_price = 100;
  if (limit_price > 0) {
    o.order_type = core::OrderType::limit;
    o.limit_price = limit_price;
  }
  o.reason = "threshold";
  o.rebalance_id = "main-20261123-000001";
  o.created_at = 1'795'444'200'000'000'000LL;
  return o;
}

inline core::OrderAmendment fix_amendment(core::AmendAction action, const std::string& order_id,
                                          const std::string& request_id, double quantity = 0,
                                          double limit_price = 0) {
  core::OrderAmendment a;
  a.action = action;
  a.order_id = order_id;
  a.request_id = request_id;
  a.portfolio = "main";
  a.symbol = "SPY";
  a.quantity = quantity;
  a.limit_price = limit_price;
  a.created_at = 1'795'444'200'000'000'000LL;
  return a;
}

/// An ExecutionReport's body as a venue writes it.
inline FixFields exec_report(const FixMessage& about, const std::string& cl_ord_id, char exec_type, char ord_status,
                             double order_qty, double cum_qty, double avg_px) {
  namespace tag = cli::fix::tag;
  static int exec_id = 0;
  FixFields f = {{tag::kOrderId, "V-" + about.get(tag::kClOrdId)},
                 {17, "E-" + std::to_string(++exec_id)},
                 {tag::kClOrdId, cl_ord_id},
                 {tag::kExecType, std::string(1, exec_type)},
                 {tag::kOrdStatus, std::string(1, ord_status)},
                 {tag::kSymbol, about.get(tag::kSymbol)},
                 {tag::kSide, about.get(tag::kSide)},
                 {tag::kOrderQty, cli::fix::format_decimal(order_qty)},
                 {tag::kLeavesQty, cli::fix::format_decimal(order_qty - cum_qty)},
                 {tag::kCumQty, cli::fix::format_decimal(cum_qty)},
                 {tag::kAvgPx, cli::fix::format_decimal(avg_px)}};
  if (!about.get(tag::kOrigClOrdId).empty()) f.emplace_back(tag::kOrigClOrdId, about.get(tag::kOrigClOrdId));
  return f;
}

/// How many messages of `type` with ClOrdID `cl_ord_id` the broker took.
inline int count_of(const FixBroker& broker, const std::string& type, const std::string& cl_ord_id) {
  int n = 0;
  for (const FixMessage& m : broker.received()) {
    if (m.msg_type == type && m.get(cli::fix::tag::kClOrdId) == cl_ord_id) ++n;
  }
  return n;
}

}  // namespace ballast::testing
