#include "config/order_type.hpp"

#include <string>

#include "core/time.hpp"

namespace ballast::config {

namespace {
constexpr std::string_view kLimitKeys[] = {"limit_offset_bps", "limit_from",   "limit_ttl",
                                           "limit_on_expiry",  "limit_max_replaces", "limit_tick"};
}  // namespace

std::optional<execution::LimitOrderSpec> read_order_type(TableReader& r, const ExecutionConfig* execution,
                                                         Diagnostics& diag) {
  const auto type = r.one_of("order_type", {"market", "limit"});
  if (!type || *type == "market") {
    // limit_* keys only mean something on limit orders: a file with them and
    // market orders says one thing and does another.
    if (!r.has("order_type") || type) {
      for (const auto key : kLimitKeys) {
        if (r.has(key)) diag.error(r.node(key)->source(), r.name(key) + ": only with order_type = \"limit\"");
      }
    }
    return std::nullopt;
  }
  execution::LimitOrderSpec s;
  if (auto v = r.number("limit_offset_bps", Bound::any)) {
    if (*v <= -10000 || *v >= 10000) {
      diag.error(r.node("limit_offset_bps")->source(),
                 r.name("limit_offset_bps") + ": expected more than -10000 and less than 10000 (a fraction of the "
                                              "price in basis points), got " + std::to_string(*v));
    } else {
      s.offset_bps = *v;
    }
  }
  if (auto v = r.one_of("limit_from", {"mid", "touch"})) {
    s.from = *v == "mid" ? execution::LimitFrom::mid : execution::LimitFrom::touch;
  }
  if (auto v = r.string("limit_ttl")) {
    const auto d = core::parse_duration(*v);
    if (!d) {
      diag.error(r.node("limit_ttl")->source(),
                 r.name("limit_ttl") + ": expected a duration longer than 0 such as \"30s\" or \"5m\", got \"" + *v +
                     "\"");
    } else {
      s.ttl = *d;
    }
  }
  if (auto v = r.one_of("limit_on_expiry", {"cancel", "replace"})) {
    s.on_expiry = *v == "cancel" ? execution::OnExpiry::cancel : execution::OnExpiry::replace;
  }
  if (auto v = r.integer("limit_max_replaces")) {
    if (*v < 0 || *v > 1000) {
      diag.error(r.node("limit_max_replaces")->source(),
                 r.name("limit_max_replaces") + ": expected 0 to 1000, got " + std::to_string(*v));
    } else {
      s.max_replaces = static_cast<int>(*v);
    }
  }
  if (auto v = r.number("limit_tick", Bound::positive)) s.tick = *v;

  if (execution && execution->mode == ExecutionMode::live) {
    const toml::node* at = r.node("order_type");
    if (execution->fills_endpoint.empty()) {
      diag.error(at->source(), r.name("order_type") +
                                   ": limit orders need fill reports: set [execution] fills_endpoint (without it an "
                                   "order is booked as filled when sent, which a limit order may never be)");
    }
    if (execution->order_timeout > 0 && s.ttl >= execution->order_timeout) {
      const toml::node* ttl = r.node("limit_ttl");
      diag.error((ttl ? ttl : at)->source(),
                 r.name("limit_ttl") + ": " + core::format_period({.fixed = s.ttl}) +
                     " must be shorter than [execution] order_timeout (" +
                     core::format_period({.fixed = execution->order_timeout}) +
                     "), or a resting order would turn unknown before it expires");
    }
  }
  return s;
}

}  // namespace ballast::config
