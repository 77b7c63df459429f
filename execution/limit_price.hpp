#pragma once
// Limit orders: how their price is set from the live quote, and what happens
// when they outlive their time to live. Pure; never throws.
//
// For a buy (a sell mirrors it), with o = offset_bps / 1e4:
//   from mid:    base = (bid + ask) / 2
//   from touch:  base = ask for a buy, bid for a sell (what trading now would pay)
//   limit      = base · (1 − o) for a buy,  base · (1 + o) for a sell
// A positive offset is more patient (a buy bids lower), a negative one more
// eager (a buy from touch at −5 bps pays up to 5 bps through the ask). Without
// a usable quote (bid, ask finite, > 0, ask ≥ bid) the base is the last price.
// With a tick, the limit is rounded to a multiple of it away from crossing:
// down for a buy, up for a sell.
#include <string_view>

#include "core/execution_params.hpp"
#include "core/types.hpp"

namespace ballast::execution {

// The settings, defined with the other execution settings a portfolio carries.
using LimitFrom = core::LimitFrom;
using OnExpiry = core::OnExpiry;
using LimitOrderSpec = core::LimitOrderSpec;
std::string_view to_string(LimitFrom f);
std::string_view to_string(OnExpiry e);

/// The limit price for an order on `side` now; 0 when there is no usable price.
double limit_price(const LimitOrderSpec& spec, core::Side side, double last, double bid, double ask);

}  // namespace ballast::execution
