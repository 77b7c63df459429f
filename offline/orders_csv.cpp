#include "offline/orders_csv.hpp"

#include "core/json_writer.hpp"
#include "core/time.hpp"

namespace ballast::offline {
namespace {

void append_field(std::string& out, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += s;
    return;
  }
  out += '"';
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_number(std::string& out, double d) {
  std::string n;
  core::append_json_number(n, d);
  if (n != "null") out += n;
}

}  // namespace

std::string_view orders_csv_header() {
  return "order_id,portfolio,rebalance_id,time,symbol,side,quantity,price,reason\n";
}

void append_order_csv(std::string& out, const core::Order& o) {
  append_field(out, o.order_id);
  out += ',';
  append_field(out, o.portfolio);
  out += ',';
  append_field(out, o.rebalance_id);
  out += ',';
  out += core::format_iso8601(o.created_at);
  out += ',';
  append_field(out, o.symbol);
  out += ',';
  out += core::to_string(o.side);
  out += ',';
  append_number(out, o.quantity);
  out += ',';
  append_number(out, o.reference_price);
  out += ',';
  append_field(out, o.reason);
  out += '\n';
}

}  // namespace ballast::offline
