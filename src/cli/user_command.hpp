// `epermit user add|import|reset|disable|totp-code`: an operator's account tools, run on the
// node's database. A generated password and a staff member's second-factor secret are printed once
// (as JSON on stdout) and stored only as an Argon2id hash and a secret. Bad input exits 1
// with the error on stderr; a database that cannot be opened exits 2.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace epermit::cli {

class UserCommand {
 public:
  explicit UserCommand(CLI::App& app);
  bool parsed() const { return user_->parsed(); }
  int Run() const;

 private:
  CLI::App* user_ = nullptr;
  CLI::App* add_ = nullptr;
  CLI::App* import_ = nullptr;
  CLI::App* reset_ = nullptr;
  CLI::App* disable_ = nullptr;
  CLI::App* code_ = nullptr;

  std::string config_;
  std::string db_;
  std::string username_;
  std::string role_;
  std::string citizen_id_;
  std::string kinds_;
  std::string city_;
  std::string operator_ = "operator";
  bool new_totp_ = false;
  bool password_stdin_ = false;
  std::string secret_;
  std::string import_file_;
};

}  // namespace epermit::cli
