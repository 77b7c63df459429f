#pragma once
// Value types that cross the engine's boundary: ticks in, orders out, fills in.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"

namespace ballast::core {

/// Index of a symbol in the engine's symbol table (dense, from 0).
using SymbolId = std::uint32_t;
inline constexpr SymbolId kNoSymbol = 0xffffffffu;

enum class Side : std::uint8_t { buy, sell };
enum class OrderType : std::uint8_t { market, limit };
std::string_view to_string(Side s);
std::string_view to_string(OrderType t);

/// Why a tick was dropped; the names are the ones of SPEC §2 and the metrics.
/// bad_time: stamped further ahead of the receive clock than the feed's max_future.
enum class RejectReason : std::uint8_t { malformed, unknown_symbol, bad_price, out_of_order, jump, bad_time };
inline constexpr int kRejectReasonCount = 6;
std::string_view to_string(RejectReason r);

/// A tick accepted by a feed, in the portfolio's symbols.
struct Tick {
  SymbolId symbol = kNoSymbol;
  double price = 0;
  TimeNs ts = 0;  ///< the data's time (or receipt time when the message had none)
  /// The live quote when the feed carries one (the cost model's half-spread), NaN otherwise.
  double bid = std::numeric_limits<double>::quiet_NaN();
  double ask = std::numeric_limits<double>::quiet_NaN();
};

/// The `portfolio` of the fleet's block orders (no portfolio may take this id).
inline constexpr std::string_view kBlockOrderPortfolio = "fleet";

/// A tax lot a sell's allocation names (specific identification): the lot
/// the broker is to close, and how many of its units.
struct NamedLot {
  std::uint32_t id = 0;      ///< the lot's id in the account's lots
  double quantity = 0;       ///< > 0, units
  std::int32_t acquired = 0;  ///< the lot's purchase day, days since 1970-01-01

  bool operator==(const NamedLot&) const = default;
};

/// One account's part of a block order: what it asked of the order's quantity.
struct Allocation {
  std::string account;  ///< an account id (is_valid_account_id)
  double quantity = 0;  ///< > 0, units
  /// A sell's: the lots it closes, in the order they close, their units at
  /// most `quantity`; units past them close by the account's method. Empty
  /// for a buy or an account without lots.
  std::vector<NamedLot> lots;

  bool operator==(const Allocation&) const = default;
};

/// Account ids (and households): 1 to 64 characters, each a letter, a digit or one of . _ : -
bool is_valid_account_id(std::string_view id);

/// One order for the execution queue (SPEC §3).
struct Order {
  std::string order_id;
  std::string portfolio;
  std::string symbol;
  Side side = Side::buy;
  double quantity = 0;  ///< > 0, whole lots
  OrderType order_type = OrderType::market;
  double limit_price = 0;  ///< only for OrderType::limit
  double reference_price = 0;
  std::string reason;  ///< the trigger: threshold, calendar, manual, ...
  std::string rebalance_id;
  TimeNs created_at = 0;
  /// When the daemon means to cancel or replace the order if it is still open;
  /// 0 = never. Informational for gateways: the daemon sends the cancel itself.
  TimeNs expire_at = 0;
  /// A block order's accounts and what each asked, adding up to `quantity`;
  /// empty for an order of one portfolio. A gateway may ignore them.
  std::vector<Allocation> allocations;
};

/// A cancel or a replace of an order already sent (README "Orders out").
enum class AmendAction : std::uint8_t { cancel, replace };
std::string_view to_string(AmendAction a);

/// A request about an order already sent: cancel what is not filled, or change
/// its total quantity and limit price. Reports keep coming under order_id.
struct OrderAmendment {
  AmendAction action = AmendAction::cancel;
  std::string order_id;    ///< the order it is about
  std::string request_id;  ///< unique per request, never reused
  std::string portfolio;
  std::string symbol;
  Side side = Side::buy;
  double quantity = 0;     ///< replace only: the new total quantity (>= what is filled)
  double limit_price = 0;  ///< replace only: the new limit price
  TimeNs created_at = 0;
};

enum class FillStatus : std::uint8_t { filled, partially_filled, rejected, cancelled };
std::string_view to_string(FillStatus s);

/// An order's life: created (decided, committed, maybe not yet sent) → sent →
/// partially_filled → one of the final states, driven by fill reports. unknown:
/// no final report within the order timeout, so its fate is not known; it is
/// not finished (a late report or an operator finishes it). expired is final
/// and only found in state files of earlier versions, which expired orders.
enum class OrderState : std::uint8_t { created, sent, partially_filled, unknown, filled, rejected, cancelled, expired };
std::string_view to_string(OrderState s);
/// The inverse of to_string; nullopt for an unknown name.
std::optional<OrderState> parse_order_state(std::string_view name);
inline bool is_final(OrderState s) { return s >= OrderState::filled; }

/// An execution report (SPEC §4); quantity and price are cumulative for the order.
struct FillReport {
  std::string order_id;
  FillStatus status = FillStatus::filled;
  double filled_quantity = 0;
  double avg_price = 0;
  TimeNs ts = 0;
};

}  // namespace ballast::core
