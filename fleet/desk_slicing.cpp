// The desk's slicing: a window's blocks of models with `slicing` as child
// orders one interval apart (fleet/block_slicing.hpp shares the lots), the
// children written at once and released when due, and respaced when the
// desk could not send them in time.
#include <string>
#include <vector>

#include "fleet/block_slicing.hpp"
#include "fleet/fleet_desk.hpp"

namespace ballast::fleet {

bool FleetDesk::slice_group(std::span<const BlockOrder> group, const core::Slicing& slicing, core::TimeNs now) {
  std::uint64_t lots = 0;
  std::uint64_t accounts = 0;
  double lots_at_price = 0;  // Σ lots × reference price
  for (const BlockOrder& b : group) {
    lots += b.lots;
    accounts += b.allocations.size();
    lots_at_price += static_cast<double>(b.lots) * b.reference_price;
  }
  const double lot_size = group.front().lot_size;
  if (!(lots_at_price * lot_size > slicing.max_child_value)) return false;
  const std::uint64_t step =
      step_lots(lots, accounts, lot_size, lots_at_price / static_cast<double>(lots), slicing.max_child_value);
  // A sell's named lots, per block: each child names its part of them.
  std::vector<std::vector<std::vector<core::NamedLot>>> named(group.size());
  if (group.front().side == core::Side::sell) {
    for (std::size_t b = 0; b < group.size(); ++b) named[b] = wire_lots(group[b]);
  }
  const std::vector<std::vector<SlicedChild>> steps = slice_blocks(group, step);
  if (by_step_.size() < steps.size()) by_step_.resize(steps.size());
  for (std::size_t k = 0; k < steps.size(); ++k) {
    for (const SlicedChild& child : steps[k]) {
      DeskOrder& o = by_step_[k].emplace_back();
      o.created_at = now + static_cast<core::TimeNs>(k) * slicing.interval;
      o.scheduled = k > 0;
      o.block = child.order;
      if (named[child.block].empty()) continue;
      const double lot = child.order.lot_size;
      for (std::size_t i = 0; i < child.parent.size(); ++i) {
        o.named_lots.push_back(named_part(named[child.block][child.parent[i]],
                                          static_cast<double>(child.asked_before[i]) * lot,
                                          static_cast<double>(o.block.allocations[i].lots) * lot));
      }
      // A child none of whose accounts names a lot names none.
      if (std::all_of(o.named_lots.begin(), o.named_lots.end(), [](const auto& l) { return l.empty(); })) {
        o.named_lots.clear();
      }
    }
  }
  counters_.blocks_sliced += group.size();
  return true;
}

void FleetDesk::release_due(core::TimeNs now, DeskOutput& out) {
  const std::size_t released_before = out.released.size();
  while (!schedule_.empty() && schedule_.begin()->first <= now) {
    const core::TimeNs due = schedule_.begin()->first;
    const std::string id = std::move(schedule_.begin()->second);
    schedule_.erase(schedule_.begin());
    const auto it = open_.find(id);
    if (it == open_.end() || !it->second.order.scheduled) continue;
    // A child leaves at the price of its time, not at its window's (a price
    // the monitor does not have yet leaves the window's).
    const double price = monitor_.prices()[it->second.order.block.symbol];
    if (usable_price(price)) it->second.order.block.reference_price = price;
    mark_sent(it->second, now);
    out.released.push_back(it->second.order);
    if (due < now) respace_after(it->second.order, due, now);
  }
  if (!options_.book_on_send) return;
  for (std::size_t i = released_before; i < out.released.size(); ++i) book_sent(out.released[i].order_id, now, out);
}

void FleetDesk::respace_after(const DeskOrder& released, core::TimeNs due, core::TimeNs now) {
  const auto same_group = [&](const std::string& id) {
    const auto it = open_.find(id);
    if (it == open_.end()) return false;
    const DeskOrder& o = it->second.order;
    return o.rebalance_id == released.rebalance_id && o.block.symbol == released.block.symbol &&
           o.block.side == released.block.side;
  };
  // Only a later step of the group due by now would leave with it: the
  // children of one step share their time and leave together anyway.
  bool collides = false;
  for (auto e = schedule_.begin(); e != schedule_.end() && e->first <= now && !collides; ++e) {
    collides = e->first != due && same_group(e->second);
  }
  if (!collides) return;
  // Every later step of the group moves by the delay: the next leaves one
  // interval from now, and the rest keep their spacing.
  const core::TimeNs late = now - due;
  std::vector<std::string> moved;
  for (auto e = schedule_.begin(); e != schedule_.end();) {
    if (e->first > due && same_group(e->second)) {
      moved.push_back(std::move(e->second));
      e = schedule_.erase(e);
    } else {
      ++e;
    }
  }
  for (std::string& id : moved) {
    DeskOrder& o = open_.find(id)->second.order;
    o.created_at += late;
    schedule_.emplace(o.created_at, std::move(id));
  }
}

std::uint16_t FleetDesk::slicing_class(const Model& m) {
  if (!m.slicing) return 0;
  for (std::size_t i = 0; i < slicings_.size(); ++i) {
    if (slicings_[i].max_child_value == m.slicing->max_child_value && slicings_[i].interval == m.slicing->interval) {
      return static_cast<std::uint16_t>(i + 1);
    }
  }
  // The slicings come from the configuration's models: far fewer than a class numbers.
  if (slicings_.size() == 0xffff) return 0xffff;
  slicings_.push_back(*m.slicing);
  return static_cast<std::uint16_t>(slicings_.size());
}

}  // namespace ballast::fleet
