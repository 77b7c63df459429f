#pragma once
// A small streaming JSON writer: enough for orders, /status and reports.
#include <string>
#include <string_view>

namespace ballast::core {

/// Appends JSON to a string. The caller keeps the structure balanced; commas
/// are inserted automatically. Non-finite numbers are written as null.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  /// Writes `"name":` inside an object; the next value belongs to it.
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(double d);
  JsonWriter& value(long long i);
  JsonWriter& value(unsigned long long i);
  JsonWriter& value(int i) { return value(static_cast<long long>(i)); }
  JsonWriter& value(long i) { return value(static_cast<long long>(i)); }
  JsonWriter& value(unsigned long i) { return value(static_cast<unsigned long long>(i)); }
  JsonWriter& value(unsigned i) { return value(static_cast<unsigned long long>(i)); }
  JsonWriter& value(bool b);
  JsonWriter& null();
  /// Inserts pre-rendered JSON as one value.
  JsonWriter& raw(std::string_view json);

  template <class T>
  JsonWriter& field(std::string_view name, const T& v) {
    key(name);
    return value(v);
  }

 private:
  void separate();
  std::string& out_;
  bool need_comma_ = false;
  bool after_key_ = false;
};

/// Appends `s` as a quoted JSON string with escapes.
void append_json_string(std::string& out, std::string_view s);
/// Shortest round-tripping decimal for a double ("0.1", "589.12", "1e-09").
void append_json_number(std::string& out, double d);

}  // namespace ballast::core
