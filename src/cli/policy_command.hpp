// `epermit policy check DIR`: validates a policy directory and reports every error as
// "file:line: message" (docs/POLICIES.md). `epermit policy simulate`: a draft points table
// applied to a node's whole population beside the current one, counting who changes; reads
// the database only.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace epermit::cli {

class PolicyCommand {
 public:
  explicit PolicyCommand(CLI::App& app);
  bool parsed() const { return policy_->parsed(); }
  // Runs the parsed subcommand; returns the process exit code (0 valid / done, 1 errors in
  // the input, 2 the database or a file cannot be read).
  int Run() const;

 private:
  int Check() const;
  int Simulate() const;

  CLI::App* policy_ = nullptr;
  CLI::App* check_ = nullptr;
  CLI::App* simulate_ = nullptr;
  std::string dir_;
  std::string current_file_, draft_file_, population_db_, key_file_, agreements_dir_, date_;
  size_t samples_ = 5;
  int64_t band_points_ = 10;
  unsigned threads_ = 0;
};

}  // namespace epermit::cli
