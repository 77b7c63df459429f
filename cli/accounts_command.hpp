#pragma once
// `ballast accounts import FILE --config PATH [--update] [--dry-run]`: the I/O
// shell around fleet::AccountReader and the state file's account book. Every
// row is parsed and checked against the configuration's [[models]] (and the
// book) before anything is written; then all rows go in one transaction.
#include <iosfwd>
#include <string>

#include "config/config.hpp"
#include "fleet/account_record.hpp"

namespace CLI {
class App;
}

namespace ballast::cli {

struct AccountsCommandOptions {
  std::string file;            ///< CSV (.csv) or JSON lines (.jsonl, .ndjson); otherwise by its first character
  std::string config_path;
  bool update = false;   ///< an id already in the book is replaced instead of refused
  bool dry_run = false;  ///< check everything, write nothing
};

/// Adds `accounts` and its `import` subcommand to `app`, filling `options`.
CLI::App* add_accounts_command(CLI::App& app, AccountsCommandOptions& options);

/// Each [[models]] id with its symbols: what an account's model and holdings are checked against.
fleet::ModelCatalog model_catalog(const config::Config& config);

/// Runs it. Exit codes of SPEC §1: 0 imported (or, with --dry-run, every row
/// fine); 78 the configuration does not validate; 1 a bad row (each reported
/// as FILE:LINE[:COLUMN]: message; nothing is written), an unreadable file, a
/// state file that cannot be opened (held by a running daemon, say) or
/// written. The summary goes to `out`, problems to `err`. Never throws.
int run_accounts_command(const AccountsCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace ballast::cli
