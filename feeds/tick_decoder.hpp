#pragma once
// Market-data bytes → one usable tick or a reason to drop it (SPEC §2).
#include <cstddef>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>

#include "core/feed_format.hpp"
#include "core/time.hpp"
#include "core/types.hpp"

namespace ballast::feeds {

/// The outcome of decoding one message. Views point into the decoder and stay
/// valid until its next decode call.
struct DecodeResult {
  /// Empty when the tick is usable; otherwise malformed or bad_price.
  std::optional<core::RejectReason> reject;
  /// Why it was rejected, a short static text for rate-limited warnings; empty when ok.
  std::string_view detail;
  /// The portfolio's symbol (after the feed's `symbols` map); set whenever it was
  /// resolved, also for a bad_price rejection.
  std::string_view symbol;
  double price = 0;
  /// The data's time in ns: the message's `ts`, or the time of receipt.
  core::TimeNs ts = 0;
  bool ts_from_message = false;
  /// Top of book when the message carried a usable one (both finite, > 0, not
  /// crossed); NaN otherwise. Not needed for `price`, kept for cost models.
  double bid = std::numeric_limits<double>::quiet_NaN();
  double ask = std::numeric_limits<double>::quiet_NaN();

  bool ok() const { return !reject.has_value(); }
};

/// Decodes one feed's messages. Holds a reusable JSON parser and buffer, so a
/// steady stream of ticks allocates nothing; one decoder per feed, one thread.
///
/// Field rules: `symbol` (a string) or else the topic; `price` or else the mid
/// of `bid` and `ask`; `ts` as epoch seconds (number or numeric string) or an
/// ISO-8601 string, or else the time of receipt. Numbers may be JSON strings.
/// A JSON null counts as an absent field. Unknown fields are ignored but must
/// still be valid JSON; a recognised field given twice is malformed.
class TickDecoder {
 public:
  /// Larger messages are malformed: a tick is a few hundred bytes, and the cap
  /// bounds the buffers allocated up front.
  static constexpr std::size_t kMaxMessageBytes = 64 * 1024;

  explicit TickDecoder(core::FeedFormat format);
  ~TickDecoder();
  TickDecoder(TickDecoder&&) noexcept;
  TickDecoder& operator=(TickDecoder&&) noexcept;
  TickDecoder(const TickDecoder&) = delete;
  TickDecoder& operator=(const TickDecoder&) = delete;

  /// Multipart framing: `topic` is frame 1, `json` frame 2. Never throws.
  DecodeResult decode(std::string_view topic, std::string_view json, core::TimeNs received_at) noexcept;
  /// Topic-json framing: one frame `<topic> <JSON object>`, split at the first
  /// space; a frame without a space is malformed. Never throws.
  DecodeResult decode_frame(std::string_view frame, core::TimeNs received_at) noexcept;

  const core::FeedFormat& format() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ballast::feeds
