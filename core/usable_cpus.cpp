#include "core/usable_cpus.hpp"

#include <sched.h>

#include <algorithm>
#include <thread>

namespace ballast::core {

unsigned usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  const int cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 0;
  const unsigned usable = cpus > 0 ? static_cast<unsigned>(cpus) : std::thread::hardware_concurrency();
  return std::max(usable, 1u);
}

}  // namespace ballast::core
