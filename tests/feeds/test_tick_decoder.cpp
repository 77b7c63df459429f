#include "feeds/tick_decoder.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>

namespace test_tick_decoder {

using ballast::core::FeedFormat;
using ballast::core::Framing;
using ballast::core::RejectReason;
using ballast::core::TimeNs;
using ballast::feeds::DecodeResult;
using ballast::feeds::TickDecoder;

namespace {

constexpr TimeNs kReceived = 1'800'000'000'000'000'000;  // 2027-01-15
constexpr TimeNs kSecond = 1'000'000'000;

FeedFormat multipart() { return FeedFormat{}; }

FeedFormat topic_json() {
  FeedFormat f;
  f.framing = Framing::topic_json;
  return f;
}

}  // namespace

TEST_CASE("multipart: symbol from the topic, price and ts from the object") {
  TickDecoder d(multipart());
  const DecodeResult r = d.decode("SPY", R"({"price": 589.12, "ts": 1700000000})", kReceived);
  REQUIRE(r.ok());
  CHECK(r.detail.empty());
  CHECK(r.symbol == "SPY");
  CHECK(r.price == 589.12);
  CHECK(r.ts == 1'700'000'000 * kSecond);
  CHECK(r.ts_from_message);
  CHECK(std::isnan(r.bid));
  CHECK(std::isnan(r.ask));
}

TEST_CASE("the symbol field wins over the topic") {
  TickDecoder d(multipart());
  const DecodeResult r = d.decode("prices", R"({"symbol": "AGG", "price": 98.5})", kReceived);
  REQUIRE(r.ok());
  CHECK(r.symbol == "AGG");
}

TEST_CASE("an absent ts means the time of receipt") {
  TickDecoder d(multipart());
  const DecodeResult r = d.decode("SPY", R"({"price": 1})", kReceived);
  REQUIRE(r.ok());
  CHECK(r.ts == kReceived);
  CHECK_FALSE(r.ts_from_message);
}

TEST_CASE("fractional epoch seconds keep their fraction exactly") {
  TickDecoder d(multipart());
  DecodeResult r = d.decode("SPY", R"({"price": 1, "ts": 1700000000.25})", kReceived);
  REQUIRE(r.ok());
  CHECK(r.ts == 1'700'000'000'250'000'000);
  r = d.decode("SPY", R"({"price": 1, "ts": 1700000000.000001})", kReceived);
  REQUIRE(r.ok());
  CHECK(std::llabs(r.ts - 1'700'000'000'000'001'000) < 1000);
}

TEST_CASE("ISO-8601 timestamps: Z, offsets and fractions") {
  TickDecoder d(multipart());
  DecodeResult r = d.decode("SPY", R"({"price": 1, "ts": "2023-11-14T22:13:20Z"})", kReceived);
  REQUIRE(r.ok());
  CHECK(r.ts == 1'700'000'000 * kSecond);
  CHECK(r.ts_from_message);

  r = d.decode("SPY", R"({"price": 1, "ts": "2023-11-14T23:13:20+01:00"})", kReceived);
  REQUIRE(r.ok());
  CHECK(r.ts == 1'700'000'000 * kSecond);

  r = d.decode("SPY", R"({"price": 1, "ts": "2023-11-14T22:13:20.123456789Z"})", kReceived);
  REQUIRE(r.ok());
  CHECK(r.ts == 1'700'000'000 * kSecond + 123'456'789);
}

TEST_CASE("numbers may arrive as JSON strings") {
  TickDecoder d(multipart());
  const DecodeResult r = d.decode("SPY", R"({"price": "189.23", "ts": "1700000000.5"})", kReceived);
  REQUIRE(r.ok());
  CHECK(r.price == 189.23);
  CHECK(r.ts == 1'700'000'000'500'000'000);
}

TEST_CASE("without a price the mid of bid and ask is used, and the quote is kept") {
  TickDecoder d(multipart());
  const DecodeResult r = d.decode("EURUSD", R"({"bid": 1.0850, "ask": "1.0852"})", kReceived);
  REQUIRE(r.ok());
  CHECK(r.price == doctest::Approx(1.0851).epsilon(1e-12));
  CHECK(r.bid == 1.0850);
  CHECK(r.ask == 1.0852);
}

TEST_CASE("an explicit price wins over bid and ask; a crossed quote beside it is not reported") {
  TickDecoder d(multipart());
  DecodeResult r = d.decode("X", R"({"price": 10, "bid": 9, "ask": 11})", kReceived);
  REQUIRE(r.ok());
  CHECK(r.price == 10);
  CHECK(r.bid == 9);
  CHECK(r.ask == 11);
  r = d.decode("X", R"({"price": 10, "bid": 11, "ask": 9})", kReceived);
  REQUIRE(r.ok());
  CHECK(r.price == 10);
  CHECK(std::isnan(r.bid));
  CHECK(std::isnan(r.ask));
}

TEST_CASE("field names can be remapped") {
  FeedFormat f;
  f.fields.symbol = "sym";
  f.fields.price = "last";
  f.fields.ts = "time";
  TickDecoder d(f);
  DecodeResult r = d.decode("ignored", R"({"sym": "QQQ", "last": 401.5, "time": 1700000001, "price": "junk"})",
                            kReceived);
  REQUIRE(r.ok());
  CHECK(r.symbol == "QQQ");
  CHECK(r.price == 401.5);
  CHECK(r.ts == 1'700'000'001 * kSecond);
  // The default names are ordinary unknown fields now.
  r = d.decode("QQQ", R"({"price": 5})", kReceived);
  CHECK(r.reject == RejectReason::malformed);
}

TEST_CASE("the symbols map renames feed symbols, from the field and from the topic") {
  FeedFormat f;
  f.symbols = {{"BTC-USD", "BTC"}, {"ETH-USD", "ETH"}};
  TickDecoder d(f);
  DecodeResult r = d.decode("x", R"({"symbol": "BTC-USD", "price": 37000})", kReceived);
  REQUIRE(r.ok());
  CHECK(r.symbol == "BTC");
  r = d.decode("ETH-USD", R"({"price": 2000})", kReceived);
  REQUIRE(r.ok());
  CHECK(r.symbol == "ETH");
  r = d.decode("SOL-USD", R"({"price": 60})", kReceived);
  REQUIRE(r.ok());
  CHECK(r.symbol == "SOL-USD");
}

TEST_CASE("collector-style topic-json frames with a remapped timestamp") {
  FeedFormat f = topic_json();
  f.fields.ts = "timestamp";
  f.symbols = {{"BTC-USD", "BTC"}};
  TickDecoder d(f);
  const DecodeResult r = d.decode_frame(
      R"(COINBASE-ticker-BTC-USD {"exchange":"COINBASE","symbol":"BTC-USD","bid":"100.5","ask":"100.7","timestamp":1700000000.25})",
      kReceived);
  REQUIRE(r.ok());
  CHECK(r.symbol == "BTC");
  CHECK(r.price == doctest::Approx(100.6).epsilon(1e-12));
  CHECK(r.bid == 100.5);
  CHECK(r.ask == 100.7);
  CHECK(r.ts == 1'700'000'000'250'000'000);
  CHECK(r.ts_from_message);
}

TEST_CASE("topic-json falls back to the topic for the symbol") {
  TickDecoder d(topic_json());
  const DecodeResult r = d.decode_frame(R"(SPY {"price": 500})", kReceived);
  REQUIRE(r.ok());
  CHECK(r.symbol == "SPY");
  CHECK(r.price == 500);
}

TEST_CASE("a topic-derived symbol outlives the caller's frame until the next decode") {
  TickDecoder d(topic_json());
  DecodeResult r;
  {
    std::string frame = R"(VTI {"price": 250})";
    r = d.decode_frame(frame, kReceived);
    frame.assign(frame.size(), 'x');
  }
  REQUIRE(r.ok());
  CHECK(r.symbol == "VTI");
}

TEST_CASE("null fields count as absent") {
  TickDecoder d(multipart());
  DecodeResult r = d.decode("SPY", R"({"symbol": null, "price": 3, "bid": null, "ask": null, "ts": null})", kReceived);
  REQUIRE(r.ok());
  CHECK(r.symbol == "SPY");
  CHECK(r.ts == kReceived);
  r = d.decode("SPY", R"({"price": null, "bid": 1, "ask": 3})", kReceived);
  REQUIRE(r.ok());
  CHECK(r.price == 2);
}

TEST_CASE("unknown fields are ignored, nested or not; escapes in the symbol are decoded") {
  TickDecoder d(multipart());
  const DecodeResult r = d.decode(
      "", R"({"meta": {"venue": ["X", 1, 2.5e3, true, false, null, {"deep": [[]]}]}, "symbol": "B\u0054C", "price": 1})",
      kReceived);
  REQUIRE(r.ok());
  CHECK(r.symbol == "BTC");
}

TEST_CASE("whitespace around the object is allowed in both framings") {
  TickDecoder d(multipart());
  CHECK(d.decode("SPY", " \t{\"price\": 1}\r\n", kReceived).ok());
  TickDecoder t(topic_json());
  const DecodeResult r = t.decode_frame("SPY   {\"price\": 1}\n", kReceived);
  REQUIRE(r.ok());
  CHECK(r.symbol == "SPY");
}

TEST_CASE("a message of exactly 64 KiB is still decoded") {
  TickDecoder d(multipart());
  std::string json = R"({"price": 1, "pad": ")";
  const std::string tail = R"("})";
  const std::string topic = "SPY";
  json.append(TickDecoder::kMaxMessageBytes - topic.size() - json.size() - tail.size(), 'a');
  json += tail;
  REQUIRE(json.size() + topic.size() == TickDecoder::kMaxMessageBytes);
  CHECK(d.decode(topic, json, kReceived).ok());
  json.insert(json.size() - 2, "a");
  const DecodeResult r = d.decode(topic, json, kReceived);
  CHECK(r.reject == RejectReason::malformed);
  CHECK(r.detail == "message over 64 KiB");
}

TEST_CASE("malformed messages") {
  TickDecoder d(multipart());
  struct Case {
    const char* name;
    std::string topic;
    std::string json;
  };
  const Case cases[] = {
      {"invalid JSON", "SPY", R"({"price": })"},
      {"empty input", "SPY", ""},
      {"unterminated object", "SPY", R"({"price": 1)"},
      {"not an object: array", "SPY", R"([1, 2])"},
      {"not an object: number", "SPY", "42"},
      {"not an object: string", "SPY", R"("SPY")"},
      {"trailing garbage", "SPY", R"({"price": 1} x)"},
      {"a second object", "SPY", R"({"price": 1} {"price": 2})"},
      {"trailing comma", "SPY", R"({"price": 1,})"},
      {"missing price", "SPY", R"({"ts": 1700000000})"},
      {"only a bid", "SPY", R"({"bid": 1})"},
      {"price of the wrong type", "SPY", R"({"price": true})"},
      {"price as an object", "SPY", R"({"price": {"v": 1}})"},
      {"symbol of the wrong type", "SPY", R"({"symbol": 42, "price": 1})"},
      {"empty symbol", "SPY", R"({"symbol": "", "price": 1})"},
      {"no symbol at all", "", R"({"price": 1})"},
      {"a number string that is not a number", "SPY", R"({"price": "12abc"})"},
      {"an empty number string", "SPY", R"({"price": ""})"},
      {"a padded number string", "SPY", R"({"price": " 12"})"},
      {"bid that is not a number", "SPY", R"({"bid": "x", "ask": 2})"},
      {"negative ts", "SPY", R"({"price": 1, "ts": -1})"},
      {"ts in milliseconds", "SPY", R"({"price": 1, "ts": 1700000000000})"},
      {"ts before 1970", "SPY", R"({"price": 1, "ts": "1969-12-31T23:59:59Z"})"},
      {"ts after year 3000", "SPY", R"({"price": 1, "ts": "3000-01-01T00:00:00Z"})"},
      {"ts beyond 64-bit nanoseconds", "SPY", R"({"price": 1, "ts": "2500-01-01T00:00:00Z"})"},
      {"malformed ISO ts", "SPY", R"({"price": 1, "ts": "2023-13-01T00:00:00Z"})"},
      {"ISO ts with garbage", "SPY", R"({"price": 1, "ts": "2023-11-14T22:13:20Zulu"})"},
      {"words as ts", "SPY", R"({"price": 1, "ts": "yesterday"})"},
      {"ts as a boolean", "SPY", R"({"price": 1, "ts": true})"},
      {"duplicate price", "SPY", R"({"price": 1, "price": 2})"},
      {"broken atom in an ignored field", "SPY", R"({"x": tru, "price": 1})"},
      {"broken array in an ignored field", "SPY", R"({"x": [1, 2,], "price": 1})"},
      {"leading zero", "SPY", R"({"price": 01})"},
      {"invalid UTF-8", "SPY", "{\"x\": \"\xff\", \"price\": 1}"},
      {"bad escape", "SPY", R"({"symbol": "\q", "price": 1})"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    const DecodeResult r = d.decode(c.topic, c.json, kReceived);
    CHECK(r.reject == RejectReason::malformed);
    CHECK_FALSE(r.detail.empty());
  }
}

TEST_CASE("an empty message that points nowhere is malformed") {
  // An empty view may have no storage at all (a null data pointer).
  TickDecoder d(multipart());
  const DecodeResult r = d.decode("SPY", std::string_view{}, kReceived);
  CHECK(r.reject == RejectReason::malformed);
  CHECK_FALSE(r.detail.empty());
}

TEST_CASE("a message is judged the same whatever message came before it") {
  // The decoder reuses one buffer; what a longer message left past the end of
  // this one must not be read as part of it.
  const std::string json = R"({"price": 1, "ts": 1700000000}})";
  TickDecoder fresh(multipart());
  const DecodeResult expected = fresh.decode("SPY", json, kReceived);
  REQUIRE(expected.reject == RejectReason::malformed);
  for (const char left : {'}', ']', '"', '9', ' ', 'x'}) {
    CAPTURE(left);
    TickDecoder used(multipart());
    static_cast<void>(used.decode("SPY", json + std::string(64, left), kReceived));
    const DecodeResult r = used.decode("SPY", json, kReceived);
    CHECK(r.reject == expected.reject);
    CHECK(r.detail == expected.detail);
  }
}

TEST_CASE("deeply nested ignored values are malformed, not a stack overflow") {
  TickDecoder d(multipart());
  std::string json = R"({"x": )" + std::string(5000, '[') + std::string(5000, ']') + R"(, "price": 1})";
  CHECK(d.decode("SPY", json, kReceived).reject == RejectReason::malformed);
  json = R"({"x": )" + std::string(20, '[') + std::string(20, ']') + R"(, "price": 1})";
  CHECK(d.decode("SPY", json, kReceived).ok());
}

TEST_CASE("topic-json frames without a space are malformed") {
  TickDecoder d(topic_json());
  DecodeResult r = d.decode_frame(R"(SPY{"price":1})", kReceived);
  CHECK(r.reject == RejectReason::malformed);
  r = d.decode_frame("", kReceived);
  CHECK(r.reject == RejectReason::malformed);
  r = d.decode_frame(std::string(TickDecoder::kMaxMessageBytes + 1, ' '), kReceived);
  CHECK(r.reject == RejectReason::malformed);
}

TEST_CASE("unusable prices are bad_price") {
  TickDecoder d(multipart());
  const std::pair<const char*, const char*> cases[] = {
      {"zero", R"({"price": 0})"},
      {"negative", R"({"price": -5})"},
      {"negative zero", R"({"price": -0.0})"},
      {"NaN as a string", R"({"price": "NaN"})"},
      {"infinity as a string", R"({"price": "inf"})"},
      {"overflowing number", R"({"price": 1e400})"},
      {"overflowing number before more fields", R"({"price": -1e400 , "ts": 1700000000})"},
      {"overflowing number string", R"({"price": "1e400"})"},
      {"crossed quote", R"({"bid": 101, "ask": 100})"},
      {"zero bid", R"({"bid": 0, "ask": 100})"},
      {"negative ask", R"({"bid": 1, "ask": -1})"},
  };
  for (const auto& c : cases) {
    const char* name = c.first;
    const char* json = c.second;
    CAPTURE(name);
    const DecodeResult r = d.decode("SPY", json, kReceived);
    CHECK(r.reject == RejectReason::bad_price);
    CHECK(r.symbol == "SPY");
  }
}

TEST_CASE("a decoder survives arbitrary mutations of a valid message") {
  TickDecoder d(topic_json());
  const std::string good =
      R"(COINBASE-ticker-BTC-USD {"exchange":"COINBASE","symbol":"BTC-USD","bid":"100.5","ask":"100.7","ts":"2023-11-14T22:13:20.5Z","x":[1,{"y":null}]})";
  std::mt19937 rng(12345);
  const char alphabet[] = "{}[]\",:. -+eE0123456789aZnulltrufsx\\\xff";
  int ok = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string frame = good;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t pos = rng() % frame.size();
      switch (rng() % 3) {
        case 0: frame[pos] = alphabet[rng() % (sizeof alphabet - 1)]; break;
        case 1: frame.erase(pos, 1 + rng() % 3); break;
        default: frame.insert(pos, 1, alphabet[rng() % (sizeof alphabet - 1)]); break;
      }
      if (frame.empty()) frame = "x";
    }
    const DecodeResult r = d.decode_frame(frame, kReceived);
    if (r.ok()) {
      ++ok;
      CHECK(std::isfinite(r.price));
      CHECK(r.price > 0);
      CHECK_FALSE(r.symbol.empty());
    } else {
      CHECK((r.reject == RejectReason::malformed || r.reject == RejectReason::bad_price));
    }
  }
  CHECK(ok > 0);
}

}  // namespace test_tick_decoder
