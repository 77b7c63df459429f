#include "fleet/account_lots.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/numbers.hpp"

namespace ballast::fleet {

namespace {

bool non_negative(double x) { return std::isfinite(x) && x >= 0; }

/// tax::Lots' own checks of a fill, made before an entry is made for it.
std::optional<tax::LotRefusal> trade_refusal(double quantity, double price, double costs) {
  if (!core::finite_positive(quantity)) return tax::LotRefusal::bad_quantity;
  if (!core::finite_positive(price)) return tax::LotRefusal::bad_price;
  if (!non_negative(costs)) return tax::LotRefusal::bad_costs;
  return std::nullopt;
}

/// The holding of `symbol` in `holdings` (sorted by symbol), or null.
template <class Holdings>
auto find_holding(Holdings& holdings, core::SymbolId symbol) -> decltype(&*holdings.begin()) {
  auto it = std::lower_bound(holdings.begin(), holdings.end(), symbol,
                             [](const auto& h, core::SymbolId s) { return h.symbol < s; });
  return it != holdings.end() && it->symbol == symbol ? &*it : nullptr;
}

/// What tax::Lots::restore requires of a lot, said for a person.
std::optional<std::string> lot_problem(const RecordLot& lot) {
  if (!core::finite_positive(lot.quantity)) return "its quantity is not a finite number > 0";
  if (!core::finite_positive(lot.cost_per_unit)) return "its cost per unit is not a finite number > 0";
  if (!non_negative(lot.wash_adjustment_per_unit)) return "its wash-sale adjustment is not a finite number >= 0";
  if (lot.holding_from > lot.acquired) return "its holding period starts after the day it was acquired";
  return std::nullopt;
}

void add_term(tax::TermTotals& to, const tax::TermTotals& from) {
  to.proceeds += from.proceeds;
  to.basis += from.basis;
  to.wash_disallowed += from.wash_disallowed;
  to.gain += from.gain;
}

/// The totals of `year` in `realised` (by year ascending), added when missing.
tax::YearTotals& year_entry(std::vector<tax::YearTotals>& realised, int year) {
  auto it = std::lower_bound(realised.begin(), realised.end(), year,
                             [](const tax::YearTotals& y, int wanted) { return y.year < wanted; });
  if (it == realised.end() || it->year != year) {
    tax::YearTotals fresh;
    fresh.year = year;
    it = realised.insert(it, fresh);
  }
  return *it;
}

}  // namespace

std::optional<std::string> AccountLots::restore(AccountIndex a, const AccountRecord& record,
                                                const core::SymbolTable& symbols) {
  const auto refusal = [&](std::size_t index, const std::string& what) {
    return "account " + quoted_for_message(record.id) + ", lot " + std::to_string(index + 1) + " (" +
           quoted_for_message(record.lots[index].symbol) + "): " + what;
  };
  if (record.lot_method == tax::CloseMethod::specific) {
    return "account " + quoted_for_message(record.id) +
           ": the lot method specific is chosen per order, not per account (fifo, hifo or min_tax)";
  }

  // Lots without an id (an import that gives none, a state file written
  // before ids were kept) are numbered after those with one, in order.
  std::vector<RecordLot> numbered = record.lots;
  number_lots(numbered);
  // Group by symbol, keeping the record's order within each symbol.
  std::vector<std::pair<core::SymbolId, std::vector<tax::Lot>>> by_symbol;
  for (std::size_t i = 0; i < numbered.size(); ++i) {
    const RecordLot& r = numbered[i];
    const core::SymbolId symbol = symbols.find(r.symbol);
    if (symbol == core::kNoSymbol) return refusal(i, "the symbol is not one of the fleet's");
    if (auto problem = lot_problem(r)) return refusal(i, *problem);
    auto it = std::find_if(by_symbol.begin(), by_symbol.end(), [symbol](const auto& s) { return s.first == symbol; });
    if (it == by_symbol.end()) {
      by_symbol.emplace_back(symbol, std::vector<tax::Lot>{});
      it = by_symbol.end() - 1;
    }
    tax::Lot lot;
    lot.quantity = r.quantity;
    lot.cost_per_unit = r.cost_per_unit;
    lot.wash_adjustment_per_unit = r.wash_adjustment_per_unit;
    lot.id = *r.id;
    lot.purchase = lot.id;
    lot.acquired = r.acquired;
    lot.holding_from = r.holding_from;
    it->second.push_back(lot);
  }
  std::sort(by_symbol.begin(), by_symbol.end(), [](const auto& x, const auto& y) { return x.first < y.first; });

  std::vector<Holding> holdings;
  holdings.reserve(by_symbol.size());
  for (auto& [symbol, lots] : by_symbol) {
    std::optional<tax::Lots> restored = tax::Lots::restore(std::move(lots));
    if (!restored) {
      // lot_problem passed every lot: what tax::Lots::restore refuses is a repeated id.
      return "account " + quoted_for_message(record.id) + ": the lots of " +
             quoted_for_message(symbols.name(symbol)) + " cannot be restored: two of them have the same id";
    }
    holdings.push_back(Holding{symbol, std::move(*restored)});
  }

  if (holdings.empty() && record.lot_method == tax::CloseMethod::fifo) {
    auto it = accounts_.find(a);
    if (it == accounts_.end()) return std::nullopt;
    it->second.holdings.clear();
    it->second.holdings.shrink_to_fit();
    it->second.method = record.lot_method;
    drop_if_empty(a);
    return std::nullopt;
  }
  Account& account = accounts_[a];
  account.holdings = std::move(holdings);
  account.method = record.lot_method;
  return std::nullopt;
}

tax::Lots::Opened AccountLots::buy(AccountIndex a, core::SymbolId symbol, tax::Day day, double quantity,
                                   double price, double costs) {
  // Refused before an entry is made, so that a refused buy leaves no trace.
  if (auto refused = trade_refusal(quantity, price, costs)) return {0, refused};
  return holding(accounts_[a], symbol).lots.open(tax::Buy{day, quantity, price, costs});
}

double AccountLots::sellable_without_short_term_gain(AccountIndex a, core::SymbolId symbol, tax::Day day,
                                                    double net_per_unit, double held,
                                                    const std::optional<tax::TaxRates>& rates) const {
  const Holding* h = find(a, symbol);
  if (!h) return held;  // no lots: no basis known, no gain realised that a lot could say
  const double in_lots = h->lots.quantity();
  const double unknown = std::max(0.0, held - in_lots);
  return std::min(held, unknown + h->lots.units_before_short_term_gain(method(a), net_per_unit, day, rule_, rates));
}

double AccountLots::tax_if_sold(AccountIndex a, core::SymbolId symbol, tax::Day day, double quantity, double price,
                                double held, const std::optional<tax::TaxRates>& rates) const {
  if (!rates || !(quantity > 0)) return 0;
  // The sale itself, previewed: the lots it would close are the lots taxed.
  const LotSale sale = preview_sale(a, symbol, day, quantity, price, 0, held, rates);
  double tax = 0;
  for (const tax::RealisedLine& line : sale.lines) tax += rates->tax_on(line.gain, line.term);
  return tax;
}

LotSale AccountLots::sell(AccountIndex a, core::SymbolId symbol, tax::Day day, double quantity, double price,
                          double costs, double held_before, const std::optional<tax::TaxRates>& rates,
                          SaleKind kind, std::span<const tax::SpecificLot> named) {
  auto account_it = accounts_.find(a);
  Holding* h = account_it == accounts_.end() ? nullptr : find_holding(account_it->second.holdings, symbol);
  LotSale out =
      close_sale(h ? &h->lots : nullptr, method(a), day, quantity, price, costs, held_before, rates, kind, named);
  if (!out.lines.empty()) add_totals(account_it->second, out.lines);
  return out;
}

LotSale AccountLots::preview_sale(AccountIndex a, core::SymbolId symbol, tax::Day day, double quantity, double price,
                                  double costs, double held_before, const std::optional<tax::TaxRates>& rates,
                                  SaleKind kind) const {
  // The same sale on a copy of the holding's lots: one path decides what a
  // sale closes, so the preview cannot drift from the sale.
  const Holding* h = find(a, symbol);
  std::optional<tax::Lots> copy;
  if (h) copy = h->lots;
  return close_sale(copy ? &*copy : nullptr, method(a), day, quantity, price, costs, held_before, rates, kind, {});
}

AccountLots::SaleSplit AccountLots::split_sale(double quantity, double held_before, double in_lots, SaleKind kind) {
  double unknown = std::max(0.0, held_before - in_lots);
  // What the lots and the holding disagree on by rounding alone is no unit of unknown basis.
  if (unknown <= held_before * tax::kQuantityTolerance) unknown = 0;
  const double from_unknown = kind == SaleKind::harvest ? std::max(0.0, quantity - in_lots) : std::min(quantity, unknown);
  return {from_unknown, quantity - from_unknown};
}

LotSale AccountLots::close_sale(tax::Lots* lots, tax::CloseMethod account_method, tax::Day day, double quantity,
                                double price, double costs, double held_before,
                                const std::optional<tax::TaxRates>& rates, SaleKind kind,
                                std::span<const tax::SpecificLot> named) const {
  LotSale out;
  out.refused = trade_refusal(quantity, price, costs);
  if (!out.refused && !non_negative(held_before)) out.refused = tax::LotRefusal::not_enough_held;
  if (out.refused) return out;

  const auto [from_unknown, from_lots] = split_sale(quantity, held_before, lots ? lots->quantity() : 0, kind);
  if (from_lots <= quantity * tax::kQuantityTolerance) {
    out.unknown_basis_units = quantity;
    return out;
  }
  if (!lots) {
    out.refused = tax::LotRefusal::not_enough_held;
    return out;
  }
  const tax::CloseMethod method = kind == SaleKind::harvest ? tax::CloseMethod::hifo : account_method;
  // The named lots, up to the units from lots: the first listed first.
  std::vector<tax::SpecificLot> first;
  double by_name = 0;
  for (const tax::SpecificLot& s : named) {
    const double left = from_lots - by_name;
    if (left <= from_lots * tax::kQuantityTolerance) break;
    const double take = std::min(s.quantity, left);
    if (!core::finite_positive(take)) continue;
    first.push_back({s.lot, take});
    by_name += take;
  }
  // Costs are shared pro rata to units, between the two closes as within each.
  const auto part = [&](double units) { return tax::Sale{day, units, price, costs * (units / quantity)}; };
  const double rest = from_lots - by_name;
  if (!first.empty()) {
    if (rest > lots->quantity() - by_name + from_lots * tax::kQuantityTolerance) {
      out.refused = tax::LotRefusal::not_enough_held;  // checked before the first close changes anything
      return out;
    }
    if (auto refused = lots->close(part(by_name), tax::CloseMethod::specific, first, rule_, out.lines, rates)) {
      out.named_refused = refused;
      out.lines.clear();
      by_name = 0;
    }
  }
  const double by_method = from_lots - by_name;
  if (by_method > from_lots * tax::kQuantityTolerance) {
    if (auto refused = lots->close(part(by_method), method, {}, rule_, out.lines, rates)) {
      // Only when nothing was closed by name: the check above kept enough for the rest.
      out.lines.clear();
      out.refused = refused;
      return out;
    }
  }
  out.unknown_basis_units = from_unknown;
  return out;
}

std::vector<tax::SpecificLot> AccountLots::choose_lots(AccountIndex a, core::SymbolId symbol, tax::Day day,
                                                       double quantity, double net_per_unit, double held,
                                                       const std::optional<tax::TaxRates>& rates,
                                                       SaleKind kind) const {
  const Holding* h = find(a, symbol);
  if (!h || !core::finite_positive(quantity) || !non_negative(held)) return {};
  const double from_lots = split_sale(quantity, held, h->lots.quantity(), kind).from_lots;
  if (from_lots <= quantity * tax::kQuantityTolerance) return {};
  const tax::CloseMethod method = kind == SaleKind::harvest ? tax::CloseMethod::hifo : this->method(a);
  return h->lots.choose(method, from_lots, net_per_unit, day, rule_, rates).value_or(std::vector<tax::SpecificLot>{});
}

std::vector<RecordLot> AccountLots::record_lots(AccountIndex a, const core::SymbolTable& symbols) const {
  std::vector<RecordLot> out;
  auto it = accounts_.find(a);
  if (it == accounts_.end()) return out;
  std::vector<const Holding*> by_name;
  for (const Holding& h : it->second.holdings) {
    if (!h.lots.lots().empty()) by_name.push_back(&h);
  }
  std::sort(by_name.begin(), by_name.end(),
            [&](const Holding* x, const Holding* y) { return symbols.name(x->symbol) < symbols.name(y->symbol); });
  for (const Holding* h : by_name) {
    for (const tax::Lot& lot : h->lots.lots()) {
      RecordLot r;
      r.symbol = symbols.name(h->symbol);
      r.quantity = lot.quantity;
      r.cost_per_unit = lot.cost_per_unit;
      r.acquired = lot.acquired;
      r.holding_from = lot.holding_from;
      r.wash_adjustment_per_unit = lot.wash_adjustment_per_unit;
      r.id = lot.id;
      out.push_back(std::move(r));
    }
  }
  return out;
}

tax::CloseMethod AccountLots::method(AccountIndex a) const {
  auto it = accounts_.find(a);
  return it == accounts_.end() ? tax::CloseMethod::fifo : it->second.method;
}

std::span<const tax::Lot> AccountLots::lots(AccountIndex a, core::SymbolId symbol) const {
  const Holding* h = find(a, symbol);
  return h ? h->lots.lots() : std::span<const tax::Lot>{};
}

AccountLotsView AccountLots::view(AccountIndex a, tax::Day today, std::span<const double> prices_by_symbol) const {
  AccountLotsView out;
  auto it = accounts_.find(a);
  if (it == accounts_.end()) return out;
  for (const Holding& h : it->second.holdings) {
    const double price = h.symbol < prices_by_symbol.size() ? prices_by_symbol[h.symbol] : 0;
    const bool priced = core::finite_positive(price);
    for (const tax::Lot& lot : h.lots.lots()) {
      LotView v;
      v.symbol = h.symbol;
      v.lot = lot.id;
      v.quantity = lot.quantity;
      v.basis_per_unit = lot.basis_per_unit();
      v.acquired = lot.acquired;
      v.holding_from = lot.holding_from;
      v.term = rule_.term(lot.holding_from, today);
      v.priced = priced;
      if (priced) {
        v.price = price;
        v.unrealised_gain = lot.quantity * (price - v.basis_per_unit);
        (v.term == tax::Term::long_term ? out.unrealised_long_term : out.unrealised_short_term) += v.unrealised_gain;
      } else {
        ++out.unpriced_lots;
      }
      out.lots.push_back(v);
    }
  }
  return out;
}

void AccountLots::add_realised(AccountIndex a, std::span<const tax::RealisedLine> lines) {
  if (lines.empty()) return;
  add_totals(accounts_[a], lines);
}

std::vector<tax::YearTotals> AccountLots::realised(AccountIndex a) const {
  auto it = accounts_.find(a);
  return it == accounts_.end() ? std::vector<tax::YearTotals>{} : it->second.realised;
}

tax::YearTotals AccountLots::realised(AccountIndex a, int year) const {
  tax::YearTotals out;
  out.year = year;
  auto it = accounts_.find(a);
  if (it == accounts_.end()) return out;
  const auto& realised = it->second.realised;
  auto y = std::lower_bound(realised.begin(), realised.end(), year,
                            [](const tax::YearTotals& t, int wanted) { return t.year < wanted; });
  return y != realised.end() && y->year == year ? *y : out;
}

std::optional<tax::LotId> AccountLots::apply_wash_to_replacement(const tax::WashMatch& match) {
  auto it = accounts_.find(match.replacement_account);
  if (it == accounts_.end()) return std::nullopt;
  Holding* h = find_holding(it->second.holdings, match.replacement_symbol);
  if (!h) return std::nullopt;
  return tax::apply_to_replacement(h->lots, match);
}

void AccountLots::apply_wash_to_loss_line(tax::RealisedLine& loss_line, const tax::WashMatch& match) {
  const double before = loss_line.wash_disallowed;
  tax::apply_to_loss_line(loss_line, match);
  const double added = loss_line.wash_disallowed - before;
  if (added == 0) return;
  tax::YearTotals& year = year_entry(accounts_[match.loss_account].realised, tax::year_of(loss_line.sold));
  tax::TermTotals& term = loss_line.term == tax::Term::long_term ? year.long_term : year.short_term;
  term.wash_disallowed += added;
  term.gain += added;
}

void AccountLots::erase(AccountIndex a) { accounts_.erase(a); }

std::vector<AccountIndex> AccountLots::accounts_with_lots() const {
  std::vector<AccountIndex> out;
  for (const auto& [a, account] : accounts_) {
    if (std::any_of(account.holdings.begin(), account.holdings.end(),
                    [](const Holding& h) { return !h.lots.lots().empty(); })) {
      out.push_back(a);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

template <class Account>
std::size_t entry_bytes(const Account& account) {
  std::size_t bytes = account.holdings.capacity() * sizeof(account.holdings[0]);
  bytes += account.realised.capacity() * sizeof(tax::YearTotals);
  // tax::Lots shows its size, not its capacity.
  for (const auto& h : account.holdings) bytes += h.lots.lots().size() * sizeof(tax::Lot);
  return bytes;
}

}  // namespace

std::size_t AccountLots::table_bytes() const {
  // A node of the map: the next pointer and the key with its value (libstdc++
  // caches no hash for integer keys).
  constexpr std::size_t kNodeBytes = sizeof(void*) + sizeof(std::pair<const AccountIndex, Account>);
  return accounts_.bucket_count() * sizeof(void*) + accounts_.size() * kNodeBytes;
}

std::size_t AccountLots::account_bytes(AccountIndex a) const {
  const auto it = accounts_.find(a);
  return it == accounts_.end() ? 0 : entry_bytes(it->second);
}

std::size_t AccountLots::memory_bytes() const {
  std::size_t bytes = table_bytes();
  for (const auto& [a, account] : accounts_) bytes += entry_bytes(account);
  return bytes;
}

const AccountLots::Holding* AccountLots::find(AccountIndex a, core::SymbolId symbol) const {
  auto it = accounts_.find(a);
  return it == accounts_.end() ? nullptr : find_holding(it->second.holdings, symbol);
}

AccountLots::Holding& AccountLots::holding(Account& account, core::SymbolId symbol) {
  auto& holdings = account.holdings;
  auto it = std::lower_bound(holdings.begin(), holdings.end(), symbol,
                             [](const Holding& x, core::SymbolId s) { return x.symbol < s; });
  if (it == holdings.end() || it->symbol != symbol) it = holdings.insert(it, Holding{symbol, tax::Lots{}});
  return *it;
}

void AccountLots::add_totals(Account& account, std::span<const tax::RealisedLine> lines) {
  for (const tax::YearTotals& y : tax::totals_by_year(lines)) {
    tax::YearTotals& to = year_entry(account.realised, y.year);
    add_term(to.short_term, y.short_term);
    add_term(to.long_term, y.long_term);
  }
}

void AccountLots::drop_if_empty(AccountIndex a) {
  auto it = accounts_.find(a);
  if (it == accounts_.end()) return;
  const Account& account = it->second;
  if (account.holdings.empty() && account.realised.empty() && account.method == tax::CloseMethod::fifo) {
    accounts_.erase(it);
  }
}

}  // namespace ballast::fleet
