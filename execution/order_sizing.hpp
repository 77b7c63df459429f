#pragma once
// From desired weights to whole-lot orders a portfolio can pay for. Pure.
#include <cstdint>
#include <span>
#include <vector>

#include "core/types.hpp"

namespace ballast::execution {

struct SizingAsset {
  double quantity = 0;        ///< held now
  double price = 0;           ///< reference price, > 0
  double desired_weight = 0;  ///< of the portfolio value, cash included
  double lot_size = 1;        ///< > 0
  /// Outside its own band (strategies::outside_band). With Rounding::outward
  /// its trade is raised to the fewest lots worth min_trade_value (never past
  /// the full trade) rather than dropped: the rebalance must bring it back
  /// inside, or it fires again on the next price with nothing cured.
  bool outside_band = false;
};

enum class Rounding {
  nearest,  ///< to the nearest lot: lands as close to the desired weight as lots allow
  outward,  ///< lots up to and past the desired weight, never past the full
            ///< trade to `full_weight` (band-edge: lands inside the band, not on it);
            ///< an asset outside its band trades at least min_trade_value's worth
  /// outward for the assets outside their bands; the others to the nearest
  /// lot, never past the full trade: band-edge without a lot of every asset
  /// whose own move is a fraction of one
  outward_outside,
};

struct SizingRequest {
  std::span<const SizingAsset> assets;
  double cash = 0;
  double min_trade_value = 0;  ///< trades worth less are skipped
  Rounding rounding = Rounding::nearest;
  /// With Rounding::outward(_outside): the weights a full rebalance would reach (the targets).
  std::span<const double> full_weights;
};

struct SizedTrade {
  std::uint32_t asset = 0;  ///< index into SizingRequest::assets
  core::Side side = core::Side::buy;
  double quantity = 0;      ///< > 0, a whole number of lots
  double value = 0;         ///< quantity × price
};

struct SizingResult {
  std::vector<SizedTrade> trades;  ///< every sell before any buy
  double cash_after = 0;           ///< cash once all trades fill at their prices
  bool buys_scaled = false;        ///< buys were cut to the cash available
};

/// Sizes the trades from the current holdings to the desired weights:
/// - quantities are whole lots; sells never exceed the lots held;
/// - trades worth less than min_trade_value are dropped;
/// - buys never spend more than the cash plus the proceeds of the sells: when
///   they would, every buy is scaled down by the same factor and floored to lots.
SizingResult size_trades(const SizingRequest& req);
/// The same into `result` (its trades replaced), reusing its room: no
/// allocation once it has held a portfolio's trades.
void size_trades(const SizingRequest& req, SizingResult& result);

/// Tolerance for quantities that are a whole number of lots up to binary
/// noise: sizing and cash flows floor and ceil lots with it.
inline constexpr double kLotEpsilon = 1e-9;

/// n × lot, with the binary noise of the product removed (3 × 0.001 = 0.003).
double lots_to_quantity(double lots, double lot_size);

}  // namespace ballast::execution
