// The real `ballast tax report` on a real state file: a year's realised lines
// as CSV and as 1099-B text, one account (closed ones too), --output written
// whole or not at all, and the errors: a bad year or format, a missing,
// foreign or held state file, an unknown account.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "fleet/account_record.hpp"
#include "store/state_store.hpp"
#include "tax/holding_period.hpp"
#include "tax/lots.hpp"
#include "tests/integration/support.hpp"

namespace test_tax_report_cli {

using namespace ballast;
using namespace ballast::testing;
using tax::day_of;

namespace {

std::string config_for(const std::string& state_dir) {
  return "[daemon]\nstate_dir = \"" + state_dir +
         "\"\n\n"
         "[[models]]\nid = \"balanced\"\ntargets = { VTI = 0.6, BND = 0.4 }\n[[models.triggers]]\nkind = "
         "\"threshold\"\nabsolute = 0.05\n";
}

tax::RealisedLine line(double quantity, tax::Day acquired, tax::Day sold, double proceeds, double basis,
                       tax::Term term, double wash = 0) {
  tax::RealisedLine l;
  l.quantity = quantity;
  l.acquired = l.holding_from = acquired;
  l.sold = sold;
  l.proceeds = proceeds;
  l.basis = basis;
  l.gain = proceeds - basis;
  l.term = term;
  l.wash_disallowed = wash;
  return l;
}

store::StateStore open_book(const TempDir& dir) {
  auto opened = store::StateStore::open(store::state_file_in(dir.path().string()), store::Durability::normal);
  if (auto* e = std::get_if<store::OpenError>(&opened)) FAIL(e->message);
  return std::move(std::get<store::StateStore>(opened));
}

/// a1 and a2 in the book; "gone" only in the realised gains (a closed account).
/// In 2025: a1 sold 10 AAA at a long-term gain of 1500 − 1000 = 500 and 5 BBB
/// at a short-term loss of 300 − 500 = −200, all disallowed by a wash sale
/// (reported 0); gone sold 3 DDD at a short-term loss of 90.5 − 120.75 = −30.25.
/// In 2024: a1 sold 1 CCC at a short-term gain of 50 − 40 = 10.
void make_state(const TempDir& dir) {
  dir.write("ballast.toml", config_for(dir.path().string()));
  store::StateStore book = open_book(dir);
  store::Change first;
  first.accounts = {fleet::AccountRecord{.id = "a1", .model = "balanced"},
                    fleet::AccountRecord{.id = "a2", .model = "balanced"}};
  first.realised = {
      {"a1", "CCC", line(1, day_of(2024, 2, 1), day_of(2024, 5, 6), 50, 40, tax::Term::short_term)},
      {"a1", "AAA", line(10, day_of(2023, 1, 10), day_of(2025, 3, 3), 1500, 1000, tax::Term::long_term)},
      {"gone", "DDD", line(3, day_of(2025, 5, 5), day_of(2025, 8, 8), 90.5, 120.75, tax::Term::short_term)},
  };
  book.commit(first);
  store::Change second;
  second.realised = {
      {"a1", "BBB", line(5, day_of(2025, 1, 2), day_of(2025, 2, 14), 300, 500, tax::Term::short_term, 200)}};
  book.commit(second);
}

RunResult report(const TempDir& dir, std::vector<std::string> flags) {
  std::vector<std::string> args{"tax", "report", "--config", dir.file("ballast.toml")};
  args.insert(args.end(), flags.begin(), flags.end());
  return run_command(BALLAST_CLI_PATH, args);
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

constexpr const char* kHeader =
    "account,symbol,quantity,acquired,holding_from,sold,proceeds,basis,wash_disallowed,gain,term\n";

/// The files of `dir` but the state file's own.
std::vector<std::string> report_files(const TempDir& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    const std::string name = e.path().filename().string();
    if (name.rfind("state.db", 0) != 0 && name != "ballast.toml") out.push_back(name);
  }
  return out;
}

}  // namespace

TEST_CASE("tax report: a year's realised lines as CSV, every account's, by account then sale") {
  TempDir dir;
  make_state(dir);
  const auto r = report(dir, {"--year", "2025"});
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK(r.output == std::string(kHeader) +
                        "a1,AAA,10,2023-01-10,2023-01-10,2025-03-03,1500,1000,0,500,long_term\n"
                        "a1,BBB,5,2025-01-02,2025-01-02,2025-02-14,300,500,200,0,short_term\n"
                        "gone,DDD,3,2025-05-05,2025-05-05,2025-08-08,90.5,120.75,0,-30.25,short_term\n");
  const auto y2024 = report(dir, {"--year", "2024", "--format", "csv"});
  CHECK(y2024.output == std::string(kHeader) + "a1,CCC,1,2024-02-01,2024-02-01,2024-05-06,50,40,0,10,short_term\n");
}

TEST_CASE("tax report: one account as Form 1099-B text, written to --output") {
  TempDir dir;
  make_state(dir);
  dir.write("a1.txt", "last year's\n");
  const auto r = report(dir, {"--year", "2025", "--account", "a1", "--format", "1099b", "--output", dir.file("a1.txt")});
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK(r.output.empty());
  // Short-term: BBB 300.00 − 500.00 + 200.00 = 0.00; long-term: AAA 1500.00 − 1000.00 = 500.00.
  CHECK(dir.read("a1.txt") ==
        "Form 1099-B: proceeds from broker transactions, tax year 2025\n"
        "\n"
        "Account a1, Short-term\n"
        "1a description    1b acquired  1c sold     1d proceeds  1e cost basis  1g wash sale  gain or loss\n"
        "5 BBB             2025-01-02   2025-02-14       300.00         500.00        200.00          0.00\n"
        "Total short-term                                300.00         500.00        200.00          0.00\n"
        "\n"
        "Account a1, Long-term\n"
        "1a description   1b acquired  1c sold     1d proceeds  1e cost basis  1g wash sale  gain or loss\n"
        "10 AAA           2023-01-10   2025-03-03      1500.00        1000.00          0.00        500.00\n"
        "Total long-term                               1500.00        1000.00          0.00        500.00\n");
  CHECK(report_files(dir) == std::vector<std::string>{"a1.txt"});  // nothing left aside
}

TEST_CASE("tax report: with their model's tax rates the 1099b totals show the estimated tax, the csv does not") {
  TempDir dir;
  make_state(dir);
  std::string config = dir.read("ballast.toml");
  config += "[models.tax]\nshort_term_rate = 0.37\nlong_term_rate = 0.2\n";
  dir.write("ballast.toml", config);

  // 2025, every account: a1's short-term total 0.00 × 37% = 0.00 and its
  // long-term 500.00 × 20% = 100.00, 100.00 in all; "gone" is closed, its
  // model unknown: no estimate.
  const auto all = report(dir, {"--year", "2025", "--format", "1099b"});
  INFO(all.output);
  REQUIRE(all.code == 0);
  CHECK(has(all.output, "Total short-term                                    300.00         500.00        200.00"
                        "          0.00\n"
                        "Estimated tax at 37%                                                                "
                        "             0.00\n"));
  CHECK(has(all.output, "Total long-term                                    1500.00        1000.00          0.00"
                        "        500.00\n"
                        "Estimated tax at 20%                                                                "
                        "           100.00\n"));
  CHECK(has(all.output, "\nAccount a1, estimated tax: 100.00\n"));
  CHECK(has(all.output, "Account gone, Short-term\n"));
  CHECK_FALSE(has(all.output, "Account gone, estimated tax"));

  // 2024, a1 alone: a short-term gain of 50 − 40 = 10.00 × 37% = 3.70.
  const auto a1 = report(dir, {"--year", "2024", "--account", "a1", "--format", "1099b"});
  INFO(a1.output);
  REQUIRE(a1.code == 0);
  CHECK(has(a1.output, "\nAccount a1, estimated tax: 3.70\n"));

  const auto csv = report(dir, {"--year", "2024"});
  CHECK(csv.output == std::string(kHeader) + "a1,CCC,1,2024-02-01,2024-02-01,2024-05-06,50,40,0,10,short_term\n");
}

TEST_CASE("tax report: a closed account keeps its lines; a year or an account without sales is not an error") {
  TempDir dir;
  make_state(dir);
  const auto gone = report(dir, {"--year", "2025", "--account", "gone"});
  CHECK(gone.code == 0);
  CHECK(gone.output == std::string(kHeader) +
                           "gone,DDD,3,2025-05-05,2025-05-05,2025-08-08,90.5,120.75,0,-30.25,short_term\n");
  const auto a2 = report(dir, {"--year", "2025", "--account", "a2"});
  CHECK(a2.code == 0);
  CHECK(a2.output == kHeader);
  const auto a1_2023 = report(dir, {"--year", "2023", "--account", "a1", "--format", "1099b"});
  CHECK(a1_2023.code == 0);
  CHECK(a1_2023.output == "no sales in 2023\n");
  const auto none = report(dir, {"--year", "1999", "--format", "1099b"});
  CHECK(none.code == 0);
  CHECK(none.output == "no sales in 1999\n");
}

TEST_CASE("tax report: an unknown account is an error and leaves --output as it was") {
  TempDir dir;
  make_state(dir);
  dir.write("out.csv", "old\n");
  const auto r = report(dir, {"--year", "2025", "--account", "zz9", "--output", dir.file("out.csv")});
  CHECK(r.code == 1);
  CHECK(has(r.output, "ballast tax report: account \"zz9\" is neither in the book nor in the realised gains of " +
                          store::state_file_in(dir.path().string())));
  CHECK(dir.read("out.csv") == "old\n");
  CHECK(report_files(dir) == std::vector<std::string>{"out.csv"});

  const auto no_dir = report(dir, {"--year", "2025", "--output", dir.file("nowhere/out.csv")});
  CHECK(no_dir.code == 1);
  CHECK(has(no_dir.output, "cannot write beside " + dir.file("nowhere/out.csv")));
}

TEST_CASE("tax report: a bad year or format, or a missing option, is a usage error") {
  TempDir dir;
  make_state(dir);
  for (const auto& flags : std::vector<std::vector<std::string>>{{"--year", "1899"},
                                                                  {"--year", "3000"},
                                                                  {"--year", "twenty"},
                                                                  {"--year", "2025", "--format", "xml"},
                                                                  {}}) {
    const auto r = report(dir, flags);
    INFO(r.output);
    CHECK(r.code == 2);
  }
  CHECK(has(report(dir, {"--year", "1899"}).output, "--year"));
  CHECK(has(report(dir, {"--year", "2025", "--format", "xml"}).output, "--format"));
  CHECK(run_command(BALLAST_CLI_PATH, {"tax", "report", "--year", "2025"}).code == 2);  // no --config
  CHECK(has(run_command(BALLAST_CLI_PATH, {"tax", "reprt"}).output, "did you mean \"report\""));
}

TEST_CASE("tax report: a missing or foreign state file fails with 1, a bad configuration with 78") {
  TempDir dir;
  dir.write("ballast.toml", config_for(dir.file("empty")));
  const auto missing = report(dir, {"--year", "2025"});
  CHECK(missing.code == 1);
  CHECK(has(missing.output, "ballast tax report: no state file " + store::state_file_in(dir.file("empty")) +
                                " ([daemon] state_dir of " + dir.file("ballast.toml")));
  CHECK_FALSE(std::filesystem::exists(dir.file("empty")));  // nothing made

  dir.write("ballast.toml", config_for(dir.path().string()));
  dir.write("state.db", "not a database, not at all, just some text that is long enough to be read as a header");
  const auto foreign = report(dir, {"--year", "2025"});
  CHECK(foreign.code == 1);
  CHECK(has(foreign.output, "is not a Ballast state database"));

  dir.write("ballast.toml", "[[models]]\nid = \"m\"\n");
  const auto bad_config = report(dir, {"--year", "2025"});
  CHECK(bad_config.code == 78);
  CHECK(has(bad_config.output, dir.file("ballast.toml") + ":"));
}

TEST_CASE("tax report reads a state file a running daemon holds, and sees what it commits") {
  TempDir dir;
  make_state(dir);
  store::StateStore held = open_book(dir);  // the lock a running ballastd holds
  auto r = report(dir, {"--year", "2024"});
  INFO(r.output);
  REQUIRE(r.code == 0);
  CHECK(r.output == std::string(kHeader) + "a1,CCC,1,2024-02-01,2024-02-01,2024-05-06,50,40,0,10,short_term\n");
  // The daemon commits a sale; the next report has it, and the file is still the daemon's.
  store::Change sale;
  sale.realised = {{"a2", "EEE", line(2, day_of(2024, 3, 1), day_of(2024, 9, 2), 30, 20, tax::Term::short_term)}};
  held.commit(sale);
  r = report(dir, {"--year", "2024"});
  REQUIRE(r.code == 0);
  CHECK(r.output == std::string(kHeader) + "a1,CCC,1,2024-02-01,2024-02-01,2024-05-06,50,40,0,10,short_term\n" +
                        "a2,EEE,2,2024-03-01,2024-03-01,2024-09-02,30,20,0,10,short_term\n");
  held.commit(sale);  // still writable by its holder
}

}  // namespace test_tax_report_cli
