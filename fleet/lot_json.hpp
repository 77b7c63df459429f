#pragma once
// The lots of an account in the JSON lines import format: an array of
// {"symbol":"VTI","quantity":10,"cost_per_unit":201.5,"acquired":"2024-03-01",
//  "holding_from":"2023-11-02","wash_adjustment_per_unit":4.25,"id":7}, the last
// three optional (null: absent; holding_from defaults to acquired, the wash
// adjustment to 0; the id, a whole number 0 to 4294967295, to number_lots'),
// dates as fleet/lot_text.hpp reads them, other keys refused.
#include <simdjson.h>

#include <string>
#include <vector>

#include "fleet/account_record.hpp"

namespace ballast::fleet {

struct LotsJson {
  /// Not SUCCESS: the JSON itself is broken, and nothing else is said.
  simdjson::error_code broken = simdjson::SUCCESS;
  std::vector<RecordLot> lots;  ///< in the array's order; empty when there are problems
  /// One message per bad lot, naming it by its 1-based place ("lot 2: ...");
  /// or one for an array of more than kMaxLotsPerAccount lots, read no further.
  std::vector<std::string> problems;
};
/// Reads `value`, which must be an array of lot objects.
LotsJson read_lots_json(simdjson::ondemand::value value);

}  // namespace ballast::fleet
