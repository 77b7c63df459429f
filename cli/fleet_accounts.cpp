#include "cli/fleet_accounts.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <ostream>
#include <sstream>

#include "cli/accounts_command.hpp"
#include "fleet/account_import.hpp"

namespace ballast::cli {

std::unique_ptr<offline::FleetSetup> load_fleet_accounts(const config::Config& config, const std::string& path,
                                                         const std::string& command, std::ostream& err) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    err << command << ": cannot read " << path << ": " << std::strerror(errno) << "\n";
    return nullptr;
  }
  std::ostringstream buffer;
  buffer << file.rdbuf();
  if (file.bad()) {
    err << command << ": cannot read " << path << "\n";
    return nullptr;
  }
  const std::string text = std::move(buffer).str();
  const fleet::AccountFormat format = fleet::format_from_name(path).value_or(fleet::sniff_format(text));
  const fleet::ModelCatalog catalog = model_catalog(config);
  const fleet::ImportResult parsed = fleet::parse_accounts(text, format, &catalog);
  const std::size_t problems = parsed.errors.size() + parsed.errors_not_kept;
  if (problems > 0) {
    for (const fleet::ImportError& e : parsed.errors) {
      err << path << ":" << e.line;
      if (e.column > 0) err << ":" << e.column;
      err << ": " << e.message << "\n";
    }
    if (parsed.errors_not_kept > 0) err << path << ": ... and " << parsed.errors_not_kept << " more not shown\n";
    err << command << ": " << problems << " problem" << (problems == 1 ? "" : "s") << " in " << path << "\n";
    return nullptr;
  }
  offline::FleetSetupResult made = offline::make_fleet_setup(config.models, parsed.records, config.fleet.window,
                                                                 tax::TermRule{config.fleet.long_term_after_months});
  if (!made.setup) {
    for (const std::string& e : made.errors) err << command << ": " << path << ": " << e << "\n";
    return nullptr;
  }
  return std::move(made.setup);
}

}  // namespace ballast::cli
