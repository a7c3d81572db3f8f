// What others ask of a resident: a verifier's consent requests (/api/v1/consents), a
// community worker's assisted-service confirmations (/api/v1/assists), and the reviewer's
// side of correction requests (/api/v1/corrections).
#include "http/handlers/handlers.hpp"
#include "http/json_body.hpp"

namespace epermit::http {
namespace {

constexpr size_t kMaxIdChars = 64;

Result<std::vector<std::string>> RequireStringArray(const nlohmann::json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || !it->is_array() || it->size() > 32) {
    return MakeError(ErrorKind::kInvalidArgument, "field.type", std::string(field) + " must be an array of names.",
                     std::string(field) + " 必须是名称数组。", field);
  }
  std::vector<std::string> out;
  for (const auto& v : *it) {
    if (!v.is_string() || v.get<std::string>().size() > 64) {
      return MakeError(ErrorKind::kInvalidArgument, "field.type", std::string(field) + " must hold short strings.",
                       std::string(field) + " 只能包含短字符串。", field);
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

bool BadId(const std::string& id) { return id.empty() || id.size() > kMaxIdChars; }

Error NoSuch(const char* what) {
  return MakeError(ErrorKind::kNotFound, std::string(what) + ".not_found", "No such request.", "没有此请求。");
}

}  // namespace

void AddThirdPartyRoutes(Router& router, const ApiServices& api) {
  router.Add("POST", "/api/v1/consents", [&api](HttpRequest& req) {
    auto body = ParseJsonBody(req.body);
    if (!body.ok()) return Problem(req, body.error());
    Status s = RejectUnknownFields(*body, {"citizen_id", "fields", "purpose", "valid_until"});
    if (!s.ok()) return Problem(req, s.error());
    service::ConsentRequestInput in;
    auto id = RequireString(*body, "citizen_id", 18);
    if (!id.ok()) return Problem(req, id.error());
    in.citizen_id = *id;
    auto fields = RequireStringArray(*body, "fields");
    if (!fields.ok()) return Problem(req, fields.error());
    in.fields = *fields;
    auto purpose = RequireString(*body, "purpose", service::kMaxPurposeChars);
    if (!purpose.ok()) return Problem(req, purpose.error());
    in.purpose = *purpose;
    auto until = RequireString(*body, "valid_until", 10);
    if (!until.ok()) return Problem(req, until.error());
    auto date = ParseIsoDate(*until);
    if (!date) {
      return Problem(req, MakeError(ErrorKind::kInvalidArgument, "field.date", "valid_until must be YYYY-MM-DD.",
                                    "valid_until 须为 YYYY-MM-DD。", "valid_until"));
    }
    in.valid_until = *date;
    auto out = api.consents->Request(*req.principal, in);
    if (!out.ok()) return Problem(req, out.error());
    return JsonResponse(201, service::ConsentJson(*out));
  });

  router.Add("GET", "/api/v1/consents", [&api](HttpRequest& req) {
    auto list = api.consents->RequestedBy(req.principal->account_id);
    if (!list.ok()) return Problem(req, list.error());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& c : *list) items.push_back(service::ConsentJson(c));
    return ItemsResponse(std::move(items));
  });

  router.Add("POST", "/api/v1/assists", [&api](HttpRequest& req) {
    auto body = ParseJsonBody(req.body);
    if (!body.ok()) return Problem(req, body.error());
    Status s = RejectUnknownFields(*body, {"citizen_id", "guardian_citizen_id"});
    if (!s.ok()) return Problem(req, s.error());
    auto id = RequireString(*body, "citizen_id", 18);
    if (!id.ok()) return Problem(req, id.error());
    auto guardian = OptionalString(*body, "guardian_citizen_id", 18);
    if (!guardian.ok()) return Problem(req, guardian.error());
    auto out = api.assists->Start(*req.principal, *id, guardian->value_or(""));
    if (!out.ok()) return Problem(req, out.error());
    domain::Assist shown = *out;
    shown.code.clear();  // the worker must hear it from the resident
    return JsonResponse(201, service::AssistJson(shown));
  });

  router.Add("POST", "/api/v1/assists/{id}/confirmation", [&api](HttpRequest& req) {
    auto body = ParseJsonBody(req.body);
    if (!body.ok()) return Problem(req, body.error());
    Status s = RejectUnknownFields(*body, {"code"});
    if (!s.ok()) return Problem(req, s.error());
    auto code = RequireString(*body, "code", 12);
    if (!code.ok()) return Problem(req, code.error());
    const std::string& id = req.Param("id");
    if (BadId(id)) return Problem(req, NoSuch("assist"));
    auto out = api.assists->Confirm(*req.principal, id, *code);
    if (!out.ok()) return Problem(req, out.error());
    return JsonResponse(200, service::AssistJson(*out));
  });

  router.Add("GET", "/api/v1/corrections", [&api](HttpRequest& req) {
    auto list = api.personal_data->PendingCorrections();
    if (!list.ok()) return Problem(req, list.error());
    nlohmann::json items = nlohmann::json::array();
    for (const auto& c : *list) items.push_back(service::CorrectionJson(c));
    return ItemsResponse(std::move(items));
  });

  router.Add("POST", "/api/v1/corrections/{id}/decision", [&api](HttpRequest& req) {
    auto body = ParseJsonBody(req.body);
    if (!body.ok()) return Problem(req, body.error());
    Status s = RejectUnknownFields(*body, {"decision", "note"});
    if (!s.ok()) return Problem(req, s.error());
    auto decision = RequireString(*body, "decision", 10);
    if (!decision.ok()) return Problem(req, decision.error());
    if (*decision != "accept" && *decision != "reject") {
      return Problem(req, MakeError(ErrorKind::kInvalidArgument, "field.enum", "decision must be 'accept' or 'reject'.",
                                    "decision 须为 accept 或 reject。", "decision"));
    }
    auto note = RequireString(*body, "note", service::kMaxCorrectionChars);
    if (!note.ok()) return Problem(req, note.error());
    const std::string& id = req.Param("id");
    auto found = BadId(id) ? Result<domain::Correction>(NoSuch("correction")) : api.personal_data->Find(id);
    if (!found.ok()) return LookupFailed(req, found.error());
    if (auto denied = Deny(req, api, {found->citizen_id, found->city})) return std::move(*denied);
    auto out = api.personal_data->DecideCorrection(*req.principal, id, *decision == "accept", *note);
    if (!out.ok()) return Problem(req, out.error());
    return JsonResponse(200, service::CorrectionJson(*out));
  });
}

}  // namespace epermit::http
