#include "http/handlers/handlers.hpp"
#include "http/json_body.hpp"
#include "service/field_checks.hpp"
#include "service/views.hpp"

namespace epermit::http {
namespace {

// Endorsement takes no fields; an empty body is the same as {}.
Result<nlohmann::json> BodyOrEmpty(const HttpRequest& req) {
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) return nlohmann::json::object();
  return ParseJsonBody(req.body);
}

Result<service::ChangeInput> ParseChange(const nlohmann::json& body) {
  EPERMIT_RETURN_IF_ERROR(RejectUnknownFields(body, {"name", "ethnicity", "photo_ref", "residence", "reason"}));
  service::ChangeInput in;
  EPERMIT_ASSIGN_OR_RETURN(in.name, OptionalString(body, "name", service::kMaxNameChars));
  EPERMIT_ASSIGN_OR_RETURN(in.ethnicity, OptionalString(body, "ethnicity", 20));
  EPERMIT_ASSIGN_OR_RETURN(in.photo_ref, OptionalString(body, "photo_ref", service::kMaxShortChars));
  EPERMIT_ASSIGN_OR_RETURN(const nlohmann::json* residence, OptionalObject(body, "residence"));
  if (residence != nullptr) {
    EPERMIT_RETURN_IF_ERROR(RejectUnknownFields(*residence, {"division_code", "address"}, "residence"));
    EPERMIT_ASSIGN_OR_RETURN(std::string division, RequireString(*residence, "division_code", 6, "residence"));
    EPERMIT_ASSIGN_OR_RETURN(std::string address,
                             RequireString(*residence, "address", service::kMaxAddressChars, "residence"));
    in.residence_division = division;
    in.residence_address = address;
  }
  EPERMIT_ASSIGN_OR_RETURN(in.reason, RequireString(body, "reason", service::kMaxReasonChars));
  return in;
}

}  // namespace

void AddPermitRoutes(Router& router, const ApiServices& api) {
  router.Add("GET", "/api/v1/permits/{number}", [&api](HttpRequest& req) {
    HttpResponse refusal;
    auto view = ReachablePermit(req, api, refusal);
    if (!view.ok()) return refusal;
    return JsonResponse(200, service::PermitJson(*view));
  });

  router.Add("POST", "/api/v1/permits/{number}/endorsements", [&api](HttpRequest& req) {
    auto body = BodyOrEmpty(req);
    if (!body.ok()) return Problem(req, body.error());
    Status s = RejectUnknownFields(*body, {});
    if (!s.ok()) return Problem(req, s.error());
    HttpResponse refusal;
    if (!ReachablePermit(req, api, refusal).ok()) return refusal;
    auto out = api.permits->Endorse(req.Param("number"), ActorOf(req));
    if (!out.ok()) return Problem(req, out.error());
    return JsonResponse(200, {{"permit", service::PermitJson(out->permit)}, {"late", out->late}});
  });

  router.Add("POST", "/api/v1/permits/{number}/changes", [&api](HttpRequest& req) {
    auto body = ParseJsonBody(req.body);
    if (!body.ok()) return Problem(req, body.error());
    auto in = ParseChange(*body);
    if (!in.ok()) return Problem(req, in.error());
    HttpResponse refusal;
    if (!ReachablePermit(req, api, refusal).ok()) return refusal;
    auto out = api.permits->Change(req.Param("number"), *in, ActorOf(req));
    if (!out.ok()) return Problem(req, out.error());
    return JsonResponse(200, {{"permit", service::PermitJson(*out)}});
  });

  router.Add("POST", "/api/v1/permits/{number}/replacements", [&api](HttpRequest& req) {
    auto body = ParseJsonBody(req.body);
    if (!body.ok()) return Problem(req, body.error());
    Status s = RejectUnknownFields(*body, {"reason"});
    if (!s.ok()) return Problem(req, s.error());
    auto reason = RequireString(*body, "reason", 20);
    if (!reason.ok()) return Problem(req, reason.error());
    HttpResponse refusal;
    if (!ReachablePermit(req, api, refusal).ok()) return refusal;
    auto out = api.permits->Replace(req.Param("number"), *reason, ActorOf(req));
    if (!out.ok()) return Problem(req, out.error());
    HttpResponse r = JsonResponse(201, {{"permit", service::PermitJson(out->new_permit)},
                                        {"replaced", service::PermitJson(out->old_permit)},
                                        {"fee_fen", out->fee_fen}});
    r.headers.emplace_back("Location", "/api/v1/permits/" + out->new_permit.number);
    return r;
  });

  router.Add("POST", "/api/v1/permits/{number}/revocation", [&api](HttpRequest& req) {
    auto body = ParseJsonBody(req.body);
    if (!body.ok()) return Problem(req, body.error());
    Status s = RejectUnknownFields(*body, {"reason"});
    if (!s.ok()) return Problem(req, s.error());
    auto reason = RequireString(*body, "reason", service::kMaxReasonChars);
    if (!reason.ok()) return Problem(req, reason.error());
    HttpResponse refusal;
    if (!ReachablePermit(req, api, refusal).ok()) return refusal;
    auto out = api.permits->Revoke(req.Param("number"), *reason, ActorOf(req));
    if (!out.ok()) return Problem(req, out.error());
    return JsonResponse(200, {{"permit", service::PermitJson(*out)}});
  });
}

}  // namespace epermit::http
