#pragma once
// A `[[models]]` entry of the configuration as the fleet runs it: symbols
// interned, targets, lots, threshold bands, rebalance_to, min_trade_value,
// the tax policy (its rates, wash-sale avoidance, harvest rule and substitute
// groups), a dynamic trigger with its fixed risk model and costs, a
// volatility band under that risk model, and the targets a target model sets
// from it.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/symbol_table.hpp"
#include "fleet/account_record.hpp"
#include "fleet/model.hpp"
#include "strategies/policy.hpp"
#include "tax/tax_rates.hpp"

namespace ballast::fleet {

/// The fleet's model for `spec` (its symbols interned into `symbols`), or why
/// it cannot run one: the config loader refuses what the fleet does not run,
/// so a refusal here means a spec that did not come from it. Substitute
/// groups refused: a primary or substitute that is not an asset of the
/// model, a substitute with a target other than 0, a symbol in two groups,
/// a primary that is also a substitute. A dynamic trigger refused: a second
/// one, or one without a fixed `[models.risk]` (volatilities) that makes a Σ.
/// A target model (target-vol, risk-parity, mean-variance) sets the targets
/// once from that fixed Σ, as strategies::spec_targets does for a portfolio;
/// refused: without a fixed `[models.risk]`, when the model fails, or when its
/// targets borrow cash. CPPI and buy-and-hold are refused.
std::optional<std::string> model_from_spec(const strategies::PortfolioSpec& spec, core::SymbolTable& symbols,
                                           Model& out);

/// The model's volatility band from its volatility triggers under Σ (by
/// slot, annualised): each trigger's min and max, and its change around the
/// σ of `targets`; the tightest of them when there are several (any of them
/// firing fires). With √ of Σ's largest eigenvalue for the safe zone.
ModelVolatility volatility_band(const std::vector<strategies::Trigger>& triggers, Eigen::MatrixXd cov,
                                const std::vector<double>& targets);

/// The rates of a `[models.tax]` table: set when either rate is given, the
/// other then 0; nullopt when neither is (the model weighs no tax).
std::optional<tax::TaxRates> tax_rates_of(const strategies::TaxPolicy& policy);

/// Each `[[models]]` id with its symbols: what an account record is checked against (check_account).
ModelCatalog catalog_of(std::span<const strategies::PortfolioSpec> models);

}  // namespace ballast::fleet
