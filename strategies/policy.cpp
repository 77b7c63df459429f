#include "strategies/policy.hpp"

namespace ballast::strategies {

std::string_view trigger_reason(const Trigger& t) {
  static constexpr std::string_view names[] = {"threshold", "calendar", "volatility", "dynamic"};
  return names[t.index()];
}

std::string_view to_string(ModelKind k) {
  switch (k) {
    case ModelKind::fixed: return "fixed";
    case ModelKind::target_vol: return "target-vol";
    case ModelKind::risk_parity: return "risk-parity";
    case ModelKind::mean_variance: return "mean-variance";
    case ModelKind::cppi: return "cppi";
    case ModelKind::buy_and_hold: return "buy-and-hold";
  }
  return "fixed";
}

}  // namespace ballast::strategies
