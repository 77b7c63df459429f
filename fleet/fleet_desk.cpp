#include "fleet/fleet_desk.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "engine/ids.hpp"
#include "fleet/rebalance_weighing.hpp"
#include "strategies/dynamic_benefit.hpp"
#include "tax/holding_period.hpp"

namespace ballast::fleet {

FleetDesk::FleetDesk(FleetMonitor monitor, const core::SymbolTable& symbols, DeskOptions options,
                     std::function<std::uint64_t()> next_order_seq, AccountLots lots)
    : monitor_(std::move(monitor)),
      symbols_(symbols),
      options_(options),
      next_order_seq_(std::move(next_order_seq)),
      collector_(options.max_allocations_per_block),
      ids_(monitor_.book()),
      lots_(std::move(lots)) {
  const AccountBook& book = monitor_.book();
  last_rebalance_.assign(book.size(), 0);
  for (const Model& m : book.models()) declare_identical(m);
  for (const AccountIndex a : lots_.accounts_with_lots()) rearm_harvest(a);
}

void FleetDesk::declare_identical(const Model& m) {
  for (const std::vector<core::SymbolId>& group : m.identical) {
    for (std::size_t i = 1; i < group.size(); ++i) wash_.declare_identical(group[0], group[i]);
  }
}

std::optional<std::string> FleetDesk::add_model(Model m) {
  declare_identical(m);
  return monitor_.add_model(std::move(m));
}

FleetDesk::Pending& FleetDesk::pending(AccountIndex a) {
  auto [it, added] = pending_.try_emplace(a);
  if (added) it->second.quantity_change.assign(monitor_.book().quantities(a).size(), 0.0);
  return it->second;
}

void FleetDesk::resync(core::TimeNs now, DeskOutput& out) {
  scratch_.clear();
  monitor_.resync(scratch_);
  take_rebalances(now, out, true);
  unpark_harvest(now);
  for (core::SymbolId s = 0; s < monitor_.prices().size(); ++s) harvest_due(s);
  take_harvests(now, out);
}

void FleetDesk::resync(std::span<const double> prices, core::TimeNs now, DeskOutput& out) {
  scratch_.clear();
  monitor_.resync(prices, scratch_);
  take_rebalances(now, out, true);
  unpark_harvest(now);
  for (core::SymbolId s = 0; s < monitor_.prices().size(); ++s) harvest_due(s);
  take_harvests(now, out);
}

void FleetDesk::on_tick(core::SymbolId symbol, double price, core::TimeNs now, DeskOutput& out) {
  if (!held_.empty() || !resting_.empty()) wake_held(tax::day_of(now));
  scratch_.clear();
  if (!monitor_.on_tick(symbol, price, scratch_)) return;
  take_rebalances(now, out);
  unpark_harvest(now);
  harvest_due(symbol);
}

void FleetDesk::on_timer(core::TimeNs now, DeskOutput& out) {
  take_harvests(now, out);
  run_calendars(now, out);
  if (window_closes_at_ != 0 && now >= window_closes_at_) close_window(now, out);
  release_due(now, out);
}

void FleetDesk::run_calendars(core::TimeNs now, DeskOutput& out) {
  const AccountBook& book = monitor_.book();
  const std::size_t models = book.models().size();
  if (next_date_.size() < models) {
    next_date_.resize(models, 0);
    date_due_.resize(models, 0);
    in_run_.resize(models, 0);
  }
  for (std::size_t m = 0; m < models; ++m) {
    const std::vector<strategies::CalendarTrigger>& calendars = book.models()[m].calendars;
    if (calendars.empty()) continue;
    if (next_date_[m] != 0 && now < next_date_[m]) continue;
    // The first look only schedules; a date that came marks the model due.
    if (next_date_[m] != 0) date_due_[m] = 1;
    core::TimeNs next = 0;
    for (const strategies::CalendarTrigger& c : calendars) {
      const core::TimeNs t = core::next_due(c.anchor.value_or(0), c.every, now);
      if (next == 0 || t < next) next = t;
    }
    next_date_[m] = next;
  }
  if (!batch_next_ && std::find(date_due_.begin(), date_due_.end(), 1) != date_due_.end()) {
    in_run_.swap(date_due_);
    std::fill(date_due_.begin(), date_due_.end(), 0);
    batch_next_ = 0;
  }
  if (calendar_ready_.empty() && !batch_next_) return;
  scratch_.clear();
  for (const AccountIndex a : calendar_ready_) {
    if (!busy(a)) monitor_.rebalance_to_target(a, scratch_);
  }
  calendar_ready_.clear();
  if (batch_next_) {
    const std::size_t size = book.size();
    const std::size_t slice = options_.calendar_slice == 0 ? size : options_.calendar_slice;
    std::size_t end = std::min(size, std::size_t{*batch_next_} + slice);
    const std::size_t most_trades = options_.calendar_trades == 0 ? size : options_.calendar_trades;
    for (auto a = *batch_next_; a < end; ++a) {
      if (!in_run_[book.model_index(a)] || closed(a)) continue;
      if (busy(a)) {
        calendar_waiting_.insert(a);
      } else if (monitor_.rebalance_to_target(a, scratch_) && scratch_.rebalances.size() >= most_trades) {
        end = std::size_t{a} + 1;
      }
    }
    if (end < size) {
      batch_next_ = static_cast<AccountIndex>(end);
    } else {
      batch_next_.reset();
      std::fill(in_run_.begin(), in_run_.end(), 0);
    }
  }
  take_rebalances(now, out, /*resync=*/false, /*calendar=*/true);
}

void FleetDesk::take_rebalances(core::TimeNs now, DeskOutput& out, bool resync, bool calendar) {
  if (scratch_.rebalances.empty()) return;
  bool taken = false;
  for (const FleetRebalance& r : scratch_.rebalances) {
    const bool dynamic = monitor_.book().model(r.account).dynamic.has_value();
    if (dynamic) {
      if (!resync && still_held(r.account, now)) {
        release_unchanged(r.account, out, /*held=*/true);
        continue;
      }
      held_.erase(r.account);
    }
    // What sizing says (limits' denials, tax cuts, redirected buys) stands
    // only if the rebalance goes ahead: a held one leaves no trace of it.
    const std::size_t refusals_before = out.refusals.size();
    const std::size_t decisions_before = out.tax_decisions.size();
    const DeskCounters counters_before = counters_;
    limit_trades(r, now, out);
    if (dynamic && !sized_.empty()) {
      const RebalanceWeighing w = weigh_rebalance(monitor_.book(), r.account, monitor_.prices(), sized_, lots_,
                                                  tax::day_of(now), symbols_);
      if (!w.goes_ahead()) {
        counters_ = counters_before;
        out.refusals.resize(refusals_before);
        out.tax_decisions.resize(decisions_before);
        hold(r.account, w, now, out);
        continue;
      }
    }
    enter_window(r.account);
    last_rebalance_[r.account] = now;
    ++out.rebalances;
    ++counters_.rebalances;
    collect_sized(r.account, now, /*harvest=*/false, out);
    taken = true;
    (calendar ? window_calendar_ : window_band_) = true;
    if (calendar) ++counters_.calendar_rebalances;
  }
  if (taken) open_window(now, out);
}

void FleetDesk::hold(AccountIndex a, const RebalanceWeighing& w, core::TimeNs now, DeskOutput& out) {
  held_[a] = {w.benefit, tax::day_of(now)};
  ++counters_.rebalances_held;
  const auto text = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return std::string(buf);
  };
  out.tax_decisions.push_back("account " + std::string(monitor_.book().id(a)) + ": rebalance held: benefit " +
                              text(w.benefit) + " does not pass its cost " + text(w.cost()) + " (trading " +
                              text(w.trading_cost) + ", tax " + text(w.tax) + ")");
  release_unchanged(a, out, /*held=*/true);
}

void FleetDesk::wake_held(tax::Day today) {
  if (today == held_woken_on_) return;
  held_woken_on_ = today;
  for (auto it = held_.begin(); it != held_.end();) {
    if (it->second.day == today) {
      ++it;
      continue;
    }
    monitor_.wake(it->first);
    it = held_.erase(it);
  }
  std::erase_if(resting_, [&](const auto& r) {
    if (r.second == today) return false;
    monitor_.wake(r.first);
    return true;
  });
}

bool FleetDesk::still_held(AccountIndex a, core::TimeNs now) {
  const auto it = held_.find(a);
  if (it == held_.end() || it->second.day != tax::day_of(now)) return false;
  const AccountBook& book = monitor_.book();
  const ModelDynamic& dynamic = *book.model(a).dynamic;
  const double value = account_deviation(book, a, monitor_.prices(), deviation_);
  return !(strategies::dynamic_benefit(dynamic.trigger, dynamic.cov_annual, deviation_, value) > it->second.benefit);
}

void FleetDesk::release_unchanged(AccountIndex a, DeskOutput& out, bool held) {
  const AccountBook& book = monitor_.book();
  const std::span<const double> now_held = book.quantities(a);
  const std::vector<double> quantities(now_held.begin(), now_held.end());
  // The book's own figures: nothing for the book to refuse but a broken invariant.
  if (auto why = held ? monitor_.settle_held(a, quantities, book.cash(a), kHoldRecheck)
                      : monitor_.settle(a, quantities, book.cash(a))) {
    out.refusals.push_back("account " + std::string(book.id(a)) + " cannot be released as it is: " + *why);
    stuck_.push_back(a);
    pending(a);
  }
}

void FleetDesk::collect_sized(AccountIndex a, core::TimeNs now, bool harvest, DeskOutput& out) {
  const tax::Day day = tax::day_of(now);
  const AccountBook& book = monitor_.book();
  const Model& m = book.model(a);
  for (const SizedTrade& trade : sized_) {
    const auto lots = whole_lots(trade.quantity, trade.lot);
    const SaleKind kind = harvest ? SaleKind::harvest : SaleKind::by_method;
    // Chosen before the block takes the trade: the lots count against its frame.
    std::vector<tax::SpecificLot> named;
    if (trade.side == core::Side::sell && lots) {
      named = lots_.choose_lots(a, trade.symbol, day, static_cast<double>(*lots) * trade.lot, trade.price,
                                book.quantities(a)[slot_of(m, trade.symbol)], m.tax_rates, kind);
      // The order names this many; the sale's units past them close by the method.
      if (named.size() > execution::kLotsPerAllocation) named.resize(execution::kLotsPerAllocation);
    }
    AccountTrade at{a, trade.symbol, trade.side, lots.value_or(0), trade.price, trade.lot};
    at.named_lots = static_cast<std::uint32_t>(named.size());
    at.slicing = slicing_class(m);
    if (const auto refusal = collector_.add(at)) {
      out.refusals.push_back("account " + std::string(book.id(a)) + ": " +
                             std::string(core::to_string(trade.side)) + " " + symbols_.name(trade.symbol) +
                             " left out of its block: " + std::string(to_string(*refusal)));
      continue;
    }
    // Decided on the book as it is (an account decides with no block open).
    note_decided(a, trade, day, harvest, book.quantities(a)[slot_of(m, trade.symbol)]);
    if (!named.empty()) named_lots_[holding_key(a, trade.symbol)] = std::move(named);
  }
}

std::vector<std::vector<core::NamedLot>> FleetDesk::wire_lots(const BlockOrder& block) {
  std::vector<std::vector<core::NamedLot>> out(block.allocations.size());
  for (std::size_t i = 0; i < block.allocations.size(); ++i) {
    const AccountIndex a = block.allocations[i].account;
    const auto it = named_lots_.find(holding_key(a, block.symbol));
    if (it == named_lots_.end()) continue;
    const std::span<const tax::Lot> held = lots_.lots(a, block.symbol);
    for (const tax::SpecificLot& named : it->second) {
      const auto lot = std::find_if(held.begin(), held.end(), [&](const tax::Lot& l) { return l.id == named.lot; });
      // Chosen from these very lots in this window: a lot not there ends the
      // list, so that the fills close no more by name than the order names.
      if (lot == held.end()) break;
      out[i].push_back(core::NamedLot{named.lot, named.quantity, lot->acquired});
    }
    // The order holds them now: its fills close them.
    named_lots_.erase(it);
  }
  return out;
}

void FleetDesk::open_order(DeskOrder order, bool counted, core::TimeNs now, DeskOutput& out) {
  OpenBlock b;
  const BlockOrder& block = order.block;
  b.allocated.assign(block.allocations.size(), 0);
  b.booked_cash.assign(block.allocations.size(), 0.0);
  b.counted = counted;
  for (const BlockAllocation& alloc : block.allocations) {
    ++pending(alloc.account).open_blocks;
    if (counted) ++open_legs_[leg_key(alloc.account, block.symbol, block.side)];
  }
  if (order.scheduled) schedule_.emplace(order.created_at, order.order_id);
  out.orders.push_back(order);
  b.order = std::move(order);
  if (!b.order.scheduled) mark_sent(b, now);
  open_.emplace(b.order.order_id, std::move(b));
}

void FleetDesk::mark_sent(OpenBlock& b, core::TimeNs now) {
  b.order.scheduled = false;
  b.sent_at = now;
  ++counters_.blocks_sent;
  counters_.allocations_sent += b.order.block.allocations.size();
}

void FleetDesk::book_sent(const std::string& order_id, core::TimeNs now, DeskOutput& out) {
  const auto it = open_.find(order_id);
  if (it == open_.end()) return;
  DeskFill ignored;
  book_fill(it->second, it->second.order.block.quantity(), it->second.order.block.reference_price, ignored, out);
  OpenBlock done = std::move(it->second);
  open_.erase(it);
  finish(done, now, out);
}

void FleetDesk::open_window(core::TimeNs now, DeskOutput& out) {
  if (window_closes_at_ == 0) window_closes_at_ = now + options_.window;
  if (options_.window == 0) close_window(now, out);
}

double FleetDesk::value_of(AccountIndex a) const {
  const AccountBook& book = monitor_.book();
  const Model& m = book.model(a);
  const std::span<const double> held = book.quantities(a);
  double value = book.cash(a);
  for (std::size_t i = 0; i < m.size(); ++i) value += held[i] * monitor_.prices()[m.symbols[i]];
  return value;
}

void FleetDesk::limit_trades(const FleetRebalance& r, core::TimeNs now, DeskOutput& out) {
  const AccountBook& book = monitor_.book();
  const Model& m = book.model(r.account);
  sized_.clear();
  for (std::uint32_t t = r.first_trade; t < r.first_trade + r.trade_count; ++t) {
    const FleetTrade& trade = scratch_.trades[t];
    sized_.push_back({trade.symbol, trade.side, trade.quantity, trade.price, m.lot_sizes[slot_of(m, trade.symbol)]});
  }
  // The account as it was when it decided: the book, at the prices it decided at.
  for (const AllocationDenial& d :
       apply_allocation_limits(options_.limits, value_of(r.account), book.cash(r.account), sized_)) {
    ++counters_.denied[static_cast<std::size_t>(d.reason)];
    out.refusals.push_back("account " + std::string(book.id(r.account)) + ": " +
                           std::string(core::to_string(d.side)) + " " + symbols_.name(d.symbol) + " denied: " +
                           std::string(execution::to_string(d.reason)) + " (" + d.detail + ")");
  }
  if (m.avoid_short_term_gains) hold_back_short_term_gains(r.account, now, out);
  // The sells first: a loss sale they keep is one the buys must not wash.
  if (m.avoid_washed_losses) hold_back_washed_losses(r.account, now, out);
  if (m.avoid_wash_sales) redirect_washing_buys(r.account, now, out);
}

void FleetDesk::enter_window(AccountIndex a) {
  pending(a).in_window = true;
  in_window_.push_back(a);
}

void FleetDesk::close_window(core::TimeNs now, DeskOutput& out) {
  window_closes_at_ = 0;
  // The accounts taken into this window, not every pending one (those wait
  // for fills: thousands when the gateway is behind).
  std::vector<AccountIndex> in_window;
  in_window.swap(in_window_);
  std::sort(in_window.begin(), in_window.end());
  in_window.erase(std::unique(in_window.begin(), in_window.end()), in_window.end());
  std::erase_if(in_window, [&](AccountIndex a) {
    const auto it = pending_.find(a);
    if (it == pending_.end() || !it->second.in_window) return true;
    it->second.in_window = false;
    return false;
  });
  std::vector<BlockOrder> blocks = collector_.take();
  // The window's orders by the step they leave at (by_step_, emptied, its
  // room kept): unsliced blocks and the first children now, later children
  // one slicing interval apart.
  for (std::vector<DeskOrder>& step : by_step_) step.clear();
  if (by_step_.empty()) by_step_.emplace_back();
  for (std::size_t begin = 0; begin < blocks.size();) {
    // The blocks of one symbol, side and slicing are adjacent (take()).
    std::size_t end = begin + 1;
    while (end < blocks.size() && blocks[end].symbol == blocks[begin].symbol &&
           blocks[end].side == blocks[begin].side && blocks[end].slicing == blocks[begin].slicing) {
      ++end;
    }
    const std::span<BlockOrder> group(blocks.data() + begin, end - begin);
    begin = end;
    if (group.front().slicing != 0 && slice_group(group, slicings_[group.front().slicing - 1], now)) continue;
    for (BlockOrder& block : group) {
      DeskOrder& o = by_step_[0].emplace_back();
      o.created_at = now;
      o.block = std::move(block);
      if (o.block.side == core::Side::sell) o.named_lots = wire_lots(o.block);
    }
  }
  // Numbered in the order they leave; the first order's id names the
  // window's rebalance of the fleet.
  const char* reason = window_calendar_ && !window_band_ ? "calendar" : "threshold";
  window_band_ = window_calendar_ = false;
  const std::string day = core::format_yyyymmdd(now);
  std::string rebalance_id;
  const std::size_t sent_before = out.orders.size();
  for (std::vector<DeskOrder>& step : by_step_) {
    for (DeskOrder& o : step) {
      o.order_id = engine::make_id(core::kBlockOrderPortfolio, day, next_order_seq_());
      if (rebalance_id.empty()) rebalance_id = o.order_id;
      o.rebalance_id = rebalance_id;
      o.reason = reason;
      // A slicing model's blocks count their legs, sliced this time or not.
      const bool counted = o.block.slicing != 0;
      open_order(std::move(o), counted, now, out);
    }
  }
  if (options_.book_on_send) {
    // Once every block is open, so that no account settles between two of its blocks.
    for (std::size_t i = sent_before; i < out.orders.size(); ++i) {
      if (!out.orders[i].scheduled) book_sent(out.orders[i].order_id, now, out);
    }
  }
  // Accounts whose trades were all refused, or that traded nothing after all
  // (limits, tax cuts, buys held back): the same trades would be cut again
  // at the same prices, so they rest until a price moves or the day ends.
  for (const AccountIndex a : in_window) {
    const auto it = pending_.find(a);
    if (it != pending_.end() && it->second.open_blocks == 0 && !it->second.in_window) {
      settle(a, out, tax::day_of(now));
    }
  }
}

std::optional<AccountIndex> FleetDesk::find(std::string_view id) const { return ids_.find(monitor_.book(), id); }

Position FleetDesk::position(AccountIndex a) const {
  const AccountBook& book = monitor_.book();
  const std::span<const double> held = book.quantities(a);
  Position p{{held.begin(), held.end()}, book.cash(a)};
  if (const auto it = pending_.find(a); it != pending_.end()) {
    // A sell of every lot held can leave binary noise below zero; holdings stay ≥ 0.
    for (std::size_t i = 0; i < p.quantities.size(); ++i) {
      p.quantities[i] = std::max(0.0, p.quantities[i] + it->second.quantity_change[i]);
    }
    p.cash += it->second.cash_change;
  }
  return p;
}

AccountDetail FleetDesk::detail(AccountIndex a) const {
  AccountDetail d;
  d.last_rebalance = last_rebalance_[a];
  const auto it = pending_.find(a);
  if (it == pending_.end()) {
    d.view = view_account(monitor_.book(), a, monitor_.prices());
  } else {
    // The account as booked so far, viewed as a book of one.
    const AccountBook& book = monitor_.book();
    const Position booked = position(a);
    AccountBook one(book.symbol_count());
    one.add_model(book.model(a));
    one.add_account(book.id(a), 0, booked.cash, booked.quantities, book.band_multiplier(a),
                    book.household_name(book.household(a)));
    d.view = view_account(one, 0, monitor_.prices());
    d.pending = true;
  }
  for (const auto& [id, b] : open_) {
    for (const BlockAllocation& alloc : b.order.block.allocations) {
      if (alloc.account == a) d.open_orders.push_back(id);
    }
  }
  std::sort(d.open_orders.begin(), d.open_orders.end());
  return d;
}

FleetDesk::AccountPage FleetDesk::page(std::optional<AccountIndex> after, std::size_t limit, bool only_breaching,
                                       std::size_t looks_at) const {
  AccountPage page;
  const AccountBook& book = monitor_.book();
  Rebalancer decide;
  std::size_t looked = 0;
  looks_at = std::max<std::size_t>(looks_at, 1);  // so that a page that stops has looked at one
  for (AccountIndex a = after ? *after + 1 : 0; a < book.size() && page.accounts.size() < limit; ++a) {
    if (looked++ == looks_at) {
      page.go_on_after = a - 1;
      break;
    }
    if (closed(a)) continue;
    if (!only_breaching || decide.in_breach(book, a, monitor_.prices())) page.accounts.push_back(a);
  }
  return page;
}

FleetSummary FleetDesk::summary() const {
  FleetSummary s;
  summarise_part(0, static_cast<AccountIndex>(monitor_.book().size()), s);
  return s;
}

void FleetDesk::summarise_part(AccountIndex begin, AccountIndex end, FleetSummary& into) const {
  if (closed_ == 0) {
    summarise(monitor_.book(), monitor_.prices(), begin, end, {}, into);
  } else {
    summarise(
        monitor_.book(), monitor_.prices(), begin, end, [this](AccountIndex a) { return closed(a); }, into);
  }
}

FleetDesk::Memory FleetDesk::memory() const {
  Memory m = memory(0);
  m.lots = lots_.memory_bytes();
  return m;
}

FleetDesk::Memory FleetDesk::memory(std::size_t lot_account_bytes) const {
  const std::size_t book = monitor_.book().memory_bytes();
  return {.book = book,
          .zones = monitor_.memory_bytes() - book,
          .ids = ids_.memory_bytes(),
          .lots = lots_.table_bytes() + lot_account_bytes};
}

std::size_t FleetDesk::lot_bytes(AccountIndex begin, AccountIndex end) const {
  std::size_t bytes = 0;
  for (AccountIndex a = begin; a < end; ++a) bytes += lots_.account_bytes(a);
  return bytes;
}

std::optional<std::string> FleetDesk::add_account(std::string_view id, ModelIndex model, double cash,
                                                  std::span<const double> quantities, double band_multiplier,
                                                  std::string_view household) {
  if (find(id)) return "account " + std::string(id) + " is in the book already";
  const AccountBook& book = monitor_.book();
  if (auto why = monitor_.add_account(id, model, cash, quantities, band_multiplier, household)) return why;
  const auto a = static_cast<AccountIndex>(book.size() - 1);
  last_rebalance_.push_back(0);
  ids_.add(book, a);
  return std::nullopt;
}

bool FleetDesk::busy(AccountIndex a) const {
  const auto it = pending_.find(a);
  return it != pending_.end() && (it->second.open_blocks > 0 || it->second.in_window);
}

std::optional<std::string> FleetDesk::set_account(AccountIndex a, ModelIndex model, double cash,
                                                  std::span<const double> quantities, double band_multiplier,
                                                  std::string_view household) {
  if (a >= monitor_.book().size()) return "unknown account";
  if (busy(a)) return "the account waits for its block orders or its decision window";
  // Checked first, so that a refused household leaves the figures as they were.
  if (auto why = monitor_.book().check_household(household)) return why;
  const ModelIndex model_before = monitor_.book().model_index(a);
  if (model != model_before) disarm_harvest(a);
  if (auto why = monitor_.set_account(a, model, cash, quantities, band_multiplier)) {
    if (model != model_before) rearm_harvest(a);
    return why;
  }
  if (model != model_before) rearm_harvest(a);
  held_.erase(a);  // new figures: decided afresh
  if (auto why = monitor_.set_household(a, household)) return why;
  if (const auto stuck = std::find(stuck_.begin(), stuck_.end(), a); stuck != stuck_.end()) {
    // Released: held pending, it leaves pending with the figures just set.
    if (auto why = monitor_.settle(a, quantities, cash)) return why;
    stuck_.erase(stuck);
    pending_.erase(a);
  }
  return std::nullopt;
}

std::optional<std::string> FleetDesk::close_account(AccountIndex a) {
  if (a >= monitor_.book().size()) return "unknown account";
  if (busy(a)) return "the account waits for its block orders or its decision window";
  if (auto why = monitor_.close_account(a)) return why;
  disarm_harvest(a);
  pending_.erase(a);
  held_.erase(a);
  stuck_.erase(std::remove(stuck_.begin(), stuck_.end(), a), stuck_.end());
  lots_.erase(a);
  calendar_waiting_.erase(a);
  wash_.forget_buys_of(a);
  decided_.drop_all(a);
  ++closed_;
  return std::nullopt;
}

}  // namespace ballast::fleet
