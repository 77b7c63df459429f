// Configuration text (SPEC §6) through parse_config, the loader's entry for
// TOML already read: a configuration, or every problem with its place.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

#include "config/config.hpp"
#include "fuzz/fuzz_check.hpp"

using namespace ballast;

namespace {

const std::string kPath = "fuzz.toml";

void check(const config::LoadResult& r) {
  BALLAST_FUZZ_CHECK(r.config.has_value() == r.errors.empty());
  for (std::size_t i = 0; i < r.errors.size(); ++i) {
    const config::ConfigError& e = r.errors[i];
    BALLAST_FUZZ_CHECK(e.file == kPath);
    BALLAST_FUZZ_CHECK(!e.message.empty());
    BALLAST_FUZZ_CHECK(e.line >= 0 && e.column >= 0);
    // An exception that escaped the loader's checks: a gap in them, not a located problem.
    BALLAST_FUZZ_CHECK(!std::string_view(e.message).starts_with("cannot load configuration"));
    if (i > 0) {
      const config::ConfigError& p = r.errors[i - 1];
      BALLAST_FUZZ_CHECK(std::tie(p.line, p.column) <= std::tie(e.line, e.column));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  check(config::parse_config(text, kPath, config::Purpose::daemon));
  check(config::parse_config(text, kPath, config::Purpose::offline));
  return 0;
}
