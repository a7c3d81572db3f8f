// `epermit audit verify`: checks a node's transparency log offline (service/audit_verifier):
// prints a JSON report and exits 0 when the log, its signed heads and their proofs hold,
// 1 naming the first entry altered, removed or reordered (or the head that no longer
// matches), 2 when the database or keys cannot be read.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace epermit::cli {

class AuditCommand {
 public:
  explicit AuditCommand(CLI::App& app);
  bool parsed() const { return audit_->parsed(); }
  int Run() const;

 private:
  CLI::App* audit_ = nullptr;
  CLI::App* verify_ = nullptr;
  std::string config_;
  std::string db_;
  std::string keys_dir_;
};

}  // namespace epermit::cli
