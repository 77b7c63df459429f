#pragma once
// The fleet offline: the accounts of an accounts file on the configuration's
// [[models]], run by the daemon's own fleet::FleetDesk over rows of prices on
// the data's clock, with the cost model's view of what its block orders cost
// against every account trading alone. Shared by `ballast backtest` and
// `ballast simulate`. Pure: prices in, figures out.
//
// How a run goes:
// - The desk starts at the first row at which every symbol of the models has
//   a price (a cell with no price keeps the last one): every account is
//   checked then (resync), as the daemon does when its last symbol is priced.
// - Each later row goes in as one tick per priced symbol at the row's time,
//   then the timer at the row's time. A decision window still open when the
//   next row comes closes at its own time (first trade + [fleet] window)
//   before that row's prices go in, as the daemon's timer would close it; one
//   still open after the last row closes at its time too.
// - Block orders are booked as filled at their reference price when they
//   leave (DeskOptions::book_on_send). The desk books no costs: they are the
//   cost model's estimates, reported beside the values.
// - Costs: each block order under the [models.costs] of every model with an
//   account in it, shared by lots (the whole block under one model's costs
//   when it holds one model's accounts); each account's trade alone under its
//   own model's costs, at the block's reference price (the price its fill is
//   booked at). Both through fleet::estimate_block_saving. No impact: the
//   view takes no volatility (a model's [models.risk], when it has one,
//   serves its dynamic trigger; as for portfolios without one).
// - Taxes: the accounts start from their records' tax lots, and the desk books
//   lots, realised gains and wash sales as the daemon does (on the day of
//   each block's time). taxes() puts the models' [models.tax] rates on them.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/symbol_table.hpp"
#include "core/time.hpp"
#include "execution/cost_model.hpp"
#include "fleet/account_lots.hpp"
#include "fleet/account_record.hpp"
#include "fleet/block_saving.hpp"
#include "fleet/fleet_desk.hpp"
#include "fleet/fleet_summary.hpp"
#include "fleet/model_variants.hpp"
#include "strategies/policy.hpp"
#include "tax/tax_rates.hpp"

namespace ballast::offline {

/// The book and the models a run starts from, ready to be run many times.
struct FleetSetup {
  core::SymbolTable symbols;  ///< the fleet's symbol ids
  std::optional<fleet::AccountBook> book;
  std::vector<std::string> model_ids;          ///< by configuration model index
  /// The configuration models and the variants accounts' own cash targets and
  /// restricted symbols make of them (the book's models past model_ids).
  fleet::ModelVariants variants;
  std::vector<execution::CostParams> costs;    ///< by configuration model index; none configured: all 0
  std::vector<std::size_t> accounts_of_model;  ///< by configuration model index
  core::DurationNs window = core::kNanosPerSecond;
  /// The accounts' tax lots and lot methods as their records give them (units
  /// beyond them have no known basis: they are sold first and realise nothing).
  fleet::AccountLots lots;
  /// Set when a model has [models.tax.harvest]: the same models and accounts
  /// with every model's harvest rule removed, all else equal (the run the
  /// tax alpha compares with; a second book, so twice the memory). Null
  /// otherwise, and in itself.
  std::unique_ptr<FleetSetup> without_harvest;

  /// The configuration model account `a` follows (its variant's model).
  fleet::ModelIndex model_of(fleet::AccountIndex a) const { return variants.base(book->model_index(a)); }
};

struct FleetSetupResult {
  std::unique_ptr<FleetSetup> setup;  ///< set when errors is empty
  std::vector<std::string> errors;    ///< one per account or model refused
};

/// The book of `models` with every record as an account and its tax lots
/// (records checked by the reader already; what the book or the lots still
/// refuse is an error naming the account), and the setup without harvesting
/// when a model harvests. Errors: no model, no account.
/// `rule`: when a gain is long-term (`[fleet] long_term_after_months`).
FleetSetupResult make_fleet_setup(std::span<const strategies::PortfolioSpec> models,
                                  std::span<const fleet::AccountRecord> records, core::DurationNs window,
                                  tax::TermRule rule = {});

/// What the desk did for one model, or for the whole fleet.
struct FleetTally {
  std::uint64_t rebalances = 0;    ///< accounts that traded, once per decision window
  std::uint64_t block_orders = 0;  ///< per model: blocks with an account of the model
  std::uint64_t allocations = 0;   ///< account shares of the blocks: the orders sent alone
  double traded_value = 0;         ///< Σ lots × lot size × reference price
  fleet::CostTally blocks;         ///< tickets: block orders
  fleet::CostTally separate;       ///< tickets: allocations
  fleet::CostTally saving() const;
};

/// Where the accounts stand at the end, at the last prices.
struct FleetDrift {
  std::uint64_t accounts = 0;
  std::uint64_t breaching = 0;  ///< outside a band
  double max_abs_drift = 0;     ///< largest max |weight − target| over the accounts
  double mean_abs_drift = 0;    ///< mean of each account's max |weight − target|
  fleet::DriftHistogram histogram;
};

/// Taxes of one model's accounts, or of the whole fleet's, at the end of a run.
/// Gains are the reported ones (gain + wash_disallowed: a loss a wash sale
/// disallows saves nothing), summed over the accounts and the years. A tax is
/// the short-term gain × short_term_rate + the long-term gain × long_term_rate
/// of the account's model, as GET /accounts/ID's estimated_tax: a net loss
/// gives a negative tax, a benefit against the owner's other income. A model
/// without rates pays 0.
struct FleetTax {
  /// The model's [models.tax] rates; none for a model without them, and for the fleet.
  std::optional<tax::TaxRates> rates;
  double realised_short_term = 0;
  double realised_long_term = 0;
  double tax_paid = 0;  ///< on the realised gains
  /// Of every lot at the last prices, by the term a sale on the last day would have.
  double unrealised_short_term = 0;
  double unrealised_long_term = 0;
  double liquidation_tax = 0;  ///< on the unrealised gains: what selling everything at the end would cost
};

/// A run's value at the end after its taxes.
struct AfterTax {
  double final_value = 0;
  double tax_paid = 0;
  double liquidation_tax = 0;
  double value = 0;              ///< final_value − tax_paid
  double liquidation_value = 0;  ///< value − liquidation_tax
  /// Compound annual rates from the start value: (value / start)^(1 / years) − 1
  /// (−1 at or below 0; NaN over no time or from no value).
  double annualised_return = 0;
  double liquidation_annualised_return = 0;
};
AfterTax after_tax(double start_value, double final_value, const FleetTax& tax, core::TimeNs from, core::TimeNs to);

class FleetRun {
 public:
  /// `setup` must outlive the run; its book is copied. `keep_orders`: keep
  /// every block order sent (orders()).
  explicit FleetRun(const FleetSetup& setup, bool keep_orders = false);
  ~FleetRun();
  FleetRun(const FleetRun&) = delete;
  FleetRun& operator=(const FleetRun&) = delete;

  /// One row: a price per fleet symbol id (not finite and > 0: none in this row).
  void row(std::span<const double> prices, core::TimeNs t);
  /// The end of the data: a window still open closes at its time.
  void finish();

  /// The desk has started (every symbol priced).
  bool started() const { return desk_ != nullptr; }
  /// Each model's value at the last prices (cash + holdings as booked); 0 before the start.
  void values(std::vector<double>& per_model) const;
  const std::vector<FleetTally>& models() const { return models_; }
  const FleetTally& fleet() const { return fleet_; }
  /// Trades the desk left out of a block (see DeskOutput::refusals).
  std::uint64_t refusals() const { return refusals_; }
  /// The block orders sent, in sending order, when kept.
  const std::vector<fleet::DeskOrder>& orders() const { return orders_; }
  std::size_t stuck_accounts() const;
  /// Per model, at the last prices; nullopt before the start.
  std::optional<std::vector<FleetDrift>> drift() const;
  /// The same for the whole fleet.
  static FleetDrift total(std::span<const FleetDrift> per_model);
  /// Per model (see FleetTax): the realised gains so far and the unrealised
  /// ones at the last prices on the day of the desk's last time (zeros before the start).
  void taxes(std::vector<FleetTax>& per_model) const;
  /// The same for the whole fleet.
  static FleetTax total(std::span<const FleetTax> per_model);
  /// The desk's counters (harvests, switches back, ...); zeros before the start.
  fleet::DeskCounters counters() const { return desk_ ? desk_->counters() : fleet::DeskCounters{}; }

 private:
  void take(fleet::DeskOutput& out);
  void cost_block(const fleet::BlockOrder& block);

  const FleetSetup& setup_;
  std::vector<double> last_;  ///< by symbol id; 0: none yet
  core::TimeNs now_ = 0;      ///< the last time the desk was given
  std::unique_ptr<fleet::FleetDesk> desk_;
  std::uint64_t next_seq_ = 1;
  std::vector<fleet::SymbolMarket> markets_;
  std::vector<FleetTally> models_;
  FleetTally fleet_;
  std::uint64_t refusals_ = 0;
  bool keep_orders_ = false;
  std::vector<fleet::DeskOrder> orders_;
  std::vector<std::uint64_t> seen_in_call_;  ///< per account: the last call it traded in
  std::uint64_t call_ = 0;
  std::vector<fleet::AccountTrade> trades_;  ///< scratch
  std::vector<fleet::AccountTrade> own_;     ///< scratch
  fleet::DeskOutput out_;
};

}  // namespace ballast::offline
