#include "cli/fix_mapping.hpp"

#include <charconv>
#include <cmath>
#include <system_error>

namespace ballast::cli::fix {
namespace {

constexpr char kSideBuy = '1';
constexpr char kSideSell = '2';
constexpr char kOrdTypeMarket = '1';
constexpr char kOrdTypeLimit = '2';
constexpr char kTimeInForceDay = '0';

std::string one_char(char c) { return std::string(1, c); }

/// The body's value for `t`; nullptr when absent (the first one counts).
const std::string* find(const FieldList& body, int t) {
  for (const auto& [k, v] : body) {
    if (k == t) return &v;
  }
  return nullptr;
}

bool parse_number(const std::string& text, double& out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && std::isfinite(out);
}

/// A number field that must be there, finite and >= 0. Error text or empty.
std::string required_amount(const FieldList& body, int t, const char* name, double& out) {
  const std::string* v = find(body, t);
  if (!v) return std::string("missing ") + name + " (" + std::to_string(t) + ")";
  if (!parse_number(*v, out) || out < 0) return std::string(name) + " is not a number >= 0: \"" + *v + "\"";
  return {};
}

/// A one-character code that must be there. Error text or empty.
std::string required_code(const FieldList& body, int t, const char* name, char& out) {
  const std::string* v = find(body, t);
  if (!v) return std::string("missing ") + name + " (" + std::to_string(t) + ")";
  if (v->size() != 1) return std::string(name) + " is not a single character: \"" + *v + "\"";
  out = (*v)[0];
  return {};
}

std::optional<double> optional_number(const FieldList& body, int t) {
  double out = 0;
  const std::string* v = find(body, t);
  if (v && parse_number(*v, out)) return out;
  return std::nullopt;
}

std::string describe(const core::OrderAmendment& a) {
  return std::string(a.action == core::AmendAction::cancel ? "cancel " : "replace ") + a.request_id + " of " +
         a.order_id;
}

bool is_final_status(char ord_status) {
  // Filled, canceled, rejected, expired, done for day: the order works no more.
  return ord_status == '2' || ord_status == '4' || ord_status == '8' || ord_status == 'C' || ord_status == '3';
}

}  // namespace

std::string format_utc_timestamp(core::TimeNs t) {
  // "2026-11-23T14:30:00.123Z" → "20261123-14:30:00.123"
  const std::string iso = core::format_iso8601(t);
  std::string out;
  out.reserve(21);
  out += iso.substr(0, 4);
  out += iso.substr(5, 2);
  out += iso.substr(8, 2);
  out += '-';
  out += iso.substr(11, 12);
  return out;
}

std::optional<core::TimeNs> parse_utc_timestamp(const std::string& text) {
  // YYYYMMDD-HH:MM:SS[.fraction]
  if (text.size() < 17 || text[8] != '-') return std::nullopt;
  for (std::size_t i = 0; i < 8; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  const std::string iso = text.substr(0, 4) + "-" + text.substr(4, 2) + "-" + text.substr(6, 2) + "T" +
                          text.substr(9) + "Z";
  return core::parse_iso8601(iso);
}

std::string format_decimal(double value) {
  char buf[400];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
  if (ec != std::errc()) return "0";
  return std::string(buf, ptr);
}

std::string amendment_cl_ord_id(const std::string& order_id, core::AmendAction action, int n) {
  return order_id + (action == core::AmendAction::cancel ? ".c" : ".r") + std::to_string(n);
}

Outgoing new_order_single(const core::Order& order, core::TimeNs transact_time) {
  Outgoing m;
  m.msg_type = "D";
  m.order_id = order.order_id;
  m.cl_ord_id = order.order_id;
  const bool limit = order.order_type == core::OrderType::limit;
  m.fields = {{tag::kClOrdId, order.order_id},
              {tag::kAccount, order.portfolio},
              {tag::kSymbol, order.symbol},
              {tag::kSide, one_char(order.side == core::Side::buy ? kSideBuy : kSideSell)},
              {tag::kTransactTime, format_utc_timestamp(transact_time)},
              {tag::kOrderQty, format_decimal(order.quantity)},
              {tag::kOrdType, one_char(limit ? kOrdTypeLimit : kOrdTypeMarket)}};
  if (limit) m.fields.emplace_back(tag::kPrice, format_decimal(order.limit_price));
  m.fields.emplace_back(tag::kTimeInForce, one_char(kTimeInForceDay));
  return m;
}

Outgoing amendment_request(const core::Order& order, const PendingRequest& request, core::TimeNs transact_time) {
  Outgoing m;
  const bool replace = request.action == core::AmendAction::replace;
  m.msg_type = replace ? "G" : "F";
  m.order_id = order.order_id;
  m.cl_ord_id = request.cl_ord_id;
  m.fields = {{tag::kOrigClOrdId, request.orig_cl_ord_id},
              {tag::kClOrdId, request.cl_ord_id},
              {tag::kAccount, order.portfolio},
              {tag::kSymbol, order.symbol},
              {tag::kSide, one_char(order.side == core::Side::buy ? kSideBuy : kSideSell)},
              {tag::kTransactTime, format_utc_timestamp(transact_time)}};
  if (replace) {
    m.fields.emplace_back(tag::kOrderQty, format_decimal(request.quantity));
    m.fields.emplace_back(tag::kOrdType, one_char(kOrdTypeLimit));
    m.fields.emplace_back(tag::kPrice, format_decimal(request.limit_price));
    m.fields.emplace_back(tag::kTimeInForce, one_char(kTimeInForceDay));
  } else {
    m.fields.emplace_back(tag::kOrderQty, format_decimal(order.quantity));
  }
  return m;
}

DecodedExecutionReport decode_execution_report(const FieldList& body) {
  DecodedExecutionReport d;
  ExecutionReport& r = d.report;
  const std::string* cl = find(body, tag::kClOrdId);
  if (!cl || cl->empty()) {
    d.error = "missing ClOrdID (11)";
    return d;
  }
  r.cl_ord_id = *cl;
  if (const std::string* orig = find(body, tag::kOrigClOrdId)) r.orig_cl_ord_id = *orig;
  if (!(d.error = required_code(body, tag::kExecType, "ExecType", r.exec_type)).empty()) return d;
  if (!(d.error = required_code(body, tag::kOrdStatus, "OrdStatus", r.ord_status)).empty()) return d;
  if (!(d.error = required_amount(body, tag::kCumQty, "CumQty", r.cum_qty)).empty()) return d;
  if (!(d.error = required_amount(body, tag::kAvgPx, "AvgPx", r.avg_px)).empty()) return d;
  r.order_qty = optional_number(body, tag::kOrderQty);
  r.price = optional_number(body, tag::kPrice);
  if (const std::string* t = find(body, tag::kTransactTime)) r.transact_time = parse_utc_timestamp(*t);
  if (const std::string* t = find(body, tag::kText)) r.text = *t;
  d.ok = true;
  return d;
}

DecodedCancelReject decode_cancel_reject(const FieldList& body) {
  DecodedCancelReject d;
  const std::string* cl = find(body, tag::kClOrdId);
  if (!cl || cl->empty()) {
    d.error = "missing ClOrdID (11)";
    return d;
  }
  d.reject.cl_ord_id = *cl;
  if (const std::string* v = find(body, tag::kOrigClOrdId)) d.reject.orig_cl_ord_id = *v;
  if (const std::string* v = find(body, tag::kCxlRejResponseTo); v && v->size() == 1) d.reject.response_to = (*v)[0];
  if (const std::string* v = find(body, tag::kCxlRejReason)) d.reject.reason = *v;
  if (const std::string* v = find(body, tag::kText)) d.reject.text = *v;
  d.ok = true;
  return d;
}

// ---------------------------------------------------------------------------
// The book

const FixOrder* FixBook::find(const std::string& order_id) const {
  const auto it = orders_.find(order_id);
  return it == orders_.end() ? nullptr : &it->second;
}

std::string FixBook::order_of(const std::string& cl_ord_id) const {
  const auto it = by_cl_ord_id_.find(cl_ord_id);
  return it == by_cl_ord_id_.end() ? std::string() : it->second;
}

std::size_t FixBook::open_orders() const {
  std::size_t n = 0;
  for (const auto& [id, rec] : orders_) n += rec.done ? 0 : 1;
  return n;
}

void FixBook::restore(FixOrder order) {
  for (const std::string& cl : order.cl_ord_ids) by_cl_ord_id_[cl] = order.order.order_id;
  const std::string id = order.order.order_id;
  orders_[id] = std::move(order);
}

Decision FixBook::on_order(const core::Order& order, core::TimeNs now, int next_seq) {
  Decision d;
  if (orders_.contains(order.order_id) || by_cl_ord_id_.contains(order.order_id)) {
    d.dropped = "order id seen before";
    return d;
  }
  FixOrder rec;
  rec.order = order;
  rec.cl_ord_id = order.order_id;
  rec.cl_ord_ids = {order.order_id};
  rec.unsent = order.order_id;
  rec.unsent_floor = next_seq;
  d.to_venue.push_back(new_order_single(order, now));
  d.changed.push_back(order.order_id);
  by_cl_ord_id_[order.order_id] = order.order_id;
  orders_.emplace(order.order_id, std::move(rec));
  return d;
}

Decision FixBook::on_amendment(const core::OrderAmendment& a, core::TimeNs now, int next_seq) {
  Decision d;
  if (!requests_.insert(a.request_id).second) {
    d.dropped = "request id seen before";
    return d;
  }
  d.request_id = a.request_id;
  const auto it = orders_.find(a.order_id);
  if (it == orders_.end()) {
    d.dropped = "unknown order";
    return d;
  }
  FixOrder& rec = it->second;
  if (rec.done) {
    // Its final report was the answer.
    d.dropped = "order already finished";
    return d;
  }
  d.changed.push_back(a.order_id);
  if (rec.in_flight) {
    rec.waiting.push_back(a);
    d.log.push_back(describe(a) + " waits for the answer to " + rec.in_flight->cl_ord_id);
    return d;
  }
  if (std::string why = refusal(rec, a); !why.empty()) {
    d.changed.clear();
    d.dropped = std::move(why);
    return d;
  }
  issue(rec, a, now, next_seq, d);
  return d;
}

std::string FixBook::refusal(const FixOrder& rec, const core::OrderAmendment& a) const {
  if (a.action == core::AmendAction::replace && a.quantity < rec.cum_qty) {
    return "replace to " + format_decimal(a.quantity) + " is below the " + format_decimal(rec.cum_qty) + " filled";
  }
  return {};
}

void FixBook::issue(FixOrder& rec, const core::OrderAmendment& a, core::TimeNs now, int next_seq, Decision& d) {
  PendingRequest p;
  p.action = a.action;
  p.cl_ord_id = amendment_cl_ord_id(rec.order.order_id, a.action, ++rec.amendments);
  p.orig_cl_ord_id = rec.cl_ord_id;
  p.request_id = a.request_id;
  p.quantity = a.quantity;
  p.limit_price = a.limit_price;
  rec.cl_ord_ids.push_back(p.cl_ord_id);
  by_cl_ord_id_[p.cl_ord_id] = rec.order.order_id;
  rec.unsent = p.cl_ord_id;
  rec.unsent_floor = next_seq;
  d.to_venue.push_back(amendment_request(rec.order, p, now));
  rec.in_flight = std::move(p);
}

void FixBook::start_waiting(FixOrder& rec, core::TimeNs now, int next_seq, Decision& d) {
  while (!rec.in_flight && !rec.waiting.empty()) {
    const core::OrderAmendment next = rec.waiting.front();
    rec.waiting.erase(rec.waiting.begin());
    if (std::string why = refusal(rec, next); !why.empty()) {
      d.log.push_back(describe(next) + " dropped: " + why);
      continue;
    }
    issue(rec, next, now, next_seq, d);
  }
}

void FixBook::finish(FixOrder& rec, core::FillStatus status, core::TimeNs ts, Decision& d) {
  core::FillReport r;
  r.order_id = rec.order.order_id;
  r.status = status;
  r.filled_quantity = rec.cum_qty;
  r.avg_price = rec.avg_px;
  r.ts = ts;
  rec.reported = r;
  rec.done = true;
  d.to_daemon.push_back(r);
  for (const core::OrderAmendment& a : rec.waiting) {
    d.log.push_back(describe(a) + " dropped: the order is finished");
  }
  rec.waiting.clear();
  rec.in_flight.reset();
}

Decision FixBook::on_execution_report(const ExecutionReport& er, core::TimeNs now, int next_seq) {
  Decision d;
  std::string order_id = order_of(er.cl_ord_id);
  if (order_id.empty() && !er.orig_cl_ord_id.empty()) order_id = order_of(er.orig_cl_ord_id);
  if (order_id.empty()) {
    d.dropped = "unknown ClOrdID " + er.cl_ord_id;
    return d;
  }
  FixOrder& rec = orders_.at(order_id);
  if (rec.done) {
    d.dropped = "order " + order_id + " is finished";
    return d;
  }
  d.changed.push_back(order_id);
  const core::TimeNs ts = er.transact_time.value_or(now);
  // Cumulative figures never go back: a report out of order keeps the newer ones.
  if (er.cum_qty >= rec.cum_qty) {
    rec.cum_qty = er.cum_qty;
    rec.avg_px = er.avg_px;
  }

  const bool answers_request = rec.in_flight && er.cl_ord_id == rec.in_flight->cl_ord_id;
  bool request_resolved = false;
  if (answers_request && er.exec_type == '5') {
    const PendingRequest& p = *rec.in_flight;
    rec.cl_ord_id = p.cl_ord_id;
    rec.order.order_type = core::OrderType::limit;
    // The venue's figures when it gives usable ones, else those asked for.
    rec.order.quantity = er.order_qty && *er.order_qty > 0 ? *er.order_qty : p.quantity;
    rec.order.limit_price = er.price && *er.price > 0 ? *er.price : p.limit_price;
    d.log.push_back("replaced " + order_id + " as " + p.cl_ord_id + ": " + format_decimal(rec.order.quantity) +
                    " at " + format_decimal(rec.order.limit_price));
    request_resolved = true;
  } else if (answers_request && er.exec_type == '8') {
    // A refused cancel or replace leaves the order as it was.
    d.log.push_back("venue refused " + rec.in_flight->cl_ord_id + " of " + order_id +
                    (er.text.empty() ? std::string() : ": " + er.text));
    request_resolved = true;
  }

  const bool refused_request = answers_request && er.exec_type == '8';
  const bool final = !refused_request && (is_final_status(er.ord_status) || er.exec_type == '4' ||
                                          (er.exec_type == '8' && !answers_request));
  if (final) {
    core::FillStatus status = core::FillStatus::cancelled;
    if (er.ord_status == '2') {
      status = core::FillStatus::filled;
    } else if (er.ord_status == '8' || er.exec_type == '8') {
      // A rejected order that filled in part ends as cancelled with what it filled.
      status = rec.cum_qty > 0 ? core::FillStatus::cancelled : core::FillStatus::rejected;
    }
    finish(rec, status, ts, d);
    return d;
  }
  if (rec.cum_qty > (rec.reported ? rec.reported->filled_quantity : 0.0)) {
    core::FillReport r;
    r.order_id = order_id;
    r.status = core::FillStatus::partially_filled;
    r.filled_quantity = rec.cum_qty;
    r.avg_price = rec.avg_px;
    r.ts = ts;
    rec.reported = r;
    d.to_daemon.push_back(r);
  }
  if (request_resolved) {
    rec.in_flight.reset();
    start_waiting(rec, now, next_seq, d);
  }
  return d;
}

Decision FixBook::on_cancel_reject(const CancelReject& rj, core::TimeNs now, int next_seq) {
  Decision d;
  const std::string order_id = order_of(rj.cl_ord_id);
  if (order_id.empty()) {
    d.dropped = "unknown ClOrdID " + rj.cl_ord_id;
    return d;
  }
  FixOrder& rec = orders_.at(order_id);
  std::string line = "venue refused " + rj.cl_ord_id + " of " + order_id;
  if (!rj.reason.empty()) line += " (reason " + rj.reason + ")";
  if (!rj.text.empty()) line += ": " + rj.text;
  d.log.push_back(std::move(line));
  if (rec.in_flight && rec.in_flight->cl_ord_id == rj.cl_ord_id) {
    d.changed.push_back(order_id);
    rec.in_flight.reset();
    if (!rec.done) start_waiting(rec, now, next_seq, d);
  }
  return d;
}

bool FixBook::mark_sent(const std::string& order_id, const std::string& cl_ord_id) {
  const auto it = orders_.find(order_id);
  if (it == orders_.end() || it->second.unsent != cl_ord_id) return false;
  it->second.unsent.clear();
  it->second.unsent_floor = 0;
  return true;
}

std::optional<Outgoing> FixBook::unsent_message(const std::string& order_id, core::TimeNs now) const {
  const FixOrder* rec = find(order_id);
  if (!rec || rec->unsent.empty()) return std::nullopt;
  if (rec->unsent == rec->order.order_id) return new_order_single(rec->order, now);
  if (rec->in_flight && rec->in_flight->cl_ord_id == rec->unsent) {
    return amendment_request(rec->order, *rec->in_flight, now);
  }
  return std::nullopt;
}

}  // namespace ballast::cli::fix
