#pragma once
// Numbers as text for messages, wire formats and files: the shortest decimal
// that reads back as the same double. Formats with rules of their own (JSON's
// null, Prometheus's +Inf, FIX's plain decimals, cents) build on it or stand
// apart; everything else uses this.
#include <string>

namespace ballast::core {

/// Appends the shortest decimal spelling that reads back as `v` ("0.1",
/// "12", "1e+20"); "inf", "-inf" or "nan" when it is not finite.
void append_shortest(std::string& out, double v);

/// append_shortest into a new string.
std::string shortest(double v);

}  // namespace ballast::core
