#include <set>

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

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

void AddPermitRoutes(Router& router, const ApiServices& api) {
  router.Add("GET", "/api/v1/permits/{number}", [&api](HttpRequest& req) {
    HttpResponse refusal;
    auto view = ReachablePermit(req, api, refusal);
    if (!view.ok()) return refusal;
    nlohmann::json permit = service::PermitJson(*view);
    if (req.consented_fields) {
      // A third party sees the number it asked about and the consented fields, nothing else;
      // naming a field outside the consent (?fields=a,b) is refused, not silently dropped.
      std::set<std::string> wanted = *req.consented_fields;
      if (const std::string* asked = req.Query("fields")) {
        std::string outside;
        wanted.clear();
        for (const std::string& f : SplitCommas(*asked)) {
          if (req.consented_fields->count(f) == 0) outside += (outside.empty() ? "" : ",") + f;
          wanted.insert(f);
        }
        if (!outside.empty()) {
          req.access_notes.clear();
          return Problem(req, MakeError(ErrorKind::kForbidden, "auth.consent_fields",
                                        "The person's consent does not cover: " + outside + ".",
                                        "此人的授权不包括：" + outside + "。", "fields"));
        }
      }
      nlohmann::json shown = {{"number", permit["number"]}};
      std::vector<std::string> read;
      for (const std::string& f : wanted) {
        if (!permit.contains(f)) continue;
        shown[f] = permit[f];
        read.push_back(f);
      }
      permit = std::move(shown);
      if (!req.access_notes.empty()) req.access_notes.back().fields = std::move(read);  // what was read
    }
    return JsonResponse(200, permit);
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
