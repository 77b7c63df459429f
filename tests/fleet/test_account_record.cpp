#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "fleet/account_record.hpp"

using namespace ballast::fleet;

namespace {

const ModelCatalog kCatalog{{"balanced", {"BND", "VTI", "VXUS"}}, {"income", {"BND", "VTIP"}}};

AccountRecord good() {
  AccountRecord r;
  r.id = "acct-1";
  r.model = "balanced";
  r.cash = 1000;
  r.holdings = {{"BND", 5}, {"VTI", 10}};
  r.household = "h.1";
  r.restricted = {"VXUS"};
  r.cash_target = 0.02;
  r.band_multiplier = 1.5;
  return r;
}

std::vector<AccountField> fields(const std::vector<AccountProblem>& problems) {
  std::vector<AccountField> out;
  for (const auto& p : problems) out.push_back(p.field);
  return out;
}

}  // namespace

TEST_CASE("a well-formed account of a known model has no problem") {
  CHECK(check_account(good(), kCatalog).empty());
  AccountRecord bare;
  bare.id = "A:b_c-d.9";
  bare.model = "income";
  CHECK(check_account(bare, kCatalog).empty());  // no holdings, no overrides, zero cash
}

TEST_CASE("account ids are 1 to 64 bytes of letters, digits and . _ : -") {
  CHECK(valid_account_id("a"));
  CHECK(valid_account_id(std::string(64, 'x')));
  CHECK_FALSE(valid_account_id(""));
  CHECK_FALSE(valid_account_id(std::string(65, 'x')));
  for (const char* bad : {"a b", "a/b", "a,b", "é", "a\nb", "a;b", "a\"b"}) CHECK_MESSAGE(!valid_account_id(bad), bad);
  AccountRecord r = good();
  r.id = "has space";
  const auto problems = check_account(r, kCatalog);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].field == AccountField::id);
  CHECK(problems[0].message.find("\"has space\"") != std::string::npos);
  r.id = std::string(65, 'x');
  CHECK(check_account(r, kCatalog)[0].message.find("65 bytes") != std::string::npos);
}

TEST_CASE("an unknown or empty model is refused, naming the models there are") {
  AccountRecord r = good();
  r.model = "growth";
  auto problems = check_account(r, kCatalog);
  REQUIRE(problems.size() == 1);  // holdings and restrictions are not judged against no model
  CHECK(problems[0].field == AccountField::model);
  CHECK(problems[0].message.find("balanced, income") != std::string::npos);
  r.model.clear();
  CHECK(fields(check_account(r, kCatalog)) == std::vector{AccountField::model});
  CHECK(check_account(good(), ModelCatalog{})[0].message.find("no models") != std::string::npos);
}

TEST_CASE("cash must be finite and not negative") {
  for (const double bad : {-1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    AccountRecord r = good();
    r.cash = bad;
    CHECK(fields(check_account(r, kCatalog)) == std::vector{AccountField::cash});
  }
}

TEST_CASE("holdings only of the model's symbols, sorted, once each, with finite quantities above 0") {
  AccountRecord r = good();
  r.holdings = {{"BND", 5}, {"VTIP", 1}};
  auto problems = check_account(r, kCatalog);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].field == AccountField::holdings);
  CHECK(problems[0].symbol == "VTIP");
  CHECK(problems[0].message.find("\"VTIP\", which model \"balanced\" does not hold") != std::string::npos);

  r.holdings = {{"VTI", 1}, {"BND", 5}};
  CHECK(check_account(r, kCatalog)[0].message.find("not sorted") != std::string::npos);
  r.holdings = {{"VTI", 1}, {"VTI", 2}};
  CHECK(check_account(r, kCatalog)[0].message.find("given twice") != std::string::npos);
  for (const double bad : {0.0, -3.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    r.holdings = {{"VTI", bad}};
    CHECK(fields(check_account(r, kCatalog)) == std::vector{AccountField::holdings});
  }
  r.holdings = {{"", 1}};
  CHECK(fields(check_account(r, kCatalog)) == std::vector{AccountField::holdings});
}

TEST_CASE("restricted symbols are the model's own, sorted and distinct") {
  AccountRecord r = good();
  r.restricted = {"XOM"};
  auto problems = check_account(r, kCatalog);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].field == AccountField::restricted);
  CHECK(problems[0].symbol == "XOM");
  r.restricted = {"VTI", "BND"};
  CHECK(fields(check_account(r, kCatalog)) == std::vector{AccountField::restricted});
  r.restricted = {"VTI", "VTI"};
  CHECK(fields(check_account(r, kCatalog)) == std::vector{AccountField::restricted});
  r.restricted = {""};
  CHECK(fields(check_account(r, kCatalog)) == std::vector{AccountField::restricted});
}

TEST_CASE("household, cash target and band multiplier overrides are checked") {
  AccountRecord r = good();
  r.household = "no spaces please";
  CHECK(fields(check_account(r, kCatalog)) == std::vector{AccountField::household});
  r = good();
  for (const double bad : {-0.1, 1.0, 2.0, std::nan("")}) {
    r.cash_target = bad;
    CHECK(fields(check_account(r, kCatalog)) == std::vector{AccountField::cash_target});
  }
  r.cash_target = 0.0;
  CHECK(check_account(r, kCatalog).empty());
  for (const double bad : {0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    r.band_multiplier = bad;
    CHECK(fields(check_account(r, kCatalog)) == std::vector{AccountField::band_multiplier});
  }
}

TEST_CASE("every problem of a record is reported, in field order") {
  AccountRecord r;
  r.id = "";
  r.model = "balanced";
  r.cash = -1;
  r.holdings = {{"XYZ", -1}};
  r.household = "bad household";
  r.restricted = {"Q"};
  r.cash_target = 1;
  r.band_multiplier = 0;
  CHECK(fields(check_account(r, kCatalog)) ==
        std::vector{AccountField::id, AccountField::cash, AccountField::holdings, AccountField::holdings,
                    AccountField::household, AccountField::restricted, AccountField::cash_target,
                    AccountField::band_multiplier});
}

TEST_CASE("normalize sorts holdings and restrictions and drops holdings of 0") {
  AccountRecord r;
  r.holdings = {{"VTI", 2}, {"BND", 0}, {"AGG", 1}, {"VTI", 3}};
  r.restricted = {"VTI", "BND", "VTI"};
  normalize(r);
  CHECK(r.holdings == std::vector<std::pair<std::string, double>>{{"AGG", 1}, {"VTI", 2}, {"VTI", 3}});
  CHECK(r.restricted == std::vector<std::string>{"BND", "VTI"});
}

TEST_CASE("text quoted into a message is cut short and shows no control characters") {
  CHECK(quoted_for_message("VTI") == "\"VTI\"");
  CHECK(quoted_for_message("a\x1b[31mb\n") == "\"a?[31mb?\"");
  CHECK(quoted_for_message(std::string(100, 'x')) == "\"" + std::string(40, 'x') + "...\"");
}

TEST_CASE("the shape check judges everything but the model's symbols") {
  AccountRecord r = good();
  r.model = "anything";
  r.holdings = {{"ZZZ", 1}};
  r.restricted = {"YYY"};
  CHECK(check_account_shape(r).empty());
  r.holdings = {{"ZZZ", -1}};
  r.model.clear();
  CHECK(fields(check_account_shape(r)) == std::vector{AccountField::model, AccountField::holdings});
}
