#include "tax/lots.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <numeric>
#include <unordered_set>

#include "core/numbers.hpp"

namespace ballast::tax {

namespace {

bool non_negative(double x) { return std::isfinite(x) && x >= 0; }

std::optional<LotRefusal> check_trade(double quantity, double price, double costs) {
  if (!core::finite_positive(quantity)) return LotRefusal::bad_quantity;
  if (!core::finite_positive(price)) return LotRefusal::bad_price;
  if (!non_negative(costs)) return LotRefusal::bad_costs;
  return std::nullopt;
}

/// Asking for at least all but a tolerance of what a lot holds takes the whole lot.
bool takes_whole(double asked, double held) { return asked >= held * (1 - kQuantityTolerance); }

}  // namespace

std::string_view to_string(CloseMethod method) {
  switch (method) {
    case CloseMethod::fifo: return "fifo";
    case CloseMethod::hifo: return "hifo";
    case CloseMethod::min_tax: return "min_tax";
    case CloseMethod::specific: return "specific";
  }
  std::abort();
}

std::optional<CloseMethod> parse_close_method(std::string_view name) {
  for (CloseMethod m : {CloseMethod::fifo, CloseMethod::hifo, CloseMethod::min_tax, CloseMethod::specific}) {
    if (to_string(m) == name) return m;
  }
  return std::nullopt;
}

std::string_view to_string(LotRefusal refusal) {
  switch (refusal) {
    case LotRefusal::bad_quantity: return "bad_quantity";
    case LotRefusal::bad_price: return "bad_price";
    case LotRefusal::bad_costs: return "bad_costs";
    case LotRefusal::not_enough_held: return "not_enough_held";
    case LotRefusal::unknown_lot: return "unknown_lot";
    case LotRefusal::lot_named_twice: return "lot_named_twice";
    case LotRefusal::more_than_lot_holds: return "more_than_lot_holds";
    case LotRefusal::specific_mismatch: return "specific_mismatch";
    case LotRefusal::lot_ids_exhausted: return "lot_ids_exhausted";
  }
  std::abort();
}

std::optional<Lots> Lots::restore(std::vector<Lot> lots) {
  std::unordered_set<LotId> ids;
  ids.reserve(lots.size());
  LotId max_id = 0;
  for (const Lot& lot : lots) {
    if (!ids.insert(lot.id).second) return std::nullopt;
    if (!core::finite_positive(lot.quantity) || !core::finite_positive(lot.cost_per_unit) ||
        !non_negative(lot.wash_adjustment_per_unit)) {
      return std::nullopt;
    }
    if (lot.holding_from > lot.acquired) return std::nullopt;
    max_id = std::max(max_id, lot.id);
  }
  Lots out;
  out.lots_ = std::move(lots);
  if (!out.lots_.empty()) {
    out.ids_exhausted_ = max_id == std::numeric_limits<LotId>::max();
    out.next_id_ = out.ids_exhausted_ ? max_id : max_id + 1;
  }
  return out;
}

std::optional<LotId> Lots::take_id() {
  if (ids_exhausted_) return std::nullopt;
  const LotId id = next_id_;
  if (next_id_ == std::numeric_limits<LotId>::max()) {
    ids_exhausted_ = true;
  } else {
    ++next_id_;
  }
  return id;
}

Lots::Opened Lots::open(const Buy& buy) {
  if (auto refused = check_trade(buy.quantity, buy.price, buy.costs)) return {0, refused};
  const std::optional<LotId> id = take_id();
  if (!id) return {0, LotRefusal::lot_ids_exhausted};
  Lot lot;
  lot.quantity = buy.quantity;
  lot.cost_per_unit = (buy.quantity * buy.price + buy.costs) / buy.quantity;
  lot.id = *id;
  lot.purchase = *id;
  lot.acquired = buy.day;
  lot.holding_from = buy.day;
  lots_.push_back(lot);
  return {*id, std::nullopt};
}

const Lot* Lots::find(LotId id) const {
  auto it = std::find_if(lots_.begin(), lots_.end(), [id](const Lot& l) { return l.id == id; });
  return it == lots_.end() ? nullptr : &*it;
}

double Lots::quantity() const {
  return std::accumulate(lots_.begin(), lots_.end(), 0.0, [](double sum, const Lot& l) { return sum + l.quantity; });
}

std::vector<std::size_t> Lots::closing_order(CloseMethod method, double net_per_unit, Day day, const TermRule& rule,
                                             const std::optional<TaxRates>& rates) const {
  std::vector<std::size_t> order(lots_.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  const auto earlier = [this](std::size_t a, std::size_t b) {
    // Same day: the lot made first (the vector keeps that order).
    return lots_[a].acquired != lots_[b].acquired ? lots_[a].acquired < lots_[b].acquired : a < b;
  };
  if (method == CloseMethod::fifo) {
    std::sort(order.begin(), order.end(), earlier);
  } else if (method == CloseMethod::hifo) {
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      const double ba = lots_[a].basis_per_unit(), bb = lots_[b].basis_per_unit();
      return ba != bb ? ba > bb : earlier(a, b);
    });
  } else if (rates) {
    // What each unit's sale would add to the year's tax; a loss's is negative.
    std::vector<double> tax(lots_.size());
    for (std::size_t i = 0; i < lots_.size(); ++i) {
      tax[i] = rates->tax_on(net_per_unit - lots_[i].basis_per_unit(), rule.term(lots_[i].holding_from, day));
    }
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return tax[a] != tax[b] ? tax[a] < tax[b] : earlier(a, b); });
  } else {
    struct Key {
      int rank;     // 0 loss, 1 long-term gain, 2 short-term gain
      double gain;  // per unit; the smallest (the largest loss) first
      int term;     // among equal losses, short-term (worth more) first
    };
    std::vector<Key> keys(lots_.size());
    for (std::size_t i = 0; i < lots_.size(); ++i) {
      const double gain = net_per_unit - lots_[i].basis_per_unit();
      const Term term = rule.term(lots_[i].holding_from, day);
      const int rank = gain < 0 ? 0 : term == Term::long_term ? 1 : 2;
      keys[i] = {rank, gain, term == Term::short_term ? 0 : 1};
    }
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      const Key& ka = keys[a];
      const Key& kb = keys[b];
      if (ka.rank != kb.rank) return ka.rank < kb.rank;
      if (ka.gain != kb.gain) return ka.gain < kb.gain;
      if (ka.term != kb.term) return ka.term < kb.term;
      return earlier(a, b);
    });
  }
  return order;
}

bool Lots::takes_by(CloseMethod method, double quantity, double net_per_unit, Day day, const TermRule& rule,
                    const std::optional<TaxRates>& rates, std::vector<Take>& takes) const {
  double left = quantity;
  for (const std::size_t i : closing_order(method, net_per_unit, day, rule, rates)) {
    if (left <= quantity * kQuantityTolerance) break;
    const double held = lots_[i].quantity;
    const double take = takes_whole(left, held) ? held : left;
    takes.push_back({i, take});
    left -= take;
  }
  return left <= quantity * kQuantityTolerance;
}

std::optional<std::vector<SpecificLot>> Lots::choose(CloseMethod method, double quantity, double net_per_unit, Day day,
                                                     const TermRule& rule,
                                                     const std::optional<TaxRates>& rates) const {
  if (!core::finite_positive(quantity) || method == CloseMethod::specific) return std::nullopt;
  std::vector<Take> takes;
  if (!takes_by(method, quantity, net_per_unit, day, rule, rates, takes)) return std::nullopt;
  std::vector<SpecificLot> out;
  out.reserve(takes.size());
  for (const Take& t : takes) out.push_back({lots_[t.index].id, t.quantity});
  return out;
}

double Lots::units_before_short_term_gain(CloseMethod method, double net_per_unit, Day day, const TermRule& rule,
                                          const std::optional<TaxRates>& rates) const {
  double units = 0;
  for (const std::size_t i : closing_order(method, net_per_unit, day, rule, rates)) {
    const Lot& lot = lots_[i];
    if (net_per_unit > lot.basis_per_unit() && rule.term(lot.holding_from, day) == Term::short_term) break;
    units += lot.quantity;
  }
  return units;
}

std::optional<LotRefusal> Lots::close(const Sale& sale, CloseMethod method, std::span<const SpecificLot> named,
                                      const TermRule& rule, std::vector<RealisedLine>& out,
                                      const std::optional<TaxRates>& rates) {
  if (auto refused = check_trade(sale.quantity, sale.price, sale.costs)) return refused;
  const double net_proceeds = sale.quantity * sale.price - sale.costs;
  std::vector<Take> takes;

  if (method == CloseMethod::specific) {
    // Sorted (id, index) pairs and a flag per lot: a few allocations, where
    // a map and a set of the lots cost one per lot on every such sale.
    std::vector<std::pair<LotId, std::size_t>> index_of(lots_.size());
    for (std::size_t i = 0; i < lots_.size(); ++i) index_of[i] = {lots_[i].id, i};
    std::sort(index_of.begin(), index_of.end());
    std::vector<bool> named_already(lots_.size());
    takes.reserve(named.size());
    double total = 0;
    for (const SpecificLot& s : named) {
      if (!core::finite_positive(s.quantity)) return LotRefusal::bad_quantity;
      const auto it = std::lower_bound(index_of.begin(), index_of.end(), std::pair<LotId, std::size_t>{s.lot, 0});
      if (it == index_of.end() || it->first != s.lot) return LotRefusal::unknown_lot;
      const std::size_t index = it->second;
      if (named_already[index]) return LotRefusal::lot_named_twice;
      named_already[index] = true;
      const double held = lots_[index].quantity;
      if (s.quantity > held * (1 + kQuantityTolerance)) return LotRefusal::more_than_lot_holds;
      takes.push_back({index, takes_whole(s.quantity, held) ? held : s.quantity});
      total += s.quantity;
    }
    if (std::abs(total - sale.quantity) > sale.quantity * kQuantityTolerance) return LotRefusal::specific_mismatch;
  } else if (!takes_by(method, sale.quantity, net_proceeds / sale.quantity, sale.day, rule, rates, takes)) {
    return LotRefusal::not_enough_held;
  }

  // Proceeds pro rata to the units each lot gives; the last line takes what
  // rounding left, so that the lines add up to the sale's net proceeds.
  double taken = 0;
  for (const Take& t : takes) taken += t.quantity;
  double allocated = 0;
  for (std::size_t k = 0; k < takes.size(); ++k) {
    const Take& t = takes[k];
    Lot& lot = lots_[t.index];
    RealisedLine line;
    line.lot = lot.id;
    line.purchase = lot.purchase;
    line.quantity = t.quantity;
    line.acquired = lot.acquired;
    line.holding_from = lot.holding_from;
    line.sold = sale.day;
    line.proceeds = k + 1 == takes.size() ? net_proceeds - allocated : net_proceeds * (t.quantity / taken);
    allocated += line.proceeds;
    line.basis = t.quantity * lot.basis_per_unit();
    line.gain = line.proceeds - line.basis;
    line.term = rule.term(lot.holding_from, sale.day);
    out.push_back(line);
    lot.quantity = t.quantity == lot.quantity ? 0 : lot.quantity - t.quantity;
  }
  std::erase_if(lots_, [](const Lot& l) { return l.quantity == 0; });
  return std::nullopt;
}

std::optional<LotId> Lots::adjust_for_wash_sale(LotId id, double quantity, double adjustment_per_unit,
                                                Day holding_from) {
  if (!core::finite_positive(quantity) || !non_negative(adjustment_per_unit)) return std::nullopt;
  auto it = std::find_if(lots_.begin(), lots_.end(), [id](const Lot& l) { return l.id == id; });
  if (it == lots_.end() || quantity > it->quantity * (1 + kQuantityTolerance)) return std::nullopt;
  if (takes_whole(quantity, it->quantity)) {
    it->wash_adjustment_per_unit += adjustment_per_unit;
    it->holding_from = holding_from;
    return id;
  }
  const std::optional<LotId> new_id = take_id();
  if (!new_id) return std::nullopt;
  Lot piece = *it;
  piece.quantity = quantity;
  piece.id = *new_id;
  piece.wash_adjustment_per_unit += adjustment_per_unit;
  piece.holding_from = holding_from;
  it->quantity -= quantity;
  lots_.insert(it + 1, piece);
  return new_id;
}

std::vector<YearTotals> totals_by_year(std::span<const RealisedLine> lines) {
  std::map<int, YearTotals> years;
  for (const RealisedLine& line : lines) {
    const int year = year_of(line.sold);
    YearTotals& y = years[year];
    y.year = year;
    TermTotals& t = line.term == Term::long_term ? y.long_term : y.short_term;
    t.proceeds += line.proceeds;
    t.basis += line.basis;
    t.wash_disallowed += line.wash_disallowed;
    t.gain += line.reported_gain();
  }
  std::vector<YearTotals> out;
  out.reserve(years.size());
  for (auto& [year, totals] : years) out.push_back(totals);
  return out;
}

}  // namespace ballast::tax
