#include "cli/paper_filler.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "tests/support/sample_order.hpp"

namespace test_paper_filler {

using ballast::cli::PaperFiller;
using ballast::cli::PaperFillRules;
using ballast::cli::PaperOutcome;
using ballast::cli::PaperReport;
using ballast::core::AmendAction;
using ballast::core::FillStatus;
using ballast::core::Order;
using ballast::core::OrderAmendment;
using ballast::core::OrderType;
using ballast::core::Side;
using ballast::testing::make_order;

namespace {

constexpr ballast::core::TimeNs kNow = 1'763'908'201'000'000'000LL;

Order make_limit(std::string id, Side side, double quantity, double limit) {
  Order o = make_order(std::move(id), "SPY", side, quantity, 100);
  o.order_type = OrderType::limit;
  o.limit_price = limit;
  return o;
}

OrderAmendment cancel_of(const std::string& order_id, const std::string& request_id) {
  OrderAmendment a;
  a.action = AmendAction::cancel;
  a.order_id = order_id;
  a.request_id = request_id;
  a.portfolio = "main";
  a.symbol = "SPY";
  return a;
}

OrderAmendment replace_of(const std::string& order_id, const std::string& request_id, double quantity,
                          double limit) {
  OrderAmendment a = cancel_of(order_id, request_id);
  a.action = AmendAction::replace;
  a.quantity = quantity;
  a.limit_price = limit;
  return a;
}

/// The reports of an outcome that must not have been dropped.
std::vector<PaperReport> taken(const PaperOutcome& outcome) {
  CHECK(outcome.dropped.empty());
  return outcome.reports;
}

}  // namespace

// ---------------------------------------------------------------------------
// Market orders

TEST_CASE("paper filler fills a market order in full at the last price") {
  PaperFiller f;
  f.on_price("SPY", 589.2, kNow);
  const auto reports = taken(f.submit(make_order("o1", "SPY", Side::buy, 12, 580.0), kNow));
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].report.order_id == "o1");
  CHECK(reports[0].report.status == FillStatus::filled);
  CHECK(reports[0].report.filled_quantity == 12);
  CHECK(reports[0].report.avg_price == 589.2);
  CHECK(reports[0].report.ts == kNow);
  CHECK(reports[0].order.symbol == "SPY");
}

TEST_CASE("paper filler uses the reference price before any price was seen") {
  PaperFiller f;
  f.on_price("AGG", 98.0, kNow);
  const auto reports = taken(f.submit(make_order("o1", "SPY", Side::sell, 3, 580.0), kNow));
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].report.avg_price == 580.0);
}

TEST_CASE("paper filler keeps the newest price and ignores unusable ones") {
  PaperFiller f;
  f.on_price("SPY", 500.0, kNow);
  f.on_price("SPY", 501.0, kNow);
  f.on_price("SPY", -1.0, kNow);
  f.on_price("SPY", 0.0, kNow);
  f.on_price("SPY", std::nan(""), kNow);
  CHECK(f.last_price("SPY") == 501.0);
  CHECK_FALSE(f.last_price("AGG").has_value());
}

TEST_CASE("paper slippage makes buys pay more and sells receive less") {
  PaperFillRules rules;
  rules.slippage_bps = 10;
  PaperFiller f(rules);
  f.on_price("SPY", 500.0, kNow);
  CHECK(f.submit(make_order("b", "SPY", Side::buy, 1, 1), kNow).reports[0].report.avg_price == doctest::Approx(500.5));
  CHECK(f.submit(make_order("s", "SPY", Side::sell, 1, 1), kNow).reports[0].report.avg_price ==
        doctest::Approx(499.5));
}

TEST_CASE("paper fills a portfolio with a cost model at the all-in price the model expects") {
  PaperFillRules rules;
  rules.slippage_bps = 500;  // not used for a portfolio with a cost model
  PaperFillRules::PortfolioCosts costs;
  costs.params.commission_per_share = 0.01;
  costs.params.commission_min = 2;
  costs.params.half_spread_bps = 2;
  costs.params.slippage_bps = 1;
  costs.params.impact_eta = 0.5;
  costs.params.adv = {{"SPY", 1'000'000}};
  costs.volatility["SPY"] = 0.2 * std::sqrt(252.0);  // 20 % a day, to make impact visible
  rules.costs["main"] = costs;
  PaperFiller f(rules);
  f.on_price("SPY", 500.0, kNow);
  // 100 SPY at 500, V = 50000: half-spread 0.1 a share (10), slippage 5, impact
  // 50000 × 0.5 × 0.2 × sqrt(100 / 1e6) = 50, commission max(1, 2) = 2.
  // Per share: (10 + 5 + 50 + 2) / 100 = 0.67.
  CHECK(f.submit(make_order("b", "SPY", Side::buy, 100, 500), kNow).reports[0].report.avg_price ==
        doctest::Approx(500.67));
  CHECK(f.submit(make_order("s", "SPY", Side::sell, 100, 500), kNow).reports[0].report.avg_price ==
        doctest::Approx(499.33));
  auto other = make_order("o", "SPY", Side::buy, 100, 500);
  other.portfolio = "other";
  CHECK(f.submit(other, kNow).reports[0].report.avg_price == doctest::Approx(525));
}

TEST_CASE("paper takes a cost model's half-spread from the live quote that came with the price, as the engine") {
  PaperFillRules rules;
  PaperFillRules::PortfolioCosts costs;
  costs.params.half_spread_bps = 100;  // 1 a share at 100: used only without a quote
  rules.costs["main"] = costs;
  PaperFiller f(rules);
  f.on_price("SPY", 100.0, kNow, 99.9, 100.1);
  CHECK(f.submit(make_order("b1", "SPY", Side::buy, 10, 100), kNow).reports[0].report.avg_price ==
        doctest::Approx(100.1));
  f.on_price("SPY", 100.0, kNow);  // a price alone: no quote any more
  CHECK(f.submit(make_order("b2", "SPY", Side::buy, 10, 100), kNow).reports[0].report.avg_price ==
        doctest::Approx(101));
  // No price seen: the reference price, with the bps half-spread.
  CHECK(f.submit(make_order("a", "AGG", Side::sell, 10, 50), kNow).reports[0].report.avg_price ==
        doctest::Approx(49.5));
}

TEST_CASE("paper filler rejects every Nth order when asked") {
  PaperFillRules rules;
  rules.reject_every = 3;
  PaperFiller f(rules);
  std::vector<FillStatus> statuses;
  for (int i = 1; i <= 7; ++i) {
    const auto r = taken(f.submit(make_order("o" + std::to_string(i), "SPY", Side::buy, 1, 100), kNow));
    REQUIRE(r.size() == 1);
    statuses.push_back(r[0].report.status);
  }
  CHECK(statuses == std::vector<FillStatus>{FillStatus::filled, FillStatus::filled, FillStatus::rejected,
                                            FillStatus::filled, FillStatus::filled, FillStatus::rejected,
                                            FillStatus::filled});
  CHECK(f.submit(make_order("o8", "SPY", Side::buy, 1, 100), kNow).reports[0].report.status == FillStatus::filled);
  CHECK(f.orders_seen() == 8);
}

TEST_CASE("paper partial fills report a half, then the whole, cumulatively") {
  PaperFillRules rules;
  rules.partial = true;
  PaperFiller f(rules);
  f.on_price("SPY", 100.0, kNow);

  auto r = taken(f.submit(make_order("even", "SPY", Side::buy, 12, 1), kNow));
  REQUIRE(r.size() == 2);
  CHECK(r[0].report.status == FillStatus::partially_filled);
  CHECK(r[0].report.filled_quantity == 6);
  CHECK(r[0].report.avg_price == 100.0);
  CHECK(r[1].report.status == FillStatus::filled);
  CHECK(r[1].report.filled_quantity == 12);
  CHECK(r[1].report.avg_price == 100.0);

  r = taken(f.submit(make_order("odd", "SPY", Side::buy, 7, 1), kNow));
  REQUIRE(r.size() == 2);
  CHECK(r[0].report.filled_quantity == 3);
  CHECK(r[1].report.filled_quantity == 7);

  r = taken(f.submit(make_order("one", "SPY", Side::buy, 1, 1), kNow));
  REQUIRE(r.size() == 1);
  CHECK(r[0].report.status == FillStatus::filled);

  r = taken(f.submit(make_order("fraction", "SPY", Side::buy, 0.5, 1), kNow));
  REQUIRE(r.size() == 2);
  CHECK(r[0].report.filled_quantity == 0.25);
  CHECK(r[1].report.filled_quantity == 0.5);
}

TEST_CASE("paper filler rejects an order it has no price for") {
  PaperFiller f;
  const auto r = taken(f.submit(make_order("o", "SPY", Side::buy, 1, 0), kNow));
  REQUIRE(r.size() == 1);
  CHECK(r[0].report.status == FillStatus::rejected);
}

TEST_CASE("paper filler drops an order id it has seen before") {
  PaperFiller f;
  f.on_price("SPY", 100.0, kNow);
  CHECK(taken(f.submit(make_order("o", "SPY", Side::buy, 1, 100), kNow)).size() == 1);
  const PaperOutcome again = f.submit(make_order("o", "SPY", Side::buy, 1, 100), kNow);
  CHECK(again.reports.empty());
  CHECK_FALSE(again.dropped.empty());
  CHECK(f.orders_seen() == 1);
}

// ---------------------------------------------------------------------------
// Limit orders

TEST_CASE("a marketable limit order fills at once at the price, which is at or better than its limit") {
  PaperFiller f;
  f.on_price("SPY", 100.0, kNow);
  auto r = taken(f.submit(make_limit("lb", Side::buy, 5, 101.0), kNow));
  REQUIRE(r.size() == 1);
  CHECK(r[0].report.status == FillStatus::filled);
  CHECK(r[0].report.avg_price == 100.0);
  r = taken(f.submit(make_limit("ls", Side::sell, 5, 100.0), kNow));
  REQUIRE(r.size() == 1);
  CHECK(r[0].report.avg_price == 100.0);
  CHECK(f.resting() == 0);
}

TEST_CASE("a limit order that is not marketable rests until the price crosses its limit") {
  PaperFiller f;
  f.on_price("SPY", 100.0, kNow);
  CHECK(taken(f.submit(make_limit("lb", Side::buy, 5, 99.0), kNow)).empty());
  CHECK(taken(f.submit(make_limit("ls", Side::sell, 3, 102.0), kNow)).empty());
  CHECK(f.is_resting("lb"));
  CHECK(f.is_resting("ls"));
  CHECK(f.resting() == 2);

  CHECK(f.on_price("SPY", 99.5, kNow).empty());  // not down to the buy's limit
  CHECK(f.on_price("AGG", 1.0, kNow).empty());   // another symbol
  // The price jumps through the limit: the buy fills at the better price.
  auto r = f.on_price("SPY", 98.0, kNow + 1);
  REQUIRE(r.size() == 1);
  CHECK(r[0].report.order_id == "lb");
  CHECK(r[0].report.status == FillStatus::filled);
  CHECK(r[0].report.filled_quantity == 5);
  CHECK(r[0].report.avg_price == 98.0);
  CHECK(r[0].report.ts == kNow + 1);
  CHECK_FALSE(f.is_resting("lb"));

  r = f.on_price("SPY", 102.0, kNow);
  REQUIRE(r.size() == 1);
  CHECK(r[0].report.order_id == "ls");
  CHECK(r[0].report.avg_price == 102.0);
  CHECK(f.resting() == 0);
}

TEST_CASE("slippage counts: a resting buy fills only when the price with slippage is at its limit") {
  PaperFillRules rules;
  rules.slippage_bps = 100;  // 1 %
  PaperFiller f(rules);
  f.on_price("SPY", 100.0, kNow);
  CHECK(taken(f.submit(make_limit("lb", Side::buy, 1, 99.0), kNow)).empty());
  CHECK(f.on_price("SPY", 99.0, kNow).empty());  // 99.99 with slippage
  const auto r = f.on_price("SPY", 98.0, kNow);
  REQUIRE(r.size() == 1);
  CHECK(r[0].report.avg_price == doctest::Approx(98.98));
}

TEST_CASE("resting orders fill in arrival order, in halves with partial fills") {
  PaperFillRules rules;
  rules.partial = true;
  PaperFiller f(rules);
  f.on_price("SPY", 100.0, kNow);
  CHECK(taken(f.submit(make_limit("first", Side::buy, 4, 99.0), kNow)).empty());
  CHECK(taken(f.submit(make_limit("second", Side::buy, 2, 98.0), kNow)).empty());
  const auto r = f.on_price("SPY", 97.0, kNow);
  REQUIRE(r.size() == 4);
  CHECK(r[0].report.order_id == "first");
  CHECK(r[0].report.status == FillStatus::partially_filled);
  CHECK(r[0].report.filled_quantity == 2);
  CHECK(r[1].report.status == FillStatus::filled);
  CHECK(r[1].report.filled_quantity == 4);
  CHECK(r[2].report.order_id == "second");
  CHECK(r[3].report.filled_quantity == 2);
}

TEST_CASE("a limit order is checked against its reference price before any price was seen") {
  PaperFiller f;
  CHECK(taken(f.submit(make_limit("lb", Side::buy, 1, 99.0), kNow)).empty());  // reference 100
  const auto r = taken(f.submit(make_limit("lb2", Side::buy, 1, 100.0), kNow));
  REQUIRE(r.size() == 1);
  CHECK(r[0].report.avg_price == 100.0);
}

// ---------------------------------------------------------------------------
// Cancel and replace

TEST_CASE("cancelling a resting order reports it cancelled with nothing filled") {
  PaperFiller f;
  f.on_price("SPY", 100.0, kNow);
  CHECK(taken(f.submit(make_limit("lb", Side::buy, 5, 99.0), kNow)).empty());
  const auto r = taken(f.amend(cancel_of("lb", "q1"), kNow));
  REQUIRE(r.size() == 1);
  CHECK(r[0].report.order_id == "lb");
  CHECK(r[0].report.status == FillStatus::cancelled);
  CHECK(r[0].report.filled_quantity == 0);
  CHECK(r[0].order.limit_price == 99.0);
  CHECK(f.resting() == 0);
  CHECK(f.on_price("SPY", 90.0, kNow).empty());  // gone
}

TEST_CASE("a cancel for an order that filled first, or is unknown, changes nothing") {
  PaperFiller f;
  f.on_price("SPY", 100.0, kNow);
  CHECK(taken(f.submit(make_order("m", "SPY", Side::buy, 1, 100), kNow)).size() == 1);
  const PaperOutcome late = f.amend(cancel_of("m", "q1"), kNow);
  CHECK(late.reports.empty());
  CHECK(late.dropped == "order is no longer open");
  const PaperOutcome unknown = f.amend(cancel_of("nope", "q2"), kNow);
  CHECK(unknown.reports.empty());
  CHECK(unknown.dropped == "unknown order");
}

TEST_CASE("a replace re-prices and re-sizes a resting order, which may then fill at once") {
  PaperFiller f;
  f.on_price("SPY", 100.0, kNow);
  CHECK(taken(f.submit(make_limit("lb", Side::buy, 5, 98.0), kNow)).empty());
  // Still below the market: rests with the new size.
  CHECK(taken(f.amend(replace_of("lb", "q1", 8, 99.0), kNow)).empty());
  CHECK(f.is_resting("lb"));
  CHECK(f.on_price("SPY", 99.5, kNow).empty());
  auto r = taken(f.amend(replace_of("lb", "q2", 7, 100.0), kNow));
  REQUIRE(r.size() == 1);
  CHECK(r[0].report.status == FillStatus::filled);
  CHECK(r[0].report.filled_quantity == 7);
  CHECK(r[0].report.avg_price == 99.5);
  CHECK(r[0].order.quantity == 7);
  CHECK(f.resting() == 0);
}

TEST_CASE("a resting order re-sized by a replace fills at its new size when the price crosses") {
  PaperFiller f;
  f.on_price("SPY", 100.0, kNow);
  CHECK(taken(f.submit(make_limit("ls", Side::sell, 5, 101.0), kNow)).empty());
  CHECK(taken(f.amend(replace_of("ls", "q1", 3, 100.5), kNow)).empty());
  const auto r = f.on_price("SPY", 100.5, kNow);
  REQUIRE(r.size() == 1);
  CHECK(r[0].report.filled_quantity == 3);
  CHECK(r[0].report.avg_price == 100.5);
}

TEST_CASE("a request id seen before is dropped") {
  PaperFiller f;
  f.on_price("SPY", 100.0, kNow);
  CHECK(taken(f.submit(make_limit("a", Side::buy, 5, 90.0), kNow)).empty());
  CHECK(taken(f.submit(make_limit("b", Side::buy, 5, 90.0), kNow)).empty());
  CHECK(taken(f.amend(replace_of("a", "q1", 4, 91.0), kNow)).empty());
  const PaperOutcome again = f.amend(cancel_of("b", "q1"), kNow);
  CHECK(again.reports.empty());
  CHECK(again.dropped == "request id seen before");
  CHECK(f.is_resting("b"));
}

}  // namespace test_paper_filler
