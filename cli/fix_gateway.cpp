#include "cli/fix_gateway.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <set>
#include <string_view>
#include <system_error>
#include <zmq.hpp>

#include "cli/fix_journal.hpp"
#include "cli/fix_mapping.hpp"
#include "cli/fix_session.hpp"
#include "cli/paper_gateway.hpp"
#include "core/wall_clock.hpp"
#include "execution/io/fill_codec.hpp"
#include "execution/io/order_codec.hpp"

namespace ballast::cli {
namespace {

using Clock = std::chrono::steady_clock;

// The poll timeout when nothing is due: how quickly the stop flag is noticed.
constexpr auto kStopCheckInterval = std::chrono::milliseconds(100);
// Lines about untrusted input: at most one per kind in this interval.
constexpr auto kWarnInterval = std::chrono::seconds(10);

std::string seconds_of(core::DurationNs d) { return std::to_string(d / core::kNanosPerSecond); }

/// Where the crash tests kill the gateway (BALLAST_FIX_CRASH_AT=before_send|
/// after_send|before_report): SIGKILL, as kill -9 would, the first time it
/// gets there. before_send: a decision is journaled, its message not yet handed
/// to the session; after_send: handed to the session, not yet marked sent;
/// before_report: a report is journaled, not yet handed to the daemon.
void crash_point(std::string_view here) {
  static const std::string armed = [] {
    const char* v = std::getenv("BALLAST_FIX_CRASH_AT");
    return std::string(v ? v : "");
  }();
  if (!armed.empty() && armed == here) ::raise(SIGKILL);
}

/// Lines about untrusted input, at most one per kind per interval, with the
/// count of those held back.
class WarnLimiter {
 public:
  /// The line to print now, or empty when it is held back.
  std::string admit(const std::string& kind, const std::string& line) {
    Entry& e = entries_[kind];
    const auto now = Clock::now();
    if (e.printed && now - e.last < kWarnInterval) {
      ++e.held;
      return {};
    }
    std::string out = line;
    if (e.held > 0) out += " (" + std::to_string(e.held) + " more like it held back)";
    e = Entry{true, now, 0};
    return out;
  }

 private:
  struct Entry {
    bool printed = false;
    Clock::time_point last;
    std::uint64_t held = 0;
  };
  std::map<std::string, Entry> entries_;
};

class Gateway final : public fix::SessionHandler {
 public:
  Gateway(const FixGatewayOptions& options, std::ostream& out, std::ostream& err)
      : options_(options), out_(out), err_(err) {}
  ~Gateway() override {
    if (wake_fd_ >= 0) ::close(wake_fd_);
  }

  FixGatewayStats run(const std::atomic<bool>& stop);

  // SessionHandler, on the session's thread.
  void on_logon() override { say("logged on to " + options_.fix.target_comp_id); }
  void on_logout() override { say("logged out of " + options_.fix.target_comp_id); }
  void on_event(const std::string& text) override { say(text); }
  void on_message(const std::string& msg_type, const fix::SessionFields& body) override;

 private:
  struct Counters {
    std::atomic<std::uint64_t> orders{0}, amendments{0}, malformed{0}, dropped{0}, sent{0}, venue_messages{0},
        venue_unusable{0}, reports_sent{0};
  };

  void say(const std::string& line) {
    std::lock_guard lock(log_mutex_);
    out_ << "fix: " << line << std::endl;
  }
  void warn(const std::string& kind, const std::string& line) {
    std::lock_guard lock(log_mutex_);
    const std::string admitted = limiter_.admit(kind, line);
    if (!admitted.empty()) err_ << "fix: " << admitted << std::endl;
  }

  /// Journals what `d` changed (under state_mutex_, held by the caller) and
  /// queues its reports for the daemon.
  void commit(const fix::Decision& d);
  /// Hands `messages` to the session, each marked as sent in the journal after.
  void send_all(const std::vector<fix::Outgoing>& messages);
  /// Re-sends what was journaled but may not have reached the session's store.
  void recover();
  void handle_frame(const std::string& frame);
  /// Hands what the outbox holds to the daemon's socket, as far as it takes them.
  void deliver(zmq::socket_t& fills);
  void wake() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(wake_fd_, &one, sizeof one);
  }
  void fail(const std::string& why) {
    std::lock_guard lock(state_mutex_);
    if (fatal_.empty()) fatal_ = why;
  }

  const FixGatewayOptions& options_;
  std::ostream& out_;
  std::ostream& err_;
  std::mutex log_mutex_;
  WarnLimiter limiter_;

  // The book, the journal and the outbox are shared by the loop and the session's thread.
  std::mutex state_mutex_;
  fix::FixBook book_;
  std::unique_ptr<fix::FixJournal> journal_;
  std::deque<fix::OutboxEntry> outbox_;
  std::string fatal_;  // set once: the loop stops with it

  std::unique_ptr<fix::FixSession> session_;
  int wake_fd_ = -1;
  Counters counters_;
};

void Gateway::commit(const fix::Decision& d) {
  const std::vector<fix::OutboxEntry> entries = journal_->save(book_, d.changed, d.request_id, d.to_daemon);
  // Here, under the lock the delivering thread takes: once the entries are in
  // the outbox that thread may hand them over before this one goes on.
  if (!entries.empty()) crash_point("before_report");
  outbox_.insert(outbox_.end(), entries.begin(), entries.end());
}

void Gateway::send_all(const std::vector<fix::Outgoing>& messages) {
  for (const fix::Outgoing& m : messages) {
    crash_point("before_send");
    if (!session_->send(m.msg_type, m.fields)) {
      fail("the FIX session could not store " + m.cl_ord_id + " (see the session log)");
      return;
    }
    crash_point("after_send");
    ++counters_.sent;
    say(std::string(m.msg_type == "D" ? "NewOrderSingle " : m.msg_type == "F" ? "OrderCancelRequest "
                                                                               : "OrderCancelReplaceRequest ") +
        m.cl_ord_id);
    std::lock_guard lock(state_mutex_);
    if (book_.mark_sent(m.order_id, m.cl_ord_id)) journal_->save(book_, {m.order_id}, {}, {});
  }
}

void Gateway::recover() {
  std::vector<std::string> unsent;
  int floor = 0;
  for (const auto& [id, rec] : book_.orders()) {
    if (rec.unsent.empty()) continue;
    unsent.push_back(id);
    floor = floor == 0 ? rec.unsent_floor : std::min(floor, rec.unsent_floor);
  }
  if (unsent.empty()) return;
  std::sort(unsent.begin(), unsent.end());
  const std::vector<std::string> stored = session_->stored_cl_ord_ids(std::max(floor, 1));
  const std::set<std::string> in_store(stored.begin(), stored.end());
  for (const std::string& id : unsent) {
    const fix::FixOrder& rec = *book_.find(id);
    const std::string cl = rec.unsent;
    if (in_store.contains(cl)) {
      // It reached the store: the session sends it, or resends it after the logon.
      book_.mark_sent(id, cl);
      journal_->save(book_, {id}, {}, {});
      continue;
    }
    if (std::optional<fix::Outgoing> m = book_.unsent_message(id, core::wall_clock_now())) {
      say("sending " + cl + ", which the last run decided but did not hand to the session");
      send_all({*m});
    } else {
      book_.mark_sent(id, cl);
      journal_->save(book_, {id}, {}, {});
    }
  }
}

void Gateway::handle_frame(const std::string& frame) {
  execution::DecodedFrame decoded = execution::decode_order_frame(frame);
  if (!decoded.ok) {
    ++counters_.malformed;
    warn("malformed", "malformed frame dropped: " + decoded.error);
    return;
  }
  const int seq = session_->next_sender_seq();
  const core::TimeNs now = core::wall_clock_now();
  fix::Decision d;
  {
    std::lock_guard lock(state_mutex_);
    if (decoded.kind == execution::FrameKind::order) {
      ++counters_.orders;
      d = book_.on_order(decoded.order, now, seq);
    } else {
      ++counters_.amendments;
      d = book_.on_amendment(decoded.amendment, now, seq);
    }
    commit(d);
  }
  if (!d.dropped.empty()) {
    ++counters_.dropped;
    const std::string what = decoded.kind == execution::FrameKind::order
                                 ? "order " + decoded.order.order_id
                                 : decoded.amendment.request_id + " for " + decoded.amendment.order_id;
    say(what + " dropped: " + d.dropped);
  }
  for (const std::string& line : d.log) say(line);
  send_all(d.to_venue);
}

void Gateway::on_message(const std::string& msg_type, const fix::SessionFields& body) {
  const int seq = session_->next_sender_seq();
  const core::TimeNs now = core::wall_clock_now();
  fix::Decision d;
  if (msg_type == "8" || msg_type == "9") {
    std::string error;
    {
      std::lock_guard lock(state_mutex_);
      if (msg_type == "8") {
        const fix::DecodedExecutionReport er = fix::decode_execution_report(body);
        if (er.ok) d = book_.on_execution_report(er.report, now, seq);
        error = er.error;
      } else {
        const fix::DecodedCancelReject rj = fix::decode_cancel_reject(body);
        if (rj.ok) d = book_.on_cancel_reject(rj.reject, now, seq);
        error = rj.error;
      }
      // A journal that cannot be written throws here: the session stops the
      // process before the message counts as processed.
      if (error.empty()) commit(d);
    }
    if (!error.empty()) {
      ++counters_.venue_unusable;
      warn("venue", "unusable message " + msg_type + " from the venue dropped: " + error);
      return;
    }
    ++counters_.venue_messages;
  } else {
    ++counters_.venue_unusable;
    std::string text;
    for (const auto& [t, v] : body) {
      if (t == fix::tag::kText) text = v;
    }
    warn("venue-type", "message of type " + msg_type + " from the venue ignored" + (text.empty() ? "" : ": " + text));
    return;
  }
  if (!d.dropped.empty()) warn("venue-unknown", "report from the venue dropped: " + d.dropped);
  for (const std::string& line : d.log) say(line);
  for (const core::FillReport& r : d.to_daemon) {
    std::lock_guard lock(state_mutex_);
    if (const fix::FixOrder* rec = book_.find(r.order_id)) say(describe_report(rec->order, r));
  }
  send_all(d.to_venue);
  if (!d.to_daemon.empty()) wake();
}

void Gateway::deliver(zmq::socket_t& fills) {
  while (true) {
    fix::OutboxEntry entry;
    {
      std::lock_guard lock(state_mutex_);
      if (outbox_.empty()) return;
      entry = outbox_.front();
    }
    // Only when the socket takes a message without blocking (the loop polled
    // POLLOUT, or this checks it), so a report marked delivered is handed over.
    if (!(fills.get(zmq::sockopt::events) & ZMQ_POLLOUT)) return;
    std::string frame;
    execution::encode_fill(entry.report, frame);
    // A partial report is marked before it leaves and a final one after: a
    // crash in between loses a partial one (the next report carries its
    // quantity) and repeats a final one (the daemon refuses it, the order is
    // no longer open), so no partial report comes twice and the final one
    // comes at least once.
    const bool final = entry.report.status != core::FillStatus::partially_filled;
    if (!final) {
      std::lock_guard lock(state_mutex_);
      journal_->delivered(entry.id);
      outbox_.pop_front();
    }
    if (!fills.send(zmq::buffer(frame), zmq::send_flags::dontwait)) {
      if (!final) warn("lost", "report for " + entry.report.order_id + " lost: the fills socket refused it");
      return;
    }
    ++counters_.reports_sent;
    if (final) {
      std::lock_guard lock(state_mutex_);
      journal_->delivered(entry.id);
      outbox_.pop_front();
    }
  }
}

FixGatewayStats Gateway::run(const std::atomic<bool>& stop) {
  FixGatewayStats stats;
  const config::FixConfig& cfg = options_.fix;
  const auto failed = [&](std::string why) {
    stats.exit_code = 1;
    stats.error = std::move(why);
    return stats;
  };
  if (options_.fix.orders_endpoint.empty() || options_.fix.fills_endpoint.empty()) {
    return failed("the gateway needs the daemon's order and fills endpoints");
  }

  const std::filesystem::path dir(cfg.state_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir / "store", ec);
  if (!ec) std::filesystem::create_directories(dir / "log", ec);
  if (ec) return failed("cannot create " + cfg.state_dir + ": " + ec.message());

  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return failed(std::string("eventfd: ") + std::strerror(errno));

  fix::SessionSettings settings;
  settings.sender_comp_id = cfg.sender_comp_id;
  settings.target_comp_id = cfg.target_comp_id;
  settings.host = cfg.host;
  settings.port = cfg.port;
  settings.heartbeat_s = static_cast<int>(cfg.heartbeat / core::kNanosPerSecond);
  settings.reconnect_s = static_cast<int>(cfg.reconnect_interval / core::kNanosPerSecond);
  settings.store_dir = (dir / "store").string();
  settings.log_dir = (dir / "log").string();

  zmq::context_t context(1);
  zmq::socket_t orders;
  zmq::socket_t fills;
  try {
    journal_ = std::make_unique<fix::FixJournal>((dir / "orders.db").string());
    const std::vector<fix::OutboxEntry> pending = journal_->load(book_);
    outbox_.assign(pending.begin(), pending.end());
    session_ = std::make_unique<fix::FixSession>(settings, *this);
    recover();
    if (!fatal_.empty()) return failed(fatal_);

    std::string step;
    try {
      const int linger = static_cast<int>(options_.linger.count());
      step = (cfg.bind ? "cannot bind orders endpoint " : "cannot connect to orders endpoint ") + cfg.orders_endpoint;
      orders = zmq::socket_t(context, zmq::socket_type::pull);
      orders.set(zmq::sockopt::linger, linger);
      if (options_.curve) net::make_curve_client(orders, *options_.curve);
      net::cap_messages(orders, net::kMaxOrderBytes);
      cfg.bind ? orders.bind(cfg.orders_endpoint) : orders.connect(cfg.orders_endpoint);
      step = (cfg.bind ? "cannot bind fills endpoint " : "cannot connect to fills endpoint ") + cfg.fills_endpoint;
      fills = zmq::socket_t(context, zmq::socket_type::push);
      fills.set(zmq::sockopt::linger, linger);
      // Queue reports only to a daemon that is connected: a report is marked
      // handed over when the socket takes it, and one queued for a daemon that
      // is away would die with this process.
      fills.set(zmq::sockopt::immediate, 1);
      if (options_.curve) net::make_curve_client(fills, *options_.curve);
      net::cap_messages(fills, net::kMaxControlBytes);
      cfg.bind ? fills.bind(cfg.fills_endpoint) : fills.connect(cfg.fills_endpoint);
    } catch (const zmq::error_t& e) {
      return failed(step + ": " + e.what());
    }
    {
      std::lock_guard lock(state_mutex_);
      say("journal " + journal_->path() + ": " + std::to_string(book_.orders().size()) + " orders, " +
          std::to_string(book_.open_orders()) + " open, " + std::to_string(outbox_.size()) + " reports to hand over");
    }
    session_->start();
  } catch (const std::exception& e) {
    // The journal, the session's store or its settings.
    return failed(e.what());
  }

  while (!stop.load()) {
    try {
      {
        std::lock_guard lock(state_mutex_);
        if (!fatal_.empty()) break;
      }
      bool waiting = false;
      {
        std::lock_guard lock(state_mutex_);
        waiting = !outbox_.empty();
      }
      zmq_pollitem_t items[3] = {{orders.handle(), 0, ZMQ_POLLIN, 0},
                                 {nullptr, wake_fd_, ZMQ_POLLIN, 0},
                                 {fills.handle(), 0, ZMQ_POLLOUT, 0}};
      if (zmq_poll(items, waiting ? 3 : 2, static_cast<long>(kStopCheckInterval.count())) < 0) {
        if (zmq_errno() == EINTR) continue;
        fail(std::string("poll failed: ") + zmq_strerror(zmq_errno()));
        break;
      }
      if (items[1].revents & ZMQ_POLLIN) {
        std::uint64_t n = 0;
        [[maybe_unused]] const auto r = ::read(wake_fd_, &n, sizeof n);
      }
      if (items[0].revents & ZMQ_POLLIN) {
        zmq::message_t msg;
        while (orders.recv(msg, zmq::recv_flags::dontwait)) {
          if (msg.more()) {
            // One frame per order: the rest of a multipart message is dropped with it.
            ++counters_.malformed;
            warn("malformed", "malformed frame dropped: a multipart message");
            while (msg.more() && orders.recv(msg, zmq::recv_flags::dontwait)) {
            }
            continue;
          }
          handle_frame(msg.to_string());
        }
      }
      deliver(fills);
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      fail(std::string("socket error: ") + e.what());
      break;
    } catch (const std::exception& e) {
      fail(e.what());
      break;
    }
  }

  session_->stop();
  try {
    deliver(fills);
  } catch (const std::exception&) {
    // Left in the outbox: the next run hands them over.
  }
  {
    std::lock_guard lock(state_mutex_);
    if (!fatal_.empty()) {
      stats.exit_code = 1;
      stats.error = fatal_;
    }
    stats.reports_waiting = outbox_.size();
  }
  stats.orders = counters_.orders;
  stats.amendments = counters_.amendments;
  stats.malformed = counters_.malformed;
  stats.dropped = counters_.dropped;
  stats.sent = counters_.sent;
  stats.venue_messages = counters_.venue_messages;
  stats.venue_unusable = counters_.venue_unusable;
  stats.reports_sent = counters_.reports_sent;
  return stats;
}

}  // namespace

FixGatewayStats run_fix_loop(const FixGatewayOptions& options, const std::atomic<bool>& stop, std::ostream& out,
                             std::ostream& err) {
  Gateway gateway(options, out, err);
  return gateway.run(stop);
}

int run_fix_gateway(const FixGatewayOptions& options, const std::atomic<bool>& stop, std::ostream& out,
                    std::ostream& err) {
  const config::FixConfig& f = options.fix;
  out << "fix: " << f.sender_comp_id << " -> " << f.target_comp_id << " at " << f.host << ":" << f.port
      << " (FIX.4.4, heartbeat " << seconds_of(f.heartbeat) << "s), orders from " << f.orders_endpoint
      << ", fills to " << f.fills_endpoint << (options.curve ? " (CURVE)" : "") << ", state in " << f.state_dir
      << std::endl;
  const FixGatewayStats s = run_fix_loop(options, stop, out, err);
  if (s.exit_code != 0) {
    err << "fix: " << s.error << std::endl;
    return s.exit_code;
  }
  out << "fix: " << s.orders << " orders, " << s.amendments << " cancels and replaces, " << s.malformed
      << " malformed, " << s.dropped << " dropped; " << s.sent << " messages to the venue, " << s.venue_messages
      << " from it (" << s.venue_unusable << " unusable); " << s.reports_sent << " reports sent";
  if (s.reports_waiting > 0) out << ", " << s.reports_waiting << " kept for the next run";
  out << std::endl;
  return 0;
}

}  // namespace ballast::cli
