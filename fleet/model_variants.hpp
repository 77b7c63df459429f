#pragma once
// An account's own overrides as a model: a cash target of its own scales the
// model's targets so that they sum to 1 − cash_target, and a restricted
// symbol gets a target of 0 (its weight stays in cash, or goes to a
// substitute of it: see with_overrides; the account never buys it, and sells
// what it holds of it when a band says so). Accounts with the
// same model and the same overrides share one variant, so the monitor's
// per-model work and the book's memory grow with the distinct overrides, not
// with the accounts. The band multiplier is per account already (AccountBook).
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "core/symbol_table.hpp"
#include "fleet/account_book.hpp"
#include "fleet/account_record.hpp"
#include "fleet/model.hpp"

namespace ballast::fleet {

/// The most variants one fleet may hold: far above what a menu of cash
/// targets and exclusion lists gives, and a bound on the memory they take.
inline constexpr std::size_t kMaxModelVariants = 10'000;

/// `base` with an account's overrides applied. `restricted` need not be held by
/// the model (those not held change nothing). With substitute groups, a
/// restricted substitute leaves its group (its own, at target 0: sold when
/// its band says so), and a restricted primary's group is kept by its first
/// unrestricted substitute in slot order, which takes the primary's target
/// (the group's weight stays invested, in what the account may buy); with no
/// such substitute every member is on its own at target 0.
Model with_overrides(const Model& base, std::optional<double> cash_target, std::span<const core::SymbolId> restricted);

/// Where an account goes in the book: its model (or variant) and one quantity
/// per symbol of that model.
struct BookPlace {
  ModelIndex model = 0;
  std::vector<double> quantities;
};

class ModelVariants {
 public:
  /// Adds a model to a book (the reason when refused) and returns its index through `index`.
  using AddModel = std::function<std::optional<std::string>(Model, ModelIndex& index)>;

  /// The configuration's models, by name; they are indices 0..n-1 of the book.
  ModelVariants() = default;
  explicit ModelVariants(std::vector<std::string> names);

  /// Where `record` goes: its model found by name, a variant made (through
  /// `add`) or reused for its overrides, its holdings in the model's order.
  /// The reason when its model is unknown, it holds a symbol its model does
  /// not, or the variants would pass kMaxModelVariants.
  std::optional<std::string> place(const AccountRecord& record, const std::vector<Model>& models,
                                   const core::SymbolTable& symbols, const AddModel& add, BookPlace& out);

  /// The configuration model a book model is (or is a variant of).
  const std::string& name(ModelIndex m) const { return names_[base_of_[m]]; }
  /// The configuration model (its index) a book model is, or is a variant of.
  ModelIndex base(ModelIndex m) const { return base_of_[m]; }
  std::size_t base_count() const { return names_.size(); }
  std::size_t variant_count() const { return variants_.size(); }

 private:
  using Key = std::tuple<ModelIndex, std::optional<double>, std::vector<core::SymbolId>>;
  std::vector<std::string> names_;
  std::map<Key, ModelIndex> variants_;
  std::vector<ModelIndex> base_of_;  ///< by book model index: the configuration model
};

}  // namespace ballast::fleet
