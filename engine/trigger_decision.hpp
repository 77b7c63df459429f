#pragma once
// The decision per trigger: whether a portfolio rebalances now, and why. The
// threshold, volatility and dynamic triggers read its weights at each
// evaluation; calendar triggers come due on the clock and leave a pending
// rebalance that runs once the portfolio can trade.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/symbol_table.hpp"
#include "core/time.hpp"
#include "engine/portfolio_state.hpp"
#include "engine/valuation.hpp"
#include "strategies/policy.hpp"

namespace ballast::engine {

/// A trigger fired: rebalance, for this reason.
struct Decision {
  std::string_view reason;  ///< "threshold", "volatility" or "dynamic"
  std::string detail;       ///< the breach, in words
  /// How far toward target to trade: the dynamic trigger's band edge; unset:
  /// the threshold bands (or the targets) decide.
  std::optional<double> fraction;
};

/// Whether any trigger of `spec` reads the weights (every kind but calendar).
bool reads_weights(const strategies::PortfolioSpec& spec);

/// The first trigger of `p`'s spec, calendars aside and in spec order, that
/// fires on the weights in `w`; nullopt when none does. The volatility and
/// dynamic triggers need a warm risk estimate; the first σ the volatility
/// trigger sees becomes its reference. `deviation` is scratch.
std::optional<Decision> decide(PortfolioState& p, const WeightSnapshot& w, const PriceTable& prices,
                               const core::SymbolTable& symbols, std::vector<double>& deviation);

/// Per trigger of `triggers`: the first calendar date after `now` (0 for the other kinds).
std::vector<core::TimeNs> calendar_dates(const std::vector<strategies::Trigger>& triggers, core::TimeNs now);
/// Whether two trigger lists keep the same schedules, so a reload may keep their next dates.
bool same_schedules(const std::vector<strategies::Trigger>& a, const std::vector<strategies::Trigger>& b);
/// The calendar triggers of `p` that came due at `now` leave `p.pending` set
/// (the schedule, in words) and move on to their next date.
void mark_due_calendars(PortfolioState& p, core::TimeNs now);

}  // namespace ballast::engine
