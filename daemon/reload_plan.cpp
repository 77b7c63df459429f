#include "daemon/reload_plan.hpp"

#include "daemon/status_limits.hpp"

namespace ballast::daemon {

std::vector<std::string> restart_only_changes(const config::Config& running, const config::Config& next) {
  std::vector<std::string> changes;
  const config::ExecutionConfig& a = running.execution;
  const config::ExecutionConfig& b = next.execution;
  if (a.endpoint != b.endpoint || a.connect != b.connect || a.fills_endpoint != b.fills_endpoint || a.mode != b.mode ||
      a.order_timeout != b.order_timeout || a.fill_price_collar != b.fill_price_collar || a.insecure != b.insecure) {
    changes.push_back("[execution]");
  }
  if (running.curve != next.curve) changes.push_back("[curve]");
  if (running.status.listen != next.status.listen) changes.push_back("[status] listen");
  if (status_limits(running.status) != status_limits(next.status)) changes.push_back("[status] limits");
  const config::DaemonConfig& d = running.daemon;
  const config::DaemonConfig& e = next.daemon;
  if (d.log_file != e.log_file || d.log_format != e.log_format || d.state_dir != e.state_dir) {
    changes.push_back("[daemon] log_file/log_format/state_dir");
  }
  if (d.durability != e.durability) changes.push_back("[daemon] durability");
  if (d.clock != e.clock) changes.push_back("[daemon] clock");
  if (d.shard != e.shard) changes.push_back("[daemon] shard");
  return changes;
}

}  // namespace ballast::daemon
