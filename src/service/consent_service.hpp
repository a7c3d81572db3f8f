// Consent (《个人信息保护法》 第十三、十四条): a third party (a verifier account: school,
// employer, hospital, another city's office) asks a person for named fields, for a named
// purpose, until a date; the person grants or refuses and may revoke a grant at any time.
// Every consented read is checked against the grants in force at that moment. The grants of a
// (requester, person) pair are kept in memory once read, and dropped by the same call that
// commits a grant or revocation, so a revocation takes effect on the next request; this node
// process is the only writer of consents.
#pragma once

#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/principal.hpp"
#include "domain/person_rights.hpp"
#include "service/node_context.hpp"

namespace epermit::service {

// What a consent may name: the permit's fields as GET /api/v1/permits/{number} shows them,
// and "points" and "ledger" for those two reads.
const std::vector<std::string>& ConsentableFields();

inline constexpr int kMaxConsentDays = 366;
inline constexpr size_t kMaxPurposeChars = 200;

struct ConsentRequestInput {
  std::string citizen_id;
  std::string purpose;
  std::vector<std::string> fields;
  Date valid_until{};
};

// The grants a requester holds over a person now: the union of their fields, and the
// consent that lists them first (cited as the basis of a read).
struct ActiveConsent {
  std::string consent_id;
  std::string purpose;
  std::set<std::string> fields;
};

class ConsentService {
 public:
  explicit ConsentService(NodeContext ctx) : ctx_(ctx) {}

  // Errors (nothing stored): citizen_id.*, consent.fields (empty, unknown or repeated field),
  // consent.purpose, consent.period (not after today or beyond kMaxConsentDays) — all 422;
  // consent.duplicate (409) while the same requester's earlier request awaits an answer.
  Result<domain::Consent> Request(const auth::Principal& requester, const ConsentRequestInput& in);
  // The person grants or refuses a request (consent.not_found 404 for anyone else's;
  // consent.state 409 when already answered).
  Result<domain::Consent> Answer(const auth::Principal& person, const std::string& id, bool grant);
  // The person withdraws a grant (consent.state 409 unless granted).
  Result<domain::Consent> Revoke(const auth::Principal& person, const std::string& id);
  Result<std::vector<domain::Consent>> Of(const std::string& citizen_id);
  Result<std::vector<domain::Consent>> RequestedBy(int64_t requester_id);
  // Grants of `requester_id` over `citizen_id` that are in force now, or nullopt.
  Result<std::optional<ActiveConsent>> Active(int64_t requester_id, const std::string& citizen_id);

 private:
  Result<domain::Consent> Decide(const auth::Principal& person, const std::string& id, domain::ConsentStatus from,
                                 domain::ConsentStatus to);
  static std::string PairKey(int64_t requester_id, const std::string& citizen_id);

  NodeContext ctx_;
  // Granted consents per (requester, person), as last read. A read that raced a decision is
  // not cached: generation_ counts decisions.
  std::mutex mu_;
  std::unordered_map<std::string, std::vector<domain::Consent>> granted_;
  uint64_t generation_ = 0;
};

// Whether a consent is in force at `now` (granted and not past valid_until).
bool InForce(const domain::Consent& c, int64_t now);

}  // namespace epermit::service
