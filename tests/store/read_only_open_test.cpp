// StateStore::open_for_reading: a report reads the state file while its
// daemon holds it, sees what the daemon commits, and never writes.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <variant>

#include "store/state_store.hpp"
#include "store_test_support.hpp"
#include "tests/support/scratch_dir.hpp"

namespace read_only_open_test {

using namespace ballast;
using namespace ballast::store;
using ballast::store::test::contains;
using ballast::store::test::kSchemaV1;
using ballast::store::test::open_ok;
using ballast::store::test::raw_sql;
using ballast::testing::ScratchDir;

namespace {

StateStore reader(const std::string& path) {
  auto opened = StateStore::open_for_reading(path);
  if (auto* e = std::get_if<OpenError>(&opened)) FAIL(e->message);
  return std::move(std::get<StateStore>(opened));
}

Change one_account(const std::string& id) {
  Change c;
  c.accounts = {fleet::AccountRecord{.id = id, .model = "m"}};
  return c;
}

}  // namespace

TEST_CASE("a reader opens a file its writer holds, and sees each commit after it is made") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  StateStore writer = open_ok(path);
  writer.commit(one_account("a1"));
  const StateStore r = reader(path);
  CHECK(r.account_count() == 1);
  writer.commit(one_account("a2"));
  CHECK(r.account_count() == 2);
  CHECK(r.has_account("a2"));
}

TEST_CASE("a reader never writes: a commit through it fails and changes nothing") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  { StateStore writer = open_ok(path); }
  StateStore r = reader(path);
  CHECK_THROWS_AS(r.commit(one_account("a1")), StoreError);
  CHECK(r.account_count() == 0);
  // The writer comes back after the reader: the file is still its own.
  StateStore writer = open_ok(path);
  writer.commit(one_account("a1"));
  CHECK(writer.account_count() == 1);
}

TEST_CASE("a reader refuses a missing file, creating none, and a file that is not a state file") {
  ScratchDir dir;
  const auto missing = StateStore::open_for_reading(dir.file("none.db"));
  REQUIRE(std::holds_alternative<OpenError>(missing));
  CHECK(std::get<OpenError>(missing).message.find("cannot open state file") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("none.db")));
  std::ofstream(dir.file("text.db")) << "not a database at all, just some text that is long enough to be a header";
  const auto text = StateStore::open_for_reading(dir.file("text.db"));
  REQUIRE(std::holds_alternative<OpenError>(text));
}

TEST_CASE("a reader refuses a file of an older schema, which only a writer upgrades, and leaves it as it was") {
  ScratchDir dir;
  const std::string path = dir.file("state.db");
  raw_sql(path, std::string("PRAGMA application_id = 1112298324;") + kSchemaV1);
  const auto opened = StateStore::open_for_reading(path);
  REQUIRE(std::holds_alternative<OpenError>(opened));
  CHECK(contains(std::get<OpenError>(opened).message, "has schema version 1; this build reads version 4"));
  // A writer upgrades it; then it reads.
  { StateStore writer = open_ok(path); }
  CHECK(std::holds_alternative<StateStore>(StateStore::open_for_reading(path)));
}

}  // namespace read_only_open_test
