#pragma once
// `--accounts FILE` of `ballast backtest` and `ballast simulate`: the accounts
// of an accounts file (the import formats of `ballast accounts import`) on the
// configuration's [[models]], made ready for offline::FleetRun.
#include <iosfwd>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "offline/fleet_run.hpp"

namespace ballast::cli {

/// The setup, or nullptr after printing every problem to `err`, each prefixed
/// by `command` ("ballast backtest"): a file that cannot be read, a bad line
/// as FILE:LINE[:COLUMN]: message (an account of a model the configuration
/// does not define among them), an account the book refuses.
std::unique_ptr<offline::FleetSetup> load_fleet_accounts(const config::Config& config, const std::string& path,
                                                         const std::string& command, std::ostream& err);

}  // namespace ballast::cli
