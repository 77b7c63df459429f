#include "cli/fix_journal.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "core/time.hpp"
#include "tests/support/scratch_dir.hpp"

namespace test_fix_journal {

using namespace ballast;
using cli::fix::FixBook;
using cli::fix::FixJournal;
using cli::fix::FixOrder;
using cli::fix::JournalError;
using testing::ScratchDir;

namespace {

const core::TimeNs kNow = *core::parse_iso8601("2026-11-23T14:30:00.123Z") + 456'789;

core::Order limit_order(const std::string& id) {
  core::Order o;
  o.order_id = id;
  o.portfolio = "main";
  o.symbol = "BTC \"spot\"";
  o.side = core::Side::sell;
  o.quantity = 0.25;
  o.order_type = core::OrderType::limit;
  o.limit_price = 37123.45;
  o.reference_price = 37000;
  o.reason = "threshold";
  o.rebalance_id = "r-1";
  o.created_at = kNow;
  o.expire_at = kNow + 300 * core::kNanosPerSecond;
  return o;
}

core::OrderAmendment amendment(core::AmendAction action, const std::string& order_id, const std::string& rid) {
  core::OrderAmendment a;
  a.action = action;
  a.order_id = order_id;
  a.request_id = rid;
  a.portfolio = "main";
  a.symbol = "BTC \"spot\"";
  a.side = core::Side::sell;
  a.quantity = action == core::AmendAction::replace ? 0.5 : 0;
  a.limit_price = action == core::AmendAction::replace ? 37200 : 0;
  a.created_at = kNow;
  return a;
}

cli::fix::ExecutionReport er(const std::string& cl, char exec_type, char ord_status, double cum, double avg) {
  cli::fix::ExecutionReport r;
  r.cl_ord_id = cl;
  r.exec_type = exec_type;
  r.ord_status = ord_status;
  r.cum_qty = cum;
  r.avg_px = avg;
  return r;
}

void check_same(const FixOrder& a, const FixOrder& b) {
  CHECK(cli::fix::encode_record(a) == cli::fix::encode_record(b));
  CHECK(a.order.created_at == b.order.created_at);
  CHECK(a.order.expire_at == b.order.expire_at);
  CHECK(a.cl_ord_ids == b.cl_ord_ids);
  CHECK(a.waiting.size() == b.waiting.size());
  CHECK(a.in_flight.has_value() == b.in_flight.has_value());
  CHECK(a.reported.has_value() == b.reported.has_value());
}

}  // namespace

TEST_CASE("a record round-trips through its journal text, every part of it") {
  FixBook book;
  book.on_order(limit_order("o"), kNow, 3);
  book.on_execution_report(er("o", 'F', '1', 0.1, 37123.45), kNow, 4);
  book.on_amendment(amendment(core::AmendAction::replace, "o", "q-1"), kNow, 5);
  book.on_amendment(amendment(core::AmendAction::cancel, "o", "q-2"), kNow, 6);
  const FixOrder& rec = *book.find("o");
  REQUIRE(rec.in_flight.has_value());
  REQUIRE(rec.waiting.size() == 1);
  REQUIRE(rec.reported.has_value());
  CHECK_FALSE(rec.unsent.empty());

  std::string error;
  const auto back = cli::fix::decode_record(cli::fix::encode_record(rec), error);
  INFO(error);
  REQUIRE(back.has_value());
  check_same(rec, *back);
  CHECK(back->waiting[0].request_id == "q-2");
  CHECK(back->in_flight->cl_ord_id == "o.r1");
  CHECK(back->unsent == "o.r1");
  CHECK(back->unsent_floor == 5);
}

TEST_CASE("text that is not a record is refused with a reason") {
  std::string error;
  for (const char* bad : {"", "{}", "[1]", R"({"order":{"order_id":"o"}})", "not json"}) {
    CAPTURE(bad);
    error.clear();
    CHECK_FALSE(cli::fix::decode_record(bad, error).has_value());
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("the journal keeps records, request ids and undelivered reports across a reopen") {
  ScratchDir dir;
  const std::string path = dir.file("orders.db");
  FixBook book;
  {
    FixJournal journal(path);
    CHECK(journal.load(book).empty());
    auto d = book.on_order(limit_order("o"), kNow, 1);
    journal.save(book, d.changed, d.request_id, d.to_daemon);
    book.mark_sent("o", "o");
    d = book.on_amendment(amendment(core::AmendAction::replace, "o", "q-1"), kNow, 2);
    journal.save(book, d.changed, d.request_id, d.to_daemon);
    d = book.on_execution_report(er("o", 'F', '1', 0.1, 37123.45), kNow, 3);
    const auto entries = journal.save(book, d.changed, d.request_id, d.to_daemon);
    REQUIRE(entries.size() == 1);
    d = book.on_execution_report(er("o.r1", 'F', '2', 0.5, 37150), kNow, 3);
    const auto final_entries = journal.save(book, d.changed, d.request_id, d.to_daemon);
    REQUIRE(final_entries.size() == 1);
    journal.delivered(entries[0].id);
  }
  FixBook again;
  FixJournal journal(path);
  const auto outbox = journal.load(again);
  REQUIRE(outbox.size() == 1);
  CHECK(outbox[0].report.order_id == "o");
  CHECK(outbox[0].report.status == core::FillStatus::filled);
  CHECK(outbox[0].report.filled_quantity == 0.5);
  CHECK(outbox[0].report.avg_price == 37150);
  REQUIRE(again.find("o"));
  check_same(*book.find("o"), *again.find("o"));
  CHECK(again.find("o")->done);
  CHECK(again.order_of("o.r1") == "o");
  CHECK(again.on_amendment(amendment(core::AmendAction::cancel, "o", "q-1"), kNow, 9).dropped ==
        "request id seen before");
  CHECK(again.on_order(limit_order("o"), kNow, 9).dropped == "order id seen before");
}

TEST_CASE("a second gateway on the same journal is refused") {
  ScratchDir dir;
  const std::string path = dir.file("orders.db");
  FixJournal first(path);
  try {
    FixJournal second(path);
    FAIL("a second journal opened");
  } catch (const JournalError& e) {
    CHECK(std::string(e.what()).find("in use") != std::string::npos);
  }
}

TEST_CASE("a file that is not a journal is refused, never replaced") {
  ScratchDir dir;
  const std::string path = dir.file("orders.db");
  {
    std::ofstream out(path, std::ios::binary);
    out << "these are not the orders you are looking for";
  }
  CHECK_THROWS_AS(FixJournal{path}, JournalError);
  CHECK(testing::file_bytes(path) == "these are not the orders you are looking for");
  CHECK_THROWS_AS(FixJournal{dir.file("missing-dir/orders.db")}, JournalError);
}

}  // namespace test_fix_journal
