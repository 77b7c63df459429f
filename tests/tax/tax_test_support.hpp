#pragma once
// Accounts' holdings, their realised lines and a household wash-sale ledger,
// wired the way an account book will wire them: every buy and sale goes
// through the lots and then the ledger, and every match is applied to both sides.
#include <doctest/doctest.h>

#include <map>
#include <utility>
#include <vector>

#include "tax/lots.hpp"
#include "tax/wash_sale.hpp"

namespace ballast::tax::test {

struct Trades {
  explicit Trades(IdentityGroups groups = {}) : ledger(std::move(groups)) {}

  Lots& holding(AccountIndex account, core::SymbolId symbol) { return holdings[{account, symbol}]; }

  LotId buy(HouseholdIndex household, AccountIndex account, core::SymbolId symbol, Day day, double quantity,
            double price, double costs = 0) {
    const Lots::Opened opened = holding(account, symbol).open(Buy{day, quantity, price, costs});
    REQUIRE(!opened.refused);
    last_matches.clear();
    ledger.record_buy(BuyRecord{household, account, symbol, opened.lot, day, quantity}, last_matches);
    apply(last_matches);
    return opened.lot;
  }

  /// The index of the sale's first line in `lines`.
  std::size_t sell(HouseholdIndex household, AccountIndex account, core::SymbolId symbol, Day day, double quantity,
                   double price, CloseMethod method = CloseMethod::fifo, std::vector<SpecificLot> named = {}) {
    const std::size_t first = lines.size();
    REQUIRE(!holding(account, symbol).close(Sale{day, quantity, price, 0}, method, named, rule, lines));
    last_matches.clear();
    const std::span<const RealisedLine> sold(lines.data() + first, lines.size() - first);
    ledger.record_sale(SaleRecord{household, account, symbol, day, sold, first}, last_matches);
    apply(last_matches);
    return first;
  }

  void apply(const std::vector<WashMatch>& matches) {
    for (const WashMatch& m : matches) {
      REQUIRE(apply_to_replacement(holding(m.replacement_account, m.replacement_symbol), m));
      apply_to_loss_line(lines.at(m.loss_line), m);
    }
  }

  std::map<std::pair<AccountIndex, core::SymbolId>, Lots> holdings;
  std::vector<RealisedLine> lines;
  WashSaleLedger ledger;
  std::vector<WashMatch> last_matches;
  TermRule rule;
};

}  // namespace ballast::tax::test
