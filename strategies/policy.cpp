#include "strategies/policy.hpp"

namespace ballast::strategies {

std::string_view trigger_reason(const Trigger& t) {
  static constexpr std::string_view names[] = {"threshold", "calendar", "volatility", "dynamic"};
  return names[t.index()];
}

double lookup(const std::vector<std::pair<std::string, double>>& table, const std::string& key, double fallback) {
  for (const auto& [k, v] : table) {
    if (k == key) return v;
  }
  return fallback;
}

bool is_risk_based(ModelKind k) {
  return k == ModelKind::target_vol || k == ModelKind::risk_parity || k == ModelKind::mean_variance;
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
