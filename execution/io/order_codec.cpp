#include "execution/io/order_codec.hpp"

#include <array>
#include <cmath>

#include "core/json_writer.hpp"
#include "execution/io/wire_json.hpp"

namespace ballast::execution {

void encode_order(const core::Order& order, std::string& out) {
  core::JsonWriter w(out);
  w.begin_object()
      .field("order_id", order.order_id)
      .field("portfolio", order.portfolio)
      .field("symbol", order.symbol)
      .field("side", core::to_string(order.side))
      .field("quantity", order.quantity)
      .field("order_type", core::to_string(order.order_type));
  if (order.order_type == core::OrderType::limit) w.field("limit_price", order.limit_price);
  w.field("reference_price", order.reference_price)
      .field("reason", order.reason)
      .field("rebalance_id", order.rebalance_id)
      .field("created_at", core::format_iso8601(order.created_at))
      .end_object();
}

namespace {

enum Field : std::size_t {
  kOrderId, kPortfolio, kSymbol, kSide, kQuantity, kOrderType, kLimitPrice,
  kReferencePrice, kReason, kRebalanceId, kCreatedAt, kFieldCount
};
constexpr std::array<std::string_view, kFieldCount> kNames{
    "order_id", "portfolio", "symbol", "side", "quantity", "order_type", "limit_price",
    "reference_price", "reason", "rebalance_id", "created_at"};

// Fills `order` from the slots; returns an error text, empty on success.
std::string read_order(const std::array<wire::Slot, kFieldCount>& f, core::Order& order) {
  std::string error;
  if (!(error = wire::read_text(f[kOrderId], kNames[kOrderId], order.order_id)).empty()) return error;
  if (!(error = wire::read_text(f[kPortfolio], kNames[kPortfolio], order.portfolio)).empty()) return error;
  if (!(error = wire::read_text(f[kSymbol], kNames[kSymbol], order.symbol)).empty()) return error;

  std::string word;
  if (!(error = wire::read_text(f[kSide], kNames[kSide], word)).empty()) return error;
  if (word == "buy") order.side = core::Side::buy;
  else if (word == "sell") order.side = core::Side::sell;
  else return "side must be buy or sell";

  if (!(error = wire::read_number(f[kQuantity], kNames[kQuantity], order.quantity)).empty()) return error;
  if (order.quantity <= 0) return "quantity must be > 0";

  if (!(error = wire::read_text(f[kOrderType], kNames[kOrderType], word)).empty()) return error;
  if (word == "market") {
    order.order_type = core::OrderType::market;
    order.limit_price = 0;  // a limit price on a market order means nothing
  } else if (word == "limit") {
    order.order_type = core::OrderType::limit;
    if (!f[kLimitPrice]) return "limit order without limit_price";
    if (!(error = wire::read_number(f[kLimitPrice], kNames[kLimitPrice], order.limit_price)).empty()) return error;
    if (order.limit_price <= 0) return "limit_price must be > 0";
  } else {
    return "order_type must be market or limit";
  }

  if (!(error = wire::read_number(f[kReferencePrice], kNames[kReferencePrice], order.reference_price)).empty())
    return error;
  if (order.reference_price <= 0) return "reference_price must be > 0";
  if (!(error = wire::read_text(f[kReason], kNames[kReason], order.reason)).empty()) return error;
  if (!(error = wire::read_text(f[kRebalanceId], kNames[kRebalanceId], order.rebalance_id)).empty()) return error;
  return wire::read_time(f[kCreatedAt], kNames[kCreatedAt], order.created_at);
}

}  // namespace

DecodedOrder decode_order(std::string_view json) {
  DecodedOrder result;
  std::array<wire::Slot, kFieldCount> slots;
  result.error = wire::parse_fields(json, kNames, slots);
  if (result.error.empty()) result.error = read_order(slots, result.order);
  result.ok = result.error.empty();
  if (!result.ok) result.order = core::Order{};
  return result;
}

}  // namespace ballast::execution
