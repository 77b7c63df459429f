// Market-data messages (SPEC §2) through TickDecoder, in both framings and with
// the feed's field names and symbol map chosen by the input.
//
// Input: a header line, then the message.
//   header: up to seven characters, each read as its value modulo 4 (so the
//   digits 0-3 spell every choice; missing ones are 0):
//     1     framing: 0 multipart, 1 topic-json (2, 3 as 0, 1)
//     2-6   the names of symbol, price, bid, ask, ts: 0 the default ("price"),
//           1 one letter ("p"), 2 "v" for every field given 2 (one name, several
//           roles), 3 a name outside ASCII ("é" and the letter)
//     7     the symbols map: 0 none, 1 BTC-USD and XBT to BTC, 2 SPY to SPY.US,
//           3 A to B and B to A
//   and an eighth character, taken as it is (default '}'): what a longer
//   message decoded in between leaves in the decoder's buffer past this one.
//   multipart: the topic on the next line, the JSON after it
//   topic-json: the rest is the one frame
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "feeds/tick_decoder.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace ballast;

namespace {

constexpr core::TimeNs kReceived = 1'700'000'000'000'000'000;
// 2262-01-01T00:00:00Z, where wire times end.
constexpr core::TimeNs kEndOfWireTime = 9'214'646'400'000'000'000;

// The part of `s` before the first newline; `s` keeps what follows it.
std::string_view take_line(std::string_view& s) {
  const std::size_t at = s.find('\n');
  const std::string_view line = s.substr(0, at);
  s.remove_prefix(at == std::string_view::npos ? s.size() : at + 1);
  return line;
}

// The header's seven choices as the digits 0-3.
std::string read_choices(std::string_view header) {
  std::string choices(7, '0');
  for (std::size_t i = 0; i < choices.size() && i < header.size(); ++i)
    choices[i] = static_cast<char>('0' + static_cast<unsigned char>(header[i]) % 4);
  return choices;
}

// Only what the configuration loader accepts: non-empty names and map entries.
core::FeedFormat make_format(const std::string& choices) {
  const auto choice = [&](std::size_t i) { return choices[i] - '0'; };
  core::FeedFormat f;
  f.framing = choice(0) % 2 == 1 ? core::Framing::topic_json : core::Framing::multipart;
  std::string* const names[] = {&f.fields.symbol, &f.fields.price, &f.fields.bid, &f.fields.ask, &f.fields.ts};
  for (std::size_t i = 0; i < 5; ++i) {
    const char letter = (*names[i])[0];
    switch (choice(i + 1)) {
      case 1: names[i]->assign(1, letter); break;
      case 2: names[i]->assign("v"); break;
      case 3: names[i]->assign("\xc3\xa9").push_back(letter); break;
      default: break;
    }
  }
  switch (choice(6)) {
    case 1: f.symbols = {{"BTC-USD", "BTC"}, {"XBT", "BTC"}}; break;
    case 2: f.symbols = {{"SPY", "SPY.US"}}; break;
    case 3: f.symbols = {{"A", "B"}, {"B", "A"}}; break;
    default: break;
  }
  return f;
}

// A result with its views copied, to compare after the decoder has moved on.
struct Outcome {
  bool ok;
  std::string reject;
  std::string detail;
  std::string symbol;
  double price, bid, ask;
  core::TimeNs ts;
  bool ts_from_message;

  explicit Outcome(const feeds::DecodeResult& r)
      : ok(r.ok()),
        reject(r.reject ? std::string(core::to_string(*r.reject)) : ""),
        detail(r.detail),
        symbol(r.symbol),
        price(r.price),
        bid(r.bid),
        ask(r.ask),
        ts(r.ts),
        ts_from_message(r.ts_from_message) {}

  bool operator==(const Outcome& o) const {
    return ok == o.ok && reject == o.reject && detail == o.detail && symbol == o.symbol &&
           fuzz::same_number(price, o.price) && fuzz::same_number(bid, o.bid) && fuzz::same_number(ask, o.ask) &&
           ts == o.ts && ts_from_message == o.ts_from_message;
  }
};

void check(const feeds::DecodeResult& r) {
  if (!r.ok()) {
    BALLAST_FUZZ_CHECK(*r.reject == core::RejectReason::malformed || *r.reject == core::RejectReason::bad_price);
    BALLAST_FUZZ_CHECK(!r.detail.empty());
    return;
  }
  BALLAST_FUZZ_CHECK(r.detail.empty());
  BALLAST_FUZZ_CHECK(!r.symbol.empty());
  BALLAST_FUZZ_CHECK(std::isfinite(r.price) && r.price > 0);
  if (r.ts_from_message) BALLAST_FUZZ_CHECK(r.ts >= 0 && r.ts <= kEndOfWireTime);
  else BALLAST_FUZZ_CHECK(r.ts == kReceived);
  // A quote is kept whole or not at all.
  BALLAST_FUZZ_CHECK(std::isnan(r.bid) == std::isnan(r.ask));
  if (!std::isnan(r.bid)) BALLAST_FUZZ_CHECK(std::isfinite(r.bid) && r.bid > 0 && r.ask >= r.bid && std::isfinite(r.ask));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest = fuzz::as_text(data, size);
  const std::string_view header = take_line(rest);
  // One decoder per feed format, as the daemon keeps one per feed: building one
  // sizes its buffers for the largest message and costs a thousand decodes.
  // That nothing carries over from message to message is checked below.
  static std::map<std::string, feeds::TickDecoder> decoders;
  const std::string choices = read_choices(header);
  auto it = decoders.find(choices);
  if (it == decoders.end()) {
    if (decoders.size() >= 256) decoders.clear();  // a bound on memory; 4^7 headers exist
    it = decoders.emplace(choices, feeds::TickDecoder(make_format(choices))).first;
  }
  feeds::TickDecoder& decoder = it->second;
  const core::FeedFormat& format = decoder.format();

  // The message in a buffer of its own size, so that a read past its end is caught.
  std::string topic;
  if (format.framing == core::Framing::multipart) topic.assign(take_line(rest));
  const std::vector<char> message(rest.begin(), rest.end());
  const std::string_view json(message.data(), message.size());

  const auto decode = [&] {
    return format.framing == core::Framing::multipart ? decoder.decode(topic, json, kReceived)
                                                      : decoder.decode_frame(json, kReceived);
  };
  const feeds::DecodeResult result = decode();
  check(result);
  const Outcome first(result);

  // Nothing carries over from one message to the next: a longer message
  // leaves bytes in the decoder's buffer past this one's end.
  const char left_over = header.size() > 7 ? header[7] : '}';
  const std::string longer = std::string(json) + std::string(256, left_over);
  static_cast<void>(decoder.decode(topic, longer, kReceived));
  static_cast<void>(decoder.decode_frame(longer, kReceived));
  BALLAST_FUZZ_CHECK(Outcome(decode()) == first);

  // Multipart and topic-json agree on the same topic and JSON.
  const std::string frame = topic + " " + std::string(json);
  if (format.framing == core::Framing::multipart && topic.find(' ') == std::string::npos &&
      frame.size() <= feeds::TickDecoder::kMaxMessageBytes) {
    BALLAST_FUZZ_CHECK(Outcome(decoder.decode_frame(frame, kReceived)) == first);
  }
  return 0;
}
