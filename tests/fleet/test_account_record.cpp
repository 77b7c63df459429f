#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "fleet/account_record.hpp"

namespace test_account_record {

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

namespace {

RecordLot lot(std::string symbol, double quantity, double cost, ballast::tax::Day acquired) {
  return RecordLot{std::move(symbol), quantity, cost, acquired, acquired, 0};
}

/// good() with lots: 5 BND in one lot, 10 VTI in two (4 + 6).
AccountRecord with_lots() {
  AccountRecord r = good();
  r.lots = {lot("BND", 5, 72.5, 19000), lot("VTI", 4, 200, 19100), lot("VTI", 6, 210.25, 19200)};
  r.lot_method = ballast::tax::CloseMethod::hifo;
  return r;
}

/// The messages of the problems of one field.
std::vector<std::string> messages(const std::vector<AccountProblem>& problems, AccountField field) {
  std::vector<std::string> out;
  for (const auto& p : problems) {
    if (p.field == field) out.push_back(p.message);
  }
  return out;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("lots and lot methods are spelled as the import formats spell them") {
  CHECK(to_string(AccountField::lots) == "lots");
  CHECK(to_string(AccountField::lot_method) == "lot_method");
}

TEST_CASE("lots within their holdings, sorted by symbol, oldest first, pass both checks") {
  const AccountRecord r = with_lots();
  CHECK(check_account(r, kCatalog).empty());
  CHECK(check_account_shape(r).empty());
  AccountRecord partly = good();
  partly.lots = {lot("VTI", 3, 200, 19100)};  // 7 VTI and all 5 BND without a known basis
  CHECK(check_account(partly, kCatalog).empty());
  AccountRecord wash = with_lots();
  wash.lots[1].holding_from = wash.lots[1].acquired - 40;  // a wash sale tacked on an earlier holding period
  wash.lots[1].wash_adjustment_per_unit = 3.5;
  CHECK(check_account(wash, kCatalog).empty());
  for (const auto method : {ballast::tax::CloseMethod::fifo, ballast::tax::CloseMethod::min_tax}) {
    wash.lot_method = method;
    CHECK(check_account(wash, kCatalog).empty());
  }
}

TEST_CASE("a lot's quantity and cost must be finite and above 0, its wash adjustment finite and not negative") {
  const double inf = std::numeric_limits<double>::infinity();
  for (const double bad : {0.0, -1.0, std::nan(""), inf}) {
    AccountRecord r = with_lots();
    r.lots[1].quantity = bad;
    auto m = messages(check_account(r, kCatalog), AccountField::lots);
    REQUIRE_MESSAGE(m.size() == 1, bad);
    CHECK(has(m[0], "lot 2 (\"VTI\"): the quantity must be a finite number > 0"));

    r = with_lots();
    r.lots[2].cost_per_unit = bad;
    m = messages(check_account(r, kCatalog), AccountField::lots);
    REQUIRE_MESSAGE(m.size() == 1, bad);
    CHECK(has(m[0], "lot 3 (\"VTI\"): the cost per unit must be a finite number > 0"));
    CHECK(fields(check_account_shape(r)) == std::vector{AccountField::lots});
  }
  for (const double bad : {-0.01, std::nan(""), inf}) {
    AccountRecord r = with_lots();
    r.lots[0].wash_adjustment_per_unit = bad;
    const auto m = messages(check_account(r, kCatalog), AccountField::lots);
    REQUIRE_MESSAGE(m.size() == 1, bad);
    CHECK(has(m[0], "lot 1 (\"BND\"): the wash adjustment per unit must be a finite number ≥ 0"));
  }
}

TEST_CASE("a lot's holding period may not start after the day it was acquired") {
  AccountRecord r = with_lots();
  r.lots[2].holding_from = r.lots[2].acquired + 1;
  const auto problems = check_account(r, kCatalog);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].field == AccountField::lots);
  CHECK(problems[0].symbol == "VTI");
  CHECK(has(problems[0].message, "lot 3 (\"VTI\"): its holding period starts after the day it was acquired"));
  CHECK(check_account_shape(r).size() == 1);
}

TEST_CASE("lots must be sorted by symbol and have one") {
  AccountRecord r = with_lots();
  std::swap(r.lots[0], r.lots[2]);  // VTI, VTI, BND
  auto m = messages(check_account(r, kCatalog), AccountField::lots);
  REQUIRE(m.size() == 1);
  CHECK(has(m[0], "lot 3 (\"BND\"): lots are not sorted by symbol"));
  CHECK(messages(check_account_shape(r), AccountField::lots) == m);

  r = with_lots();
  r.lots[0].symbol.clear();
  m = messages(check_account(r, kCatalog), AccountField::lots);
  REQUIRE(m.size() == 1);
  CHECK(m[0] == "lot 1 has an empty symbol");
}

TEST_CASE("a lot of a symbol the account does not hold is refused by check_account only") {
  AccountRecord r = with_lots();
  r.lots.push_back(lot("VXUS", 1, 60, 19300));  // VXUS is the model's, but the account holds none
  const auto problems = check_account(r, kCatalog);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].field == AccountField::lots);
  CHECK(problems[0].symbol == "VXUS");
  CHECK(problems[0].message == "there are lots of \"VXUS\", which the account does not hold");
  CHECK(check_account_shape(r).empty());
}

TEST_CASE("a holding's lots may add up to its quantity, within the quantity tolerance, and no more") {
  AccountRecord r = with_lots();
  r.lots[2].quantity = 6 * (1 + 0.5e-9);  // 10.000000003 of 10: a rounding, within 1e-9 of it
  CHECK(check_account(r, kCatalog).empty());
  r.lots[2].quantity = 6.001;  // 10.001 of 10
  const auto problems = check_account(r, kCatalog);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].symbol == "VTI");
  CHECK(has(problems[0].message, "the lots of \"VTI\" add up to 10.001000000000001, more than the 10 held"));
  CHECK(check_account_shape(r).size() == 1);
}

TEST_CASE("an account keeps at most kMaxLotsPerAccount lots") {
  AccountRecord r = good();
  r.holdings = {{"BND", 1e6}};
  r.lots.assign(kMaxLotsPerAccount, lot("BND", 1, 70, 19000));
  CHECK(check_account(r, kCatalog).empty());
  r.lots.push_back(lot("BND", 1, 70, 19000));
  const auto m = messages(check_account(r, kCatalog), AccountField::lots);
  REQUIRE(m.size() == 1);
  CHECK(m[0] == "the account has 10001 lots; at most 10000 are kept");
}

TEST_CASE("specific is not an account's lot method") {
  AccountRecord r = with_lots();
  r.lot_method = ballast::tax::CloseMethod::specific;
  const auto problems = check_account(r, kCatalog);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].field == AccountField::lot_method);
  CHECK(has(problems[0].message, "fifo, hifo or min_tax, not specific"));
  CHECK(fields(check_account_shape(r)) == std::vector{AccountField::lot_method});
  r.lot_method = static_cast<ballast::tax::CloseMethod>(9);  // no method at all
  const auto unknown = check_account(r, kCatalog);
  REQUIRE(unknown.size() == 1);
  CHECK(unknown[0].message == "the lot method must be fifo, hifo or min_tax, not method number 9");
}

TEST_CASE("lot problems come after the band multiplier's, the lot method's last") {
  AccountRecord r = with_lots();
  r.band_multiplier = 0;
  r.lots[0].quantity = 0;
  r.lot_method = ballast::tax::CloseMethod::specific;
  CHECK(fields(check_account(r, kCatalog)) ==
        std::vector{AccountField::band_multiplier, AccountField::lots, AccountField::lot_method});
}

TEST_CASE("normalize sorts lots by symbol, keeping each symbol's lots in their order, and drops none") {
  AccountRecord r = good();
  r.lots = {lot("VTI", 4, 200, 19100), lot("BND", 5, 72.5, 19000), lot("VTI", 6, 210.25, 19050),
            lot("BND", 0, 70, 19300)};
  normalize(r);
  CHECK(r.lots == std::vector{lot("BND", 5, 72.5, 19000), lot("BND", 0, 70, 19300), lot("VTI", 4, 200, 19100),
                              lot("VTI", 6, 210.25, 19050)});
}

TEST_CASE("booked lots are checked by themselves, not against the holdings a sale in progress has moved") {
  AccountRecord r = with_lots();
  r.holdings.clear();  // all sold so far; the lots close when the sale is final
  CHECK(check_booked_lots(r.lots, r.lot_method).empty());
  CHECK_FALSE(check_account(r, kCatalog).empty());  // the whole record: lots of what it does not hold
  r.lots[0].quantity = 0;
  const auto problems = check_booked_lots(r.lots, ballast::tax::CloseMethod::specific);
  CHECK(fields(problems) == std::vector{AccountField::lots, AccountField::lot_method});
}

TEST_CASE("a symbol's lot ids must be distinct; another symbol may use the same ids") {
  AccountRecord r = with_lots();
  for (RecordLot& l : r.lots) l.id = 4;  // one BND lot and two VTI lots
  const auto problems = check_account(r, kCatalog);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].field == AccountField::lots);
  CHECK(problems[0].symbol == "VTI");
  CHECK(has(problems[0].message, "lot 3 (\"VTI\"): id 4 is lot 2's already (a symbol's lot ids must be distinct)"));
  CHECK(check_account_shape(r).size() == 1);
  CHECK(check_booked_lots(r.lots, r.lot_method).size() == 1);
  r.lots[2].id = 5;
  CHECK(check_account(r, kCatalog).empty());
}

TEST_CASE("number_lots numbers lots without an id past their symbol's largest id, in order") {
  std::vector<RecordLot> lots{lot("A", 1, 1, 1), lot("A", 1, 1, 2), lot("B", 1, 1, 3), lot("A", 1, 1, 4),
                              lot("C", 1, 1, 5)};
  lots[1].id = 6;
  lots[2].id = 2;
  lots[4].id = 0;
  number_lots(lots);
  CHECK(lots[0].id == 7u);
  CHECK(lots[1].id == 6u);
  CHECK(lots[2].id == 2u);
  CHECK(lots[3].id == 8u);
  CHECK(lots[4].id == 0u);
  std::vector<RecordLot> none{lot("A", 1, 1, 1), lot("A", 1, 1, 2), lot("B", 1, 1, 3)};
  number_lots(none);
  CHECK(none[0].id == 0u);
  CHECK(none[1].id == 1u);
  CHECK(none[2].id == 0u);
}

}  // namespace test_account_record
