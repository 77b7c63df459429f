#pragma once
// The CPUs this process may run on, as its affinity says (taskset, systemd's
// CPUAffinity=, a cpuset), not every core of the machine.

namespace ballast::core {

/// The CPUs in this process's affinity mask; the hardware's concurrency when
/// the mask cannot be read; at least 1.
unsigned usable_cpus();

}  // namespace ballast::core
