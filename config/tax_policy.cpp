#include "config/tax_policy.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "core/number_text.hpp"

namespace ballast::config {
namespace {

using strategies::AssetSpec;
using Groups = std::vector<std::pair<std::string, std::vector<std::string>>>;

/// A cost of 10000 bps each way would take the whole value traded.
constexpr double kMaxHarvestCostBps = 10'000;

const AssetSpec* find_asset(const std::vector<AssetSpec>& assets, std::string_view symbol) {
  const auto it = std::find_if(assets.begin(), assets.end(), [&](const AssetSpec& a) { return a.symbol == symbol; });
  return it == assets.end() ? nullptr : &*it;
}

/// `substitutes = { VTI = ["ITOT", "SCHB"] }`: groups by primary (a TOML
/// table's keys come sorted), each group's substitutes in the order written.
Groups read_substitutes(const toml::node& n, const std::string& name, const std::vector<AssetSpec>* assets,
                        Diagnostics& diag) {
  const auto* table = n.as_table();
  if (!table) {
    diag.error(n.source(), name + ": expected a table of each primary symbol with its substitutes, such as "
                                  "{ VTI = [\"ITOT\", \"SCHB\"] }, got " + std::string(type_name(n.type())));
    return {};
  }
  // Every primary is known before any substitute is read, so that one named
  // as a substitute is refused whichever group the table lists first.
  std::set<std::string, std::less<>> primaries;
  for (auto&& [key, value] : *table) primaries.emplace(key.str());

  struct Named {
    std::string symbol;
    std::string primary;
    std::string name;  // as messages spell it: tax.substitutes.VTI[0]
    toml::source_region where;
  };
  std::vector<Named> named;
  Groups groups;
  for (auto&& [key, value] : *table) {
    const std::string primary(key.str());
    const std::string group = key_path(name, primary);
    if (primary.empty()) {
      diag.error(key.source(), name + ": a symbol must not be empty");
      continue;
    }
    if (assets && !find_asset(*assets, primary)) {
      diag.error(key.source(), group + ": " + key_path("", primary) +
                                   " has no target; substitutes may only name symbols in targets");
    }
    const auto* list = value.as_array();
    if (!list) {
      diag.error(value.source(), group + ": expected an array of its substitutes' symbols, such as "
                                         "[\"ITOT\", \"SCHB\"], got " + std::string(type_name(value.type())));
      continue;
    }
    if (list->empty()) {
      diag.error(list->source(), group + ": expected at least one substitute symbol, such as [\"ITOT\"]");
      continue;
    }
    std::vector<std::string> substitutes;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const toml::node& item = *list->get(i);
      std::string item_name = group + "[" + std::to_string(i) + "]";
      const auto symbol = read_nonempty_string(item, item_name, diag);
      if (!symbol) continue;
      const std::string spelled = key_path("", *symbol);
      if (primaries.contains(*symbol)) {
        diag.error(item.source(), item_name + ": " + spelled +
                                      (*symbol == primary ? " is this group's primary; it cannot be its own substitute"
                                                          : " is the primary of a group of its own; a primary cannot "
                                                            "also be a substitute"));
        continue;
      }
      if (assets) {
        if (const AssetSpec* a = find_asset(*assets, *symbol); !a) {
          diag.error(item.source(), item_name + ": " + spelled + " has no target; write " + spelled +
                                        " = 0 in targets to hold it as a substitute");
        } else if (a->target != 0) {
          diag.error(item.source(), item_name + ": " + spelled + " has a target of " + core::shortest(a->target) +
                                        "; a substitute's target must be 0, as its group is held to " +
                                        key_path("", primary) + "'s");
        }
      }
      named.push_back({*symbol, primary, std::move(item_name), item.source()});
      substitutes.push_back(*symbol);
    }
    groups.emplace_back(primary, std::move(substitutes));
  }

  // A repeat is reported where the file names the symbol the second time.
  std::stable_sort(named.begin(), named.end(), [](const Named& a, const Named& b) { return before(a.where, b.where); });
  std::map<std::string, const Named*, std::less<>> first;
  for (const Named& s : named) {
    const auto [it, added] = first.try_emplace(s.symbol, &s);
    if (added) continue;
    const std::string spelled = key_path("", s.symbol);
    diag.error(s.where, s.name + ": " + spelled +
                            (it->second->primary == s.primary
                                 ? " is named twice in this group"
                                 : " is a substitute of " + key_path("", it->second->primary) +
                                       " already; a symbol belongs to one group at most"));
  }
  return groups;
}

/// `identical = [["VOO", "IVV"]]`: groups of two or more of the model's
/// assets, a symbol in one group at most.
std::vector<std::vector<std::string>> read_identical(const toml::node& n, const std::string& name,
                                                     const std::vector<AssetSpec>* assets, Diagnostics& diag) {
  const auto* outer = n.as_array();
  if (!outer) {
    diag.error(n.source(), name + ": expected an array of groups of symbols, such as [[\"VOO\", \"IVV\"]], got " +
                               std::string(type_name(n.type())));
    return {};
  }
  std::vector<std::vector<std::string>> groups;
  std::map<std::string, std::string, std::less<>> seen;  // symbol → where first named
  for (std::size_t g = 0; g < outer->size(); ++g) {
    const toml::node& group_node = *outer->get(g);
    const std::string group_name = name + "[" + std::to_string(g) + "]";
    const auto* list = group_node.as_array();
    if (!list) {
      diag.error(group_node.source(), group_name + ": expected an array of two or more symbols, such as "
                                                   "[\"VOO\", \"IVV\"], got " + std::string(type_name(group_node.type())));
      continue;
    }
    if (list->size() < 2) {
      diag.error(list->source(), group_name + ": expected two or more symbols: a group of one is identical to nothing");
      continue;
    }
    std::vector<std::string> symbols;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const toml::node& item = *list->get(i);
      const std::string item_name = group_name + "[" + std::to_string(i) + "]";
      const auto symbol = read_nonempty_string(item, item_name, diag);
      if (!symbol) continue;
      const std::string spelled = key_path("", *symbol);
      if (assets && !find_asset(*assets, *symbol)) {
        diag.error(item.source(), item_name + ": " + spelled + " has no target; write " + spelled +
                                      " = 0 in targets to name it here");
        continue;
      }
      if (const auto [it, added] = seen.try_emplace(*symbol, item_name); !added) {
        diag.error(item.source(), item_name + ": " + spelled + " is in " + it->second + " already; a symbol " +
                                      "belongs to one group at most");
        continue;
      }
      symbols.push_back(*symbol);
    }
    groups.push_back(std::move(symbols));
  }
  return groups;
}

/// `[models.tax.harvest]`, a table or inline.
std::optional<strategies::TaxPolicy::Harvest> read_harvest(TableReader& tr, Diagnostics& diag) {
  const toml::table* t = tr.table("harvest");
  if (!t) return std::nullopt;
  TableReader r(*t, "[models.tax.harvest]", tr.name("harvest"), {"min_loss", "min_loss_fraction", "cost_bps"}, diag);
  strategies::TaxPolicy::Harvest h;
  // Whether both thresholds are known, so that their being 0 can be judged.
  bool thresholds_read = true;
  if (r.has("min_loss")) {
    if (auto v = r.number("min_loss", Bound::non_negative)) h.min_loss = *v;
    else thresholds_read = false;
  }
  if (r.has("min_loss_fraction")) {
    if (auto v = r.number("min_loss_fraction", Bound::unit_below_one)) h.min_loss_fraction = *v;
    else thresholds_read = false;
  }
  if (auto v = r.number("cost_bps", Bound::non_negative)) {
    if (*v >= kMaxHarvestCostBps) {
      diag.error(
          r.node("cost_bps")->source(),
          r.name("cost_bps") + ": must be < 10000 (10000 bps is the whole value traded), got " + core::shortest(*v));
    } else {
      h.cost_bps = *v;
    }
  }
  if (thresholds_read && h.min_loss == 0 && h.min_loss_fraction == 0) {
    diag.error(t->source(), "[models.tax.harvest] needs min_loss or min_loss_fraction above 0: with both 0, every "
                            "loss however small would be harvested");
  }
  return h;
}

}  // namespace

strategies::TaxPolicy read_tax_policy(TableReader& r, bool is_model, const std::vector<strategies::AssetSpec>* assets,
                                      Diagnostics& diag) {
  strategies::TaxPolicy tax;
  if (!is_model) {
    if (const toml::node* n = r.node("tax")) {
      diag.error(n->source(), r.name("tax") + ": only [[models]] keep tax lots (their accounts'); a portfolio has none");
    }
    return tax;
  }
  const toml::table* t = r.table("tax");
  if (!t) return tax;
  TableReader tr(*t, "[models.tax]", r.name("tax"),
                 {"avoid_short_term_gains", "short_term_rate", "long_term_rate", "substitutes", "identical",
                  "avoid_wash_sales", "avoid_washed_losses", "harvest"},
                 diag);
  if (auto v = tr.boolean("avoid_short_term_gains")) tax.avoid_short_term_gains = *v;
  tax.short_term_rate = tr.number("short_term_rate", Bound::unit_below_one);
  tax.long_term_rate = tr.number("long_term_rate", Bound::unit_below_one);
  if (const toml::node* n = tr.node("substitutes")) tax.substitutes = read_substitutes(*n, tr.name("substitutes"), assets, diag);
  if (const toml::node* n = tr.node("identical")) tax.identical = read_identical(*n, tr.name("identical"), assets, diag);
  if (auto v = tr.boolean("avoid_wash_sales")) tax.avoid_wash_sales = *v;
  if (auto v = tr.boolean("avoid_washed_losses")) tax.avoid_washed_losses = *v;
  tax.harvest = read_harvest(tr, diag);
  if (tax.harvest && tax.substitutes.empty() && !tr.node("substitutes")) {
    diag.error(t->source(), "[models.tax.harvest] needs substitutes: a harvest buys what it sells in a substitute, "
                            "so that the exposure stays; name them with substitutes = { PRIMARY = [\"SUBSTITUTE\"] }");
  }
  return tax;
}

}  // namespace ballast::config
