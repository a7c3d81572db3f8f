// 申领: a permit application is checked at once against department records and the
// city's policy. A clean case is approved and the permit issued in the same
// transaction (即时办结); the rest wait in the reviewer queue with the statutory deadline.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/citizen_id.hpp"
#include "service/node_context.hpp"

namespace epermit::service {

struct GuardianInput {
  std::string citizen_id;
  std::string name;
  std::string relation;
};

struct ApplicationInput {
  std::string citizen_id;
  std::string registration_id;  // empty: the person's registration in this city
  std::string name;
  std::string ethnicity;
  std::string photo_ref;
  std::optional<GuardianInput> guardian;
};

struct ApplicationOutcome {
  domain::Application application;
  std::optional<domain::Permit> permit;
};

struct ReviewQueueItem {
  domain::Application application;
  int days_left = 0;  // negative when overdue
};

struct ReviewQueuePage {
  std::vector<ReviewQueueItem> items;
  int64_t total = 0;
};

struct ReviewDecisionInput {
  std::string decision;  // approve | reject
  std::string reason;
};

inline constexpr char kGuardianRelations[] = "father, mother, grandparent, sibling, legal_guardian";

class ApplicationService {
 public:
  explicit ApplicationService(const NodeContext& ctx) : ctx_(ctx) {}

  Result<ApplicationOutcome> Apply(const ApplicationInput& in, const Actor& actor);
  Result<domain::Application> Get(const std::string& id);
  Result<ReviewQueuePage> ReviewQueue(store::PageRequest page);
  Result<ApplicationOutcome> Decide(const std::string& id, const ReviewDecisionInput& in, const Actor& reviewer);

 private:
  Result<std::optional<domain::Guardian>> CheckGuardian(const ApplicationInput& in, const domain::CitizenId& applicant,
                                                        const policy::CityPolicy& policy) const;
  const NodeContext& ctx_;
};

}  // namespace epermit::service
