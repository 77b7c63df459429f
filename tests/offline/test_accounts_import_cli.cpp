// The real `ballast accounts import` on files: CSV and JSON lines into a real
// state file, every bad row reported with nothing written, --update,
// --dry-run, and a state file held by another process.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <variant>
#include <vector>

#include "fleet/account_record.hpp"
#include "store/state_store.hpp"
#include "tax/holding_period.hpp"
#include "tax/lots.hpp"
#include "tests/integration/support.hpp"

namespace test_accounts_import_cli {

using namespace ballast;
using namespace ballast::testing;

namespace {

std::string config_for(const TempDir& dir) {
  return "[daemon]\nstate_dir = \"" + dir.path().string() +
         "\"\n\n"
         "[[models]]\nid = \"balanced\"\ntargets = { VTI = 0.6, BND = 0.4 }\n[[models.triggers]]\nkind = \"threshold\"\nabsolute = 0.05\n\n"
         "[[models]]\nid = \"income\"\ntargets = { BND = 1.0 }\n[[models.triggers]]\nkind = \"threshold\"\nabsolute = 0.05\n";
}

constexpr const char* kCsv =
    "id,model,cash,household,restricted,VTI,BND\n"
    "a1,balanced,1000,h1,VTI,10,5\n"
    "a2,income,50,,,,20\n"
    "a3,balanced,0,h1,,1.5,\n";

constexpr const char* kJsonl =
    R"({"id":"j1","model":"balanced","cash":1000,"holdings":{"VTI":10},"household":"h1","restricted":["VTI"],"cash_target":0.02,"band_multiplier":1.5})"
    "\n"
    R"({"id":"j2","model":"income","cash":0,"holdings":{"BND":3}})"
    "\n";

RunResult import(const TempDir& dir, const std::string& file, std::vector<std::string> flags = {}) {
  std::vector<std::string> args{"accounts", "import", dir.file(file), "--config", dir.file("ballast.toml")};
  args.insert(args.end(), flags.begin(), flags.end());
  return run_command(BALLAST_CLI_PATH, args);
}

store::StateStore open_book(const TempDir& dir) {
  auto opened = store::StateStore::open(store::state_file_in(dir.path().string()), store::Durability::normal);
  if (auto* e = std::get_if<store::OpenError>(&opened)) FAIL(e->message);
  return std::move(std::get<store::StateStore>(opened));
}

std::vector<std::string> ids(const store::StateStore& book) {
  std::vector<std::string> out;
  book.for_each_account([&](const fleet::AccountRecord& a) { out.push_back(a.id); });
  return out;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("accounts import: a CSV file goes into the state file's book") {
  TempDir dir;
  dir.write("ballast.toml", config_for(dir));
  dir.write("accounts.csv", kCsv);
  const auto r = import(dir, "accounts.csv");
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK(has(r.output, "imported 3 accounts (3 new, 0 replaced)"));
  const store::StateStore book = open_book(dir);
  CHECK(ids(book) == std::vector<std::string>{"a1", "a2", "a3"});
  const auto a1 = book.account("a1");
  REQUIRE(a1);
  CHECK(a1->model == "balanced");
  CHECK(a1->cash == 1000);
  CHECK(a1->household == "h1");
  CHECK(a1->restricted == std::vector<std::string>{"VTI"});
  CHECK(a1->holdings == std::vector<std::pair<std::string, double>>{{"BND", 5}, {"VTI", 10}});
}

TEST_CASE("accounts import: JSON lines, by extension or by their first character") {
  TempDir dir;
  dir.write("ballast.toml", config_for(dir));
  dir.write("a.jsonl", kJsonl);
  const auto r = import(dir, "a.jsonl");
  INFO(r.output);
  REQUIRE(r.code == 0);
  dir.write("more.txt", R"({"id":"t1","model":"income","cash":1})" "\n");
  REQUIRE(import(dir, "more.txt").code == 0);
  const store::StateStore book = open_book(dir);
  CHECK(ids(book) == std::vector<std::string>{"j1", "j2", "t1"});
  const auto j1 = book.account("j1");
  REQUIRE(j1);
  CHECK(j1->cash_target == 0.02);
  CHECK(j1->band_multiplier == 1.5);
}

TEST_CASE("accounts import: lots and lot methods go into the book with their accounts, CSV and JSON lines") {
  TempDir dir;
  dir.write("ballast.toml", config_for(dir));
  dir.write("lots.csv",
            "id,model,cash,VTI,BND,lots,lot_method\n"
            "l1,balanced,0,10,5,VTI:6@210.25:2024-09-16:from=2024-06-03:wash=4.25;BND:5@72.5:2023-01-02;"
            "VTI:4@200:2024-03-01,hifo\n"
            "l2,income,0,,3,,\n");
  dir.write("lots.jsonl",
            R"({"id":"l3","model":"income","cash":0,"holdings":{"BND":3},"lot_method":"min_tax","lots":[)"
            R"({"symbol":"BND","quantity":2,"cost_per_unit":70,"acquired":"2022-12-30"}]})"
            "\n");
  for (const char* file : {"lots.csv", "lots.jsonl"}) {
    const auto r = import(dir, file);
    INFO(r.output);
    REQUIRE(r.code == 0);
  }
  const store::StateStore book = open_book(dir);
  const auto l1 = book.account("l1");
  REQUIRE(l1);
  const auto day = [](int y, unsigned m, unsigned d) { return tax::day_of(y, m, d); };
  CHECK(l1->lot_method == tax::CloseMethod::hifo);
  CHECK(l1->lots == std::vector<fleet::RecordLot>{
                        {"BND", 5, 72.5, day(2023, 1, 2), day(2023, 1, 2), 0, 0},
                        {"VTI", 6, 210.25, day(2024, 9, 16), day(2024, 6, 3), 4.25, 0},
                        {"VTI", 4, 200, day(2024, 3, 1), day(2024, 3, 1), 0, 1},
                    });  // the file gives no ids: each symbol's lots are numbered in order
  const auto l2 = book.account("l2");
  REQUIRE(l2);
  CHECK(l2->lots.empty());
  CHECK(l2->lot_method == tax::CloseMethod::fifo);
  const auto l3 = book.account("l3");
  REQUIRE(l3);
  CHECK(l3->lot_method == tax::CloseMethod::min_tax);
  CHECK(l3->lots == std::vector<fleet::RecordLot>{{"BND", 2, 70, day(2022, 12, 30), day(2022, 12, 30), 0, 0}});
}

TEST_CASE("accounts import: a bad lot is reported as FILE:LINE:COLUMN and nothing is written") {
  TempDir dir;
  dir.write("ballast.toml", config_for(dir));
  dir.write("lots.csv",
            "id,model,cash,VTI,lots\n"
            "l1,balanced,0,10,VTI:4@200:2024-03-01\n"
            "l2,balanced,0,10,VTI:11@200:2025-02-29\n");
  const auto r = import(dir, "lots.csv");
  INFO(r.output);
  CHECK(r.code == 1);
  CHECK(has(r.output, dir.file("lots.csv") + ":3:18: lots: lot 1: the acquired date \"2025-02-29\""));
  CHECK(has(r.output, "nothing imported"));
  CHECK(open_book(dir).account_count() == 0);
}

TEST_CASE("accounts import: every bad row is reported as FILE:LINE and nothing is written") {
  TempDir dir;
  dir.write("ballast.toml", config_for(dir));
  dir.write("bad.csv",
            "id,model,cash,VTI,BND\n"
            "a1,balanced,1,1,1\n"
            "a2,growth,1,,\n"    // unknown model
            "a3,income,-5,,1\n"  // negative cash
            "a1,income,1,,1\n"   // repeated id
            "a4,income,1,2,\n"); // VTI not in income
  const auto r = import(dir, "bad.csv");
  INFO(r.output);
  CHECK(r.code == 1);
  const std::string f = dir.file("bad.csv");
  CHECK(has(r.output, f + ":3:4: model \"growth\""));
  CHECK(has(r.output, f + ":4:11: cash must be"));
  CHECK(has(r.output, f + ":5:1: account id \"a1\" is given twice (first on line 2)"));
  CHECK(has(r.output, f + ":6:13: holds \"VTI\""));
  CHECK(has(r.output, "4 problems in 5 account lines; nothing imported"));
  CHECK(open_book(dir).account_count() == 0);
}

TEST_CASE("accounts import: an id already in the book is refused unless --update replaces it") {
  TempDir dir;
  dir.write("ballast.toml", config_for(dir));
  dir.write("accounts.csv", kCsv);
  REQUIRE(import(dir, "accounts.csv").code == 0);
  dir.write("again.csv", "id,model,cash,BND\na2,income,75,1\na9,income,1,1\n");

  const auto refused = import(dir, "again.csv");
  INFO(refused.output);
  CHECK(refused.code == 1);
  CHECK(has(refused.output, dir.file("again.csv") + ":2: account \"a2\" is already in the book; give --update"));
  CHECK(open_book(dir).account("a2")->cash == 50);
  CHECK_FALSE(open_book(dir).has_account("a9"));

  const auto updated = import(dir, "again.csv", {"--update"});
  INFO(updated.output);
  REQUIRE(updated.code == 0);
  CHECK(has(updated.output, "imported 2 accounts (1 new, 1 replaced)"));
  const store::StateStore book = open_book(dir);
  CHECK(book.account("a2")->cash == 75);
  CHECK(book.account("a2")->holdings == std::vector<std::pair<std::string, double>>{{"BND", 1}});
  CHECK(book.account_count() == 4);
}

TEST_CASE("accounts import --dry-run checks everything and writes nothing") {
  TempDir dir;
  dir.write("ballast.toml", config_for(dir));
  dir.write("accounts.csv", kCsv);
  const auto r = import(dir, "accounts.csv", {"--dry-run"});
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK(has(r.output, "3 accounts checked (3 new, 0 to replace); nothing written (--dry-run)"));
  CHECK_FALSE(std::filesystem::exists(store::state_file_in(dir.path().string())));

  REQUIRE(import(dir, "accounts.csv").code == 0);
  const auto again = import(dir, "accounts.csv", {"--dry-run"});
  CHECK(again.code == 1);  // the ids are in the book now
  CHECK(has(again.output, "is already in the book"));
}

TEST_CASE("accounts import refuses a state file held by a running daemon, writing nothing") {
  TempDir dir;
  dir.write("ballast.toml", config_for(dir));
  dir.write("accounts.csv", kCsv);
  const store::StateStore held = open_book(dir);  // the lock a running ballastd holds
  const auto r = import(dir, "accounts.csv");
  INFO(r.output);
  CHECK(r.code == 1);
  CHECK(has(r.output, "is in use by another ballastd"));
  CHECK(has(r.output, "stop the daemon, import, then start it again"));
  CHECK(held.account_count() == 0);
}

TEST_CASE("accounts import: a bad configuration exits 78, an unreadable file 1") {
  TempDir dir;
  dir.write("ballast.toml", "[[models]]\nid = \"m\"\n");
  dir.write("accounts.csv", kCsv);
  const auto bad_config = import(dir, "accounts.csv");
  CHECK(bad_config.code == 78);
  CHECK(has(bad_config.output, dir.file("ballast.toml") + ":"));

  dir.write("ballast.toml", config_for(dir));
  const auto missing = import(dir, "nope.csv");
  CHECK(missing.code == 1);
  CHECK(has(missing.output, "cannot read " + dir.file("nope.csv")));
  CHECK(run_command(BALLAST_CLI_PATH, {"accounts", "import", dir.file("accounts.csv")}).code == 2);  // no --config
  CHECK(has(run_command(BALLAST_CLI_PATH, {"accounts", "imprt"}).output, "did you mean \"import\""));
}

TEST_CASE("the example fleet: its generator writes what the import takes, the same for the same seed") {
  TempDir dir;
  const std::string examples = BALLAST_EXAMPLES;
  const std::string generate = examples + "/fleet/generate-accounts.sh";
  auto write = [&](const std::string& file, const std::string& args) {
    const RunResult r = run_command("/bin/sh", {"-c", generate + " " + args + " > " + dir.file(file)});
    INFO(r.output);
    REQUIRE(r.code == 0);
  };
  write("a.csv", "200 7");
  write("b.csv", "200 7");
  write("calm.csv", "200 7 0.01");
  CHECK(dir.read("a.csv") == dir.read("b.csv"));
  CHECK(dir.read("a.csv") != dir.read("calm.csv"));
  CHECK(run_command("/bin/sh", {"-c", generate + " 10 1 lots"}).code == 2);

  // The example's configuration, with this test's state directory.
  std::ifstream in(examples + "/fleet/ballast.toml");
  std::string config((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = config.find("state_dir = ");
  REQUIRE(at != std::string::npos);
  config.replace(at, config.find('\n', at) - at, "state_dir = \"" + dir.path().string() + "\"");
  dir.write("ballast.toml", config);
  const RunResult r = import(dir, "a.csv");
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK(r.output.find("imported 200 accounts (200 new, 0 replaced)") != std::string::npos);
}

}  // namespace test_accounts_import_cli
