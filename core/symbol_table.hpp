#pragma once
// Dense ids for symbols, so per-tick work indexes vectors instead of hashing strings twice.
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/types.hpp"

namespace ballast::core {

class SymbolTable {
 public:
  /// The id of `name`, adding it when new; ids are stable for the table's life.
  SymbolId intern(std::string_view name);
  /// kNoSymbol when unknown; no allocation.
  SymbolId find(std::string_view name) const;
  const std::string& name(SymbolId id) const { return names_[id]; }
  std::size_t size() const { return names_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, SymbolId, Hash, std::equal_to<>> ids_;
  std::vector<std::string> names_;
};

}  // namespace ballast::core
