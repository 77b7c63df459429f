// The CPUs this process may run on follow its affinity, not the machine's cores.
#include <doctest/doctest.h>
#include <sched.h>

#include "core/usable_cpus.hpp"

namespace test_usable_cpus {

using namespace ballast;

TEST_CASE("the usable CPUs are the affinity mask's, narrowed or not") {
  cpu_set_t own;
  CPU_ZERO(&own);
  REQUIRE(sched_getaffinity(0, sizeof own, &own) == 0);
  CHECK(core::usable_cpus() == static_cast<unsigned>(CPU_COUNT(&own)));
  // Narrowed to one CPU of the mask (this thread's: the call reads the caller's).
  cpu_set_t one;
  CPU_ZERO(&one);
  int first = 0;
  while (!CPU_ISSET(first, &own)) ++first;
  CPU_SET(first, &one);
  REQUIRE(sched_setaffinity(0, sizeof one, &one) == 0);
  CHECK(core::usable_cpus() == 1);
  REQUIRE(sched_setaffinity(0, sizeof own, &own) == 0);
  CHECK(core::usable_cpus() == static_cast<unsigned>(CPU_COUNT(&own)));
}

}  // namespace test_usable_cpus
