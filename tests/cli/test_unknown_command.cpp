#include "cli/unknown_command.hpp"

#include <CLI/CLI.hpp>
#include <doctest/doctest.h>

namespace test_unknown_command {

using ballast::cli::describe;
using ballast::cli::edit_distance;
using ballast::cli::find_unknown_command;
using ballast::cli::nearest_names;
using Names = std::vector<std::string>;

namespace {

/// A command tree shaped like ballast's: root commands with options, one that
/// takes an argument, and nested ones.
struct Tree {
  CLI::App app{"test"};
  std::string url, portfolio, id;
  Tree() {
    app.add_subcommand("status")->add_option("--url", url);
    app.add_subcommand("rebalance")->add_option("portfolio", portfolio);
    auto* feed = app.add_subcommand("feed");
    feed->add_subcommand("sim");
    feed->add_subcommand("replay");
    auto* orders = app.add_subcommand("orders");
    orders->add_option("--url", url);
    orders->add_subcommand("resolve")->add_option("order_id", id);
  }
  std::optional<ballast::cli::UnknownCommand> find(const Names& args) const {
    return find_unknown_command(app, "ballast", args);
  }
};

}  // namespace

TEST_CASE("edit distance counts insertions, deletions, substitutions and neighbour swaps as one each") {
  CHECK(edit_distance("status", "status") == 0);
  CHECK(edit_distance("stauts", "status") == 1);  // a swap
  CHECK(edit_distance("statu", "status") == 1);
  CHECK(edit_distance("sttus", "status") == 1);
  CHECK(edit_distance("xtatus", "status") == 1);
  CHECK(edit_distance("", "kill") == 4);
  CHECK(edit_distance("kill", "") == 4);
  CHECK(edit_distance("resume", "reload") == 4);
}

TEST_CASE("the nearest names are those at the smallest distance within reach, in the order given") {
  const Names commands{"status", "pause", "resume", "reload", "kill", "rebalance", "cash", "feed", "paper"};
  CHECK(nearest_names("stauts", commands) == Names{"status"});
  CHECK(nearest_names("pase", commands) == Names{"pause"});
  CHECK(nearest_names("reb", commands) == Names{"rebalance"});  // a prefix
  CHECK(nearest_names("frobnicate", commands).empty());
  CHECK(nearest_names("x", commands).empty());
  CHECK(nearest_names("sim", Names{"sim", "replay"}) == Names{"sim"});
  CHECK(nearest_names("sin", Names{"sim", "sit"}) == Names{"sim", "sit"});
  CHECK(nearest_names("sxx", Names{"sim"}).empty());  // two edits are too many for a three-letter name
}

TEST_CASE("a mistyped command is found at the level it was given to") {
  Tree t;
  auto u = t.find({"stauts"});
  REQUIRE(u);
  CHECK(u->parent == "ballast");
  CHECK(u->typo == "stauts");
  CHECK(u->nearest == Names{"status"});
  CHECK(describe(*u) == R"(ballast: unknown command "stauts"; did you mean "status"?)");

  u = t.find({"feed", "simm", "--rate", "5"});
  REQUIRE(u);
  CHECK(describe(*u) == R"(ballast feed: unknown command "simm"; did you mean "sim"?)");

  u = t.find({"orders", "resolv", "ID"});
  REQUIRE(u);
  CHECK(describe(*u) == R"(ballast orders: unknown command "resolv"; did you mean "resolve"?)");
}

TEST_CASE("an option's value is not taken for a command") {
  Tree t;
  auto u = t.find({"orders", "--url", "http://127.0.0.1:1", "resolv", "ID"});
  REQUIRE(u);
  CHECK(u->typo == "resolv");
  CHECK_FALSE(t.find({"orders", "--url", "http://127.0.0.1:1", "resolve", "ID"}));
  CHECK_FALSE(t.find({"orders", "--url=http://x", "resolve", "ID"}));
}

TEST_CASE("arguments, known commands and what follows -- are not typos") {
  Tree t;
  CHECK_FALSE(t.find({"rebalance", "mian"}));      // a portfolio id: the daemon judges it
  CHECK_FALSE(t.find({"status", "--url", "x"}));   // all known
  CHECK_FALSE(t.find({"status", "extra"}));        // status takes no command: CLI11's message is right
  CHECK_FALSE(t.find({"--", "stauts"}));
  CHECK_FALSE(t.find({}));
}

TEST_CASE("with nothing near, the message lists the commands there") {
  Tree t;
  const auto u = t.find({"feed", "frobnicate"});
  REQUIRE(u);
  CHECK(describe(*u) == R"(ballast feed: unknown command "frobnicate"; the commands are: sim, replay)");
}

}  // namespace test_unknown_command
