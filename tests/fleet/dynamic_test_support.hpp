#pragma once
// The hand-worked account of the dynamic trigger's tests (fleet and offline).
//
// A 50/50 model of AAA and BBB (lot 1, absolute band 5 points) and an account
// of 60 AAA and 40 BBB at 100, no cash: V = 10,000, w = (0.6, 0.4),
// d = w − t = (+0.10, −0.10), in breach. To target it sells 10 AAA and buys 10 BBB.
//
// Σ: σ_AAA = 0.20, σ_BBB = 0.10, ρ = 0.5, so Σ = [[0.04, 0.01], [0.01, 0.01]];
//   dᵀΣd = 0.01·0.04 + 0.01·0.01 − 2·0.01·0.01 = 0.0004 + 0.0001 − 0.0002 = 0.0003.
// λ = 10, horizon one year (365.25 days):
//   B = (10/2) · 0.0003 · 1 · 10,000 = 15.00.
// Trading cost at a flat 5 bps: (10·100 + 10·100) · 5/10⁴ = 1.00.
// AAA's lots, sold min_tax on 2026-03-14 at rates 37% short-term, 20% long-term:
//   30 at 80 bought 2025-01-10: long-term, gain 20 a unit, tax 4.00 a unit;
//   30 at 90 bought 2026-01-05: short-term, gain 10 a unit, tax 3.70 a unit.
//   min_tax sells the short-term lot first (3.70 < 4.00): 10 · 3.70 = 37.00.
// C = 1.00 + 37.00 = 38.00 > 15.00: held. Without rates C = 1.00 < 15.00: it trades.
#include <Eigen/Core>

#include "core/time.hpp"
#include "fleet/account_record.hpp"
#include "fleet/model.hpp"
#include "tax/holding_period.hpp"
#include "tax/tax_rates.hpp"

namespace ballast::fleet::test {

inline const core::TimeNs kDynamicDay = core::parse_iso8601("2026-03-14T15:00:00Z").value();
inline const tax::TaxRates kDynamicRates{0.37, 0.20};

inline Eigen::MatrixXd dynamic_cov() {
  Eigen::MatrixXd cov(2, 2);
  cov << 0.04, 0.01, 0.01, 0.01;
  return cov;
}

inline strategies::DynamicTrigger dynamic_trigger() {
  strategies::DynamicTrigger t;
  t.risk_aversion = 10;
  t.horizon = 365 * core::kNanosPerDay + core::kNanosPerDay / 4;
  t.cost_bps = 5;
  return t;
}

/// The 50/50 model over symbols 0 (AAA) and 1 (BBB), with the dynamic trigger and `rates`.
inline Model dynamic_model(std::optional<tax::TaxRates> rates) {
  Model m;
  m.symbols = {0, 1};
  m.targets = {0.5, 0.5};
  m.lot_sizes = {1, 1};
  m.bands.absolute = 0.05;
  m.tax_rates = rates;
  m.dynamic = ModelDynamic{dynamic_trigger(), dynamic_cov(), std::nullopt};
  return m;
}

/// The record of account `id`: AAA's two lots, min_tax.
inline AccountRecord dynamic_lots(std::string id, double long_basis = 80, double short_basis = 90) {
  AccountRecord r;
  r.id = std::move(id);
  r.lot_method = tax::CloseMethod::min_tax;
  r.lots = {{"AAA", 30, long_basis, tax::day_of(2025, 1, 10), tax::day_of(2025, 1, 10), 0},
            {"AAA", 30, short_basis, tax::day_of(2026, 1, 5), tax::day_of(2026, 1, 5), 0}};
  return r;
}

}  // namespace ballast::fleet::test
