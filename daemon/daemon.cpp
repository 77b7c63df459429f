#include "daemon/daemon.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "daemon/daemon_root.hpp"

namespace ballast::daemon {
namespace {

std::string_view mode_name(config::ExecutionMode m) { return m == config::ExecutionMode::live ? "live" : "dry-run"; }

}  // namespace

using namespace fmt::literals;
using spdlog::level::critical, spdlog::level::err, spdlog::level::info, spdlog::level::warn;

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
  ControlContext control{*engine_,
                         *flow_,
                         out_,
                         cfg_.status.token,
                         [this] { return engine_now(); },
                         [this] { return reload("control request"); },
                         [this] {
                           std::string body = status_json();
                           drive_fleet_summary();
                           return body;
                         },
                         [this] { return health_problems(wall_now()); },
                         [this] { return metrics_.render(); },
                         fleet_.get()};
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
    drive_fleet_summary();  // the first summary's pass, once the fleet has started
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
  drive_calendar();
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

void Daemon::drive_fleet_summary() {
  if (summary_slice_posted_ || !fleet_ || !fleet_->summary_pass_pending()) return;
  summary_slice_posted_ = true;
  boost::asio::post(io_, [this] {
    summary_slice_posted_ = false;
    if (stopping_ || !fleet_ || !fleet_->next_summary_slice()) return;
    drive_fleet_summary();
  });
}

void Daemon::drive_calendar() {
  if (calendar_part_posted_ || !fleet_ || !fleet_->calendar_running()) return;
  calendar_part_posted_ = true;
  boost::asio::post(io_, [this] {
    calendar_part_posted_ = false;
    if (stopping_ || !fleet_ || !clock_.started()) return;
    fleet_->on_timer(clock_.now(wall_now()));
    if (sender_) sender_->flush();
    drive_calendar();
  });
}

int Daemon::run() {
  if (!setup()) return 1;
  io_.run();
  log_event(info, "stopped", "stopped");
  return 0;
}

int run_daemon(config::Config config) {
  Daemon d(std::move(config));
  return d.run();
}

}  // namespace ballast::daemon
