#include "service/catalogue_service.hpp"

#include "domain/citizen_id.hpp"
#include "policy/services.hpp"
#include "policy/social_insurance_services.hpp"

namespace epermit::service {
namespace {

using nlohmann::json;

json Refused(const Error& e) {
  return {{"outcome", "refused"}, {"code", e.code}, {"message_en", e.message_en}, {"message_zh", e.message_zh}};
}

// What a social-insurance service would give the person, worked out from the ledger
// (policy/social_insurance_services.hpp), before they apply: the filing they can make, where
// their pension will be paid, the benefit an involuntary loss of job would bring.
json Assessment(const policy::ServiceDefinition& d, const LedgerView& view, const std::string& city, Date on) {
  switch (d.workflow) {
    case policy::ServiceWorkflow::kNone:
      return nullptr;
    case policy::ServiceWorkflow::kMedicalFiling: {
      auto f = policy::PlanMedicalFiling(view.ledger, city, policy::MedicalFilingCategory::kLongTermResident, on,
                                         std::nullopt);
      if (!f.ok()) return Refused(f.error());
      return {
          {"outcome", "worked_out"},
          {"category", policy::ToString(f->category)},
          {"insured_city", f->insured_city},
          {"explanation_en", "A long-term residence filing with the insuring place " + f->insured_city +
                                 " takes effect at once and lasts until cancelled (not within six months); a "
                                 "temporary filing lasts six months."},
          {"explanation_zh",
           "向参保地 " + f->insured_city +
               " 办理异地长期居住备案，即时生效，长期有效（六个月内不得变更或取消）；临时外出就医备案有效期六个月。"}};
    }
    case policy::ServiceWorkflow::kPensionTransfer: {
      if (view.hukou_city.empty()) {
        return Refused(MakeError(ErrorKind::kFailedPrecondition, "pension.hukou_unknown",
                                 "No hukou record is on file, so the place the pension is paid cannot be worked out.",
                                 "没有户籍记录，无法确定养老保险待遇领取地。"));
      }
      auto p = policy::WorkOutPensionPlace(view.ledger, view.hukou_city);
      if (!p.ok()) return Refused(p.error());
      json cities = json::array();
      for (const policy::PensionCity& c : p->cities) {
        cities.push_back({{"city", c.city}, {"months", c.months}, {"last_month", FormatIsoMonth(c.last_month)}});
      }
      return {{"outcome", "worked_out"},
              {"total_months", p->total_months},
              {"cities", std::move(cities)},
              {"current_city", p->current_city},
              {"receipt_city", p->receipt_city},
              {"rule", p->rule},
              {"explanation_en", p->explanation_en},
              {"explanation_zh", p->explanation_zh}};
    }
    case policy::ServiceWorkflow::kUnemploymentBenefit: {
      auto b = policy::WorkOutUnemploymentBenefit(view.ledger, policy::SeparationReason::kContractExpired);
      if (!b.ok()) return Refused(b.error());
      return {{"outcome", "worked_out"},
              {"assumes", "involuntary_loss_of_job"},
              {"months_paid", b->months_paid},
              {"benefit_months", b->benefit_months},
              {"claim_city", b->claim_city},
              {"explanation_en", "If the job ended involuntarily: " + b->explanation_en},
              {"explanation_zh", "如非因本人意愿中断就业：" + b->explanation_zh}};
    }
  }
  return nullptr;
}

}  // namespace

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
    nlohmann::json j = policy::ServiceResultToJson(r);
    if (r.service->workflow != policy::ServiceWorkflow::kNone)
      j["assessment"] = Assessment(*r.service, view, ctx_.city, on);
    services.push_back(std::move(j));
  }
  return nlohmann::json{{"citizen_id", domain::MaskCitizenId(view.ledger.citizen_id)},
                        {"city", ctx_.city},
                        {"policy_version", policy->version},
                        {"date", FormatIsoDate(on)},
                        {"services", std::move(services)}};
}

}  // namespace epermit::service
