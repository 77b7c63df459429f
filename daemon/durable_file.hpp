#pragma once
// Small files under state_dir that must survive a crash or a power cut whole:
// written beside, synced, renamed into place, and the directory synced.
#include <string>
#include <string_view>

namespace ballast::daemon {

/// Replaces `path` with `body` (mode 0600): after a crash the file holds
/// either the old or the new text. False with `error` set when it cannot.
bool write_file_durably(const std::string& path, std::string_view body, std::string& error);

/// Removes `path` (absent is fine) and syncs its directory. False with `error` set when it cannot.
bool remove_file_durably(const std::string& path, std::string& error);

}  // namespace ballast::daemon
