// ballastd: arguments → config → run, with failures mapped to exit codes.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "config/config.hpp"
#include "daemon/daemon.hpp"
#include "daemon/logging.hpp"
#include "daemon/persistence.hpp"

int main(int argc, char** argv) {
  CLI::App app{"ballastd: the Ballast portfolio rebalancing daemon"};
  std::string config_path;
  bool check_only = false;
  bool version = false;
  app.add_option("-c,--config", config_path, "configuration file (TOML)");
  app.add_flag("--check-config", check_only, "validate the configuration and exit (0 valid, 78 invalid)");
  app.add_flag("-V,--version", version, "print the version and exit");
  std::string reset_portfolio;
  app.add_option("--reset-portfolio", reset_portfolio,
                 "forget a portfolio's positions and cash in the state file, so that the next start seeds it from "
                 "the config; run with the daemon stopped");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (version) {
    std::cout << "ballastd " << BALLAST_VERSION << "\n";
    return 0;
  }
  if (config_path.empty()) {
    std::cerr << "ballastd: --config FILE is required\n";
    return 2;
  }
  auto loaded = ballast::config::load_config(config_path, ballast::config::Purpose::daemon);
  if (!loaded.config) {
    for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
    std::cerr << "ballastd: " << loaded.errors.size() << " problem" << (loaded.errors.size() == 1 ? "" : "s")
              << " in " << config_path << "\n";
    return 78;
  }
  if (check_only) {
    std::cout << config_path << ": ok\n";
    const ballast::config::Shard& shard = loaded.config->daemon.shard;
    if (shard.count > 1) {
      const auto owned = ballast::config::owned_portfolios(loaded.config->portfolios, shard);
      std::cout << (owned.empty() ? "warning: " : "") << "shard " << ballast::config::to_string(shard) << " owns "
                << owned.size() << " of the " << loaded.config->portfolios.size() << " portfolios in the file";
      for (std::size_t i = 0; i < owned.size(); ++i) std::cout << (i == 0 ? ": " : ", ") << owned[i].id;
      std::cout << (owned.empty() ? " (it would trade nothing)" : "") << "\n";
    }
    return 0;
  }
  if (!reset_portfolio.empty()) {
    std::string error;
    auto state = ballast::daemon::Persistence::open(loaded.config->daemon, error);
    if (!state) {
      std::cerr << "ballastd: " << error << "\n";
      return 1;
    }
    try {
      if (!state->reset_portfolio(reset_portfolio)) {
        std::cerr << "ballastd: portfolio " << reset_portfolio << " is not in " << state->path() << "\n";
        return 1;
      }
    } catch (const std::exception& e) {
      std::cerr << "ballastd: " << e.what() << "\n";
      return 1;
    }
    std::cout << "portfolio " << reset_portfolio << " forgotten in " << state->path()
              << ": the next start seeds it from the config\n";
    return 0;
  }
  if (const std::string err = ballast::daemon::setup_logging(loaded.config->daemon); !err.empty()) {
    std::cerr << "ballastd: " << err << "\n";
    return 1;
  }
  try {
    return ballast::daemon::run_daemon(std::move(*loaded.config));
  } catch (const std::exception& e) {
    std::cerr << "ballastd: fatal: " << e.what() << "\n";
    return 1;
  }
}
