#include "service/permit_issuer.hpp"

#include <nlohmann/json.hpp>

#include "domain/citizen_id.hpp"
#include "domain/division.hpp"
#include "domain/permit_number.hpp"

namespace epermit::service {

Date FirstEndorsedUntil(Date residence_since, Date today, const domain::EndorsementWindow& window) {
  Date next = domain::NextAnniversary(residence_since, today);
  if (domain::WindowOpens(next, window) <= today) next = domain::NextAnniversary(residence_since, next);
  return next;
}

Result<domain::Permit> PrepareFirstPermit(store::Tx& tx, const NodeContext& ctx, const policy::CityPolicy& policy,
                                          const domain::Application& app, const domain::Registration& reg,
                                          const domain::RecordBundle& records) {
  EPERMIT_ASSIGN_OR_RETURN(auto current, tx.CurrentPermit(app.citizen_id, ctx.city));
  if (current) {
    return MakeError(ErrorKind::kConflict, "permit.exists",
                     "This person already holds a permit of this city (" + current->number + ").",
                     "该人员已持有本市居住证（" + current->number + "）。", "citizen_id");
  }
  const Date today = ctx.clock->Today();
  const auto& registry = domain::DivisionRegistry::Builtin();
  EPERMIT_ASSIGN_OR_RETURN(domain::CitizenId id, domain::ParseCitizenId(app.citizen_id, today));
  domain::Permit p;
  EPERMIT_ASSIGN_OR_RETURN(p.sequence, tx.NextPermitSequence(ctx.city));
  p.version = 1;
  p.city = ctx.city;
  p.number = domain::FormatPermitNumber(ctx.city, p.sequence, p.version);
  p.citizen_id = id.number;
  p.name = app.name;
  p.sex = id.sex == domain::CitizenId::Sex::kFemale ? domain::Sex::kFemale : domain::Sex::kMale;
  p.ethnicity = records.persons.empty() ? app.ethnicity : records.persons.back().ethnicity;
  p.birth_date = id.birth_date;
  p.photo_ref = app.photo_ref;
  if (!records.hukou.empty()) {
    const auto& h = records.hukou.back();
    p.hukou_address = registry.FullName(h.division_code) + h.address;
  }
  p.residence_division = reg.division_code;
  p.residence_address = registry.FullName(reg.division_code) + reg.address;
  p.issuing_authority = policy::IssuingAuthority(policy, reg.division_code);
  p.issue_date = today;
  p.state = domain::PermitState::kActive;
  p.residence_since = reg.registered_on;
  p.endorsed_until = FirstEndorsedUntil(p.residence_since, today, policy.permit.endorsement_window);
  p.application_id = app.id;
  p.updated_at = ctx.clock->UnixSeconds();
  EPERMIT_ASSIGN_OR_RETURN(p.status_index, tx.AllocateStatusIndex(ctx.city, p.number, p.updated_at));
  return p;
}

Status StoreIssuedPermit(store::Tx& tx, const policy::CityPolicy& policy, const domain::Permit& p, const Actor& actor) {
  EPERMIT_RETURN_IF_ERROR(tx.InsertPermit(p));
  nlohmann::json detail = {{"application_id", p.application_id},
                           {"policy_version", policy.version},
                           {"endorsed_until", FormatIsoDate(p.endorsed_until)}};
  return tx.AppendHistory({0, "permit", p.number, "issue", actor.id, "", p.updated_at, detail.dump()});
}

Result<domain::Permit> IssueFirstPermit(store::Tx& tx, const NodeContext& ctx, const policy::CityPolicy& policy,
                                        const domain::Application& app, const domain::Registration& reg,
                                        const domain::RecordBundle& records, const Actor& actor) {
  EPERMIT_ASSIGN_OR_RETURN(domain::Permit p, PrepareFirstPermit(tx, ctx, policy, app, reg, records));
  EPERMIT_RETURN_IF_ERROR(StoreIssuedPermit(tx, policy, p, actor));
  return p;
}

}  // namespace epermit::service
