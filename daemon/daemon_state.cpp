// The daemon's durable parts, opened at start: the order id counters, the
// durable kill switch, the state file (restored or seeded) and the fleet's
// account book.
#include <spdlog/spdlog.h>

#include "daemon/daemon_root.hpp"

namespace ballast::daemon {

using namespace fmt::literals;
using spdlog::level::critical, spdlog::level::err, spdlog::level::info, spdlog::level::warn;

bool Daemon::open_state(bool fills) {
  sequences_ = std::make_unique<SequenceFile>(cfg_.daemon.state_dir);
  std::string error;
  const auto seq = sequences_->open(error);
  if (!seq) {
    log_event(critical, "sequence_file_failed", "{error}", "error"_a = error);
    return false;
  }
  // Dry-run never writes the state file: what it books is make-believe.
  if (cfg_.daemon.durability != config::Durability::off && cfg_.execution.mode == config::ExecutionMode::live) {
    auto opened = Persistence::open(cfg_.daemon, error);
    if (!opened) {
      log_event(critical, "state_open_failed", "{error}; not trading", "error"_a = error);
      return false;
    }
    persistence_ = std::make_unique<Persistence>(std::move(*opened));
  }
  engine_ = std::make_unique<engine::Engine>(cfg_.portfolios,
                                             engine::EngineOptions{.book_on_send = !fills,
                                                                   .order_timeout = cfg_.execution.order_timeout,
                                                                   .fill_price_collar = cfg_.execution.fill_price_collar,
                                                                   .limits = cfg_.execution.limits},
                                             wall_now());
  kill_file_ = std::make_unique<KillSwitchFile>(cfg_.daemon.state_dir);
  intake_ = std::make_unique<FeedIntake>(*engine_, warn_limiter_);
  flow_ = std::make_unique<OrderFlow>(cfg_, *engine_, *sequences_, persistence_.get(), *kill_file_, warn_limiter_,
                                      !fills);
  if (const auto record = kill_file_->read()) {
    engine_->set_killed(true);
    log_event(warn, "kill_switch", "kill switch on since before this start ({by}): no order leaves until POST "
              "/control/release", "by"_a = *record, "on"_a = true);
  } else if (cfg_.execution.kill_switch) {
    flow_->set_kill_switch(true, "configuration");
  }
  engine_->set_sequences(*seq);
  for (std::size_t i = 0; i < engine_->portfolios().size(); ++i) {
    if (const std::string error = warm_from_history(i, warm_limit()); !error.empty()) {
      log_event(critical, "risk_history_failed", "{error}", "error"_a = error,
                "portfolio"_a = engine_->portfolios()[i].spec.id);
      return false;
    }
  }
  if (persistence_) {
    try {
      Restored restored = persistence_->restore(*engine_, !fills);
      log_event(info, "state_restored",
                "state {path}: {restored} portfolios restored, {seeded} seeded from the config, {resend} orders to "
                "send again",
                "path"_a = persistence_->path(), "restored"_a = restored.restored.size(),
                "seeded"_a = restored.seeded.size(), "resend"_a = restored.resend.size());
      for (const auto& w : restored.warnings) log_state_warning(w);
      resend_ = std::move(restored.resend);
      restored_blocks_ = std::move(restored.blocks);
    } catch (const store::StoreError& e) {
      log_event(critical, "state_read_failed", "cannot read the state file: {error}; not trading", "error"_a = e.what(),
                "path"_a = persistence_->path());
      return false;
    }
  }
  if (!cfg_.models.empty()) {
    // The loader refuses [[models]] without a state file: the accounts live there.
    engine_->watch_symbols(FleetFlow::symbols_of(cfg_));
    fleet_ = std::make_unique<FleetFlow>(cfg_, *engine_, *persistence_, warn_limiter_, !fills);
    try {
      if (const std::string error = fleet_->load(restored_blocks_); !error.empty()) {
        log_event(critical, "fleet_load_failed", "account book {path}: {error}; not trading",
                  "path"_a = persistence_->path(), "error"_a = error);
        return false;
      }
    } catch (const store::StoreError& e) {
      log_event(critical, "fleet_load_failed", "cannot read the account book: {error}; not trading",
                "error"_a = e.what(), "path"_a = persistence_->path());
      return false;
    }
    fleet_->on_state_failure(
        [this](const std::string& error) { flow_->state_write_failed("fleet changes not written", error); });
    flow_->set_other_fills([this](const core::FillReport& fill, core::TimeNs now) { return fleet_->on_fill(fill, now); });
    // Sent again under their ids, as the portfolios' are: gateways drop what
    // they have seen. Scheduled children leave when they are due.
    for (auto& row : restored_blocks_) {
      if (!FleetFlow::scheduled_child(row)) resend_.push_back(std::move(row.order));
    }
    restored_blocks_.clear();
  } else if (!restored_blocks_.empty()) {
    log_event(warn, "state_warning",
              "{count} block orders of a fleet are unfinished in the state file, but the configuration has no "
              "[[models]]: they stay as they are",
              "count"_a = restored_blocks_.size(), "kind"_a = "blocks_without_fleet");
  }
  intake_->resize_symbols();
  return true;
}

}  // namespace ballast::daemon
