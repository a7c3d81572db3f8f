// `epermit verify`: decides offline what a permit QR code proves, from a verified trust
// list and cached status lists; `--fetch` is the online step that fills the cache.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace epermit::cli {

class VerifyCommand {
 public:
  explicit VerifyCommand(CLI::App& app);
  bool parsed() const { return verify_->parsed(); }
  // Returns the exit code: the verdict (0 valid ... 6 stale data), see --help.
  int Run() const;

 private:
  CLI::App* verify_ = nullptr;
  std::string qr_;
  std::string image_;
  std::string trust_list_;
  std::string root_key_;
  std::vector<std::string> status_lists_;
  std::string cache_;
  std::string fetch_;
  std::vector<int64_t> list_ids_;
  std::string at_;
};

}  // namespace epermit::cli
