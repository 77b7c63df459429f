#include "execution/io/fill_codec.hpp"

#include <array>

#include "core/json_writer.hpp"
#include "execution/io/wire_json.hpp"

namespace ballast::execution {

void encode_fill(const core::FillReport& fill, std::string& out) {
  core::JsonWriter w(out);
  w.begin_object()
      .field("order_id", fill.order_id)
      .field("status", core::to_string(fill.status))
      .field("filled_quantity", fill.filled_quantity)
      .field("avg_price", fill.avg_price)
      .field("ts", core::format_iso8601(fill.ts))
      .end_object();
}

namespace {

enum FillField : std::size_t {
  kFillOrderId,
  kFillStatus,
  kFillFilledQuantity,
  kFillAvgPrice,
  kFillTs,
  kFillFieldCount
};
constexpr std::array<std::string_view, kFillFieldCount> kFillNames{"order_id", "status", "filled_quantity", "avg_price",
                                                                   "ts"};

std::string read_fill(const std::array<wire::Slot, kFillFieldCount>& f, core::TimeNs received_at,
                      core::FillReport& fill) {
  std::string error;
  if (!(error = wire::read_text(f[kFillOrderId], kFillNames[kFillOrderId], fill.order_id)).empty()) return error;

  std::string word;
  if (!(error = wire::read_text(f[kFillStatus], kFillNames[kFillStatus], word)).empty()) return error;
  if (word == "filled") fill.status = core::FillStatus::filled;
  else if (word == "partially_filled") fill.status = core::FillStatus::partially_filled;
  else if (word == "rejected") fill.status = core::FillStatus::rejected;
  else if (word == "cancelled") fill.status = core::FillStatus::cancelled;
  else return "status must be filled, partially_filled, rejected or cancelled";

  // A rejection, or a cancel before any fill, may leave the quantities out; a
  // report that claims a fill must say how much and at what price.
  const bool claims_fill =
      fill.status == core::FillStatus::filled || fill.status == core::FillStatus::partially_filled;
  fill.filled_quantity = 0;
  if (f[kFillFilledQuantity] || claims_fill) {
    if (!(error = wire::read_number(f[kFillFilledQuantity], kFillNames[kFillFilledQuantity], fill.filled_quantity))
             .empty())
      return error;
    if (fill.filled_quantity < 0) return "filled_quantity must be >= 0";
  }
  if (claims_fill && fill.filled_quantity == 0) return "filled_quantity must be > 0 for " + word;

  fill.avg_price = 0;
  if (f[kFillAvgPrice] || fill.filled_quantity > 0) {
    if (!(error = wire::read_number(f[kFillAvgPrice], kFillNames[kFillAvgPrice], fill.avg_price)).empty()) return error;
    if (fill.avg_price < 0) return "avg_price must be >= 0";
  }
  if (fill.filled_quantity > 0 && fill.avg_price == 0) return "avg_price must be > 0 when filled_quantity > 0";

  fill.ts = received_at;
  if (f[kFillTs]) return wire::read_time(f[kFillTs], kFillNames[kFillTs], fill.ts);
  return {};
}

}  // namespace

DecodedFill decode_fill(std::string_view json, core::TimeNs received_at) {
  DecodedFill result;
  std::array<wire::Slot, kFillFieldCount> slots;
  result.error = wire::parse_fields(json, kFillNames, slots);
  if (result.error.empty()) result.error = read_fill(slots, received_at, result.fill);
  result.ok = result.error.empty();
  if (!result.ok) result.fill = core::FillReport{};
  return result;
}

}  // namespace ballast::execution
