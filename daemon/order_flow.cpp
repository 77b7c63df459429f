#include "daemon/order_flow.hpp"

#include <spdlog/spdlog.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <iterator>
#include <thread>

#include "daemon/log_event.hpp"
#include "execution/io/fill_codec.hpp"
#include "execution/io/order_codec.hpp"

namespace ballast::daemon {
namespace {

using namespace fmt::literals;
using spdlog::level::critical, spdlog::level::debug, spdlog::level::info, spdlog::level::warn;

/// Where the crash tests kill the daemon in the middle of a rebalance
/// (BALLASTD_CRASH_AT=before_commit|after_commit|after_send): SIGKILL, as a
/// power cut or kill -9 would, at exactly that point of the first rebalance.
enum class CrashPoint { none, before_commit, after_commit, after_send };

CrashPoint crash_point_from_env() {
  const char* v = std::getenv("BALLASTD_CRASH_AT");
  if (!v) return CrashPoint::none;
  const std::string_view at(v);
  if (at == "before_commit") return CrashPoint::before_commit;
  if (at == "after_commit") return CrashPoint::after_commit;
  if (at == "after_send") return CrashPoint::after_send;
  return CrashPoint::none;
}

bool crash_armed(CrashPoint here) {
  static const CrashPoint armed = crash_point_from_env();
  return armed != CrashPoint::none && armed == here;
}

void crash_point(CrashPoint here) {
  if (!crash_armed(here)) return;
  // After the send, give ZeroMQ's I/O thread the moment it needs to put the
  // orders on the wire, so that the crash falls between send and fill.
  if (here == CrashPoint::after_send) std::this_thread::sleep_for(std::chrono::seconds(1));
  ::raise(SIGKILL);
}

void count(CounterFamily* family, std::initializer_list<std::string> labels) {
  if (family) family->with(std::vector<std::string>(labels)).inc();
}

}  // namespace

OrderFlow::OrderFlow(const config::Config& cfg, engine::Engine& engine, SequenceFile& sequences,
                     Persistence* persistence, KillSwitchFile& kill_file, RateLimiter& limiter, bool book_on_send)
    : cfg_(cfg),
      engine_(engine),
      sequences_(sequences),
      persistence_(persistence),
      kill_file_(kill_file),
      limiter_(limiter),
      book_on_send_(book_on_send) {}

void OrderFlow::handle(engine::Output& out, SteadyClock::time_point received) {
  const bool live = cfg_.execution.mode == config::ExecutionMode::live && sender_ != nullptr;
  const core::TimeNs now = wall_now();
  const bool deciding = !out.orders.empty();
  if (persistence_) {
    // An order is on disk before it leaves: a crash from here on re-sends it
    // under the same id instead of deciding it a second time.
    if (deciding) crash_point(CrashPoint::before_commit);
    try {
      persistence_->commit(engine_, out, now, book_on_send_);
    } catch (const store::StoreError& e) {
      state_write_failed(std::to_string(out.orders.size()) + " orders NOT sent", e.what());
      out.orders.clear();
      out.rebalances.clear();
    }
    if (deciding) crash_point(CrashPoint::after_commit);
  }
  // Orders leave first, each as soon as it is encoded; logging and
  // bookkeeping follow, off the latency path.
  const std::size_t n = out.orders.size();
  if (encoded_.size() < n) encoded_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    encoded_[i].clear();
    execution::encode_order(out.orders[i], encoded_[i]);
    if (!live) continue;
    sender_->send(encoded_[i]);
    if (i == 0 || i + 1 == n) {
      const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - received).count();
      if (i == 0) {
        latency_.record(ns);
        if (latency_metric_) latency_metric_->observe(static_cast<double>(ns) * 1e-9);
      }
      if (i + 1 == n) batch_latency_.record(ns);
    }
  }
  if (live) {
    for (std::size_t i = 0; i < n; ++i) {
      engine_.mark_sent(out.orders[i].order_id);
      if (persistence_) persistence_->note_sent(out.orders[i], now, book_on_send_);
    }
    // Cancels and replaces of resting limit orders: their request ids are
    // reserved like order ids; a lost one is asked again after a restart
    // (README "Limit orders").
    for (const core::OrderAmendment& a : out.amendments) {
      encoded_amendment_.clear();
      execution::encode_amendment(a, encoded_amendment_);
      sender_->send(encoded_amendment_);
    }
    if (deciding && persistence_ && crash_armed(CrashPoint::after_send)) {
      // "After the send" means the gateway could have them: out of our queue first.
      sender_->flush_for(std::chrono::seconds(2));
      crash_point(CrashPoint::after_send);
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      const core::Order& o = out.orders[i];
      log_event(info, "order_not_sent", "dry-run order {order}", "order"_a = RawJson{encoded_[i]},
                "order_id"_a = o.order_id, "portfolio"_a = o.portfolio, "rebalance_id"_a = o.rebalance_id,
                "reason"_a = o.reason, "symbol"_a = o.symbol, "side"_a = core::to_string(o.side),
                "quantity"_a = o.quantity, "price"_a = o.reference_price);
    }
  }
  log_and_count(out, live, now);
  if (!out.orders.empty() || !out.amendments.empty()) {
    std::string error;
    if (!sequences_.reserve_ahead(engine_.sequences(), error)) {
      // Ids could be reused after a restart: stop trading rather than risk it.
      log_event(critical, "order_ids_not_reserved", "{error}; pausing", "error"_a = error);
      engine_.set_paused(true);
    }
  }
  out.clear();
}

void OrderFlow::log_and_count(engine::Output& out, bool live, core::TimeNs now) {
  for (auto& d : out.denials) {
    const std::string reason(execution::to_string(d.reason));
    count(denied_metric_, {d.order.portfolio, reason});
    // A held restricted symbol is denied on every tick that finds its
    // portfolio out of band: counted every time, logged once per interval.
    if (std::uint64_t held = 0; limiter_.allow("denied/" + d.order.portfolio + "/" + reason, now, held)) {
      log_event(warn, "order_denied",
                "order denied portfolio={portfolio} {side} {quantity} {symbol} @ {price:.6g}: {reason} ({detail})"
                "{suppressed}",
                "portfolio"_a = d.order.portfolio, "side"_a = core::to_string(d.order.side),
                "quantity"_a = d.order.quantity, "symbol"_a = d.order.symbol, "price"_a = d.order.reference_price,
                "reason"_a = reason, "detail"_a = d.detail, "suppressed"_a = HeldBack{held},
                "rebalance_id"_a = d.order.rebalance_id, "trigger"_a = d.order.reason);
    }
    recent_denials_.push_back(std::move(d));
    if (recent_denials_.size() > 50) recent_denials_.pop_front();
  }
  for (const auto& ev : out.rebalances) {
    const auto& rec = ev.record;
    const auto& p = engine_.portfolios()[ev.portfolio];
    std::string orders, orders_json;
    core::JsonWriter w(orders_json);
    w.begin_array();
    for (std::size_t i = ev.first_order; i < ev.first_order + rec.orders; ++i) {
      const auto& o = out.orders[i];
      fmt::format_to(std::back_inserter(orders), "{}{} {} {} @ {:.6g}", orders.empty() ? "" : ", ",
                     core::to_string(o.side), o.quantity, o.symbol, o.reference_price);
      w.begin_object().field("order_id", o.order_id).field("symbol", o.symbol).field("side", core::to_string(o.side));
      w.field("quantity", o.quantity).field("price", o.reference_price).end_object();
    }
    w.end_array();
    const auto vol = engine_.portfolio_volatility(ev.portfolio);
    const std::string_view model = strategies::to_string(p.spec.model.kind);
    const std::string model_text = vol ? fmt::format(" model={} volatility={:.4f}", model, *vol) : std::string();
    std::string vol_json;
    if (vol) core::append_json_number(vol_json, *vol);
    log_event(info, "rebalance",
              "rebalance {rebalance_id} portfolio={portfolio} reason={reason} why=\"{why}\" value={value:.2f} "
              "max_drift={max_drift:.4f} total_drift={total_drift:.4f} traded={traded:.2f} cost={cost:.2f} "
              "orders=[{order_list}]{model_text}{not_sent}",
              "rebalance_id"_a = rec.rebalance_id, "portfolio"_a = p.spec.id, "reason"_a = rec.reason,
              "why"_a = rec.detail, "value"_a = rec.value, "max_drift"_a = rec.max_abs_drift,
              "total_drift"_a = rec.total_drift, "traded"_a = rec.traded_value, "cost"_a = rec.cost,
              "order_list"_a = TextOnly{orders}, "orders"_a = RawJson{orders_json},
              "model_text"_a = TextOnly{model_text}, "model"_a = model, "volatility"_a = RawJson{vol_json},
              "sent"_a = live, "not_sent"_a = TextOnly{live ? "" : " (dry-run: not sent)"});
    recent_rebalances_.push_back({p.spec.id, rec, live});
    if (recent_rebalances_.size() > 20) recent_rebalances_.pop_front();
    count(rebalances_metric_, {p.spec.id, rec.reason});
  }
  for (auto& o : out.orders) {
    count(orders_metric_, {o.portfolio, o.reason, std::string(core::to_string(o.side))});
    if (live) {
      const bool limit = o.order_type == core::OrderType::limit;
      std::string limit_json = "null";
      if (limit) {
        limit_json.clear();
        core::append_json_number(limit_json, o.limit_price);
      }
      log_event(debug, "order_sent",
                "order {order_id} sent: {side} {quantity} {symbol} @ {price:.6g}{limit_text} portfolio={portfolio} "
                "rebalance={rebalance_id}",
                "order_id"_a = o.order_id, "side"_a = core::to_string(o.side), "quantity"_a = o.quantity,
                "symbol"_a = o.symbol, "price"_a = o.reference_price, "portfolio"_a = o.portfolio,
                "rebalance_id"_a = o.rebalance_id, "reason"_a = o.reason, "order_type"_a = core::to_string(o.order_type),
                "limit_text"_a = TextOnly{limit ? fmt::format(" limit {:.6g}", o.limit_price) : ""},
                "limit_price"_a = RawJson{limit_json});
    }
    recent_orders_.push_back({std::move(o), live});
    if (recent_orders_.size() > 100) recent_orders_.pop_front();
  }
  for (const core::OrderAmendment& a : out.amendments) {
    const std::string_view action = core::to_string(a.action);
    count(amendments_metric_, {a.portfolio, std::string(action)});
    const bool replace = a.action == core::AmendAction::replace;
    std::string price_json = "null";
    if (replace) {
      price_json.clear();
      core::append_json_number(price_json, a.limit_price);
    }
    log_event(info, replace ? "order_replace_requested" : "order_cancel_requested",
              "order {order_id}: {action} requested ({request_id}) for {side} {symbol} portfolio={portfolio}{new_limit}",
              "order_id"_a = a.order_id, "action"_a = action, "request_id"_a = a.request_id,
              "side"_a = core::to_string(a.side), "symbol"_a = a.symbol, "portfolio"_a = a.portfolio,
              "new_limit"_a = TextOnly{replace ? fmt::format(": {} at limit {:.6g}", a.quantity, a.limit_price) : ""},
              "limit_price"_a = RawJson{price_json}, "sent"_a = live);
  }
  for (const auto& f : out.fills) {
    switch (f.kind) {
      case engine::FillOutcome::Kind::applied:
        if (f.by_operator) {
          ++orders_resolved_;
          log_event(warn, "order_resolved",
                    "order {order_id} resolved by operator: {state} with {filled_quantity} filled in all; "
                    "portfolio {portfolio} decides again",
                    "order_id"_a = f.order_id, "state"_a = core::to_string(f.state),
                    "filled_quantity"_a = f.filled_quantity, "portfolio"_a = engine_.portfolios()[f.portfolio].spec.id);
          break;
        }
        ++fills_applied_;
        count(fills_metric_, {"applied"});
        log_event(info, "fill", "fill {order_id} {status} quantity={quantity} price={price:.6g} portfolio={portfolio}{open}",
                  "order_id"_a = f.order_id, "status"_a = core::to_string(f.status), "quantity"_a = f.quantity_delta,
                  "price"_a = f.price, "portfolio"_a = engine_.portfolios()[f.portfolio].spec.id,
                  "open"_a = TextOnly{f.finished ? "" : " (still open)"}, "finished"_a = f.finished,
                  "state"_a = core::to_string(f.state), "filled_quantity"_a = f.filled_quantity);
        break;
      case engine::FillOutcome::Kind::unknown_order:
        ++fills_unknown_;
        count(fills_metric_, {"unknown_order"});
        // Anyone who reaches the fills socket can send these: counted, logged at most once per interval.
        if (std::uint64_t held = 0; limiter_.allow("fills/unknown_order", now, held)) {
          log_event(warn, "fill_unknown_order", "fill report for unknown order {order_id} ignored{suppressed}",
                    "order_id"_a = f.order_id, "suppressed"_a = HeldBack{held});
        }
        break;
      case engine::FillOutcome::Kind::timed_out:
        ++orders_timed_out_;
        count(fills_metric_, {"timed_out"});
        log_event(warn, "order_unknown",
                  "order {order_id} has no final report after {timeout_s:.0f}s: its fate is unknown; portfolio "
                  "{portfolio} makes no decision until a report comes or an operator resolves it (ballast orders "
                  "resolve {order_id} --filled Q --price P or --cancelled)",
                  "order_id"_a = f.order_id, "timeout_s"_a = core::to_seconds(cfg_.execution.order_timeout),
                  "portfolio"_a = engine_.portfolios()[f.portfolio].spec.id, "filled_quantity"_a = f.filled_quantity);
        break;
      case engine::FillOutcome::Kind::inconsistent:
        ++fills_inconsistent_;
        count(fills_metric_, {"inconsistent"});
        if (std::uint64_t held = 0; limiter_.allow("fills/inconsistent", now, held)) {
          log_event(warn, "fill_refused", "fill report for {order_id} refused, not booked: {detail}{suppressed}",
                    "order_id"_a = f.order_id, "detail"_a = f.detail, "suppressed"_a = HeldBack{held},
                    "portfolio"_a = engine_.portfolios()[f.portfolio].spec.id);
        }
        break;
    }
  }
}

void OrderFlow::on_fill_message(std::span<zmq::message_t> frames, std::size_t count_of_frames, engine::Output& out) {
  const core::TimeNs now = wall_now();
  if (count_of_frames != 1) {
    ++fills_malformed_;
    count(fills_metric_, {"malformed"});
    if (std::uint64_t held = 0; limiter_.allow("fills/malformed", now, held)) {
      log_event(warn, "fill_malformed", "fill report dropped: expected one frame, got {frames}{suppressed}",
                "frames"_a = count_of_frames, "suppressed"_a = HeldBack{held});
    }
    return;
  }
  const auto decoded = execution::decode_fill(frames[0].to_string_view(), now);
  if (!decoded.ok) {
    ++fills_malformed_;
    count(fills_metric_, {"malformed"});
    if (std::uint64_t held = 0; limiter_.allow("fills/malformed", now, held)) {
      log_event(warn, "fill_malformed", "fill report dropped: {error}{suppressed}", "error"_a = decoded.error,
                "suppressed"_a = HeldBack{held});
    }
    return;
  }
  if (other_fills_) {
    if (const std::optional<bool> applied = other_fills_(decoded.fill, now)) {
      ++(*applied ? fills_applied_ : fills_inconsistent_);
      count(fills_metric_, {*applied ? "applied" : "inconsistent"});
      return;
    }
  }
  engine_.on_fill(decoded.fill, out);
  handle(out, SteadyClock::now());
}

void OrderFlow::resend(const std::vector<core::Order>& orders) {
  if (!sender_) return;
  for (const auto& o : orders) {
    std::string encoded;
    execution::encode_order(o, encoded);
    sender_->send(encoded);
    if (persistence_) persistence_->note_sent(o, wall_now(), book_on_send_);
    log_event(warn, "order_resent", "order {order_id} sent again: it may not have left before the last stop",
              "order_id"_a = o.order_id, "portfolio"_a = o.portfolio, "rebalance_id"_a = o.rebalance_id,
              "symbol"_a = o.symbol, "side"_a = core::to_string(o.side), "quantity"_a = o.quantity,
              "price"_a = o.reference_price);
  }
}

void OrderFlow::flush_state(core::TimeNs now) {
  if (!persistence_) return;
  try {
    const std::uint64_t commits_before = persistence_->commits();
    persistence_->flush(engine_, now);
    // After a failure, try a write of our own so that health tells when the disk is back.
    if (!state_error_.empty() && persistence_->commits() == commits_before) persistence_->write_counters(engine_);
    // At most once a second, between decisions.
    if (now - last_checkpoint_ >= core::kNanosPerSecond) {
      persistence_->checkpoint();
      last_checkpoint_ = now;
    }
    if (!state_error_.empty() && persistence_->commits() > commits_before) {
      log_event(warn, "state_write_recovered",
                "state file writes succeed again (the last failure was: {last_error}); the kill switch stays on "
                "until released",
                "last_error"_a = state_error_, "path"_a = persistence_->path());
      state_error_.clear();
    }
  } catch (const store::StoreError& e) {
    state_write_failed("marks not written", e.what());
  }
}

void OrderFlow::state_write_failed(std::string_view what, const std::string& error) {
  ++state_write_errors_;
  log_event(critical, "state_write_failed",
            "state file write failed: {error}; {consequence}; kill switch on: fix the disk, then release it",
            "error"_a = error, "consequence"_a = what);
  state_error_ = error;
  if (!engine_.killed()) set_kill_switch(true, "state file write failed");
}

void OrderFlow::set_kill_switch(bool on, std::string_view who) {
  engine_.set_killed(on);
  std::string error;
  if (!kill_file_.set(on, who, wall_now(), error)) {
    // The switch holds in memory either way; only its survival of a restart is in doubt.
    log_event(critical, "kill_switch_not_recorded", "kill switch {state} ({by}), but {error}: a restart may not find it so",
              "state"_a = on ? "on" : "off", "by"_a = who, "error"_a = error, "on"_a = on);
    kill_file_error_ = error;
  } else {
    kill_file_error_.clear();
  }
  if (on) {
    log_event(warn, "kill_switch", "kill switch on ({by}): no order leaves until POST /control/release", "by"_a = who,
              "on"_a = true);
  } else {
    log_event(warn, "kill_switch", "kill switch released ({by})", "by"_a = who, "on"_a = false);
  }
}

void OrderFlow::add_metrics(MetricsRegistry& metrics) {
  orders_metric_ = &metrics.counter_family("ballast_orders_total", "Orders emitted, by portfolio, reason and side.",
                                           {"portfolio", "reason", "side"});
  rebalances_metric_ =
      &metrics.counter_family("ballast_rebalances_total", "Rebalances, by portfolio and reason.", {"portfolio", "reason"});
  fills_metric_ = &metrics.counter_family("ballast_fill_reports_total", "Fill reports, by outcome.", {"outcome"});
  amendments_metric_ = &metrics.counter_family(
      "ballast_order_amendments_total",
      "Cancel and replace requests for resting limit orders, by portfolio and action.", {"portfolio", "action"});
  denied_metric_ = &metrics.counter_family("ballast_orders_denied_total",
                                           "Orders the pre-trade risk gate refused, by portfolio and reason.",
                                           {"portfolio", "reason"});
  latency_metric_ = &metrics.histogram(
      "ballast_tick_to_order_seconds", "From receipt of a tick to the first order it caused, handed to the queue.",
      {2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 3e-3, 5e-3, 7.5e-3, 1e-2, 2.5e-2, 5e-2, 0.1});
  auto& killed = metrics.gauge("ballast_kill_switch", "1 while the kill switch stops every order.");
  auto& commits =
      metrics.counter("ballast_state_commits_total", "Transactions written to the state file since start.");
  auto& write_errors =
      metrics.counter("ballast_state_write_errors_total", "Writes to the state file that failed since start.");
  auto& failing = metrics.gauge("ballast_state_write_failing",
                                "1 from a failed write to the state file until a write succeeds again.");
  auto& queued = metrics.gauge("ballast_orders_queued", "Orders waiting for a gateway to connect.");
  metrics.on_collect([this, &killed, &commits, &write_errors, &failing, &queued] {
    killed.set(engine_.killed() ? 1 : 0);
    if (persistence_) commits.advance_to(static_cast<double>(persistence_->commits()));
    write_errors.advance_to(static_cast<double>(state_write_errors_));
    failing.set(state_error_.empty() ? 0 : 1);
    queued.set(sender_ ? static_cast<double>(sender_->queued()) : 0.0);
  });
}

void OrderFlow::health_problems(std::vector<std::string>& out) const {
  if (engine_.killed()) out.push_back("kill switch on");
  if (const std::size_t unknown = engine_.unknown_order_count()) {
    std::string ids;
    std::size_t listed = 0;
    for (const auto& [id, o] : engine_.open_orders()) {
      if (o.state != core::OrderState::unknown) continue;
      if (listed++ == 5) {
        ids += ", ...";
        break;
      }
      ids += (ids.empty() ? "" : ", ") + id;
    }
    out.push_back(fmt::format("{} order{} unknown ({}): resolve with ballast orders resolve", unknown,
                              unknown == 1 ? "" : "s", ids));
  }
  if (!state_error_.empty()) out.push_back("state file cannot be written: " + state_error_);
  if (!kill_file_error_.empty()) out.push_back("kill switch not recorded: " + kill_file_error_);
}

void OrderFlow::write_execution(core::JsonWriter& w, core::TimeNs now) const {
  w.begin_object();
  w.field("endpoint", cfg_.execution.endpoint);
  w.field("fills_endpoint", cfg_.execution.fills_endpoint);
  w.field("orders_queued", sender_ ? sender_->queued() : std::size_t{0});
  w.field("open_orders", engine_.open_order_count());
  w.key("fill_reports").begin_object().field("applied", fills_applied_).field("unknown_order", fills_unknown_);
  w.field("malformed", fills_malformed_).field("inconsistent", fills_inconsistent_).end_object();
  w.field("orders_unknown", engine_.unknown_order_count());
  w.field("orders_timed_out", orders_timed_out_).field("orders_resolved", orders_resolved_);
  w.key("denied").begin_object();
  for (int r = 0; r < execution::kDenyReasonCount; ++r) {
    const auto reason = static_cast<execution::DenyReason>(r);
    w.field(execution::to_string(reason), engine_.denied(reason));
  }
  w.end_object();
  w.key("open").begin_array();
  for (const auto& [id, o] : engine_.open_orders()) {
    w.begin_object().field("order_id", id).field("portfolio", engine_.portfolios()[o.portfolio].spec.id);
    w.field("symbol", engine_.symbols().name(o.symbol)).field("side", core::to_string(o.side));
    w.field("quantity", o.quantity).field("filled_quantity", o.booked_quantity);
    w.field("state", core::to_string(o.state)).field("age_s", core::to_seconds(now - o.sent_at)).end_object();
  }
  w.end_array();
  w.key("latency_us").begin_object().field("count", latency_.count());
  w.field("p50", latency_.quantile(0.5) / 1e3).field("p99", latency_.quantile(0.99) / 1e3);
  w.field("max", latency_.max() / 1e3);
  w.field("batch_p50", batch_latency_.quantile(0.5) / 1e3).field("batch_p99", batch_latency_.quantile(0.99) / 1e3);
  w.end_object();
  w.end_object();
}

void OrderFlow::write_state(core::JsonWriter& w) const {
  if (!persistence_) {
    w.null();
    return;
  }
  w.begin_object().field("path", persistence_->path());
  w.field("durability", cfg_.daemon.durability == config::Durability::normal ? "normal" : "full");
  w.field("commits", persistence_->commits());
  w.key("seed_changed").begin_array();
  for (const auto& id : persistence_->seed_changed()) w.value(id);
  w.end_array().end_object();
}

void OrderFlow::write_recent(core::JsonWriter& w) const {
  w.key("recent_denials").begin_array();
  for (const auto& d : recent_denials_) {
    w.begin_object().field("portfolio", d.order.portfolio).field("symbol", d.order.symbol);
    w.field("side", core::to_string(d.order.side)).field("quantity", d.order.quantity);
    w.field("reference_price", d.order.reference_price).field("reason", execution::to_string(d.reason));
    w.field("detail", d.detail).field("at", core::format_iso8601(d.order.created_at)).end_object();
  }
  w.end_array();
  w.key("recent_rebalances").begin_array();
  for (const auto& r : recent_rebalances_) {
    const engine::RebalanceRecord& rec = r.record;
    w.begin_object().field("rebalance_id", rec.rebalance_id).field("portfolio", r.portfolio);
    w.field("reason", rec.reason).field("detail", rec.detail).field("at", core::format_iso8601(rec.at));
    w.field("value", rec.value).field("max_drift", rec.max_abs_drift).field("total_drift", rec.total_drift);
    w.field("orders", rec.orders).field("traded_value", rec.traded_value).field("cost", rec.cost);
    w.field("sent", r.sent).end_object();
  }
  w.end_array();
  w.key("recent_orders").begin_array();
  for (const auto& r : recent_orders_) {
    std::string one;
    execution::encode_order(r.order, one);
    one.pop_back();  // the order's closing brace: "sent" joins its fields
    one += r.sent ? R"(,"sent":true})" : R"(,"sent":false})";
    w.raw(one);
  }
  w.end_array();
}

}  // namespace ballast::daemon
