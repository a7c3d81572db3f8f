#include "service/catalogue_service.hpp"

#include "domain/citizen_id.hpp"
#include "policy/services.hpp"

namespace epermit::service {

Result<nlohmann::json> CatalogueService::ForPerson(const std::string& citizen_id, std::optional<Date> date) const {
  const Date today = ctx_.clock->Today();
  const Date on = date.value_or(today);
  if (on > today) {
    return MakeError(ErrorKind::kInvalidArgument, "services.bad_date",
                     "Services are worked out for today or a past date; " + FormatIsoDate(on) + " is in the future.",
                     "服务资格只能按今天或以前的日期计算；" + FormatIsoDate(on) + " 尚未到来。", "date");
  }
  EPERMIT_ASSIGN_OR_RETURN(LedgerView view, ledger_.Get(citizen_id));
  EPERMIT_ASSIGN_OR_RETURN(const policy::CityPolicy* policy, ctx_.policies->InForce(ctx_.city, on));
  nlohmann::json services = nlohmann::json::array();
  for (const policy::ServiceResult& r : policy::ExplainServices(policy->services, view.ledger, ctx_.city, on)) {
    services.push_back(policy::ServiceResultToJson(r));
  }
  return nlohmann::json{{"citizen_id", domain::MaskCitizenId(view.ledger.citizen_id)},
                        {"city", ctx_.city},
                        {"policy_version", policy->version},
                        {"date", FormatIsoDate(on)},
                        {"services", std::move(services)}};
}

}  // namespace epermit::service
