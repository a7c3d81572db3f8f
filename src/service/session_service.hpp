// Signing in and the sessions behind every authenticated request: password (Argon2id) and
// second factor (TOTP, replay-guarded), lockout after repeated failures, a per-address rate
// limit, browser sessions (cookie + CSRF token) and bearer tokens for API clients, password
// change and second-factor enrolment for the signed-in account.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "auth/password.hpp"
#include "auth/principal.hpp"
#include "auth/rate_limiter.hpp"
#include "service/node_context.hpp"

namespace epermit::service {

struct AuthSettings {
  int lockout_threshold = 5;                  // failed attempts in a row before a lockout
  int64_t lockout_seconds = 15 * 60;          // how long a lockout lasts
  int64_t cookie_session_seconds = 8 * 3600;  // browser sessions end after this
  int64_t bearer_token_seconds = 3600;        // API tokens expire after this
  int login_attempts_per_minute = 20;         // per remote address
  int64_t session_recheck_seconds = 30;       // a cached session is re-read after this
};

struct LoginInput {
  std::string username;
  std::string password;
  std::string totp_code;  // "" when none was given
  bool bearer = false;    // a bearer token instead of a cookie session
};

struct LoginResult {
  std::string token;       // shown once: the cookie value or the bearer token
  std::string csrf_token;  // cookie sessions only
  int64_t expires_at = 0;
  bool totp_enabled = false;
  auth::Principal principal;
};

struct Authenticated {
  auth::Principal principal;
  std::string csrf_token;
};

struct TotpEnrollment {
  std::string secret_base32;
  std::string otpauth_uri;
};

// SHA-256 of a session token: what the sessions table keys on.
std::string SessionTokenHash(std::string_view token);

class SessionService {
 public:
  SessionService(NodeContext ctx, auth::PasswordHasher* hasher, AuthSettings settings);

  // kUnauthorized auth.bad_credentials (unknown user, wrong password, disabled account: one
  // answer for all), auth.totp_required, auth.bad_totp, auth.totp_replayed; kRateLimited
  // auth.locked (with retry_after) and auth.rate_limited; kInvalidArgument
  // auth.client_needs_bearer for a client asking for a cookie session.
  Result<LoginResult> Login(const LoginInput& in, const std::string& remote_addr);
  // The account behind a token of the given kind: kUnauthorized auth.session_invalid or
  // auth.session_expired.
  Result<Authenticated> Authenticate(std::string_view token, bool bearer);
  Status Logout(const auth::Principal& who);
  // Needs the current password; ends every other session.
  Status ChangePassword(const auth::Principal& who, const std::string& current, const std::string& next);
  // A new secret to put into an authenticator app; it takes effect once confirmed with a code.
  Result<TotpEnrollment> StartTotp(const auth::Principal& who);
  Status ConfirmTotp(const auth::Principal& who, const std::string& code);
  Result<domain::Account> Account(const auth::Principal& who);

  // Seconds before `remote_addr` may try to sign in again.
  int64_t RetryAfter(const std::string& remote_addr) const;

 private:
  struct Cached {
    Authenticated auth;
    bool bearer = false;
    int64_t expires_at = 0;
    int64_t checked_at = 0;
  };
  Status RecordFailure(domain::Account account, int64_t now);
  void Forget(int64_t account_id);

  NodeContext ctx_;
  auth::PasswordHasher* hasher_;
  AuthSettings settings_;
  auth::RateLimiter limiter_;
  std::mutex mu_;
  std::unordered_map<std::string, Cached> cache_;
};

auth::Principal PrincipalOf(const domain::Account& a);

}  // namespace epermit::service
