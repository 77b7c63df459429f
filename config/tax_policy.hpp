#pragma once
// A model's `[models.tax]` table: how its accounts treat their tax lots
// (README "[models.tax]").
#include <vector>

#include "config/diagnostics.hpp"
#include "config/table_reader.hpp"
#include "strategies/policy.hpp"

namespace ballast::config {

/// The `tax` key of the policy table `r` reads: a table on a [[models]] entry
/// (`is_model`), an error at its place on a [[portfolios]] entry, which keeps
/// no tax lots. `assets`: the model's assets as its targets were read, against
/// which `substitutes` is checked; null when targets could not be read (its
/// error is reported already, and the substitutes' symbols are not checked
/// again). Absent: the default policy; after an error, what was read.
strategies::TaxPolicy read_tax_policy(TableReader& r, bool is_model, const std::vector<strategies::AssetSpec>* assets,
                                      Diagnostics& diag);

}  // namespace ballast::config
