#pragma once
// The last check before an order leaves: hard limits, a kill switch, and the
// short memory (rate, duplicates, daily turnover) they need. Pure: time is
// passed in, a denial is a value with a reason, nothing throws.
#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "core/types.hpp"

namespace ballast::execution {

/// Every limit is optional: an unset one is not checked, except that no order
/// may ever be worth more than its portfolio (an unset max_order_fraction is 1).
/// Limits compare strictly: an order exactly at a limit passes, one just over it is denied.
struct RiskLimits {
  /// quantity × reference_price, in the portfolio's currency; > 0.
  std::optional<double> max_order_value;
  /// Order value over the portfolio value; in (0, 1]. Unset: 1.
  std::optional<double> max_order_fraction;
  /// Largest |reference_price / last_good_price − 1|; > 0.
  std::optional<double> price_collar;
  /// Orders per portfolio in any sliding 60 s window, this one included; ≥ 1.
  std::optional<int> max_orders_per_minute;
  /// An order with the portfolio, symbol, side and quantity of one sent less
  /// than this long ago is a duplicate, unless both belong to the same
  /// rebalance (the children of a sliced order); > 0.
  std::optional<core::DurationNs> duplicate_window;
  /// Symbols never traded, matched exactly.
  std::vector<std::string> restricted_symbols;
  /// Value traded per portfolio per UTC calendar day, this order included,
  /// over the portfolio value; > 0 (a full rebalance can reach 2).
  std::optional<double> max_daily_turnover;
};

/// Every problem with the limits, empty when they are usable. A gate applies
/// limits as written (a non-positive cap denies every order): validate them
/// where they are read.
std::vector<std::string> validate(const RiskLimits& limits);

enum class DenyReason : std::uint8_t {
  kill_switch,
  max_order_value,
  max_order_fraction,
  price_collar,
  order_rate,
  duplicate,
  restricted_symbol,
  daily_turnover,
};
inline constexpr int kDenyReasonCount = 8;
/// snake_case, as in the metrics and /status.
std::string_view to_string(DenyReason r);

struct GateContext {
  double portfolio_value = 0;  ///< cash included; > 0 for the fraction and turnover limits
  double last_good_price = 0;  ///< of the order's symbol; > 0 for the price collar
  core::TimeNs now = 0;
};

struct GateDecision {
  std::optional<DenyReason> denied;
  std::string detail;  ///< for people, empty when allowed: "order value 60000.00 beyond max_order_value 50000.00"
  bool allowed() const { return !denied.has_value(); }
};

/// The checks of one order's value that need no memory of orders sent:
/// max_order_value, then max_order_fraction of the holder's value (cash
/// included; 1 when unset, so that no order is worth more than its holder).
/// `value` is quantity × reference price. A holder value that is not positive
/// and finite, or a value that is not finite, is denied. Shared by the gate
/// and by the fleet's per-account allocations.
GateDecision check_order_value(std::optional<double> max_order_value, std::optional<double> max_order_fraction,
                               double value, double holder_value);

class RiskGate {
 public:
  explicit RiskGate(RiskLimits limits);

  /// On reload: the history (rate window, duplicates, turnover) is kept and
  /// judged by the new limits from the next order on.
  void set_limits(RiskLimits limits);
  const RiskLimits& limits() const { return limits_; }

  /// Checks one order; the first failing check wins, in this order: kill
  /// switch, restricted symbol, max order value, max order fraction, price
  /// collar, duplicate, order rate, daily turnover.
  /// When allowed, records it as sent: in the rate window, for duplicates and
  /// in the day's turnover. A denied order leaves no trace but its count.
  /// A non-finite order value or price fails every limit that reads it.
  GateDecision check_and_record(const core::Order& order, const GateContext& ctx);

  /// What the gate's memory was before a batch of checks, so that a caller
  /// trying a set of orders can take them all back (rollback) and try another.
  /// Only `portfolio`'s orders may be checked between savepoint and rollback.
  struct Savepoint {
    std::size_t sent = 0;
    std::string portfolio;
    std::optional<std::pair<std::int64_t, double>> turnover;  ///< the portfolio's day and value
    std::array<std::uint64_t, kDenyReasonCount> denied{};
  };
  /// Forgets what has aged out at `now`, then remembers the rest.
  Savepoint savepoint(std::string_view portfolio, core::TimeNs now);
  /// Undoes every check_and_record since the savepoint (recorded orders and denial counts).
  void rollback(const Savepoint& sp);

  /// While on, every order is denied with kill_switch.
  void set_kill_switch(bool on) { kill_switch_ = on; }
  bool kill_switch() const { return kill_switch_; }

  /// Orders denied for this reason since construction (reloads keep counting).
  std::uint64_t denied(DenyReason r) const { return denied_[static_cast<std::size_t>(r)]; }
  /// Value (quantity × reference_price) sent for the portfolio on the UTC day
  /// of `now`; 0 on a day with nothing sent.
  double turnover_today(std::string_view portfolio, core::TimeNs now) const;

 private:
  struct Sent {
    std::string portfolio;
    std::string symbol;
    core::Side side = core::Side::buy;
    double quantity = 0;
    core::TimeNs at = 0;
    std::string rebalance_id;
  };
  struct DayTurnover {
    std::int64_t day = 0;  ///< days since 1970-01-01, UTC
    double value = 0;
  };

  void prune(core::TimeNs now);
  GateDecision deny(DenyReason r, std::string detail);

  RiskLimits limits_;
  bool kill_switch_ = false;
  /// Allowed orders younger than the longer of the rate and duplicate windows, oldest first.
  std::deque<Sent> sent_;
  std::map<std::string, DayTurnover, std::less<>> turnover_;
  std::array<std::uint64_t, kDenyReasonCount> denied_{};
};

}  // namespace ballast::execution
