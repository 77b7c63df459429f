#include "daemon/sequence_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

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
  // Write a temporary file, fsync it, rename it over the old one, fsync the
  // directory: after a crash the file holds either the old or the new block.
  const std::string tmp = path_ + ".tmp";
  std::ostringstream text;
  text << "next_order " << reserved.next_order << "\nnext_rebalance " << reserved.next_rebalance << "\n";
  const std::string body = text.str();
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = "cannot write " + tmp + ": " + std::strerror(errno);
    return false;
  }
  const bool ok = ::write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path_.c_str()) != 0) {
    error = "cannot write " + path_ + ": " + std::strerror(errno);
    return false;
  }
  if (const int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  reserved_ = reserved;
  return true;
}

}  // namespace ballast::daemon
