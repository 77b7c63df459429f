// Bytes on the status socket through parse_http_request, which runs the live
// server's parser, limits and conversion. Properties: the outcome is one of
// three, a rejection carries an HTTP error status, the parser never claims
// more bytes than it was given, and whatever follows a complete request
// parses on its own as the server would read it next (pipelining).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "daemon/http_server.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace ballast;
using Outcome = daemon::HttpParseResult::Outcome;

namespace {

void check(std::string_view raw, const daemon::HttpServerLimits& limits, int depth) {
  const daemon::HttpParseResult r = daemon::parse_http_request(raw, limits);
  BALLAST_FUZZ_CHECK(r.consumed <= raw.size());
  switch (r.outcome) {
    case Outcome::rejected:
      BALLAST_FUZZ_CHECK(r.status == 400 || r.status == 413 || r.status == 431);
      BALLAST_FUZZ_CHECK(!r.reason.empty());
      break;
    case Outcome::request:
      BALLAST_FUZZ_CHECK(!r.request.method.empty());
      BALLAST_FUZZ_CHECK(r.request.body.size() <= limits.max_body_bytes);
      BALLAST_FUZZ_CHECK(r.consumed > 0);
      if (depth < 4 && r.consumed < raw.size()) check(raw.substr(r.consumed), limits, depth + 1);
      break;
    case Outcome::incomplete: break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw = fuzz::as_text(data, size);
  // The defaults, and tight limits so that the size checks are reached often.
  check(raw, daemon::HttpServerLimits{}, 0);
  daemon::HttpServerLimits tight;
  tight.max_header_bytes = 256;
  tight.max_body_bytes = 64;
  check(raw, tight, 0);
  return 0;
}
