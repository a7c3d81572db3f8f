// What a verifier is handed: the permit's signed QR (phone: short-lived; paper: until
// the next endorsement), its SD-JWT VC with selective disclosure, and the signed status
// list that says whether either still holds.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "credential/key_store.hpp"
#include "credential/status_list.hpp"
#include "credential/trust_list.hpp"
#include "credential/verifier.hpp"
#include "service/node_context.hpp"

namespace epermit::service {

enum class QrForm { kPhone, kPaper };

// The online answer to an SD-JWT VC presentation: the verdict in the QR vocabulary
// (credential::Verification, whose `claims` stays empty) and, once the issuer signature
// and the holder's key binding verified, exactly the claims the holder disclosed.
struct PresentationVerification {
  credential::Verification verification;
  nlohmann::json disclosed = nlohmann::json::object();
  bool signature_verified = false;
};
nlohmann::json PresentationVerificationJson(const PresentationVerification& v);

class CredentialService {
 public:
  // `public_url` is where verifiers reach this node (iss, status-list URIs).
  CredentialService(const NodeContext& ctx, const credential::KeyStore* keys, std::string public_url)
      : ctx_(ctx), keys_(keys), public_url_(std::move(public_url)) {}

  Result<std::string> PermitQr(const std::string& number, QrForm form);
  // An SD-JWT VC bound to the holder's key (a public Ed25519 JWK).
  Result<std::string> PermitSdJwt(const std::string& number, const nlohmann::json& holder_jwk);
  // The signed status list `list_id` (131,072 entries each), re-signed when a status changed.
  Result<std::string> StatusListToken(int64_t list_id);

  // POST /api/v1/verify: a QR, or an SD-JWT VC presentation whose KB-JWT must carry
  // `nonce` and `audience`, checked against `trust` (nullptr: no trust list, so "stale")
  // and this node's own status lists. Same verdicts as `epermit verify`.
  credential::Verification VerifyQrOnline(std::string_view qr, const credential::TrustList* trust);
  PresentationVerification VerifySdJwtOnline(std::string_view presentation, const std::string& nonce,
                                             const std::string& audience, const credential::TrustList* trust);

  // This node's status list at `uri`, verified against `trust` as any verifier would, or
  // nullptr when `uri` is not one of ours or does not verify. The verified list is kept
  // per signed token, so repeated checks do not re-verify an unchanged list.
  std::shared_ptr<const credential::VerifiedStatusList> OwnStatusList(const std::string& uri,
                                                                      const credential::TrustList& trust, int64_t now);

  std::string StatusListUri(int64_t list_id) const;
  int status_list_ttl_seconds() const;
  std::string public_url() const;
  // For a node started on port 0: the URL is known only once the server has bound its port.
  // Credentials issued before the call (none, when called right after binding) keep the old URL.
  void SetPublicUrl(std::string url);

 private:
  Result<domain::Permit> CurrentPermit(const std::string& number);
  const NodeContext& ctx_;
  const credential::KeyStore* keys_;
  mutable std::mutex url_mu_;
  std::string public_url_;  // guarded by url_mu_

  struct CachedList {
    int64_t version = -1;
    int64_t signed_at = 0;
    std::string token;
  };
  std::mutex cache_mu_;
  std::map<int64_t, CachedList> lists_;

  struct VerifiedList {
    std::string token;  // the exact token that was verified
    const credential::TrustList* trust = nullptr;
    int64_t trust_version = -1;
    std::shared_ptr<const credential::VerifiedStatusList> list;
  };
  std::mutex verified_mu_;
  std::map<int64_t, VerifiedList> verified_;
};

}  // namespace epermit::service
