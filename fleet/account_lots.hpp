#pragma once
// The fleet's tax lots: every account's lots per symbol, its lot method and
// its realised gains per year, kept in memory beside the account book. Sparse:
// an account without lots, realised gains or a method of its own has no entry
// and costs nothing, so a million accounts of which few keep lots stay small.
// Pure, and touched only when a fill is booked, a record is restored or a view
// is asked: nothing here runs per tick.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/symbol_table.hpp"
#include "core/types.hpp"
#include "fleet/account_book.hpp"
#include "fleet/account_record.hpp"
#include "tax/holding_period.hpp"
#include "tax/lots.hpp"
#include "tax/tax_rates.hpp"
#include "tax/wash_sale.hpp"

namespace ballast::fleet {

/// What a sell did to an account's lots.
struct LotSale {
  /// One per lot closed, in the order closed; empty when refused.
  std::vector<tax::RealisedLine> lines;
  /// Units sold that the lots did not cover (held beyond them): no basis is
  /// known, so they make no line. 0 when refused.
  double unknown_basis_units = 0;
  /// Set when nothing changed: a quantity, price or costs out of range, or
  /// more units sold than the account held.
  std::optional<tax::LotRefusal> refused;
  /// Set when the sale named lots that it could not close as named (a lot
  /// gone or smaller than named): its units from lots closed by the method
  /// instead, as though none were named.
  std::optional<tax::LotRefusal> named_refused;
};

/// How a sell closes lots.
enum class SaleKind : std::uint8_t {
  /// Units held beyond the lots first, then lots by the account's method.
  by_method,
  /// A tax-loss harvest (or a switch back): lots first, highest basis first
  /// — those at a loss, the largest loss per unit first —, units beyond the
  /// lots only once the lots are spent.
  harvest,
};

/// One lot at a price, as a person reads it.
struct LotView {
  core::SymbolId symbol = core::kNoSymbol;
  tax::LotId lot = 0;
  double quantity = 0;
  double basis_per_unit = 0;  ///< cost per unit plus wash-sale adjustments
  tax::Day acquired = 0;
  tax::Day holding_from = 0;
  tax::Term term = tax::Term::short_term;  ///< if sold on the view's day
  double price = 0;                        ///< 0 when unknown
  bool priced = false;                     ///< the price is finite and > 0
  double unrealised_gain = 0;              ///< quantity × (price − basis per unit); 0 when not priced
};

/// An account's lots at prices on a day, and their unrealised gains by term.
struct AccountLotsView {
  std::vector<LotView> lots;  ///< by symbol id, then as kept (oldest first)
  double unrealised_short_term = 0;  ///< over the priced lots only
  double unrealised_long_term = 0;   ///< over the priced lots only
  /// Lots left out of the totals because their symbol has no usable price.
  std::size_t unpriced_lots = 0;
};

class AccountLots {
 public:
  explicit AccountLots(tax::TermRule rule = {}) : rule_(rule) {}

  /// Replaces account `a`'s lots and lot method by the record's (with the
  /// record's lot ids; lots without one are numbered by number_lots); its
  /// realised totals stay. A new lot's id is above every id of its holding. Refused,
  /// with the record's lot number (from 1) and what is wrong, and then nothing
  /// changes: a symbol not in `symbols`, a lot tax::Lots::restore would
  /// refuse (two lots of a symbol with one id among them), or the method `specific` (chosen per order, not per account).
  /// A record without lots leaves the account none, and no entry unless it
  /// keeps realised totals or a method other than fifo.
  std::optional<std::string> restore(AccountIndex a, const AccountRecord& record, const core::SymbolTable& symbols);

  /// Opens a lot of a buy fill; the lot's id (for the wash-sale ledger), or
  /// the refusal and nothing opened.
  tax::Lots::Opened buy(AccountIndex a, core::SymbolId symbol, tax::Day day, double quantity, double price,
                        double costs);

  /// Books a sell fill. `held_before`: the units of `symbol` the account held
  /// before it; those beyond its lots have no known basis and are sold first,
  /// without a line. The rest closes lots by the account's method; costs are
  /// shared pro rata to units. Realised lines are added to the yearly totals.
  /// `rates`: the account's model's, by which min_tax orders the lots (tax::Lots::close).
  ///
  /// `named`: the lots the sale names (choose_lots' choice when it was
  /// decided), in order. Its units from lots close the named lots first, in
  /// the order listed and up to the units each names, so that a sale smaller
  /// than decided (a partial fill) closes the first listed; units past the
  /// named lots close by the method (or hifo for a harvest), as without any.
  LotSale sell(AccountIndex a, core::SymbolId symbol, tax::Day day, double quantity, double price, double costs,
               double held_before, const std::optional<tax::TaxRates>& rates = std::nullopt,
               SaleKind kind = SaleKind::by_method, std::span<const tax::SpecificLot> named = {});

  /// The lots a sell of `quantity` units of `symbol`, of `held` held, at
  /// `net_per_unit` on `day` would close as sell() closes them without named
  /// lots, in that order: none for the units beyond the lots (by_method sells
  /// them first, a harvest last). Empty when no lot would be closed, or the
  /// sale is more than the lots and `held` cover.
  std::vector<tax::SpecificLot> choose_lots(AccountIndex a, core::SymbolId symbol, tax::Day day, double quantity,
                                            double net_per_unit, double held,
                                            const std::optional<tax::TaxRates>& rates = std::nullopt,
                                            SaleKind kind = SaleKind::by_method) const;

  /// What sell() with these arguments would realise, changing nothing: the
  /// lines it would append (the yearly totals untouched), its units of
  /// unknown basis, or its refusal. For a decision that must know before the
  /// fill whether a sale realises a loss (the wash-sale checks of the desk).
  LotSale preview_sale(AccountIndex a, core::SymbolId symbol, tax::Day day, double quantity, double price,
                       double costs, double held_before, const std::optional<tax::TaxRates>& rates = std::nullopt,
                       SaleKind kind = SaleKind::by_method) const;

  /// Of `held` units of `symbol`, how many a sale at `net_per_unit` on `day`
  /// can take realising no short-term gain: units beyond the lots (sold
  /// first, of no known basis) and the lots the account's method closes
  /// before the first at a short-term gain (`rates` as for sell).
  double sellable_without_short_term_gain(AccountIndex a, core::SymbolId symbol, tax::Day day, double net_per_unit,
                                          double held,
                                          const std::optional<tax::TaxRates>& rates = std::nullopt) const;

  /// The tax a sale of `quantity` of `held` units of `symbol` at `price`
  /// (no costs, as the desk books fills) on `day` would realise at `rates`,
  /// closing lots as sell() by_method would — units beyond the lots first,
  /// which have no known basis and realise nothing — without changing them
  /// (preview_sale). Signed: a loss gives a negative tax. 0 without rates,
  /// and for a sale sell() would refuse.
  double tax_if_sold(AccountIndex a, core::SymbolId symbol, tax::Day day, double quantity, double price, double held,
                     const std::optional<tax::TaxRates>& rates) const;

  /// Account `a`'s lots as an AccountRecord keeps them: sorted by symbol
  /// name (`symbols` names the ids), then as kept (oldest first).
  std::vector<RecordLot> record_lots(AccountIndex a, const core::SymbolTable& symbols) const;
  /// fifo for an account without an entry.
  tax::CloseMethod method(AccountIndex a) const;
  /// Empty when the account holds no lots of `symbol`.
  std::span<const tax::Lot> lots(AccountIndex a, core::SymbolId symbol) const;

  /// Account `a`'s lots on `today` at `prices_by_symbol` (by symbol id; a
  /// symbol beyond it, or a price not finite and > 0, is unpriced).
  AccountLotsView view(AccountIndex a, tax::Day today, std::span<const double> prices_by_symbol) const;

  /// Adds lines realised earlier (the state file's, at start) to `a`'s totals.
  void add_realised(AccountIndex a, std::span<const tax::RealisedLine> lines);
  /// `a`'s realised totals by year ascending; empty when none.
  std::vector<tax::YearTotals> realised(AccountIndex a) const;
  /// `a`'s realised totals of `year`; zeros (of that year) when none.
  tax::YearTotals realised(AccountIndex a, int year) const;

  /// A wash sale's match applied to the replacement lot of the account and
  /// symbol the match names (tax::apply_to_replacement): the lot whose units
  /// took the adjustment, or nullopt when that lot is unknown or refuses it.
  std::optional<tax::LotId> apply_wash_to_replacement(const tax::WashMatch& match);
  /// A wash sale's match applied to the loss sale's line (tax::apply_to_loss_line),
  /// which the caller keeps; the loss account's totals of the line's year
  /// follow the disallowed loss it adds.
  void apply_wash_to_loss_line(tax::RealisedLine& loss_line, const tax::WashMatch& match);

  /// Forgets everything of account `a` (lots, method, realised totals).
  void erase(AccountIndex a);
  /// Accounts holding at least one lot, ascending.
  std::vector<AccountIndex> accounts_with_lots() const;
  /// Accounts with an entry: lots (or holdings sold out), realised totals or a method other than fifo.
  std::size_t size() const { return accounts_.size(); }
  /// An estimate of the heap held: the map's buckets and nodes (table_bytes)
  /// and each entry's vectors (account_bytes).
  std::size_t memory_bytes() const;
  std::size_t table_bytes() const;
  /// Account `a`'s vectors: holdings, lots and realised totals; 0 without an entry.
  std::size_t account_bytes(AccountIndex a) const;

  const tax::TermRule& rule() const { return rule_; }

 private:
  struct Holding {
    core::SymbolId symbol = core::kNoSymbol;
    /// Kept when sold out, so that its lot ids are never reused while the
    /// wash-sale ledger may still name them.
    tax::Lots lots;
  };
  struct Account {
    std::vector<Holding> holdings;  // by symbol id
    std::vector<tax::YearTotals> realised;  // by year ascending
    tax::CloseMethod method = tax::CloseMethod::fifo;
  };

  const Holding* find(AccountIndex a, core::SymbolId symbol) const;
  /// A sale from `lots` (null: the account holds none of the symbol), as
  /// sell() documents it; closes what it closes in `lots`, and adds no totals.
  LotSale close_sale(tax::Lots* lots, tax::CloseMethod account_method, tax::Day day, double quantity, double price,
                     double costs, double held_before, const std::optional<tax::TaxRates>& rates, SaleKind kind,
                     std::span<const tax::SpecificLot> named) const;
  /// How a sale of `quantity` of `held_before` units, `in_lots` of them in
  /// lots, divides between units of unknown basis and units from the lots.
  struct SaleSplit {
    double from_unknown = 0;
    double from_lots = 0;
  };
  static SaleSplit split_sale(double quantity, double held_before, double in_lots, SaleKind kind);
  Holding& holding(Account& account, core::SymbolId symbol);
  static void add_totals(Account& account, std::span<const tax::RealisedLine> lines);
  /// Drops `a`'s entry when it keeps nothing worth an entry.
  void drop_if_empty(AccountIndex a);

  tax::TermRule rule_;
  std::unordered_map<AccountIndex, Account> accounts_;
};

}  // namespace ballast::fleet
