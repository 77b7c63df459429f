#include "fleet/account_record.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

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

std::string quoted(std::string_view text) { return quoted_for_message(text); }

std::string id_problem(std::string_view what, std::string_view id) {
  if (id.empty()) return std::string(what) + " is empty";
  if (id.size() > kMaxAccountIdBytes) {
    return std::string(what) + " " + quoted(id) + " is " + std::to_string(id.size()) + " bytes long; at most " +
           std::to_string(kMaxAccountIdBytes) + " are allowed";
  }
  return std::string(what) + " " + quoted(id) + " may hold only letters, digits and . _ : -";
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

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

namespace {

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
    problem(AccountField::model, "model " + quoted(r.model) + " is not in the configuration (" + model_list(*catalog) + ")");
  } else {
    symbols = &it->second;
  }

  if (!(std::isfinite(r.cash) && r.cash >= 0)) {
    problem(AccountField::cash, "cash must be a finite number ≥ 0, not " + number(r.cash));
  }

  for (std::size_t i = 0; i < r.holdings.size(); ++i) {
    const auto& [symbol, quantity] = r.holdings[i];
    if (symbol.empty()) {
      problem(AccountField::holdings, "a holding has an empty symbol", symbol);
      continue;
    }
    if (i > 0 && r.holdings[i - 1].first >= symbol) {
      problem(AccountField::holdings,
              r.holdings[i - 1].first == symbol ? "the holding of " + quoted(symbol) + " is given twice"
                                                 : "holdings are not sorted by symbol",
              symbol);
    }
    if (symbols && !symbols->contains(symbol)) {
      problem(AccountField::holdings,
              "holds " + quoted(symbol) + ", which model " + quoted(r.model) + " does not hold", symbol);
    }
    if (!(std::isfinite(quantity) && quantity > 0)) {
      problem(AccountField::holdings,
              "the quantity of " + quoted(symbol) + " must be a finite number > 0, not " + number(quantity), symbol);
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
              r.restricted[i - 1] == symbol ? "restricted symbol " + quoted(symbol) + " is given twice"
                                            : "restricted symbols are not sorted",
              symbol);
    }
    if (symbols && !symbols->contains(symbol)) {
      // A restriction on a symbol the model never buys restricts nothing: most likely a typo.
      problem(AccountField::restricted,
              "restricted symbol " + quoted(symbol) + " is not a symbol of model " + quoted(r.model), symbol);
    }
  }

  if (r.cash_target && !(std::isfinite(*r.cash_target) && *r.cash_target >= 0 && *r.cash_target < 1)) {
    problem(AccountField::cash_target, "the cash target must be in [0, 1), not " + number(*r.cash_target));
  }
  if (!(std::isfinite(r.band_multiplier) && r.band_multiplier > 0)) {
    problem(AccountField::band_multiplier,
            "the band multiplier must be a finite number > 0, not " + number(r.band_multiplier));
  }
  return out;
}

}  // namespace

std::vector<AccountProblem> check_account(const AccountRecord& r, const ModelCatalog& catalog) {
  return check(r, &catalog);
}

std::vector<AccountProblem> check_account_shape(const AccountRecord& r) { return check(r, nullptr); }

}  // namespace ballast::fleet
