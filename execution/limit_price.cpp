#include "execution/limit_price.hpp"

#include <cmath>

namespace ballast::execution {

std::string_view to_string(LimitFrom f) { return f == LimitFrom::mid ? "mid" : "touch"; }
std::string_view to_string(OnExpiry e) { return e == OnExpiry::cancel ? "cancel" : "replace"; }

double limit_price(const LimitOrderSpec& spec, core::Side side, double last, double bid, double ask) {
  const bool buy = side == core::Side::buy;
  const bool quoted = std::isfinite(bid) && std::isfinite(ask) && bid > 0 && ask >= bid;
  double base = last;
  if (quoted) base = spec.from == LimitFrom::mid ? (bid + ask) / 2 : (buy ? ask : bid);
  if (!std::isfinite(base) || base <= 0) return 0;
  const double o = spec.offset_bps / 1e4;
  double price = buy ? base * (1 - o) : base * (1 + o);
  if (spec.tick > 0) {
    // A hair of tolerance so that a price already on the grid stays there.
    const double steps = price / spec.tick;
    price = spec.tick * (buy ? std::floor(steps + 1e-9) : std::ceil(steps - 1e-9));
  }
  return std::isfinite(price) && price > 0 ? price : 0;
}

}  // namespace ballast::execution
