#pragma once
// POST /control/accounts/create, /update and /close?id=ID: live changes to
// the fleet's account book (FleetFlow::create_account and its kin) as HTTP
// answers. The caller puts them behind the bearer token like every control route.
#include "daemon/fleet_flow.hpp"
#include "daemon/http_server.hpp"

namespace ballast::daemon {

enum class AccountAction { create, update, close };

/// The answer to one request; `fleet` is null without [[models]] (503).
HttpResponse account_control(FleetFlow* fleet, AccountAction action, const HttpRequest& req);

}  // namespace ballast::daemon
