#pragma once
// CurveZMQ on the command line: `ballast keygen`, and the key options that
// `ballast paper`, `ballast feed sim` and `ballast feed replay` share.
#include <iosfwd>
#include <optional>
#include <string>

#include "net/socket_security.hpp"

namespace CLI {
class App;
}

namespace ballast::cli {

/// Adds --curve-secret-key, --curve-public-key and --curve-server-key to `cmd`.
void add_curve_options(CLI::App* cmd, net::ClientKeyFiles& files);

/// Reads the files given with add_curve_options into `keys` (left empty when
/// none was given). False, with one line on `err` naming `tool`, when they
/// cannot be used.
bool resolve_curve_options(const net::ClientKeyFiles& files, const std::string& tool,
                           std::optional<net::CurveClientKeys>& keys, std::ostream& err);

/// `ballast keygen NAME`: NAME.key (secret, mode 0600) and NAME.pub.
CLI::App* add_keygen_command(CLI::App& app, std::string& name);

/// Writes a fresh key pair and prints the public key. Exit codes: 0 written,
/// 1 a file exists or cannot be written (nothing is written then). Never throws.
int run_keygen_command(const std::string& name, std::ostream& out, std::ostream& err);

}  // namespace ballast::cli
