// Strict CBOR (RFC 8949) for what we sign and what hostile verifiers hand us, on top of
// libcbor's streaming decoder and encoding functions.
//
// Reading never builds an item tree: CheckCbor scans an input once for well-formedness
// and depth, and CborReader then walks it head by head, handing out views of the input.
// A verification decodes three small CBOR documents (COSE_Sign1, its protected header,
// the CWT claims); building libcbor trees for them (an allocation per item, UTF-8 decoded
// twice, a recursive free) cost more than a tenth of an Ed25519 verification.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "credential/signer.hpp"  // Bytes, ByteView

namespace epermit::credential {

// Our deepest legitimate structure is the CWT status claim (map → map → map); 16
// leaves room for extensions while keeping any recursion over a tree trivially bounded.
inline constexpr size_t kMaxCborDepth = 16;

// Checks without recursion and without allocating a tree that `bytes` is exactly one
// well-formed CBOR item with definite lengths, text strings in valid UTF-8 (RFC 8949
// §5.3.1), nested at most `max_depth` deep (arrays, maps and tags each count one level),
// and no container claiming more items than there are bytes left. Errors:
// "cbor.too_deep", "cbor.malformed". libcbor 0.8's decoder refuses tags 6 to 20 written
// in the one-byte head (0xc6..0xd4, PJK/libcbor#307), so those count as malformed;
// ParseCoseSign1 handles tag 18 itself.
Status CheckCbor(ByteView bytes, size_t max_depth = kMaxCborDepth);

enum class CborType : uint8_t {
  kUint,
  kNegint,
  kBytes,
  kText,
  kArray,
  kMap,
  kTag,
  kOther,  // false, true, null, undefined, floats
};

// One data item's head as a CborReader meets it.
struct CborHead {
  CborType type = CborType::kOther;
  // kUint: the value; kNegint: n for the value -1 - n; kArray: its item count; kMap: its
  // pair count; kTag: the tag number.
  uint64_t value = 0;
  ByteView body;  // kBytes, kText: the content, a view of the reader's input

  // Typed reads; nullopt when the item has another type (or an integer outside int64_t).
  std::optional<int64_t> Int64() const;
  std::optional<uint64_t> Uint64() const;
  std::optional<std::string_view> Text() const;
  std::optional<ByteView> ByteString() const;
  // Whether this is a map key we accept (an integer or a text string), and whether two
  // such keys are the same value whatever width each was encoded in: for refusing the
  // duplicate labels RFC 9052 §3 and RFC 8392 forbid.
  bool IsMapKey() const;
  bool SameMapKey(const CborHead& other) const;
};

// The keys of one CBOR map so far, for refusing a key that appears twice. Maps we read
// hold a handful of keys, so a linear search over a small inline array beats building a
// string and a set node per key; a hostile map with many keys spills to the heap.
class CborKeySet {
 public:
  // False when an equal key (CborHead::SameMapKey) was inserted before. A text key's view
  // must stay valid while the set is used.
  bool Insert(const CborHead& key);

 private:
  static constexpr size_t kInline = 16;
  std::array<CborHead, kInline> inline_{};
  size_t size_ = 0;
  std::vector<CborHead> spill_;
};

// Walks the items of `input` in order, one head at a time. Run CheckCbor on the input
// first when its depth matters: the reader itself never recurses (skipping counts the
// items still owed), so it is safe on any input, but it reports only "cbor.malformed".
class CborReader {
 public:
  explicit CborReader(ByteView input) : input_(input) {}

  // The next head; a string's head comes with its body, a container's without its items
  // (read them next, or SkipContent). "cbor.malformed" when truncated, indefinite-length,
  // or a container claims more items than there are bytes left.
  Result<CborHead> Next();
  // Skips the items an array, map or tag head opens; nothing for any other head.
  Status SkipContent(const CborHead& head);
  bool AtEnd() const { return offset_ == input_.size(); }

 private:
  ByteView input_;
  size_t offset_ = 0;
};

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

}  // namespace epermit::credential
