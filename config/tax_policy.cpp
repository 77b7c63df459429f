#include "config/tax_policy.hpp"

namespace ballast::config {

strategies::TaxPolicy read_tax_policy(TableReader& r, bool is_model, Diagnostics& diag) {
  strategies::TaxPolicy tax;
  if (!is_model) {
    if (const toml::node* n = r.node("tax")) {
      diag.error(n->source(), r.name("tax") + ": only [[models]] keep tax lots (their accounts'); a portfolio has none");
    }
    return tax;
  }
  const toml::table* t = r.table("tax");
  if (!t) return tax;
  TableReader tr(*t, "[models.tax]", r.name("tax"), {"avoid_short_term_gains"}, diag);
  if (auto v = tr.boolean("avoid_short_term_gains")) tax.avoid_short_term_gains = *v;
  return tax;
}

}  // namespace ballast::config
