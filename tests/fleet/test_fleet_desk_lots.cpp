// The desk's tax lots: a block's fills become lots of its accounts when it is
// final, at its average price on the day it became final; sells close them by
// the account's method, units held beyond the lots first. Worked by hand.
// One account, 60 AAA and 40 BBB at 100 on a 50/50 model with a 5-point
// band: it sells 10 AAA and buys 10 BBB.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/time.hpp"
#include "fleet/fleet_desk.hpp"
#include "fleet_test_support.hpp"

namespace test_fleet_desk_lots {

using namespace ballast;
using namespace ballast::fleet;
using ballast::fleet::test::aaa_bbb;
using ballast::fleet::test::simple_model;
using core::FillStatus;
using core::Side;

namespace {

constexpr core::SymbolId kA = 0;  // AAA
constexpr core::SymbolId kB = 1;  // BBB
const core::TimeNs t0 = core::parse_iso8601("2026-03-14T15:00:00Z").value();
const std::string kSell = "fleet-20260314-000001";
const std::string kBuy = "fleet-20260314-000002";

struct Desk {
  explicit Desk(double held_a = 60, bool avoid_short_term_gains = false,
                std::optional<core::Slicing> slicing = std::nullopt)
      : desk(make(held_a, avoid_short_term_gains, slicing)) {}
  core::SymbolTable symbols = aaa_bbb();
  std::uint64_t seq = 1;
  FleetDesk desk;

  FleetDesk make(double held_a, bool avoid_short_term_gains, std::optional<core::Slicing> slicing) {
    AccountBook book(2);
    Model m = simple_model({0.5, 0.5}, 0.05);
    m.avoid_short_term_gains = avoid_short_term_gains;
    m.slicing = slicing;
    REQUIRE_FALSE(book.add_model(m));
    REQUIRE_FALSE(book.add_account("acct", 0, 0, std::vector<double>{held_a, 40}));
    return FleetDesk(FleetMonitor(std::move(book), {100, 100}, Fills::on_settle), symbols,
                     DeskOptions{.window = 0, .book_on_send = false}, [this] { return seq++; });
  }
  DeskOutput fill(const std::string& id, FillStatus status, double quantity, double price, core::TimeNs now = t0) {
    DeskOutput out;
    const DeskFill r = desk.on_fill({id, status, quantity, price, now}, now, out);
    REQUIRE(r.result == DeskFill::Result::applied);
    return out;
  }
};

/// 30 AAA bought 2025-01-10 at 90 and 30 bought 2026-01-05 at 105.
AccountRecord with_aaa_lots(tax::CloseMethod method) {
  AccountRecord r;
  r.id = "acct";
  r.lot_method = method;
  r.lots = {{"AAA", 30, 90, tax::day_of(2025, 1, 10), tax::day_of(2025, 1, 10), 0},
            {"AAA", 30, 105, tax::day_of(2026, 1, 5), tax::day_of(2026, 1, 5), 0}};
  return r;
}

void send(Desk& d) {
  DeskOutput out;
  d.desk.resync(t0, out);
  REQUIRE(out.orders.size() == 2);
  REQUIRE(out.orders[0].order_id == kSell);
  REQUIRE(out.orders[1].order_id == kBuy);
}

}  // namespace

TEST_CASE("a final buy opens a lot at the block's average price on the day it became final") {
  Desk d;
  send(d);
  DeskOutput out = d.fill(kBuy, FillStatus::partially_filled, 4, 98);
  CHECK(out.lots_changed.empty());  // not final: no lot yet
  CHECK(d.desk.lots().lots(0, kB).empty());
  const core::TimeNs next_day = t0 + core::kNanosPerDay;
  out = d.fill(kBuy, FillStatus::filled, 10, 98.5, next_day);
  CHECK(out.lots_changed == std::vector<AccountIndex>{0});
  CHECK(out.realised.empty());
  const auto lots = d.desk.lots().lots(0, kB);
  REQUIRE(lots.size() == 1);
  CHECK(lots[0].quantity == 10);
  CHECK(lots[0].cost_per_unit == 98.5);
  CHECK(lots[0].acquired == tax::day_of(2026, 3, 15));
  // memory_mb's lots, taken a slice of accounts at a time as the daemon's summary pass does.
  const auto n = static_cast<AccountIndex>(d.desk.book().size());
  CHECK(d.desk.lot_bytes(0, n) > 0);
  CHECK(d.desk.memory(d.desk.lot_bytes(0, 1) + d.desk.lot_bytes(1, n)).lots == d.desk.memory().lots);
}

TEST_CASE("a final sell closes the account's lots by its method and reports each line") {
  SUBCASE("fifo: 10 of the 2025 lot at 90, long-term: 10·101 − 10·90 = +110") {
    Desk d;
    REQUIRE_FALSE(d.desk.set_lots(0, with_aaa_lots(tax::CloseMethod::fifo)));
    send(d);
    const DeskOutput out = d.fill(kSell, FillStatus::filled, 10, 101);
    CHECK(out.lots_changed == std::vector<AccountIndex>{0});
    REQUIRE(out.realised.size() == 1);
    const DeskRealised& r = out.realised[0];
    CHECK(r.account == 0);
    CHECK(r.symbol == kA);
    CHECK(r.line.quantity == 10);
    CHECK(r.line.proceeds == doctest::Approx(1010));
    CHECK(r.line.basis == doctest::Approx(900));
    CHECK(r.line.gain == doctest::Approx(110));
    CHECK(r.line.term == tax::Term::long_term);
    CHECK(r.line.sold == tax::day_of(2026, 3, 14));
    CHECK(d.desk.lots().lots(0, kA)[0].quantity == 20);
    CHECK(d.desk.lots().realised(0, 2026).long_term.gain == doctest::Approx(110));
  }
  SUBCASE("hifo: 10 of the 2026 lot at 105, short-term: 1010 − 1050 = −40") {
    Desk d;
    REQUIRE_FALSE(d.desk.set_lots(0, with_aaa_lots(tax::CloseMethod::hifo)));
    send(d);
    const DeskOutput out = d.fill(kSell, FillStatus::filled, 10, 101);
    REQUIRE(out.realised.size() == 1);
    CHECK(out.realised[0].line.gain == doctest::Approx(-40));
    CHECK(out.realised[0].line.term == tax::Term::short_term);
    CHECK(d.desk.lots().realised(0, 2026).short_term.gain == doctest::Approx(-40));
  }
}

TEST_CASE("units held beyond the lots are sold first and make no line") {
  // 60 held, 30 of them in a lot: the sale of 10 takes units of unknown basis.
  Desk d;
  AccountRecord r = with_aaa_lots(tax::CloseMethod::fifo);
  r.lots.pop_back();
  REQUIRE_FALSE(d.desk.set_lots(0, r));
  send(d);
  const DeskOutput out = d.fill(kSell, FillStatus::filled, 10, 101);
  CHECK(out.realised.empty());
  CHECK(d.desk.lots().lots(0, kA)[0].quantity == 30);
}

TEST_CASE("a cancelled sell closes lots for what it filled only") {
  Desk d;
  REQUIRE_FALSE(d.desk.set_lots(0, with_aaa_lots(tax::CloseMethod::fifo)));
  send(d);
  const DeskOutput out = d.fill(kSell, FillStatus::cancelled, 4, 101);
  REQUIRE(out.realised.size() == 1);
  CHECK(out.realised[0].line.quantity == 4);
  CHECK(out.realised[0].line.gain == doctest::Approx(4 * 101 - 4 * 90));
}

TEST_CASE("a restored sell block closes lots for all its fills once final, the fills before the restart too") {
  // Before the restart 4 of the 10 were sold and committed with the book
  // (56 held); the lots are booked only when the block is final, so all 60 are still in lots.
  Desk d(56);
  REQUIRE_FALSE(d.desk.set_lots(0, with_aaa_lots(tax::CloseMethod::fifo)));
  DeskOrder sell;
  sell.order_id = "fleet-20260313-000003";
  sell.created_at = t0 - core::kNanosPerDay;
  sell.block.symbol = kA;
  sell.block.side = Side::sell;
  sell.block.lot_size = 1;
  sell.block.reference_price = 100;
  sell.block.allocations = {{0, 10}};
  sell.block.lots = 10;
  const std::vector<double> fills = {4};
  REQUIRE_FALSE(d.desk.restore_block(sell, fills, 101));
  const DeskOutput out = d.fill(sell.order_id, FillStatus::filled, 10, 101);
  // Held 60 before the sale, all in lots: fifo takes 10 of the 2025 lot.
  REQUIRE(out.realised.size() == 1);
  CHECK(out.realised[0].line.quantity == 10);
  CHECK(out.realised[0].line.gain == doctest::Approx(110));
  CHECK(d.desk.book().quantities(0)[0] == 50);
}

namespace {

/// The sell of 10 AAA in fleet-20260313-000003, 4 of them filled before a restart (56 held).
DeskOrder sell_of_ten() {
  DeskOrder sell;
  sell.order_id = "fleet-20260313-000003";
  sell.created_at = t0 - core::kNanosPerDay;
  sell.block.symbol = kA;
  sell.block.side = Side::sell;
  sell.block.lot_size = 1;
  sell.block.reference_price = 100;
  sell.block.allocations = {{0, 10}};
  sell.block.lots = 10;
  return sell;
}

}  // namespace

TEST_CASE("a restored sell block names the lots it named when sent, and its final fill closes those, not fifo's") {
  // fifo would take 10 of the 2025 lot at 90 (+110, long-term). The block
  // named 10 of the 2026 lot at 105: 10·101 − 10·105 = −40, short-term.
  Desk d(56);
  REQUIRE_FALSE(d.desk.set_lots(0, with_aaa_lots(tax::CloseMethod::fifo)));
  const std::vector<tax::Lot> before(d.desk.lots().lots(0, kA).begin(), d.desk.lots().lots(0, kA).end());
  REQUIRE(before.size() == 2);
  REQUIRE(before[1].acquired == tax::day_of(2026, 1, 5));
  DeskOrder sell = sell_of_ten();
  sell.named_lots = {{core::NamedLot{before[1].id, 10, tax::day_of(2026, 1, 5)}}};
  const std::vector<double> fills = {4};
  REQUIRE_FALSE(d.desk.restore_block(sell, fills, 101));
  // What the order names on the wire again.
  const DeskOrder* open = d.desk.open_block(sell.order_id);
  REQUIRE(open != nullptr);
  CHECK(open->named_lots == sell.named_lots);

  const DeskOutput out = d.fill(sell.order_id, FillStatus::filled, 10, 101);
  CHECK(out.refusals.empty());
  REQUIRE(out.realised.size() == 1);
  CHECK(out.realised[0].line.lot == before[1].id);
  CHECK(out.realised[0].line.quantity == 10);
  CHECK(out.realised[0].line.proceeds == doctest::Approx(1010));
  CHECK(out.realised[0].line.basis == doctest::Approx(1050));
  CHECK(out.realised[0].line.gain == doctest::Approx(-40));
  CHECK(out.realised[0].line.term == tax::Term::short_term);
  const auto after = d.desk.lots().lots(0, kA);
  REQUIRE(after.size() == 2);
  CHECK(after[0].id == before[0].id);
  CHECK(after[0].quantity == 30);  // the 2025 lot fifo would have taken: untouched
  CHECK(after[1].quantity == 20);
}

TEST_CASE("a restored sell block naming fewer units than it sells closes the rest by the account's method") {
  // 4 named of the 2026 lot (4·101 − 4·105 = −16); fifo takes the other 6 of the 2025 lot (6·101 − 6·90 = +66).
  Desk d;  // nothing filled before the restart: 60 held, all in lots
  REQUIRE_FALSE(d.desk.set_lots(0, with_aaa_lots(tax::CloseMethod::fifo)));
  const tax::LotId lot_2026 = d.desk.lots().lots(0, kA)[1].id;
  DeskOrder sell = sell_of_ten();
  sell.named_lots = {{core::NamedLot{lot_2026, 4, tax::day_of(2026, 1, 5)}}};
  REQUIRE_FALSE(d.desk.restore_block(sell, std::vector<double>{}, 0));
  const DeskOutput out = d.fill(sell.order_id, FillStatus::filled, 10, 101);
  REQUIRE(out.realised.size() == 2);
  CHECK(out.realised[0].line.lot == lot_2026);
  CHECK(out.realised[0].line.gain == doctest::Approx(-16));
  CHECK(out.realised[1].line.quantity == 6);
  CHECK(out.realised[1].line.gain == doctest::Approx(66));
}

TEST_CASE("a restored block's named lots that cannot be its own refuse the block") {
  Desk d(56);
  DeskOrder order = sell_of_ten();
  const core::NamedLot lot{0, 10, tax::day_of(2025, 1, 10)};
  std::string expected;
  SUBCASE("a buy that names lots") {
    order.block.side = Side::buy;
    order.named_lots = {{lot}};
    expected = "it is a buy and names lots";
  }
  SUBCASE("not one list per allocation") {
    order.named_lots = {{lot}, {}};
    expected = "its named lots are not one list per allocation";
  }
  SUBCASE("more units than the allocation sells") {
    order.named_lots = {{core::NamedLot{0, 10.5, lot.acquired}}};
    expected = "an allocation names lots of more units than it sells";
  }
  SUBCASE("a quantity of 0") {
    order.named_lots = {{core::NamedLot{0, 0, lot.acquired}}};
    expected = "a named lot's quantity must be finite and > 0";
  }
  SUBCASE("more lots than an allocation may name") {
    order.named_lots.resize(1);
    for (std::uint32_t id = 0; id <= execution::kLotsPerAllocation; ++id) {
      order.named_lots[0].push_back({id, 0.1, lot.acquired});
    }
    expected = "an allocation names too many lots";
  }
  CHECK(d.desk.restore_block(order, std::vector<double>{}, 0) == std::optional<std::string>(expected));
  CHECK(d.desk.open_blocks() == 0);
}

TEST_CASE("lots cannot be replaced while the account waits for its blocks") {
  Desk d;
  send(d);
  CHECK(d.desk.set_lots(0, with_aaa_lots(tax::CloseMethod::fifo)) ==
        std::optional<std::string>("the account waits for its block orders or its decision window"));
  CHECK(d.desk.set_lots(7, with_aaa_lots(tax::CloseMethod::fifo)) == std::optional<std::string>("unknown account"));
}

TEST_CASE("a closed account's lots are forgotten") {
  Desk d;
  REQUIRE_FALSE(d.desk.set_lots(0, with_aaa_lots(tax::CloseMethod::fifo)));
  REQUIRE_FALSE(d.desk.close_account(0));
  CHECK(d.desk.lots().lots(0, kA).empty());
}

// ---- wash sales --------------------------------------------------------------

namespace {

/// a0 holds 60 AAA in a lot bought 2026-01-05 at 110 and 40 BBB; a1 holds 40
/// AAA and 60 BBB, without lots. At 100 and 100, a0 sells 10 AAA at a loss
/// of 10 × (100 − 110) = −100 and buys 10 BBB; a1 buys 10 AAA and sells 10 BBB.
/// The model does not avoid wash sales: a1's buy, decided after a0's loss
/// sale, would be held back; these cases are the rule applied to what is booked.
struct Pair {
  explicit Pair(const char* household_a1) : desk(make(household_a1)) {
    AccountRecord r;
    r.id = "a0";
    r.lots = {{"AAA", 60, 110, tax::day_of(2026, 1, 5), tax::day_of(2026, 1, 5), 0}};
    REQUIRE_FALSE(desk.set_lots(0, r));
    DeskOutput out;
    desk.resync(t0, out);
    REQUIRE(out.orders.size() == 4);
    for (const DeskOrder& o : out.orders) orders[{o.block.symbol, o.block.side}] = o.order_id;
  }
  core::SymbolTable symbols = aaa_bbb();
  std::uint64_t seq = 1;
  FleetDesk desk;
  std::map<std::pair<core::SymbolId, Side>, std::string> orders;

  FleetDesk make(const char* household_a1) {
    AccountBook book(2);
    Model m = simple_model({0.5, 0.5}, 0.05);
    m.avoid_wash_sales = false;
    REQUIRE_FALSE(book.add_model(m));
    REQUIRE_FALSE(book.add_account("a0", 0, 0, std::vector<double>{60, 40}));
    REQUIRE_FALSE(book.add_account("a1", 0, 0, std::vector<double>{40, 60}));
    REQUIRE_FALSE(book.set_household(0, "h1"));
    REQUIRE_FALSE(book.set_household(1, household_a1));
    return FleetDesk(FleetMonitor(std::move(book), {100, 100}, Fills::on_settle), symbols,
                     DeskOptions{.window = 0, .book_on_send = false}, [this] { return seq++; });
  }
  DeskOutput fill(core::SymbolId symbol, Side side, double quantity) {
    DeskOutput out;
    const std::string& id = orders.at({symbol, side});
    REQUIRE(desk.on_fill({id, FillStatus::filled, quantity, 100, t0}, t0, out).result == DeskFill::Result::applied);
    return out;
  }
};

}  // namespace

TEST_CASE("a loss sale and a buy of the same symbol in another account of the household are a wash sale") {
  Pair p("h1");
  p.desk.set_next_realised_seq(41);
  SUBCASE("the sale final first: the buy washes it when final") {
    DeskOutput out = p.fill(kA, Side::sell, 10);
    REQUIRE(out.realised.size() == 1);
    CHECK(out.realised[0].seq == 41);
    CHECK(out.realised[0].line.gain == doctest::Approx(-100));
    CHECK(out.washes.empty());
    out = p.fill(kA, Side::buy, 10);
    REQUIRE(out.washes.size() == 1);
    CHECK(out.washes[0].seq == 41);
    CHECK(out.washes[0].add_disallowed == doctest::Approx(100));
  }
  SUBCASE("the buy final first: the sale finds it as a replacement bought before") {
    DeskOutput out = p.fill(kA, Side::buy, 10);
    CHECK(out.washes.empty());
    out = p.fill(kA, Side::sell, 10);
    REQUIRE(out.washes.size() == 1);
    CHECK(out.washes[0].seq == 41);
    CHECK(out.washes[0].add_disallowed == doctest::Approx(100));
    CHECK(std::find(out.lots_changed.begin(), out.lots_changed.end(), 1u) != out.lots_changed.end());
  }
  // a1's 10 AAA bought at 100 carry the 100 disallowed: 10 a unit, and the
  // holding period of the units sold (2026-01-05 to the sale, same day).
  const auto lots = p.desk.lots().lots(1, kA);
  REQUIRE(lots.size() == 1);
  CHECK(lots[0].quantity == 10);
  CHECK(lots[0].basis_per_unit() == doctest::Approx(110));
  CHECK(lots[0].holding_from == tax::day_of(2026, 1, 5));
  CHECK(p.desk.lots().realised(0, 2026).short_term.gain == doctest::Approx(0));  // the loss is disallowed
}

TEST_CASE("a buy in another household washes nothing") {
  Pair p("h2");
  p.fill(kA, Side::sell, 10);
  const DeskOutput out = p.fill(kA, Side::buy, 10);
  CHECK(out.washes.empty());
  CHECK(p.desk.lots().lots(1, kA)[0].basis_per_unit() == 100);
  CHECK(p.desk.lots().realised(0, 2026).short_term.gain == doctest::Approx(-100));
}

TEST_CASE("after a restart a remembered loss line is washed by a later buy, for what is left of its loss") {
  // The loss line (seq 7) of a sale of 10 AAA on 2026-03-10, 40 of its 100
  // disallowed before the restart; a1's buy of 10 on 2026-03-14 takes the
  // remaining 6 units' 60.
  Pair p("h1");
  tax::RealisedLine line;
  line.lot = line.purchase = 0;
  line.quantity = 10;
  line.acquired = line.holding_from = tax::day_of(2026, 1, 5);
  line.sold = tax::day_of(2026, 3, 10);
  line.proceeds = 1000;
  line.basis = 1100;
  line.gain = -100;
  line.wash_disallowed = 40;
  p.desk.remember_loss(0, kA, line, 7);
  const DeskOutput out = p.fill(kA, Side::buy, 10);
  REQUIRE_FALSE(out.washes.empty());
  CHECK(out.washes[0].seq == 7);
  CHECK(out.washes[0].add_disallowed == doctest::Approx(60));
}

// ---- avoid_short_term_gains --------------------------------------------------

TEST_CASE("a model that avoids short-term gains sells only what realises none, and buys what that pays for") {
  // On 2026-03-14 at 100: 55 AAA bought 2026-01-05 at 90 (a short-term
  // gain) and 5 bought 2026-02-01 at 110 (a short-term loss).
  Desk d(60, /*avoid_short_term_gains=*/true);
  AccountRecord r;
  r.id = "acct";
  r.lots = {{"AAA", 55, 90, tax::day_of(2026, 1, 5), tax::day_of(2026, 1, 5), 0},
            {"AAA", 5, 110, tax::day_of(2026, 2, 1), tax::day_of(2026, 2, 1), 0}};
  SUBCASE("min_tax sells the loss lot first: 5 of the 10, and buys 5 BBB with the 500") {
    r.lot_method = tax::CloseMethod::min_tax;
    REQUIRE_FALSE(d.desk.set_lots(0, r));
    DeskOutput out;
    d.desk.resync(t0, out);
    REQUIRE(out.orders.size() == 2);
    CHECK(out.orders[0].block.side == Side::sell);
    CHECK(out.orders[0].block.quantity() == 5);
    CHECK(out.orders[1].block.side == Side::buy);
    CHECK(out.orders[1].block.quantity() == 5);
    REQUIRE(out.refusals.size() == 1);
    CHECK(out.refusals[0].find("cut from 10 to 5") != std::string::npos);
  }
  SUBCASE("fifo would take the gain lot first: nothing is sold, and nothing bought") {
    r.lot_method = tax::CloseMethod::fifo;
    REQUIRE_FALSE(d.desk.set_lots(0, r));
    DeskOutput out;
    d.desk.resync(t0, out);
    CHECK(out.orders.empty());
    CHECK(out.refusals.size() == 1);
  }
  SUBCASE("units held beyond the lots have no known gain and are sold first") {
    r.lot_method = tax::CloseMethod::fifo;
    r.lots[0].quantity = 52;  // 3 units of unknown basis, then the gain lot
    REQUIRE_FALSE(d.desk.set_lots(0, r));
    DeskOutput out;
    d.desk.resync(t0, out);
    REQUIRE(out.orders.size() == 2);
    CHECK(out.orders[0].block.quantity() == 3);
    CHECK(out.orders[1].block.quantity() == 3);
  }
}

TEST_CASE("without the policy the same account sells all it needs, gains and all") {
  Desk d;
  AccountRecord r;
  r.id = "acct";
  r.lots = {{"AAA", 60, 90, tax::day_of(2026, 1, 5), tax::day_of(2026, 1, 5), 0}};
  REQUIRE_FALSE(d.desk.set_lots(0, r));
  DeskOutput out;
  d.desk.resync(t0, out);
  REQUIRE(out.orders.size() == 2);
  CHECK(out.orders[0].block.quantity() == 10);
  CHECK(out.refusals.empty());
}

TEST_CASE("an account whose lots an operator replaced has no buys left to wash a loss sale") {
  Pair p("h1");
  p.fill(kA, Side::buy, 10);   // a1's 10 AAA: a replacement-to-be
  p.fill(kB, Side::sell, 10);  // a1 settles
  AccountRecord none;
  none.id = "a1";
  REQUIRE_FALSE(p.desk.set_lots(1, none));
  const DeskOutput out = p.fill(kA, Side::sell, 10);  // a0's loss of 100
  CHECK(out.washes.empty());
  CHECK(out.refusals.empty());
  CHECK(p.desk.lots().realised(0, 2026).short_term.gain == doctest::Approx(-100));
}

TEST_CASE("a sell block's allocation names the lots chosen when it was decided; a buy's names none") {
  // Selling 10 AAA of the two lots of 30 (ids 0 and 1, as numbered in order).
  const auto orders = [](tax::CloseMethod method) {
    Desk d;
    REQUIRE_FALSE(d.desk.set_lots(0, with_aaa_lots(method)));
    DeskOutput out;
    d.desk.resync(t0, out);
    REQUIRE(out.orders.size() == 2);
    return out.orders;
  };
  SUBCASE("min_tax at 100: 10 of the 2026 lot at 105, a loss") {
    const std::vector<DeskOrder> o = orders(tax::CloseMethod::min_tax);
    REQUIRE(o[0].block.side == Side::sell);
    REQUIRE(o[0].named_lots.size() == 1);
    CHECK(o[0].named_lots[0] == std::vector<core::NamedLot>{{1, 10, tax::day_of(2026, 1, 5)}});
    CHECK(o[1].named_lots.empty());
  }
  SUBCASE("fifo: 10 of the 2025 lot") {
    const std::vector<DeskOrder> o = orders(tax::CloseMethod::fifo);
    REQUIRE(o[0].named_lots.size() == 1);
    CHECK(o[0].named_lots[0] == std::vector<core::NamedLot>{{0, 10, tax::day_of(2025, 1, 10)}});
  }
  SUBCASE("without lots the sell names none") {
    Desk d;
    DeskOutput out;
    d.desk.resync(t0, out);
    REQUIRE(out.orders.size() == 2);
    REQUIRE(out.orders[0].named_lots.size() == 1);
    CHECK(out.orders[0].named_lots[0].empty());
  }
}

TEST_CASE("a sale over more lots than an allocation may name names the first 50; the rest close by the method") {
  // 60 lots of 0.125 AAA (ids 0 to 59) bought on consecutive days from
  // 2025-01-01, then one of 52.5 (id 60) on 2025-06-01, all at 100: fifo
  // sells 10 as all 60 small lots (7.5) and 2.5 of the large one. The order
  // names the first 50 (6.25); the other 3.75 close by fifo at the fill.
  Desk d;
  AccountRecord r;
  r.id = "acct";
  r.lot_method = tax::CloseMethod::fifo;
  for (int i = 0; i < 60; ++i) {
    const tax::Day day = tax::day_of(2025, 1, 1) + i;
    r.lots.push_back({"AAA", 0.125, 100, day, day, 0});
  }
  r.lots.push_back({"AAA", 52.5, 100, tax::day_of(2025, 6, 1), tax::day_of(2025, 6, 1), 0});
  REQUIRE_FALSE(d.desk.set_lots(0, r));
  DeskOutput out;
  d.desk.resync(t0, out);
  REQUIRE(out.orders.size() == 2);
  REQUIRE(out.orders[0].named_lots.size() == 1);
  const std::vector<core::NamedLot>& named = out.orders[0].named_lots[0];
  REQUIRE(named.size() == execution::kLotsPerAllocation);
  for (std::size_t i = 0; i < named.size(); ++i) {
    CAPTURE(i);
    CHECK(named[i].id == i);
    CHECK(named[i].quantity == 0.125);
    CHECK(named[i].acquired == tax::day_of(2025, 1, 1) + static_cast<tax::Day>(i));
  }
  // Filled: the 50 named, then by fifo the 10 small lots left and 2.5 of the large: 61 lines.
  const DeskOutput filled = d.fill(kSell, FillStatus::filled, 10, 100);
  CHECK(filled.realised.size() == 61);
  REQUIRE(d.desk.lots().lots(0, kA).size() == 1);
  CHECK(d.desk.lots().lots(0, kA)[0].id == 60);
  CHECK(d.desk.lots().lots(0, kA)[0].quantity == 50);
}

TEST_CASE("a sell closes the lots chosen when it was decided, whatever the price of its fills") {
  // min_tax at the decision price of 100: the 2026 lot (105) is at a loss,
  // so it is the one named. At the fill's 120 min_tax would now take the
  // 2025 lot (90, a long-term gain) first; the sale closes the named one.
  SUBCASE("filled: 10 of the 2026 lot, short-term: 10·120 − 10·105 = +150") {
    Desk d;
    REQUIRE_FALSE(d.desk.set_lots(0, with_aaa_lots(tax::CloseMethod::min_tax)));
    send(d);
    const DeskOutput out = d.fill(kSell, FillStatus::filled, 10, 120);
    REQUIRE(out.realised.size() == 1);
    CHECK(out.realised[0].line.lot == 1);
    CHECK(out.realised[0].line.quantity == 10);
    CHECK(out.realised[0].line.basis == doctest::Approx(1050));
    CHECK(out.realised[0].line.gain == doctest::Approx(150));
    CHECK(out.realised[0].line.term == tax::Term::short_term);
    CHECK(out.refusals.empty());
    CHECK(d.desk.lots().lots(0, kA)[0].quantity == 30);
    CHECK(d.desk.lots().lots(0, kA)[1].quantity == 20);
  }
  SUBCASE("cancelled after 4: 4 of the named lot: 4·120 − 4·105 = +60") {
    Desk d;
    REQUIRE_FALSE(d.desk.set_lots(0, with_aaa_lots(tax::CloseMethod::min_tax)));
    send(d);
    (void)d.fill(kSell, FillStatus::partially_filled, 4, 120);
    const DeskOutput out = d.fill(kSell, FillStatus::cancelled, 4, 120);
    REQUIRE(out.realised.size() == 1);
    CHECK(out.realised[0].line.lot == 1);
    CHECK(out.realised[0].line.quantity == 4);
    CHECK(out.realised[0].line.gain == doctest::Approx(60));
    CHECK(d.desk.lots().lots(0, kA)[1].quantity == 26);
  }
}

TEST_CASE("a sliced sell's children each name their part of the lots chosen for the whole sale") {
  // Children of at most 400 at 100: the sell of 10 AAA goes as 4, 4 and 2
  // (ids 1, 3, 5; the buys of BBB are 2, 4, 6). fifo names 10 of the 2025 lot.
  Desk d(60, false, core::Slicing{400, 30 * core::kNanosPerSecond});
  REQUIRE_FALSE(d.desk.set_lots(0, with_aaa_lots(tax::CloseMethod::fifo)));
  DeskOutput out;
  d.desk.resync(t0, out);
  REQUIRE(out.orders.size() == 6);
  const tax::Day bought = tax::day_of(2025, 1, 10);
  using Named = std::vector<std::vector<core::NamedLot>>;
  CHECK(out.orders[0].named_lots == Named{{{0, 4, bought}}});
  CHECK(out.orders[2].named_lots == Named{{{0, 4, bought}}});
  CHECK(out.orders[4].named_lots == Named{{{0, 2, bought}}});
  CHECK(out.orders[1].named_lots.empty());
  d.desk.on_timer(t0 + 60 * core::kNanosPerSecond, out);
  // Each child's fill closes its own part: one realised line each, from the 2025 lot.
  const double lots[] = {4, 4, 4, 4, 2, 2};
  std::size_t realised = 0;
  for (int n = 1; n <= 6; ++n) {
    const DeskOutput filled = d.fill("fleet-20260314-00000" + std::to_string(n), FillStatus::filled, lots[n - 1], 100);
    CHECK(filled.refusals.empty());
    realised += filled.realised.size();
    for (const DeskRealised& r : filled.realised) CHECK(r.line.acquired == bought);
  }
  CHECK(realised == 3);
  REQUIRE(d.desk.lots().lots(0, kA).size() == 2);
  CHECK(d.desk.lots().lots(0, kA)[0].quantity == 20);
  CHECK(d.desk.lots().lots(0, kA)[1].quantity == 30);
  CHECK(d.desk.pending_accounts() == 0);
}

}  // namespace test_fleet_desk_lots
