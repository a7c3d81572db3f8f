// The accumulation ledger of one person (GET /api/v1/people/{citizen_id}/ledger): what this
// node holds about them — registrations, permits, department records — read in one
// snapshot and built into a policy::Ledger.
#pragma once

#include <string>

#include "policy/ledger.hpp"
#include "service/node_context.hpp"

namespace epermit::service {

struct LedgerView {
  policy::Ledger ledger;
  Date as_of{};  // the node's today when it was built
  // City-level code of the person's 户口, from the latest hukou record ("" when none): where a
  // pension is paid when no place has ten years (policy/social_insurance_services.hpp).
  std::string hukou_city;
};

class LedgerService {
 public:
  explicit LedgerService(const NodeContext& ctx) : ctx_(ctx) {}

  // Errors: the citizen ID's own codes (citizen_id.*, field "citizen_id") for a malformed
  // number; "person.not_found" (kNotFound) when the node has no registration, permit or
  // record of the person.
  Result<LedgerView> Get(const std::string& citizen_id) const;

 private:
  const NodeContext& ctx_;
};

}  // namespace epermit::service
