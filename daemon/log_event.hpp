#pragma once
// Structured log events. One template names the event's fields, so that the
// text format reads as a sentence and the JSON format carries every field as
// a key of the line's object:
//
//   using namespace fmt::literals;
//   log_event(spdlog::level::info, "fill", "fill {order_id} quantity={quantity}",
//             "order_id"_a = id, "quantity"_a = q, "portfolio"_a = p);
//
// text:  2026-11-23T19:52:58.810Z info  fill main-20261123-000021 quantity=2
// json:  {"ts":"…","level":"info","msg":"fill main-20261123-000021 quantity=2",
//         "event":"fill","order_id":"main-20261123-000021","quantity":2,"portfolio":"main"}
//
// A field that the template does not use is still a key (`portfolio` above).
// Names are checked against the template at compile time (gcc; clang 14
// checks at run time, where spdlog reports a mistake instead of throwing).
// "ts", "level", "msg" and "event" are the line's own keys: no field takes them.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "core/json_writer.hpp"

namespace ballast::daemon {

/// A phrase for the text line only (a separator, a conditional remark): no key.
struct TextOnly {
  std::string_view text;
};

/// Pre-rendered JSON (an array of orders, a null): the key's value as is; in
/// the text line, the JSON text.
struct RawJson {
  std::string_view json;
};

/// How many warnings of a kind a RateLimiter held back since the last one:
/// "; N more of this kind since the last warning" (or nothing) in the text,
/// the number under its key.
struct HeldBack {
  std::uint64_t count = 0;
};

namespace detail {

/// True while the daemon's logger writes JSON lines (set by install_logger).
bool json_logs();

/// While alive, the log line written on this thread carries `keys` (rendered
/// `,"k":v` members) after its message. Formatting is synchronous in spdlog's
/// default (sync) loggers, so a thread-local hand-over is enough.
class EventKeysScope {
 public:
  explicit EventKeysScope(const std::string& keys);
  ~EventKeysScope();
  EventKeysScope(const EventKeysScope&) = delete;
  EventKeysScope& operator=(const EventKeysScope&) = delete;

 private:
  const std::string* previous_;
};

/// The keys of the line being formatted on this thread, or null.
const std::string* current_event_keys();

/// A per-thread buffer for the keys, reused so that an event allocates only
/// when it is longer than any before it on this thread.
std::string& event_keys_buffer();

inline void append_key(std::string& out, std::string_view name) {
  out.push_back(',');
  core::append_json_string(out, name);
  out.push_back(':');
}

template <class T>
void append_value(std::string& out, const T& v) {
  using U = std::remove_cvref_t<T>;
  if constexpr (std::is_same_v<U, bool>) {
    out += v ? "true" : "false";
  } else if constexpr (std::is_integral_v<U> && !std::is_same_v<U, char>) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
  } else if constexpr (std::is_floating_point_v<U>) {
    core::append_json_number(out, static_cast<double>(v));
  } else if constexpr (std::is_same_v<U, RawJson>) {
    out += v.json.empty() ? std::string_view("null") : v.json;
  } else if constexpr (std::is_same_v<U, HeldBack>) {
    append_value(out, v.count);
  } else {
    static_assert(std::is_convertible_v<const U&, std::string_view>,
                  "a log field is a string, a number, a bool, RawJson, HeldBack or TextOnly");
    core::append_json_string(out, std::string_view(v));
  }
}

/// `,"name":value` for one fmt named argument (`"name"_a = value`); nothing
/// for a TextOnly value.
template <class Arg>
void append_field(std::string& out, const Arg& arg) {
  using V = std::remove_cvref_t<decltype(arg.value)>;
  if constexpr (!std::is_same_v<V, TextOnly>) {
    append_key(out, arg.name);
    append_value(out, arg.value);
  }
}

}  // namespace detail

/// Logs one event: the template's text, and with JSON logs every field as a
/// key, after `"event": event`. Costs nothing when `level` is off; with text
/// logs, exactly what spdlog's own call costs.
template <class... Args>
void log_event(spdlog::level::level_enum level, std::string_view event, fmt::format_string<Args...> text,
               Args&&... fields) {
  spdlog::logger* logger = spdlog::default_logger_raw();
  if (!logger->should_log(level)) return;
  if (!detail::json_logs()) {
    logger->log(level, text, std::forward<Args>(fields)...);
    return;
  }
  std::string& keys = detail::event_keys_buffer();
  keys.clear();
  detail::append_key(keys, "event");
  core::append_json_string(keys, event);
  (detail::append_field(keys, fields), ...);
  const detail::EventKeysScope scope(keys);
  logger->log(level, text, std::forward<Args>(fields)...);
}

}  // namespace ballast::daemon

template <>
struct fmt::formatter<ballast::daemon::TextOnly> : fmt::formatter<std::string_view> {
  template <class Context>
  auto format(const ballast::daemon::TextOnly& t, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(t.text, ctx);
  }
};

template <>
struct fmt::formatter<ballast::daemon::RawJson> : fmt::formatter<std::string_view> {
  template <class Context>
  auto format(const ballast::daemon::RawJson& j, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(j.json, ctx);
  }
};

template <>
struct fmt::formatter<ballast::daemon::HeldBack> {
  constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
  template <class Context>
  auto format(const ballast::daemon::HeldBack& h, Context& ctx) const {
    if (h.count == 0) return ctx.out();
    return fmt::format_to(ctx.out(), "; {} more of this kind since the last warning", h.count);
  }
};
