#include "cli/curve_options.hpp"

#include <CLI/CLI.hpp>

#include <ostream>

#include "net/curve_keys.hpp"

namespace ballast::cli {

void add_curve_options(CLI::App* cmd, net::ClientKeyFiles& files) {
  cmd->add_option("--curve-secret-key", files.secret_key_file,
                  "CURVE: this end's secret key file (from `ballast keygen`); needs --curve-server-key");
  cmd->add_option("--curve-public-key", files.public_key_file,
                  "CURVE: this end's public key file, checked against the secret key (optional)");
  cmd->add_option("--curve-server-key", files.server_key_file, "CURVE: the daemon's public key file");
}

bool resolve_curve_options(const net::ClientKeyFiles& files, const std::string& tool,
                           std::optional<net::CurveClientKeys>& keys, std::ostream& err) {
  net::ClientKeysResult r = net::load_client_keys(files);
  if (!r.error.empty()) {
    err << "ballast " << tool << ": " << r.error << "\n";
    return false;
  }
  keys = std::move(r.keys);
  return true;
}

CLI::App* add_keygen_command(CLI::App& app, std::string& name) {
  auto* cmd = app.add_subcommand("keygen", "write a CURVE key pair: NAME.key (secret, mode 0600) and NAME.pub");
  cmd->add_option("name", name, "path and name of the pair, such as /etc/ballast/ballastd")->required();
  return cmd;
}

int run_keygen_command(const std::string& name, std::ostream& out, std::ostream& err) {
  const auto pair = net::generate_key_pair();
  if (!pair) {
    err << "ballast keygen: this build of libzmq has no CURVE support\n";
    return 1;
  }
  const std::string secret = name + ".key";
  const std::string pub = name + ".pub";
  if (const std::string error = net::write_key_pair(*pair, secret, pub); !error.empty()) {
    err << "ballast keygen: " << error << "\n";
    return 1;
  }
  out << "secret key: " << secret << " (mode 0600; keep it private)\n"
      << "public key: " << pub << "\n"
      << pair->public_key << "\n";
  return 0;
}

}  // namespace ballast::cli
