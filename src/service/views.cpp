#include "service/views.hpp"

#include "domain/citizen_id.hpp"

namespace epermit::service {

nlohmann::json RegistrationJson(const domain::Registration& r) {
  return {{"id", r.id},
          {"citizen_id_masked", domain::MaskCitizenId(r.citizen_id)},
          {"name", r.name},
          {"city", r.city},
          {"residence", {{"division_code", r.division_code}, {"address", r.address}}},
          {"basis", domain::ToString(r.basis)},
          {"employer_uscc", r.employer_uscc},
          {"school", r.school},
          {"registered_on", FormatIsoDate(r.registered_on)}};
}

nlohmann::json ApplicationJson(const domain::Application& a) {
  nlohmann::json j = {
      {"id", a.id},
      {"citizen_id_masked", domain::MaskCitizenId(a.citizen_id)},
      {"registration_id", a.registration_id},
      {"city", a.city},
      {"status", domain::ToString(a.status)},
      {"policy_version", a.policy_version},
      {"accepted_on", FormatIsoDate(a.accepted_on)},
      {"decision", nlohmann::json::parse(a.decision_json, nullptr, false)},
      {"decided_by", a.decided_by.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.decided_by)},
      {"decision_reason", a.decision_reason},
      {"permit_number", a.permit_number.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.permit_number)}};
  j["review_deadline"] =
      a.review_deadline ? nlohmann::json(FormatIsoDate(*a.review_deadline)) : nlohmann::json(nullptr);
  if (a.guardian) {
    j["guardian"] = {{"citizen_id_masked", domain::MaskCitizenId(a.guardian->citizen_id)},
                     {"name", a.guardian->name},
                     {"relation", a.guardian->relation}};
  }
  return j;
}

nlohmann::json PermitJson(const domain::Permit& p) {
  return {{"number", p.number},
          {"version", p.version},
          {"state", domain::ToString(p.state)},
          {"name", p.name},
          {"sex", domain::ToString(p.sex)},
          {"ethnicity", p.ethnicity},
          {"birth_date", FormatIsoDate(p.birth_date)},
          {"citizen_id_masked", domain::MaskCitizenId(p.citizen_id)},
          {"photo_ref", p.photo_ref},
          {"hukou_address", p.hukou_address},
          {"residence_address", p.residence_address},
          {"residence_division", p.residence_division},
          {"issuing_authority", p.issuing_authority},
          {"issue_date", FormatIsoDate(p.issue_date)},
          {"city", p.city},
          {"residence_since", FormatIsoDate(p.residence_since)},
          {"endorsed_until", FormatIsoDate(p.endorsed_until)},
          {"replaces", p.replaces.empty() ? nlohmann::json(nullptr) : nlohmann::json(p.replaces)}};
}

nlohmann::json PermitJson(const PermitView& v) {
  nlohmann::json j = PermitJson(v.permit);
  j["state"] = domain::ToString(v.effective_state);
  j["endorsement_window_opens"] = FormatIsoDate(v.endorsement_opens);
  if (v.effective_state != v.permit.state) j["lapsed"] = true;
  return j;
}

}  // namespace epermit::service
