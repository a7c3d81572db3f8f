// COSE_Sign1 (RFC 9052 §4.2), the signature around the QR payload's CWT claims.
//
// Everything decoded here is hostile until the signature verifies, so decoding is
// strict (see cbor.hpp): definite lengths only, one item with no trailing bytes, nesting
// at most kMaxCborDepth deep (checked iteratively before anything is read, so a
// 10,000-deep input is an error value, not a stack overflow), and containers no larger
// than the bytes that carry them.
#pragma once

#include <cstdint>
#include <string>

#include "credential/cbor.hpp"
#include "credential/jws.hpp"  // KeyLookup
#include "credential/signer.hpp"

namespace epermit::credential {

inline constexpr uint64_t kCoseSign1Tag = 18;
inline constexpr int64_t kCoseHeaderAlg = 1;
inline constexpr int64_t kCoseHeaderCrit = 2;
inline constexpr int64_t kCoseHeaderKid = 4;

// ---- COSE_Sign1 ----

// Signs `payload` as 18([protected, {}, payload, signature]) with protected =
// {1: alg, 4: kid} (alg -8 EdDSA or -65600 SM2, kid as a byte string), over the
// Sig_structure ["Signature1", protected, h'', payload].
Result<Bytes> SignCoseSign1(const Signer& signer, ByteView payload);

// The parts of a COSE_Sign1 after the structural checks and BEFORE any signature check:
// nothing in here may be trusted. VerifyCoseSign1 builds on it; PeekQrClaims uses it to
// name the claimed issuer in an error message.
struct UnverifiedCoseSign1 {
  Bytes protected_header;  // the serialized bytes, as they are signed
  SigAlg alg = SigAlg::kEdDSA;
  std::string kid;
  Bytes payload;
  Bytes signature;
};

// Structure: optional tag (must be 18), array of 4: bstr, map, bstr, bstr; protected
// header a non-empty bstr holding a map with an integer alg we support; kid a bstr in the
// protected or unprotected header; no label twice; no crit. Errors: "cose.format",
// "cose.alg", "cbor.too_deep".
Result<UnverifiedCoseSign1> ParseCoseSign1(ByteView cose);

struct VerifiedCose {
  Bytes payload;
  PublicKey key;  // the trusted key the lookup gave for the kid
};

// ParseCoseSign1, then the key for the kid from `keys` (its errors propagate), the
// header alg must equal the key's alg ("cose.alg"), then the signature
// ("signature.invalid").
Result<VerifiedCose> VerifyCoseSign1(ByteView cose, const KeyLookup& keys);
// The same checks on a COSE_Sign1 already parsed by ParseCoseSign1 (so a caller that needs
// the unverified parts first does not parse twice).
Result<VerifiedCose> VerifyCoseSign1(UnverifiedCoseSign1 parts, const KeyLookup& keys);

}  // namespace epermit::credential
