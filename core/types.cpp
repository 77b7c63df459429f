#include "core/types.hpp"

namespace ballast::core {

std::string_view to_string(Side s) { return s == Side::buy ? "buy" : "sell"; }
std::string_view to_string(OrderType t) { return t == OrderType::market ? "market" : "limit"; }

bool is_valid_account_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (const char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string_view to_string(AmendAction a) { return a == AmendAction::cancel ? "cancel" : "replace"; }

std::string_view to_string(RejectReason r) {
  switch (r) {
    case RejectReason::malformed: return "malformed";
    case RejectReason::unknown_symbol: return "unknown_symbol";
    case RejectReason::bad_price: return "bad_price";
    case RejectReason::out_of_order: return "out_of_order";
    case RejectReason::jump: return "jump";
    case RejectReason::bad_time: return "bad_time";
  }
  return "malformed";
}

std::string_view to_string(FillStatus s) {
  switch (s) {
    case FillStatus::filled: return "filled";
    case FillStatus::partially_filled: return "partially_filled";
    case FillStatus::rejected: return "rejected";
    case FillStatus::cancelled: return "cancelled";
  }
  return "filled";
}

namespace {
constexpr std::string_view kOrderStates[] = {"created", "sent",     "partially_filled", "unknown",
                                             "filled",  "rejected", "cancelled",        "expired"};
}  // namespace

std::string_view to_string(OrderState s) { return kOrderStates[static_cast<std::size_t>(s)]; }

std::optional<OrderState> parse_order_state(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kOrderStates); ++i) {
    if (kOrderStates[i] == name) return static_cast<OrderState>(i);
  }
  return std::nullopt;
}

}  // namespace ballast::core
