#pragma once
// The fill rules of `ballast paper`, without sockets: prices, orders, cancels
// and replaces in; fill reports (SPEC §4) out.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/time.hpp"
#include "core/types.hpp"
#include "execution/cost_model.hpp"

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

/// A report with the order as it stood when the report was made (for the log line).
struct PaperReport {
  core::Order order;
  core::FillReport report;
};

/// What a new order or an amendment did.
struct PaperOutcome {
  std::vector<PaperReport> reports;  ///< in sending order, cumulative (SPEC §4)
  /// Why the request changed nothing (a repeated id, an order that is not
  /// open, ...); empty when it was taken.
  std::string dropped;
};

/// Executes orders against the last price of their symbol (or the order's
/// reference_price before any price was seen), moved by slippage or a cost
/// model; a cost model's half-spread comes from the last live quote when that
/// price came with one (as the engine estimates it), else from half_spread_bps. A market order fills in full at once. A limit order fills in full
/// when that execution price is at or better than its limit (a buy at or
/// below, a sell at or above), at that price; until then it rests, and each
/// new price of its symbol is checked against it. Resting orders can be
/// cancelled or replaced. Repeated order ids and request ids are dropped.
class PaperFiller {
 public:
  explicit PaperFiller(PaperFillRules rules = {}) : rules_(std::move(rules)) {}

  static constexpr double kNoQuote = std::numeric_limits<double>::quiet_NaN();

  /// Remembers the last price of `symbol` and the quote it came with (NaN:
  /// none; non-finite or non-positive prices are ignored) and fills the
  /// resting limit orders it makes marketable.
  std::vector<PaperReport> on_price(std::string_view symbol, double price, core::TimeNs now, double bid = kNoQuote,
                                    double ask = kNoQuote);
  std::optional<double> last_price(std::string_view symbol) const;

  /// A new order: filled, rejected or (a limit order that is not marketable)
  /// resting, which gives no report.
  PaperOutcome submit(const core::Order& order, core::TimeNs now);
  /// A cancel (a "cancelled" report with what was filled) or a replace (new
  /// total quantity and limit price, checked against the price at once) of a
  /// resting order. Dropped, with a reason, for an order that is not resting.
  PaperOutcome amend(const core::OrderAmendment& amendment, core::TimeNs now);

  bool is_resting(std::string_view order_id) const;
  std::size_t resting() const { return resting_.size(); }
  /// Valid new orders taken so far (the count `reject_every` works on).
  std::uint64_t orders_seen() const { return orders_seen_; }

 private:
  /// The price `order` would execute at now; nullopt when there is none.
  std::optional<double> execution_price(const core::Order& order) const;
  /// Fills `order` when it is marketable at `price` (always for a market order).
  bool try_fill(const core::Order& order, double price, core::TimeNs now, std::vector<PaperReport>& out) const;

  PaperFillRules rules_;
  struct LastPrice {
    double price = 0;
    double bid = kNoQuote;
    double ask = kNoQuote;
  };
  std::unordered_map<std::string, LastPrice> last_prices_;
  std::vector<core::Order> resting_;  // in arrival order
  std::unordered_set<std::string> order_ids_;
  std::unordered_set<std::string> request_ids_;
  std::uint64_t orders_seen_ = 0;
};

}  // namespace ballast::cli
