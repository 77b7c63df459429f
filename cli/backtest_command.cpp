#include "cli/backtest_command.hpp"

#include <CLI/CLI.hpp>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <exception>
#include <fstream>
#include <memory>
#include <ostream>

#include "cli/fleet_accounts.hpp"
#include "config/config.hpp"
#include "core/time.hpp"
#include "feeds/price_table.hpp"
#include "offline/backtest.hpp"
#include "offline/backtest_output.hpp"
#include "offline/backtest_report.hpp"

namespace ballast::cli {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr int kExitConfig = 78;

/// Writes `text` to `path`; an error message, empty on success.
std::string write_file(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) return path + ": cannot open for writing: " + std::strerror(errno);
  file << text;
  file.close();
  if (!file) return path + ": write failed";
  return {};
}

int run(const BacktestCommandOptions& o, std::ostream& out, std::ostream& err) {
  if (!std::isfinite(o.risk_free_rate)) {
    err << "ballast backtest: --risk-free must be a finite annual rate such as 0.02\n";
    return kExitUsage;
  }
  const config::LoadResult loaded = config::load_config(o.config_path, config::Purpose::offline);
  if (!loaded.config) {
    for (const auto& e : loaded.errors) err << e.to_string() << "\n";
    err << "ballast backtest: " << loaded.errors.size() << " problem" << (loaded.errors.size() == 1 ? "" : "s")
        << " in " << o.config_path << "\n";
    return kExitConfig;
  }
  const config::Config& cfg = *loaded.config;
  const bool with_fleet = !o.accounts_path.empty();
  if (with_fleet && cfg.models.empty()) {
    err << "ballast backtest: --accounts runs accounts on the configuration's [[models]], and " << o.config_path
        << " has none\n";
    return kExitConfig;
  }
  if (!with_fleet && cfg.portfolios.empty()) {
    err << "ballast backtest: " << o.config_path << " has no [[portfolios]] to backtest"
        << (cfg.models.empty() ? "" : " (give --accounts FILE to run accounts on its [[models]])") << "\n";
    return kExitConfig;
  }

  const feeds::PriceTableResult prices = feeds::load_price_table(o.prices_path);
  if (!prices.ok()) {
    for (const auto& e : prices.errors) err << e << "\n";
    err << "ballast backtest: cannot use the prices in " << o.prices_path << "\n";
    return kExitFailure;
  }
  std::unique_ptr<offline::FleetSetup> fleet_setup;
  if (with_fleet) {
    fleet_setup = load_fleet_accounts(cfg, o.accounts_path, "ballast backtest", err);
    if (!fleet_setup) return kExitFailure;
  }
  offline::HistoryLoad histories = offline::load_histories(cfg.portfolios);
  if (!histories.ok()) {
    for (const auto& e : histories.errors) err << "ballast backtest: " << e << "\n";
    return kExitFailure;
  }

  offline::BacktestOptions options;
  options.risk_free_rate = o.risk_free_rate;
  options.histories = std::move(histories.tables);
  offline::BacktestRun run;
  if (!cfg.portfolios.empty()) run = offline::run_backtest(cfg.portfolios, prices.table, options);
  run.rows = prices.table.rows();
  offline::FleetBacktestRun fleet;
  if (with_fleet) fleet = offline::run_fleet_backtest(*fleet_setup, prices.table, o.risk_free_rate);
  if (!run.ok() || !fleet.errors.empty()) {
    for (const auto& e : run.errors) err << "ballast backtest: " << e << "\n";
    for (const auto& e : fleet.errors) err << "ballast backtest: " << e << "\n";
    return kExitFailure;
  }

  if (!o.orders_path.empty()) {
    if (const std::string e = write_file(o.orders_path, offline::orders_csv(run, fleet.fleet ? &*fleet.fleet : nullptr)); !e.empty()) {
      err << "ballast backtest: " << e << "\n";
      return kExitFailure;
    }
  }
  if (!o.report_path.empty()) {
    const offline::ReportInfo info{o.config_path, o.prices_path, o.risk_free_rate};
    const offline::FleetBacktest* f = fleet.fleet ? &*fleet.fleet : nullptr;
    if (const std::string e = write_file(o.report_path, offline::backtest_report_html(run, info, f)); !e.empty()) {
      err << "ballast backtest: " << e << "\n";
      return kExitFailure;
    }
  }

  if (o.json) {
    out << (fleet.fleet ? offline::backtest_json(run, *fleet.fleet, o.risk_free_rate)
                        : offline::backtest_json(run, o.risk_free_rate))
        << "\n";
    return 0;
  }
  const auto& times = prices.table.times;
  out << "backtest of " << o.config_path << " over " << o.prices_path << ": " << run.rows << " rows, "
      << core::format_iso8601(times.front()) << " to " << core::format_iso8601(times.back()) << "\n";
  if (!run.portfolios.empty()) out << "\n" << offline::backtest_table(run);
  if (fleet.fleet) {
    out << "\nfleet: " << fleet_setup->book->size() << " accounts of " << o.accounts_path << " on "
        << fleet_setup->model_ids.size() << " models, decision window "
        << static_cast<double>(fleet_setup->window) / static_cast<double>(core::kNanosPerSecond)
        << " s; costs are the cost model's estimates, not booked\n\n"
        << offline::fleet_table(*fleet.fleet);
  }
  if (!o.orders_path.empty()) out << "\norders written to " << o.orders_path << "\n";
  if (!o.report_path.empty()) out << (o.orders_path.empty() ? "\n" : "") << "report written to " << o.report_path << "\n";
  return 0;
}

}  // namespace

CLI::App* add_backtest_command(CLI::App& app, BacktestCommandOptions& o) {
  auto* cmd = app.add_subcommand("backtest", "run the engine over historical prices on the data's clock");
  cmd->add_option("--config", o.config_path, "configuration file (TOML), the daemon's own")->required();
  cmd->add_option("--prices", o.prices_path, "prices CSV: date,SYM1,SYM2,... or ts,symbol,price")->required();
  cmd->add_flag("--json", o.json, "print the summary as JSON");
  cmd->add_option("--orders", o.orders_path, "write every order to this CSV file");
  cmd->add_option("--report", o.report_path, "write a self-contained HTML report to this file");
  cmd->add_option("--accounts", o.accounts_path,
                  "also run these accounts (CSV or JSON lines, as `accounts import` reads) on the [[models]]");
  cmd->add_option("--risk-free", o.risk_free_rate, "annual risk-free rate for the Sharpe ratio (0.02 = 2%)")
      ->capture_default_str();
  return cmd;
}

int run_backtest_command(const BacktestCommandOptions& options, std::ostream& out, std::ostream& err) {
  try {
    return run(options, out, err);
  } catch (const std::exception& e) {
    err << "ballast backtest: " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace ballast::cli
