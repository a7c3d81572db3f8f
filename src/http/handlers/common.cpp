#include "domain/citizen_id.hpp"
#include "http/handlers/handlers.hpp"
#include "http/json_body.hpp"
#include "http/problem.hpp"

namespace epermit::http {
namespace {

Error ForbiddenSubject() {
  return MakeError(ErrorKind::kForbidden, "auth.forbidden", "Your account may not see or change this person's data.",
                   "您的账户无权查看或更改此人的数据。");
}

}  // namespace

service::Actor ActorOf(const HttpRequest& req) {
  if (!req.principal) return {"anonymous"};
  const auth::Principal& p = *req.principal;
  std::string id = std::string(domain::RoleName(p.role)) + ":" + p.username;
  if (!p.assist_id.empty()) id += " on behalf of a resident (" + p.assist_id + ")";
  return {id};
}

std::optional<HttpResponse> Deny(HttpRequest& req, const ApiServices& api, const auth::Subject& subject) {
  req.subject_checked = true;
  if (req.access == nullptr || req.access->is_public) return std::nullopt;
  if (!req.principal) return Problem(req, ForbiddenSubject());
  auto reach = auth::ReachOf(*req.access, req.principal->role);
  if (!reach || !auth::MayReach(*req.principal, *reach, subject, api.city)) return Problem(req, ForbiddenSubject());
  return std::nullopt;
}

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
