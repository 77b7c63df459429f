#pragma once
// `ballast accounts create FILE|-`, `ballast accounts update FILE|-` and
// `ballast accounts close ID`: live changes to a running daemon's account
// book through its control routes (POST /control/accounts/*). The file holds
// one account as a JSON object, in the JSON lines format of `accounts import`.
#include <iosfwd>
#include <string>

#include "cli/control_commands.hpp"

namespace CLI {
class App;
}

namespace ballast::cli {

struct AccountEditOptions {
  ControlOptions control;
  std::string file;  ///< create, update: the account's file, or "-" for standard input
  std::string id;    ///< close
  CLI::App* create = nullptr;
  CLI::App* update = nullptr;
  CLI::App* close = nullptr;
};

/// Adds create, update and close under `accounts` (the `ballast accounts` command).
void add_account_edit_commands(CLI::App* accounts, AccountEditOptions& options);
/// Whether the command line chose one of them.
bool account_edit_chosen(const AccountEditOptions& options);

/// Sends the change. Exit 0 done (the daemon's answer on `out`: the account as
/// GET /accounts/ID shows it, or what was closed); 1 refused (the daemon's
/// reason on `err`), no answer, or a file that cannot be read (`in` is read for "-").
int run_account_edit_command(const AccountEditOptions& options, std::istream& in, std::ostream& out,
                             std::ostream& err);

}  // namespace ballast::cli
