// Order frames (SPEC §3) through decode_order, as a gateway receives them; an
// order that decodes is encoded and decoded again and must come back the same.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/time.hpp"
#include "execution/io/order_codec.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace ballast;

namespace {

constexpr core::TimeNs kNanosPerMilli = 1'000'000;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const execution::DecodedOrder d = execution::decode_order(fuzz::as_text(data, size));
  if (!d.ok) {
    BALLAST_FUZZ_CHECK(!d.error.empty());
    return 0;
  }
  const core::Order& o = d.order;
  BALLAST_FUZZ_CHECK(d.error.empty());
  BALLAST_FUZZ_CHECK(!o.order_id.empty() && !o.portfolio.empty() && !o.symbol.empty());
  BALLAST_FUZZ_CHECK(!o.reason.empty() && !o.rebalance_id.empty());
  BALLAST_FUZZ_CHECK(std::isfinite(o.quantity) && o.quantity > 0);
  BALLAST_FUZZ_CHECK(std::isfinite(o.reference_price) && o.reference_price > 0);
  if (o.order_type == core::OrderType::limit) BALLAST_FUZZ_CHECK(std::isfinite(o.limit_price) && o.limit_price > 0);
  else BALLAST_FUZZ_CHECK(o.limit_price == 0);
  BALLAST_FUZZ_CHECK(o.created_at >= 0);

  std::string encoded;
  execution::encode_order(o, encoded);
  const execution::DecodedOrder again = execution::decode_order(encoded);
  BALLAST_FUZZ_CHECK(again.ok);
  const core::Order& a = again.order;
  BALLAST_FUZZ_CHECK(a.order_id == o.order_id && a.portfolio == o.portfolio && a.symbol == o.symbol);
  BALLAST_FUZZ_CHECK(a.side == o.side && a.order_type == o.order_type);
  BALLAST_FUZZ_CHECK(a.quantity == o.quantity);
  BALLAST_FUZZ_CHECK(a.limit_price == o.limit_price);
  BALLAST_FUZZ_CHECK(a.reference_price == o.reference_price);
  BALLAST_FUZZ_CHECK(a.reason == o.reason && a.rebalance_id == o.rebalance_id);
  // The wire carries milliseconds.
  BALLAST_FUZZ_CHECK(a.created_at == o.created_at - o.created_at % kNanosPerMilli);
  return 0;
}
