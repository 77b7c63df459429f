// Limit orders in the engine: their price when they are made, and what
// happens when one outlives its time to live (README "Limit orders").
#include <utility>

#include "core/time.hpp"
#include "engine/engine.hpp"
#include "engine/ids.hpp"
#include "execution/limit_price.hpp"

namespace ballast::engine {

void Engine::price_limit(const PortfolioState& p, core::SymbolId symbol, core::Order& o, core::TimeNs now) const {
  const execution::LimitOrderSpec& spec = *p.spec.limit;
  o.order_type = core::OrderType::limit;
  o.limit_price = execution::limit_price(spec, o.side, prices_[symbol], bids_[symbol], asks_[symbol]);
  // limit_price has a price whenever the order has one; never a limit of 0.
  if (!(o.limit_price > 0)) o.limit_price = o.reference_price;
  // Booked when sent (dry-run, no fills endpoint): nothing rests, nothing expires.
  o.expire_at = options_.book_on_send ? 0 : now + spec.ttl;
}

void Engine::expire_limit_orders(core::TimeNs now, Output& out) {
  for (auto& [id, o] : open_) {
    // An unknown order is the operator's; a cancelled one waits for its report.
    if (o.expire_at == 0 || now < o.expire_at || o.state == core::OrderState::unknown) continue;
    const PortfolioState& p = portfolios_[o.portfolio];
    const auto& spec = p.spec.limit;
    // A replace is a new price, so a new decision: not under the kill switch,
    // not on a stale price, not past max_replaces.
    double price = 0;
    if (spec && spec->on_expiry == execution::OnExpiry::replace && o.replaces < spec->max_replaces && !killed_ &&
        !stale(o.symbol)) {
      price = execution::limit_price(*spec, o.side, prices_[o.symbol], bids_[o.symbol], asks_[o.symbol]);
    }
    if (price > 0 && price == o.limit_price) {
      // The quote has not moved: the order keeps its place in the queue.
      ++o.replaces;
      o.expire_at = now + spec->ttl;
      continue;
    }
    core::OrderAmendment a;
    a.order_id = id;
    a.request_id = make_id(p.spec.id, core::format_yyyymmdd(now), seq_.next_order++);
    a.portfolio = p.spec.id;
    a.symbol = symbols_.name(o.symbol);
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

}  // namespace ballast::engine
