#pragma once
// The rates at which realised gains are taxed, by term: what a model's
// `[models.tax]` short_term_rate and long_term_rate say. A loss is worth its
// rate too: it offsets gains of the year that would be taxed at it.
#include "tax/holding_period.hpp"

namespace ballast::tax {

struct TaxRates {
  double short_term = 0;  ///< fraction in [0, 1)
  double long_term = 0;   ///< fraction in [0, 1)

  double of(Term term) const { return term == Term::short_term ? short_term : long_term; }
  /// The tax on `gain` (a loss gives a negative tax: what it saves).
  double tax_on(double gain, Term term) const { return gain * of(term); }
  bool operator==(const TaxRates&) const = default;
};

}  // namespace ballast::tax
