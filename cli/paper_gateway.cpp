#include "cli/paper_gateway.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <ostream>
#include <zmq.hpp>

#include "core/wall_clock.hpp"
#include "execution/io/fill_codec.hpp"
#include "execution/io/order_codec.hpp"
#include "offline/orders_csv.hpp"

namespace ballast::cli {
namespace {

using Clock = std::chrono::steady_clock;

// The poll timeout when nothing is due: how quickly the stop flag is noticed.
constexpr auto kStopCheckInterval = std::chrono::milliseconds(100);

/// Shortest round-trip digits in plain notation: "12", "0.5", "1000000".
std::string format_quantity(double q) {
  char buf[400];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, q, std::chars_format::fixed);
  if (ec != std::errc()) return "?";
  return std::string(buf, ptr);
}

std::string format_price(double p) {
  char buf[64];
  // Cents for ordinary prices; significant digits for sub-unit ones (crypto pairs, FX).
  if (std::abs(p) >= 1.0) {
    std::snprintf(buf, sizeof buf, "%.2f", p);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.8f", p);
  std::string out = buf;
  while (out.size() > 1 && out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out;
}

/// A finite number, or a JSON string holding one.
bool read_number(const simdjson::dom::object& obj, std::string_view key, double& out) {
  simdjson::dom::element e;
  if (obj[key].get(e) != simdjson::SUCCESS) return false;
  if (e.is_number()) return e.get_double().get(out) == simdjson::SUCCESS && std::isfinite(out);
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size() && std::isfinite(out);
}

/// All frames of one message; empty when none was waiting.
std::vector<std::string> receive_message(zmq::socket_t& socket) {
  std::vector<std::string> frames;
  zmq::message_t msg;
  if (!socket.recv(msg, zmq::recv_flags::dontwait)) return frames;
  frames.emplace_back(static_cast<const char*>(msg.data()), msg.size());
  while (msg.more()) {
    // The rest of a multipart message is already here: ZeroMQ delivers it atomically.
    if (!socket.recv(msg, zmq::recv_flags::dontwait)) break;
    frames.emplace_back(static_cast<const char*>(msg.data()), msg.size());
  }
  return frames;
}

/// A frame of the order queue waiting out the latency.
struct PendingFrame {
  execution::DecodedFrame frame;
  Clock::time_point due;
};

}  // namespace

// ---------------------------------------------------------------------------
// The pure part

std::string describe_report(const core::Order& order, const core::FillReport& report) {
  const std::string side(core::to_string(order.side));
  const std::string head = report.order_id + " " + side + " ";
  switch (report.status) {
    case core::FillStatus::filled:
      return "FILL " + head + format_quantity(report.filled_quantity) + " " + order.symbol + " @ " +
             format_price(report.avg_price);
    case core::FillStatus::partially_filled:
      return "PARTIAL " + head + format_quantity(report.filled_quantity) + "/" + format_quantity(order.quantity) +
             " " + order.symbol + " @ " + format_price(report.avg_price);
    case core::FillStatus::rejected:
      return "REJECT " + head + format_quantity(order.quantity) + " " + order.symbol;
    case core::FillStatus::cancelled: {
      std::string line = "CANCEL " + head + format_quantity(order.quantity) + " " + order.symbol;
      if (order.order_type == core::OrderType::limit) line += " limit " + format_price(order.limit_price);
      return line;
    }
  }
  return "REPORT " + head;
}

std::string describe_resting(const core::Order& order, bool replaced) {
  return std::string(replaced ? "REPLACED " : "OPEN ") + order.order_id + " " + std::string(core::to_string(order.side)) +
         " " + format_quantity(order.quantity) + " " + order.symbol + " limit " + format_price(order.limit_price);
}

std::optional<FeedPrice> read_feed_price(const std::vector<std::string>& frames) {
  if (frames.empty()) return std::nullopt;
  std::string_view topic;
  std::string_view json;
  if (frames.size() >= 2) {
    topic = frames[0];
    json = frames[1];
  } else {
    const std::string_view frame = frames[0];
    if (!frame.empty() && frame.front() == '{') {
      json = frame;
    } else {
      const std::size_t space = frame.find(' ');
      if (space == std::string_view::npos) return std::nullopt;
      topic = frame.substr(0, space);
      json = frame.substr(space + 1);
    }
  }
  if (json.size() > net::kMaxTickBytes) return std::nullopt;

  // One parser per thread keeps its buffers between messages.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS) return std::nullopt;
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return std::nullopt;

  FeedPrice result;
  std::string_view symbol;
  if (obj["symbol"].get_string().get(symbol) == simdjson::SUCCESS && !symbol.empty()) {
    result.symbol = std::string(symbol);
  } else {
    result.symbol = std::string(topic);
  }
  if (result.symbol.empty()) return std::nullopt;

  double bid = 0, ask = 0;
  const bool quoted = read_number(obj, "bid", bid) && read_number(obj, "ask", ask);
  if (quoted) {
    result.bid = bid;
    result.ask = ask;
  }
  if (!read_number(obj, "price", result.price)) {
    if (!quoted) return std::nullopt;
    result.price = (bid + ask) / 2;
  }
  if (!std::isfinite(result.price) || result.price <= 0) return std::nullopt;
  return result;
}

// ---------------------------------------------------------------------------
// The socket loop

PaperStats run_paper_loop(const PaperOptions& options, const std::atomic<bool>& stop, std::ostream& out,
                          std::ostream& err) {
  PaperStats stats;
  const double bps = options.rules.slippage_bps;
  if (!std::isfinite(bps) || bps < 0 || bps >= 1e4) {
    stats.exit_code = 2;
    stats.error = "slippage must be in [0, 10000) basis points";
    return stats;
  }
  if (options.latency.count() < 0) {
    stats.exit_code = 2;
    stats.error = "latency must be >= 0";
    return stats;
  }
  if (options.orders_endpoint.empty()) {
    stats.exit_code = 2;
    stats.error = "an order endpoint is required";
    return stats;
  }

  zmq::context_t context(1);
  zmq::socket_t orders;
  zmq::socket_t fills;
  zmq::socket_t feed;
  std::string step;
  try {
    const int linger = static_cast<int>(options.linger.count());
    step = (options.bind ? "cannot bind orders endpoint " : "cannot connect to orders endpoint ") +
           options.orders_endpoint;
    orders = zmq::socket_t(context, zmq::socket_type::pull);
    orders.set(zmq::sockopt::linger, linger);
    if (options.curve) net::make_curve_client(orders, *options.curve);
    net::cap_messages(orders, net::kMaxOrderBytes);
    options.bind ? orders.bind(options.orders_endpoint) : orders.connect(options.orders_endpoint);
    if (!options.fills_endpoint.empty()) {
      step = (options.bind ? "cannot bind fills endpoint " : "cannot connect to fills endpoint ") +
             options.fills_endpoint;
      fills = zmq::socket_t(context, zmq::socket_type::push);
      fills.set(zmq::sockopt::linger, linger);
      if (options.curve) net::make_curve_client(fills, *options.curve);
      net::cap_messages(fills, net::kMaxControlBytes);
      options.bind ? fills.bind(options.fills_endpoint) : fills.connect(options.fills_endpoint);
    }
    if (!options.feed_endpoint.empty()) {
      step = "cannot connect to feed " + options.feed_endpoint;
      feed = zmq::socket_t(context, zmq::socket_type::sub);
      feed.set(zmq::sockopt::linger, 0);
      feed.set(zmq::sockopt::subscribe, "");
      net::cap_messages(feed, net::kMaxTickBytes);
      feed.connect(options.feed_endpoint);
    }
  } catch (const zmq::error_t& e) {
    stats.exit_code = 1;
    stats.error = step + ": " + e.what();
    return stats;
  }

  std::ofstream record;
  if (!options.record_path.empty()) {
    record.open(options.record_path, std::ios::binary | std::ios::app);
    if (!record) {
      stats.exit_code = 1;
      stats.error = "cannot open record file " + options.record_path + ": " + std::strerror(errno);
      return stats;
    }
    if (record.tellp() == 0) record << offline::orders_csv_header() << std::flush;
  }
  std::string record_line;

  PaperFiller filler(options.rules);
  std::deque<PendingFrame> pending;
  std::deque<std::string> backlog;  // encoded reports the fills socket has not taken yet

  const auto flush_backlog = [&] {
    while (!backlog.empty()) {
      // dontwait: with no daemon attached a bound PUSH would block here and
      // freeze price updates and the stop flag.
      if (!fills.send(zmq::buffer(backlog.front()), zmq::send_flags::dontwait)) return;
      backlog.pop_front();
      ++stats.reports_sent;
    }
  };

  const auto emit = [&](const std::vector<PaperReport>& reports) {
    for (const PaperReport& r : reports) {
      out << describe_report(r.order, r.report) << '\n';
      switch (r.report.status) {
        case core::FillStatus::filled: ++stats.filled; break;
        case core::FillStatus::partially_filled: ++stats.partial_reports; break;
        case core::FillStatus::rejected: ++stats.rejected; break;
        case core::FillStatus::cancelled: ++stats.cancelled; break;
      }
      if (fills) {
        std::string frame;
        execution::encode_fill(r.report, frame);
        backlog.push_back(std::move(frame));
      }
    }
  };

  const auto execute_due = [&](Clock::time_point now) {
    while (!pending.empty() && pending.front().due <= now) {
      const execution::DecodedFrame frame = std::move(pending.front().frame);
      pending.pop_front();
      const core::TimeNs at = core::wall_clock_now();
      if (frame.kind == execution::FrameKind::order) {
        const PaperOutcome outcome = filler.submit(frame.order, at);
        if (!outcome.dropped.empty()) {
          ++stats.dropped;
          err << "paper: order " << frame.order.order_id << " dropped: " << outcome.dropped << std::endl;
        } else if (outcome.reports.empty()) {
          out << describe_resting(frame.order, false) << '\n';
        }
        emit(outcome.reports);
      } else {
        const core::OrderAmendment& a = frame.amendment;
        const PaperOutcome outcome = filler.amend(a, at);
        if (!outcome.dropped.empty()) {
          ++stats.dropped;
          err << "paper: " << (a.action == core::AmendAction::cancel ? "cancel " : "replace ") << a.request_id
              << " of " << a.order_id << " dropped: " << outcome.dropped << std::endl;
        } else if (outcome.reports.empty()) {
          core::Order now_resting;
          now_resting.order_id = a.order_id;
          now_resting.side = a.side;
          now_resting.symbol = a.symbol;
          now_resting.quantity = a.quantity;
          now_resting.limit_price = a.limit_price;
          out << describe_resting(now_resting, true) << '\n';
        }
        emit(outcome.reports);
      }
      out.flush();
    }
  };

  while (!stop.load()) {
    try {
      auto timeout = kStopCheckInterval;
      const auto now = Clock::now();
      if (!pending.empty()) {
        const auto until_due = std::chrono::ceil<std::chrono::milliseconds>(pending.front().due - now);
        timeout = std::clamp(until_due, std::chrono::milliseconds(0), kStopCheckInterval);
      }
      zmq_pollitem_t items[3];
      int count = 0;
      items[count++] = {orders.handle(), 0, ZMQ_POLLIN, 0};
      const int feed_index = feed ? count : -1;
      if (feed) items[count++] = {feed.handle(), 0, ZMQ_POLLIN, 0};
      if (fills && !backlog.empty()) items[count++] = {fills.handle(), 0, ZMQ_POLLOUT, 0};
      if (zmq_poll(items, count, static_cast<long>(timeout.count())) < 0) {
        if (zmq_errno() == EINTR) continue;  // a signal; the loop condition decides
        stats.exit_code = 1;
        stats.error = std::string("poll failed: ") + zmq_strerror(zmq_errno());
        break;
      }

      // Prices first, so an order that arrived with them fills at the newest one.
      if (feed_index >= 0 && (items[feed_index].revents & ZMQ_POLLIN)) {
        for (auto frames = receive_message(feed); !frames.empty(); frames = receive_message(feed)) {
          if (auto p = read_feed_price(frames)) {
            emit(filler.on_price(p->symbol, p->price, core::wall_clock_now(), p->bid, p->ask));
            ++stats.prices;
          }
        }
      }
      if (items[0].revents & ZMQ_POLLIN) {
        for (auto frames = receive_message(orders); !frames.empty(); frames = receive_message(orders)) {
          execution::DecodedFrame decoded;
          if (frames.size() != 1) {
            decoded.error = "expected one frame, got " + std::to_string(frames.size());
          } else {
            decoded = execution::decode_order_frame(frames[0]);
          }
          if (!decoded.ok) {
            ++stats.malformed;
            err << "paper: malformed order dropped: " << decoded.error << std::endl;
            continue;
          }
          ++(decoded.kind == execution::FrameKind::order ? stats.orders : stats.amendments);
          if (record.is_open() && decoded.kind == execution::FrameKind::order) {
            record_line.clear();
            offline::append_order_csv(record_line, decoded.order);
            record << record_line << std::flush;
          }
          pending.push_back({std::move(decoded), Clock::now() + options.latency});
        }
      }
      execute_due(Clock::now());
      out.flush();
      if (fills) flush_backlog();
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      stats.exit_code = 1;
      stats.error = std::string("socket error: ") + e.what();
      break;
    }
  }

  // Orders already received but still waiting out the latency are not filled:
  // a stop means stop, and the daemon treats them as open orders.
  if (fills) {
    try {
      flush_backlog();
    } catch (const zmq::error_t&) {
      // Counted as dropped below.
    }
  }
  stats.reports_dropped = backlog.size();
  stats.resting = filler.resting();
  return stats;
}

int run_paper_gateway(const PaperOptions& options, const std::atomic<bool>& stop, std::ostream& out,
                      std::ostream& err) {
  out << "paper: orders from " << options.orders_endpoint << ", fills to "
      << (options.fills_endpoint.empty() ? std::string("(none, printing only)") : options.fills_endpoint)
      << ", prices from " << (options.feed_endpoint.empty() ? std::string("(none)") : options.feed_endpoint);
  if (options.curve) out << ", CURVE to the daemon";
  if (options.rules.slippage_bps > 0) out << ", slippage " << options.rules.slippage_bps << " bps";
  if (options.rules.reject_every > 0) out << ", rejecting every " << options.rules.reject_every << " orders";
  if (options.rules.partial) out << ", partial fills";
  if (options.latency.count() > 0) out << ", latency " << options.latency.count() << " ms";
  if (!options.record_path.empty()) out << ", recording orders to " << options.record_path;
  out << std::endl;

  const PaperStats s = run_paper_loop(options, stop, out, err);
  if (s.exit_code != 0) {
    err << "paper: " << s.error << std::endl;
    return s.exit_code;
  }
  out << "paper: " << s.orders << " orders: " << s.filled << " filled, " << s.rejected << " rejected, "
      << s.cancelled << " cancelled, " << s.resting << " still open; " << s.amendments << " cancels and replaces; "
      << s.malformed << " malformed, " << s.dropped << " dropped; " << s.reports_sent << " reports sent";
  if (s.reports_dropped > 0) out << ", " << s.reports_dropped << " undelivered";
  out << "; " << s.prices << " prices" << std::endl;
  return 0;
}

}  // namespace ballast::cli
