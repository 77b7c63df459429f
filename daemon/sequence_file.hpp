#pragma once
// Order and rebalance ids survive restarts: the daemon reserves blocks of ids
// in a small file under state_dir before it uses them, so a crash can skip ids
// but never reuse one.
#include <optional>
#include <string>

#include "engine/engine.hpp"

namespace ballast::daemon {

class SequenceFile {
 public:
  static constexpr std::uint64_t kBlock = 10'000;

  explicit SequenceFile(std::string state_dir);
  /// Creates state_dir when missing, reads the last reservation (1, 1 on a
  /// first start) and reserves the next block. nullopt with `error` on failure.
  std::optional<engine::Sequences> open(std::string& error);
  /// Reserves a new block when `current` comes near the end of the last one.
  /// False with `error` when the file cannot be written.
  bool reserve_ahead(const engine::Sequences& current, std::string& error);

 private:
  bool write(const engine::Sequences& reserved, std::string& error);
  std::string dir_;
  std::string path_;
  engine::Sequences reserved_;
};

}  // namespace ballast::daemon
