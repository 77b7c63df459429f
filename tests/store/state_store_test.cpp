#include "store/state_store.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "tests/support/scratch_dir.hpp"

namespace state_store_test {

using namespace ballast;
using namespace ballast::store;
using ballast::testing::file_bytes;
using ballast::testing::ScratchDir;

namespace {

StateStore open_ok(const std::string& path, Durability durability = Durability::full) {
  auto opened = StateStore::open(path, durability);
  if (auto* error = std::get_if<OpenError>(&opened)) FAIL("open failed: " << error->message);
  return std::move(std::get<StateStore>(opened));
}

/// The OpenError's message; fails the test when the open succeeds.
std::string open_error(const std::string& path) {
  auto opened = StateStore::open(path, Durability::full);
  if (!std::holds_alternative<OpenError>(opened)) FAIL("open of " << path << " succeeded");
  return std::get<OpenError>(opened).message;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// Runs SQL on a file with SQLite itself, as another program would.
void raw_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  const std::string message = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE_MESSAGE(rc == SQLITE_OK, message);
}

/// False where the file mode does not bind us (root, CAP_DAC_OVERRIDE): a
/// read-only file is then writable, and those tests say nothing.
bool permissions_apply(const ScratchDir& dir) {
  const std::string probe = dir.file("probe");
  std::ofstream(probe) << "x";
  ::chmod(probe.c_str(), 0400);
  const int fd = ::open(probe.c_str(), O_WRONLY);
  if (fd >= 0) ::close(fd);
  std::filesystem::remove(probe);
  return fd < 0;
}

bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

void check_same(const OrderRow& got, const OrderRow& want) {
  const core::Order& g = got.order;
  const core::Order& w = want.order;
  CHECK(g.order_id == w.order_id);
  CHECK(g.portfolio == w.portfolio);
  CHECK(g.symbol == w.symbol);
  CHECK(g.side == w.side);
  CHECK(same_bits(g.quantity, w.quantity));
  CHECK(g.order_type == w.order_type);
  CHECK(same_bits(g.limit_price, w.limit_price));
  CHECK(same_bits(g.reference_price, w.reference_price));
  CHECK(g.reason == w.reason);
  CHECK(g.rebalance_id == w.rebalance_id);
  CHECK(g.created_at == w.created_at);
  CHECK(got.state == want.state);
  CHECK(same_bits(got.filled_quantity, want.filled_quantity));
  CHECK(same_bits(got.filled_value, want.filled_value));
  CHECK(got.updated_at == want.updated_at);
}

void check_same(const PortfolioRow& got, const PortfolioRow& want) {
  CHECK(got.id == want.id);
  CHECK(same_bits(got.cash, want.cash));
  CHECK(got.rebalances == want.rebalances);
  CHECK(got.orders == want.orders);
  CHECK(same_bits(got.costs_estimated, want.costs_estimated));
  CHECK(same_bits(got.costs_realized, want.costs_realized));
  CHECK(got.seed == want.seed);
}

OrderRow order(const std::string& id, const std::string& portfolio, const std::string& rebalance_id,
               OrderState state = OrderState::created) {
  OrderRow r;
  r.order.order_id = id;
  r.order.portfolio = portfolio;
  r.order.symbol = "SPY";
  r.order.side = core::Side::buy;
  r.order.quantity = 12;
  r.order.reference_price = 589.12;
  r.order.reason = "threshold";
  r.order.rebalance_id = rebalance_id;
  r.order.created_at = 1'795'444'200'123'000'000;
  r.state = state;
  r.updated_at = r.order.created_at;
  return r;
}

PortfolioRow portfolio(const std::string& id, double cash) {
  PortfolioRow p;
  p.id = id;
  p.cash = cash;
  p.seed = "cash=" + std::to_string(cash);
  return p;
}

std::vector<std::string> unfinished_ids(const Snapshot& s) {
  std::vector<std::string> ids;
  for (const OrderRow& o : s.unfinished) ids.push_back(o.order.order_id);
  return ids;
}

}  // namespace

TEST_CASE("order states spell as stored and parse back; only created, sent and partially_filled are unfinished") {
  for (const OrderState s : {OrderState::created, OrderState::sent, OrderState::partially_filled, OrderState::unknown,
                             OrderState::filled, OrderState::rejected, OrderState::cancelled, OrderState::expired}) {
    CHECK(core::parse_order_state(core::to_string(s)) == s);
  }
  CHECK(core::to_string(OrderState::partially_filled) == "partially_filled");
  CHECK_FALSE(core::parse_order_state("Sent"));
  CHECK_FALSE(core::parse_order_state(""));
  CHECK_FALSE(core::is_final(OrderState::created));
  CHECK_FALSE(core::is_final(OrderState::sent));
  CHECK_FALSE(core::is_final(OrderState::partially_filled));
  CHECK_FALSE(core::is_final(OrderState::unknown));  // never written: it follows from an order's age
  CHECK(core::is_final(OrderState::filled));
  CHECK(core::is_final(OrderState::rejected));
  CHECK(core::is_final(OrderState::cancelled));
  CHECK(core::is_final(OrderState::expired));
  CHECK(Change{}.empty());
  Change c;
  c.counters = Counters{};
  CHECK_FALSE(c.empty());
}

TEST_CASE("a missing file is created fresh and empty; reopened it is no longer fresh") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  {
    StateStore store = open_ok(path);
    CHECK(store.path() == path);
    const Snapshot s = store.load();
    CHECK(s.fresh);
    CHECK(s.portfolios.empty());
    CHECK(s.positions.empty());
    CHECK(s.unfinished.empty());
    CHECK(s.counters == Counters{1, 1});
  }
  CHECK(std::filesystem::exists(path));
  CHECK_FALSE(std::filesystem::exists(path + ".creating"));
  StateStore again = open_ok(path);
  CHECK_FALSE(again.load().fresh);
}

TEST_CASE("the state file, its write-ahead log and its lock are the owner's only (0600)") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  auto mode = [](const std::string& file) {
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    return st.st_mode & 0777;
  };
  {
    StateStore store = open_ok(path);
    Change c;
    c.counters = Counters{5, 6};
    store.commit(c);
    CHECK(mode(path) == 0600);
    CHECK(mode(path + "-wal") == 0600);
    CHECK(mode(path + "-shm") == 0600);
    CHECK(mode(path + ".lock") == 0600);
  }
  // A file an earlier version made 0644 is tightened when it is opened.
  ::chmod(path.c_str(), 0644);
  StateStore again = open_ok(path);
  CHECK(mode(path) == 0600);
}

TEST_CASE("what an interrupted first start left aside is cleared, and the file is created whole") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  std::ofstream(path + ".creating", std::ios::binary) << "half a database";
  std::ofstream(path + ".creating-journal", std::ios::binary) << "its journal";
  StateStore store = open_ok(path);
  CHECK(store.load().fresh);
  CHECK_FALSE(std::filesystem::exists(path + ".creating"));
  CHECK_FALSE(std::filesystem::exists(path + ".creating-journal"));
}

TEST_CASE("a committed change reads back after reopening: every field, doubles bit for bit, times to the nanosecond") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");

  PortfolioRow main;
  main.id = "main";
  main.cash = 0.1 + 0.2;  // 0.30000000000000004
  main.rebalances = std::numeric_limits<std::uint64_t>::max();
  main.orders = (std::uint64_t{1} << 63) + 5;  // above int64's range
  main.costs_estimated = std::numeric_limits<double>::denorm_min();
  main.costs_realized = std::numeric_limits<double>::max();
  main.seed = "cash=10000;AGG=50;SPY=12.5";
  PortfolioRow other = portfolio("ünïcode 'quoted' \"too\"", -1234.5678901234567);
  other.costs_estimated = std::numeric_limits<double>::infinity();
  other.seed = "";

  OrderRow buy = order("main-20261123-000001", "main", "main-20261123-000001");
  buy.order.quantity = 1.0 / 3.0;
  buy.order.reference_price = 589.1200000000001;
  buy.order.created_at = std::numeric_limits<core::TimeNs>::max();
  buy.updated_at = std::numeric_limits<core::TimeNs>::min();
  OrderRow sell = order("main-20261123-000002", "main", "main-20261123-000001", OrderState::sent);
  sell.order.symbol = "AGG";
  sell.order.side = core::Side::sell;
  sell.order.order_type = core::OrderType::limit;
  sell.order.limit_price = 97.45000000000002;
  sell.order.reason = "manual";
  sell.order.created_at = -1;  // before the epoch
  sell.filled_quantity = 3;
  sell.filled_value = 292.35;
  sell.updated_at = 1'795'444'200'123'456'789;
  OrderRow done = order("main-20261123-000003", "main", "main-20261123-000001", OrderState::filled);

  FillRow f1{"main-20261123-000003", core::FillStatus::partially_filled, 6, 589.2, 1'795'444'200'500'000'001,
             1'795'444'200'500'100'002};
  FillRow f2{"main-20261123-000003", core::FillStatus::filled, 12, 589.25000000000001, 1'795'444'201'000'000'000,
             1'795'444'201'000'000'999};
  RebalanceRow r1{"main-20261123-000001", "main", "threshold", "SPY drift 0.031 over 0.03",
                  1'795'444'200'123'000'000, 100000.00000000001, 0.031, 0.062, 7069.44, 1.25e-3, 3};
  RebalanceRow r2{"main-20261123-000002", "main", "manual", "", 1'795'444'300'000'000'000, 99999.5, 0, 0, 0, 0, 0};

  Change change;
  change.portfolios = {main, other};
  change.positions = {{"main", "SPY", 12.5}, {"main", "AGG", 1e-9}, {other.id, "X", -3}};
  change.orders = {buy, sell, done};
  change.fills = {f1, f2};
  change.rebalances = {r1, r2};
  change.counters = Counters{std::numeric_limits<std::uint64_t>::max(), 42};
  {
    StateStore store = open_ok(path);
    store.commit(change);
  }

  StateStore store = open_ok(path);
  const Snapshot s = store.load();
  CHECK_FALSE(s.fresh);
  REQUIRE(s.portfolios.size() == 2);
  check_same(s.portfolios[0], main);  // by id: "main" < "ü..."
  check_same(s.portfolios[1], other);
  REQUIRE(s.positions.size() == 3);
  CHECK(s.positions[0] == PositionRow{"main", "AGG", 1e-9});
  CHECK(s.positions[1] == PositionRow{"main", "SPY", 12.5});
  CHECK(s.positions[2] == PositionRow{other.id, "X", -3});
  REQUIRE(s.unfinished.size() == 2);  // the filled one is not
  check_same(s.unfinished[0], buy);
  check_same(s.unfinished[1], sell);
  CHECK(s.counters == Counters{std::numeric_limits<std::uint64_t>::max(), 42});

  const std::vector<OrderRow> of_rebalance = store.orders_of_rebalance("main-20261123-000001");
  REQUIRE(of_rebalance.size() == 3);
  check_same(of_rebalance[0], buy);
  check_same(of_rebalance[1], sell);
  check_same(of_rebalance[2], done);
  CHECK(store.orders_of_rebalance("none").empty());

  const std::vector<FillRow> fills = store.fills_of("main-20261123-000003");
  REQUIRE(fills.size() == 2);
  CHECK(fills[0] == f1);
  CHECK(fills[1] == f2);
  CHECK(same_bits(fills[1].avg_price, f2.avg_price));
  CHECK(store.fills_of("main-20261123-000001").empty());

  const std::vector<RebalanceRow> rebalances = store.rebalances("main", 10);
  REQUIRE(rebalances.size() == 2);
  CHECK(rebalances[0] == r2);  // newest first
  CHECK(rebalances[1] == r1);
  CHECK(same_bits(rebalances[1].value, r1.value));
  REQUIRE(store.rebalances("main", 1).size() == 1);
  CHECK(store.rebalances("main", 1)[0] == r2);
  CHECK(store.rebalances("main", 0).empty());
  CHECK(store.rebalances(other.id, 10).empty());
}

TEST_CASE("negative zero reads back as zero, which compares equal") {
  ScratchDir dir;
  StateStore store = open_ok(dir.file("state.db"));
  Change c;
  c.portfolios = {portfolio("p", -0.0)};
  store.commit(c);
  const Snapshot s = store.load();
  REQUIRE(s.portfolios.size() == 1);
  CHECK(s.portfolios[0].cash == 0.0);
  CHECK_FALSE(std::signbit(s.portfolios[0].cash));
}

TEST_CASE("a change that cannot be written leaves nothing of itself behind") {
  ScratchDir dir;
  StateStore store = open_ok(dir.file("state.db"));
  Change first;
  first.portfolios = {portfolio("p", 100)};
  first.positions = {{"p", "SPY", 1}};
  first.counters = Counters{5, 2};
  store.commit(first);

  SUBCASE("a NaN") {
    Change bad;
    bad.portfolios = {portfolio("p", 50)};
    bad.positions = {{"p", "SPY", 2}};
    bad.orders = {order("o-1", "p", "r-1")};
    bad.orders[0].order.quantity = std::nan("");
    bad.counters = Counters{6, 3};
    try {
      store.commit(bad);
      FAIL("a NaN was written");
    } catch (const StoreError& e) {
      CHECK(contains(e.what(), "orders.quantity"));
      CHECK(contains(e.what(), dir.file("state.db")));
    }
  }
  SUBCASE("a fill for an order that does not exist") {
    Change bad;
    bad.portfolios = {portfolio("p", 50)};
    bad.fills = {FillRow{"ghost", core::FillStatus::filled, 1, 1, 0, 0}};
    CHECK_THROWS_AS(store.commit(bad), StoreError);
  }
  SUBCASE("a rebalance_id written twice") {
    Change bad;
    bad.portfolios = {portfolio("p", 50)};
    bad.rebalances = {RebalanceRow{"r-1", "p", "manual", "", 0, 0, 0, 0, 0, 0, 0},
                      RebalanceRow{"r-1", "p", "manual", "", 1, 0, 0, 0, 0, 0, 0}};
    CHECK_THROWS_AS(store.commit(bad), StoreError);
    CHECK(store.rebalances("p", 10).empty());
  }
  SUBCASE("a position of a portfolio that does not exist") {
    Change bad;
    bad.portfolios = {portfolio("p", 50)};
    bad.positions = {{"nobody", "SPY", 1}};
    CHECK_THROWS_AS(store.commit(bad), StoreError);
  }

  const Snapshot s = store.load();
  REQUIRE(s.portfolios.size() == 1);
  CHECK(s.portfolios[0].cash == 100);
  REQUIRE(s.positions.size() == 1);
  CHECK(s.positions[0] == PositionRow{"p", "SPY", 1});
  CHECK(s.unfinished.empty());
  CHECK(s.counters == Counters{5, 2});
  // The store goes on working after a refused change.
  Change next;
  next.counters = Counters{7, 3};
  store.commit(next);
  CHECK(store.load().counters == Counters{7, 3});
}

TEST_CASE("a listed portfolio's positions are replaced by the rows given; an unlisted one's rows are upserted") {
  ScratchDir dir;
  StateStore store = open_ok(dir.file("state.db"));
  Change seed;
  seed.portfolios = {portfolio("a", 0), portfolio("b", 0)};
  seed.positions = {{"a", "SPY", 10}, {"a", "AGG", 20}, {"b", "SPY", 1}, {"b", "GLD", 2}};
  store.commit(seed);

  Change replace;
  replace.portfolios = {portfolio("a", 5)};  // a: AGG sold out, TLT bought
  replace.positions = {{"a", "SPY", 11}, {"a", "TLT", 3}, {"b", "GLD", 4}};  // b is not listed: GLD alone changes
  store.commit(replace);
  std::vector<PositionRow> want = {{"a", "SPY", 11}, {"a", "TLT", 3}, {"b", "GLD", 4}, {"b", "SPY", 1}};
  CHECK(store.load().positions == want);

  Change empty_out;
  empty_out.portfolios = {portfolio("a", 100)};  // listed with no rows: holds nothing
  store.commit(empty_out);
  want = {{"b", "GLD", 4}, {"b", "SPY", 1}};
  CHECK(store.load().positions == want);
}

TEST_CASE("an order upserted through created, sent, partially_filled and filled leaves the unfinished list at the end") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  StateStore store = open_ok(path);
  Change c0;
  c0.portfolios = {portfolio("p", 1000)};
  c0.orders = {order("o-1", "p", "r-1"), order("o-2", "p", "r-1"), order("o-3", "p", "r-1"), order("o-4", "p", "r-1")};
  store.commit(c0);
  CHECK(unfinished_ids(store.load()) == std::vector<std::string>{"o-1", "o-2", "o-3", "o-4"});

  OrderRow o1 = order("o-1", "p", "r-1", OrderState::sent);
  o1.updated_at += 1000;
  Change c1;
  c1.orders = {o1};
  store.commit(c1);
  Snapshot s = store.load();
  REQUIRE(s.unfinished.size() == 4);
  check_same(s.unfinished[0], o1);  // still first: the order of first commit holds

  o1.state = OrderState::partially_filled;
  o1.filled_quantity = 6;
  o1.filled_value = 6 * 589.2;
  Change c2;
  c2.orders = {o1};
  c2.fills = {FillRow{"o-1", core::FillStatus::partially_filled, 6, 589.2, 1, 2}};
  store.commit(c2);
  check_same(store.load().unfinished[0], o1);

  o1.state = OrderState::filled;
  o1.filled_quantity = 12;
  Change c3;
  c3.orders = {o1, order("o-2", "p", "r-1", OrderState::rejected), order("o-3", "p", "r-1", OrderState::expired)};
  c3.fills = {FillRow{"o-1", core::FillStatus::filled, 12, 589.3, 3, 4},
              FillRow{"o-2", core::FillStatus::rejected, 0, 0, 5, 6}};
  store.commit(c3);
  CHECK(unfinished_ids(store.load()) == std::vector<std::string>{"o-4"});

  Change c4;
  c4.orders = {order("o-4", "p", "r-1", OrderState::cancelled)};
  store.commit(c4);
  CHECK(store.load().unfinished.empty());

  const std::vector<OrderRow> all = store.orders_of_rebalance("r-1");
  REQUIRE(all.size() == 4);
  CHECK(all[0].state == OrderState::filled);
  CHECK(all[0].filled_quantity == 12);
  CHECK(all[1].state == OrderState::rejected);
  CHECK(all[2].state == OrderState::expired);
  CHECK(all[3].state == OrderState::cancelled);
  CHECK(store.fills_of("o-1").size() == 2);
}

TEST_CASE("order updates change the state of an order in the file; a sent mark never undoes a report") {
  ScratchDir dir;
  StateStore store = open_ok(dir.file("state.db"));
  Change c0;
  c0.portfolios = {portfolio("p", 1000)};
  c0.orders = {order("o-1", "p", "r-1"), order("o-2", "p", "r-1")};
  store.commit(c0);
  // o-1 is filled before the mark that it left is written; o-2 only leaves.
  Change c1;
  c1.order_updates = {{"o-1", OrderState::filled, 12, 12 * 589.2, 10, false},
                      {"o-1", OrderState::sent, 0, 0, 11, true},
                      {"o-2", OrderState::sent, 0, 0, 12, true},
                      {"o-unknown", OrderState::filled, 1, 1, 13, false}};
  store.commit(c1);
  const auto all = store.orders_of_rebalance("r-1");
  REQUIRE(all.size() == 2);
  CHECK(all[0].state == OrderState::filled);
  CHECK(all[0].filled_quantity == 12);
  CHECK(all[0].filled_value == 12 * 589.2);
  CHECK(all[0].updated_at == 10);
  CHECK(all[1].state == OrderState::sent);
  CHECK(all[1].filled_quantity == 0);
  CHECK(all[1].updated_at == 12);
  CHECK(unfinished_ids(store.load()) == std::vector<std::string>{"o-2"});
}

TEST_CASE("a sent mark carrying a reference price replaces the decided one; without one the row keeps its own") {
  ScratchDir dir;
  StateStore store = open_ok(dir.file("state.db"));
  Change c0;
  c0.portfolios = {portfolio("p", 1000)};
  c0.orders = {order("o-1", "p", "r-1"), order("o-2", "p", "r-1"), order("o-3", "p", "r-1")};
  store.commit(c0);
  // o-1 leaves at 601.5 (a child released later); o-2 leaves with no price
  // given; o-3 was filled first, so its mark, price and all, changes nothing.
  OrderUpdate filled{"o-3", OrderState::filled, 12, 12 * 589.2, 10, false};
  OrderUpdate sent1{"o-1", OrderState::sent, 0, 0, 11, true};
  sent1.reference_price = 601.5;
  OrderUpdate sent2{"o-2", OrderState::sent, 0, 0, 12, true};
  OrderUpdate sent3{"o-3", OrderState::sent, 0, 0, 13, true};
  sent3.reference_price = 700;
  Change c1;
  c1.order_updates = {filled, sent1, sent2, sent3};
  store.commit(c1);
  const auto all = store.orders_of_rebalance("r-1");
  REQUIRE(all.size() == 3);
  CHECK(all[0].order.reference_price == 601.5);
  CHECK(all[0].state == OrderState::sent);
  CHECK(all[1].order.reference_price == 589.12);
  CHECK(all[2].order.reference_price == 589.12);
  CHECK(all[2].state == OrderState::filled);
}

TEST_CASE("slices round-trip and are replaced with their portfolio's row, like positions") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  SliceRow sell{"p", "AGG", core::Side::sell, 36, 20, 1, 1'795'444'230'000'000'000, 30'000'000'000, "threshold", "p-1"};
  SliceRow buy{"p", "SPY", core::Side::buy, 16, 6, 1, 1'795'444'230'000'000'000, 30'000'000'000, "threshold", "p-1"};
  {
    StateStore store = open_ok(path);
    Change c;
    c.portfolios = {portfolio("p", 1000), portfolio("q", 10)};
    c.slices = {sell, buy};
    store.commit(c);
  }
  StateStore store = open_ok(path);
  CHECK(store.load().slices == std::vector<SliceRow>{sell, buy});
  // The portfolio written again with one slice left: the other is gone.
  buy.remaining = 10;
  Change c;
  c.portfolios = {portfolio("p", 1000)};
  c.slices = {buy};
  store.commit(c);
  CHECK(store.load().slices == std::vector<SliceRow>{buy});
  // A change that does not list the portfolio leaves its slices alone; removing it removes them.
  Change other;
  other.portfolios = {portfolio("q", 20)};
  store.commit(other);
  CHECK(store.load().slices.size() == 1);
  Change removed;
  removed.removed_portfolios = {"p"};
  store.commit(removed);
  CHECK(store.load().slices.empty());
}

TEST_CASE("counters survive a reopen and only change when a change carries them") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  {
    StateStore store = open_ok(path);
    Change c;
    c.counters = Counters{10'001, 77};
    store.commit(c);
    Change no_counters;
    no_counters.portfolios = {portfolio("p", 1)};
    store.commit(no_counters);
  }
  StateStore store = open_ok(path);
  CHECK(store.load().counters == Counters{10'001, 77});
}

TEST_CASE("a removed portfolio loses its row and positions; its orders, fills and rebalances stay as history") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  {
    StateStore store = open_ok(path);
    Change c;
    c.portfolios = {portfolio("gone", 1), portfolio("kept", 2)};
    c.positions = {{"gone", "SPY", 1}, {"kept", "SPY", 2}};
    c.orders = {order("g-1", "gone", "g-r1", OrderState::filled), order("g-2", "gone", "g-r1", OrderState::sent)};
    c.fills = {FillRow{"g-1", core::FillStatus::filled, 12, 1, 0, 0}};
    c.rebalances = {RebalanceRow{"g-r1", "gone", "manual", "", 0, 0, 0, 0, 0, 0, 2}};
    store.commit(c);
    Change remove;
    remove.removed_portfolios = {"gone", "never-was"};
    remove.orders = {order("g-2", "gone", "g-r1", OrderState::cancelled)};  // finished with it
    store.commit(remove);
  }
  StateStore store = open_ok(path);
  const Snapshot s = store.load();
  REQUIRE(s.portfolios.size() == 1);
  CHECK(s.portfolios[0].id == "kept");
  CHECK(s.positions == std::vector<PositionRow>{{"kept", "SPY", 2}});
  CHECK(s.unfinished.empty());
  CHECK(store.orders_of_rebalance("g-r1").size() == 2);
  CHECK(store.fills_of("g-1").size() == 1);
  CHECK(store.rebalances("gone", 5).size() == 1);

  // A portfolio removed and listed again in one change starts over.
  Change again;
  again.removed_portfolios = {"kept"};
  again.portfolios = {portfolio("kept", 9)};
  store.commit(again);
  const Snapshot t = store.load();
  REQUIRE(t.portfolios.size() == 1);
  CHECK(t.portfolios[0].cash == 9);
  CHECK(t.positions.empty());
}

TEST_CASE("10,000 orders go in one commit, with both durabilities") {
  for (const Durability durability : {Durability::full, Durability::normal}) {
    CAPTURE(static_cast<int>(durability));
    ScratchDir dir;
    const std::string path = dir.file("state.db");
    constexpr int kOrders = 10'000;
    {
      StateStore store = open_ok(path, durability);
      Change c;
      c.portfolios = {portfolio("p", 1e6)};
      for (int i = 0; i < kOrders; ++i) {
        OrderRow o = order("o-" + std::to_string(i), "p", "r-" + std::to_string(i / 100));
        o.order.quantity = i + 0.5;
        c.orders.push_back(std::move(o));
      }
      c.counters = Counters{kOrders + 1, kOrders / 100 + 1};
      store.commit(c);
    }
    StateStore store = open_ok(path, durability);
    const Snapshot s = store.load();
    REQUIRE(s.unfinished.size() == kOrders);
    for (int i = 0; i < kOrders; i += 997) {
      CHECK(s.unfinished[static_cast<std::size_t>(i)].order.order_id == "o-" + std::to_string(i));
      CHECK(s.unfinished[static_cast<std::size_t>(i)].order.quantity == i + 0.5);
    }
    CHECK(s.counters == Counters{kOrders + 1, kOrders / 100 + 1});
    CHECK(store.orders_of_rebalance("r-42").size() == 100);
  }
}

namespace {

/// The checkpoint sequence number in a WAL file's header (big-endian, bytes
/// 12–15): SQLite adds one each time the WAL starts over from its beginning.
std::uint32_t wal_restarts(const std::string& wal) {
  std::ifstream in(wal, std::ios::binary);
  unsigned char b[16] = {};
  in.read(reinterpret_cast<char*>(b), sizeof b);
  REQUIRE(in.gcount() == 16);
  return (std::uint32_t{b[12]} << 24) | (std::uint32_t{b[13]} << 16) | (std::uint32_t{b[14]} << 8) | b[15];
}

}  // namespace

TEST_CASE("a whole checkpoint starts the WAL over itself, so that the next commit does not sync its header") {
  for (const Durability durability : {Durability::normal, Durability::full}) {
    ScratchDir dir;
    const std::string path = dir.file("state.db");
    StateStore store = open_ok(path, durability);
    Change c;
    c.portfolios = {portfolio("p", 1)};
    store.commit(c);
    const std::uint32_t before = wal_restarts(path + "-wal");
    store.checkpoint();
    const std::uint32_t after = wal_restarts(path + "-wal");
    CHECK(after == before + 1);
    Change next;
    next.counters = Counters{7, 3};
    store.commit(next);  // appended after the one page: the WAL does not start over here
    CHECK(wal_restarts(path + "-wal") == after);
    CHECK(store.load().counters == Counters{7, 3});
    CHECK(store.load().portfolios.size() == 1);
    store.checkpoint();  // the commit's frames copied: over again
    CHECK(wal_restarts(path + "-wal") == after + 1);
  }
}

TEST_CASE("a checkpoint empties the write-ahead log into the database and changes nothing") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  StateStore store = open_ok(path, Durability::normal);
  Change c;
  c.portfolios = {portfolio("p", 1)};
  for (int i = 0; i < 100; ++i) c.orders.push_back(order("o-" + std::to_string(i), "p", "r"));
  store.commit(c);
  const auto db_before = std::filesystem::file_size(path);
  store.checkpoint();
  CHECK(std::filesystem::file_size(path) > db_before);  // the pages moved into the file
  CHECK(store.load().unfinished.size() == 100);
  Change next;
  next.counters = Counters{101, 2};
  store.commit(next);  // the WAL starts over and commits go on
  CHECK(store.load().counters == Counters{101, 2});
}

TEST_CASE("a store moved to another variable keeps working") {
  ScratchDir dir;
  StateStore first = open_ok(dir.file("state.db"), Durability::normal);
  StateStore second = std::move(first);
  Change c;
  c.counters = Counters{3, 4};
  second.commit(c);
  CHECK(second.load().counters == Counters{3, 4});
}

// ----------------------------------------------------------------- refusals

TEST_CASE("a file of random bytes is refused as not a database and left as it was") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  std::mt19937_64 rng(7);
  std::string noise(65536, '\0');
  for (char& ch : noise) ch = static_cast<char>(rng());
  std::ofstream(path, std::ios::binary) << noise;

  const std::string message = open_error(path);
  CHECK(message == "state file " + path + " is not a Ballast state database: file is not a database");
  CHECK(file_bytes(path) == noise);
}

TEST_CASE("an empty file is refused rather than taken for a new database") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  std::ofstream(path).close();
  const std::string message = open_error(path);
  CHECK(contains(message, "not a Ballast state database"));
  CHECK(contains(message, "empty"));
  CHECK(std::filesystem::file_size(path) == 0);
}

TEST_CASE("a database truncated to half its size is refused as corrupt and left as it was") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  {
    StateStore store = open_ok(path);
    Change c;
    c.portfolios = {portfolio("p", 1)};
    for (int i = 0; i < 5000; ++i) c.orders.push_back(order("o-" + std::to_string(i), "p", "r"));
    store.commit(c);
  }
  REQUIRE_FALSE(std::filesystem::exists(path + "-wal"));  // checkpointed on close: the file is whole
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  const std::string before = file_bytes(path);

  const std::string message = open_error(path);
  CHECK(contains(message, "state file " + path + " is corrupt"));
  CHECK(file_bytes(path) == before);
}

TEST_CASE("a database with a damaged page is refused by its quick_check and left as it was") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  {
    StateStore store = open_ok(path);
    Change c;
    c.portfolios = {portfolio("p", 1)};
    for (int i = 0; i < 5000; ++i) c.orders.push_back(order("o-" + std::to_string(i), "p", "r"));
    store.commit(c);
  }
  const auto size = std::filesystem::file_size(path);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 4096 / 2 * 4096));  // a page in the middle of the orders
    f << std::string(4096, 'Z');
  }
  REQUIRE(std::filesystem::file_size(path) == size);
  const std::string before = file_bytes(path);

  const std::string message = open_error(path);
  CHECK(contains(message, "state file " + path + " is corrupt (quick_check: "));
  CHECK(message.find('\n') == std::string::npos);
  CHECK(file_bytes(path) == before);
}

TEST_CASE("another application's SQLite database is refused and left as it was") {
  ScratchDir dir;
  const std::string path = dir.file("songs.db");
  raw_sql(path, "CREATE TABLE songs (title TEXT); INSERT INTO songs VALUES ('Ballast');");
  const std::string before = file_bytes(path);

  const std::string message = open_error(path);
  CHECK(contains(message, "state file " + path + " is not a Ballast state database"));
  CHECK(contains(message, "another application"));
  CHECK(contains(message, "songs"));
  CHECK(file_bytes(path) == before);
}

TEST_CASE("a state file of a newer schema version is refused, saying so, and left as it was") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  { open_ok(path); }
  raw_sql(path, "UPDATE meta SET value = 5 WHERE key = 'schema_version'");
  const std::string before = file_bytes(path);

  const std::string message = open_error(path);
  CHECK(contains(message, "schema version 5"));
  CHECK(contains(message, "newer"));
  CHECK(contains(message, "knows version 4"));
  CHECK(file_bytes(path) == before);
}

TEST_CASE("a file with our application id but no meta table is refused") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  raw_sql(path, "PRAGMA application_id = 1112298324; CREATE TABLE t (x);");
  const std::string message = open_error(path);
  CHECK(contains(message, "not a valid Ballast state database"));
  CHECK(contains(message, "meta"));
}

TEST_CASE("a read-only state file is refused and left as it was") {
  ScratchDir dir;
  if (!permissions_apply(dir)) {
    MESSAGE("skipped: file permissions do not apply to this user (root)");
    return;
  }
  const std::string path = dir.file("state.db");
  { open_ok(path); }
  const std::string before = file_bytes(path);
  REQUIRE(::chmod(path.c_str(), 0444) == 0);
  const std::string message = open_error(path);
  CHECK(contains(message, "cannot be opened read-write"));
  CHECK(contains(message, path));
  CHECK(file_bytes(path) == before);
}

TEST_CASE("a state file in a read-only directory is refused; none is created there") {
  ScratchDir dir;
  if (!permissions_apply(dir)) {
    MESSAGE("skipped: file permissions do not apply to this user (root)");
    return;
  }
  const std::string path = dir.file("state.db");
  { open_ok(path); }
  const std::string before = file_bytes(path);
  REQUIRE(::chmod(dir.path().c_str(), 0555) == 0);
  CHECK(contains(open_error(path), "is not writable"));
  CHECK(file_bytes(path) == before);
  const std::string missing = dir.file("other.db");
  CHECK(contains(open_error(missing), "is not writable"));
  CHECK_FALSE(std::filesystem::exists(missing));
  ::chmod(dir.path().c_str(), 0755);
}

TEST_CASE("a path in a directory that does not exist is refused, and nothing is created") {
  ScratchDir dir;
  const std::string path = (dir.path() / "missing" / "state.db").string();
  const std::string message = open_error(path);
  CHECK(contains(message, (dir.path() / "missing").string()));
  CHECK(contains(message, "does not exist"));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "missing"));
}

TEST_CASE("a missing state file whose write-ahead log is still there is refused, not started fresh") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  std::ofstream(path + "-wal", std::ios::binary) << std::string(4096, 'w');
  const std::string message = open_error(path);
  CHECK(contains(message, "write-ahead log"));
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("a second store on the same file is refused while the first is open, naming the holder's pid") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  {
    StateStore first = open_ok(path);
    CHECK(file_bytes(path + ".lock") == std::to_string(::getpid()) + "\n");  // recorded when the lock is taken
    auto second = StateStore::open(path, Durability::full);
    const auto* error = std::get_if<OpenError>(&second);
    REQUIRE(error);
    CHECK(error->in_use);
    CHECK(contains(error->message, "in use by another ballastd (pid " + std::to_string(::getpid()) + ")"));
    CHECK(contains(error->message, "Stop that one first"));
    CHECK(contains(error->message, "do not move it"));
  }
  open_ok(path);  // released on close
}

TEST_CASE("a lock held by a process that did not record its pid still names the lock, not a repair") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  { StateStore created = open_ok(path); }
  // Another holder of the lock that wrote nothing into it.
  const int fd = ::open((path + ".lock").c_str(), O_RDWR | O_TRUNC);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  auto second = StateStore::open(path, Durability::full);
  ::close(fd);
  const auto* error = std::get_if<OpenError>(&second);
  REQUIRE(error);
  CHECK(error->in_use);
  CHECK(contains(error->message, "its pid is not recorded"));
}

TEST_CASE("a refused file is not reported as in use") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  std::ofstream(path, std::ios::binary) << "not a database at all, just text";
  auto opened = StateStore::open(path, Durability::full);
  const auto* error = std::get_if<OpenError>(&opened);
  REQUIRE(error);
  CHECK_FALSE(error->in_use);
}

TEST_CASE("a value of the wrong type or a NULL found by load() is named by table and column") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  {
    StateStore store = open_ok(path);
    Change c;
    c.portfolios = {portfolio("p", 1)};
    c.positions = {{"p", "SPY", 1}};
    store.commit(c);
  }
  // What only damage or a hand edit can do: loosen the column, then break the value.
  raw_sql(path,
          "PRAGMA writable_schema = ON;"
          "UPDATE sqlite_schema SET sql = replace(sql, 'quantity REAL NOT NULL', 'quantity ANY') "
          "WHERE name = 'positions';");
  SUBCASE("text where a real number belongs") {
    raw_sql(path, "UPDATE positions SET quantity = 'lots'");
    StateStore store = open_ok(path);
    try {
      (void)store.load();
      FAIL("load() read a text quantity");
    } catch (const StoreError& e) {
      CHECK(std::string(e.what()) ==
            "state file " + path + " is corrupt: positions.quantity holds text where a real number is required");
      CHECK(e.sqlite_code() == SQLITE_CORRUPT);
    }
  }
  SUBCASE("a NULL") {
    raw_sql(path, "UPDATE positions SET quantity = NULL");
    StateStore store = open_ok(path);
    try {
      (void)store.load();
      FAIL("load() read a NULL quantity");
    } catch (const StoreError& e) {
      CHECK(std::string(e.what()) ==
            "state file " + path + " is corrupt: positions.quantity is NULL where a real number is required");
    }
  }
}

}  // namespace state_store_test
