#include "cli/tax_command.hpp"

#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <variant>

#include "config/config.hpp"
#include "fleet/account_record.hpp"
#include "fleet/model_from_spec.hpp"
#include "offline/tax_report.hpp"
#include "store/state_store.hpp"
#include "tax/holding_period.hpp"
#include "tax/tax_rates.hpp"

namespace ballast::cli {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr int kExitConfig = 78;
constexpr int kFirstYear = 1900, kLastYear = 2999;

/// A file written beside its destination and renamed over it only once
/// complete and synced: the destination holds the old report or the new one,
/// never a part.
class AsideFile {
 public:
  /// Empty, or why the file beside `path` cannot be made.
  std::string open(const std::string& path) {
    path_ = path;
    std::string name = path + ".XXXXXX";
    const int fd = ::mkstemp(name.data());
    if (fd < 0) return "cannot write beside " + path + ": " + std::strerror(errno);
    // mkstemp makes it 0600; a report is as readable as any file written here.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
    ::close(fd);
    aside_ = name;
    stream_.open(aside_, std::ios::binary | std::ios::trunc);
    if (!stream_) return "cannot write " + aside_ + ": " + std::strerror(errno);
    return {};
  }
  std::ostream& stream() { return stream_; }
  /// Empty, or why it could not be put in place (and then it is removed).
  std::string commit() {
    stream_.close();
    if (!stream_) return "cannot write " + aside_ + ": " + std::strerror(errno);
    const int fd = ::open(aside_.c_str(), O_RDONLY | O_CLOEXEC);
    const bool synced = fd >= 0 && ::fsync(fd) == 0;
    const int err = errno;
    if (fd >= 0) ::close(fd);
    if (!synced) return "cannot sync " + aside_ + ": " + std::strerror(err);
    if (::rename(aside_.c_str(), path_.c_str()) != 0) {
      return "cannot rename " + aside_ + " to " + path_ + ": " + std::strerror(errno);
    }
    aside_.clear();
    return {};
  }
  ~AsideFile() {
    if (aside_.empty()) return;
    stream_.close();
    ::unlink(aside_.c_str());
  }

 private:
  std::string path_, aside_;
  std::ofstream stream_;
};

}  // namespace

CLI::App* add_tax_command(CLI::App& app, TaxCommandOptions& o) {
  auto* cmd = app.add_subcommand("tax", "tax records of the accounts, from the state file");
  cmd->require_subcommand(1);
  auto* report = cmd->add_subcommand(
      "report",
      "realised gains of a tax year, one line per lot a sale closed; reads the state file, also while the daemon "
      "runs");
  report->add_option("--year", o.year, "the tax year: of the sale day")->required()->check(CLI::Range(kFirstYear, kLastYear));
  report->add_option("--config", o.config_path, "the daemon's configuration: its [daemon] state_dir")->required();
  report->add_option("--account", o.account, "only this account (closed accounts keep their realised gains)");
  report->add_option("--format", o.format, "csv (every line, exact numbers) or 1099b (as Form 1099-B, in cents)")
      ->check(CLI::IsMember({"csv", "1099b"}))
      ->capture_default_str();
  report->add_option("--output", o.output, "write here (complete or not at all) instead of standard output");
  return cmd;
}

int run_tax_command(const TaxCommandOptions& o, std::ostream& out, std::ostream& err) {
  const std::string what = "ballast tax report";
  try {
    if (o.year < kFirstYear || o.year > kLastYear) {
      err << what << ": --year " << o.year << " is not a year from " << kFirstYear << " to " << kLastYear << "\n";
      return kExitUsage;
    }
    const std::optional<offline::TaxReportFormat> format = offline::parse_tax_report_format(o.format);
    if (!format) {
      err << what << ": --format " << fleet::quoted_for_message(o.format) << " is not csv or 1099b\n";
      return kExitUsage;
    }
    const config::LoadResult loaded = config::load_config(o.config_path, config::Purpose::offline);
    if (!loaded.config) {
      for (const auto& e : loaded.errors) err << e.to_string() << "\n";
      return kExitConfig;
    }

    // Opening would create a missing file: a report of nothing would hide a wrong state_dir.
    const std::string state_path = store::state_file_in(loaded.config->daemon.state_dir);
    if (std::error_code ec; !std::filesystem::exists(state_path, ec)) {
      err << what << ": no state file " << state_path << " ([daemon] state_dir of " << o.config_path
          << "; the daemon makes it on its first start)\n";
      return kExitFailure;
    }
    // Read only, without the daemon's lock: a report while it runs.
    auto opened = store::StateStore::open_for_reading(state_path);
    if (auto* e = std::get_if<store::OpenError>(&opened)) {
      err << what << ": " << e->message << "\n";
      return kExitFailure;
    }
    const store::StateStore& book = std::get<store::StateStore>(opened);

    std::vector<store::RealisedRow> of_account;
    if (!o.account.empty()) {
      of_account = book.realised_of(o.account);
      if (of_account.empty() && !book.has_account(o.account)) {
        err << what << ": account " << fleet::quoted_for_message(o.account)
            << " is neither in the book nor in the realised gains of " << state_path << "\n";
        return kExitFailure;
      }
    }

    // The 1099b text estimates the tax of the accounts whose model has rates.
    // An account's model is its record's: a closed account, whose record is
    // gone, gets no estimate.
    std::map<std::string, tax::TaxRates, std::less<>> rates_by_model;
    if (*format == offline::TaxReportFormat::form_1099b) {
      for (const strategies::PortfolioSpec& m : loaded.config->models) {
        if (auto rates = fleet::tax_rates_of(m.tax)) rates_by_model.emplace(m.id, *rates);
      }
    }
    // for_each_realised's visit may not use the store it walks: the records
    // it needs come from a second reading connection to the same file.
    std::optional<store::StateStore> records;
    if (!rates_by_model.empty() && o.account.empty()) {
      auto second = store::StateStore::open_for_reading(state_path);
      if (auto* e = std::get_if<store::OpenError>(&second)) {
        err << what << ": " << e->message << "\n";
        return kExitFailure;
      }
      records.emplace(std::move(std::get<store::StateStore>(second)));
    }
    const store::StateStore& records_of = records ? *records : book;
    std::optional<std::string> rates_account;  // the account `rates` are of
    std::optional<tax::TaxRates> rates;
    const auto rates_of = [&](const std::string& account) {
      if (rates_by_model.empty() || rates_account == account) return;
      rates_account = account;
      rates.reset();
      const std::optional<fleet::AccountRecord> record = records_of.account(account);
      if (!record) return;
      if (const auto it = rates_by_model.find(record->model); it != rates_by_model.end()) rates = it->second;
    };

    AsideFile file;
    if (!o.output.empty()) {
      if (const std::string e = file.open(o.output); !e.empty()) {
        err << what << ": " << e << "\n";
        return kExitFailure;
      }
    }
    std::ostream& sink = o.output.empty() ? out : file.stream();
    offline::TaxReportWriter writer(sink, *format, o.year);
    std::string problem;
    const auto add = [&](const store::RealisedRow& row) {
      if (!problem.empty()) return;
      rates_of(row.account);
      problem = writer.add(row.account, row.symbol, row.line, rates);
    };
    if (o.account.empty()) {
      book.for_each_realised(o.year, add);
    } else {
      for (const store::RealisedRow& row : of_account) {
        if (tax::year_of(row.line.sold) == o.year) add(row);
      }
    }
    if (problem.empty()) problem = writer.finish();
    if (!problem.empty()) {
      err << what << ": " << state_path << ": " << problem
          << (o.output.empty() ? "; the report above is incomplete" : "; nothing written to " + o.output) << "\n";
      return kExitFailure;
    }
    if (!o.output.empty()) {
      if (const std::string e = file.commit(); !e.empty()) {
        err << what << ": " << e << "\n";
        return kExitFailure;
      }
    } else if (!out.flush()) {
      err << what << ": cannot write to standard output\n";
      return kExitFailure;
    }
    return 0;
  } catch (const std::exception& e) {
    err << what << ": " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace ballast::cli
