// The fleet's live account changes (POST /control/accounts/*): members of
// FleetFlow kept apart from its tick and fill path. Each change is checked
// whole, committed to the state file in one transaction, and only then given
// to the desk; a refusal or a failed commit leaves the book as it was.
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "config/shard.hpp"
#include "daemon/fleet_flow.hpp"
#include "daemon/log_event.hpp"
#include "fleet/account_import.hpp"
#include "fleet/model_from_spec.hpp"

namespace ballast::daemon {
namespace {

using namespace fmt::literals;
using Edit = FleetFlow::AccountEdit;

Edit refused(Edit::Result result, std::string id, std::string reason) {
  Edit e;
  e.result = result;
  e.id = std::move(id);
  e.text = std::move(reason);
  return e;
}

std::string in_quotes(std::string_view id) { return fleet::quoted_for_message(id); }

constexpr std::string_view kNotStarted =
    "the fleet has not started: it starts when every symbol of its models has a price";

std::string busy_reason(std::string_view id) {
  return "account " + in_quotes(id) +
         " waits for its block orders or its decision window; a change now would lose or double its fills: try "
         "again when GET /accounts/" + std::string(id) + " shows it not pending";
}

}  // namespace

FleetFlow::AccountEdit FleetFlow::create_account(std::string_view text) { return put_account(text, false); }

FleetFlow::AccountEdit FleetFlow::update_account(std::string_view text) { return put_account(text, true); }

FleetFlow::AccountEdit FleetFlow::put_account(std::string_view text, bool update) {
  const fleet::ModelCatalog catalog = fleet::catalog_of(cfg_.models);
  fleet::AccountObject parsed = fleet::parse_account_object(text, &catalog);
  if (!parsed.record) {
    Edit e = refused(Edit::Result::bad_request, {}, "the account is refused");
    e.problems = std::move(parsed.problems);
    return e;
  }
  const fleet::AccountRecord& r = *parsed.record;
  if (!config::owns(cfg_.daemon.shard, r.id)) {
    return refused(Edit::Result::other_shard, r.id,
                   "account " + in_quotes(r.id) + " belongs to shard " +
                       std::to_string(config::shard_of(r.id, cfg_.daemon.shard.count)) + ", not to this daemon's (" +
                       config::to_string(cfg_.daemon.shard) + ")");
  }
  if (!desk_) return refused(Edit::Result::not_started, r.id, std::string(kNotStarted));
  const std::optional<fleet::AccountIndex> a = desk_->find(r.id);
  std::optional<fleet::AccountRecord> before;
  if (update) {
    if (!a || desk_->closed(*a)) {
      return refused(Edit::Result::unknown, r.id,
                     "no account " + in_quotes(r.id) + " in this daemon's book" +
                         (a ? " (it is closed)" : "; create it first"));
    }
    if (desk_->busy(*a)) return refused(Edit::Result::busy, r.id, busy_reason(r.id));
    before = persistence_.store().account(r.id);
  } else if (a) {
    return refused(Edit::Result::exists, r.id,
                   desk_->closed(*a) ? "account " + in_quotes(r.id) +
                                           " was closed since the daemon started; its id is taken until a restart"
                                     : "account " + in_quotes(r.id) + " is in the book already; update it instead");
  }
  // Its model, or the variant its overrides make (added to the desk when new).
  fleet::BookPlace place;
  const fleet::ModelVariants::AddModel add = [this](fleet::Model m, fleet::ModelIndex& index) {
    index = static_cast<fleet::ModelIndex>(desk_->book().models().size());
    return desk_->add_model(std::move(m));
  };
  if (auto why = variants_.place(r, desk_->book().models(), symbols_, add, place)) {
    return refused(Edit::Result::bad_request, r.id, *why);
  }
  if (auto why = desk_->book().check_account(place.model, r.cash, place.quantities, r.band_multiplier)) {
    return refused(Edit::Result::bad_request, r.id, "account " + in_quotes(r.id) + ": " + *why);
  }
  if (auto why = fleet::AccountLots(desk_->lots().rule()).restore(0, r, symbols_)) {
    return refused(Edit::Result::bad_request, r.id, *why);
  }
  store::Change change;
  change.accounts.push_back(r);
  try {
    persistence_.commit(change);
  } catch (const store::StoreError& e) {
    return refused(Edit::Result::state_failed, r.id,
                   std::string("the state file did not take the change, nothing changed: ") + e.what());
  }
  auto applied = a ? desk_->set_account(*a, place.model, r.cash, place.quantities, r.band_multiplier, r.household)
                   : desk_->add_account(r.id, place.model, r.cash, place.quantities, r.band_multiplier, r.household);
  // The record's lots replace the account's (none: it keeps none). The
  // checks above refuse what the lots would; a refusal here is the desk's.
  if (!applied) applied = desk_->set_lots(*desk_->find(r.id), r);
  if (applied) {
    // Only a full book is left to refuse it: the file goes back to the book.
    store::Change undo;
    if (before) undo.accounts.push_back(*before);
    else undo.closed_accounts.push_back(r.id);
    try {
      persistence_.commit(undo);
    } catch (const store::StoreError& e) {
      if (on_state_failure_) on_state_failure_(e.what());
    }
    return refused(Edit::Result::state_failed, r.id, "account " + in_quotes(r.id) + ": " + *applied);
  }
  if (!update) ++accounts_in_file_;
  log_event(spdlog::level::info, update ? "account_updated" : "account_created",
            "account {account} {change} by operator: model {model}, cash {cash:.2f}, {holdings} holdings",
            "account"_a = r.id, "change"_a = update ? "updated" : "created", "model"_a = r.model, "cash"_a = r.cash,
            "holdings"_a = r.holdings.size());
  Edit done;
  done.id = r.id;
  done.text = account_json(r.id, wall_now()).value_or("{}");
  return done;
}

FleetFlow::AccountEdit FleetFlow::close_account(std::string_view id) {
  const std::string account(id);
  if (!config::owns(cfg_.daemon.shard, id)) {
    return refused(Edit::Result::other_shard, account,
                   "account " + in_quotes(id) + " belongs to shard " +
                       std::to_string(config::shard_of(id, cfg_.daemon.shard.count)) + ", not to this daemon's (" +
                       config::to_string(cfg_.daemon.shard) + ")");
  }
  if (!desk_) return refused(Edit::Result::not_started, account, std::string(kNotStarted));
  const std::optional<fleet::AccountIndex> a = desk_->find(id);
  if (!a || desk_->closed(*a)) {
    return refused(Edit::Result::unknown, account,
                   "no account " + in_quotes(id) + " in this daemon's book" + (a ? " (it is closed already)" : ""));
  }
  if (desk_->busy(*a)) return refused(Edit::Result::busy, account, busy_reason(id));
  store::Change change;
  change.closed_accounts.push_back(account);
  try {
    persistence_.commit(change);
  } catch (const store::StoreError& e) {
    return refused(Edit::Result::state_failed, account,
                   std::string("the state file did not take the change, nothing changed: ") + e.what());
  }
  if (auto why = desk_->close_account(*a)) {
    // Checked just above: a desk that refuses now has lost track of its own book.
    log_event(spdlog::level::critical, "account_close_failed", "account {account}: {error}", "account"_a = account,
              "error"_a = *why);
    std::abort();
  }
  if (accounts_in_file_ > 0) --accounts_in_file_;
  log_event(spdlog::level::info, "account_closed", "account {account} closed by operator", "account"_a = account);
  Edit done;
  done.id = account;
  return done;
}

}  // namespace ballast::daemon
