#include "service/permit_service.hpp"

#include <nlohmann/json.hpp>

#include "domain/division.hpp"
#include "domain/permit_number.hpp"
#include "domain/permit_state.hpp"
#include "service/field_checks.hpp"

namespace epermit::service {
namespace {

using domain::Permit;
using domain::PermitEvent;
using domain::PermitState;

// Looks the permit up inside `tx`; unknown and malformed numbers are a clear 404/422.
Result<Permit> LoadPermit(store::Tx& tx, const std::string& number, const std::string& city) {
  auto parsed = domain::ParsePermitNumber(number);
  if (!parsed.ok()) {
    Error e = parsed.error();
    e.field = "number";
    return e;
  }
  EPERMIT_ASSIGN_OR_RETURN(auto p, tx.FindPermit(parsed->text));
  if (!p || p->city != city) {
    return MakeError(ErrorKind::kNotFound, "permit.not_found", "No permit with number " + number + " was issued here.",
                     "本市未签发编号为 " + number + " 的居住证。", "number");
  }
  return *p;
}

// The status list follows the permit: every state change is visible to verifiers in
// the next list.
Status SyncStatus(store::Tx& tx, const Permit& p) {
  return tx.SetCredentialStatus(p.status_index, domain::StatusFor(p.state), p.updated_at);
}

// New credentials for changed details (a change or an endorsement): the old index says
// "superseded" from now on, whatever it said before, and the permit gets a fresh, valid one.
Status Reissue(store::Tx& tx, Permit& p) {
  EPERMIT_RETURN_IF_ERROR(tx.SetCredentialStatus(p.status_index, domain::CredentialStatus::kSuperseded, p.updated_at));
  EPERMIT_ASSIGN_OR_RETURN(p.status_index, tx.AllocateStatusIndex(p.city, p.number, p.updated_at));
  return Status::Ok();
}

Status Record(store::Tx& tx, const Permit& p, PermitEvent event, const Actor& actor, const std::string& reason,
              const nlohmann::json& detail) {
  return tx.AppendHistory(
      {0, "permit", p.number, domain::ToString(event), actor.id, reason, p.updated_at, detail.dump()});
}

}  // namespace

Result<const policy::CityPolicy*> PermitService::Policy() const { return ctx_.PolicyToday(); }

Result<PermitView> PermitService::Get(const std::string& number) {
  EPERMIT_ASSIGN_OR_RETURN(const policy::CityPolicy* policy, Policy());
  PermitView view;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(view.permit, LoadPermit(tx, number, ctx_.city));
    return Status::Ok();
  }));
  view.effective_state =
      domain::HasLapsed(view.permit, ctx_.clock->Today()) ? PermitState::kSuspended : view.permit.state;
  view.endorsement_opens = domain::WindowOpens(view.permit.endorsed_until, policy->permit.endorsement_window);
  return view;
}

Result<EndorsementResult> PermitService::Endorse(const std::string& number, const Actor& actor) {
  EPERMIT_ASSIGN_OR_RETURN(const policy::CityPolicy* policy, Policy());
  EndorsementResult out;
  const Date today = ctx_.clock->Today();
  Status s = ctx_.store->Write(store::Durability::kFull, [&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(Permit p, LoadPermit(tx, number, ctx_.city));
    EPERMIT_ASSIGN_OR_RETURN(domain::EndorsementPlan plan,
                             domain::PlanEndorsement(p, today, policy->permit.endorsement_window));
    nlohmann::json detail = {{"late", plan.late},
                             {"from_state", domain::ToString(p.state)},
                             {"endorsed_until", FormatIsoDate(plan.endorsed_until)}};
    if (plan.late) detail["residence_since"] = FormatIsoDate(plan.residence_since);
    p.state = PermitState::kActive;
    p.residence_since = plan.residence_since;
    p.endorsed_until = plan.endorsed_until;
    p.updated_at = ctx_.clock->UnixSeconds();
    // The endorsement date is in every QR and credential: the old ones (a printed QR lives
    // until the old anniversary) say "superseded" from now on, and new ones are issued.
    EPERMIT_RETURN_IF_ERROR(Reissue(tx, p));
    EPERMIT_RETURN_IF_ERROR(tx.UpdatePermit(p));
    EPERMIT_RETURN_IF_ERROR(Record(tx, p, PermitEvent::kEndorse, actor, "", detail));
    out = {p, plan.late};
    return Status::Ok();
  });
  if (!s.ok()) return s.error();
  ctx_.PersonChanged(out.permit.citizen_id, "endorsement");
  return out;
}

Result<Permit> PermitService::Change(const std::string& number, const ChangeInput& in, const Actor& actor) {
  const Date today = ctx_.clock->Today();
  EPERMIT_RETURN_IF_ERROR(CheckText(in.reason, "reason", kMaxReasonChars));
  if (!in.name && !in.ethnicity && !in.photo_ref && !in.residence_division && !in.residence_address) {
    return MakeError(ErrorKind::kInvalidArgument, "change.empty",
                     "Nothing to change: give at least one of name, ethnicity, photo_ref, residence.",
                     "未填写任何变更内容（姓名、民族、相片或居住地址）。", "");
  }
  if (in.name) EPERMIT_RETURN_IF_ERROR(CheckText(*in.name, "name", kMaxNameChars));
  if (in.ethnicity) EPERMIT_RETURN_IF_ERROR(CheckText(*in.ethnicity, "ethnicity", 20));
  if (in.photo_ref) EPERMIT_RETURN_IF_ERROR(CheckText(*in.photo_ref, "photo_ref", kMaxShortChars));
  if (in.residence_division.has_value() != in.residence_address.has_value()) {
    return MakeError(ErrorKind::kInvalidArgument, "field.missing",
                     "A new residence needs both division_code and address.",
                     "变更居住地址须同时填写区划代码和详细地址。",
                     in.residence_division ? "residence.address" : "residence.division_code");
  }
  if (in.residence_division) {
    auto d = domain::ValidateResidenceDivision(*in.residence_division);
    if (!d.ok()) {
      Error e = d.error();
      e.field = "residence.division_code";
      return e;
    }
    if (domain::DivisionRegistry::Builtin().CityOf(*in.residence_division) != ctx_.city) {
      return MakeError(ErrorKind::kInvalidArgument, "registration.other_city",
                       "The new residence is outside this city; apply for a permit in the new city.",
                       "新居住地址不在本市，请在新居住地申领居住证。", "residence.division_code");
    }
    EPERMIT_RETURN_IF_ERROR(CheckText(*in.residence_address, "residence.address", kMaxAddressChars));
  }
  EPERMIT_ASSIGN_OR_RETURN(const policy::CityPolicy* policy, Policy());
  Permit out;
  Status s = ctx_.store->Write(store::Durability::kFull, [&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(Permit p, LoadPermit(tx, number, ctx_.city));
    if (domain::HasLapsed(p, today)) p.state = PermitState::kSuspended;
    EPERMIT_RETURN_IF_ERROR(domain::NextState(p.state, PermitEvent::kChange));
    nlohmann::json changed = nlohmann::json::array();
    if (in.name) {
      p.name = *in.name;
      changed.push_back("name");
    }
    if (in.ethnicity) {
      p.ethnicity = *in.ethnicity;
      changed.push_back("ethnicity");
    }
    if (in.photo_ref) {
      p.photo_ref = *in.photo_ref;
      changed.push_back("photo_ref");
    }
    if (in.residence_division) {
      p.residence_division = *in.residence_division;
      p.residence_address = domain::DivisionRegistry::Builtin().FullName(p.residence_division) + *in.residence_address;
      p.issuing_authority = policy::IssuingAuthority(*policy, p.residence_division);
      changed.push_back("residence");
    }
    p.updated_at = ctx_.clock->UnixSeconds();
    EPERMIT_RETURN_IF_ERROR(Reissue(tx, p));
    EPERMIT_RETURN_IF_ERROR(tx.UpdatePermit(p));
    EPERMIT_RETURN_IF_ERROR(Record(tx, p, PermitEvent::kChange, actor, in.reason, {{"fields", changed}}));
    out = p;
    return Status::Ok();
  });
  if (!s.ok()) return s.error();
  return out;
}

Result<ReplacementResult> PermitService::Replace(const std::string& number, const std::string& reason,
                                                 const Actor& actor) {
  if (reason != "lost" && reason != "damaged") {
    return MakeError(ErrorKind::kInvalidArgument, "field.enum", "'reason' must be 'lost' (补领) or 'damaged' (换领).",
                     "reason 必须是 lost（补领）或 damaged（换领）。", "reason");
  }
  const Date today = ctx_.clock->Today();
  EPERMIT_ASSIGN_OR_RETURN(const policy::CityPolicy* policy, Policy());
  ReplacementResult out;
  Status s = ctx_.store->Write(store::Durability::kFull, [&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(Permit old, LoadPermit(tx, number, ctx_.city));
    if (domain::HasLapsed(old, today)) old.state = PermitState::kSuspended;
    EPERMIT_ASSIGN_OR_RETURN(PermitState next, domain::NextState(old.state, PermitEvent::kReplace));
    const int64_t now = ctx_.clock->UnixSeconds();
    Permit fresh = old;
    old.state = next;
    old.updated_at = now;
    EPERMIT_RETURN_IF_ERROR(SyncStatus(tx, old));
    EPERMIT_RETURN_IF_ERROR(tx.UpdatePermit(old));
    fresh.version = old.version + 1;
    fresh.number = domain::FormatPermitNumber(old.city, old.sequence, fresh.version);
    fresh.issue_date = today;
    fresh.replaces = old.number;
    fresh.state = PermitState::kActive;
    fresh.updated_at = now;
    EPERMIT_ASSIGN_OR_RETURN(fresh.status_index, tx.AllocateStatusIndex(fresh.city, fresh.number, now));
    EPERMIT_RETURN_IF_ERROR(tx.InsertPermit(fresh));
    out = {old, fresh, policy->permit.replacement_fee_fen};
    nlohmann::json detail = {
        {"replaced_by", fresh.number}, {"fee_fen", out.fee_fen}, {"surrendered", reason == "damaged"}};
    EPERMIT_RETURN_IF_ERROR(Record(tx, old, PermitEvent::kReplace, actor, reason, detail));
    return tx.AppendHistory({0, "permit", fresh.number, "issue", actor.id, reason, now,
                             nlohmann::json{{"replaces", old.number}, {"fee_fen", out.fee_fen}}.dump()});
  });
  if (!s.ok()) return s.error();
  return out;
}

Result<Permit> PermitService::Revoke(const std::string& number, const std::string& reason, const Actor& actor) {
  EPERMIT_RETURN_IF_ERROR(CheckText(reason, "reason", kMaxReasonChars));
  Permit out;
  Status s = ctx_.store->Write(store::Durability::kFull, [&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(Permit p, LoadPermit(tx, number, ctx_.city));
    EPERMIT_ASSIGN_OR_RETURN(p.state, domain::NextState(p.state, PermitEvent::kRevoke));
    p.updated_at = ctx_.clock->UnixSeconds();
    EPERMIT_RETURN_IF_ERROR(SyncStatus(tx, p));
    EPERMIT_RETURN_IF_ERROR(tx.UpdatePermit(p));
    EPERMIT_RETURN_IF_ERROR(Record(tx, p, PermitEvent::kRevoke, actor, reason, nlohmann::json::object()));
    out = p;
    return Status::Ok();
  });
  if (!s.ok()) return s.error();
  ctx_.PersonChanged(out.citizen_id, "permit_revoked");
  return out;
}

Result<int> PermitService::TransitionAll(const FindBatch& find, PermitEvent event, const std::string& reason,
                                         const nlohmann::json& detail, const Actor& actor) {
  constexpr int kBatch = 500;  // short write transactions keep the node responsive
  int total = 0;
  for (;;) {
    int done = 0;
    EPERMIT_RETURN_IF_ERROR(ctx_.store->Write(store::Durability::kNormal, [&](store::Tx& tx) -> Status {
      EPERMIT_ASSIGN_OR_RETURN(auto batch, find(tx, kBatch));
      for (Permit& p : batch) {
        EPERMIT_ASSIGN_OR_RETURN(p.state, domain::NextState(p.state, event));
        p.updated_at = ctx_.clock->UnixSeconds();
        EPERMIT_RETURN_IF_ERROR(SyncStatus(tx, p));
        EPERMIT_RETURN_IF_ERROR(tx.UpdatePermit(p));
        EPERMIT_RETURN_IF_ERROR(Record(tx, p, event, actor, reason, detail));
      }
      done = static_cast<int>(batch.size());
      return Status::Ok();
    }));
    total += done;
    if (done < kBatch) return total;
  }
}

Result<SweepResult> PermitService::Sweep(const Actor& actor) {
  EPERMIT_ASSIGN_OR_RETURN(const policy::CityPolicy* policy, Policy());
  const Date today = ctx_.clock->Today();
  SweepResult result;
  EPERMIT_ASSIGN_OR_RETURN(
      result.suspended,
      TransitionAll([&](store::Tx& tx, int limit) { return tx.LapsedPermits(ctx_.city, today, limit); },
                    PermitEvent::kLapse, "endorsement missed", nlohmann::json::object(), actor));
  const int cancel_days = policy->permit.cancel_after_suspended_days;
  if (cancel_days > 0) {
    const int64_t cutoff = ctx_.clock->UnixSeconds() - int64_t{cancel_days} * 86400;
    EPERMIT_ASSIGN_OR_RETURN(
        result.cancelled,
        TransitionAll([&](store::Tx& tx, int limit) { return tx.SuspendedSince(ctx_.city, cutoff, limit); },
                      PermitEvent::kCancel, "suspended too long", {{"days", cancel_days}}, actor));
  }
  return result;
}

}  // namespace epermit::service
