#include "tax/wash_sale.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>

namespace ballast::tax {

namespace {

/// The first event dated on or after `day`.
template <typename Events>
auto first_from(Events& events, Day day) {
  using Event = typename std::remove_const_t<Events>::value_type;
  return std::lower_bound(events.begin(), events.end(), day, [](const Event& e, Day d) { return e.day < d; });
}

/// Inserts after every event of the same day, so that a day's events keep the order recorded.
template <typename Event>
void insert_in_order(std::vector<Event>& events, const Event& event) {
  auto at = std::upper_bound(events.begin(), events.end(), event.day,
                             [](Day d, const Event& e) { return d < e.day; });
  events.insert(at, event);
}

bool is_dust(double left, double whole) { return left <= whole * kQuantityTolerance; }

/// The replacement's holding period start (see the header): the sold units'
/// start, moved on by the days between the sale and a later replacement
/// purchase, and never after the replacement's own purchase.
Day tacked_holding_from(Day sold_from, Day sale_day, Day replacement_day) {
  return std::min(replacement_day, sold_from + std::max<Day>(0, replacement_day - sale_day));
}

/// The loss on `quantity` of the units left in `loss`; all of it when they are all matched.
double loss_on(double quantity, double left_quantity, double left_loss) {
  return is_dust(left_quantity - quantity, left_quantity) ? left_loss : left_loss * (quantity / left_quantity);
}

}  // namespace

void IdentityGroups::declare_identical(core::SymbolId a, core::SymbolId b) {
  const core::SymbolId needed = std::max(a, b);
  if (needed >= group_.size()) {
    const std::size_t old_size = group_.size();
    group_.resize(std::size_t{needed} + 1);
    for (std::size_t s = old_size; s < group_.size(); ++s) group_[s] = static_cast<core::SymbolId>(s);
  }
  const core::SymbolId keep = group_[a];
  const core::SymbolId merged = group_[b];
  if (keep == merged) return;
  for (core::SymbolId& g : group_) {
    if (g == merged) g = keep;
  }
}

const WashSaleLedger::Window* WashSaleLedger::find(HouseholdIndex household, core::SymbolId symbol) const {
  auto it = windows_.find(key(household, groups_.group_of(symbol)));
  return it == windows_.end() ? nullptr : &it->second;
}

WashSaleLedger::Window& WashSaleLedger::window(HouseholdIndex household, core::SymbolId symbol) {
  return windows_[key(household, groups_.group_of(symbol))];
}

WashPreview WashSaleLedger::would_wash(HouseholdIndex household, core::SymbolId symbol, Day day, double quantity,
                                       std::vector<WashMatch>* matches) const {
  WashPreview preview;
  const Window* w = find(household, symbol);
  if (w == nullptr || !(quantity > 0)) return preview;
  double left = quantity;
  for (auto it = first_from(w->losses, day - kWashSaleWindowDays); it != w->losses.end(); ++it) {
    if (it->day > day + kWashSaleWindowDays || is_dust(left, quantity)) break;
    if (it->quantity <= 0) continue;  // washed in full already
    const double m = std::min(left, it->quantity);
    const double disallowed = loss_on(m, it->quantity, it->loss);
    preview.quantity += m;
    preview.disallowed += disallowed;
    left -= m;
    if (matches != nullptr) {
      matches->push_back(WashMatch{it->line, it->account, 0, symbol, 0, m, disallowed,
                                   tacked_holding_from(it->holding_from, it->day, day)});
    }
  }
  return preview;
}

double WashSaleLedger::replacement_units(HouseholdIndex household, core::SymbolId symbol, Day day) const {
  const Window* w = find(household, symbol);
  if (w == nullptr) return 0;
  double units = 0;
  for (auto it = first_from(w->buys, day - kWashSaleWindowDays); it != w->buys.end(); ++it) {
    if (it->day > day + kWashSaleWindowDays) break;
    units += it->available;
  }
  return units;
}

void WashSaleLedger::record_buy(const BuyRecord& buy, std::vector<WashMatch>& matches) {
  if (!(buy.quantity > 0) || !std::isfinite(buy.quantity)) return;
  Window& w = window(buy.household, buy.symbol);
  const std::size_t first_match = matches.size();
  const WashPreview washed = would_wash(buy.household, buy.symbol, buy.day, buy.quantity, &matches);
  // would_wash matched the first losses of the window that were not washed in
  // full, in the order kept: the same walk consumes them.
  auto it = first_from(w.losses, buy.day - kWashSaleWindowDays);
  for (std::size_t k = first_match; k < matches.size(); ++k, ++it) {
    WashMatch& m = matches[k];
    while (it->quantity <= 0) ++it;
    it->quantity = is_dust(it->quantity - m.quantity, it->quantity) ? 0 : it->quantity - m.quantity;
    it->loss = it->quantity == 0 ? 0 : it->loss - m.disallowed;
    m.replacement_account = buy.account;
    m.replacement_lot = buy.lot;
  }
  const double available = buy.quantity - washed.quantity;
  if (!is_dust(available, buy.quantity)) {
    insert_in_order(w.buys, BuyEvent{available, buy.account, buy.symbol, buy.lot, buy.day});
  }
}

void WashSaleLedger::record_sale(const SaleRecord& sale, std::vector<WashMatch>& matches) {
  Window& w = window(sale.household, sale.symbol);
  // Units sold stop being replacements: those of a lot still whole from its
  // purchase (a piece split off by a wash sale was a replacement already).
  for (const RealisedLine& line : sale.lines) {
    if (line.lot != line.purchase) continue;
    for (auto it = first_from(w.buys, line.acquired); it != w.buys.end() && it->day == line.acquired; ++it) {
      if (it->account == sale.account && it->symbol == sale.symbol && it->lot == line.purchase) {
        it->available = is_dust(it->available - line.quantity, it->available) ? 0 : it->available - line.quantity;
      }
    }
  }
  for (std::size_t i = 0; i < sale.lines.size(); ++i) {
    const RealisedLine& line = sale.lines[i];
    if (!(line.gain < 0) || !(line.quantity > 0)) continue;  // a gain is never a wash sale
    LossEvent loss{line.quantity, -line.gain,     sale.first_line + i, sale.account, sale.symbol,
                   line.purchase, sale.day, line.holding_from};
    for (auto it = first_from(w.buys, sale.day - kWashSaleWindowDays); it != w.buys.end(); ++it) {
      if (it->day > sale.day + kWashSaleWindowDays || loss.quantity <= 0) break;
      if (it->available <= 0) continue;
      if (it->account == sale.account && it->symbol == sale.symbol && it->lot == line.purchase) continue;
      const double m = std::min(it->available, loss.quantity);
      const double disallowed = loss_on(m, loss.quantity, loss.loss);
      matches.push_back(WashMatch{loss.line, sale.account, it->account, it->symbol, it->lot, m, disallowed,
                                  tacked_holding_from(line.holding_from, sale.day, it->day)});
      it->available = is_dust(it->available - m, it->available) ? 0 : it->available - m;
      loss.quantity = is_dust(loss.quantity - m, loss.quantity) ? 0 : loss.quantity - m;
      loss.loss = loss.quantity == 0 ? 0 : loss.loss - disallowed;
    }
    if (loss.quantity > 0) insert_in_order(w.losses, loss);
  }
}

void WashSaleLedger::remember_buy(const BuyRecord& buy) {
  if (!(buy.quantity > 0) || !std::isfinite(buy.quantity)) return;
  insert_in_order(window(buy.household, buy.symbol).buys,
                  BuyEvent{buy.quantity, buy.account, buy.symbol, buy.lot, buy.day});
}

void WashSaleLedger::remember_loss(HouseholdIndex household, AccountIndex account, core::SymbolId symbol,
                                   const RealisedLine& line, LotId purchase, LineRef ref) {
  const double loss = -line.gain;
  if (!(loss > 0) || !(line.quantity > 0) || !std::isfinite(loss)) return;
  const double left_loss = loss - std::max(0.0, line.wash_disallowed);
  if (is_dust(left_loss, loss)) return;
  // Units match one for one and each takes its share of the loss: the units
  // left are in proportion to the loss left.
  const double left_quantity = line.quantity * (left_loss / loss);
  insert_in_order(window(household, symbol).losses, LossEvent{left_quantity, left_loss, ref, account, symbol,
                                                              purchase, line.sold, line.holding_from});
}

void WashSaleLedger::forget_buys_of(AccountIndex account) {
  for (auto it = windows_.begin(); it != windows_.end();) {
    Window& w = it->second;
    std::erase_if(w.buys, [account](const BuyEvent& e) { return e.account == account; });
    it = w.buys.empty() && w.losses.empty() ? windows_.erase(it) : std::next(it);
  }
}

void WashSaleLedger::forget_before(Day today) {
  const Day cutoff = today - kWashSaleWindowDays;
  for (auto it = windows_.begin(); it != windows_.end();) {
    Window& w = it->second;
    std::erase_if(w.buys, [cutoff](const BuyEvent& e) { return e.day < cutoff || e.available <= 0; });
    std::erase_if(w.losses, [cutoff](const LossEvent& e) { return e.day < cutoff || e.quantity <= 0; });
    it = w.buys.empty() && w.losses.empty() ? windows_.erase(it) : std::next(it);
  }
}

std::size_t WashSaleLedger::size() const {
  std::size_t n = 0;
  for (const auto& [k, w] : windows_) n += w.buys.size() + w.losses.size();
  return n;
}

std::optional<LotId> apply_to_replacement(Lots& replacement_holding, const WashMatch& match) {
  return replacement_holding.adjust_for_wash_sale(match.replacement_lot, match.quantity, match.disallowed_per_unit(),
                                                  match.holding_from);
}

void apply_to_loss_line(RealisedLine& loss_line, const WashMatch& match) {
  // Never more than the loss: rounding of the parts cannot disallow a gain.
  loss_line.wash_disallowed = std::min(loss_line.wash_disallowed + match.disallowed, std::max(0.0, -loss_line.gain));
}

}  // namespace ballast::tax
