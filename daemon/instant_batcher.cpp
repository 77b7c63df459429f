#include "daemon/instant_batcher.hpp"

#include "core/time.hpp"

namespace ballast::daemon {

InstantBatcher::InstantBatcher(config::Coalesce coalesce, Decide decide)
    : coalesce_(coalesce), decide_(std::move(decide)) {
  ticks_.reserve(64);
}

bool InstantBatcher::add(const core::Tick& tick, SteadyClock::time_point received) {
  if (!ticks_.empty() && (tick.ts != ticks_.front().ts || ticks_.size() >= kMaxTicks)) flush();
  const bool began = ticks_.empty();
  if (began) received_ = received;
  ticks_.push_back(tick);
  if (coalesce_.kind == config::Coalesce::Kind::off) {
    flush();
    return false;
  }
  return began && coalesce_.kind == config::Coalesce::Kind::window;
}

void InstantBatcher::drained() {
  if (coalesce_.kind == config::Coalesce::Kind::instant) flush();
}

void InstantBatcher::expire(SteadyClock::time_point now) {
  const auto due = deadline();
  if (due && now >= *due) flush();
}

void InstantBatcher::flush() {
  if (ticks_.empty()) return;
  const Instant instant{ticks_, ticks_.front().ts, received_};
  decide_(instant);
  ticks_.clear();
}

std::optional<SteadyClock::time_point> InstantBatcher::deadline() const {
  if (ticks_.empty() || coalesce_.kind != config::Coalesce::Kind::window) return std::nullopt;
  return received_ + std::chrono::nanoseconds(coalesce_.window);
}

void InstantBatcher::set_coalesce(config::Coalesce coalesce) {
  flush();
  coalesce_ = coalesce;
}

std::string to_string(const config::Coalesce& coalesce) {
  switch (coalesce.kind) {
    case config::Coalesce::Kind::off: return "off";
    case config::Coalesce::Kind::instant: return "instant";
    case config::Coalesce::Kind::window: return core::format_period(core::Period{coalesce.window, 0});
  }
  return "instant";
}

}  // namespace ballast::daemon
