#include "fleet/resync_zones.hpp"

#include <cstring>

namespace ballast::fleet {

namespace {

std::uint32_t bits_of(float f) {
  std::uint32_t u = 0;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

float float_of(std::uint32_t u) {
  float f = 0;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

}  // namespace

float quantise_radius(float r) {
  if (!(r > 0)) return r;  // 0, −∞ (radii are never negative otherwise)
  // Clearing low mantissa bits of a positive float rounds it towards zero;
  // +∞ has none set.
  return float_of(bits_of(r) & 0xffff0000u);
}

std::uint32_t ResyncZones::bucket(float r) {
  // Floats as unsigned integers in the same order (−∞ first), top 16 bits.
  const std::uint32_t u = bits_of(r);
  return ((u & 0x80000000u) ? ~u : u | 0x80000000u) >> 16;
}

ResyncZones::ResyncZones(const AccountBook& book)
    : symbol_count_(book.symbol_count()),
      words_((book.symbol_count() + 63) / 64),
      up_(book.symbol_count(), 0),
      down_(book.symbol_count(), 0) {
  ln_centre_.assign(symbol_count_, 0);
  models_changed(book);
}

void ResyncZones::models_changed(const AccountBook& book) {
  holds_.assign(book.models().size() * words_, 0);
  for (std::size_t m = 0; m < book.models().size(); ++m) {
    for (const core::SymbolId j : book.models()[m].symbols) holds_[m * words_ + j / 64] |= std::uint64_t{1} << (j % 64);
  }
}

void ResyncZones::place_sorted(const AccountBook& book, std::span<const float> radius) {
  // One stable counting pass on the top 16 bits: exact, since every radius
  // was quantised to them.
  count_.assign((1u << 16) + 1, 0);
  for (const AccountIndex a : included_) ++count_[bucket(radius[a]) + 1];
  for (std::size_t b = 1; b < count_.size(); ++b) count_[b] += count_[b - 1];
  list_.resize(included_.size());
  for (const AccountIndex a : included_) list_[count_[bucket(radius[a])]++] = {radius[a], a, book.model_index(a)};
}

std::size_t ResyncZones::memory_bytes() const {
  return holds_.capacity() * sizeof(std::uint64_t) + list_.capacity() * sizeof(Entry) +
         ln_centre_.capacity() * sizeof(double) + (up_.capacity() + down_.capacity()) * sizeof(std::uint32_t) +
         included_.capacity() * sizeof(AccountIndex) + count_.capacity() * sizeof(std::uint32_t);
}

}  // namespace ballast::fleet
