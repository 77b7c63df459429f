#pragma once
// `ballast simulate --config FILE`: the I/O shell around offline::simulate —
// reads the configuration (and a prices file to bootstrap, and any risk
// histories), builds the paths, runs every portfolio on them, prints the
// summary and writes the report.
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace ballast::cli {

/// Flags; an unset optional takes its value from [simulation], else its default.
struct SimulateCommandOptions {
  std::string config_path;
  std::string prices_path;  ///< set: a block bootstrap of this file instead of GBM
  std::optional<std::size_t> block;  ///< bootstrap block length, default 20
  std::optional<std::int64_t> paths;
  std::optional<std::string> horizon;
  std::optional<std::string> step;
  std::optional<std::uint64_t> seed;
  std::optional<double> risk_free;
  unsigned threads = 0;  ///< 0: one per CPU this process may run on
  bool json = false;
  std::string report_path;
  /// Accounts (the import formats) to run on the configuration's [[models]], when set.
  std::string accounts_path;
  bool progress_bar = false;  ///< draw one on stderr (add_simulate_command: when stderr is a terminal)
};

/// Adds the `simulate` subcommand and its flags to `app`, filling `options`.
CLI::App* add_simulate_command(CLI::App& app, SimulateCommandOptions& options);

/// Runs it. Exit codes as for the other commands: 0 done; 78 the
/// configuration does not validate (every problem as file:line:column:
/// message), has no portfolio, or does not give the market model (a
/// volatility or an expected return missing, correlations that cannot be);
/// 2 a bad flag value; 1 anything else (an unreadable prices file, a report
/// that cannot be written). Messages go to `err`, the summary to `out`.
/// Never throws.
int run_simulate_command(const SimulateCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace ballast::cli
