#include "cli/audit_command.hpp"

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/data_key_file.hpp"
#include "cli/cli_util.hpp"
#include "common/clock.hpp"
#include "service/audit_verifier.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace epermit::cli {

AuditCommand::AuditCommand(CLI::App& app) {
  audit_ = app.add_subcommand("audit", "The transparency log");
  audit_->require_subcommand(1);
  verify_ = audit_->add_subcommand(
      "verify",
      "Check every entry against its leaf, every signed tree head and the proofs between them; exit 0 "
      "when all hold, 1 naming the first entry altered, removed or reordered, 2 when unreadable");
  verify_->add_option("--config", config_, "TOML configuration file")->check(CLI::ExistingFile);
  verify_->add_option("--db", db_, "SQLite database (overrides the configuration)");
  verify_->add_option("--keys-dir", keys_dir_,
                      "Issuer key directory (default: the configuration's, else keys/ beside the database)");
}

int AuditCommand::Run() const {
  namespace fs = std::filesystem;
  auto cfg = Configuration(config_);
  if (!cfg.ok()) return PrintError(cfg.error(), 2);
  if (!db_.empty()) cfg->db_path = db_;
  if (!fs::exists(cfg->db_path)) {
    return PrintError(MakeError(ErrorKind::kNotFound, "db.missing", "No database at " + cfg->db_path + ".",
                                "数据库不存在：" + cfg->db_path + "。"),
                      2);
  }
  std::string keys_dir = keys_dir_;
  if (keys_dir.empty())
    keys_dir = !cfg->keys_dir.empty() ? cfg->keys_dir : (fs::path(cfg->db_path).parent_path() / "keys").string();
  if (!fs::is_directory(keys_dir)) {
    return PrintError(MakeError(ErrorKind::kNotFound, "keys.missing", "No key directory at " + keys_dir + ".",
                                "密钥目录不存在：" + keys_dir + "。"),
                      2);
  }
  auto keys = credential::KeyStore::Open(keys_dir);
  if (!keys.ok()) return PrintError(keys.error(), 2);
  SystemClock clock;
  cfg->keys_dir = keys_dir;  // the data-key file, unless configured apart, is in the same directory
  auto store = app::OpenNodeStore(*cfg, cfg->db_path, false, 1, clock.UnixSeconds());
  if (!store.ok()) return PrintError(store.error(), 2);
  auto report = service::VerifyAuditLog(**store, *keys);
  if (!report.ok()) return PrintError(report.error(), 2);
  nlohmann::json out = {{"ok", report->ok()},
                        {"entries", report->entries},
                        {"leaves", report->leaves},
                        {"not_yet_logged", report->entries > report->leaves ? report->entries - report->leaves : 0},
                        {"heads", report->heads},
                        {"proofs", report->proofs}};
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : report->findings) {
    nlohmann::json j = {{"code", f.code}, {"message_en", f.message_en}, {"message_zh", f.message_zh}};
    if (f.entry >= 0) j["entry"] = f.entry;
    findings.push_back(j);
  }
  out["findings"] = findings;
  if (!report->ok()) out["first"] = findings[0];
  std::cout << out.dump(2) << "\n";
  return report->ok() ? 0 : 1;
}

}  // namespace epermit::cli
