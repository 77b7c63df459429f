#include "fleet/book_builder.hpp"

#include <algorithm>

#include "fleet/model_from_spec.hpp"

namespace ballast::fleet {

BookOfModels book_of_models(std::span<const strategies::PortfolioSpec> specs, core::SymbolTable& symbols) {
  BookOfModels result;
  std::vector<Model> models;
  for (const strategies::PortfolioSpec& spec : specs) {
    Model m;
    if (auto why = model_from_spec(spec, symbols, m)) {
      result.error = "model " + spec.id + ": " + *why;
      return result;
    }
    models.push_back(std::move(m));
    result.model_ids.push_back(spec.id);
  }
  // The book is sized to the symbols of every model, so it is made after them.
  AccountBook book(symbols.size());
  for (std::size_t i = 0; i < models.size(); ++i) {
    if (auto why = book.add_model(std::move(models[i]))) {
      result.error = "model " + specs[i].id + ": " + *why;
      return result;
    }
  }
  result.book.emplace(std::move(book));
  return result;
}

std::optional<std::string> add_record(AccountBook& book, std::span<const std::string> model_ids,
                                      const core::SymbolTable& symbols, const AccountRecord& r,
                                      std::vector<double>& quantities) {
  const auto model = std::find(model_ids.begin(), model_ids.end(), r.model);
  if (model == model_ids.end()) {
    return "account " + r.id + " follows model " + r.model + ", which the configuration does not define";
  }
  const auto index = static_cast<ModelIndex>(model - model_ids.begin());
  const Model& m = book.models()[index];
  quantities.assign(m.size(), 0.0);
  for (const auto& [symbol, quantity] : r.holdings) {
    const core::SymbolId id = symbols.find(symbol);
    const auto slot = std::find(m.symbols.begin(), m.symbols.end(), id);
    if (id == core::kNoSymbol || slot == m.symbols.end()) {
      return "account " + r.id + " holds " + symbol + ", which its model " + r.model + " does not";
    }
    quantities[static_cast<std::size_t>(slot - m.symbols.begin())] = quantity;
  }
  if (auto why = book.add_account(r.id, index, r.cash, quantities, r.band_multiplier)) {
    return "account " + r.id + ": " + *why;
  }
  return std::nullopt;
}

}  // namespace ballast::fleet
