// A person's rights over what the node holds about them (《个人信息保护法》 第四十四至四十六条):
// a download of everything, as JSON; the department records each decision used, by
// department; and correction requests, which a reviewer of the city answers.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "auth/principal.hpp"
#include "domain/person_rights.hpp"
#include "service/access_log.hpp"
#include "service/assist_service.hpp"
#include "service/consent_service.hpp"
#include "service/node_context.hpp"

namespace epermit::service {

inline constexpr size_t kMaxCorrectionChars = 500;

struct CorrectionInput {
  std::string field;      // a permit field (name, ethnicity, ...) or "record:<kind>#<id>"
  std::string requested;  // what it should say
  std::string reason;
};

class PersonalDataService {
 public:
  PersonalDataService(NodeContext ctx, AccessLog* access, ConsentService* consents, AssistService* assists)
      : ctx_(ctx), access_(access), consents_(consents), assists_(assists) {}

  // Everything held about the signed-in resident: account, registrations, applications with
  // their explained decisions, permits, department records, consents, assists, corrections,
  // and the access log.
  Result<nlohmann::json> Export(const auth::Principal& person);
  // Per application: the decision and each department record it used, grouped by department.
  Result<nlohmann::json> RecordsUsed(const std::string& citizen_id);

  // correction.field (422: not a field that can be corrected, or a record not theirs),
  // correction.requested / correction.reason (422: empty or too long),
  // correction.duplicate (409: the same field already awaits a reviewer).
  Result<domain::Correction> RequestCorrection(const auth::Principal& person, const CorrectionInput& in);
  Result<std::vector<domain::Correction>> CorrectionsOf(const std::string& citizen_id);
  Result<std::vector<domain::Correction>> PendingCorrections();
  // correction.not_found (404).
  Result<domain::Correction> Find(const std::string& id);
  // A reviewer of the city accepts (having corrected or forwarded it) or rejects, with a note
  // the person reads. correction.not_found (404), correction.state (409).
  Result<domain::Correction> DecideCorrection(const auth::Principal& reviewer, const std::string& id, bool accept,
                                              const std::string& note);

 private:
  NodeContext ctx_;
  AccessLog* access_;
  ConsentService* consents_;
  AssistService* assists_;
};

nlohmann::json ConsentJson(const domain::Consent& c);
nlohmann::json AssistJson(const domain::Assist& a);
nlohmann::json CorrectionJson(const domain::Correction& c);
nlohmann::json AccessLogEntryJson(const AccessLogEntry& e);

}  // namespace epermit::service
