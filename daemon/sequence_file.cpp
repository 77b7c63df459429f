#include "daemon/sequence_file.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "daemon/durable_file.hpp"

namespace ballast::daemon {

SequenceFile::SequenceFile(std::string state_dir) : dir_(std::move(state_dir)), path_(dir_ + "/sequence") {}

std::optional<engine::Sequences> SequenceFile::open(std::string& error) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) {
    error = "cannot create state_dir " + dir_ + ": " + ec.message();
    return std::nullopt;
  }
  engine::Sequences start;
  std::ifstream in(path_);
  if (in) {
    std::string key;
    std::uint64_t value = 0;
    int found = 0;
    while (in >> key >> value) {
      if (key == "next_order") start.next_order = value, ++found;
      else if (key == "next_rebalance") start.next_rebalance = value, ++found;
    }
    if (found != 2 || start.next_order == 0 || start.next_rebalance == 0) {
      error = "state file " + path_ + " is unreadable; refusing to start rather than reuse order ids";
      return std::nullopt;
    }
  } else if (std::filesystem::exists(path_, ec)) {
    error = "cannot read " + path_;
    return std::nullopt;
  }
  if (!write({start.next_order + kBlock, start.next_rebalance + kBlock}, error)) return std::nullopt;
  return start;
}

bool SequenceFile::reserve_ahead(const engine::Sequences& current, std::string& error) {
  const std::uint64_t margin = kBlock / 10;
  if (current.next_order + margin < reserved_.next_order &&
      current.next_rebalance + margin < reserved_.next_rebalance)
    return true;
  return write({current.next_order + kBlock, current.next_rebalance + kBlock}, error);
}

bool SequenceFile::write(const engine::Sequences& reserved, std::string& error) {
  // After a crash the file holds either the old or the new block.
  std::ostringstream text;
  text << "next_order " << reserved.next_order << "\nnext_rebalance " << reserved.next_rebalance << "\n";
  if (!write_file_durably(path_, text.str(), error)) return false;
  reserved_ = reserved;
  return true;
}

}  // namespace ballast::daemon
