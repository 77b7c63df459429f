#pragma once
// `ballast backtest --config FILE --prices FILE.csv` (SPEC §7): the I/O shell
// around offline::run_backtest — reads the configuration, the prices and any
// risk histories, runs, prints the summary and writes the requested files.
#include <iosfwd>
#include <string>

namespace CLI {
class App;
}

namespace ballast::cli {

struct BacktestCommandOptions {
  std::string config_path;
  std::string prices_path;
  bool json = false;        ///< print the JSON summary instead of the table
  std::string orders_path;  ///< write every order as CSV here, when set
  std::string report_path;  ///< write the HTML report here, when set
  double risk_free_rate = 0;  ///< annual, for the Sharpe ratio
  /// Accounts (the import formats) to run on the configuration's [[models]], when set.
  std::string accounts_path;
};

/// Adds the `backtest` subcommand and its flags to `app`, filling `options`.
CLI::App* add_backtest_command(CLI::App& app, BacktestCommandOptions& options);

/// Runs it. Exit codes of SPEC §1: 0 done; 78 the configuration does not
/// validate (every problem as file:line:column: message) or has no
/// portfolio (with --accounts: no model); 2 a bad flag value; 1 anything
/// else (unreadable or malformed prices, a portfolio or model symbol missing
/// from them, a bad accounts line as FILE:LINE[:COLUMN]: message, a file that
/// cannot be written). Messages go to `err`, the summary to `out`. Never throws.
int run_backtest_command(const BacktestCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace ballast::cli
