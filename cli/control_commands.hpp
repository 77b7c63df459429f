#pragma once
// The `ballast` commands that talk to a running daemon's status socket:
// status, pause, resume, reload, kill, rebalance, cash and orders. Each is a
// request with a deadline; every failure is a message and an exit code.
#include <iosfwd>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace ballast::cli {

/// Where the daemon answers and the bearer token for control requests
/// (defaults from BALLAST_URL and BALLAST_TOKEN).
struct ControlOptions {
  std::string url;
  std::string token;
  ControlOptions();
};

/// Adds --url and --token to a subcommand.
void add_control_options(CLI::App* cmd, ControlOptions& options);

/// `ballast status`: the table (or the raw JSON). Exit 0 while the daemon is
/// healthy, 1 while it is degraded (the table says why) or does not answer.
int run_status(const ControlOptions& options, bool json, std::ostream& out, std::ostream& err);

/// POSTs `path` (already encoded), with `body` as JSON when not empty, and
/// prints the answer. Exit 0 on 2xx, 1 otherwise.
int run_control(const ControlOptions& options, const std::string& path, const std::string& what, std::ostream& out,
                std::ostream& err, const std::string& body = {});

/// Percent-encodes a query value.
std::string url_encode(const std::string& s);

/// `ballast orders` (the unfinished orders, unknown ones first) and
/// `ballast orders resolve ID (--filled Q --price P | --cancelled)`.
struct OrdersCommandOptions {
  ControlOptions control;
  std::string resolve_id;
  std::optional<std::string> filled;
  std::optional<std::string> price;
  bool cancelled = false;
  CLI::App* resolve = nullptr;  ///< the resolve subcommand, to tell which ran
};
CLI::App* add_orders_command(CLI::App& app, OrdersCommandOptions& options);
/// Exit 0 done; 2 a bad combination of flags; 1 the daemon refused or did not answer.
int run_orders_command(const OrdersCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace ballast::cli
