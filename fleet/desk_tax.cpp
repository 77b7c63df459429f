// The desk's taxes: a final block's fills booked as tax lots, the wash-sale
// rule across each household over the lots it books (and its memory across
// a restart), and a model's avoid_short_term_gains on the trades it sizes.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/json_writer.hpp"
#include "fleet/fleet_desk.hpp"
#include "tax/holding_period.hpp"

namespace ballast::fleet {

void FleetDesk::hold_back_short_term_gains(AccountIndex a, core::TimeNs now, DeskOutput& out) {
  const AccountBook& book = monitor_.book();
  const Model& m = book.model(a);
  const std::span<const double> held = book.quantities(a);
  const tax::Day day = tax::day_of(now);
  const auto text = [](double v) {
    std::string s;
    core::append_json_number(s, v);
    return s;
  };
  bool cut = false;
  for (SizedTrade& t : sized_) {
    if (t.side != core::Side::sell) continue;
    const double sellable =
        lots_.sellable_without_short_term_gain(a, t.symbol, day, t.price, held[slot_of(m, t.symbol)], m.tax_rates);
    const double keep = std::floor(std::min(sellable, t.quantity) / t.lot + 1e-9) * t.lot;
    if (keep >= t.quantity) continue;
    out.refusals.push_back("account " + std::string(book.id(a)) + ": sell " + symbols_.name(t.symbol) + " cut from " +
                           text(t.quantity) + " to " + text(keep) +
                           ": the rest would realise a short-term gain (avoid_short_term_gains)");
    t.quantity = keep;
    cut = true;
  }
  if (!cut) return;
  std::erase_if(sized_, [](const SizedTrade& t) { return !(t.quantity > 0); });
  // The proceeds held back pay for no buy.
  fit_buys_to_cash(book.cash(a), sized_);
}

std::optional<std::string> FleetDesk::check_restored_lots(const DeskOrder& order) {
  const BlockOrder& block = order.block;
  if (order.named_lots.empty()) return std::nullopt;
  if (block.side != core::Side::sell) return "it is a buy and names lots";
  if (order.named_lots.size() != block.allocations.size()) return "its named lots are not one list per allocation";
  for (std::size_t i = 0; i < block.allocations.size(); ++i) {
    const std::vector<core::NamedLot>& lots = order.named_lots[i];
    if (lots.size() > execution::kLotsPerAllocation) return "an allocation names too many lots";
    double units = 0;
    for (const core::NamedLot& lot : lots) {
      if (!(lot.quantity > 0 && std::isfinite(lot.quantity))) return "a named lot's quantity must be finite and > 0";
      units += lot.quantity;
    }
    // The tolerance of the orders wire (execution/io/order_codec.cpp).
    const double quantity = static_cast<double>(block.allocations[i].lots) * block.lot_size;
    if (units > quantity * (1 + 1e-9)) return "an allocation names lots of more units than it sells";
  }
  return std::nullopt;
}

void FleetDesk::book_lots(const OpenBlock& b, core::TimeNs now, DeskOutput& out) {
  const BlockOrder& block = b.order.block;
  const tax::Day day = tax::day_of(now);
  forget_washes(day);
  const AccountBook& book = monitor_.book();
  for (std::size_t i = 0; i < block.allocations.size(); ++i) {
    const AccountIndex a = block.allocations[i].account;
    // Forgotten in finish(), once the last block of the sale is final.
    const bool harvest = block.side == core::Side::sell && harvest_sells_.count(holding_key(a, block.symbol)) > 0;
    // The lots the order names for the account, first to close.
    std::vector<tax::SpecificLot> named;
    if (i < b.order.named_lots.size()) {
      for (const core::NamedLot& lot : b.order.named_lots[i]) named.push_back({lot.id, lot.quantity});
    }
    if (b.allocated[i] == 0) continue;
    const double quantity = static_cast<double>(b.allocated[i]) * block.lot_size;
    // Every allocation's cash was booked at the block's last average price.
    std::optional<tax::LotRefusal> refused;
    matches_.clear();
    if (block.side == core::Side::buy) {
      const tax::Lots::Opened opened = lots_.buy(a, block.symbol, day, quantity, b.avg_price, 0);
      refused = opened.refused;
      if (!refused) {
        wash_.record_buy({wash_household(a), a, block.symbol, opened.lot, day, quantity}, matches_);
      }
    } else {
      // The position holds every fill booked, this block's too: before the
      // sale it held that much more.
      const double held_after = position(a).quantities[slot_of(book.model(a), block.symbol)];
      LotSale sale = lots_.sell(a, block.symbol, day, quantity, b.avg_price, 0, held_after + quantity,
                                book.model(a).tax_rates, harvest ? SaleKind::harvest : SaleKind::by_method, named);
      refused = sale.refused;
      if (sale.named_refused) {
        out.refusals.push_back("account " + std::string(book.id(a)) + ": the sell of " + symbols_.name(block.symbol) +
                               " in " + b.order.order_id + " closed lots by its method, not those it named: " +
                               std::string(tax::to_string(*sale.named_refused)));
      }
      const std::uint64_t first = next_seq_;
      for (const tax::RealisedLine& line : sale.lines) {
        out.realised.push_back({a, block.symbol, line, next_seq_});
        if (line.gain < 0) recent_losses_[next_seq_] = {a, line};
        ++next_seq_;
      }
      if (!sale.lines.empty()) {
        wash_.record_sale({wash_household(a), a, block.symbol, day, sale.lines, first}, matches_);
      }
    }
    apply_washes(out);
    rearm_harvest(a, block.symbol);
    if (refused) {
      out.refusals.push_back("account " + std::string(book.id(a)) + ": the " +
                             std::string(core::to_string(block.side)) + " of " + symbols_.name(block.symbol) +
                             " in " + b.order.order_id + " made no tax lot: " + std::string(tax::to_string(*refused)));
      continue;
    }
    out.lots_changed.push_back(a);
  }
}

void FleetDesk::apply_washes(DeskOutput& out) {
  for (const tax::WashMatch& m : matches_) {
    if (!lots_.apply_wash_to_replacement(m)) {
      // The ledger names lots the desk made: one it cannot find is a broken invariant.
      out.refusals.push_back("account " + std::string(monitor_.book().id(m.replacement_account)) +
                             ": a wash sale names lot " + std::to_string(m.replacement_lot) + " of " +
                             symbols_.name(m.replacement_symbol) + ", which it does not hold; its basis is not adjusted");
      continue;
    }
    out.lots_changed.push_back(m.replacement_account);
    rearm_harvest(m.replacement_account, m.replacement_symbol);
    const auto it = recent_losses_.find(m.loss_line);
    if (it == recent_losses_.end()) continue;
    tax::RealisedLine& line = it->second.line;
    const double before = line.wash_disallowed;
    lots_.apply_wash_to_loss_line(line, m);
    if (line.wash_disallowed > before) out.washes.push_back({m.loss_line, line.wash_disallowed - before});
    if (line.wash_disallowed >= -line.gain) recent_losses_.erase(it);
  }
}

bool FleetDesk::buy_would_wash(tax::HouseholdIndex household, core::SymbolId symbol, tax::Day day,
                               double quantity) const {
  // A decided loss sale is taken as made today, as is the buy: both become
  // final within days, inside each other's window.
  return wash_.would_wash(household, symbol, day, quantity).washes() ||
         (!decided_.empty() && decided_.loss_units(household, wash_.group_of(symbol)) > 0);
}

double FleetDesk::decided_buys(tax::HouseholdIndex household, core::SymbolId symbol) const {
  return decided_.empty() ? 0 : decided_.buy_units(household, wash_.group_of(symbol));
}

double FleetDesk::sale_loss_units(AccountIndex a, core::SymbolId symbol, tax::Day day, double quantity, double price,
                                  double held_before) const {
  // No lots: no basis known, and the sale makes no line (AccountLots::sell).
  if (lots_.lots(a, symbol).empty()) return 0;
  const LotSale sale =
      lots_.preview_sale(a, symbol, day, quantity, price, 0, held_before, monitor_.book().model(a).tax_rates);
  double units = 0;
  for (const tax::RealisedLine& line : sale.lines) {
    if (line.gain < 0) units += line.quantity;
  }
  return units;
}

void FleetDesk::note_decided(AccountIndex a, const SizedTrade& t, tax::Day day, bool harvest, double held_before) {
  // An account of no household is a household of its own, and decides
  // nothing more until its blocks are final: no check could see it.
  if (monitor_.book().household(a) == AccountBook::kNoHousehold) return;
  // A harvest (or switch back) sells only lots at a loss, by construction.
  const double units = t.side == core::Side::buy || harvest
                           ? t.quantity
                           : sale_loss_units(a, t.symbol, day, t.quantity, t.price, held_before);
  decided_.add(wash_household(a), wash_.group_of(t.symbol), a, t.symbol, t.side, units);
}

tax::HouseholdIndex FleetDesk::wash_household(AccountIndex a) const { return monitor_.book().wash_household(a); }

void FleetDesk::forget_washes(tax::Day today) {
  if (today <= washes_forgotten_on_) return;
  washes_forgotten_on_ = today;
  wash_.forget_before(today);
  std::erase_if(recent_losses_,
                [today](const auto& e) { return e.second.line.sold < today - tax::kWashSaleWindowDays; });
}

void FleetDesk::remember_buys(tax::Day today) {
  for (const AccountIndex a : lots_.accounts_with_lots()) {
    const Model& m = monitor_.book().model(a);
    for (const core::SymbolId symbol : m.symbols) {
      for (const tax::Lot& lot : lots_.lots(a, symbol)) {
        // A lot with a wash adjustment is a replacement already.
        if (lot.acquired < today - tax::kWashSaleWindowDays || lot.wash_adjustment_per_unit > 0) continue;
        wash_.remember_buy({wash_household(a), a, symbol, lot.id, lot.acquired, lot.quantity});
      }
    }
  }
}

void FleetDesk::remember_loss(AccountIndex a, core::SymbolId symbol, const tax::RealisedLine& line,
                              std::uint64_t seq) {
  if (a >= monitor_.book().size() || !(line.gain < 0)) return;
  // Lots keep their ids across a restart: the line's purchase is the lot
  // still held of it, when that lot is there with the purchase's day. A line
  // written before ids were kept may name an id the lots have since been
  // renumbered away from: then the purchase is the lot of the same day, if
  // one is left; otherwise none of the lots held.
  tax::LotId purchase = std::numeric_limits<tax::LotId>::max();
  bool by_id = false;
  for (const tax::Lot& lot : lots_.lots(a, symbol)) {
    if (lot.id == line.purchase && lot.acquired == line.acquired) by_id = true;
    if (lot.acquired == line.acquired && lot.wash_adjustment_per_unit == 0) purchase = lot.id;
  }
  if (by_id) purchase = line.purchase;
  wash_.remember_loss(wash_household(a), a, symbol, line, purchase, seq);
  if (line.wash_disallowed < -line.gain) recent_losses_[seq] = {a, line};
}

std::optional<std::string> FleetDesk::set_lots(AccountIndex a, const AccountRecord& record) {
  if (a >= monitor_.book().size()) return "unknown account";
  if (busy(a)) return "the account waits for its block orders or its decision window";
  if (auto why = lots_.restore(a, record, symbols_)) return why;
  // The lots its buys named are gone: they replace nothing from now on.
  wash_.forget_buys_of(a);
  rearm_harvest(a);
  return std::nullopt;
}

}  // namespace ballast::fleet
