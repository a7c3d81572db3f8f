// The /api/v1 resources: each handler file turns JSON into a use-case call and the
// result into JSON, nothing more. Wired by the composition root (src/app/).
#pragma once

#include <string>

#include "credential/trust_list.hpp"
#include "http/router.hpp"
#include "service/application_service.hpp"
#include "service/credential_service.hpp"
#include "service/permit_service.hpp"
#include "service/points_service.hpp"
#include "service/records_service.hpp"
#include "service/registration_service.hpp"
#include "service/simulation_service.hpp"

namespace epermit::http {

struct ApiServices {
  service::RecordsService* records = nullptr;
  service::RegistrationService* registrations = nullptr;
  service::ApplicationService* applications = nullptr;
  service::PermitService* permits = nullptr;
  std::string city;
  std::string version;
  std::string openapi_json;  // served verbatim at /api/v1/openapi.json
  service::CredentialService* credentials = nullptr;
  const Clock* clock = nullptr;
  std::function<const credential::TrustList*()> trust_list;  // verified national trust list, or nullptr
  std::function<const std::string&()> trust_list_jws;        // its signed form, "" when none
  service::PointsService* points = nullptr;
  service::SimulationService* simulation = nullptr;
};

void AddSystemRoutes(Router& router, const ApiServices& api);
void AddRecordRoutes(Router& router, const ApiServices& api);
void AddRegistrationRoutes(Router& router, const ApiServices& api);
void AddApplicationRoutes(Router& router, const ApiServices& api);
void AddPermitRoutes(Router& router, const ApiServices& api);
void AddCredentialRoutes(Router& router, const ApiServices& api);
void AddPeopleRoutes(Router& router, const ApiServices& api);
void AddPointsRoutes(Router& router, const ApiServices& api);
void AddPolicyRoutes(Router& router, const ApiServices& api);

inline void AddApiRoutes(Router& router, const ApiServices& api) {
  AddSystemRoutes(router, api);
  AddRecordRoutes(router, api);
  AddRegistrationRoutes(router, api);
  AddApplicationRoutes(router, api);
  AddPermitRoutes(router, api);
  AddCredentialRoutes(router, api);
  AddPeopleRoutes(router, api);
  AddPointsRoutes(router, api);
  AddPolicyRoutes(router, api);
}

// ---- helpers shared by the handler files ----

// Who is acting. Until accounts exist (issue 5) callers name themselves in
// X-Epermit-Actor; the value is recorded in history, never trusted for access.
service::Actor ActorOf(const HttpRequest& req);

// The RFC 9457 answer for `e`, with the request path as its instance.
HttpResponse Problem(const HttpRequest& req, const Error& e, const nlohmann::json* extra = nullptr);

}  // namespace epermit::http
