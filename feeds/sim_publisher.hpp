#pragma once
// `ballast feed sim`: publishes correlated GBM prices over ZeroMQ (SPEC §2).
//
// This header also holds what both publishers (sim and replay) share: the
// socket options, the rendering of a tick into frames, the PUB socket wrapper
// and the run summary.
#include <Eigen/Core>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>
#include <zmq.hpp>

#include "core/feed_format.hpp"
#include "core/time.hpp"
#include "feeds/gbm_simulator.hpp"
#include "net/socket_security.hpp"

namespace ballast::feeds {

// ---------------------------------------------------------------------------
// Shared by the publishers

/// Where and how a publisher sends its ticks.
struct PublisherOptions {
  std::string endpoint = "tcp://127.0.0.1:5556";
  /// Connect to a bound subscriber instead of binding (for a feed configured with `bind = true`).
  bool connect = false;
  core::Framing framing = core::Framing::multipart;
  /// Pause before the first tick after bind/connect. ZeroMQ drops what a PUB
  /// sends before a subscriber's subscription has arrived (the "slow joiner"),
  /// so a demo whose daemon starts a moment later would miss the start prices.
  std::chrono::milliseconds warmup{0};
  /// End the warmup as soon as the first subscriber has subscribed; the warmup
  /// then only bounds the wait. Uses an XPUB socket to see subscriptions.
  bool wait_for_subscriber = false;
  /// How long ticks still queued at exit may delay it.
  std::chrono::milliseconds linger{1000};
  /// Publish as a CURVE client of the daemon (which is the CURVE server).
  std::optional<net::CurveClientKeys> curve;
  /// Called once, from the publishing thread, with the endpoint actually bound or
  /// connected (ZMQ_LAST_ENDPOINT: "tcp://127.0.0.1:*" becomes the real port).
  std::function<void(const std::string& endpoint)> on_ready;
};

/// The JSON object of one tick: {"symbol":..,"price":..,"ts":<epoch seconds>}.
std::string render_tick_json(std::string_view symbol, double price, core::TimeNs ts);
/// The frames of one tick: [symbol, json] for multipart, ["SYMBOL json"] for topic-json.
std::vector<std::string> render_tick_frames(std::string_view symbol, double price, core::TimeNs ts,
                                            core::Framing framing);
/// Empty when every symbol can be published in `framing`, else why not
/// (empty symbols; whitespace, which would split a topic-json frame in the wrong place).
std::string check_publishable_symbols(const std::vector<std::string>& symbols, core::Framing framing);

/// A PUB (or XPUB, to see subscribers) socket that sends ticks. Never throws.
class TickPublisher {
 public:
  /// Binds or connects per `options`; nullptr and `error` set on failure.
  static std::unique_ptr<TickPublisher> open(const PublisherOptions& options, std::string& error);

  /// Runs the warmup of the options; returns early when `stop` is set.
  void warm_up(const std::atomic<bool>& stop);
  /// Sleeps until `deadline` in short slices, so `stop` is honoured within ~50 ms.
  /// Returns false when stopped.
  bool wait_until(std::chrono::steady_clock::time_point deadline, const std::atomic<bool>& stop);
  /// Sends one tick; false (and last_error()) when the socket failed.
  bool send(std::string_view symbol, double price, core::TimeNs ts);

  const std::string& endpoint() const { return endpoint_; }
  std::uint64_t ticks_sent() const { return ticks_sent_; }
  const std::string& last_error() const { return last_error_; }

 private:
  TickPublisher(const PublisherOptions& options);
  /// Reads pending subscription messages; true when one was a subscribe.
  bool drain_subscriptions();

  PublisherOptions options_;
  zmq::context_t context_;
  zmq::socket_t socket_;
  std::string endpoint_;
  std::string last_error_;
  std::uint64_t ticks_sent_ = 0;
};

/// How a publisher run ended.
struct PublishSummary {
  int exit_code = 0;  ///< 0 done or stopped, 1 runtime failure, 2 unusable options
  std::string error;  ///< why, when exit_code != 0
  std::string endpoint;
  std::uint64_t ticks = 0;
  std::uint64_t steps = 0;  ///< simulation steps or replayed rows
  double elapsed_s = 0;
  bool stopped = false;  ///< ended by the stop flag rather than a count or the end of the data
};

/// Checks the symbols, opens the publisher and runs its warmup; nullptr with
/// `summary`'s exit code and error set when either fails.
std::unique_ptr<TickPublisher> open_for(const PublisherOptions& options, const std::vector<std::string>& symbols,
                                        const std::atomic<bool>& stop, PublishSummary& summary);

/// Sends one tick per symbol that has a price (NaN = none) and counts the step;
/// false, with the summary's exit code and error set, when the socket fails.
bool send_step(TickPublisher& pub, std::span<const std::string> symbols, std::span<const double> prices,
               core::TimeNs ts, PublishSummary& summary);
/// The closing figures of a run: stopped, ticks sent, elapsed time.
void finish_summary(const TickPublisher& pub, std::chrono::steady_clock::time_point start,
                    const std::atomic<bool>& stop, PublishSummary& summary);

// ---------------------------------------------------------------------------
// The simulator

/// Simulated seconds in a year: the simulated clock is trading time, 252 days
/// of 6.5 hours, so σ means what it means for daily close-to-close returns.
inline constexpr double kSimSecondsPerYear = 252.0 * 6.5 * 3600.0;
/// One trading day, the default simulated seconds per wall second: a demo
/// then moves about σ/√252 (≈1.3% at σ = 0.2) every wall second.
inline constexpr double kSimTradingDaySeconds = 6.5 * 3600.0;

struct SimOptions {
  PublisherOptions publisher;
  /// Symbols with start price, μ and σ (annualised).
  std::vector<GbmAsset> assets;
  /// Full correlation matrix; when empty, every pair has `correlation`.
  Eigen::MatrixXd correlation_matrix;
  double correlation = 0.0;
  std::uint64_t seed = 1;
  /// Ticks per wall second per symbol; every step publishes one tick per symbol.
  double rate = 10.0;
  /// Simulated seconds per wall second.
  double speed = kSimTradingDaySeconds;
  /// Steps to publish (the first carries the start prices); 0 = until stopped.
  std::uint64_t count = 0;
};

/// Years of simulated time per step: speed / rate / kSimSecondsPerYear.
double sim_step_years(const SimOptions& options);

/// Parses "SYM", "SYM:PRICE" or "SYM:PRICE:MU:SIGMA" (defaults: price 100,
/// μ 0.05, σ 0.2); nullopt and `error` on anything else.
std::optional<GbmAsset> parse_sim_asset(std::string_view spec, std::string& error);
/// Parses rows separated by ';', entries by ',' or spaces ("1,0.3;0.3,1");
/// nullopt and `error` when malformed or not square.
std::optional<Eigen::MatrixXd> parse_correlation_matrix(std::string_view text, std::string& error);

/// Publishes until `count` steps or `stop`; ts of every tick is the wall clock.
PublishSummary publish_sim(const SimOptions& options, const std::atomic<bool>& stop);
/// publish_sim plus a start line and a one-line summary on `out`, errors on `err`.
/// Returns the process exit code.
int run_sim_publisher(const SimOptions& options, const std::atomic<bool>& stop, std::ostream& out,
                      std::ostream& err);

}  // namespace ballast::feeds
