#pragma once
// The daemon's configuration, typed (SPEC §6 plus the keys the README documents).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/feed_format.hpp"
#include "config/shard.hpp"
#include "core/time.hpp"
#include "execution/cost_model.hpp"
#include "execution/limit_price.hpp"
#include "execution/risk_gate.hpp"
#include "strategies/policy.hpp"

namespace ballast::config {

enum class LogFormat { text, json };
enum class ExecutionMode { live, dry_run };
/// How hard the durable state is pushed to disk before an order leaves.
enum class Durability {
  full,    ///< fsync on every commit: an order on its way survives a power cut
  normal,  ///< WAL without fsync per commit: survives a crash of the daemon, not of the machine
  off,     ///< no state file: positions live in memory and start from the config every time
};

/// What the engine is handed as `now` (README "Clocks").
enum class EngineClock {
  wall,  ///< the system clock
  data,  ///< the time of the last instant of market data decided: a replay runs on the data's calendar
};

struct DaemonConfig {
  std::string log_level = "info";  ///< trace|debug|info|warn|error
  LogFormat log_format = LogFormat::text;
  std::string log_file;            ///< empty: stdout/stderr
  std::string state_dir = "/var/lib/ballast";
  Durability durability = Durability::full;
  EngineClock clock = EngineClock::wall;
  /// Which portfolios this daemon owns when several share one file; the
  /// default, "0/1", owns them all. The loader keeps every portfolio in
  /// Config::portfolios: the daemon picks its own (owned_portfolios).
  Shard shard;
};

/// Which ticks of a feed are decided together, as one instant (README "Instants").
struct Coalesce {
  enum class Kind {
    off,      ///< every tick alone
    instant,  ///< consecutive ticks with one timestamp, until another arrives or the queue is drained
    window,   ///< as instant, but waiting up to `window` after the first for the rest
  };
  Kind kind = Kind::instant;
  core::DurationNs window = 0;  ///< Kind::window only: > 0 and at most kMaxCoalesceWindow
  bool operator==(const Coalesce&) const = default;
};
/// The longest coalescing window: an instant waits no longer than this to be decided.
inline constexpr core::DurationNs kMaxCoalesceWindow = 10 * core::kNanosPerSecond;

struct FeedConfig {
  std::string name;
  std::string endpoint;
  bool bind = false;  ///< default: the daemon connects, the publisher binds
  core::FeedFormat format;
  core::DurationNs stale_after = 30 * core::kNanosPerSecond;
  /// Largest accepted move from the last accepted price, as a fraction; unset
  /// (written "none") = no check. The default keeps one absurd print from moving a price.
  std::optional<double> max_jump = 0.5;
  /// Ticks stamped further ahead of the receive clock are bad_time; unset ("none") = no check.
  std::optional<core::DurationNs> max_future = 5 * core::kNanosPerSecond;
  /// Consecutive ticks that agree on a new level beyond max_jump, which confirm it.
  int jump_confirm = 3;
  Coalesce coalesce;
  /// Plain ZeroMQ for this feed: accepted off this machine without [curve], and
  /// turns CURVE off for this feed with it.
  bool insecure = false;
};

struct ExecutionConfig {
  std::string endpoint = "tcp://127.0.0.1:5557";
  bool connect = false;  ///< default: the daemon binds the PUSH socket
  std::string fills_endpoint;  ///< empty: orders are booked as filled when sent
  ExecutionMode mode = ExecutionMode::live;
  /// An order with no final fill report for this long is unknown: its
  /// portfolio decides nothing until a report or an operator resolves it
  /// (only with a fills endpoint).
  core::DurationNs order_timeout = 300 * core::kNanosPerSecond;
  /// A fill whose average price is further than this fraction from its order's
  /// reference price is refused, never booked; unset ("none") = no check.
  std::optional<double> fill_price_collar = 0.2;
  /// Start with the kill switch on: no order leaves until it is released.
  bool kill_switch = false;
  /// `[execution.limits]`: the pre-trade risk gate. No order may be worth more
  /// than the portfolio unless the file says "none" for max_order_fraction.
  execution::RiskLimits limits{.max_order_fraction = 1.0};
  /// Plain ZeroMQ for the order and fill sockets: accepted off this machine
  /// without [curve], and turns CURVE off for them with it.
  bool insecure = false;
};

/// `[curve]`: CurveZMQ on the feed, order and fill sockets, with the daemon as
/// the CURVE server and an allowlist of client keys per role. Keys are Z85 text;
/// those in files are read at load time (not for offline purposes).
struct CurveConfig {
  std::string secret_key_file;  ///< the daemon's secret key, readable by its owner only
  std::string public_key_file;  ///< optional; checked against the secret key
  std::string secret_key;
  std::string public_key;       ///< derived from the secret key
  std::string publishers_file;  ///< optional allowlist file for [[feeds]]
  std::string gateways_file;    ///< optional allowlist file for the order and fill sockets
  /// Public keys allowed to publish ticks: the file's and the inline ones.
  std::vector<std::string> publishers;
  /// Public keys allowed to take orders and send fill reports.
  std::vector<std::string> gateways;

  bool operator==(const CurveConfig&) const = default;
};

struct StatusConfig {
  std::string listen = "127.0.0.1:8787";
  std::string token;  ///< empty: control endpoints are open (loopback only)
  // What one connection may take (README "Status socket"). Every limit has a
  // finite default: a slow or idle client is cut off, never served forever.
  /// From the accept (or a kept-alive request's first byte) to the end of the headers.
  core::DurationNs header_timeout = 5 * core::kNanosPerSecond;
  /// From the end of the headers to the end of the body.
  core::DurationNs body_timeout = 10 * core::kNanosPerSecond;
  /// Between a response and the next request on a kept-alive connection.
  core::DurationNs idle_timeout = 5 * core::kNanosPerSecond;
  /// For writing one response.
  core::DurationNs write_timeout = 10 * core::kNanosPerSecond;
  std::int64_t max_requests_per_connection = 100;
  /// Open connections at most; a new one past it closes the one least worth keeping.
  std::int64_t max_connections = 64;
  std::int64_t max_header_bytes = 8 * 1024;
  std::int64_t max_body_bytes = 64 * 1024;
};

/// `[simulation]`: the market model of `ballast simulate` and its defaults.
/// Read for every purpose and used only offline; the daemon ignores it.
struct SimulationConfig {
  using PerSymbol = std::vector<std::pair<std::string, double>>;
  /// Annualised arithmetic drift μ, every symbol of the portfolios; empty:
  /// taken from the portfolios' mean-variance models.
  PerSymbol expected_returns;
  /// Annualised volatility, every symbol of the portfolios; empty: taken from
  /// the portfolios' fixed risk models, with their correlations.
  PerSymbol volatilities;
  std::vector<strategies::RiskSpec::Correlation> correlations;  ///< missing pairs are 0
  PerSymbol start_prices;  ///< symbols not named start at 100
  std::int64_t paths = 1000;
  core::Period horizon{0, 12};
  /// One step of the simulated clock; "1d" is a trading day, 252 to the year.
  core::Period step{core::kNanosPerDay, 0};
  std::uint64_t seed = 1;
  double risk_free = 0;  ///< annual rate over which Sharpe ratios are measured
  /// true: each portfolio's starting value is invested at its targets before
  /// the first step; false: it starts from its cash and holdings as written.
  bool start_at_targets = true;
};

/// `[fix]`: the FIX 4.4 gateway `ballast fix` (README "FIX gateway"). Read
/// and checked for every purpose; only `ballast fix` uses it, the daemon ignores it.
struct FixConfig {
  std::string sender_comp_id;
  std::string target_comp_id;
  std::string host;  ///< the venue's FIX acceptor
  int port = 0;
  core::DurationNs heartbeat = 30 * core::kNanosPerSecond;  ///< whole seconds
  core::DurationNs reconnect_interval = 5 * core::kNanosPerSecond;  ///< whole seconds
  /// The session's message store and log, and the gateway's own order map.
  /// Default: `fix` under [daemon] state_dir.
  std::string state_dir;
  /// The daemon's order queue and fills endpoint; default: [execution]
  /// endpoint and fills_endpoint of the same file.
  std::string orders_endpoint;
  std::string fills_endpoint;
  /// Bind the order and fill sockets; default: [execution] connect (the
  /// daemon connects, so the gateway binds).
  bool bind = false;
  /// CURVE client key files (relative to the config file), as `ballast paper`
  /// takes them: all empty, or at least the secret and the server key.
  std::string curve_secret_key_file;
  std::string curve_public_key_file;
  std::string curve_server_key_file;
};

/// `[fleet]`: how the accounts of the [[models]] trade together.
struct FleetConfig {
  /// Trades of many accounts decided within this long of the first are netted
  /// into one block order per symbol and side; 0: each tick's trades leave at once.
  core::DurationNs window = core::kNanosPerSecond;
  /// A lot's gain is long-term when it was held more than this many calendar
  /// months (the US rule: 12); 1 to 1200.
  int long_term_after_months = 12;
};
/// The longest decision window: a decided trade waits no longer than this to leave.
inline constexpr core::DurationNs kMaxFleetWindow = 60 * core::kNanosPerSecond;

struct Config {
  std::string path;
  DaemonConfig daemon;
  std::vector<FeedConfig> feeds;
  ExecutionConfig execution;
  std::optional<CurveConfig> curve;  ///< present when the file has [curve]
  StatusConfig status;
  std::vector<strategies::PortfolioSpec> portfolios;
  /// `[[models]]`: the policies the accounts of the account book follow, by
  /// id. Read like a portfolio without cash or holdings (both 0 here), and
  /// limited to what the fleet runs (fixed targets, threshold bands).
  std::vector<strategies::PortfolioSpec> models;
  FleetConfig fleet;
  std::optional<SimulationConfig> simulation;  ///< present when the file has [simulation]
  std::optional<FixConfig> fix;                ///< present when the file has [fix]
};

/// One problem in a configuration file, located.
struct ConfigError {
  std::string file;
  int line = 0;    ///< 1-based; 0 when the problem has no single place
  int column = 0;  ///< 1-based
  std::string message;
  /// "file:line:column: message"
  std::string to_string() const;
};

struct LoadResult {
  std::optional<Config> config;      ///< set only when errors is empty
  std::vector<ConfigError> errors;   ///< every problem found, in file order
};

/// What the configuration is for. The daemon needs feeds and a safe status
/// socket; offline commands (backtest, simulate) read the same file without them.
enum class Purpose { daemon, offline };

/// Reads and validates a file; never throws.
LoadResult load_config(const std::string& path, Purpose purpose = Purpose::daemon);
/// Validates TOML text; `path` is used in error locations.
LoadResult parse_config(std::string_view toml_text, const std::string& path, Purpose purpose = Purpose::daemon);

}  // namespace ballast::config
