#include "feeds/tick_decoder.hpp"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>

#include "core/numbers.hpp"
#include "core/wire_values.hpp"

namespace ballast::feeds {
namespace {

namespace od = simdjson::ondemand;
using core::RejectReason;

using core::kNaN;

// Ignored fields are still validated, recursively; the bound keeps a hostile
// message from exhausting the stack.
constexpr int kMaxDepth = 64;

enum Role : unsigned { kSymbol = 1, kPrice = 2, kBid = 4, kAsk = 8, kTs = 16 };

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using SymbolMap = std::unordered_map<std::string, std::string, StringHash, std::equal_to<>>;

// A recognised field's value before it is given a meaning.
struct Scalar {
  enum class Kind { null, string, number, other };
  Kind kind = Kind::null;
  std::string_view text;
  double number = 0;
};

// The JSON number grammar (RFC 8259 §6), used to tell an out-of-range number,
// which is valid JSON, from a broken token.
bool is_json_number(std::string_view s) {
  std::size_t i = 0;
  const auto digit = [&](std::size_t at) { return at < s.size() && s[at] >= '0' && s[at] <= '9'; };
  if (i < s.size() && s[i] == '-') ++i;
  if (!digit(i)) return false;
  if (s[i] == '0') {
    ++i;
  } else {
    while (digit(i)) ++i;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  return i == s.size();
}

// A JSON number as a double. A number too large for a double (1e400) is valid
// JSON, so it reads as non-finite and the caller decides (bad_price for a price).
bool read_number(od::value& v, double& out) {
  auto result = v.get_double();
  if (result.error() == simdjson::SUCCESS) {
    out = result.value_unsafe();
    return true;
  }
  if (result.error() != simdjson::NUMBER_ERROR) return false;
  std::string_view raw = v.raw_json_token();
  while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\n' || raw.back() == '\r'))
    raw.remove_suffix(1);
  if (!is_json_number(raw)) return false;
  out = kNaN;
  return true;
}

bool skip_value(od::value v, int depth);

bool skip_container_members(od::object obj, int depth) {
  for (auto member : obj) {
    od::field field;
    if (std::move(member).get(field) != simdjson::SUCCESS) return false;
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return false;
    if (!skip_value(field.value(), depth + 1)) return false;
  }
  return true;
}

// Consumes a value that no rule uses, validating it: on-demand parsing would
// otherwise pass over `tru` or `[1,}` inside an ignored field unnoticed.
bool skip_value(od::value v, int depth) {
  od::json_type type;
  if (v.type().get(type) != simdjson::SUCCESS) return false;
  switch (type) {
    case od::json_type::object: {
      if (depth >= kMaxDepth) return false;
      od::object obj;
      if (v.get_object().get(obj) != simdjson::SUCCESS) return false;
      return skip_container_members(obj, depth);
    }
    case od::json_type::array: {
      if (depth >= kMaxDepth) return false;
      od::array arr;
      if (v.get_array().get(arr) != simdjson::SUCCESS) return false;
      for (auto element : arr) {
        od::value item;
        if (std::move(element).get(item) != simdjson::SUCCESS) return false;
        if (!skip_value(item, depth + 1)) return false;
      }
      return true;
    }
    case od::json_type::number: {
      double ignored = 0;
      return read_number(v, ignored);
    }
    case od::json_type::string: {
      std::string_view ignored;
      return v.get_string().get(ignored) == simdjson::SUCCESS;
    }
    case od::json_type::boolean: {
      bool ignored = false;
      return v.get_bool().get(ignored) == simdjson::SUCCESS;
    }
    case od::json_type::null: {
      bool is_null = false;
      return v.is_null().get(is_null) == simdjson::SUCCESS && is_null;
    }
  }
  return false;
}

// Reads a recognised field. False only for broken JSON; a container or a
// boolean comes back as Kind::other (validated) so the caller reports its type.
bool read_scalar(od::value& v, Scalar& out) {
  od::json_type type;
  if (v.type().get(type) != simdjson::SUCCESS) return false;
  switch (type) {
    case od::json_type::null: {
      bool is_null = false;
      if (v.is_null().get(is_null) != simdjson::SUCCESS || !is_null) return false;
      out.kind = Scalar::Kind::null;
      return true;
    }
    case od::json_type::string:
      out.kind = Scalar::Kind::string;
      return v.get_string().get(out.text) == simdjson::SUCCESS;
    case od::json_type::number:
      out.kind = Scalar::Kind::number;
      return read_number(v, out.number);
    default:
      out.kind = Scalar::Kind::other;
      return skip_value(v, 0);
  }
}

// A price-like value: a number or a numeric string. Null means absent.
enum class NumberRead { absent, ok, wrong };
NumberRead as_number(const Scalar& s, double& out) {
  switch (s.kind) {
    case Scalar::Kind::null: return NumberRead::absent;
    case Scalar::Kind::number: out = s.number; return NumberRead::ok;
    case Scalar::Kind::string: return core::parse_number_text(s.text, out) ? NumberRead::ok : NumberRead::wrong;
    case Scalar::Kind::other: return NumberRead::wrong;
  }
  return NumberRead::wrong;
}

// `ts`: epoch seconds (number or numeric string) or an ISO-8601 string, from
// 1970 to 2262 (a year-3000 typo, or epoch milliseconds mistaken for seconds,
// cannot be a time and is malformed).
bool read_ts(const Scalar& s, core::TimeNs& out) {
  std::optional<core::TimeNs> t;
  if (s.kind == Scalar::Kind::number) t = core::epoch_seconds_to_ns(s.number);
  else if (s.kind == Scalar::Kind::string) t = core::parse_wire_time(s.text);
  if (!t) return false;
  out = *t;
  return true;
}

}  // namespace

struct TickDecoder::State {
  explicit State(core::FeedFormat f) : format(std::move(f)) {
    for (const auto& [from, to] : format.symbols) symbols.emplace(from, to);
    buffer = std::make_unique<char[]>(kMaxMessageBytes + simdjson::SIMDJSON_PADDING);
    std::memset(buffer.get(), 0, kMaxMessageBytes + simdjson::SIMDJSON_PADDING);
    topic_symbol.reserve(kMaxMessageBytes);
    // Sized once for the largest accepted message, so parsing never grows it.
    // Should this fail (out of memory), iterate() allocates on first use instead.
    const simdjson::error_code reserved = parser.allocate(kMaxMessageBytes);
    static_cast<void>(reserved);
  }

  DecodeResult decode(std::string_view topic, std::string_view json, core::TimeNs received_at) noexcept;

  core::FeedFormat format;
  SymbolMap symbols;
  od::parser parser;
  // simdjson reads up to SIMDJSON_PADDING bytes past the end of the input.
  std::unique_ptr<char[]> buffer;
  // Owns a symbol taken from the topic, so the result outlives the caller's frame.
  std::string topic_symbol;
};

DecodeResult TickDecoder::State::decode(std::string_view topic, std::string_view json,
                                        core::TimeNs received_at) noexcept {
  DecodeResult r;
  const auto fail = [&r](RejectReason why, std::string_view detail) {
    r.reject = why;
    r.detail = detail;
    return r;
  };
  if (topic.size() + json.size() > kMaxMessageBytes) return fail(RejectReason::malformed, "message over 64 KiB");

  // An empty view may point nowhere, and memcpy from a null pointer is undefined even for no bytes.
  if (!json.empty()) std::memcpy(buffer.get(), json.data(), json.size());
  // simdjson may look into the padding (past an unbalanced '}', for one): zeros
  // there, not the tail of the previous message, so each verdict stands alone.
  std::memset(buffer.get() + json.size(), 0, simdjson::SIMDJSON_PADDING);
  od::document doc;
  if (parser.iterate(buffer.get(), json.size(), kMaxMessageBytes + simdjson::SIMDJSON_PADDING).get(doc) !=
      simdjson::SUCCESS)
    return fail(RejectReason::malformed, "invalid JSON");
  od::object obj;
  if (const auto err = doc.get_object().get(obj); err != simdjson::SUCCESS)
    return fail(RejectReason::malformed, err == simdjson::INCORRECT_TYPE ? "not a JSON object" : "invalid JSON");

  const core::FieldNames& names = format.fields;
  unsigned seen = 0;
  std::string_view symbol;
  double price = kNaN, bid = kNaN, ask = kNaN;
  bool has_price = false, has_bid = false, has_ask = false, has_ts = false;
  core::TimeNs ts = 0;

  for (auto member : obj) {
    od::field field;
    if (std::move(member).get(field) != simdjson::SUCCESS) return fail(RejectReason::malformed, "invalid JSON");
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) return fail(RejectReason::malformed, "invalid JSON");
    unsigned roles = 0;
    if (key == names.symbol) roles |= kSymbol;
    if (key == names.price) roles |= kPrice;
    if (key == names.bid) roles |= kBid;
    if (key == names.ask) roles |= kAsk;
    if (key == names.ts) roles |= kTs;
    if (roles == 0) {
      if (!skip_value(field.value(), 0)) return fail(RejectReason::malformed, "invalid JSON");
      continue;
    }
    if ((seen & roles) != 0) return fail(RejectReason::malformed, "duplicate field");
    seen |= roles;

    Scalar value;
    if (!read_scalar(field.value(), value)) return fail(RejectReason::malformed, "invalid JSON");
    if (roles & kSymbol) {
      if (value.kind == Scalar::Kind::string) {
        if (value.text.empty()) return fail(RejectReason::malformed, "empty symbol");
        symbol = value.text;
      } else if (value.kind != Scalar::Kind::null) {
        return fail(RejectReason::malformed, "symbol is not a string");
      }
    }
    if (roles & kPrice) {
      const NumberRead n = as_number(value, price);
      if (n == NumberRead::wrong) return fail(RejectReason::malformed, "price is not a number");
      has_price = n == NumberRead::ok;
    }
    if (roles & kBid) {
      const NumberRead n = as_number(value, bid);
      if (n == NumberRead::wrong) return fail(RejectReason::malformed, "bid is not a number");
      has_bid = n == NumberRead::ok;
    }
    if (roles & kAsk) {
      const NumberRead n = as_number(value, ask);
      if (n == NumberRead::wrong) return fail(RejectReason::malformed, "ask is not a number");
      has_ask = n == NumberRead::ok;
    }
    if ((roles & kTs) && value.kind != Scalar::Kind::null) {
      if (!read_ts(value, ts)) return fail(RejectReason::malformed, "ts is not a plausible time");
      has_ts = true;
    }
  }
  // `{...} {...}` or `{...} 1` parse as one object followed by more input.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS)
    return fail(RejectReason::malformed, "trailing content after the object");

  bool from_topic = false;
  if (symbol.empty()) {
    if (topic.empty()) return fail(RejectReason::malformed, "no symbol");
    symbol = topic;
    from_topic = true;
  }
  if (const auto it = symbols.find(symbol); it != symbols.end()) {
    r.symbol = it->second;
  } else if (from_topic) {
    topic_symbol.assign(symbol);
    r.symbol = topic_symbol;
  } else {
    r.symbol = symbol;  // in the parser's string buffer, valid until the next parse
  }

  if (has_ts) {
    r.ts = ts;
    r.ts_from_message = true;
  } else {
    r.ts = received_at;
  }

  const bool quote_usable =
      has_bid && has_ask && core::finite_positive(bid) && core::finite_positive(ask) && ask >= bid;
  if (quote_usable) {
    r.bid = bid;
    r.ask = ask;
  }
  if (!has_price) {
    if (!has_bid || !has_ask) return fail(RejectReason::malformed, "no price and no bid/ask pair");
    if (!core::finite_positive(bid) || !core::finite_positive(ask))
      return fail(RejectReason::bad_price, "bid or ask not a positive finite number");
    if (ask < bid) return fail(RejectReason::bad_price, "crossed quote (ask below bid)");
    price = bid + (ask - bid) / 2;
  }
  r.price = price;
  if (!std::isfinite(price)) return fail(RejectReason::bad_price, "price is not finite");
  if (price <= 0) return fail(RejectReason::bad_price, "price is not positive");
  return r;
}

TickDecoder::TickDecoder(core::FeedFormat format) : state_(std::make_unique<State>(std::move(format))) {}
TickDecoder::~TickDecoder() = default;
TickDecoder::TickDecoder(TickDecoder&&) noexcept = default;
TickDecoder& TickDecoder::operator=(TickDecoder&&) noexcept = default;

DecodeResult TickDecoder::decode(std::string_view topic, std::string_view json, core::TimeNs received_at) noexcept {
  return state_->decode(topic, json, received_at);
}

DecodeResult TickDecoder::decode_frame(std::string_view frame, core::TimeNs received_at) noexcept {
  if (frame.size() > kMaxMessageBytes) {
    DecodeResult r;
    r.reject = RejectReason::malformed;
    r.detail = "message over 64 KiB";
    return r;
  }
  const std::size_t space = frame.find(' ');
  if (space == std::string_view::npos) {
    DecodeResult r;
    r.reject = RejectReason::malformed;
    r.detail = "no space between topic and JSON";
    return r;
  }
  return state_->decode(frame.substr(0, space), frame.substr(space + 1), received_at);
}

const core::FeedFormat& TickDecoder::format() const { return state_->format; }

}  // namespace ballast::feeds
