#include "cli/paper_filler.hpp"

#include <algorithm>
#include <cmath>

namespace ballast::cli {
namespace {

bool is_whole(double q) { return std::floor(q) == q; }

bool marketable(const core::Order& order, double price) {
  if (order.order_type == core::OrderType::market) return true;
  return order.side == core::Side::buy ? price <= order.limit_price : price >= order.limit_price;
}

PaperReport make_report(const core::Order& order, core::FillStatus status, double quantity, double price,
                        core::TimeNs now) {
  PaperReport r;
  r.order = order;
  r.report.order_id = order.order_id;
  r.report.status = status;
  r.report.filled_quantity = quantity;
  r.report.avg_price = price;
  r.report.ts = now;
  return r;
}

}  // namespace

std::vector<PaperReport> PaperFiller::on_price(std::string_view symbol, double price, core::TimeNs now, double bid,
                                               double ask) {
  std::vector<PaperReport> reports;
  if (!std::isfinite(price) || price <= 0 || symbol.empty()) return reports;
  last_prices_.insert_or_assign(std::string(symbol), LastPrice{price, bid, ask});
  std::erase_if(resting_, [&](const core::Order& order) {
    if (order.symbol != symbol) return false;
    const std::optional<double> at = execution_price(order);
    return at && try_fill(order, *at, now, reports);
  });
  return reports;
}

std::optional<double> PaperFiller::last_price(std::string_view symbol) const {
  auto it = last_prices_.find(std::string(symbol));
  if (it == last_prices_.end()) return std::nullopt;
  return it->second.price;
}

bool PaperFiller::is_resting(std::string_view order_id) const {
  return std::any_of(resting_.begin(), resting_.end(), [&](const core::Order& o) { return o.order_id == order_id; });
}

std::optional<double> PaperFiller::execution_price(const core::Order& order) const {
  const auto last = last_prices_.find(order.symbol);
  const bool seen = last != last_prices_.end();
  const double market = seen ? last->second.price : order.reference_price;
  if (!std::isfinite(market) || market <= 0 || !std::isfinite(order.quantity) || order.quantity <= 0) {
    return std::nullopt;
  }
  double price = 0;
  if (const auto it = rules_.costs.find(order.portfolio); it != rules_.costs.end()) {
    execution::CostInputs in;
    in.symbol = order.symbol;
    in.quantity = order.quantity;
    in.price = market;
    if (seen) {
      in.bid = last->second.bid;
      in.ask = last->second.ask;
    }
    if (const auto vol = it->second.volatility.find(order.symbol); vol != it->second.volatility.end()) {
      in.daily_volatility = vol->second / std::sqrt(252.0);
    }
    const execution::CostBreakdown cost = execution::estimate_cost(it->second.params, in);
    const double commission_per_unit = cost.commission / order.quantity;
    price = order.side == core::Side::buy ? cost.fill_price(order.side) + commission_per_unit
                                          : cost.fill_price(order.side) - commission_per_unit;
  } else {
    const double slip = rules_.slippage_bps / 1e4;
    price = order.side == core::Side::buy ? market * (1 + slip) : market * (1 - slip);
  }
  if (!(price > 0) || !std::isfinite(price)) return std::nullopt;
  return price;
}

bool PaperFiller::try_fill(const core::Order& order, double price, core::TimeNs now,
                           std::vector<PaperReport>& out) const {
  if (!marketable(order, price)) return false;
  if (rules_.partial) {
    // Halves in whole units when the order is in whole units, since the
    // gateway does not know the lot size; a single unit cannot be split.
    double first = order.quantity / 2;
    if (is_whole(order.quantity)) first = std::floor(order.quantity / 2);
    if (first > 0 && first < order.quantity) {
      out.push_back(make_report(order, core::FillStatus::partially_filled, first, price, now));
    }
  }
  out.push_back(make_report(order, core::FillStatus::filled, order.quantity, price, now));
  return true;
}

PaperOutcome PaperFiller::submit(const core::Order& order, core::TimeNs now) {
  PaperOutcome outcome;
  if (!order_ids_.insert(order.order_id).second) {
    outcome.dropped = "order id seen before";
    return outcome;
  }
  ++orders_seen_;
  const auto reject = [&] {
    outcome.reports.push_back(make_report(order, core::FillStatus::rejected, 0, 0, now));
    return outcome;
  };
  if (rules_.reject_every > 0 && orders_seen_ % rules_.reject_every == 0) return reject();
  const std::optional<double> price = execution_price(order);
  if (!price) return reject();
  if (!try_fill(order, *price, now, outcome.reports)) resting_.push_back(order);
  return outcome;
}

PaperOutcome PaperFiller::amend(const core::OrderAmendment& a, core::TimeNs now) {
  PaperOutcome outcome;
  if (!request_ids_.insert(a.request_id).second) {
    outcome.dropped = "request id seen before";
    return outcome;
  }
  const auto it = std::find_if(resting_.begin(), resting_.end(),
                               [&](const core::Order& o) { return o.order_id == a.order_id; });
  if (it == resting_.end()) {
    // A filled order's "filled" report was its answer; an unknown one has none.
    outcome.dropped = order_ids_.contains(a.order_id) ? "order is no longer open" : "unknown order";
    return outcome;
  }
  if (a.action == core::AmendAction::cancel) {
    // Resting orders fill in full or not at all: nothing of it is filled.
    outcome.reports.push_back(make_report(*it, core::FillStatus::cancelled, 0, 0, now));
    resting_.erase(it);
    return outcome;
  }
  if (!std::isfinite(a.quantity) || a.quantity <= 0 || !std::isfinite(a.limit_price) || a.limit_price <= 0) {
    outcome.dropped = "replace needs a quantity and a limit price above 0";
    return outcome;
  }
  core::Order& order = *it;
  order.order_type = core::OrderType::limit;
  order.quantity = a.quantity;
  order.limit_price = a.limit_price;
  const std::optional<double> price = execution_price(order);
  if (price && try_fill(order, *price, now, outcome.reports)) resting_.erase(it);
  return outcome;
}

}  // namespace ballast::cli
