#include "daemon/feed_intake.hpp"

#include <spdlog/spdlog.h>

#include "daemon/log_event.hpp"
#include "daemon/wall_clock.hpp"

namespace ballast::daemon {

using namespace fmt::literals;

Feed::Feed(config::FeedConfig c)
    : cfg(std::move(c)), decoder(cfg.format), limits{cfg.max_jump, cfg.jump_confirm, cfg.stale_after, cfg.max_future} {}

FeedIntake::FeedIntake(engine::Engine& engine, RateLimiter& limiter)
    : engine_(engine), limiter_(limiter), started_at_(wall_now()) {
  resize_symbols();
}

Feed& FeedIntake::add(config::FeedConfig cfg) {
  feeds_.push_back(std::make_unique<Feed>(std::move(cfg)));
  return *feeds_.back();
}

void FeedIntake::resize_symbols() { guard_.resize(engine_.symbols().size()); }

void FeedIntake::reject(Feed& feed, core::RejectReason reason, std::string_view detail, core::TimeNs now,
                        std::string_view symbol) {
  const auto r = static_cast<std::size_t>(reason);
  ++feed.rejected[r];
  if (feed.reject_metrics[r]) feed.reject_metrics[r]->inc();
  std::uint64_t held = 0;
  std::string key = feed.cfg.name;
  key += '/';
  key += core::to_string(reason);
  if (limiter_.allow(key, now, held)) {
    log_event(spdlog::level::warn, "tick_rejected", "feed {feed}: dropped a tick ({reason}{colon}{detail}){suppressed}",
              "feed"_a = feed.cfg.name, "reason"_a = core::to_string(reason),
              "colon"_a = TextOnly{detail.empty() ? "" : ": "}, "detail"_a = detail, "symbol"_a = symbol,
              "suppressed"_a = HeldBack{held});
  }
}

bool FeedIntake::accept(Feed& feed, std::span<zmq::message_t> frames, std::size_t count, core::TimeNs now,
                        core::Tick& tick) {
  ++feed.received;
  feeds::DecodeResult res;
  const bool multipart = feed.cfg.format.framing == core::Framing::multipart;
  if (count != (multipart ? 2u : 1u)) {
    reject(feed, core::RejectReason::malformed, multipart ? "expected two frames" : "expected one frame", now);
    return false;
  }
  if (multipart) res = feed.decoder.decode(frames[0].to_string_view(), frames[1].to_string_view(), now);
  else res = feed.decoder.decode_frame(frames[0].to_string_view(), now);
  if (!res.ok()) {
    reject(feed, *res.reject, res.detail, now);
    return false;
  }
  const core::SymbolId sym = engine_.find_symbol(res.symbol);
  if (sym == core::kNoSymbol) {
    reject(feed, core::RejectReason::unknown_symbol, res.symbol, now, res.symbol);
    return false;
  }
  const auto verdict = guard_.check(sym, res.price, res.ts, now, feed.limits);
  if (!verdict.accepted()) {
    reject(feed, *verdict.reject, engine_.symbols().name(sym), now, engine_.symbols().name(sym));
    return false;
  }
  if (verdict.confirmed_jump) {
    log_event(spdlog::level::warn, "jump_confirmed",
              "feed {feed}: {symbol} moved beyond max_jump and was confirmed by {confirmations} ticks: now {price}",
              "feed"_a = feed.cfg.name, "symbol"_a = engine_.symbols().name(sym),
              "confirmations"_a = feed.limits.jump_confirm, "price"_a = res.price);
  }
  ++feed.accepted;
  if (feed.ticks_metric) feed.ticks_metric->inc();
  feed.last_accepted_at = now;
  if (engine_.stale(sym)) engine_.set_stale(sym, false);
  tick = {sym, res.price, res.ts, res.bid, res.ask};
  return true;
}

void FeedIntake::refresh_staleness(core::TimeNs now) {
  for (core::SymbolId s = 0; s < engine_.symbols().size(); ++s) {
    const bool stale = guard_.is_stale(s, now);
    if (stale == engine_.stale(s)) continue;
    engine_.set_stale(s, stale);
    if (stale && guard_.last_accepted_at(s)) {
      log_event(spdlog::level::warn, "symbol_stale", "{symbol} is stale: no accepted tick for {age_s:.1f}s",
                "symbol"_a = engine_.symbols().name(s), "age_s"_a = core::to_seconds(now - *guard_.last_accepted_at(s)));
    }
  }
}

void FeedIntake::reconfigure(const std::vector<config::FeedConfig>& next, std::vector<std::string>& restart_needed) {
  if (next.size() != feeds_.size()) {
    restart_needed.push_back("[[feeds]]");
    return;
  }
  for (std::size_t i = 0; i < next.size(); ++i) {
    const config::FeedConfig& a = next[i];
    config::FeedConfig& b = feeds_[i]->cfg;
    const auto& fa = a.format.fields;
    const auto& fb = b.format.fields;
    if (a.endpoint != b.endpoint || a.bind != b.bind || a.name != b.name || a.insecure != b.insecure ||
        a.format.framing != b.format.framing || a.format.symbols != b.format.symbols || fa.price != fb.price ||
        fa.symbol != fb.symbol || fa.ts != fb.ts || fa.bid != fb.bid || fa.ask != fb.ask) {
      restart_needed.push_back("[[feeds]] " + a.name);
      continue;
    }
    b.stale_after = a.stale_after;
    b.max_jump = a.max_jump;
    b.jump_confirm = a.jump_confirm;
    b.max_future = a.max_future;
    b.coalesce = a.coalesce;
    if (feeds_[i]->batcher) feeds_[i]->batcher->set_coalesce(a.coalesce);
    feeds_[i]->limits = {a.max_jump, a.jump_confirm, a.stale_after, a.max_future};
  }
}

void FeedIntake::flush_instants() {
  for (auto& f : feeds_) {
    if (f->batcher) f->batcher->flush();
  }
}

void FeedIntake::add_metrics(MetricsRegistry& metrics) {
  auto& ticks = metrics.counter_family("ballast_ticks_total", "Ticks accepted, by feed.", {"feed"});
  auto& rejects =
      metrics.counter_family("ballast_ticks_rejected_total", "Ticks dropped, by feed and reason.", {"feed", "reason"});
  for (auto& f : feeds_) {
    f->ticks_metric = &ticks.with({f->cfg.name});
    for (int r = 0; r < core::kRejectReasonCount; ++r) {
      f->reject_metrics[r] =
          &rejects.with({f->cfg.name, std::string(core::to_string(static_cast<core::RejectReason>(r)))});
    }
  }
  auto& age = metrics.gauge_family(
      "ballast_feed_age_seconds", "Seconds since the feed's last accepted tick; before its first, since the start.",
      {"feed"});
  auto& stale_after = metrics.gauge_family("ballast_feed_stale_after_seconds",
                                           "The feed's stale_after: older than this, its symbols are stale.", {"feed"});
  auto& stale = metrics.gauge("ballast_stale_symbols", "Symbols without a fresh price.");
  metrics.on_collect([this, &age, &stale_after, &stale] {
    const core::TimeNs now = wall_now();
    for (const auto& f : feeds_) {
      // Never a sentinel: a feed that has not ticked since the start ages
      // from it, so that an alert on the age fires for it too.
      age.with({f->cfg.name}).set(core::to_seconds(now - (f->last_accepted_at ? f->last_accepted_at : started_at_)));
      stale_after.with({f->cfg.name}).set(core::to_seconds(f->cfg.stale_after));
    }
    double n = 0;
    for (core::SymbolId s = 0; s < engine_.symbols().size(); ++s) n += engine_.stale(s) ? 1 : 0;
    stale.set(n);
  });
}

void FeedIntake::health_problems(core::TimeNs now, std::vector<std::string>& out) const {
  for (const auto& f : feeds_) {
    if (!f->last_accepted_at) out.push_back("feed " + f->cfg.name + ": no tick yet");
    else if (now - f->last_accepted_at > f->cfg.stale_after)
      out.push_back(fmt::format("feed {}: no tick for {:.1f}s", f->cfg.name, core::to_seconds(now - f->last_accepted_at)));
  }
  std::string stale;
  for (core::SymbolId s = 0; s < engine_.symbols().size(); ++s) {
    if (engine_.stale(s)) stale += (stale.empty() ? "" : ", ") + engine_.symbols().name(s);
  }
  if (!stale.empty()) out.push_back("stale: " + stale);
}

void FeedIntake::write_status(core::JsonWriter& w, core::TimeNs now) const {
  w.begin_array();
  for (const auto& f : feeds_) {
    w.begin_object().field("name", f->cfg.name).field("endpoint", f->cfg.endpoint);
    w.field("ticks", f->accepted).field("received", f->received);
    w.key("rejected").begin_object();
    for (int r = 0; r < core::kRejectReasonCount; ++r) {
      w.field(core::to_string(static_cast<core::RejectReason>(r)), f->rejected[r]);
    }
    w.end_object();
    w.key("last_tick_age_s");
    if (f->last_accepted_at) w.value(core::to_seconds(now - f->last_accepted_at));
    else w.null();
    w.field("stale_after_s", core::to_seconds(f->cfg.stale_after));
    w.field("coalesce", to_string(f->cfg.coalesce));
    w.field("pending_ticks", f->batcher ? f->batcher->pending() : std::size_t{0});
    w.end_object();
  }
  w.end_array();
}

}  // namespace ballast::daemon
