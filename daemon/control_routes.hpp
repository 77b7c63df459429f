#pragma once
// The status socket's routes (SPEC §5): GET /healthz, /status and /metrics,
// and POST /control/* for the operator, each behind the bearer token when one
// is set. The routes decide what a request means; the daemon supplies the
// engine, the order flow and the read-outs.
#include <functional>
#include <string>
#include <vector>

#include "daemon/fleet_flow.hpp"
#include "daemon/http_server.hpp"
#include "daemon/order_flow.hpp"
#include "engine/engine.hpp"

namespace ballast::daemon {

struct ControlContext {
  engine::Engine& engine;
  OrderFlow& flow;
  engine::Output& out;  ///< the daemon's reusable output; handled before each answer
  /// The bearer token for /control/* as currently configured (reloads change it); empty: none.
  const std::string& token;
  /// The engine's time (the wall's, or the data's with `clock = "data"`).
  std::function<core::TimeNs()> now;
  /// Re-reads the configuration: empty when applied, else every problem.
  std::function<std::string()> reload;
  std::function<std::string()> status_json;
  std::function<std::vector<std::string>()> health_problems;
  std::function<std::string()> metrics;
  /// The fleet, for /accounts and /control/accounts/*; null without [[models]].
  FleetFlow* fleet = nullptr;
};

/// Every route of the status socket. The context's references must outlive the router.
Router make_routes(ControlContext ctx);

}  // namespace ballast::daemon
