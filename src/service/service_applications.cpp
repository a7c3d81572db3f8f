#include "service/service_applications.hpp"

#include <algorithm>
#include <set>

#include "domain/citizen_id.hpp"
#include "policy/points_report.hpp"
#include "policy/services.hpp"
#include "policy/social_insurance_services.hpp"

namespace epermit::service {
namespace {

using domain::ServiceApplication;
using domain::ServiceApplicationState;
using nlohmann::json;

constexpr int64_t kDaySeconds = 86400;

Error UnknownService(const std::string& id) {
  return MakeError(ErrorKind::kInvalidArgument, "service.unknown",
                   "The city's catalogue has no service '" + id + "'; GET /api/v1/me/services lists them.",
                   "本市服务目录中没有服务“" + id + "”；可通过 /api/v1/me/services 查看。", "service_id");
}

Error NoSuchApplication() {
  return MakeError(ErrorKind::kNotFound, "service_application.not_found", "No service application has this id.",
                   "没有此编号的服务申请。");
}

Error WrongState(const ServiceApplication& a, const std::string& what) {
  return MakeError(ErrorKind::kConflict, "service_application.state",
                   "The application is " + std::string(domain::ToString(a.state)) + "; it cannot be " + what + ".",
                   std::string("该申请当前状态为 ") + domain::ToString(a.state) + "，不能进行此操作。");
}

const policy::ServiceDefinition* FindService(const policy::ServiceCatalogue& catalogue, const std::string& id) {
  for (const policy::ServiceDefinition& d : catalogue.services) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

// The service as the catalogue version the application was checked against defines it;
// nullptr when that version is no longer loaded.
const policy::ServiceDefinition* ServiceOf(const policy::PolicySet& policies, const ServiceApplication& a) {
  for (const policy::CityPolicy& p : policies.Versions(a.city)) {
    if (p.version == a.policy_version) return FindService(p.services, a.service_id);
  }
  return nullptr;
}

// Every code must be one of `allowed`; duplicates are dropped.
Result<std::vector<std::string>> KnownCodes(const std::vector<std::string>& codes,
                                            const std::vector<std::string>& allowed, const std::string& field) {
  std::vector<std::string> out;
  for (const std::string& c : codes) {
    if (std::find(allowed.begin(), allowed.end(), c) == allowed.end()) {
      std::string list;
      for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
      return MakeError(ErrorKind::kInvalidArgument, "service.material_unknown",
                       "'" + c + "' is not one of the materials asked for here (" +
                           (list.empty() ? std::string("none") : list) + ").",
                       "“" + c + "”不是此处所需的材料（" + (list.empty() ? std::string("无") : list) + "）。", field);
    }
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  }
  return out;
}

std::vector<std::string> MaterialCodes(const policy::ServiceDefinition& d) {
  std::vector<std::string> codes;
  for (const policy::ServiceMaterial& m : d.materials) codes.push_back(m.code);
  return codes;
}

int64_t DueAfter(const policy::ServiceDefinition& d, int step, int64_t now) {
  if (step < 0 || static_cast<size_t>(step) >= d.steps.size() || d.steps[step].deadline_days <= 0) return 0;
  return now + int64_t{d.steps[step].deadline_days} * kDaySeconds;
}

Error InputNotTaken(const std::string& field, const std::string& service) {
  return MakeError(ErrorKind::kInvalidArgument, "field.unexpected",
                   "'" + field + "' is not asked for by the service '" + service + "'.",
                   "服务“" + service + "”不需要 " + field + "。", field);
}

// The filing in force: the latest completed filing of this service.
std::optional<policy::MedicalFiling> FilingInForce(const std::vector<ServiceApplication>& mine,
                                                   const std::string& service_id) {
  std::optional<policy::MedicalFiling> out;
  int64_t latest = -1;
  for (const ServiceApplication& a : mine) {
    if (a.service_id != service_id || a.state != ServiceApplicationState::kCompleted || a.updated_at < latest) continue;
    const json d = json::parse(a.details_json, nullptr, false);
    if (!d.is_object()) continue;
    auto category = policy::ParseMedicalFilingCategory(d.value("category", ""));
    auto filed = ParseIsoDate(d.value("filed_on", ""));
    if (!category || !filed) continue;
    policy::MedicalFiling f;
    f.category = *category;
    f.insured_city = d.value("insured_city", "");
    f.filed_on = *filed;
    if (auto until = ParseIsoDate(d.value("valid_until", ""))) f.valid_until = *until;
    out = f;
    latest = a.updated_at;
  }
  return out;
}

// The workflow's inputs: given when the service takes them, and known values.
Status CheckWorkflowInputs(const policy::ServiceDefinition& d, const ServiceApplyInput& in) {
  if (d.workflow != policy::ServiceWorkflow::kMedicalFiling && !in.medical_category.empty()) {
    return InputNotTaken("medical_category", d.id);
  }
  if (d.workflow != policy::ServiceWorkflow::kUnemploymentBenefit && !in.separation_reason.empty()) {
    return InputNotTaken("separation_reason", d.id);
  }
  if (d.workflow == policy::ServiceWorkflow::kMedicalFiling &&
      !policy::ParseMedicalFilingCategory(in.medical_category)) {
    return MakeError(ErrorKind::kInvalidArgument, "field.enum",
                     "'medical_category' must be one of retired_resettled, long_term_resident, stationed_worker, "
                     "referral, emergency, other_temporary.",
                     "medical_category 须为 retired_resettled、long_term_resident、stationed_worker、referral、"
                     "emergency、other_temporary 之一。",
                     "medical_category");
  }
  if (d.workflow == policy::ServiceWorkflow::kUnemploymentBenefit &&
      !policy::ParseSeparationReason(in.separation_reason)) {
    return MakeError(ErrorKind::kInvalidArgument, "field.enum",
                     "'separation_reason' must be one of contract_expired, dismissed_by_employer, employer_fault, "
                     "resigned.",
                     "separation_reason 须为 contract_expired、dismissed_by_employer、employer_fault、resigned 之一。",
                     "separation_reason");
  }
  return Status::Ok();
}

// The workflow's own rules, and what they work out, kept with the application. The inputs
// passed CheckWorkflowInputs.
Result<json> WorkflowDetails(const policy::ServiceDefinition& d, const ServiceApplyInput& in, const LedgerView& view,
                             const std::string& city, Date today, const std::vector<ServiceApplication>& mine) {
  switch (d.workflow) {
    case policy::ServiceWorkflow::kNone:
      return json::object();
    case policy::ServiceWorkflow::kMedicalFiling: {
      const auto category = policy::ParseMedicalFilingCategory(in.medical_category);
      if (!category) return InternalError("medical category not checked");
      EPERMIT_ASSIGN_OR_RETURN(policy::MedicalFiling f, policy::PlanMedicalFiling(view.ledger, city, *category, today,
                                                                                  FilingInForce(mine, d.id)));
      json out = {{"category", policy::ToString(f.category)},
                  {"insured_city", f.insured_city},
                  {"filed_on", FormatIsoDate(f.filed_on)}};
      if (f.valid_until) out["valid_until"] = FormatIsoDate(*f.valid_until);
      return out;
    }
    case policy::ServiceWorkflow::kPensionTransfer: {
      if (view.hukou_city.empty()) {
        return MakeError(ErrorKind::kFailedPrecondition, "pension.hukou_unknown",
                         "No hukou record is on file, so the place the pension is paid cannot be worked out.",
                         "没有户籍记录，无法确定养老保险待遇领取地。");
      }
      EPERMIT_ASSIGN_OR_RETURN(policy::PensionPlace p, policy::WorkOutPensionPlace(view.ledger, view.hukou_city));
      return json{{"total_months", p.total_months},     {"from_city", p.current_city},
                  {"receipt_city", p.receipt_city},     {"rule", p.rule},
                  {"explanation_en", p.explanation_en}, {"explanation_zh", p.explanation_zh}};
    }
    case policy::ServiceWorkflow::kUnemploymentBenefit: {
      const auto reason = policy::ParseSeparationReason(in.separation_reason);
      if (!reason) return InternalError("separation reason not checked");
      EPERMIT_ASSIGN_OR_RETURN(policy::UnemploymentBenefit b, policy::WorkOutUnemploymentBenefit(view.ledger, *reason));
      return json{{"separation_reason", policy::ToString(*reason)},
                  {"months_paid", b.months_paid},
                  {"benefit_months", b.benefit_months},
                  {"claim_city", b.claim_city},
                  {"explanation_en", b.explanation_en},
                  {"explanation_zh", b.explanation_zh}};
    }
  }
  return json::object();
}

Status RecordEvent(store::Tx& tx, const ServiceApplication& a, const std::string& action, const Actor& actor,
                   const std::string& reason, int64_t now) {
  const json detail = {
      {"service", a.service_id}, {"state", domain::ToString(a.state)}, {"person", domain::MaskCitizenId(a.citizen_id)}};
  return tx.AppendHistory({0, "service_application", a.id, action, actor.id, reason, now, detail.dump()});
}

// The resident's notice of what happened to their application.
Status NoticeOf(store::Tx& tx, const ServiceApplication& a, const policy::ServiceDefinition* d, int64_t now) {
  json body = {{"application_id", a.id},
               {"state", domain::ToString(a.state)},
               {"name_en", d ? d->name_en : a.service_id},
               {"name_zh", d ? d->name_zh : a.service_id}};
  if (!a.materials_missing.empty()) body["materials_missing"] = a.materials_missing;
  if (!a.reasons.empty()) body["reasons"] = a.reasons;
  return tx
      .AppendInbox(
          {0, a.citizen_id, "application_" + std::string(domain::ToString(a.state)), a.service_id, body.dump(), now})
      .status();
}

}  // namespace

Result<ServiceApplication> ServiceApplicationService::Apply(const std::string& citizen_id, const ServiceApplyInput& in,
                                                            const Actor& actor, json* unmet) {
  const Date today = ctx_.clock->Today();
  EPERMIT_ASSIGN_OR_RETURN(const policy::CityPolicy* policy, ctx_.PolicyToday());
  const policy::ServiceDefinition* d = FindService(policy->services, in.service_id);
  if (d == nullptr) return UnknownService(in.service_id);
  EPERMIT_ASSIGN_OR_RETURN(std::vector<std::string> brought, KnownCodes(in.materials, MaterialCodes(*d), "materials"));
  EPERMIT_RETURN_IF_ERROR(CheckWorkflowInputs(*d, in));
  EPERMIT_ASSIGN_OR_RETURN(LedgerView view, ledger_.Get(citizen_id));

  const policy::ServiceResult* result = nullptr;
  std::vector<policy::ServiceResult> results = policy::ExplainServices(policy->services, view.ledger, ctx_.city, today);
  for (const policy::ServiceResult& r : results) {
    if (r.service == d) result = &r;
  }
  if (result == nullptr) return InternalError("service missing from its own catalogue");
  if (!result->qualifies) {
    const std::vector<policy::PreconditionLine> lines = policy::UnmetRules(*result);
    std::string list_en;
    std::string list_zh;
    if (unmet != nullptr) *unmet = json::array();
    for (const policy::PreconditionLine& l : lines) {
      list_en += (list_en.empty() ? "" : "; ") + l.title_en + " (needs " + l.requirement + ")";
      list_zh += (list_zh.empty() ? "" : "；") + l.title_zh + "（须 " + l.requirement + "）";
      if (unmet != nullptr) unmet->push_back(policy::PreconditionLineToJson(l));
    }
    return MakeError(ErrorKind::kInvalidArgument, "service.not_qualified",
                     "You do not qualify for " + d->name_en + " today. Unmet: " + list_en + ".",
                     "您目前不符合“" + d->name_zh + "”的条件。未满足：" + list_zh + "。", "service_id");
  }

  const int64_t now = ctx_.clock->UnixSeconds();
  ServiceApplication a;
  a.id = ctx_.ids->Next("sva_");
  a.citizen_id = view.ledger.citizen_id;
  a.city = ctx_.city;
  a.service_id = d->id;
  a.policy_version = policy->version;
  a.tier = result->tier != nullptr ? result->tier->id : "";
  for (const std::string& code : MaterialCodes(*d)) {
    if (std::find(brought.begin(), brought.end(), code) == brought.end()) a.materials_missing.push_back(code);
  }
  a.state =
      a.materials_missing.empty() ? ServiceApplicationState::kSubmitted : ServiceApplicationState::kNeedsMaterials;
  a.step = 0;
  a.step_due = a.state == ServiceApplicationState::kSubmitted ? DueAfter(*d, 0, now) : 0;
  a.created_at = now;
  a.updated_at = now;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Write(store::Durability::kFull, [&](store::Tx& tx) -> Status {
    // Read in the write transaction, so two applications at once cannot both pass the lock.
    EPERMIT_ASSIGN_OR_RETURN(std::vector<ServiceApplication> mine, tx.ServiceApplicationsOf(a.citizen_id));
    for (const ServiceApplication& other : mine) {
      if (other.service_id == a.service_id && domain::IsOpen(other.state)) {
        return MakeError(ErrorKind::kConflict, "service_application.duplicate",
                         "There is already an open application for this service (" + other.id + "); follow that one.",
                         "该服务已有办理中的申请（" + other.id + "），请查看原申请的进度。", "service_id");
      }
    }
    EPERMIT_ASSIGN_OR_RETURN(json details, WorkflowDetails(*d, in, view, ctx_.city, today, mine));
    a.details_json = details.dump();
    EPERMIT_RETURN_IF_ERROR(tx.SaveServiceApplication(a));
    EPERMIT_RETURN_IF_ERROR(RecordEvent(tx, a, "submitted", actor, "", now));
    return NoticeOf(tx, a, d, now);
  }));
  return a;
}

Result<ServiceApplication> ServiceApplicationService::Find(const std::string& id) {
  std::optional<ServiceApplication> found;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(found, tx.FindServiceApplication(id));
    return Status::Ok();
  }));
  if (!found || found->city != ctx_.city) return NoSuchApplication();
  return *found;
}

Result<std::vector<ServiceApplication>> ServiceApplicationService::Of(const std::string& citizen_id) {
  std::vector<ServiceApplication> out;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(out, tx.ServiceApplicationsOf(citizen_id));
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<ServiceApplication>> ServiceApplicationService::Queue() {
  std::vector<ServiceApplication> out;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(out, tx.ServiceApplicationQueue(ctx_.city, 500));
    return Status::Ok();
  }));
  return out;
}

Result<ServiceApplication> ServiceApplicationService::Decide(const std::string& id, const ServiceDecisionInput& in,
                                                             const Actor& reviewer) {
  static const std::set<std::string> kDecisions = {"approve", "reject", "request_materials", "complete"};
  if (kDecisions.count(in.decision) == 0) {
    return MakeError(ErrorKind::kInvalidArgument, "field.enum",
                     "'decision' must be approve, reject, request_materials or complete.",
                     "decision 须为 approve、reject、request_materials 或 complete。", "decision");
  }
  if (in.decision == "reject" && in.reasons.empty()) {
    return MakeError(ErrorKind::kInvalidArgument, "service_application.reasons",
                     "A rejection must give the person its reasons.", "驳回须向申请人说明理由。", "reasons");
  }
  if (in.decision != "reject" && !in.reasons.empty()) {
    return MakeError(ErrorKind::kInvalidArgument, "field.unexpected", "'reasons' are given only with a rejection.",
                     "只有驳回时才填写 reasons。", "reasons");
  }
  if ((in.decision == "request_materials") != !in.materials.empty()) {
    return MakeError(ErrorKind::kInvalidArgument, "service_application.materials",
                     "A request for materials lists every material still needed, at once; other decisions list none.",
                     "补正材料须一次性列出全部所需材料；其他决定不填写 materials。", "materials");
  }
  const int64_t now = ctx_.clock->UnixSeconds();
  ServiceApplication out;
  const policy::ServiceDefinition* def = nullptr;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Write(store::Durability::kFull, [&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(auto found, tx.FindServiceApplication(id));
    if (!found || found->city != ctx_.city) return NoSuchApplication();
    out = *found;
    def = ServiceOf(*ctx_.policies, out);
    if (def == nullptr) return InternalError("service application of a catalogue no longer loaded");
    std::string action = in.decision;
    if (in.decision == "approve") {
      if (out.state != ServiceApplicationState::kSubmitted) return WrongState(out, "approved");
      out.state = ServiceApplicationState::kApproved;
      out.step = std::min<int>(1, static_cast<int>(def->steps.size()) - 1);
      out.step_due = DueAfter(*def, out.step, now);
      action = "approved";
    } else if (in.decision == "reject") {
      if (out.state != ServiceApplicationState::kSubmitted) return WrongState(out, "rejected");
      out.state = ServiceApplicationState::kRejected;
      out.reasons = in.reasons;
      out.step_due = 0;
      action = "rejected";
    } else if (in.decision == "request_materials") {
      if (out.state != ServiceApplicationState::kSubmitted) return WrongState(out, "sent back for materials");
      std::vector<std::string> allowed = MaterialCodes(*def);
      EPERMIT_ASSIGN_OR_RETURN(out.materials_missing, KnownCodes(in.materials, allowed, "materials"));
      out.state = ServiceApplicationState::kNeedsMaterials;
      out.step_due = 0;
      action = "materials_requested";
    } else {
      if (out.state != ServiceApplicationState::kApproved) return WrongState(out, "completed");
      out.state = ServiceApplicationState::kCompleted;
      out.step = std::max(0, static_cast<int>(def->steps.size()) - 1);
      out.step_due = 0;
      if (def->workflow == policy::ServiceWorkflow::kMedicalFiling) {
        // The six-month lock and a temporary filing's validity run from the day it is made.
        json details = json::parse(out.details_json, nullptr, false);
        if (details.is_object()) {
          const Date today = ctx_.clock->Today();
          details["filed_on"] = FormatIsoDate(today);
          if (details.contains("valid_until")) {
            details["valid_until"] =
                FormatIsoDate(AddMonths(today, policy::kMedicalFilingMonths) - std::chrono::days(1));
          }
          out.details_json = details.dump();
        }
      }
      action = "completed";
    }
    out.updated_at = now;
    EPERMIT_RETURN_IF_ERROR(tx.SaveServiceApplication(out));
    std::string reason;
    for (const std::string& r : out.reasons) reason += (reason.empty() ? "" : "; ") + r;
    EPERMIT_RETURN_IF_ERROR(RecordEvent(tx, out, action, reviewer, action == "rejected" ? reason : "", now));
    return NoticeOf(tx, out, def, now);
  }));
  return out;
}

Result<ServiceApplication> ServiceApplicationService::ProvideMaterials(const std::string& citizen_id,
                                                                       const std::string& id,
                                                                       const std::vector<std::string>& materials,
                                                                       const Actor& actor) {
  if (materials.empty()) {
    return MakeError(ErrorKind::kInvalidArgument, "field.required", "'materials' lists the materials brought.",
                     "materials 须列出所交材料。", "materials");
  }
  const int64_t now = ctx_.clock->UnixSeconds();
  ServiceApplication out;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Write(store::Durability::kFull, [&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(auto found, tx.FindServiceApplication(id));
    if (!found || found->city != ctx_.city || found->citizen_id != citizen_id) return NoSuchApplication();
    out = *found;
    if (out.state != ServiceApplicationState::kNeedsMaterials) return WrongState(out, "given materials");
    EPERMIT_ASSIGN_OR_RETURN(std::vector<std::string> brought,
                             KnownCodes(materials, out.materials_missing, "materials"));
    std::erase_if(out.materials_missing,
                  [&](const std::string& c) { return std::find(brought.begin(), brought.end(), c) != brought.end(); });
    const policy::ServiceDefinition* def = ServiceOf(*ctx_.policies, out);
    if (out.materials_missing.empty()) {
      out.state = ServiceApplicationState::kSubmitted;
      out.step = 0;
      out.step_due = def != nullptr ? DueAfter(*def, 0, now) : 0;
    }
    out.updated_at = now;
    EPERMIT_RETURN_IF_ERROR(tx.SaveServiceApplication(out));
    return RecordEvent(tx, out, "materials_provided", actor, "", now);
  }));
  return out;
}

json ServiceApplicationService::ToJson(const ServiceApplication& a) const {
  const policy::ServiceDefinition* d = ServiceOf(*ctx_.policies, a);
  json missing = json::array();
  for (const std::string& code : a.materials_missing) {
    json m = {{"code", code}};
    if (d != nullptr) {
      for (const policy::ServiceMaterial& sm : d->materials) {
        if (sm.code == code) m.update({{"en", sm.en}, {"zh", sm.zh}});
      }
    }
    missing.push_back(std::move(m));
  }
  json step = nullptr;
  if (d != nullptr && a.step >= 0 && static_cast<size_t>(a.step) < d->steps.size()) {
    const policy::ServiceStep& s = d->steps[a.step];
    step = {{"id", s.id}, {"en", s.en}, {"zh", s.zh}, {"deadline_days", s.deadline_days}};
    step["due"] = a.step_due > 0 ? json(FormatUtcTimestamp(a.step_due)) : json(nullptr);
  }
  json details = json::parse(a.details_json, nullptr, false);
  if (details.is_discarded()) details = json::object();
  return {{"id", a.id},
          {"person", domain::MaskCitizenId(a.citizen_id)},
          {"service_id", a.service_id},
          {"name_en", d != nullptr ? d->name_en : a.service_id},
          {"name_zh", d != nullptr ? d->name_zh : a.service_id},
          {"policy_version", a.policy_version},
          {"tier", a.tier.empty() ? json(nullptr) : json(a.tier)},
          {"state", domain::ToString(a.state)},
          {"materials_missing", std::move(missing)},
          {"reasons", a.reasons},
          {"step", std::move(step)},
          {"details", std::move(details)},
          {"submitted_at", FormatUtcTimestamp(a.created_at)},
          {"updated_at", FormatUtcTimestamp(a.updated_at)}};
}

}  // namespace epermit::service
