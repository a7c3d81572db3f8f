// The /api/v1 resources: each handler file turns JSON into a use-case call and the
// result into JSON, nothing more. Wired by the composition root (src/app/).
#pragma once

#include <optional>
#include <string>

#include "credential/trust_list.hpp"
#include "http/router.hpp"
#include "service/access_log.hpp"
#include "service/application_service.hpp"
#include "service/assist_service.hpp"
#include "service/catalogue_service.hpp"
#include "service/consent_service.hpp"
#include "service/credential_service.hpp"
#include "service/permit_service.hpp"
#include "service/personal_data_service.hpp"
#include "service/points_service.hpp"
#include "service/records_service.hpp"
#include "service/registration_service.hpp"
#include "service/service_applications.hpp"
#include "service/service_push.hpp"
#include "service/session_service.hpp"
#include "service/simulation_service.hpp"
#include "service/transparency_log.hpp"

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
  service::SessionService* sessions = nullptr;
  service::TransparencyLog* audit = nullptr;
  service::ConsentService* consents = nullptr;
  service::AssistService* assists = nullptr;
  service::AccessLog* access_log = nullptr;
  service::PersonalDataService* personal_data = nullptr;
  service::CatalogueService* catalogue = nullptr;
  service::ServiceApplicationService* service_applications = nullptr;
  service::ServicePush* push = nullptr;
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
void AddAuditRoutes(Router& router, const ApiServices& api);
void AddAuthRoutes(Router& router, const ApiServices& api);
void AddRightsRoutes(Router& router, const ApiServices& api);
void AddThirdPartyRoutes(Router& router, const ApiServices& api);
void AddServiceRoutes(Router& router, const ApiServices& api);

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
  AddAuthRoutes(router, api);
  AddRightsRoutes(router, api);
  AddThirdPartyRoutes(router, api);
  AddServiceRoutes(router, api);
  AddAuditRoutes(router, api);
}

// ---- helpers shared by the handler files ----

// Who is acting, as history records it: "<role>:<username>", and for a community worker
// acting for a resident, the confirmation that allowed it.
service::Actor ActorOf(const HttpRequest& req);

// Whether the caller may reach `subject`'s data on this route (auth/access_policy; for a
// verifier, the person's active consents). Marks the check as done; notes what the person's
// access log will say when it is someone else's data; nullopt when allowed, else the 403.
std::optional<HttpResponse> Deny(HttpRequest& req, const ApiServices& api, const auth::Subject& subject);

// For a request naming a person in its body: a malformed citizen ID is the caller's own
// input error (422, checked without reading anything stored); then Deny.
std::optional<HttpResponse> DenyNamedPerson(HttpRequest& req, const ApiServices& api, const std::string& citizen_id);

// When looking up what a request names failed: a caller with city-wide reach is told why
// (e.g. 404); anyone else gets the same 403 as for another person's data, so ids cannot be
// probed for existence.
HttpResponse LookupFailed(HttpRequest& req, const Error& e);

// The permit a request names, if the caller may reach it; else the response to send.
Result<service::PermitView> ReachablePermit(HttpRequest& req, const ApiServices& api, HttpResponse& refusal);

// The caller as the person's own resident account may see them: signed in with this ID.
bool IsSelf(const HttpRequest& req, const std::string& citizen_id);

// A list of the caller's own resource, or what was asked of them: {"items": [...]}.
HttpResponse ItemsResponse(nlohmann::json items);

// The RFC 9457 answer for `e`, with the request path as its instance.
HttpResponse Problem(const HttpRequest& req, const Error& e, const nlohmann::json* extra = nullptr);

}  // namespace epermit::http
