#pragma once
// The composition root: config, sockets, timers, the status server and the
// engine, wired together on one io_context.
#include <memory>
#include <string>

#include "config/config.hpp"

namespace ballast::daemon {

/// Runs the daemon until SIGTERM/SIGINT. Returns the process exit code:
/// 0 after a clean stop, 1 when something it needs cannot be set up.
int run_daemon(config::Config config);

}  // namespace ballast::daemon
