// The guard every routed request passes: finds the route's line in the access table
// (auth/access_policy), authenticates the caller (a bearer token, or the session cookie
// plus the CSRF token on anything but GET/HEAD), refuses a role the line does not list,
// lets a community worker act for a resident under a confirmed assist (X-Assist-Id), fails
// closed when a handler on a person's data answered without checking whose, and writes the
// access log entries of a request that succeeded on someone else's data.
#pragma once

#include <string>
#include <string_view>

#include "http/router.hpp"
#include "service/access_log.hpp"
#include "service/assist_service.hpp"
#include "service/session_service.hpp"

namespace epermit::http {

inline constexpr std::string_view kSessionCookie = "epermit_session";
// The header a community worker sends to act under a confirmed assist (service/assist_service).
inline constexpr std::string_view kAssistHeader = "X-Assist-Id";

// The value of cookie `name` in a Cookie header (RFC 6265 section 4.2.1), or "".
std::string CookieValue(std::string_view header, std::string_view name);

class AuthGuard final : public RequestGuard {
 public:
  // `assists` and `access_log` may be null (tests of the guard alone).
  AuthGuard(service::SessionService* sessions, std::string node_city, service::AssistService* assists = nullptr,
            service::AccessLog* access_log = nullptr)
      : sessions_(sessions), node_city_(std::move(node_city)), assists_(assists), access_log_(access_log) {}

  std::optional<HttpResponse> Before(HttpRequest& req, std::string_view method,
                                     std::string_view pattern) const override;
  void After(const HttpRequest& req, HttpResponse& response) const override;

 private:
  service::SessionService* sessions_;
  std::string node_city_;
  service::AssistService* assists_;
  service::AccessLog* access_log_;
};

}  // namespace epermit::http
