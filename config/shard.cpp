#include "config/shard.hpp"

#include <charconv>

namespace ballast::config {
namespace {

constexpr std::uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ULL;
constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;

constexpr std::string_view kShardForm = "\"i/n\": this daemon's index i (0 to n-1) of n daemons, such as \"0/2\"";

/// A decimal number without sign, spaces or leading zeros, at most `max`.
std::optional<std::uint32_t> read_count(std::string_view text, std::uint32_t max) {
  if (text.empty() || (text.size() > 1 && text.front() == '0')) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > max) return std::nullopt;
  return static_cast<std::uint32_t>(value);
}

}  // namespace

std::uint64_t fnv1a_64(std::string_view bytes) {
  std::uint64_t h = kFnvOffsetBasis;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= kFnvPrime;
  }
  return h;
}

std::uint32_t shard_of(std::string_view id, std::uint32_t count) {
  return static_cast<std::uint32_t>(fnv1a_64(id) % count);
}

bool owns(const Shard& shard, std::string_view id) { return shard_of(id, shard.count) == shard.index; }

ShardParseResult parse_shard(std::string_view text) {
  ShardParseResult r;
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) {
    r.error = "expected " + std::string(kShardForm);
    return r;
  }
  // Any count that is a number, even out of range, is read as one so that
  // the message can say what is wrong with it.
  const auto count = read_count(text.substr(slash + 1), UINT32_MAX);
  const auto index = read_count(text.substr(0, slash), UINT32_MAX);
  if (!index || !count) {
    r.error = "expected " + std::string(kShardForm);
    return r;
  }
  if (*count == 0 || *count > kMaxShards) {
    r.error = "the number of daemons n must be 1 to " + std::to_string(kMaxShards) + ", got " + std::to_string(*count);
    return r;
  }
  if (*index >= *count) {
    r.error = "the index i must be below n (0 to " + std::to_string(*count - 1) + "), got " + std::to_string(*index);
    return r;
  }
  r.shard = Shard{*index, *count};
  return r;
}

std::string to_string(const Shard& shard) {
  return std::to_string(shard.index) + "/" + std::to_string(shard.count);
}

std::vector<strategies::PortfolioSpec> owned_portfolios(const std::vector<strategies::PortfolioSpec>& all,
                                                        const Shard& shard) {
  std::vector<strategies::PortfolioSpec> owned;
  for (const auto& p : all) {
    if (owns(shard, p.id)) owned.push_back(p);
  }
  return owned;
}

}  // namespace ballast::config
