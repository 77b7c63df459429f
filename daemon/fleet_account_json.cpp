// GET /accounts/ID and GET /accounts pages: the fleet's accounts as JSON,
// from the desk (holdings, drift, open blocks, tax lots) and the state file
// (realised gains).
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "daemon/fleet_flow.hpp"
#include "tax/holding_period.hpp"
#include "tax/lots.hpp"
#include "tax/tax_rates.hpp"

namespace ballast::daemon {

namespace {

/// An account's fields, in an object the caller opens and closes.
void write_account_fields(core::JsonWriter& w, const fleet::FleetDesk& desk, fleet::AccountIndex a,
                          const fleet::ModelVariants& models) {
  const fleet::AccountDetail d = desk.detail(a);
  const fleet::AccountBook& book = desk.book();
  w.field("id", book.id(a)).field("model", models.name(book.model_index(a)));
  w.field("value", d.view.value).field("cash", d.view.cash).field("cash_weight", d.view.cash_weight);
  w.field("cash_target", d.view.cash_target).field("band_multiplier", book.band_multiplier(a));
  w.field("max_drift", d.view.max_abs_drift).field("total_drift", d.view.total_drift).key("total_band");
  if (std::isfinite(d.view.total_band))
    w.value(d.view.total_band);
  else
    w.null();
  w.field("breaching", d.view.breaching).field("pending", d.pending);
  w.key("assets").begin_array();
  const fleet::Model& m = book.model(a);
  const bool grouped = fleet::has_substitutes(m);
  for (std::size_t i = 0; i < d.view.assets.size(); ++i) {
    const fleet::AssetView& asset = d.view.assets[i];
    w.begin_object().field("symbol", desk.symbols().name(asset.symbol)).field("quantity", asset.quantity);
    w.field("price", asset.price).field("value", asset.value).field("weight", asset.weight);
    w.field("target", asset.target);
    if (grouped) {
      // A substitute group is held to its primary's target as one: its drift is the group's.
      w.field("group", desk.symbols().name(m.symbols[fleet::primary_of(m, i)]));
      w.field("group_weight", asset.group_weight).field("group_target", asset.group_target);
    }
    w.field("drift", asset.drift);
    w.key("band");
    if (std::isfinite(asset.band)) w.value(asset.band);
    else w.null();
    w.field("breaching", asset.breaching).end_object();
  }
  w.end_array();
  w.key("last_rebalance");
  if (d.last_rebalance) w.value(core::format_iso8601(d.last_rebalance));
  else w.null();
  w.key("open_orders").begin_array();
  for (const std::string& id : d.open_orders) w.value(id);
  w.end_array();
}

void write_account(core::JsonWriter& w, const fleet::FleetDesk& desk, fleet::AccountIndex a,
                   const fleet::ModelVariants& models) {
  w.begin_object();
  write_account_fields(w, desk, a, models);
  w.end_object();
}

void write_term_totals(core::JsonWriter& w, const char* key, const tax::TermTotals& t) {
  w.key(key).begin_object().field("proceeds", t.proceeds).field("basis", t.basis);
  w.field("wash_disallowed", t.wash_disallowed).field("gain", t.gain).end_object();
}

/// The tax on a short-term and a long-term gain at `rates` (a loss's is negative: what it saves).
double estimated_tax(const tax::TaxRates& rates, double short_term_gain, double long_term_gain) {
  return rates.tax_on(short_term_gain, tax::Term::short_term) + rates.tax_on(long_term_gain, tax::Term::long_term);
}

/// The account's tax lots on `today` at the current prices, and its realised
/// gains per year (`realised`: its lines from the state file). With its
/// model's tax rates, each also has an `estimated_tax`.
void write_account_lots(core::JsonWriter& w, const fleet::FleetDesk& desk, fleet::AccountIndex a, tax::Day today,
                        std::span<const tax::RealisedLine> realised) {
  const fleet::AccountLotsView v = desk.lots().view(a, today, desk.monitor().prices());
  const std::optional<tax::TaxRates>& rates = desk.book().model(a).tax_rates;
  w.field("lot_method", tax::to_string(desk.lots().method(a)));
  w.key("lots").begin_array();
  for (const fleet::LotView& lot : v.lots) {
    w.begin_object().field("symbol", desk.symbols().name(lot.symbol)).field("id", std::uint64_t{lot.lot});
    w.field("quantity", lot.quantity);
    w.field("basis_per_unit", lot.basis_per_unit).field("acquired", core::format_day(lot.acquired));
    w.field("holding_from", core::format_day(lot.holding_from)).field("term", tax::to_string(lot.term));
    w.key("unrealised_gain");
    if (lot.priced) w.value(lot.unrealised_gain);
    else w.null();
    w.end_object();
  }
  w.end_array();
  w.key("unrealised").begin_object().field("short_term", v.unrealised_short_term);
  w.field("long_term", v.unrealised_long_term).field("unpriced_lots", v.unpriced_lots);
  if (rates) w.field("estimated_tax", estimated_tax(*rates, v.unrealised_short_term, v.unrealised_long_term));
  w.end_object();
  w.key("realised").begin_array();
  for (const tax::YearTotals& y : tax::totals_by_year(realised)) {
    w.begin_object().field("year", y.year);
    write_term_totals(w, "short_term", y.short_term);
    write_term_totals(w, "long_term", y.long_term);
    // Of the reported gains: a loss a wash sale disallowed saves nothing.
    if (rates) w.field("estimated_tax", estimated_tax(*rates, y.short_term.gain, y.long_term.gain));
    w.end_object();
  }
  w.end_array();
}

}  // namespace

std::optional<std::string> FleetFlow::account_json(std::string_view id, core::TimeNs now) const {
  if (!desk_) return std::nullopt;
  const auto a = desk_->find(id);
  if (!a || desk_->closed(*a)) return std::nullopt;
  std::vector<tax::RealisedLine> realised;
  for (store::RealisedRow& row : persistence_.store().realised_of(id)) realised.push_back(row.line);
  std::string body;
  core::JsonWriter w(body);
  w.begin_object();
  write_account_fields(w, *desk_, *a, variants_);
  write_account_lots(w, *desk_, *a, tax::day_of(now), realised);
  w.end_object();
  return body;
}

std::string FleetFlow::page_json(std::size_t limit, std::string_view after, bool only_breaching,
                                 std::string& error) const {
  std::string body;
  core::JsonWriter w(body);
  w.begin_object();
  fleet::FleetDesk::AccountPage page;
  if (desk_) {
    std::optional<fleet::AccountIndex> from;
    if (!after.empty()) {
      from = desk_->find(after);
      if (!from) {
        error = "after: no account \"" + std::string(after) + "\" in this daemon's book";
        return {};
      }
    }
    page = desk_->page(from, limit + 1, only_breaching);
  }
  std::vector<fleet::AccountIndex>& found = page.accounts;
  const bool more = found.size() > limit;
  if (more) found.resize(limit);
  w.key("accounts").begin_array();
  for (const fleet::AccountIndex a : found) write_account(w, *desk_, a, variants_);
  w.end_array();
  // Past a page's share of the book to look at, where it stopped: fewer
  // than `limit` accounts, or none, and more to come.
  w.key("next_after");
  if (more) {
    w.value(desk_->book().id(found.back()));
  } else if (page.go_on_after) {
    w.value(desk_->book().id(*page.go_on_after));
  } else {
    w.null();
  }
  w.end_object();
  return body;
}

}  // namespace ballast::daemon
