#pragma once
// The kill switch is durable: <state_dir>/kill_switch exists while it is on,
// so that a restart, a crash or kill -9 finds it on again. Only a release
// removes the file. It lives beside the id reservations, not in the state
// database, so that it holds in every mode (dry-run, durability = "off").
#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"

namespace ballast::daemon {

class KillSwitchFile {
 public:
  explicit KillSwitchFile(const std::string& state_dir);

  /// What the file recorded when the switch went on ("<ISO time> <why>");
  /// nullopt while it is off. A file that exists but cannot be read counts as on.
  std::optional<std::string> read() const;
  /// Records the switch on (with when and why) or off, durably. False with
  /// `error` set when the file cannot be written or removed.
  bool set(bool on, std::string_view why, core::TimeNs now, std::string& error);

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace ballast::daemon
