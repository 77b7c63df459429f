#include "fleet/fleet_monitor.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <thread>

#include "fleet/safe_zone.hpp"
#include "fleet/zone_sweep.hpp"

namespace ballast::fleet {

namespace {

constexpr float kMinusInf = -std::numeric_limits<float>::infinity();

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "ballast: broken invariant: %s\n", what);
  std::abort();
}

/// The largest float ≤ x: thresholds rounded so that zones only shrink.
float round_down(double x) {
  float f = static_cast<float>(x);
  if (static_cast<double>(f) > x) f = std::nextafter(f, -std::numeric_limits<float>::infinity());
  return f;
}

bool checked(AccountState s) { return s == AccountState::resync_zone || s == AccountState::own_zone; }

}  // namespace

FleetMonitor::FleetMonitor(AccountBook book, std::vector<double> prices, Fills fills)
    : book_(std::move(book)),
      fills_(fills),
      prices_(std::move(prices)),
      resync_zones_(book_),
      upper_(book_),
      lower_(book_) {
  if (prices_.size() != book_.symbol_count()) broken("fleet: one price per symbol expected");
  ln_prices_.resize(prices_.size());
  for (std::size_t j = 0; j < prices_.size(); ++j) {
    if (!usable_price(prices_[j])) broken("fleet: every starting price must be finite and positive");
    ln_prices_[j] = std::log(prices_[j]);
  }
  // Not zoned yet: a radius of −∞ in the list passes on any tick.
  radius_.assign(book_.size(), kMinusInf);
  state_.assign(book_.size(), AccountState::resync_zone);
  resync_zones_.rebuild(book_, radius_, ln_prices_, [](AccountIndex) { return true; });
}

std::optional<float> FleetMonitor::check(AccountIndex a, Checker& checker, FleetOutput& out) {
  double r = account_quiet_radius(book_, a, prices_);
  // Not certified safe: decide exactly, as the brute force does.
  if (r == -std::numeric_limits<double>::infinity()) {
    const bool at_once = fills_ == Fills::at_once;
    const Rebalancer::Outcome outcome = checker.rebalancer.check(book_, a, prices_, out, at_once);
    if (outcome == Rebalancer::Outcome::traded) {
      ++checker.rebalances;
      if (!at_once) return std::nullopt;
      r = account_quiet_radius(book_, a, prices_);
    } else if (outcome == Rebalancer::Outcome::stuck) {
      // In breach, and nothing the bands allow trades: it stays so inside this radius.
      r = account_stuck_radius(book_, a, prices_);
    }
  }
  return round_down(r);
}

float FleetMonitor::radius_now(AccountIndex a) const { return round_down(account_quiet_radius(book_, a, prices_)); }

void FleetMonitor::keys(AccountIndex a, float r, bool insert) {
  const Model& m = book_.model(a);
  const SlotIndex first = book_.first_slot(a);
  for (std::uint32_t i = 0; i < m.size(); ++i) {
    const core::SymbolId j = m.symbols[i];
    const float up = round_down(ln_prices_[j] + r);
    const float down = round_down(r - ln_prices_[j]);
    if (insert) {
      upper_.insert(j, first + i, up);
      lower_.insert(j, first + i, down);
    } else {
      upper_.update(j, first + i, up);
      lower_.update(j, first + i, down);
    }
  }
}

void FleetMonitor::place(AccountIndex a, float r) {
  if (state_[a] == AccountState::own_zone) {
    // −∞ keys do not depend on the prices: nothing moves.
    if (!(r == kMinusInf && radius_[a] == kMinusInf)) keys(a, r, false);
  } else {
    keys(a, r, true);
    state_[a] = AccountState::own_zone;
  }
  radius_[a] = r;
}

void FleetMonitor::detach(AccountIndex a) {
  if (state_[a] != AccountState::own_zone) return;
  const Model& m = book_.model(a);
  const SlotIndex first = book_.first_slot(a);
  for (std::uint32_t i = 0; i < m.size(); ++i) {
    upper_.erase(m.symbols[i], first + i);
    lower_.erase(m.symbols[i], first + i);
  }
}

void FleetMonitor::resync(FleetOutput& out) { rebuild_zones(out, /*trade=*/true); }

void FleetMonitor::rezone() {
  FleetOutput none;
  rebuild_zones(none, /*trade=*/false);
  ++counters_.rezones;
}

void FleetMonitor::rebuild_zones(FleetOutput& out, bool trade) {
  const std::size_t n = book_.size();
  // Contiguous ranges of accounts, one per thread: each checks its own with
  // its own scratch and output, and the outputs are joined in account order.
  const std::size_t parts = std::max<std::size_t>(1, std::min<std::size_t>(threads_, n / 4096));
  std::vector<Checker> checkers(parts - 1);
  std::vector<FleetOutput> outs(parts - 1);
  const ZoneSweep sweep(book_, prices_);
  const auto run = [&](std::size_t p, Checker& checker, FleetOutput& o) {
    const std::size_t begin = n * p / parts, end = n * (p + 1) / parts;
    for (std::size_t i = begin; i < end; ++i) {
      const auto a = static_cast<AccountIndex>(i);
      if (!checked(state_[a])) continue;
      // Most accounts sit well inside their bands: the sweep's radius is
      // then check()'s but for roundings and log_below's shortfall. The
      // rest are checked the full way.
      const double sure = sweep.radius(book_, a);
      if (sure >= kSweepSure) {
        radius_[a] = list_radius(sure);
        continue;
      }
      const std::optional<float> r = trade ? check(a, checker, o) : std::optional<float>(radius_now(a));
      if (r) {
        radius_[a] = quantise_radius(*r);
      } else {
        state_[a] = AccountState::pending;
      }
    }
  };
  std::vector<std::thread> workers;
  workers.reserve(parts - 1);
  for (std::size_t p = 1; p < parts; ++p) {
    workers.emplace_back([&, p] { run(p, checkers[p - 1], outs[p - 1]); });
  }
  run(0, checker_, out);
  for (std::thread& w : workers) w.join();
  for (std::size_t p = 0; p + 1 < parts; ++p) {
    const auto offset = static_cast<std::uint32_t>(out.trades.size());
    for (FleetRebalance r : outs[p].rebalances) {
      r.first_trade += offset;
      out.rebalances.push_back(r);
    }
    out.trades.insert(out.trades.end(), outs[p].trades.begin(), outs[p].trades.end());
    checker_.rebalances += checkers[p].rebalances;
  }
  counters_.rebalances = checker_.rebalances;

  // Every zone now is centred on the current prices: the heaps empty, the list takes them all.
  upper_.clear();
  lower_.clear();
  resync_zones_.rebuild(book_, radius_, ln_prices_, [&](AccountIndex a) {
    if (!checked(state_[a])) return false;
    state_[a] = AccountState::resync_zone;
    return true;
  });
}

void FleetMonitor::resync(std::span<const double> prices, FleetOutput& out) {
  for (std::size_t j = 0; j < prices_.size() && j < prices.size(); ++j) {
    if (!usable_price(prices[j]) || prices[j] == prices_[j]) continue;
    prices_[j] = prices[j];
    ln_prices_[j] = std::log(prices[j]);
  }
  resync(out);
}

bool FleetMonitor::on_tick(core::SymbolId symbol, double price, FleetOutput& out) {
  if (symbol >= prices_.size() || !usable_price(price)) return false;
  ++counters_.ticks;
  prices_[symbol] = price;
  const double ln_price = std::log(price);
  ln_prices_[symbol] = ln_price;
  candidates_.clear();
  resync_zones_.for_each_passed(symbol, ln_price, [&](AccountIndex a) {
    if (state_[a] == AccountState::resync_zone) candidates_.push_back(a);
  });
  const auto add = [&](SlotIndex s) { candidates_.push_back(book_.account_of_slot(s)); };
  upper_.for_each_below(symbol, ln_price, add);
  lower_.for_each_below(symbol, -ln_price, add);
  if (candidates_.empty()) return true;
  std::sort(candidates_.begin(), candidates_.end());
  candidates_.erase(std::unique(candidates_.begin(), candidates_.end()), candidates_.end());
  counters_.evaluations += candidates_.size();
  for (const AccountIndex a : candidates_) {
    const std::optional<float> r = check(a, checker_, out);
    if (r) {
      place(a, *r);
    } else {
      detach(a);
      state_[a] = AccountState::pending;
    }
  }
  counters_.rebalances = checker_.rebalances;
  if (upper_.entries() > rezone_at()) rezone();
  return true;
}

std::size_t FleetMonitor::rezone_at() const {
  return rezone_at_ != 0 ? rezone_at_ : std::max<std::size_t>(kRezoneAtLeast, book_.slot_count() / 4);
}

std::optional<std::string> FleetMonitor::settle(AccountIndex a, std::span<const double> quantities, double cash) {
  return settle_held(a, quantities, cash, -std::numeric_limits<double>::infinity());
}

std::optional<std::string> FleetMonitor::settle_held(AccountIndex a, std::span<const double> quantities, double cash,
                                                     double hold_radius) {
  if (a >= book_.size()) return "unknown account";
  if (state_[a] != AccountState::pending) return "the account has no rebalance pending";
  // Cash below zero (a buy filled above its reference price, or costs in the
  // fill price) is booked as it is: the account then has no safe zone and is
  // checked exactly until it is back above zero.
  if (auto why = book_.set_account(a, book_.model_index(a), cash, quantities, book_.band_multiplier(a))) return why;
  place(a, std::max(radius_now(a), round_down(hold_radius)));
  return std::nullopt;
}

void FleetMonitor::wake(AccountIndex a) {
  if (a < book_.size() && checked(state_[a])) place(a, radius_now(a));
}

std::optional<std::string> FleetMonitor::set_account(AccountIndex a, ModelIndex model, double cash,
                                                     std::span<const double> quantities, double band_multiplier) {
  if (a >= book_.size()) return "unknown account";
  if (state_[a] == AccountState::closed) return "the account is closed";
  if (auto why = book_.check_account(model, cash, quantities, band_multiplier)) return why;
  const SlotIndex old_end = book_.first_slot(a) + static_cast<SlotIndex>(book_.model(a).size());
  const auto delta =
      static_cast<std::int64_t>(quantities.size()) - static_cast<std::int64_t>(book_.model(a).size());
  // Out of the heaps under its old slots, back in under its new ones.
  const AccountState was = state_[a];
  detach(a);
  if (auto why = book_.set_account(a, model, cash, quantities, band_multiplier)) {
    // Only a full book is left to refuse it: back in the heaps, checked on
    // the next tick of its symbols (its old centre is gone).
    if (was == AccountState::own_zone) {
      keys(a, kMinusInf, true);
      radius_[a] = kMinusInf;
    }
    return why;
  }
  if (delta != 0) {
    upper_.shift_slots(old_end, delta);
    lower_.shift_slots(old_end, delta);
  }
  if (was == AccountState::pending) return std::nullopt;
  // Out of the list (if it was in it) and into the heaps.
  state_[a] = AccountState::resync_zone;
  place(a, radius_now(a));
  return std::nullopt;
}

std::optional<std::string> FleetMonitor::add_model(Model m) {
  if (auto why = book_.add_model(std::move(m))) return why;
  resync_zones_.models_changed(book_);
  return std::nullopt;
}

std::optional<std::string> FleetMonitor::add_account(std::string_view id, ModelIndex model, double cash,
                                                     std::span<const double> quantities, double band_multiplier,
                                                     std::string_view household) {
  if (auto why = book_.add_account(id, model, cash, quantities, band_multiplier, household)) return why;
  const auto a = static_cast<AccountIndex>(book_.size() - 1);
  upper_.grow(book_, a);
  lower_.grow(book_, a);
  radius_.push_back(kMinusInf);
  state_.push_back(AccountState::resync_zone);  // not in the list: place() inserts it
  place(a, radius_now(a));
  return std::nullopt;
}

std::optional<std::string> FleetMonitor::close_account(AccountIndex a) {
  if (a >= book_.size()) return "unknown account";
  if (state_[a] == AccountState::closed) return "the account is closed already";
  detach(a);
  state_[a] = AccountState::closed;
  return std::nullopt;
}

bool FleetMonitor::rebalance_to_target(AccountIndex a, FleetOutput& out) {
  if (a >= book_.size() || !checked(state_[a])) return false;
  const bool at_once = fills_ == Fills::at_once;
  if (checker_.rebalancer.check(book_, a, prices_, out, at_once, /*to_target=*/true) != Rebalancer::Outcome::traded) {
    return false;
  }
  counters_.rebalances = ++checker_.rebalances;
  if (at_once) {
    place(a, radius_now(a));
  } else {
    detach(a);
    state_[a] = AccountState::pending;
  }
  return true;
}

std::optional<std::string> FleetMonitor::hold(AccountIndex a) {
  if (a >= book_.size()) return "unknown account";
  if (state_[a] == AccountState::closed) return "the account is closed";
  if (state_[a] == AccountState::pending) return "the account is pending already";
  detach(a);
  state_[a] = AccountState::pending;
  return std::nullopt;
}

std::size_t FleetMonitor::memory_bytes() const {
  return book_.memory_bytes() + (prices_.capacity() + ln_prices_.capacity()) * sizeof(double) +
         resync_zones_.memory_bytes() + upper_.memory_bytes() + lower_.memory_bytes() +
         radius_.capacity() * sizeof(float) + state_.capacity() * sizeof(AccountState) +
         candidates_.capacity() * sizeof(AccountIndex);
}

}  // namespace ballast::fleet
