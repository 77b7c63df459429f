#include "execution/io/order_codec.hpp"

#include <doctest/doctest.h>

#include <string>

#include "core/time.hpp"

using ballast::core::Order;
using ballast::core::OrderType;
using ballast::core::Side;
using ballast::execution::decode_order;
using ballast::execution::DecodedOrder;
using ballast::execution::encode_order;

namespace {

Order spec_order() {
  Order o;
  o.order_id = "main-20261123-000042";
  o.portfolio = "main";
  o.symbol = "SPY";
  o.side = Side::buy;
  o.quantity = 12;
  o.order_type = OrderType::market;
  o.reference_price = 589.12;
  o.reason = "threshold";
  o.rebalance_id = "main-20261123-000007";
  o.created_at = *ballast::core::parse_iso8601("2026-11-23T14:30:00.123Z");
  return o;
}

void check_same(const Order& a, const Order& b) {
  CHECK(a.order_id == b.order_id);
  CHECK(a.portfolio == b.portfolio);
  CHECK(a.symbol == b.symbol);
  CHECK(a.side == b.side);
  CHECK(a.quantity == b.quantity);
  CHECK(a.order_type == b.order_type);
  CHECK(a.limit_price == b.limit_price);
  CHECK(a.reference_price == b.reference_price);
  CHECK(a.reason == b.reason);
  CHECK(a.rebalance_id == b.rebalance_id);
  CHECK(a.created_at == b.created_at);
}

// A valid order with one field's raw JSON replaced, or removed when `value` is empty.
std::string with_field(const std::string& name, const std::string& value) {
  const std::pair<const char*, const char*> base[] = {
      {"order_id", R"("o-1")"},       {"portfolio", R"("main")"},           {"symbol", R"("SPY")"},
      {"side", R"("buy")"},           {"quantity", "12"},                   {"order_type", R"("market")"},
      {"reference_price", "589.12"},  {"reason", R"("threshold")"},         {"rebalance_id", R"("r-1")"},
      {"created_at", R"("2026-11-23T14:30:00.123Z")"}};
  std::string json = "{";
  bool found = false;
  for (const auto& [key, raw] : base) {
    std::string v = raw;
    if (name == key) {
      found = true;
      v = value;
    }
    if (v.empty()) continue;
    if (json.size() > 1) json += ",";
    json += "\"" + std::string(key) + "\":" + v;
  }
  REQUIRE(found);
  return json + "}";
}

}  // namespace

TEST_CASE("a market order is encoded as SPEC §3 shows") {
  std::string out;
  encode_order(spec_order(), out);
  CHECK(out ==
        R"({"order_id":"main-20261123-000042","portfolio":"main","symbol":"SPY","side":"buy","quantity":12,)"
        R"("order_type":"market","reference_price":589.12,"reason":"threshold",)"
        R"("rebalance_id":"main-20261123-000007","created_at":"2026-11-23T14:30:00.123Z"})");
}

TEST_CASE("orders round-trip: market and limit, fractional lots, escapes") {
  Order market = spec_order();
  Order limit = spec_order();
  limit.order_id = "main-20261123-000043";
  limit.side = Side::sell;
  limit.symbol = "BTC \"spot\"";
  limit.quantity = 0.001;
  limit.order_type = OrderType::limit;
  limit.limit_price = 37123.45;
  for (const Order& o : {market, limit}) {
    std::string json;
    encode_order(o, json);
    CAPTURE(json);
    const DecodedOrder d = decode_order(json);
    REQUIRE(d.ok);
    CHECK(d.error.empty());
    check_same(d.order, o);
  }
  std::string json;
  encode_order(market, json);
  CHECK(json.find("limit_price") == std::string::npos);
  json.clear();
  encode_order(limit, json);
  CHECK(json.find(R"("limit_price":37123.45)") != std::string::npos);
}

TEST_CASE("orders with huge numbers round-trip through the project's own decoder") {
  Order o = spec_order();
  o.quantity = 5.7e11;
  o.reference_price = 1.2345678901234567e20;
  std::string wire;
  encode_order(o, wire);
  const DecodedOrder back = decode_order(wire);
  CAPTURE(wire);
  REQUIRE(back.ok);
  check_same(o, back.order);
}

TEST_CASE("encoding appends to what the buffer already holds") {
  std::string out = "x";
  encode_order(spec_order(), out);
  CHECK(out.rfind("x{\"order_id\"", 0) == 0);
}

TEST_CASE("decoding accepts numbers as strings, epoch seconds and unknown fields") {
  const DecodedOrder d = decode_order(
      R"({"order_id":"o-1","portfolio":"main","symbol":"SPY","side":"sell","quantity":"12.5",)"
      R"("order_type":"limit","limit_price":"590","reference_price":"589.12","reason":"manual",)"
      R"("rebalance_id":"r-1","created_at":1700000000.5,"comment":{"any":["thing"]}})");
  REQUIRE(d.ok);
  CHECK(d.order.side == Side::sell);
  CHECK(d.order.quantity == 12.5);
  CHECK(d.order.order_type == OrderType::limit);
  CHECK(d.order.limit_price == 590);
  CHECK(d.order.reference_price == 589.12);
  CHECK(d.order.created_at == 1'700'000'000'500'000'000);
}

TEST_CASE("a limit price on a market order is ignored") {
  const DecodedOrder d = decode_order(with_field("order_type", R"("market","limit_price":5)"));
  REQUIRE(d.ok);
  CHECK(d.order.limit_price == 0);
}

TEST_CASE("bad orders are refused with a reason") {
  struct Case {
    const char* name;
    std::string json;
  };
  const Case cases[] = {
      {"invalid JSON", R"({"order_id": )"},
      {"not an object", R"(["o-1"])"},
      {"trailing content", with_field("reason", R"("threshold")") + " {}"},
      {"missing order_id", with_field("order_id", "")},
      {"empty order_id", with_field("order_id", R"("")")},
      {"numeric order_id", with_field("order_id", "42")},
      {"missing portfolio", with_field("portfolio", "")},
      {"missing symbol", with_field("symbol", "")},
      {"unknown side", with_field("side", R"("hold")")},
      {"zero quantity", with_field("quantity", "0")},
      {"negative quantity", with_field("quantity", "-3")},
      {"quantity not a number", with_field("quantity", R"("a dozen")")},
      {"quantity as a boolean", with_field("quantity", "true")},
      {"quantity NaN", with_field("quantity", R"("NaN")")},
      {"quantity overflowing", with_field("quantity", "1e400")},
      {"missing quantity", with_field("quantity", "")},
      {"unknown order_type", with_field("order_type", R"("stop")")},
      {"limit without limit_price", with_field("order_type", R"("limit")")},
      {"limit with zero limit_price", with_field("order_type", R"("limit","limit_price":0)")},
      {"limit with null limit_price", with_field("order_type", R"("limit","limit_price":null)")},
      {"missing reference_price", with_field("reference_price", "")},
      {"negative reference_price", with_field("reference_price", "-1")},
      {"missing reason", with_field("reason", "")},
      {"missing rebalance_id", with_field("rebalance_id", "")},
      {"missing created_at", with_field("created_at", "")},
      {"malformed created_at", with_field("created_at", R"("2026-11-31T00:00:00Z")")},
      {"negative created_at", with_field("created_at", "-5")},
      {"duplicate field", with_field("side", R"("buy","side":"sell")")},
      {"oversized", with_field("reason", "\"" + std::string(70'000, 'x') + "\"")},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    CAPTURE(c.json);
    const DecodedOrder d = decode_order(c.json);
    CHECK_FALSE(d.ok);
    CHECK_FALSE(d.error.empty());
    CHECK(d.order.order_id.empty());
  }
}

TEST_CASE("the fixture helper builds a valid order") {
  CHECK(decode_order(with_field("reason", R"("calendar")")).ok);
  CHECK(decode_order(with_field("created_at", R"("2026-11-23T14:30:00.123Z")")).ok);
}
