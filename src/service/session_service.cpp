#include "service/session_service.hpp"

#include <sodium.h>

#include <nlohmann/json.hpp>

#include "auth/totp.hpp"
#include "credential/jws.hpp"

namespace epermit::service {
namespace {

constexpr std::string_view kTokenPrefix = "ept_";

Error BadCredentials() {
  return MakeError(ErrorKind::kUnauthorized, "auth.bad_credentials", "The user name or password is wrong.",
                   "用户名或密码错误。");
}

Error SessionInvalid() {
  return MakeError(ErrorKind::kUnauthorized, "auth.session_invalid", "Please sign in.", "请先登录。");
}

Error SessionExpired() {
  return MakeError(ErrorKind::kUnauthorized, "auth.session_expired", "Your session has ended; please sign in again.",
                   "会话已过期，请重新登录。");
}

std::string NewToken() {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  return std::string(kTokenPrefix) +
         credential::Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
}

domain::HistoryEntry SignInHistory(const domain::Account& a, std::string action, int64_t at) {
  domain::HistoryEntry e;
  e.entity_type = "account";
  e.entity_id = std::to_string(a.id);
  e.action = std::move(action);
  e.actor = std::string(domain::RoleName(a.role)) + ":" + a.username;
  e.at = at;
  return e;
}

}  // namespace

std::string SessionTokenHash(std::string_view token) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

auth::Principal PrincipalOf(const domain::Account& a) {
  auth::Principal p;
  p.account_id = a.id;
  p.username = a.username;
  p.role = a.role;
  p.citizen_id = a.citizen_id;
  p.city = a.city;
  p.record_kinds = a.record_kinds;
  return p;
}

SessionService::SessionService(NodeContext ctx, auth::PasswordHasher* hasher, AuthSettings settings)
    : ctx_(ctx), hasher_(hasher), settings_(settings), limiter_(settings.login_attempts_per_minute, 60) {}

int64_t SessionService::RetryAfter(const std::string& remote_addr) const {
  return limiter_.RetryAfter(remote_addr, ctx_.clock->UnixSeconds());
}

Status SessionService::RecordFailure(domain::Account account, int64_t now) {
  // Counted on the row as it is now, not as this sign-in read it: parallel failures all count,
  // and a reset or disabling done meanwhile is not undone.
  return ctx_.store->Write(store::Durability::kNormal, [&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(auto fresh, tx.FindAccountById(account.id));
    if (!fresh) return Status::Ok();
    account = *fresh;
    account.failed_logins += 1;
    const bool lock = account.failed_logins >= settings_.lockout_threshold;
    if (lock) {
      account.failed_logins = 0;
      account.locked_until = now + settings_.lockout_seconds;
    }
    account.updated_at = now;
    EPERMIT_RETURN_IF_ERROR(tx.UpdateAccount(account));
    return tx.AppendHistory(SignInHistory(account, lock ? "locked" : "sign_in_failed", now));
  });
}

Result<LoginResult> SessionService::Login(const LoginInput& in, const std::string& remote_addr) {
  const int64_t now = ctx_.clock->UnixSeconds();
  if (!limiter_.Allow(remote_addr, now)) {
    return MakeError(ErrorKind::kRateLimited, "auth.rate_limited",
                     "Too many sign-in attempts from this address; please wait a minute.",
                     "该地址登录尝试过于频繁，请一分钟后再试。");
  }
  std::optional<domain::Account> found;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(found, tx.FindAccount(in.username));
    return Status::Ok();
  }));
  if (!found) {
    EPERMIT_RETURN_IF_ERROR(hasher_->VerifyDummy(in.password));
    return BadCredentials();
  }
  domain::Account a = *found;
  if (a.locked_until > now) {
    return MakeError(ErrorKind::kRateLimited, "auth.locked",
                     "Too many failed sign-ins: this account is locked for a while. Try again later or ask an "
                     "operator to reset it.",
                     "登录失败次数过多，账户已暂时锁定。请稍后再试，或请管理员重置。");
  }
  EPERMIT_ASSIGN_OR_RETURN(bool password_ok, hasher_->Verify(a.password_hash, in.password));
  if (!password_ok || a.disabled) {
    if (!a.disabled) EPERMIT_RETURN_IF_ERROR(RecordFailure(a, now));
    return BadCredentials();
  }
  if (domain::IsClient(a.role) && !in.bearer) {
    return MakeError(ErrorKind::kInvalidArgument, "auth.client_needs_bearer",
                     "Verifier and department clients sign in for a bearer token (\"session\": \"bearer\").",
                     "核验方与部门客户端须申请 bearer 令牌（\"session\": \"bearer\"）。", "session");
  }
  if (a.totp_secret.empty() && domain::IsStaff(a.role)) {
    return MakeError(ErrorKind::kForbidden, "auth.totp_not_enrolled",
                     "Staff accounts need a second factor; ask an operator to reset this account with one.",
                     "工作人员账户须启用双因素认证，请管理员重置账户并启用。");
  }
  if (!a.totp_secret.empty()) {
    if (in.totp_code.empty()) {
      return MakeError(ErrorKind::kUnauthorized, "auth.totp_required",
                       "Enter the 6-digit code from your authenticator app.", "请输入验证器应用中的 6 位动态码。",
                       "totp");
    }
    auto step = auth::MatchTotp(a.totp_secret, in.totp_code, now);
    if (!step || *step <= a.totp_last_step) {
      EPERMIT_RETURN_IF_ERROR(RecordFailure(a, now));
      if (step) {
        return MakeError(ErrorKind::kUnauthorized, "auth.totp_replayed",
                         "This code has already been used; wait for the next one.", "该动态码已使用过，请等待下一个。",
                         "totp");
      }
      return MakeError(ErrorKind::kUnauthorized, "auth.bad_totp", "The 6-digit code is wrong.", "动态码错误。", "totp");
    }
    a.totp_last_step = *step;
  }
  LoginResult out;
  out.token = NewToken();
  domain::Session session;
  session.token_hash = SessionTokenHash(out.token);
  session.account_id = a.id;
  session.bearer = in.bearer;
  if (!in.bearer) {
    session.csrf_token = NewToken().substr(kTokenPrefix.size());
    out.csrf_token = session.csrf_token;
  }
  session.created_at = now;
  session.expires_at = now + (in.bearer ? settings_.bearer_token_seconds : settings_.cookie_session_seconds);
  out.expires_at = session.expires_at;
  const uint64_t accepted_step = a.totp_last_step;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Write(store::Durability::kNormal, [&](store::Tx& tx) -> Status {
    // The checks above ran on the row as first read, outside the writer. Whatever changed since
    // wins: a reset, a disabling or a lockout refuses this sign-in, and a code another sign-in
    // has just used is a replay.
    EPERMIT_ASSIGN_OR_RETURN(auto fresh, tx.FindAccountById(a.id));
    if (!fresh || fresh->disabled || fresh->password_hash != a.password_hash || fresh->totp_secret != a.totp_secret) {
      return BadCredentials();
    }
    if (fresh->locked_until > now) {
      return MakeError(ErrorKind::kRateLimited, "auth.locked", "This account was locked meanwhile; try again later.",
                       "账户已被锁定，请稍后再试。");
    }
    if (!a.totp_secret.empty() && accepted_step <= fresh->totp_last_step) {
      return MakeError(ErrorKind::kUnauthorized, "auth.totp_replayed",
                       "This code has already been used; wait for the next one.", "该动态码已使用过，请等待下一个。",
                       "totp");
    }
    a = *fresh;
    if (!a.totp_secret.empty()) a.totp_last_step = accepted_step;
    a.failed_logins = 0;
    a.updated_at = now;
    EPERMIT_RETURN_IF_ERROR(tx.UpdateAccount(a));
    EPERMIT_RETURN_IF_ERROR(tx.InsertSession(session));
    return tx.AppendHistory(SignInHistory(a, "signed_in", now));
  }));
  out.totp_enabled = !a.totp_secret.empty();
  out.principal = PrincipalOf(a);
  out.principal.bearer = in.bearer;
  out.principal.session_hash = session.token_hash;
  return out;
}

Result<Authenticated> SessionService::Authenticate(std::string_view token, bool bearer) {
  if (token.size() != kTokenPrefix.size() + 43 || token.substr(0, kTokenPrefix.size()) != kTokenPrefix) {
    return SessionInvalid();
  }
  const int64_t now = ctx_.clock->UnixSeconds();
  const std::string hash = SessionTokenHash(token);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(hash);
    if (it != cache_.end() && now - it->second.checked_at < settings_.session_recheck_seconds) {
      if (it->second.bearer != bearer) return SessionInvalid();
      if (it->second.expires_at <= now) {
        cache_.erase(it);
        return SessionExpired();
      }
      return it->second.auth;
    }
  }
  std::optional<domain::Session> session;
  std::optional<domain::Account> account;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(session, tx.FindSession(hash));
    if (session) {
      EPERMIT_ASSIGN_OR_RETURN(account, tx.FindAccountById(session->account_id));
    }
    return Status::Ok();
  }));
  if (!session || !account || account->disabled || session->bearer != bearer) {
    std::lock_guard<std::mutex> lock(mu_);
    cache_.erase(hash);
    return SessionInvalid();
  }
  if (session->expires_at <= now) {
    std::lock_guard<std::mutex> lock(mu_);
    cache_.erase(hash);
    return SessionExpired();
  }
  Cached entry;
  entry.auth.principal = PrincipalOf(*account);
  entry.auth.principal.bearer = bearer;
  entry.auth.principal.session_hash = hash;
  entry.auth.csrf_token = session->csrf_token;
  entry.bearer = bearer;
  entry.expires_at = session->expires_at;
  entry.checked_at = now;
  std::lock_guard<std::mutex> lock(mu_);
  if (cache_.size() > 100000) std::erase_if(cache_, [&](const auto& e) { return e.second.expires_at <= now; });
  cache_[hash] = entry;
  return entry.auth;
}

void SessionService::Forget(int64_t account_id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(cache_, [&](const auto& e) { return e.second.auth.principal.account_id == account_id; });
}

Status SessionService::Logout(const auth::Principal& who) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    cache_.erase(who.session_hash);
  }
  return ctx_.store->Write(store::Durability::kNormal,
                           [&](store::Tx& tx) -> Status { return tx.DeleteSession(who.session_hash); });
}

Result<domain::Account> SessionService::Account(const auth::Principal& who) {
  std::optional<domain::Account> found;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(found, tx.FindAccountById(who.account_id));
    return Status::Ok();
  }));
  if (!found) return SessionInvalid();
  return *found;
}

Status SessionService::ChangePassword(const auth::Principal& who, const std::string& current, const std::string& next) {
  EPERMIT_ASSIGN_OR_RETURN(domain::Account a, Account(who));
  EPERMIT_ASSIGN_OR_RETURN(bool ok, hasher_->Verify(a.password_hash, current));
  const int64_t now = ctx_.clock->UnixSeconds();
  if (!ok) {
    EPERMIT_RETURN_IF_ERROR(RecordFailure(a, now));
    return MakeError(ErrorKind::kUnauthorized, "auth.bad_password", "The current password is wrong.", "当前密码错误。",
                     "current_password");
  }
  EPERMIT_RETURN_IF_ERROR(auth::CheckNewPassword(next, a.username));
  EPERMIT_ASSIGN_OR_RETURN(a.password_hash, hasher_->Hash(next));
  a.updated_at = now;
  Forget(a.id);
  return ctx_.store->Write(store::Durability::kFull, [&](store::Tx& tx) -> Status {
    EPERMIT_RETURN_IF_ERROR(tx.UpdateAccount(a));
    // Other sessions may belong to whoever knew the old password.
    EPERMIT_RETURN_IF_ERROR(tx.DeleteSessionsOf(a.id).status());
    return tx.AppendHistory(SignInHistory(a, "password_changed", now));
  });
}

Result<TotpEnrollment> SessionService::StartTotp(const auth::Principal& who) {
  EPERMIT_ASSIGN_OR_RETURN(domain::Account a, Account(who));
  a.totp_pending = auth::NewTotpSecret();
  a.updated_at = ctx_.clock->UnixSeconds();
  EPERMIT_RETURN_IF_ERROR(
      ctx_.store->Write(store::Durability::kNormal, [&](store::Tx& tx) -> Status { return tx.UpdateAccount(a); }));
  return TotpEnrollment{auth::Base32Encode(a.totp_pending),
                        auth::OtpAuthUri("epermit " + a.city, a.username, a.totp_pending)};
}

Status SessionService::ConfirmTotp(const auth::Principal& who, const std::string& code) {
  EPERMIT_ASSIGN_OR_RETURN(domain::Account a, Account(who));
  if (a.totp_pending.empty()) {
    return MakeError(ErrorKind::kFailedPrecondition, "auth.totp_not_started",
                     "Start two-factor enrolment first (POST /api/v1/me/totp).", "请先开始双因素认证登记。");
  }
  const int64_t now = ctx_.clock->UnixSeconds();
  auto step = auth::MatchTotp(a.totp_pending, code, now);
  if (!step) {
    return MakeError(ErrorKind::kInvalidArgument, "auth.bad_totp", "The 6-digit code is wrong.", "动态码错误。",
                     "code");
  }
  a.totp_secret = a.totp_pending;
  a.totp_pending.clear();
  a.totp_last_step = *step;
  a.updated_at = now;
  return ctx_.store->Write(store::Durability::kFull, [&](store::Tx& tx) -> Status {
    EPERMIT_RETURN_IF_ERROR(tx.UpdateAccount(a));
    return tx.AppendHistory(SignInHistory(a, "totp_enabled", now));
  });
}

}  // namespace epermit::service
