#include "credential/verifier.hpp"

#include "domain/model.hpp"
#include "domain/permit_number.hpp"

namespace epermit::credential {
namespace {

Verdict VerdictForDecodeError(const std::string& code) {
  if (code == "trust.unknown_issuer" || code == "trust.key_not_valid" || code == "key.unknown") {
    return Verdict::kUnknownIssuer;
  }
  return Verdict::kForged;
}

}  // namespace

const char* ToString(Verdict v) {
  switch (v) {
    case Verdict::kValid:
      return "valid";
    case Verdict::kForged:
      return "forged_or_malformed";
    case Verdict::kRevoked:
      return "revoked";
    case Verdict::kSuspended:
      return "suspended_or_lapsed";
    case Verdict::kExpired:
      return "expired";
    case Verdict::kUnknownIssuer:
      return "unknown_issuer";
    case Verdict::kStale:
      return "stale_data";
  }
  return "unknown";
}

Verification MakeVerification(Verdict v, std::string code, std::string en, std::string zh) {
  Verification out;
  out.verdict = v;
  out.code = std::move(code);
  out.message_en = std::move(en);
  out.message_zh = std::move(zh);
  return out;
}

Verification VerifyQr(std::string_view qr_text, const VerifierContext& ctx) {
  if (ctx.trust == nullptr) {
    return MakeVerification(Verdict::kStale, "trust.missing", "No trust list is available to check the issuer.",
                            "没有可用的信任列表，无法核验签发机关。");
  }
  // The key must have been valid when the QR was signed: look the kid up at its iat (the
  // QR's own claim, read before and covered by the signature check; now if unreadable).
  auto decoded = DecodeQrSignedAt(
      qr_text, [&ctx](int64_t signed_at) { return AsKeyLookup(*ctx.trust, signed_at); }, ctx.now);
  if (!decoded.ok() && decoded.error().code == "trust.key_not_valid") {
    // The iat that chose the moment is not verified yet: a QR whose iat was altered to fall
    // outside the key's validity is a forgery, not a genuine QR from an unknown issuer. So
    // check the signature with the listed key regardless of its validity; only a QR that the
    // key really signed keeps "key not valid at signing time".
    const TrustList& trust = *ctx.trust;
    auto any_time = DecodeQr(qr_text, [&trust](const std::string& kid) -> Result<PublicKey> {
      const TrustedKey* listed = trust.Find(kid);
      if (listed == nullptr) return trust.Lookup(kid, 0);  // its unknown-issuer error
      return listed->pub;
    });
    if (!any_time.ok()) decoded = any_time.error();
  }
  if (!decoded.ok()) {
    const Error& e = decoded.error();
    Verification v = MakeVerification(VerdictForDecodeError(e.code), e.code, e.message_en, e.message_zh);
    return v;
  }
  const PermitClaims& c = decoded->claims;
  const TrustedKey* key = ctx.trust->Find(decoded->key.kid);
  auto number = domain::ParsePermitNumber(c.permit_number);
  // A genuine signature by one city's key over another city's permit is a forgery.
  if (key == nullptr || !number.ok() || key->city != c.city || number->city != c.city) {
    Verification v =
        MakeVerification(Verdict::kForged, "qr.wrong_city", "The permit was not signed by its own city's key.",
                         "该居住证不是由其签发城市的密钥签名的。");
    v.kid = decoded->key.kid;
    return v;
  }

  // Moved, not copied: the verdict carries the claims and kid out, and `c` is not read again.
  Verification v;
  v.claims = std::move(decoded->claims);
  v.kid = std::move(decoded->key.kid);
  const PermitClaims& claims = *v.claims;
  auto with = [&v](Verdict verdict, std::string code, std::string en, std::string zh) {
    v.verdict = verdict;
    v.code = std::move(code);
    v.message_en = std::move(en);
    v.message_zh = std::move(zh);
    return std::move(v);  // every caller returns this at once; a copy would duplicate the claims
  };

  const VerifiedStatusList* list = ctx.status_list ? ctx.status_list(claims.status_list_uri) : nullptr;
  // Only the permit's own city speaks for its status: a list that another city signed
  // (whatever URI it claims) is no status data at all for this permit.
  bool foreign_list = false;
  if (list != nullptr) {
    const TrustedKey* signer = ctx.trust ? ctx.trust->Find(list->kid) : nullptr;
    if (signer == nullptr || signer->city != claims.city) {
      list = nullptr;
      foreign_list = true;
    }
  }
  std::optional<uint8_t> status;
  if (list != nullptr) {
    auto s = list->Lookup(claims.status_index);
    if (!s.ok())
      return with(Verdict::kForged, "status.index", "The status index is outside the status list.",
                  "状态索引超出状态列表范围。");
    status = *s;
  }
  if (status == static_cast<uint8_t>(domain::CredentialStatus::kInvalid)) {
    return with(Verdict::kRevoked, "status.revoked", "The permit has been revoked or cancelled.",
                "该居住证已被吊销或注销。");
  }
  if (status == static_cast<uint8_t>(domain::CredentialStatus::kSuperseded)) {
    return with(
        Verdict::kRevoked, "status.superseded",
        "This QR code was replaced by newer credentials after a change or replacement; ask for the current one.",
        "该二维码已因信息变更或补换领而失效，请出示最新的电子居住证。");
  }
  if (status == static_cast<uint8_t>(domain::CredentialStatus::kSuspended)) {
    return with(Verdict::kSuspended, "status.suspended", "The permit is suspended: its yearly endorsement was missed.",
                "该居住证因逾期未签注已中止使用。");
  }
  if (claims.exp <= ctx.now) {
    return with(Verdict::kExpired, "qr.expired", "This QR code has expired; the holder should show a fresh one.",
                "该二维码已过期，请持证人刷新后重新出示。");
  }
  if (!status && foreign_list) {
    return with(Verdict::kStale, "status.wrong_issuer",
                "The cached status list for this permit was not signed by its city; fetch the city's own list.",
                "本地缓存的状态列表并非该证签发城市所签，请更新该城市的状态列表后再核验。");
  }
  if (!status) {
    return with(Verdict::kStale, "status.missing",
                "No current status list for this permit is cached; fetch it before deciding.",
                "本地没有该证件最新的状态列表，请更新后再核验。");
  }
  auto endorsed = ParseIsoDate(claims.endorsed_until);
  if (!endorsed || *endorsed <= ctx.today) {
    return with(
        Verdict::kSuspended, "permit.lapsed",
        "The permit's yearly endorsement was due on " + claims.endorsed_until + " and this code shows none since.",
        "该居住证应于 " + claims.endorsed_until + " 前签注，二维码显示尚未签注。");
  }
  return with(Verdict::kValid, "valid", "Valid residence permit.", "有效的居住证。");
}

nlohmann::json VerificationJson(const Verification& v) {
  nlohmann::json j = {{"verdict", ToString(v.verdict)},
                      {"exit_code", v.exit_code()},
                      {"code", v.code},
                      {"message_en", v.message_en},
                      {"message_zh", v.message_zh}};
  if (!v.kid.empty()) j["kid"] = v.kid;
  if (v.claims) {
    const PermitClaims& c = *v.claims;
    j["permit"] = {{"number", c.permit_number},
                   {"name", c.name},
                   {"citizen_id_masked", c.masked_citizen_id},
                   {"city", c.city},
                   {"issue_date", c.issue_date},
                   {"endorsed_until", c.endorsed_until},
                   {"qr_expires_at", c.exp}};
  }
  return j;
}

}  // namespace epermit::credential
