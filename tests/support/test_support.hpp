// Shared test helpers: hermetic temp directories and fixed dates.
#pragma once

#include <filesystem>
#include <string>

namespace epermit::testing {

// A fresh directory under $TMPDIR, removed with everything in it when this goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// The repository's policies directory (tests read the shipped policies).
std::string SourcePoliciesDir();

}  // namespace epermit::testing
