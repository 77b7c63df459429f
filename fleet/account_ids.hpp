#pragma once
// Finding an account by its id: an open-addressing hash table of account
// indices whose keys are the book's own id bytes, so that a million ids cost
// 4 bytes a place (at most half the places used: about 8 MB) instead of a
// node, a pointer and a copied key each. The table holds no views into the
// book: it stays valid when the book's arrays grow.
#include <optional>
#include <string_view>
#include <vector>

#include "fleet/account_book.hpp"

namespace ballast::fleet {

class AccountIds {
 public:
  /// Indexes every account of `book`; the first of equal ids is the one found.
  explicit AccountIds(const AccountBook& book);

  /// Indexes account `a` (the book's newest, or any not indexed yet). An id
  /// indexed already keeps pointing at its first account: check find() first.
  void add(const AccountBook& book, AccountIndex a);
  /// The account of `id` in `book` (the book the table was built on).
  std::optional<AccountIndex> find(const AccountBook& book, std::string_view id) const;

  std::size_t memory_bytes() const { return places_.capacity() * sizeof(AccountIndex); }

 private:
  static constexpr AccountIndex kEmpty = 0xFFFF'FFFFu;
  std::size_t place_of(std::string_view id) const;
  void grow(const AccountBook& book);

  std::vector<AccountIndex> places_;  ///< a power of two of them; kEmpty where free
  std::size_t count_ = 0;
};

}  // namespace ballast::fleet
