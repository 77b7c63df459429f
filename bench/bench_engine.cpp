// The pure engine alone: ticks per second through on_tick for many portfolios,
// against a naive evaluation that revalues every portfolio on every tick.
#include <chrono>
#include <cstdio>
#include <cmath>
#include <random>

#include "engine/engine.hpp"
#include "strategies/drift.hpp"

using namespace ballast;
using namespace std::chrono;

namespace {

std::vector<strategies::PortfolioSpec> make_specs(int portfolios, int universe, int per_portfolio) {
  std::mt19937_64 rng(7);
  std::vector<strategies::PortfolioSpec> specs;
  for (int p = 0; p < portfolios; ++p) {
    strategies::PortfolioSpec spec;
    spec.id = "p" + std::to_string(p);
    for (int a = 0; a < per_portfolio; ++a) {
      const int sym = static_cast<int>(rng() % static_cast<unsigned>(universe));
      const std::string name = "S" + std::to_string(sym);
      bool dup = false;
      for (const auto& x : spec.assets) dup = dup || x.symbol == name;
      if (dup) continue;
      spec.assets.push_back({name, 0, 100, 1});
    }
    for (auto& a : spec.assets) a.target = 1.0 / static_cast<double>(spec.assets.size());
    spec.triggers = {strategies::ThresholdTrigger{0.5, std::nullopt, std::nullopt}};
    specs.push_back(std::move(spec));
  }
  return specs;
}

}  // namespace

int main() {
  const int universe = 500;
  std::printf("engine: ticks through on_tick, %d symbols, 10 assets per portfolio, no band crossed\n", universe);
  for (const int portfolios : {100, 10'000, 100'000}) {
    auto specs = make_specs(portfolios, universe, 10);
    engine::Engine e(specs, {}, 0);
    engine::Output out;
    std::vector<core::SymbolId> ids;
    for (int s = 0; s < universe; ++s) {
      const auto id = e.find_symbol("S" + std::to_string(s));
      if (id != core::kNoSymbol) ids.push_back(id);
    }
    for (const auto id : ids) e.on_tick({id, 100.0, 1}, 1, out);
    const int ticks = 2'000'000 / (portfolios / 100);
    const auto t0 = steady_clock::now();
    for (int i = 0; i < ticks; ++i) {
      const auto id = ids[static_cast<std::size_t>(i) % ids.size()];
      e.on_tick({id, 100.0 + 0.01 * (i % 13), i + 2}, i + 2, out);
    }
    const double engine_s = duration<double>(steady_clock::now() - t0).count();

    // Naive: every tick revalues every portfolio and checks its drift, as a
    // loop over all accounts would (symbols already resolved to indices).
    struct Flat {
      std::vector<std::size_t> sym;
      std::vector<double> qty, target;
    };
    std::vector<Flat> flat;
    for (const auto& spec : specs) {
      Flat f;
      for (const auto& a : spec.assets) {
        f.sym.push_back(std::stoul(a.symbol.substr(1)));
        f.qty.push_back(a.holding);
        f.target.push_back(a.target);
      }
      flat.push_back(std::move(f));
    }
    const int naive_ticks = std::max(1, ticks / 100);
    std::vector<double> prices(static_cast<std::size_t>(universe), 100.0);
    double sink = 0;
    const auto t2 = steady_clock::now();
    for (int i = 0; i < naive_ticks; ++i) {
      prices[static_cast<std::size_t>(i % universe)] = 100.0 + 0.01 * (i % 13);
      for (const auto& f : flat) {
        double value = 0;
        for (std::size_t k = 0; k < f.sym.size(); ++k) value += f.qty[k] * prices[f.sym[k]];
        double worst = 0;
        for (std::size_t k = 0; k < f.sym.size(); ++k)
          worst = std::max(worst, std::abs(f.qty[k] * prices[f.sym[k]] / value - f.target[k]));
        sink += worst;
      }
    }
    const double naive_s = duration<double>(steady_clock::now() - t2).count();
    std::printf("  %7d portfolios: engine %10.0f ticks/s (%.2f us/tick) | naive revalue-all %9.0f ticks/s%s\n",
                portfolios, ticks / engine_s, 1e6 * engine_s / ticks, naive_ticks / naive_s, sink < 0 ? "!" : "");
  }
  return 0;
}
