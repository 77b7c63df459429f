#include "engine/ids.hpp"

namespace ballast::engine {

std::string make_id(std::string_view portfolio, std::string_view yyyymmdd, std::uint64_t seq) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + seq % 10);
    seq /= 10;
  } while (seq > 0 || n < 6);
  std::string id;
  id.reserve(portfolio.size() + yyyymmdd.size() + 2 + static_cast<std::size_t>(n));
  id.append(portfolio).push_back('-');
  id.append(yyyymmdd).push_back('-');
  while (n > 0) id.push_back(digits[--n]);
  return id;
}

}  // namespace ballast::engine
