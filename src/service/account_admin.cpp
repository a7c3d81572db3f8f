#include "service/account_admin.hpp"

#include <sodium.h>

#include <nlohmann/json.hpp>

#include "auth/totp.hpp"
#include "domain/citizen_id.hpp"
#include "domain/model.hpp"

namespace epermit::service {
namespace {

Error NoSuchAccount() {
  return MakeError(ErrorKind::kNotFound, "account.not_found", "No account has this user name.", "没有该用户名的账户。",
                   "username");
}

domain::HistoryEntry AccountHistory(const domain::Account& a, std::string action, const Actor& actor, int64_t at) {
  domain::HistoryEntry e;
  e.entity_type = "account";
  e.entity_id = std::to_string(a.id);
  e.action = std::move(action);
  e.actor = actor.id;
  e.at = at;
  e.detail_json = nlohmann::json{{"role", domain::RoleName(a.role)}}.dump();
  return e;
}

}  // namespace

std::string GeneratePassword() {
  std::string raw(13, '\0');
  randombytes_buf(raw.data(), raw.size());
  return auth::Base32Encode(raw).substr(0, 20);
}

Status CheckUsername(const std::string& username) {
  const auto bad = [] {
    return MakeError(ErrorKind::kInvalidArgument, "account.bad_username",
                     "A user name is 3 to 64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit.",
                     "用户名为 3 至 64 个字符（a-z、0-9、.、_、-），须以字母或数字开头。", "username");
  };
  if (username.size() < 3 || username.size() > 64) return bad();
  for (size_t i = 0; i < username.size(); ++i) {
    const char c = username[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) return bad();
  }
  return Status::Ok();
}

Result<domain::Account> AccountAdmin::Find(store::Tx& tx, const std::string& username) {
  EPERMIT_ASSIGN_OR_RETURN(auto found, tx.FindAccount(username));
  if (!found) return NoSuchAccount();
  return *found;
}

Result<IssuedSecrets> AccountAdmin::Add(const NewAccountInput& in, const Actor& actor) {
  EPERMIT_RETURN_IF_ERROR(CheckUsername(in.username));
  domain::Account a;
  a.username = in.username;
  a.role = in.role;
  a.city = in.city.empty() ? ctx_.city : in.city;
  if (in.role == domain::Role::kResident) {
    EPERMIT_RETURN_IF_ERROR(domain::ParseCitizenId(in.citizen_id, ctx_.clock->Today()).status());
    a.citizen_id = in.citizen_id;
  } else if (!in.citizen_id.empty()) {
    return MakeError(ErrorKind::kInvalidArgument, "account.citizen_id_not_resident",
                     "Only a resident account is bound to a citizen ID.", "只有居民账户绑定公民身份号码。",
                     "citizen_id");
  }
  if (in.role == domain::Role::kDepartment) {
    if (in.record_kinds.empty()) {
      return MakeError(ErrorKind::kInvalidArgument, "account.kinds_required",
                       "A department client must name the record kinds it may write.",
                       "部门客户端须指明可写入的记录种类。", "record_kinds");
    }
    for (const std::string& kind : in.record_kinds) {
      if (!domain::ParseRecordKind(kind)) {
        return MakeError(ErrorKind::kInvalidArgument, "account.bad_kind", "Unknown record kind '" + kind + "'.",
                         "未知的记录种类：" + kind + "。", "record_kinds");
      }
    }
    a.record_kinds = in.record_kinds;
  } else if (!in.record_kinds.empty()) {
    return MakeError(ErrorKind::kInvalidArgument, "account.kinds_not_department",
                     "Only a department client has record kinds.", "只有部门客户端有记录种类。", "record_kinds");
  }
  IssuedSecrets out;
  const std::string password = in.password.empty() ? GeneratePassword() : in.password;
  EPERMIT_RETURN_IF_ERROR(auth::CheckNewPassword(password, a.username));
  if (in.password.empty()) out.password = password;
  EPERMIT_ASSIGN_OR_RETURN(a.password_hash, hasher_->Hash(password));
  if (domain::IsStaff(a.role)) {
    a.totp_secret = auth::NewTotpSecret();
    out.totp_secret = a.totp_secret;
    out.otpauth_uri = auth::OtpAuthUri("epermit " + a.city, a.username, a.totp_secret);
  }
  a.created_at = a.updated_at = ctx_.clock->UnixSeconds();
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Write(store::Durability::kFull, [&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(a.id, tx.InsertAccount(a));
    return tx.AppendHistory(AccountHistory(a, "created", actor, a.created_at));
  }));
  out.account = a;
  return out;
}

Result<IssuedSecrets> AccountAdmin::Reset(const std::string& username, bool new_totp, const Actor& actor) {
  IssuedSecrets out;
  out.password = GeneratePassword();
  EPERMIT_ASSIGN_OR_RETURN(std::string hash, hasher_->Hash(out.password));
  const int64_t now = ctx_.clock->UnixSeconds();
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Write(store::Durability::kFull, [&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(domain::Account a, Find(tx, username));
    a.password_hash = hash;
    a.failed_logins = 0;
    a.locked_until = 0;
    if (new_totp) {
      a.totp_secret = auth::NewTotpSecret();
      a.totp_pending.clear();
      a.totp_last_step = 0;
      out.totp_secret = a.totp_secret;
      out.otpauth_uri = auth::OtpAuthUri("epermit " + a.city, a.username, a.totp_secret);
    }
    a.updated_at = now;
    EPERMIT_RETURN_IF_ERROR(tx.UpdateAccount(a));
    EPERMIT_RETURN_IF_ERROR(tx.DeleteSessionsOf(a.id).status());
    out.account = a;
    return tx.AppendHistory(AccountHistory(a, new_totp ? "reset_with_totp" : "reset", actor, now));
  }));
  return out;
}

Status AccountAdmin::Disable(const std::string& username, const Actor& actor) {
  const int64_t now = ctx_.clock->UnixSeconds();
  return ctx_.store->Write(store::Durability::kFull, [&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(domain::Account a, Find(tx, username));
    a.disabled = true;
    a.updated_at = now;
    EPERMIT_RETURN_IF_ERROR(tx.UpdateAccount(a));
    EPERMIT_RETURN_IF_ERROR(tx.DeleteSessionsOf(a.id).status());
    return tx.AppendHistory(AccountHistory(a, "disabled", actor, now));
  });
}

}  // namespace epermit::service
