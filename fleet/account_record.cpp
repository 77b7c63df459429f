#include "fleet/account_record.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <unordered_map>

#include "core/number_text.hpp"
#include "core/types.hpp"

namespace ballast::fleet {

std::string_view to_string(AccountField field) {
  switch (field) {
    case AccountField::id: return "id";
    case AccountField::model: return "model";
    case AccountField::cash: return "cash";
    case AccountField::holdings: return "holdings";
    case AccountField::household: return "household";
    case AccountField::restricted: return "restricted";
    case AccountField::cash_target: return "cash_target";
    case AccountField::band_multiplier: return "band_multiplier";
    case AccountField::lots: return "lots";
    case AccountField::lot_method: return "lot_method";
  }
  return "?";
}

// One rule for the book and the order wire format's allocations.
bool valid_account_id(std::string_view id) { return core::is_valid_account_id(id); }

void normalize(AccountRecord& record) {
  auto& h = record.holdings;
  std::stable_sort(h.begin(), h.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  h.erase(std::remove_if(h.begin(), h.end(), [](const auto& e) { return e.second == 0; }), h.end());
  auto& r = record.restricted;
  std::sort(r.begin(), r.end());
  r.erase(std::unique(r.begin(), r.end()), r.end());
  std::stable_sort(record.lots.begin(), record.lots.end(),
                   [](const RecordLot& a, const RecordLot& b) { return a.symbol < b.symbol; });
}

void number_lots(std::vector<RecordLot>& lots) {
  // Past the largest id given, per symbol; a symbol whose ids reach the top
  // wraps to 0 here, and the duplicate that makes is check_account's to refuse.
  std::unordered_map<std::string_view, tax::LotId> next;
  for (const RecordLot& lot : lots) {
    if (!lot.id) continue;
    tax::LotId& n = next[lot.symbol];
    n = std::max(n, static_cast<tax::LotId>(*lot.id + 1));
  }
  for (RecordLot& lot : lots) {
    if (!lot.id) lot.id = next[lot.symbol]++;
  }
}

std::string quoted_for_message(std::string_view text) {
  constexpr std::size_t kShown = 40;
  std::string out = "\"";
  for (const char c : text.substr(0, kShown)) {
    const auto byte = static_cast<unsigned char>(c);
    out += byte < 0x20 || byte == 0x7f ? '?' : c;
  }
  if (text.size() > kShown) out += "...";
  return out + "\"";
}

namespace {

std::string id_problem(std::string_view what, std::string_view id) {
  if (id.empty()) return std::string(what) + " is empty";
  if (id.size() > kMaxAccountIdBytes) {
    return std::string(what) + " " + quoted_for_message(id) + " is " + std::to_string(id.size()) +
           " bytes long; at most " + std::to_string(kMaxAccountIdBytes) + " are allowed";
  }
  return std::string(what) + " " + quoted_for_message(id) + " may hold only letters, digits and . _ : -";
}

/// The catalog's model ids, for a message: "balanced, growth" (the first few).
std::string model_list(const ModelCatalog& catalog) {
  if (catalog.empty()) return "the configuration has no models";
  std::string out = "the models are ";
  std::size_t n = 0;
  for (const auto& [id, symbols] : catalog) {
    if (n == 8) {
      out += ", ...";
      break;
    }
    out += (n++ ? ", " : "") + id;
  }
  return out;
}

}  // namespace

namespace {

/// The lots' own problems, not against the holdings; whether they are sorted by symbol.
template <class Problem>
bool check_lot_fields(const std::vector<RecordLot>& lots, Problem& problem) {
  if (lots.size() > kMaxLotsPerAccount) {
    // Nothing more is said of them: a message per lot would be as unbounded as the lots.
    problem(AccountField::lots, "the account has " + std::to_string(lots.size()) + " lots; at most " +
                                    std::to_string(kMaxLotsPerAccount) + " are kept");
    return false;
  }
  bool sorted = true;
  // The ids of the current run of one symbol, with the 1-based lot that gave each.
  std::unordered_map<tax::LotId, std::size_t> ids;
  // Lots without an id are numbered past the run's largest id: none is left
  // past the largest a lot can have.
  bool unnumbered = false;
  bool top_reported = false;
  constexpr tax::LotId kTopId = std::numeric_limits<tax::LotId>::max();
  for (std::size_t i = 0; i < lots.size(); ++i) {
    const RecordLot& lot = lots[i];
    if (i == 0 || lots[i - 1].symbol != lot.symbol) {
      ids.clear();
      unnumbered = false;
      top_reported = false;
      for (std::size_t j = i; j < lots.size() && lots[j].symbol == lot.symbol; ++j) unnumbered |= !lots[j].id;
    }
    // Built only for a message: a million accounts' lots are checked on import.
    const auto name = [&] {
      return "lot " + std::to_string(i + 1) + (lot.symbol.empty() ? "" : " (" + quoted_for_message(lot.symbol) + ")");
    };
    if (lot.symbol.empty()) problem(AccountField::lots, name() + " has an empty symbol");
    if (i > 0 && lots[i - 1].symbol > lot.symbol) {
      sorted = false;
      problem(AccountField::lots, name() + ": lots are not sorted by symbol", lot.symbol);
    }
    if (!(std::isfinite(lot.quantity) && lot.quantity > 0)) {
      problem(AccountField::lots,
              name() + ": the quantity must be a finite number > 0, not " + core::shortest(lot.quantity), lot.symbol);
    }
    if (!(std::isfinite(lot.cost_per_unit) && lot.cost_per_unit > 0)) {
      problem(AccountField::lots,
              name() + ": the cost per unit must be a finite number > 0, not " + core::shortest(lot.cost_per_unit),
              lot.symbol);
    }
    if (!(std::isfinite(lot.wash_adjustment_per_unit) && lot.wash_adjustment_per_unit >= 0)) {
      problem(AccountField::lots,
              name() + ": the wash adjustment per unit must be a finite number ≥ 0, not " +
                  core::shortest(lot.wash_adjustment_per_unit),
              lot.symbol);
    }
    if (lot.holding_from > lot.acquired) {
      problem(AccountField::lots, name() + ": its holding period starts after the day it was acquired", lot.symbol);
    }
    if (lot.id && *lot.id == kTopId && unnumbered && !top_reported) {
      top_reported = true;
      problem(AccountField::lots,
              name() + ": id " + std::to_string(kTopId) +
                  " leaves no id for the lots of its symbol given without one (give them ids, or a smaller one here)",
              lot.symbol);
    }
    if (lot.id) {
      const auto [at, fresh] = ids.emplace(*lot.id, i + 1);
      if (!fresh) {
        problem(AccountField::lots,
                name() + ": id " + std::to_string(*lot.id) + " is lot " + std::to_string(at->second) +
                    "'s already (a symbol's lot ids must be distinct)",
                lot.symbol);
      }
    }
  }
  return sorted;
}

template <class Problem>
void check_lot_method(tax::CloseMethod method, Problem& problem) {
  if (method == tax::CloseMethod::specific) {
    problem(AccountField::lot_method,
            "the lot method must be fifo, hifo or min_tax, not specific (specific lots are named per order)");
  } else if (method != tax::CloseMethod::fifo && method != tax::CloseMethod::hifo &&
             method != tax::CloseMethod::min_tax) {
    // A value cast from a number that names no method at all.
    problem(AccountField::lot_method, "the lot method must be fifo, hifo or min_tax, not method number " +
                                          std::to_string(static_cast<int>(method)));
  }
}

/// The lots' problems. `against_holdings`: also a lot of a symbol not held.
template <class Problem>
void check_lots(const AccountRecord& r, bool against_holdings, Problem& problem) {
  // Unsorted, the runs of one symbol are not whole: nothing to compare with the holdings.
  if (!check_lot_fields(r.lots, problem)) return;

  // Each run of one symbol's lots against its holding.
  for (std::size_t begin = 0, end = 0; begin < r.lots.size(); begin = end) {
    const std::string& symbol = r.lots[begin].symbol;
    double sum = 0;
    for (end = begin; end < r.lots.size() && r.lots[end].symbol == symbol; ++end) sum += r.lots[end].quantity;
    if (symbol.empty() || !std::isfinite(sum)) continue;  // reported above
    const auto held = std::find_if(r.holdings.begin(), r.holdings.end(), [&](const auto& h) { return h.first == symbol; });
    if (held == r.holdings.end()) {
      if (against_holdings) {
        problem(AccountField::lots,
                "there are lots of " + quoted_for_message(symbol) + ", which the account does not hold", symbol);
      }
    } else if (std::isfinite(held->second) && sum > held->second * (1 + tax::kQuantityTolerance)) {
      problem(AccountField::lots,
              "the lots of " + quoted_for_message(symbol) + " add up to " + core::shortest(sum) + ", more than the " +
                  core::shortest(held->second) + " held",
              symbol);
    }
  }
}

/// check_account, with the model checks when there is a catalog.
std::vector<AccountProblem> check(const AccountRecord& r, const ModelCatalog* catalog) {
  std::vector<AccountProblem> out;
  auto problem = [&](AccountField f, std::string message, std::string symbol = {}) {
    out.push_back(AccountProblem{f, std::move(symbol), std::move(message)});
  };

  if (!valid_account_id(r.id)) problem(AccountField::id, id_problem("the account id", r.id));

  const std::set<std::string, std::less<>>* symbols = nullptr;
  if (r.model.empty()) {
    problem(AccountField::model, "the model is empty");
  } else if (!catalog) {
  } else if (const auto it = catalog->find(r.model); it == catalog->end()) {
    problem(AccountField::model,
            "model " + quoted_for_message(r.model) + " is not in the configuration (" + model_list(*catalog) + ")");
  } else {
    symbols = &it->second;
  }

  if (!(std::isfinite(r.cash) && r.cash >= 0)) {
    problem(AccountField::cash, "cash must be a finite number ≥ 0, not " + core::shortest(r.cash));
  }

  for (std::size_t i = 0; i < r.holdings.size(); ++i) {
    const auto& [symbol, quantity] = r.holdings[i];
    if (symbol.empty()) {
      problem(AccountField::holdings, "a holding has an empty symbol", symbol);
      continue;
    }
    if (i > 0 && r.holdings[i - 1].first >= symbol) {
      problem(AccountField::holdings,
              r.holdings[i - 1].first == symbol ? "the holding of " + quoted_for_message(symbol) + " is given twice"
                                                : "holdings are not sorted by symbol",
              symbol);
    }
    if (symbols && !symbols->contains(symbol)) {
      problem(AccountField::holdings,
              "holds " + quoted_for_message(symbol) + ", which model " + quoted_for_message(r.model) + " does not hold",
              symbol);
    }
    if (!(std::isfinite(quantity) && quantity > 0)) {
      problem(AccountField::holdings,
              "the quantity of " + quoted_for_message(symbol) + " must be a finite number > 0, not " +
                  core::shortest(quantity),
              symbol);
    }
  }

  if (!r.household.empty() && !valid_account_id(r.household)) {
    problem(AccountField::household, id_problem("the household id", r.household));
  }

  for (std::size_t i = 0; i < r.restricted.size(); ++i) {
    const std::string& symbol = r.restricted[i];
    if (symbol.empty()) {
      problem(AccountField::restricted, "a restricted symbol is empty", symbol);
      continue;
    }
    if (i > 0 && r.restricted[i - 1] >= symbol) {
      problem(AccountField::restricted,
              r.restricted[i - 1] == symbol ? "restricted symbol " + quoted_for_message(symbol) + " is given twice"
                                            : "restricted symbols are not sorted",
              symbol);
    }
    if (symbols && !symbols->contains(symbol)) {
      // A restriction on a symbol the model never buys restricts nothing: most likely a typo.
      problem(AccountField::restricted,
              "restricted symbol " + quoted_for_message(symbol) + " is not a symbol of model " +
                  quoted_for_message(r.model),
              symbol);
    }
  }

  if (r.cash_target && !(std::isfinite(*r.cash_target) && *r.cash_target >= 0 && *r.cash_target < 1)) {
    problem(AccountField::cash_target, "the cash target must be in [0, 1), not " + core::shortest(*r.cash_target));
  }
  if (!(std::isfinite(r.band_multiplier) && r.band_multiplier > 0)) {
    problem(AccountField::band_multiplier,
            "the band multiplier must be a finite number > 0, not " + core::shortest(r.band_multiplier));
  }

  check_lots(r, catalog != nullptr, problem);
  check_lot_method(r.lot_method, problem);
  return out;
}

}  // namespace

std::vector<AccountProblem> check_booked_lots(const std::vector<RecordLot>& lots, tax::CloseMethod method) {
  std::vector<AccountProblem> out;
  auto problem = [&out](AccountField field, std::string message, std::string symbol = {}) {
    out.push_back({field, std::move(symbol), std::move(message)});
  };
  check_lot_fields(lots, problem);
  check_lot_method(method, problem);
  return out;
}

std::vector<AccountProblem> check_account(const AccountRecord& r, const ModelCatalog& catalog) {
  return check(r, &catalog);
}

std::vector<AccountProblem> check_account_shape(const AccountRecord& r) { return check(r, nullptr); }

}  // namespace ballast::fleet
