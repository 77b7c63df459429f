// Live changes to the fleet's account book through the real daemon's control
// routes and the real `ballast accounts create|update|close`: each change is
// in the state file before the desk takes it, a changed account is checked on
// the next tick, a closed one trades no more (across a restart too), and what
// cannot be done safely now is refused with a reason.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "config/shard.hpp"
#include "store/state_store.hpp"
#include "tests/integration/support.hpp"

namespace test_fleet_accounts {

using namespace ballast;
using namespace ballast::testing;

namespace {

const std::string kToken = "s3cret";

/// At SPY 100 and AGG 100 both are inside their bands.
const std::string kCalmAccounts =
    "id,model,cash,SPY,AGG\n"
    "a3,balanced,0,6,4\n"
    "a4,balanced,0,62,38\n";

/// a1 holds only SPY: it sells 4 and buys 4 AGG at 100 and 100.
const std::string kBreachingAccounts =
    "id,model,cash,SPY,AGG\n"
    "a1,balanced,0,10,\n"
    "a3,balanced,0,6,4\n";

/// A daemon whose control routes want the token.
struct Fleet {
  explicit Fleet(const std::string& accounts, bool with_fills = false, const std::string& daemon_keys = "")
      : d(kFleetModels, "", "", "token = \"" + kToken + "\"", with_fills) {
    if (!daemon_keys.empty()) d.add_daemon_keys(daemon_keys);
    import(accounts);
    d.start();
  }
  void import(const std::string& csv) {
    std::filesystem::create_directories(d.dir.file("state"));
    d.dir.write("accounts.csv", csv);
    const RunResult r =
        run_command(BALLAST_CLI_PATH, {"accounts", "import", d.dir.file("accounts.csv"), "--config", d.config_path});
    INFO(r.output);
    REQUIRE(r.code == 0);
  }
  cli::HttpResult post(const std::string& path, const std::string& body, const std::string& token = kToken) const {
    return cli::http_request("POST", d.ports.url(path), token, body, 2s);
  }
  cli::HttpResult create(const std::string& body) const { return post("/control/accounts/create", body); }
  cli::HttpResult update(const std::string& body) const { return post("/control/accounts/update", body); }
  cli::HttpResult close(const std::string& id) const { return post("/control/accounts/close?id=" + id, ""); }
  cli::HttpResult get(const std::string& path) const {
    return cli::http_request("GET", d.ports.url(path), kToken, "", 2s);
  }
  /// GET /accounts/ID: 0 when it is not 200.
  int status_of(const std::string& id) const { return get("/accounts/" + id).status; }
  void price() {
    d.prime("SPY", 100);
    d.prime("AGG", 100);
    REQUIRE(eventually([&] { return bool(d.status()["fleet"]["started"]); }));
  }
  double fleet_number(const char* key) { return num(d.status()["fleet"][key]); }
  void restart() {
    d.process->signal(SIGTERM);
    REQUIRE(d.process->wait_exit() == 0);
    d.start();
  }
  /// The state file's record of `id` (the daemon stopped: the file is free).
  std::optional<fleet::AccountRecord> stored(const std::string& id) const {
    auto opened = store::StateStore::open(store::state_file_in(d.dir.file("state")), store::Durability::full);
    REQUIRE(std::holds_alternative<store::StateStore>(opened));
    return std::get<store::StateStore>(opened).account(id);
  }

  DaemonHarness d;
};

struct Account {
  std::string id;
  double cash = 0;
  std::map<std::string, double> quantity;
  bool pending = false, breaching = false;
};

Account parse_account(const std::string& json) {
  simdjson::dom::parser parser;
  const simdjson::dom::element a = parser.parse(json);
  Account out;
  out.id = std::string(std::string_view(a["id"]));
  out.cash = num(a["cash"]);
  for (auto asset : a["assets"].get_array()) {
    out.quantity[std::string(std::string_view(asset["symbol"]))] = num(asset["quantity"]);
  }
  out.pending = bool(a["pending"]);
  out.breaching = bool(a["breaching"]);
  return out;
}

Account account(const Fleet& f, const std::string& id) {
  const auto r = f.get("/accounts/" + id);
  INFO(r.body);
  REQUIRE(r.status == 200);
  return parse_account(r.body);
}

/// The accounts of a block order, with their quantities.
std::map<std::string, double> allocations(const std::string& order) {
  simdjson::dom::parser parser;
  const simdjson::dom::element o = parser.parse(order);
  std::map<std::string, double> out;
  for (auto a : o["allocations"].get_array()) out[std::string(std::string_view(a["account"]))] = num(a["quantity"]);
  return out;
}

std::string side_and_symbol(const std::string& order) {
  simdjson::dom::parser parser;
  const simdjson::dom::element o = parser.parse(order);
  return std::string(std::string_view(o["side"])) + " " + std::string(std::string_view(o["symbol"]));
}

/// Ids of a /accounts page.
std::vector<std::string> page_ids(const Fleet& f) {
  const auto r = f.get("/accounts?limit=100");
  REQUIRE(r.status == 200);
  simdjson::dom::parser parser;
  std::vector<std::string> ids;
  for (auto a : parser.parse(r.body)["accounts"].get_array()) ids.emplace_back(std::string_view(a["id"]));
  return ids;
}

const std::string kAllSpy = R"({"id":"n1","model":"balanced","cash":0,"holdings":{"SPY":10}})";

}  // namespace

TEST_CASE("an account created out of its bands is in the state file at once and trades on the next tick") {
  Fleet f(kCalmAccounts);
  f.price();
  CHECK(f.d.orders(1, 300ms).empty());

  const auto r = f.create(kAllSpy);
  INFO(r.body);
  REQUIRE(r.status == 200);
  const Account created = parse_account(r.body);
  CHECK(created.id == "n1");
  CHECK(created.quantity.at("SPY") == 10);
  CHECK(created.breaching);
  CHECK_FALSE(created.pending);
  CHECK(f.fleet_number("accounts") == 3);
  CHECK(f.fleet_number("accounts_in_file") == 3);
  CHECK(f.d.orders(1, 300ms).empty());  // not inside the request

  f.d.prime("SPY", 100);
  const auto orders = f.d.orders(2);
  REQUIRE(orders.size() == 2);
  CHECK(side_and_symbol(orders[0]) == "sell SPY");
  CHECK(allocations(orders[0]) == std::map<std::string, double>{{"n1", 4}});
  CHECK(allocations(orders[1]) == std::map<std::string, double>{{"n1", 4}});
  // Booked on send: the file follows the trade.
  CHECK(eventually([&] { return !account(f, "n1").pending; }));
  CHECK(account(f, "n1").quantity.at("AGG") == 4);

  f.restart();
  f.price();
  CHECK(account(f, "n1").quantity.at("SPY") == 6);
  f.d.process->signal(SIGTERM);
  REQUIRE(f.d.process->wait_exit() == 0);
  const auto kept = f.stored("n1");
  REQUIRE(kept);
  CHECK(kept->model == "balanced");
}

TEST_CASE("an update replaces the record, and the account is checked again on the next tick") {
  Fleet f(kCalmAccounts);
  f.price();
  CHECK(f.d.orders(1, 300ms).empty());

  // All in SPY now, with a household and a cash target of its own.
  const auto r = f.update(R"({"id":"a3","model":"balanced","cash":0,"holdings":{"SPY":10},
                              "household":"h9","cash_target":0.2})");
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(parse_account(r.body).quantity.at("SPY") == 10);
  CHECK(parse_account(r.body).quantity.at("AGG") == 0);
  CHECK(f.fleet_number("model_variants") == 1);
  CHECK(f.fleet_number("accounts") == 2);

  f.d.prime("AGG", 100);  // a tick of any of its symbols
  const auto orders = f.d.orders(2);
  REQUIRE(orders.size() == 2);
  // 0.2 in cash: 0.48 SPY and 0.32 AGG of 1000 — sell 6 SPY (rounded to a band's worth), buy AGG.
  CHECK(allocations(orders[0]).count("a3") == 1);
  CHECK(allocations(orders[0]).count("a4") == 0);
  CHECK(side_and_symbol(orders[0]) == "sell SPY");

  f.d.process->signal(SIGTERM);
  REQUIRE(f.d.process->wait_exit() == 0);
  const auto kept = f.stored("a3");
  REQUIRE(kept);
  CHECK(kept->household == "h9");
  CHECK(kept->cash_target == 0.2);
}

TEST_CASE("an account's lots come and go with its record: shown at once, refused when they do not fit") {
  Fleet f(kCalmAccounts);
  f.price();
  const auto r = f.update(R"({"id":"a3","model":"balanced","cash":0,"holdings":{"SPY":6,"AGG":4},
                              "lot_method":"min_tax","lots":[
                                {"symbol":"SPY","quantity":6,"cost_per_unit":90,"acquired":"2021-02-01"},
                                {"symbol":"AGG","quantity":4,"cost_per_unit":110,"acquired":"2021-03-01"}]})");
  INFO(r.body);
  REQUIRE(r.status == 200);
  simdjson::dom::parser parser;
  const simdjson::dom::element a = parser.parse(r.body);
  CHECK(std::string_view(a["lot_method"]) == "min_tax");
  REQUIRE(a["lots"].get_array().size() == 2);
  // At 100 and 100: 6·(100 − 90) − 4·(110 − 100) = +20, all long-term.
  CHECK(num(a["unrealised"]["long_term"]) == doctest::Approx(20));

  // More units in lots than held: refused with the reason, nothing changed.
  const auto bad = f.update(R"({"id":"a3","model":"balanced","cash":0,"holdings":{"SPY":6,"AGG":4},
                                "lots":[{"symbol":"SPY","quantity":7,"cost_per_unit":90,"acquired":"2021-02-01"}]})");
  CHECK(bad.status == 400);
  CHECK(bad.body.find("lots") != std::string::npos);
  CHECK(parser.parse(f.get("/accounts/a3").body)["lots"].get_array().size() == 2);

  // An update without lots leaves the account none, as it says.
  REQUIRE(f.update(R"({"id":"a3","model":"balanced","cash":0,"holdings":{"SPY":6,"AGG":4}})").status == 200);
  CHECK(parser.parse(f.get("/accounts/a3").body)["lots"].get_array().size() == 0);
  f.d.process->signal(SIGTERM);
  REQUIRE(f.d.process->wait_exit() == 0);
  const auto kept = f.stored("a3");
  REQUIRE(kept);
  CHECK(kept->lots.empty());
  CHECK(kept->lot_method == tax::CloseMethod::fifo);
}

TEST_CASE("a closed account trades no more, answers 404, leaves the pages, and stays closed after a restart") {
  Fleet f(kCalmAccounts);
  f.price();
  REQUIRE(f.status_of("a3") == 200);

  const auto r = f.close("a3");
  INFO(r.body);
  REQUIRE(r.status == 200);
  simdjson::dom::parser parser;
  const simdjson::dom::element body = parser.parse(r.body);
  CHECK(std::string_view(body["id"]) == "a3");
  CHECK(std::string_view(body["result"]) == "closed");

  CHECK(f.status_of("a3") == 404);
  CHECK(page_ids(f) == std::vector<std::string>{"a4"});
  CHECK(f.fleet_number("accounts") == 1);
  CHECK(f.fleet_number("accounts_in_file") == 1);
  CHECK(f.close("a3").status == 404);
  CHECK(f.update(R"({"id":"a3","model":"balanced","cash":0})").status == 404);
  // Its id is taken while this daemon runs.
  CHECK(f.create(R"({"id":"a3","model":"balanced","cash":0})").status == 409);

  // SPY up by half: both would be out of their bands; only a4 trades.
  f.d.prime("SPY", 150);
  const auto orders = f.d.orders(2);
  REQUIRE(orders.size() == 2);
  for (const auto& o : orders) CHECK(allocations(o).count("a3") == 0);

  f.restart();
  f.price();
  CHECK(f.status_of("a3") == 404);
  CHECK(f.status_of("a4") == 200);
  CHECK(f.fleet_number("accounts_in_file") == 1);
  f.d.process->signal(SIGTERM);
  REQUIRE(f.d.process->wait_exit() == 0);
  CHECK_FALSE(f.stored("a3"));
}

TEST_CASE("an account waiting for its block orders cannot be updated or closed until they are final") {
  Fleet f(kBreachingAccounts, /*with_fills=*/true);
  f.price();
  const auto orders = f.d.orders(2);
  REQUIRE(orders.size() == 2);
  REQUIRE(account(f, "a1").pending);

  const auto u = f.update(R"({"id":"a1","model":"balanced","cash":0,"holdings":{"SPY":6,"AGG":4}})");
  CHECK(u.status == 409);
  CHECK(u.body.find("lose or double") != std::string::npos);
  CHECK(f.close("a1").status == 409);
  CHECK(account(f, "a1").quantity.at("SPY") == 10);  // nothing changed

  // The blocks finish: the account is free again.
  for (const auto& o : orders) {
    simdjson::dom::parser parser;
    const std::string id(std::string_view(parser.parse(o)["order_id"]));
    f.d.send_fill(R"({"order_id":")" + id + R"(","status":"filled","filled_quantity":4,"avg_price":100})");
  }
  CHECK(eventually([&] { return !account(f, "a1").pending; }));
  CHECK(f.update(R"({"id":"a1","model":"balanced","cash":50,"holdings":{"SPY":6,"AGG":4}})").status == 200);
  CHECK(account(f, "a1").cash == 50);
  CHECK(f.close("a1").status == 200);
}

TEST_CASE("create refuses an id in the book, and a bad body is refused with its reasons and writes nothing") {
  Fleet f(kCalmAccounts);
  f.price();
  const auto dup = f.create(R"({"id":"a3","model":"balanced","cash":0})");
  CHECK(dup.status == 409);
  CHECK(dup.body.find("update it instead") != std::string::npos);

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "JSON object"},
      {"not json", "JSON object"},
      {"[1,2]", "JSON object"},
      {R"({"id":"b1","model":"balanced")", "JSON"},
      {R"({"id":"b1","model":"balanced"})", "\"cash\""},
      {R"({"id":"b1","model":"nope","cash":0})", "model:"},
      {R"({"id":"b1","model":"balanced","cash":-5})", "cash:"},
      {R"({"id":"b1","model":"balanced","cash":"lots"})", "cash must be a number"},
      {R"({"id":"b1","model":"balanced","cash":0,"holdings":{"QQQ":1}})", "holdings:"},
      {R"({"id":"b1","model":"balanced","cash":0,"colour":"red"})", "unknown key"},
      {R"({"id":"b 1","model":"balanced","cash":0})", "id:"},
      {R"({"id":"b1","model":"balanced","cash":0} {"id":"b2","model":"balanced","cash":0})", "trailing"},
      {R"({"id":"b1","model":"balanced","cash":0,"cash_target":1.5})", "cash_target:"},
  };
  for (const auto& c : bad) {
    const auto r = f.create(c.first);
    INFO(c.first);
    INFO(r.body);
    CHECK(r.status == 400);
    CHECK(r.body.find(c.second) != std::string::npos);
    CHECK(r.body.find("line") == std::string::npos);
  }
  CHECK(f.update(R"({"id":"a3","model":"balanced","cash":"x"})").status == 400);
  // Past the status socket's body cap: refused before it is read.
  std::string huge = R"({"id":"b1","model":"balanced","cash":0,"household":")" + std::string(70 * 1024, 'h') + "\"}";
  CHECK(f.create(huge).status == 413);
  CHECK(f.post("/control/accounts/create?id=b1", R"({"id":"b1","model":"balanced","cash":0})").status == 400);
  CHECK(f.post("/control/accounts/close", "").status == 400);

  CHECK(f.status_of("b1") == 404);
  CHECK(f.fleet_number("accounts_in_file") == 2);
  CHECK(account(f, "a3").quantity.at("SPY") == 6);
  f.d.process->signal(SIGTERM);
  REQUIRE(f.d.process->wait_exit() == 0);
  CHECK_FALSE(f.stored("b1"));
  CHECK(f.stored("a3")->cash == 0);
}

TEST_CASE("account changes need the token, the fleet started, and an account of this shard") {
  // Shard 0 of 2: ids of shard 1 are another daemon's.
  std::string ours, theirs;
  for (int i = 0; ours.empty() || theirs.empty(); ++i) {
    const std::string id = "s" + std::to_string(i);
    (config::shard_of(id, 2) == 0 ? ours : theirs) = id;
  }
  Fleet f("id,model,cash,SPY,AGG\n" + ours + ",balanced,0,6,4\n", false, "shard = \"0/2\"");
  const std::string body = R"({"id":"ID","model":"balanced","cash":0})";
  const auto with_id = [&](const std::string& id) { return std::string(body).replace(body.find("ID"), 2, id); };

  // Before every symbol has a price the fleet has not started.
  const auto early = f.create(with_id(ours + "x"));
  CHECK(early.status == (config::shard_of(ours + "x", 2) == 0 ? 503 : 421));
  CHECK(f.close(ours).status == 503);
  f.price();

  CHECK(f.post("/control/accounts/create", with_id(ours + "-new"), "").status == 401);
  CHECK(f.post("/control/accounts/create", with_id(ours + "-new"), "wrong").status == 401);
  CHECK(f.post("/control/accounts/close?id=" + ours, "", "").status == 401);
  CHECK(f.status_of(ours) == 200);

  const auto other = f.create(with_id(theirs));
  CHECK(other.status == 421);
  CHECK(other.body.find("shard") != std::string::npos);
  CHECK(f.close(theirs).status == 421);
  CHECK(f.update(with_id(theirs)).status == 421);
}

TEST_CASE("a daemon without [[models]] answers account changes with 503") {
  DaemonHarness d(kSixtyForty);
  d.start();
  const auto r = cli::http_request("POST", d.ports.url("/control/accounts/create"), "", kAllSpy, 2s);
  CHECK(r.status == 503);
  CHECK(r.body.find("[[models]]") != std::string::npos);
}

TEST_CASE("ballast accounts create, update and close change a running daemon's book") {
  Fleet f(kCalmAccounts);
  f.price();
  const std::string url = "http://127.0.0.1:" + std::to_string(f.d.ports.status);
  const auto cli = [&](std::vector<std::string> args) {
    args.insert(args.end(), {"--url", url, "--token", kToken});
    return run_command(BALLAST_CLI_PATH, args);
  };
  // A file may spread the object over lines.
  f.d.dir.write("n1.json", "{\n  \"id\": \"n1\",\n  \"model\": \"balanced\",\n  \"cash\": 1000\n}\n");
  RunResult r = cli({"accounts", "create", f.d.dir.file("n1.json")});
  INFO(r.output);
  CHECK(r.code == 0);
  CHECK(r.output.find("\"id\":\"n1\"") != std::string::npos);
  CHECK(account(f, "n1").cash == 1000);

  r = cli({"accounts", "create", f.d.dir.file("n1.json")});
  CHECK(r.code == 1);
  CHECK(r.output.find("HTTP 409") != std::string::npos);

  // From standard input.
  f.d.dir.write("n1-update.json", R"({"id":"n1","model":"balanced","cash":400,"holdings":{"SPY":3,"AGG":2}})");
  r = run_command("/bin/sh", {"-c", std::string(BALLAST_CLI_PATH) + " accounts update - --url " + url + " --token " +
                                        kToken + " < " + f.d.dir.file("n1-update.json")});
  INFO(r.output);
  CHECK(r.code == 0);
  CHECK(account(f, "n1").quantity.at("SPY") == 3);

  f.d.dir.write("bad.json", R"({"id":"n1","model":"balanced"})");
  r = cli({"accounts", "update", f.d.dir.file("bad.json")});
  CHECK(r.code == 1);
  CHECK(r.output.find("HTTP 400") != std::string::npos);
  CHECK(r.output.find("\"cash\"") != std::string::npos);

  r = cli({"accounts", "update", f.d.dir.file("missing.json")});
  CHECK(r.code == 1);
  CHECK(r.output.find("missing.json") != std::string::npos);

  r = cli({"accounts", "close", "n1"});
  INFO(r.output);
  CHECK(r.code == 0);
  CHECK(f.status_of("n1") == 404);
  r = cli({"accounts", "close", "n1"});
  CHECK(r.code == 1);
  CHECK(r.output.find("HTTP 404") != std::string::npos);

  r = run_command(BALLAST_CLI_PATH, {"accounts", "close", "a3", "--url", url});
  CHECK(r.code == 1);
  CHECK(r.output.find("HTTP 401") != std::string::npos);
  r = run_command(BALLAST_CLI_PATH, {"accounts", "close"});
  CHECK(r.code == 2);
}

}  // namespace test_fleet_accounts
