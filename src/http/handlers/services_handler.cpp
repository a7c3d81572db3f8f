// Applications for the city's services (/api/v1/me/service-applications and, for the office,
// /api/v1/service-applications) and the resident's inbox of notices about services gained or
// lost (/api/v1/me/inbox). Issue 6 items 4 and 5.
#include "domain/citizen_id.hpp"
#include "http/handlers/handlers.hpp"
#include "http/json_body.hpp"

namespace epermit::http {
namespace {

constexpr size_t kMaxIdChars = 64;
constexpr size_t kMaxMaterials = 32;

nlohmann::json InboxJson(const domain::InboxItem& item) {
  nlohmann::json body = nlohmann::json::parse(item.body_json, nullptr, false);
  if (body.is_discarded()) body = nlohmann::json::object();
  body["id"] = item.id;
  body["kind"] = item.kind;
  body["service_id"] = item.service_id;
  body["at"] = FormatUtcTimestamp(item.created_at);
  return body;
}

Error NoSuchApplication() {
  return MakeError(ErrorKind::kNotFound, "service_application.not_found", "No service application has this id.",
                   "没有此编号的服务申请。");
}

// The application a path names (an over-long id is no id, without a lookup).
Result<domain::ServiceApplication> FindApplication(const ApiServices& api, const std::string& id) {
  if (id.size() > kMaxIdChars) return NoSuchApplication();
  return api.service_applications->Find(id);
}

HttpResponse ApplyResponse(const ApiServices& api, HttpRequest& req, const std::string& citizen_id) {
  auto body = ParseJsonBody(req.body);
  if (!body.ok()) return Problem(req, body.error());
  Status s = RejectUnknownFields(*body, {"service_id", "materials", "medical_category", "separation_reason"});
  if (!s.ok()) return Problem(req, s.error());
  service::ServiceApplyInput in;
  auto id = RequireString(*body, "service_id", 40);
  if (!id.ok()) return Problem(req, id.error());
  in.service_id = *id;
  auto materials = OptionalStringArray(*body, "materials", kMaxMaterials, 40);
  if (!materials.ok()) return Problem(req, materials.error());
  in.materials = *materials;
  auto category = OptionalString(*body, "medical_category", 40);
  if (!category.ok()) return Problem(req, category.error());
  in.medical_category = category->value_or("");
  auto separation = OptionalString(*body, "separation_reason", 40);
  if (!separation.ok()) return Problem(req, separation.error());
  in.separation_reason = separation->value_or("");
  nlohmann::json unmet;
  auto out = api.service_applications->Apply(citizen_id, in, ActorOf(req), &unmet);
  if (!out.ok()) {
    if (unmet.is_array()) {
      nlohmann::json extra = {{"unmet", std::move(unmet)}};
      return Problem(req, out.error(), &extra);
    }
    return Problem(req, out.error());
  }
  HttpResponse r = JsonResponse(201, api.service_applications->ToJson(*out));
  r.headers.emplace_back("Location", "/api/v1/service-applications/" + out->id);
  return r;
}

}  // namespace

void AddServiceRoutes(Router& router, const ApiServices& api) {
  // A resident applies for a service of the catalogue. A service they do not qualify for is
  // refused with every unmet rule in "unmet".
  router.Add("POST", "/api/v1/me/service-applications",
             [&api](HttpRequest& req) { return ApplyResponse(api, req, req.principal->citizen_id); });
  // The same by a community worker the resident confirmed in person (代办); history names the
  // worker and the assist, and the resident's access log shows it.
  router.Add("POST", "/api/v1/people/{citizen_id}/service-applications", [&api](HttpRequest& req) {
    const std::string& citizen_id = req.Param("citizen_id");
    if (auto denied = DenyNamedPerson(req, api, citizen_id)) return std::move(*denied);
    return ApplyResponse(api, req, citizen_id);
  });

  router.Add("GET", "/api/v1/me/service-applications", [&api](HttpRequest& req) {
    auto list = api.service_applications->Of(req.principal->citizen_id);
    if (!list.ok()) return Problem(req, list.error());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& a : *list) items.push_back(api.service_applications->ToJson(a));
    return ItemsResponse(std::move(items));
  });

  // The resident brings the materials the office asked for.
  router.Add("POST", "/api/v1/me/service-applications/{id}/materials", [&api](HttpRequest& req) {
    auto body = ParseJsonBody(req.body);
    if (!body.ok()) return Problem(req, body.error());
    Status s = RejectUnknownFields(*body, {"materials"});
    if (!s.ok()) return Problem(req, s.error());
    auto materials = RequireStringArray(*body, "materials", kMaxMaterials, 40);
    if (!materials.ok()) return Problem(req, materials.error());
    const std::string& id = req.Param("id");
    if (id.size() > kMaxIdChars) return Problem(req, NoSuchApplication());
    auto out = api.service_applications->ProvideMaterials(req.principal->citizen_id, id, *materials, ActorOf(req));
    if (!out.ok()) return Problem(req, out.error());
    return JsonResponse(200, api.service_applications->ToJson(*out));
  });

  // One application: its owner, a community worker they confirmed, a reviewer of the city.
  router.Add("GET", "/api/v1/service-applications/{id}", [&api](HttpRequest& req) {
    const std::string& id = req.Param("id");
    auto found = FindApplication(api, id);
    if (!found.ok()) return LookupFailed(req, found.error());
    if (auto denied = Deny(req, api, {found->citizen_id, found->city})) return std::move(*denied);
    return JsonResponse(200, api.service_applications->ToJson(*found));
  });

  // The office's queue: submitted and approved applications, earliest deadline first.
  router.Add("GET", "/api/v1/service-applications", [&api](HttpRequest& req) {
    auto list = api.service_applications->Queue();
    if (!list.ok()) return Problem(req, list.error());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& a : *list) items.push_back(api.service_applications->ToJson(a));
    return ItemsResponse(std::move(items));
  });

  router.Add("POST", "/api/v1/service-applications/{id}/decision", [&api](HttpRequest& req) {
    auto body = ParseJsonBody(req.body);
    if (!body.ok()) return Problem(req, body.error());
    Status s = RejectUnknownFields(*body, {"decision", "reasons", "materials"});
    if (!s.ok()) return Problem(req, s.error());
    service::ServiceDecisionInput in;
    auto decision = RequireString(*body, "decision", 20);
    if (!decision.ok()) return Problem(req, decision.error());
    in.decision = *decision;
    auto reasons = OptionalStringArray(*body, "reasons", service::kMaxServiceReasons, service::kMaxServiceReasonChars);
    if (!reasons.ok()) return Problem(req, reasons.error());
    in.reasons = *reasons;
    auto materials = OptionalStringArray(*body, "materials", kMaxMaterials, 40);
    if (!materials.ok()) return Problem(req, materials.error());
    in.materials = *materials;
    const std::string& id = req.Param("id");
    auto found = FindApplication(api, id);
    if (!found.ok()) return LookupFailed(req, found.error());
    if (auto denied = Deny(req, api, {found->citizen_id, found->city})) return std::move(*denied);
    auto out = api.service_applications->Decide(id, in, ActorOf(req));
    if (!out.ok()) return Problem(req, out.error());
    return JsonResponse(200, api.service_applications->ToJson(*out));
  });

  // Notices about services gained, lost or at another tier, and about the person's
  // applications, newest first; "push" says whether they receive them.
  router.Add("GET", "/api/v1/me/inbox", [&api](HttpRequest& req) {
    auto items = api.push->Inbox(req.principal->citizen_id);
    if (!items.ok()) return Problem(req, items.error());
    auto opted_out = api.push->OptedOut(req.principal->citizen_id);
    if (!opted_out.ok()) return Problem(req, opted_out.error());
    nlohmann::json list = nlohmann::json::array();
    for (const auto& item : *items) list.push_back(InboxJson(item));
    return JsonResponse(200, {{"push", !*opted_out}, {"items", std::move(list)}});
  });

  // {"push": false} stops notices about services (SMS, app and inbox); true starts them again.
  router.Add("POST", "/api/v1/me/inbox/preference", [&api](HttpRequest& req) {
    auto body = ParseJsonBody(req.body);
    if (!body.ok()) return Problem(req, body.error());
    Status s = RejectUnknownFields(*body, {"push"});
    if (!s.ok()) return Problem(req, s.error());
    const nlohmann::json* push = body->contains("push") ? &(*body)["push"] : nullptr;
    if (push == nullptr || !push->is_boolean()) {
      return Problem(req, MakeError(ErrorKind::kInvalidArgument, "field.type", "'push' must be true or false.",
                                    "push 须为 true 或 false。", "push"));
    }
    Status set = api.push->SetOptOut(req.principal->citizen_id, !push->get<bool>(), ActorOf(req));
    if (!set.ok()) return Problem(req, set.error());
    return JsonResponse(200, {{"push", push->get<bool>()}});
  });
}

}  // namespace epermit::http
