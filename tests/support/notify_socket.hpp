#pragma once
// A datagram socket standing in for systemd's NOTIFY_SOCKET: it receives what
// sd_notify sends, one message per datagram ("READY=1\nSTATUS=...").
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ballast::testing {

class NotifySocket {
 public:
  explicit NotifySocket(std::string path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (fd_ < 0 || path_.size() >= sizeof addr.sun_path) throw std::runtime_error("cannot make " + path_);
    std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
    ::unlink(path_.c_str());
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("cannot bind " + path_ + ": " + std::strerror(errno));
    }
  }
  ~NotifySocket() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::string& path() const { return path_; }

  /// The next message, waiting up to `within`; nullopt when none came.
  std::optional<std::string> next(std::chrono::milliseconds within) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(within.count())) <= 0) return std::nullopt;
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<std::size_t>(n));
  }

  /// Messages until one satisfies `done` (that one included), waiting up to
  /// `within` in all; empty when none did.
  std::vector<std::string> until(const std::function<bool(const std::string&)>& done,
                                 std::chrono::milliseconds within) {
    std::vector<std::string> seen;
    const auto deadline = std::chrono::steady_clock::now() + within;
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return {};
      auto m = next(left);
      if (!m) return {};
      seen.push_back(*m);
      if (done(*m)) return seen;
    }
  }
  /// Messages until one has the line `line`.
  std::vector<std::string> until_line(const std::string& line, std::chrono::milliseconds within) {
    return until([&](const std::string& m) { return has_line(m, line); }, within);
  }

  /// Whether `message` has `line` as one of its lines.
  static bool has_line(const std::string& message, const std::string& line) {
    return ("\n" + message + "\n").find("\n" + line + "\n") != std::string::npos;
  }
  /// The value of `KEY=` in `message`, or nullopt.
  static std::optional<std::string> value(const std::string& message, const std::string& key) {
    const std::string text = "\n" + message;
    const auto at = text.find("\n" + key + "=");
    if (at == std::string::npos) return std::nullopt;
    const auto start = at + key.size() + 2;
    return text.substr(start, text.find('\n', start) - start);
  }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace ballast::testing
