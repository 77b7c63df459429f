#include "core/symbol_table.hpp"

namespace ballast::core {

SymbolId SymbolTable::intern(std::string_view name) {
  if (const SymbolId id = find(name); id != kNoSymbol) return id;
  const auto id = static_cast<SymbolId>(names_.size());
  names_.emplace_back(name);
  ids_.emplace(std::string(name), id);
  return id;
}

SymbolId SymbolTable::find(std::string_view name) const {
  const auto it = ids_.find(name);
  return it == ids_.end() ? kNoSymbol : it->second;
}

}  // namespace ballast::core
