// Execution reports (SPEC §4) through decode_fill; a report that decodes is
// encoded and decoded again and must come back the same.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/time.hpp"
#include "execution/io/fill_codec.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace ballast;

namespace {

constexpr core::TimeNs kReceived = 1'700'000'000'000'000'000;
constexpr core::TimeNs kNanosPerMilli = 1'000'000;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const execution::DecodedFill d = execution::decode_fill(fuzz::as_text(data, size), kReceived);
  if (!d.ok) {
    BALLAST_FUZZ_CHECK(!d.error.empty());
    return 0;
  }
  const core::FillReport& f = d.fill;
  BALLAST_FUZZ_CHECK(d.error.empty());
  BALLAST_FUZZ_CHECK(!f.order_id.empty());
  BALLAST_FUZZ_CHECK(std::isfinite(f.filled_quantity) && f.filled_quantity >= 0);
  BALLAST_FUZZ_CHECK(std::isfinite(f.avg_price) && f.avg_price >= 0);
  const bool claims_fill = f.status == core::FillStatus::filled || f.status == core::FillStatus::partially_filled;
  if (claims_fill) BALLAST_FUZZ_CHECK(f.filled_quantity > 0);
  if (f.filled_quantity > 0) BALLAST_FUZZ_CHECK(f.avg_price > 0);
  BALLAST_FUZZ_CHECK(f.ts >= 0);

  std::string encoded;
  execution::encode_fill(f, encoded);
  const execution::DecodedFill again = execution::decode_fill(encoded, 0);
  BALLAST_FUZZ_CHECK(again.ok);
  BALLAST_FUZZ_CHECK(again.fill.order_id == f.order_id);
  BALLAST_FUZZ_CHECK(again.fill.status == f.status);
  BALLAST_FUZZ_CHECK(again.fill.filled_quantity == f.filled_quantity);
  BALLAST_FUZZ_CHECK(again.fill.avg_price == f.avg_price);
  // The wire carries milliseconds.
  BALLAST_FUZZ_CHECK(again.fill.ts == f.ts - f.ts % kNanosPerMilli);
  return 0;
}
