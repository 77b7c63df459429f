#include "daemon/reload_plan.hpp"

#include <algorithm>
#include <variant>

#include "daemon/status_limits.hpp"
#include "engine/portfolio_model.hpp"

namespace ballast::daemon {
namespace {

bool same_costs(const core::CostParams& a, const core::CostParams& b) {
  return a.commission_per_share == b.commission_per_share && a.commission_bps == b.commission_bps &&
         a.commission_min == b.commission_min && a.half_spread_bps == b.half_spread_bps &&
         a.slippage_bps == b.slippage_bps && a.impact_eta == b.impact_eta && a.adv == b.adv;
}

/// What the fleet runs of a model (model_from_spec reads no more than this).
bool same_model(const strategies::PortfolioSpec& a, const strategies::PortfolioSpec& b) {
  if (a.id != b.id || a.assets.size() != b.assets.size() || a.triggers.size() != b.triggers.size() ||
      a.min_trade_value != b.min_trade_value || a.rebalance_to != b.rebalance_to || a.cash_target != b.cash_target ||
      a.tax != b.tax || a.slicing != b.slicing || a.model != b.model) {
    return false;
  }
  for (std::size_t i = 0; i < a.assets.size(); ++i) {
    const auto &x = a.assets[i], &y = b.assets[i];
    if (x.symbol != y.symbol || x.target != y.target || x.lot_size != y.lot_size) return false;
  }
  bool dynamic = false;
  bool uses_risk = strategies::is_risk_based(a.model.kind);  // the risk model sets targets or bands
  for (std::size_t i = 0; i < a.triggers.size(); ++i) {
    if (a.triggers[i].index() != b.triggers[i].index()) return false;
    if (const auto* x = std::get_if<strategies::DynamicTrigger>(&a.triggers[i])) {
      const auto& y = std::get<strategies::DynamicTrigger>(b.triggers[i]);
      if (x->risk_aversion != y.risk_aversion || x->horizon != y.horizon || x->cost_bps != y.cost_bps ||
          x->cost_bps_by_symbol != y.cost_bps_by_symbol) {
        return false;
      }
      dynamic = true;
      continue;
    }
    if (const auto* x = std::get_if<strategies::CalendarTrigger>(&a.triggers[i])) {
      if (!(*x == std::get<strategies::CalendarTrigger>(b.triggers[i]))) return false;
      continue;
    }
    if (const auto* x = std::get_if<strategies::VolatilityTrigger>(&a.triggers[i])) {
      if (!(*x == std::get<strategies::VolatilityTrigger>(b.triggers[i]))) return false;
      uses_risk = true;
      continue;
    }
    const auto* x = std::get_if<strategies::ThresholdTrigger>(&a.triggers[i]);
    const auto* y = std::get_if<strategies::ThresholdTrigger>(&b.triggers[i]);
    if (!x || !y || x->absolute != y->absolute || x->relative != y->relative || x->total != y->total) return false;
  }
  if (a.costs.has_value() != b.costs.has_value()) return false;
  // A dynamic trigger decides by the risk model and the costs too; a target
  // model sets the targets from the risk model, a volatility trigger its band.
  if (!dynamic && !uses_risk) return true;
  return engine::same_risk(a.risk, b.risk) && (!dynamic || !a.costs || same_costs(*a.costs, *b.costs));
}

}  // namespace

std::vector<std::string> restart_only_changes(const config::Config& running, const config::Config& next) {
  std::vector<std::string> changes;
  const config::ExecutionConfig& a = running.execution;
  const config::ExecutionConfig& b = next.execution;
  if (a.endpoint != b.endpoint || a.connect != b.connect || a.fills_endpoint != b.fills_endpoint || a.mode != b.mode ||
      a.order_timeout != b.order_timeout || a.fill_price_collar != b.fill_price_collar || a.insecure != b.insecure) {
    changes.push_back("[execution]");
  }
  if (running.curve != next.curve) changes.push_back("[curve]");
  if (running.status.listen != next.status.listen) changes.push_back("[status] listen");
  if (status_limits(running.status) != status_limits(next.status)) changes.push_back("[status] limits");
  const config::DaemonConfig& d = running.daemon;
  const config::DaemonConfig& e = next.daemon;
  if (d.log_file != e.log_file || d.log_format != e.log_format || d.state_dir != e.state_dir) {
    changes.push_back("[daemon] log_file/log_format/state_dir");
  }
  if (d.durability != e.durability) changes.push_back("[daemon] durability");
  if (d.clock != e.clock) changes.push_back("[daemon] clock");
  if (d.shard != e.shard) changes.push_back("[daemon] shard");
  if (running.models.size() != next.models.size() ||
      !std::equal(running.models.begin(), running.models.end(), next.models.begin(), same_model)) {
    changes.push_back("[[models]]");
  }
  if (running.fleet.window != next.fleet.window ||
      running.fleet.long_term_after_months != next.fleet.long_term_after_months) {
    changes.push_back("[fleet]");
  }
  return changes;
}

}  // namespace ballast::daemon
