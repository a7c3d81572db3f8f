#include "cli/user_command.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/data_key_file.hpp"
#include "auth/totp.hpp"
#include "cli/cli_util.hpp"
#include "common/clock.hpp"
#include "service/account_admin.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace epermit::cli {
namespace {

std::vector<std::string> SplitComma(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

nlohmann::json SecretsJson(const service::IssuedSecrets& s) {
  nlohmann::json j = {
      {"username", s.account.username}, {"role", domain::RoleName(s.account.role)}, {"city", s.account.city}};
  if (!s.password.empty()) j["password"] = s.password;
  if (!s.totp_secret.empty()) {
    j["totp_secret"] = auth::Base32Encode(s.totp_secret);
    j["otpauth_uri"] = s.otpauth_uri;
  }
  return j;
}

// One account of an import file's line, or why the line is not one.
Result<service::NewAccountInput> ImportLine(const std::string& line, size_t line_no) {
  auto bad = [&](const std::string& en, const std::string& zh) {
    return MakeError(ErrorKind::kInvalidArgument, "account.import_line", "Line " + std::to_string(line_no) + ": " + en,
                     "第 " + std::to_string(line_no) + " 行：" + zh, "line " + std::to_string(line_no));
  };
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (!j.is_object()) return bad("not a JSON object.", "不是 JSON 对象。");
  service::NewAccountInput in;
  try {
    in.username = j.value("username", "");
    const std::string role = j.value("role", "");
    auto parsed = domain::RoleFromName(role);
    if (!parsed) return bad("unknown role '" + role + "'.", "未知角色：" + role + "。");
    in.role = *parsed;
    in.citizen_id = j.value("citizen_id", "");
    in.record_kinds = j.value("kinds", std::vector<std::string>{});
    in.city = j.value("city", "");
    in.password = j.value("password", "");
  } catch (const nlohmann::json::exception&) {
    return bad("a field has the wrong type.", "字段类型错误。");
  }
  return in;
}

}  // namespace

UserCommand::UserCommand(CLI::App& app) {
  user_ = app.add_subcommand("user", "Accounts: add, reset, disable (operators); totp-code");
  user_->require_subcommand(1);
  add_ =
      user_->add_subcommand("add", "Create an account; prints its generated password (and staff's TOTP secret) once");
  import_ = user_->add_subcommand(
      "import",
      "Create many accounts from a file of JSON lines {username, role, citizen_id, kinds, city, password}; "
      "prints one JSON line per account created and stops at the first bad line, naming it");
  import_->add_option("--config", config_, "TOML configuration file")->check(CLI::ExistingFile);
  import_->add_option("--db", db_, "SQLite database (overrides the configuration)");
  import_->add_option("--by", operator_, "Who is doing this, for the history")->capture_default_str();
  import_->add_option("FILE", import_file_, "JSON lines file")->required()->check(CLI::ExistingFile);
  reset_ = user_->add_subcommand("reset", "New generated password, unlock, end every session");
  disable_ = user_->add_subcommand("disable", "Refuse every later sign-in and end every session");
  for (auto* sub : {add_, reset_, disable_}) {
    sub->add_option("--config", config_, "TOML configuration file")->check(CLI::ExistingFile);
    sub->add_option("--db", db_, "SQLite database (overrides the configuration)");
    sub->add_option("--username", username_, "User name (3-64 of a-z 0-9 . _ -)")->required();
    sub->add_option("--by", operator_, "Who is doing this, for the history")->capture_default_str();
  }
  add_->add_option("--role", role_,
                   "resident, community_worker, reviewer, verifier, department, policy_admin or operator")
      ->required();
  add_->add_option("--citizen-id", citizen_id_, "A resident's citizen ID (required for residents)");
  add_->add_option("--kinds", kinds_, "A department client's record kinds, comma-separated (e.g. social_insurance)");
  add_->add_option("--city", city_, "The city the account serves (default: the node's)");
  add_->add_flag("--password-stdin", password_stdin_, "Read the password from stdin instead of generating one");
  reset_->add_flag("--totp", new_totp_, "Also issue a new second-factor secret (lost phone)");
  code_ = user_->add_subcommand("totp-code", "Print the current 6-digit TOTP code of a base32 secret (demo, tests)");
  code_->add_option("SECRET", secret_, "Base32 secret")->required();
}

int UserCommand::Run() const {
  if (code_->parsed()) {
    auto raw = auth::Base32Decode(secret_);
    if (!raw || raw->empty()) {
      return PrintError(MakeError(ErrorKind::kInvalidArgument, "totp.bad_secret", "The secret is not base32.",
                                  "密钥不是 base32 编码。"),
                        1);
    }
    SystemClock clock;
    std::cout << auth::Totp(*raw, clock.UnixSeconds()) << "\n";
    return 0;
  }
  auto cfg = Configuration(config_);
  if (!cfg.ok()) return PrintError(cfg.error(), 2);
  if (!db_.empty()) cfg->db_path = db_;
  SystemClock clock;
  auto store = app::OpenNodeStore(*cfg, cfg->db_path, true, 1, clock.UnixSeconds());
  if (!store.ok()) return PrintError(store.error(), 2);
  service::IdGenerator ids;
  service::NodeContext ctx{store->get(), nullptr, &clock, cfg->city, &ids};
  auth::PasswordHasher hasher(1, std::chrono::seconds(30));
  service::AccountAdmin admin(ctx, &hasher);
  const service::Actor actor{"operator:" + operator_};

  if (add_->parsed()) {
    service::NewAccountInput in;
    in.username = username_;
    auto role = domain::RoleFromName(role_);
    if (!role) {
      return PrintError(MakeError(ErrorKind::kInvalidArgument, "account.bad_role", "Unknown role '" + role_ + "'.",
                                  "未知角色：" + role_ + "。", "role"),
                        1);
    }
    in.role = *role;
    in.citizen_id = citizen_id_;
    in.record_kinds = SplitComma(kinds_);
    in.city = city_;
    if (password_stdin_) std::getline(std::cin, in.password);
    if (in.role == domain::Role::kResident && in.citizen_id.empty()) {
      return PrintError(
          MakeError(ErrorKind::kInvalidArgument, "account.citizen_id_required",
                    "A resident account needs --citizen-id.", "居民账户须提供 --citizen-id。", "citizen_id"),
          1);
    }
    auto out = admin.Add(in, actor);
    if (!out.ok()) return PrintError(out.error(), 1);
    std::cout << SecretsJson(*out).dump(2) << "\n";
    return 0;
  }
  if (import_->parsed()) {
    std::ifstream in(import_file_);
    std::string line;
    size_t line_no = 0;
    size_t created = 0;
    while (std::getline(in, line)) {
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto input = ImportLine(line, line_no);
      if (!input.ok()) return PrintError(input.error(), 1);
      auto out = admin.Add(*input, actor);
      if (!out.ok()) {
        Error e = out.error();
        e.message_en = "Line " + std::to_string(line_no) + " (" + std::to_string(created) +
                       " accounts before it were created): " + e.message_en;
        e.message_zh = "第 " + std::to_string(line_no) + " 行（此前 " + std::to_string(created) + " 个账户已创建）：" +
                       e.message_zh;
        return PrintError(e, 1);
      }
      ++created;
      std::cout << SecretsJson(*out).dump() << "\n";
    }
    return 0;
  }
  if (reset_->parsed()) {
    auto out = admin.Reset(username_, new_totp_, actor);
    if (!out.ok()) return PrintError(out.error(), 1);
    std::cout << SecretsJson(*out).dump(2) << "\n";
    return 0;
  }
  Status s = admin.Disable(username_, actor);
  if (!s.ok()) return PrintError(s.error(), 1);
  std::cout << nlohmann::json{{"username", username_}, {"disabled", true}}.dump() << "\n";
  return 0;
}

}  // namespace epermit::cli
