#pragma once
// The account book of a configuration: its [[models]] as the fleet runs them,
// and account records added as accounts of those models. What the daemon
// does with the records of the state file and the offline commands with those
// of an accounts file. Pure: records in, a book or a reason out.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/symbol_table.hpp"
#include "fleet/account_book.hpp"
#include "fleet/account_record.hpp"
#include "fleet/model_variants.hpp"
#include "strategies/policy.hpp"

namespace ballast::fleet {

struct BookOfModels {
  std::optional<AccountBook> book;      ///< every model, no account; empty when `error` is set
  std::vector<std::string> model_ids;   ///< by model index: the specs' ids, in order
  std::string error;                    ///< "model ID: why" when a spec cannot run
};

/// An empty book of `specs` (their symbols interned into `symbols`, model
/// index i being specs[i]).
BookOfModels book_of_models(std::span<const strategies::PortfolioSpec> specs, core::SymbolTable& symbols);

/// Adds `record` to `book` as an account of the model whose id it names, or
/// of the variant of it its overrides make, in the record's household (`variants`, made from the
/// BookOfModels' model_ids, adds variants to `book` as needed; `symbols` the
/// table the models were interned in); `place` is scratch. The reason, and no
/// account added, when its model is not among them, it holds a symbol its
/// model does not, or the book refuses it.
std::optional<std::string> add_record(AccountBook& book, ModelVariants& variants, const core::SymbolTable& symbols,
                                      const AccountRecord& record, BookPlace& place);

}  // namespace ballast::fleet
