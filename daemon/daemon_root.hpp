#pragma once
// The daemon's composition root as a class, for the files that define its
// parts: daemon.cpp (setup, sockets, timers, signals, status),
// daemon_state.cpp (the state file, the kill switch, the fleet's book) and
// daemon_reload.cpp (reloads and risk histories). Only run_daemon()
// (daemon.hpp) is public.
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
  /// Runs the fleet's summary pass that a /status started, one slice per
  /// handler posted to the loop, so that ticks and requests go between them.
  void drive_fleet_summary();
  /// While a calendar date of the fleet is part way through the book, runs
  /// its next part in a handler posted to the loop, not at the next timer
  /// tick: ticks, fills and requests go between the parts, and the date is
  /// not held to one part per tick.
  void drive_calendar();
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
  bool summary_slice_posted_ = false;  ///< a slice of the fleet's summary pass waits in the loop
  bool calendar_part_posted_ = false;  ///< the next part of a calendar date waits in the loop
  RateLimiter warn_limiter_;
  SteadyClock::time_point started_ = SteadyClock::now();
  bool stopping_ = false;
  std::uint64_t reloads_ = 0, reloads_refused_ = 0;
  ServiceNotifier notifier_;
  MetricsRegistry metrics_;
};

}  // namespace ballast::daemon
