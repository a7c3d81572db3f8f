#include "service/credential_service.hpp"

#include "credential/jws.hpp"
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

using credential::Verdict;
using credential::Verification;

// What an error of VerifySdJwt means to a verifier: the same buckets as the QR path.
Verdict VerdictForSdJwtError(const std::string& code) {
  if (code == "sdjwt.expired") return Verdict::kExpired;
  if (code == "trust.unknown_issuer" || code == "trust.key_not_valid" || code == "key.unknown") {
    return Verdict::kUnknownIssuer;
  }
  return Verdict::kForged;  // signature, disclosures, key binding (nonce, audience, sd_hash), format
}

// The status list says the last word before the credential's own dates, exactly as for
// a QR (credential::VerifyQr). Returns nothing while the status is "valid".
std::optional<Verification> StatusVerdict(std::optional<uint8_t> status) {
  using domain::CredentialStatus;
  if (!status) {
    return credential::MakeVerification(Verdict::kStale, "status.missing",
                                        "No current status list for this permit is cached; fetch it before deciding.",
                                        "本地没有该证件最新的状态列表，请更新后再核验。");
  }
  if (*status == static_cast<uint8_t>(CredentialStatus::kInvalid)) {
    return credential::MakeVerification(Verdict::kRevoked, "status.revoked",
                                        "The permit has been revoked or cancelled.", "该居住证已被吊销或注销。");
  }
  if (*status == static_cast<uint8_t>(CredentialStatus::kSuperseded)) {
    return credential::MakeVerification(
        Verdict::kRevoked, "status.superseded",
        "This credential was replaced by newer credentials after a change, endorsement or replacement; ask for the "
        "current one.",
        "该凭证已因信息变更、签注或补换领而失效，请出示最新的电子居住证。");
  }
  if (*status == static_cast<uint8_t>(CredentialStatus::kSuspended)) {
    return credential::MakeVerification(Verdict::kSuspended, "status.suspended",
                                        "The permit is suspended: its yearly endorsement was missed.",
                                        "该居住证因逾期未签注已中止使用。");
  }
  return std::nullopt;
}

// A presentation's disclosed facts must not contradict the city of the key that signed
// them: a genuine key of one city signing another city's permit is a forgery.
bool ClaimsMatchCity(const nlohmann::json& claims, const std::string& city) {
  auto it = claims.find("city");
  if (it != claims.end() && (!it->is_string() || it->get<std::string>() != city)) return false;
  it = claims.find("permit_number");
  if (it != claims.end()) {
    if (!it->is_string()) return false;
    auto number = domain::ParsePermitNumber(it->get<std::string>());
    if (!number.ok() || number->city != city) return false;
  }
  it = claims.find("resident_district");
  if (it != claims.end()) {
    if (!it->is_object() || !it->contains("code") || !(*it)["code"].is_string()) return false;
    if (domain::DivisionRegistry::Builtin().CityOf((*it)["code"].get<std::string>()) != city) return false;
  }
  return true;
}

}  // namespace

nlohmann::json PresentationVerificationJson(const PresentationVerification& v) {
  nlohmann::json j = credential::VerificationJson(v.verification);
  j["format"] = "dc+sd-jwt";
  if (v.signature_verified) j["disclosed"] = v.disclosed;
  return j;
}

std::shared_ptr<const credential::VerifiedStatusList> CredentialService::OwnStatusList(
    const std::string& uri, const credential::TrustList& trust, int64_t now) {
  const std::string prefix = public_url() + "/api/v1/status-lists/";
  if (uri.rfind(prefix, 0) != 0) return nullptr;
  const std::string id = uri.substr(prefix.size());
  if (id.empty() || id.size() > 6 || id.find_first_not_of("0123456789") != std::string::npos) return nullptr;
  const int64_t list_id = std::stoll(id);
  auto token = StatusListToken(list_id);
  if (!token.ok()) return nullptr;
  auto policy = ctx_.PolicyToday();
  const int64_t max_age = policy.ok() ? (*policy)->credentials.status_list_max_age_seconds : 86400;
  {
    std::lock_guard<std::mutex> lock(verified_mu_);
    auto it = verified_.find(list_id);
    // The same signed bytes under the same trust list verify the same way; only the
    // freshness depends on the time.
    if (it != verified_.end() && it->second.token == *token && it->second.trust == &trust &&
        it->second.trust_version == trust.version && now < it->second.list->exp &&
        now - it->second.list->iat <= max_age) {
      return it->second.list;
    }
  }
  auto verified = credential::VerifyStatusListToken(*token, credential::AsKeyLookup(trust, now), now, max_age);
  if (!verified.ok()) return nullptr;
  auto list = std::make_shared<const credential::VerifiedStatusList>(std::move(verified).value());
  std::lock_guard<std::mutex> lock(verified_mu_);
  verified_[list_id] = {*token, &trust, trust.version, list};
  return list;
}

Verification CredentialService::VerifyQrOnline(std::string_view qr, const credential::TrustList* trust) {
  const int64_t now = ctx_.clock->UnixSeconds();
  std::shared_ptr<const credential::VerifiedStatusList> holder;
  credential::VerifierContext vctx{trust,
                                   [&](const std::string& uri) -> const credential::VerifiedStatusList* {
                                     if (trust == nullptr) return nullptr;
                                     holder = OwnStatusList(uri, *trust, now);
                                     return holder.get();
                                   },
                                   now, ctx_.clock->Today()};
  return credential::VerifyQr(qr, vctx);
}

PresentationVerification CredentialService::VerifySdJwtOnline(std::string_view presentation, const std::string& nonce,
                                                              const std::string& audience,
                                                              const credential::TrustList* trust) {
  PresentationVerification out;
  auto finish = [&out](Verification v) {
    Verification& dst = out.verification;
    dst.verdict = v.verdict;
    dst.code = std::move(v.code);
    dst.message_en = std::move(v.message_en);
    dst.message_zh = std::move(v.message_zh);
    return out;
  };
  if (trust == nullptr) {
    return finish(credential::MakeVerification(Verdict::kStale, "trust.missing",
                                               "No trust list is available to check the issuer.",
                                               "没有可用的信任列表，无法核验签发机关。"));
  }
  const int64_t now = ctx_.clock->UnixSeconds();
  // Any listed key may sign; whether it was valid when it signed is checked against the
  // credential's iat once the signature is known to be genuine.
  const credential::KeyLookup listed = [trust](const std::string& kid) -> Result<credential::PublicKey> {
    const credential::TrustedKey* key = trust->Find(kid);
    if (key == nullptr) return credential::PublicKeyAt(nullptr, kid, 0);
    return key->pub;
  };
  const credential::KbExpectations kb{nonce, audience, 300};
  auto verified = credential::VerifySdJwt(presentation, listed, &kb, ctx_.clock->UnixSeconds());
  if (!verified.ok()) {
    const Error& e = verified.error();
    return finish(credential::MakeVerification(VerdictForSdJwtError(e.code), e.code, e.message_en, e.message_zh));
  }
  const nlohmann::json& claims = verified->claims;
  const std::string& kid = verified->issuer_key.kid;
  out.verification.kid = kid;
  const credential::TrustedKey* key = trust->Find(kid);
  auto at = credential::PublicKeyAt(key, kid, credential::Int64Member(claims, "iat").value_or(now));
  if (!at.ok()) {
    return finish(credential::MakeVerification(Verdict::kUnknownIssuer, at.error().code, at.error().message_en,
                                               at.error().message_zh));
  }
  auto vct = claims.find("vct");
  if (vct == claims.end() || !vct->is_string() || vct->get<std::string>() != "urn:epermit:residence-permit:1") {
    return finish(credential::MakeVerification(Verdict::kForged, "sdjwt.vct",
                                               "This is not a residence-permit credential.", "该凭证不是居住证凭证。"));
  }
  if (!ClaimsMatchCity(claims, key->city)) {
    return finish(credential::MakeVerification(Verdict::kForged, "sdjwt.wrong_city",
                                               "The credential was not signed by its own city's key.",
                                               "该凭证不是由其签发城市的密钥签名的。"));
  }
  out.signature_verified = true;
  for (const std::string& name : verified->disclosed) out.disclosed[name] = claims[name];

  const nlohmann::json* ref = nullptr;
  if (auto s = claims.find("status"); s != claims.end() && s->is_object()) {
    if (auto l = s->find("status_list"); l != s->end() && l->is_object()) ref = &*l;
  }
  const auto idx = ref ? credential::Int64Member(*ref, "idx") : std::nullopt;
  if (!idx || *idx < 0 || !ref->contains("uri") || !(*ref)["uri"].is_string()) {
    return finish(credential::MakeVerification(Verdict::kForged, "sdjwt.status",
                                               "The credential names no valid status list entry.",
                                               "凭证中没有有效的状态列表条目。"));
  }
  // Only this city's credentials are looked up in this node's lists.
  auto list = key->city == ctx_.city ? OwnStatusList((*ref)["uri"].get<std::string>(), *trust, now) : nullptr;
  std::optional<uint8_t> status;
  if (list) {
    auto looked = list->Lookup(static_cast<size_t>(*idx));
    if (!looked.ok()) {
      return finish(credential::MakeVerification(Verdict::kForged, "status.index",
                                                 "The status index is outside the status list.",
                                                 "状态索引超出状态列表范围。"));
    }
    status = *looked;
  }
  if (auto v = StatusVerdict(status)) return finish(std::move(*v));
  // The credential lapses with its exp (the endorsement anniversary), which VerifySdJwt
  // checked; a disclosed endorsement date is checked too, as for a QR.
  if (auto e = claims.find("endorsed_until"); e != claims.end()) {
    auto endorsed = e->is_string() ? ParseIsoDate(e->get<std::string>()) : std::nullopt;
    if (!endorsed || *endorsed <= ctx_.clock->Today()) {
      return finish(credential::MakeVerification(Verdict::kSuspended, "permit.lapsed",
                                                 "The permit's yearly endorsement is overdue.",
                                                 "该居住证已逾期未签注。"));
    }
  }
  return finish(credential::MakeVerification(Verdict::kValid, "valid", "Valid residence permit.", "有效的居住证。"));
}

std::string CredentialService::StatusListUri(int64_t list_id) const {
  return public_url() + "/api/v1/status-lists/" + std::to_string(list_id);
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
  c.iss = public_url();
  return credential::EncodeQr(*signer, c);
}

Result<std::string> CredentialService::PermitSdJwt(const std::string& number, const nlohmann::json& holder_jwk) {
  EPERMIT_ASSIGN_OR_RETURN(credential::PublicKey holder, credential::PublicKeyFromJwk(holder_jwk));
  EPERMIT_ASSIGN_OR_RETURN(domain::Permit p, CurrentPermit(number));
  const int64_t now = ctx_.clock->UnixSeconds();
  EPERMIT_ASSIGN_OR_RETURN(auto signer, keys_->ActiveSigner(now));
  const auto& registry = domain::DivisionRegistry::Builtin();
  nlohmann::json visible = {
      {"iss", public_url()},
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

std::string CredentialService::public_url() const {
  std::lock_guard<std::mutex> lock(url_mu_);
  return public_url_;
}

void CredentialService::SetPublicUrl(std::string url) {
  std::lock_guard<std::mutex> lock(url_mu_);
  public_url_ = std::move(url);
}

}  // namespace epermit::service
