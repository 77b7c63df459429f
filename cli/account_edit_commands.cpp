#include "cli/account_edit_commands.hpp"

#include <CLI/CLI.hpp>

#include <fstream>
#include <istream>
#include <ostream>

namespace ballast::cli {
namespace {

/// More than the status socket takes in a body at most ([status] max_body_bytes):
/// a larger file is refused here rather than read whole.
constexpr std::size_t kMaxAccountFileBytes = 16 * 1024 * 1024;

/// The whole of `in`, or why not (too large, a read error).
std::string read_all(std::istream& in, std::string& text) {
  text.clear();
  char buffer[64 * 1024];
  while (in) {
    in.read(buffer, sizeof buffer);
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxAccountFileBytes) {
      return "larger than " + std::to_string(kMaxAccountFileBytes / (1024 * 1024)) +
             " MiB; it should hold one account";
    }
  }
  if (in.bad()) return "read error";
  return {};
}

}  // namespace

void add_account_edit_commands(CLI::App* accounts, AccountEditOptions& o) {
  o.create = accounts->add_subcommand("create", "add one account to a running daemon's book (a JSON object)");
  o.update = accounts->add_subcommand("update", "replace an account of a running daemon's book (a JSON object)");
  for (CLI::App* cmd : {o.create, o.update}) {
    add_control_options(cmd, o.control);
    cmd->add_option("file", o.file, "the account as one JSON object, as a line of `accounts import` (- : stdin)")
        ->required();
  }
  o.close = accounts->add_subcommand("close", "close an account of a running daemon's book: it trades no more");
  add_control_options(o.close, o.control);
  o.close->add_option("id", o.id, "the account's id")->required();
}

bool account_edit_chosen(const AccountEditOptions& o) {
  return (o.create && o.create->parsed()) || (o.update && o.update->parsed()) || (o.close && o.close->parsed());
}

int run_account_edit_command(const AccountEditOptions& o, std::istream& in, std::ostream& out, std::ostream& err) {
  if (o.close && o.close->parsed()) {
    return run_control(o.control, "/control/accounts/close?id=" + url_encode(o.id), "accounts close", out, err);
  }
  const bool create = o.create && o.create->parsed();
  const std::string what = create ? "accounts create" : "accounts update";
  std::string text;
  std::string why;
  if (o.file == "-") {
    why = read_all(in, text);
  } else {
    std::ifstream file(o.file, std::ios::binary);
    why = file ? read_all(file, text) : "cannot open it";
  }
  if (!why.empty()) {
    err << "ballast: " << what << ": " << (o.file == "-" ? std::string("standard input") : o.file) << ": " << why
        << "\n";
    return 1;
  }
  return run_control(o.control, create ? "/control/accounts/create" : "/control/accounts/update", what, out, err,
                     text);
}

}  // namespace ballast::cli
