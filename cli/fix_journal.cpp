#include "cli/fix_journal.hpp"

#include <simdjson.h>
#include <sqlite3.h>

#include <cmath>

#include "core/json_writer.hpp"
#include "execution/io/order_codec.hpp"

namespace ballast::cli::fix {
namespace {

/// PRAGMA application_id of a journal: "BFIX".
constexpr std::int32_t kApplicationId = 0x42464958;
constexpr int kSchemaVersion = 1;
constexpr int kBusyTimeoutMs = 200;

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS orders (order_id TEXT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS requests (request_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, report TEXT NOT NULL);
)";

namespace dom = simdjson::dom;

std::string_view status_name(core::FillStatus s) { return core::to_string(s); }

std::optional<core::FillStatus> parse_status(std::string_view s) {
  for (core::FillStatus st : {core::FillStatus::filled, core::FillStatus::partially_filled,
                              core::FillStatus::rejected, core::FillStatus::cancelled}) {
    if (core::to_string(st) == s) return st;
  }
  return std::nullopt;
}

void write_report(core::JsonWriter& w, const core::FillReport& r) {
  w.begin_object()
      .field("order_id", r.order_id)
      .field("status", status_name(r.status))
      .field("filled_quantity", r.filled_quantity)
      .field("avg_price", r.avg_price)
      .field("ts", static_cast<long long>(r.ts))
      .end_object();
}

std::string encode_report(const core::FillReport& r) {
  std::string out;
  core::JsonWriter w(out);
  write_report(w, r);
  return out;
}

// Reading: every accessor throws simdjson_error on a missing field or a wrong
// type, which decode_record turns into an error text.
std::string text(dom::element e, const char* key) { return std::string(std::string_view(e[key])); }
double number(dom::element e, const char* key) { return double(e[key]); }
core::TimeNs integer(dom::element e, const char* key) { return int64_t(e[key]); }

core::FillReport read_report(dom::element e) {
  core::FillReport r;
  r.order_id = text(e, "order_id");
  const auto status = parse_status(std::string_view(e["status"]));
  if (!status) throw std::invalid_argument("unknown report status");
  r.status = *status;
  r.filled_quantity = number(e, "filled_quantity");
  r.avg_price = number(e, "avg_price");
  r.ts = integer(e, "ts");
  return r;
}

std::optional<core::FillReport> decode_report(const std::string& json) {
  dom::parser parser;
  try {
    return read_report(parser.parse(json));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) fail("prepare");
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void bind(int i, const std::string& v) {
    if (sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) != SQLITE_OK) fail("bind");
  }
  void bind(int i, std::int64_t v) {
    if (sqlite3_bind_int64(stmt_, i, v) != SQLITE_OK) fail("bind");
  }
  /// True while there is a row.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) fail("step");
    return false;
  }
  std::string column_text(int i) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i))) : std::string();
  }
  std::int64_t column_int(int i) const { return sqlite3_column_int64(stmt_, i); }

 private:
  [[noreturn]] void fail(const char* what) const {
    throw JournalError(std::string("journal: cannot ") + what + ": " + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace

std::string encode_record(const FixOrder& rec) {
  std::string order;
  execution::encode_order(rec.order, order);
  std::string out;
  core::JsonWriter w(out);
  w.begin_object().key("order").raw(order);
  // encode_order writes milliseconds; the record keeps the times exact.
  w.field("created_at_ns", static_cast<long long>(rec.order.created_at))
      .field("expire_at_ns", static_cast<long long>(rec.order.expire_at))
      .field("cl_ord_id", rec.cl_ord_id);
  w.key("cl_ord_ids").begin_array();
  for (const std::string& cl : rec.cl_ord_ids) w.value(cl);
  w.end_array();
  w.field("amendments", rec.amendments);
  if (rec.in_flight) {
    const PendingRequest& p = *rec.in_flight;
    w.key("in_flight")
        .begin_object()
        .field("action", p.action == core::AmendAction::cancel ? "cancel" : "replace")
        .field("cl_ord_id", p.cl_ord_id)
        .field("orig_cl_ord_id", p.orig_cl_ord_id)
        .field("request_id", p.request_id)
        .field("quantity", p.quantity)
        .field("limit_price", p.limit_price)
        .end_object();
  }
  w.key("waiting").begin_array();
  for (const core::OrderAmendment& a : rec.waiting) {
    std::string frame;
    execution::encode_amendment(a, frame);
    w.raw(frame);
  }
  w.end_array();
  w.field("cum_qty", rec.cum_qty).field("avg_px", rec.avg_px);
  if (rec.reported) {
    w.key("reported");
    write_report(w, *rec.reported);
  }
  w.field("done", rec.done).field("unsent", rec.unsent).field("unsent_floor", rec.unsent_floor).end_object();
  return out;
}

std::optional<FixOrder> decode_record(const std::string& json, std::string& error) {
  dom::parser parser;
  try {
    const dom::element e = parser.parse(json);
    FixOrder rec;
    const execution::DecodedOrder order = execution::decode_order(simdjson::minify(e["order"]));
    if (!order.ok) throw std::invalid_argument("order: " + order.error);
    rec.order = order.order;
    rec.order.created_at = integer(e, "created_at_ns");
    rec.order.expire_at = integer(e, "expire_at_ns");
    rec.cl_ord_id = text(e, "cl_ord_id");
    for (const dom::element cl : dom::array(e["cl_ord_ids"])) rec.cl_ord_ids.emplace_back(std::string_view(cl));
    rec.amendments = static_cast<int>(int64_t(e["amendments"]));
    dom::element in_flight;
    if (e["in_flight"].get(in_flight) == simdjson::SUCCESS) {
      PendingRequest p;
      p.action = text(in_flight, "action") == "cancel" ? core::AmendAction::cancel : core::AmendAction::replace;
      p.cl_ord_id = text(in_flight, "cl_ord_id");
      p.orig_cl_ord_id = text(in_flight, "orig_cl_ord_id");
      p.request_id = text(in_flight, "request_id");
      p.quantity = number(in_flight, "quantity");
      p.limit_price = number(in_flight, "limit_price");
      rec.in_flight = std::move(p);
    }
    for (const dom::element a : dom::array(e["waiting"])) {
      const execution::DecodedFrame frame = execution::decode_order_frame(simdjson::minify(a));
      if (!frame.ok || frame.kind != execution::FrameKind::amendment) {
        throw std::invalid_argument("waiting request: " + frame.error);
      }
      rec.waiting.push_back(frame.amendment);
    }
    rec.cum_qty = number(e, "cum_qty");
    rec.avg_px = number(e, "avg_px");
    dom::element reported;
    if (e["reported"].get(reported) == simdjson::SUCCESS) rec.reported = read_report(reported);
    rec.done = bool(e["done"]);
    rec.unsent = text(e, "unsent");
    rec.unsent_floor = static_cast<int>(int64_t(e["unsent_floor"]));
    if (rec.cl_ord_ids.empty() || rec.cl_ord_ids.front() != rec.order.order_id) {
      throw std::invalid_argument("ClOrdIDs do not start with the order id");
    }
    return rec;
  } catch (const std::exception& ex) {
    error = ex.what();
    return std::nullopt;
  }
}

FixJournal::FixJournal(const std::string& path) : path_(path) {
  const int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw JournalError("journal " + path + ": cannot open: " + why);
  }
  try {
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    // Held from the first transaction to the end: one gateway per journal.
    exec("PRAGMA locking_mode=EXCLUSIVE");
    std::int64_t application_id = 0;
    std::int64_t version = 0;
    {
      Statement s(db_, "PRAGMA application_id");
      if (s.step()) application_id = s.column_int(0);
    }
    {
      Statement s(db_, "PRAGMA user_version");
      if (s.step()) version = s.column_int(0);
    }
    bool empty = true;
    {
      Statement s(db_, "SELECT count(*) FROM sqlite_master");
      if (s.step()) empty = s.column_int(0) == 0;
    }
    if (empty) {
      exec("PRAGMA journal_mode=WAL");
      exec(("BEGIN IMMEDIATE; PRAGMA application_id=" + std::to_string(kApplicationId) +
            "; PRAGMA user_version=" + std::to_string(kSchemaVersion) + ";" + kSchema + "COMMIT;")
               .c_str());
    } else if (application_id != kApplicationId) {
      throw JournalError("journal " + path + ": not a FIX gateway journal (another program's file?)");
    } else if (version != kSchemaVersion) {
      throw JournalError("journal " + path + ": schema version " + std::to_string(version) + ", this build reads " +
                         std::to_string(kSchemaVersion));
    }
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=FULL");
    exec("BEGIN IMMEDIATE; COMMIT;");  // takes the exclusive lock now, not at the first order
  } catch (const JournalError& e) {
    sqlite3_close(db_);
    db_ = nullptr;
    const std::string what = e.what();
    if (what.find("locked") != std::string::npos) {
      throw JournalError("journal " + path + ": in use by another gateway");
    }
    throw;
  }
}

FixJournal::~FixJournal() { sqlite3_close(db_); }

void FixJournal::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string why = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw JournalError("journal " + path_ + ": " + why);
  }
}

std::vector<OutboxEntry> FixJournal::load(FixBook& book) {
  {
    Statement s(db_, "SELECT order_id, record FROM orders");
    while (s.step()) {
      std::string error;
      auto rec = decode_record(s.column_text(1), error);
      if (!rec) throw JournalError("journal " + path_ + ": order " + s.column_text(0) + " unreadable: " + error);
      book.restore(std::move(*rec));
    }
  }
  {
    Statement s(db_, "SELECT request_id FROM requests");
    while (s.step()) book.restore_request(s.column_text(0));
  }
  std::vector<OutboxEntry> outbox;
  Statement s(db_, "SELECT id, report FROM outbox ORDER BY id");
  while (s.step()) {
    auto report = decode_report(s.column_text(1));
    if (!report) throw JournalError("journal " + path_ + ": outbox entry unreadable");
    outbox.push_back({s.column_int(0), std::move(*report)});
  }
  return outbox;
}

std::vector<OutboxEntry> FixJournal::save(const FixBook& book, const std::vector<std::string>& order_ids,
                                          const std::string& request_id, const std::vector<core::FillReport>& reports) {
  std::vector<OutboxEntry> entries;
  if (order_ids.empty() && request_id.empty() && reports.empty()) return entries;
  exec("BEGIN IMMEDIATE");
  try {
    for (const std::string& id : order_ids) {
      const FixOrder* rec = book.find(id);
      if (!rec) continue;
      Statement s(db_, "INSERT OR REPLACE INTO orders (order_id, record) VALUES (?1, ?2)");
      s.bind(1, id);
      s.bind(2, encode_record(*rec));
      s.step();
    }
    if (!request_id.empty()) {
      Statement s(db_, "INSERT OR IGNORE INTO requests (request_id) VALUES (?1)");
      s.bind(1, request_id);
      s.step();
    }
    for (const core::FillReport& r : reports) {
      Statement s(db_, "INSERT INTO outbox (report) VALUES (?1)");
      s.bind(1, encode_report(r));
      s.step();
      entries.push_back({sqlite3_last_insert_rowid(db_), r});
    }
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  return entries;
}

void FixJournal::delivered(std::int64_t id) {
  Statement s(db_, "DELETE FROM outbox WHERE id = ?1");
  s.bind(1, id);
  s.step();
}

}  // namespace ballast::cli::fix
