#pragma once
// What the engine tests share: the 60/40 portfolio whose numbers the comments
// work out by hand, and ticks by symbol name; for the tests of the engine's
// parts, a portfolio's state and a table of prices made without an Engine.
#include <initializer_list>
#include <string_view>
#include <utility>

#include "engine/engine.hpp"

namespace ballast::engine::test {

inline const core::TimeNs kNow = *core::parse_iso8601("2026-11-23T14:30:00Z");
inline constexpr core::DurationNs kSecond = core::kNanosPerSecond;

/// 100 SPY and 300 AGG and 1000 cash, 60/40, 5% bands. At SPY 300 and AGG 100
/// the value is 61000 and SPY weighs 0.492: a breach. To target: sell 56 AGG
/// (5600), buy 22 SPY (6600).
inline strategies::PortfolioSpec sixty_forty() {
  strategies::PortfolioSpec p;
  p.id = "main";
  p.cash = 1000;
  p.assets = {{"SPY", 0.6, 100, 1}, {"AGG", 0.4, 300, 1}};
  p.triggers = {strategies::ThresholdTrigger{0.05, std::nullopt, std::nullopt}};
  return p;
}

inline void tick(Engine& e, std::string_view sym, double px, core::TimeNs now, Output& out) {
  e.on_tick({e.find_symbol(sym), px, now}, now, out);
}

/// Prices both assets; the second tick breaches the band.
inline void breach(Engine& e, Output& out, core::TimeNs now = kNow) {
  tick(e, "AGG", 100, now, out);
  tick(e, "SPY", 300, now, out);
}

/// A portfolio's quantity of a symbol; -1 when it does not hold or target it.
inline double quantity(const Engine& e, std::string_view sym, std::size_t portfolio = 0) {
  for (const auto& a : e.portfolios()[portfolio].assets) {
    if (e.symbols().name(a.symbol) == sym) return a.quantity;
  }
  return -1;
}

/// The state an Engine builds for `spec` before any price (seed holdings and
/// cash, the spec's targets, calendars from kNow), its symbols interned in `symbols`.
inline PortfolioState state_of(strategies::PortfolioSpec spec, core::SymbolTable& symbols) {
  PortfolioState p;
  for (const auto& a : spec.assets) p.assets.push_back({symbols.intern(a.symbol), a.holding, a.target, a.lot_size});
  p.cash = spec.cash;
  p.cash_target = spec.cash_target;
  p.model_kind = spec.model.kind;
  p.next_due = calendar_dates(spec.triggers, kNow);
  p.spec = std::move(spec);
  return p;
}

/// A price table over `symbols` with the given last prices, ticked at kNow.
inline PriceTable prices_of(const core::SymbolTable& symbols,
                            std::initializer_list<std::pair<std::string_view, double>> last) {
  PriceTable t;
  t.resize(symbols.size());
  for (const auto& [sym, px] : last) t.update({symbols.find(sym), px, kNow});
  return t;
}

}  // namespace ballast::engine::test
