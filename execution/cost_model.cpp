#include "execution/cost_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>

#include "core/number_text.hpp"
#include "core/numbers.hpp"

namespace ballast::execution {
namespace {

constexpr double kBps = 1e-4;

bool non_negative(double x) { return std::isfinite(x) && x >= 0; }

// A parameter validate() rejects counts as zero, so a bad config costs nothing
// rather than producing negative or NaN costs.
double usable(double x) { return non_negative(x) ? x : 0.0; }

// The first usable ADV for the symbol, or 0 when there is none.
double adv_of(const CostParams& p, std::string_view symbol) {
  for (const auto& [name, adv] : p.adv) {
    if (name == symbol) return core::finite_positive(adv) ? adv : 0.0;
  }
  return 0.0;
}

}  // namespace

double CostBreakdown::total() const { return commission + spread + slippage + impact; }

double CostBreakdown::fill_price(core::Side side) const {
  if (!(quantity > 0)) return price;
  const double per_unit = (spread + slippage + impact) / quantity;
  return side == core::Side::buy ? price + per_unit : price - per_unit;
}

CostBreakdown estimate_cost(const CostParams& params, const CostInputs& in) {
  CostBreakdown c;
  c.price = in.price;
  const double q = std::isfinite(in.quantity) ? std::abs(in.quantity) : 0.0;
  c.quantity = q;
  if (!(q > 0)) return c;

  const bool price_ok = core::finite_positive(in.price);
  const double value = price_ok ? q * in.price : 0.0;

  const double commission = usable(params.commission_per_share) * q + usable(params.commission_bps) * value * kBps;
  c.commission = std::max(commission, usable(params.commission_min));

  const bool quote_ok = core::finite_positive(in.bid) && core::finite_positive(in.ask) && in.ask >= in.bid;
  double half_spread = 0;
  if (quote_ok) {
    half_spread = (in.ask - in.bid) / 2;
  } else if (price_ok) {
    half_spread = in.price * usable(params.half_spread_bps) * kBps;
  }
  c.spread = q * half_spread;

  c.slippage = value * usable(params.slippage_bps) * kBps;

  const double eta = usable(params.impact_eta);
  const double sigma = usable(in.daily_volatility);
  if (eta > 0 && sigma > 0 && value > 0) {
    const double adv = adv_of(params, in.symbol);
    if (adv > 0) c.impact = value * eta * sigma * std::sqrt(q / adv);
  }
  return c;
}

std::vector<std::string> validate(const CostParams& params) {
  std::vector<std::string> errors;
  const std::pair<const char*, double> scalars[] = {
      {"commission_per_share", params.commission_per_share},
      {"commission_bps", params.commission_bps},
      {"commission_min", params.commission_min},
      {"half_spread_bps", params.half_spread_bps},
      {"slippage_bps", params.slippage_bps},
      {"impact_eta", params.impact_eta},
  };
  for (const auto& [name, x] : scalars) {
    if (!non_negative(x))
      errors.push_back(std::string(name) + " must be a finite number >= 0, got " + core::shortest(x));
  }
  for (std::size_t i = 0; i < params.adv.size(); ++i) {
    // Named references, not a structured binding: the lambda below captures
    // the symbol, which C++20 allows but clang 14 does not.
    const std::string& symbol = params.adv[i].first;
    const double adv = params.adv[i].second;
    if (!core::finite_positive(adv))
      errors.push_back("adv of " + symbol + " must be a finite number > 0, got " + core::shortest(adv));
    const auto earlier = std::find_if(params.adv.begin(), params.adv.begin() + static_cast<std::ptrdiff_t>(i),
                                      [&](const auto& e) { return e.first == symbol; });
    if (earlier != params.adv.begin() + static_cast<std::ptrdiff_t>(i)) {
      errors.push_back("adv of " + symbol + " is given more than once; the first is used");
    }
  }
  return errors;
}

}  // namespace ballast::execution
