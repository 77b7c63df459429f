#pragma once
// The FIX gateway's pure part (README "FIX gateway"): frames of the daemon's
// order queue → FIX 4.4 messages, ExecutionReports and OrderCancelRejects →
// the daemon's fill reports, and the chain of ClOrdIDs of each order. No
// sockets, no QuickFIX, no files: the gateway (cli/fix_gateway.*) performs
// what FixBook decides, and cli/fix_journal.* keeps the book across restarts.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/time.hpp"
#include "core/types.hpp"

namespace ballast::cli::fix {

/// The FIX 4.4 tags this gateway reads or writes.
namespace tag {
inline constexpr int kAccount = 1;
inline constexpr int kAvgPx = 6;
inline constexpr int kClOrdId = 11;
inline constexpr int kCumQty = 14;
inline constexpr int kOrderId = 37;
inline constexpr int kOrderQty = 38;
inline constexpr int kOrdStatus = 39;
inline constexpr int kOrdType = 40;
inline constexpr int kOrigClOrdId = 41;
inline constexpr int kPrice = 44;
inline constexpr int kSide = 54;
inline constexpr int kSymbol = 55;
inline constexpr int kText = 58;
inline constexpr int kTimeInForce = 59;
inline constexpr int kTransactTime = 60;
inline constexpr int kCxlRejReason = 102;
inline constexpr int kExecType = 150;
inline constexpr int kLeavesQty = 151;
inline constexpr int kCxlRejResponseTo = 434;
}  // namespace tag

/// A message body: tag and value, in order.
using FieldList = std::vector<std::pair<int, std::string>>;

/// A message for the venue.
struct Outgoing {
  std::string msg_type;  ///< "D" NewOrderSingle, "F" OrderCancelRequest, "G" OrderCancelReplaceRequest
  FieldList fields;
  std::string order_id;   ///< the daemon's order it is about
  std::string cl_ord_id;  ///< its ClOrdID (tag 11)
};

/// "20261123-14:30:00.123": FIX's UTCTimestamp, in milliseconds.
std::string format_utc_timestamp(core::TimeNs t);
/// "YYYYMMDD-HH:MM:SS" with optional fractions; nullopt when malformed.
std::optional<core::TimeNs> parse_utc_timestamp(const std::string& text);
/// The shortest plain decimal that reads back as `value` ("12", "0.001", "588.5"); FIX has no exponents.
std::string format_decimal(double value);

/// The ClOrdID of the nth cancel or replace of an order: "<order_id>.c<n>" or "<order_id>.r<n>".
std::string amendment_cl_ord_id(const std::string& order_id, core::AmendAction action, int n);

/// NewOrderSingle: ClOrdID = order_id, Account = portfolio, Symbol, Side,
/// OrderQty, OrdType (market or limit, then Price), TimeInForce DAY, TransactTime.
Outgoing new_order_single(const core::Order& order, core::TimeNs transact_time);

/// A cancel or replace sent to the venue and not answered yet.
struct PendingRequest {
  core::AmendAction action = core::AmendAction::cancel;
  std::string cl_ord_id;       ///< its own ClOrdID
  std::string orig_cl_ord_id;  ///< the order's ClOrdID it refers to
  std::string request_id;
  double quantity = 0;     ///< replace: new total quantity
  double limit_price = 0;  ///< replace: new limit price
};

/// OrderCancelRequest or OrderCancelReplaceRequest for `request` on `order`.
Outgoing amendment_request(const core::Order& order, const PendingRequest& request, core::TimeNs transact_time);

/// What an ExecutionReport (35=8) says, decoded.
struct ExecutionReport {
  std::string cl_ord_id;
  std::string orig_cl_ord_id;  ///< empty when absent
  char exec_type = 0;          ///< 150: '0' new, '4' canceled, '5' replaced, '8' rejected, 'F' trade, ...
  char ord_status = 0;         ///< 39: '0' new, '1' partially filled, '2' filled, '4' canceled, '8' rejected, ...
  double cum_qty = 0;
  double avg_px = 0;
  std::optional<double> order_qty;  ///< 38, when given
  std::optional<double> price;      ///< 44, when given
  std::optional<core::TimeNs> transact_time;
  std::string text;
};

struct DecodedExecutionReport {
  bool ok = false;
  std::string error;  ///< why the message cannot be used, when !ok
  ExecutionReport report;
};
/// Reads an ExecutionReport's body. Needs ClOrdID, ExecType, OrdStatus, and
/// CumQty and AvgPx as finite numbers >= 0. Never throws.
DecodedExecutionReport decode_execution_report(const FieldList& body);

/// What an OrderCancelReject (35=9) says, decoded.
struct CancelReject {
  std::string cl_ord_id;  ///< the refused request's
  std::string orig_cl_ord_id;
  char response_to = 0;  ///< 434: '1' cancel, '2' replace
  std::string reason;    ///< 102, as sent
  std::string text;      ///< 58
};

struct DecodedCancelReject {
  bool ok = false;
  std::string error;
  CancelReject reject;
};
/// Reads an OrderCancelReject's body; needs ClOrdID. Never throws.
DecodedCancelReject decode_cancel_reject(const FieldList& body);

/// Everything the gateway knows of one of the daemon's orders.
struct FixOrder {
  /// As the daemon sent it; quantity and limit_price follow confirmed replaces.
  core::Order order;
  /// The ClOrdID the venue knows the order by now: order_id, then that of each confirmed replace.
  std::string cl_ord_id;
  /// Every ClOrdID handed out for the order, order_id first.
  std::vector<std::string> cl_ord_ids;
  /// Cancels and replaces sent so far (numbers their ClOrdIDs).
  int amendments = 0;
  std::optional<PendingRequest> in_flight;
  /// Requests that came while one was in flight, in arrival order.
  std::vector<core::OrderAmendment> waiting;
  /// The venue's latest cumulative figures.
  double cum_qty = 0;
  double avg_px = 0;
  /// The last report handed to the daemon.
  std::optional<core::FillReport> reported;
  /// A final report (filled, rejected or cancelled) was made: nothing more is reported.
  bool done = false;
  /// The ClOrdID of a message decided (and journaled) but not yet handed to the
  /// FIX session; empty when there is none. A restart looks for it in the
  /// session's store from `unsent_floor`, and sends it when it is not there.
  std::string unsent;
  int unsent_floor = 0;  ///< the session's next outgoing sequence number when it was decided
};

/// What one input made the book decide. The gateway journals `changed` and
/// `request_id` first, then sends `to_venue` and reports `to_daemon`.
struct Decision {
  std::vector<Outgoing> to_venue;
  std::vector<core::FillReport> to_daemon;
  std::vector<std::string> changed;  ///< order ids whose records changed
  std::string request_id;            ///< a request id to remember; empty when none
  std::vector<std::string> log;      ///< readable lines about what happened
  std::string dropped;               ///< why the input changed nothing; empty when it was taken
};

/// The daemon's orders and what the venue said about them.
///
/// Reports to the daemon are cumulative (SPEC §4) and made only when they say
/// something new: a partially_filled report when the cumulative quantity
/// grows, one final report (filled, rejected or cancelled), nothing after it.
/// One cancel or replace per order is in flight at a time; later ones wait
/// for its answer and go out in order.
class FixBook {
 public:
  /// `next_seq` is the session's next outgoing sequence number (see FixOrder::unsent).
  Decision on_order(const core::Order& order, core::TimeNs now, int next_seq);
  Decision on_amendment(const core::OrderAmendment& amendment, core::TimeNs now, int next_seq);
  Decision on_execution_report(const ExecutionReport& report, core::TimeNs now, int next_seq);
  Decision on_cancel_reject(const CancelReject& reject, core::TimeNs now, int next_seq);

  /// The session took the message with `cl_ord_id`; true when that clears the
  /// order's unsent mark (its record changed).
  bool mark_sent(const std::string& order_id, const std::string& cl_ord_id);
  /// The message an order's unsent mark stands for, built again; nullopt when none.
  std::optional<Outgoing> unsent_message(const std::string& order_id, core::TimeNs now) const;

  /// Loads a journaled record and request id (at start).
  void restore(FixOrder order);
  void restore_request(const std::string& request_id) { requests_.insert(request_id); }

  const FixOrder* find(const std::string& order_id) const;
  /// The order a ClOrdID of any of its messages belongs to; empty when unknown.
  std::string order_of(const std::string& cl_ord_id) const;
  const std::unordered_map<std::string, FixOrder>& orders() const { return orders_; }
  std::size_t open_orders() const;

 private:
  /// Sends what waits behind a request that was answered, unless it no longer can be.
  void start_waiting(FixOrder& rec, core::TimeNs now, int next_seq, Decision& d);
  /// Why `a` cannot be sent for `rec` now; empty when it can.
  std::string refusal(const FixOrder& rec, const core::OrderAmendment& a) const;
  void issue(FixOrder& rec, const core::OrderAmendment& a, core::TimeNs now, int next_seq, Decision& d);
  void finish(FixOrder& rec, core::FillStatus status, core::TimeNs ts, Decision& d);

  std::unordered_map<std::string, FixOrder> orders_;
  std::unordered_map<std::string, std::string> by_cl_ord_id_;  // every ClOrdID → order_id
  std::unordered_set<std::string> requests_;
};

}  // namespace ballast::cli::fix
