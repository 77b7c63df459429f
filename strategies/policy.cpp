#include "strategies/policy.hpp"

namespace ballast::strategies {

std::string_view trigger_reason(const Trigger& t) {
  return std::holds_alternative<ThresholdTrigger>(t) ? "threshold" : "calendar";
}

}  // namespace ballast::strategies
