#include "cli/simulate_command.hpp"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
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
#include "offline/market.hpp"
#include "offline/paths.hpp"
#include "offline/simulate.hpp"
#include "offline/simulate_report.hpp"

namespace ballast::cli {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr int kExitConfig = 78;
constexpr std::size_t kDefaultBlock = 20;

std::string write_file(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) return path + ": cannot open for writing: " + std::strerror(errno);
  file << text;
  file.close();
  if (!file) return path + ": write failed";
  return {};
}

/// "\r 42% [#########...........]  4200/10000 paths", redrawn in place.
void draw_progress(std::ostream& err, std::size_t done, std::size_t total) {
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(static_cast<double>(done) / static_cast<double>(total) * kWidth);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(kWidth, '.');
  err << "\r" << (done * 100 / total) << "% [" << bar << "] " << done << "/" << total << " paths" << std::flush;
}

int run(const SimulateCommandOptions& o, std::ostream& out, std::ostream& err) {
  const config::LoadResult loaded = config::load_config(o.config_path, config::Purpose::offline);
  if (!loaded.config) {
    for (const auto& e : loaded.errors) err << e.to_string() << "\n";
    err << "ballast simulate: " << loaded.errors.size() << " problem" << (loaded.errors.size() == 1 ? "" : "s")
        << " in " << o.config_path << "\n";
    return kExitConfig;
  }
  const config::Config& cfg = *loaded.config;
  const bool with_fleet = !o.accounts_path.empty();
  if (with_fleet && cfg.models.empty()) {
    err << "ballast simulate: --accounts runs accounts on the configuration's [[models]], and " << o.config_path
        << " has none\n";
    return kExitConfig;
  }
  if (!with_fleet && cfg.portfolios.empty()) {
    err << "ballast simulate: " << o.config_path << " has no [[portfolios]] to simulate"
        << (cfg.models.empty() ? "" : " (give --accounts FILE to run accounts on its [[models]])") << "\n";
    return kExitConfig;
  }
  if (cfg.portfolios.empty() && !o.report_path.empty()) {
    err << "ballast simulate: --report shows the portfolios, and " << o.config_path
        << " has none; the fleet's figures are in the summary (--json)\n";
    return kExitUsage;
  }
  const config::SimulationConfig sim = cfg.simulation.value_or(config::SimulationConfig{});

  // Flags override [simulation]; a bad flag is a usage error.
  auto period_flag = [&](const std::optional<std::string>& flag, const core::Period& fallback, const char* name,
                         core::Period& outp) {
    if (!flag) {
      outp = fallback;
      return true;
    }
    if (auto p = core::parse_period(*flag)) {
      outp = *p;
      return true;
    }
    err << "ballast simulate: " << name << ": expected a period such as \"5y\", \"6mo\", \"30d\", \"1w\" or \"1d\", got \""
        << *flag << "\"\n";
    return false;
  };
  core::Period horizon, step;
  if (!period_flag(o.horizon, sim.horizon, "--horizon", horizon) || !period_flag(o.step, sim.step, "--step", step)) {
    return kExitUsage;
  }
  const std::int64_t paths = o.paths.value_or(sim.paths);
  const std::uint64_t seed = o.seed.value_or(sim.seed);
  const double risk_free = o.risk_free.value_or(sim.risk_free);
  if (paths < 1) {
    err << "ballast simulate: --paths: expected a number of paths >= 1, got " << paths << "\n";
    return kExitUsage;
  }
  if (!std::isfinite(risk_free)) {
    err << "ballast simulate: --risk-free must be a finite annual rate such as 0.02\n";
    return kExitUsage;
  }
  if (o.block && o.prices_path.empty()) {
    err << "ballast simulate: --block is the block length of a bootstrap: give --prices too\n";
    return kExitUsage;
  }
  const offline::ClockResult clock = offline::make_clock(horizon, step);
  if (!clock.clock) {
    const bool flags = o.horizon || o.step;
    err << "ballast simulate: " << (flags ? "" : o.config_path + ": [simulation]: ") << clock.error << "\n";
    return flags ? kExitUsage : kExitConfig;
  }

  std::vector<std::string> symbols = offline::portfolio_symbols(cfg.portfolios);
  if (with_fleet) {
    for (const auto& m : cfg.models) {
      for (const auto& a : m.assets) {
        if (std::find(symbols.begin(), symbols.end(), a.symbol) == symbols.end()) symbols.push_back(a.symbol);
      }
    }
  }
  std::unique_ptr<offline::PathSource> source;
  if (!o.prices_path.empty()) {
    const feeds::PriceTableResult prices = feeds::load_price_table(o.prices_path);
    if (!prices.ok()) {
      for (const auto& e : prices.errors) err << e << "\n";
      err << "ballast simulate: cannot use the prices in " << o.prices_path << "\n";
      return kExitFailure;
    }
    auto made = offline::BootstrapPaths::create(prices.table, symbols, offline::start_prices(cfg, symbols),
                                                o.block.value_or(kDefaultBlock), seed);
    if (!made.paths) {
      err << "ballast simulate: " << o.prices_path << ": " << made.error << "\n";
      return kExitFailure;
    }
    source = std::make_unique<offline::BootstrapPaths>(std::move(*made.paths));
  } else {
    offline::MarketResult market = offline::gbm_market(cfg);
    if (market.market && with_fleet) {
      for (const auto& s : symbols) {
        const auto& priced = market.market->symbols;
        if (std::find(priced.begin(), priced.end(), s) != priced.end()) continue;
        market.market.reset();
        market.error = "symbol " + s + " of the models has no volatility or expected return for GBM (the market "
                       "model covers the portfolios' symbols); bootstrap the fleet's paths with --prices FILE.csv";
        break;
      }
    } else if (!market.market && with_fleet && cfg.portfolios.empty()) {
      market.error = "GBM takes its market from the portfolios, and there are none; bootstrap the fleet's paths "
                     "with --prices FILE.csv";
    }
    if (!market.market) {
      err << "ballast simulate: " << o.config_path << ": " << market.error << "\n";
      return kExitConfig;
    }
    auto made = offline::GbmPaths::create(std::move(*market.market), 1 / clock.clock->steps_per_year, seed);
    if (!made.paths) {
      err << "ballast simulate: " << o.config_path << ": " << made.error << "\n";
      return kExitConfig;
    }
    source = std::make_unique<offline::GbmPaths>(std::move(*made.paths));
  }

  std::unique_ptr<offline::FleetSetup> fleet_setup;
  if (with_fleet) {
    fleet_setup = load_fleet_accounts(cfg, o.accounts_path, "ballast simulate", err);
    if (!fleet_setup) return kExitFailure;
  }
  offline::HistoryLoad histories = offline::load_histories(cfg.portfolios);
  if (!histories.ok()) {
    for (const auto& e : histories.errors) err << "ballast simulate: " << e << "\n";
    return kExitFailure;
  }

  offline::SimulationOptions options;
  options.paths = static_cast<std::size_t>(paths);
  options.clock = *clock.clock;
  options.risk_free = risk_free;
  options.start_at_targets = sim.start_at_targets;
  options.threads = o.threads;
  options.histories = std::move(histories.tables);
  if (o.progress_bar) options.progress = [&err](std::size_t done, std::size_t total) { draw_progress(err, done, total); };
  const auto started = std::chrono::steady_clock::now();
  offline::SimulationResult result;
  if (!cfg.portfolios.empty()) {
    result = offline::simulate(cfg.portfolios, *source, options);
  } else {
    result.paths = options.paths;
    result.clock = options.clock;
    result.threads = 1;
  }
  std::optional<offline::FleetSimulation> fleet;
  if (with_fleet && result.error.empty()) {
    fleet = offline::simulate_fleet(*fleet_setup, *source, options.clock, options.paths, o.threads);
    if (!fleet->error.empty()) result.error = fleet->error;
    if (cfg.portfolios.empty()) result.threads = fleet->threads;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (o.progress_bar) err << "\r\033[K" << std::flush;  // clear the bar's line
  if (!result.error.empty()) {
    err << "ballast simulate: " << result.error << "\n";
    return kExitFailure;
  }

  offline::SimulationInfo info;
  info.config_path = o.config_path;
  info.prices_path = o.prices_path;
  info.block = o.block.value_or(kDefaultBlock);
  info.seed = seed;
  info.horizon = core::format_period(horizon);
  info.risk_free = risk_free;
  if (!o.report_path.empty()) {
    if (const std::string e = write_file(o.report_path, offline::simulation_report_html(result, info)); !e.empty()) {
      err << "ballast simulate: " << e << "\n";
      return kExitFailure;
    }
  }
  if (o.json) {
    out << offline::simulation_json(result, info, fleet ? &*fleet : nullptr);
    return 0;
  }
  char timing[160];
  std::snprintf(timing, sizeof timing, "\n%.2f s on %u thread%s, %.0f paths/s\n", seconds, result.threads,
                result.threads == 1 ? "" : "s", static_cast<double>(result.paths) / seconds);
  if (!cfg.portfolios.empty()) out << offline::simulation_table(result, info);
  if (fleet) out << (cfg.portfolios.empty() ? "" : "\n") << offline::fleet_simulation_table(*fleet);
  out << timing;
  if (!o.report_path.empty()) out << "report written to " << o.report_path << "\n";
  return 0;
}

}  // namespace

CLI::App* add_simulate_command(CLI::App& app, SimulateCommandOptions& o) {
  auto* cmd = app.add_subcommand("simulate", "Monte Carlo: every portfolio on the same simulated paths");
  cmd->add_option("--config", o.config_path, "configuration file (TOML), the daemon's own")->required();
  cmd->add_option("--prices", o.prices_path, "bootstrap the returns of this prices CSV instead of GBM");
  cmd->add_option_function<std::size_t>(
         "--block", [&o](const std::size_t& v) { o.block = v; }, "bootstrap block length in rows (default 20)")
      ->check(CLI::PositiveNumber);
  cmd->add_option_function<std::int64_t>(
      "--paths", [&o](const std::int64_t& v) { o.paths = v; }, "number of paths (default: [simulation] paths, 1000)");
  cmd->add_option_function<std::string>(
      "--horizon", [&o](const std::string& v) { o.horizon = v; }, "how far to simulate: \"5y\", \"6mo\" (default 1y)");
  cmd->add_option_function<std::string>(
      "--step", [&o](const std::string& v) { o.step = v; }, "one step: \"1d\" (a trading day), \"1w\", \"1mo\"");
  cmd->add_option_function<std::uint64_t>(
      "--seed", [&o](const std::uint64_t& v) { o.seed = v; }, "random seed: the same seed, the same numbers");
  cmd->add_option_function<double>(
      "--risk-free", [&o](const double& v) { o.risk_free = v; }, "annual risk-free rate for the Sharpe ratios");
  cmd->add_option("--threads", o.threads, "worker threads; 0 = one per CPU this process may run on")
      ->capture_default_str();
  cmd->add_option("--accounts", o.accounts_path,
                  "also run these accounts (CSV or JSON lines, as `accounts import` reads) on the [[models]]");
  cmd->add_flag("--json", o.json, "print the summary as JSON");
  cmd->add_option("--report", o.report_path, "write a self-contained HTML report to this file");
  o.progress_bar = ::isatty(STDERR_FILENO) == 1;
  return cmd;
}

int run_simulate_command(const SimulateCommandOptions& options, std::ostream& out, std::ostream& err) {
  try {
    return run(options, out, err);
  } catch (const std::exception& e) {
    err << "ballast simulate: " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace ballast::cli
