#include "http/handlers/handlers.hpp"
#include "http/json_body.hpp"
#include "service/field_checks.hpp"
#include "service/views.hpp"

namespace epermit::http {
namespace {

Result<service::ApplicationInput> ParseApplication(const nlohmann::json& body) {
  EPERMIT_RETURN_IF_ERROR(
      RejectUnknownFields(body, {"citizen_id", "registration_id", "name", "ethnicity", "photo_ref", "guardian"}));
  service::ApplicationInput in;
  EPERMIT_ASSIGN_OR_RETURN(in.citizen_id, RequireString(body, "citizen_id", 18));
  EPERMIT_ASSIGN_OR_RETURN(auto reg, OptionalString(body, "registration_id", service::kMaxShortChars));
  in.registration_id = reg.value_or("");
  EPERMIT_ASSIGN_OR_RETURN(in.name, RequireString(body, "name", service::kMaxNameChars));
  EPERMIT_ASSIGN_OR_RETURN(auto ethnicity, OptionalString(body, "ethnicity", 20));
  in.ethnicity = ethnicity.value_or("");
  EPERMIT_ASSIGN_OR_RETURN(in.photo_ref, RequireString(body, "photo_ref", service::kMaxShortChars));
  EPERMIT_ASSIGN_OR_RETURN(const nlohmann::json* guardian, OptionalObject(body, "guardian"));
  if (guardian != nullptr) {
    EPERMIT_RETURN_IF_ERROR(RejectUnknownFields(*guardian, {"citizen_id", "name", "relation"}, "guardian"));
    service::GuardianInput g;
    EPERMIT_ASSIGN_OR_RETURN(g.citizen_id, RequireString(*guardian, "citizen_id", 18, "guardian"));
    EPERMIT_ASSIGN_OR_RETURN(g.name, RequireString(*guardian, "name", service::kMaxNameChars, "guardian"));
    EPERMIT_ASSIGN_OR_RETURN(g.relation, RequireString(*guardian, "relation", 20, "guardian"));
    in.guardian = g;
  }
  return in;
}

nlohmann::json OutcomeJson(const service::ApplicationOutcome& out) {
  nlohmann::json j = {{"application", service::ApplicationJson(out.application)}};
  j["permit"] = out.permit ? service::PermitJson(*out.permit) : nlohmann::json(nullptr);
  return j;
}

int PageNumber(const HttpRequest& req, const char* name, int fallback, int max) {
  const std::string* v = req.Query(name);
  if (v == nullptr || v->empty() || v->size() > 6) return fallback;
  int n = 0;
  for (char c : *v) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n > max ? max : n;
}

}  // namespace

void AddApplicationRoutes(Router& router, const ApiServices& api) {
  router.Add("POST", "/api/v1/applications", [&api](HttpRequest& req) {
    auto body = ParseJsonBody(req.body);
    if (!body.ok()) return Problem(req, body.error());
    auto in = ParseApplication(*body);
    if (!in.ok()) return Problem(req, in.error());
    if (auto denied = DenyNamedPerson(req, api, in->citizen_id)) return std::move(*denied);
    auto out = api.applications->Apply(*in, ActorOf(req));
    if (!out.ok()) return Problem(req, out.error());
    HttpResponse r = JsonResponse(201, OutcomeJson(*out));
    r.headers.emplace_back("Location", "/api/v1/applications/" + out->application.id);
    return r;
  });

  router.Add("GET", "/api/v1/applications/{id}", [&api](HttpRequest& req) {
    auto app = api.applications->Get(req.Param("id"));
    if (!app.ok()) return LookupFailed(req, app.error());
    if (auto denied = Deny(req, api, {app->citizen_id, app->city})) return std::move(*denied);
    return JsonResponse(200, service::ApplicationJson(*app));
  });

  router.Add("GET", "/api/v1/review-queue", [&api](HttpRequest& req) {
    const int limit = PageNumber(req, "limit", 50, 500);
    const int offset = PageNumber(req, "offset", 0, 1000000);
    if (limit <= 0 || offset < 0) {
      return Problem(req, MakeError(ErrorKind::kInvalidArgument, "field.range",
                                    "'limit' must be 1..500 and 'offset' a whole number.",
                                    "limit 须为 1 至 500，offset 须为非负整数。", limit <= 0 ? "limit" : "offset"));
    }
    auto page = api.applications->ReviewQueue({limit, offset});
    if (!page.ok()) return Problem(req, page.error());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& item : page->items) {
      nlohmann::json j = service::ApplicationJson(item.application);
      j["days_left"] = item.days_left;
      j["overdue"] = item.days_left < 0;
      items.push_back(std::move(j));
    }
    return JsonResponse(200, {{"total", page->total}, {"limit", limit}, {"offset", offset}, {"items", items}});
  });

  router.Add("POST", "/api/v1/applications/{id}/decision", [&api](HttpRequest& req) {
    auto body = ParseJsonBody(req.body);
    if (!body.ok()) return Problem(req, body.error());
    service::ReviewDecisionInput in;
    Status s = RejectUnknownFields(*body, {"decision", "reason"});
    if (!s.ok()) return Problem(req, s.error());
    auto decision = RequireString(*body, "decision", 10);
    if (!decision.ok()) return Problem(req, decision.error());
    auto reason = RequireString(*body, "reason", service::kMaxReasonChars);
    if (!reason.ok()) return Problem(req, reason.error());
    in.decision = *decision;
    in.reason = *reason;
    auto app = api.applications->Get(req.Param("id"));
    if (!app.ok()) return LookupFailed(req, app.error());
    if (auto denied = Deny(req, api, {app->citizen_id, app->city})) return std::move(*denied);
    auto out = api.applications->Decide(req.Param("id"), in, ActorOf(req));
    if (!out.ok()) return Problem(req, out.error());
    return JsonResponse(200, OutcomeJson(*out));
  });
}

}  // namespace epermit::http
