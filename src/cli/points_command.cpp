#include "cli/points_command.hpp"

#include <filesystem>
#include <iostream>
#include <optional>

#include "app/app.hpp"
#include "app/config.hpp"
#include "app/data_key_file.hpp"
#include "cli/cli_util.hpp"
#include "service/points_service.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace epermit::cli {
namespace {

// 1 for what the caller typed (a bad ID, city, date or profile, a person or table not
// found), 2 when the node itself cannot be used.
int ExitFor(const Error& e) { return e.kind == ErrorKind::kInvalidArgument || e.kind == ErrorKind::kNotFound ? 1 : 2; }

Result<service::PointsQuery> Query(const std::string& city, const std::string& date, bool no_recognition) {
  service::PointsQuery q;
  q.city = city;
  q.recognition = !no_recognition;
  if (!date.empty()) {
    q.date = ParseIsoDate(date);
    if (!q.date) {
      return MakeError(ErrorKind::kInvalidArgument, "points.bad_date", "--date must be a date like 2026-01-31.",
                       "--date 须为 2026-01-31 这样的日期。", "date");
    }
  }
  return q;
}

}  // namespace

PointsCommand::PointsCommand(CLI::App& app) {
  points_ = app.add_subcommand(
      "points", "Explained points (积分) of a person from a node's database; `points calc` for the calculator");
  points_->require_subcommand(0, 1);
  points_->add_option("--citizen-id", citizen_id_, "The person's citizen ID (公民身份号码)");
  points_->add_option("--city", city_, "City whose points table to use (default: the node's city)");
  points_->add_option("--date", date_, "Date to score on, YYYY-MM-DD (default: today)");
  points_->add_flag("--no-recognition", no_recognition_, "Score as if no mutual-recognition agreement existed");
  points_->add_option("--db", db_, "SQLite database (overrides the configuration)");
  points_->add_option("--config", config_, "TOML configuration file")->check(CLI::ExistingFile);

  calc_ = points_->add_subcommand(
      "calc", "Points calculator (积分模拟测算): score facts given in a profile file; stores nothing");
  calc_->add_option("--city", calc_city_, "City whose points table to use (default: the configured node city)");
  calc_->add_option("--date", calc_date_, "Date to score on, YYYY-MM-DD (default: today)");
  calc_->add_option("--profile", profile_file_, "Profile JSON (docs/points-profile.schema.json)")
      ->required()
      ->check(CLI::ExistingFile);
  calc_->add_option("--policies", policies_dir_, "Policy directory (default: as the node, [policies] dir)");
  calc_->add_option("--config", calc_config_, "TOML configuration file (for the city and policy directory)")
      ->check(CLI::ExistingFile);
  calc_->add_flag("--no-recognition", calc_no_recognition_, "Score as if no mutual-recognition agreement existed");
}

int PointsCommand::Run() const {
  if (calc_->parsed()) return Calculate();
  return ForPerson();
}

int PointsCommand::Calculate() const {
  auto cfg = Configuration(calc_config_);
  if (!cfg.ok()) return PrintError(cfg.error(), 2);
  const std::string dir = policies_dir_.empty() ? cfg->policies_dir : policies_dir_;
  auto policies = policy::LoadPolicyDir(dir);
  if (!policies.ok()) return PrintError(policies.error(), 2);
  auto query = Query(calc_city_, calc_date_, calc_no_recognition_);
  if (!query.ok()) return PrintError(query.error(), 1);
  auto text = app::ReadTextFile(profile_file_);
  if (!text.ok()) return PrintError(text.error(), 1);
  const nlohmann::json profile = nlohmann::json::parse(*text, nullptr, false);
  if (profile.is_discarded()) {
    return PrintError(MakeError(ErrorKind::kInvalidArgument, "profile.invalid", profile_file_ + " is not valid JSON.",
                                profile_file_ + " 不是有效的 JSON。"),
                      1);
  }
  SystemClock clock;
  auto report = service::CalculatePoints(*policies, profile, *query, cfg->city, clock.Today());
  if (!report.ok()) {
    return PrintError(report.error(), ExitFor(report.error()));
  }
  std::cout << report->dump(2) << "\n";
  return 0;
}

int PointsCommand::ForPerson() const {
  if (citizen_id_.empty()) {
    return PrintError(MakeError(ErrorKind::kInvalidArgument, "points.usage",
                                "Give --citizen-id ID, or use `epermit points calc --profile FILE.json`.",
                                "请给出 --citizen-id，或使用 `epermit points calc --profile 文件.json`。"),
                      1);
  }
  auto query = Query(city_, date_, no_recognition_);
  if (!query.ok()) return PrintError(query.error(), 1);
  auto cfg = Configuration(config_);
  if (!cfg.ok()) return PrintError(cfg.error(), 2);
  if (!db_.empty()) cfg->db_path = db_;
  if (!std::filesystem::exists(cfg->db_path)) {
    return PrintError(
        MakeError(ErrorKind::kNotFound, "db", "No database at " + cfg->db_path, "找不到数据库 " + cfg->db_path), 2);
  }
  auto policies = policy::LoadPolicyDir(cfg->policies_dir);
  if (!policies.ok()) return PrintError(policies.error(), 2);
  SystemClock clock;
  // Read only: the database is neither migrated nor written.
  auto store = app::OpenNodeStore(*cfg, cfg->db_path, false, 1, clock.UnixSeconds());
  if (!store.ok()) return PrintError(store.error(), 2);
  service::IdGenerator ids;
  const service::NodeContext ctx{store->get(), &*policies, &clock, cfg->city, &ids};
  const service::PointsService points(ctx);
  auto report = points.ForPerson(citizen_id_, *query);
  if (!report.ok()) return PrintError(report.error(), ExitFor(report.error()));
  std::cout << report->dump(2) << "\n";
  return 0;
}

}  // namespace epermit::cli
