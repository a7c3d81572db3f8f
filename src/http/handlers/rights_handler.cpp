// A resident's rights over their data (/api/v1/me/*): the access log, consents given,
// assisted-service confirmations, a download of everything, the records decisions used,
// and correction requests. Each route is the signed-in resident's own.
#include "http/handlers/handlers.hpp"
#include "http/json_body.hpp"

namespace epermit::http {
namespace {

// A path id is at most this long; longer is a malformed request, not a lookup.
constexpr size_t kMaxIdChars = 64;

Result<std::string> PathId(const HttpRequest& req) {
  const std::string& id = req.Param("id");
  if (id.empty() || id.size() > kMaxIdChars) {
    return MakeError(ErrorKind::kNotFound, "not_found", "No such item.", "没有此项。", "id");
  }
  return id;
}

}  // namespace

void AddRightsRoutes(Router& router, const ApiServices& api) {
  router.Add("GET", "/api/v1/me/access-log", [&api](HttpRequest& req) {
    auto entries = api.access_log->Of(req.principal->citizen_id);
    if (!entries.ok()) return Problem(req, entries.error());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& e : *entries) items.push_back(service::AccessLogEntryJson(e));
    return ItemsResponse(std::move(items));
  });

  router.Add("GET", "/api/v1/me/export", [&api](HttpRequest& req) {
    auto out = api.personal_data->Export(*req.principal);
    if (!out.ok()) return Problem(req, out.error());
    HttpResponse r = JsonResponse(200, *out);
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"epermit-my-data.json\"");
    return r;
  });

  router.Add("GET", "/api/v1/me/records-used", [&api](HttpRequest& req) {
    auto out = api.personal_data->RecordsUsed(req.principal->citizen_id);
    if (!out.ok()) return Problem(req, out.error());
    return ItemsResponse(std::move(*out));
  });

  router.Add("GET", "/api/v1/me/consents", [&api](HttpRequest& req) {
    auto list = api.consents->Of(req.principal->citizen_id);
    if (!list.ok()) return Problem(req, list.error());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& c : *list) items.push_back(service::ConsentJson(c));
    return ItemsResponse(std::move(items));
  });

  router.Add("POST", "/api/v1/me/consents/{id}/decision", [&api](HttpRequest& req) {
    auto body = ParseJsonBody(req.body);
    if (!body.ok()) return Problem(req, body.error());
    Status s = RejectUnknownFields(*body, {"decision"});
    if (!s.ok()) return Problem(req, s.error());
    auto decision = RequireString(*body, "decision", 10);
    if (!decision.ok()) return Problem(req, decision.error());
    if (*decision != "grant" && *decision != "refuse") {
      return Problem(req, MakeError(ErrorKind::kInvalidArgument, "field.enum", "decision must be 'grant' or 'refuse'.",
                                    "decision 须为 grant 或 refuse。", "decision"));
    }
    auto id = PathId(req);
    if (!id.ok()) return Problem(req, id.error());
    auto out = api.consents->Answer(*req.principal, *id, *decision == "grant");
    if (!out.ok()) return Problem(req, out.error());
    return JsonResponse(200, service::ConsentJson(*out));
  });

  router.Add("POST", "/api/v1/me/consents/{id}/revocation", [&api](HttpRequest& req) {
    auto id = PathId(req);
    if (!id.ok()) return Problem(req, id.error());
    auto out = api.consents->Revoke(*req.principal, *id);
    if (!out.ok()) return Problem(req, out.error());
    return JsonResponse(200, service::ConsentJson(*out));
  });

  router.Add("GET", "/api/v1/me/assists", [&api](HttpRequest& req) {
    auto list = api.assists->For(req.principal->citizen_id);
    if (!list.ok()) return Problem(req, list.error());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& a : *list) items.push_back(service::AssistJson(a));
    return ItemsResponse(std::move(items));
  });

  router.Add("POST", "/api/v1/me/assists/{id}/end", [&api](HttpRequest& req) {
    auto id = PathId(req);
    if (!id.ok()) return Problem(req, id.error());
    auto out = api.assists->End(*req.principal, *id);
    if (!out.ok()) return Problem(req, out.error());
    return JsonResponse(200, service::AssistJson(*out));
  });

  router.Add("GET", "/api/v1/me/corrections", [&api](HttpRequest& req) {
    auto list = api.personal_data->CorrectionsOf(req.principal->citizen_id);
    if (!list.ok()) return Problem(req, list.error());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& c : *list) items.push_back(service::CorrectionJson(c));
    return ItemsResponse(std::move(items));
  });

  router.Add("POST", "/api/v1/me/corrections", [&api](HttpRequest& req) {
    auto body = ParseJsonBody(req.body);
    if (!body.ok()) return Problem(req, body.error());
    Status s = RejectUnknownFields(*body, {"field", "requested", "reason"});
    if (!s.ok()) return Problem(req, s.error());
    service::CorrectionInput in;
    auto field = RequireString(*body, "field", 100);
    if (!field.ok()) return Problem(req, field.error());
    auto requested = RequireString(*body, "requested", service::kMaxCorrectionChars);
    if (!requested.ok()) return Problem(req, requested.error());
    auto reason = RequireString(*body, "reason", service::kMaxCorrectionChars);
    if (!reason.ok()) return Problem(req, reason.error());
    auto out = api.personal_data->RequestCorrection(*req.principal, {*field, *requested, *reason});
    if (!out.ok()) return Problem(req, out.error());
    HttpResponse r = JsonResponse(201, service::CorrectionJson(*out));
    r.headers.emplace_back("Location", "/api/v1/me/corrections");
    return r;
  });
}

}  // namespace epermit::http
