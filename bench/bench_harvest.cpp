// Tax-loss harvesting: after each tick, which holdings of a million
// accounts are worth harvesting. The harvest index (fleet::HarvestIndex:
// each holding's harvest price, per symbol, in a heap) against the brute
// force (the lots of every holding checked at the tick's prices), on the same
// lots in the same run; both must find the same holdings with the same plans.
//
// Fleet: ACCOUNTS accounts × 10 holdings, each of 10 distinct symbols out of
// 100, every symbol starting at 100. A holding is 5 lots of 5–15 units bought
// at 90–105 (seeded), so that none is worth harvesting at the start. The
// rule: costs of 0.1% each way, a lot must lose 5% of its basis net of them,
// a harvest at least 100.
//
// Fall: FALL_TICKS ticks, each moving every symbol down by 0.5–3% (uniform);
// after each, the scan checks every holding. Then calm ticks: one symbol per
// tick, its price moving by N(0, 1 bp); the scan checks every holding of that
// symbol, for the first BRUTE_TICKS ticks, beside the index; then CALM_TICKS
// ticks of the index alone (throughput), and CALM_TICKS more with a clock
// pair around each (latency). Everything is repeated REPEATS times from the
// same seeds.
//
// A holding found is harvested: the lots of its plan are sold (the
// substitute bought is not tracked here). The index's time for a tick is that
// of handling each holding due as a caller would, at once while its lots are
// in the cache: the plan, the sale, the harvest price of the lots left and
// their new trigger. The scan runs first and only finds: its time is the
// scan and the plans of the holdings it finds. Times are CPU time of the
// thread, except the latency (wall clock).
//
//   ballast_bench_harvest [ACCOUNTS] [FALL_TICKS] [REPEATS] [CALM_TICKS] [BRUTE_TICKS]
//   default 1,000,000, 8, 5, 200,000, 100
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "fleet/harvest_index.hpp"
#include "tax/harvest.hpp"

using namespace ballast;
using ballast::bench::load_average;
using ballast::bench::status_kib;
using ballast::bench::thread_cpu_seconds;
using namespace ballast::fleet;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kSymbols = 100;
constexpr std::size_t kHoldings = 10;  ///< per account
constexpr std::size_t kLots = 5;       ///< per holding at the start
constexpr double kStartPrice = 100;
const tax::HarvestRule kRule{.min_loss = 100, .min_loss_fraction = 0.05, .cost_fraction = 0.001};




/// Every account's lots: holding h (account h / 10) keeps its lots in
/// lots[h × 5, h × 5 + count[h]), oldest first.
struct Fleet {
  std::vector<tax::Lot> lots;
  std::vector<std::uint8_t> count;   ///< per holding
  std::vector<std::uint8_t> symbol;  ///< per holding

  std::span<const tax::Lot> of(std::size_t h) const { return {lots.data() + h * kLots, count[h]}; }
  /// Removes the plan's lots from holding h (the plan lists them in the lots' order).
  void sell(std::size_t h, const tax::HarvestPlan& plan) {
    tax::Lot* first = lots.data() + h * kLots;
    std::size_t kept = 0, next = 0;
    for (std::size_t i = 0; i < count[h]; ++i) {
      if (next < plan.lots.size() && first[i].id == plan.lots[next]) ++next;
      else first[kept++] = first[i];
    }
    count[h] = static_cast<std::uint8_t>(kept);
  }
  std::size_t bytes() const { return lots.capacity() * sizeof(tax::Lot) + count.capacity() + symbol.capacity(); }
};

Fleet make_fleet(std::size_t accounts) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> basis(0.90 * kStartPrice, 1.05 * kStartPrice), units(5, 15);
  std::uniform_int_distribution<int> days_back(31, 3 * 365);
  Fleet f;
  const std::size_t holdings = accounts * kHoldings;
  f.lots.resize(holdings * kLots);
  f.count.assign(holdings, kLots);
  f.symbol.resize(holdings);
  std::vector<std::uint8_t> pool(kSymbols);
  for (std::size_t s = 0; s < kSymbols; ++s) pool[s] = static_cast<std::uint8_t>(s);
  const tax::Day today = tax::day_of(2026, 3, 2);
  for (std::size_t a = 0; a < accounts; ++a) {
    for (std::size_t j = 0; j < kHoldings; ++j) {
      std::swap(pool[j], pool[j + std::uniform_int_distribution<std::size_t>(0, kSymbols - 1 - j)(rng)]);
      const std::size_t h = a * kHoldings + j;
      f.symbol[h] = pool[j];
      for (std::size_t k = 0; k < kLots; ++k) {
        tax::Lot& lot = f.lots[h * kLots + k];
        lot.quantity = units(rng);
        lot.cost_per_unit = basis(rng);
        lot.id = lot.purchase = static_cast<tax::LotId>(k);
        lot.acquired = lot.holding_from = today - days_back(rng);
      }
    }
  }
  return f;
}

/// The holdings a method found harvestable after a tick, and their plans.
struct Found {
  std::vector<std::uint32_t> holdings;
  std::vector<tax::HarvestPlan> plans;
  void clear() {
    holdings.clear();
    plans.clear();
  }
};

/// The brute force: every lot of every holding (of `only`, when given) at
/// the prices, holdings in order.
void scan(const Fleet& fleet, const std::vector<double>& price, std::optional<std::size_t> only, Found& out) {
  out.clear();
  for (std::size_t h = 0; h < fleet.count.size(); ++h) {
    if (only && fleet.symbol[h] != *only) continue;
    const double p = price[fleet.symbol[h]];
    if (tax::is_harvestable(fleet.of(h), p, kRule)) {
      out.holdings.push_back(static_cast<std::uint32_t>(h));
      out.plans.push_back(tax::harvestable(fleet.of(h), p, kRule));
    }
  }
}

/// The index: the holdings of `symbol` due at `price`, each planned, sold and
/// given its new trigger at once, while its lots are in the cache. Appends to `out`.
void take_due(Fleet& fleet, HarvestIndex& index, std::size_t symbol, double price, std::vector<AccountIndex>& due,
              Found& out) {
  due.clear();
  index.due(static_cast<core::SymbolId>(symbol), price, due);
  for (const AccountIndex a : due) {
    std::size_t h = std::size_t{a} * kHoldings;
    while (fleet.symbol[h] != symbol) ++h;
    out.holdings.push_back(static_cast<std::uint32_t>(h));
    out.plans.push_back(tax::harvestable(fleet.of(h), price, kRule));
    fleet.sell(h, out.plans.back());
    index.set(a, static_cast<core::SymbolId>(symbol), tax::harvest_price(fleet.of(h), kRule));
  }
}

/// Whether the index found the holdings the scan found, with the same plans.
bool same(const Found& index, const Found& scanned) {
  if (index.holdings.size() != scanned.holdings.size()) return false;
  std::vector<std::size_t> order(index.holdings.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t x, std::size_t y) { return index.holdings[x] < index.holdings[y]; });
  for (std::size_t i = 0; i < order.size(); ++i) {
    const tax::HarvestPlan& mine = index.plans[order[i]];
    if (index.holdings[order[i]] != scanned.holdings[i] || mine.lots != scanned.plans[i].lots ||
        mine.loss != scanned.plans[i].loss) {
      return false;
    }
  }
  return true;
}

struct FallTick {
  double scan_s = 0;     ///< the scan over every lot, and the plans of the holdings found
  double index_s = 0;    ///< the index's holdings due, their plans, sales and new triggers
  std::size_t due = 0;   ///< holdings found harvestable
  std::size_t sold = 0;  ///< lots in their plans
  bool same = false;
};

struct Calm {
  double scan_s = 0;               ///< the first scan_ticks, the scan's part
  std::size_t scan_ticks = 0;
  bool same = true;                ///< over those
  double index_cpu_s = 0;          ///< the next index_ticks, the index alone
  std::size_t index_ticks = 0;
  std::vector<double> latency_ns;  ///< as many again, one each, wall clock
  std::size_t due = 0;             ///< holdings due over all of them
};

struct Repeat {
  double build_s = 0;  ///< harvest prices of every holding, and the index filled
  std::size_t index_bytes = 0, fleet_bytes = 0;
  std::size_t entries_end = 0, size_end = 0;  ///< the index's heap entries and holdings with a trigger, at the end
  std::vector<FallTick> fall;
  Calm calm;
};

Repeat run(std::size_t accounts, std::size_t fall_ticks, std::size_t calm_ticks, std::size_t brute_ticks) {
  Fleet fleet = make_fleet(accounts);
  const std::size_t holdings = fleet.count.size();
  Repeat out;
  HarvestIndex index;
  index.reserve(accounts, holdings);
  double c0 = thread_cpu_seconds();
  for (std::size_t h = 0; h < holdings; ++h) {
    index.set(static_cast<AccountIndex>(h / kHoldings), fleet.symbol[h], tax::harvest_price(fleet.of(h), kRule));
  }
  out.build_s = thread_cpu_seconds() - c0;
  out.index_bytes = index.memory_bytes();
  out.fleet_bytes = fleet.bytes();

  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> fall(0.005, 0.03);
  std::vector<double> price(kSymbols, kStartPrice);
  Found scanned, found;
  std::vector<AccountIndex> due;
  for (std::size_t t = 0; t < fall_ticks; ++t) {
    for (double& p : price) p *= 1 - fall(rng);
    FallTick tick;
    c0 = thread_cpu_seconds();
    scan(fleet, price, std::nullopt, scanned);
    tick.scan_s = thread_cpu_seconds() - c0;
    found.clear();
    c0 = thread_cpu_seconds();
    for (std::size_t s = 0; s < kSymbols; ++s) take_due(fleet, index, s, price[s], due, found);
    tick.index_s = thread_cpu_seconds() - c0;
    tick.same = same(found, scanned);
    tick.due = found.holdings.size();
    for (const tax::HarvestPlan& plan : found.plans) tick.sold += plan.lots.size();
    out.fall.push_back(tick);
  }

  // Calm: one symbol per tick, its price moving by N(0, 1 bp). First
  // brute_ticks ticks with the scan of every holding of the symbol beside the
  // index, then calm_ticks with the index alone and no clock per tick, then
  // calm_ticks more with a clock pair around each.
  std::uniform_int_distribution<std::size_t> pick(0, kSymbols - 1);
  std::normal_distribution<double> step(0, 1e-4);
  const auto next_tick = [&] {
    const std::size_t s = pick(rng);
    price[s] *= std::exp(step(rng));
    return s;
  };
  Calm& calm = out.calm;
  for (std::size_t t = 0; t < brute_ticks; ++t) {
    const std::size_t s = next_tick();
    c0 = thread_cpu_seconds();
    scan(fleet, price, s, scanned);
    calm.scan_s += thread_cpu_seconds() - c0;
    found.clear();
    take_due(fleet, index, s, price[s], due, found);
    calm.same = calm.same && same(found, scanned);
    calm.due += found.holdings.size();
  }
  calm.scan_ticks = brute_ticks;
  c0 = thread_cpu_seconds();
  for (std::size_t t = 0; t < calm_ticks; ++t) {
    const std::size_t s = next_tick();
    found.clear();
    take_due(fleet, index, s, price[s], due, found);
    calm.due += found.holdings.size();
  }
  calm.index_cpu_s = thread_cpu_seconds() - c0;
  calm.index_ticks = calm_ticks;
  calm.latency_ns.reserve(calm_ticks);
  for (std::size_t t = 0; t < calm_ticks; ++t) {
    const std::size_t s = next_tick();
    found.clear();
    const auto wall = Clock::now();
    take_due(fleet, index, s, price[s], due, found);
    calm.latency_ns.push_back(std::chrono::duration<double, std::nano>(Clock::now() - wall).count());
    calm.due += found.holdings.size();
  }
  out.entries_end = index.entries();
  out.size_end = index.size();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const auto arg = [&](int i, std::size_t fallback) {
    return argc > i ? static_cast<std::size_t>(std::strtoull(argv[i], nullptr, 10)) : fallback;
  };
  const std::size_t accounts = arg(1, 1'000'000), fall_ticks = arg(2, 8), repeats = std::max<std::size_t>(arg(3, 5), 1),
                    calm_ticks = arg(4, 200'000), brute_ticks = arg(5, 100);
  const std::size_t holdings = accounts * kHoldings;
  std::printf("tax-loss harvest scan: %zu accounts x %zu holdings over %zu symbols, %zu lots each; a fall of %zu "
              "ticks of -0.5..-3%% on every symbol, then %zu calm ticks (%zu with the scan), %zu repeats "
              "(load average %s)\n",
              accounts, kHoldings, kSymbols, kLots, fall_ticks, 2 * calm_ticks + brute_ticks, brute_ticks, repeats,
              load_average().c_str());
  std::vector<Repeat> runs;
  for (std::size_t r = 0; r < repeats; ++r) runs.push_back(run(accounts, fall_ticks, calm_ticks, brute_ticks));

  const Repeat& first = runs.front();
  std::vector<double> build;
  for (const Repeat& r : runs) build.push_back(r.build_s);
  std::printf("build: harvest price of every holding, index filled: p50 %.2f s (%.0f ns per holding)\n",
              bench::percentile(build, 0.5), bench::percentile(build, 0.5) / static_cast<double>(holdings) * 1e9);
  std::printf("memory: lots %.1f MB (%.0f bytes per holding), index %.1f MB (%.1f bytes per holding; "
              "at the end, %zu heap entries for %zu holdings with a trigger); VmHWM %.1f MB\n",
              static_cast<double>(first.fleet_bytes) / 1e6,
              static_cast<double>(first.fleet_bytes) / static_cast<double>(holdings),
              static_cast<double>(first.index_bytes) / 1e6,
              static_cast<double>(first.index_bytes) / static_cast<double>(holdings), first.entries_end, first.size_end,
              static_cast<double>(status_kib("VmHWM")) / 1024.0);

  // The fall: per tick, over the repeats.
  std::printf("fall, CPU ms per tick over %zu repeats:\n", repeats);
  std::printf("%5s %10s %8s %10s %10s %11s %11s %9s %5s\n", "tick", "harvested", "lots", "scan p50", "scan max",
              "index p50", "index max", "speed-up", "same");
  std::vector<double> all_scan, all_index;
  bool all_same = true;
  std::size_t harvested = 0;
  double index_total = 0;
  for (std::size_t t = 0; t < fall_ticks; ++t) {
    std::vector<double> scan_ms, index_ms;
    bool same_here = true;
    for (const Repeat& r : runs) {
      scan_ms.push_back(r.fall[t].scan_s * 1e3);
      index_ms.push_back(r.fall[t].index_s * 1e3);
      index_total += r.fall[t].index_s;
      same_here = same_here && r.fall[t].same && r.fall[t].due == first.fall[t].due;
    }
    all_scan.insert(all_scan.end(), scan_ms.begin(), scan_ms.end());
    all_index.insert(all_index.end(), index_ms.begin(), index_ms.end());
    all_same = all_same && same_here;
    harvested += first.fall[t].due;
    const double scan50 = bench::percentile(scan_ms, 0.5), index50 = bench::percentile(index_ms, 0.5);
    std::printf("%5zu %10zu %8zu %10.1f %10.1f %11.1f %11.1f %8.2fx %5s\n", t + 1, first.fall[t].due,
                first.fall[t].sold, scan50, bench::percentile(scan_ms, 1), index50, bench::percentile(index_ms, 1),
                index50 > 0 ? scan50 / index50 : 0.0, same_here ? "yes" : "NO");
  }
  const double scan50 = bench::percentile(all_scan, 0.5);
  std::printf("fall, scan: p50 %.1f ms, p90 %.1f ms, max %.1f ms per tick (%.0f M holdings/s at p50)\n", scan50,
              bench::percentile(all_scan, 0.9), bench::percentile(all_scan, 1),
              scan50 > 0 ? static_cast<double>(holdings) / scan50 / 1e3 : 0.0);
  std::printf("fall, index: p50 %.1f ms, p90 %.1f ms, max %.1f ms per tick; %.0f ns per harvest "
              "(%zu harvests over the fall, of %zu holdings)\n",
              bench::percentile(all_index, 0.5), bench::percentile(all_index, 0.9), bench::percentile(all_index, 1),
              harvested ? index_total / static_cast<double>(harvested * repeats) * 1e9 : 0.0, harvested, holdings);

  // Calm ticks.
  std::vector<double> scan_ms, index_us, latency;
  bool calm_same = true;
  for (const Repeat& r : runs) {
    const Calm& c = r.calm;
    if (c.scan_ticks) scan_ms.push_back(c.scan_s / static_cast<double>(c.scan_ticks) * 1e3);
    if (c.index_ticks) index_us.push_back(c.index_cpu_s / static_cast<double>(c.index_ticks) * 1e6);
    latency.insert(latency.end(), c.latency_ns.begin(), c.latency_ns.end());
    calm_same = calm_same && c.same;
  }
  all_same = all_same && calm_same;
  const double calm_scan = bench::percentile(scan_ms, 0.5), calm_index = bench::percentile(index_us, 0.5);
  std::printf("calm, scan of the symbol's holdings: %.2f ms per tick (p50 over repeats); holdings harvested over "
              "the calm ticks: %zu\n",
              calm_scan, first.calm.due);
  std::printf("calm, index: %.3f us per tick (p50 over repeats; %.0f ticks per CPU second); speed-up %.0fx\n",
              calm_index, calm_index > 0 ? 1e6 / calm_index : 0.0,
              calm_index > 0 ? calm_scan * 1e3 / calm_index : 0.0);
  std::printf("calm, index latency over %zu ticks: p50 %.0f ns, p99 %.0f ns, p99.9 %.0f ns, max %.0f ns\n",
              latency.size(), bench::percentile(latency, 0.5), bench::percentile(latency, 0.99),
              bench::percentile(latency, 0.999), bench::percentile(latency, 1));
  std::printf("same holdings and plans found by both, every tick compared: %s\n", all_same ? "yes" : "NO");
  return all_same ? 0 : 1;
}
