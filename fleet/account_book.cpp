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

std::optional<std::string> AccountBook::check_account(ModelIndex model, double cash,
                                                      std::span<const double> quantities,
                                                      double band_multiplier) const {
  if (model >= models_.size()) return "unknown model";
  if (quantities.size() != models_[model].size()) return "one quantity per model symbol expected";
  for (double q : quantities) {
    if (!(q >= 0 && std::isfinite(q))) return "quantities must be finite and non-negative";
  }
  // Any finite cash: what fills left is a fact, below zero included (imports
  // and live changes refuse negative cash before they get here).
  if (!std::isfinite(cash)) return "cash must be finite";
  if (!(band_multiplier > 0 && std::isfinite(band_multiplier))) return "the band multiplier must be finite and positive";
  return std::nullopt;
}

std::optional<std::string> AccountBook::add_account(std::string_view id, ModelIndex model, double cash,
                                                    std::span<const double> quantities, double band_multiplier,
                                                    std::string_view household) {
  if (auto why = check_account(model, cash, quantities, band_multiplier)) return why;
  constexpr std::size_t kMax = std::numeric_limits<std::uint32_t>::max();
  if (quantity_.size() + quantities.size() >= kMax || id_bytes_.size() + id.size() >= kMax || size() >= kMaxAccounts) {
    return "the account book is full";
  }
  if (auto why = check_household(household)) return why;
  household_.push_back(intern_household(household));
  id_bytes_.insert(id_bytes_.end(), id.begin(), id.end());
  id_end_.push_back(static_cast<std::uint32_t>(id_bytes_.size()));
  model_.push_back(model);
  cash_.push_back(cash);
  band_multiplier_.push_back(band_multiplier);
  quantity_.insert(quantity_.end(), quantities.begin(), quantities.end());
  slot_begin_.push_back(static_cast<SlotIndex>(quantity_.size()));
  extend_hints(static_cast<AccountIndex>(size() - 1));
  return std::nullopt;
}

std::optional<std::string> AccountBook::set_account(AccountIndex a, ModelIndex model, double cash,
                                                    std::span<const double> quantities, double band_multiplier) {
  if (a >= size()) return "unknown account";
  if (auto why = check_account(model, cash, quantities, band_multiplier)) return why;
  const std::size_t old_n = slot_end(a);
  if (quantities.size() != old_n) {
    if (quantity_.size() - old_n + quantities.size() >= std::numeric_limits<std::uint32_t>::max()) {
      return "the account book is full";
    }
    const auto first = quantity_.begin() + slot_begin_[a];
    if (quantities.size() > old_n) {
      quantity_.insert(first + static_cast<std::ptrdiff_t>(old_n), quantities.size() - old_n, 0.0);
    } else {
      quantity_.erase(first + static_cast<std::ptrdiff_t>(quantities.size()), first + static_cast<std::ptrdiff_t>(old_n));
    }
    const std::int64_t delta = static_cast<std::int64_t>(quantities.size()) - static_cast<std::int64_t>(old_n);
    for (std::size_t b = a + 1; b < slot_begin_.size(); ++b) slot_begin_[b] = static_cast<SlotIndex>(slot_begin_[b] + delta);
    slot_hint_.clear();
    extend_hints(0);
  }
  std::copy(quantities.begin(), quantities.end(), quantity_.begin() + slot_begin_[a]);
  model_[a] = model;
  cash_[a] = cash;
  band_multiplier_[a] = band_multiplier;
  return std::nullopt;
}

std::optional<std::uint32_t> AccountBook::find_household(std::string_view household) const {
  if (household.empty()) return kNoHousehold;
  const auto it = household_by_name_.find(household);
  if (it == household_by_name_.end()) return std::nullopt;
  return it->second;
}

std::uint32_t AccountBook::intern_household(std::string_view household) {
  if (auto h = find_household(household)) return *h;
  const auto h = static_cast<std::uint32_t>(household_names_.size());
  household_names_.emplace_back(household);
  household_by_name_.emplace(household, h);
  return h;
}

std::optional<std::string> AccountBook::check_household(std::string_view household) const {
  if (!find_household(household) && household_names_.size() >= kMaxHouseholds) {
    return "the account book is full (households)";
  }
  return std::nullopt;
}

std::optional<std::string> AccountBook::set_household(AccountIndex a, std::string_view household) {
  if (a >= size()) return "unknown account";
  if (auto why = check_household(household)) return why;
  household_[a] = intern_household(household);
  return std::nullopt;
}

void AccountBook::reserve(std::size_t accounts, std::size_t holdings, std::size_t id_bytes) {
  id_bytes_.reserve(id_bytes);
  id_end_.reserve(accounts);
  model_.reserve(accounts);
  cash_.reserve(accounts);
  band_multiplier_.reserve(accounts);
  household_.reserve(accounts);
  slot_begin_.reserve(accounts + 1);
  slot_hint_.reserve((holdings >> kHintShift) + 1);
  quantity_.reserve(holdings);
}

std::string_view AccountBook::id(AccountIndex a) const {
  const std::uint32_t begin = a == 0 ? 0 : id_end_[a - 1];
  return {id_bytes_.data() + begin, id_end_[a] - begin};
}

AccountIndex AccountBook::account_of_slot(SlotIndex s) const {
  // The last account whose first slot is ≤ s (accounts own at least one slot).
  AccountIndex a = slot_hint_[s >> kHintShift];
  while (slot_begin_[a + 1] <= s) ++a;
  return a;
}

void AccountBook::extend_hints(AccountIndex from) {
  for (AccountIndex a = from; a < size(); ++a) {
    while ((slot_hint_.size() << kHintShift) < slot_begin_[a + 1]) slot_hint_.push_back(a);
  }
}

namespace {

/// What a string holds outside itself: nothing when its text is inside the object (short strings).
std::size_t heap_bytes(const std::string& s) {
  const auto* object = reinterpret_cast<const char*>(&s);
  const bool inside = s.data() >= object && s.data() < object + sizeof(std::string);
  return inside ? 0 : s.capacity() + 1;
}

}  // namespace

std::size_t AccountBook::memory_bytes() const {
  std::size_t bytes = id_bytes_.capacity() + id_end_.capacity() * sizeof(std::uint32_t) +
                      model_.capacity() * sizeof(ModelIndex) + cash_.capacity() * sizeof(double) +
                      band_multiplier_.capacity() * sizeof(double) + household_.capacity() * sizeof(std::uint32_t) +
                      slot_begin_.capacity() * sizeof(SlotIndex) +
                      slot_hint_.capacity() * sizeof(AccountIndex) +
                      quantity_.capacity() * sizeof(double);
  // Each name twice: in the vector and as its map key. A map node is taken
  // as its entry, the pointer to the next one and its hash; a bucket as a pointer.
  bytes += household_names_.capacity() * sizeof(std::string) + household_by_name_.bucket_count() * sizeof(void*);
  for (const std::string& name : household_names_) bytes += heap_bytes(name);
  for (const auto& entry : household_by_name_) {
    bytes += sizeof(entry) + sizeof(void*) + sizeof(std::size_t) + heap_bytes(entry.first);
  }
  for (const Model& m : models_) {
    bytes += sizeof(Model) + m.symbols.capacity() * sizeof(core::SymbolId) +
             (m.targets.capacity() + m.lot_sizes.capacity()) * sizeof(double) +
             m.group_of.capacity() * sizeof(std::uint32_t);
  }
  return bytes;
}

}  // namespace ballast::fleet
