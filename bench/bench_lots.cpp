// Tax lots on the rebalance path: what booking lots (and the wash-sale rule)
// adds to a fleet rebalance, against the same rebalances of the same accounts
// without lots, in the same run.
//
// Fleet: ACCOUNTS accounts of 10 assets, equal weights in a 2% band, 100
// units of each at 100. With lots, each holding is 50 lots of 2 units, bought
// over the last three years at 50 to 150 (the account's method: fifo, hifo or
// min_tax). Each round moves five symbols up 30% and five down 30% (or back),
// so that every account rebalances: five sells and five buys, booked as the
// blocks leave. The sells close lots, the buys open them, and a buy back of a
// symbol sold at a loss in the round before is a wash sale.
//
//   ballast_bench_lots [ACCOUNTS] [ROUNDS]    default 2000 accounts, 10 rounds
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "core/symbol_table.hpp"
#include "core/time.hpp"
#include "bench_common.hpp"
#include "fleet/fleet_desk.hpp"

using namespace ballast;
using ballast::bench::thread_cpu_seconds;
using namespace ballast::fleet;

namespace {

constexpr std::size_t kAssets = 10;
constexpr std::size_t kLotsPerAsset = 50;


struct Run {
  double seconds = 0;  ///< CPU time of the rounds
  std::uint64_t rebalances = 0;
  std::uint64_t realised_lines = 0;
  std::uint64_t wash_sales = 0;
  std::size_t lots_bytes = 0;
};

Run run(std::size_t accounts, std::size_t rounds, std::optional<tax::CloseMethod> method) {
  core::SymbolTable symbols;
  for (std::size_t i = 0; i < kAssets; ++i) symbols.intern("S" + std::to_string(i));
  AccountBook book(kAssets);
  Model m;
  for (std::size_t i = 0; i < kAssets; ++i) {
    m.symbols.push_back(static_cast<core::SymbolId>(i));
    m.lot_sizes.push_back(1);
    m.targets.push_back(1.0 / kAssets);
  }
  m.bands.absolute = 0.02;
  if (book.add_model(m)) std::abort();
  const std::vector<double> held(kAssets, 100.0);
  for (std::size_t a = 0; a < accounts; ++a) {
    if (book.add_account("a" + std::to_string(a), 0, 0, held)) std::abort();
  }
  const core::TimeNs t0 = core::parse_iso8601("2026-03-02T15:00:00Z").value();
  std::uint64_t seq = 1;
  FleetDesk desk(FleetMonitor(std::move(book), std::vector<double>(kAssets, 100.0), Fills::on_settle), symbols,
                 DeskOptions{.window = 0, .book_on_send = true}, [&seq] { return seq++; });
  if (method) {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> cost(50, 150);
    std::uniform_int_distribution<int> days_back(31, 3 * 365);
    const tax::Day today = tax::day_of(t0);
    for (std::size_t a = 0; a < accounts; ++a) {
      AccountRecord r;
      r.id = "a" + std::to_string(a);
      r.lot_method = *method;
      for (std::size_t i = 0; i < kAssets; ++i) {
        for (std::size_t k = 0; k < kLotsPerAsset; ++k) {
          const tax::Day d = today - days_back(rng);
          r.lots.push_back({symbols.name(static_cast<core::SymbolId>(i)), 100.0 / kLotsPerAsset, cost(rng), d, d, 0});
        }
      }
      if (desk.set_lots(static_cast<AccountIndex>(a), r)) std::abort();
    }
  }
  Run out;
  DeskOutput decided;
  std::vector<double> prices(kAssets, 100.0);
  for (std::size_t round = 0; round < rounds; ++round) {
    const bool up = round % 2 == 0;
    for (std::size_t i = 0; i < kAssets; ++i) prices[i] = (i < kAssets / 2) == up ? 130 : 70;
    if (round % 2 == 1) prices.assign(kAssets, 100.0);
    decided.clear();
    const double c0 = thread_cpu_seconds();
    desk.resync(prices, t0 + static_cast<core::TimeNs>(round) * core::kNanosPerDay, decided);
    out.seconds += thread_cpu_seconds() - c0;
    out.rebalances += decided.rebalances;
    out.realised_lines += decided.realised.size();
    out.wash_sales += decided.washes.size();
  }
  out.lots_bytes = desk.lots().memory_bytes();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t accounts = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 2000;
  const std::size_t rounds = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 10;
  std::printf("tax lots on the rebalance path: %zu accounts x %zu assets, %zu lots per asset, %zu rounds\n", accounts,
              kAssets, kLotsPerAsset, rounds);
  const Run base = run(accounts, rounds, std::nullopt);
  std::printf("%-10s %12s %14s %14s %12s %12s\n", "lots", "rebalances", "us/rebalance", "vs no lots", "lines",
              "wash sales");
  const auto row = [&](const char* name, const Run& r) {
    const double per = r.rebalances ? r.seconds / static_cast<double>(r.rebalances) * 1e6 : 0;
    const double base_per = base.rebalances ? base.seconds / static_cast<double>(base.rebalances) * 1e6 : 0;
    std::printf("%-10s %12llu %14.2f %13.2fx %12llu %12llu\n", name, static_cast<unsigned long long>(r.rebalances), per,
                base_per > 0 ? per / base_per : 0.0, static_cast<unsigned long long>(r.realised_lines),
                static_cast<unsigned long long>(r.wash_sales));
  };
  row("none", base);
  for (const auto method : {tax::CloseMethod::fifo, tax::CloseMethod::hifo, tax::CloseMethod::min_tax}) {
    const Run r = run(accounts, rounds, method);
    row(std::string(tax::to_string(method)).c_str(), r);
    if (method == tax::CloseMethod::min_tax) {
      std::printf("lots memory after the rounds: %.1f MB (%.0f bytes per account)\n",
                  static_cast<double>(r.lots_bytes) / 1e6,
                  static_cast<double>(r.lots_bytes) / static_cast<double>(accounts));
    }
  }
  return 0;
}
