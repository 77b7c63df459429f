#include "daemon/control_routes.hpp"

#include <spdlog/spdlog.h>

#include <cmath>
#include <optional>

#include "core/json_writer.hpp"
#include "core/wire_values.hpp"
#include "daemon/account_routes.hpp"
#include "daemon/dashboard_page.hpp"
#include "daemon/log_event.hpp"
#include "daemon/metrics.hpp"
#include "daemon/wall_clock.hpp"

namespace ballast::daemon {
namespace {

using namespace fmt::literals;

/// A control handler behind the bearer token, when one is configured.
HttpHandler guarded(const ControlContext& c, std::function<HttpResponse(const HttpRequest&)> handler) {
  return [&token = c.token, handler = std::move(handler)](const HttpRequest& req) {
    if (!token.empty() && !bearer_token_matches(req.authorization, token)) {
      HttpResponse r = text_response(401, "unauthorized: send Authorization: Bearer <token>");
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return r;
    }
    return handler(req);
  };
}

HttpResponse rebalance(const ControlContext& c, const HttpRequest& req) {
  const auto it = req.query.find("portfolio");
  const std::string id = it == req.query.end() ? std::string() : it->second;
  const engine::Refusal refusal = c.engine.rebalance_now(id, c.now(), c.out);
  std::string body;
  core::JsonWriter w(body);
  w.begin_object().field("portfolio", id.empty() ? std::string("*") : id);
  w.field("result", refusal == engine::Refusal::none ? std::string_view("rebalanced") : engine::to_string(refusal));
  w.key("rebalance_ids").begin_array();
  for (const auto& ev : c.out.rebalances) w.value(ev.record.rebalance_id);
  w.end_array().field("orders", c.out.orders.size()).end_object();
  c.flow.handle(c.out, SteadyClock::now());
  switch (refusal) {
    case engine::Refusal::none:
    case engine::Refusal::nothing_to_trade: return json_response(200, body);
    case engine::Refusal::unknown_portfolio: return json_response(404, body);
    default: return json_response(409, body);
  }
}

HttpResponse cash(const ControlContext& c, const HttpRequest& req) {
  const auto pit = req.query.find("portfolio");
  const auto ait = req.query.find("amount");
  if (pit == req.query.end() || pit->second.empty() || ait == req.query.end()) {
    return text_response(400, "cash needs ?portfolio=ID&amount=X (X > 0 a deposit, X < 0 a withdrawal)");
  }
  double amount = 0;
  if (!core::parse_number_text(ait->second, amount) || !std::isfinite(amount) || amount == 0) {
    return text_response(400, "amount: expected a non-zero number such as 1000 or -250.50, got \"" + ait->second + "\"");
  }
  std::string detail;
  const engine::Refusal refusal = c.engine.cash_flow(pit->second, amount, c.now(), c.out, detail);
  std::string body;
  core::JsonWriter w(body);
  w.begin_object().field("portfolio", pit->second).field("amount", amount);
  w.field("result", refusal == engine::Refusal::none ? std::string_view("booked") : engine::to_string(refusal));
  if (!detail.empty()) w.field("detail", detail);
  w.key("orders").begin_array();
  for (const auto& o : c.out.orders) w.value(o.order_id);
  w.end_array();
  if (const auto index = c.engine.find_portfolio(pit->second)) w.field("cash", c.engine.portfolios()[*index].cash);
  w.end_object();
  if (refusal == engine::Refusal::none) {
    std::string order_ids;
    core::JsonWriter ids(order_ids);
    ids.begin_array();
    for (const auto& o : c.out.orders) ids.value(o.order_id);
    ids.end_array();
    log_event(spdlog::level::info, "cash_flow", "cash flow portfolio={portfolio} amount={amount:.2f}: {detail}, {count} orders",
              "portfolio"_a = pit->second, "amount"_a = amount, "detail"_a = detail, "count"_a = c.out.orders.size(),
              "order_ids"_a = RawJson{order_ids});
  }
  c.flow.handle(c.out, SteadyClock::now());
  switch (refusal) {
    case engine::Refusal::none: return json_response(200, body);
    case engine::Refusal::unknown_portfolio: return json_response(404, body);
    case engine::Refusal::invalid_amount: return json_response(422, body);
    default: return json_response(409, body);
  }
}

/// GET /accounts/ID: one account of the fleet.
HttpResponse account(const ControlContext& c, const HttpRequest& req) {
  const std::string_view id = std::string_view(req.path).substr(std::string_view("/accounts/").size());
  if (!c.fleet) return text_response(404, "no fleet: this daemon has no [[models]]");
  if (auto body = c.fleet->account_json(id, c.now())) return json_response(200, *body);
  return text_response(404, "no account \"" + std::string(id) + "\" in this daemon's book" +
                                (c.fleet->running() ? "" : " (the fleet starts when every symbol has a price)"));
}

/// GET /accounts?breaching=true&limit=N&after=ID: a page of accounts.
HttpResponse accounts_page(const ControlContext& c, const HttpRequest& req) {
  static constexpr std::size_t kDefaultLimit = 100, kMaxLimit = 1000;
  if (!c.fleet) return text_response(404, "no fleet: this daemon has no [[models]]");
  for (const auto& [key, value] : req.query) {
    if (key != "breaching" && key != "limit" && key != "after") {
      return text_response(400, "unknown parameter \"" + key + "\" (expected breaching, limit, after)");
    }
  }
  bool only_breaching = false;
  if (const auto it = req.query.find("breaching"); it != req.query.end()) {
    if (it->second != "true" && it->second != "false") {
      return text_response(400, "breaching: expected true or false, got \"" + it->second + "\"");
    }
    only_breaching = it->second == "true";
  }
  std::size_t limit = kDefaultLimit;
  if (const auto it = req.query.find("limit"); it != req.query.end()) {
    double v = 0;
    if (!core::parse_number_text(it->second, v) || v < 1 || v > static_cast<double>(kMaxLimit) || v != std::floor(v)) {
      return text_response(400, "limit: expected a whole number from 1 to 1000, got \"" + it->second + "\"");
    }
    limit = static_cast<std::size_t>(v);
  }
  const auto after = req.query.find("after");
  std::string error;
  std::string body = c.fleet->page_json(limit, after == req.query.end() ? std::string_view() : after->second,
                                        only_breaching, error);
  if (!error.empty()) return text_response(404, error);
  return json_response(200, body);
}

/// orders/resolve for a block order of the fleet: its final report, allocated to its accounts.
HttpResponse resolve_block(const ControlContext& c, const std::string& id, std::optional<double> quantity,
                           double avg_price) {
  std::string error;
  const auto report = c.fleet->resolve(id, quantity, avg_price, c.now(), error);
  if (!report) return text_response(422, error);
  std::string body;
  core::JsonWriter w(body);
  w.begin_object().field("order_id", id).field("portfolio", core::kBlockOrderPortfolio).field("result", "resolved");
  w.field("state", core::to_string(report->status)).field("filled_quantity", report->filled_quantity);
  w.key("avg_price");
  if (report->filled_quantity > 0) w.value(report->avg_price);
  else w.null();
  w.end_object();
  return json_response(200, body);
}

/// POST /control/orders/resolve: an operator finishes an order whose fate was unknown.
HttpResponse resolve_order(const ControlContext& c, const HttpRequest& req) {
  auto param = [&](const char* key) -> const std::string* {
    const auto it = req.query.find(key);
    return it == req.query.end() ? nullptr : &it->second;
  };
  const std::string* id = param("order_id");
  const std::string* filled = param("filled");
  const std::string* price = param("price");
  const std::string* cancelled = param("cancelled");
  static constexpr std::string_view kUsage =
      "orders/resolve needs ?order_id=ID and either &filled=Q&price=P (the broker's final cumulative fill) or "
      "&cancelled=true (nothing more than what is booked)";
  if (!id || id->empty() || (cancelled != nullptr) == (filled != nullptr) || (filled && !price) ||
      (cancelled && (*cancelled != "true" || price))) {
    return text_response(400, kUsage);
  }
  std::optional<double> quantity;
  double avg_price = 0;
  if (filled) {
    double q = 0;
    if (!core::parse_number_text(*filled, q) || !std::isfinite(q)) {
      return text_response(400, "filled: expected a number such as 120, got \"" + *filled + "\"");
    }
    if (!core::parse_number_text(*price, avg_price) || !std::isfinite(avg_price)) {
      return text_response(400, "price: expected a number such as 589.20, got \"" + *price + "\"");
    }
    quantity = q;
  }
  if (c.fleet && c.fleet->has_open_block(*id)) return resolve_block(c, *id, quantity, avg_price);
  const auto known = c.engine.open_orders().find(*id);
  if (known == c.engine.open_orders().end()) {
    return text_response(404, "no unfinished order " + *id + " (finished orders cannot be resolved again)");
  }
  const std::string portfolio = c.engine.portfolios()[known->second.portfolio].spec.id;
  std::string error;
  if (!c.engine.resolve_order(*id, quantity, avg_price, c.out, error)) return text_response(422, error);
  const engine::FillOutcome resolved = c.out.fills.back();
  c.flow.handle(c.out, SteadyClock::now());
  std::string body;
  core::JsonWriter w(body);
  w.begin_object().field("order_id", *id).field("portfolio", portfolio).field("result", "resolved");
  w.field("state", core::to_string(resolved.state)).field("filled_quantity", resolved.filled_quantity);
  w.key("avg_price");
  if (resolved.filled_quantity > 0) w.value(resolved.filled_value / resolved.filled_quantity);
  else w.null();
  w.end_object();
  return json_response(200, body);
}

}  // namespace

Router make_routes(ControlContext ctx) {
  // One context for every handler; the router's handlers share it.
  auto c = std::make_shared<ControlContext>(std::move(ctx));
  Router r;
  r.add("GET", "/healthz", [c](const HttpRequest&) {
    const auto problems = c->health_problems();
    std::string body;
    for (const auto& p : problems) body += (body.empty() ? "" : "; ") + p;
    return problems.empty() ? text_response(200, "ok") : text_response(503, "degraded: " + body);
  });
  r.add("GET", "/", [](const HttpRequest&) {
    // Reads only, like /status which it polls: no token, as no other read needs one.
    HttpResponse res;
    res.content_type = "text/html; charset=utf-8";
    res.body = dashboard_page();
    // Nothing but this page and its own origin's /status, even if a value
    // shown in it were ever taken for markup.
    res.headers.emplace_back("Content-Security-Policy",
                             "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                             "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; "
                             "frame-ancestors 'none'");
    res.headers.emplace_back("X-Content-Type-Options", "nosniff");
    res.headers.emplace_back("Cache-Control", "no-cache");
    return res;
  });
  r.add("GET", "/status", [c](const HttpRequest&) { return json_response(200, c->status_json()); });
  // Accounts are clients' data: behind the token, when one is set.
  r.add("GET", "/accounts/*", guarded(*c, [c](const HttpRequest& req) { return account(*c, req); }));
  r.add("GET", "/accounts", guarded(*c, [c](const HttpRequest& req) { return accounts_page(*c, req); }));
  r.add("GET", "/metrics", [c](const HttpRequest&) {
    HttpResponse res;
    res.content_type = std::string(kPrometheusContentType);
    res.body = c->metrics();
    return res;
  });
  auto control = [&r, c](const char* action, std::function<HttpResponse(const HttpRequest&)> handler) {
    r.add("POST", std::string("/control/") + action, guarded(*c, std::move(handler)));
  };
  control("pause", [c](const HttpRequest&) {
    c->engine.set_paused(true);
    log_event(spdlog::level::info, "paused", "paused by operator: triggers are off until resume", "by"_a = "operator");
    return text_response(200, "paused");
  });
  control("resume", [c](const HttpRequest&) {
    c->engine.set_paused(false);
    log_event(spdlog::level::info, "resumed", "resumed by operator", "by"_a = "operator");
    return text_response(200, "resumed");
  });
  control("kill", [c](const HttpRequest&) {
    c->flow.set_kill_switch(true, "operator");
    return text_response(200, "kill switch on");
  });
  control("release", [c](const HttpRequest&) {
    c->flow.set_kill_switch(false, "operator");
    return text_response(200, "kill switch released");
  });
  control("reload", [c](const HttpRequest&) {
    const std::string error = c->reload();
    if (!error.empty()) return text_response(422, "reload refused, the running configuration stays:\n" + error);
    return text_response(200, "reloaded");
  });
  control("rebalance", [c](const HttpRequest& req) { return rebalance(*c, req); });
  control("cash", [c](const HttpRequest& req) { return cash(*c, req); });
  control("orders/resolve", [c](const HttpRequest& req) { return resolve_order(*c, req); });
  control("accounts/create", [c](const HttpRequest& req) { return account_control(c->fleet, AccountAction::create, req); });
  control("accounts/update", [c](const HttpRequest& req) { return account_control(c->fleet, AccountAction::update, req); });
  control("accounts/close", [c](const HttpRequest& req) { return account_control(c->fleet, AccountAction::close, req); });
  return r;
}

}  // namespace ballast::daemon
