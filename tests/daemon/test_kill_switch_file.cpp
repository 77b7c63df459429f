#include "daemon/kill_switch_file.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "tests/support/scratch_dir.hpp"

namespace test_kill_switch_file {

using ballast::daemon::KillSwitchFile;
using ballast::testing::ScratchDir;

namespace {
const ballast::core::TimeNs kAt = *ballast::core::parse_iso8601("2026-12-05T08:00:00Z");
}

TEST_CASE("the kill switch file records when and why it went on, and a release removes it") {
  ScratchDir dir;
  KillSwitchFile file(dir.path().string());
  CHECK_FALSE(file.read().has_value());
  std::string error;
  REQUIRE(file.set(true, "operator", kAt, error));
  CHECK(KillSwitchFile(dir.path().string()).read() == "2026-12-05T08:00:00.000Z operator");
  struct stat st {};
  REQUIRE(::stat(file.path().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(file.set(false, "operator", kAt, error));
  CHECK_FALSE(KillSwitchFile(dir.path().string()).read().has_value());
  CHECK(file.set(false, "operator", kAt, error));  // releasing twice is fine
}

TEST_CASE("a kill switch file that exists but says nothing still counts as on") {
  ScratchDir dir;
  KillSwitchFile file(dir.path().string());
  std::ofstream(file.path()).flush();
  CHECK(file.read() == "(no record of why)");
}

TEST_CASE("a kill switch that cannot be recorded says why") {
  ScratchDir dir;
  KillSwitchFile file((dir.path() / "missing" / "dir").string());
  std::string error;
  CHECK_FALSE(file.set(true, "operator", kAt, error));
  CHECK(error.find("cannot write") == 0);
}

}  // namespace test_kill_switch_file
