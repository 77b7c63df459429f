#pragma once
// What a reload cannot apply while running: the tables whose change needs a
// restart (sockets, keys, the state file, the log sink). A pure comparison of
// the running configuration with the new one; the feeds' part is the feed
// intake's, which knows which checks it can change in place.
#include <string>
#include <vector>

#include "config/config.hpp"

namespace ballast::daemon {

/// Names of the changed settings that take effect only at the next restart,
/// in a stable order ("[execution]", "[curve]", "[status] listen", ...).
std::vector<std::string> restart_only_changes(const config::Config& running, const config::Config& next);

}  // namespace ballast::daemon
