#include "http/auth_guard.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include "http/problem.hpp"

namespace epermit::http {
namespace {

bool IsSafeMethod(std::string_view method) { return method == "GET" || method == "HEAD" || method == "OPTIONS"; }

HttpResponse Refuse(const HttpRequest& req, const Error& e) {
  HttpResponse r = ProblemResponse(e, req.path);
  if (e.kind == ErrorKind::kUnauthorized) r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"epermit\"");
  return r;
}

Error Forbidden() {
  return MakeError(ErrorKind::kForbidden, "auth.forbidden", "Your account may not do this.",
                   "您的账户无权执行此操作。");
}

}  // namespace

std::string CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      std::string_view value = pair.substr(eq + 1);
      while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
      return std::string(value);
    }
  }
  return {};
}

std::optional<HttpResponse> AuthGuard::Before(HttpRequest& req, std::string_view method,
                                              std::string_view pattern) const {
  req.access = auth::FindAccess(method, pattern);
  req.principal.reset();
  req.subject_checked = false;
  if (req.access == nullptr) {
    // Every route has a line (checked at startup); a missing one is refused, never open.
    spdlog::error("no access rule for route=\"{} {}\"", method, pattern);
    return Refuse(req, Forbidden());
  }
  if (req.access->is_public) return std::nullopt;

  Result<service::Authenticated> who =
      MakeError(ErrorKind::kUnauthorized, "auth.session_invalid", "Please sign in.", "请先登录。");
  const std::string* authorization = req.Header("Authorization");
  if (authorization != nullptr) {
    if (authorization->size() < 8 || !EqualsIgnoreCase(authorization->substr(0, 7), "Bearer ")) {
      return Refuse(req, MakeError(ErrorKind::kUnauthorized, "auth.bad_authorization",
                                   "The Authorization header must be 'Bearer <token>'.",
                                   "Authorization 头须为 'Bearer <令牌>'。"));
    }
    who = sessions_->Authenticate(std::string_view(*authorization).substr(7), true);
  } else if (const std::string* cookie = req.Header("Cookie")) {
    const std::string token = CookieValue(*cookie, kSessionCookie);
    if (!token.empty()) who = sessions_->Authenticate(token, false);
    if (who.ok() && !IsSafeMethod(req.method)) {
      // A cookie comes with every request the browser makes, whoever caused it; only our
      // own page knows the CSRF token to echo.
      const std::string* csrf = req.Header("X-CSRF-Token");
      const std::string& expected = who->csrf_token;
      if (csrf == nullptr || csrf->size() != expected.size() || expected.empty() ||
          sodium_memcmp(csrf->data(), expected.data(), expected.size()) != 0) {
        return Refuse(
            req, MakeError(ErrorKind::kForbidden, "auth.csrf", "This request lacks the X-CSRF-Token of your session.",
                           "请求缺少本会话的 X-CSRF-Token。"));
      }
    }
  }
  if (!who.ok()) return Refuse(req, who.error());

  auth::Principal& principal = who->principal;
  if (const std::string* assist = req.Header(kAssistHeader)) {
    // Only a community worker acts for someone else, and only under their own live assist.
    if (principal.role != auth::Role::kCommunityWorker || assists_ == nullptr) return Refuse(req, Forbidden());
    auto acting_for = assists_->ActingFor(principal.account_id, *assist);
    if (!acting_for.ok()) return Refuse(req, acting_for.error());
    principal.on_behalf_of = *acting_for;
    principal.assist_id = *assist;
  }
  auto reach = auth::ReachOf(*req.access, principal.role);
  if (!reach) return Refuse(req, Forbidden());
  // A route on no person's data but limited to a city (the review queue) is checked here.
  if (!req.access->has_subject && *reach == auth::Reach::kCity && principal.city != node_city_) {
    return Refuse(req, Forbidden());
  }
  req.principal = principal;
  return std::nullopt;
}

void AuthGuard::After(const HttpRequest& req, HttpResponse& response) const {
  if (access_log_ != nullptr && req.access != nullptr && req.principal && response.status < 300 &&
      !req.access_notes.empty()) {
    const std::string actor = std::string(domain::RoleName(req.principal->role)) + ":" + req.principal->username;
    const bool read = IsSafeMethod(req.method);
    std::vector<service::AccessEvent> events;
    for (const auto& note : req.access_notes) {
      events.push_back({note.citizen_id, actor, read ? "read" : "change",
                        req.access->method + " " + req.access->pattern, note.fields, note.purpose, note.basis, 0});
    }
    Status logged = access_log_->Record(std::move(events));
    if (!logged.ok() && !read) {
      // A change already made stands (history records it); its answer must say so.
      spdlog::error("access log write failed after a change route=\"{} {}\": {}", req.access->method,
                    req.access->pattern, logged.error().code);
    } else if (!logged.ok()) {
      // Data whose reading cannot be logged is not handed out.
      spdlog::error("access log write failed route=\"{} {}\": {}", req.access->method, req.access->pattern,
                    logged.error().code);
      response =
          ProblemResponse(MakeError(ErrorKind::kUnavailable, "access_log.unavailable",
                                    "The access could not be logged; please retry.", "访问记录暂时无法写入，请重试。"),
                          req.path);
      return;
    }
  }
  if (req.access == nullptr || !req.access->has_subject || req.subject_checked || response.status >= 400) return;
  spdlog::error("route=\"{} {}\" answered without checking whose data it touched; refused", req.access->method,
                req.access->pattern);
  response = ProblemResponse(
      MakeError(ErrorKind::kInternal, "internal", "An internal error occurred.", "系统内部错误。"), req.path);
}

}  // namespace epermit::http
