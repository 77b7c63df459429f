// Frames of the order queue (SPEC §3, README "Orders out") through
// decode_order_frame, as a gateway receives them: new orders, cancels and
// replaces. A frame that decodes is encoded and decoded again and must come
// back the same; decode_order must agree with it on new orders.
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

// The wire carries milliseconds.
core::TimeNs to_millis(core::TimeNs t) { return t - t % kNanosPerMilli; }

void check_order(const core::Order& o) {
  BALLAST_FUZZ_CHECK(!o.order_id.empty() && !o.portfolio.empty() && !o.symbol.empty());
  BALLAST_FUZZ_CHECK(!o.reason.empty() && !o.rebalance_id.empty());
  BALLAST_FUZZ_CHECK(std::isfinite(o.quantity) && o.quantity > 0);
  BALLAST_FUZZ_CHECK(std::isfinite(o.reference_price) && o.reference_price > 0);
  if (o.order_type == core::OrderType::limit) BALLAST_FUZZ_CHECK(std::isfinite(o.limit_price) && o.limit_price > 0);
  else BALLAST_FUZZ_CHECK(o.limit_price == 0);
  BALLAST_FUZZ_CHECK(o.created_at >= 0 && o.expire_at >= 0);
  for (const core::Allocation& a : o.allocations) {
    BALLAST_FUZZ_CHECK(core::is_valid_account_id(a.account));
    BALLAST_FUZZ_CHECK(std::isfinite(a.quantity) && a.quantity > 0);
    BALLAST_FUZZ_CHECK(a.lots.size() <= execution::kLotsPerAllocation);
    for (const core::NamedLot& lot : a.lots) BALLAST_FUZZ_CHECK(std::isfinite(lot.quantity) && lot.quantity > 0);
  }

  std::string encoded;
  execution::encode_order(o, encoded);
  const execution::DecodedFrame again = execution::decode_order_frame(encoded);
  BALLAST_FUZZ_CHECK(again.ok && again.kind == execution::FrameKind::order);
  const core::Order& a = again.order;
  BALLAST_FUZZ_CHECK(a.order_id == o.order_id && a.portfolio == o.portfolio && a.symbol == o.symbol);
  BALLAST_FUZZ_CHECK(a.side == o.side && a.order_type == o.order_type);
  BALLAST_FUZZ_CHECK(a.quantity == o.quantity);
  BALLAST_FUZZ_CHECK(a.limit_price == o.limit_price);
  BALLAST_FUZZ_CHECK(a.reference_price == o.reference_price);
  BALLAST_FUZZ_CHECK(a.reason == o.reason && a.rebalance_id == o.rebalance_id);
  BALLAST_FUZZ_CHECK(a.created_at == to_millis(o.created_at));
  BALLAST_FUZZ_CHECK(a.expire_at == to_millis(o.expire_at));
  BALLAST_FUZZ_CHECK(a.allocations == o.allocations);
}

void check_amendment(const core::OrderAmendment& m) {
  BALLAST_FUZZ_CHECK(!m.order_id.empty() && !m.request_id.empty() && !m.portfolio.empty() && !m.symbol.empty());
  if (m.action == core::AmendAction::replace) {
    BALLAST_FUZZ_CHECK(std::isfinite(m.quantity) && m.quantity > 0);
    BALLAST_FUZZ_CHECK(std::isfinite(m.limit_price) && m.limit_price > 0);
  } else {
    BALLAST_FUZZ_CHECK(m.quantity == 0 && m.limit_price == 0);
  }
  BALLAST_FUZZ_CHECK(m.created_at >= 0);

  std::string encoded;
  execution::encode_amendment(m, encoded);
  const execution::DecodedFrame again = execution::decode_order_frame(encoded);
  BALLAST_FUZZ_CHECK(again.ok && again.kind == execution::FrameKind::amendment);
  const core::OrderAmendment& a = again.amendment;
  BALLAST_FUZZ_CHECK(a.action == m.action && a.order_id == m.order_id && a.request_id == m.request_id);
  BALLAST_FUZZ_CHECK(a.portfolio == m.portfolio && a.symbol == m.symbol && a.side == m.side);
  BALLAST_FUZZ_CHECK(a.quantity == m.quantity && a.limit_price == m.limit_price);
  BALLAST_FUZZ_CHECK(a.created_at == to_millis(m.created_at));
  // A gateway that only takes new orders refuses it with a reason.
  const execution::DecodedOrder as_order = execution::decode_order(encoded);
  BALLAST_FUZZ_CHECK(!as_order.ok && !as_order.error.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  const execution::DecodedFrame d = execution::decode_order_frame(text);
  const execution::DecodedOrder order_only = execution::decode_order(text);
  BALLAST_FUZZ_CHECK(order_only.ok == (d.ok && d.kind == execution::FrameKind::order));
  if (!d.ok) {
    BALLAST_FUZZ_CHECK(!d.error.empty() && !order_only.error.empty());
    return 0;
  }
  BALLAST_FUZZ_CHECK(d.error.empty());
  if (d.kind == execution::FrameKind::order) {
    BALLAST_FUZZ_CHECK(order_only.order.order_id == d.order.order_id);
    check_order(d.order);
  } else {
    check_amendment(d.amendment);
  }
  return 0;
}
