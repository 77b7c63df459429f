#pragma once
// A million accounts in a few flat arrays (structure of arrays): no string,
// vector or pointer per account. Holdings are one flat array indexed by
// "slot"; an account's slots are contiguous, in its model's symbol order.
// Households are interned: each name once, an account holds its index.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fleet/model.hpp"
#include "tax/wash_sale.hpp"

namespace ballast::fleet {

using AccountIndex = std::uint32_t;
using ModelIndex = std::uint32_t;
using SlotIndex = std::uint32_t;

class AccountBook {
 public:
  /// The household of an account outside any.
  static constexpr std::uint32_t kNoHousehold = 0xFFFF'FFFFu;
  /// At most this many accounts, and as many household names: below 2³¹, so
  /// that wash_household can set the top bit for an account of no household.
  static constexpr std::size_t kMaxAccounts = 0x7FFF'FFFFu;
  static constexpr std::size_t kMaxHouseholds = 0x7FFF'FFFFu;

  /// `symbol_count`: the size of the symbol table the models' ids come from.
  explicit AccountBook(std::size_t symbol_count) : symbol_count_(symbol_count) {}

  /// Adds a model; the reason when check_model refuses it.
  std::optional<std::string> add_model(Model m);
  /// Adds an account as index size(), of `household` (empty: none); the
  /// reason when refused: unknown model, one quantity per model symbol
  /// expected, quantities finite and ≥ 0, cash finite (below zero too: what
  /// fills left), multiplier finite and > 0, the book full (2³² − 1 slots or
  /// id bytes, kMaxAccounts accounts, or a new household beyond kMaxHouseholds).
  std::optional<std::string> add_account(std::string_view id, ModelIndex model, double cash,
                                         std::span<const double> quantities, double band_multiplier = 1,
                                         std::string_view household = {});
  /// Replaces account `a`'s model, cash, quantities and multiplier (its id
  /// and household stay); the same reasons as add_account when refused, and then nothing
  /// changes. In place when the number of holdings stays the same; otherwise
  /// every later account's slots move by the difference (O(slots)).
  std::optional<std::string> set_account(AccountIndex a, ModelIndex model, double cash,
                                         std::span<const double> quantities, double band_multiplier = 1);
  /// Why add_account or set_account would refuse these figures (all but a
  /// full book), or nullopt.
  std::optional<std::string> check_account(ModelIndex model, double cash, std::span<const double> quantities,
                                           double band_multiplier) const;
  /// Puts account `a` in `household` (empty: none), interning a name not
  /// seen before. The reason, and nothing changes, when `a` is unknown or the
  /// name is new and kMaxHouseholds are interned already. Names are never
  /// dropped: a household keeps its index while the book lives, members or not.
  std::optional<std::string> set_household(AccountIndex a, std::string_view household);
  /// Why set_household would refuse `household` for a known account, or nullopt.
  std::optional<std::string> check_household(std::string_view household) const;
  /// Account `a`'s household: an index below household_count(), or kNoHousehold.
  std::uint32_t household(AccountIndex a) const { return household_[a]; }
  /// The name of household `h` (< household_count()); empty for kNoHousehold.
  std::string_view household_name(std::uint32_t h) const {
    return h == kNoHousehold ? std::string_view() : std::string_view(household_names_[h]);
  }
  /// Household names interned so far (members or not).
  std::size_t household_count() const { return household_names_.size(); }
  /// Account `a`'s household for the wash-sale ledger: its household's index
  /// when it has one (< 2³¹); otherwise 2³¹ | a, a household of its own that
  /// no household and no other account shares, whatever is interned later.
  tax::HouseholdIndex wash_household(AccountIndex a) const {
    return household_[a] != kNoHousehold ? household_[a] : 0x8000'0000u | a;
  }
  /// Sizes the arrays for this many accounts and holdings in all, so that
  /// building a large book does not leave half-empty capacity behind.
  void reserve(std::size_t accounts, std::size_t holdings, std::size_t id_bytes);

  std::size_t size() const { return model_.size(); }
  std::size_t symbol_count() const { return symbol_count_; }
  std::size_t slot_count() const { return quantity_.size(); }
  const std::vector<Model>& models() const { return models_; }

  std::string_view id(AccountIndex a) const;
  ModelIndex model_index(AccountIndex a) const { return model_[a]; }
  const Model& model(AccountIndex a) const { return models_[model_[a]]; }
  double cash(AccountIndex a) const { return cash_[a]; }
  void set_cash(AccountIndex a, double cash) { cash_[a] = cash; }
  double band_multiplier(AccountIndex a) const { return band_multiplier_[a]; }
  SlotIndex first_slot(AccountIndex a) const { return slot_begin_[a]; }
  std::span<double> quantities(AccountIndex a) { return {quantity_.data() + slot_begin_[a], slot_end(a)}; }
  std::span<const double> quantities(AccountIndex a) const {
    return {quantity_.data() + slot_begin_[a], slot_end(a)};
  }
  /// The account a slot belongs to: from the account of the slot at the
  /// start of its block of 64 (a table), forward to it (≤ 64 steps).
  AccountIndex account_of_slot(SlotIndex s) const;

  /// Bytes held by the arrays (their capacity).
  std::size_t memory_bytes() const;

 private:
  std::size_t slot_end(AccountIndex a) const { return slot_begin_[a + 1] - slot_begin_[a]; }
  /// The index of `household` (kNoHousehold when empty); nullopt when not interned.
  std::optional<std::uint32_t> find_household(std::string_view household) const;
  /// The index of `household`, interned when new; check_household first.
  std::uint32_t intern_household(std::string_view household);

  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  std::size_t symbol_count_;
  std::vector<Model> models_;
  std::vector<char> id_bytes_;
  std::vector<std::uint32_t> id_end_;      ///< account a's id is [id_end_[a-1], id_end_[a])
  std::vector<ModelIndex> model_;
  std::vector<double> cash_;
  std::vector<double> band_multiplier_;
  std::vector<std::uint32_t> household_;   ///< per account: an index into household_names_, or kNoHousehold
  std::vector<std::string> household_names_;
  std::unordered_map<std::string, std::uint32_t, NameHash, std::equal_to<>> household_by_name_;
  std::vector<SlotIndex> slot_begin_{0};   ///< size() + 1 entries
  std::vector<double> quantity_;           ///< one per slot
  static constexpr unsigned kHintShift = 6;
  std::vector<AccountIndex> slot_hint_;    ///< per block of 64 slots: the account of its first slot
  void extend_hints(AccountIndex from);
};

}  // namespace ballast::fleet
