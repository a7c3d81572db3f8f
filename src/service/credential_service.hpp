// What a verifier is handed: the permit's signed QR (phone: short-lived; paper: until
// the next endorsement), its SD-JWT VC with selective disclosure, and the signed status
// list that says whether either still holds.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "credential/key_store.hpp"
#include "service/node_context.hpp"

namespace epermit::service {

enum class QrForm { kPhone, kPaper };

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

  std::string StatusListUri(int64_t list_id) const;
  int status_list_ttl_seconds() const;
  const std::string& public_url() const { return public_url_; }

 private:
  Result<domain::Permit> CurrentPermit(const std::string& number);
  const NodeContext& ctx_;
  const credential::KeyStore* keys_;
  std::string public_url_;

  struct CachedList {
    int64_t version = -1;
    int64_t signed_at = 0;
    std::string token;
  };
  std::mutex cache_mu_;
  std::map<int64_t, CachedList> lists_;
};

}  // namespace epermit::service
