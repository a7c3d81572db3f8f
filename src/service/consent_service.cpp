#include "service/consent_service.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "domain/citizen_id.hpp"
#include "service/actor_name.hpp"

namespace epermit::service {
namespace {

using domain::Consent;
using domain::ConsentStatus;

Error Invalid(std::string code, std::string en, std::string zh, std::string field) {
  return MakeError(ErrorKind::kInvalidArgument, std::move(code), std::move(en), std::move(zh), std::move(field));
}

Error NotFound() {
  return MakeError(ErrorKind::kNotFound, "consent.not_found", "You have no consent request with this id.",
                   "您没有此编号的授权请求。");
}

// The end of a civil day in China time, as unix seconds.
int64_t EndOfDay(Date d) {
  const auto next_midnight_utc = std::chrono::sys_days(d + std::chrono::days(1)) - std::chrono::hours(8);
  return std::chrono::duration_cast<std::chrono::seconds>(next_midnight_utc.time_since_epoch()).count();
}

Status Record(store::Tx& tx, const Consent& c, const std::string& action, const std::string& actor, int64_t now) {
  const nlohmann::json detail = {{"requester", c.requester},
                                 {"fields", c.fields},
                                 {"valid_until", c.valid_until},
                                 {"person", domain::MaskCitizenId(c.citizen_id)}};
  return tx.AppendHistory({0, "consent", c.id, action, actor, c.purpose, now, detail.dump()});
}

}  // namespace

const std::vector<std::string>& ConsentableFields() {
  static const std::vector<std::string> kFields = {"state",
                                                   "name",
                                                   "sex",
                                                   "ethnicity",
                                                   "birth_date",
                                                   "citizen_id_masked",
                                                   "photo_ref",
                                                   "hukou_address",
                                                   "residence_address",
                                                   "residence_division",
                                                   "issuing_authority",
                                                   "issue_date",
                                                   "city",
                                                   "residence_since",
                                                   "endorsed_until",
                                                   "points",
                                                   "ledger"};
  return kFields;
}

bool InForce(const Consent& c, int64_t now) { return c.status == ConsentStatus::kGranted && now < c.valid_until; }

Result<Consent> ConsentService::Request(const auth::Principal& requester, const ConsentRequestInput& in) {
  const Date today = ctx_.clock->Today();
  auto id = domain::ParseCitizenId(in.citizen_id, today);
  if (!id.ok()) {
    Error e = id.error();
    e.field = "citizen_id";
    return e;
  }
  if (in.fields.empty()) {
    return Invalid("consent.fields", "Name at least one field to ask for.", "请至少列出一个所需字段。", "fields");
  }
  const auto& known = ConsentableFields();
  for (size_t i = 0; i < in.fields.size(); ++i) {
    const std::string& f = in.fields[i];
    if (std::find(known.begin(), known.end(), f) == known.end()) {
      return Invalid("consent.fields", "'" + f + "' is not a field a consent can name.",
                     "“" + f + "”不是可授权的字段。", "fields");
    }
    if (std::find(in.fields.begin(), in.fields.begin() + static_cast<std::ptrdiff_t>(i), f) !=
        in.fields.begin() + static_cast<std::ptrdiff_t>(i)) {
      return Invalid("consent.fields", "'" + f + "' is named twice.", "字段“" + f + "”重复。", "fields");
    }
  }
  if (in.purpose.empty()) {
    return Invalid("consent.purpose", "Say what the data is for.", "请说明用途。", "purpose");
  }
  if (in.valid_until <= today || in.valid_until > today + std::chrono::days(kMaxConsentDays)) {
    return Invalid("consent.period",
                   "A consent must end after today and within " + std::to_string(kMaxConsentDays) + " days.",
                   "授权须在今天之后、" + std::to_string(kMaxConsentDays) + " 天之内结束。", "valid_until");
  }
  Consent c;
  c.id = ctx_.ids->Next("con_");
  c.citizen_id = id->number;
  c.requester_id = requester.account_id;
  c.requester = requester.username;
  c.purpose = in.purpose;
  c.fields = in.fields;
  c.valid_until = EndOfDay(in.valid_until);
  c.created_at = ctx_.clock->UnixSeconds();
  Status s = ctx_.store->Write(store::Durability::kNormal, [&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(auto earlier, tx.ConsentsRequestedBy(requester.account_id));
    for (const Consent& e : earlier) {
      if (e.citizen_id == c.citizen_id && e.status == ConsentStatus::kRequested) {
        return MakeError(ErrorKind::kConflict, "consent.duplicate",
                         "Your earlier request to this person still awaits an answer (" + e.id + ").",
                         "您对此人的上一请求仍在等待答复（" + e.id + "）。");
      }
    }
    EPERMIT_RETURN_IF_ERROR(tx.SaveConsent(c));
    return Record(tx, c, "requested", ActorName(requester), c.created_at);
  });
  if (!s.ok()) return s.error();
  return c;
}

Result<Consent> ConsentService::Decide(const auth::Principal& person, const std::string& id, ConsentStatus from,
                                       ConsentStatus to) {
  Consent out;
  const int64_t now = ctx_.clock->UnixSeconds();
  Status s = ctx_.store->Write(store::Durability::kFull, [&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(auto found, tx.FindConsent(id));
    if (!found || person.citizen_id.empty() || found->citizen_id != person.citizen_id) return NotFound();
    if (found->status != from) {
      return MakeError(
          ErrorKind::kConflict, "consent.state",
          std::string("This consent is ") + domain::ToString(found->status) + "; it cannot become " +
              domain::ToString(to) + ".",
          std::string("此授权当前为 ") + domain::ToString(found->status) + "，不能改为 " + domain::ToString(to) + "。");
    }
    out = *found;
    out.status = to;
    out.decided_at = now;
    EPERMIT_RETURN_IF_ERROR(tx.SaveConsent(out));
    return Record(tx, out, domain::ToString(to), ActorName(person), now);
  });
  if (!s.ok()) return s.error();
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++generation_;
    granted_.erase(PairKey(out.requester_id, out.citizen_id));
  }
  return out;
}

Result<Consent> ConsentService::Answer(const auth::Principal& person, const std::string& id, bool grant) {
  return Decide(person, id, ConsentStatus::kRequested, grant ? ConsentStatus::kGranted : ConsentStatus::kRefused);
}

Result<Consent> ConsentService::Revoke(const auth::Principal& person, const std::string& id) {
  return Decide(person, id, ConsentStatus::kGranted, ConsentStatus::kRevoked);
}

Result<std::vector<Consent>> ConsentService::Of(const std::string& citizen_id) {
  std::vector<Consent> out;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(out, tx.ConsentsOf(citizen_id));
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<Consent>> ConsentService::RequestedBy(int64_t requester_id) {
  std::vector<Consent> out;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(out, tx.ConsentsRequestedBy(requester_id));
    return Status::Ok();
  }));
  return out;
}

std::string ConsentService::PairKey(int64_t requester_id, const std::string& citizen_id) {
  return std::to_string(requester_id) + ":" + citizen_id;
}

Result<std::optional<ActiveConsent>> ConsentService::Active(int64_t requester_id, const std::string& citizen_id) {
  constexpr size_t kMaxCachedPairs = 100000;
  const std::string key = PairKey(requester_id, citizen_id);
  std::vector<Consent> grants;
  bool cached = false;
  uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = granted_.find(key);
    if (it != granted_.end()) {
      grants = it->second;
      cached = true;
    }
    generation = generation_;
  }
  if (!cached) {
    std::vector<Consent> of_person;
    EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
      EPERMIT_ASSIGN_OR_RETURN(of_person, tx.ConsentsOf(citizen_id));
      return Status::Ok();
    }));
    for (Consent& c : of_person) {
      if (c.requester_id == requester_id && c.status == ConsentStatus::kGranted) grants.push_back(std::move(c));
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (generation == generation_) {
      if (granted_.size() >= kMaxCachedPairs) granted_.clear();
      granted_[key] = grants;
    }
  }
  const int64_t now = ctx_.clock->UnixSeconds();
  std::optional<ActiveConsent> out;
  for (const Consent& c : grants) {
    if (!InForce(c, now)) continue;
    if (!out) out = ActiveConsent{c.id, c.purpose, {}};
    out->fields.insert(c.fields.begin(), c.fields.end());
  }
  return out;
}

}  // namespace epermit::service
