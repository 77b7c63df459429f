#pragma once
// The zones a resync gives: every account's zone is centred on the same
// prices (those of the resync), so on every symbol the order of its holders'
// thresholds ln c ± r is the order of their radii. One list of the accounts
// by ascending radius therefore serves every symbol and both directions: per
// symbol and direction, a cursor marks how far the price has gone from the
// centre since the resync, and a tick that goes further walks the list on
// from there, yielding the holders whose radius it passes. Rebuilding is one
// counting sort of the accounts by radius: no per-symbol structure to write.
#include <cstdint>
#include <span>
#include <vector>

#include "core/types.hpp"
#include "fleet/account_book.hpp"

namespace ballast::fleet {

/// The radius stored for a zone of the list: `r` rounded down to a float
/// whose 16 low bits are zero (7 bits of mantissa: at most 0.8% smaller), so
/// that one pass of a counting sort orders the list. ±∞ stay as they are.
float quantise_radius(float r);

class ResyncZones {
 public:
  /// For the models of `book` (and the models it may gain later: call
  /// models_changed()). The list starts empty.
  explicit ResyncZones(const AccountBook& book);

  /// The book gained models: learns which symbols they hold.
  void models_changed(const AccountBook& book);

  /// Replaces the list with the accounts for which include(a) is true, at
  /// their radius `radius[a]` (each a value quantise_radius returns), around
  /// the centre `ln_centre` (ln of the price of each symbol).
  template <class Include>
  void rebuild(const AccountBook& book, std::span<const float> radius, std::span<const double> ln_centre,
               Include&& include);

  /// Calls f(account) for every account of the list holding `symbol` whose
  /// radius the move of `symbol` from the centre to `ln_price` passes (in
  /// either direction) for the first time since the rebuild, in no order.
  /// Accounts no longer zoned by the list are the caller's to skip.
  template <class F>
  void for_each_passed(core::SymbolId symbol, double ln_price, F&& f);

  std::size_t size() const { return list_.size(); }
  std::size_t memory_bytes() const;

 private:
  struct Entry {
    float radius;
    AccountIndex account;
    ModelIndex model;
  };
  bool holds(ModelIndex m, core::SymbolId j) const { return (holds_[m * words_ + j / 64] >> (j % 64)) & 1u; }
  static std::uint32_t bucket(float r);
  void place_sorted(const AccountBook& book, std::span<const float> radius);

  std::size_t symbol_count_;
  std::size_t words_;                   ///< 64-bit words per model in holds_
  std::vector<std::uint64_t> holds_;    ///< per model, a bit per symbol it holds
  std::vector<Entry> list_;             ///< by ascending radius
  std::vector<double> ln_centre_;       ///< per symbol
  std::vector<std::uint32_t> up_, down_;  ///< per symbol: entries passed upwards, downwards
  std::vector<AccountIndex> included_;  ///< scratch for rebuild, ascending
  std::vector<std::uint32_t> count_;    ///< scratch for rebuild: one per bucket + 1
};

template <class Include>
void ResyncZones::rebuild(const AccountBook& book, std::span<const float> radius, std::span<const double> ln_centre,
                          Include&& include) {
  ln_centre_.assign(ln_centre.begin(), ln_centre.end());
  up_.assign(symbol_count_, 0);
  down_.assign(symbol_count_, 0);
  included_.clear();
  for (AccountIndex a = 0; a < book.size(); ++a) {
    if (include(a)) included_.push_back(a);
  }
  place_sorted(book, radius);
}

template <class F>
void ResyncZones::for_each_passed(core::SymbolId symbol, double ln_price, F&& f) {
  const double move = ln_price - ln_centre_[symbol];
  const std::size_t n = list_.size();
  // A zone holds up to |move| ≤ r: the entries with r < move are passed.
  std::uint32_t c = up_[symbol];
  for (; c < n && static_cast<double>(list_[c].radius) < move; ++c) {
    if (holds(list_[c].model, symbol)) f(list_[c].account);
  }
  up_[symbol] = c;
  c = down_[symbol];
  for (; c < n && static_cast<double>(list_[c].radius) < -move; ++c) {
    if (holds(list_[c].model, symbol)) f(list_[c].account);
  }
  down_[symbol] = c;
}

}  // namespace ballast::fleet
