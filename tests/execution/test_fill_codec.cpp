#include "execution/io/fill_codec.hpp"

#include <doctest/doctest.h>

#include <string>

#include "core/time.hpp"

namespace test_fill_codec {

using ballast::core::FillReport;
using ballast::core::FillStatus;
using ballast::core::TimeNs;
using ballast::execution::decode_fill;
using ballast::execution::DecodedFill;
using ballast::execution::encode_fill;

namespace {

constexpr TimeNs kReceived = 1'800'000'000'000'000'000;

FillReport sample() {
  FillReport f;
  f.order_id = "main-20261123-000042";
  f.status = FillStatus::filled;
  f.filled_quantity = 12;
  f.avg_price = 589.2;
  f.ts = *ballast::core::parse_iso8601("2026-11-23T14:30:01.250Z");
  return f;
}

}  // namespace

TEST_CASE("a fill is encoded as SPEC §4 shows, with an ISO-8601 ts") {
  std::string out;
  encode_fill(sample(), out);
  CHECK(out == R"({"order_id":"main-20261123-000042","status":"filled","filled_quantity":12,)"
               R"("avg_price":589.2,"ts":"2026-11-23T14:30:01.250Z"})");
}

TEST_CASE("fills round-trip for every status") {
  for (const FillStatus status :
       {FillStatus::filled, FillStatus::partially_filled, FillStatus::rejected, FillStatus::cancelled}) {
    FillReport f = sample();
    f.status = status;
    if (status == FillStatus::rejected) {
      f.filled_quantity = 0;
      f.avg_price = 0;
    }
    if (status == FillStatus::partially_filled) f.filled_quantity = 0.5;
    std::string json;
    encode_fill(f, json);
    CAPTURE(json);
    const DecodedFill d = decode_fill(json, kReceived);
    REQUIRE(d.ok);
    CHECK(d.fill.order_id == f.order_id);
    CHECK(d.fill.status == f.status);
    CHECK(d.fill.filled_quantity == f.filled_quantity);
    CHECK(d.fill.avg_price == f.avg_price);
    CHECK(d.fill.ts == f.ts);
  }
}

TEST_CASE("fill ts: absent means receipt, epoch seconds and strings are accepted") {
  DecodedFill d = decode_fill(R"({"order_id":"o","status":"filled","filled_quantity":1,"avg_price":2})", kReceived);
  REQUIRE(d.ok);
  CHECK(d.fill.ts == kReceived);
  d = decode_fill(R"({"order_id":"o","status":"filled","filled_quantity":"1","avg_price":"2","ts":1700000000.25})",
                  kReceived);
  REQUIRE(d.ok);
  CHECK(d.fill.ts == 1'700'000'000'250'000'000);
  CHECK(d.fill.filled_quantity == 1);
  CHECK(d.fill.avg_price == 2);
  d = decode_fill(R"({"order_id":"o","status":"filled","filled_quantity":1,"avg_price":2,"ts":"1700000000"})",
                  kReceived);
  REQUIRE(d.ok);
  CHECK(d.fill.ts == 1'700'000'000'000'000'000);
  d = decode_fill(R"({"order_id":"o","status":"filled","filled_quantity":1,"avg_price":2,"ts":null})", kReceived);
  REQUIRE(d.ok);
  CHECK(d.fill.ts == kReceived);
}

TEST_CASE("a rejection or an empty cancel may leave the quantities out") {
  DecodedFill d = decode_fill(R"({"order_id":"o","status":"rejected"})", kReceived);
  REQUIRE(d.ok);
  CHECK(d.fill.status == FillStatus::rejected);
  CHECK(d.fill.filled_quantity == 0);
  CHECK(d.fill.avg_price == 0);
  d = decode_fill(R"({"order_id":"o","status":"cancelled","filled_quantity":3,"avg_price":10.5})", kReceived);
  REQUIRE(d.ok);
  CHECK(d.fill.filled_quantity == 3);
  CHECK(d.fill.avg_price == 10.5);
}

TEST_CASE("bad fill reports are refused with a reason") {
  const std::pair<const char*, const char*> cases[] = {
      {"invalid JSON", R"({"order_id":"o",)"},
      {"not an object", R"("filled")"},
      {"trailing content", R"({"order_id":"o","status":"rejected"} 1)"},
      {"missing order_id", R"({"status":"rejected"})"},
      {"numeric order_id", R"({"order_id":7,"status":"rejected"})"},
      {"missing status", R"({"order_id":"o"})"},
      {"unknown status", R"({"order_id":"o","status":"done"})"},
      {"filled without quantity", R"({"order_id":"o","status":"filled","avg_price":1})"},
      {"filled with zero quantity", R"({"order_id":"o","status":"filled","filled_quantity":0,"avg_price":1})"},
      {"partial with zero quantity",
       R"({"order_id":"o","status":"partially_filled","filled_quantity":0,"avg_price":1})"},
      {"negative quantity", R"({"order_id":"o","status":"cancelled","filled_quantity":-1,"avg_price":1})"},
      {"quantity without a price", R"({"order_id":"o","status":"filled","filled_quantity":2})"},
      {"zero price with a quantity", R"({"order_id":"o","status":"filled","filled_quantity":2,"avg_price":0})"},
      {"negative price", R"({"order_id":"o","status":"rejected","avg_price":-1})"},
      {"NaN price", R"({"order_id":"o","status":"filled","filled_quantity":2,"avg_price":"NaN"})"},
      {"quantity not a number", R"({"order_id":"o","status":"filled","filled_quantity":"two","avg_price":1})"},
      {"quantity as an array", R"({"order_id":"o","status":"filled","filled_quantity":[2],"avg_price":1})"},
      {"malformed ts", R"({"order_id":"o","status":"rejected","ts":"2026-02-30"})"},
      {"negative ts", R"({"order_id":"o","status":"rejected","ts":-1})"},
      {"ts in milliseconds", R"({"order_id":"o","status":"rejected","ts":1700000000000})"},
      {"ts as a boolean", R"({"order_id":"o","status":"rejected","ts":false})"},
      {"duplicate status", R"({"order_id":"o","status":"rejected","status":"filled"})"},
  };
  for (const auto& c : cases) {
    const char* name = c.first;
    const char* json = c.second;
    CAPTURE(name);
    const DecodedFill d = decode_fill(json, kReceived);
    CHECK_FALSE(d.ok);
    CHECK_FALSE(d.error.empty());
    CHECK(d.fill.order_id.empty());
  }
}

}  // namespace test_fill_codec
