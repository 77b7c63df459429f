#pragma once
// Orders out and fills in (SPEC §3 and §4): what the engine decided is
// committed to the state file, then sent; fill reports are decoded and booked.
// Also the kill switch's durable record, the health of the state file, the
// recent orders and denials, the counters and latencies of this side, and
// its share of /status and /metrics.
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

#include "config/config.hpp"
#include "core/json_writer.hpp"
#include "daemon/kill_switch_file.hpp"
#include "daemon/latency_recorder.hpp"
#include "daemon/logging.hpp"
#include "daemon/metrics.hpp"
#include "daemon/persistence.hpp"
#include "daemon/sequence_file.hpp"
#include "daemon/wall_clock.hpp"
#include "engine/engine.hpp"
#include "execution/io/order_sender.hpp"

namespace ballast::daemon {

class OrderFlow {
 public:
  /// `persistence` is null without a state file (durability "off", dry-run);
  /// `sender` is null in dry-run. All must outlive the flow.
  OrderFlow(const config::Config& cfg, engine::Engine& engine, SequenceFile& sequences, Persistence* persistence,
            KillSwitchFile& kill_file, RateLimiter& limiter, bool book_on_send);

  void set_sender(execution::OrderSender* sender) { sender_ = sender; }
  /// Fill reports of orders the engine did not make (the fleet's block
  /// orders): offered here first. nullopt: not one of theirs; true: applied;
  /// false: refused as inconsistent (and logged by them).
  using OtherFills = std::function<std::optional<bool>(const core::FillReport&, core::TimeNs now)>;
  void set_other_fills(OtherFills other) { other_fills_ = std::move(other); }
  execution::OrderSender* sender() const { return sender_; }

  /// Everything one engine call decided (`out`, cleared afterwards): committed
  /// before any order leaves, then the orders sent, then logged and counted.
  /// `received` is when the input that caused it arrived (tick-to-order latency).
  void handle(engine::Output& out, SteadyClock::time_point received);
  /// One message on the fills socket: decoded, booked through the engine, handled.
  void on_fill_message(std::span<zmq::message_t> frames, std::size_t count, engine::Output& out);
  /// Orders the state file says may not have left before the last stop: sent
  /// again under their ids (gateways drop what they have seen).
  void resend(const std::vector<core::Order>& orders);

  /// Commits what changed outside a decision and the sent marks, and
  /// checkpoints now and then; a failure turns the kill switch on.
  void flush_state(core::TimeNs now);
  /// Turns the kill switch on or off in the engine and on disk; `who` says why.
  void set_kill_switch(bool on, std::string_view who);
  /// A write to the state file failed: no order leaves (kill switch on) and
  /// health says why until a write succeeds again.
  void state_write_failed(std::string_view what, const std::string& error);

  void add_metrics(MetricsRegistry& metrics);
  /// The kill switch, unknown orders, a state file that cannot be written.
  void health_problems(std::vector<std::string>& out) const;
  /// The "execution" and "state" objects of /status and the recent lists
  /// (denials, rebalances, orders).
  void write_execution(core::JsonWriter& w, core::TimeNs now) const;
  void write_state(core::JsonWriter& w) const;
  void write_recent(core::JsonWriter& w) const;

 private:
  void log_and_count(engine::Output& out, bool live, core::TimeNs now);

  /// An order as /status shows it after it left (or, in dry-run, would have).
  struct RecentOrder {
    core::Order order;
    bool sent = false;
  };
  /// A rebalance as /status shows it under "recent_rebalances".
  struct RecentRebalance {
    std::string portfolio;
    engine::RebalanceRecord record;
    bool sent = false;
  };

  const config::Config& cfg_;
  engine::Engine& engine_;
  SequenceFile& sequences_;
  Persistence* persistence_;
  KillSwitchFile& kill_file_;
  RateLimiter& limiter_;
  execution::OrderSender* sender_ = nullptr;
  OtherFills other_fills_;
  bool book_on_send_;
  core::TimeNs last_checkpoint_ = 0;
  std::vector<std::string> encoded_;  // reused: encoding allocates only when a batch is larger than any before
  std::string encoded_amendment_;
  std::deque<RecentOrder> recent_orders_;
  std::deque<engine::Denial> recent_denials_;
  std::deque<RecentRebalance> recent_rebalances_;
  LatencyRecorder latency_;        // tick receipt → first order of its rebalance handed to ZeroMQ
  LatencyRecorder batch_latency_;  // tick receipt → last order of its rebalance handed to ZeroMQ
  std::uint64_t fills_applied_ = 0, fills_unknown_ = 0, fills_malformed_ = 0, fills_inconsistent_ = 0;
  std::uint64_t orders_timed_out_ = 0, orders_resolved_ = 0;
  std::uint64_t state_write_errors_ = 0;  ///< failed writes to the state file since start
  std::string state_error_;      ///< the last failed write to the state file; empty while writes succeed
  std::string kill_file_error_;  ///< the kill switch could not be recorded on disk

  CounterFamily* orders_metric_ = nullptr;
  CounterFamily* rebalances_metric_ = nullptr;
  CounterFamily* fills_metric_ = nullptr;
  CounterFamily* amendments_metric_ = nullptr;
  CounterFamily* denied_metric_ = nullptr;
  Histogram* latency_metric_ = nullptr;
};

}  // namespace ballast::daemon
