// A resident's application for one service of the city's catalogue (policy/services.hpp),
// the notices placed in their inbox when the services they qualify for change, and what the
// node last worked out for them (to tell what changed). Pure data; the rules live in service/.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace epermit::domain {

// submitted → needs_materials (the full list at once) → submitted → approved → completed,
// or rejected with reasons from submitted. needs_materials can also be where it starts, when
// the application lacked what the catalogue lists.
enum class ServiceApplicationState { kSubmitted, kNeedsMaterials, kApproved, kRejected, kCompleted };
const char* ToString(ServiceApplicationState s);
std::optional<ServiceApplicationState> ParseServiceApplicationState(std::string_view s);
// Submitted, needs materials or approved: a person has at most one such per service.
bool IsOpen(ServiceApplicationState s);

struct ServiceApplication {
  std::string id;  // "sva_" + 20 hex digits
  std::string citizen_id;
  std::string city;
  std::string service_id;
  std::string policy_version;  // the catalogue the application was checked against
  std::string tier;            // the tier that applied; "" when the service has none
  ServiceApplicationState state = ServiceApplicationState::kSubmitted;
  std::string details_json;                    // the workflow's inputs and what was worked out
  std::vector<std::string> materials_missing;  // codes still to bring (needs_materials)
  std::vector<std::string> reasons;            // why rejected
  int step = 0;                                // index into the service's steps
  int64_t step_due = 0;                        // unix seconds: the office's deadline for the step; 0: none
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// One notice in a resident's inbox: a service newly qualified for, lost, or at another tier.
struct InboxItem {
  int64_t id = 0;  // assigned by the store
  std::string citizen_id;
  std::string kind;  // "service_gained", "service_lost", "service_tier_changed"
  std::string service_id;
  std::string body_json;  // names, tier, trigger, the explanation
  int64_t created_at = 0;
};

// What the node last worked out for a person: service id → tier ("" for a service without
// tiers), for the services they qualify for; and whether they declined notices.
struct ServiceStandingRecord {
  std::string citizen_id;
  std::map<std::string, std::string> qualified;
  bool opted_out = false;
  bool known = false;  // a standing was worked out before (else everything is new)
  int64_t updated_at = 0;
};

}  // namespace epermit::domain
