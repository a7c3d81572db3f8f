// The permit's QR payload: the minimum a verifier needs, as CWT claims (RFC 8392) signed
// as COSE_Sign1, zlib-compressed, base45-encoded and prefixed:
//
//   "JZZ1:" + Base45(zlib(COSE_Sign1(CWT claims)))
//
// zlib (RFC 1950) at best compression WITH A PRESET DICTIONARY (QrZlibDictionary(),
// Adler-32 0x1bd8431b): the CBOR skeleton of a permit QR with placeholder values. Other
// decoders must pass it to inflate (Node: zlib.inflateSync(buf, {dictionary})). Without
// it a realistic permit takes about 445 characters; with it about 295. Decoding also
// accepts plain zlib streams.
//
// CWT claims map (keys are CBOR integers; the private-use ones are below -65536 as the
// IANA CWT Claims registry reserves them; written in this order, which is the RFC 8949
// §4.2.1 deterministic order of their encodings):
//
//   key      claim              CBOR type   PermitClaims field
//   1        iss                text        iss (the issuing city node, e.g. its URL)
//   4        exp                int         exp (Unix seconds; the QR's own expiry)
//   6        iat                int         iat (Unix seconds)
//   65535    status             map         {"status_list": {"idx": uint, "uri": text}}
//                                           (IETF Token Status List, CWT form):
//                                           status_index, status_list_uri
//   -70001   permit number      text        permit_number (GB/T 36904 identifier)
//   -70002   name               text        name
//   -70003   masked citizen ID  text        masked_citizen_id (first 6 + 8 '*' + last 4)
//   -70004   city               text        city (GB/T 2260 code, 6 digits)
//   -70005   issue date         text        issue_date ("YYYY-MM-DD")
//   -70006   endorsed until     text        endorsed_until ("YYYY-MM-DD")
//
// Budget: with the longest realistic values (4 CJK characters of name, a 46-character
// permit number, URL-shaped iss and status list URI, a 22-byte kid) the text is about 307
// characters, within kQrTextBudget, i.e. QR version 15 at level M (qr_payload_test checks).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "credential/cose.hpp"
#include "credential/jws.hpp"  // KeyLookup
#include "credential/signer.hpp"

namespace epermit::credential {

inline constexpr std::string_view kQrPrefix = "JZZ1:";
// The design budget for the whole text (prefix included): fits version 15 at level M.
inline constexpr size_t kQrTextBudget = 400;
// No QR symbol holds more than 4296 alphanumeric characters (version 40-L); anything
// longer did not come from a QR, and refusing it bounds base45 decoding.
inline constexpr size_t kMaxQrTextLength = 4296;
// Hard cap on the inflated COSE_Sign1: a zlib bomb stops here, without allocating more.
inline constexpr size_t kMaxInflatedCoseBytes = 4096;

// CWT claim keys (see the table above).
inline constexpr int64_t kClaimIss = 1;
inline constexpr int64_t kClaimExp = 4;
inline constexpr int64_t kClaimIat = 6;
inline constexpr int64_t kClaimStatus = 65535;
inline constexpr int64_t kClaimPermitNumber = -70001;
inline constexpr int64_t kClaimName = -70002;
inline constexpr int64_t kClaimMaskedCitizenId = -70003;
inline constexpr int64_t kClaimCity = -70004;
inline constexpr int64_t kClaimIssueDate = -70005;
inline constexpr int64_t kClaimEndorsedUntil = -70006;

struct PermitClaims {
  std::string permit_number;      // "1.2.156.3005.2.JZZ01.310000.000000000183.001.X"
  std::string name;               // "张伟"
  std::string masked_citizen_id;  // "360426********0071": never the full number
  std::string city;               // GB/T 2260 code, "310000"
  std::string issue_date;         // "YYYY-MM-DD"
  std::string endorsed_until;     // "YYYY-MM-DD"
  uint64_t status_index = 0;      // index in the status list
  std::string status_list_uri;    // "https://310000.epermit.cn/api/v1/status-lists/1"
  int64_t iat = 0;                // Unix seconds
  int64_t exp = 0;                // Unix seconds
  std::string iss;                // the issuing node

  bool operator==(const PermitClaims&) const = default;
};

struct DecodedQr {
  PermitClaims claims;
  PublicKey key;  // the trusted key the lookup returned for the kid
  Bytes cose;     // the inflated COSE_Sign1, as signed
};

// Checks the claims' shapes (non-empty UTF-8 text, masked ID shape, 6-digit city, ISO
// dates, http(s) status list URI, iat ≤ exp). kInvalidArgument "qr.claims" naming the field.
// EncodeQr runs it so we never sign, e.g., an unmasked citizen ID; decoding runs it too.
Status ValidatePermitClaims(const PermitClaims& claims);

// The CWT claims map as deterministic CBOR.
Result<Bytes> EncodePermitClaims(const PermitClaims& claims);
// Decodes and type-checks a claims map (unknown claims are ignored, duplicate keys and
// missing claims refused). Errors: "qr.claims", "cbor.too_deep".
Result<PermitClaims> DecodePermitClaims(ByteView cbor);

// The preset dictionary (part of the JZZ1 format; see the top of this file).
ByteView QrZlibDictionary();

// The transport layers alone: prefix + base45 + zlib (best compression, preset
// dictionary) around a COSE_Sign1, and back. CoseFromQrText errors: "qr.too_large" (text over
// kMaxQrTextLength or inflating past kMaxInflatedCoseBytes), "qr.prefix", "qr.base45",
// "qr.zlib".
Result<std::string> QrTextFromCose(ByteView cose);
Result<Bytes> CoseFromQrText(std::string_view text);

// Signs the claims and wraps them for a QR. "qr.claims" for invalid claims,
// "qr.too_large" if the COSE_Sign1 would exceed what DecodeQr accepts.
Result<std::string> EncodeQr(const Signer& signer, const PermitClaims& claims);

// Decodes and verifies: transport (as CoseFromQrText), VerifyCoseSign1 with `keys`
// ("cose.format", "cose.alg", "cbor.too_deep", "signature.invalid" or the lookup's own
// errors), then DecodePermitClaims ("qr.claims"). Expiry and status are the verifier's
// business: this says only that a trusted key signed these claims.
Result<DecodedQr> DecodeQr(std::string_view text, const KeyLookup& keys);

// DecodeQr for a verifier that checks a key's validity at signing time, in one pass: the
// claims are read from the payload before the signature check (UNTRUSTED until it passes)
// and `keys_at(iat)` gives the key lookup for their iat, or for `fallback_at` when they do
// not decode. The same result and errors as
// DecodeQr(text, keys_at(PeekQrClaims(text) ? its iat : fallback_at)), with the transport,
// the COSE_Sign1 and the claims decoded once instead of twice.
Result<DecodedQr> DecodeQrSignedAt(std::string_view text, const std::function<KeyLookup(int64_t)>& keys_at,
                                   int64_t fallback_at);

// UNTRUSTED: the claims as the QR states them, WITHOUT checking any signature. Only for
// explaining a failure (e.g. "issued by an unknown city 440300"); never show these as
// facts or decide anything on them.
Result<PermitClaims> PeekQrClaims(std::string_view text);

}  // namespace epermit::credential
