// What a resident has a say over, as stored: consents given to third parties, the in-person
// confirmations that let a community worker act for them (代办), and their requests to
// correct what the node holds. Pure data; the rules live in service/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace epermit::domain {

enum class ConsentStatus { kRequested, kGranted, kRefused, kRevoked };
const char* ToString(ConsentStatus s);
std::optional<ConsentStatus> ParseConsentStatus(std::string_view s);

// A third party's (verifier account's) request for named fields of a person, for a named
// purpose until a date; the person grants or refuses it and may revoke a grant.
struct Consent {
  std::string id;
  std::string citizen_id;    // whose data
  int64_t requester_id = 0;  // the verifier account asking
  std::string requester;     // its user name, as shown to the person
  std::string purpose;
  std::vector<std::string> fields;
  int64_t valid_until = 0;  // unix seconds; the grant ends then
  ConsentStatus status = ConsentStatus::kRequested;
  int64_t created_at = 0;
  int64_t decided_at = 0;  // granted, refused or revoked at; 0 while requested
};

enum class AssistStatus { kAwaitingCode, kActive, kEnded, kFailed };
const char* ToString(AssistStatus s);
std::optional<AssistStatus> ParseAssistStatus(std::string_view s);

// A community worker's request to act for a resident, confirmed by a one-time code the
// resident (or, for a minor, the guardian) received and read out in person.
struct Assist {
  std::string id;
  int64_t worker_id = 0;
  std::string worker;               // the worker's user name
  std::string citizen_id;           // the resident acted for
  std::string guardian_citizen_id;  // who confirms for a minor; "" for an adult
  std::string code;                 // the one-time code while awaiting it; "" after
  int64_t code_expires_at = 0;
  int attempts = 0;  // wrong codes so far
  AssistStatus status = AssistStatus::kAwaitingCode;
  int64_t active_until = 0;  // when confirmed: the worker may act until then
  int64_t created_at = 0;
};

enum class CorrectionStatus { kPending, kAccepted, kRejected };
const char* ToString(CorrectionStatus s);
std::optional<CorrectionStatus> ParseCorrectionStatus(std::string_view s);

// A person's request to correct what the node holds about them, decided by a reviewer.
struct Correction {
  std::string id;
  std::string citizen_id;
  std::string city;
  std::string field;      // what is wrong, e.g. "name" or "record:employment/<id>"
  std::string requested;  // what it should say
  std::string reason;
  CorrectionStatus status = CorrectionStatus::kPending;
  std::string decided_by;
  std::string note;  // the reviewer's answer
  int64_t created_at = 0;
  int64_t decided_at = 0;
};

}  // namespace epermit::domain
