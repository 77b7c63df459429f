#include "offline/orders_csv.hpp"

#include "core/time.hpp"
#include "offline/csv_text.hpp"

namespace ballast::offline {

std::string_view orders_csv_header() {
  return "order_id,portfolio,rebalance_id,time,symbol,side,quantity,price,reason\n";
}

void append_order_csv(std::string& out, const core::Order& o) {
  append_csv_field(out, o.order_id);
  out += ',';
  append_csv_field(out, o.portfolio);
  out += ',';
  append_csv_field(out, o.rebalance_id);
  out += ',';
  out += core::format_iso8601(o.created_at);
  out += ',';
  append_csv_field(out, o.symbol);
  out += ',';
  out += core::to_string(o.side);
  out += ',';
  append_csv_number(out, o.quantity);
  out += ',';
  append_csv_number(out, o.reference_price);
  out += ',';
  append_csv_field(out, o.reason);
  out += '\n';
}

}  // namespace ballast::offline
