#include "http/handlers/handlers.hpp"

namespace epermit::http {

void AddSystemRoutes(Router& router, const ApiServices& api) {
  router.Add("GET", "/healthz", [&api](HttpRequest&) {
    return JsonResponse(200, {{"status", "ok"}, {"city", api.city}, {"version", api.version}});
  });
  router.Add("GET", "/api/v1/openapi.json", [&api](HttpRequest&) {
    HttpResponse r;
    r.status = 200;
    r.content_type = "application/json";
    r.body = api.openapi_json;
    r.headers.emplace_back("Cache-Control", "public, max-age=300");
    return r;
  });
}

}  // namespace epermit::http
