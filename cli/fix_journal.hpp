#pragma once
// The FIX gateway's own durable state (README "FIX gateway"): every order's
// record (its ClOrdIDs, the request in flight and those waiting, the venue's
// cumulative figures, what was reported to the daemon), the request ids seen,
// and the reports not yet handed to the daemon. One SQLite file in WAL mode,
// fsynced on every commit, written before the gateway sends what it decided.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/fix_mapping.hpp"
#include "core/types.hpp"

struct sqlite3;

namespace ballast::cli::fix {

/// A report written to the journal and not yet known to be handed to the daemon.
struct OutboxEntry {
  std::int64_t id = 0;
  core::FillReport report;
};

/// Thrown when the journal cannot be opened, read or written; the gateway stops.
struct JournalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class FixJournal {
 public:
  /// Opens `path`, creating it when absent, and holds it exclusively: a second
  /// gateway on the same file is refused. A file that is not such a journal,
  /// or is damaged, is refused too. Throws JournalError.
  explicit FixJournal(const std::string& path);
  ~FixJournal();
  FixJournal(const FixJournal&) = delete;
  FixJournal& operator=(const FixJournal&) = delete;

  /// Loads every record and request id into `book`; returns the outbox.
  std::vector<OutboxEntry> load(FixBook& book);

  /// One transaction: the records of `order_ids` as `book` has them now, a
  /// request id (when not empty) and `reports` for the daemon, whose outbox
  /// entries it returns in order.
  std::vector<OutboxEntry> save(const FixBook& book, const std::vector<std::string>& order_ids,
                                const std::string& request_id, const std::vector<core::FillReport>& reports);
  /// The report of outbox entry `id` was handed to the daemon's socket.
  void delivered(std::int64_t id);

  const std::string& path() const { return path_; }

 private:
  void exec(const char* sql);
  std::string path_;
  sqlite3* db_ = nullptr;
};

/// A record as the journal writes it (JSON), and back. Exposed for tests.
std::string encode_record(const FixOrder& record);
/// nullopt, with `error`, when the text is not a record.
std::optional<FixOrder> decode_record(const std::string& json, std::string& error);

}  // namespace ballast::cli::fix
