#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <utility>
#include <vector>

#include "fleet/brute_force_fleet.hpp"
#include "fleet/fleet_monitor.hpp"
#include "fleet/safe_zone.hpp"
#include "fleet/zone_sweep.hpp"
#include "fleet_test_support.hpp"

namespace test_zone_sweep {

using namespace ballast;
using namespace ballast::fleet;
using ballast::fleet::test::Groups;
using ballast::fleet::test::one_account;
using ballast::fleet::test::random_fleet;
using ballast::fleet::test::RandomFleet;
using ballast::fleet::test::require_same;
using ballast::fleet::test::simple_model;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// The sweep's radius against account_zone_radius: the same verdict, and
/// finite radii equal but for roundings and log_below's shortfall. A factor
/// of about 1 (r ≈ 0) may round to either side of 1 in either: both are
/// then below kSweepSure and the account is checked the full way.
void require_agree(double sweep, double exact) {
  CAPTURE(sweep);
  CAPTURE(exact);
  if (std::isinf(exact) && exact > 0) {
    REQUIRE(sweep == kInf);
  } else if (exact == -kInf || sweep == -kInf) {
    REQUIRE((sweep == exact || (sweep < 1e-12 && exact < 1e-12)));
  } else {
    // Never above it (but for rounding), and at most log_below's 4e-7 below.
    REQUIRE(sweep <= exact * (1 + 1e-12) + 1e-15);
    REQUIRE(sweep >= exact * (1 - 4e-7) - 1e-15);
  }
}

/// The radius of the best kernel, after checking that the portable one gives
/// the same but for roundings.
double sweep_radius(const AccountBook& book, const std::vector<double>& prices, AccountIndex a = 0) {
  const double best = ZoneSweep(book, prices).radius(book, a);
  require_agree(ZoneSweep(book, prices, ZoneSweep::Kernel::portable).radius(book, a), best);
  return best;
}

}  // namespace

TEST_CASE("the sweep's radius is account_zone_radius's on random fleets, with and without groups and total bands") {
  const std::pair<Groups, bool> fleets[] = {
      {Groups::none, false}, {Groups::own, false}, {Groups::held, false}, {Groups::none, true}};
  for (const auto& [groups, totals] : fleets) {
    RandomFleet f = random_fleet(7, 12, 24, 3000, groups, totals);
    std::mt19937_64 rng(3);
    std::normal_distribution<double> move(0, 0.03);
    for (int round = 0; round < 4; ++round) {
      const ZoneSweep sweep(f.book, f.prices);
      const ZoneSweep portable(f.book, f.prices, ZoneSweep::Kernel::portable);
      std::size_t finite = 0, none = 0;
      for (AccountIndex a = 0; a < f.book.size(); ++a) {
        const double exact = account_zone_radius(f.book, a, f.prices);
        require_agree(sweep.radius(f.book, a), exact);
        // Models of 2 to 8 assets: every count of lanes in the last two or four.
        require_agree(portable.radius(f.book, a), exact);
        finite += std::isfinite(exact);
        none += exact == -kInf;
      }
      // Both kinds seen: in band with a radius, and out of band.
      CHECK(finite > 100);
      CHECK(none > 10);
      for (double& p : f.prices) p *= std::exp(move(rng));
    }
  }
}

TEST_CASE("the sweep's radius on hand-made accounts: the 60/40 radius, band edges, cash, empty accounts") {
  const std::vector<double> at100{100, 100};
  SUBCASE("60/40 with 5% bands: ½ ln(0.27/0.22), as worked out by hand") {
    const AccountBook book = one_account(simple_model({0.6, 0.4}, 0.05), 0, {6, 4});
    const double r = sweep_radius(book, at100);
    CHECK(r == doctest::Approx(0.5 * std::log(0.27 / 0.22)).epsilon(1e-9));
    CHECK(r <= 0.5 * std::log(0.27 / 0.22));
    require_agree(r, account_zone_radius(book, 0, at100));
  }
  SUBCASE("exactly on the band edge (0.65 of a 0.60 ± 0.05 band): outside the narrowed band, −∞") {
    const AccountBook book = one_account(simple_model({0.6, 0.4}, 0.05), 0, {13, 7});
    CHECK(sweep_radius(book, at100) == -kInf);
    CHECK(account_zone_radius(book, 0, at100) == -kInf);
  }
  SUBCASE("just inside the edge: a radius, tiny, below kSweepSure") {
    // A at 0.6499 of 10,000: inside by 1e-4.
    const AccountBook book = one_account(simple_model({0.6, 0.4}, 0.05), 0, {64.99, 35.01});
    const double r = sweep_radius(book, at100);
    CHECK(r > 0);
    CHECK(r < kSweepSure);
    require_agree(r, account_zone_radius(book, 0, at100));
  }
  SUBCASE("negative cash, no value: −∞") {
    CHECK(sweep_radius(one_account(simple_model({0.5, 0.5}, 0.05), -1, {5, 5}), at100) == -kInf);
    CHECK(sweep_radius(one_account(simple_model({0.5, 0.5}, 0.05), 0, {0, 0}), at100) == -kInf);
  }
  SUBCASE("nothing held of an asset with a target: below its lower edge, −∞") {
    CHECK(sweep_radius(one_account(simple_model({0.5, 0.5}, 0.05), 5000, {50, 0}), at100) == -kInf);
  }
  SUBCASE("all cash against a target of 0: no move can breach, +∞") {
    const AccountBook book = one_account(simple_model({0.0}, 0.05), 1000, {0}, 1, 1);
    CHECK(sweep_radius(book, {100}) == kInf);
    CHECK(account_zone_radius(book, 0, std::vector<double>{100}) == kInf);
  }
  SUBCASE("a target of 0 or 1, or within the margin of them: account_zone_radius itself") {
    for (const double t : {0.0, 1e-12, 1 - 1e-12, 1.0}) {
      CAPTURE(t);
      const AccountBook book = one_account(simple_model({t}, 0.05), 50, {t > 0.5 ? 9.5 : 0.0});
      CHECK(sweep_radius(book, {100}) == account_zone_radius(book, 0, std::vector<double>{100}));
    }
  }
  SUBCASE("an account worth 1e150 or more: account_zone_radius itself") {
    const AccountBook book = one_account(simple_model({0.6, 0.4}, 0.05), 0, {6e150, 4e150});
    const double r = sweep_radius(book, at100);
    CHECK(r == account_zone_radius(book, 0, at100));
    CHECK(r == doctest::Approx(0.5 * std::log(0.27 / 0.22)).epsilon(1e-9));
  }
  SUBCASE("relative bands, both bands, multipliers") {
    Model m = simple_model({0.3, 0.3, 0.3}, 0.05);
    m.bands.absolute.reset();
    m.bands.relative = 0.2;
    for (const bool both : {false, true}) {
      if (both) m.bands.absolute = 0.05;
      for (const double multiplier : {0.5, 1.0, 1.5}) {
        const AccountBook book = one_account(m, 1000, {31, 28, 30}, multiplier);
        const std::vector<double> prices{100, 100, 100};
        require_agree(sweep_radius(book, prices), account_zone_radius(book, 0, prices));
      }
    }
  }
}

namespace {

/// Accounts at and around their band edges, with lots worth a tenth of the
/// account, min_trade_value equal to one lot's worth, cash from none to one
/// lot's cost: every bound of a zone met at its edge somewhere.
RandomFleet edge_fleet(std::size_t accounts) {
  RandomFleet f{AccountBook(4), {100, 100, 50, 200}};
  for (std::size_t k = 0; k < 8; ++k) {
    Model m;
    m.symbols = {0, 1, 2, 3};
    m.targets = k % 2 ? std::vector<double>{0.3, 0.3, 0.2, 0.2} : std::vector<double>{0.4, 0.3, 0.2, 0.1};
    m.lot_sizes = k % 4 < 2 ? std::vector<double>{1, 1, 1, 1} : std::vector<double>{10, 10, 20, 5};
    if (k % 3 != 1) m.bands.absolute = 0.05;
    if (k % 3 != 0) m.bands.relative = 0.25;
    m.rebalance_to = k % 2 ? strategies::RebalanceTo::band_edge : strategies::RebalanceTo::target;
    m.min_trade_value = k % 4 == 3 ? 1000 : 0;
    REQUIRE_FALSE(f.book.add_model(std::move(m)));
  }
  // Each weight at t + s·h for s among these: on the edges, just inside, just outside.
  const double steps[] = {-1.0, -0.999, -0.5, 0.0, 0.5, 0.999, 1.0, 1.01};
  const double cash_left[] = {0, 1000, 999.99, 1000.01};
  std::mt19937_64 rng(17);
  std::vector<double> q(4);
  for (std::size_t a = 0; a < accounts; ++a) {
    const auto k = static_cast<ModelIndex>(a % 8);
    const Model& m = f.book.models()[k];
    const double multiplier = a % 3 == 0 ? 1.0 : 0.8;
    const strategies::ThresholdTrigger bands = scaled_bands(m.bands, multiplier);
    const double value = 10'000;
    double invested = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      const double w = m.targets[i] + steps[rng() % 8] * band_half_width(bands, m.targets[i]);
      q[i] = std::max(0.0, std::round(value * w / f.prices[i]));
      invested += q[i] * f.prices[i];
    }
    // The cash as the weights left it, or one of the amounts around a lot's cost.
    const double cash = a % 2 ? std::max(0.0, value - invested) : cash_left[rng() % 4];
    REQUIRE_FALSE(f.book.add_account("e" + std::to_string(a), k, cash, q, multiplier));
  }
  return f;
}

}  // namespace

TEST_CASE("accounts on their band edges, lots and min_trade_value at their edges: the monitor's resync and "
          "walk rebalance as the brute force does, on one thread and two") {
  for (const unsigned threads : {1u, 2u}) {
    CAPTURE(threads);
    // 9,000 accounts: enough for the resync to split over two threads.
    RandomFleet f = edge_fleet(9000);
    {
      // Both of the sweep's kernels agree with account_zone_radius on every one of them.
      const ZoneSweep sweep(f.book, f.prices);
      const ZoneSweep portable(f.book, f.prices, ZoneSweep::Kernel::portable);
      for (AccountIndex a = 0; a < f.book.size(); ++a) {
        const double exact = account_zone_radius(f.book, a, f.prices);
        require_agree(sweep.radius(f.book, a), exact);
        require_agree(portable.radius(f.book, a), exact);
      }
    }
    FleetMonitor fleet(f.book, f.prices);
    fleet.set_threads(threads);
    BruteForceFleet brute(f.book, f.prices);
    FleetOutput fo, bo;
    fleet.resync(fo);
    brute.resync(bo);
    CHECK(bo.rebalances.size() > 100);
    require_same(fo, bo);
    // Every kind of zone the resync gives is among them: none (checked on
    // every tick), one under kSweepSure (from the full check), one from the sweep.
    std::size_t none = 0, full = 0, swept = 0;
    for (AccountIndex a = 0; a < fleet.book().size(); ++a) {
      if (fleet.state(a) != AccountState::resync_zone) continue;
      const float r = fleet.zone_radius(a);
      none += r == -std::numeric_limits<float>::infinity();
      full += r >= 0 && r < kSweepSure * 0.99;  // quantised: up to 0.8% below the sweep's
      swept += r >= kSweepSure;
    }
    CHECK(none > 10);
    CHECK(full > 10);
    CHECK(swept > 1000);
    std::mt19937_64 rng(threads);
    std::normal_distribution<double> step(0, 0.003);
    std::vector<double> prices = f.prices;
    std::size_t rebalances = bo.rebalances.size();
    for (int tick = 0; tick < 400; ++tick) {
      fo.clear();
      bo.clear();
      if (tick % 100 == 99) {
        fleet.resync(fo);
        brute.resync(bo);
        require_same(fo, bo);
        rebalances += bo.rebalances.size();
        fo.clear();
        bo.clear();
      }
      const auto j = static_cast<core::SymbolId>(rng() % prices.size());
      prices[j] *= std::exp(step(rng));
      REQUIRE(fleet.on_tick(j, prices[j], fo));
      REQUIRE(brute.on_tick(j, prices[j], bo));
      require_same(fo, bo);
      rebalances += bo.rebalances.size();
    }
    CHECK(rebalances > 500);
  }
}

TEST_CASE("list_radius is quantise_radius of the largest float at or below the radius") {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> exponent(-12, 2);
  std::vector<double> radii{0.0, 1e-3, 0.5, 1.0, kInf, 0.1, 3.4028234663852886e38};
  for (int i = 0; i < 20000; ++i) radii.push_back(std::pow(10.0, exponent(rng)));
  for (const double r : radii) {
    CAPTURE(r);
    float down = static_cast<float>(r);
    if (static_cast<double>(down) > r) down = std::nextafter(down, -std::numeric_limits<float>::infinity());
    CHECK(list_radius(r) == quantise_radius(down));
    CHECK(static_cast<double>(list_radius(r)) <= r);
  }
}

TEST_CASE("log_below is below ln x, by at most 4e-7 of it") {
  std::mt19937_64 rng(8);
  std::uniform_real_distribution<double> exponent(-15, 300);
  std::vector<double> xs{1.0, 1 + 1e-15, std::nextafter(2.0, 0.0), 2.0, 3.0, 4.0 / 3, 1e300, kInf};
  for (int i = 0; i < 100000; ++i) xs.push_back(1 + std::pow(10.0, exponent(rng)));
  // Each end of a step of the table of ln m₀: m₀ itself, and just below the next m₀.
  for (const int i : {1, 2, 511, 1023}) {
    for (const double scale : {1.0, 8.0}) {
      xs.push_back(scale * (1 + i / 1024.0));
      xs.push_back(scale * std::nextafter(1 + (i + 1) / 1024.0, 0.0));
    }
  }
  for (const double x : xs) {
    CAPTURE(x);
    const double below = log_below(x), ln = std::log(x);
    // Shaved as the sweep shaves it: then never above std::log.
    CHECK(below * (1 - 1e-12) <= ln);
    CHECK(below >= ln * (1 - 4e-7));
  }
  CHECK(log_below(1.0) == 0);
  CHECK(log_below(kInf) == kInf);
}

}  // namespace test_zone_sweep
