#include "auth/access_policy.hpp"

namespace epermit::auth {
namespace {

using enum Role;
using enum Reach;

RouteAccess Public(std::string method, std::string pattern) {
  return {std::move(method), std::move(pattern), true, false, {}, {}};
}
// Signed-in callers only; the route acts on the caller's own account or on no person.
RouteAccess Signed(std::string method, std::string pattern, std::vector<std::pair<Role, Reach>> grants) {
  return {std::move(method), std::move(pattern), false, false, std::move(grants), {}};
}
// Signed-in callers, on a person's data the handler names.
RouteAccess OnPerson(std::string method, std::string pattern, std::vector<std::pair<Role, Reach>> grants,
                     std::vector<std::string> data) {
  return {std::move(method), std::move(pattern), false, true, std::move(grants), std::move(data)};
}

std::vector<std::pair<Role, Reach>> ResidentOnly() { return {{kResident, kSelf}}; }

std::vector<std::pair<Role, Reach>> Everyone() {
  std::vector<std::pair<Role, Reach>> all;
  for (Role role : domain::kAllRoles) all.emplace_back(role, kSelf);
  return all;
}

}  // namespace

std::string_view ReachName(Reach reach) {
  switch (reach) {
    case kSelf:
      return "self";
    case kCity:
      return "city";
    case kOwnKind:
      return "own_kind";
    case kConsented:
      return "consented";
    case kAll:
      return "all";
  }
  return "unknown";
}

const std::vector<RouteAccess>& AccessTable() {
  // The resident's own data is also open to a community worker the resident has
  // confirmed in person, and to a reviewer of the node's city.
  const std::vector<std::pair<Role, Reach>> kPersonCase = {
      {kResident, kSelf}, {kCommunityWorker, kSelf}, {kReviewer, kCity}};
  // Reads a third party may make with the person's consent, of the consented fields only.
  const std::vector<std::pair<Role, Reach>> kConsentedRead = {
      {kResident, kSelf}, {kCommunityWorker, kSelf}, {kReviewer, kCity}, {kVerifier, kConsented}};
  static const std::vector<RouteAccess> kTable = {
      // Open to anyone: health, the API description, what offline verifiers need, the
      // calculator (no stored data), and signing in.
      Public("GET", "/healthz"),
      Public("GET", "/api/v1/openapi.json"),
      Public("GET", "/.well-known/epermit-trust-list"),
      Public("GET", "/api/v1/status-lists/{id}"),
      Public("POST", "/api/v1/verify"),
      Public("POST", "/api/v1/points/calculate"),
      Public("POST", "/api/v1/auth/login"),
      // The transparency log's head and proofs are hashes only: anyone may check them.
      Public("GET", "/api/v1/audit/tree-head"),
      Public("GET", "/api/v1/audit/proof/inclusion"),
      Public("GET", "/api/v1/audit/proof/consistency"),

      // The caller's own account.
      Signed("POST", "/api/v1/auth/logout", Everyone()),
      Signed("GET", "/api/v1/me", Everyone()),
      Signed("POST", "/api/v1/me/password", Everyone()),
      Signed("POST", "/api/v1/me/totp", Everyone()),
      Signed("POST", "/api/v1/me/totp/confirm", Everyone()),

      // A resident's rights over their data (issue 5 items 4, 5, 8): their access log,
      // consents, assisted-service confirmations, a download of everything, the records
      // their decisions used, corrections.
      Signed("GET", "/api/v1/me/access-log", ResidentOnly()),
      Signed("GET", "/api/v1/me/export", ResidentOnly()),
      Signed("GET", "/api/v1/me/records-used", ResidentOnly()),
      Signed("GET", "/api/v1/me/consents", ResidentOnly()),
      Signed("POST", "/api/v1/me/consents/{id}/decision", ResidentOnly()),
      Signed("POST", "/api/v1/me/consents/{id}/revocation", ResidentOnly()),
      Signed("GET", "/api/v1/me/assists", ResidentOnly()),
      Signed("POST", "/api/v1/me/assists/{id}/end", ResidentOnly()),
      Signed("GET", "/api/v1/me/corrections", ResidentOnly()),
      Signed("POST", "/api/v1/me/corrections", ResidentOnly()),
      // The services the resident's permit opens (issue 6).
      Signed("GET", "/api/v1/me/services", ResidentOnly()),
      Signed("POST", "/api/v1/me/service-applications", ResidentOnly()),
      Signed("GET", "/api/v1/me/service-applications", ResidentOnly()),
      Signed("POST", "/api/v1/me/service-applications/{id}/materials", ResidentOnly()),
      Signed("GET", "/api/v1/me/inbox", ResidentOnly()),
      Signed("POST", "/api/v1/me/inbox/preference", ResidentOnly()),

      // Third parties ask a person for consent (reading nothing until it is granted); a
      // community worker asks a resident to confirm in person.
      Signed("POST", "/api/v1/consents", {{kVerifier, kSelf}}),
      Signed("GET", "/api/v1/consents", {{kVerifier, kSelf}}),
      Signed("POST", "/api/v1/assists", {{kCommunityWorker, kSelf}}),
      Signed("POST", "/api/v1/assists/{id}/confirmation", {{kCommunityWorker, kSelf}}),

      // Department feeds: each client writes only records of its own kinds.
      OnPerson("POST", "/api/v1/records", {{kDepartment, kOwnKind}}, {"department_records"}),

      // A resident's case: registration, application, permit, credentials.
      OnPerson("POST", "/api/v1/registrations", {{kResident, kSelf}, {kCommunityWorker, kSelf}}, {"registration"}),
      OnPerson("POST", "/api/v1/applications", {{kResident, kSelf}, {kCommunityWorker, kSelf}}, {"application"}),
      OnPerson("GET", "/api/v1/applications/{id}", kPersonCase, {"application"}),
      Signed("GET", "/api/v1/review-queue", {{kReviewer, kCity}}),
      OnPerson("POST", "/api/v1/applications/{id}/decision", {{kReviewer, kCity}}, {"application"}),
      OnPerson("GET", "/api/v1/permits/{number}/qr", {{kResident, kSelf}, {kCommunityWorker, kSelf}}, {"permit"}),
      OnPerson("POST", "/api/v1/permits/{number}/credentials", {{kResident, kSelf}, {kCommunityWorker, kSelf}},
               {"permit"}),
      OnPerson("GET", "/api/v1/people/{citizen_id}/ledger", kConsentedRead, {"ledger"}),
      OnPerson("GET", "/api/v1/people/{citizen_id}/points", kConsentedRead, {"points"}),
      OnPerson("GET", "/api/v1/people/{citizen_id}/services", kPersonCase, {"services"}),
      OnPerson("GET", "/api/v1/permits/{number}", kConsentedRead, {"permit"}),
      OnPerson("POST", "/api/v1/permits/{number}/endorsements", kPersonCase, {"permit"}),
      OnPerson("POST", "/api/v1/permits/{number}/changes", kPersonCase, {"permit"}),
      OnPerson("POST", "/api/v1/permits/{number}/replacements", kPersonCase, {"permit"}),
      OnPerson("POST", "/api/v1/permits/{number}/revocation", {{kReviewer, kCity}}, {"permit"}),
      Signed("GET", "/api/v1/corrections", {{kReviewer, kCity}}),
      OnPerson("POST", "/api/v1/people/{citizen_id}/service-applications",
               {{kResident, kSelf}, {kCommunityWorker, kSelf}}, {"service_application"}),
      OnPerson("GET", "/api/v1/service-applications/{id}", kPersonCase, {"service_application"}),
      Signed("GET", "/api/v1/service-applications", {{kReviewer, kCity}}),
      OnPerson("POST", "/api/v1/service-applications/{id}/decision", {{kReviewer, kCity}}, {"service_application"}),
      OnPerson("POST", "/api/v1/corrections/{id}/decision", {{kReviewer, kCity}}, {"correction"}),

      // Policy what-ifs read the whole population in aggregate.
      Signed("POST", "/api/v1/policy/simulate", {{kPolicyAdmin, kAll}}),

      // What a log entry says (history rows name accounts and cases): operators.
      Signed("GET", "/api/v1/audit/entries/{index}", {{kOperator, kAll}}),
  };
  return kTable;
}

const RouteAccess* FindAccess(std::string_view method, std::string_view pattern) {
  for (const RouteAccess& access : AccessTable()) {
    if (access.method == method && access.pattern == pattern) return &access;
  }
  return nullptr;
}

std::optional<Reach> ReachOf(const RouteAccess& access, Role role) {
  for (const auto& [granted, reach] : access.grants) {
    if (granted == role) return reach;
  }
  return std::nullopt;
}

bool MayReach(const Principal& who, Reach reach, const Subject& subject, std::string_view node_city) {
  switch (reach) {
    case kSelf:
      if (who.role == kCommunityWorker) {
        return !who.on_behalf_of.empty() && who.on_behalf_of == subject.citizen_id;
      }
      return !who.citizen_id.empty() && who.citizen_id == subject.citizen_id;
    case kCity:
      return who.city == node_city && subject.city == node_city;
    case kOwnKind:
      return who.city == node_city;  // the kinds themselves are checked record by record
    case kConsented:
      return false;  // granted field by field through a consent, never by role alone
    case kAll:
      return true;
  }
  return false;
}

}  // namespace epermit::auth
