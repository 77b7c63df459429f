#include "cli/fix_mapping.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/time.hpp"
#include "core/types.hpp"

namespace test_fix_mapping {

using namespace ballast;
using cli::fix::CancelReject;
using cli::fix::Decision;
using cli::fix::ExecutionReport;
using cli::fix::FieldList;
using cli::fix::FixBook;
using core::FillStatus;
namespace tag = cli::fix::tag;

namespace {

const core::TimeNs kNow = *core::parse_iso8601("2026-11-23T14:30:00.123Z");

core::Order market_order(const std::string& id = "main-20261123-000042") {
  core::Order o;
  o.order_id = id;
  o.portfolio = "main";
  o.symbol = "SPY";
  o.side = core::Side::buy;
  o.quantity = 12;
  o.reference_price = 589.12;
  o.reason = "threshold";
  o.rebalance_id = "main-20261123-000007";
  o.created_at = kNow;
  return o;
}

core::Order limit_order(const std::string& id = "main-20261123-000042") {
  core::Order o = market_order(id);
  o.side = core::Side::sell;
  o.order_type = core::OrderType::limit;
  o.limit_price = 590.5;
  o.quantity = 0.25;
  return o;
}

core::OrderAmendment cancel(const std::string& order_id, const std::string& request_id) {
  core::OrderAmendment a;
  a.action = core::AmendAction::cancel;
  a.order_id = order_id;
  a.request_id = request_id;
  a.portfolio = "main";
  a.symbol = "SPY";
  a.created_at = kNow;
  return a;
}

core::OrderAmendment replace(const std::string& order_id, const std::string& request_id, double q, double p) {
  core::OrderAmendment a = cancel(order_id, request_id);
  a.action = core::AmendAction::replace;
  a.quantity = q;
  a.limit_price = p;
  return a;
}

ExecutionReport er(const std::string& cl, char exec_type, char ord_status, double cum, double avg) {
  ExecutionReport r;
  r.cl_ord_id = cl;
  r.exec_type = exec_type;
  r.ord_status = ord_status;
  r.cum_qty = cum;
  r.avg_px = avg;
  return r;
}

std::string field(const FieldList& fields, int t) {
  for (const auto& [k, v] : fields) {
    if (k == t) return v;
  }
  return "<absent>";
}

}  // namespace

// ---------------------------------------------------------------------------
// Formats

TEST_CASE("FIX timestamps and decimals are written as FIX spells them and read back") {
  CHECK(cli::fix::format_utc_timestamp(kNow) == "20261123-14:30:00.123");
  CHECK(cli::fix::parse_utc_timestamp("20261123-14:30:00.123") == kNow);
  CHECK(cli::fix::parse_utc_timestamp("20261123-14:30:00") == kNow - 123'000'000);
  for (const char* bad : {"", "2026-11-23", "20261123 14:30:00", "2026112x-14:30:00", "20261123-25:00:00"}) {
    CAPTURE(bad);
    CHECK_FALSE(cli::fix::parse_utc_timestamp(bad).has_value());
  }
  CHECK(cli::fix::format_decimal(12) == "12");
  CHECK(cli::fix::format_decimal(0.001) == "0.001");
  CHECK(cli::fix::format_decimal(588.5) == "588.5");
  CHECK(cli::fix::format_decimal(1e20) == "100000000000000000000");
}

TEST_CASE("a market order becomes a NewOrderSingle with ClOrdID = order_id and Account = portfolio") {
  const auto m = cli::fix::new_order_single(market_order(), kNow);
  CHECK(m.msg_type == "D");
  CHECK(m.cl_ord_id == "main-20261123-000042");
  CHECK(m.order_id == "main-20261123-000042");
  CHECK(m.fields == FieldList{{tag::kClOrdId, "main-20261123-000042"},
                              {tag::kAccount, "main"},
                              {tag::kSymbol, "SPY"},
                              {tag::kSide, "1"},
                              {tag::kTransactTime, "20261123-14:30:00.123"},
                              {tag::kOrderQty, "12"},
                              {tag::kOrdType, "1"},
                              {tag::kTimeInForce, "0"}});
}

TEST_CASE("a limit order carries OrdType limit and its Price") {
  const auto m = cli::fix::new_order_single(limit_order(), kNow);
  CHECK(field(m.fields, tag::kSide) == "2");
  CHECK(field(m.fields, tag::kOrdType) == "2");
  CHECK(field(m.fields, tag::kPrice) == "590.5");
  CHECK(field(m.fields, tag::kOrderQty) == "0.25");
  CHECK(field(m.fields, tag::kTimeInForce) == "0");
}

TEST_CASE("cancel and replace ClOrdIDs are derived from the order id and numbered per order") {
  CHECK(cli::fix::amendment_cl_ord_id("o-1", core::AmendAction::replace, 1) == "o-1.r1");
  CHECK(cli::fix::amendment_cl_ord_id("o-1", core::AmendAction::cancel, 2) == "o-1.c2");
}

// ---------------------------------------------------------------------------
// Decoding what the venue sends

TEST_CASE("an ExecutionReport is decoded with its cumulative figures") {
  const auto d = cli::fix::decode_execution_report({{tag::kClOrdId, "o-1"},
                                                    {tag::kOrigClOrdId, "o-0"},
                                                    {tag::kExecType, "F"},
                                                    {tag::kOrdStatus, "1"},
                                                    {tag::kCumQty, "6"},
                                                    {tag::kAvgPx, "589.2"},
                                                    {tag::kOrderQty, "12"},
                                                    {tag::kTransactTime, "20261123-14:30:00.123"},
                                                    {tag::kText, "partial"}});
  REQUIRE(d.ok);
  CHECK(d.report.cl_ord_id == "o-1");
  CHECK(d.report.orig_cl_ord_id == "o-0");
  CHECK(d.report.exec_type == 'F');
  CHECK(d.report.ord_status == '1');
  CHECK(d.report.cum_qty == 6);
  CHECK(d.report.avg_px == 589.2);
  CHECK(d.report.order_qty == 12);
  CHECK_FALSE(d.report.price.has_value());
  CHECK(d.report.transact_time == kNow);
  CHECK(d.report.text == "partial");
}

TEST_CASE("an unusable ExecutionReport is refused with a reason") {
  const FieldList good = {{tag::kClOrdId, "o-1"}, {tag::kExecType, "0"}, {tag::kOrdStatus, "0"},
                          {tag::kCumQty, "0"},    {tag::kAvgPx, "0"}};
  const auto without = [&](int t) {
    FieldList f;
    for (const auto& kv : good) {
      if (kv.first != t) f.push_back(kv);
    }
    return f;
  };
  const auto with = [&](int t, const std::string& v) {
    FieldList f = without(t);
    f.emplace_back(t, v);
    return f;
  };
  CHECK(cli::fix::decode_execution_report(good).ok);
  for (const FieldList& bad : {without(tag::kClOrdId), with(tag::kClOrdId, ""), without(tag::kExecType),
                               with(tag::kExecType, "FF"), without(tag::kOrdStatus), with(tag::kOrdStatus, ""),
                               without(tag::kCumQty), with(tag::kCumQty, "-1"), with(tag::kCumQty, "abc"),
                               with(tag::kCumQty, "nan"), without(tag::kAvgPx), with(tag::kAvgPx, "1e999"),
                               with(tag::kAvgPx, "12 ")}) {
    const auto d = cli::fix::decode_execution_report(bad);
    CHECK_FALSE(d.ok);
    CHECK_FALSE(d.error.empty());
  }
}

TEST_CASE("an OrderCancelReject is decoded, and refused without a ClOrdID") {
  const auto d = cli::fix::decode_cancel_reject({{tag::kClOrdId, "o-1.c1"},
                                                 {tag::kOrigClOrdId, "o-1"},
                                                 {tag::kCxlRejResponseTo, "1"},
                                                 {tag::kCxlRejReason, "0"},
                                                 {tag::kText, "too late to cancel"}});
  REQUIRE(d.ok);
  CHECK(d.reject.cl_ord_id == "o-1.c1");
  CHECK(d.reject.response_to == '1');
  CHECK(d.reject.text == "too late to cancel");
  CHECK_FALSE(cli::fix::decode_cancel_reject({{tag::kText, "x"}}).ok);
}

// ---------------------------------------------------------------------------
// The book

TEST_CASE("a new order is sent once; a repeated order id is dropped") {
  FixBook book;
  Decision d = book.on_order(market_order(), kNow, 7);
  REQUIRE(d.to_venue.size() == 1);
  CHECK(d.to_venue[0].msg_type == "D");
  CHECK(d.changed == std::vector<std::string>{"main-20261123-000042"});
  const auto* rec = book.find("main-20261123-000042");
  REQUIRE(rec);
  CHECK(rec->unsent == "main-20261123-000042");
  CHECK(rec->unsent_floor == 7);
  CHECK(book.mark_sent("main-20261123-000042", "main-20261123-000042"));
  CHECK(rec->unsent.empty());
  CHECK_FALSE(book.mark_sent("main-20261123-000042", "main-20261123-000042"));

  d = book.on_order(market_order(), kNow, 8);
  CHECK(d.to_venue.empty());
  CHECK(d.changed.empty());
  CHECK(d.dropped == "order id seen before");
}

TEST_CASE("ExecutionReports become cumulative reports: partial fills, then filled, each once") {
  FixBook book;
  const std::string id = "main-20261123-000042";
  book.on_order(market_order(), kNow, 1);
  // New: nothing to report.
  Decision d = book.on_execution_report(er(id, '0', '0', 0, 0), kNow, 2);
  CHECK(d.to_daemon.empty());
  d = book.on_execution_report(er(id, 'F', '1', 5, 589.0), kNow, 2);
  REQUIRE(d.to_daemon.size() == 1);
  CHECK(d.to_daemon[0].status == FillStatus::partially_filled);
  CHECK(d.to_daemon[0].filled_quantity == 5);
  CHECK(d.to_daemon[0].avg_price == 589.0);
  // The same cumulative state again (a resend): nothing new.
  d = book.on_execution_report(er(id, 'F', '1', 5, 589.0), kNow, 2);
  CHECK(d.to_daemon.empty());
  // An older state arriving late does not move the figures back.
  d = book.on_execution_report(er(id, 'F', '1', 3, 588.0), kNow, 2);
  CHECK(d.to_daemon.empty());
  CHECK(book.find(id)->cum_qty == 5);
  ExecutionReport done = er(id, 'F', '2', 12, 589.5);
  done.transact_time = kNow + 1000;
  d = book.on_execution_report(done, kNow, 2);
  REQUIRE(d.to_daemon.size() == 1);
  CHECK(d.to_daemon[0].status == FillStatus::filled);
  CHECK(d.to_daemon[0].filled_quantity == 12);
  CHECK(d.to_daemon[0].avg_price == 589.5);
  CHECK(d.to_daemon[0].ts == kNow + 1000);
  CHECK(book.find(id)->done);
  CHECK(book.open_orders() == 0);
  // After the final report nothing more is reported.
  d = book.on_execution_report(done, kNow, 2);
  CHECK(d.to_daemon.empty());
  CHECK_FALSE(d.dropped.empty());
}

TEST_CASE("a rejected order is reported rejected; expired and done-for-day orders end cancelled") {
  FixBook book;
  for (const char* id : {"a", "b", "c"}) book.on_order(market_order(id), kNow, 1);
  Decision d = book.on_execution_report(er("a", '8', '8', 0, 0), kNow, 2);
  REQUIRE(d.to_daemon.size() == 1);
  CHECK(d.to_daemon[0].status == FillStatus::rejected);
  book.on_execution_report(er("b", 'F', '1', 4, 10), kNow, 2);
  d = book.on_execution_report(er("b", 'C', 'C', 4, 10), kNow, 2);
  REQUIRE(d.to_daemon.size() == 1);
  CHECK(d.to_daemon[0].status == FillStatus::cancelled);
  CHECK(d.to_daemon[0].filled_quantity == 4);
  d = book.on_execution_report(er("c", '3', '3', 0, 0), kNow, 2);
  REQUIRE(d.to_daemon.size() == 1);
  CHECK(d.to_daemon[0].status == FillStatus::cancelled);
}

TEST_CASE("a report for an unknown ClOrdID is dropped with a reason") {
  FixBook book;
  const Decision d = book.on_execution_report(er("nobody", 'F', '2', 1, 1), kNow, 1);
  CHECK(d.to_daemon.empty());
  CHECK(d.dropped == "unknown ClOrdID nobody");
}

TEST_CASE("a cancel goes out with OrigClOrdID and a derived ClOrdID, and is answered by a cancelled report") {
  FixBook book;
  const std::string id = "main-20261123-000042";
  book.on_order(limit_order(), kNow, 1);
  book.on_execution_report(er(id, 'F', '1', 0.1, 590.5), kNow, 2);
  Decision d = book.on_amendment(cancel(id, "q-1"), kNow, 3);
  CHECK(d.request_id == "q-1");
  REQUIRE(d.to_venue.size() == 1);
  const auto& m = d.to_venue[0];
  CHECK(m.msg_type == "F");
  CHECK(m.cl_ord_id == id + ".c1");
  CHECK(field(m.fields, tag::kOrigClOrdId) == id);
  CHECK(field(m.fields, tag::kClOrdId) == id + ".c1");
  CHECK(field(m.fields, tag::kSide) == "2");
  CHECK(field(m.fields, tag::kOrderQty) == "0.25");
  CHECK(book.order_of(id + ".c1") == id);

  // Pending cancel, then canceled: reports under the daemon's order id.
  ExecutionReport pending = er(id + ".c1", '6', '6', 0.1, 590.5);
  pending.orig_cl_ord_id = id;
  CHECK(book.on_execution_report(pending, kNow, 4).to_daemon.empty());
  ExecutionReport canceled = er(id + ".c1", '4', '4', 0.1, 590.5);
  canceled.orig_cl_ord_id = id;
  d = book.on_execution_report(canceled, kNow, 4);
  REQUIRE(d.to_daemon.size() == 1);
  CHECK(d.to_daemon[0].order_id == id);
  CHECK(d.to_daemon[0].status == FillStatus::cancelled);
  CHECK(d.to_daemon[0].filled_quantity == 0.1);
  CHECK(d.to_daemon[0].avg_price == 590.5);
}

TEST_CASE("a cancel that comes too late is answered by the order's filled report") {
  FixBook book;
  book.on_order(market_order("o"), kNow, 1);
  book.on_amendment(cancel("o", "q-1"), kNow, 2);
  CancelReject rj;
  rj.cl_ord_id = "o.c1";
  rj.orig_cl_ord_id = "o";
  rj.response_to = '1';
  rj.text = "too late to cancel";
  Decision d = book.on_cancel_reject(rj, kNow, 3);
  CHECK(d.to_daemon.empty());
  REQUIRE(d.log.size() == 1);
  CHECK_FALSE(book.find("o")->in_flight.has_value());
  d = book.on_execution_report(er("o", 'F', '2', 12, 589), kNow, 3);
  REQUIRE(d.to_daemon.size() == 1);
  CHECK(d.to_daemon[0].status == FillStatus::filled);
  // A cancel for a finished order is dropped: its filled report was the answer.
  d = book.on_amendment(cancel("o", "q-2"), kNow, 4);
  CHECK(d.to_venue.empty());
  CHECK(d.dropped == "order already finished");
  CHECK(d.request_id == "q-2");
}

TEST_CASE("a replace re-sizes and re-prices the order; reports stay cumulative across it") {
  FixBook book;
  const std::string id = "o";
  book.on_order(limit_order(id), kNow, 1);
  book.on_execution_report(er(id, 'F', '1', 0.1, 590.5), kNow, 2);
  Decision d = book.on_amendment(replace(id, "q-1", 0.5, 591.25), kNow, 3);
  REQUIRE(d.to_venue.size() == 1);
  const auto& m = d.to_venue[0];
  CHECK(m.msg_type == "G");
  CHECK(m.cl_ord_id == "o.r1");
  CHECK(field(m.fields, tag::kOrigClOrdId) == "o");
  CHECK(field(m.fields, tag::kOrderQty) == "0.5");
  CHECK(field(m.fields, tag::kPrice) == "591.25");
  CHECK(field(m.fields, tag::kOrdType) == "2");
  CHECK(field(m.fields, tag::kTimeInForce) == "0");

  ExecutionReport replaced = er("o.r1", '5', '1', 0.1, 590.5);
  replaced.orig_cl_ord_id = "o";
  d = book.on_execution_report(replaced, kNow, 4);
  CHECK(d.to_daemon.empty());
  const auto* rec = book.find(id);
  CHECK(rec->cl_ord_id == "o.r1");
  CHECK(rec->order.quantity == 0.5);
  CHECK(rec->order.limit_price == 591.25);
  CHECK_FALSE(rec->in_flight.has_value());

  // The next request refers to the replace's ClOrdID.
  d = book.on_amendment(replace(id, "q-2", 0.4, 592), kNow, 5);
  REQUIRE(d.to_venue.size() == 1);
  CHECK(d.to_venue[0].cl_ord_id == "o.r2");
  CHECK(field(d.to_venue[0].fields, tag::kOrigClOrdId) == "o.r1");
  ExecutionReport second = er("o.r2", '5', '1', 0.1, 590.5);
  book.on_execution_report(second, kNow, 6);
  d = book.on_execution_report(er("o.r2", 'F', '2', 0.4, 591.0), kNow, 6);
  REQUIRE(d.to_daemon.size() == 1);
  CHECK(d.to_daemon[0].order_id == "o");
  CHECK(d.to_daemon[0].status == FillStatus::filled);
  CHECK(d.to_daemon[0].filled_quantity == 0.4);
}

TEST_CASE("a replace the venue refuses leaves the order as it was") {
  FixBook book;
  book.on_order(limit_order("o"), kNow, 1);
  book.on_amendment(replace("o", "q-1", 1, 600), kNow, 2);
  CancelReject rj;
  rj.cl_ord_id = "o.r1";
  rj.response_to = '2';
  rj.reason = "3";
  const Decision d = book.on_cancel_reject(rj, kNow, 3);
  CHECK(d.to_daemon.empty());
  CHECK(d.changed == std::vector<std::string>{"o"});
  const auto* rec = book.find("o");
  CHECK(rec->cl_ord_id == "o");
  CHECK(rec->order.quantity == 0.25);
  CHECK(rec->order.limit_price == 590.5);
  CHECK_FALSE(rec->in_flight.has_value());
  // A replace refused by an ExecutionReport (ExecType rejected) is the same.
  book.on_amendment(replace("o", "q-2", 1, 601), kNow, 4);
  const Decision e = book.on_execution_report(er("o.r2", '8', '0', 0, 0), kNow, 5);
  CHECK(e.to_daemon.empty());
  CHECK_FALSE(book.find("o")->done);
  CHECK(book.find("o")->cl_ord_id == "o");
}

TEST_CASE("one request is in flight per order; later ones wait and go out in order") {
  FixBook book;
  book.on_order(limit_order("o"), kNow, 1);
  Decision d = book.on_amendment(replace("o", "q-1", 1, 600), kNow, 2);
  REQUIRE(d.to_venue.size() == 1);
  d = book.on_amendment(cancel("o", "q-2"), kNow, 3);
  CHECK(d.to_venue.empty());
  CHECK(d.changed == std::vector<std::string>{"o"});
  CHECK(book.find("o")->waiting.size() == 1);
  d = book.on_execution_report(er("o.r1", '5', '0', 0, 0), kNow, 4);
  REQUIRE(d.to_venue.size() == 1);
  CHECK(d.to_venue[0].msg_type == "F");
  CHECK(d.to_venue[0].cl_ord_id == "o.c2");
  CHECK(field(d.to_venue[0].fields, tag::kOrigClOrdId) == "o.r1");
  CHECK(field(d.to_venue[0].fields, tag::kOrderQty) == "1");
  CHECK(book.find("o")->unsent == "o.c2");
  CHECK(book.find("o")->unsent_floor == 4);
}

TEST_CASE("waiting requests are dropped when the order finishes first") {
  FixBook book;
  book.on_order(limit_order("o"), kNow, 1);
  book.on_amendment(replace("o", "q-1", 1, 600), kNow, 2);
  book.on_amendment(cancel("o", "q-2"), kNow, 3);
  const Decision d = book.on_execution_report(er("o", 'F', '2', 0.25, 590.5), kNow, 4);
  REQUIRE(d.to_daemon.size() == 1);
  CHECK(d.to_venue.empty());
  CHECK(book.find("o")->waiting.empty());
}

TEST_CASE("a replace below what is filled, a repeated request id and an unknown order are dropped") {
  FixBook book;
  book.on_order(limit_order("o"), kNow, 1);
  book.on_execution_report(er("o", 'F', '1', 0.2, 590.5), kNow, 2);
  Decision d = book.on_amendment(replace("o", "q-1", 0.1, 600), kNow, 3);
  CHECK(d.to_venue.empty());
  CHECK(d.dropped == "replace to 0.1 is below the 0.2 filled");
  CHECK(d.request_id == "q-1");
  d = book.on_amendment(cancel("o", "q-1"), kNow, 3);
  CHECK(d.dropped == "request id seen before");
  CHECK(d.request_id.empty());
  d = book.on_amendment(cancel("nobody", "q-3"), kNow, 3);
  CHECK(d.dropped == "unknown order");
}

TEST_CASE("the unsent message of an order can be built again after a restart") {
  FixBook book;
  book.on_order(limit_order("o"), kNow, 5);
  auto m = book.unsent_message("o", kNow);
  REQUIRE(m);
  CHECK(m->msg_type == "D");
  book.mark_sent("o", "o");
  CHECK_FALSE(book.unsent_message("o", kNow).has_value());
  book.on_amendment(replace("o", "q-1", 1, 600), kNow, 6);
  m = book.unsent_message("o", kNow);
  REQUIRE(m);
  CHECK(m->msg_type == "G");
  CHECK(m->cl_ord_id == "o.r1");

  // A book restored from the records answers the same.
  FixBook again;
  again.restore(*book.find("o"));
  again.restore_request("q-1");
  CHECK(again.order_of("o.r1") == "o");
  CHECK(again.on_amendment(cancel("o", "q-1"), kNow, 7).dropped == "request id seen before");
  CHECK(again.on_order(limit_order("o"), kNow, 7).dropped == "order id seen before");
}

}  // namespace test_fix_mapping
