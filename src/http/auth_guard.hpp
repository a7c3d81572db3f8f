// The guard every routed request passes: finds the route's line in the access table
// (auth/access_policy), authenticates the caller (a bearer token, or the session cookie
// plus the CSRF token on anything but GET/HEAD), refuses a role the line does not list,
// and fails closed when a handler on a person's data answered without checking whose.
#pragma once

#include <string>
#include <string_view>

#include "http/router.hpp"
#include "service/session_service.hpp"

namespace epermit::http {

inline constexpr std::string_view kSessionCookie = "epermit_session";

// The value of cookie `name` in a Cookie header (RFC 6265 section 4.2.1), or "".
std::string CookieValue(std::string_view header, std::string_view name);

class AuthGuard final : public RequestGuard {
 public:
  AuthGuard(service::SessionService* sessions, std::string node_city)
      : sessions_(sessions), node_city_(std::move(node_city)) {}

  std::optional<HttpResponse> Before(HttpRequest& req, std::string_view method,
                                     std::string_view pattern) const override;
  void After(const HttpRequest& req, HttpResponse& response) const override;

 private:
  service::SessionService* sessions_;
  std::string node_city_;
};

}  // namespace epermit::http
