#include "daemon/persistence.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "daemon/log_event.hpp"

namespace ballast::daemon {
namespace {

std::string exact(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace

void log_state_warning(const StateWarning& w) {
  using namespace fmt::literals;
  log_event(spdlog::level::warn, "state_warning", "{text}", "text"_a = TextOnly{w.text}, "kind"_a = w.kind,
            "portfolio"_a = w.portfolio, "order_id"_a = w.order_id, "symbol"_a = w.symbol);
}

store::OrderRow new_order_row(const core::Order& order, bool booked_on_send, core::TimeNs now) {
  store::OrderRow row;
  row.order = order;
  row.state = store::OrderState::created;
  if (booked_on_send) {
    row.filled_quantity = order.quantity;
    row.filled_value = order.quantity * order.reference_price;
  }
  row.updated_at = now;
  return row;
}

std::string Persistence::path_for(const config::DaemonConfig& d) {
  return store::state_file_in(d.state_dir);
}

std::optional<Persistence> Persistence::open(const config::DaemonConfig& d, std::string& error) {
  const store::Durability durability =
      d.durability == config::Durability::normal ? store::Durability::normal : store::Durability::full;
  auto opened = store::StateStore::open(path_for(d), durability);
  if (auto* e = std::get_if<store::OpenError>(&opened)) {
    error = e->message;
    // A file held by another daemon is fine where it is; any other refused file needs an operator's repair.
    if (!e->in_use) {
      error += "; restore it from a backup, or move it away to start every portfolio from its config (positions in "
               "it are then lost)";
    }
    return std::nullopt;
  }
  return Persistence(std::move(std::get<store::StateStore>(opened)));
}

std::string Persistence::seed_of(const strategies::PortfolioSpec& spec) {
  std::map<std::string, double> holdings;
  for (const auto& a : spec.assets) {
    if (a.holding != 0) holdings[a.symbol] = a.holding;
  }
  std::string seed = "cash=" + exact(spec.cash);
  for (const auto& [symbol, quantity] : holdings) seed += ";" + symbol + "=" + exact(quantity);
  return seed;
}

void Persistence::add_portfolio(const engine::Engine& engine, std::size_t index, store::Change& change) const {
  const engine::PortfolioState& p = engine.portfolios()[index];
  store::PortfolioRow row;
  row.id = p.spec.id;
  row.cash = p.cash;
  row.rebalances = p.rebalances;
  row.orders = p.orders;
  row.costs_estimated = p.costs_estimated;
  row.costs_realized = p.costs_realized;
  row.seed = seed_of(p.spec);
  // A portfolio whose config changed keeps the seed it was first made from,
  // so that the difference is reported on every start, not only the first.
  if (std::find(seed_changed_.begin(), seed_changed_.end(), p.spec.id) != seed_changed_.end()) row.seed = seeds_.at(p.spec.id);
  change.portfolios.push_back(std::move(row));
  for (const auto& a : p.assets) {
    if (a.quantity != 0) change.positions.push_back({p.spec.id, engine.symbols().name(a.symbol), a.quantity});
  }
  for (const auto& plan : engine.slice_plans()) {
    if (plan.portfolio != index) continue;
    change.slices.push_back({p.spec.id, engine.symbols().name(plan.symbol), plan.side, plan.remaining, plan.child,
                             plan.lot_size, plan.next_at, plan.interval, plan.reason, plan.rebalance_id});
  }
}

void Persistence::restore_one(engine::Engine& engine, std::size_t index, const store::Snapshot& snap,
                              Restored& r, store::Change& change, bool with_slices) {
  const std::string id = engine.portfolios()[index].spec.id;
  const auto row = std::find_if(snap.portfolios.begin(), snap.portfolios.end(),
                                [&](const store::PortfolioRow& p) { return p.id == id; });
  if (row == snap.portfolios.end()) {
    // First start of this portfolio: the config seeds it, and the file
    // remembers it from now on.
    r.seeded.push_back(id);
    add_portfolio(engine, index, change);
    return;
  }
  std::vector<std::pair<std::string, double>> held;
  for (const auto& pos : snap.positions) {
    if (pos.portfolio == id) held.emplace_back(pos.symbol, pos.quantity);
  }
  engine.restore_positions(id, row->cash, held);
  engine.restore_counters(index, {row->rebalances, row->orders, row->costs_estimated, row->costs_realized});
  // A TWAP cut short goes on where it stopped.
  for (const auto& c : snap.slices) {
    if (!with_slices || c.portfolio != id) continue;
    if (!engine.restore_slice(id, c.symbol, c.side, c.remaining, c.child, c.lot_size, c.next_at, c.interval,
                              c.reason, c.rebalance_id)) {
      r.warnings.push_back({"slice_not_restored", id, "", c.symbol,
                            "portfolio " + id + ": the rest of a sliced " + std::string(core::to_string(c.side)) +
                                " of " + c.symbol + " could not be restored (the symbol is no longer held or targeted)"});
    }
  }
  r.restored.push_back(id);
  seeds_[id] = row->seed;
  const std::string seed = seed_of(engine.portfolios()[index].spec);
  if (row->seed != seed) {
    r.seed_changed.push_back(id);
    if (std::find(seed_changed_.begin(), seed_changed_.end(), id) == seed_changed_.end()) seed_changed_.push_back(id);
    r.warnings.push_back({"seed_changed", id, "", "",
                          "portfolio " + id + ": cash or holdings in the config (" + seed +
                              ") differ from those it was first seeded with (" + row->seed +
                              "); the state file is the truth and the config's are not applied (to start this "
                              "portfolio again from the config: ballastd --reset-portfolio " + id + ")"});
  }
}

Restored Persistence::adopt(engine::Engine& engine, const std::vector<std::string>& added) {
  Restored r;
  if (added.empty()) return r;
  const store::Snapshot snap = store_.load();
  store::Change change;
  for (const std::string& id : added) {
    if (const auto index = engine.find_portfolio(id)) restore_one(engine, *index, snap, r, change, false);
  }
  for (const std::string& id : r.restored) {
    if (std::any_of(snap.unfinished.begin(), snap.unfinished.end(),
                    [&](const store::OrderRow& o) { return o.order.portfolio == id; })) {
      r.warnings.push_back({"unfinished_after_removal", id, "", "",
                            "portfolio " + id + " has orders left unfinished in the state file from before it was "
                                                "removed; they are not sent again and stay as they are"});
    }
  }
  changed_.clear();
  engine.take_changed(changed_);
  for (const std::size_t i : changed_) add_portfolio(engine, i, change);
  store_.commit(change);
  ++commits_;
  return r;
}

Restored Persistence::restore(engine::Engine& engine, bool book_on_send) {
  Restored r;
  const store::Snapshot snap = store_.load();
  store::Change change;
  for (std::size_t i = 0; i < engine.portfolios().size(); ++i) restore_one(engine, i, snap, r, change, true);
  for (const auto& p : snap.portfolios) {
    if (!engine.find_portfolio(p.id)) {
      r.warnings.push_back({"unknown_portfolio", p.id, "", "",
                            "portfolio " + p.id + " is in the state file but not in the config: its state is kept, "
                                                  "not traded"});
    }
  }

  for (const auto& o : snap.unfinished) {
    if (o.order.portfolio == core::kBlockOrderPortfolio) {
      r.blocks.push_back(o);
      continue;
    }
    if (!engine.find_portfolio(o.order.portfolio)) {
      r.warnings.push_back({"order_of_unknown_portfolio", o.order.portfolio, o.order.order_id, o.order.symbol,
                            "order " + o.order.order_id + " of portfolio " + o.order.portfolio +
                                " (not in the config) stays unfinished in the state file"});
      continue;
    }
    if (!book_on_send) {
      if (!engine.restore_order(o.order, o.state, o.filled_quantity, o.filled_value)) {
        r.warnings.push_back({"order_not_restored", o.order.portfolio, o.order.order_id, o.order.symbol,
                              "order " + o.order.order_id +
                                  " could not be restored (its symbol is no longer held or targeted)"});
        continue;
      }
    }
    r.resend.push_back(o.order);
  }

  engine::Sequences seq = engine.sequences();
  seq.next_order = std::max(seq.next_order, snap.counters.next_order);
  seq.next_rebalance = std::max(seq.next_rebalance, snap.counters.next_rebalance);
  engine.set_sequences(seq);
  change.counters = store::Counters{seq.next_order, seq.next_rebalance};
  // Restoring marked portfolios as changed; they are written as they are.
  changed_.clear();
  engine.take_changed(changed_);
  store_.commit(change);
  ++commits_;
  return r;
}

void Persistence::commit(engine::Engine& engine, const engine::Output& out, core::TimeNs now, bool book_on_send) {
  store::Change change;
  changed_.clear();
  engine.take_changed(changed_);
  for (const std::size_t i : changed_) add_portfolio(engine, i, change);
  for (const auto& o : out.orders) change.orders.push_back(new_order_row(o, book_on_send, now));
  for (const auto& f : out.fills) {
    // A timed-out order is not written as unknown: the file keeps it sent (or
    // partially filled), and a restart finds it past its timeout again.
    if (f.kind != engine::FillOutcome::Kind::applied) continue;
    change.order_updates.push_back({f.order_id, f.state, f.filled_quantity, f.filled_value, now});
    store::FillRow row;
    row.order_id = f.order_id;
    row.status = f.status;
    row.filled_quantity = f.filled_quantity;
    row.avg_price = f.filled_quantity > 0 ? f.filled_value / f.filled_quantity : 0;
    row.ts = now;
    row.received_at = now;
    change.fills.push_back(std::move(row));
  }
  for (const auto& ev : out.rebalances) {
    const auto& rec = ev.record;
    store::RebalanceRow row;
    row.rebalance_id = rec.rebalance_id;
    row.portfolio = engine.portfolios()[ev.portfolio].spec.id;
    row.reason = rec.reason;
    row.detail = rec.detail;
    row.at = rec.at;
    row.value = rec.value;
    row.max_abs_drift = rec.max_abs_drift;
    row.total_drift = rec.total_drift;
    row.traded_value = rec.traded_value;
    row.cost = rec.cost;
    row.orders = rec.orders;
    change.rebalances.push_back(std::move(row));
  }
  if (!out.orders.empty() || !out.rebalances.empty()) {
    change.counters = store::Counters{engine.sequences().next_order, engine.sequences().next_rebalance};
  }
  if (change.empty()) return;
  store_.commit(change);
  ++commits_;
}

void Persistence::commit(const store::Change& change) {
  if (change.empty()) return;
  store_.commit(change);
  ++commits_;
}

void Persistence::note_sent(const core::Order& order, core::TimeNs now, bool book_on_send) {
  store::OrderUpdate u;
  u.order_id = order.order_id;
  u.state = book_on_send ? store::OrderState::filled : store::OrderState::sent;
  // Only an order still "created" moves: a report may have come first.
  u.from_created_only = true;
  // The price it left with: a sliced child of the fleet's is that of its time.
  u.reference_price = order.reference_price;
  u.updated_at = now;
  pending_sent_.push_back(std::move(u));
}

void Persistence::flush(engine::Engine& engine, core::TimeNs now) {
  static const engine::Output kNothing;
  commit(engine, kNothing, now, false);
  if (pending_sent_.empty()) return;
  // Off the order path: a mark only says the order left, and a report that
  // came first is never undone by it (from_created_only).
  store::Change change;
  change.order_updates = std::move(pending_sent_);
  pending_sent_.clear();
  store_.commit(change);
  ++commits_;
}

void Persistence::write_counters(const engine::Engine& engine) {
  store::Change change;
  change.counters = store::Counters{engine.sequences().next_order, engine.sequences().next_rebalance};
  store_.commit(change);
  ++commits_;
}

void Persistence::checkpoint() {
  if (checkpointed_at_ == commits_) return;
  store_.checkpoint();
  checkpointed_at_ = commits_;
}

bool Persistence::reset_portfolio(const std::string& id) {
  const store::Snapshot snap = store_.load();
  if (std::none_of(snap.portfolios.begin(), snap.portfolios.end(), [&](const auto& p) { return p.id == id; })) return false;
  store::Change change;
  change.removed_portfolios.push_back(id);
  store_.commit(change);
  return true;
}

}  // namespace ballast::daemon
