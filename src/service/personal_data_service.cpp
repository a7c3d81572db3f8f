#include "service/personal_data_service.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "domain/citizen_id.hpp"
#include "service/actor_name.hpp"
#include "service/views.hpp"

namespace epermit::service {
namespace {

using domain::Correction;
using domain::CorrectionStatus;
using nlohmann::json;

// What a person may ask to correct on their case; records are named "record:<kind>#<id>".
const std::vector<std::string> kCorrectableFields = {
    "name", "sex", "ethnicity", "birth_date", "hukou_address", "residence_address", "photo_ref"};
constexpr std::string_view kRecordPrefix = "record:";

std::string UtcIso(int64_t unix_seconds) { return unix_seconds <= 0 ? "" : FormatUtcTimestamp(unix_seconds); }

json Nullable(int64_t unix_seconds) { return unix_seconds > 0 ? json(UtcIso(unix_seconds)) : json(nullptr); }

json RecordJson(const store::StoredRecord& r) {
  return {{"ref", std::string(domain::ToString(r.kind)) + "#" + std::to_string(r.id)},
          {"kind", domain::ToString(r.kind)},
          {"department", r.source},
          {"record", json::parse(r.body_json, nullptr, false)}};
}

Status Record(store::Tx& tx, const Correction& c, const std::string& action, const std::string& actor, int64_t now) {
  const json detail = {{"field", c.field}, {"person", domain::MaskCitizenId(c.citizen_id)}};
  return tx.AppendHistory(
      {0, "correction", c.id, action, actor, action == "requested" ? "" : c.note, now, detail.dump()});
}

}  // namespace

json ConsentJson(const domain::Consent& c) {
  return {{"id", c.id},
          {"person", domain::MaskCitizenId(c.citizen_id)},
          {"requester", c.requester},
          {"purpose", c.purpose},
          {"fields", c.fields},
          {"valid_until", UtcIso(c.valid_until)},
          {"status", domain::ToString(c.status)},
          {"requested_at", UtcIso(c.created_at)},
          {"decided_at", Nullable(c.decided_at)}};
}

json AssistJson(const domain::Assist& a) {
  json j = {{"id", a.id},
            {"worker", a.worker},
            {"person", domain::MaskCitizenId(a.citizen_id)},
            {"confirmed_by", a.guardian_citizen_id.empty() ? "resident" : "guardian"},
            {"status", domain::ToString(a.status)},
            {"code_expires_at", UtcIso(a.code_expires_at)},
            {"active_until", Nullable(a.active_until)},
            {"requested_at", UtcIso(a.created_at)}};
  if (!a.code.empty()) j["code"] = a.code;
  return j;
}

json CorrectionJson(const Correction& c) {
  return {{"id", c.id},
          {"person", domain::MaskCitizenId(c.citizen_id)},
          {"field", c.field},
          {"requested", c.requested},
          {"reason", c.reason},
          {"status", domain::ToString(c.status)},
          {"decided_by", c.decided_by.empty() ? json(nullptr) : json(c.decided_by)},
          {"note", c.note},
          {"requested_at", UtcIso(c.created_at)},
          {"decided_at", Nullable(c.decided_at)}};
}

json AccessLogEntryJson(const AccessLogEntry& e) {
  return {{"at", UtcIso(e.event.at)},
          {"who", e.event.actor},
          {"action", e.event.action},
          {"route", e.event.route},
          {"fields", e.event.fields},
          {"purpose", e.event.purpose},
          {"basis", e.event.basis},
          {"leaf_index", e.leaf_index},
          {"entry", e.entry},
          {"inclusion_proof", "/api/v1/audit/proof/inclusion?leaf_index=" + std::to_string(e.leaf_index)}};
}

Result<json> PersonalDataService::Export(const auth::Principal& person) {
  const std::string& cid = person.citizen_id;
  json out = {{"exported_at", UtcIso(ctx_.clock->UnixSeconds())}, {"node_city", ctx_.city}, {"citizen_id", cid}};
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(auto account, tx.FindAccountById(person.account_id));
    if (account) {
      out["account"] = {{"username", account->username},
                        {"role", domain::RoleName(account->role)},
                        {"two_factor", !account->totp_secret.empty()},
                        {"created_at", UtcIso(account->created_at)}};
    }
    json regs = json::array();
    EPERMIT_ASSIGN_OR_RETURN(auto registrations, tx.RegistrationsOf(cid));
    for (const auto& r : registrations) regs.push_back(RegistrationJson(r));
    out["registrations"] = std::move(regs);
    json apps = json::array();
    EPERMIT_ASSIGN_OR_RETURN(auto applications, tx.ApplicationsOf(cid));
    for (const auto& a : applications) apps.push_back(ApplicationJson(a));
    out["applications"] = std::move(apps);
    json permits = json::array();
    EPERMIT_ASSIGN_OR_RETURN(auto held, tx.PermitsOf(cid));
    for (const auto& p : held) permits.push_back(PermitJson(p));
    out["permits"] = std::move(permits);
    json records = json::array();
    EPERMIT_ASSIGN_OR_RETURN(auto stored, tx.StoredRecordsOf(cid));
    for (const auto& r : stored) records.push_back(RecordJson(r));
    out["department_records"] = std::move(records);
    json consents = json::array();
    EPERMIT_ASSIGN_OR_RETURN(auto given, tx.ConsentsOf(cid));
    for (const auto& c : given) consents.push_back(ConsentJson(c));
    out["consents"] = std::move(consents);
    json assists = json::array();
    EPERMIT_ASSIGN_OR_RETURN(auto assisted, tx.AssistsFor(cid));
    for (auto a : assisted) {
      a.code.clear();  // a download is kept; a one-time code has no place in it
      assists.push_back(AssistJson(a));
    }
    out["assists"] = std::move(assists);
    json corrections = json::array();
    EPERMIT_ASSIGN_OR_RETURN(auto asked, tx.CorrectionsOf(cid));
    for (const auto& c : asked) corrections.push_back(CorrectionJson(c));
    out["corrections"] = std::move(corrections);
    return Status::Ok();
  }));
  EPERMIT_ASSIGN_OR_RETURN(auto log, access_->Of(cid));
  json entries = json::array();
  for (const auto& e : log) entries.push_back(AccessLogEntryJson(e));
  out["access_log"] = std::move(entries);
  return out;
}

Result<json> PersonalDataService::RecordsUsed(const std::string& citizen_id) {
  json out = json::array();
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(auto applications, tx.ApplicationsOf(citizen_id));
    EPERMIT_ASSIGN_OR_RETURN(auto stored, tx.StoredRecordsOf(citizen_id));
    std::map<std::string, const store::StoredRecord*> by_ref;
    for (const auto& r : stored) by_ref[std::string(domain::ToString(r.kind)) + "#" + std::to_string(r.id)] = &r;
    for (const auto& a : applications) {
      const json decision = json::parse(a.decision_json, nullptr, false);
      // Each rule of the explained decision names the records it used ("kind#id").
      std::map<std::string, json> by_department;
      std::set<std::string> seen;
      const json* rules = decision.is_object() && decision.contains("rules") ? &decision["rules"] : nullptr;
      for (const auto& rule : rules != nullptr && rules->is_array() ? *rules : json::array()) {
        if (!rule.is_object() || !rule.contains("records_used") || !rule["records_used"].is_array()) continue;
        for (const auto& ref : rule["records_used"]) {
          if (!ref.is_string() || !seen.insert(ref.get<std::string>()).second) continue;
          auto it = by_ref.find(ref.get<std::string>());
          if (it == by_ref.end()) continue;
          by_department[it->second->source].push_back(RecordJson(*it->second));
        }
      }
      json departments = json::array();
      for (auto& [department, records] : by_department) {
        departments.push_back({{"department", department}, {"records", std::move(records)}});
      }
      out.push_back({{"application_id", a.id},
                     {"status", domain::ToString(a.status)},
                     {"policy_version", a.policy_version},
                     {"accepted_on", FormatIsoDate(a.accepted_on)},
                     {"departments", std::move(departments)}});
    }
    return Status::Ok();
  }));
  return out;
}

Result<Correction> PersonalDataService::RequestCorrection(const auth::Principal& person, const CorrectionInput& in) {
  const bool is_record = in.field.rfind(kRecordPrefix, 0) == 0;
  if (!is_record &&
      std::find(kCorrectableFields.begin(), kCorrectableFields.end(), in.field) == kCorrectableFields.end()) {
    return MakeError(ErrorKind::kInvalidArgument, "correction.field",
                     "'" + in.field + "' cannot be corrected here: name a permit field or record:<kind>#<id>.",
                     "“" + in.field + "”无法在此更正：请填写证件字段或 record:<种类>#<编号>。", "field");
  }
  if (in.requested.empty() || in.requested.size() > kMaxCorrectionChars * 4) {
    return MakeError(ErrorKind::kInvalidArgument, "correction.requested",
                     "Say what it should be (up to 500 characters).", "请填写正确内容（不超过 500 字）。", "requested");
  }
  if (in.reason.empty() || in.reason.size() > kMaxCorrectionChars * 4) {
    return MakeError(ErrorKind::kInvalidArgument, "correction.reason", "Give a reason (up to 500 characters).",
                     "请说明理由（不超过 500 字）。", "reason");
  }
  Correction c;
  c.id = ctx_.ids->Next("cor_");
  c.citizen_id = person.citizen_id;
  c.city = ctx_.city;
  c.field = in.field;
  c.requested = in.requested;
  c.reason = in.reason;
  c.created_at = ctx_.clock->UnixSeconds();
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Write(store::Durability::kNormal, [&](store::Tx& tx) -> Status {
    if (is_record) {
      EPERMIT_ASSIGN_OR_RETURN(auto stored, tx.StoredRecordsOf(person.citizen_id));
      const std::string ref = in.field.substr(kRecordPrefix.size());
      const bool theirs = std::any_of(stored.begin(), stored.end(), [&](const store::StoredRecord& r) {
        return std::string(domain::ToString(r.kind)) + "#" + std::to_string(r.id) == ref;
      });
      if (!theirs) {
        return MakeError(ErrorKind::kInvalidArgument, "correction.field", "No record '" + ref + "' is held about you.",
                         "本平台未保存您的记录“" + ref + "”。", "field");
      }
    }
    EPERMIT_ASSIGN_OR_RETURN(auto earlier, tx.CorrectionsOf(person.citizen_id));
    for (const Correction& e : earlier) {
      if (e.field == c.field && e.status == CorrectionStatus::kPending) {
        return MakeError(ErrorKind::kConflict, "correction.duplicate",
                         "A correction of this field already awaits a reviewer (" + e.id + ").",
                         "此字段的更正申请已在等待审核（" + e.id + "）。");
      }
    }
    EPERMIT_RETURN_IF_ERROR(tx.SaveCorrection(c));
    return Record(tx, c, "requested", ActorName(person), c.created_at);
  }));
  return c;
}

Result<std::vector<Correction>> PersonalDataService::CorrectionsOf(const std::string& citizen_id) {
  std::vector<Correction> out;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(out, tx.CorrectionsOf(citizen_id));
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<Correction>> PersonalDataService::PendingCorrections() {
  std::vector<Correction> out;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(out, tx.PendingCorrections(ctx_.city));
    return Status::Ok();
  }));
  return out;
}

Result<Correction> PersonalDataService::Find(const std::string& id) {
  std::optional<Correction> found;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(found, tx.FindCorrection(id));
    return Status::Ok();
  }));
  if (!found) {
    return MakeError(ErrorKind::kNotFound, "correction.not_found", "No correction request has this id.",
                     "没有此编号的更正申请。");
  }
  return *found;
}

Result<Correction> PersonalDataService::DecideCorrection(const auth::Principal& reviewer, const std::string& id,
                                                         bool accept, const std::string& note) {
  if (note.empty() || note.size() > kMaxCorrectionChars * 4) {
    return MakeError(ErrorKind::kInvalidArgument, "correction.note",
                     "Tell the person what was done or why not (up to 500 characters).",
                     "请告知申请人处理结果或理由（不超过 500 字）。", "note");
  }
  Correction out;
  const int64_t now = ctx_.clock->UnixSeconds();
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Write(store::Durability::kFull, [&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(auto found, tx.FindCorrection(id));
    if (!found || found->city != ctx_.city) {
      return MakeError(ErrorKind::kNotFound, "correction.not_found", "No correction request has this id.",
                       "没有此编号的更正申请。");
    }
    if (found->status != CorrectionStatus::kPending) {
      return MakeError(ErrorKind::kConflict, "correction.state", "This correction request was already answered.",
                       "此更正申请已处理。");
    }
    out = *found;
    out.status = accept ? CorrectionStatus::kAccepted : CorrectionStatus::kRejected;
    out.decided_by = ActorName(reviewer);
    out.note = note;
    out.decided_at = now;
    EPERMIT_RETURN_IF_ERROR(tx.SaveCorrection(out));
    return Record(tx, out, domain::ToString(out.status), out.decided_by, now);
  }));
  return out;
}

}  // namespace epermit::service
