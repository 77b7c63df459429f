#include "daemon/daemon.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <sched.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <optional>
#include <zmq.hpp>

#include "core/json_writer.hpp"
#include "daemon/control_routes.hpp"
#include "daemon/decision_clock.hpp"
#include "daemon/feed_intake.hpp"
#include "daemon/fleet_flow.hpp"
#include "daemon/http_server.hpp"
#include "daemon/kill_switch_file.hpp"
#include "daemon/log_event.hpp"
#include "daemon/logging.hpp"
#include "daemon/metrics.hpp"
#include "daemon/order_flow.hpp"
#include "daemon/persistence.hpp"
#include "daemon/portfolio_status.hpp"
#include "daemon/reload_plan.hpp"
#include "daemon/sequence_file.hpp"
#include "daemon/service_notifier.hpp"
#include "daemon/status_limits.hpp"
#include "daemon/transport_security.hpp"
#include "daemon/wall_clock.hpp"
#include "engine/engine.hpp"
#include "execution/io/order_sender.hpp"
#include "feeds/price_table.hpp"
#include "feeds/zmq_reader.hpp"

namespace ballast::daemon {
namespace {

using namespace fmt::literals;
using spdlog::level::critical, spdlog::level::err, spdlog::level::info, spdlog::level::warn;

/// A warning found in the state file, with what it concerns as keys.
void log_state_warning(const StateWarning& w) {
  log_event(warn, "state_warning", "{text}", "text"_a = TextOnly{w.text}, "kind"_a = w.kind,
            "portfolio"_a = w.portfolio, "order_id"_a = w.order_id, "symbol"_a = w.symbol);
}

std::string_view mode_name(config::ExecutionMode m) { return m == config::ExecutionMode::live ? "live" : "dry-run"; }

/// The composition root: wires the parts (feed intake, engine, order flow,
/// state file, status socket) on one io_context and runs the signals, the
/// timer and reloads. Each part lives in its own file.
class Daemon {
 public:
  explicit Daemon(config::Config cfg) : cfg_(std::move(cfg)), clock_(cfg_.daemon.clock) {
    // A shard never loads the portfolios of the others: they are not in the
    // engine, the state file or the status, and no order is made for them.
    portfolios_in_file_ = cfg_.portfolios.size();
    cfg_.portfolios = config::owned_portfolios(cfg_.portfolios, cfg_.daemon.shard);
  }
  int run();

 private:
  bool setup();
  /// The state file and the durable kill switch; false when the daemon must not trade.
  bool open_state(bool fills);
  bool open_sockets(bool fills);
  void setup_metrics();
  void on_timer();
  void arm_timer();
  /// Applies one instant of a feed to the engine and decides it once; with the
  /// data clock, the calendar then runs at the instant's time, as a backtest's row.
  void decide(const Instant& instant);
  /// The data clock's first instant, at `ts`: risk histories warm with their
  /// rows before it and the calendars start from it, as a backtest starts.
  void start_data_clock(core::TimeNs ts);
  /// The feed's window timer, for its pending instant's deadline.
  void arm_window(Feed& feed);
  /// With the data clock, after a fill: what the backtest does at the row
  /// once its orders are booked (a calendar date held back by them runs).
  void after_fill();
  /// The engine's time now.
  core::TimeNs engine_now() const { return clock_.now(wall_now()); }
  /// Waits for the next signal; SIGHUP reloads and waits again, SIGTERM and SIGINT stop.
  void wait_for_signal();
  /// Empty when applied, else every problem of the file (the running configuration stays).
  std::string reload(const char* why);
  /// Replays the rows of `[portfolios.risk] history` stamped before `before`
  /// into the portfolio's estimate (none: the file is only checked); an error
  /// text on failure.
  std::string warm_from_history(std::size_t portfolio, core::TimeNs before);
  /// Up to when histories warm now: every row on the wall clock; on the data
  /// clock, the rows before its time, none before its first instant.
  core::TimeNs warm_limit() const;
  void shutdown();

  std::string status_json() const;
  std::vector<std::string> health_problems(core::TimeNs now) const;
  /// What systemd's STATUS= line says.
  ServiceSummary service_summary() const;

  /// Logs which shard this daemon is, when it is one of several.
  void log_shard() const;

  config::Config cfg_;
  /// Portfolios in the file, this shard's and the others'.
  std::size_t portfolios_in_file_ = 0;
  DecisionClock clock_;
  boost::asio::io_context io_;
  zmq::context_t zmq_{1};
  // Before the sockets, so that it is destroyed after them: they stay checked until closed.
  std::unique_ptr<TransportSecurity> transport_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<SequenceFile> sequences_;
  std::unique_ptr<Persistence> persistence_;  // null with durability = "off" or in dry-run
  std::unique_ptr<KillSwitchFile> kill_file_;
  std::unique_ptr<FeedIntake> intake_;
  std::unique_ptr<OrderFlow> flow_;
  std::unique_ptr<FleetFlow> fleet_;  // null without [[models]]
  std::unique_ptr<execution::OrderSender> sender_;
  std::unique_ptr<feeds::ZmqReader> fills_reader_;
  std::unique_ptr<HttpServer> http_;
  std::vector<core::Order> resend_;  // from the state file: sent again once the queue is up
  std::vector<store::OrderRow> restored_blocks_;  // the fleet's unfinished block orders, for the fleet
  boost::asio::steady_timer timer_{io_};
  boost::asio::signal_set signals_{io_};
  engine::Output out_;
  RateLimiter warn_limiter_;
  SteadyClock::time_point started_ = SteadyClock::now();
  bool stopping_ = false;
  std::uint64_t reloads_ = 0, reloads_refused_ = 0;
  ServiceNotifier notifier_;
  MetricsRegistry metrics_;
};

bool Daemon::setup() {
  // ZeroMQ's I/O thread wakes on every order sent. As a batch thread it does
  // not preempt the event loop mid-rebalance on a busy core; it runs as soon
  // as the loop waits, which is the moment the batch is out anyway. No
  // ZMQ_THREAD_PRIORITY: setting it (even to 0) makes ZeroMQ's I/O thread
  // abort with EPERM in any process that is not root's.
  zmq_ctx_set(zmq_.handle(), ZMQ_THREAD_SCHED_POLICY, SCHED_BATCH);
  const bool fills = !cfg_.execution.fills_endpoint.empty() && cfg_.execution.mode == config::ExecutionMode::live;
  if (!open_state(fills)) return false;
  if (!open_sockets(fills)) return false;
  flow_->resend(resend_);
  resend_.clear();

  setup_metrics();
  ControlContext control{*engine_, *flow_, out_, cfg_.status.token, [this] { return engine_now(); },
                         [this] { return reload("control request"); },
                         [this] { return status_json(); }, [this] { return health_problems(wall_now()); },
                         [this] { return metrics_.render(); }, fleet_.get()};
  http_ = std::make_unique<HttpServer>(io_, cfg_.status.listen, make_routes(std::move(control)),
                                       status_limits(cfg_.status));
  if (auto err = http_->start()) {
    log_event(critical, "status_socket_failed", "status socket {listen}: {error}", "listen"_a = cfg_.status.listen,
              "error"_a = *err);
    return false;
  }
  for (auto& f : intake_->feeds()) f->reader->start();
  if (fills_reader_) fills_reader_->start();

  signals_.add(SIGTERM);
  signals_.add(SIGINT);
  signals_.add(SIGHUP);
  wait_for_signal();
  arm_timer();

  log_event(info, "started",
            "ballastd {version} started: mode={mode} clock={clock} feeds={feeds} portfolios={portfolios} "
            "status=http://{status} orders={orders} fills={fills}",
            "version"_a = BALLAST_VERSION, "mode"_a = mode_name(cfg_.execution.mode),
            "clock"_a = clock_.data() ? "data" : "wall", "feeds"_a = intake_->feeds().size(),
            "portfolios"_a = cfg_.portfolios.size(), "status"_a = http_->local_address(),
            "orders"_a = cfg_.execution.endpoint,
            "fills"_a = fills ? cfg_.execution.fills_endpoint : std::string("booked when sent"));
  log_shard();
  notifier_.ready(service_summary());
  return true;
}

void Daemon::log_shard() const {
  const config::Shard& shard = cfg_.daemon.shard;
  if (shard.count == 1) return;
  std::string ids, ids_json;
  core::JsonWriter w(ids_json);
  w.begin_array();
  for (const auto& p : cfg_.portfolios) {
    ids += (ids.empty() ? "" : ", ") + p.id;
    w.value(p.id);
  }
  w.end_array();
  const std::string list = ids.empty() ? std::string(" (none: this daemon trades nothing)") : ": " + ids;
  // Not an error: a reload that adds portfolios may give this shard some.
  const auto level = cfg_.portfolios.empty() ? warn : info;
  log_event(level, "shard", "shard {shard}: owns {owned} of the {total} portfolios in the file{list}",
            "shard"_a = config::to_string(shard), "owned"_a = cfg_.portfolios.size(), "total"_a = portfolios_in_file_,
            "list"_a = TextOnly{list}, "index"_a = shard.index, "count"_a = shard.count,
            "portfolios"_a = RawJson{ids_json});
}

bool Daemon::open_state(bool fills) {
  sequences_ = std::make_unique<SequenceFile>(cfg_.daemon.state_dir);
  std::string error;
  const auto seq = sequences_->open(error);
  if (!seq) {
    log_event(critical, "sequence_file_failed", "{error}", "error"_a = error);
    return false;
  }
  // Dry-run never writes the state file: what it books is make-believe.
  if (cfg_.daemon.durability != config::Durability::off && cfg_.execution.mode == config::ExecutionMode::live) {
    auto opened = Persistence::open(cfg_.daemon, error);
    if (!opened) {
      log_event(critical, "state_open_failed", "{error}; not trading", "error"_a = error);
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
  intake_ = std::make_unique<FeedIntake>(*engine_, warn_limiter_);
  flow_ = std::make_unique<OrderFlow>(cfg_, *engine_, *sequences_, persistence_.get(), *kill_file_, warn_limiter_,
                                      !fills);
  if (const auto record = kill_file_->read()) {
    engine_->set_killed(true);
    log_event(warn, "kill_switch", "kill switch on since before this start ({by}): no order leaves until POST "
              "/control/release", "by"_a = *record, "on"_a = true);
  } else if (cfg_.execution.kill_switch) {
    flow_->set_kill_switch(true, "configuration");
  }
  engine_->set_sequences(*seq);
  for (std::size_t i = 0; i < engine_->portfolios().size(); ++i) {
    if (const std::string error = warm_from_history(i, warm_limit()); !error.empty()) {
      log_event(critical, "risk_history_failed", "{error}", "error"_a = error,
                "portfolio"_a = engine_->portfolios()[i].spec.id);
      return false;
    }
  }
  if (persistence_) {
    try {
      Restored restored = persistence_->restore(*engine_, !fills);
      log_event(info, "state_restored",
                "state {path}: {restored} portfolios restored, {seeded} seeded from the config, {resend} orders to "
                "send again",
                "path"_a = persistence_->path(), "restored"_a = restored.restored.size(),
                "seeded"_a = restored.seeded.size(), "resend"_a = restored.resend.size());
      for (const auto& w : restored.warnings) log_state_warning(w);
      resend_ = std::move(restored.resend);
      restored_blocks_ = std::move(restored.blocks);
    } catch (const store::StoreError& e) {
      log_event(critical, "state_read_failed", "cannot read the state file: {error}; not trading", "error"_a = e.what(),
                "path"_a = persistence_->path());
      return false;
    }
  }
  if (!cfg_.models.empty()) {
    // The loader refuses [[models]] without a state file: the accounts live there.
    engine_->watch_symbols(FleetFlow::symbols_of(cfg_));
    fleet_ = std::make_unique<FleetFlow>(cfg_, *engine_, *persistence_, warn_limiter_, !fills);
    try {
      if (const std::string error = fleet_->load(restored_blocks_); !error.empty()) {
        log_event(critical, "fleet_load_failed", "account book {path}: {error}; not trading",
                  "path"_a = persistence_->path(), "error"_a = error);
        return false;
      }
    } catch (const store::StoreError& e) {
      log_event(critical, "fleet_load_failed", "cannot read the account book: {error}; not trading",
                "error"_a = e.what(), "path"_a = persistence_->path());
      return false;
    }
    fleet_->on_state_failure(
        [this](const std::string& error) { flow_->state_write_failed("fleet changes not written", error); });
    flow_->set_other_fills([this](const core::FillReport& fill, core::TimeNs now) { return fleet_->on_fill(fill, now); });
    // Sent again under their ids, as the portfolios' are: gateways drop what they have seen.
    for (auto& row : restored_blocks_) resend_.push_back(std::move(row.order));
    restored_blocks_.clear();
  } else if (!restored_blocks_.empty()) {
    log_event(warn, "state_warning",
              "{count} block orders of a fleet are unfinished in the state file, but the configuration has no "
              "[[models]]: they stay as they are",
              "count"_a = restored_blocks_.size(), "kind"_a = "blocks_without_fleet");
  }
  intake_->resize_symbols();
  return true;
}

bool Daemon::open_sockets(bool fills) {
  try {
    transport_ = std::make_unique<TransportSecurity>(io_, zmq_, cfg_);
    for (const auto& fc : cfg_.feeds) {
      const std::size_t index = intake_->feeds().size();
      Feed& feed = intake_->add(fc);
      feed.batcher = std::make_unique<InstantBatcher>(fc.coalesce, [this](const Instant& i) { decide(i); });
      feed.window_timer = std::make_unique<boost::asio::steady_timer>(io_);
      zmq::socket_t sub(zmq_, zmq::socket_type::sub);
      sub.set(zmq::sockopt::subscribe, "");
      sub.set(zmq::sockopt::rcvhwm, 100'000);
      transport_->prepare_feed(sub, index);
      if (fc.bind) sub.bind(fc.endpoint);
      else sub.connect(fc.endpoint);
      feeds::ZmqReaderOptions options;
      options.on_drained = [&feed] { feed.batcher->drained(); };
      feed.reader = std::make_unique<feeds::ZmqReader>(
          io_, std::move(sub),
          [this, &feed](std::span<zmq::message_t> frames, std::size_t count) {
            const SteadyClock::time_point received = SteadyClock::now();
            core::Tick tick;
            // Tick hygiene (max_future, the log's rate limits) is on the wall clock.
            if (!intake_->accept(feed, frames, count, wall_now(), tick)) return;
            if (feed.batcher->add(tick, received)) arm_window(feed);
          },
          std::move(options));
      if (!fc.bind) transport_->keep_connected(index, feed.reader->socket());
    }
    if (cfg_.execution.mode == config::ExecutionMode::live) {
      sender_ = std::make_unique<execution::OrderSender>(
          zmq_, cfg_.execution.endpoint,
          execution::OrderSenderOptions{.connect = cfg_.execution.connect,
                                        .prepare = [this](zmq::socket_t& s) { transport_->prepare_orders(s); }});
      flow_->set_sender(sender_.get());
      if (fleet_) fleet_->set_sender(sender_.get());
    }
    if (fills) {
      zmq::socket_t pull(zmq_, zmq::socket_type::pull);
      transport_->prepare_fills(pull);
      pull.bind(cfg_.execution.fills_endpoint);
      fills_reader_ = std::make_unique<feeds::ZmqReader>(
          io_, std::move(pull),
          [this](std::span<zmq::message_t> frames, std::size_t count) {
            flow_->on_fill_message(frames, count, out_);
            after_fill();
          });
    }
    transport_->start();
  } catch (const zmq::error_t& e) {
    log_event(critical, "sockets_failed", "cannot set up ZeroMQ sockets: {error}", "error"_a = e.what());
    return false;
  }
  return true;
}

void Daemon::setup_metrics() {
  intake_->add_metrics(metrics_);
  flow_->add_metrics(metrics_);
  transport_->add_metrics(metrics_);
  add_portfolio_metrics(metrics_, *engine_);
  if (fleet_) fleet_->add_metrics(metrics_);
  metrics_.gauge_family("ballast_build_info", "Always 1; the version of the running daemon is its label.", {"version"})
      .with({BALLAST_VERSION})
      .set(1);
  auto& healthy = metrics_.gauge("ballast_healthy", "1 while /healthz answers ok, 0 while degraded.");
  auto& paused = metrics_.gauge("ballast_paused", "1 while paused.");
  auto& uptime = metrics_.gauge("ballast_uptime_seconds", "Seconds since start.");
  auto& reloads = metrics_.counter_family("ballast_reloads_total",
                                          "Configuration reloads since start: applied, and refused (invalid file).",
                                          {"outcome"});
  metrics_.on_collect([this, &healthy, &paused, &uptime, &reloads] {
    healthy.set(health_problems(wall_now()).empty() ? 1 : 0);
    paused.set(engine_->paused() ? 1 : 0);
    uptime.set(std::chrono::duration<double>(SteadyClock::now() - started_).count());
    reloads.with({"applied"}).advance_to(static_cast<double>(reloads_));
    reloads.with({"refused"}).advance_to(static_cast<double>(reloads_refused_));
  });
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
}

void Daemon::decide(const Instant& instant) {
  if (!clock_.started()) start_data_clock(instant.ts);
  const core::TimeNs now = clock_.decide_at(instant.ts, wall_now());
  // One tick alone goes the engine's per-tick way, which touches only its holders.
  if (instant.ticks.size() == 1) engine_->on_tick(instant.ticks.front(), now, out_);
  else engine_->on_ticks(instant.ticks, now, out_);
  if (clock_.data()) engine_->on_timer(now, out_);
  if (!out_.empty()) flow_->handle(out_, instant.received);
  if (fleet_) {
    for (const core::Tick& tick : instant.ticks) fleet_->on_tick(tick, now, instant.received);
  }
}

void Daemon::start_data_clock(core::TimeNs ts) {
  log_event(info, "data_clock_started", "data clock starts at {at}", "at"_a = core::format_iso8601(ts));
  for (std::size_t i = 0; i < engine_->portfolios().size(); ++i) {
    if (const std::string error = warm_from_history(i, ts); !error.empty()) {
      log_event(err, "risk_history_failed", "{error}", "error"_a = error, "portfolio"_a = engine_->portfolios()[i].spec.id);
    }
  }
  // As a backtest's engine, made just before its first row: a date on it counts.
  engine_->restart_calendars(ts - 1);
}

void Daemon::arm_window(Feed& feed) {
  const auto deadline = feed.batcher->deadline();
  if (!deadline) return;
  feed.window_timer->expires_at(*deadline);
  feed.window_timer->async_wait([this, &feed](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    feed.batcher->expire(SteadyClock::now());
  });
}

void Daemon::after_fill() {
  if (!clock_.data() || !clock_.started()) return;
  engine_->on_timer(engine_now(), out_);
  if (!out_.empty()) flow_->handle(out_, SteadyClock::now());
}

void Daemon::on_timer() {
  const core::TimeNs now = wall_now();
  intake_->refresh_staleness(now);
  // The data clock stands still between instants; before the first there is no time to give.
  if (clock_.started()) {
    engine_->on_timer(clock_.now(now), out_);
    if (!out_.empty()) flow_->handle(out_, SteadyClock::now());
    if (fleet_) fleet_->on_timer(clock_.now(now));
  }
  if (sender_) sender_->flush();
  flow_->flush_state(now);
  notifier_.on_timer(SteadyClock::now(), [this] { return service_summary(); });
}

void Daemon::wait_for_signal() {
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec || stopping_) return;
    if (sig == SIGHUP) {
      notifier_.reloading();
      reload("SIGHUP");
      notifier_.ready(service_summary());
      wait_for_signal();
      return;
    }
    log_event(info, "stopping", "{signal} received: stopping", "signal"_a = sig == SIGTERM ? "SIGTERM" : "SIGINT");
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

std::string Daemon::reload(const char* why) {
  auto loaded = config::load_config(cfg_.path, config::Purpose::daemon);
  if (!loaded.config) {
    ++reloads_refused_;
    std::string all;
    for (const auto& e : loaded.errors) all += (all.empty() ? "" : "\n") + e.to_string();
    std::string problems;
    core::JsonWriter w(problems);
    w.begin_array();
    for (const auto& e : loaded.errors) w.value(e.to_string());
    w.end_array();
    log_event(err, "reload_refused", "reload ({trigger}) refused, the running configuration stays:\n{text}",
              "trigger"_a = why, "text"_a = TextOnly{all}, "problems"_a = RawJson{problems});
    return all;
  }
  config::Config next = std::move(*loaded.config);
  // The running shard decides which portfolios apply: a new shard waits for a restart.
  const std::size_t portfolios_in_file = next.portfolios.size();
  next.portfolios = config::owned_portfolios(next.portfolios, cfg_.daemon.shard);
  // What arrived under the running configuration is decided under it.
  intake_->flush_instants();
  std::vector<std::string> restart_needed;
  intake_->reconfigure(next.feeds, restart_needed);
  for (auto& change : restart_only_changes(cfg_, next)) restart_needed.push_back(std::move(change));

  if (next.execution.kill_switch && !engine_->killed()) flow_->set_kill_switch(true, "configuration reload");
  set_log_level(next.daemon.log_level);
  engine_->set_limits(next.execution.limits);
  if (fleet_) fleet_->set_limits(next.execution.limits);
  std::vector<std::string> added;
  for (const auto& spec : next.portfolios) {
    if (!engine_->find_portfolio(spec.id)) added.push_back(spec.id);
  }
  engine_->reconfigure(next.portfolios, engine_now());
  if (persistence_) {
    // The state file is the truth for a portfolio it knows, even one that
    // was removed and is added again.
    try {
      const Restored r = persistence_->adopt(*engine_, added);
      for (const auto& id : r.restored) {
        log_event(info, "portfolio_restored", "portfolio {portfolio} restored from {path}", "portfolio"_a = id,
                  "path"_a = persistence_->path());
      }
      for (const auto& id : r.seeded) {
        log_event(info, "portfolio_seeded", "portfolio {portfolio} seeded from the config", "portfolio"_a = id);
      }
      for (const auto& w : r.warnings) log_state_warning(w);
    } catch (const store::StoreError& e) {
      flow_->state_write_failed("the state file could not be read on reload", e.what());
    }
  }
  intake_->resize_symbols();
  for (std::size_t i = 0; i < engine_->portfolios().size(); ++i) {
    if (const std::string error = warm_from_history(i, warm_limit()); !error.empty()) {
      log_event(err, "risk_history_failed", "{error}", "error"_a = error, "portfolio"_a = engine_->portfolios()[i].spec.id);
    }
  }
  intake_->refresh_staleness(wall_now());
  cfg_.portfolios = std::move(next.portfolios);
  portfolios_in_file_ = portfolios_in_file;
  cfg_.status.token = next.status.token;
  cfg_.daemon.log_level = next.daemon.log_level;
  ++reloads_;
  std::string pending;
  for (const auto& s : restart_needed) pending += (pending.empty() ? "" : ", ") + s;
  std::string restart_json;
  core::JsonWriter w(restart_json);
  w.begin_array();
  for (const auto& s : restart_needed) w.value(s);
  w.end_array();
  const std::string pending_text =
      pending.empty() ? std::string() : "; changes to " + pending + " take effect at the next restart";
  log_event(info, "reloaded", "reload ({trigger}): applied portfolios, log level and token{pending}", "trigger"_a = why,
            "pending"_a = TextOnly{pending_text}, "restart_needed"_a = RawJson{restart_json});
  return {};
}

core::TimeNs Daemon::warm_limit() const {
  if (!clock_.data()) return std::numeric_limits<core::TimeNs>::max();
  return clock_.started() ? engine_now() : std::numeric_limits<core::TimeNs>::min();
}

std::string Daemon::warm_from_history(std::size_t index, core::TimeNs before) {
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
  const auto rows = static_cast<std::size_t>(std::lower_bound(table.times.begin(), table.times.end(), before) -
                                             table.times.begin());
  if (rows == 0) return {};
  engine_->warm_risk(index, std::span(table.times.data(), rows), std::span(table.prices.data(), rows * table.cols()),
                     table.cols(), column_of_asset);
  const auto& after = engine_->portfolios()[index];
  log_event(info, "risk_warmed", "portfolio {portfolio}: risk model warmed from {path}: {rows} rows, {samples} samples, {state}",
            "portfolio"_a = p.spec.id, "path"_a = path, "rows"_a = rows,
            "samples"_a = std::get<strategies::EwmaRiskModel>(*after.risk).samples(),
            "state"_a = engine::model_state_text(after));
  return {};
}

void Daemon::shutdown() {
  if (stopping_) return;
  stopping_ = true;
  notifier_.stopping();
  for (auto& f : intake_->feeds()) f->reader->stop();
  if (fills_reader_) fills_reader_->stop();
  // Nothing received is lost: pending instants are decided, their orders queued below.
  intake_->flush_instants();
  for (auto& f : intake_->feeds()) f->window_timer->cancel();
  timer_.cancel();
  signals_.cancel();
  http_->stop();
  // Give queued orders a moment to reach a gateway that is connecting.
  if (sender_) {
    sender_->flush_for(std::chrono::seconds(2));
    if (sender_->queued() > 0) {
      log_event(err, "orders_undelivered", "{count} orders could not be delivered before exit",
                "count"_a = sender_->queued());
    }
  }
  flow_->flush_state(wall_now());
  std::string error;
  if (!sequences_->reserve_ahead(engine_->sequences(), error)) {
    log_event(err, "order_ids_not_reserved", "{error}", "error"_a = error);
  }
  io_.stop();
}

ServiceSummary Daemon::service_summary() const {
  const core::TimeNs now = wall_now();
  ServiceSummary s{.portfolios = engine_->portfolios().size(),
                   .feeds = intake_->feeds().size(),
                   .killed = engine_->killed(),
                   .paused = engine_->paused(),
                   .dry_run = cfg_.execution.mode != config::ExecutionMode::live,
                   .problems = health_problems(now).size()};
  for (const auto& f : intake_->feeds()) {
    if (f->last_accepted_at && now - f->last_accepted_at <= f->cfg.stale_after) ++s.feeds_fresh;
  }
  return s;
}

std::vector<std::string> Daemon::health_problems(core::TimeNs now) const {
  std::vector<std::string> problems;
  intake_->health_problems(now, problems);
  flow_->health_problems(problems);
  if (fleet_) fleet_->health_problems(problems);
  return problems;
}

std::string Daemon::status_json() const {
  const core::TimeNs now = wall_now();
  std::string out;
  core::JsonWriter w(out);
  w.begin_object();
  w.field("version", BALLAST_VERSION);
  w.field("uptime_s", std::chrono::duration<double>(SteadyClock::now() - started_).count());
  w.field("mode", mode_name(cfg_.execution.mode));
  w.key("clock").begin_object().field("kind", clock_.data() ? "data" : "wall").key("now");
  if (clock_.started()) w.value(core::format_iso8601(clock_.now(now)));
  else w.null();
  w.end_object();
  w.key("shard")
      .begin_object()
      .field("index", cfg_.daemon.shard.index)
      .field("count", cfg_.daemon.shard.count)
      .field("portfolios", engine_->portfolios().size())
      .end_object();
  w.field("paused", engine_->paused());
  w.field("kill_switch", engine_->killed());
  const auto problems = health_problems(now);
  w.field("healthy", problems.empty());
  w.key("health").begin_object().field("status", problems.empty() ? "ok" : "degraded");
  w.key("problems").begin_array();
  for (const auto& p : problems) w.value(p);
  w.end_array().end_object();
  w.key("reloads").begin_object().field("applied", reloads_).field("refused", reloads_refused_).end_object();
  w.key("feeds");
  intake_->write_status(w, now);
  w.key("execution");
  flow_->write_execution(w, clock_.now(now));  // open orders' ages on the engine's clock, as their send times
  w.key("state");
  flow_->write_state(w);
  w.key("transport");
  transport_->write_status(w);
  w.key("portfolios");
  write_portfolios(w, *engine_);
  w.key("fleet");
  if (fleet_) fleet_->write_status(w, clock_.now(now));
  else w.null();
  flow_->write_recent(w);
  w.end_object();
  return out;
}

int Daemon::run() {
  if (!setup()) return 1;
  io_.run();
  log_event(info, "stopped", "stopped");
  return 0;
}

}  // namespace

int run_daemon(config::Config config) {
  Daemon d(std::move(config));
  return d.run();
}

}  // namespace ballast::daemon
