#include "service/credential_service.hpp"

#include "credential/qr_payload.hpp"
#include "credential/sd_jwt.hpp"
#include "credential/status_list.hpp"
#include "domain/citizen_id.hpp"
#include "domain/division.hpp"
#include "domain/permit_number.hpp"
#include "domain/permit_state.hpp"

namespace epermit::service {
namespace {

constexpr int64_t kListSize = static_cast<int64_t>(credential::kMinStatusListSize);

// 00:00 China time of `d`, as Unix seconds.
int64_t StartOfDay(Date d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d.time_since_epoch()).count() - 8 * 3600;
}

}  // namespace

std::string CredentialService::StatusListUri(int64_t list_id) const {
  return public_url_ + "/api/v1/status-lists/" + std::to_string(list_id);
}

int CredentialService::status_list_ttl_seconds() const {
  auto policy = ctx_.PolicyToday();
  return policy.ok() ? (*policy)->credentials.status_list_ttl_seconds : 300;
}

Result<domain::Permit> CredentialService::CurrentPermit(const std::string& number) {
  auto parsed = domain::ParsePermitNumber(number);
  if (!parsed.ok()) {
    Error e = parsed.error();
    e.field = "number";
    return e;
  }
  std::optional<domain::Permit> p;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(p, tx.FindPermit(parsed->text));
    return Status::Ok();
  }));
  if (!p || p->city != ctx_.city) {
    return MakeError(ErrorKind::kNotFound, "permit.not_found", "No permit with number " + number + " was issued here.",
                     "本市未签发编号为 " + number + " 的居住证。", "number");
  }
  domain::PermitState state = domain::HasLapsed(*p, ctx_.clock->Today()) ? domain::PermitState::kSuspended : p->state;
  // Credentials are only handed out for a usable permit: a verifier must never be shown a
  // fresh code for one that is suspended, replaced or revoked.
  EPERMIT_RETURN_IF_ERROR(domain::NextState(state, domain::PermitEvent::kChange).status());
  return *p;
}

Result<std::string> CredentialService::PermitQr(const std::string& number, QrForm form) {
  EPERMIT_ASSIGN_OR_RETURN(domain::Permit p, CurrentPermit(number));
  EPERMIT_ASSIGN_OR_RETURN(const policy::CityPolicy* policy, ctx_.PolicyToday());
  const int64_t now = ctx_.clock->UnixSeconds();
  EPERMIT_ASSIGN_OR_RETURN(auto signer, keys_->ActiveSigner(now));
  credential::PermitClaims c;
  c.permit_number = p.number;
  c.name = p.name;
  c.masked_citizen_id = domain::MaskCitizenId(p.citizen_id);
  c.city = p.city;
  c.issue_date = FormatIsoDate(p.issue_date);
  c.endorsed_until = FormatIsoDate(p.endorsed_until);
  c.status_index = static_cast<uint64_t>(p.status_index);
  c.status_list_uri = StatusListUri(p.status_index / kListSize);
  c.iat = now;
  // The printed QR for people without a phone lives until the next endorsement.
  c.exp =
      form == QrForm::kPaper ? StartOfDay(p.endorsed_until) : now + int64_t{policy->credentials.qr_ttl_hours} * 3600;
  c.iss = public_url_;
  return credential::EncodeQr(*signer, c);
}

Result<std::string> CredentialService::PermitSdJwt(const std::string& number, const nlohmann::json& holder_jwk) {
  EPERMIT_ASSIGN_OR_RETURN(credential::PublicKey holder, credential::PublicKeyFromJwk(holder_jwk));
  EPERMIT_ASSIGN_OR_RETURN(domain::Permit p, CurrentPermit(number));
  const int64_t now = ctx_.clock->UnixSeconds();
  EPERMIT_ASSIGN_OR_RETURN(auto signer, keys_->ActiveSigner(now));
  const auto& registry = domain::DivisionRegistry::Builtin();
  nlohmann::json visible = {
      {"iss", public_url_},
      {"iat", now},
      {"exp", StartOfDay(p.endorsed_until)},
      {"vct", "urn:epermit:residence-permit:1"},
      {"status", {{"status_list", {{"idx", p.status_index}, {"uri", StatusListUri(p.status_index / kListSize)}}}}},
      {"cnf", {{"jwk", credential::Ed25519Jwk(holder)}}}};
  // Every 第四条 field is its own disclosure, so a school can learn "lives in district X
  // since Y" without the ID number or the address.
  nlohmann::json disclosable = {
      {"permit_number", p.number},
      {"name", p.name},
      {"sex", domain::ToString(p.sex)},
      {"ethnicity", p.ethnicity},
      {"birth_date", FormatIsoDate(p.birth_date)},
      {"citizen_id", p.citizen_id},
      {"photo_ref", p.photo_ref},
      {"hukou_address", p.hukou_address},
      {"residence_address", p.residence_address},
      {"resident_district", {{"code", p.residence_division}, {"name", registry.FullName(p.residence_division)}}},
      {"resident_since", FormatIsoDate(p.residence_since)},
      {"issuing_authority", p.issuing_authority},
      {"issue_date", FormatIsoDate(p.issue_date)},
      {"endorsed_until", FormatIsoDate(p.endorsed_until)},
      {"city", p.city}};
  return credential::IssueSdJwt(*signer, visible, disclosable, 2);
}

Result<std::string> CredentialService::StatusListToken(int64_t list_id) {
  if (list_id < 0 || list_id > 10000) {
    return MakeError(ErrorKind::kNotFound, "status_list.not_found", "No such status list.", "没有该状态列表。", "id");
  }
  const int64_t now = ctx_.clock->UnixSeconds();
  const int ttl = status_list_ttl_seconds();
  int64_t version = 0;
  std::vector<std::pair<int64_t, domain::CredentialStatus>> entries;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(version, tx.StatusVersion(ctx_.city));
    return Status::Ok();
  }));
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = lists_.find(list_id);
    // Re-sign when a status changed, and well before the cached token's lifetime ends.
    if (it != lists_.end() && it->second.version == version && now - it->second.signed_at < ttl / 2) {
      return it->second.token;
    }
  }
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(version, tx.StatusVersion(ctx_.city));
    EPERMIT_ASSIGN_OR_RETURN(entries, tx.NonValidStatuses(ctx_.city, list_id * kListSize, (list_id + 1) * kListSize));
    return Status::Ok();
  }));
  credential::StatusList list;
  for (const auto& [idx, status] : entries)
    list.Set(static_cast<size_t>(idx - list_id * kListSize), static_cast<uint8_t>(status));
  EPERMIT_ASSIGN_OR_RETURN(auto signer, keys_->ActiveSigner(now));
  auto policy = ctx_.PolicyToday();
  const int64_t max_age = policy.ok() ? (*policy)->credentials.status_list_max_age_seconds : 86400;
  EPERMIT_ASSIGN_OR_RETURN(std::string token, list.ToToken(*signer, StatusListUri(list_id), now, now + max_age, ttl));
  std::lock_guard<std::mutex> lock(cache_mu_);
  lists_[list_id] = {version, now, token};
  return token;
}

}  // namespace epermit::service
