#pragma once
// Tax lots of one holding (one account's position in one symbol): a buy opens
// a lot, a sell closes lots by a method and yields one realised line per lot
// it touches. Pure and compact: lots are plain structs in a vector, with no
// strings, so that a million accounts' lots stay small. Money is in the
// account's currency, quantities in units.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "tax/holding_period.hpp"
#include "tax/tax_rates.hpp"

namespace ballast::tax {

/// A lot's id, unique within its holding and never reused; ids grow with the
/// order in which lots were made.
using LotId = std::uint32_t;

struct Lot {
  double quantity = 0;                  ///< > 0
  double cost_per_unit = 0;             ///< what was paid per unit, buy costs included
  double wash_adjustment_per_unit = 0;  ///< disallowed wash-sale losses added to the basis, per unit
  LotId id = 0;
  /// The lot of the purchase these units came from: its own id unless the
  /// lot was split off another by a wash-sale adjustment.
  LotId purchase = 0;
  Day acquired = 0;      ///< the trade day of the purchase
  /// The day the holding period counts from: `acquired`, or earlier when a
  /// wash sale tacked the sold lot's holding period on.
  Day holding_from = 0;

  double basis_per_unit() const { return cost_per_unit + wash_adjustment_per_unit; }
  bool operator==(const Lot&) const = default;
};

/// A buy fill: quantity > 0, price > 0, costs >= 0 (commission and fees), all finite.
struct Buy {
  Day day = 0;
  double quantity = 0;
  double price = 0;
  double costs = 0;
};

/// A sell fill: quantity > 0, price > 0, costs >= 0, all finite. The proceeds
/// are quantity × price − costs, shared by the lots closed pro rata to quantity.
struct Sale {
  Day day = 0;
  double quantity = 0;
  double price = 0;
  double costs = 0;
};

/// Which lots a sale closes.
/// fifo: earliest acquired first.
/// hifo: highest basis per unit first (ties: earliest acquired).
/// min_tax: losses first, the largest loss per unit first (ties: short-term
///   first, then earliest acquired); then long-term gains, the smallest per
///   unit first; then short-term gains, the smallest per unit first.
///   With tax rates: by the tax each unit's sale realises,
///   rates.tax_on(gain per unit, term), the least first, so the loss that
///   saves the most goes first (ties: earliest acquired).
/// specific: the lots and quantities the seller names.
enum class CloseMethod : std::uint8_t { fifo, hifo, min_tax, specific };
std::string_view to_string(CloseMethod method);
/// The inverse of to_string ("fifo", "hifo", "min_tax", "specific").
std::optional<CloseMethod> parse_close_method(std::string_view name);

/// A lot named in a specific-identification sale, with the units it gives.
struct SpecificLot {
  LotId lot = 0;
  double quantity = 0;
};

/// One lot's part of a sale, as Form 1099-B reports it.
struct RealisedLine {
  LotId lot = 0;
  LotId purchase = 0;  ///< the lot's purchase (Lot::purchase)
  double quantity = 0;
  Day acquired = 0;      ///< the lot's trade day
  Day holding_from = 0;  ///< the date acquired that the term follows (box 1b)
  Day sold = 0;
  double proceeds = 0;  ///< net of the sale's costs, its pro-rata part (box 1d)
  double basis = 0;     ///< wash-sale adjustments included (box 1e)
  double gain = 0;      ///< proceeds − basis; < 0 is a loss
  Term term = Term::short_term;
  /// The part of a loss that a wash sale disallows (box 1g), >= 0, at most −gain.
  double wash_disallowed = 0;

  /// The gain that counts for the year: a disallowed loss does not.
  double reported_gain() const { return gain + wash_disallowed; }
};

enum class LotRefusal : std::uint8_t {
  bad_quantity,          ///< not finite and > 0
  bad_price,             ///< not finite and > 0
  bad_costs,             ///< not finite and >= 0
  not_enough_held,       ///< a sale of more than the lots hold
  unknown_lot,           ///< a specific lot that the holding does not have
  lot_named_twice,       ///< a specific lot listed twice
  more_than_lot_holds,   ///< a specific lot asked for more than it holds
  specific_mismatch,     ///< the specific lots' quantities do not add up to the sale's
  lot_ids_exhausted,     ///< the holding has made 2^32 lots
};
std::string_view to_string(LotRefusal refusal);

/// Quantities within this fraction of each other are equal: a lot left with
/// less than this fraction of what was asked of it is closed, not kept as dust.
inline constexpr double kQuantityTolerance = 1e-9;

class Lots {
 public:
  Lots() = default;
  /// Lots as they were kept (a state file): nullopt unless every id is
  /// distinct, every quantity and cost per unit finite and > 0, every wash
  /// adjustment finite and >= 0, and holding_from <= acquired. Kept in the order given.
  static std::optional<Lots> restore(std::vector<Lot> lots);

  struct Opened {
    LotId lot = 0;  ///< valid when not refused
    std::optional<LotRefusal> refused;
  };
  /// Opens a lot of the buy's quantity at (quantity × price + costs) / quantity per unit.
  Opened open(const Buy& buy);

  /// Closes lots for `sale` by `method` (`specific` names them in `lots`,
  /// which the other methods ignore), appending one line per lot touched
  /// to `out`, in the order closed. A lot closed in part keeps its id and the
  /// rest of its units. On a refusal nothing changes and nothing is appended.
  /// `rates` (the holder's, when known) order min_tax by tax; the other methods ignore them.
  std::optional<LotRefusal> close(const Sale& sale, CloseMethod method, std::span<const SpecificLot> lots,
                                  const TermRule& rule, std::vector<RealisedLine>& out,
                                  const std::optional<TaxRates>& rates = std::nullopt);

  /// The lots and units a sale of `quantity` units by `method` (not
  /// specific) at `net_per_unit` (the price net of costs) on `day` closes, in
  /// the order it closes them: close() by `method` takes these, and so does
  /// close() by `specific` naming them. nullopt when the lots hold fewer
  /// units, or the quantity is not finite and > 0. `rates` as for close.
  std::optional<std::vector<SpecificLot>> choose(CloseMethod method, double quantity, double net_per_unit, Day day,
                                                 const TermRule& rule,
                                                 const std::optional<TaxRates>& rates = std::nullopt) const;

  /// A wash sale's adjustment of `quantity` units of lot `id` (a replacement):
  /// adds `adjustment_per_unit` to their basis and moves their holding period
  /// to start on `holding_from`. When the units are fewer than the lot
  /// holds, they become a new lot (same purchase, placed after it) and its id
  /// is returned; otherwise the lot itself changes. nullopt when the lot is
  /// unknown, holds fewer units, or the arguments are not finite (quantity > 0,
  /// adjustment >= 0).
  std::optional<LotId> adjust_for_wash_sale(LotId id, double quantity, double adjustment_per_unit, Day holding_from);

  /// The units a sale by `method` (not specific) at `net_per_unit` (the
  /// price net of costs) on `day` would close before it reaches a lot at a
  /// short-term gain: what can be sold realising no short-term gain.
  /// `rates` as for close.
  double units_before_short_term_gain(CloseMethod method, double net_per_unit, Day day, const TermRule& rule,
                                      const std::optional<TaxRates>& rates = std::nullopt) const;

  std::span<const Lot> lots() const { return lots_; }
  const Lot* find(LotId id) const;
  double quantity() const;
  /// The id the next lot will get.
  LotId next_id() const { return next_id_; }

 private:
  std::optional<LotId> take_id();
  /// The lots' indexes in the order `method` (not specific) closes them.
  std::vector<std::size_t> closing_order(CloseMethod method, double net_per_unit, Day day, const TermRule& rule,
                                         const std::optional<TaxRates>& rates) const;
  struct Take {
    std::size_t index = 0;  // into lots_
    double quantity = 0;
  };
  /// What a sale of `quantity` by `method` (not specific) takes, into `takes`; false when the lots hold too few.
  bool takes_by(CloseMethod method, double quantity, double net_per_unit, Day day, const TermRule& rule,
                const std::optional<TaxRates>& rates, std::vector<Take>& takes) const;
  std::vector<Lot> lots_;  // in the order made; a split-off lot follows its source
  LotId next_id_ = 0;
  bool ids_exhausted_ = false;
};

/// One term's part of a year, as Schedule D sums it.
struct TermTotals {
  double proceeds = 0;
  double basis = 0;
  double wash_disallowed = 0;
  double gain = 0;  ///< reported: proceeds − basis + wash_disallowed
  bool operator==(const TermTotals&) const = default;
};

struct YearTotals {
  int year = 0;  ///< of the sale day
  TermTotals short_term;
  TermTotals long_term;
  bool operator==(const YearTotals&) const = default;
};

/// The realised lines summed per year of sale and term, by year ascending.
std::vector<YearTotals> totals_by_year(std::span<const RealisedLine> lines);

}  // namespace ballast::tax
