// The glue between the engine and the state file, on a real SQLite file:
// what a decision commits, what a start restores and sends again, how config
// holdings seed only a first start, and what a reload adopts.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "daemon/persistence.hpp"
#include "tests/support/scratch_dir.hpp"

namespace test_persistence {

using namespace ballast;
using daemon::Persistence;
using engine::Engine;
using engine::Output;

namespace {

const core::TimeNs kNow = *core::parse_iso8601("2026-11-23T14:30:00Z");

/// 100 SPY, 300 AGG, 1000 cash, 60/40 in 5 % bands: at SPY 300, AGG 100 it
/// sells 56 AGG and buys 22 SPY.
strategies::PortfolioSpec sixty_forty(const std::string& id = "main", double spy = 100) {
  strategies::PortfolioSpec p;
  p.id = id;
  p.cash = 1000;
  p.assets = {{"SPY", 0.6, spy, 1}, {"AGG", 0.4, 300, 1}};
  p.triggers = {strategies::ThresholdTrigger{0.05, std::nullopt, std::nullopt}};
  return p;
}

config::DaemonConfig in(const testing::ScratchDir& dir) {
  config::DaemonConfig d;
  d.state_dir = dir.path().string();
  d.durability = config::Durability::normal;
  return d;
}

Persistence open(const testing::ScratchDir& dir) {
  std::string error;
  auto p = Persistence::open(in(dir), error);
  REQUIRE_MESSAGE(p.has_value(), error);
  return std::move(*p);
}

engine::EngineOptions with_fills() {
  engine::EngineOptions o;
  o.book_on_send = false;
  return o;
}

void breach(Engine& e, Output& out) {
  e.on_tick({e.find_symbol("AGG"), 100, kNow}, kNow, out);
  e.on_tick({e.find_symbol("SPY"), 300, kNow}, kNow, out);
}

double quantity(const Engine& e, std::string_view sym, std::size_t portfolio = 0) {
  for (const auto& a : e.portfolios()[portfolio].assets) {
    if (e.symbols().name(a.symbol) == sym) return a.quantity;
  }
  return -1;
}

}  // namespace

TEST_CASE("a first start seeds from the config; the next restores what was booked, not the config") {
  testing::ScratchDir dir;
  {
    Persistence state = open(dir);
    Engine e({sixty_forty()}, {}, kNow);
    const auto r = state.restore(e, true);
    CHECK(r.seeded == std::vector<std::string>{"main"});
    CHECK(r.restored.empty());
    Output out;
    breach(e, out);
    REQUIRE(out.orders.size() == 2);
    state.commit(e, out, kNow, true);
    for (const auto& o : out.orders) state.note_sent(o, kNow, true);
    state.flush(e, kNow);
  }
  Persistence state = open(dir);
  Engine e({sixty_forty("main", 150)}, {}, kNow);  // the operator changed the holding since
  const auto r = state.restore(e, true);
  CHECK(r.restored == std::vector<std::string>{"main"});
  CHECK(r.seed_changed == std::vector<std::string>{"main"});
  REQUIRE(r.warnings.size() == 1);
  CHECK(r.warnings[0].kind == "seed_changed");
  CHECK(r.warnings[0].portfolio == "main");
  CHECK(r.warnings[0].text.find("--reset-portfolio main") != std::string::npos);
  CHECK(r.resend.empty());  // booked and marked as sent: nothing may be missing
  CHECK(quantity(e, "SPY") == 122);
  CHECK(quantity(e, "AGG") == 244);
  CHECK(e.portfolios()[0].cash == doctest::Approx(0));
  CHECK(e.portfolios()[0].rebalances == 1);
  CHECK(e.sequences().next_order == 3);
}

TEST_CASE("an order committed but not known to have left is sent again under its id and holds its portfolio") {
  testing::ScratchDir dir;
  std::vector<core::Order> decided;
  {
    Persistence state = open(dir);
    Engine e({sixty_forty()}, with_fills(), kNow);
    state.restore(e, false);
    Output out;
    breach(e, out);
    state.commit(e, out, kNow, false);
    decided = out.orders;
    // The first left and was half filled; the daemon stopped before the second's mark.
    state.note_sent(decided[0], kNow, false);
    state.flush(e, kNow);
    Output fills;
    e.on_fill({decided[0].order_id, core::FillStatus::partially_filled, 20, 100, kNow}, fills);
    state.commit(e, fills, kNow, false);
  }
  Persistence state = open(dir);
  Engine e({sixty_forty()}, with_fills(), kNow);
  const auto r = state.restore(e, false);
  REQUIRE(r.resend.size() == 2);
  CHECK(r.resend[0].order_id == decided[0].order_id);
  CHECK(r.resend[1].order_id == decided[1].order_id);
  CHECK(e.portfolios()[0].open_orders == 2);
  CHECK(e.open_orders().at(decided[0].order_id).state == core::OrderState::partially_filled);
  CHECK(e.open_orders().at(decided[0].order_id).booked_quantity == 20);
  CHECK(quantity(e, "AGG") == 280);
  // Nothing new is decided while they are open; the rest of the fill books once.
  Output out;
  breach(e, out);
  CHECK(out.orders.empty());
  e.on_fill({decided[0].order_id, core::FillStatus::filled, 56, 100, kNow}, out);
  CHECK(quantity(e, "AGG") == 244);
  // New ids continue after the ones in the file.
  CHECK(e.sequences().next_order == 3);
}

TEST_CASE("orders booked on send are sent again after a crash but not held open") {
  testing::ScratchDir dir;
  {
    Persistence state = open(dir);
    Engine e({sixty_forty()}, {}, kNow);
    state.restore(e, true);
    Output out;
    breach(e, out);
    state.commit(e, out, kNow, true);  // and the daemon died before the send
  }
  Persistence state = open(dir);
  Engine e({sixty_forty()}, {}, kNow);
  const auto r = state.restore(e, true);
  CHECK(r.resend.size() == 2);
  CHECK(e.portfolios()[0].open_orders == 0);
  CHECK(quantity(e, "SPY") == 122);  // booked when decided
}

TEST_CASE("a TWAP cut short by a restart goes on where it stopped, under its rebalance") {
  testing::ScratchDir dir;
  auto spec = sixty_forty();
  spec.slicing = strategies::Slicing{2000, 30 * core::kNanosPerSecond};
  std::string rebalance_id;
  {
    Persistence state = open(dir);
    Engine e({spec}, {}, kNow);
    state.restore(e, true);
    Output out;
    breach(e, out);  // children: sell AGG 20, 20, 16; buy SPY 6, 6, 6, 4
    rebalance_id = out.orders.at(0).rebalance_id;
    state.commit(e, out, kNow, true);
    out.clear();
    e.on_timer(kNow + 30 * core::kNanosPerSecond, out);  // the second pair
    REQUIRE(out.orders.size() == 2);
    state.commit(e, out, kNow + 30 * core::kNanosPerSecond, true);
  }
  Persistence state = open(dir);
  Engine e({spec}, {}, kNow);
  state.restore(e, true);
  CHECK(quantity(e, "AGG") == 260);
  CHECK(quantity(e, "SPY") == 112);
  CHECK(e.pending_children(0) == 3);
  CHECK(e.portfolios()[0].open_orders == 2);
  // Children wait for prices; the ticks decide nothing new while the plans hold the portfolio.
  Output ticks;
  breach(e, ticks);
  CHECK(ticks.orders.empty());
  std::vector<double> sells, buys;
  for (int k = 2; k <= 4; ++k) {
    Output out;
    e.on_timer(kNow + k * 30 * core::kNanosPerSecond, out);
    for (const auto& o : out.orders) {
      CHECK(o.rebalance_id == rebalance_id);
      (o.side == core::Side::sell ? sells : buys).push_back(o.quantity);
    }
  }
  CHECK(sells == std::vector<double>{16});
  CHECK(buys == std::vector<double>{6, 4});
  CHECK(quantity(e, "AGG") == 244);
  CHECK(quantity(e, "SPY") == 122);
  CHECK(e.portfolios()[0].open_orders == 0);
}

TEST_CASE("a reload adopts a portfolio the file knows from the file, and a new one from its config") {
  testing::ScratchDir dir;
  Persistence state = open(dir);
  Engine e({sixty_forty("a"), sixty_forty("b")}, {}, kNow);
  state.restore(e, true);
  Output out;
  breach(e, out);
  state.commit(e, out, kNow, true);
  CHECK(quantity(e, "SPY", 1) == 122);
  // "b" is removed, then added again with "c".
  e.reconfigure({sixty_forty("a")}, kNow);
  state.flush(e, kNow);
  e.reconfigure({sixty_forty("a"), sixty_forty("b"), sixty_forty("c")}, kNow);
  CHECK(quantity(e, "SPY", 1) == 100);  // the engine seeded it from the config...
  const auto r = state.adopt(e, {"b", "c"});
  CHECK(r.restored == std::vector<std::string>{"b"});
  CHECK(r.seeded == std::vector<std::string>{"c"});
  CHECK(quantity(e, "SPY", 1) == 122);  // ...and the file put it back
  CHECK(quantity(e, "SPY", 2) == 100);
}

TEST_CASE("a reset portfolio is seeded from the config at the next start") {
  testing::ScratchDir dir;
  {
    Persistence state = open(dir);
    Engine e({sixty_forty()}, {}, kNow);
    state.restore(e, true);
    Output out;
    breach(e, out);
    state.commit(e, out, kNow, true);
  }
  {
    Persistence state = open(dir);
    CHECK(state.reset_portfolio("main"));
    CHECK_FALSE(state.reset_portfolio("nope"));
  }
  Persistence state = open(dir);
  Engine e({sixty_forty()}, {}, kNow);
  const auto r = state.restore(e, true);
  CHECK(r.seeded == std::vector<std::string>{"main"});
  CHECK(quantity(e, "SPY") == 100);
}

TEST_CASE("a state file that cannot be trusted is an error, not a fresh start") {
  testing::ScratchDir dir;
  {
    std::ofstream f(dir.file("state.db"), std::ios::binary);
    f << "not a database";
  }
  std::string error;
  CHECK_FALSE(Persistence::open(in(dir), error).has_value());
  CHECK(error.find("state.db") != std::string::npos);
  CHECK(testing::file_bytes(dir.file("state.db")) == "not a database");
}

}  // namespace test_persistence
