#include "fleet/model_variants.hpp"

#include <algorithm>

namespace ballast::fleet {

ModelVariants::ModelVariants(std::vector<std::string> names) : names_(std::move(names)) {
  for (ModelIndex i = 0; i < names_.size(); ++i) base_of_.push_back(i);
}

Model with_overrides(const Model& base, std::optional<double> cash_target, std::span<const core::SymbolId> restricted) {
  Model m = base;
  double scale = 1;
  if (cash_target) {
    double invested = 0;
    for (const double t : m.targets) invested += t;
    if (invested > 0) {
      scale = (1 - *cash_target) / invested;
      for (double& t : m.targets) t *= scale;
    }
  }
  const auto is_restricted = [&](std::size_t i) {
    return std::find(restricted.begin(), restricted.end(), m.symbols[i]) != restricted.end();
  };
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (is_restricted(i)) m.targets[i] = 0;
  }
  if (m.group_of.empty()) return m;
  // Groups: a restricted member leaves its group (a group of its own at
  // target 0); a restricted primary hands the group's target to the first
  // substitute left, in slot order, which becomes the primary of the rest.
  for (std::size_t p = 0; p < m.size(); ++p) {
    if (base.group_of[p] != p || !is_restricted(p)) continue;
    std::size_t heir = m.size();
    for (std::size_t i = 0; i < m.size() && heir == m.size(); ++i) {
      if (i != p && base.group_of[i] == p && !is_restricted(i)) heir = i;
    }
    if (heir == m.size()) continue;
    // The primary's target as scaled by the cash target, before it was zeroed.
    m.targets[heir] = base.targets[p] * scale;
    for (std::size_t i = 0; i < m.size(); ++i) {
      if (base.group_of[i] == p && !is_restricted(i)) m.group_of[i] = static_cast<std::uint32_t>(heir);
    }
  }
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (is_restricted(i)) m.group_of[i] = static_cast<std::uint32_t>(i);
  }
  return m;
}

std::optional<std::string> ModelVariants::place(const AccountRecord& record, const std::vector<Model>& models,
                                                const core::SymbolTable& symbols, const AddModel& add,
                                                BookPlace& out) {
  const auto named = std::find(names_.begin(), names_.end(), record.model);
  if (named == names_.end()) {
    return "account " + record.id + " follows model " + record.model + ", which the configuration does not define";
  }
  const auto base = static_cast<ModelIndex>(named - names_.begin());
  const Model& m = models[base];
  out.quantities.assign(m.size(), 0.0);
  for (const auto& [symbol, quantity] : record.holdings) {
    const core::SymbolId id = symbols.find(symbol);
    const auto slot = std::find(m.symbols.begin(), m.symbols.end(), id);
    if (id == core::kNoSymbol || slot == m.symbols.end()) {
      return "account " + record.id + " holds " + symbol + ", which its model " + record.model + " does not";
    }
    out.quantities[static_cast<std::size_t>(slot - m.symbols.begin())] = quantity;
  }
  std::vector<core::SymbolId> restricted;
  for (const std::string& symbol : record.restricted) {
    const core::SymbolId id = symbols.find(symbol);
    if (id != core::kNoSymbol && std::find(m.symbols.begin(), m.symbols.end(), id) != m.symbols.end()) {
      restricted.push_back(id);
    }
  }
  std::sort(restricted.begin(), restricted.end());
  if (!record.cash_target && restricted.empty()) {
    out.model = base;
    return std::nullopt;
  }
  Key key{base, record.cash_target, std::move(restricted)};
  if (const auto it = variants_.find(key); it != variants_.end()) {
    out.model = it->second;
    return std::nullopt;
  }
  if (variants_.size() >= kMaxModelVariants) {
    return "account " + record.id + ": more than " + std::to_string(kMaxModelVariants) +
           " distinct combinations of model, cash_target and restricted symbols";
  }
  ModelIndex index = 0;
  if (auto why = add(with_overrides(m, record.cash_target, std::get<2>(key)), index)) {
    return "account " + record.id + ": its overrides make a model that is refused: " + *why;
  }
  if (base_of_.size() <= index) base_of_.resize(index + 1, base);
  base_of_[index] = base;
  variants_.emplace(std::move(key), index);
  out.model = index;
  return std::nullopt;
}

}  // namespace ballast::fleet
