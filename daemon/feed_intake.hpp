#pragma once
// Market data in (SPEC §2): the [[feeds]] at run time. Decodes each message,
// passes it through the tick hygiene (ordering, jumps, the future limit),
// counts and (rate-limited) logs every rejection, and hands accepted ticks on.
// Also the feeds' share of staleness, health, /status and /metrics.
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "config/config.hpp"
#include "core/json_writer.hpp"
#include "core/types.hpp"
#include "daemon/instant_batcher.hpp"
#include "daemon/logging.hpp"
#include "daemon/metrics.hpp"
#include "engine/engine.hpp"
#include "feeds/tick_decoder.hpp"
#include "feeds/tick_guard.hpp"
#include "feeds/zmq_reader.hpp"

namespace ballast::daemon {

/// One [[feeds]] entry at run time.
struct Feed {
  config::FeedConfig cfg;
  feeds::TickDecoder decoder;
  feeds::TickGuard::Limits limits;
  std::unique_ptr<feeds::ZmqReader> reader;  ///< set by whoever owns the sockets
  std::unique_ptr<InstantBatcher> batcher;   ///< set by whoever decides the instants
  std::unique_ptr<boost::asio::steady_timer> window_timer;  ///< the batcher's deadline, with a window
  std::uint64_t received = 0;
  std::uint64_t accepted = 0;
  std::array<std::uint64_t, core::kRejectReasonCount> rejected{};
  core::TimeNs last_accepted_at = 0;
  Counter* ticks_metric = nullptr;
  std::array<Counter*, core::kRejectReasonCount> reject_metrics{};

  explicit Feed(config::FeedConfig c);
};

class FeedIntake {
 public:
  /// The engine is read for its symbols and told which are stale.
  FeedIntake(engine::Engine& engine, RateLimiter& limiter);

  Feed& add(config::FeedConfig cfg);
  std::vector<std::unique_ptr<Feed>>& feeds() { return feeds_; }
  const std::vector<std::unique_ptr<Feed>>& feeds() const { return feeds_; }

  /// Decodes and checks one message of `feed` received at `now`. True with
  /// `tick` set (in the engine's symbols) when it may move a price; otherwise
  /// it was counted and dropped.
  bool accept(Feed& feed, std::span<zmq::message_t> frames, std::size_t count, core::TimeNs now, core::Tick& tick);

  /// After the engine's symbols changed (a reload): every symbol has a slot.
  void resize_symbols();
  /// Marks the engine's symbols stale or fresh by the time of their last accepted tick.
  void refresh_staleness(core::TimeNs now);

  /// A reload: feeds whose connection is unchanged take the new checks
  /// (stale_after, max_jump, jump_confirm, max_future) and coalescing (what
  /// is pending is decided first); the names of those
  /// that need a restart are appended to `restart_needed`.
  void reconfigure(const std::vector<config::FeedConfig>& next, std::vector<std::string>& restart_needed);

  void add_metrics(MetricsRegistry& metrics);
  /// Every feed without a fresh tick, and the stale symbols.
  void health_problems(core::TimeNs now, std::vector<std::string>& out) const;
  /// Decides every feed's pending instant (before a reload, at shutdown).
  void flush_instants();

  /// The "feeds" array of /status.
  void write_status(core::JsonWriter& w, core::TimeNs now) const;

 private:
  /// `symbol`: the tick's, when the reason concerns one (unknown, out of order, jump).
  void reject(Feed& feed, core::RejectReason reason, std::string_view detail, core::TimeNs now,
              std::string_view symbol = {});

  engine::Engine& engine_;
  RateLimiter& limiter_;
  feeds::TickGuard guard_{0};
  core::TimeNs started_at_;  ///< the age of a feed that has not ticked yet counts from here
  std::vector<std::unique_ptr<Feed>> feeds_;
};

}  // namespace ballast::daemon
