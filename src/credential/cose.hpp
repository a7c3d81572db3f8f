// COSE_Sign1 (RFC 9052 §4.2), the signature around the QR payload's CWT claims, and the
// few libcbor helpers the COSE and CWT decoders share.
//
// Everything decoded here is hostile until the signature verifies, so decoding is
// strict: definite lengths only, one item with no trailing bytes, nesting at most
// kMaxCborDepth deep (checked iteratively BEFORE libcbor builds a tree, because
// libcbor 0.8 frees trees recursively and a 10,000-deep input must be an error value,
// not a stack overflow), and containers no larger than the bytes that carry them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "credential/jws.hpp"  // KeyLookup
#include "credential/signer.hpp"

struct cbor_item_t;  // libcbor's item; only credential/*.cpp include <cbor.h>

namespace epermit::credential {

// Our deepest legitimate structure is the CWT status claim (map → map → map); 16
// leaves room for extensions while keeping any recursion over a tree trivially bounded.
inline constexpr size_t kMaxCborDepth = 16;
inline constexpr uint64_t kCoseSign1Tag = 18;
inline constexpr int64_t kCoseHeaderAlg = 1;
inline constexpr int64_t kCoseHeaderCrit = 2;
inline constexpr int64_t kCoseHeaderKid = 4;

// ---- CBOR helpers (shared with the CWT claims decoder) ----

// Checks without recursion and without allocating a tree that `bytes` is exactly one
// well-formed CBOR item with definite lengths, nested at most `max_depth` deep (arrays,
// maps and tags each count one level). Errors: "cbor.too_deep", "cbor.malformed".
// libcbor 0.8's decoder refuses tags 6 to 20 written in the one-byte head (0xc6..0xd4,
// PJK/libcbor#307), so those count as malformed; ParseCoseSign1 handles tag 18 itself.
Status CheckCbor(ByteView bytes, size_t max_depth = kMaxCborDepth);

struct CborItemDeleter {
  void operator()(cbor_item_t* item) const;
};
using CborItem = std::unique_ptr<cbor_item_t, CborItemDeleter>;

// CheckCbor, then libcbor's cbor_load. Same errors as CheckCbor.
Result<CborItem> LoadCbor(ByteView bytes, size_t max_depth = kMaxCborDepth);

// Typed reads of a loaded item; nullopt when the item has another type (or an integer
// outside int64_t). Views point into `item` and live as long as it does.
std::optional<int64_t> CborInt64(const cbor_item_t* item);
std::optional<uint64_t> CborUint64(const cbor_item_t* item);
std::optional<std::string_view> CborText(const cbor_item_t* item);
std::optional<ByteView> CborByteString(const cbor_item_t* item);
// A map key as a comparable string ("i:<int>" or "t:<text>"), nullopt for other key
// types; callers use it to refuse duplicate labels, which RFC 9052 §3 and RFC 8392 forbid.
std::optional<std::string> CborMapKeyId(const cbor_item_t* key);
// Whether `key` is a map key we accept (an integer or a definite text string: exactly when
// CborMapKeyId gives an id), and whether two such keys are the same value (exactly when their
// ids are equal), without building strings: for duplicate checks on the verification path.
bool CborIsMapKey(const cbor_item_t* key);
bool CborSameMapKey(const cbor_item_t* a, const cbor_item_t* b);

// Appends shortest-form CBOR heads and items through libcbor's encoding functions, so
// what we sign is deterministic (RFC 8949 §4.2.1 when callers order map keys).
class CborWriter {
 public:
  CborWriter& Uint(uint64_t value);
  CborWriter& Int(int64_t value);
  CborWriter& ByteString(ByteView bytes);
  CborWriter& Text(std::string_view text);
  CborWriter& Array(size_t size);
  CborWriter& Map(size_t size);
  CborWriter& Tag(uint64_t tag);
  const Bytes& bytes() const { return out_; }
  Bytes Take() { return std::move(out_); }

 private:
  void Append(const unsigned char* head, size_t size);
  Bytes out_;
};

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
