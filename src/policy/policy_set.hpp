// Every city's policy versions, loaded from policies/<division-code>/*.toml.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "policy/city_policy.hpp"

namespace epermit::policy {

class PolicySet {
 public:
  // Adds a version; refuses a second version of the same city whose period overlaps.
  Status Add(CityPolicy policy);

  // The version in force in `city` on `date`, or kNotFound.
  Result<const CityPolicy*> InForce(const std::string& city, Date date) const;
  std::vector<std::string> Cities() const;
  const std::vector<CityPolicy>& Versions(const std::string& city) const;

 private:
  std::map<std::string, std::vector<CityPolicy>> by_city_;  // sorted by effective_from
};

// Reads every policies/<code>/*.toml below `dir`. All files are checked; the error
// lists every bad file as "file:line: message", one per line.
Result<PolicySet> LoadPolicyDir(const std::string& dir);

}  // namespace epermit::policy
