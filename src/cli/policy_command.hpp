// `epermit policy check DIR`: validates a policy directory and reports every error as
// "file:line: message" (docs/POLICIES.md).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace epermit::cli {

class PolicyCommand {
 public:
  explicit PolicyCommand(CLI::App& app);
  bool parsed() const { return policy_->parsed(); }
  // Runs the parsed subcommand; returns the process exit code (0 valid, 1 errors found).
  int Run() const;

 private:
  int Check() const;

  CLI::App* policy_ = nullptr;
  CLI::App* check_ = nullptr;
  std::string dir_;
};

}  // namespace epermit::cli
