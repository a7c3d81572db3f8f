// Signing in and out, and the signed-in account itself (/api/v1/auth/*, /api/v1/me*).
#include "domain/citizen_id.hpp"
#include "http/auth_guard.hpp"
#include "http/handlers/handlers.hpp"
#include "http/json_body.hpp"

namespace epermit::http {
namespace {

nlohmann::json AccountJson(const auth::Principal& p, bool totp_enabled) {
  nlohmann::json j = {{"id", p.account_id},
                      {"username", p.username},
                      {"role", domain::RoleName(p.role)},
                      {"city", p.city},
                      {"totp_enabled", totp_enabled}};
  if (!p.citizen_id.empty()) j["citizen_id"] = domain::MaskCitizenId(p.citizen_id);
  if (!p.record_kinds.empty()) j["record_kinds"] = p.record_kinds;
  return j;
}

// What a bearer token allows, named for the client: its role, and a department's kinds.
std::string ScopeOf(const auth::Principal& p) {
  std::string scope(domain::RoleName(p.role));
  for (const std::string& kind : p.record_kinds) scope += " records:" + kind;
  return scope;
}

std::string SessionCookie(const std::string& value, int64_t max_age) {
  return std::string(kSessionCookie) + "=" + value + "; Path=/; Max-Age=" + std::to_string(max_age) +
         "; HttpOnly; Secure; SameSite=Strict";
}

}  // namespace

void AddAuthRoutes(Router& router, const ApiServices& api) {
  router.Add("POST", "/api/v1/auth/login", [&api](HttpRequest& req) {
    auto body = ParseJsonBody(req.body);
    if (!body.ok()) return Problem(req, body.error());
    Status s = RejectUnknownFields(*body, {"username", "password", "totp", "session"});
    if (!s.ok()) return Problem(req, s.error());
    service::LoginInput in;
    auto username = RequireString(*body, "username", 64);
    if (!username.ok()) return Problem(req, username.error());
    auto password = RequireString(*body, "password", 512);
    if (!password.ok()) return Problem(req, password.error());
    auto totp = OptionalString(*body, "totp", 6);
    if (!totp.ok()) return Problem(req, totp.error());
    auto session = OptionalString(*body, "session", 6);
    if (!session.ok()) return Problem(req, session.error());
    if (*session && **session != "cookie" && **session != "bearer") {
      return Problem(req, MakeError(ErrorKind::kInvalidArgument, "field.enum", "'session' is cookie or bearer.",
                                    "session 只能为 cookie 或 bearer。", "session"));
    }
    in.username = *username;
    in.password = *password;
    in.totp_code = totp->value_or("");
    in.bearer = *session && **session == "bearer";
    auto out = api.sessions->Login(in, req.remote_addr);
    if (!out.ok()) {
      HttpResponse r = Problem(req, out.error());
      if (out.error().code == "auth.rate_limited") {
        r.headers.emplace_back("Retry-After",
                               std::to_string(std::max<int64_t>(1, api.sessions->RetryAfter(req.remote_addr))));
      }
      return r;
    }
    const int64_t expires_in = out->expires_at - api.clock->UnixSeconds();
    HttpResponse r;
    if (in.bearer) {
      r = JsonResponse(200, {{"access_token", out->token},
                             {"token_type", "Bearer"},
                             {"expires_in", expires_in},
                             {"scope", ScopeOf(out->principal)},
                             {"account", AccountJson(out->principal, out->totp_enabled)}});
    } else {
      r = JsonResponse(200, {{"csrf_token", out->csrf_token},
                             {"expires_in", expires_in},
                             {"account", AccountJson(out->principal, out->totp_enabled)}});
      r.headers.emplace_back("Set-Cookie", SessionCookie(out->token, expires_in));
    }
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  });

  router.Add("POST", "/api/v1/auth/logout", [&api](HttpRequest& req) {
    Status s = api.sessions->Logout(*req.principal);
    if (!s.ok()) return Problem(req, s.error());
    HttpResponse r = NoContentResponse();
    if (!req.principal->bearer) r.headers.emplace_back("Set-Cookie", SessionCookie("", 0));
    return r;
  });

  router.Add("GET", "/api/v1/me", [&api](HttpRequest& req) {
    auto account = api.sessions->Account(*req.principal);
    if (!account.ok()) return Problem(req, account.error());
    return JsonResponse(200, AccountJson(*req.principal, !account->totp_secret.empty()));
  });

  router.Add("POST", "/api/v1/me/password", [&api](HttpRequest& req) {
    auto body = ParseJsonBody(req.body);
    if (!body.ok()) return Problem(req, body.error());
    Status s = RejectUnknownFields(*body, {"current_password", "new_password"});
    if (!s.ok()) return Problem(req, s.error());
    auto current = RequireString(*body, "current_password", 512);
    if (!current.ok()) return Problem(req, current.error());
    auto next = RequireString(*body, "new_password", 512);
    if (!next.ok()) return Problem(req, next.error());
    s = api.sessions->ChangePassword(*req.principal, *current, *next);
    if (!s.ok()) return Problem(req, s.error());
    HttpResponse r = NoContentResponse();
    if (!req.principal->bearer) r.headers.emplace_back("Set-Cookie", SessionCookie("", 0));
    return r;
  });

  router.Add("POST", "/api/v1/me/totp", [&api](HttpRequest& req) {
    auto out = api.sessions->StartTotp(*req.principal);
    if (!out.ok()) return Problem(req, out.error());
    HttpResponse r = JsonResponse(200, {{"secret", out->secret_base32}, {"otpauth_uri", out->otpauth_uri}});
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  });

  router.Add("POST", "/api/v1/me/totp/confirm", [&api](HttpRequest& req) {
    auto body = ParseJsonBody(req.body);
    if (!body.ok()) return Problem(req, body.error());
    Status s = RejectUnknownFields(*body, {"code"});
    if (!s.ok()) return Problem(req, s.error());
    auto code = RequireString(*body, "code", 6);
    if (!code.ok()) return Problem(req, code.error());
    s = api.sessions->ConfirmTotp(*req.principal, *code);
    if (!s.ok()) return Problem(req, s.error());
    return NoContentResponse();
  });
}

}  // namespace epermit::http
