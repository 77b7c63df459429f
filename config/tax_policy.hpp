#pragma once
// A model's `[models.tax]` table: how its accounts treat their tax lots
// (README "[models.tax]").
#include "config/diagnostics.hpp"
#include "config/table_reader.hpp"
#include "strategies/policy.hpp"

namespace ballast::config {

/// The `tax` key of the policy table `r` reads: a table on a [[models]] entry
/// (`is_model`), an error at its place on a [[portfolios]] entry, which keeps
/// no tax lots. Absent, or after an error: the default policy (off).
strategies::TaxPolicy read_tax_policy(TableReader& r, bool is_model, Diagnostics& diag);

}  // namespace ballast::config
