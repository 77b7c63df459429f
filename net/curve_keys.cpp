#include "net/curve_keys.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <zmq.h>

namespace ballast::net {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string errno_text(int err) { return std::strerror(err); }

/// A key file is small; anything larger is not one of ours.
constexpr std::size_t kMaxKeyFileBytes = 1 << 20;

/// The file's text, or an error.
bool read_text(const std::string& path, std::string& text, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read " + path + ": " + errno_text(errno);
    return false;
  }
  text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    error = "cannot read " + path;
    return false;
  }
  if (text.size() > kMaxKeyFileBytes) {
    error = path + " is larger than 1 MiB: not a key file";
    return false;
  }
  return true;
}

std::string located(const std::string& path, const KeyTextError& e) {
  return path + ":" + std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.message;
}

/// Writes `text` to a new file, failing if it exists. The descriptor is closed
/// in every case; false and `error` on failure.
bool write_new_file(const std::string& path, const std::string& text, mode_t mode, std::string& error) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    error = "cannot create " + path + ": " + errno_text(errno);
    return false;
  }
  // The umask may have taken bits of `mode` (never added any): set them exactly.
  int err = ::fchmod(fd, mode) == 0 ? 0 : errno;
  for (std::size_t written = 0; err == 0 && written < text.size();) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n < 0 ? errno : EIO;
      break;
    }
    written += static_cast<std::size_t>(n);
  }
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) {
    error = "cannot write " + path + ": " + errno_text(err);
    ::unlink(path.c_str());
  }
  return err == 0;
}

}  // namespace

bool is_z85_key(std::string_view text) {
  if (text.size() != kZ85KeyLength) return false;
  std::array<char, kZ85KeyLength + 1> z{};
  std::copy(text.begin(), text.end(), z.begin());
  std::array<std::uint8_t, 32> bytes{};
  // zmq_z85_decode refuses characters outside the alphabet and groups that
  // overflow 32 bits.
  return zmq_z85_decode(bytes.data(), z.data()) != nullptr;
}

bool curve_available() { return zmq_has("curve") != 0; }

std::optional<KeyPair> generate_key_pair() {
  std::array<char, kZ85KeyLength + 1> pub{}, sec{};
  if (zmq_curve_keypair(pub.data(), sec.data()) != 0) return std::nullopt;
  return KeyPair{std::string(pub.data(), kZ85KeyLength), std::string(sec.data(), kZ85KeyLength)};
}

std::optional<std::string> public_key_of(std::string_view secret_key) {
  if (!is_z85_key(secret_key)) return std::nullopt;
  std::array<char, kZ85KeyLength + 1> sec{}, pub{};
  std::copy(secret_key.begin(), secret_key.end(), sec.begin());
  if (zmq_curve_public(pub.data(), sec.data()) != 0) return std::nullopt;
  return std::string(pub.data(), kZ85KeyLength);
}

KeyList parse_key_list(std::string_view text) {
  KeyList out;
  int line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;

    std::size_t i = 0;
    while (i < line.size() && is_blank(line[i])) ++i;
    if (i == line.size()) continue;
    std::size_t word_end = i;
    while (word_end < line.size() && !is_blank(line[word_end])) ++word_end;
    const std::string_view word = line.substr(i, word_end - i);
    const int column = static_cast<int>(i) + 1;
    if (word.size() == kZ85KeyLength && is_z85_key(word)) {
      std::size_t rest = word_end;
      while (rest < line.size() && is_blank(line[rest])) ++rest;
      if (rest < line.size() && line[rest] != '#') {
        out.errors.push_back({line_number, static_cast<int>(rest) + 1,
                              "unexpected text after the key (a comment starts with '#')"});
        continue;
      }
      out.keys.push_back({std::string(word), line_number});
      continue;
    }
    if (line[i] == '#') continue;
    std::string message;
    if (word.size() != kZ85KeyLength) {
      message = "expected a CURVE key (40 Z85 characters) or a comment starting with '#', got " +
                std::to_string(word.size()) + " characters";
    } else {
      message = "not a Z85-encoded key: a character outside the Z85 alphabet, or a group beyond 32 bits";
    }
    out.errors.push_back({line_number, column, std::move(message)});
  }
  return out;
}

KeyFileResult read_key_file(const std::string& path, KeyFileKind kind) {
  KeyFileResult r;
  if (kind == KeyFileKind::secret_key) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      r.error = "cannot read " + path + ": " + errno_text(errno);
      return r;
    }
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
      r.error = path + " holds a secret key but group or others may access it (mode " + mode +
                "): chmod 600 " + path;
      return r;
    }
  }
  std::string text;
  if (!read_text(path, text, r.error)) return r;
  const KeyList list = parse_key_list(text);
  if (!list.errors.empty()) {
    r.error = located(path, list.errors.front());
    return r;
  }
  if (list.keys.empty()) {
    r.error = path + " holds no key";
    return r;
  }
  if (list.keys.size() > 1) {
    r.error = path + ":" + std::to_string(list.keys[1].line) + ":1: a second key; a key file holds exactly one";
    return r;
  }
  r.key = list.keys.front().key;
  return r;
}

KeyListFileResult read_key_list_file(const std::string& path) {
  KeyListFileResult r;
  std::string text;
  if (!read_text(path, text, r.error)) return r;
  const KeyList list = parse_key_list(text);
  if (!list.errors.empty()) {
    r.error = located(path, list.errors.front());
    if (list.errors.size() > 1) r.error += " (and " + std::to_string(list.errors.size() - 1) + " more)";
    return r;
  }
  if (list.keys.empty()) {
    r.error = path + " holds no key: every client would be refused";
    return r;
  }
  for (const KeyLine& k : list.keys) {
    if (std::find(r.keys.begin(), r.keys.end(), k.key) == r.keys.end()) r.keys.push_back(k.key);
  }
  return r;
}

std::string write_key_pair(const KeyPair& pair, const std::string& secret_path, const std::string& public_path) {
  if (!is_z85_key(pair.secret_key) || !is_z85_key(pair.public_key)) return "not a CURVE key pair";
  if (secret_path == public_path) return "the secret and public key files must differ";
  for (const std::string& p : {secret_path, public_path}) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) == 0) return p + " exists; refusing to overwrite it";
  }
  std::string error;
  if (!write_new_file(secret_path,
                      "# Ballast CURVE secret key: keep it private; its public key is in " + public_path + "\n" +
                          pair.secret_key + "\n",
                      0600, error)) {
    return error;
  }
  if (!write_new_file(public_path, "# Ballast CURVE public key\n" + pair.public_key + "\n", 0644, error)) {
    ::unlink(secret_path.c_str());
    return error;
  }
  return {};
}

}  // namespace ballast::net
