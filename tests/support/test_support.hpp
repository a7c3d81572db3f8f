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

// The text of a shipped policy file, `relative` to SourcePoliciesDir() ("310000/2023-01-01.toml").
std::string ReadShippedPolicy(const std::string& relative);

// `text` with the first `from` replaced by `to`; the calling test fails if `from` is not there
// (a draft that silently equals the original would make a what-if test meaningless).
std::string ReplaceOnce(std::string text, const std::string& from, const std::string& to);

}  // namespace epermit::testing
