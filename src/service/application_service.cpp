#include "service/application_service.hpp"

#include <nlohmann/json.hpp>

#include "policy/eligibility.hpp"
#include "service/field_checks.hpp"
#include "service/permit_issuer.hpp"

namespace epermit::service {
namespace {

bool KnownRelation(const std::string& r) {
  for (const char* k : {"father", "mother", "grandparent", "sibling", "legal_guardian"}) {
    if (r == k) return true;
  }
  return false;
}

Error NotFound(const std::string& what_en, const std::string& what_zh, const std::string& field) {
  return MakeError(ErrorKind::kNotFound, field + ".not_found", what_en + " was not found.", "未找到" + what_zh + "。",
                   field);
}

}  // namespace

Result<std::optional<domain::Guardian>> ApplicationService::CheckGuardian(const ApplicationInput& in,
                                                                          const domain::CitizenId& applicant,
                                                                          const policy::CityPolicy& policy) const {
  const Date today = ctx_.clock->Today();
  const bool minor = AgeOn(applicant.birth_date, today) < policy.eligibility.minor_age;
  if (!in.guardian) {
    if (minor) {
      return MakeError(ErrorKind::kInvalidArgument, "guardian.required",
                       "The applicant is under " + std::to_string(policy.eligibility.minor_age) +
                           "; a guardian must apply on their behalf (give guardian.citizen_id, name and relation).",
                       "申请人未满" + std::to_string(policy.eligibility.minor_age) +
                           "周岁，须由监护人代为申领（请填写监护人身份号码、姓名和关系）。",
                       "guardian");
    }
    return std::optional<domain::Guardian>{};
  }
  domain::Guardian g;
  EPERMIT_ASSIGN_OR_RETURN(domain::CitizenId gid,
                           CheckCitizenId(in.guardian->citizen_id, "guardian.citizen_id", today));
  g.citizen_id = gid.number;
  if (g.citizen_id == applicant.number) {
    return MakeError(ErrorKind::kInvalidArgument, "guardian.self", "The guardian cannot be the applicant.",
                     "监护人不能是申请人本人。", "guardian.citizen_id");
  }
  if (AgeOn(gid.birth_date, today) < 18) {
    return MakeError(ErrorKind::kInvalidArgument, "guardian.not_adult", "The guardian must be an adult (18 or over).",
                     "监护人必须年满18周岁。", "guardian.citizen_id");
  }
  EPERMIT_RETURN_IF_ERROR(CheckText(in.guardian->name, "guardian.name", kMaxNameChars));
  g.name = in.guardian->name;
  if (!KnownRelation(in.guardian->relation)) {
    return MakeError(ErrorKind::kInvalidArgument, "field.enum",
                     std::string("'guardian.relation' must be one of ") + kGuardianRelations + ".",
                     std::string("guardian.relation 必须是以下之一：") + kGuardianRelations + "。",
                     "guardian.relation");
  }
  g.relation = in.guardian->relation;
  return std::optional<domain::Guardian>{g};
}

Result<ApplicationOutcome> ApplicationService::Apply(const ApplicationInput& in, const Actor& actor) {
  const Date today = ctx_.clock->Today();
  EPERMIT_ASSIGN_OR_RETURN(domain::CitizenId id, CheckCitizenId(in.citizen_id, "citizen_id", today));
  EPERMIT_RETURN_IF_ERROR(CheckText(in.name, "name", kMaxNameChars));
  EPERMIT_RETURN_IF_ERROR(CheckText(in.ethnicity, "ethnicity", 20, false));
  EPERMIT_RETURN_IF_ERROR(CheckText(in.photo_ref, "photo_ref", kMaxShortChars));
  EPERMIT_RETURN_IF_ERROR(CheckText(in.registration_id, "registration_id", kMaxShortChars, false));
  EPERMIT_ASSIGN_OR_RETURN(const policy::CityPolicy* policy, ctx_.PolicyToday());
  EPERMIT_ASSIGN_OR_RETURN(std::optional<domain::Guardian> guardian, CheckGuardian(in, id, *policy));

  ApplicationOutcome out;
  domain::Application& app = out.application;
  app.id = ctx_.ids->Next("app_");
  app.citizen_id = id.number;
  app.city = ctx_.city;
  app.name = in.name;
  app.ethnicity = in.ethnicity;
  app.photo_ref = in.photo_ref;
  app.guardian = guardian;
  app.policy_version = policy->version;
  app.accepted_on = today;
  app.actor = actor.id;
  app.created_at = ctx_.clock->UnixSeconds();

  // Decided and stored in one FULL-sync transaction: the answer the caller gets is
  // exactly what survives a crash.
  Status s = ctx_.store->Write(store::Durability::kFull, [&](store::Tx& tx) -> Status {
    std::optional<domain::Registration> reg;
    if (in.registration_id.empty()) {
      EPERMIT_ASSIGN_OR_RETURN(reg, tx.LatestRegistration(app.citizen_id, ctx_.city));
      if (!reg) {
        return MakeError(
            ErrorKind::kFailedPrecondition, "registration.missing",
            "No residence registration of this person in this city; register first (POST /api/v1/registrations).",
            "该人员尚未在本市办理居住登记，请先办理居住登记。", "citizen_id");
      }
    } else {
      EPERMIT_ASSIGN_OR_RETURN(reg, tx.FindRegistration(in.registration_id));
      if (!reg || reg->citizen_id != app.citizen_id || reg->city != ctx_.city) {
        return NotFound("The registration " + in.registration_id + " of this person", "该人员的居住登记",
                        "registration_id");
      }
    }
    app.registration_id = reg->id;
    EPERMIT_ASSIGN_OR_RETURN(auto pending, tx.PendingApplication(app.citizen_id));
    if (pending) {
      return MakeError(ErrorKind::kConflict, "application.pending",
                       "An application of this person (" + pending->id + ") is already waiting for review.",
                       "该人员已有待审核的申请（" + pending->id + "），请勿重复申请。", "citizen_id");
    }
    EPERMIT_ASSIGN_OR_RETURN(auto current, tx.CurrentPermit(app.citizen_id, ctx_.city));
    if (current) {
      return MakeError(ErrorKind::kConflict, "permit.exists",
                       "This person already holds a permit of this city (" + current->number +
                           "); use endorsement, change or replacement instead.",
                       "该人员已持有本市居住证（" + current->number + "），请办理签注、变更或补领。", "citizen_id");
    }
    EPERMIT_ASSIGN_OR_RETURN(domain::RecordBundle records, tx.LoadRecords(app.citizen_id));
    policy::EligibilityInput input{app.citizen_id, id.birth_date, app.name, &*reg, &records, guardian, today};
    const policy::Decision decision = policy::EvaluateEligibility(*policy, input);
    app.decision_json = policy::DecisionToJson(decision).dump();
    switch (decision.outcome) {
      case policy::Outcome::kApproved:
        app.status = domain::ApplicationStatus::kApproved;
        break;
      case policy::Outcome::kRejected:
        app.status = domain::ApplicationStatus::kRejected;
        break;
      case policy::Outcome::kNeedsReview:
        app.status = domain::ApplicationStatus::kPendingReview;
        app.review_deadline = today + std::chrono::days(policy->permit.review_deadline_days);
        break;
    }
    if (app.status != domain::ApplicationStatus::kPendingReview) {
      app.decided_by = "automatic_review";
      app.decided_at = app.created_at;
    }
    // The permit is built first so that the application row is written once, with its
    // permit number (each extra write is another page in the FULL-sync commit).
    std::optional<domain::Permit> permit;
    if (app.status == domain::ApplicationStatus::kApproved) {
      EPERMIT_ASSIGN_OR_RETURN(permit, PrepareFirstPermit(tx, ctx_, *policy, app, *reg, records));
      app.permit_number = permit->number;
    }
    EPERMIT_RETURN_IF_ERROR(tx.InsertApplication(app));
    nlohmann::json detail = {{"outcome", policy::ToString(decision.outcome)}, {"policy_version", policy->version}};
    if (guardian) detail["guardian_relation"] = guardian->relation;
    EPERMIT_RETURN_IF_ERROR(
        tx.AppendHistory({0, "application", app.id, "apply", actor.id, "", app.created_at, detail.dump()}));
    if (permit) {
      EPERMIT_RETURN_IF_ERROR(StoreIssuedPermit(tx, *policy, *permit, actor));
      out.permit = std::move(permit);
    }
    return Status::Ok();
  });
  if (!s.ok()) return s.error();
  if (out.permit) ctx_.PersonChanged(out.permit->citizen_id, "permit_issued");
  return out;
}

Result<domain::Application> ApplicationService::Get(const std::string& id) {
  std::optional<domain::Application> app;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(app, tx.FindApplication(id));
    return Status::Ok();
  }));
  if (!app) return NotFound("Application " + id, "该申请", "application");
  return *app;
}

Result<ReviewQueuePage> ApplicationService::ReviewQueue(store::PageRequest page) {
  ReviewQueuePage out;
  const Date today = ctx_.clock->Today();
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(auto apps, tx.ListPendingReview(ctx_.city, page));
    EPERMIT_ASSIGN_OR_RETURN(out.total, tx.CountPendingReview(ctx_.city));
    for (auto& a : apps) {
      int left = a.review_deadline ? static_cast<int>((*a.review_deadline - today).count()) : 0;
      out.items.push_back({std::move(a), left});
    }
    return Status::Ok();
  }));
  return out;
}

Result<ApplicationOutcome> ApplicationService::Decide(const std::string& id, const ReviewDecisionInput& in,
                                                      const Actor& reviewer) {
  if (in.decision != "approve" && in.decision != "reject") {
    return MakeError(ErrorKind::kInvalidArgument, "field.enum", "'decision' must be 'approve' or 'reject'.",
                     "decision 必须是 approve 或 reject。", "decision");
  }
  EPERMIT_RETURN_IF_ERROR(CheckText(in.reason, "reason", kMaxReasonChars));
  EPERMIT_ASSIGN_OR_RETURN(const policy::CityPolicy* policy, ctx_.PolicyToday());
  ApplicationOutcome out;
  Status s = ctx_.store->Write(store::Durability::kFull, [&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(auto app, tx.FindApplication(id));
    if (!app || app->city != ctx_.city) return NotFound("Application " + id, "该申请", "application");
    if (app->status != domain::ApplicationStatus::kPendingReview) {
      return MakeError(ErrorKind::kConflict, "application.not_pending",
                       std::string("The application was already decided (") + domain::ToString(app->status) + ").",
                       "该申请已办结，不能重复审核。", "application");
    }
    const int64_t now = ctx_.clock->UnixSeconds();
    app->decided_by = reviewer.id;
    app->decision_reason = in.reason;
    app->decided_at = now;
    app->status =
        in.decision == "approve" ? domain::ApplicationStatus::kApproved : domain::ApplicationStatus::kRejected;
    if (app->status == domain::ApplicationStatus::kApproved) {
      EPERMIT_ASSIGN_OR_RETURN(auto reg, tx.FindRegistration(app->registration_id));
      if (!reg) return InternalError("registration of application missing");
      EPERMIT_ASSIGN_OR_RETURN(domain::RecordBundle records, tx.LoadRecords(app->citizen_id));
      EPERMIT_ASSIGN_OR_RETURN(domain::Permit permit,
                               IssueFirstPermit(tx, ctx_, *policy, *app, *reg, records, reviewer));
      app->permit_number = permit.number;
      out.permit = std::move(permit);
    }
    EPERMIT_RETURN_IF_ERROR(tx.UpdateApplication(*app));
    nlohmann::json detail = {{"decision", in.decision}};
    EPERMIT_RETURN_IF_ERROR(
        tx.AppendHistory({0, "application", app->id, "review", reviewer.id, in.reason, now, detail.dump()}));
    out.application = *app;
    return Status::Ok();
  });
  if (!s.ok()) return s.error();
  if (out.permit) ctx_.PersonChanged(out.permit->citizen_id, "permit_issued");
  return out;
}

}  // namespace epermit::service
