// Tax-loss harvesting in the desk, and the buys it must not wash.
//
// Harvest. A holding of a model with [models.tax.harvest] and substitutes is
// worth harvesting below a trigger price (tax/harvest.hpp): its lots at a
// loss, net of the round trip's costs, are sold and the proceeds bought in
// the first member of its substitute group (the primary first) whose buy
// washes no loss of the household. A substitute switches back into its
// primary once buying the primary washes nothing and the substitute's lots
// sell at a loss net of costs (so switching back realises no gain). A tick
// that passes no trigger touches no lot: the triggers live in HarvestIndex.
//
// Wash sales avoided. A band rebalance's buy that would wash a loss sold in
// the household in the last 30 days, a loss sale decided in the household
// and not yet final, or a loss sale of the same decision (a sell of an
// identical symbol), goes to a substitute whose buy would not, or is held
// back. Before that, a band rebalance's sell whose loss a household buy of
// the last 30 days, booked or decided, would wash is cut to the lots its
// method sells before the first at a loss. The reasons go to the log. A
// harvest waits (parked) while a buy of the household within 30 days,
// booked or decided, would wash its loss.
#include <algorithm>
#include <cmath>
#include <string>

#include "core/json_writer.hpp"
#include "fleet/fleet_desk.hpp"
#include "tax/harvest.hpp"
#include "tax/holding_period.hpp"

namespace ballast::fleet {

namespace {

/// The slots of `slot`'s substitute group: its primary first, then the
/// substitutes in slot order. Just `slot` when it has none.
std::vector<std::size_t> group_members(const Model& m, std::size_t slot) {
  const std::size_t primary = primary_of(m, slot);
  std::vector<std::size_t> members{primary};
  for (std::size_t i = 0; i < m.group_of.size(); ++i) {
    if (i != primary && m.group_of[i] == primary) members.push_back(i);
  }
  return members;
}

/// A switch back pays when it realises no gain: every lot it sells is at a loss net of costs.
tax::HarvestRule switch_back_rule(const tax::HarvestRule& rule) {
  return {.min_loss = 0, .min_loss_fraction = 0, .cost_fraction = rule.cost_fraction};
}

std::string text(double v) {
  std::string s;
  core::append_json_number(s, v);
  return s;
}

}  // namespace

double FleetDesk::harvest_trigger(AccountIndex a, core::SymbolId symbol) const {
  const AccountBook& book = monitor_.book();
  if (a >= book.size() || closed(a)) return 0;
  const Model& m = book.model(a);
  if (!m.harvest || m.group_of.empty()) return 0;
  const std::size_t slot = slot_of(m, symbol);
  if (slot == m.size() || group_members(m, slot).size() < 2) return 0;
  const std::span<const tax::Lot> lots = lots_.lots(a, symbol);
  if (lots.empty()) return 0;
  // A substitute's trigger is its switch back's, which comes at a price no
  // lower than its own harvest's (that rule asks for less).
  const bool substitute = primary_of(m, slot) != slot;
  return tax::harvest_price(lots, substitute ? switch_back_rule(*m.harvest) : *m.harvest);
}

void FleetDesk::rearm_harvest(AccountIndex a, core::SymbolId symbol) {
  const double trigger = harvest_trigger(a, symbol);
  if (trigger > 0) {
    harvest_.set(a, symbol, trigger);
  } else {
    harvest_.remove(a, symbol);
  }
}

void FleetDesk::rearm_harvest(AccountIndex a) {
  const Model& m = monitor_.book().model(a);
  if (!m.harvest) return;
  for (const core::SymbolId s : m.symbols) rearm_harvest(a, s);
}

void FleetDesk::disarm_harvest(AccountIndex a) {
  for (const core::SymbolId s : monitor_.book().model(a).symbols) harvest_.remove(a, s);
  parked_.erase(a);
}

void FleetDesk::unpark_harvest(core::TimeNs now) {
  if (parked_.empty()) return;
  const tax::Day today = tax::day_of(now);
  if (today <= parked_on_) return;
  parked_on_ = today;
  for (const auto& [a, symbols] : parked_) {
    for (const core::SymbolId s : symbols) rearm_harvest(a, s);
  }
  parked_.clear();
}

void FleetDesk::harvest_due(core::SymbolId symbol) {
  if (harvest_.size() == 0) return;
  harvest_due_.clear();
  harvest_.due(symbol, monitor_.prices()[symbol], harvest_due_);
  for (const AccountIndex a : harvest_due_) harvest_queue_.emplace_back(a, symbol);
}

void FleetDesk::take_harvests(core::TimeNs now, DeskOutput& out) {
  if (harvest_queue_.empty()) return;
  std::vector<std::pair<AccountIndex, core::SymbolId>> queue;
  queue.swap(harvest_queue_);
  for (const auto& [a, symbol] : queue) {
    switch (harvest_holding(a, symbol, now, out)) {
      case HarvestStep::traded:
        break;
      case HarvestStep::rearm:
        rearm_harvest(a, symbol);
        break;
      case HarvestStep::park:
        if (parked_.empty()) parked_on_ = tax::day_of(now);
        parked_[a].push_back(symbol);
        break;
    }
  }
}

FleetDesk::HarvestStep FleetDesk::harvest_holding(AccountIndex a, core::SymbolId symbol, core::TimeNs now,
                                                  DeskOutput& out) {
  if (closed(a)) return HarvestStep::traded;  // nothing more, ever: its trigger stays out
  if (busy(a) || monitor_.state(a) == AccountState::pending) return HarvestStep::park;
  const AccountBook& book = monitor_.book();
  const Model& m = book.model(a);
  const std::size_t slot = slot_of(m, symbol);
  if (!m.harvest || slot == m.size()) return HarvestStep::rearm;
  const std::vector<std::size_t> members = group_members(m, slot);
  const std::span<const tax::Lot> lots = lots_.lots(a, symbol);
  const double price = monitor_.prices()[symbol];
  const tax::Day day = tax::day_of(now);

  // The sale's loss would be washed by units bought in the household within
  // 30 days (other than the lots it sells), or decided and not yet final:
  // not worth it now.
  const auto washed_by_recent_buys = [&](const tax::HarvestPlan& plan) {
    double own = 0;
    for (const tax::LotId id : plan.lots) {
      for (const tax::Lot& lot : lots) {
        if (lot.id == id && lot.acquired >= day - tax::kWashSaleWindowDays) own += lot.quantity;
      }
    }
    const double others = wash_.replacement_units(wash_household(a), symbol, day) - own +
                          decided_buys(wash_household(a), symbol);
    return others > tax::kQuantityTolerance * std::max(1.0, plan.quantity);
  };

  bool blocked = false;
  const std::size_t primary = members.front();
  if (slot != primary) {
    const tax::HarvestPlan back = tax::harvestable(lots, price, switch_back_rule(*m.harvest));
    if (back.quantity > 0) {
      if (washed_by_recent_buys(back)) {
        blocked = true;
      } else {
        const std::size_t into[] = {primary};
        if (trade_harvest(a, symbol, back.quantity, into, /*switch_back=*/true, now, out)) return HarvestStep::traded;
        blocked = true;
      }
    }
  }
  const tax::HarvestPlan plan = tax::harvestable(lots, price, *m.harvest);
  if (plan.quantity > 0) {
    if (washed_by_recent_buys(plan)) return HarvestStep::park;
    std::vector<std::size_t> into;
    for (const std::size_t s : members) {
      if (s != slot) into.push_back(s);
    }
    if (trade_harvest(a, symbol, plan.quantity, into, /*switch_back=*/false, now, out)) return HarvestStep::traded;
    return HarvestStep::park;
  }
  return blocked ? HarvestStep::park : HarvestStep::rearm;
}

bool FleetDesk::trade_harvest(AccountIndex a, core::SymbolId symbol, double plan_quantity,
                              std::span<const std::size_t> into, bool switch_back, core::TimeNs now,
                              DeskOutput& out) {
  const AccountBook& book = monitor_.book();
  const Model& m = book.model(a);
  const std::size_t slot = slot_of(m, symbol);
  const std::span<const double> prices = monitor_.prices();
  const double price = prices[symbol];
  const double lot = m.lot_sizes[slot];
  const double sell = std::min(std::floor(plan_quantity / lot + 1e-9) * lot, book.quantities(a)[slot]);
  if (!(sell > 0) || sell * price < m.min_trade_value) return false;
  const tax::Day day = tax::day_of(now);
  const tax::HouseholdIndex household = wash_household(a);
  const double proceeds = sell * price * (1 - m.harvest->cost_fraction);

  for (const std::size_t to : into) {
    const core::SymbolId bought = m.symbols[to];
    const double buy_price = prices[bought];
    if (!usable_price(buy_price)) continue;
    const double buy = std::floor(proceeds / buy_price / m.lot_sizes[to] + 1e-9) * m.lot_sizes[to];
    if (!(buy > 0) || buy * buy_price < m.min_trade_value) continue;
    // Its own sale is at a loss on every unit: a buy identical to it would wash it.
    if (wash_.group_of(bought) == wash_.group_of(symbol) || buy_would_wash(household, bought, day, buy)) continue;

    sized_.clear();
    sized_.push_back({symbol, core::Side::sell, sell, price, lot});
    sized_.push_back({bought, core::Side::buy, buy, buy_price, m.lot_sizes[to]});
    const auto denied = apply_allocation_limits(options_.limits, value_of(a), book.cash(a), sized_);
    if (!denied.empty() || sized_.size() != 2) {
      // Half a harvest would leave the group's exposure behind: none.
      for (const AllocationDenial& d : denied) ++counters_.denied[static_cast<std::size_t>(d.reason)];
      out.tax_decisions.push_back("account " + std::string(book.id(a)) + ": no harvest of " + symbols_.name(symbol) +
                                  ": the allocation limits deny its trades");
      return false;
    }

    if (auto why = monitor_.hold(a)) return false;  // pending already: cannot happen after the checks above
    enter_window(a);
    last_rebalance_[a] = now;
    ++(switch_back ? counters_.switches_back : counters_.harvests);
    harvest_sells_.insert(holding_key(a, symbol));
    out.tax_decisions.push_back("account " + std::string(book.id(a)) + ": " +
                                (switch_back ? "switch back from " : "harvest ") + symbols_.name(symbol) + " " +
                                text(sell) + " at " + text(price) + ", into " + symbols_.name(bought) + " " +
                                text(buy) + " at " + text(buy_price));
    collect_sized(a, now, /*harvest=*/true, out);
    window_band_ = true;  // not a calendar date's: the orders' reason stays "threshold"
    open_window(now, out);
    return true;
  }
  return false;
}

void FleetDesk::hold_back_washed_losses(AccountIndex a, core::TimeNs now, DeskOutput& out) {
  const AccountBook& book = monitor_.book();
  const Model& m = book.model(a);
  const std::span<const double> held = book.quantities(a);
  const tax::Day day = tax::day_of(now);
  const tax::HouseholdIndex household = wash_household(a);
  bool cut = false;
  for (SizedTrade& t : sized_) {
    if (t.side != core::Side::sell || !(t.lot > 0) || lots_.lots(a, t.symbol).empty()) continue;
    const double held_before = held[slot_of(m, t.symbol)];
    const LotSale sale = lots_.preview_sale(a, t.symbol, day, t.quantity, t.price, 0, held_before, m.tax_rates);
    double loss_units = 0;
    double loss = 0;
    // The lots of the window it closes are purchases of its own: none of
    // their units, sold or kept, replaces anything of it (as in a harvest).
    double own_recent = 0;
    const std::span<const tax::Lot> lots = lots_.lots(a, t.symbol);
    for (const tax::Lot& l : lots) {
      if (l.acquired < day - tax::kWashSaleWindowDays) continue;
      const bool closed = std::any_of(sale.lines.begin(), sale.lines.end(),
                                      [&](const tax::RealisedLine& line) { return line.lot == l.id; });
      if (closed) own_recent += l.quantity;
    }
    for (const tax::RealisedLine& line : sale.lines) {
      if (line.gain < 0) {
        loss_units += line.quantity;
        loss -= line.gain;
      }
    }
    if (!(loss_units > 0)) continue;
    // A decided loss sale is taken as made today: a buy of the window before
    // it, or decided and final within days, is inside its window.
    const double replacements = wash_.replacement_units(household, t.symbol, day) - own_recent +
                                decided_buys(household, t.symbol);
    if (!(replacements > tax::kQuantityTolerance * std::max(1.0, t.quantity))) continue;
    // The most whole lots whose sale by the account's method realises no
    // loss: its lots in the method's order up to the first at a loss (and
    // units held beyond the lots, which have no basis). Halving finds it when
    // the loss units grow with the quantity (a method whose order does not
    // depend on it); else a smaller one. Either way `keep` is a quantity
    // found to realise no loss, or 0.
    std::uint64_t keep_lots = 0;
    auto over = static_cast<std::uint64_t>(std::floor(t.quantity / t.lot + 1e-9));
    while (over - keep_lots > 1) {
      const std::uint64_t mid = keep_lots + (over - keep_lots) / 2;
      if (sale_loss_units(a, t.symbol, day, static_cast<double>(mid) * t.lot, t.price, held_before) > 0) {
        over = mid;
      } else {
        keep_lots = mid;
      }
    }
    const double keep = static_cast<double>(keep_lots) * t.lot;
    out.tax_decisions.push_back("account " + std::string(book.id(a)) + ": sell " + symbols_.name(t.symbol) +
                                " cut from " + text(t.quantity) + " to " + text(keep) +
                                ": the rest would realise a loss of " + text(loss) + " on " + text(loss_units) +
                                " units that a buy in the household within 30 days would wash; held back");
    t.quantity = keep;
    ++counters_.sells_held_back;
    cut = true;
  }
  if (!cut) return;
  std::erase_if(sized_, [](const SizedTrade& t) { return !(t.quantity > 0); });
  // The proceeds held back pay for no buy.
  fit_buys_to_cash(book.cash(a), sized_);
}

void FleetDesk::redirect_washing_buys(AccountIndex a, core::TimeNs now, DeskOutput& out) {
  const AccountBook& book = monitor_.book();
  const Model& m = book.model(a);
  const tax::Day day = tax::day_of(now);
  const tax::HouseholdIndex household = wash_household(a);
  const std::span<const double> prices = monitor_.prices();
  const std::span<const double> held = book.quantities(a);
  // A sell of this very decision that realises a loss in `symbol`'s group
  // (kNoSymbol: none): a buy in the group, final within days of it, washes it.
  const auto own_loss_sale = [&](core::SymbolId symbol) {
    const core::SymbolId group = wash_.group_of(symbol);
    for (const SizedTrade& s : sized_) {
      if (s.side == core::Side::sell && wash_.group_of(s.symbol) == group &&
          sale_loss_units(a, s.symbol, day, s.quantity, s.price, held[slot_of(m, s.symbol)]) > 0) {
        return s.symbol;
      }
    }
    return core::kNoSymbol;
  };
  bool held_back = false;
  for (SizedTrade& t : sized_) {
    if (t.side != core::Side::buy) continue;
    const core::SymbolId own = own_loss_sale(t.symbol);
    if (own == core::kNoSymbol && !buy_would_wash(household, t.symbol, day, t.quantity)) continue;
    const std::string why = "account " + std::string(book.id(a)) + ": buy " + symbols_.name(t.symbol) + " " +
                            text(t.quantity) + " would wash " +
                            (own == core::kNoSymbol ? std::string("a loss sold in the household within 30 days; ")
                                                    : "the loss of its sell of " + symbols_.name(own) +
                                                          " in the same rebalance; ");
    bool redirected = false;
    for (const std::size_t to : group_members(m, slot_of(m, t.symbol))) {
      const core::SymbolId s = m.symbols[to];
      if (s == t.symbol || !usable_price(prices[s])) continue;
      // One trade per symbol and account in a decision.
      if (std::any_of(sized_.begin(), sized_.end(), [s](const SizedTrade& o) { return o.symbol == s; })) continue;
      const double lot = m.lot_sizes[to];
      const double quantity = std::floor(t.quantity * t.price / prices[s] / lot + 1e-9) * lot;
      if (!(quantity > 0) || quantity * prices[s] < m.min_trade_value) continue;
      if (own_loss_sale(s) != core::kNoSymbol || buy_would_wash(household, s, day, quantity)) continue;
      out.tax_decisions.push_back(why + "bought " + symbols_.name(s) + " " + text(quantity) + " instead");
      t = {s, core::Side::buy, quantity, prices[s], lot};
      ++counters_.buys_redirected;
      redirected = true;
      break;
    }
    if (redirected) continue;
    out.tax_decisions.push_back(why + "held back (no substitute would not)");
    t.quantity = 0;
    ++counters_.buys_held_back;
    held_back = true;
  }
  if (held_back) std::erase_if(sized_, [](const SizedTrade& t) { return !(t.quantity > 0); });
}

}  // namespace ballast::fleet
