#include "offline/fleet_run.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/numbers.hpp"
#include "fleet/account_view.hpp"
#include "fleet/book_builder.hpp"
#include "fleet/rebalancer.hpp"
#include "offline/metrics.hpp"
#include "tax/holding_period.hpp"

namespace ballast::offline {
namespace {

void add_scaled(fleet::CostTally& into, const fleet::CostTally& from, double share) {
  into.commission += share * from.commission;
  into.spread += share * from.spread;
  into.slippage += share * from.slippage;
  into.impact += share * from.impact;
}

/// One setup of `models` and `records`, with no setup without harvesting.
FleetSetupResult make_one_setup(std::span<const strategies::PortfolioSpec> models,
                                std::span<const fleet::AccountRecord> records, core::DurationNs window,
                                tax::TermRule rule) {
  FleetSetupResult result;
  if (models.empty()) {
    result.errors.push_back("no [[models]] for the accounts to follow");
    return result;
  }
  if (records.empty()) result.errors.push_back("no accounts to run");
  auto setup = std::make_unique<FleetSetup>();
  fleet::BookOfModels built = fleet::book_of_models(models, setup->symbols);
  if (!built.book) {
    result.errors.push_back(built.error);
    return result;
  }
  setup->book = std::move(built.book);
  setup->model_ids = built.model_ids;
  setup->variants = fleet::ModelVariants(std::move(built.model_ids));
  setup->window = window;
  setup->lots = fleet::AccountLots(rule);
  for (const strategies::PortfolioSpec& m : models) setup->costs.push_back(m.costs.value_or(execution::CostParams{}));
  setup->accounts_of_model.assign(models.size(), 0);
  fleet::BookPlace scratch;
  for (const fleet::AccountRecord& r : records) {
    if (auto why = fleet::add_record(*setup->book, setup->variants, setup->symbols, r, scratch)) {
      result.errors.push_back(*why);
      continue;
    }
    const auto a = static_cast<fleet::AccountIndex>(setup->book->size() - 1);
    ++setup->accounts_of_model[setup->model_of(a)];
    if (r.lots.empty() && r.lot_method == tax::CloseMethod::fifo) continue;
    if (auto why = setup->lots.restore(a, r, setup->symbols)) result.errors.push_back("account " + r.id + ": " + *why);
  }
  if (result.errors.empty()) result.setup = std::move(setup);
  return result;
}

}  // namespace

FleetSetupResult make_fleet_setup(std::span<const strategies::PortfolioSpec> models,
                                  std::span<const fleet::AccountRecord> records, core::DurationNs window,
                                  tax::TermRule rule) {
  FleetSetupResult result = make_one_setup(models, records, window, rule);
  const bool harvests = std::any_of(models.begin(), models.end(),
                                    [](const strategies::PortfolioSpec& m) { return m.tax.harvest.has_value(); });
  if (!result.setup || !harvests) return result;
  std::vector<strategies::PortfolioSpec> plain(models.begin(), models.end());
  for (strategies::PortfolioSpec& m : plain) m.tax.harvest.reset();
  FleetSetupResult without = make_one_setup(plain, records, window, rule);
  // Only the harvest rules differ, and the book never looks at them: what one refuses the other does.
  if (!without.setup) {
    result.setup.reset();
    result.errors = std::move(without.errors);
    return result;
  }
  result.setup->without_harvest = std::move(without.setup);
  return result;
}

AfterTax after_tax(double start_value, double final_value, const FleetTax& tax, core::TimeNs from, core::TimeNs to) {
  AfterTax a;
  a.final_value = final_value;
  a.tax_paid = tax.tax_paid;
  a.liquidation_tax = tax.liquidation_tax;
  a.value = final_value - tax.tax_paid;
  a.liquidation_value = a.value - tax.liquidation_tax;
  const std::array<core::TimeNs, 2> times{from, to};
  a.annualised_return = annualised_return(times, std::array{start_value, a.value});
  a.liquidation_annualised_return = annualised_return(times, std::array{start_value, a.liquidation_value});
  return a;
}

fleet::CostTally FleetTally::saving() const {
  fleet::BlockSaving s;
  s.separate = separate;
  s.netted = blocks;
  return s.saving();
}

FleetRun::FleetRun(const FleetSetup& setup, bool keep_orders)
    : setup_(setup),
      last_(setup.symbols.size(), 0.0),
      models_(setup.model_ids.size()),
      keep_orders_(keep_orders),
      seen_in_call_(setup.book->size(), 0) {
  for (core::SymbolId s = 0; s < setup.symbols.size(); ++s) {
    fleet::SymbolMarket m;
    m.symbol = setup.symbols.name(s);
    markets_.push_back(m);
  }
}

FleetRun::~FleetRun() = default;

void FleetRun::row(std::span<const double> prices, core::TimeNs t) {
  if (desk_ && desk_->window_closes_at() != 0 && desk_->window_closes_at() <= t) {
    now_ = desk_->window_closes_at();
    out_.clear();
    desk_->on_timer(desk_->window_closes_at(), out_);
    take(out_);
  }
  for (std::size_t s = 0; s < last_.size() && s < prices.size(); ++s) {
    if (core::finite_positive(prices[s])) last_[s] = prices[s];
  }
  now_ = t;
  out_.clear();
  if (!desk_) {
    if (std::any_of(last_.begin(), last_.end(), [](double p) { return p == 0; })) return;
    fleet::FleetMonitor monitor(*setup_.book, last_, fleet::Fills::on_settle);
    desk_ = std::make_unique<fleet::FleetDesk>(
        std::move(monitor), setup_.symbols,
        fleet::DeskOptions{.window = setup_.window, .book_on_send = true, .calendar_slice = 0, .calendar_trades = 0},
        [this] { return next_seq_++; }, setup_.lots);
    desk_->resync(t, out_);
    take(out_);
  } else {
    for (std::size_t s = 0; s < last_.size() && s < prices.size(); ++s) {
      if (!core::finite_positive(prices[s])) continue;
      out_.clear();
      desk_->on_tick(static_cast<core::SymbolId>(s), prices[s], t, out_);
      take(out_);
    }
  }
  out_.clear();
  desk_->on_timer(t, out_);
  take(out_);
}

void FleetRun::finish() {
  if (!desk_ || desk_->window_closes_at() == 0) return;
  now_ = desk_->window_closes_at();
  out_.clear();
  desk_->on_timer(desk_->window_closes_at(), out_);
  take(out_);
}

void FleetRun::take(fleet::DeskOutput& out) {
  refusals_ += out.refusals.size();
  if (out.orders.empty() && out.released.empty()) return;
  ++call_;
  const fleet::AccountBook& book = desk_->book();
  // The orders as they leave: children of sliced blocks when they are due
  // (on the first row at or after it), not when they are decided; a child
  // leaving is not a rebalance of its accounts.
  std::vector<const fleet::DeskOrder*> sent;
  for (const fleet::DeskOrder& o : out.released) sent.push_back(&o);
  const std::size_t released = sent.size();
  for (const fleet::DeskOrder& o : out.orders) {
    if (!o.scheduled) sent.push_back(&o);
  }
  for (std::size_t i = 0; i < sent.size(); ++i) {
    const fleet::DeskOrder& o = *sent[i];
    const fleet::BlockOrder& b = o.block;
    ++fleet_.block_orders;
    fleet_.allocations += b.allocations.size();
    fleet_.traded_value += b.quantity() * b.reference_price;
    for (const fleet::BlockAllocation& a : b.allocations) {
      FleetTally& m = models_[setup_.variants.base(book.model_index(a.account))];
      ++m.allocations;
      m.traded_value += static_cast<double>(a.lots) * b.lot_size * b.reference_price;
      if (i >= released && seen_in_call_[a.account] != call_) {
        seen_in_call_[a.account] = call_;
        ++m.rebalances;
        ++fleet_.rebalances;
      }
    }
    cost_block(b);
    if (keep_orders_) orders_.push_back(o);
  }
}

void FleetRun::cost_block(const fleet::BlockOrder& b) {
  const fleet::AccountBook& book = desk_->book();
  const std::size_t max_allocations = fleet::DeskOptions{}.max_allocations_per_block;
  trades_.clear();
  std::vector<fleet::ModelIndex> present;
  for (const fleet::BlockAllocation& a : b.allocations) {
    trades_.push_back({a.account, b.symbol, b.side, a.lots, b.reference_price, b.lot_size});
    const fleet::ModelIndex m = setup_.variants.base(book.model_index(a.account));
    if (std::find(present.begin(), present.end(), m) == present.end()) present.push_back(m);
  }
  for (const fleet::ModelIndex m : present) {
    const execution::CostParams& params = setup_.costs[m];
    own_.clear();
    std::uint64_t lots = 0;
    for (const fleet::AccountTrade& t : trades_) {
      if (setup_.variants.base(book.model_index(t.account)) != m) continue;
      own_.push_back(t);
      lots += t.lots;
    }
    const fleet::BlockSaving alone = fleet::estimate_block_saving(own_, params, markets_, max_allocations);
    const fleet::BlockSaving whole = fleet::estimate_block_saving(trades_, params, markets_, max_allocations);
    const double share = static_cast<double>(lots) / static_cast<double>(b.lots);
    FleetTally& tally = models_[m];
    add_scaled(tally.separate, alone.separate, 1.0);
    tally.separate.tickets += alone.separate.tickets;
    add_scaled(tally.blocks, whole.netted, share);
    ++tally.blocks.tickets;
    ++tally.block_orders;
    add_scaled(fleet_.separate, alone.separate, 1.0);
    fleet_.separate.tickets += alone.separate.tickets;
    add_scaled(fleet_.blocks, whole.netted, share);
  }
  ++fleet_.blocks.tickets;
}

void FleetRun::values(std::vector<double>& per_model) const {
  per_model.assign(setup_.model_ids.size(), 0.0);
  if (!desk_) return;
  const fleet::AccountBook& book = desk_->book();
  const std::span<const double> prices = desk_->monitor().prices();
  const bool exact_book = desk_->stuck_accounts() == 0;
  for (fleet::AccountIndex a = 0; a < book.size(); ++a) {
    const fleet::Model& m = book.model(a);
    double v = 0;
    if (exact_book) {
      // Booked on send, an account's fills are in the book as soon as its blocks leave.
      const std::span<const double> q = book.quantities(a);
      v = book.cash(a);
      for (std::size_t i = 0; i < q.size(); ++i) v += q[i] * prices[m.symbols[i]];
    } else {
      const fleet::Position p = desk_->position(a);
      v = p.cash;
      for (std::size_t i = 0; i < p.quantities.size(); ++i) v += p.quantities[i] * prices[m.symbols[i]];
    }
    per_model[setup_.variants.base(book.model_index(a))] += v;
  }
}

std::size_t FleetRun::stuck_accounts() const { return desk_ ? desk_->stuck_accounts() : 0; }

std::optional<std::vector<FleetDrift>> FleetRun::drift() const {
  if (!desk_) return std::nullopt;
  std::vector<FleetDrift> per_model(setup_.model_ids.size());
  const fleet::AccountBook& book = desk_->book();
  const std::span<const double> prices = desk_->monitor().prices();
  fleet::Rebalancer decide;
  for (fleet::AccountIndex a = 0; a < book.size(); ++a) {
    FleetDrift& d = per_model[setup_.variants.base(book.model_index(a))];
    const double drift = fleet::max_abs_drift(book, a, prices);
    ++d.accounts;
    if (decide.in_breach(book, a, prices)) ++d.breaching;
    d.max_abs_drift = std::max(d.max_abs_drift, drift);
    d.mean_abs_drift += drift;  // a sum until the end
    ++d.histogram.counts[fleet::DriftHistogram::bucket(drift)];
  }
  for (FleetDrift& d : per_model) d.mean_abs_drift = d.accounts > 0 ? d.mean_abs_drift / static_cast<double>(d.accounts) : 0.0;
  return per_model;
}

FleetDrift FleetRun::total(std::span<const FleetDrift> per_model) {
  FleetDrift t;
  double sum = 0;
  for (const FleetDrift& d : per_model) {
    t.accounts += d.accounts;
    t.breaching += d.breaching;
    t.max_abs_drift = std::max(t.max_abs_drift, d.max_abs_drift);
    sum += d.mean_abs_drift * static_cast<double>(d.accounts);
    for (std::size_t i = 0; i < t.histogram.counts.size(); ++i) t.histogram.counts[i] += d.histogram.counts[i];
  }
  t.mean_abs_drift = t.accounts > 0 ? sum / static_cast<double>(t.accounts) : 0.0;
  return t;
}

void FleetRun::taxes(std::vector<FleetTax>& per_model) const {
  per_model.assign(setup_.model_ids.size(), FleetTax{});
  for (std::size_t m = 0; m < per_model.size(); ++m) per_model[m].rates = setup_.book->models()[m].tax_rates;
  if (!desk_) return;
  const fleet::AccountBook& book = desk_->book();
  const fleet::AccountLots& lots = desk_->lots();
  const std::span<const double> prices = desk_->monitor().prices();
  const tax::Day today = tax::day_of(now_);
  for (fleet::AccountIndex a = 0; a < book.size(); ++a) {
    FleetTax& t = per_model[setup_.model_of(a)];
    // A variant keeps its model's rates; each account is taxed at its own all the same.
    const std::optional<tax::TaxRates>& rates = book.model(a).tax_rates;
    double short_term = 0;
    double long_term = 0;
    for (const tax::YearTotals& y : lots.realised(a)) {
      short_term += y.short_term.gain;
      long_term += y.long_term.gain;
    }
    const fleet::AccountLotsView v = lots.view(a, today, prices);
    t.realised_short_term += short_term;
    t.realised_long_term += long_term;
    t.unrealised_short_term += v.unrealised_short_term;
    t.unrealised_long_term += v.unrealised_long_term;
    if (!rates) continue;
    t.tax_paid += rates->tax_on(short_term, tax::Term::short_term) + rates->tax_on(long_term, tax::Term::long_term);
    t.liquidation_tax += rates->tax_on(v.unrealised_short_term, tax::Term::short_term) +
                         rates->tax_on(v.unrealised_long_term, tax::Term::long_term);
  }
}

FleetTax FleetRun::total(std::span<const FleetTax> per_model) {
  FleetTax t;
  for (const FleetTax& m : per_model) {
    t.realised_short_term += m.realised_short_term;
    t.realised_long_term += m.realised_long_term;
    t.tax_paid += m.tax_paid;
    t.unrealised_short_term += m.unrealised_short_term;
    t.unrealised_long_term += m.unrealised_long_term;
    t.liquidation_tax += m.liquidation_tax;
  }
  return t;
}

}  // namespace ballast::offline
