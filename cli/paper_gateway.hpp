#pragma once
// `ballast paper`: a paper execution gateway. Takes orders from the daemon's
// queue (SPEC §3), fills them at the last price seen on the feed and reports
// fills back (SPEC §4). It can record every order it takes in the format of
// `ballast backtest --orders`, to set a live run beside its backtest.
//
// The pure part (PaperFiller: prices and an order in, fill reports out) is
// separate from the socket loop (run_paper_loop) so fill rules are tested
// without sockets.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/time.hpp"
#include "core/types.hpp"
#include "execution/cost_model.hpp"
#include "net/socket_security.hpp"

namespace ballast::cli {

struct PaperFillRules {
  /// Buys pay price·(1 + bps/10⁴), sells receive price·(1 − bps/10⁴). In [0, 10⁴).
  double slippage_bps = 0.0;
  /// Every Nth valid order is rejected (for exercising the daemon); 0 = never.
  std::uint64_t reject_every = 0;
  /// Fill in two halves: a partially_filled report, then filled.
  bool partial = false;
  /// A portfolio's cost model (`--config`): its orders fill at the all-in price
  /// the model expects: spread, slippage and impact move the price, and the
  /// commission is spread over the quantity. Orders of other portfolios use slippage_bps.
  struct PortfolioCosts {
    execution::CostParams params;
    /// Annualised volatility per symbol (a fixed risk model), for market impact.
    std::unordered_map<std::string, double> volatility;
  };
  std::unordered_map<std::string, PortfolioCosts> costs;
};

/// Fills orders in full at the last price of their symbol, or at the order's
/// reference_price before any price was seen. A cost model's half-spread comes
/// from the last live quote when that price came with one (as the engine
/// estimates it), else from half_spread_bps. A limit order is treated as
/// immediate-or-cancel: filled when the execution price is at or better than
/// its limit, otherwise cancelled with nothing filled.
class PaperFiller {
 public:
  explicit PaperFiller(PaperFillRules rules = {}) : rules_(rules) {}

  /// Remembers the last price of `symbol` and the quote it came with (NaN:
  /// none); ignores non-finite or non-positive prices.
  void on_price(std::string_view symbol, double price, double bid = kNoQuote, double ask = kNoQuote);
  std::optional<double> last_price(std::string_view symbol) const;

  /// The execution reports for one order, in sending order; every report
  /// carries cumulative quantity and average price (SPEC §4) and time `now`.
  std::vector<core::FillReport> fill(const core::Order& order, core::TimeNs now);

  /// Valid orders seen so far (the count `reject_every` works on).
  std::uint64_t orders_seen() const { return orders_seen_; }

 private:
  static constexpr double kNoQuote = std::numeric_limits<double>::quiet_NaN();
  struct LastPrice {
    double price = 0;
    double bid = kNoQuote;
    double ask = kNoQuote;
  };
  PaperFillRules rules_;
  std::unordered_map<std::string, LastPrice> last_prices_;
  std::uint64_t orders_seen_ = 0;
};

/// One readable line per report: "FILL main-20261123-000001 buy 12 SPY @ 589.20",
/// "PARTIAL ... buy 6/12 SPY @ 589.20", "REJECT ... buy 12 SPY",
/// "CANCEL ... buy 12 SPY limit 580.00".
std::string describe_report(const core::Order& order, const core::FillReport& report);

struct FeedPrice {
  std::string symbol;
  double price = 0;
  double bid = std::numeric_limits<double>::quiet_NaN();  ///< the quote, when the message has both sides
  double ask = std::numeric_limits<double>::quiet_NaN();
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
  std::uint64_t orders = 0;     ///< valid orders received
  std::uint64_t malformed = 0;  ///< order frames that were not orders
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
