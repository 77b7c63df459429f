#pragma once
// `ballast tax report --year Y --config PATH [--account ID] [--format
// csv|1099b] [--output FILE]`: the realised gains of a tax year from the
// state file of the configuration's [daemon] state_dir, formatted by
// offline::TaxReportWriter. The state file is locked by the daemon that runs
// on it, so the report is made while the daemon is stopped. In the 1099b
// format an account whose model (its record's, in the book) has tax rates
// gets the tax of its totals estimated.
#include <iosfwd>
#include <string>

namespace CLI {
class App;
}

namespace ballast::cli {

struct TaxCommandOptions {
  int year = 0;             ///< of the sale day; 1900..2999 (checked by the parser)
  std::string config_path;
  std::string account;      ///< only this account; empty: every account
  std::string format = "csv";  ///< "csv" or "1099b" (checked by the parser)
  std::string output;       ///< empty: standard output; else written aside and renamed into place
};

/// Adds `tax` and its `report` subcommand to `app`, filling `options`.
CLI::App* add_tax_command(CLI::App& app, TaxCommandOptions& options);

/// Runs it. Exit codes of SPEC §1: 0 written (a year without sales too); 78
/// the configuration does not validate; 2 an unknown format; 1 a state file
/// that is missing or cannot be opened (held by a running daemon, say), an
/// account that neither the book nor the realised gains know, a line that
/// cannot be read or written, an output file that cannot be written (left as
/// it was). The report goes to `out` (or --output), problems to `err`. Never throws.
int run_tax_command(const TaxCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace ballast::cli
