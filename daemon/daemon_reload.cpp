// A reload of the configuration (SIGHUP, POST /control/reload) and the risk
// histories that warm the portfolios' estimates.
#include <spdlog/spdlog.h>

#include "daemon/daemon_root.hpp"

namespace ballast::daemon {

using namespace fmt::literals;
using spdlog::level::critical, spdlog::level::err, spdlog::level::info, spdlog::level::warn;

std::string Daemon::reload(const char* why) {
  auto loaded = config::load_config(cfg_.path, config::Purpose::daemon);
  if (!loaded.config) {
    ++reloads_refused_;
    std::string all;
    for (const auto& e : loaded.errors) all += (all.empty() ? "" : "\n") + e.to_string();
    std::string problems;
    core::JsonWriter w(problems);
    w.begin_array();
    for (const auto& e : loaded.errors) w.value(e.to_string());
    w.end_array();
    log_event(err, "reload_refused", "reload ({trigger}) refused, the running configuration stays:\n{text}",
              "trigger"_a = why, "text"_a = TextOnly{all}, "problems"_a = RawJson{problems});
    return all;
  }
  config::Config next = std::move(*loaded.config);
  // The running shard decides which portfolios apply: a new shard waits for a restart.
  const std::size_t portfolios_in_file = next.portfolios.size();
  next.portfolios = config::owned_portfolios(next.portfolios, cfg_.daemon.shard);
  // What arrived under the running configuration is decided under it.
  intake_->flush_instants();
  std::vector<std::string> restart_needed;
  intake_->reconfigure(next.feeds, restart_needed);
  for (auto& change : restart_only_changes(cfg_, next)) restart_needed.push_back(std::move(change));

  if (next.execution.kill_switch && !engine_->killed()) flow_->set_kill_switch(true, "configuration reload");
  set_log_level(next.daemon.log_level);
  engine_->set_limits(next.execution.limits);
  if (fleet_) fleet_->set_limits(next.execution.limits);
  std::vector<std::string> added;
  for (const auto& spec : next.portfolios) {
    if (!engine_->find_portfolio(spec.id)) added.push_back(spec.id);
  }
  engine_->reconfigure(next.portfolios, engine_now());
  if (persistence_) {
    // The state file is the truth for a portfolio it knows, even one that
    // was removed and is added again.
    try {
      const Restored r = persistence_->adopt(*engine_, added);
      for (const auto& id : r.restored) {
        log_event(info, "portfolio_restored", "portfolio {portfolio} restored from {path}", "portfolio"_a = id,
                  "path"_a = persistence_->path());
      }
      for (const auto& id : r.seeded) {
        log_event(info, "portfolio_seeded", "portfolio {portfolio} seeded from the config", "portfolio"_a = id);
      }
      for (const auto& w : r.warnings) log_state_warning(w);
    } catch (const store::StoreError& e) {
      flow_->state_write_failed("the state file could not be read on reload", e.what());
    }
  }
  intake_->resize_symbols();
  for (std::size_t i = 0; i < engine_->portfolios().size(); ++i) {
    if (const std::string error = warm_from_history(i, warm_limit()); !error.empty()) {
      log_event(err, "risk_history_failed", "{error}", "error"_a = error, "portfolio"_a = engine_->portfolios()[i].spec.id);
    }
  }
  intake_->refresh_staleness(wall_now());
  cfg_.portfolios = std::move(next.portfolios);
  portfolios_in_file_ = portfolios_in_file;
  cfg_.status.token = next.status.token;
  cfg_.daemon.log_level = next.daemon.log_level;
  ++reloads_;
  std::string pending;
  for (const auto& s : restart_needed) pending += (pending.empty() ? "" : ", ") + s;
  std::string restart_json;
  core::JsonWriter w(restart_json);
  w.begin_array();
  for (const auto& s : restart_needed) w.value(s);
  w.end_array();
  const std::string pending_text =
      pending.empty() ? std::string() : "; changes to " + pending + " take effect at the next restart";
  log_event(info, "reloaded", "reload ({trigger}): applied portfolios, log level and token{pending}", "trigger"_a = why,
            "pending"_a = TextOnly{pending_text}, "restart_needed"_a = RawJson{restart_json});
  return {};
}

core::TimeNs Daemon::warm_limit() const {
  if (!clock_.data()) return std::numeric_limits<core::TimeNs>::max();
  return clock_.started() ? engine_now() : std::numeric_limits<core::TimeNs>::min();
}

std::string Daemon::warm_from_history(std::size_t index, core::TimeNs before) {
  const auto& p = engine_->portfolios()[index];
  if (!p.spec.risk || p.spec.risk->history.empty() || !p.risk) return {};
  const auto* ewma = std::get_if<strategies::EwmaRiskModel>(&*p.risk);
  if (!ewma || ewma->samples() > 0) return {};
  const std::string& path = p.spec.risk->history;
  const auto loaded = feeds::load_price_table(path);
  if (!loaded.ok()) {
    return "portfolio " + p.spec.id + ": risk history " + path + ": " +
           (loaded.errors.empty() ? std::string("unreadable") : loaded.errors.front());
  }
  const feeds::PriceTable& table = loaded.table;
  std::vector<std::size_t> column_of_asset;
  for (const auto& a : p.spec.assets) {
    const auto it = std::find(table.symbols.begin(), table.symbols.end(), a.symbol);
    if (it == table.symbols.end()) {
      return "portfolio " + p.spec.id + ": risk history " + path + " has no column for " + a.symbol;
    }
    column_of_asset.push_back(static_cast<std::size_t>(it - table.symbols.begin()));
  }
  const auto rows = static_cast<std::size_t>(std::lower_bound(table.times.begin(), table.times.end(), before) -
                                             table.times.begin());
  if (rows == 0) return {};
  engine_->warm_risk(index, std::span(table.times.data(), rows), std::span(table.prices.data(), rows * table.cols()),
                     table.cols(), column_of_asset);
  const auto& after = engine_->portfolios()[index];
  log_event(info, "risk_warmed", "portfolio {portfolio}: risk model warmed from {path}: {rows} rows, {samples} samples, {state}",
            "portfolio"_a = p.spec.id, "path"_a = path, "rows"_a = rows,
            "samples"_a = std::get<strategies::EwmaRiskModel>(*after.risk).samples(),
            "state"_a = engine::model_state_text(after));
  return {};
}

}  // namespace ballast::daemon
