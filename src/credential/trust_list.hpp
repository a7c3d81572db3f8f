// The national trust list: every city's issuer public keys, signed by a root key, so a
// permit from any city verifies anywhere, offline. A JWS (typ "epermit-trust-list+jwt")
// over
//   {"version": 7, "issued_at": 1767225600, "next_update": 1767830400,
//    "keys": [{"kid": "310000-20260101-0a0b", "alg": "EdDSA" | "SM2", "city": "310000",
//              "x": base64url(raw public key), "valid_from": 1767196800,
//              "valid_to": 1798732800 /* optional */}]}
// Times are unix seconds; a key is valid on [valid_from, valid_to).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "credential/jws.hpp"
#include "credential/key_store.hpp"

namespace epermit::credential {

inline constexpr char kTrustListTyp[] = "epermit-trust-list+jwt";

// One issuer key as listed; the same facts a city's key store keeps.
using TrustedKey = KeyInfo;

struct TrustList {
  int64_t version = 0;  // increases with every published list
  int64_t issued_at = 0;
  int64_t next_update = 0;  // verifiers treat the list as stale from this moment
  std::vector<TrustedKey> keys;

  // The key `kid` for a signature made at `at`.
  // Errors: trust.unknown_issuer, trust.key_not_valid (outside [valid_from, valid_to)).
  Result<PublicKey> Lookup(const std::string& kid, int64_t at) const;
  // The listed key, or null; its city lets a verifier refuse a key of another city.
  const TrustedKey* Find(const std::string& kid) const;
};

// Signs `list` with the root key. Errors: trust.format (duplicate or empty kid, a public
// key of the wrong size for its alg, valid_to before valid_from, next_update not after
// issued_at), or the signer's error.
Result<std::string> SignTrustList(const Signer& root, const TrustList& list);

// Verifies a trust list against the root public key, then its content and freshness.
// Errors: trust.forged (not signed by `root`: another key or kid, an altered payload, an
// alg other than the root's), trust.format (not a JWS, wrong typ, malformed payload),
// trust.stale (now >= next_update, or issued more than max_age_seconds ago).
Result<TrustList> VerifyTrustList(std::string_view jws, const PublicKey& root, int64_t now, int64_t max_age_seconds);

// A KeyLookup for VerifyJws answering from `list` for signatures made at `at`. It refers
// to `list`, which must outlive it (as a string_view does its string).
KeyLookup AsKeyLookup(const TrustList& list, int64_t at);

}  // namespace epermit::credential
