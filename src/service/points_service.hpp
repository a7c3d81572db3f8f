// Points (积分) for a person from the ledger this node holds, in any city whose points table
// the node carries, on any date (GET /api/v1/people/{citizen_id}/points, `epermit points`).
// Reads only; the explanation names every fact, rule and source clause.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "service/ledger_service.hpp"
#include "service/node_context.hpp"

namespace epermit::service {

struct PointsQuery {
  std::string city;          // empty: the node's city
  std::optional<Date> date;  // absent: today
  bool recognition = true;   // false: score as if no mutual-recognition agreement existed
};

class PointsService {
 public:
  explicit PointsService(const NodeContext& ctx) : ctx_(ctx), ledger_(ctx) {}

  // The explained score (policy::PointsReportToJson). Errors: the ledger's ("citizen_id.*",
  // "person.not_found"), "points.bad_city" (not a city-level code), "points.bad_date"
  // (after today), "policy.not_in_force", "points.no_table".
  Result<nlohmann::json> ForPerson(const std::string& citizen_id, const PointsQuery& query) const;

 private:
  const NodeContext& ctx_;
  LedgerService ledger_;
};

}  // namespace epermit::service
