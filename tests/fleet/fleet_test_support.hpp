#pragma once
// Small books for the fleet's tests.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/symbol_table.hpp"
#include "fleet/account_book.hpp"
#include "fleet/fleet_output.hpp"
#include "fleet/model.hpp"
#include "fleet/model_from_spec.hpp"
#include "fleet/rebalancer.hpp"

namespace ballast::fleet::test {

/// A symbol table of AAA (id 0) and BBB (id 1), the desk tests' two symbols.
inline core::SymbolTable aaa_bbb() {
  core::SymbolTable t;
  t.intern("AAA");
  t.intern("BBB");
  return t;
}

/// A model over symbols 0..targets.size()-1, lot 1, absolute band `band`.
inline Model simple_model(std::vector<double> targets, double band) {
  Model m;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    m.symbols.push_back(static_cast<core::SymbolId>(i));
    m.lot_sizes.push_back(1);
  }
  m.targets = std::move(targets);
  m.bands.absolute = band;
  return m;
}

/// A book of one model and one account.
inline AccountBook one_account(const Model& m, double cash, const std::vector<double>& quantities,
                               double multiplier = 1, std::size_t symbols = 0) {
  AccountBook book(symbols ? symbols : m.size());
  REQUIRE_FALSE(book.add_model(m));
  REQUIRE_FALSE(book.add_account("acct", 0, cash, quantities, multiplier));
  return book;
}

/// Whether the book's account 0 is in breach at `prices` (Rebalancer::in_breach).
inline bool breached(const AccountBook& book, const std::vector<double>& prices) {
  Rebalancer r;
  return r.in_breach(book, 0, prices);
}

/// Whether the book's account 0 is in breach (Rebalancer::in_breach) at some
/// corner of the box of moves of ±r on each of its model's prices, or
/// between (moves of ±r/2 and 0 on each, when the model has at most 4 symbols).
inline bool breaches_in_box(const AccountBook& book, const std::vector<double>& prices, double r) {
  const Model& m = book.model(0);
  const std::size_t n = m.size();
  const double steps[] = {-r, r, -r / 2, 0, r / 2};
  const std::size_t per_price = n <= 4 ? 5 : 2;
  std::size_t count = 1;
  for (std::size_t i = 0; i < n; ++i) count *= per_price;
  std::vector<double> moved = prices;
  for (std::size_t k = 0; k < count; ++k) {
    std::size_t code = k;
    for (std::size_t i = 0; i < n; ++i, code /= per_price) {
      moved[m.symbols[i]] = prices[m.symbols[i]] * std::exp(steps[code % per_price]);
    }
    if (breached(book, moved)) return true;
  }
  return false;
}

/// `n` targets for a random account test: each drawn as 0.2 + U(0, 1), then
/// the invested share 0.7 + 0.3·U(0, 1) (into `invested`), the targets scaled
/// to sum to it.
inline std::vector<double> random_targets(std::mt19937_64& rng, std::size_t n, double& invested) {
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<double> targets(n);
  double sum = 0;
  for (auto& t : targets) sum += (t = 0.2 + unit(rng));
  invested = 0.7 + 0.3 * unit(rng);
  for (auto& t : targets) t *= invested / sum;
  return targets;
}

/// model_from_spec(spec) with symbols of its own, required to succeed.
inline Model model_of(const strategies::PortfolioSpec& spec) {
  core::SymbolTable symbols;
  Model m;
  const auto why = model_from_spec(spec, symbols, m);
  INFO(why.value_or(""));
  REQUIRE_FALSE(why);
  return m;
}

struct RandomFleet {
  AccountBook book;
  std::vector<double> prices;
};

/// Substitute groups in random_fleet's models.
enum class Groups {
  none,    ///< no group_of
  own,     ///< group_of with every slot a group of its own
  unheld,  ///< half the models have substitutes (target 0), which no account holds
  held,    ///< as unheld, and most of their accounts hold substitutes in place of some or all of a primary
};

/// Models over `symbols` symbols with varied targets (some cash), bands
/// (absolute, relative, both), lots, band-edge or target, min trade values;
/// accounts of varied sizes and multipliers, drifted up to ±15% off target.
/// With substitutes (Groups::unheld, held): in models k with k % 4 < 2 (to
/// target and band-edge, every kind of band), the last (n − 1) / 2 slots are
/// substitutes of the first ones in turn (slot n − s + j of slot j mod (n − s)),
/// the primaries' targets scaled up to the same invested total. With
/// `total_bands`, models k with k % 3 == 2 add a total band of 2–6%, and
/// those with k % 6 == 5 have it alone. With `volatility`, models k with
/// k % 4 == 1 add a volatility band of ±5–20% around the σ of their targets
/// under a diagonal Σ (σ of 5–30%).
inline RandomFleet random_fleet(std::uint64_t seed, std::size_t symbols, std::size_t models, std::size_t accounts,
                                Groups groups = Groups::none, bool total_bands = false, bool volatility = false) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  RandomFleet f{AccountBook(symbols), {}};
  for (std::size_t j = 0; j < symbols; ++j) f.prices.push_back(20 + 180 * unit(rng));
  const double lots[] = {1, 0.1, 0.001, 5, 10};
  for (std::size_t k = 0; k < models; ++k) {
    Model m;
    std::vector<core::SymbolId> all(symbols);
    for (std::size_t j = 0; j < symbols; ++j) all[j] = static_cast<core::SymbolId>(j);
    std::shuffle(all.begin(), all.end(), rng);
    const std::size_t n = 2 + k % 7;
    m.symbols.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n));
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) sum += m.targets.emplace_back(0.1 + unit(rng));
    const double invested = k % 3 == 0 ? 1.0 : 0.8 + 0.2 * unit(rng);
    for (double& t : m.targets) t *= invested / sum;
    for (std::size_t i = 0; i < n; ++i) m.lot_sizes.push_back(lots[(k + i) % 5]);
    if (k % 3 != 1) m.bands.absolute = 0.01 + 0.04 * unit(rng);
    if (k % 3 != 0) m.bands.relative = 0.05 + 0.25 * unit(rng);
    if (total_bands && k % 3 == 2) {
      m.bands.total = 0.02 + 0.04 * unit(rng);
      if (k % 6 == 5) {
        m.bands.absolute.reset();
        m.bands.relative.reset();
      }
    }
    m.rebalance_to = k % 2 ? strategies::RebalanceTo::band_edge : strategies::RebalanceTo::target;
    if (volatility && k % 4 == 1) {
      ModelVolatility v;
      v.cov_annual = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
      for (std::size_t i = 0; i < n; ++i) {
        const double sigma = 0.05 + 0.25 * unit(rng);
        v.cov_annual(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(i)) = sigma * sigma;
        v.root_largest_eigenvalue = std::max(v.root_largest_eigenvalue, sigma);
      }
      const double at_targets = volatility_of(v, m.targets), width = 0.05 + 0.15 * unit(rng);
      v.low = at_targets * (1 - width);
      v.high = at_targets * (1 + width);
      m.volatility = std::move(v);
    }
    m.min_trade_value = k % 4 == 3 ? 200 : 0;
    if (groups != Groups::none) {
      for (std::size_t i = 0; i < n; ++i) m.group_of.push_back(static_cast<std::uint32_t>(i));
    }
    const std::size_t subs = (groups == Groups::unheld || groups == Groups::held) && k % 4 < 2 ? (n - 1) / 2 : 0;
    if (subs > 0) {
      const std::size_t primaries = n - subs;
      double kept = 0;
      for (std::size_t i = 0; i < primaries; ++i) kept += m.targets[i];
      for (std::size_t i = 0; i < n; ++i) m.targets[i] = i < primaries ? m.targets[i] * invested / kept : 0.0;
      for (std::size_t i = primaries; i < n; ++i) m.group_of[i] = static_cast<std::uint32_t>((i - primaries) % primaries);
    }
    REQUIRE_FALSE(f.book.add_model(std::move(m)));
  }
  const double multipliers[] = {1, 1, 0.5, 2, 1.3};
  std::vector<double> q;
  for (std::size_t a = 0; a < accounts; ++a) {
    const auto k = static_cast<ModelIndex>(rng() % models);
    const Model& m = f.book.models()[k];
    const double value = 5'000 + 200'000 * unit(rng);
    q.clear();
    for (std::size_t i = 0; i < m.size(); ++i) {
      const double raw = value * m.targets[i] * (1 + 0.3 * (unit(rng) - 0.5)) / f.prices[m.symbols[i]];
      q.push_back(std::floor(raw / m.lot_sizes[i]) * m.lot_sizes[i]);
    }
    if (groups == Groups::held && has_substitutes(m)) {
      // Per primary: none, all or a random part of its value held in its
      // substitutes instead, shared among them.
      for (std::size_t p = 0; p < m.size(); ++p) {
        if (m.group_of[p] != p) continue;
        const double u = unit(rng);
        const double moved = u < 0.25 ? 0.0 : u < 0.5 ? 1.0 : unit(rng);
        std::size_t members = 0;
        for (std::size_t i = 0; i < m.size(); ++i) members += i != p && m.group_of[i] == p;
        if (members == 0 || moved == 0) continue;
        const double value_moved = q[p] * f.prices[m.symbols[p]] * moved;
        q[p] = std::floor((q[p] * f.prices[m.symbols[p]] - value_moved) / f.prices[m.symbols[p]] / m.lot_sizes[p] + 1e-9) *
               m.lot_sizes[p];
        for (std::size_t i = 0; i < m.size(); ++i) {
          if (i == p || m.group_of[i] != p) continue;
          const double raw = value_moved / static_cast<double>(members) / f.prices[m.symbols[i]];
          q[i] = std::floor(raw / m.lot_sizes[i]) * m.lot_sizes[i];
        }
      }
    }
    const double cash = value * std::max(0.0, m.cash_target()) * unit(rng) * 1.5;
    REQUIRE_FALSE(f.book.add_account("a" + std::to_string(a), k, cash, q, multipliers[a % 5]));
  }
  return f;
}

/// `book` with every model's group_of cleared: the same accounts, no groups.
inline AccountBook without_groups(const AccountBook& book) {
  AccountBook plain(book.symbol_count());
  for (Model m : book.models()) {
    m.group_of.clear();
    REQUIRE_FALSE(plain.add_model(std::move(m)));
  }
  for (AccountIndex a = 0; a < book.size(); ++a) {
    REQUIRE_FALSE(plain.add_account(book.id(a), book.model_index(a), book.cash(a), book.quantities(a),
                                    book.band_multiplier(a)));
  }
  return plain;
}

inline void require_same(const FleetOutput& fleet, const FleetOutput& brute) {
  REQUIRE(fleet.rebalances.size() == brute.rebalances.size());
  REQUIRE(fleet.trades.size() == brute.trades.size());
  // Whole vectors at once: bit-equal quantities and prices, same order.
  REQUIRE(fleet.rebalances == brute.rebalances);
  REQUIRE(fleet.trades == brute.trades);
}

inline bool ascending(const FleetOutput& out) {
  for (std::size_t i = 1; i < out.rebalances.size(); ++i) {
    if (!(out.rebalances[i - 1].account < out.rebalances[i].account)) return false;
  }
  return true;
}

}  // namespace ballast::fleet::test
