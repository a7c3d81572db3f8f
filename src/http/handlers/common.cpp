#include <algorithm>

#include "domain/citizen_id.hpp"
#include "http/handlers/handlers.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"

namespace epermit::http {
namespace {

Error ConsentRequired() {
  return MakeError(ErrorKind::kForbidden, "auth.consent_required",
                   "No consent of this person in force covers this read; ask them (POST /api/v1/consents).",
                   "此人没有有效授权涵盖此项查询，请先申请授权（POST /api/v1/consents）。");
}

// Whether consented fields cover a route's data: "points" and "ledger" by name, a permit
// read by any one permit field (the answer then holds only the consented ones).
bool Covers(const std::set<std::string>& fields, const std::vector<std::string>& data) {
  for (const std::string& d : data) {
    if (d == "permit") {
      for (const std::string& f : fields) {
        if (f != "points" && f != "ledger") return true;
      }
      return false;
    }
    if (fields.count(d) == 0) return false;
  }
  return !data.empty();
}

std::string PurposeOf(const auth::Principal& p) {
  switch (p.role) {
    case domain::Role::kCommunityWorker:
      return "assisted service (代办)";
    case domain::Role::kReviewer:
      return "permit review and management (居住证审核与管理)";
    case domain::Role::kDepartment:
      return "department record supply (部门数据报送)";
    default:
      return "";
  }
}

std::string BasisOf(const auth::Principal& p) {
  if (!p.assist_id.empty()) return "assist:" + p.assist_id;
  return "role:" + std::string(domain::RoleName(p.role));
}

Error ForbiddenSubject() {
  return MakeError(ErrorKind::kForbidden, "auth.forbidden", "Your account may not see or change this person's data.",
                   "您的账户无权查看或更改此人的数据。");
}

}  // namespace

service::Actor ActorOf(const HttpRequest& req) {
  if (!req.principal) return {"anonymous"};
  const auth::Principal& p = *req.principal;
  std::string id = std::string(domain::RoleName(p.role)) + ":" + p.username;
  if (!p.assist_id.empty()) {
    id += " on behalf of resident " + domain::MaskCitizenId(p.on_behalf_of) + " (" + p.assist_id + ")";
  }
  return {id};
}

std::optional<HttpResponse> Deny(HttpRequest& req, const ApiServices& api, const auth::Subject& subject) {
  req.subject_checked = true;
  if (req.access == nullptr || req.access->is_public) return std::nullopt;
  if (!req.principal) return Problem(req, ForbiddenSubject());
  const auth::Principal& who = *req.principal;
  auto reach = auth::ReachOf(*req.access, who.role);
  if (!reach) return Problem(req, ForbiddenSubject());
  std::string purpose = PurposeOf(who);
  std::string basis = BasisOf(who);
  std::vector<std::string> fields = req.access->data;
  if (*reach == auth::Reach::kConsented) {
    if (api.consents == nullptr) return Problem(req, ConsentRequired());
    auto active = api.consents->Active(who.account_id, subject.citizen_id);
    if (!active.ok()) return Problem(req, active.error());
    if (!*active || !Covers((*active)->fields, req.access->data)) return Problem(req, ConsentRequired());
    purpose = (*active)->purpose;
    basis = "consent:" + (*active)->consent_id;
    req.consented_fields = (*active)->fields;
    if (fields == std::vector<std::string>{"permit"}) {
      fields.clear();
      for (const std::string& f : (*active)->fields) {
        if (f != "points" && f != "ledger") fields.push_back(f);
      }
    }
  } else if (!auth::MayReach(who, *reach, subject, api.city)) {
    return Problem(req, ForbiddenSubject());
  }
  const bool noted = std::any_of(req.access_notes.begin(), req.access_notes.end(),
                                 [&](const HttpRequest::AccessNote& n) { return n.citizen_id == subject.citizen_id; });
  if (!IsSelf(req, subject.citizen_id) && !noted) {
    req.access_notes.push_back({subject.citizen_id, std::move(fields), std::move(purpose), std::move(basis)});
  }
  return std::nullopt;
}

bool IsSelf(const HttpRequest& req, const std::string& citizen_id) {
  return req.principal && req.principal->role == domain::Role::kResident && !req.principal->citizen_id.empty() &&
         req.principal->citizen_id == citizen_id;
}

HttpResponse ItemsResponse(nlohmann::json items) { return JsonResponse(200, {{"items", std::move(items)}}); }

std::optional<HttpResponse> DenyNamedPerson(HttpRequest& req, const ApiServices& api, const std::string& citizen_id) {
  auto id = domain::ParseCitizenId(citizen_id, api.clock->Today());
  if (!id.ok()) {
    req.subject_checked = true;
    Error e = id.error();
    if (e.field.empty()) e.field = "citizen_id";
    return Problem(req, e);
  }
  return Deny(req, api, {citizen_id, api.city});
}

HttpResponse LookupFailed(HttpRequest& req, const Error& e) {
  req.subject_checked = true;
  if (req.access != nullptr && req.principal) {
    auto reach = auth::ReachOf(*req.access, req.principal->role);
    if (reach && (*reach == auth::Reach::kCity || *reach == auth::Reach::kAll)) return Problem(req, e);
  }
  if (e.kind != ErrorKind::kNotFound && e.kind != ErrorKind::kInvalidArgument) return Problem(req, e);
  return Problem(req, ForbiddenSubject());
}

Result<service::PermitView> ReachablePermit(HttpRequest& req, const ApiServices& api, HttpResponse& refusal) {
  auto view = api.permits->Get(req.Param("number"));
  if (!view.ok()) {
    refusal = LookupFailed(req, view.error());
    return view.error();
  }
  if (auto denied = Deny(req, api, {view->permit.citizen_id, view->permit.city})) {
    refusal = std::move(*denied);
    return MakeError(ErrorKind::kForbidden, "auth.forbidden", "forbidden", "forbidden");
  }
  return view;
}

HttpResponse Problem(const HttpRequest& req, const Error& e, const nlohmann::json* extra) {
  // A citizen ID in the path is masked in the problem's instance, as everywhere else.
  std::string instance = req.path;
  auto id = req.path_params.find("citizen_id");
  if (id != req.path_params.end() && !id->second.empty()) {
    const size_t at = instance.find(id->second);
    if (at != std::string::npos) instance.replace(at, id->second.size(), domain::MaskCitizenId(id->second));
  }
  return ProblemResponse(e, instance, extra);
}

}  // namespace epermit::http
