#include "fleet/account_book.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ballast::fleet {

std::optional<std::string> AccountBook::add_model(Model m) {
  if (auto why = check_model(m, symbol_count_)) return why;
  models_.push_back(std::move(m));
  return std::nullopt;
}

std::optional<std::string> AccountBook::add_account(std::string_view id, ModelIndex model, double cash,
                                                    std::span<const double> quantities, double band_multiplier) {
  if (model >= models_.size()) return "unknown model";
  if (quantities.size() != models_[model].size()) return "one quantity per model symbol expected";
  for (double q : quantities) {
    if (!(q >= 0 && std::isfinite(q))) return "quantities must be finite and non-negative";
  }
  if (!(cash >= 0 && std::isfinite(cash))) return "cash must be finite and non-negative";
  if (!(band_multiplier > 0 && std::isfinite(band_multiplier))) return "the band multiplier must be finite and positive";
  constexpr std::size_t kMax = std::numeric_limits<std::uint32_t>::max();
  if (quantity_.size() + quantities.size() >= kMax || id_bytes_.size() + id.size() >= kMax || size() + 1 >= kMax) {
    return "the account book is full";
  }
  id_bytes_.insert(id_bytes_.end(), id.begin(), id.end());
  id_end_.push_back(static_cast<std::uint32_t>(id_bytes_.size()));
  model_.push_back(model);
  cash_.push_back(cash);
  band_multiplier_.push_back(band_multiplier);
  quantity_.insert(quantity_.end(), quantities.begin(), quantities.end());
  slot_begin_.push_back(static_cast<SlotIndex>(quantity_.size()));
  return std::nullopt;
}

void AccountBook::reserve(std::size_t accounts, std::size_t holdings, std::size_t id_bytes) {
  id_bytes_.reserve(id_bytes);
  id_end_.reserve(accounts);
  model_.reserve(accounts);
  cash_.reserve(accounts);
  band_multiplier_.reserve(accounts);
  slot_begin_.reserve(accounts + 1);
  quantity_.reserve(holdings);
}

std::string_view AccountBook::id(AccountIndex a) const {
  const std::uint32_t begin = a == 0 ? 0 : id_end_[a - 1];
  return {id_bytes_.data() + begin, id_end_[a] - begin};
}

AccountIndex AccountBook::account_of_slot(SlotIndex s) const {
  // The last account whose first slot is ≤ s (accounts own at least one slot).
  const auto it = std::upper_bound(slot_begin_.begin(), slot_begin_.end(), s);
  return static_cast<AccountIndex>(it - slot_begin_.begin() - 1);
}

std::size_t AccountBook::memory_bytes() const {
  std::size_t bytes = id_bytes_.capacity() + id_end_.capacity() * sizeof(std::uint32_t) +
                      model_.capacity() * sizeof(ModelIndex) + cash_.capacity() * sizeof(double) +
                      band_multiplier_.capacity() * sizeof(double) + slot_begin_.capacity() * sizeof(SlotIndex) +
                      quantity_.capacity() * sizeof(double);
  for (const Model& m : models_) {
    bytes += sizeof(Model) + m.symbols.capacity() * sizeof(core::SymbolId) +
             (m.targets.capacity() + m.lot_sizes.capacity()) * sizeof(double);
  }
  return bytes;
}

}  // namespace ballast::fleet
