#include "daemon/reload_plan.hpp"

#include <doctest/doctest.h>

namespace test_reload_plan {

using ballast::config::Config;
using ballast::daemon::restart_only_changes;

TEST_CASE("a reload names every setting that only a restart applies, and nothing else") {
  const Config running;
  Config next = running;
  CHECK(restart_only_changes(running, next).empty());
  next.portfolios.resize(3);
  next.daemon.log_level = "debug";
  next.status.token = "new";
  next.execution.limits.max_order_value = 5;
  next.execution.kill_switch = true;
  CHECK(restart_only_changes(running, next).empty());  // all applied in place
  next.execution.order_timeout = 1;
  next.status.listen = "127.0.0.1:9999";
  next.daemon.durability = ballast::config::Durability::normal;
  next.daemon.state_dir = "/elsewhere";
  next.daemon.clock = ballast::config::EngineClock::data;
  next.daemon.shard = ballast::config::Shard{1, 2};
  CHECK(restart_only_changes(running, next) ==
        std::vector<std::string>{"[execution]", "[status] listen", "[daemon] log_file/log_format/state_dir",
                                 "[daemon] durability", "[daemon] clock", "[daemon] shard"});
}

TEST_CASE("a reload that changes a model's tax policy needs a restart, as the fleet's models are built at start") {
  Config running;
  running.models.resize(1);
  running.models[0].id = "growth";
  Config next = running;
  CHECK(restart_only_changes(running, next).empty());
  SUBCASE("avoid_short_term_gains") { next.models[0].tax.avoid_short_term_gains = true; }
  SUBCASE("short_term_rate") { next.models[0].tax.short_term_rate = 0.37; }
  SUBCASE("long_term_rate") { next.models[0].tax.long_term_rate = 0.2; }
  SUBCASE("substitutes") { next.models[0].tax.substitutes = {{"VTI", {"ITOT"}}}; }
  SUBCASE("avoid_wash_sales") { next.models[0].tax.avoid_wash_sales = false; }
  SUBCASE("harvest") { next.models[0].tax.harvest = ballast::strategies::TaxPolicy::Harvest{0, 0.05, 5}; }
  SUBCASE("identical") { next.models[0].tax.identical = {{"VOO", "IVV"}}; }
  CHECK(restart_only_changes(running, next) == std::vector<std::string>{"[[models]]"});
}

TEST_CASE("a model's dynamic trigger, risk and costs reload unchanged, and need a restart when they change") {
  Config running;
  running.models.resize(1);
  running.models[0].id = "taxable";
  running.models[0].triggers.push_back(ballast::strategies::ThresholdTrigger{.absolute = 0.05});
  running.models[0].triggers.push_back(ballast::strategies::DynamicTrigger{});
  ballast::strategies::RiskSpec risk;
  risk.volatilities = {{"VTI", 0.16}, {"BND", 0.05}};
  running.models[0].risk = risk;
  running.models[0].costs = ballast::core::CostParams{.commission_bps = 1};
  Config next = running;
  CHECK(restart_only_changes(running, next).empty());
  auto& dynamic = std::get<ballast::strategies::DynamicTrigger>(next.models[0].triggers[1]);
  SUBCASE("risk_aversion") { dynamic.risk_aversion = 2; }
  SUBCASE("horizon") { dynamic.horizon = 1; }
  SUBCASE("cost_bps") { dynamic.cost_bps = 3; }
  SUBCASE("a volatility") { next.models[0].risk->volatilities[0].second = 0.2; }
  SUBCASE("a correlation") { next.models[0].risk->correlations.push_back({"VTI", "BND", 0.2}); }
  SUBCASE("a cost") { next.models[0].costs->commission_bps = 2; }
  SUBCASE("no dynamic trigger") { next.models[0].triggers.pop_back(); }
  CHECK(restart_only_changes(running, next) == std::vector<std::string>{"[[models]]"});
}

TEST_CASE("a model's dates, slicing and target model reload unchanged, and need a restart when they change") {
  Config running;
  running.models.resize(1);
  running.models[0].id = "robo";
  running.models[0].triggers.push_back(ballast::strategies::ThresholdTrigger{.absolute = 0.05});
  running.models[0].triggers.push_back(
      ballast::strategies::CalendarTrigger{ballast::core::parse_period("1d").value(), std::nullopt});
  running.models[0].slicing = ballast::core::Slicing{50'000, 30'000'000'000};
  running.models[0].model.kind = ballast::strategies::ModelKind::risk_parity;
  ballast::strategies::RiskSpec risk;
  risk.volatilities = {{"VTI", 0.16}, {"BND", 0.05}};
  running.models[0].risk = risk;
  Config next = running;
  CHECK(restart_only_changes(running, next).empty());
  SUBCASE("a date") {
    std::get<ballast::strategies::CalendarTrigger>(next.models[0].triggers[1]).every =
        ballast::core::parse_period("1w").value();
  }
  SUBCASE("slicing") { next.models[0].slicing->max_child_value = 10'000; }
  SUBCASE("the target model") { next.models[0].model.kind = ballast::strategies::ModelKind::mean_variance; }
  SUBCASE("its budgets") { next.models[0].model.budgets = {{"VTI", 0.5}, {"BND", 0.5}}; }
  SUBCASE("its risk model") { next.models[0].risk->volatilities[1].second = 0.06; }
  CHECK(restart_only_changes(running, next) == std::vector<std::string>{"[[models]]"});
}

TEST_CASE("a model's volatility trigger and its risk model reload unchanged, and need a restart when they change") {
  Config running;
  running.models.resize(1);
  running.models[0].id = "robo";
  running.models[0].triggers.push_back(ballast::strategies::ThresholdTrigger{.absolute = 0.05});
  running.models[0].triggers.push_back(ballast::strategies::VolatilityTrigger{.max = 0.12});
  ballast::strategies::RiskSpec risk;
  risk.volatilities = {{"VTI", 0.16}, {"BND", 0.05}};
  running.models[0].risk = risk;
  Config next = running;
  CHECK(restart_only_changes(running, next).empty());
  SUBCASE("its max") { std::get<ballast::strategies::VolatilityTrigger>(next.models[0].triggers[1]).max = 0.11; }
  SUBCASE("its risk model") { next.models[0].risk->volatilities[0].second = 0.18; }
  CHECK(restart_only_changes(running, next) == std::vector<std::string>{"[[models]]"});
}

TEST_CASE("a reload that changes when gains turn long-term needs a restart: the fleet's lots are read at start") {
  Config running;
  Config next = running;
  next.fleet.long_term_after_months = 6;
  CHECK(restart_only_changes(running, next) == std::vector<std::string>{"[fleet]"});
}

}  // namespace test_reload_plan
