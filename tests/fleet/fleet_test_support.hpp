#pragma once
// Small books for the fleet's tests.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "fleet/account_book.hpp"

namespace ballast::fleet::test {

/// A model over symbols 0..targets.size()-1, lot 1, absolute band `band`.
inline Model simple_model(std::vector<double> targets, double band) {
  Model m;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    m.symbols.push_back(static_cast<core::SymbolId>(i));
    m.lot_sizes.push_back(1);
  }
  m.targets = std::move(targets);
  m.bands.absolute = band;
  return m;
}

/// A book of one model and one account.
inline AccountBook one_account(const Model& m, double cash, const std::vector<double>& quantities,
                               double multiplier = 1, std::size_t symbols = 0) {
  AccountBook book(symbols ? symbols : m.size());
  REQUIRE_FALSE(book.add_model(m));
  REQUIRE_FALSE(book.add_account("acct", 0, cash, quantities, multiplier));
  return book;
}

}  // namespace ballast::fleet::test
