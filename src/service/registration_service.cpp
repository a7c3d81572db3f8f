#include "service/registration_service.hpp"

#include <nlohmann/json.hpp>

#include "domain/division.hpp"
#include "domain/uscc.hpp"
#include "service/field_checks.hpp"

namespace epermit::service {

Result<domain::Registration> RegistrationService::Validate(const RegistrationInput& in, const Actor& actor) const {
  const Date today = ctx_.clock->Today();
  domain::Registration r;
  EPERMIT_ASSIGN_OR_RETURN(domain::CitizenId id, CheckCitizenId(in.citizen_id, "citizen_id", today));
  r.citizen_id = id.number;
  EPERMIT_RETURN_IF_ERROR(CheckText(in.name, "name", kMaxNameChars));
  r.name = in.name;
  EPERMIT_ASSIGN_OR_RETURN(r.phone, CheckPhone(in.phone, "phone"));
  auto division = domain::ValidateResidenceDivision(in.division_code);
  if (!division.ok()) {
    Error e = division.error();
    e.field = "residence.division_code";
    return e;
  }
  if (domain::DivisionRegistry::Builtin().CityOf(in.division_code) != ctx_.city) {
    return MakeError(
        ErrorKind::kInvalidArgument, "registration.other_city",
        "The residence address is not in this city (" + ctx_.city + "); register in the city where you live.",
        "居住地址不在本市（" + ctx_.city + "），请在实际居住的城市办理居住登记。", "residence.division_code");
  }
  r.division_code = in.division_code;
  EPERMIT_RETURN_IF_ERROR(CheckText(in.address, "residence.address", kMaxAddressChars));
  r.address = in.address;
  auto basis = domain::ParseResidenceBasis(in.basis);
  if (!basis) {
    return MakeError(ErrorKind::kInvalidArgument, "field.enum",
                     "'basis' must be one of employment, own_home, rented_home, study.",
                     "basis 必须是 employment、own_home、rented_home、study 之一。", "basis");
  }
  r.basis = *basis;
  if (r.basis == domain::ResidenceBasis::kEmployment) {
    auto uscc = domain::ParseUscc(in.employer_uscc);
    if (!uscc.ok()) {
      Error e = uscc.error();
      e.field = "employer_uscc";
      return e;
    }
    r.employer_uscc = *uscc;
  } else if (!in.employer_uscc.empty()) {
    return MakeError(ErrorKind::kInvalidArgument, "field.unexpected",
                     "'employer_uscc' is only for the basis 'employment'.", "仅就业事由需填写 employer_uscc。",
                     "employer_uscc");
  }
  if (r.basis == domain::ResidenceBasis::kStudy) {
    EPERMIT_RETURN_IF_ERROR(CheckText(in.school, "school", kMaxShortChars));
    r.school = in.school;
  } else {
    EPERMIT_RETURN_IF_ERROR(CheckText(in.school, "school", kMaxShortChars, false));
    r.school = in.school;
  }
  r.city = ctx_.city;
  r.registered_on = in.registered_on.value_or(today);
  if (r.registered_on > today) {
    return MakeError(ErrorKind::kInvalidArgument, "field.future_date", "The registration date is in the future.",
                     "登记日期不能晚于今天。", "registered_on");
  }
  r.actor = actor.id;
  r.created_at = ctx_.clock->UnixSeconds();
  return r;
}

Result<domain::Registration> RegistrationService::Register(const RegistrationInput& in, const Actor& actor) {
  EPERMIT_ASSIGN_OR_RETURN(domain::Registration r, Validate(in, actor));
  r.id = ctx_.ids->Next("reg_");
  Status s = ctx_.store->Write(store::Durability::kNormal, [&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(auto existing, tx.LatestRegistration(r.citizen_id, r.city));
    if (existing) {
      return MakeError(ErrorKind::kConflict, "registration.exists",
                       "This person is already registered in this city (registration " + existing->id + ").",
                       "该人员已在本市办理居住登记（登记编号 " + existing->id + "）。", "citizen_id");
    }
    EPERMIT_RETURN_IF_ERROR(tx.InsertRegistration(r));
    nlohmann::json detail = {{"division_code", r.division_code}, {"basis", domain::ToString(r.basis)}};
    return tx.AppendHistory({0, "registration", r.id, "register", actor.id, "", r.created_at, detail.dump()});
  });
  if (!s.ok()) return s.error();
  return r;
}

Result<bool> RegistrationService::RegisteredHere(const std::string& citizen_id) const {
  bool found = false;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(auto reg, tx.LatestRegistration(citizen_id, ctx_.city));
    found = reg.has_value();
    return Status::Ok();
  }));
  return found;
}

}  // namespace epermit::service
