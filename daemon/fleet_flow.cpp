#include "daemon/fleet_flow.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "config/shard.hpp"
#include "core/usable_cpus.hpp"
#include "daemon/log_event.hpp"
#include "execution/io/order_codec.hpp"
#include "fleet/book_builder.hpp"
#include "tax/holding_period.hpp"

namespace ballast::daemon {
namespace {

using namespace fmt::literals;
using spdlog::level::err, spdlog::level::info, spdlog::level::warn;

/// `key`: {"count", "p50", "p99"}, the percentiles in microseconds.
void write_micros(core::JsonWriter& w, std::string_view key, const LatencyRecorder& r) {
  w.key(key)
      .begin_object()
      .field("count", r.count())
      .field("p50", static_cast<double>(r.quantile(0.5)) / 1e3)
      .field("p99", static_cast<double>(r.quantile(0.99)) / 1e3)
      .end_object();
}

constexpr core::DurationNs kMinute = 60 * core::kNanosPerSecond;

/// Threads for the sweeps of every account (the start's check, a rezone):
/// the CPUs this process may run on (its affinity mask, which `taskset` and
/// systemd's CPUAffinity= narrow; the host's count says nothing of them), at
/// most eight. Past a few threads the sweep's own share is a few
/// milliseconds and the rebuild of the zone list, on one thread, is most of
/// it (BENCHMARKS.md, "Fleet monitoring"), while each thread is started
/// afresh for each sweep.
unsigned sweep_threads() {
  constexpr unsigned kMost = 8;
  return std::min(core::usable_cpus(), kMost);
}

/// The state a block order is in after a report with this status.
core::OrderState state_after(core::FillStatus s) {
  switch (s) {
    case core::FillStatus::filled: return core::OrderState::filled;
    case core::FillStatus::partially_filled: return core::OrderState::partially_filled;
    case core::FillStatus::rejected: return core::OrderState::rejected;
    case core::FillStatus::cancelled: return core::OrderState::cancelled;
  }
  return core::OrderState::partially_filled;
}

}  // namespace

FleetFlow::FleetFlow(const config::Config& cfg, engine::Engine& engine, Persistence& persistence,
                     RateLimiter& limiter, bool book_on_send)
    : cfg_(cfg),
      engine_(engine),
      persistence_(persistence),
      limiter_(limiter),
      book_on_send_(book_on_send),
      limits_(cfg.execution.limits) {}

std::vector<std::string> FleetFlow::symbols_of(const config::Config& cfg) {
  std::vector<std::string> names;
  for (const auto& m : cfg.models) {
    for (const auto& a : m.assets) {
      if (std::find(names.begin(), names.end(), a.symbol) == names.end()) names.push_back(a.symbol);
    }
  }
  return names;
}

std::string FleetFlow::load(const std::vector<store::OrderRow>& blocks) {
  fleet::BookOfModels built = fleet::book_of_models(cfg_.models, symbols_);
  if (!built.book) return built.error;
  variants_ = fleet::ModelVariants(std::move(built.model_ids));
  auto book = std::make_unique<fleet::AccountBook>(std::move(*built.book));
  std::string error;
  fleet::BookPlace place;
  accounts_in_file_ = 0;
  lots_ = fleet::AccountLots{tax::TermRule{cfg_.fleet.long_term_after_months}};
  persistence_.store().for_each_account([&](const fleet::AccountRecord& r) {
    ++accounts_in_file_;
    if (!error.empty() || !config::owns(cfg_.daemon.shard, r.id)) return;
    if (auto why = fleet::add_record(*book, variants_, symbols_, r, place)) {
      error = *why;
      return;
    }
    if (r.lots.empty() && r.lot_method == tax::CloseMethod::fifo) return;
    if (auto why = lots_.restore(static_cast<fleet::AccountIndex>(book->size() - 1), r, symbols_)) error = *why;
  });
  if (!error.empty()) return error;
  fleet_symbol_of_.assign(engine_.symbols().size(), core::kNoSymbol);
  for (core::SymbolId s = 0; s < symbols_.size(); ++s) {
    const core::SymbolId e = engine_.find_symbol(symbols_.name(s));
    if (e == core::kNoSymbol) return "symbol " + symbols_.name(s) + " of a model is not among the daemon's symbols";
    fleet_symbol_of_[e] = s;
  }
  last_price_.assign(symbols_.size(), 0.0);
  moved_while_halted_.assign(symbols_.size(), false);
  // Booked on send, a block's fills are in the accounts already, but for a
  // scheduled child's, which is booked when it leaves; with fill reports every
  // block's accounts wait for the rest.
  std::vector<const store::OrderRow*> to_restore;
  for (const store::OrderRow& row : blocks) {
    if (!book_on_send_ || scheduled_child(row)) to_restore.push_back(&row);
  }
  if (!to_restore.empty()) {
    // The accounts the blocks name, found in one pass over the book.
    AccountIndexById index;
    for (const store::OrderRow* row : to_restore) {
      for (const core::Allocation& a : row->order.allocations) index.emplace(a.account, kNotInBook);
    }
    for (fleet::AccountIndex a = 0; a < book->size() && !index.empty(); ++a) {
      if (const auto it = index.find(book->id(a)); it != index.end()) it->second = a;
    }
    for (const store::OrderRow* row : to_restore) {
      if (auto why = restore_block(*book, index, *row)) return "block order " + row->order.order_id + ": " + *why;
    }
  }
  log_event(info, "fleet_loaded",
            "fleet: {owned} accounts on {models} models ({variants} variants for accounts' own cash targets "
            "and restricted symbols) from {path} ({total} in the file; the rest belong to other shards)",
            "owned"_a = book->size(), "models"_a = variants_.base_count(), "path"_a = persistence_.path(),
            "total"_a = accounts_in_file_, "variants"_a = variants_.variant_count());
  // A target model's targets come from its fixed risk model, not the file: say what they are.
  for (std::size_t k = 0; k < cfg_.models.size(); ++k) {
    const strategies::PortfolioSpec& spec = cfg_.models[k];
    if (!strategies::is_risk_based(spec.model.kind)) continue;
    const fleet::Model& m = book->models()[k];
    std::string targets;
    for (std::size_t i = 0; i < m.size(); ++i)
      targets += fmt::format("{} {:.4f}, ", symbols_.name(m.symbols[i]), m.targets[i]);
    log_event(info, "fleet_model_targets", "model {model}: {kind} targets {targets}cash {cash:.4f}",
              "model"_a = spec.id, "kind"_a = strategies::to_string(spec.model.kind), "targets"_a = targets,
              "cash"_a = m.cash_target());
  }
  waiting_ = std::move(book);
  return {};
}

std::optional<std::string> FleetFlow::restore_block(const fleet::AccountBook& book, const AccountIndexById& index,
                                                    const store::OrderRow& row) {
  const core::Order& o = row.order;
  const core::SymbolId symbol = symbols_.find(o.symbol);
  if (symbol == core::kNoSymbol) return "its symbol " + o.symbol + " is in no model";
  RestoredBlock b;
  b.order.order_id = o.order_id;
  b.order.rebalance_id = o.rebalance_id;
  b.order.reason = o.reason;
  b.order.created_at = o.created_at;
  b.order.scheduled = scheduled_child(row);
  b.order.block.symbol = symbol;
  b.order.block.side = o.side;
  b.order.block.reference_price = o.reference_price;
  double lot = 0;
  for (const core::Allocation& a : o.allocations) {
    const fleet::AccountIndex account = index.at(a.account);
    if (account == kNotInBook) return "its account " + a.account + " is not in this daemon's book";
    const fleet::Model& m = book.model(account);
    const auto slot = std::find(m.symbols.begin(), m.symbols.end(), symbol);
    if (slot == m.symbols.end()) return "account " + a.account + "'s model does not hold " + o.symbol;
    lot = m.lot_sizes[static_cast<std::size_t>(slot - m.symbols.begin())];
    const auto lots = fleet::whole_lots(a.quantity, lot);
    if (!lots) return "account " + a.account + " asked a quantity that is not whole lots";
    b.order.block.allocations.push_back({account, *lots});
    b.order.block.lots += *lots;
  }
  // The lots a sell named when it was decided: its fills close them again.
  if (std::any_of(o.allocations.begin(), o.allocations.end(), [](const core::Allocation& a) { return !a.lots.empty(); })) {
    for (const core::Allocation& a : o.allocations) b.order.named_lots.push_back(a.lots);
  }
  b.order.block.lot_size = lot;
  for (const store::FillRow& f : persistence_.store().fills_of(o.order_id)) {
    b.cumulative_fills.push_back(f.filled_quantity);
    b.avg_price = f.avg_price;
  }
  restored_.push_back(std::move(b));
  return std::nullopt;
}

void FleetFlow::set_limits(const execution::RiskLimits& limits) {
  limits_ = limits;
  if (desk_) desk_->set_limits(fleet::AllocationLimits::from(limits_, symbols_));
}

std::size_t FleetFlow::accounts() const {
  if (desk_) return desk_->book().size() - desk_->closed_accounts();
  return waiting_ ? waiting_->size() : 0;
}

void FleetFlow::on_tick(const core::Tick& tick, core::TimeNs now, SteadyClock::time_point received) {
  if (tick.symbol >= fleet_symbol_of_.size()) return;
  const core::SymbolId s = fleet_symbol_of_[tick.symbol];
  if (s == core::kNoSymbol || !fleet::usable_price(tick.price)) return;
  last_price_[s] = tick.price;
  if (!desk_) {
    if (!waiting_ || std::any_of(last_price_.begin(), last_price_.end(), [](double p) { return p == 0; })) return;
    // Every symbol priced: the desk starts, checking every account once.
    fleet::FleetMonitor monitor(std::move(*waiting_), last_price_, fleet::Fills::on_settle);
    // The start's check and each rezone sweep every account: on the cores it may use.
    monitor.set_threads(sweep_threads());
    waiting_.reset();
    desk_ = std::make_unique<fleet::FleetDesk>(
        std::move(monitor), symbols_,
        fleet::DeskOptions{.window = cfg_.fleet.window,
                           .book_on_send = book_on_send_,
                           .limits = fleet::AllocationLimits::from(limits_, symbols_)},
        [this] {
          engine::Sequences seq = engine_.sequences();
          const std::uint64_t n = seq.next_order++;
          engine_.set_sequences(seq);
          return n;
        },
        std::move(lots_));
    restore_washes(now);
    for (RestoredBlock& b : restored_) {
      if (auto why = desk_->restore_block(std::move(b.order), b.cumulative_fills, b.avg_price)) {
        log_event(err, "fleet_block_not_restored", "{text}", "text"_a = *why);
      }
    }
    restored_.clear();
    // The first summary, in slices as the daemon runs them.
    pass_ = SummaryPass{};
    log_event(info, "fleet_started",
              "fleet: every symbol priced; {accounts} accounts checked (sweep threads: {threads}), {open} block orders "
              "still open from before",
              "accounts"_a = desk_->book().size(), "threads"_a = desk_->monitor().threads(),
              "open"_a = desk_->open_blocks());
    if (halted()) {
      // Its first check waits for the release, at the prices of then.
      was_halted_ = true;
      resync_on_release_ = true;
      return;
    }
    desk_->resync(now, out_);
    handle(now);
    return;
  }
  if (halted()) {
    moved_while_halted_[s] = true;
    was_halted_ = true;
    return;
  }
  desk_->on_tick(s, tick.price, now, out_);
  handle(now, {}, received);
}

void FleetFlow::on_timer(core::TimeNs now) {
  if (!desk_) return;
  if (!book_on_send_) {
    for (const std::string& id : desk_->time_out(now, cfg_.execution.order_timeout)) {
      log_event(err, "fleet_block_unknown",
                "block order {order_id} has no final report after {timeout_s:.0f}s: its fate is unknown; its "
                "accounts stay held until a report comes or it is resolved (ballast orders resolve)",
                "order_id"_a = id, "timeout_s"_a = static_cast<double>(cfg_.execution.order_timeout) / 1e9);
    }
  }
  if (halted()) return;  // a window open when trading halted leaves when it resumes
  if (was_halted_) {
    // The prices that moved while nothing was decided, as ticks now.
    was_halted_ = false;
    if (resync_on_release_) {
      resync_on_release_ = false;
      std::fill(moved_while_halted_.begin(), moved_while_halted_.end(), false);
      desk_->resync(last_price_, now, out_);
    }
    for (core::SymbolId s = 0; s < moved_while_halted_.size(); ++s) {
      if (!moved_while_halted_[s]) continue;
      moved_while_halted_[s] = false;
      desk_->on_tick(s, last_price_[s], now, out_);
    }
  }
  desk_->on_timer(now, out_);
  handle(now);
}

std::optional<bool> FleetFlow::on_fill(const core::FillReport& fill, core::TimeNs now) {
  if (!desk_) return std::nullopt;
  const fleet::DeskFill r = desk_->on_fill(fill, now, out_);
  if (r.result == fleet::DeskFill::Result::not_ours) return std::nullopt;
  if (r.result == fleet::DeskFill::Result::refused) {
    log_event(err, "fleet_fill_refused", "fill for block order {order_id} refused, nothing booked: {error}",
              "order_id"_a = fill.order_id, "error"_a = r.error);
    return false;
  }
  record_fill(fill, r, now);
  return true;
}

void FleetFlow::record_fill(const core::FillReport& fill, const fleet::DeskFill& r, core::TimeNs now) {
  if (r.unallocated_quantity > 0) {
    log_event(warn, "fleet_fill_unallocated",
              "block order {order_id}: {quantity} filled but given to no account (below a whole lot, or past the "
              "order)",
              "order_id"_a = fill.order_id, "quantity"_a = r.unallocated_quantity);
  }
  // The report is written with the accounts it moved, in one transaction.
  store::Change change;
  change.order_updates.push_back({fill.order_id, state_after(fill.status), fill.filled_quantity,
                                  fill.filled_quantity * fill.avg_price, now});
  change.fills.push_back({fill.order_id, fill.status, fill.filled_quantity, fill.avg_price, fill.ts, now});
  handle(now, std::move(change));
}

std::optional<core::FillReport> FleetFlow::resolve(std::string_view order_id, std::optional<double> filled,
                                                   double avg_price, core::TimeNs now, std::string& error) {
  if (!desk_) {
    error = "no open block order " + std::string(order_id);
    return std::nullopt;
  }
  auto report = desk_->resolution(order_id, filled, avg_price, error);
  if (!report) return std::nullopt;
  report->ts = now;
  const fleet::DeskFill r = desk_->on_fill(*report, now, out_);
  if (r.result != fleet::DeskFill::Result::applied) {
    error = r.error;
    return std::nullopt;
  }
  record_fill(*report, r, now);
  log_event(warn, "fleet_block_resolved",
            "block order {order_id} resolved by an operator: {status} with {quantity} filled at {price}",
            "order_id"_a = report->order_id, "status"_a = core::to_string(report->status),
            "quantity"_a = report->filled_quantity, "price"_a = report->avg_price);
  return report;
}

bool FleetFlow::has_open_block(std::string_view order_id) const {
  return desk_ && desk_->open_block(order_id) != nullptr;
}

core::Order FleetFlow::to_order(const fleet::DeskOrder& o) const {
  core::Order order;
  order.order_id = o.order_id;
  order.portfolio = core::kBlockOrderPortfolio;
  order.symbol = symbols_.name(o.block.symbol);
  order.side = o.block.side;
  order.quantity = o.block.quantity();
  order.reference_price = o.block.reference_price;
  order.reason = o.reason;
  order.rebalance_id = o.rebalance_id;
  order.created_at = o.created_at;
  order.allocations.reserve(o.block.allocations.size());
  for (std::size_t i = 0; i < o.block.allocations.size(); ++i) {
    const fleet::BlockAllocation& a = o.block.allocations[i];
    core::Allocation& out = order.allocations.emplace_back();
    out.account = desk_->book().id(a.account);
    out.quantity = static_cast<double>(a.lots) * o.block.lot_size;
    if (i < o.named_lots.size()) out.lots = o.named_lots[i];
  }
  return order;
}

void FleetFlow::restore_washes(core::TimeNs now) {
  const store::StateStore& store = persistence_.store();
  desk_->set_next_realised_seq(store.last_realised_seq() + 1);
  const tax::Day today = tax::day_of(now);
  desk_->remember_buys(today);
  std::size_t losses = 0;
  store.for_each_realised_sold_since(today - tax::kWashSaleWindowDays, [&](const store::RealisedRow& row) {
    const auto a = desk_->find(row.account);
    const core::SymbolId symbol = symbols_.find(row.symbol);
    // Another shard's account, or a closed one: not this desk's to wash.
    if (!a || symbol == core::kNoSymbol || !(row.line.gain < 0)) return;
    desk_->remember_loss(*a, symbol, row.line, row.seq);
    ++losses;
  });
  if (losses > 0) {
    log_event(info, "fleet_wash_sales_restored",
              "fleet: {losses} loss sales of the last {days} days wait for replacements again",
              "losses"_a = losses, "days"_a = tax::kWashSaleWindowDays);
  }
}

void FleetFlow::add_lots(store::Change& change) const {
  std::vector<fleet::AccountIndex> changed = out_.lots_changed;
  std::sort(changed.begin(), changed.end());
  changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
  const fleet::AccountLots& lots = desk_->lots();
  for (const fleet::AccountIndex a : changed) {
    change.account_lots.push_back(
        {std::string(desk_->book().id(a)), lots.record_lots(a, symbols_), lots.method(a)});
  }
  for (const fleet::DeskRealised& r : out_.realised) {
    change.realised.push_back({std::string(desk_->book().id(r.account)), symbols_.name(r.symbol), r.line, r.seq});
  }
  for (const fleet::DeskWash& w : out_.washes) change.realised_wash.push_back({w.seq, w.add_disallowed});
}

void FleetFlow::handle(core::TimeNs now, store::Change change, std::optional<SteadyClock::time_point> received) {
  if (out_.empty() && change.empty()) return;
  const auto minute = now / kMinute;
  if (out_.rebalances > 0) {
    if (per_minute_.empty() || per_minute_.back().first != minute) {
      per_minute_.emplace_back(minute, 0);
      if (per_minute_.size() > 2) per_minute_.erase(per_minute_.begin());
    }
    per_minute_.back().second += out_.rebalances;
  }
  for (const std::string& refusal : out_.refusals) {
    if (std::uint64_t held = 0; limiter_.allow("fleet/refusal", now, held)) {
      log_event(warn, "fleet_trade_refused", "{text}{suppressed}", "text"_a = refusal, "suppressed"_a = HeldBack{held});
    }
  }
  for (const std::string& decision : out_.tax_decisions) {
    if (std::uint64_t held = 0; limiter_.allow("fleet/tax", now, held)) {
      log_event(info, "fleet_tax_decision", "{text}{suppressed}", "text"_a = decision, "suppressed"_a = HeldBack{held});
    }
  }
  std::vector<core::Order> orders;
  orders.reserve(out_.orders.size());
  for (const fleet::DeskOrder& o : out_.orders) orders.push_back(to_order(o));
  // What changed, before anything leaves: the accounts as booked, the orders
  // (booked in full already when there are no fill reports), the id counter.
  std::sort(out_.changed.begin(), out_.changed.end());
  out_.changed.erase(std::unique(out_.changed.begin(), out_.changed.end()), out_.changed.end());
  for (const fleet::AccountIndex a : out_.changed) {
    store::AccountPositions row;
    row.id = desk_->book().id(a);
    const fleet::Position pos = desk_->position(a);
    row.cash = pos.cash;
    const fleet::Model& m = desk_->book().model(a);
    for (std::size_t i = 0; i < m.size(); ++i) {
      if (pos.quantities[i] > 0) row.holdings.emplace_back(symbols_.name(m.symbols[i]), pos.quantities[i]);
    }
    std::sort(row.holdings.begin(), row.holdings.end());
    change.account_positions.push_back(std::move(row));
  }
  add_lots(change);
  for (const core::Order& o : orders) change.orders.push_back(new_order_row(o, book_on_send_, now));
  if (!orders.empty()) {
    change.counters = store::Counters{engine_.sequences().next_order, engine_.sequences().next_rebalance};
  }
  const SteadyClock::time_point commit_start = SteadyClock::now();
  try {
    persistence_.commit(change);
  } catch (const store::StoreError& e) {
    out_.clear();
    if (on_state_failure_) on_state_failure_(e.what());
    return;
  }
  if (!orders.empty()) {
    commit_latency_.record(
        std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - commit_start).count());
  }
  const auto send = [&](const core::Order& o) {
    if (sender_) {
      encoded_.clear();
      execution::encode_order(o, encoded_);
      sender_->send(encoded_);
      if (received) {
        latency_.record(std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - *received).count());
        received.reset();
      }
      persistence_.note_sent(o, now, book_on_send_);
    }
    if (orders_metric_) orders_metric_->with({sender_ ? "sent" : "dry_run"}).inc();
    log_event(info, "fleet_order",
              "block order {order_id}: {side} {quantity} {symbol} @ {price:.4f} for {accounts} accounts",
              "order_id"_a = o.order_id, "side"_a = core::to_string(o.side), "quantity"_a = o.quantity,
              "symbol"_a = o.symbol, "price"_a = o.reference_price, "accounts"_a = o.allocations.size());
  };
  // Scheduled children due now first (written when they were decided), then
  // the new orders but for the children scheduled for later.
  for (const fleet::DeskOrder& o : out_.released) send(to_order(o));
  std::size_t later = 0;
  for (std::size_t i = 0; i < orders.size(); ++i) {
    if (out_.orders[i].scheduled) {
      ++later;
    } else {
      send(orders[i]);
    }
  }
  if (later > 0) {
    log_event(info, "fleet_children_scheduled",
              "{count} child orders of sliced blocks written, to leave one slicing interval apart ({waiting} waiting "
              "in all)",
              "count"_a = later, "waiting"_a = desk_->scheduled_children());
  }
  out_.clear();
}

void FleetFlow::health_problems(std::vector<std::string>& problems) const {
  if (!desk_) return;
  const std::vector<std::string> unknown = desk_->unknown_blocks();
  if (unknown.empty()) return;
  std::string ids;
  for (std::size_t i = 0; i < unknown.size() && i < 5; ++i) ids += (i ? ", " : "") + unknown[i];
  if (unknown.size() > 5) ids += ", ...";
  problems.push_back(std::to_string(unknown.size()) + " block order" + (unknown.size() == 1 ? "" : "s") +
                     " unknown (" + ids + "): resolve with ballast orders resolve");
}

void FleetFlow::add_metrics(MetricsRegistry& metrics) {
  orders_metric_ = &metrics.counter_family("ballast_fleet_block_orders_total", "Block orders of the fleet sent.",
                                           {"outcome"});
  auto& accounts = metrics.gauge_family("ballast_fleet_accounts", "Accounts of this daemon's fleet, by state.",
                                        {"state"});
  auto& rebalances = metrics.counter("ballast_fleet_rebalances_total", "Accounts of the fleet that decided to trade.");
  auto& fills = metrics.counter_family("ballast_fleet_fills_total", "Fill reports of block orders, by outcome.",
                                       {"outcome"});
  auto& denied = metrics.counter_family("ballast_fleet_denied_total",
                                        "Account trades of the fleet denied by [execution.limits], by reason.",
                                        {"reason"});
  auto& tax = metrics.counter_family("ballast_fleet_tax_decisions_total",
                                     "Tax decisions of the fleet: harvests, switches back, buys redirected or held "
                                     "back so as not to wash a loss, rebalances held by a model's dynamic trigger.",
                                     {"decision"});
  metrics.on_collect([this, &accounts, &rebalances, &fills, &denied, &tax] {
    accounts.with({"total"}).set(static_cast<double>(this->accounts()));
    accounts.with({"pending"}).set(desk_ ? static_cast<double>(desk_->pending_accounts()) : 0.0);
    if (!desk_) return;
    rebalances.advance_to(static_cast<double>(desk_->counters().rebalances));
    fills.with({"applied"}).advance_to(static_cast<double>(desk_->counters().fills_applied));
    fills.with({"refused"}).advance_to(static_cast<double>(desk_->counters().fills_refused));
    for (int r = 0; r < execution::kDenyReasonCount; ++r) {
      const std::uint64_t n = desk_->counters().denied[static_cast<std::size_t>(r)];
      if (n > 0) denied.with({std::string(execution::to_string(static_cast<execution::DenyReason>(r)))}).advance_to(static_cast<double>(n));
    }
    const fleet::DeskCounters& c = desk_->counters();
    tax.with({"harvest"}).advance_to(static_cast<double>(c.harvests));
    tax.with({"switch_back"}).advance_to(static_cast<double>(c.switches_back));
    tax.with({"buy_redirected"}).advance_to(static_cast<double>(c.buys_redirected));
    tax.with({"buy_held_back"}).advance_to(static_cast<double>(c.buys_held_back));
    tax.with({"sell_held_back"}).advance_to(static_cast<double>(c.sells_held_back));
    tax.with({"rebalance_held"}).advance_to(static_cast<double>(c.rebalances_held));
  });
}

void FleetFlow::take_summary() const {
  summary_ = desk_->summary();
  memory_ = desk_->memory();
  summary_at_ = SteadyClock::now();
}

bool FleetFlow::next_summary_slice() {
  if (!pass_ || !desk_) return false;
  const std::size_t size = desk_->book().size();
  const std::size_t end = std::min(size, std::size_t{pass_->next} + kSummarySlice);
  desk_->summarise_part(pass_->next, static_cast<fleet::AccountIndex>(end), pass_->partial);
  pass_->lot_bytes += desk_->lot_bytes(pass_->next, static_cast<fleet::AccountIndex>(end));
  pass_->next = static_cast<fleet::AccountIndex>(end);
  if (end < size) return true;
  summary_ = pass_->partial;
  memory_ = desk_->memory(pass_->lot_bytes);
  summary_at_ = SteadyClock::now();
  pass_.reset();
  return false;
}

void FleetFlow::write_status(core::JsonWriter& w, core::TimeNs now) const {
  w.begin_object();
  w.field("models", variants_.base_count()).field("model_variants", variants_.variant_count());
  w.field("accounts", accounts());
  w.field("accounts_in_file", accounts_in_file_);
  w.field("started", desk_ != nullptr);
  if (desk_) {
    // A pass over every account: at most once a second, however often
    // /status is asked, and in slices when the book is larger than one.
    if (!summary_) {
      // Asked before the start's pass has ended: the whole of it now.
      pass_.reset();
      take_summary();
    } else if (!pass_ && SteadyClock::now() - summary_at_ >= kSummaryMaxAge) {
      if (desk_->book().size() <= kSummarySlice) {
        take_summary();
      } else {
        pass_ = SummaryPass{};
      }
    }
    const fleet::FleetSummary& s = *summary_;
    w.field("summary_age_s", std::chrono::duration<double>(SteadyClock::now() - summary_at_).count());
    w.key("states")
        .begin_object()
        .field("pending", desk_->pending_accounts())
        .field("breaching", s.breaching)
        .field("unvalued", s.unvalued)
        .field("stuck", desk_->stuck_accounts())
        .end_object();
    w.key("drift_histogram").begin_array();
    for (std::size_t b = 0; b < s.drift.counts.size(); ++b) {
      w.begin_object();
      w.field("from", b == 0 ? 0.0 : fleet::DriftHistogram::kEdges[b - 1]);
      w.key("to");
      if (b < fleet::DriftHistogram::kEdges.size()) w.value(fleet::DriftHistogram::kEdges[b]);
      else w.null();
      w.field("accounts", s.drift.counts[b]).end_object();
    }
    w.end_array();
    const fleet::DeskCounters& c = desk_->counters();
    w.field("rebalances", c.rebalances).field("calendar_rebalances", c.calendar_rebalances);
    w.field("block_orders", c.blocks_sent).field("allocations", c.allocations_sent);
    w.field("open_block_orders", desk_->open_blocks());
    w.field("sliced_blocks", c.blocks_sliced).field("children_scheduled", desk_->scheduled_children());
    w.key("unknown_block_orders").begin_array();
    for (const std::string& id : desk_->unknown_blocks()) w.value(id);
    w.end_array();
    w.field("fills_applied", c.fills_applied).field("fills_refused", c.fills_refused);
    w.key("denied").begin_object();
    for (int r = 0; r < execution::kDenyReasonCount; ++r) {
      const std::uint64_t n = c.denied[static_cast<std::size_t>(r)];
      if (n > 0) w.field(execution::to_string(static_cast<execution::DenyReason>(r)), n);
    }
    w.end_object();
    w.key("tax")
        .begin_object()
        .field("harvests", c.harvests)
        .field("switches_back", c.switches_back)
        .field("buys_redirected", c.buys_redirected)
        .field("buys_held_back", c.buys_held_back)
        .field("sells_held_back", c.sells_held_back)
        .field("rebalances_held", c.rebalances_held)
        .end_object();
    write_micros(w, "tick_to_order_us", latency_);
    write_micros(w, "order_commit_us", commit_latency_);
    w.field("rezones", desk_->monitor().counters().rezones);
    constexpr double kMB = 1 << 20;
    w.key("memory_mb")
        .begin_object()
        .field("book", static_cast<double>(memory_.book) / kMB)
        .field("zones", static_cast<double>(memory_.zones) / kMB)
        .field("ids", static_cast<double>(memory_.ids) / kMB)
        .field("lots", static_cast<double>(memory_.lots) / kMB)
        .end_object();
  }
  // Completed minutes only: the current one is still counting.
  const auto minute = now / kMinute;
  std::uint64_t last = 0;
  for (const auto& [m, n] : per_minute_) {
    if (m == minute - 1) last = n;
  }
  w.field("rebalances_last_minute", last);
  w.end_object();
}

}  // namespace ballast::daemon
