// Points (积分) for a person from the ledger this node holds, in any city whose points table
// the node carries, on any date (GET /api/v1/people/{citizen_id}/points, `epermit points`),
// and the calculator (积分模拟测算) for facts given directly (POST /api/v1/points/calculate,
// `epermit points calc`). Reads only; the calculator touches neither the store nor the log.
// The explanation names every fact, rule and source clause.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "policy/policy_set.hpp"
#include "service/ledger_service.hpp"
#include "service/node_context.hpp"

namespace epermit::service {

struct PointsQuery {
  std::string city;          // empty: the node's city
  std::optional<Date> date;  // absent: today
  bool recognition = true;   // false: score as if no mutual-recognition agreement existed
};

// The calculator without a node: `profile` (docs/points-profile.schema.json) scored in
// query.city (empty: `default_city`) on query.date (absent: `today`; not after it), with the
// answer of ForPerson but without a citizen ID. Errors: "points.bad_city", "points.bad_date",
// "profile.invalid" (field: the path inside the profile), "policy.not_in_force", "points.no_table".
Result<nlohmann::json> CalculatePoints(const policy::PolicySet& policies, const nlohmann::json& profile,
                                       const PointsQuery& query, const std::string& default_city, Date today);

class PointsService {
 public:
  explicit PointsService(const NodeContext& ctx) : ctx_(ctx), ledger_(ctx) {}

  // The explained score (policy::PointsReportToJson). Errors: the ledger's ("citizen_id.*",
  // "person.not_found"), "points.bad_city" (not a city-level code), "points.bad_date"
  // (after today), "policy.not_in_force", "points.no_table".
  Result<nlohmann::json> ForPerson(const std::string& citizen_id, const PointsQuery& query) const;

  // CalculatePoints with the node's policies, city and clock. Stores nothing.
  Result<nlohmann::json> Calculate(const nlohmann::json& profile, const PointsQuery& query) const;

 private:
  const NodeContext& ctx_;
  LedgerService ledger_;
};

}  // namespace epermit::service
