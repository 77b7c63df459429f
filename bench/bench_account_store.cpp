// The account book at fleet scale: a million accounts of 10 holdings each (10
// models over 100 symbols) parsed from CSV and JSON lines, imported into a
// state file in one transaction (the path of `ballast accounts import`:
// parse, check, write), then loaded back in id order, the way a daemon starts
// from its book. Prints the times and the peak resident memory of each phase.
//
//   ballast_bench_account_store [DIR] [ACCOUNTS]
//
// DIR (default: the current directory) decides the filesystem; a scratch
// directory is made in it and removed at the end.
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "bench_common.hpp"
#include "fleet/account_import.hpp"
#include "store/state_store.hpp"

using namespace ballast;
using ballast::bench::status_kib;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kSymbols = 100;
constexpr int kModels = 10;
constexpr int kHoldings = 10;


/// Starts a new peak: freed heap handed back, then VmHWM set to the current
/// resident size (Linux ≥ 4.0), so each phase's "peak +" is its own.
void reset_peak() {
  ::malloc_trim(0);
  std::ofstream("/proc/self/clear_refs") << "5";
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string symbol(int s) { return "S" + std::to_string(100 + s); }

/// Model m holds symbols 10m .. 10m+9.
fleet::ModelCatalog catalog() {
  fleet::ModelCatalog c;
  for (int m = 0; m < kModels; ++m) {
    auto& syms = c["model-" + std::to_string(m)];
    for (int k = 0; k < kHoldings; ++k) syms.insert(symbol(m * kHoldings + k));
  }
  return c;
}

struct Texts {
  std::string csv, jsonl;
};

Texts generate(int accounts) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> qty(1, 500);
  Texts t;
  t.csv = "id,model,cash,household";
  for (int s = 0; s < kSymbols; ++s) t.csv += "," + symbol(s);
  t.csv += "\n";
  char num[32];
  for (int a = 0; a < accounts; ++a) {
    const int m = a % kModels;
    char id[32];
    std::snprintf(id, sizeof id, "acct-%07d", a);
    const std::string cash = std::to_string(static_cast<int>(qty(rng) * 10));
    const std::string household = "h-" + std::to_string(a / 3);
    t.csv += std::string(id) + ",model-" + std::to_string(m) + "," + cash + "," + household;
    t.jsonl += std::string("{\"id\":\"") + id + "\",\"model\":\"model-" + std::to_string(m) + "\",\"cash\":" + cash +
               ",\"household\":\"" + household + "\",\"holdings\":{";
    for (int s = 0; s < kSymbols; ++s) {
      t.csv += ",";
      if (s / kHoldings != m) continue;
      std::snprintf(num, sizeof num, "%.4f", qty(rng));
      t.csv += num;
      t.jsonl += std::string(s % kHoldings ? "," : "") + "\"" + symbol(s) + "\":" + num;
    }
    t.csv += "\n";
    t.jsonl += "}}\n";
  }
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path base = argc > 1 ? argv[1] : ".";
  const int accounts = argc > 2 ? std::atoi(argv[2]) : 1'000'000;
  const std::filesystem::path dir = base / ("ballast-bench-accounts-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = store::state_file_in(dir.string());
  const fleet::ModelCatalog models = catalog();

  std::printf("%d accounts x %d holdings, %d models over %d symbols, state file in %s\n", accounts, kHoldings, kModels,
              kSymbols, dir.c_str());
  const Texts texts = generate(accounts);
  std::printf("input: CSV %.1f MB (a column per symbol), JSON lines %.1f MB; resident with both: %.1f MB\n",
              texts.csv.size() / 1e6, texts.jsonl.size() / 1e6, status_kib("VmRSS") / 1024.0);

  for (const auto& [name, text, format] :
       {std::tuple{"CSV", &texts.csv, fleet::AccountFormat::csv},
        std::tuple{"JSON lines", &texts.jsonl, fleet::AccountFormat::json_lines}}) {
    reset_peak();
    const long before = status_kib("VmRSS");
    const auto t0 = Clock::now();
    fleet::AccountReader reader(*text, format, &models);
    fleet::AccountRecord r;
    std::size_t n = 0, holdings = 0;
    while (reader.next(r)) {
      ++n;
      holdings += r.holdings.size();
    }
    const double s = seconds_since(t0);
    std::printf("parse + check %-10s: %.2f s (%.0f accounts/s), %zu accounts, %zu holdings, %zu errors; peak +%.1f MB\n",
                name, s, n / s, n, holdings, reader.error_count(), (status_kib("VmHWM") - before) / 1024.0);
  }

  {
    auto opened = store::StateStore::open(path, store::Durability::full);
    if (auto* e = std::get_if<store::OpenError>(&opened)) {
      std::fprintf(stderr, "%s\n", e->message.c_str());
      return 1;
    }
    store::StateStore book = std::move(std::get<store::StateStore>(opened));
    reset_peak();
    const long before = status_kib("VmRSS");
    const auto t0 = Clock::now();
    fleet::AccountReader reader(texts.csv, fleet::AccountFormat::csv, &models);
    const std::size_t written = book.commit_accounts([&](fleet::AccountRecord& r) { return reader.next(r); });
    const double s = seconds_since(t0);
    std::printf("import from CSV (parse, check, write, one transaction, fsynced): %.2f s (%.0f accounts/s), %zu "
                "accounts; peak +%.1f MB\n",
                s, written / s, written, (status_kib("VmHWM") - before) / 1024.0);
    const auto c0 = Clock::now();
    book.checkpoint();
    std::printf("checkpoint of the WAL into the database: %.2f s\n", seconds_since(c0));
  }
  std::printf("state file: %.1f MB\n", std::filesystem::file_size(path) / 1e6);

  {
    const auto t0 = Clock::now();
    auto opened = store::StateStore::open(path, store::Durability::full);
    if (auto* e = std::get_if<store::OpenError>(&opened)) {
      std::fprintf(stderr, "%s\n", e->message.c_str());
      return 1;
    }
    store::StateStore book = std::move(std::get<store::StateStore>(opened));
    const double open_s = seconds_since(t0);
    reset_peak();
    const long before = status_kib("VmRSS");
    const auto t1 = Clock::now();
    std::size_t n = 0, holdings = 0;
    double cash = 0;
    book.for_each_account([&](const fleet::AccountRecord& r) {
      ++n;
      holdings += r.holdings.size();
      cash += r.cash;
    });
    const double load_s = seconds_since(t1);
    const auto t2 = Clock::now();
    const std::size_t count = book.account_count();
    const double count_s = seconds_since(t2);
    std::printf("open (quick_check included): %.2f s; load in id order: %.2f s (%.0f accounts/s), %zu accounts, %zu "
                "holdings (cash %.0f); peak +%.1f MB; account_count %zu in %.3f s\n",
                open_s, load_s, n / load_s, n, holdings, cash, (status_kib("VmHWM") - before) / 1024.0, count,
                count_s);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
