#include "daemon/daemon.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <sched.h>
#include <signal.h>

#include <cstdlib>
#include <thread>

#include <chrono>
#include <deque>
#include <optional>
#include <zmq.hpp>

#include "core/json_writer.hpp"
#include "core/wire_values.hpp"
#include "daemon/http_server.hpp"
#include "daemon/kill_switch_file.hpp"
#include "daemon/latency_recorder.hpp"
#include "daemon/logging.hpp"
#include "daemon/metrics.hpp"
#include "daemon/persistence.hpp"
#include "daemon/sequence_file.hpp"
#include "daemon/service_notifier.hpp"
#include "daemon/status_limits.hpp"
#include "daemon/transport_security.hpp"
#include "engine/engine.hpp"
#include "execution/io/fill_codec.hpp"
#include "execution/io/order_codec.hpp"
#include "execution/io/order_sender.hpp"
#include "feeds/tick_decoder.hpp"
#include "feeds/price_table.hpp"
#include "feeds/tick_guard.hpp"
#include "feeds/zmq_reader.hpp"

namespace ballast::daemon {
namespace {

using Clock = std::chrono::steady_clock;

core::TimeNs wall_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view mode_name(config::ExecutionMode m) { return m == config::ExecutionMode::live ? "live" : "dry-run"; }

/// Where the crash tests kill the daemon in the middle of a rebalance
/// (BALLASTD_CRASH_AT=before_commit|after_commit|after_send): SIGKILL, as a
/// power cut or kill -9 would, at exactly that point of the first rebalance.
enum class CrashPoint { none, before_commit, after_commit, after_send };

CrashPoint crash_point_from_env() {
  const char* v = std::getenv("BALLASTD_CRASH_AT");
  if (!v) return CrashPoint::none;
  const std::string_view at(v);
  if (at == "before_commit") return CrashPoint::before_commit;
  if (at == "after_commit") return CrashPoint::after_commit;
  if (at == "after_send") return CrashPoint::after_send;
  return CrashPoint::none;
}

bool crash_armed(CrashPoint here) {
  static const CrashPoint armed = crash_point_from_env();
  return armed != CrashPoint::none && armed == here;
}

void crash_point(CrashPoint here) {
  if (!crash_armed(here)) return;
  // After the send, give ZeroMQ's I/O thread the moment it needs to put the
  // orders on the wire, so that the crash falls between send and fill.
  if (here == CrashPoint::after_send) std::this_thread::sleep_for(std::chrono::seconds(1));
  ::raise(SIGKILL);
}

/// "; N more like it since the last warning", or nothing.
std::string held_text(std::uint64_t held) {
  return held ? fmt::format("; {} more of this kind since the last warning", held) : std::string();
}

/// One [[feeds]] entry at run time.
struct Feed {
  config::FeedConfig cfg;
  feeds::TickDecoder decoder;
  feeds::TickGuard::Limits limits;
  std::unique_ptr<feeds::ZmqReader> reader;
  std::uint64_t received = 0;
  std::uint64_t accepted = 0;
  std::array<std::uint64_t, core::kRejectReasonCount> rejected{};
  core::TimeNs last_accepted_at = 0;
  Counter* ticks_metric = nullptr;
  std::array<Counter*, core::kRejectReasonCount> reject_metrics{};

  explicit Feed(config::FeedConfig c)
      : cfg(std::move(c)), decoder(cfg.format), limits{cfg.max_jump, cfg.jump_confirm, cfg.stale_after, cfg.max_future} {}
};

/// An order as /status shows it after it left (or, in dry-run, would have).
struct RecentOrder {
  core::Order order;
  bool sent = false;
};

class Daemon {
 public:
  explicit Daemon(config::Config cfg);
  int run();

 private:
  bool setup();
  void setup_metrics();
  void on_feed_message(Feed& feed, std::span<zmq::message_t> frames, std::size_t count);
  void reject(Feed& feed, core::RejectReason reason, std::string_view detail, core::TimeNs now);
  void on_fill_message(std::span<zmq::message_t> frames, std::size_t count);
  void handle_output(Clock::time_point received);
  void on_timer();
  void arm_timer();
  /// Waits for the next signal; SIGHUP reloads and waits again, SIGTERM and SIGINT stop.
  void wait_for_signal();
  void refresh_staleness(core::TimeNs now);
  /// Commits what is waiting (sent marks); a failure turns the kill switch on.
  void flush_state(core::TimeNs now);
  void reload(const char* why, std::string* error_out);
  /// Replays `[portfolios.risk] history` into the portfolio's estimate; an error text on failure.
  std::string warm_from_history(std::size_t portfolio);
  void shutdown();

  HttpResponse handle_http(const HttpRequest& req);
  HttpResponse control(const HttpRequest& req);
  /// POST /control/orders/resolve: an operator finishes an order whose fate was unknown.
  HttpResponse resolve_order(const HttpRequest& req);
  std::string status_json() const;
  /// Every reason the daemon is not healthy: stale feeds and symbols, the
  /// kill switch, orders whose fate is unknown, a state file that cannot be
  /// written. Empty when healthy.
  std::vector<std::string> health_problems(core::TimeNs now) const;
  /// Turns the kill switch on or off in the engine and on disk (so that it
  /// survives a restart); `who` says why, for the log and the file.
  void set_kill_switch(bool on, std::string_view who);
  /// A write to the state file failed: no order leaves (kill switch on) and
  /// health says why until a write succeeds again.
  void state_write_failed(std::string_view what, const std::string& error);
  /// What systemd's STATUS= line says.
  ServiceSummary service_summary() const;

  config::Config cfg_;
  boost::asio::io_context io_;
  zmq::context_t zmq_{1};
  // Before the sockets, so that it is destroyed after them: they stay checked until closed.
  std::unique_ptr<TransportSecurity> transport_;
  std::vector<std::unique_ptr<Feed>> feeds_;
  std::unique_ptr<engine::Engine> engine_;
  feeds::TickGuard guard_{0};
  std::unique_ptr<execution::OrderSender> sender_;
  std::unique_ptr<feeds::ZmqReader> fills_reader_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<SequenceFile> sequences_;
  std::unique_ptr<Persistence> persistence_;  // null with durability = "off" or in dry-run
  bool book_on_send_ = true;
  core::TimeNs last_checkpoint_ = 0;
  std::vector<core::Order> resend_;  // from the state file: sent again once the queue is up
  boost::asio::steady_timer timer_{io_};
  boost::asio::signal_set signals_{io_};
  engine::Output out_;
  std::vector<std::string> encoded_;  // reused: encoding allocates only when a batch is larger than any before
  std::deque<RecentOrder> recent_orders_;
  std::deque<engine::Denial> recent_denials_;
  RateLimiter warn_limiter_;
  LatencyRecorder latency_;        // tick receipt → first order of its rebalance handed to ZeroMQ
  LatencyRecorder batch_latency_;  // tick receipt → last order of its rebalance handed to ZeroMQ
  Clock::time_point started_ = Clock::now();
  bool stopping_ = false;
  std::uint64_t fills_applied_ = 0, fills_unknown_ = 0, fills_malformed_ = 0, fills_inconsistent_ = 0;
  std::uint64_t orders_timed_out_ = 0, orders_resolved_ = 0;
  std::unique_ptr<KillSwitchFile> kill_file_;
  std::string state_error_;  ///< the last failed write to the state file; empty while writes succeed
  std::string kill_file_error_;  ///< the kill switch could not be recorded on disk
  std::uint64_t reloads_ = 0, reloads_refused_ = 0;
  ServiceNotifier notifier_;

  MetricsRegistry metrics_;
  CounterFamily* orders_metric_ = nullptr;
  CounterFamily* rebalances_metric_ = nullptr;
  CounterFamily* fills_metric_ = nullptr;
  CounterFamily* denied_metric_ = nullptr;
  Histogram* latency_metric_ = nullptr;
};

Daemon::Daemon(config::Config cfg) : cfg_(std::move(cfg)) {}

bool Daemon::setup() {
  // ZeroMQ's I/O thread wakes on every order sent. As a batch thread it does
  // not preempt the event loop mid-rebalance on a busy core; it runs as soon
  // as the loop waits, which is the moment the batch is out anyway. No
  // ZMQ_THREAD_PRIORITY: setting it (even to 0) makes ZeroMQ's I/O thread
  // abort with EPERM in any process that is not root's.
  zmq_ctx_set(zmq_.handle(), ZMQ_THREAD_SCHED_POLICY, SCHED_BATCH);
  sequences_ = std::make_unique<SequenceFile>(cfg_.daemon.state_dir);
  std::string error;
  const auto seq = sequences_->open(error);
  if (!seq) {
    spdlog::critical("{}", error);
    return false;
  }
  const bool fills = !cfg_.execution.fills_endpoint.empty() && cfg_.execution.mode == config::ExecutionMode::live;
  book_on_send_ = !fills;
  // Dry-run never writes the state file: what it books is make-believe.
  if (cfg_.daemon.durability != config::Durability::off && cfg_.execution.mode == config::ExecutionMode::live) {
    auto opened = Persistence::open(cfg_.daemon, error);
    if (!opened) {
      spdlog::critical("{}; not trading", error);
      return false;
    }
    persistence_ = std::make_unique<Persistence>(std::move(*opened));
  }
  engine_ = std::make_unique<engine::Engine>(cfg_.portfolios,
                                             engine::EngineOptions{.book_on_send = !fills,
                                                                   .order_timeout = cfg_.execution.order_timeout,
                                                                   .fill_price_collar = cfg_.execution.fill_price_collar,
                                                                   .limits = cfg_.execution.limits},
                                             wall_now());
  kill_file_ = std::make_unique<KillSwitchFile>(cfg_.daemon.state_dir);
  if (const auto record = kill_file_->read()) {
    engine_->set_killed(true);
    spdlog::warn("kill switch on since before this start ({}): no order leaves until POST /control/release",
                 *record);
  } else if (cfg_.execution.kill_switch) {
    set_kill_switch(true, "configuration");
  }
  engine_->set_sequences(*seq);
  guard_.resize(engine_->symbols().size());
  for (std::size_t i = 0; i < engine_->portfolios().size(); ++i) {
    if (const std::string err = warm_from_history(i); !err.empty()) {
      spdlog::critical("{}", err);
      return false;
    }
  }
  if (persistence_) {
    try {
      Restored restored = persistence_->restore(*engine_, book_on_send_);
      spdlog::info("state {}: {} portfolios restored, {} seeded from the config, {} orders to send again",
                   persistence_->path(), restored.restored.size(), restored.seeded.size(), restored.resend.size());
      for (const auto& w : restored.warnings) spdlog::warn("{}", w);
      resend_ = std::move(restored.resend);
    } catch (const store::StoreError& e) {
      spdlog::critical("cannot read the state file: {}; not trading", e.what());
      return false;
    }
  }

  try {
    transport_ = std::make_unique<TransportSecurity>(io_, zmq_, cfg_);
    for (const auto& fc : cfg_.feeds) {
      auto feed = std::make_unique<Feed>(fc);
      zmq::socket_t sub(zmq_, zmq::socket_type::sub);
      sub.set(zmq::sockopt::subscribe, "");
      sub.set(zmq::sockopt::rcvhwm, 100'000);
      transport_->prepare_feed(sub, feeds_.size());
      if (fc.bind) sub.bind(fc.endpoint);
      else sub.connect(fc.endpoint);
      Feed* raw = feed.get();
      feed->reader = std::make_unique<feeds::ZmqReader>(
          io_, std::move(sub),
          [this, raw](std::span<zmq::message_t> frames, std::size_t count) { on_feed_message(*raw, frames, count); });
      if (!fc.bind) transport_->keep_connected(feeds_.size(), feed->reader->socket());
      feeds_.push_back(std::move(feed));
    }
    if (cfg_.execution.mode == config::ExecutionMode::live) {
      sender_ = std::make_unique<execution::OrderSender>(
          zmq_, cfg_.execution.endpoint,
          execution::OrderSenderOptions{.connect = cfg_.execution.connect,
                                        .prepare = [this](zmq::socket_t& s) { transport_->prepare_orders(s); }});
    }
    if (fills) {
      zmq::socket_t pull(zmq_, zmq::socket_type::pull);
      transport_->prepare_fills(pull);
      pull.bind(cfg_.execution.fills_endpoint);
      fills_reader_ = std::make_unique<feeds::ZmqReader>(
          io_, std::move(pull),
          [this](std::span<zmq::message_t> frames, std::size_t count) { on_fill_message(frames, count); });
    }
    transport_->start();
  } catch (const zmq::error_t& e) {
    spdlog::critical("cannot set up ZeroMQ sockets: {}", e.what());
    return false;
  }

  if (sender_) {
    // What may not have left before the last stop goes again, under the same
    // ids: the gateway drops what it has already seen.
    for (const auto& o : resend_) {
      std::string encoded;
      execution::encode_order(o, encoded);
      sender_->send(encoded);
      persistence_->note_sent(o, wall_now(), book_on_send_);
      spdlog::warn("order {} sent again: it may not have left before the last stop", o.order_id);
    }
    resend_.clear();
  }

  setup_metrics();
  http_ = std::make_unique<HttpServer>(
      io_, cfg_.status.listen, [this](const HttpRequest& r) { return handle_http(r); }, status_limits(cfg_.status));
  if (auto err = http_->start()) {
    spdlog::critical("status socket {}: {}", cfg_.status.listen, *err);
    return false;
  }
  for (auto& f : feeds_) f->reader->start();
  if (fills_reader_) fills_reader_->start();

  signals_.add(SIGTERM);
  signals_.add(SIGINT);
  signals_.add(SIGHUP);
  wait_for_signal();
  arm_timer();

  spdlog::info("ballastd {} started: mode={} feeds={} portfolios={} status=http://{} orders={} fills={}",
               BALLAST_VERSION, mode_name(cfg_.execution.mode), feeds_.size(), cfg_.portfolios.size(),
               http_->local_address(), cfg_.execution.endpoint,
               fills ? cfg_.execution.fills_endpoint : std::string("booked when sent"));
  notifier_.ready(service_summary());
  return true;
}

void Daemon::setup_metrics() {
  auto& ticks = metrics_.counter_family("ballast_ticks_total", "Ticks accepted, by feed.", {"feed"});
  auto& rejects =
      metrics_.counter_family("ballast_ticks_rejected_total", "Ticks dropped, by feed and reason.", {"feed", "reason"});
  for (auto& f : feeds_) {
    f->ticks_metric = &ticks.with({f->cfg.name});
    for (int r = 0; r < core::kRejectReasonCount; ++r) {
      f->reject_metrics[r] = &rejects.with({f->cfg.name, std::string(core::to_string(static_cast<core::RejectReason>(r)))});
    }
  }
  orders_metric_ = &metrics_.counter_family("ballast_orders_total", "Orders emitted, by portfolio, reason and side.",
                                            {"portfolio", "reason", "side"});
  rebalances_metric_ =
      &metrics_.counter_family("ballast_rebalances_total", "Rebalances, by portfolio and reason.", {"portfolio", "reason"});
  fills_metric_ = &metrics_.counter_family("ballast_fill_reports_total", "Fill reports, by outcome.", {"outcome"});
  transport_->add_metrics(metrics_);
  denied_metric_ = &metrics_.counter_family("ballast_orders_denied_total",
                                            "Orders the pre-trade risk gate refused, by portfolio and reason.",
                                            {"portfolio", "reason"});
  auto& costs = metrics_.gauge_family(
      "ballast_costs", "Trading costs so far, by portfolio: estimated at decision, and realised (fills against their "
      "reference price, plus commission when booked on send).", {"portfolio", "kind"});
  auto& finished = metrics_.gauge_family("ballast_orders_finished", "Orders that reached a final state, by portfolio and state.",
                                         {"portfolio", "state"});
  latency_metric_ = &metrics_.histogram(
      "ballast_tick_to_order_seconds", "From receipt of a tick to the first order it caused, handed to the queue.",
      {2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 5e-3, 1e-2, 0.1});
  auto& drift = metrics_.gauge_family("ballast_drift", "Weight minus target, by portfolio and asset.", {"portfolio", "symbol"});
  auto& weight = metrics_.gauge_family("ballast_weight", "Current weight, by portfolio and asset.", {"portfolio", "symbol"});
  auto& value = metrics_.gauge_family("ballast_portfolio_value", "Portfolio value at the last prices.", {"portfolio"});
  auto& open = metrics_.gauge_family("ballast_open_orders", "Orders sent and not yet finished.", {"portfolio"});
  auto& unknown = metrics_.gauge_family(
      "ballast_orders_unknown", "Open orders with no final report within order_timeout: their fate is unknown.",
      {"portfolio"});
  auto& healthy = metrics_.gauge("ballast_healthy", "1 while /healthz answers ok, 0 while degraded.");
  auto& age = metrics_.gauge_family("ballast_feed_age_seconds", "Seconds since the feed's last accepted tick.", {"feed"});
  auto& paused = metrics_.gauge("ballast_paused", "1 while paused.");
  auto& killed = metrics_.gauge("ballast_kill_switch", "1 while the kill switch stops every order.");
  auto& uptime = metrics_.gauge("ballast_uptime_seconds", "Seconds since start.");
  auto& commits = metrics_.gauge("ballast_state_commits", "Transactions written to the state file since start.");
  auto& queued = metrics_.gauge("ballast_orders_queued", "Orders waiting for a gateway to connect.");
  auto& stale = metrics_.gauge("ballast_stale_symbols", "Symbols without a fresh price.");
  auto& volatility =
      metrics_.gauge_family("ballast_portfolio_volatility", "Estimated annualised volatility at current weights.", {"portfolio"});
  auto& http_connections = metrics_.counter_family(
      "ballast_status_connections_total",
      "Status socket connections: accepted, and evicted to make room for a new one when full.", {"outcome"});
  auto& http_timeouts = metrics_.counter_family(
      "ballast_status_timeouts_total", "Status socket connections closed by a timeout, by which.", {"timeout"});
  auto& http_requests = metrics_.counter_family("ballast_status_requests_total",
                                                "Status socket requests: served, and malformed (answered 4xx).",
                                                {"outcome"});
  metrics_.on_collect([this, &http_connections, &http_timeouts, &http_requests] {
    const HttpServerStats& st = http_->stats();
    http_connections.with({"accepted"}).advance_to(static_cast<double>(st.connections_accepted));
    http_connections.with({"evicted"}).advance_to(static_cast<double>(st.connections_evicted));
    http_timeouts.with({"header"}).advance_to(static_cast<double>(st.header_timeouts));
    http_timeouts.with({"body"}).advance_to(static_cast<double>(st.body_timeouts));
    http_timeouts.with({"idle"}).advance_to(static_cast<double>(st.idle_timeouts));
    http_timeouts.with({"write"}).advance_to(static_cast<double>(st.write_timeouts));
    http_requests.with({"served"}).advance_to(static_cast<double>(st.requests));
    http_requests.with({"malformed"}).advance_to(static_cast<double>(st.bad_requests));
  });
  metrics_.on_collect([this, &drift, &weight, &value, &open, &unknown, &healthy, &age, &paused, &killed, &uptime, &queued, &stale,
                       &volatility, &costs, &finished, &commits] {
    const core::TimeNs now = wall_now();
    for (std::size_t i = 0; i < engine_->portfolios().size(); ++i) {
      const auto& p = engine_->portfolios()[i];
      const auto v = engine_->valuation(i);
      value.with({p.spec.id}).set(v.value);
      open.with({p.spec.id}).set(p.open_orders);
      unknown.with({p.spec.id}).set(p.unknown_orders);
      costs.with({p.spec.id, "estimated"}).set(p.costs_estimated);
      costs.with({p.spec.id, "realized"}).set(p.costs_realized);
      finished.with({p.spec.id, "filled"}).set(static_cast<double>(p.orders_filled));
      finished.with({p.spec.id, "rejected"}).set(static_cast<double>(p.orders_rejected));
      finished.with({p.spec.id, "cancelled"}).set(static_cast<double>(p.orders_cancelled));
      if (const auto vol = engine_->portfolio_volatility(i)) volatility.with({p.spec.id}).set(*vol);
      for (std::size_t a = 0; a < p.assets.size(); ++a) {
        const std::string& sym = engine_->symbols().name(p.assets[a].symbol);
        weight.with({p.spec.id, sym}).set(v.weights[a]);
        drift.with({p.spec.id, sym}).set(v.weights[a] - p.assets[a].target);
      }
    }
    for (const auto& f : feeds_) {
      age.with({f->cfg.name}).set(f->last_accepted_at ? core::to_seconds(now - f->last_accepted_at) : -1.0);
    }
    paused.set(engine_->paused() ? 1 : 0);
    healthy.set(health_problems(now).empty() ? 1 : 0);
    killed.set(engine_->killed() ? 1 : 0);
    uptime.set(std::chrono::duration<double>(Clock::now() - started_).count());
    commits.set(persistence_ ? static_cast<double>(persistence_->commits()) : 0.0);
    queued.set(sender_ ? static_cast<double>(sender_->queued()) : 0.0);
    double n = 0;
    for (core::SymbolId s = 0; s < engine_->symbols().size(); ++s) n += engine_->stale(s) ? 1 : 0;
    stale.set(n);
  });
}

void Daemon::reject(Feed& feed, core::RejectReason reason, std::string_view detail, core::TimeNs now) {
  const auto r = static_cast<std::size_t>(reason);
  ++feed.rejected[r];
  feed.reject_metrics[r]->inc();
  std::uint64_t held = 0;
  std::string key = feed.cfg.name;
  key += '/';
  key += core::to_string(reason);
  if (warn_limiter_.allow(key, now, held)) {
    spdlog::warn("feed {}: dropped a tick ({}{}{}){}", feed.cfg.name, core::to_string(reason),
                 detail.empty() ? "" : ": ", detail, held_text(held));
  }
}

void Daemon::on_feed_message(Feed& feed, std::span<zmq::message_t> frames, std::size_t count) {
  const Clock::time_point received = Clock::now();
  const core::TimeNs now = wall_now();
  ++feed.received;
  feeds::DecodeResult res;
  const bool multipart = feed.cfg.format.framing == core::Framing::multipart;
  if (count != (multipart ? 2u : 1u)) {
    reject(feed, core::RejectReason::malformed, multipart ? "expected two frames" : "expected one frame", now);
    return;
  }
  if (multipart) res = feed.decoder.decode(frames[0].to_string_view(), frames[1].to_string_view(), now);
  else res = feed.decoder.decode_frame(frames[0].to_string_view(), now);
  if (!res.ok()) {
    reject(feed, *res.reject, res.detail, now);
    return;
  }
  const core::SymbolId sym = engine_->find_symbol(res.symbol);
  if (sym == core::kNoSymbol) {
    reject(feed, core::RejectReason::unknown_symbol, res.symbol, now);
    return;
  }
  const auto verdict = guard_.check(sym, res.price, res.ts, now, feed.limits);
  if (!verdict.accepted()) {
    reject(feed, *verdict.reject, engine_->symbols().name(sym), now);
    return;
  }
  if (verdict.confirmed_jump) {
    spdlog::warn("feed {}: {} moved beyond max_jump and was confirmed by {} ticks: now {}", feed.cfg.name,
                 engine_->symbols().name(sym), feed.limits.jump_confirm, res.price);
  }
  ++feed.accepted;
  feed.ticks_metric->inc();
  feed.last_accepted_at = now;
  if (engine_->stale(sym)) engine_->set_stale(sym, false);
  engine_->on_tick({sym, res.price, res.ts, res.bid, res.ask}, now, out_);
  if (!out_.empty()) handle_output(received);
}

void Daemon::on_fill_message(std::span<zmq::message_t> frames, std::size_t count) {
  const core::TimeNs now = wall_now();
  if (count != 1) {
    ++fills_malformed_;
    fills_metric_->with({"malformed"}).inc();
    spdlog::warn("fill report dropped: expected one frame, got {}", count);
    return;
  }
  const auto decoded = execution::decode_fill(frames[0].to_string_view(), now);
  if (!decoded.ok) {
    ++fills_malformed_;
    fills_metric_->with({"malformed"}).inc();
    std::uint64_t held = 0;
    if (warn_limiter_.allow("fills/malformed", now, held)) spdlog::warn("fill report dropped: {}", decoded.error);
    return;
  }
  engine_->on_fill(decoded.fill, out_);
  handle_output(Clock::now());
}

void Daemon::handle_output(Clock::time_point received) {
  const bool live = cfg_.execution.mode == config::ExecutionMode::live;
  const core::TimeNs now = wall_now();
  const bool deciding = !out_.orders.empty();
  if (persistence_) {
    // An order is on disk before it leaves: a crash from here on re-sends it
    // under the same id instead of deciding it a second time.
    if (deciding) crash_point(CrashPoint::before_commit);
    try {
      persistence_->commit(*engine_, out_, now, book_on_send_);
    } catch (const store::StoreError& e) {
      state_write_failed(std::to_string(out_.orders.size()) + " orders NOT sent", e.what());
      out_.orders.clear();
      out_.rebalances.clear();
    }
    if (deciding) crash_point(CrashPoint::after_commit);
  }
  // Orders leave first, each as soon as it is encoded; logging and
  // bookkeeping follow, off the latency path.
  const std::size_t n = out_.orders.size();
  if (encoded_.size() < n) encoded_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    encoded_[i].clear();
    execution::encode_order(out_.orders[i], encoded_[i]);
    if (!live) continue;
    sender_->send(encoded_[i]);
    if (i == 0 || i + 1 == n) {
      const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - received).count();
      if (i == 0) {
        latency_.record(ns);
        latency_metric_->observe(static_cast<double>(ns) * 1e-9);
      }
      if (i + 1 == n) batch_latency_.record(ns);
    }
  }
  if (live) {
    for (std::size_t i = 0; i < n; ++i) {
      engine_->mark_sent(out_.orders[i].order_id);
      if (persistence_) persistence_->note_sent(out_.orders[i], now, book_on_send_);
    }
    if (deciding && persistence_ && crash_armed(CrashPoint::after_send)) {
      // "After the send" means the gateway could have them: out of our queue first.
      sender_->flush_for(std::chrono::seconds(2));
      crash_point(CrashPoint::after_send);
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) spdlog::info("dry-run order {}", encoded_[i]);
  }
  for (auto& d : out_.denials) {
    const std::string reason(execution::to_string(d.reason));
    denied_metric_->with({d.order.portfolio, reason}).inc();
    // A held restricted symbol is denied on every tick that finds its
    // portfolio out of band: counted every time, logged once per interval.
    if (std::uint64_t held = 0; warn_limiter_.allow("denied/" + d.order.portfolio + "/" + reason, now, held)) {
      spdlog::warn("order denied portfolio={} {} {} {} @ {:.6g}: {} ({}){}", d.order.portfolio,
                   core::to_string(d.order.side), d.order.quantity, d.order.symbol, d.order.reference_price, reason,
                   d.detail, held_text(held));
    }
    recent_denials_.push_back(std::move(d));
    if (recent_denials_.size() > 50) recent_denials_.pop_front();
  }
  for (const auto& ev : out_.rebalances) {
    const auto& rec = ev.record;
    const auto& id = engine_->portfolios()[ev.portfolio].spec.id;
    std::string orders;
    for (std::size_t i = ev.first_order; i < ev.first_order + rec.orders; ++i) {
      const auto& o = out_.orders[i];
      fmt::format_to(std::back_inserter(orders), "{}{} {} {} @ {:.6g}", orders.empty() ? "" : ", ", core::to_string(o.side),
                     o.quantity, o.symbol, o.reference_price);
    }
    const auto vol = engine_->portfolio_volatility(ev.portfolio);
    const auto& p = engine_->portfolios()[ev.portfolio];
    spdlog::info("rebalance {} portfolio={} reason={} why=\"{}\" value={:.2f} max_drift={:.4f} total_drift={:.4f} "
                 "traded={:.2f} cost={:.2f} orders=[{}]{}{}",
                 rec.rebalance_id, id, rec.reason, rec.detail, rec.value, rec.max_abs_drift, rec.total_drift,
                 rec.traded_value, rec.cost, orders,
                 vol ? fmt::format(" model={} volatility={:.4f}", strategies::to_string(p.spec.model.kind), *vol)
                     : std::string(),
                 live ? "" : " (dry-run: not sent)");
    rebalances_metric_->with({id, rec.reason}).inc();
  }
  for (auto& o : out_.orders) {
    orders_metric_->with({o.portfolio, o.reason, std::string(core::to_string(o.side))}).inc();
    recent_orders_.push_back({std::move(o), live});
    if (recent_orders_.size() > 100) recent_orders_.pop_front();
  }
  for (const auto& f : out_.fills) {
    switch (f.kind) {
      case engine::FillOutcome::Kind::applied:
        if (f.by_operator) {
          ++orders_resolved_;
          spdlog::warn("order {} resolved by operator: {} with {} filled in all; portfolio {} decides again", f.order_id,
                       core::to_string(f.state), f.filled_quantity, engine_->portfolios()[f.portfolio].spec.id);
          break;
        }
        ++fills_applied_;
        fills_metric_->with({"applied"}).inc();
        spdlog::info("fill {} {} quantity={} price={:.6g} portfolio={}{}", f.order_id, core::to_string(f.status),
                     f.quantity_delta, f.price, engine_->portfolios()[f.portfolio].spec.id,
                     f.finished ? "" : " (still open)");
        break;
      case engine::FillOutcome::Kind::unknown_order:
        ++fills_unknown_;
        fills_metric_->with({"unknown_order"}).inc();
        // Anyone who reaches the fills socket can send these: counted, logged at most once per interval.
        if (std::uint64_t held = 0; warn_limiter_.allow("fills/unknown_order", now, held)) {
          spdlog::warn("fill report for unknown order {} ignored{}", f.order_id, held_text(held));
        }
        break;
      case engine::FillOutcome::Kind::timed_out:
        ++orders_timed_out_;
        fills_metric_->with({"timed_out"}).inc();
        spdlog::warn("order {} has no final report after {:.0f}s: its fate is unknown; portfolio {} makes no decision "
                     "until a report comes or an operator resolves it (ballast orders resolve {} --filled Q --price P "
                     "or --cancelled)",
                     f.order_id, core::to_seconds(cfg_.execution.order_timeout),
                     engine_->portfolios()[f.portfolio].spec.id, f.order_id);
        break;
      case engine::FillOutcome::Kind::inconsistent:
        ++fills_inconsistent_;
        fills_metric_->with({"inconsistent"}).inc();
        if (std::uint64_t held = 0; warn_limiter_.allow("fills/inconsistent", now, held)) {
          spdlog::warn("fill report for {} refused, not booked: {}{}", f.order_id, f.detail, held_text(held));
        }
        break;
    }
  }
  if (!out_.orders.empty()) {
    std::string error;
    if (!sequences_->reserve_ahead(engine_->sequences(), error)) {
      // Ids could be reused after a restart: stop trading rather than risk it.
      spdlog::critical("{}; pausing", error);
      engine_->set_paused(true);
    }
  }
  out_.clear();
}

void Daemon::flush_state(core::TimeNs now) {
  if (!persistence_) return;
  try {
    const std::uint64_t commits_before = persistence_->commits();
    persistence_->flush(*engine_, now);
    // After a failure, try a write of our own so that health tells when the disk is back.
    if (!state_error_.empty() && persistence_->commits() == commits_before) persistence_->write_counters(*engine_);
    // At most once a second, between decisions.
    if (now - last_checkpoint_ >= core::kNanosPerSecond) {
      persistence_->checkpoint();
      last_checkpoint_ = now;
    }
    if (!state_error_.empty() && persistence_->commits() > commits_before) {
      spdlog::warn("state file writes succeed again (the last failure was: {}); the kill switch stays on until released",
                   state_error_);
      state_error_.clear();
    }
  } catch (const store::StoreError& e) {
    state_write_failed("marks not written", e.what());
  }
}

void Daemon::state_write_failed(std::string_view what, const std::string& error) {
  spdlog::critical("state file write failed: {}; {}; kill switch on: fix the disk, then release it", error, what);
  state_error_ = error;
  if (!engine_->killed()) set_kill_switch(true, "state file write failed");
}

void Daemon::set_kill_switch(bool on, std::string_view who) {
  engine_->set_killed(on);
  std::string error;
  if (!kill_file_->set(on, who, wall_now(), error)) {
    // The switch holds in memory either way; only its survival of a restart is in doubt.
    spdlog::critical("kill switch {} ({}), but {}: a restart may not find it so", on ? "on" : "off", who, error);
    kill_file_error_ = error;
  } else {
    kill_file_error_.clear();
  }
  if (on) spdlog::warn("kill switch on ({}): no order leaves until POST /control/release", who);
  else spdlog::warn("kill switch released ({})", who);
}

void Daemon::refresh_staleness(core::TimeNs now) {
  for (core::SymbolId s = 0; s < engine_->symbols().size(); ++s) {
    const bool stale = guard_.is_stale(s, now);
    if (stale != engine_->stale(s)) {
      engine_->set_stale(s, stale);
      if (stale && guard_.last_accepted_at(s)) {
        spdlog::warn("{} is stale: no accepted tick for {:.1f}s", engine_->symbols().name(s),
                     core::to_seconds(now - *guard_.last_accepted_at(s)));
      }
    }
  }
}

void Daemon::on_timer() {
  const core::TimeNs now = wall_now();
  refresh_staleness(now);
  engine_->on_timer(now, out_);
  if (!out_.empty()) handle_output(Clock::now());
  if (sender_) sender_->flush();
  flush_state(now);
  notifier_.on_timer(Clock::now(), [this] { return service_summary(); });
}

void Daemon::wait_for_signal() {
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec || stopping_) return;
    if (sig == SIGHUP) {
      notifier_.reloading();
      reload("SIGHUP", nullptr);
      notifier_.ready(service_summary());
      wait_for_signal();
      return;
    }
    spdlog::info("{} received: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    shutdown();
  });
}

void Daemon::arm_timer() {
  timer_.expires_after(std::chrono::milliseconds(200));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    on_timer();
    arm_timer();
  });
}

void Daemon::reload(const char* why, std::string* error_out) {
  auto loaded = config::load_config(cfg_.path, config::Purpose::daemon);
  if (!loaded.config) {
    ++reloads_refused_;
    std::string all;
    for (const auto& e : loaded.errors) all += (all.empty() ? "" : "\n") + e.to_string();
    spdlog::error("reload ({}) refused, the running configuration stays:\n{}", why, all);
    if (error_out) *error_out = all;
    return;
  }
  config::Config next = std::move(*loaded.config);
  auto differs = [](const auto& a, const auto& b) { return a != b; };
  std::vector<std::string> restart_needed;
  if (next.feeds.size() != cfg_.feeds.size()) restart_needed.push_back("[[feeds]]");
  else {
    for (std::size_t i = 0; i < next.feeds.size(); ++i) {
      const auto& a = next.feeds[i];
      const auto& b = cfg_.feeds[i];
      if (differs(a.endpoint, b.endpoint) || a.bind != b.bind || a.name != b.name || a.insecure != b.insecure ||
          a.format.framing != b.format.framing || a.format.symbols != b.format.symbols ||
          differs(a.format.fields.price, b.format.fields.price) || differs(a.format.fields.symbol, b.format.fields.symbol) ||
          differs(a.format.fields.ts, b.format.fields.ts) || differs(a.format.fields.bid, b.format.fields.bid) ||
          differs(a.format.fields.ask, b.format.fields.ask)) {
        restart_needed.push_back("[[feeds]] " + a.name);
      } else {
        feeds_[i]->cfg.stale_after = a.stale_after;
        feeds_[i]->cfg.max_jump = a.max_jump;
        feeds_[i]->cfg.jump_confirm = a.jump_confirm;
        feeds_[i]->cfg.max_future = a.max_future;
        feeds_[i]->limits = {a.max_jump, a.jump_confirm, a.stale_after, a.max_future};
      }
    }
  }
  if (next.execution.endpoint != cfg_.execution.endpoint || next.execution.connect != cfg_.execution.connect ||
      next.execution.fills_endpoint != cfg_.execution.fills_endpoint || next.execution.mode != cfg_.execution.mode ||
      next.execution.order_timeout != cfg_.execution.order_timeout ||
      next.execution.fill_price_collar != cfg_.execution.fill_price_collar || next.execution.insecure != cfg_.execution.insecure)
    restart_needed.push_back("[execution]");
  if (next.curve != cfg_.curve) restart_needed.push_back("[curve]");
  if (next.status.listen != cfg_.status.listen) restart_needed.push_back("[status] listen");
  if (status_limits(next.status) != status_limits(cfg_.status)) restart_needed.push_back("[status] limits");
  if (next.daemon.log_file != cfg_.daemon.log_file || next.daemon.log_format != cfg_.daemon.log_format ||
      next.daemon.state_dir != cfg_.daemon.state_dir)
    restart_needed.push_back("[daemon] log_file/log_format/state_dir");
  if (next.daemon.durability != cfg_.daemon.durability) restart_needed.push_back("[daemon] durability");

  if (next.execution.kill_switch && !engine_->killed()) set_kill_switch(true, "configuration reload");
  set_log_level(next.daemon.log_level);
  engine_->set_limits(next.execution.limits);
  std::vector<std::string> added;
  for (const auto& spec : next.portfolios) {
    if (!engine_->find_portfolio(spec.id)) added.push_back(spec.id);
  }
  engine_->reconfigure(next.portfolios, wall_now());
  if (persistence_) {
    // The state file is the truth for a portfolio it knows, even one that
    // was removed and is added again.
    try {
      const Restored r = persistence_->adopt(*engine_, added);
      for (const auto& id : r.restored) spdlog::info("portfolio {} restored from {}", id, persistence_->path());
      for (const auto& id : r.seeded) spdlog::info("portfolio {} seeded from the config", id);
      for (const auto& w : r.warnings) spdlog::warn("{}", w);
    } catch (const store::StoreError& e) {
      spdlog::critical("cannot read the state file: {}; kill switch on", e.what());
      state_error_ = e.what();
      if (!engine_->killed()) set_kill_switch(true, "state file unreadable on reload");
    }
  }
  guard_.resize(engine_->symbols().size());
  for (std::size_t i = 0; i < engine_->portfolios().size(); ++i) {
    if (const std::string err = warm_from_history(i); !err.empty()) spdlog::error("{}", err);
  }
  refresh_staleness(wall_now());
  cfg_.portfolios = std::move(next.portfolios);
  cfg_.status.token = next.status.token;
  cfg_.daemon.log_level = next.daemon.log_level;
  ++reloads_;
  std::string pending;
  for (const auto& s : restart_needed) pending += (pending.empty() ? "" : ", ") + s;
  spdlog::info("reload ({}): applied portfolios, log level and token{}", why,
               pending.empty() ? "" : "; changes to " + pending + " take effect at the next restart");
}

std::string Daemon::warm_from_history(std::size_t index) {
  const auto& p = engine_->portfolios()[index];
  if (!p.spec.risk || p.spec.risk->history.empty() || !p.risk) return {};
  const auto* ewma = std::get_if<strategies::EwmaRiskModel>(&*p.risk);
  if (!ewma || ewma->samples() > 0) return {};
  const std::string& path = p.spec.risk->history;
  const auto loaded = feeds::load_price_table(path);
  if (!loaded.ok()) {
    return "portfolio " + p.spec.id + ": risk history " + path + ": " +
           (loaded.errors.empty() ? std::string("unreadable") : loaded.errors.front());
  }
  const feeds::PriceTable& table = loaded.table;
  std::vector<std::size_t> column_of_asset;
  for (const auto& a : p.spec.assets) {
    const auto it = std::find(table.symbols.begin(), table.symbols.end(), a.symbol);
    if (it == table.symbols.end()) {
      return "portfolio " + p.spec.id + ": risk history " + path + " has no column for " + a.symbol;
    }
    column_of_asset.push_back(static_cast<std::size_t>(it - table.symbols.begin()));
  }
  engine_->warm_risk(index, table.times, table.prices, table.cols(), column_of_asset);
  const auto& after = engine_->portfolios()[index];
  spdlog::info("portfolio {}: risk model warmed from {}: {} rows, {} samples, {}", p.spec.id, path, table.rows(),
               std::get<strategies::EwmaRiskModel>(*after.risk).samples(), engine::model_state_text(after));
  return {};
}

void Daemon::shutdown() {
  if (stopping_) return;
  stopping_ = true;
  notifier_.stopping();
  for (auto& f : feeds_) f->reader->stop();
  if (fills_reader_) fills_reader_->stop();
  timer_.cancel();
  signals_.cancel();
  http_->stop();
  // Give queued orders a moment to reach a gateway that is connecting.
  if (sender_) {
    sender_->flush_for(std::chrono::seconds(2));
    if (sender_->queued() > 0) spdlog::error("{} orders could not be delivered before exit", sender_->queued());
  }
  flush_state(wall_now());
  std::string error;
  if (!sequences_->reserve_ahead(engine_->sequences(), error)) spdlog::error("{}", error);
  io_.stop();
}

ServiceSummary Daemon::service_summary() const {
  const core::TimeNs now = wall_now();
  ServiceSummary s{.portfolios = engine_->portfolios().size(),
                   .feeds = feeds_.size(),
                   .killed = engine_->killed(),
                   .paused = engine_->paused(),
                   .dry_run = cfg_.execution.mode != config::ExecutionMode::live,
                   .problems = health_problems(now).size()};
  for (const auto& f : feeds_) {
    if (f->last_accepted_at && now - f->last_accepted_at <= f->cfg.stale_after) ++s.feeds_fresh;
  }
  return s;
}

std::vector<std::string> Daemon::health_problems(core::TimeNs now) const {
  std::vector<std::string> problems;
  for (const auto& f : feeds_) {
    if (!f->last_accepted_at) problems.push_back("feed " + f->cfg.name + ": no tick yet");
    else if (now - f->last_accepted_at > f->cfg.stale_after)
      problems.push_back(
          fmt::format("feed {}: no tick for {:.1f}s", f->cfg.name, core::to_seconds(now - f->last_accepted_at)));
  }
  std::string stale;
  for (core::SymbolId s = 0; s < engine_->symbols().size(); ++s) {
    if (engine_->stale(s)) stale += (stale.empty() ? "" : ", ") + engine_->symbols().name(s);
  }
  if (!stale.empty()) problems.push_back("stale: " + stale);
  if (engine_->killed()) problems.push_back("kill switch on");
  if (const std::size_t unknown = engine_->unknown_order_count()) {
    std::string ids;
    std::size_t listed = 0;
    for (const auto& [id, o] : engine_->open_orders()) {
      if (o.state != core::OrderState::unknown) continue;
      if (listed++ == 5) {
        ids += ", ...";
        break;
      }
      ids += (ids.empty() ? "" : ", ") + id;
    }
    problems.push_back(fmt::format("{} order{} unknown ({}): resolve with ballast orders resolve", unknown,
                                   unknown == 1 ? "" : "s", ids));
  }
  if (!state_error_.empty()) problems.push_back("state file cannot be written: " + state_error_);
  if (!kill_file_error_.empty()) problems.push_back("kill switch not recorded: " + kill_file_error_);
  return problems;
}

HttpResponse Daemon::handle_http(const HttpRequest& req) {
  if (req.path.rfind("/control/", 0) == 0) return control(req);
  const bool read = req.method == "GET" || req.method == "HEAD";
  if (req.path == "/healthz" || req.path == "/status" || req.path == "/metrics") {
    if (!read) {
      HttpResponse r = text_response(405, "method not allowed: use GET");
      r.headers.emplace_back("Allow", "GET, HEAD");
      return r;
    }
    if (req.path == "/healthz") {
      const auto problems = health_problems(wall_now());
      std::string body;
      for (const auto& p : problems) body += (body.empty() ? "" : "; ") + p;
      return problems.empty() ? text_response(200, "ok") : text_response(503, "degraded: " + body);
    }
    if (req.path == "/status") return json_response(200, status_json());
    HttpResponse r;
    r.content_type = std::string(kPrometheusContentType);
    r.body = metrics_.render();
    return r;
  }
  return text_response(404, "not found: try /healthz, /status, /metrics or POST /control/...");
}

HttpResponse Daemon::resolve_order(const HttpRequest& req) {
  auto param = [&](const char* key) -> const std::string* {
    const auto it = req.query.find(key);
    return it == req.query.end() ? nullptr : &it->second;
  };
  const std::string* id = param("order_id");
  const std::string* filled = param("filled");
  const std::string* price = param("price");
  const std::string* cancelled = param("cancelled");
  static constexpr std::string_view kUsage =
      "orders/resolve needs ?order_id=ID and either &filled=Q&price=P (the broker's final cumulative fill) or "
      "&cancelled=true (nothing more than what is booked)";
  if (!id || id->empty() || (cancelled != nullptr) == (filled != nullptr) || (filled && !price) ||
      (cancelled && (*cancelled != "true" || price))) {
    return text_response(400, kUsage);
  }
  std::optional<double> quantity;
  double avg_price = 0;
  if (filled) {
    double q = 0;
    if (!core::parse_number_text(*filled, q) || !std::isfinite(q)) {
      return text_response(400, "filled: expected a number such as 120, got \"" + *filled + "\"");
    }
    if (!core::parse_number_text(*price, avg_price) || !std::isfinite(avg_price)) {
      return text_response(400, "price: expected a number such as 589.20, got \"" + *price + "\"");
    }
    quantity = q;
  }
  const auto known = engine_->open_orders().find(*id);
  if (known == engine_->open_orders().end()) {
    return text_response(404, "no unfinished order " + *id + " (finished orders cannot be resolved again)");
  }
  const std::string portfolio = engine_->portfolios()[known->second.portfolio].spec.id;
  std::string error;
  if (!engine_->resolve_order(*id, quantity, avg_price, out_, error)) return text_response(422, error);
  const engine::FillOutcome resolved = out_.fills.back();
  handle_output(Clock::now());
  std::string body;
  core::JsonWriter w(body);
  w.begin_object().field("order_id", *id).field("portfolio", portfolio).field("result", "resolved");
  w.field("state", core::to_string(resolved.state)).field("filled_quantity", resolved.filled_quantity);
  w.key("avg_price");
  if (resolved.filled_quantity > 0) w.value(resolved.filled_value / resolved.filled_quantity);
  else w.null();
  w.end_object();
  return json_response(200, body);
}

HttpResponse Daemon::control(const HttpRequest& req) {
  if (req.method != "POST") {
    HttpResponse r = text_response(405, "method not allowed: control endpoints take POST");
    r.headers.emplace_back("Allow", "POST");
    return r;
  }
  if (!cfg_.status.token.empty() && !bearer_token_matches(req.authorization, cfg_.status.token)) {
    HttpResponse r = text_response(401, "unauthorized: send Authorization: Bearer <token>");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  const std::string_view action = std::string_view(req.path).substr(9);
  if (action == "pause") {
    engine_->set_paused(true);
    spdlog::info("paused by operator: triggers are off until resume");
    return text_response(200, "paused");
  }
  if (action == "kill") {
    set_kill_switch(true, "operator");
    return text_response(200, "kill switch on");
  }
  if (action == "release") {
    set_kill_switch(false, "operator");
    return text_response(200, "kill switch released");
  }
  if (action == "resume") {
    engine_->set_paused(false);
    spdlog::info("resumed by operator");
    return text_response(200, "resumed");
  }
  if (action == "reload") {
    std::string error;
    reload("control request", &error);
    if (!error.empty()) return text_response(422, "reload refused, the running configuration stays:\n" + error);
    return text_response(200, "reloaded");
  }
  if (action == "rebalance") {
    const auto it = req.query.find("portfolio");
    const std::string id = it == req.query.end() ? std::string() : it->second;
    const engine::Refusal refusal = engine_->rebalance_now(id, wall_now(), out_);
    std::string body;
    core::JsonWriter w(body);
    w.begin_object().field("portfolio", id.empty() ? std::string("*") : id);
    w.field("result", refusal == engine::Refusal::none ? std::string_view("rebalanced") : engine::to_string(refusal));
    w.key("rebalance_ids").begin_array();
    for (const auto& ev : out_.rebalances) w.value(ev.record.rebalance_id);
    w.end_array().field("orders", out_.orders.size()).end_object();
    handle_output(Clock::now());
    switch (refusal) {
      case engine::Refusal::none:
      case engine::Refusal::nothing_to_trade: return json_response(200, body);
      case engine::Refusal::unknown_portfolio: return json_response(404, body);
      case engine::Refusal::not_ready:
      case engine::Refusal::orders_open:
      case engine::Refusal::orders_unknown:
      case engine::Refusal::killed:
      case engine::Refusal::invalid_amount: return json_response(409, body);
    }
  }
  if (action == "cash") {
    const auto pit = req.query.find("portfolio");
    const auto ait = req.query.find("amount");
    if (pit == req.query.end() || pit->second.empty() || ait == req.query.end()) {
      return text_response(400, "cash needs ?portfolio=ID&amount=X (X > 0 a deposit, X < 0 a withdrawal)");
    }
    double parsed = 0;
    const bool number = core::parse_number_text(ait->second, parsed);
    const std::optional<double> amount = number ? std::optional<double>(parsed) : std::nullopt;
    if (!amount || !std::isfinite(*amount) || *amount == 0) {
      return text_response(400, "amount: expected a non-zero number such as 1000 or -250.50, got \"" + ait->second + "\"");
    }
    std::string detail;
    const engine::Refusal refusal = engine_->cash_flow(pit->second, *amount, wall_now(), out_, detail);
    std::string body;
    core::JsonWriter w(body);
    w.begin_object().field("portfolio", pit->second).field("amount", *amount);
    w.field("result", refusal == engine::Refusal::none ? std::string_view("booked") : engine::to_string(refusal));
    if (!detail.empty()) w.field("detail", detail);
    w.key("orders").begin_array();
    for (const auto& o : out_.orders) w.value(o.order_id);
    w.end_array();
    if (const auto index = engine_->find_portfolio(pit->second)) w.field("cash", engine_->portfolios()[*index].cash);
    w.end_object();
    if (refusal == engine::Refusal::none) {
      spdlog::info("cash flow portfolio={} amount={:.2f}: {}, {} orders", pit->second, *amount, detail, out_.orders.size());
    }
    handle_output(Clock::now());
    switch (refusal) {
      case engine::Refusal::none: return json_response(200, body);
      case engine::Refusal::unknown_portfolio: return json_response(404, body);
      case engine::Refusal::invalid_amount: return json_response(422, body);
      default: return json_response(409, body);
    }
  }
  if (action == "orders/resolve") return resolve_order(req);
  return text_response(404,
                       "unknown control action: pause, resume, rebalance, reload, kill, release, cash, orders/resolve");
}

std::string Daemon::status_json() const {
  const core::TimeNs now = wall_now();
  std::string out;
  core::JsonWriter w(out);
  w.begin_object();
  w.field("version", BALLAST_VERSION);
  w.field("uptime_s", std::chrono::duration<double>(Clock::now() - started_).count());
  w.field("mode", mode_name(cfg_.execution.mode));
  w.field("paused", engine_->paused());
  w.field("kill_switch", engine_->killed());
  const auto problems = health_problems(now);
  w.field("healthy", problems.empty());
  w.key("health").begin_object().field("status", problems.empty() ? "ok" : "degraded");
  w.key("problems").begin_array();
  for (const auto& p : problems) w.value(p);
  w.end_array().end_object();
  w.key("reloads").begin_object().field("applied", reloads_).field("refused", reloads_refused_).end_object();
  w.key("feeds").begin_array();
  for (const auto& f : feeds_) {
    w.begin_object().field("name", f->cfg.name).field("endpoint", f->cfg.endpoint);
    w.field("ticks", f->accepted).field("received", f->received);
    w.key("rejected").begin_object();
    for (int r = 0; r < core::kRejectReasonCount; ++r) {
      w.field(core::to_string(static_cast<core::RejectReason>(r)), f->rejected[r]);
    }
    w.end_object();
    w.key("last_tick_age_s");
    if (f->last_accepted_at) w.value(core::to_seconds(now - f->last_accepted_at));
    else w.null();
    w.field("stale_after_s", core::to_seconds(f->cfg.stale_after));
    w.end_object();
  }
  w.end_array();
  w.key("execution").begin_object();
  w.field("endpoint", cfg_.execution.endpoint);
  w.field("fills_endpoint", cfg_.execution.fills_endpoint);
  w.field("orders_queued", sender_ ? sender_->queued() : std::size_t{0});
  w.field("open_orders", engine_->open_order_count());
  w.key("fill_reports").begin_object().field("applied", fills_applied_).field("unknown_order", fills_unknown_);
  w.field("malformed", fills_malformed_).field("inconsistent", fills_inconsistent_).end_object();
  w.field("orders_unknown", engine_->unknown_order_count());
  w.field("orders_timed_out", orders_timed_out_).field("orders_resolved", orders_resolved_);
  w.key("denied").begin_object();
  for (int r = 0; r < execution::kDenyReasonCount; ++r) {
    const auto reason = static_cast<execution::DenyReason>(r);
    w.field(execution::to_string(reason), engine_->denied(reason));
  }
  w.end_object();
  w.key("open").begin_array();
  for (const auto& [id, o] : engine_->open_orders()) {
    w.begin_object().field("order_id", id).field("portfolio", engine_->portfolios()[o.portfolio].spec.id);
    w.field("symbol", engine_->symbols().name(o.symbol)).field("side", core::to_string(o.side));
    w.field("quantity", o.quantity).field("filled_quantity", o.booked_quantity);
    w.field("state", core::to_string(o.state)).field("age_s", core::to_seconds(now - o.sent_at)).end_object();
  }
  w.end_array();
  w.key("latency_us").begin_object().field("count", latency_.count());
  w.field("p50", latency_.quantile(0.5) / 1e3).field("p99", latency_.quantile(0.99) / 1e3);
  w.field("max", latency_.max() / 1e3);
  w.field("batch_p50", batch_latency_.quantile(0.5) / 1e3).field("batch_p99", batch_latency_.quantile(0.99) / 1e3);
  w.end_object();
  w.end_object();
  w.key("state");
  if (persistence_) {
    w.begin_object().field("path", persistence_->path());
    w.field("durability", cfg_.daemon.durability == config::Durability::normal ? "normal" : "full");
    w.field("commits", persistence_->commits());
    w.key("seed_changed").begin_array();
    for (const auto& id : persistence_->seed_changed()) w.value(id);
    w.end_array().end_object();
  } else {
    w.null();
  }
  w.key("transport");
  transport_->write_status(w);
  w.key("portfolios").begin_array();
  for (std::size_t i = 0; i < engine_->portfolios().size(); ++i) {
    const auto& p = engine_->portfolios()[i];
    const auto v = engine_->valuation(i);
    w.begin_object().field("id", p.spec.id).field("value", v.value).field("cash", p.cash);
    w.field("cash_weight", v.cash_weight).field("cash_target", p.spec.cash_target);
    w.field("rebalances", p.rebalances).field("orders", p.orders).field("open_orders", p.open_orders);
    w.field("pending_children", engine_->pending_children(i)).field("denied", p.denied);
    w.key("orders_finished").begin_object().field("filled", p.orders_filled).field("rejected", p.orders_rejected);
    w.field("cancelled", p.orders_cancelled).end_object();
    w.field("unknown_orders", p.unknown_orders);
    w.key("costs").begin_object().field("estimated", p.costs_estimated).field("realized", p.costs_realized).end_object();
    bool ready = v.priced;
    for (const auto& a : p.assets) ready = ready && !engine_->stale(a.symbol);
    w.field("ready", ready);
    double max_drift = 0, total = std::abs(v.cash_weight - p.spec.cash_target);
    for (std::size_t a = 0; a < p.assets.size(); ++a) {
      const double d = std::abs(v.weights[a] - p.assets[a].target);
      max_drift = std::max(max_drift, d);
      total += d;
    }
    w.field("max_drift", max_drift).field("total_drift", total / 2);
    w.key("volatility");
    if (const auto vol = engine_->portfolio_volatility(i)) w.value(*vol);
    else w.null();
    w.key("model").begin_object().field("kind", strategies::to_string(p.spec.model.kind));
    w.field("ready", p.model_ready).field("state", engine::model_state_text(p));
    w.key("risk");
    if (p.risk) {
      const strategies::RiskEstimate est = strategies::estimate(*p.risk);
      w.begin_object().field("kind", std::holds_alternative<strategies::EwmaRiskModel>(*p.risk) ? "ewma" : "fixed");
      w.field("warm", est.warm).field("warmth", est.warmth).field("samples", est.samples).end_object();
    } else {
      w.null();
    }
    w.end_object();
    w.key("triggers").begin_array();
    for (std::size_t t = 0; t < p.spec.triggers.size(); ++t) {
      w.begin_object().field("kind", strategies::trigger_reason(p.spec.triggers[t]));
      if (p.next_due[t]) w.field("next_due", core::format_iso8601(p.next_due[t]));
      w.end_object();
    }
    w.end_array();
    w.key("last_rebalance");
    if (p.last_rebalance) {
      const auto& r = *p.last_rebalance;
      w.begin_object().field("rebalance_id", r.rebalance_id).field("reason", r.reason).field("detail", r.detail);
      w.field("at", core::format_iso8601(r.at)).field("value", r.value).field("max_drift", r.max_abs_drift);
      w.field("total_drift", r.total_drift).field("orders", r.orders).field("traded_value", r.traded_value);
      w.field("cost", r.cost).end_object();
    } else {
      w.null();
    }
    std::vector<double> contributions;
    if (p.cov.rows() > 0 && v.priced) {
      contributions = strategies::risk_contributions(
          p.cov, std::span<const double>(v.weights.data(), static_cast<std::size_t>(p.cov.rows())));
    }
    w.key("assets").begin_array();
    for (std::size_t a = 0; a < p.assets.size(); ++a) {
      const auto& asset = p.assets[a];
      w.begin_object().field("symbol", engine_->symbols().name(asset.symbol));
      w.key("price");
      if (engine_->has_price(asset.symbol)) w.value(engine_->price(asset.symbol));
      else w.null();
      w.field("quantity", asset.quantity).field("weight", v.weights[a]).field("target", asset.target);
      w.field("drift", v.weights[a] - asset.target);
      const auto n = static_cast<std::size_t>(p.cov.rows());
      w.key("volatility");
      if (a < n && p.cov(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(a)) > 0)
        w.value(std::sqrt(p.cov(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(a))));
      else w.null();
      w.key("risk_contribution");
      if (a < contributions.size()) w.value(contributions[a]);
      else w.null();
      w.field("stale", engine_->stale(asset.symbol));
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.key("recent_denials").begin_array();
  for (const auto& d : recent_denials_) {
    w.begin_object().field("portfolio", d.order.portfolio).field("symbol", d.order.symbol);
    w.field("side", core::to_string(d.order.side)).field("quantity", d.order.quantity);
    w.field("reference_price", d.order.reference_price).field("reason", execution::to_string(d.reason));
    w.field("detail", d.detail).field("at", core::format_iso8601(d.order.created_at)).end_object();
  }
  w.end_array();
  w.key("recent_orders").begin_array();
  for (const auto& r : recent_orders_) {
    std::string one;
    execution::encode_order(r.order, one);
    one.pop_back();  // the order's closing brace: "sent" joins its fields
    one += r.sent ? R"(,"sent":true})" : R"(,"sent":false})";
    w.raw(one);
  }
  w.end_array();
  w.end_object();
  return out;
}

int Daemon::run() {
  if (!setup()) return 1;
  io_.run();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int run_daemon(config::Config config) {
  Daemon d(std::move(config));
  return d.run();
}

}  // namespace ballast::daemon
