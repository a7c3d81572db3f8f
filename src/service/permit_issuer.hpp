// Builds and stores a new permit inside the caller's transaction: first issue after an
// approved application, or a new version on replacement.
#pragma once

#include "policy/city_policy.hpp"
#include "service/node_context.hpp"

namespace epermit::service {

// The permit for an approved application: 第四条 fields from the application, the
// department records and the registration; number from the city's sequence and a status
// index taken, but the permit row not yet written. Lets a caller that has not stored the
// application yet write it once, already carrying the permit number.
Result<domain::Permit> PrepareFirstPermit(store::Tx& tx, const NodeContext& ctx, const policy::CityPolicy& policy,
                                          const domain::Application& app, const domain::Registration& reg,
                                          const domain::RecordBundle& records);

// Writes a prepared permit and its "issue" history row; the application must be stored.
Status StoreIssuedPermit(store::Tx& tx, const policy::CityPolicy& policy, const domain::Permit& p, const Actor& actor);

// PrepareFirstPermit then StoreIssuedPermit, for an application already stored.
Result<domain::Permit> IssueFirstPermit(store::Tx& tx, const NodeContext& ctx, const policy::CityPolicy& policy,
                                        const domain::Application& app, const domain::Registration& reg,
                                        const domain::RecordBundle& records, const Actor& actor);

// The residence anniversary the permit is endorsed until at issue. When issue falls in
// the endorsement window of the next anniversary, issue counts as that endorsement.
Date FirstEndorsedUntil(Date residence_since, Date today, const domain::EndorsementWindow& window);

}  // namespace epermit::service
