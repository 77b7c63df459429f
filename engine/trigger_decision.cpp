#include "engine/trigger_decision.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <variant>

#include "engine/portfolio_model.hpp"
#include "engine/trade_sizer.hpp"
#include "strategies/drift.hpp"
#include "strategies/dynamic_benefit.hpp"

namespace ballast::engine {
namespace {

/// σ moved by more than `change` since the reference, or left [min, max].
std::optional<Decision> volatility(PortfolioState& p, const strategies::VolatilityTrigger& vol,
                                   const WeightSnapshot& w) {
  const double sigma = std::sqrt(quadratic(p, w.weights));
  if (p.vol_reference <= 0) {
    p.vol_reference = sigma;
    return std::nullopt;
  }
  char why[160] = "";
  const double moved = sigma / p.vol_reference - 1;
  if (vol.change && std::abs(moved) > *vol.change) {
    std::snprintf(why, sizeof why, "volatility %.4f moved %+.1f%% from %.4f, beyond %.1f%%", sigma, 100 * moved,
                  p.vol_reference, 100 * *vol.change);
  } else if (vol.min && sigma < *vol.min) {
    std::snprintf(why, sizeof why, "volatility %.4f below min %.4f", sigma, *vol.min);
  } else if (vol.max && sigma > *vol.max) {
    std::snprintf(why, sizeof why, "volatility %.4f above max %.4f", sigma, *vol.max);
  }
  if (!why[0]) return std::nullopt;
  return Decision{"volatility", why, std::nullopt};
}

/// The benefit of trading back to target beyond its cost.
std::optional<Decision> dynamic(const PortfolioState& p, const strategies::DynamicTrigger& dyn,
                                const WeightSnapshot& w, const PriceTable& prices, const core::SymbolTable& symbols,
                                std::vector<double>& deviation) {
  // Benefit: the tracking-error variance removed, valued at λ/2 over the
  // horizon; cost: what the trades back to target would pay.
  deviation.assign(w.weights.size(), 0.0);
  double cost = 0;
  for (std::size_t i = 0; i < w.weights.size(); ++i) {
    deviation[i] = w.weights[i] - w.targets[i];
    if (p.spec.costs) {
      const double quantity = std::abs(deviation[i]) * w.value / prices.price(p.assets[i].symbol);
      cost += estimate_cost(p, i, quantity, prices, symbols).total();
    } else {
      const double bps = strategies::lookup(dyn.cost_bps_by_symbol, symbols.name(p.assets[i].symbol), dyn.cost_bps);
      cost += std::abs(deviation[i]) * w.value * bps / 1e4;
    }
  }
  const double te_var = quadratic(p, deviation);
  const double benefit = strategies::dynamic_benefit(dyn, p.cov, deviation, w.value);
  if (!(benefit > cost)) return std::nullopt;
  char why[160];
  std::snprintf(why, sizeof why, "benefit %.2f beyond cost %.2f (tracking error %.4f)", benefit, cost,
                std::sqrt(te_var));
  Decision d{"dynamic", why, std::nullopt};
  // Band edge: trade until what is left sits on the no-trade boundary,
  // where the benefit of the rest equals its cost: (1 − x)·B = C.
  if (p.spec.rebalance_to == strategies::RebalanceTo::band_edge) d.fraction = 1 - cost / benefit;
  return d;
}

}  // namespace

bool reads_weights(const strategies::PortfolioSpec& spec) {
  for (const auto& trigger : spec.triggers) {
    if (!std::holds_alternative<strategies::CalendarTrigger>(trigger)) return true;
  }
  return false;
}

std::optional<Decision> decide(PortfolioState& p, const WeightSnapshot& w, const PriceTable& prices,
                               const core::SymbolTable& symbols, std::vector<double>& deviation) {
  for (const auto& trigger : p.spec.triggers) {
    if (std::holds_alternative<strategies::CalendarTrigger>(trigger)) continue;
    if (const auto* vol = std::get_if<strategies::VolatilityTrigger>(&trigger)) {
      if (!p.risk_warm) continue;
      if (auto d = volatility(p, *vol, w)) return d;
      continue;
    }
    if (const auto* dyn = std::get_if<strategies::DynamicTrigger>(&trigger)) {
      if (!p.risk_warm) continue;
      if (auto d = dynamic(p, *dyn, w, prices, symbols, deviation)) return d;
      continue;
    }
    const auto& threshold = std::get<strategies::ThresholdTrigger>(trigger);
    if (const auto breach = strategies::check_threshold(threshold, w.view(p))) {
      const std::string_view symbol =
          breach.kind == strategies::Breach::Kind::total ? std::string_view{}
                                                         : std::string_view{symbols.name(p.assets[breach.asset].symbol)};
      return Decision{"threshold", strategies::describe(breach, symbol), std::nullopt};
    }
  }
  return std::nullopt;
}

std::vector<core::TimeNs> calendar_dates(const std::vector<strategies::Trigger>& triggers, core::TimeNs now) {
  std::vector<core::TimeNs> dates(triggers.size(), 0);
  for (std::size_t t = 0; t < triggers.size(); ++t) {
    if (const auto* cal = std::get_if<strategies::CalendarTrigger>(&triggers[t])) {
      dates[t] = core::next_due(cal->anchor.value_or(0), cal->every, now);
    }
  }
  return dates;
}

bool same_schedules(const std::vector<strategies::Trigger>& a, const std::vector<strategies::Trigger>& b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](const strategies::Trigger& x, const strategies::Trigger& y) {
           if (x.index() != y.index()) return false;
           if (const auto* cx = std::get_if<strategies::CalendarTrigger>(&x)) {
             const auto& cy = std::get<strategies::CalendarTrigger>(y);
             return cx->every == cy.every && cx->anchor == cy.anchor;
           }
           return true;
         });
}

void mark_due_calendars(PortfolioState& p, core::TimeNs now) {
  for (std::size_t t = 0; t < p.spec.triggers.size(); ++t) {
    const auto* cal = std::get_if<strategies::CalendarTrigger>(&p.spec.triggers[t]);
    if (!cal || now < p.next_due[t]) continue;
    p.pending = "every " + core::format_period(cal->every) + ", due " + core::format_iso8601(p.next_due[t]);
    p.next_due[t] = core::next_due(cal->anchor.value_or(0), cal->every, now);
  }
}

}  // namespace ballast::engine
