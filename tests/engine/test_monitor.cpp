// Monitoring: which portfolios a tick touches, and staleness.
#include <doctest/doctest.h>

#include <vector>

#include "engine/monitor.hpp"
#include "engine_test_support.hpp"

namespace test_monitor {

using namespace ballast;
using namespace ballast::engine;
using namespace ballast::engine::test;

namespace {

/// Three portfolios: SPY/AGG, SPY alone, GLD alone.
std::vector<PortfolioState> three(core::SymbolTable& symbols) {
  std::vector<PortfolioState> ps;
  ps.push_back(state_of(sixty_forty(), symbols));
  strategies::PortfolioSpec spy;
  spy.id = "spy";
  spy.assets = {{"SPY", 1.0, 10, 1}};
  ps.push_back(state_of(spy, symbols));
  strategies::PortfolioSpec gld;
  gld.id = "gld";
  gld.assets = {{"GLD", 1.0, 10, 1}};
  ps.push_back(state_of(gld, symbols));
  return ps;
}

std::vector<std::uint32_t> holders(const Monitor& m, core::SymbolId s) {
  const auto h = m.holders(s);
  return {h.begin(), h.end()};
}

}  // namespace

TEST_CASE("a symbol's holders are the portfolios that hold or target it") {
  core::SymbolTable symbols;
  const auto ps = three(symbols);
  Monitor m;
  m.rebuild(ps, symbols.size());
  CHECK(holders(m, symbols.find("SPY")) == std::vector<std::uint32_t>{0, 1});
  CHECK(holders(m, symbols.find("AGG")) == std::vector<std::uint32_t>{0});
  CHECK(holders(m, symbols.find("GLD")) == std::vector<std::uint32_t>{2});
}

TEST_CASE("a row touches every holder of a symbol that ticked, and no other portfolio") {
  core::SymbolTable symbols;
  const auto ps = three(symbols);
  Monitor m;
  m.rebuild(ps, symbols.size());
  m.begin_row(ps.size());
  m.touch(symbols.find("AGG"));
  m.touch(symbols.find("SPY"));
  CHECK(m.touched(0));
  CHECK(m.touched(1));
  CHECK_FALSE(m.touched(2));
  m.begin_row(ps.size());
  CHECK_FALSE(m.touched(0));
}

TEST_CASE("a portfolio is ready only with a price for every asset and none stale") {
  core::SymbolTable symbols;
  const auto ps = three(symbols);
  Monitor m;
  m.rebuild(ps, symbols.size());
  CHECK_FALSE(m.ready(ps[0], prices_of(symbols, {{"SPY", 300}})));
  const PriceTable both = prices_of(symbols, {{"SPY", 300}, {"AGG", 100}});
  CHECK(m.ready(ps[0], both));
  m.set_stale(symbols.find("AGG"), true);
  CHECK(m.stale(symbols.find("AGG")));
  CHECK_FALSE(m.ready(ps[0], both));
  CHECK(m.ready(ps[1], both));
  m.set_stale(symbols.find("AGG"), false);
  CHECK(m.ready(ps[0], both));
}

TEST_CASE("staleness of a symbol beyond the table is ignored and reads fresh") {
  Monitor m;
  m.rebuild({}, 1);
  m.set_stale(5, true);
  CHECK_FALSE(m.stale(5));
  CHECK_FALSE(m.stale(core::kNoSymbol));
}

}  // namespace test_monitor
