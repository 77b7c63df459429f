#include "engine/order_book.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <utility>

#include "core/time.hpp"
#include "execution/limit_price.hpp"

namespace ballast::engine {
namespace {

// Quantities equal up to the noise of summed partial fills.
constexpr double kQuantityEpsilon = 1e-9;

void finish_order(PortfolioState& p, core::OrderState state) {
  if (p.open_orders > 0) --p.open_orders;
  switch (state) {
    case core::OrderState::filled: ++p.orders_filled; break;
    case core::OrderState::rejected: ++p.orders_rejected; break;
    case core::OrderState::cancelled: ++p.orders_cancelled; break;
    default: break;
  }
}

}  // namespace

bool OrderBook::add(std::string order_id, const OpenOrder& o, PortfolioState& p) {
  if (!open_.emplace(std::move(order_id), o).second) return false;
  ++p.open_orders;
  return true;
}

void OrderBook::mark_sent(const std::string& order_id) {
  if (const auto it = open_.find(order_id); it != open_.end() && it->second.state == core::OrderState::created) {
    it->second.state = core::OrderState::sent;
  }
}

void OrderBook::on_fill(const core::FillReport& fill, std::span<PortfolioState> portfolios, ChangeSet& changed,
                        Output& out) {
  if (const auto it = open_.find(fill.order_id); it != open_.end()) {
    report_on(it, fill, false, portfolios, changed, out);
    return;
  }
  FillOutcome outcome;
  outcome.kind = FillOutcome::Kind::unknown_order;
  outcome.order_id = fill.order_id;
  outcome.status = fill.status;
  out.fills.push_back(std::move(outcome));
}

bool OrderBook::resolve(std::string_view order_id, std::optional<double> filled_quantity, double avg_price,
                        std::span<PortfolioState> portfolios, ChangeSet& changed, Output& out, std::string& error) {
  const auto it = open_.find(std::string(order_id));
  if (it == open_.end()) {
    error = "no unfinished order " + std::string(order_id);
    return false;
  }
  const OpenOrder& o = it->second;
  core::FillReport report;
  report.order_id = it->first;
  if (!filled_quantity) {
    // Nothing more will fill: what is booked is what happened.
    report.status = core::FillStatus::cancelled;
    report.filled_quantity = o.booked_quantity;
    report.avg_price = o.booked_quantity > 0 ? o.booked_value / o.booked_quantity : 0;
  } else {
    const double q = *filled_quantity;
    char why[200] = "";
    if (!std::isfinite(q) || q < 0) {
      std::snprintf(why, sizeof why, "filled quantity %g: expected a number >= 0", q);
    } else if (q + kQuantityEpsilon < o.booked_quantity) {
      std::snprintf(why, sizeof why, "filled quantity %g is less than the %g already booked", q, o.booked_quantity);
    } else if (q > o.quantity * (1 + 1e-9) + kQuantityEpsilon) {
      std::snprintf(why, sizeof why, "filled quantity %g is more than the %g ordered", q, o.quantity);
    } else if (q > 0 && !(std::isfinite(avg_price) && avg_price > 0)) {
      std::snprintf(why, sizeof why, "price %g: a filled quantity needs a positive average price", avg_price);
    }
    if (why[0]) {
      error = why;
      return false;
    }
    report.status = q + kQuantityEpsilon >= o.quantity ? core::FillStatus::filled : core::FillStatus::cancelled;
    report.filled_quantity = q;
    report.avg_price = avg_price;
  }
  report_on(it, report, true, portfolios, changed, out);
  return true;
}

void OrderBook::report_on(std::unordered_map<std::string, OpenOrder>::iterator it, const core::FillReport& fill,
                          bool by_operator, std::span<PortfolioState> portfolios, ChangeSet& changed, Output& out) {
  OpenOrder& o = it->second;
  PortfolioState& p = portfolios[o.portfolio];
  FillOutcome outcome;
  outcome.order_id = it->first;
  outcome.status = fill.status;
  outcome.by_operator = by_operator;
  const bool was_unknown = o.state == core::OrderState::unknown;
  apply_report(o, fill, by_operator, p, changed, outcome);
  if (outcome.kind == FillOutcome::Kind::applied && outcome.finished) {
    if (was_unknown) {
      --unknown_;
      if (p.unknown_orders > 0) --p.unknown_orders;
    }
    finish_order(p, outcome.state);
    open_.erase(it);
  }
  out.fills.push_back(std::move(outcome));
}

void OrderBook::apply_report(OpenOrder& o, const core::FillReport& fill, bool by_operator, PortfolioState& p,
                             ChangeSet& changed, FillOutcome& outcome) {
  outcome.portfolio = o.portfolio;
  const double cum_qty = fill.filled_quantity;
  const double cum_value = fill.filled_quantity * fill.avg_price;
  // Reports are cumulative: a report that goes backwards or past the order, or
  // fills at a price far from the one the order was decided at, is not
  // trusted and changes nothing.
  char why[200] = "";
  if (!std::isfinite(cum_qty) || cum_qty + kQuantityEpsilon < o.booked_quantity) {
    std::snprintf(why, sizeof why, "filled quantity %g goes back from the %g booked", cum_qty, o.booked_quantity);
  } else if (cum_qty > o.quantity * (1 + 1e-9) + kQuantityEpsilon) {
    std::snprintf(why, sizeof why, "filled quantity %g is more than the %g ordered", cum_qty, o.quantity);
  } else if (cum_qty > 0 && !(std::isfinite(fill.avg_price) && fill.avg_price > 0)) {
    std::snprintf(why, sizeof why, "average price %g is not a positive number", fill.avg_price);
  } else if (const auto& collar = collar_;
             !by_operator && collar && cum_qty > 0 && o.reference_price > 0 &&
             std::abs(fill.avg_price / o.reference_price - 1) > *collar) {
    std::snprintf(why, sizeof why, "average price %g is beyond the fill price collar of %g around %g",
                  fill.avg_price, *collar, o.reference_price);
  }
  if (why[0]) {
    outcome.kind = FillOutcome::Kind::inconsistent;
    outcome.detail = why;
    return;
  }
  const double dq = cum_qty - o.booked_quantity;
  const double dv = cum_value - o.booked_value;
  if (dq > kQuantityEpsilon) {
    changed.mark(o.portfolio);
    book_trade(p, o.symbol, o.side, dq, dv);
    // What the fill cost against the price the order was decided at.
    const double shortfall = o.side == core::Side::buy ? dv - dq * o.reference_price : dq * o.reference_price - dv;
    if (o.reference_price > 0) p.costs_realized += shortfall;
    outcome.quantity_delta = dq;
    outcome.price = dv / dq;
    o.booked_quantity = cum_qty;
    o.booked_value = cum_value;
  }
  outcome.finished = fill.status != core::FillStatus::partially_filled;
  switch (fill.status) {
    case core::FillStatus::filled: o.state = core::OrderState::filled; break;
    // Still no final report: an unknown order stays unknown.
    case core::FillStatus::partially_filled:
      if (o.state != core::OrderState::unknown) o.state = core::OrderState::partially_filled;
      break;
    case core::FillStatus::rejected: o.state = core::OrderState::rejected; break;
    case core::FillStatus::cancelled: o.state = core::OrderState::cancelled; break;
  }
  outcome.state = o.state;
  outcome.filled_quantity = o.booked_quantity;
  outcome.filled_value = o.booked_value;
}

void OrderBook::time_out(core::TimeNs now, core::DurationNs timeout, std::span<PortfolioState> portfolios,
                         Output& out) {
  // No final report in time: the order may have filled, in part or whole,
  // or never reached the market. It stays open and holds its portfolio;
  // nothing is decided on positions that may have moved.
  for (auto& [id, o] : open_) {
    if (o.state == core::OrderState::unknown || now - o.sent_at < timeout) continue;
    o.state = core::OrderState::unknown;
    ++unknown_;
    ++portfolios[o.portfolio].unknown_orders;
    FillOutcome timed_out;
    timed_out.kind = FillOutcome::Kind::timed_out;
    timed_out.order_id = id;
    timed_out.portfolio = o.portfolio;
    timed_out.state = o.state;
    timed_out.filled_quantity = o.booked_quantity;
    timed_out.filled_value = o.booked_value;
    out.fills.push_back(std::move(timed_out));
  }
}

void price_limit(const core::LimitOrderSpec& spec, core::SymbolId symbol, const PriceTable& prices,
                 bool book_on_send, core::TimeNs now, core::Order& o) {
  o.order_type = core::OrderType::limit;
  o.limit_price = execution::limit_price(spec, o.side, prices.price(symbol), prices.bid(symbol), prices.ask(symbol));
  // limit_price has a price whenever the order has one; never a limit of 0.
  if (!(o.limit_price > 0)) o.limit_price = o.reference_price;
  // Booked when sent (dry-run, no fills endpoint): nothing rests, nothing expires.
  o.expire_at = book_on_send ? 0 : now + spec.ttl;
}

void OrderBook::expire_limit_orders(core::TimeNs now, std::span<const PortfolioState> portfolios,
                                    const PriceTable& prices, const Monitor& monitor,
                                    const core::SymbolTable& symbols, bool killed, Sequences& seq, Output& out) {
  for (auto& [id, o] : open_) {
    // An unknown order is the operator's; a cancelled one waits for its report.
    if (o.expire_at == 0 || now < o.expire_at || o.state == core::OrderState::unknown) continue;
    const PortfolioState& p = portfolios[o.portfolio];
    const auto& spec = p.spec.limit;
    // A replace is a new price, so a new decision: not under the kill switch,
    // not on a stale price, not past max_replaces.
    double price = 0;
    if (spec && spec->on_expiry == core::OnExpiry::replace && o.replaces < spec->max_replaces && !killed &&
        !monitor.stale(o.symbol)) {
      price = execution::limit_price(*spec, o.side, prices.price(o.symbol), prices.bid(o.symbol),
                                     prices.ask(o.symbol));
    }
    if (price > 0 && price == o.limit_price) {
      // The quote has not moved: the order keeps its place in the queue.
      ++o.replaces;
      o.expire_at = now + spec->ttl;
      continue;
    }
    core::OrderAmendment a;
    a.order_id = id;
    a.request_id = make_id(p.spec.id, core::format_yyyymmdd(now), seq.next_order++);
    a.portfolio = p.spec.id;
    a.symbol = symbols.name(o.symbol);
    a.side = o.side;
    a.created_at = now;
    if (price > 0) {
      a.action = core::AmendAction::replace;
      a.quantity = o.quantity;
      a.limit_price = price;
      o.limit_price = price;
      ++o.replaces;
      o.expire_at = now + spec->ttl;
    } else {
      a.action = core::AmendAction::cancel;
      o.expire_at = 0;
    }
    // The order timeout counts from the last request: an answer is due from then.
    o.sent_at = now;
    out.amendments.push_back(std::move(a));
  }
}

void OrderBook::add_plan(SlicePlan plan, PortfolioState& p) {
  plans_.push_back(std::move(plan));
  ++p.open_orders;  // the plan holds the portfolio until its last child is out
}

void OrderBook::end_plan(std::size_t k, PortfolioState& p) {
  if (p.open_orders > 0) --p.open_orders;
  plans_.erase(plans_.begin() + static_cast<std::ptrdiff_t>(k));
}

std::size_t OrderBook::pending_children(std::size_t portfolio) const {
  std::size_t n = 0;
  for (const auto& plan : plans_) {
    if (plan.portfolio == portfolio && plan.child > 0) n += static_cast<std::size_t>(std::ceil(plan.remaining / plan.child));
  }
  return n;
}

bool OrderBook::sells_pending(std::size_t portfolio) const {
  return std::any_of(plans_.begin(), plans_.end(),
                     [&](const SlicePlan& o) { return o.portfolio == portfolio && o.side == core::Side::sell; }) ||
         std::any_of(open_.begin(), open_.end(), [&](const auto& o) {
           return o.second.portfolio == portfolio && o.second.side == core::Side::sell;
         });
}

void OrderBook::reindex(std::span<const std::size_t> old_to_new, std::span<PortfolioState> portfolios) {
  // Orders and slices of a portfolio that was removed are forgotten: they book nowhere.
  std::erase_if(plans_, [&](SlicePlan& plan) {
    plan.portfolio = old_to_new[plan.portfolio];
    return plan.portfolio == SIZE_MAX;
  });
  for (auto it = open_.begin(); it != open_.end();) {
    const std::size_t moved = old_to_new[it->second.portfolio];
    if (moved == SIZE_MAX) {
      if (it->second.state == core::OrderState::unknown) --unknown_;
      it = open_.erase(it);
    } else {
      it->second.portfolio = moved;
      ++it;
    }
  }
  // A plan's asset index follows its symbol into the new asset order.
  std::erase_if(plans_, [&](SlicePlan& plan) {
    PortfolioState& p = portfolios[plan.portfolio];
    const auto it =
        std::find_if(p.assets.begin(), p.assets.end(), [&](const AssetState& a) { return a.symbol == plan.symbol; });
    if (it == p.assets.end()) {
      if (p.open_orders > 0) --p.open_orders;
      return true;
    }
    plan.asset = static_cast<std::size_t>(it - p.assets.begin());
    return false;
  });
}

}  // namespace ballast::engine
