#include "fleet/book_builder.hpp"

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

std::optional<std::string> add_record(AccountBook& book, ModelVariants& variants, const core::SymbolTable& symbols,
                                      const AccountRecord& r, BookPlace& place) {
  const ModelVariants::AddModel add = [&book](Model m, ModelIndex& index) {
    index = static_cast<ModelIndex>(book.models().size());
    return book.add_model(std::move(m));
  };
  if (auto why = variants.place(r, book.models(), symbols, add, place)) return why;
  if (auto why = book.add_account(r.id, place.model, r.cash, place.quantities, r.band_multiplier, r.household)) {
    return "account " + r.id + ": " + *why;
  }
  return std::nullopt;
}

}  // namespace ballast::fleet
