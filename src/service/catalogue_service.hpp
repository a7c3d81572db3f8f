// What the permit opens for one person (GET /api/v1/me/services and
// /api/v1/people/{citizen_id}/services): every service of the city's catalogue in force on a
// date (policy/services.hpp), with qualifies / does not qualify, the tier and the explanation,
// from the ledger this node holds. Reads only.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "service/ledger_service.hpp"
#include "service/node_context.hpp"

namespace epermit::service {

class CatalogueService {
 public:
  explicit CatalogueService(const NodeContext& ctx) : ctx_(ctx), ledger_(ctx) {}

  // {citizen_id (masked), city, policy_version, date, services: [policy::ServiceResultToJson]}
  // in the node's city on `date` (absent: today). Errors: the ledger's ("citizen_id.*",
  // "person.not_found"), "services.bad_date" (after today), "policy.not_in_force".
  Result<nlohmann::json> ForPerson(const std::string& citizen_id, std::optional<Date> date) const;

 private:
  const NodeContext& ctx_;
  LedgerService ledger_;
};

}  // namespace epermit::service
