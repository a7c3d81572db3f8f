// Method + path-pattern routing for the JSON API. Patterns are matched segment by
// segment; "{name}" segments capture a percent-decoded, non-empty path parameter.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/http_types.hpp"

namespace epermit::http {

using Handler = std::function<HttpResponse(HttpRequest&)>;

// Decodes %XX escapes (and '+' as space when plus_as_space, as in query strings).
// nullopt on a malformed escape.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_as_space);

// Runs around every routed request: authentication and the access table (http/auth_guard).
class RequestGuard {
 public:
  virtual ~RequestGuard() = default;
  // After routing, before the handler, with the matched route's method and pattern: nullopt
  // lets the handler run; a response refuses the request.
  virtual std::optional<HttpResponse> Before(HttpRequest& req, std::string_view method,
                                             std::string_view pattern) const = 0;
  // On the handler's response.
  virtual void After(const HttpRequest& req, HttpResponse& response) const = 0;
};

class Router {
 public:
  // Every routed request passes `guard` (not owned; must outlive the router). None: open.
  void SetGuard(const RequestGuard* guard) { guard_ = guard; }

  // Registers `handler` for `method` (exact, e.g. "GET") and `pattern`
  // (e.g. "/api/v1/permits/{number}/endorsements"). A GET route also answers HEAD.
  // Throws std::invalid_argument for a malformed pattern or a route registered twice
  // (same method and same shape): those are wiring bugs, found at startup.
  void Add(std::string method, std::string pattern, Handler handler);

  // Splits req.target into req.path and req.query, matches a route, fills
  // req.path_params and req.route, and runs the handler. Never throws:
  //   target not in origin form, bad %-escape, control character or invalid UTF-8
  //   after decoding                      -> 400 request.bad_target / request.bad_encoding
  //   no route for the path               -> 404 route.not_found
  //   route exists for another method     -> 405 route.method_not_allowed, with Allow
  //   handler throws                      -> 500 internal (generic; details only logged)
  // When literal and parameter segments both match, the literal wins
  // ("/permits/search" before "/permits/{number}").
  HttpResponse Dispatch(HttpRequest& req) const;

  // (method, pattern) of every route, in registration order.
  std::vector<std::pair<std::string, std::string>> Routes() const;

 private:
  struct Segment {
    std::string text;  // literal text, or the parameter name
    bool is_param = false;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    Handler handler;
  };

  // Whether `route` matches the decoded path segments.
  static bool Matches(const Route& route, const std::vector<std::string>& segments);
  // True when a is more specific than b (a literal where b has a parameter, earliest first).
  static bool MoreSpecific(const Route& a, const Route& b);

  std::vector<Route> routes_;
  const RequestGuard* guard_ = nullptr;
};

}  // namespace epermit::http
