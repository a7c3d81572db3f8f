// `epermit trust init|add|sign|show`: the national trust list maintainer's tools.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace epermit::cli {

class TrustCommand {
 public:
  // Adds `trust` and its subcommands (with their options) to `app`.
  explicit TrustCommand(CLI::App& app);
  bool parsed() const { return trust_->parsed(); }
  // Runs the parsed subcommand; returns the process exit code.
  int Run() const;

 private:
  int Init() const;
  int Add() const;
  int Sign() const;
  int Show() const;

  CLI::App* trust_ = nullptr;
  CLI::App* init_ = nullptr;
  CLI::App* add_ = nullptr;
  CLI::App* sign_ = nullptr;
  CLI::App* show_ = nullptr;

  std::string dir_;
  std::string alg_ = "EdDSA";
  std::string draft_;
  std::string key_dir_;
  std::string key_file_;
  std::string kid_;
  std::string city_;
  std::string valid_from_;
  std::string valid_to_;
  std::string out_;
  int64_t version_ = 0;
  int64_t days_ = 7;
  std::string next_update_;
  std::string file_;
  std::string root_key_;
  std::string at_;
};

}  // namespace epermit::cli
