#include "http/handlers/handlers.hpp"
#include "http/json_body.hpp"
#include "service/field_checks.hpp"
#include "service/views.hpp"

namespace epermit::http {
namespace {

Result<service::RegistrationInput> ParseRegistration(const nlohmann::json& body) {
  EPERMIT_RETURN_IF_ERROR(
      RejectUnknownFields(body, {"citizen_id", "name", "phone", "residence", "basis", "employer_uscc", "school"}));
  service::RegistrationInput in;
  EPERMIT_ASSIGN_OR_RETURN(in.citizen_id, RequireString(body, "citizen_id", 18));
  EPERMIT_ASSIGN_OR_RETURN(in.name, RequireString(body, "name", service::kMaxNameChars));
  EPERMIT_ASSIGN_OR_RETURN(in.phone, RequireString(body, "phone", 20));
  EPERMIT_ASSIGN_OR_RETURN(const nlohmann::json* residence, RequireObject(body, "residence"));
  EPERMIT_RETURN_IF_ERROR(RejectUnknownFields(*residence, {"division_code", "address"}, "residence"));
  EPERMIT_ASSIGN_OR_RETURN(in.division_code, RequireString(*residence, "division_code", 6, "residence"));
  EPERMIT_ASSIGN_OR_RETURN(in.address, RequireString(*residence, "address", service::kMaxAddressChars, "residence"));
  EPERMIT_ASSIGN_OR_RETURN(in.basis, RequireString(body, "basis", 20));
  EPERMIT_ASSIGN_OR_RETURN(auto uscc, OptionalString(body, "employer_uscc", 18));
  EPERMIT_ASSIGN_OR_RETURN(auto school, OptionalString(body, "school", service::kMaxShortChars));
  in.employer_uscc = uscc.value_or("");
  in.school = school.value_or("");
  return in;
}

}  // namespace

void AddRegistrationRoutes(Router& router, const ApiServices& api) {
  router.Add("POST", "/api/v1/registrations", [&api](HttpRequest& req) {
    auto body = ParseJsonBody(req.body);
    if (!body.ok()) return Problem(req, body.error());
    auto in = ParseRegistration(*body);
    if (!in.ok()) return Problem(req, in.error());
    if (auto denied = DenyNamedPerson(req, api, in->citizen_id)) return std::move(*denied);
    auto reg = api.registrations->Register(*in, ActorOf(req));
    if (!reg.ok()) return Problem(req, reg.error());
    HttpResponse r = JsonResponse(201, service::RegistrationJson(*reg));
    return r;
  });
}

}  // namespace epermit::http
