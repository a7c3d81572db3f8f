#include "cli/policy_command.hpp"

#include <filesystem>
#include <iostream>

#include "app/app.hpp"
#include "app/data_key_file.hpp"
#include "cli/cli_util.hpp"
#include "common/clock.hpp"
#include "policy/policy_set.hpp"
#include "service/simulation_service.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace epermit::cli {

PolicyCommand::PolicyCommand(CLI::App& app) {
  policy_ = app.add_subcommand("policy", "City policies as data (docs/POLICIES.md)");
  policy_->require_subcommand(1);
  check_ = policy_->add_subcommand("check", "Validate every policy file below DIR; errors as file:line: message");
  check_->add_option("DIR", dir_, "Policy directory (policies/<division-code>/<date>.toml)")->required();
  simulate_ = policy_->add_subcommand(
      "simulate", "What-if: score the whole population by the current and a draft points table; writes nothing");
  simulate_->add_option("--current", current_file_, "The policy file in force (TOML)")->required();
  simulate_->add_option("--draft", draft_file_, "The draft policy file (TOML), same city")->required();
  simulate_->add_option("--population", population_db_, "The node's SQLite database (read only)")->required();
  simulate_->add_option("--key-file", key_file_,
                        "Its data-key file; default: keys/data-keys.keyring beside the database");
  simulate_->add_option("--policies", agreements_dir_,
                        "Policy directory whose mutual-recognition agreements apply (default: none)");
  simulate_->add_option("--date", date_, "Score as on this date, YYYY-MM-DD (default: today)");
  simulate_->add_option("--samples", samples_, "Sample people per change (0-100)")->capture_default_str();
  simulate_->add_option("--band", band_points_, "Width of a score band in points")->capture_default_str();
  simulate_->add_option("--threads", threads_, "Scoring threads (default: one per core)");
}

int PolicyCommand::Run() const {
  if (check_->parsed()) return Check();
  if (simulate_->parsed()) return Simulate();
  return 1;
}

int PolicyCommand::Check() const {
  auto set = policy::LoadPolicyDir(dir_);
  if (!set.ok()) {
    std::cerr << set.error().message_en << "\n";
    return 1;
  }
  for (const std::string& city : set->Cities()) {
    for (const policy::CityPolicy& v : set->Versions(city)) {
      std::cout << v.file << ": ok (" << v.version << ", from " << FormatIsoDate(v.effective_from);
      if (v.effective_to) std::cout << " to " << FormatIsoDate(*v.effective_to);
      if (v.points) {
        std::cout << "; points: " << v.points->preconditions.size() << " preconditions, " << v.points->indicators.size()
                  << " indicators";
      }
      std::cout << ")\n";
    }
  }
  return 0;
}

namespace {

// One policy file, parsed; its errors are "file:line: message".
Result<policy::CityPolicy> ReadPolicyFile(const std::string& path) {
  EPERMIT_ASSIGN_OR_RETURN(std::string text, app::ReadTextFile(path));
  return policy::ParseCityPolicy(text, path);
}

}  // namespace

int PolicyCommand::Simulate() const {
  SystemClock clock;
  const Date today = clock.Today();
  Date date = today;
  if (!date_.empty()) {
    auto parsed = ParseIsoDate(date_);
    if (!parsed) {
      return PrintError(MakeError(ErrorKind::kInvalidArgument, "simulate.bad_date",
                                  "--date must be a date like 2026-01-31.", "--date 须为 2026-01-31 这样的日期。"),
                        1);
    }
    date = *parsed;
  }
  auto current = ReadPolicyFile(current_file_);
  if (!current.ok()) return PrintError(current.error(), 1);
  auto draft = ReadPolicyFile(draft_file_);
  if (!draft.ok()) return PrintError(draft.error(), 1);
  std::optional<policy::PolicySet> agreements;
  if (!agreements_dir_.empty()) {
    auto set = policy::LoadPolicyDir(agreements_dir_);
    if (!set.ok()) return PrintError(set.error(), 1);
    agreements = std::move(*set);
  }
  if (!std::filesystem::is_regular_file(population_db_)) {
    return PrintError(
        MakeError(ErrorKind::kNotFound, "db", "No database at " + population_db_, "找不到数据库 " + population_db_), 2);
  }
  // Read only: the database is neither migrated nor written.
  app::Config population;
  population.db_path = population_db_;
  population.data_key_file = key_file_;
  auto store = app::OpenNodeStore(population, population_db_, false, 1, clock.UnixSeconds());
  if (!store.ok()) return PrintError(store.error(), 2);
  service::SimulationRequest request;
  request.current = &*current;
  request.draft = &*draft;
  request.agreements = agreements ? &*agreements : nullptr;
  request.date = date;
  request.samples = samples_;
  request.band_points = band_points_;
  request.threads = threads_;
  auto report = service::SimulatePolicy(**store, request, today);
  if (!report.ok()) return PrintError(report.error(), report.error().kind == ErrorKind::kInvalidArgument ? 1 : 2);
  std::cout << policy::SimulationReportToJson(*report).dump(2) << "\n";
  return 0;
}

}  // namespace epermit::cli
