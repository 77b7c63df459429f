#pragma once
// CurveZMQ keys as Ballast keeps them: Z85 text (40 characters for 32 bytes),
// one key per line in a file, with comments.
//
// File form (key files and allowlists alike):
//   - a line whose first word is 40 Z85 characters is a key; what follows it on
//     the line must be empty or a comment starting with '#';
//   - any other line starting with '#' is a comment, and blank lines are skipped;
//   - anything else is an error, reported with its line and column.
// Z85's alphabet contains '#', so "# <key>" and "#<key>" both comment a key out.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ballast::net {

/// Z85 text of a 32-byte CURVE key.
inline constexpr std::size_t kZ85KeyLength = 40;

/// True when `text` is 40 Z85 characters that decode to 32 bytes.
bool is_z85_key(std::string_view text);

/// True when this libzmq can do CURVE (it was built with libsodium or tweetnacl).
bool curve_available();

struct KeyPair {
  std::string public_key;  ///< Z85
  std::string secret_key;  ///< Z85
};

/// A fresh key pair from libzmq's random source; nullopt when CURVE is not available.
std::optional<KeyPair> generate_key_pair();

/// The public key that belongs to a Z85 secret key; nullopt when `secret_key`
/// is not a key (or CURVE is not available).
std::optional<std::string> public_key_of(std::string_view secret_key);

struct KeyLine {
  std::string key;  ///< Z85
  int line = 0;     ///< 1-based
};

struct KeyTextError {
  int line = 0;    ///< 1-based
  int column = 0;  ///< 1-based
  std::string message;
};

/// The keys of a text in the file form above, in order, and every line that is
/// neither a key nor a comment. Never throws.
struct KeyList {
  std::vector<KeyLine> keys;
  std::vector<KeyTextError> errors;
};
KeyList parse_key_list(std::string_view text);

/// What a key file is for: a secret key file must be readable by its owner only.
enum class KeyFileKind { public_key, secret_key };

/// One key read from a file, or why not.
struct KeyFileResult {
  std::optional<std::string> key;  ///< Z85
  std::string error;               ///< set when `key` is empty
};

/// Reads a file holding exactly one key. Refuses a missing or unreadable file,
/// malformed lines, no key or more than one, and, for a secret key, a file that
/// group or others may read or write ("chmod 600 FILE"). Never throws.
KeyFileResult read_key_file(const std::string& path, KeyFileKind kind);

/// Every key of an allowlist file, or why it cannot be used.
struct KeyListFileResult {
  std::vector<std::string> keys;  ///< Z85, in file order, duplicates dropped
  std::string error;              ///< the first problem, with its line; keys are empty then
};

/// Reads an allowlist file: any number of keys (none is an error: nobody could
/// connect), with comments. Never throws.
KeyListFileResult read_key_list_file(const std::string& path);

/// Writes a key pair for `ballast keygen`: the secret key to `secret_path`
/// (mode 0600) and the public key to `public_path` (mode 0644), each with a
/// comment line. Refuses to overwrite: when either file exists, nothing is
/// written. Returns an error text, empty on success.
std::string write_key_pair(const KeyPair& pair, const std::string& secret_path, const std::string& public_path);

}  // namespace ballast::net
