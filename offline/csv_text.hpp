#pragma once
// Fields of the CSV files the offline commands write (RFC 4180).
#include <string>
#include <string_view>

namespace ballast::offline {

/// Appends `s` as a field: as it is, or in double quotes (quotes doubled)
/// when it holds a comma, a quote or a line break.
void append_csv_field(std::string& out, std::string_view s);

/// Appends `d` in the shortest digits that read back as the same double
/// (-0 as 0); nothing, an empty field, when it is not finite.
void append_csv_number(std::string& out, double d);

}  // namespace ballast::offline
