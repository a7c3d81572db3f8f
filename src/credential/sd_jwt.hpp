// SD-JWT VC (RFC 9901 SD-JWT, draft-ietf-oauth-sd-jwt-vc): the online form of a permit in
// which every personal claim is its own Disclosure, so a holder can show a school "lives in
// district X since date Y" without the citizen ID or the address, and prove with a Key
// Binding JWT (nonce + audience) that the presentation is theirs and made for this verifier.
//
// Wire format (compact only):
//   issued:    <issuer-signed JWT>~<Disclosure 1>~...~<Disclosure N>~
//   presented: <issuer-signed JWT>~<chosen Disclosures>~<KB-JWT>
// Issuer JWT header typ "dc+sd-jwt"; digests SHA-256 ("_sd_alg": "sha-256"), base64url of
// SHA-256 over the ASCII of each Disclosure; holder key in cnf.jwk as an OKP Ed25519 JWK
// (RFC 8037); KB-JWT header {alg, typ "kb+jwt"} and claims {iat, aud, nonce, sd_hash}.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "credential/jws.hpp"
#include "credential/signer.hpp"

namespace epermit::credential {

inline constexpr std::string_view kSdJwtVcTyp = "dc+sd-jwt";
inline constexpr std::string_view kKbJwtTyp = "kb+jwt";
inline constexpr std::string_view kSdHashAlg = "sha-256";

// Bounds on untrusted input, so a hostile presentation costs little and fails cleanly.
// A permit credential is about 2 KiB with a dozen claims; these leave ample room.
inline constexpr size_t kMaxSdJwtBytes = 64 * 1024;
inline constexpr size_t kMaxDisclosures = 64;
inline constexpr int kMaxSdJwtJsonDepth = 32;  // per parsed JSON text (payload, Disclosure, header)
// Leeway for clocks that run slightly ahead of the verifier's (iat, nbf in the future).
inline constexpr int64_t kSdJwtClockSkewSeconds = 60;

// Issues an SD-JWT VC. `visible` holds the always-visible claims and must carry "vct"
// (string) and "exp" (integer seconds); typically also iss, iat, status {status_list {idx,
// uri}} and cnf {jwk: Ed25519Jwk(holder key)}. Each top-level member of `disclosable`
// becomes its own Disclosure [salt, name, value] with a fresh 128-bit salt. `decoy_digests`
// extra random digests hide how many claims there are. The _sd array is sorted so its
// order says nothing about the claims.
// Errors: sdjwt.claims (reserved or colliding names, missing vct/exp, bad cnf.jwk, too many
// claims), jwk.invalid, internal, or what the signer returns.
Result<std::string> IssueSdJwt(const Signer& issuer, const nlohmann::json& visible, const nlohmann::json& disclosable,
                               size_t decoy_digests = 0);

// Holder side: keeps only the Disclosures whose claim name is in `reveal_claim_names` (in
// their issued order) and appends a KB-JWT signed by `holder` over {iat, aud, nonce,
// sd_hash}. The issuer signature is not checked here (the holder has no trust list in this
// call); run VerifySdJwt with kb = nullptr on receipt to do that.
// Errors: sdjwt.format (malformed, or already key-bound), sdjwt.disclosure (a requested
// claim has no Disclosure, or the selection would not verify), or what the signer returns.
Result<std::string> Present(std::string_view sd_jwt, const std::vector<std::string>& reveal_claim_names,
                            const Signer& holder, std::string_view nonce, std::string_view audience, int64_t iat);

// What the verifier demands of the Key Binding JWT. The current time is VerifySdJwt's `now`.
struct KbExpectations {
  std::string nonce;              // the value this verifier handed out for this transaction
  std::string audience;           // this verifier's identifier, compared exactly with aud
  int64_t max_age_seconds = 300;  // oldest acceptable KB-JWT iat, relative to now
};

struct VerifiedSdJwt {
  nlohmann::json claims;               // visible + revealed claims; _sd and _sd_alg removed
  std::vector<std::string> disclosed;  // claim names revealed by Disclosures, in presented order
  PublicKey issuer_key;                // the trusted key that signed it
  bool key_bound = false;              // a KB-JWT was required and verified
};

// Verifies a presentation (RFC 9901 §7.1 and §7.3): issuer JWS via `issuer_keys` with typ
// "dc+sd-jwt"; every Disclosure well formed, referenced exactly once, not a reserved or
// already present claim name (nor one SD-JWT VC keeps visible: iss, nbf, exp, cnf, vct,
// status); exp, nbf and iat against `now`. With `kb` non-null a KB-JWT must be present,
// typed kb+jwt, signed by cnf.jwk, with the expected nonce and aud, an iat within
// [now - max_age_seconds, now + skew], and sd_hash over the presented SD-JWT. With `kb`
// null a KB-JWT, if any, is ignored and key_bound is false.
// Errors: sdjwt.format, sdjwt.disclosure, sdjwt.expired, sdjwt.not_yet_valid, kb.missing,
// kb.format, kb.nonce, kb.audience, kb.stale, kb.sd_hash, jwk.invalid, signature.invalid,
// jws.format, jws.alg, or what the key lookup returns. Never throws on bad input.
Result<VerifiedSdJwt> VerifySdJwt(std::string_view presentation, const KeyLookup& issuer_keys, const KbExpectations* kb,
                                  int64_t now);

// {"kty":"OKP","crv":"Ed25519","x":base64url(key)} (RFC 8037 §2), for cnf.jwk. Only for
// Ed25519 keys; returns null for any other key.
nlohmann::json Ed25519Jwk(const PublicKey& key);
// The public key in an OKP Ed25519 JWK (kid from its "kid" member, if any). Refuses other
// key types and any JWK carrying private material ("d"). Errors: jwk.invalid.
Result<PublicKey> PublicKeyFromJwk(const nlohmann::json& jwk);

}  // namespace epermit::credential
