// IETF Token Status List (draft-ietf-oauth-status-list), JWT form: 2 bits per permit,
// packed least-significant-bit first within each byte, DEFLATE in the ZLIB format,
// base64url as "lst", signed as a JWT with typ "statuslist+jwt" and claims sub (the
// list's URI), iat, exp, ttl and status_list {bits, lst}.
//
// A list has at least 131,072 entries so that fetching it reveals nothing about which
// permit a verifier is checking (herd privacy); mostly-zero lists compress to a few
// dozen bytes, so the size costs nothing on the wire.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "credential/jws.hpp"

namespace epermit::credential {

// Status Type values from the draft's registry.
inline constexpr uint8_t kStatusValid = 0x00;
inline constexpr uint8_t kStatusInvalid = 0x01;  // revoked, irreversible
inline constexpr uint8_t kStatusSuspended = 0x02;

inline constexpr size_t kMinStatusListSize = 131072;
// The verifier inflates at most this much (a 2-bit list of 4 million entries); anything
// larger is refused as a zlib bomb rather than allocated.
inline constexpr size_t kMaxStatusListBytes = size_t{1} << 20;
inline constexpr char kStatusListTyp[] = "statuslist+jwt";

// The issuer's list: 2 bits per entry, all VALID at first.
class StatusList {
 public:
  explicit StatusList(size_t size = kMinStatusListSize);

  size_t size() const { return size_; }
  // Precondition: idx < size() and status <= 3 (a programming error otherwise:
  // std::out_of_range / std::invalid_argument).
  void Set(size_t idx, uint8_t status);
  uint8_t Get(size_t idx) const;  // precondition idx < size(), else std::out_of_range
  // The packed byte array (ceil(size / 4) bytes) before compression.
  const Bytes& bytes() const { return bytes_; }

  // The signed Status List Token. `uri` becomes sub; iat < exp and ttl > 0 are required.
  // Errors: status.too_small (fewer than kMinStatusListSize entries), status.argument.
  Result<std::string> ToToken(const Signer& signer, std::string uri, int64_t iat, int64_t exp, int64_t ttl) const;

 private:
  size_t size_;
  Bytes bytes_;
};

// lst encoding of a packed byte array: base64url(zlib(bytes)) at the highest compression
// level, as the draft recommends.
std::string EncodeStatusListLst(ByteView bytes);
// The inverse, refusing anything that inflates beyond kMaxStatusListBytes, does not end
// its zlib stream, or has bytes after it. Errors: status.format.
Result<Bytes> DecodeStatusListLst(std::string_view lst);

// What a verifier holds after checking a Status List Token.
struct VerifiedStatusList {
  std::string uri;  // the token's sub
  int64_t iat = 0;
  int64_t exp = 0;
  int64_t ttl = 0;   // 0 when the token has none
  Bytes bits_bytes;  // the inflated byte array
  int bits = 2;      // 1, 2, 4 or 8
  std::string kid;   // the key that signed it: a verifier checks it belongs to the credential's city

  size_t size() const { return bits_bytes.size() * 8 / static_cast<size_t>(bits); }
  // The status at idx. Out of range fails closed: kStatusInvalid, never VALID; use
  // Lookup to tell the two apart.
  uint8_t Get(size_t idx) const;
  // Errors: status.index (idx outside the list; the draft says such a check fails).
  Result<uint8_t> Lookup(size_t idx) const;
};

// Verifies signature (through `keys`), typ, claims and freshness, then inflates the list.
// Errors: whatever VerifyJws and the lookup return (jws.format, jws.alg,
// signature.invalid, trust.unknown_issuer, trust.key_not_valid, ...); status.format
// (wrong typ, missing or mistyped claims, bits not 1/2/4/8, bad lst, zlib bomb, iat in
// the future); status.stale (now >= exp, or older than max_age_seconds by iat).
Result<VerifiedStatusList> VerifyStatusListToken(std::string_view jwt, const KeyLookup& keys, int64_t now,
                                                 int64_t max_age_seconds);

}  // namespace epermit::credential
