#include "feeds/tick_guard.hpp"

#include <algorithm>
#include <cmath>

namespace ballast::feeds {
namespace {

bool within(double price, double reference, double max_jump) {
  return std::abs(price / reference - 1.0) <= max_jump;
}

}  // namespace

TickGuard::TickGuard(std::size_t symbol_count) : symbols_(symbol_count) {}

void TickGuard::resize(std::size_t symbol_count) { symbols_.resize(symbol_count); }

void TickGuard::accept(SymbolState& s, double price, core::TimeNs ts, core::TimeNs now, const Limits& limits) {
  s.has_last = true;
  s.last_price = price;
  s.last_ts = ts;
  s.last_received = now;
  s.stale_after = limits.stale_after;
  s.candidate_count = 0;
}

TickGuard::Verdict TickGuard::check(core::SymbolId symbol, double price, core::TimeNs ts, core::TimeNs now,
                                    const Limits& limits) {
  if (symbol >= symbols_.size()) return {core::RejectReason::unknown_symbol};
  // Decoders already drop these; the guard is the last line before a price moves.
  if (!std::isfinite(price) || price <= 0) return {core::RejectReason::bad_price};
  if (limits.max_future && ts - now > *limits.max_future) return {core::RejectReason::bad_time};
  SymbolState& s = symbols_[symbol];
  if (!s.has_last) {
    accept(s, price, ts, now, limits);
    return {};
  }
  if (ts < s.last_ts) return {core::RejectReason::out_of_order};
  if (!limits.max_jump || within(price, s.last_price, *limits.max_jump)) {
    // Back near the reference: whatever run of jump ticks came before was a spike.
    accept(s, price, ts, now, limits);
    return {};
  }
  const double max_jump = *limits.max_jump;
  if (s.candidate_count > 0 && within(price, s.candidate, max_jump)) {
    ++s.candidate_count;
  } else {
    s.candidate = price;
    s.candidate_count = 1;
  }
  if (s.candidate_count >= std::max(limits.jump_confirm, 1)) {
    accept(s, price, ts, now, limits);
    return {std::nullopt, true};
  }
  return {core::RejectReason::jump};
}

bool TickGuard::is_stale(core::SymbolId symbol, core::TimeNs now) const {
  if (symbol >= symbols_.size()) return true;
  const SymbolState& s = symbols_[symbol];
  return !s.has_last || now - s.last_received > s.stale_after;
}

std::optional<core::TimeNs> TickGuard::last_accepted_at(core::SymbolId symbol) const {
  if (symbol >= symbols_.size() || !symbols_[symbol].has_last) return std::nullopt;
  return symbols_[symbol].last_received;
}

std::optional<double> TickGuard::last_price(core::SymbolId symbol) const {
  if (symbol >= symbols_.size() || !symbols_[symbol].has_last) return std::nullopt;
  return symbols_[symbol].last_price;
}

}  // namespace ballast::feeds
