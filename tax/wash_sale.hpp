#pragma once
// The US wash-sale rule (26 U.S.C. § 1091; IRS Publication 550, "Wash
// Sales") over a household's trades: a loss on a sale is disallowed when
// substantially identical securities are bought within 30 days before or
// after it (a 61-day window), in any account of the household. The
// disallowed loss moves into the basis of the replacement units, and their
// holding period takes in that of the units sold.
//
// The ledger keeps the recent buys and loss sales per household and group of
// substantially identical symbols, ordered by day, so a query reads only the
// trades of its window. It never touches lots itself: it returns matches,
// which the caller applies to the replacement's Lots (apply_to_replacement)
// and to the loss sale's realised line (apply_to_loss_line).
//
// Choices where the rule leaves room, as brokers commonly read it:
// - Replacement units are the units of a buy still held and not yet used as
//   replacements: units sold before the loss sale (or in it) replace nothing.
//   Units of the same purchase as the units sold at a loss never replace them.
// - Units match one for one, between symbols of a group too.
// - Each replacement unit absorbs at most one wash sale. Matching is
//   chronological (Treas. Reg. § 1.1091-1(b)–(e)): a loss sale takes the
//   earliest replacement units first; a buy covers the earliest loss sales first.
// - A replacement's holding period starts on the sold units' start plus the
//   days between the sale and the replacement's purchase when it came after
//   the sale; a replacement bought before the sale starts no later than its
//   own purchase. No day is counted twice.
// Exact when trades are recorded in date order; a trade recorded late is
// matched against what is recorded by then.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/types.hpp"
#include "tax/lots.hpp"

namespace ballast::tax {

/// The days before and after a loss sale in which a buy washes it.
inline constexpr Day kWashSaleWindowDays = 30;

/// The caller's index of an account (fleet::AccountIndex); of a household:
/// an account outside any household is a household of its own, with an index
/// no other account shares.
using AccountIndex = std::uint32_t;
using HouseholdIndex = std::uint32_t;
/// The caller's reference of a realised line (an index into where it keeps them).
using LineRef = std::uint64_t;

/// Which symbols are substantially identical: groups named by a symbol of
/// theirs. Every symbol is alone in its group until declared otherwise.
class IdentityGroups {
 public:
  /// Puts `a` and `b`, and everything already grouped with either, in one group.
  void declare_identical(core::SymbolId a, core::SymbolId b);
  /// The group of `symbol`: the same value for every symbol of the group.
  core::SymbolId group_of(core::SymbolId symbol) const {
    return symbol < group_.size() ? group_[symbol] : symbol;
  }

 private:
  std::vector<core::SymbolId> group_;  // by symbol; beyond its size, a symbol is its own group
};

/// A buy just booked: the lot it opened (Lots::open) in the account's holding of the symbol.
struct BuyRecord {
  HouseholdIndex household = 0;
  AccountIndex account = 0;
  core::SymbolId symbol = core::kNoSymbol;
  LotId lot = 0;
  Day day = 0;
  double quantity = 0;  ///< > 0
};

/// A sale just booked: the lines Lots::close appended for it.
struct SaleRecord {
  HouseholdIndex household = 0;
  AccountIndex account = 0;
  core::SymbolId symbol = core::kNoSymbol;
  Day day = 0;
  std::span<const RealisedLine> lines;
  /// The reference of lines[0]; lines[i] is first_line + i.
  LineRef first_line = 0;
};

/// A loss sale's units matched with replacement units.
struct WashMatch {
  LineRef loss_line = 0;  ///< the realised line whose loss is (in part) disallowed
  AccountIndex loss_account = 0;
  AccountIndex replacement_account = 0;
  core::SymbolId replacement_symbol = core::kNoSymbol;
  LotId replacement_lot = 0;  ///< in a preview: 0, as no lot exists yet
  double quantity = 0;        ///< units matched, > 0
  double disallowed = 0;      ///< > 0: the loss on the matched units
  Day holding_from = 0;       ///< the replacement units' holding period start

  double disallowed_per_unit() const { return disallowed / quantity; }
};

/// What a buy would wash: the units that would become replacements and the loss they would disallow.
struct WashPreview {
  double quantity = 0;
  double disallowed = 0;
  bool washes() const { return quantity > 0; }
};

class WashSaleLedger {
 public:
  explicit WashSaleLedger(IdentityGroups groups = {}) : groups_(std::move(groups)) {}

  /// Declares `a` and `b` substantially identical (IdentityGroups). Before
  /// any trade of either is recorded: trades recorded earlier stay filed
  /// under their former groups. Nothing when they are grouped already.
  void declare_identical(core::SymbolId a, core::SymbolId b) { groups_.declare_identical(a, b); }
  /// The group `symbol` is filed under (IdentityGroups::group_of).
  core::SymbolId group_of(core::SymbolId symbol) const { return groups_.group_of(symbol); }

  /// Would buying `quantity` of `symbol` in `household` on `day` wash loss
  /// sales, and which: the matches it would make (replacement lot 0) are
  /// appended to `matches` when given. Changes nothing.
  WashPreview would_wash(HouseholdIndex household, core::SymbolId symbol, Day day, double quantity,
                         std::vector<WashMatch>* matches = nullptr) const;

  /// The units bought in `household`'s group of `symbol` within the window
  /// around `day` that a loss sale on `day` would find as replacements: a
  /// harvest on `day` is washed up to this many units. Units the sale itself
  /// would close are counted too; the caller subtracts them.
  double replacement_units(HouseholdIndex household, core::SymbolId symbol, Day day) const;

  /// Books a buy; appends the loss sales it washes to `matches`.
  void record_buy(const BuyRecord& buy, std::vector<WashMatch>& matches);
  /// Books a sale (every sale, gains too: the units sold stop being
  /// replacements); appends the replacements that wash its losses to `matches`.
  void record_sale(const SaleRecord& sale, std::vector<WashMatch>& matches);

  /// A buy booked before a restart: `buy.quantity` is what of it is still
  /// held and not yet a replacement. Matches nothing now: what it washed then
  /// is in the lots and lines already.
  void remember_buy(const BuyRecord& buy);
  /// A loss sale's line booked before a restart (`ref` its reference, the
  /// sold units' purchase as the lots know it now): the part of its loss not
  /// yet disallowed waits for replacements again. Matches nothing now; a
  /// line that is not a loss, or is disallowed in full, is not kept.
  void remember_loss(HouseholdIndex household, AccountIndex account, core::SymbolId symbol, const RealisedLine& line,
                     LotId purchase, LineRef ref);

  /// Forgets the buys of `account`: its lots were replaced (an operator's
  /// update), so the lots they name are gone. Its loss sales stay: they were
  /// made, and a replacement still washes them.
  void forget_buys_of(AccountIndex account);

  /// Forgets trades no trade dated `today` or later can match (dated more
  /// than the window before it).
  void forget_before(Day today);
  /// Buys and loss sales kept.
  std::size_t size() const;

 private:
  struct BuyEvent {
    double available = 0;  // units still held and not yet a replacement
    AccountIndex account = 0;
    core::SymbolId symbol = core::kNoSymbol;
    LotId lot = 0;
    Day day = 0;
  };
  struct LossEvent {
    double quantity = 0;  // units whose loss is not yet disallowed
    double loss = 0;      // > 0, the loss on those units
    LineRef line = 0;
    AccountIndex account = 0;
    core::SymbolId symbol = core::kNoSymbol;
    LotId purchase = 0;
    Day day = 0;
    Day holding_from = 0;
  };
  /// One household's trades in one group, each list ordered by day (then by when recorded).
  struct Window {
    std::vector<BuyEvent> buys;
    std::vector<LossEvent> losses;
  };
  static std::uint64_t key(HouseholdIndex household, core::SymbolId group) {
    return (std::uint64_t{household} << 32) | group;
  }
  const Window* find(HouseholdIndex household, core::SymbolId symbol) const;
  Window& window(HouseholdIndex household, core::SymbolId symbol);

  IdentityGroups groups_;
  std::unordered_map<std::uint64_t, Window> windows_;
};

/// Applies a match to the replacement's holding: its units get the disallowed
/// loss in their basis and the adjusted holding period (Lots::adjust_for_wash_sale).
std::optional<LotId> apply_to_replacement(Lots& replacement_holding, const WashMatch& match);
/// Adds the match's disallowed loss to the loss sale's line (Form 1099-B box 1g).
void apply_to_loss_line(RealisedLine& loss_line, const WashMatch& match);

}  // namespace ballast::tax
