#include "daemon/kill_switch_file.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "daemon/durable_file.hpp"

namespace ballast::daemon {

KillSwitchFile::KillSwitchFile(const std::string& state_dir)
    : path_((std::filesystem::path(state_dir) / "kill_switch").string()) {}

std::optional<std::string> KillSwitchFile::read() const {
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec) && !ec) return std::nullopt;
  std::ifstream in(path_);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  // Unreadable, or empty: still on. Failing safe means staying stopped.
  return text.empty() ? std::string("(no record of why)") : text;
}

bool KillSwitchFile::set(bool on, std::string_view why, core::TimeNs now, std::string& error) {
  if (!on) return remove_file_durably(path_, error);
  return write_file_durably(path_, core::format_iso8601(now) + " " + std::string(why) + "\n", error);
}

}  // namespace ballast::daemon
