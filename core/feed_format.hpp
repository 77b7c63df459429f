#pragma once
// How one feed's messages are framed and named (SPEC §2).
#include <string>
#include <unordered_map>

namespace ballast::core {

enum class Framing { multipart, topic_json };

/// JSON field names of a feed, after `fields = { ... }` remapping.
struct FieldNames {
  std::string symbol = "symbol";
  std::string price = "price";
  std::string bid = "bid";
  std::string ask = "ask";
  std::string ts = "ts";
};

struct FeedFormat {
  Framing framing = Framing::multipart;
  FieldNames fields;
  /// Feed symbol → portfolio symbol; unmapped symbols pass through.
  std::unordered_map<std::string, std::string> symbols;
};

}  // namespace ballast::core
