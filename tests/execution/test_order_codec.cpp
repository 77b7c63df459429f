#include "execution/io/order_codec.hpp"

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "core/time.hpp"

namespace test_order_codec {

using ballast::core::AmendAction;
using ballast::core::Order;
using ballast::core::OrderAmendment;
using ballast::core::OrderType;
using ballast::core::Side;
using ballast::execution::decode_order;
using ballast::execution::decode_order_frame;
using ballast::execution::DecodedFrame;
using ballast::execution::DecodedOrder;
using ballast::execution::encode_amendment;
using ballast::execution::encode_order;
using ballast::execution::FrameKind;
using ballast::execution::allocation_cost;
using ballast::execution::kAllocationsPerFrame;
using ballast::execution::kLotsPerAllocation;
using ballast::core::Allocation;
using ballast::core::NamedLot;

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
  CHECK(a.expire_at == b.expire_at);
  CHECK(a.allocations == b.allocations);
}

OrderAmendment spec_replace() {
  OrderAmendment a;
  a.action = AmendAction::replace;
  a.order_id = "main-20261123-000042";
  a.request_id = "main-20261123-000050";
  a.portfolio = "main";
  a.symbol = "SPY";
  a.side = Side::buy;
  a.quantity = 10;
  a.limit_price = 588.5;
  a.created_at = *ballast::core::parse_iso8601("2026-11-23T14:35:00.000Z");
  return a;
}

void check_same(const OrderAmendment& a, const OrderAmendment& b) {
  CHECK(a.action == b.action);
  CHECK(a.order_id == b.order_id);
  CHECK(a.request_id == b.request_id);
  CHECK(a.portfolio == b.portfolio);
  CHECK(a.symbol == b.symbol);
  CHECK(a.side == b.side);
  CHECK(a.quantity == b.quantity);
  CHECK(a.limit_price == b.limit_price);
  CHECK(a.created_at == b.created_at);
}

// A valid cancel (or replace, with quantity and limit_price) with one field's
// raw JSON replaced, or removed when `value` is empty.
std::string amendment_with(const std::string& action, const std::string& name, const std::string& value) {
  std::vector<std::pair<std::string, std::string>> base = {
      {"action", "\"" + action + "\""}, {"order_id", R"("o-1")"}, {"portfolio", R"("main")"},
      {"symbol", R"("SPY")"},           {"side", R"("sell")"},    {"request_id", R"("q-1")"},
      {"created_at", R"("2026-11-23T14:35:00Z")"}};
  if (action == "replace") {
    base.emplace_back("quantity", "8");
    base.emplace_back("limit_price", "590.25");
  }
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
    json += "\"" + key + "\":" + v;
  }
  REQUIRE(found);
  return json + "}";
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

TEST_CASE("an order with expire_at carries it in milliseconds and round-trips") {
  Order o = spec_order();
  o.order_type = OrderType::limit;
  o.limit_price = 588.0;
  o.expire_at = *ballast::core::parse_iso8601("2026-11-23T14:35:00.250Z");
  std::string json;
  encode_order(o, json);
  CHECK(json.find(R"("expire_at":"2026-11-23T14:35:00.250Z")") != std::string::npos);
  const DecodedOrder d = decode_order(json);
  REQUIRE(d.ok);
  check_same(d.order, o);
  json.clear();
  encode_order(spec_order(), json);
  CHECK(json.find("expire_at") == std::string::npos);
}

TEST_CASE("an order with \"action\":\"new\" is an ordinary order") {
  const DecodedFrame f = decode_order_frame(with_field("reason", R"("threshold","action":"new")"));
  REQUIRE(f.ok);
  CHECK(f.kind == FrameKind::order);
  CHECK(f.order.order_id == "o-1");
  const DecodedFrame plain = decode_order_frame(with_field("reason", R"("threshold")"));
  REQUIRE(plain.ok);
  CHECK(plain.kind == FrameKind::order);
}

TEST_CASE("cancel and replace requests are encoded as README shows and round-trip") {
  OrderAmendment replace = spec_replace();
  std::string json;
  encode_amendment(replace, json);
  CHECK(json ==
        R"({"action":"replace","order_id":"main-20261123-000042","portfolio":"main","symbol":"SPY","side":"buy",)"
        R"("quantity":10,"limit_price":588.5,"request_id":"main-20261123-000050",)"
        R"("created_at":"2026-11-23T14:35:00.000Z"})");
  OrderAmendment cancel = spec_replace();
  cancel.action = AmendAction::cancel;
  cancel.quantity = 0;
  cancel.limit_price = 0;
  cancel.side = Side::sell;
  cancel.symbol = "BTC \"spot\"";
  for (const OrderAmendment& a : {replace, cancel}) {
    json.clear();
    encode_amendment(a, json);
    CAPTURE(json);
    const DecodedFrame f = decode_order_frame(json);
    REQUIRE(f.ok);
    CHECK(f.kind == FrameKind::amendment);
    check_same(f.amendment, a);
    CHECK(f.order.order_id.empty());
  }
  json.clear();
  encode_amendment(cancel, json);
  CHECK(json.find("quantity") == std::string::npos);
  CHECK(json.find("limit_price") == std::string::npos);
}

TEST_CASE("a cancel ignores a quantity and a limit price; numbers may be strings") {
  const DecodedFrame c = decode_order_frame(amendment_with("cancel", "side", R"("sell","quantity":"x")"));
  REQUIRE(c.ok);
  CHECK(c.amendment.action == AmendAction::cancel);
  CHECK(c.amendment.quantity == 0);
  const DecodedFrame r = decode_order_frame(amendment_with("replace", "quantity", R"("7.5")"));
  REQUIRE(r.ok);
  CHECK(r.amendment.action == AmendAction::replace);
  CHECK(r.amendment.quantity == 7.5);
  CHECK(r.amendment.limit_price == 590.25);
  CHECK(r.amendment.side == Side::sell);
  CHECK(r.amendment.request_id == "q-1");
}

TEST_CASE("decode_order refuses cancel and replace frames with a reason") {
  for (const char* action : {"cancel", "replace"}) {
    const DecodedOrder d = decode_order(amendment_with(action, "order_id", R"("o-1")"));
    CHECK_FALSE(d.ok);
    CHECK(d.error.find(action) != std::string::npos);
    CHECK(d.order.order_id.empty());
  }
}

TEST_CASE("bad cancel and replace frames are refused with a reason") {
  struct Case {
    const char* name;
    std::string json;
  };
  const Case cases[] = {
      {"unknown action", amendment_with("cancel", "action", R"("amend")")},
      {"numeric action", amendment_with("cancel", "action", "1")},
      {"empty action", amendment_with("cancel", "action", R"("")")},
      {"cancel without order_id", amendment_with("cancel", "order_id", "")},
      {"cancel with empty order_id", amendment_with("cancel", "order_id", R"("")")},
      {"cancel without request_id", amendment_with("cancel", "request_id", "")},
      {"cancel with numeric request_id", amendment_with("cancel", "request_id", "7")},
      {"cancel without portfolio", amendment_with("cancel", "portfolio", "")},
      {"cancel without symbol", amendment_with("cancel", "symbol", "")},
      {"cancel without side", amendment_with("cancel", "side", "")},
      {"cancel with unknown side", amendment_with("cancel", "side", R"("short")")},
      {"cancel without created_at", amendment_with("cancel", "created_at", "")},
      {"cancel with malformed created_at", amendment_with("cancel", "created_at", R"("yesterday")")},
      {"replace without quantity", amendment_with("replace", "quantity", "")},
      {"replace with zero quantity", amendment_with("replace", "quantity", "0")},
      {"replace with negative quantity", amendment_with("replace", "quantity", "-2")},
      {"replace with NaN quantity", amendment_with("replace", "quantity", R"("NaN")")},
      {"replace without limit_price", amendment_with("replace", "limit_price", "")},
      {"replace with null limit_price", amendment_with("replace", "limit_price", "null")},
      {"replace with zero limit_price", amendment_with("replace", "limit_price", "0")},
      {"replace with limit_price as text", amendment_with("replace", "limit_price", R"("cheap")")},
      {"replace without request_id", amendment_with("replace", "request_id", "")},
      {"duplicate request_id", amendment_with("cancel", "request_id", R"("q-1","request_id":"q-2")")},
      {"duplicate action", amendment_with("cancel", "action", R"("cancel","action":"replace")")},
      {"new order with malformed expire_at", with_field("created_at", R"("2026-11-23T14:30:00Z","expire_at":"soon")")},
      {"new order with negative expire_at", with_field("created_at", R"("2026-11-23T14:30:00Z","expire_at":-1)")},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    CAPTURE(c.json);
    const DecodedFrame f = decode_order_frame(c.json);
    CHECK_FALSE(f.ok);
    CHECK_FALSE(f.error.empty());
    CHECK(f.amendment.order_id.empty());
    CHECK(f.order.order_id.empty());
  }
}

TEST_CASE("the cancel and replace fixture helpers build valid frames") {
  CHECK(decode_order_frame(amendment_with("cancel", "side", R"("buy")")).ok);
  CHECK(decode_order_frame(amendment_with("replace", "side", R"("buy")")).ok);
}

// ---- allocations of a block order ------------------------------------------

TEST_CASE("a block order carries its allocations after the other fields, and round-trips") {
  Order o = spec_order();
  o.quantity = 10;
  o.allocations = {{"a1", 3}, {"acct:7.b-c_d", 5}, {"z", 2}};
  std::string json;
  encode_order(o, json);
  CHECK(json ==
        R"({"order_id":"main-20261123-000042","portfolio":"main","symbol":"SPY","side":"buy","quantity":10,)"
        R"("order_type":"market","reference_price":589.12,"reason":"threshold",)"
        R"("rebalance_id":"main-20261123-000007","created_at":"2026-11-23T14:30:00.123Z",)"
        R"("allocations":[{"account":"a1","quantity":3},{"account":"acct:7.b-c_d","quantity":5},)"
        R"({"account":"z","quantity":2}]})");
  const DecodedOrder d = decode_order(json);
  REQUIRE(d.ok);
  check_same(d.order, o);

  // Fractional lots: 0.1 + 0.2 is 0.30000000000000004, which is 0.3 to the tolerance.
  o.quantity = 0.3;
  o.allocations = {{"a1", 0.1}, {"a2", 0.2}};
  json.clear();
  encode_order(o, json);
  const DecodedOrder fractional = decode_order(json);
  REQUIRE(fractional.ok);
  check_same(fractional.order, o);
}

TEST_CASE("an order without allocations is encoded exactly as before") {
  std::string json;
  encode_order(spec_order(), json);
  CHECK(json.find("allocations") == std::string::npos);
  const DecodedOrder d = decode_order(json);
  REQUIRE(d.ok);
  CHECK(d.order.allocations.empty());
  // null is the same as absent, as for every other field.
  const DecodedOrder null_allocations = decode_order(with_field("quantity", R"(12,"allocations":null)"));
  REQUIRE(null_allocations.ok);
  CHECK(null_allocations.order.allocations.empty());
}

TEST_CASE("allocations may give quantities as strings and carry other keys") {
  const DecodedOrder d = decode_order(with_field(
      "quantity", R"(12,"allocations":[{"quantity":"7.5","account":"b","note":1},{"account":"a","quantity":4.5}])"));
  REQUIRE(d.ok);
  CHECK(d.order.allocations == std::vector<Allocation>{{"b", 7.5}, {"a", 4.5}});
}

TEST_CASE("bad allocations are refused with a reason") {
  struct Case {
    const char* name;
    std::string allocations;
  };
  const std::string long_id(65, 'a');
  const Case cases[] = {
      {"not an array", R"({"account":"a","quantity":12})"},
      {"a string", R"("a:12")"},
      {"empty", "[]"},
      {"an entry not an object", R"([12])"},
      {"an entry null", R"([null])"},
      {"missing account", R"([{"quantity":12}])"},
      {"null account", R"([{"account":null,"quantity":12}])"},
      {"empty account", R"([{"account":"","quantity":12}])"},
      {"numeric account", R"([{"account":7,"quantity":12}])"},
      {"account of 65 characters", R"([{"account":")" + long_id + R"(","quantity":12}])"},
      {"account with a space", R"([{"account":"a b","quantity":12}])"},
      {"account with a slash", R"([{"account":"a/b","quantity":12}])"},
      {"account with an escaped quote", R"([{"account":"a\"b","quantity":12}])"},
      {"account with a non-ASCII letter", R"([{"account":"caf\u00e9","quantity":12}])"},
      {"missing quantity", R"([{"account":"a"}])"},
      {"zero quantity", R"([{"account":"a","quantity":0},{"account":"b","quantity":12}])"},
      {"negative quantity", R"([{"account":"a","quantity":-1},{"account":"b","quantity":13}])"},
      {"quantity NaN", R"([{"account":"a","quantity":"NaN"}])"},
      {"quantity infinite", R"([{"account":"a","quantity":"inf"}])"},
      {"quantity overflowing", R"([{"account":"a","quantity":1e400}])"},
      {"quantity as a boolean", R"([{"account":"a","quantity":true}])"},
      {"quantities short of the order's", R"([{"account":"a","quantity":5},{"account":"b","quantity":6}])"},
      {"quantities past the order's", R"([{"account":"a","quantity":5},{"account":"b","quantity":7.001}])"},
      {"an account twice", R"([{"account":"a","quantity":5},{"account":"b","quantity":2},{"account":"a","quantity":5}])"},
      {"a key twice in an entry", R"([{"account":"a","quantity":5,"quantity":12}])"},
      {"an account key twice", R"([{"account":"a","account":"b","quantity":12}])"},
      {"allocations twice", R"([{"account":"a","quantity":12}],"allocations":[{"account":"b","quantity":12}])"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    const std::string json = with_field("quantity", "12,\"allocations\":" + c.allocations);
    CAPTURE(json);
    const DecodedFrame f = decode_order_frame(json);
    CHECK_FALSE(f.ok);
    CHECK_FALSE(f.error.empty());
    CHECK(f.order.order_id.empty());
    CHECK(f.order.allocations.empty());
  }
  // The reasons name what is wrong.
  CHECK(decode_order(with_field("quantity", R"(12,"allocations":[{"account":"a","quantity":5}])")).error ==
        "allocations do not add up to quantity");
  CHECK(decode_order(with_field("quantity", R"(12,"allocations":[{"account":"a","quantity":6},{"account":"a","quantity":6}])"))
            .error == "allocations name account a twice");
  CHECK(decode_order(with_field("quantity", R"(12,"allocations":[{"account":"a","quantity":12},{"account":"a b","quantity":1}])"))
            .error == "allocations[1].account must be 1 to 64 letters, digits, '.', '_', ':' or '-'");
}

// ---- the lots a sell's allocation names -------------------------------------

TEST_CASE("a sell's allocation names its lots in the order they close, and round-trips") {
  Order o = spec_order();
  o.side = Side::sell;
  o.quantity = 10;
  // 2024-03-01 is day 19783 since 1970-01-01, 2023-06-15 day 19523.
  o.allocations = {{"a1", 3, {{7, 2, 19783}, {4294967295u, 0.5, 19523}}}, {"a2", 7}};
  std::string json;
  encode_order(o, json);
  CHECK(json.find(R"("allocations":[{"account":"a1","quantity":3,"lots":[)"
                  R"({"id":7,"quantity":2,"acquired":"2024-03-01"},)"
                  R"({"id":4294967295,"quantity":0.5,"acquired":"2023-06-15"}]},{"account":"a2","quantity":7}]})") !=
        std::string::npos);
  const DecodedOrder d = decode_order(json);
  REQUIRE_MESSAGE(d.ok, d.error);
  check_same(d.order, o);
  CHECK(d.order.allocations[0].lots == std::vector<NamedLot>{{7, 2, 19783}, {4294967295u, 0.5, 19523}});
  CHECK(d.order.allocations[1].lots.empty());
}

TEST_CASE("named lots may add up to the allocation, carry other keys, give a quantity as a string; null is absent") {
  const DecodedOrder ok = decode_order(with_field(
      "quantity", R"(12.5,"allocations":[{"account":"a","quantity":12,"lots":[)"
                  R"({"id":0,"quantity":"4","acquired":"1900-01-01","note":1},)"
                  R"({"acquired":"2024-02-29","quantity":8,"id":3}]},{"account":"b","quantity":0.5,"lots":null}])"));
  REQUIRE_MESSAGE(ok.ok, ok.error);
  CHECK(ok.order.allocations[0].lots == std::vector<NamedLot>{{0, 4, -25567}, {3, 8, 19782}});
  CHECK(ok.order.allocations[1].lots.empty());
}

TEST_CASE("bad named lots are refused with a reason") {
  struct Case {
    const char* name;
    std::string lots;
    const char* error;
  };
  const std::string fifty_one = [] {
    std::string s = "[";
    for (std::size_t i = 0; i <= kLotsPerAllocation; ++i) {
      if (i > 0) s += ',';
      s += R"({"id":)" + std::to_string(i) + R"(,"quantity":0.1,"acquired":"2024-03-01"})";
    }
    return s + "]";
  }();
  const Case cases[] = {
      {"not an array", R"({"id":1,"quantity":1,"acquired":"2024-03-01"})", "allocations[0].lots is not an array"},
      {"empty", "[]", "allocations[0].lots is empty"},
      {"more than kLotsPerAllocation", fifty_one, "allocations[0].lots has more than 50 entries"},
      {"an entry not an object", "[7]", "allocations[0].lots[0] is not an object"},
      {"an entry null", "[null]", "allocations[0].lots[0] is not an object"},
      {"missing id", R"([{"quantity":1,"acquired":"2024-03-01"}])", "missing allocations[0].lots[0].id"},
      {"null id", R"([{"id":null,"quantity":1,"acquired":"2024-03-01"}])", "missing allocations[0].lots[0].id"},
      {"negative id", R"([{"id":-1,"quantity":1,"acquired":"2024-03-01"}])",
       "allocations[0].lots[0].id must be a whole number from 0 to 4294967295"},
      {"id past 32 bits", R"([{"id":4294967296,"quantity":1,"acquired":"2024-03-01"}])",
       "allocations[0].lots[0].id must be a whole number from 0 to 4294967295"},
      {"fractional id", R"([{"id":7.5,"quantity":1,"acquired":"2024-03-01"}])",
       "allocations[0].lots[0].id must be a whole number from 0 to 4294967295"},
      {"id with a decimal point", R"([{"id":7.0,"quantity":1,"acquired":"2024-03-01"}])",
       "allocations[0].lots[0].id must be a whole number from 0 to 4294967295"},
      {"id as a string", R"([{"id":"7","quantity":1,"acquired":"2024-03-01"}])",
       "allocations[0].lots[0].id must be a whole number from 0 to 4294967295"},
      {"missing quantity", R"([{"id":1,"acquired":"2024-03-01"}])", "missing allocations[0].lots[0].quantity"},
      {"zero quantity", R"([{"id":1,"quantity":0,"acquired":"2024-03-01"}])",
       "allocations[0].lots[0].quantity must be > 0"},
      {"negative quantity", R"([{"id":1,"quantity":-2,"acquired":"2024-03-01"}])",
       "allocations[0].lots[0].quantity must be > 0"},
      {"quantity NaN", R"([{"id":1,"quantity":"NaN","acquired":"2024-03-01"}])",
       "allocations[0].lots[0].quantity is not finite"},
      {"quantity infinite", R"([{"id":1,"quantity":"inf","acquired":"2024-03-01"}])",
       "allocations[0].lots[0].quantity is not finite"},
      {"quantity overflowing", R"([{"id":1,"quantity":1e400,"acquired":"2024-03-01"}])", nullptr},
      {"missing acquired", R"([{"id":1,"quantity":1}])", "missing allocations[0].lots[0].acquired"},
      {"acquired as a number", R"([{"id":1,"quantity":1,"acquired":19783}])",
       "allocations[0].lots[0].acquired is not a string"},
      {"acquired as a timestamp", R"([{"id":1,"quantity":1,"acquired":"2024-03-01T00:00:00Z"}])",
       "allocations[0].lots[0].acquired must be a date YYYY-MM-DD"},
      {"acquired without padding", R"([{"id":1,"quantity":1,"acquired":"2024-3-1"}])",
       "allocations[0].lots[0].acquired must be a date YYYY-MM-DD"},
      {"acquired on a day its month lacks", R"([{"id":1,"quantity":1,"acquired":"2023-02-29"}])",
       "allocations[0].lots[0].acquired must be a date YYYY-MM-DD"},
      {"acquired in month 13", R"([{"id":1,"quantity":1,"acquired":"2024-13-01"}])",
       "allocations[0].lots[0].acquired must be a date YYYY-MM-DD"},
      {"acquired before 1900", R"([{"id":1,"quantity":1,"acquired":"1899-12-31"}])",
       "allocations[0].lots[0].acquired must be a date YYYY-MM-DD"},
      {"a key twice in a lot", R"([{"id":1,"id":2,"quantity":1,"acquired":"2024-03-01"}])",
       "allocations[0].lots[0] has a duplicate field id"},
      {"a lot twice",
       R"([{"id":1,"quantity":1,"acquired":"2024-03-01"},{"id":1,"quantity":1,"acquired":"2024-03-01"}])",
       "allocations[0].lots name lot 1 twice"},
      {"lots past the allocation's quantity",
       R"([{"id":1,"quantity":8,"acquired":"2024-03-01"},{"id":2,"quantity":4.001,"acquired":"2024-03-01"}])",
       "allocations[0].lots name more than its quantity"},
      {"lots given twice", R"([{"id":1,"quantity":1,"acquired":"2024-03-01"}],"lots":[])",
       "allocations[0] has a duplicate field lots"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    const std::string json =
        with_field("quantity", R"(12,"allocations":[{"account":"a","quantity":12,"lots":)" + c.lots + "}]");
    CAPTURE(json);
    const DecodedFrame f = decode_order_frame(json);
    CHECK_FALSE(f.ok);
    CHECK_FALSE(f.error.empty());
    if (c.error) CHECK(f.error == c.error);
    CHECK(f.order.allocations.empty());
  }
}

TEST_CASE("a frame's budget of allocations and named lots, each at its longest, fits with room to spare") {
  Order o = spec_order();
  o.side = Side::sell;
  o.quantity = 0;
  // Allocations of kLotsPerAllocation lots each, then single ones, up to the budget.
  std::size_t units = 0;
  for (std::size_t i = 0; units < kAllocationsPerFrame; ++i) {
    std::string id = std::to_string(i);
    id = std::string(64 - id.size(), 'x') + id;
    const bool room = units + allocation_cost(kLotsPerAllocation) <= kAllocationsPerFrame;
    const std::size_t named = room ? kLotsPerAllocation : 0;
    Allocation a{id, 0};
    for (std::size_t l = 0; l < named; ++l) {
      // Quantities printed with all 17 significant digits and an exponent.
      const double quantity = 1.2345678901234567e-200 * static_cast<double>(l + 1);
      a.lots.push_back(NamedLot{4294967295u - static_cast<std::uint32_t>(l), quantity, 376199});  // 2999-12-31
      a.quantity += a.lots.back().quantity;
    }
    if (named == 0) a.quantity = 1.2345678901234567e-200 * static_cast<double>(i + 1);
    o.quantity += a.quantity;
    units += allocation_cost(a.lots.size());
    o.allocations.push_back(std::move(a));
  }
  CHECK(units == kAllocationsPerFrame);
  std::string json;
  encode_order(o, json);
  CAPTURE(json.size());
  CHECK(json.size() <= 64 * 1024 - 6 * 1024);
  const DecodedOrder d = decode_order(json);
  REQUIRE_MESSAGE(d.ok, d.error);
  check_same(d.order, o);
}

TEST_CASE("account ids are 1 to 64 letters, digits, dots, underscores, colons and hyphens") {
  using ballast::core::is_valid_account_id;
  CHECK(is_valid_account_id("a"));
  CHECK(is_valid_account_id("HH-01:acct_7.b"));
  CHECK(is_valid_account_id(std::string(64, 'x')));
  CHECK_FALSE(is_valid_account_id(""));
  CHECK_FALSE(is_valid_account_id(std::string(65, 'x')));
  for (const char* bad : {"a b", "a/b", "a\"", "a,b", "a\nb", "caf\xc3\xa9", "a@b", "a+b"}) {
    CAPTURE(bad);
    CHECK_FALSE(is_valid_account_id(bad));
  }
}

TEST_CASE("kAllocationsPerFrame allocations with the longest ids fit one frame with room to spare") {
  Order o = spec_order();
  o.quantity = 0;
  for (std::size_t i = 0; i < kAllocationsPerFrame; ++i) {
    std::string id = std::to_string(i);
    id = std::string(64 - id.size(), 'x') + id;
    // Quantities printed with all 17 significant digits and an exponent.
    o.allocations.push_back(Allocation{id, 1.2345678901234567e-200 * static_cast<double>(i + 1)});
    o.quantity += o.allocations.back().quantity;
  }
  std::string json;
  encode_order(o, json);
  CAPTURE(json.size());
  CHECK(json.size() <= 64 * 1024 - 6 * 1024);
  const DecodedOrder d = decode_order(json);
  REQUIRE_MESSAGE(d.ok, d.error);
  check_same(d.order, o);
}

TEST_CASE("allocations past the frame's 64 KiB are refused like any oversized frame") {
  Order o = spec_order();
  o.quantity = 3000;
  for (int i = 0; i < 3000; ++i) o.allocations.push_back(Allocation{"account-" + std::to_string(i), 1});
  std::string json;
  encode_order(o, json);
  const DecodedOrder d = decode_order(json);
  CHECK_FALSE(d.ok);
  CHECK(d.error == "message over 64 KiB");
}

TEST_CASE("a cancel or a replace ignores allocations") {
  const DecodedFrame f =
      decode_order_frame(amendment_with("cancel", "side", R"("sell","allocations":[{"account":"a","quantity":1}])"));
  REQUIRE(f.ok);
  CHECK(f.kind == FrameKind::amendment);
}

}  // namespace test_order_codec
