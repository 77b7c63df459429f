#include "fleet/account_ids.hpp"

#include <functional>

namespace ballast::fleet {

AccountIds::AccountIds(const AccountBook& book) {
  std::size_t n = 16;
  while (n < 2 * book.size()) n *= 2;
  places_.assign(n, kEmpty);
  for (AccountIndex a = 0; a < book.size(); ++a) add(book, a);
}

std::size_t AccountIds::place_of(std::string_view id) const {
  return std::hash<std::string_view>{}(id) & (places_.size() - 1);
}

void AccountIds::add(const AccountBook& book, AccountIndex a) {
  if (2 * (count_ + 1) > places_.size()) grow(book);
  const std::string_view id = book.id(a);
  for (std::size_t p = place_of(id);; p = (p + 1) & (places_.size() - 1)) {
    if (places_[p] == kEmpty) {
      places_[p] = a;
      ++count_;
      return;
    }
    if (book.id(places_[p]) == id) return;
  }
}

void AccountIds::grow(const AccountBook& book) {
  std::vector<AccountIndex> old;
  old.swap(places_);
  places_.assign(old.size() * 2, kEmpty);
  count_ = 0;
  for (const AccountIndex a : old) {
    if (a != kEmpty) add(book, a);
  }
}

std::optional<AccountIndex> AccountIds::find(const AccountBook& book, std::string_view id) const {
  for (std::size_t p = place_of(id);; p = (p + 1) & (places_.size() - 1)) {
    if (places_[p] == kEmpty) return std::nullopt;
    if (book.id(places_[p]) == id) return places_[p];
  }
}

}  // namespace ballast::fleet
