#pragma once
// A file in the temp directory with given contents, removed when the test ends.
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <system_error>

namespace ballast::testing {

class TempFile {
 public:
  explicit TempFile(const std::string& contents, const std::string& suffix = ".csv") {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("ballast-test-" + std::to_string(rd()) + suffix);
    std::ofstream(path_, std::ios::binary) << contents;
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace ballast::testing
