// Applications for the services of the city's catalogue (issue 6 item 4): a resident applies
// for a service they qualify for; the office asks for missing materials (the full list at
// once), approves, rejects with reasons, completes. Each step carries the office's deadline
// from the catalogue's steps; each change is a history row (and so in the transparency log),
// and a notice in the resident's inbox.
//
// The social-insurance services check their own rules when applied for
// (policy/social_insurance_services.hpp): the medical filing's six-month lock, a pension
// transfer needing a contribution history, the unemployment benefit's twelve months.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "domain/service_application.hpp"
#include "service/ledger_service.hpp"
#include "service/node_context.hpp"

namespace epermit::service {

struct ServiceApplyInput {
  std::string service_id;
  std::vector<std::string> materials;  // codes of the catalogue's materials brought with it
  std::string medical_category;        // the medical filing: policy::MedicalFilingCategory
  std::string separation_reason;       // the unemployment benefit: policy::SeparationReason
};

struct ServiceDecisionInput {
  std::string decision;                // approve | reject | request_materials | complete
  std::vector<std::string> reasons;    // reject: at least one
  std::vector<std::string> materials;  // request_materials: every code still needed
};

inline constexpr size_t kMaxServiceReasons = 10;
inline constexpr size_t kMaxServiceReasonChars = 300;

class ServiceApplicationService {
 public:
  explicit ServiceApplicationService(const NodeContext& ctx) : ctx_(ctx), ledger_(ctx) {}

  // Errors: "service.unknown", "service.material_unknown", "field.*" (a workflow input that
  // is missing, unknown, or given to a service that takes none), "service.not_qualified"
  // (with every unmet rule in `unmet` as [{id, label_en, label_zh, value, required}]), the
  // workflow rules' ("medical.*", "pension.*", "unemployment.*"), and
  // "service_application.duplicate".
  Result<domain::ServiceApplication> Apply(const std::string& citizen_id, const ServiceApplyInput& in,
                                           const Actor& actor, nlohmann::json* unmet);
  // kNotFound "service_application.not_found" for an id of no application of this city.
  Result<domain::ServiceApplication> Find(const std::string& id);
  Result<std::vector<domain::ServiceApplication>> Of(const std::string& citizen_id);
  Result<std::vector<domain::ServiceApplication>> Queue();
  // The office's decision. Errors: "field.enum", "service_application.reasons",
  // "service.material_unknown", "service_application.state" (not a decision for its state).
  Result<domain::ServiceApplication> Decide(const std::string& id, const ServiceDecisionInput& in,
                                            const Actor& reviewer);
  // The resident brings materials asked for; when none are left it is submitted again.
  // Errors: "service_application.not_found", "service_application.state",
  // "service.material_unknown" (a code not asked for).
  Result<domain::ServiceApplication> ProvideMaterials(const std::string& citizen_id, const std::string& id,
                                                      const std::vector<std::string>& materials, const Actor& actor);

  // The application as the API shows it, with the service's names, the materials' names and
  // the current step and its deadline.
  nlohmann::json ToJson(const domain::ServiceApplication& a) const;

 private:
  const NodeContext& ctx_;
  LedgerService ledger_;
};

}  // namespace epermit::service
