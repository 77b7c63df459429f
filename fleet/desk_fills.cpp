// The desk's open blocks: fills booked to their accounts, blocks restored
// after a restart, timed out or resolved by hand, and each account settled
// into the monitor once its last block is final.
#include <algorithm>
#include <cmath>
#include <string>

#include "fleet/fleet_desk.hpp"
#include "tax/holding_period.hpp"

namespace ballast::fleet {

namespace {

bool final_status(core::FillStatus s) { return s != core::FillStatus::partially_filled; }

}  // namespace

bool FleetDesk::book_fill(OpenBlock& b, double cumulative_quantity, double avg_price, DeskFill& result,
                          DeskOutput& out) {
  const BlockOrder& block = b.order.block;
  if (cumulative_quantity > 0 && !(avg_price > 0 && std::isfinite(avg_price))) {
    result.error = "average price must be finite and > 0 when something is filled";
    return false;
  }
  const FillAllocation alloc = allocate_fill(block, cumulative_quantity, b.allocated);
  if (!alloc.ok) {
    result.error = alloc.error;
    return false;
  }
  result.unallocated_quantity = alloc.unallocated_quantity;
  if (cumulative_quantity > 0) b.avg_price = avg_price;
  const AccountBook& book = monitor_.book();
  const double sign = block.side == core::Side::buy ? 1.0 : -1.0;
  for (std::size_t i = 0; i < block.allocations.size(); ++i) {
    const AccountIndex a = block.allocations[i].account;
    const std::uint64_t lots = alloc.lots[i];
    const double cash = -sign * static_cast<double>(lots) * block.lot_size * avg_price;
    if (lots == b.allocated[i] && cash == b.booked_cash[i]) continue;
    Pending& p = pending(a);
    const std::size_t slot = slot_of(book.model(a), block.symbol);
    p.quantity_change[slot] +=
        sign * (static_cast<double>(lots) - static_cast<double>(b.allocated[i])) * block.lot_size;
    p.cash_change += cash - b.booked_cash[i];
    b.allocated[i] = lots;
    b.booked_cash[i] = cash;
    out.changed.push_back(a);
  }
  return true;
}

std::optional<std::string> FleetDesk::restore_block(DeskOrder order, std::span<const double> cumulative_fills,
                                                    double avg_price) {
  const BlockOrder& block = order.block;
  const AccountBook& book = monitor_.book();
  if (open_.count(order.order_id) != 0) return "a block order of this id is open already";
  if (!(block.lot_size > 0 && std::isfinite(block.lot_size))) return "its lot size must be finite and > 0";
  std::uint64_t lots = 0;
  for (const BlockAllocation& a : block.allocations) {
    if (a.account >= book.size()) return "an allocation names an account not in the book";
    // Its fills are booked in the account's slot of the symbol: there must be one.
    if (slot_of(book.model(a.account), block.symbol) == book.model(a.account).size()) {
      return "an allocation names an account whose model does not hold its symbol";
    }
    if (a.lots == 0 || a.lots > kMaxBlockLots - lots) return "its allocations are out of range";
    lots += a.lots;
  }
  if (lots != block.lots || block.allocations.empty()) return "its allocations do not add up to its quantity";
  if (auto why = check_restored_lots(order)) return why;
  if (!cumulative_fills.empty() && cumulative_fills.back() > 0 && !(avg_price > 0 && std::isfinite(avg_price))) {
    return "its average price must be finite and > 0 when something is filled";
  }
  OpenBlock b;
  b.allocated.assign(block.allocations.size(), 0);
  // A child of a sliced block may be one: its siblings are restored too.
  b.counted = true;
  b.sent_at = order.created_at;
  for (const double filled : cumulative_fills) {
    const FillAllocation alloc = allocate_fill(block, filled, b.allocated);
    if (!alloc.ok) return "its fills cannot be allocated again: " + alloc.error;
    b.allocated = alloc.lots;
  }
  const double sign = block.side == core::Side::buy ? 1.0 : -1.0;
  b.booked_cash.resize(block.allocations.size());
  b.avg_price = avg_price;
  // Its trades are decided and not final: the wash-sale checks of the
  // decisions to come see them, as they did before the restart. A sale's
  // loss is estimated at the price it has filled at so far (else the
  // block's), from the units held before it: the book holds its fills already.
  const double price = avg_price > 0 ? avg_price : block.reference_price;
  const tax::Day day = tax::day_of(order.created_at);
  for (std::size_t i = 0; i < block.allocations.size(); ++i) {
    b.booked_cash[i] = -sign * static_cast<double>(b.allocated[i]) * block.lot_size * avg_price;
    const AccountIndex a = block.allocations[i].account;
    Pending& p = pending(a);
    if (p.open_blocks++ == 0 && monitor_.state(a) != AccountState::pending) monitor_.hold(a);
    ++open_legs_[leg_key(a, block.symbol, block.side)];
    const double quantity = static_cast<double>(block.allocations[i].lots) * block.lot_size;
    const std::size_t slot = slot_of(book.model(a), block.symbol);
    const double held_before = book.quantities(a)[slot] + static_cast<double>(b.allocated[i]) * block.lot_size;
    // Harvests are not told apart after a restart: the sale books by the account's method.
    note_decided(a, {block.symbol, block.side, quantity, price, block.lot_size}, day, /*harvest=*/false, held_before);
  }
  if (order.scheduled) schedule_.emplace(order.created_at, order.order_id);
  b.order = std::move(order);
  open_.emplace(b.order.order_id, std::move(b));
  return std::nullopt;
}

DeskFill FleetDesk::on_fill(const core::FillReport& report, core::TimeNs now, DeskOutput& out) {
  DeskFill result;
  const auto it = open_.find(report.order_id);
  if (it == open_.end()) return result;
  if (!book_fill(it->second, report.filled_quantity, report.avg_price, result, out)) {
    result.result = DeskFill::Result::refused;
    ++counters_.fills_refused;
    return result;
  }
  result.result = DeskFill::Result::applied;
  ++counters_.fills_applied;
  if (it->second.order.scheduled) {
    // A report for a child not sent yet: the gateway has it (a resolve, or
    // an earlier run's order), so it is not sent again.
    unschedule(it->second);
    it->second.sent_at = now;
  }
  if (final_status(report.status)) {
    result.final = true;
    OpenBlock done = std::move(it->second);
    open_.erase(it);
    finish(done, now, out);
  }
  return result;
}

std::vector<std::string> FleetDesk::time_out(core::TimeNs now, core::DurationNs timeout) {
  std::vector<std::string> ids;
  for (auto& [id, b] : open_) {
    if (b.unknown || b.order.scheduled || now - b.sent_at < timeout) continue;
    // Its trades stay decided to the wash-sale checks: they may have been made.
    b.unknown = true;
    ids.push_back(id);
  }
  return ids;
}

std::optional<core::FillReport> FleetDesk::resolution(std::string_view order_id, std::optional<double> filled,
                                                      double avg_price, std::string& error) const {
  const auto it = open_.find(order_id);
  if (it == open_.end()) {
    error = "no open block order " + std::string(order_id);
    return std::nullopt;
  }
  const OpenBlock& b = it->second;
  core::FillReport report;
  report.order_id = std::string(order_id);
  report.status = core::FillStatus::cancelled;
  if (filled) {
    if (!(*filled >= 0 && *filled <= b.order.block.quantity())) {
      error = "filled must lie between 0 and the block's quantity";
      return std::nullopt;
    }
    report.filled_quantity = *filled;
    report.avg_price = avg_price;
    if (whole_lots(*filled, b.order.block.lot_size) == b.order.block.lots) report.status = core::FillStatus::filled;
  } else {
    std::uint64_t lots = 0;
    for (const std::uint64_t n : b.allocated) lots += n;
    report.filled_quantity = static_cast<double>(lots) * b.order.block.lot_size;
    report.avg_price = b.avg_price;
  }
  return report;
}

const DeskOrder* FleetDesk::open_block(std::string_view order_id) const {
  const auto it = open_.find(order_id);
  return it == open_.end() ? nullptr : &it->second.order;
}

std::vector<std::string> FleetDesk::unknown_blocks() const {
  std::vector<std::string> ids;
  for (const auto& [id, b] : open_) {
    if (b.unknown) ids.push_back(id);
  }
  return ids;
}

void FleetDesk::unschedule(OpenBlock& b) {
  b.order.scheduled = false;
  const auto [first, last] = schedule_.equal_range(b.order.created_at);
  for (auto it = first; it != last; ++it) {
    if (it->second == b.order.order_id) {
      schedule_.erase(it);
      return;
    }
  }
}

void FleetDesk::finish(const OpenBlock& b, core::TimeNs now, DeskOutput& out) {
  book_lots(b, now, out);
  const BlockOrder& block = b.order.block;
  for (const BlockAllocation& alloc : block.allocations) {
    bool leg_done = true;
    if (b.counted) {
      const auto leg = open_legs_.find(leg_key(alloc.account, block.symbol, block.side));
      if (leg != open_legs_.end() && --leg->second > 0) {
        leg_done = false;
      } else if (leg != open_legs_.end()) {
        open_legs_.erase(leg);
      }
    }
    if (leg_done) {
      // What it did is in the ledger now (or, not filled, it did nothing).
      decided_.drop(alloc.account, block.symbol, block.side);
      if (block.side == core::Side::sell) harvest_sells_.erase(holding_key(alloc.account, block.symbol));
    }
    const auto it = pending_.find(alloc.account);
    if (it == pending_.end()) continue;
    Pending& p = it->second;
    if (p.open_blocks > 0) --p.open_blocks;
    if (p.open_blocks == 0 && !p.in_window) settle(alloc.account, out);
  }
}

void FleetDesk::settle(AccountIndex a, DeskOutput& out, std::optional<tax::Day> rest) {
  const auto it = pending_.find(a);
  if (it == pending_.end()) return;
  const Position booked = position(a);
  // Settled at today's prices the account gets a zone; if it is outside a
  // band again, the next tick of one of its symbols decides it — unless it
  // rests: then not before a price has moved kHoldRecheck, or the next day.
  if (auto why = rest ? monitor_.settle_held(a, booked.quantities, booked.cash, kHoldRecheck)
                      : monitor_.settle(a, booked.quantities, booked.cash)) {
    // Held, not guessed at: the account stays pending with its fills booked
    // (what the state file keeps), and is reported.
    out.refusals.push_back("account " + std::string(monitor_.book().id(a)) +
                           " cannot be settled and trades no more until it is corrected: " + *why);
    stuck_.push_back(a);
    return;
  }
  if (rest) resting_[a] = *rest;
  pending_.erase(it);
  // Busy on its model's calendar date: rebalanced to target at the next timer.
  if (!calendar_waiting_.empty() && calendar_waiting_.erase(a) > 0) calendar_ready_.push_back(a);
  decided_.drop_all(a);  // its blocks are final: none is left; this keeps it so
  out.changed.push_back(a);
  if (const auto parked = parked_.find(a); parked != parked_.end()) {
    for (const core::SymbolId s : parked->second) rearm_harvest(a, s);
    parked_.erase(parked);
  }
}

}  // namespace ballast::fleet
