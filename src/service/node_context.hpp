// What every use case of a city node needs: its store, its policies, its clock, its
// city code and an id source. Built once by the composition root (src/app/).
#pragma once

#include <string>

#include "common/clock.hpp"
#include "policy/policy_set.hpp"
#include "store/store.hpp"

namespace epermit::service {

// Unguessable ids ("reg_", "app_" + 20 hex digits) so ids reveal neither order nor volume.
class IdGenerator {
 public:
  IdGenerator();
  std::string Next(std::string_view prefix) const;  // thread-safe (libsodium's CSPRNG)
};

// Told, after the change is committed, that a person's facts changed (records imported, a
// permit issued, endorsed or revoked), so what depends on them can be worked out again
// (service/service_push.hpp). Best effort: the daily sweep catches what it missed, and what
// time alone changes.
class PersonChanges {
 public:
  virtual ~PersonChanges() = default;
  virtual void Changed(const std::string& citizen_id, std::string_view trigger) = 0;
};

struct NodeContext {
  store::Store* store = nullptr;
  const policy::PolicySet* policies = nullptr;
  const Clock* clock = nullptr;
  std::string city;  // the node's city-level division code
  IdGenerator* ids = nullptr;
  PersonChanges* changes = nullptr;  // none in tools that serve nobody

  void PersonChanged(const std::string& citizen_id, std::string_view trigger) const {
    if (changes != nullptr) changes->Changed(citizen_id, trigger);
  }

  // The policy in force in this city today (kNotFound if none).
  Result<const policy::CityPolicy*> PolicyToday() const { return policies->InForce(city, clock->Today()); }
};

// Who acts, and on whose behalf, recorded in every history row.
struct Actor {
  std::string id = "system";
};

}  // namespace epermit::service
