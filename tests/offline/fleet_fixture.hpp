#pragma once
// The fleet the offline fleet tests share, small enough to follow by hand.
namespace ballast::offline::test {

/// A 50/50 model with a 5-point band; the commission is 10 bps with a minimum
/// of 1, the half-spread 10 bps.
constexpr const char* kFleetModel = R"(
[[models]]
id = "ab"
targets = { A = 0.5, B = 0.5 }
[models.costs]
commission_bps = 10.0
commission_min = 1.0
half_spread_bps = 10.0
[[models.triggers]]
kind = "threshold"
absolute = 0.05
)";

/// The same model with only the commission minimum for a cost.
constexpr const char* kFleetMinimumOnly = R"(
[[models]]
id = "ab"
targets = { A = 0.5, B = 0.5 }
[models.costs]
commission_min = 1.0
[[models.triggers]]
kind = "threshold"
absolute = 0.05
)";

/// Two accounts on target at 100 and 100, one twice the other.
constexpr const char* kFleetAccounts = "id,model,cash,A,B\na1,ab,0,40,40\na2,ab,0,80,80\n";

/// A rises 25 %: each account is then 5/9 in A, 0.0556 from its target, past the band.
constexpr const char* kFleetPrices = "date,A,B\n2026-01-05,100,100\n2026-01-06,125,100\n2026-01-07,125,100\n";

/// An index held whole, with a substitute to harvest into when it has lost a
/// tenth of its basis; taxed at 35 % short-term and 15 % long-term (the rates
/// of Chaudhuri, Burnham and Lo 2020). ITOT sorts first, so within a row its
/// price is in before VTI's tick decides a harvest.
constexpr const char* kHarvestModel = R"(
[[models]]
id = "index"
targets = { VTI = 1.0, ITOT = 0 }
[[models.triggers]]
kind = "threshold"
absolute = 0.05
[models.tax]
short_term_rate = 0.35
long_term_rate = 0.15
substitutes = { VTI = ["ITOT"] }
[models.tax.harvest]
min_loss_fraction = 0.1
)";

/// One account in cash, and prices over exactly 4 years (1461 days) in which
/// the index loses a fifth on the second day and ends at 150: one harvest
/// (see tests/offline/test_fleet_tax.cpp for the figures by hand).
constexpr const char* kHarvestAccounts = "id,model,cash\na1,index,10000\n";
constexpr const char* kHarvestPrices = "date,ITOT,VTI\n2022-01-03,100,100\n2022-01-04,80,80\n2026-01-03,150,150\n";

}  // namespace ballast::offline::test
