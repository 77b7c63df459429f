#include "execution/risk_gate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "core/text_format.hpp"

namespace ballast::execution {
namespace {

/// Limits are typed as decimals and compared with values computed in binary:
/// 101 / 100 − 1 is 0.010000000000000009, not 0.01. A relative slack of 1e-9,
/// far below any price tick or lot, keeps "exactly at the limit" allowed.
constexpr double kLimitTolerance = 1e-9;
/// Quantities are whole lots with the binary noise removed; this only absorbs
/// what is left of it.
constexpr double kQuantityTolerance = 1e-9;
constexpr core::DurationNs kRateWindow = 60 * core::kNanosPerSecond;

/// True when x is over the limit, or either is NaN: an order the gate cannot
/// judge does not pass.
bool beyond(double x, double limit) { return !(x <= limit + kLimitTolerance * std::abs(limit)); }

bool positive_finite(double x) { return x > 0 && x < std::numeric_limits<double>::infinity(); }

bool same_quantity(double a, double b) { return std::abs(a - b) <= kQuantityTolerance * std::max(std::abs(a), std::abs(b)); }

/// now − then, saturated: times come from data and are not trusted to be close.
core::DurationNs elapsed(core::TimeNs now, core::TimeNs then) {
  core::DurationNs d = 0;
  if (__builtin_sub_overflow(now, then, &d)) {
    return now > then ? std::numeric_limits<core::DurationNs>::max() : std::numeric_limits<core::DurationNs>::min();
  }
  return d;
}

/// The UTC calendar day of t, as days since 1970-01-01 (floored for times before it).
std::int64_t utc_day(core::TimeNs t) {
  std::int64_t day = t / core::kNanosPerDay;
  if (t % core::kNanosPerDay < 0) --day;
  return day;
}

}  // namespace

std::string_view to_string(DenyReason r) {
  switch (r) {
    case DenyReason::kill_switch: return "kill_switch";
    case DenyReason::max_order_value: return "max_order_value";
    case DenyReason::max_order_fraction: return "max_order_fraction";
    case DenyReason::price_collar: return "price_collar";
    case DenyReason::order_rate: return "order_rate";
    case DenyReason::duplicate: return "duplicate";
    case DenyReason::restricted_symbol: return "restricted_symbol";
    case DenyReason::daily_turnover: return "daily_turnover";
  }
  return "kill_switch";
}

std::vector<std::string> validate(const RiskLimits& limits) {
  std::vector<std::string> errors;
  if (limits.max_order_value && !positive_finite(*limits.max_order_value)) {
    errors.emplace_back("max_order_value must be a positive number");
  }
  if (limits.max_order_fraction && !(*limits.max_order_fraction > 0 && *limits.max_order_fraction <= 1)) {
    errors.emplace_back("max_order_fraction must be in (0, 1]: a fraction of the portfolio value");
  }
  if (limits.price_collar && !positive_finite(*limits.price_collar)) {
    errors.emplace_back("price_collar must be a positive number: a fraction of the last good price");
  }
  if (limits.max_orders_per_minute && *limits.max_orders_per_minute < 1) {
    errors.emplace_back("max_orders_per_minute must be at least 1");
  }
  if (limits.duplicate_window && *limits.duplicate_window <= 0) {
    errors.emplace_back("duplicate_window must be a positive duration");
  }
  for (std::size_t i = 0; i < limits.restricted_symbols.size(); ++i) {
    const std::string& s = limits.restricted_symbols[i];
    if (s.empty()) {
      errors.push_back(core::printf_string("restricted_symbols: entry %zu is empty", i + 1));
      continue;
    }
    // Reported once, at the second time it is listed.
    const auto before = limits.restricted_symbols.begin() + static_cast<std::ptrdiff_t>(i);
    if (std::count(limits.restricted_symbols.begin(), before, s) == 1) {
      errors.push_back("restricted_symbols: " + s + " is listed more than once");
    }
  }
  if (limits.max_daily_turnover && !positive_finite(*limits.max_daily_turnover)) {
    errors.emplace_back("max_daily_turnover must be a positive number: a fraction of the portfolio value");
  }
  return errors;
}

GateDecision check_order_value(std::optional<double> max_order_value, std::optional<double> max_order_fraction,
                               double value, double holder_value) {
  if (max_order_value && beyond(value, *max_order_value)) {
    return {DenyReason::max_order_value,
            core::printf_string("order value %.2f beyond max_order_value %.2f", value, *max_order_value)};
  }
  // Whatever the limits say, no order is worth more than its holder: without
  // a max_order_fraction the cap is 1.
  const double cap = max_order_fraction.value_or(1.0);
  if (!positive_finite(holder_value)) {
    return {DenyReason::max_order_fraction,
            core::printf_string("portfolio value %.2f: an order needs a positive one", holder_value)};
  }
  const double fraction = value / holder_value;
  if (beyond(fraction, cap)) {
    return {
        DenyReason::max_order_fraction,
        max_order_fraction
            ? core::printf_string("order value %.2f is %.4f of portfolio value %.2f, beyond max_order_fraction %.4f",
                                  value, fraction, holder_value, cap)
            : core::printf_string("order value %.2f is more than the portfolio value %.2f", value, holder_value)};
  }
  return {};
}

RiskGate::RiskGate(RiskLimits limits) : limits_(std::move(limits)) {}

void RiskGate::set_limits(RiskLimits limits) { limits_ = std::move(limits); }

double RiskGate::turnover_today(std::string_view portfolio, core::TimeNs now) const {
  const auto it = turnover_.find(portfolio);
  if (it == turnover_.end() || it->second.day != utc_day(now)) return 0;
  return it->second.value;
}

void RiskGate::prune(core::TimeNs now) {
  core::DurationNs keep = kRateWindow;
  if (limits_.duplicate_window) keep = std::max(keep, *limits_.duplicate_window);
  // Oldest first, as they were recorded: what has aged out is at the front.
  // (A clock that stepped back leaves an entry a little longer; every check
  // still compares its age.) A day's turnover resets when it is next read.
  while (!sent_.empty() && elapsed(now, sent_.front().at) >= keep) sent_.pop_front();
}

RiskGate::Savepoint RiskGate::savepoint(std::string_view portfolio, core::TimeNs now) {
  prune(now);
  Savepoint sp;
  sp.sent = sent_.size();
  sp.portfolio = std::string(portfolio);
  if (const auto it = turnover_.find(portfolio); it != turnover_.end()) {
    sp.turnover = std::pair{it->second.day, it->second.value};
  }
  sp.denied = denied_;
  return sp;
}

void RiskGate::rollback(const Savepoint& sp) {
  if (sent_.size() > sp.sent) sent_.resize(sp.sent);
  if (sp.turnover) {
    turnover_[sp.portfolio] = DayTurnover{sp.turnover->first, sp.turnover->second};
  } else if (const auto it = turnover_.find(sp.portfolio); it != turnover_.end()) {
    turnover_.erase(it);
  }
  denied_ = sp.denied;
}

GateDecision RiskGate::deny(DenyReason r, std::string detail) {
  ++denied_[static_cast<std::size_t>(r)];
  return GateDecision{r, std::move(detail)};
}

GateDecision RiskGate::check_and_record(const core::Order& order, const GateContext& ctx) {
  prune(ctx.now);

  if (kill_switch_) return deny(DenyReason::kill_switch, "kill switch is on");

  const auto& restricted = limits_.restricted_symbols;
  if (std::find(restricted.begin(), restricted.end(), order.symbol) != restricted.end()) {
    return deny(DenyReason::restricted_symbol, "symbol " + order.symbol + " is restricted");
  }

  const double value = std::abs(order.quantity * order.reference_price);
  if (GateDecision d = check_order_value(limits_.max_order_value, limits_.max_order_fraction, value,
                                         ctx.portfolio_value);
      !d.allowed()) {
    return deny(*d.denied, std::move(d.detail));
  }

  if (const auto& collar = limits_.price_collar) {
    if (!positive_finite(ctx.last_good_price)) {
      return deny(DenyReason::price_collar,
                  core::printf_string("last good price %g: price_collar needs a positive one", ctx.last_good_price));
    }
    const double move = std::abs(order.reference_price / ctx.last_good_price - 1);
    if (beyond(move, *collar)) {
      return deny(DenyReason::price_collar,
                  core::printf_string("reference price %g moved %.4f from last good price %g, beyond price_collar %.4f",
                                      order.reference_price, move, ctx.last_good_price, *collar));
    }
  }

  if (const auto& window = limits_.duplicate_window) {
    std::optional<core::DurationNs> youngest;
    for (const Sent& s : sent_) {
      if (s.portfolio != order.portfolio || s.symbol != order.symbol || s.side != order.side ||
          !same_quantity(s.quantity, order.quantity) ||
          (!order.rebalance_id.empty() && s.rebalance_id == order.rebalance_id)) {
        continue;
      }
      const core::DurationNs age = elapsed(ctx.now, s.at);
      if (age < *window && (!youngest || age < *youngest)) youngest = age;
    }
    if (youngest) {
      return deny(DenyReason::duplicate,
                  core::printf_string(
                      "same portfolio, symbol, side and quantity sent %.3f s ago, within duplicate_window %.3f s",
                      core::to_seconds(*youngest), core::to_seconds(*window)));
    }
  }

  if (const auto& per_minute = limits_.max_orders_per_minute) {
    std::int64_t in_window = 1;  // this order
    for (const Sent& s : sent_) {
      if (s.portfolio == order.portfolio && elapsed(ctx.now, s.at) < kRateWindow) ++in_window;
    }
    if (in_window > *per_minute) {
      return deny(DenyReason::order_rate,
                  core::printf_string("%lld orders in the last 60 s with this one, beyond max_orders_per_minute %d",
                                      static_cast<long long>(in_window), *per_minute));
    }
  }

  if (const auto& cap = limits_.max_daily_turnover) {
    if (!positive_finite(ctx.portfolio_value)) {
      return deny(
          DenyReason::daily_turnover,
          core::printf_string("portfolio value %.2f: max_daily_turnover needs a positive one", ctx.portfolio_value));
    }
    const double traded = turnover_today(order.portfolio, ctx.now) + value;
    const double fraction = traded / ctx.portfolio_value;
    if (beyond(fraction, *cap)) {
      return deny(DenyReason::daily_turnover,
                  core::printf_string("turnover %.2f today with this order is %.4f of portfolio value %.2f, beyond "
                                      "max_daily_turnover %.4f",
                                      traded, fraction, ctx.portfolio_value, *cap));
    }
  }

  sent_.push_back(Sent{order.portfolio, order.symbol, order.side, order.quantity, ctx.now, order.rebalance_id});
  // A value that is not a number says nothing about what was traded and would
  // poison the day's total; only limits that read it can stop such an order.
  if (std::isfinite(value)) {
    const std::int64_t today = utc_day(ctx.now);
    auto it = turnover_.find(order.portfolio);
    if (it == turnover_.end()) {
      turnover_.emplace(order.portfolio, DayTurnover{today, value});
    } else if (it->second.day != today) {
      it->second = DayTurnover{today, value};
    } else {
      it->second.value += value;
    }
  }
  return GateDecision{};
}

}  // namespace ballast::execution
