#include "cli/accounts_command.hpp"

#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <ostream>
#include <variant>

#include "fleet/account_import.hpp"
#include "fleet/model_from_spec.hpp"
#include "store/state_store.hpp"

namespace ballast::cli {
namespace {

/// A file mapped read-only: a million accounts are read without a copy on the heap.
class MappedFile {
 public:
  /// The reason it cannot be read, or "" once mapped.
  std::string open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::strerror(errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return std::strerror(err);
    }
    if (!S_ISREG(st.st_mode)) {
      ::close(fd);
      return "not a regular file";
    }
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ > 0) {
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        const int err = errno;
        ::close(fd);
        size_ = 0;
        return std::strerror(err);
      }
      data_ = static_cast<const char*>(p);
      ::madvise(p, size_, MADV_SEQUENTIAL);
    }
    ::close(fd);
    return {};
  }
  ~MappedFile() {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
  }
  std::string_view text() const { return {data_ ? data_ : "", size_}; }

 private:
  const char* data_ = nullptr;
  std::size_t size_ = 0;
};

void print_error(std::ostream& err, const std::string& file, const fleet::ImportError& e) {
  err << file << ":" << e.line;
  if (e.column > 0) err << ":" << e.column;
  err << ": " << e.message << "\n";
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

CLI::App* add_accounts_command(CLI::App& app, AccountsCommandOptions& o) {
  auto* cmd = app.add_subcommand(
      "accounts", "the account book: import into the state file, or create, update and close accounts of a running daemon");
  cmd->require_subcommand(1);
  auto* import_cmd = cmd->add_subcommand("import", "add accounts from a CSV or JSON lines file, all or none");
  import_cmd->add_option("file", o.file, "accounts: .csv or .jsonl/.ndjson (else told by the first character)")
      ->required();
  import_cmd->add_option("--config", o.config_path, "the daemon's configuration: its [[models]] and [daemon] state_dir")
      ->required();
  import_cmd->add_flag("--update", o.update, "replace accounts already in the book (otherwise an error)");
  import_cmd->add_flag("--dry-run", o.dry_run, "check every row and write nothing");
  return cmd;
}

fleet::ModelCatalog model_catalog(const config::Config& config) { return fleet::catalog_of(config.models); }

int run_accounts_command(const AccountsCommandOptions& o, std::ostream& out, std::ostream& err) {
  const std::string what = "ballast accounts import";
  try {
    const config::LoadResult loaded = config::load_config(o.config_path, config::Purpose::offline);
    if (!loaded.config) {
      for (const auto& e : loaded.errors) err << e.to_string() << "\n";
      return 78;
    }
    const fleet::ModelCatalog catalog = model_catalog(*loaded.config);

    MappedFile file;
    if (const std::string why = file.open(o.file); !why.empty()) {
      err << what << ": cannot read " << o.file << ": " << why << "\n";
      return 1;
    }
    const std::string_view text = file.text();
    const fleet::AccountFormat format = fleet::format_from_name(o.file).value_or(fleet::sniff_format(text));

    // The book is read for ids already in it; a dry run of a book not made yet has none.
    const std::string state_path = store::state_file_in(loaded.config->daemon.state_dir);
    std::optional<store::StateStore> book;
    if (!o.dry_run || std::filesystem::exists(state_path)) {
      // As the daemon does on its first start: the state directory is made.
      const std::filesystem::path dir = loaded.config->daemon.state_dir;
      if (std::error_code ec; !std::filesystem::exists(dir, ec)) {
        std::filesystem::create_directories(dir, ec);
        if (ec) {
          err << what << ": cannot make the state directory " << dir.string() << ": " << ec.message() << "\n";
          return 1;
        }
      }
      auto opened = store::StateStore::open(state_path, store::Durability::full);
      if (auto* e = std::get_if<store::OpenError>(&opened)) {
        err << what << ": " << e->message << "\n";
        if (e->in_use) err << what << ": stop the daemon, import, then start it again\n";
        return 1;
      }
      book.emplace(std::move(std::get<store::StateStore>(opened)));
    }

    // Pass 1: every row parsed and checked; nothing written.
    fleet::AccountReader reader(text, format, &catalog);
    fleet::AccountRecord record;
    std::size_t good = 0, replaced = 0;
    while (reader.next(record)) {
      ++good;
      if (!book || !book->has_account(record.id)) continue;
      if (o.update) {
        ++replaced;
      } else {
        reader.add_error(reader.line(), 0,
                         "account " + fleet::quoted_for_message(record.id) +
                             " is already in the book; give --update to replace it");
      }
    }
    if (reader.error_count() > 0) {
      for (const fleet::ImportError& e : reader.errors()) print_error(err, o.file, e);
      if (reader.errors_not_kept() > 0) {
        err << o.file << ": ... and " << plural(reader.errors_not_kept(), "more problem", "more problems")
            << " not shown\n";
      }
      err << o.file << ": " << plural(reader.error_count(), "problem", "problems") << " in "
          << plural(reader.rows(), "account line", "account lines") << "; nothing imported\n";
      return 1;
    }
    const std::string counts = " (" + std::to_string(good - replaced) + " new, " + std::to_string(replaced) +
                               (o.dry_run ? " to replace)" : " replaced)");
    if (o.dry_run) {
      out << o.file << ": " << plural(good, "account", "accounts") << " checked" << counts
          << "; nothing written (--dry-run)\n";
      return 0;
    }

    // Pass 2: the same rows again, streamed into one transaction.
    fleet::AccountReader again(text, format, &catalog);
    const std::size_t written = book->commit_accounts([&](fleet::AccountRecord& r) { return again.next(r); });
    out << o.file << ": imported " << plural(written, "account", "accounts") << counts << " into " << state_path
        << "\n";
    return 0;
  } catch (const std::exception& e) {
    err << what << ": " << e.what() << "; nothing imported\n";
    return 1;
  }
}

}  // namespace ballast::cli
