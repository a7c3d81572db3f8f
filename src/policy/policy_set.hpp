// Every city's policy versions, loaded from policies/<division-code>/*.toml.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "policy/city_policy.hpp"
#include "policy/recognition.hpp"

namespace epermit::policy {

class PolicySet {
 public:
  // Adds a version. A version without effective_to stays in force until the next version
  // of its city takes force. Refuses two versions taking force on the same date, and a
  // version whose explicit effective_to lies after the next version's effective_from.
  Status Add(CityPolicy policy);
  // After all versions are added: refuses a gap, i.e. a version whose effective_to comes
  // before the next version's effective_from ("policy.gap", every gap listed).
  Status CheckNoGaps() const;

  // The version in force in `city` on `date`, or kNotFound.
  Result<const CityPolicy*> InForce(const std::string& city, Date date) const;
  std::vector<std::string> Cities() const;

  // Mutual-recognition agreements, versioned like city policies (a version lasts until the
  // next one of its region; two taking force on the same date are refused).
  Status AddAgreement(RecognitionAgreement agreement);
  // The agreements in force on `date` that list `city` as a member.
  std::vector<const RecognitionAgreement*> AgreementsFor(const std::string& city, Date date) const;
  std::vector<const RecognitionAgreement*> Agreements() const;
  const std::vector<CityPolicy>& Versions(const std::string& city) const;

 private:
  std::map<std::string, std::vector<CityPolicy>> by_city_;  // sorted by effective_from
  std::map<std::string, std::vector<RecognitionAgreement>> by_region_;  // sorted by effective_from
};

// Reads every policies/<code>/*.toml below `dir`, and policies/regions/<region>/*.toml as
// mutual-recognition agreements. All files are checked; the error
// lists every bad file as "file:line: message", one per line.
Result<PolicySet> LoadPolicyDir(const std::string& dir);

}  // namespace epermit::policy
