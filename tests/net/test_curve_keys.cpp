// CURVE keys in Z85 text: generation, parsing key files and allowlists with
// their errors located, and the files `ballast keygen` writes.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "net/curve_keys.hpp"
#include "tests/net/net_test_support.hpp"
#include "tests/support/scratch_dir.hpp"

namespace ballast::net {
namespace test_curve_keys {
namespace {

using testing::file_bytes;
using testing::ScratchDir;

void write_file(const std::string& path, const std::string& text, std::filesystem::perms mode) {
  std::ofstream(path, std::ios::binary) << text;
  std::filesystem::permissions(path, mode);
}

constexpr auto kOwnerOnly = std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;
constexpr auto kWorldReadable = kOwnerOnly | std::filesystem::perms::group_read | std::filesystem::perms::others_read;

unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

TEST_CASE("a generated key pair is two different Z85 keys, and the public key follows from the secret") {
  const KeyPair pair = test::key_pair();
  CHECK(is_z85_key(pair.public_key));
  CHECK(is_z85_key(pair.secret_key));
  CHECK(pair.public_key != pair.secret_key);
  CHECK(public_key_of(pair.secret_key) == pair.public_key);
  CHECK(test::key_pair().public_key != pair.public_key);
  CHECK(curve_available());
}

TEST_CASE("a Z85 key is exactly 40 characters of the alphabet that decode to 32 bytes") {
  const std::string key = test::key_pair().public_key;
  CHECK(is_z85_key(key));
  CHECK_FALSE(is_z85_key(key.substr(0, 39)));
  CHECK_FALSE(is_z85_key(key + "0"));
  CHECK_FALSE(is_z85_key(""));
  std::string quote = key;
  quote[7] = '"';  // not in the alphabet
  CHECK_FALSE(is_z85_key(quote));
  std::string tilde = key;
  tilde[0] = '~';
  CHECK_FALSE(is_z85_key(tilde));
  // "#####" is 84·(85⁴+85³+85²+85+1), beyond 32 bits.
  CHECK_FALSE(is_z85_key("#####" + key.substr(5)));
  CHECK_FALSE(public_key_of("not a key").has_value());
}

TEST_CASE("a key list takes keys with comments, blank lines and CRLF, and skips commented-out keys") {
  const std::string a = test::key_pair().public_key;
  const std::string b = test::key_pair().public_key;
  const std::string c = test::key_pair().public_key;
  const KeyList list = parse_key_list("# gateways\n\n" + a + "\n  " + b + "   # paper gateway, host 2\r\n#" + c +
                                      "\n# " + c + "\n\t\n");
  CHECK(list.errors.empty());
  REQUIRE(list.keys.size() == 2);
  CHECK(list.keys[0].key == a);
  CHECK(list.keys[0].line == 3);
  CHECK(list.keys[1].key == b);
  CHECK(list.keys[1].line == 4);
  CHECK(parse_key_list("").keys.empty());
  CHECK(parse_key_list(a).keys.size() == 1);  // no final newline
}

TEST_CASE("a key list reports every line that is neither a key nor a comment, at its line and column") {
  const std::string a = test::key_pair().public_key;
  std::string bad_char = test::key_pair().public_key;
  bad_char[3] = ',';
  const KeyList list =
      parse_key_list(a + "\nshort\n  " + bad_char + "\n" + a + " trailing words\n" + a + "# no space is fine\n");
  REQUIRE(list.errors.size() == 4);
  CHECK(list.errors[0].line == 2);
  CHECK(list.errors[0].column == 1);
  CHECK(list.errors[0].message.find("got 5 characters") != std::string::npos);
  CHECK(list.errors[1].line == 3);
  CHECK(list.errors[1].column == 3);
  CHECK(list.errors[1].message.find("not a Z85-encoded key") != std::string::npos);
  CHECK(list.errors[2].line == 4);
  CHECK(list.errors[2].column == 42);
  CHECK(list.errors[2].message.find("unexpected text after the key") != std::string::npos);
  // '#' is a Z85 character: "<key>#..." is one word, not a key with a comment.
  CHECK(list.errors[3].line == 5);
  CHECK(list.errors[3].column == 1);
  CHECK(list.keys.size() == 1);
}

TEST_CASE("a key file holds exactly one key") {
  ScratchDir dir;
  const KeyPair pair = test::key_pair();
  const std::string path = dir.file("one.pub");

  write_file(path, "# the daemon\n" + pair.public_key + "\n", kWorldReadable);
  const KeyFileResult ok = read_key_file(path, KeyFileKind::public_key);
  CHECK(ok.error.empty());
  CHECK(ok.key == pair.public_key);

  write_file(path, pair.public_key + "\n" + pair.secret_key + "\n", kWorldReadable);
  KeyFileResult r = read_key_file(path, KeyFileKind::public_key);
  CHECK_FALSE(r.key);
  CHECK(r.error == path + ":2:1: a second key; a key file holds exactly one");

  write_file(path, "# nothing here\n", kWorldReadable);
  r = read_key_file(path, KeyFileKind::public_key);
  CHECK_FALSE(r.key);
  CHECK(r.error == path + " holds no key");

  write_file(path, "\n\nnot-a-key\n", kWorldReadable);
  r = read_key_file(path, KeyFileKind::public_key);
  CHECK_FALSE(r.key);
  CHECK(r.error.rfind(path + ":3:1: expected a CURVE key", 0) == 0);

  r = read_key_file(dir.file("missing"), KeyFileKind::public_key);
  CHECK_FALSE(r.key);
  CHECK(r.error.find("cannot read") != std::string::npos);
}

TEST_CASE("a secret key file that group or others may read is refused") {
  ScratchDir dir;
  const KeyPair pair = test::key_pair();
  const std::string path = dir.file("daemon.key");
  write_file(path, pair.secret_key + "\n", kWorldReadable);
  KeyFileResult r = read_key_file(path, KeyFileKind::secret_key);
  CHECK_FALSE(r.key);
  CHECK(r.error == path + " holds a secret key but group or others may access it (mode 0644): chmod 600 " + path);
  std::filesystem::permissions(path, kOwnerOnly);
  r = read_key_file(path, KeyFileKind::secret_key);
  CHECK(r.key == pair.secret_key);
  CHECK_FALSE(read_key_file(dir.file("missing.key"), KeyFileKind::secret_key).key);
}

TEST_CASE("an allowlist file needs at least one key and drops repeats") {
  ScratchDir dir;
  const std::string a = test::key_pair().public_key;
  const std::string b = test::key_pair().public_key;
  const std::string path = dir.file("allow");
  write_file(path, "# two gateways\n" + a + "\n" + b + "\n" + a + "  # again\n", kWorldReadable);
  const KeyListFileResult ok = read_key_list_file(path);
  CHECK(ok.error.empty());
  CHECK(ok.keys == std::vector<std::string>{a, b});

  write_file(path, "# nobody yet\n", kWorldReadable);
  KeyListFileResult r = read_key_list_file(path);
  CHECK(r.keys.empty());
  CHECK(r.error == path + " holds no key: every client would be refused");

  write_file(path, a + "\nx\ny\n", kWorldReadable);
  r = read_key_list_file(path);
  CHECK(r.keys.empty());
  CHECK(r.error.rfind(path + ":2:1: ", 0) == 0);
  CHECK(r.error.find("(and 1 more)") != std::string::npos);

  CHECK_FALSE(read_key_list_file(dir.file("missing")).error.empty());
}

TEST_CASE("a written key pair reads back, the secret at mode 0600") {
  ScratchDir dir;
  const KeyPair pair = test::key_pair();
  const std::string secret = dir.file("daemon.key");
  const std::string pub = dir.file("daemon.pub");
  REQUIRE(write_key_pair(pair, secret, pub).empty());
  CHECK(mode_of(secret) == 0600);
  CHECK(mode_of(pub) == 0644);
  CHECK(read_key_file(secret, KeyFileKind::secret_key).key == pair.secret_key);
  CHECK(read_key_file(pub, KeyFileKind::public_key).key == pair.public_key);
  // The public file is one line to append to an allowlist.
  CHECK(read_key_list_file(pub).keys == std::vector<std::string>{pair.public_key});
}

TEST_CASE("a key pair is never written over an existing file, and then nothing is written") {
  ScratchDir dir;
  const KeyPair first = test::key_pair();
  const KeyPair second = test::key_pair();
  const std::string secret = dir.file("gw.key");
  const std::string pub = dir.file("gw.pub");
  REQUIRE(write_key_pair(first, secret, pub).empty());
  CHECK(write_key_pair(second, secret, pub) == secret + " exists; refusing to overwrite it");
  CHECK(read_key_file(secret, KeyFileKind::secret_key).key == first.secret_key);

  // Only the public file is there: the secret file is not created either.
  const std::string lone_secret = dir.file("other.key");
  write_file(dir.file("other.pub"), "keep me\n", kWorldReadable);
  CHECK(write_key_pair(second, lone_secret, dir.file("other.pub")) ==
        dir.file("other.pub") + " exists; refusing to overwrite it");
  CHECK_FALSE(std::filesystem::exists(lone_secret));
  CHECK(file_bytes(dir.file("other.pub")) == "keep me\n");

  CHECK(write_key_pair(second, dir.file("same"), dir.file("same")) == "the secret and public key files must differ");
  CHECK_FALSE(write_key_pair(second, dir.file("no-such-dir/x.key"), dir.file("no-such-dir/x.pub")).empty());
  CHECK_FALSE(std::filesystem::exists(dir.file("no-such-dir")));
}

}  // namespace
}  // namespace test_curve_keys
}  // namespace ballast::net
