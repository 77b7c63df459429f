#pragma once
// Tax lots and their days as the import formats spell them.
//
// A day is YYYY-MM-DD (a real calendar date, year 1900 to 2999). A CSV lots
// cell holds lots separated by ';', each SYM:QTY@COST:ACQUIRED, optionally
// followed by :from=YYYY-MM-DD (the day its holding period starts, when a
// wash sale moved it before ACQUIRED), :wash=AMOUNT (the disallowed loss
// added to its basis, per unit) and :id=N (the lot's id, 0 to 4294967295; by
// default as number_lots gives it), in any order:
//   VTI:10@201.5:2024-03-01:id=3;VTI:2.5@188:2024-09-16:from=2024-06-03:wash=4.25
// Spaces around the parts are ignored; an empty cell holds no lots.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/account_record.hpp"
#include "tax/holding_period.hpp"

namespace ballast::fleet {

struct LotsCell {
  std::vector<RecordLot> lots;  ///< in the cell's order; empty when there are errors
  /// One message per bad lot, naming it by its 1-based place ("lot 2: ...").
  std::vector<std::string> errors;
};
/// The lots of a CSV cell (see above). Only the syntax is judged here: the
/// values themselves are check_account's.
LotsCell parse_lots_cell(std::string_view cell);

}  // namespace ballast::fleet
