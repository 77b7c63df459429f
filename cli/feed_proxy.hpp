#pragma once
// `ballast feed proxy`: one market-data feed fanned out to many daemons.
// An XSUB socket takes the publishers' ticks (it connects to them, or binds
// for them), an XPUB socket, bound, serves the daemons, and subscriptions go
// the other way, so a publisher sees the daemons as subscribers.
//
// Plain ZeroMQ only: an endpoint off this machine is refused unless the
// operator says `insecure` (README "Running n daemons").
#include <atomic>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace ballast::cli {

struct FeedProxyOptions {
  /// Where the publishers are: connected to, or bound with bind_frontend.
  std::string frontend = "tcp://127.0.0.1:5556";
  bool bind_frontend = false;
  /// Where the daemons connect (bound).
  std::string backend = "tcp://127.0.0.1:5566";
  /// Accept an endpoint that other machines reach, in plain ZeroMQ.
  bool insecure = false;
};

/// What the proxy forwarded, printed at exit.
struct FeedProxyCounts {
  std::uint64_t messages = 0;       ///< publishers → daemons (ticks, whole messages)
  std::uint64_t subscriptions = 0;  ///< daemons → publishers (subscribe and unsubscribe messages)
  std::uint64_t reconnects = 0;     ///< times the frontend connected again after a dropped connection
};

/// Empty when `options` may run; else why not (an endpoint off this machine
/// without `insecure`, or one that is not a ZeroMQ endpoint). Pure.
std::string check_feed_proxy_options(const FeedProxyOptions& options);

/// Runs until `stop` is set. Prints a start line and, at exit, the counts.
/// Exit codes: 0 after a stop, 1 when a socket cannot be set up, 2 for
/// options check_feed_proxy_options refuses. Never throws.
int run_feed_proxy(const FeedProxyOptions& options, const std::atomic<bool>& stop, std::ostream& out,
                   std::ostream& err);

}  // namespace ballast::cli
