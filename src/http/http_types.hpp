// Plain request/response values exchanged between the Beast server and the router's
// handlers. Handlers never see Beast types, so they stay easy to test and to swap.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/access_policy.hpp"
#include "auth/principal.hpp"

namespace epermit::http {

// ASCII case-insensitive equality; HTTP field names are case-insensitive (RFC 9110 5.1).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

struct HttpRequest {
  std::string method;                              // as sent, e.g. "GET"
  std::string target;                              // origin-form request target, e.g. "/api/v1/permits?x=1"
  std::string path;                                // target without the query, still percent-encoded (set by Router)
  std::map<std::string, std::string> query;        // decoded; first occurrence wins
  std::map<std::string, std::string> path_params;  // decoded "{name}" segments
  std::string body;
  std::string content_type;  // Content-Type header value, or ""
  std::string remote_addr;   // peer IP address
  std::string request_id;    // random hex, also sent back as X-Request-Id
  std::string route;         // matched route pattern, or "" (set by Router; used by the access log)
  std::vector<std::pair<std::string, std::string>> headers;  // in arrival order
  // Set by the router's guard: the route's line of the access table, the signed-in caller
  // (none on public routes), and whether the handler checked whose data it touched.
  const auth::RouteAccess* access = nullptr;
  std::optional<auth::Principal> principal;
  bool subject_checked = false;
  // Set by the handler's reach check when someone else's data is reached: what each
  // person's access log will say, written by the guard once the request succeeded.
  struct AccessNote {
    std::string citizen_id;
    std::vector<std::string> fields;
    std::string purpose;
    std::string basis;
  };
  std::vector<AccessNote> access_notes;
  // A consented read (verifier): the fields the person's active consents cover.
  std::optional<std::set<std::string>> consented_fields;

  // First header with this name (case-insensitive), or nullptr.
  const std::string* Header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (EqualsIgnoreCase(key, name)) return &value;
    }
    return nullptr;
  }
  // Decoded query parameter, or nullptr.
  const std::string* Query(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? nullptr : &it->second;
  }
  // Decoded path parameter; "" when the route has no such parameter.
  const std::string& Param(const std::string& name) const {
    static const std::string kEmpty;
    auto it = path_params.find(name);
    return it == path_params.end() ? kEmpty : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra headers (e.g. Location, Allow, Cache-Control). The server adds X-Request-Id,
  // Server and the security headers itself.
  std::vector<std::pair<std::string, std::string>> headers;

  // Header value set by the handler (case-insensitive), or nullptr.
  const std::string* Header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (EqualsIgnoreCase(key, name)) return &value;
    }
    return nullptr;
  }
};

// Serializes `body` compactly. Invalid UTF-8 inside strings is replaced with U+FFFD
// instead of throwing, so a response can always be produced.
std::string DumpJson(const nlohmann::json& body);

// A response with `body` serialized as application/json.
HttpResponse JsonResponse(int status, const nlohmann::json& body);

// 204 No Content.
HttpResponse NoContentResponse();

}  // namespace epermit::http
