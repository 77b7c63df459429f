#include "execution/io/order_codec.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "core/json_writer.hpp"
#include "execution/io/wire_json.hpp"

namespace ballast::execution {

namespace {


}  // namespace

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
      .field("created_at", core::format_iso8601(order.created_at));
  if (order.expire_at != 0) w.field("expire_at", core::format_iso8601(order.expire_at));
  if (!order.allocations.empty()) {
    w.key("allocations").begin_array();
    for (const core::Allocation& a : order.allocations) {
      w.begin_object().field("account", a.account).field("quantity", a.quantity);
      if (!a.lots.empty()) {
        w.key("lots").begin_array();
        for (const core::NamedLot& lot : a.lots) {
          w.begin_object()
              .field("id", lot.id)
              .field("quantity", lot.quantity)
              .field("acquired", core::format_day(lot.acquired))
              .end_object();
        }
        w.end_array();
      }
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
}

void encode_amendment(const core::OrderAmendment& a, std::string& out) {
  const bool replace = a.action == core::AmendAction::replace;
  core::JsonWriter w(out);
  w.begin_object()
      .field("action", core::to_string(a.action))
      .field("order_id", a.order_id)
      .field("portfolio", a.portfolio)
      .field("symbol", a.symbol)
      .field("side", core::to_string(a.side));
  if (replace) w.field("quantity", a.quantity).field("limit_price", a.limit_price);
  w.field("request_id", a.request_id).field("created_at", core::format_iso8601(a.created_at)).end_object();
}

namespace {

enum Field : std::size_t {
  kOrderId, kPortfolio, kSymbol, kSide, kQuantity, kOrderType, kLimitPrice,
  kReferencePrice, kReason, kRebalanceId, kCreatedAt, kExpireAt, kAction, kRequestId, kAllocations, kFieldCount
};
constexpr std::array<std::string_view, kFieldCount> kNames{
    "order_id", "portfolio", "symbol", "side", "quantity", "order_type", "limit_price",
    "reference_price", "reason", "rebalance_id", "created_at", "expire_at", "action", "request_id", "allocations"};
using Slots = std::array<wire::Slot, kFieldCount>;

enum AllocationField : std::size_t { kAccount, kAllocationQuantity, kAllocationLots, kAllocationFieldCount };
constexpr std::array<std::string_view, kAllocationFieldCount> kAllocationNames{"account", "quantity", "lots"};

enum LotField : std::size_t { kLotId, kLotQuantity, kLotAcquired, kLotFieldCount };
constexpr std::array<std::string_view, kLotFieldCount> kLotNames{"id", "quantity", "acquired"};

// Reads an allocation's "lots": a non-empty array of at most
// kLotsPerAllocation {"id", "quantity", "acquired"}, ids distinct, quantities
// adding up to at most the allocation's. `where` names the allocation.
template <class Where>
std::string read_lots(const simdjson::dom::element& slot, const Where& where, double allocation_quantity,
                      std::vector<core::NamedLot>& out) {
  simdjson::dom::array entries;
  if (slot.get_array().get(entries) != simdjson::SUCCESS) return where(".lots is not an array");
  const std::size_t count = entries.size();
  if (count == 0) return where(".lots is empty");
  if (count > kLotsPerAllocation) {
    return where(".lots has more than " + std::to_string(kLotsPerAllocation) + " entries");
  }
  out.reserve(count);
  double sum = 0;
  for (const simdjson::dom::element entry : entries) {
    const std::string at = ".lots[" + std::to_string(out.size()) + "]";
    simdjson::dom::object object;
    if (entry.get_object().get(object) != simdjson::SUCCESS) return where(at + " is not an object");
    // As in the allocation: other keys are ignored, null is absent, a key given twice is refused.
    std::array<wire::Slot, kLotFieldCount> f;
    std::array<bool, kLotFieldCount> seen{};
    for (const simdjson::dom::key_value_pair field : object) {
      for (std::size_t i = 0; i < kLotFieldCount; ++i) {
        if (field.key != kLotNames[i]) continue;
        if (seen[i]) return where(at + " has a duplicate field " + std::string(kLotNames[i]));
        seen[i] = true;
        if (!field.value.is_null()) f[i] = field.value;
      }
    }
    core::NamedLot& lot = out.emplace_back();
    if (!f[kLotId]) return "missing " + where(at + ".id");
    std::uint64_t id = 0;
    // A JSON integer only: 7.0, "7" and -1 are not lot ids.
    if (f[kLotId]->get_uint64().get(id) != simdjson::SUCCESS || id > 0xffffffffu) {
      return where(at + ".id must be a whole number from 0 to 4294967295");
    }
    lot.id = static_cast<std::uint32_t>(id);
    std::string error = wire::read_number(f[kLotQuantity], where(at + ".quantity"), lot.quantity);
    if (!error.empty()) return error;
    if (lot.quantity <= 0) return where(at + ".quantity must be > 0");
    std::string day;
    error = wire::read_text(f[kLotAcquired], where(at + ".acquired"), day);
    if (!error.empty()) return error;
    const std::optional<std::int32_t> acquired = core::parse_day(day);
    if (!acquired) return where(at + ".acquired must be a date YYYY-MM-DD");
    lot.acquired = *acquired;
    sum += lot.quantity;
  }
  if (sum > allocation_quantity * (1 + 1e-9)) return where(".lots name more than its quantity");
  std::vector<std::uint32_t> ids;
  ids.reserve(count);
  for (const core::NamedLot& lot : out) ids.push_back(lot.id);
  std::sort(ids.begin(), ids.end());
  const auto repeated = std::adjacent_find(ids.begin(), ids.end());
  if (repeated != ids.end()) return where(".lots name lot " + std::to_string(*repeated) + " twice");
  return {};
}

// Reads "allocations": an array of {"account", "quantity"}, accounts distinct,
// quantities adding up to the order's. Error text, empty on success.
std::string read_allocations(const wire::Slot& slot, double order_quantity, std::vector<core::Allocation>& out) {
  simdjson::dom::array entries;
  if (slot->get_array().get(entries) != simdjson::SUCCESS) return "allocations is not an array";
  const std::size_t count = entries.size();
  if (count == 0) return "allocations is empty";
  if (count > kMaxAllocations) return "allocations has more than 100000 entries";
  out.reserve(count);
  double sum = 0;
  for (const simdjson::dom::element entry : entries) {
    const std::size_t index = out.size();
    const auto where = [index](std::string_view what) {
      return "allocations[" + std::to_string(index) + "]" + std::string(what);
    };
    simdjson::dom::object object;
    if (entry.get_object().get(object) != simdjson::SUCCESS) return where(" is not an object");
    // As in the order itself: other keys are ignored, null is absent, a key given twice is refused.
    std::array<wire::Slot, kAllocationFieldCount> f;
    std::array<bool, kAllocationFieldCount> seen{};
    for (const simdjson::dom::key_value_pair field : object) {
      for (std::size_t i = 0; i < kAllocationFieldCount; ++i) {
        if (field.key != kAllocationNames[i]) continue;
        if (seen[i]) return where(" has a duplicate field " + std::string(kAllocationNames[i]));
        seen[i] = true;
        if (!field.value.is_null()) f[i] = field.value;
      }
    }
    core::Allocation& a = out.emplace_back();
    std::string error = wire::read_text(f[kAccount], where(".account"), a.account);
    if (!error.empty()) return error;
    if (!core::is_valid_account_id(a.account)) {
      return where(".account must be 1 to 64 letters, digits, '.', '_', ':' or '-'");
    }
    error = wire::read_number(f[kAllocationQuantity], where(".quantity"), a.quantity);
    if (!error.empty()) return error;
    if (a.quantity <= 0) return where(".quantity must be > 0");
    if (f[kAllocationLots]) {
      error = read_lots(*f[kAllocationLots], where, a.quantity, a.lots);
      if (!error.empty()) return error;
    }
    sum += a.quantity;
  }
  if (!(std::abs(sum - order_quantity) <= 1e-9 * order_quantity)) return "allocations do not add up to quantity";

  std::vector<std::string_view> accounts;
  accounts.reserve(count);
  for (const core::Allocation& a : out) accounts.emplace_back(a.account);
  std::sort(accounts.begin(), accounts.end());
  const auto repeated = std::adjacent_find(accounts.begin(), accounts.end());
  if (repeated != accounts.end()) return "allocations name account " + std::string(*repeated) + " twice";
  return {};
}

// What the frames have in common: the order they are about and its side.
std::string read_common(const Slots& f, std::string& order_id, std::string& portfolio, std::string& symbol,
                        core::Side& side) {
  std::string error;
  if (!(error = wire::read_text(f[kOrderId], kNames[kOrderId], order_id)).empty()) return error;
  if (!(error = wire::read_text(f[kPortfolio], kNames[kPortfolio], portfolio)).empty()) return error;
  if (!(error = wire::read_text(f[kSymbol], kNames[kSymbol], symbol)).empty()) return error;
  std::string word;
  if (!(error = wire::read_text(f[kSide], kNames[kSide], word)).empty()) return error;
  if (word == "buy") side = core::Side::buy;
  else if (word == "sell") side = core::Side::sell;
  else return "side must be buy or sell";
  return {};
}

// Fills `order` from the slots; returns an error text, empty on success.
std::string read_order(const Slots& f, core::Order& order) {
  std::string error = read_common(f, order.order_id, order.portfolio, order.symbol, order.side);
  if (!error.empty()) return error;

  if (!(error = wire::read_number(f[kQuantity], kNames[kQuantity], order.quantity)).empty()) return error;
  if (order.quantity <= 0) return "quantity must be > 0";

  std::string word;
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
  if (!(error = wire::read_time(f[kCreatedAt], kNames[kCreatedAt], order.created_at)).empty()) return error;
  if (f[kExpireAt] && !(error = wire::read_time(f[kExpireAt], kNames[kExpireAt], order.expire_at)).empty())
    return error;
  if (f[kAllocations]) return read_allocations(f[kAllocations], order.quantity, order.allocations);
  return {};
}

// Fills a cancel or replace request from the slots; returns an error text, empty on success.
std::string read_amendment(const Slots& f, core::OrderAmendment& a) {
  std::string error = read_common(f, a.order_id, a.portfolio, a.symbol, a.side);
  if (!error.empty()) return error;
  if (!(error = wire::read_text(f[kRequestId], kNames[kRequestId], a.request_id)).empty()) return error;
  if (a.action == core::AmendAction::replace) {
    if (!(error = wire::read_number(f[kQuantity], kNames[kQuantity], a.quantity)).empty()) return error;
    if (a.quantity <= 0) return "quantity must be > 0";
    if (!(error = wire::read_number(f[kLimitPrice], kNames[kLimitPrice], a.limit_price)).empty()) return error;
    if (a.limit_price <= 0) return "limit_price must be > 0";
  }
  return wire::read_time(f[kCreatedAt], kNames[kCreatedAt], a.created_at);
}

}  // namespace

DecodedFrame decode_order_frame(std::string_view json) {
  DecodedFrame result;
  Slots slots;
  result.error = wire::parse_fields(json, kNames, slots);
  if (result.error.empty()) {
    std::string action = "new";
    if (slots[kAction]) result.error = wire::read_text(slots[kAction], kNames[kAction], action);
    if (!result.error.empty()) {
      // reported below
    } else if (action == "new") {
      result.kind = FrameKind::order;
      result.error = read_order(slots, result.order);
    } else if (action == "cancel" || action == "replace") {
      result.kind = FrameKind::amendment;
      result.amendment.action = action == "cancel" ? core::AmendAction::cancel : core::AmendAction::replace;
      result.error = read_amendment(slots, result.amendment);
    } else {
      result.error = "action must be new, cancel or replace";
    }
  }
  result.ok = result.error.empty();
  if (!result.ok) {
    result.kind = FrameKind::order;
    result.order = core::Order{};
    result.amendment = core::OrderAmendment{};
  }
  return result;
}

DecodedOrder decode_order(std::string_view json) {
  DecodedFrame frame = decode_order_frame(json);
  DecodedOrder result;
  if (frame.ok && frame.kind == FrameKind::amendment) {
    result.error = frame.amendment.action == core::AmendAction::cancel ? "a cancel request, not a new order"
                                                                         : "a replace request, not a new order";
    return result;
  }
  result.ok = frame.ok;
  result.error = std::move(frame.error);
  result.order = std::move(frame.order);
  return result;
}

}  // namespace ballast::execution
