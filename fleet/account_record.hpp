#pragma once
// One account as the account book keeps it: only the account's own facts
// (its model, cash, holdings and overrides). The policy — targets, bands,
// costs — lives once per model in the configuration.
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tax/holding_period.hpp"
#include "tax/lots.hpp"

namespace ballast::fleet {

/// A tax lot of a holding as the book keeps it (tax/lots.hpp): units of one
/// purchase still held, what they cost and when they were bought.
struct RecordLot {
  std::string symbol;
  double quantity = 0;                  ///< > 0
  double cost_per_unit = 0;             ///< > 0: the price paid, buy costs included
  tax::Day acquired = 0;                ///< the trade day of the purchase
  tax::Day holding_from = 0;            ///< <= acquired: earlier when a wash sale tacked a holding period on
  double wash_adjustment_per_unit = 0;  ///< >= 0: disallowed wash-sale losses added to the basis
  /// The lot's id (tax::LotId), distinct among the account's lots of its
  /// symbol; absent in an import that does not give it, and then numbered by
  /// number_lots. The book keeps it across restarts, and a sale names lots by it.
  std::optional<tax::LotId> id;
  bool operator==(const RecordLot&) const = default;
};

/// Gives every lot without an id one: per symbol, in the order of `lots`, the
/// ids above every id already given to a lot of that symbol (0, 1, … when none
/// is). Lots that have ids keep them.
void number_lots(std::vector<RecordLot>& lots);

struct AccountRecord {
  std::string id;
  std::string model;  ///< the id of a model of the configuration
  double cash = 0;
  /// Sorted by symbol, one entry per symbol, each quantity > 0 (a symbol not
  /// listed holds nothing).
  std::vector<std::pair<std::string, double>> holdings;
  std::string household;  ///< empty: none
  std::vector<std::string> restricted;  ///< sorted, distinct: symbols it must not buy
  std::optional<double> cash_target;    ///< in [0, 1); absent: the model's
  double band_multiplier = 1;           ///< > 0: scales the model's bands for this account
  /// The account's tax lots, sorted by symbol, then in the order they were
  /// made (oldest first). A holding's lots add up to at most its quantity:
  /// units beyond them (an account imported without lots) have no known
  /// basis. Empty: no lots are kept for the account.
  std::vector<RecordLot> lots;
  /// How its sales close lots: fifo, hifo or min_tax (specific is per order, not an account's method).
  tax::CloseMethod lot_method = tax::CloseMethod::fifo;
  bool operator==(const AccountRecord&) const = default;
};

/// What the checks need to know of the models: each model's id with its symbols.
using ModelCatalog = std::map<std::string, std::set<std::string, std::less<>>, std::less<>>;

/// The part of a record a problem is about.
enum class AccountField {
  id,
  model,
  cash,
  holdings,
  household,
  restricted,
  cash_target,
  band_multiplier,
  lots,
  lot_method,
};

/// The name of a field as the import formats spell it ("band_multiplier").
std::string_view to_string(AccountField field);

struct AccountProblem {
  AccountField field = AccountField::id;
  std::string symbol;  ///< the holding, restricted or lot symbol concerned; empty otherwise
  std::string message;
  bool operator==(const AccountProblem&) const = default;
};

/// Text from an input file as a message shows it: in double quotes, cut
/// after 40 bytes ("..."), control characters as '?'.
std::string quoted_for_message(std::string_view text);

/// Ids of accounts and households: 1 to 64 bytes of [A-Za-z0-9._:-].
inline constexpr std::size_t kMaxAccountIdBytes = 64;
bool valid_account_id(std::string_view id);

/// The most tax lots one account keeps: bounds a record's size and its checks.
inline constexpr std::size_t kMaxLotsPerAccount = 10000;

/// Puts a record built by hand into the book's shape: holdings sorted by
/// symbol (a repeated symbol stays, for check_account to refuse) without
/// those of quantity 0; restricted sorted without repeats; lots sorted by
/// symbol, stably (a symbol's lots keep their order), none dropped.
void normalize(AccountRecord& record);

/// Every problem of `record` against `catalog`, in field order; empty when it
/// can go into the book. Refused: a malformed id or household id; a model not
/// in the catalog; cash that is negative or not finite; holdings not sorted or
/// repeated, of a symbol the model does not hold, or a quantity not finite and
/// > 0; a restricted symbol the model does not hold, or a list not sorted and
/// distinct; a cash target outside [0, 1); a band multiplier not finite and > 0;
/// more than kMaxLotsPerAccount lots, lots not sorted by symbol, a lot with an
/// empty symbol, a quantity or cost per unit not finite and > 0, a wash
/// adjustment not finite and >= 0, or holding_from after acquired; a lot of a
/// symbol the account does not hold; a holding's lots adding up to more than
/// its quantity (beyond tax::kQuantityTolerance of it); two lots of a symbol
/// with the same id; lot method `specific`.
/// Lot problems name the lot by its 1-based place in `lots`.
std::vector<AccountProblem> check_account(const AccountRecord& record, const ModelCatalog& catalog);

/// The problems check_account finds without looking at any model: what the
/// book itself requires of every record (the model only non-empty). It also
/// leaves out one lot check: a lot of a symbol the account does not hold.
std::vector<AccountProblem> check_account_shape(const AccountRecord& record);

/// The problems of lots the daemon booked, by themselves: as check_account_shape
/// finds them, but not against the holdings, which move with each fill while
/// lots move when a block is final (a sale in progress leaves more in lots
/// than is held until then).
std::vector<AccountProblem> check_booked_lots(const std::vector<RecordLot>& lots, tax::CloseMethod method);

}  // namespace ballast::fleet
