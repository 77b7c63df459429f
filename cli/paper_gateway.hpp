#pragma once
// `ballast paper`: a paper execution gateway. Takes orders, cancels and
// replaces from the daemon's queue (SPEC §3, README "Orders out"), fills them
// at the last price seen on the feed and reports fills back (SPEC §4).
//
// The fill rules (cli/paper_filler.hpp) are separate from the socket loop
// (run_paper_loop) so they are tested without sockets.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "cli/paper_filler.hpp"
#include "core/types.hpp"
#include "net/socket_security.hpp"

namespace ballast::cli {

/// One readable line per report: "FILL main-20261123-000001 buy 12 SPY @ 589.20",
/// "PARTIAL ... buy 6/12 SPY @ 589.20", "REJECT ... buy 12 SPY",
/// "CANCEL ... buy 12 SPY limit 580.00".
std::string describe_report(const core::Order& order, const core::FillReport& report);
/// The line for a limit order that rests, or rests again after a replace:
/// "OPEN main-20261123-000001 buy 12 SPY limit 580.00", "REPLACED ... buy 8 SPY limit 581.00".
std::string describe_resting(const core::Order& order, bool replaced);

struct FeedPrice {
  std::string symbol;
  double price = 0;
  double bid = PaperFiller::kNoQuote;  ///< the quote, when the message has both sides
  double ask = PaperFiller::kNoQuote;
};
/// The symbol and price of one feed message in either framing (SPEC §2): two
/// frames are topic and JSON; one frame is "<topic> <JSON>" or a bare JSON
/// object. `symbol` falls back to the topic, `price` to the bid/ask mid, and
/// numbers may be strings. nullopt when the message carries no usable price.
/// Never throws.
std::optional<FeedPrice> read_feed_price(const std::vector<std::string>& frames);

struct PaperOptions {
  /// The daemon's order queue (its PUSH binds; SPEC §3).
  std::string orders_endpoint = "tcp://127.0.0.1:5557";
  /// The daemon's fills endpoint; empty = only print the fills.
  std::string fills_endpoint = "tcp://127.0.0.1:5558";
  /// A price feed (a publisher binds); empty = fill at reference prices.
  std::string feed_endpoint = "tcp://127.0.0.1:5556";
  /// Bind the order and fill sockets instead of connecting (for a daemon
  /// configured with `[execution] connect = true`).
  bool bind = false;
  PaperFillRules rules;
  /// Delay between receiving an order and filling it; prices keep arriving
  /// meanwhile, and the fill uses the price at the end of the delay.
  std::chrono::milliseconds latency{0};
  /// How long fill reports still queued at exit may delay it.
  std::chrono::milliseconds linger{1000};
  /// Take orders and send fills as a CURVE client of the daemon. The price
  /// feed stays plain: a CURVE publisher serves only the daemon.
  std::optional<net::CurveClientKeys> curve;
  /// Append every valid order received to this file as a line of the orders
  /// CSV (offline/orders_csv.hpp), the header first when the file is new or
  /// empty; empty = no record.
  std::string record_path;
};

struct PaperStats {
  int exit_code = 0;  ///< 0 stopped, 1 socket or record file failure, 2 unusable options
  std::string error;
  std::uint64_t orders = 0;      ///< valid new orders received
  std::uint64_t amendments = 0;  ///< valid cancel and replace requests received
  std::uint64_t malformed = 0;   ///< frames that were neither
  std::uint64_t dropped = 0;     ///< repeated ids, and requests for orders that are not open
  std::uint64_t resting = 0;     ///< limit orders still open at exit
  std::uint64_t filled = 0;     ///< orders completely filled
  std::uint64_t partial_reports = 0;
  std::uint64_t rejected = 0;
  std::uint64_t cancelled = 0;
  std::uint64_t reports_sent = 0;     ///< reports handed to the fills socket
  std::uint64_t reports_dropped = 0;  ///< reports still undeliverable at exit
  std::uint64_t prices = 0;           ///< usable feed messages
};

/// Runs until `stop`: one line per report on `out`, malformed orders on `err`.
PaperStats run_paper_loop(const PaperOptions& options, const std::atomic<bool>& stop, std::ostream& out,
                          std::ostream& err);
/// run_paper_loop plus a start line and a one-line summary; returns the exit code.
int run_paper_gateway(const PaperOptions& options, const std::atomic<bool>& stop, std::ostream& out,
                      std::ostream& err);

}  // namespace ballast::cli
