// `epermit points`: the explained points of a person from a node's database
// (`--citizen-id ID [--city C] [--date D] [--no-recognition] [--db FILE | --config FILE]`),
// and the calculator (积分模拟测算) `epermit points calc --city C --date D --profile FILE.json
// [--policies DIR] [--no-recognition]`, which needs no database and stores nothing. Both
// print the JSON report (docs/POLICIES.md) and exit 0 whatever the verdict; bad input
// exits 1 with the error on stderr, a node that cannot be opened 2.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace epermit::cli {

class PointsCommand {
 public:
  explicit PointsCommand(CLI::App& app);
  bool parsed() const { return points_->parsed(); }
  // Runs the parsed command; returns the process exit code.
  int Run() const;

 private:
  int ForPerson() const;
  int Calculate() const;

  CLI::App* points_ = nullptr;
  CLI::App* calc_ = nullptr;

  // epermit points
  std::string citizen_id_;
  std::string city_;
  std::string date_;
  bool no_recognition_ = false;
  std::string db_;
  std::string config_;
  // epermit points calc
  std::string calc_city_;
  std::string calc_date_;
  std::string profile_file_;
  std::string policies_dir_;
  std::string calc_config_;
  bool calc_no_recognition_ = false;
};

}  // namespace epermit::cli
