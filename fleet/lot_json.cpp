#include "fleet/lot_json.hpp"

#include <array>
#include <cmath>
#include <limits>
#include <string_view>
#include <utility>

#include "core/time.hpp"

namespace ballast::fleet {

namespace od = simdjson::ondemand;

namespace {

constexpr std::string_view kKeys =
    "symbol, quantity, cost_per_unit, acquired, holding_from, wash_adjustment_per_unit, id";

enum Key { symbol, quantity, cost_per_unit, acquired, holding_from, wash_adjustment_per_unit, id, kKeyCount };

std::optional<Key> key_of(std::string_view name) {
  constexpr std::array<std::string_view, kKeyCount> kNames{
      "symbol", "quantity", "cost_per_unit", "acquired", "holding_from", "wash_adjustment_per_unit", "id"};
  for (std::size_t k = 0; k < kNames.size(); ++k) {
    if (kNames[k] == name) return static_cast<Key>(k);
  }
  return std::nullopt;
}

/// One lot object into `lot`; its problems into `problems` (without the lot's name).
simdjson::error_code read_lot(od::value v, RecordLot& lot, std::vector<std::string>& problems) {
  od::json_type type;
  if (const auto err = v.type().get(type); err != simdjson::SUCCESS) return err;
  if (type != od::json_type::object) {
    problems.emplace_back("must be an object {\"symbol\":..,\"quantity\":..,\"cost_per_unit\":..,\"acquired\":..}");
    return simdjson::SUCCESS;
  }
  od::object obj;
  if (const auto err = v.get_object().get(obj); err != simdjson::SUCCESS) return err;
  std::array<bool, kKeyCount> seen{};
  bool from_given = false;
  for (auto member : obj) {
    od::field field;
    if (const auto err = std::move(member).get(field); err != simdjson::SUCCESS) return err;
    std::string_view name;
    if (const auto err = field.unescaped_key().get(name); err != simdjson::SUCCESS) return err;
    const std::optional<Key> key = key_of(name);
    if (!key) {
      problems.push_back("unknown key " + quoted_for_message(name) + " (the keys are " + std::string(kKeys) + ")");
      continue;
    }
    if (seen[*key]) {
      problems.push_back("key " + quoted_for_message(name) + " is given twice");
      continue;
    }
    seen[*key] = true;
    od::value value = field.value();
    od::json_type t;
    if (const auto err = value.type().get(t); err != simdjson::SUCCESS) return err;
    const bool optional = *key == holding_from || *key == wash_adjustment_per_unit || *key == id;
    if (t == od::json_type::null && optional) {
      seen[*key] = false;
      continue;
    }
    switch (*key) {
      case symbol:
      case acquired:
      case holding_from: {
        std::string_view s;
        if (t != od::json_type::string) {
          problems.push_back(std::string(name) + (*key == symbol ? " must be a string" : " must be a date \"YYYY-MM-DD\""));
          break;
        }
        if (const auto err = value.get_string().get(s); err != simdjson::SUCCESS) return err;
        if (*key == symbol) {
          if (s.empty()) problems.emplace_back("symbol is empty");
          lot.symbol.assign(s);
          break;
        }
        const std::optional<tax::Day> day = core::parse_day(s);
        if (!day) {
          problems.push_back(std::string(name) + " " + quoted_for_message(s) + " is not a date YYYY-MM-DD");
          break;
        }
        (*key == acquired ? lot.acquired : lot.holding_from) = *day;
        from_given = from_given || *key == holding_from;
        break;
      }
      case quantity:
      case cost_per_unit:
      case wash_adjustment_per_unit: {
        double x = 0;
        if (t != od::json_type::number) {
          problems.push_back(std::string(name) + " must be a number");
          break;
        }
        if (const auto err = value.get_double().get(x); err != simdjson::SUCCESS) {
          if (err != simdjson::NUMBER_ERROR) return err;
          problems.push_back(std::string(name) + " must be a number a double can hold");
          break;
        }
        (*key == quantity ? lot.quantity : *key == cost_per_unit ? lot.cost_per_unit : lot.wash_adjustment_per_unit) = x;
        break;
      }
      case id: {
        double x = 0;
        const bool number = t == od::json_type::number;
        if (number) {
          if (const auto err = value.get_double().get(x); err != simdjson::SUCCESS && err != simdjson::NUMBER_ERROR) {
            return err;
          }
        }
        if (!number || !(x >= 0 && x <= std::numeric_limits<tax::LotId>::max() && x == std::floor(x))) {
          problems.emplace_back("id must be a whole number from 0 to 4294967295");
          break;
        }
        lot.id = static_cast<tax::LotId>(x);
        break;
      }
      case kKeyCount: break;
    }
  }
  for (const Key required : {symbol, quantity, cost_per_unit, acquired}) {
    if (!seen[required]) {
      constexpr std::array<std::string_view, 4> kRequired{"symbol", "quantity", "cost_per_unit", "acquired"};
      problems.push_back("key \"" + std::string(kRequired[required]) + "\" is missing");
    }
  }
  if (!from_given) lot.holding_from = lot.acquired;
  return simdjson::SUCCESS;
}

}  // namespace

LotsJson read_lots_json(od::value value) {
  LotsJson out;
  od::json_type type;
  if (const auto err = value.type().get(type); err != simdjson::SUCCESS) {
    out.broken = err;
    return out;
  }
  if (type != od::json_type::array) {
    out.problems.emplace_back("lots must be an array of lot objects");
    return out;
  }
  od::array array;
  if (const auto err = value.get_array().get(array); err != simdjson::SUCCESS) {
    out.broken = err;
    return out;
  }
  std::size_t n = 0;
  std::vector<std::string> problems;
  for (auto item : array) {
    od::value v;
    if (const auto err = std::move(item).get(v); err != simdjson::SUCCESS) {
      out.broken = err;
      return out;
    }
    if (++n > kMaxLotsPerAccount) {
      out.problems.push_back("more than " + std::to_string(kMaxLotsPerAccount) + " lots; at most " +
                             std::to_string(kMaxLotsPerAccount) + " are kept");
      break;
    }
    RecordLot lot;
    problems.clear();
    if (const auto err = read_lot(v, lot, problems); err != simdjson::SUCCESS) {
      out.broken = err;
      return out;
    }
    for (const std::string& p : problems) out.problems.push_back("lot " + std::to_string(n) + ": " + p);
    if (problems.empty()) out.lots.push_back(std::move(lot));
  }
  if (!out.problems.empty()) out.lots.clear();
  return out;
}

}  // namespace ballast::fleet
