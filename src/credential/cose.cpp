#include "credential/cose.hpp"

#include <cbor.h>

#include <limits>
#include <vector>

namespace epermit::credential {
namespace {

Error Format(const std::string& what) {
  return MakeError(ErrorKind::kInvalidArgument, "cose.format", "Malformed COSE_Sign1: " + what,
                   "COSE_Sign1 格式错误：" + what);
}

Error AlgError(const std::string& what) {
  return MakeError(ErrorKind::kFailedPrecondition, "cose.alg", "The COSE algorithm is not accepted: " + what,
                   "不接受该 COSE 签名算法：" + what, "alg");
}

Error Malformed(const std::string& what) {
  return MakeError(ErrorKind::kInvalidArgument, "cbor.malformed", "Malformed CBOR: " + what,
                   "CBOR 数据格式错误：" + what);
}

Error TooDeep(size_t max_depth) {
  return MakeError(ErrorKind::kInvalidArgument, "cbor.too_deep",
                   "CBOR is nested deeper than " + std::to_string(max_depth) + " levels.",
                   "CBOR 嵌套超过 " + std::to_string(max_depth) + " 层。");
}

// State of the iterative well-formedness scan. `remaining` holds, for each open
// container, how many items it still expects; its size is the current depth, so the
// memory the scan needs is bounded by max_depth whatever the input claims.
struct Scan {
  size_t max_depth = kMaxCborDepth;
  size_t input_size = 0;
  std::vector<uint64_t> remaining;
  bool complete = false;
  bool too_deep = false;
  const char* malformed = nullptr;
};

void ItemDone(Scan* s) {
  while (!s->remaining.empty()) {
    if (--s->remaining.back() > 0) return;
    s->remaining.pop_back();  // the container is complete: it is one item of its parent
  }
  s->complete = true;
}

void Open(Scan* s, uint64_t items) {
  if (s->remaining.size() + 1 > s->max_depth) {
    s->too_deep = true;
    return;
  }
  if (items == 0) return ItemDone(s);
  s->remaining.push_back(items);
}

void Leaf(void* ctx) { ItemDone(static_cast<Scan*>(ctx)); }

void Reject(void* ctx, const char* why) {
  auto* s = static_cast<Scan*>(ctx);
  if (s->malformed == nullptr) s->malformed = why;
}

cbor_callbacks ScanCallbacks() {
  cbor_callbacks cb = cbor_empty_callbacks;
  cb.uint8 = [](void* c, uint8_t) { Leaf(c); };
  cb.uint16 = [](void* c, uint16_t) { Leaf(c); };
  cb.uint32 = [](void* c, uint32_t) { Leaf(c); };
  cb.uint64 = [](void* c, uint64_t) { Leaf(c); };
  cb.negint8 = [](void* c, uint8_t) { Leaf(c); };
  cb.negint16 = [](void* c, uint16_t) { Leaf(c); };
  cb.negint32 = [](void* c, uint32_t) { Leaf(c); };
  cb.negint64 = [](void* c, uint64_t) { Leaf(c); };
  cb.byte_string = [](void* c, cbor_data, size_t) { Leaf(c); };
  cb.string = [](void* c, cbor_data, size_t) { Leaf(c); };
  cb.float2 = [](void* c, float) { Leaf(c); };
  cb.float4 = [](void* c, float) { Leaf(c); };
  cb.float8 = [](void* c, double) { Leaf(c); };
  cb.undefined = [](void* c) { Leaf(c); };
  cb.null = [](void* c) { Leaf(c); };
  cb.boolean = [](void* c, bool) { Leaf(c); };
  // A definite container cannot hold more items than there are bytes left, so a
  // claimed size above the input size is refused here, before libcbor would allocate
  // room for it.
  cb.array_start = [](void* c, size_t size) {
    auto* s = static_cast<Scan*>(c);
    if (size > s->input_size) return Reject(c, "array longer than the input");
    Open(s, size);
  };
  cb.map_start = [](void* c, size_t size) {
    auto* s = static_cast<Scan*>(c);
    if (size > s->input_size / 2) return Reject(c, "map longer than the input");
    Open(s, uint64_t{size} * 2);
  };
  cb.tag = [](void* c, uint64_t) { Open(static_cast<Scan*>(c), 1); };
  // Indefinite lengths have no place in what we sign (RFC 9052 §9 wants definite ones
  // for signed structures), and refusing them keeps chunk handling out of the attack surface.
  cb.byte_string_start = [](void* c) { Reject(c, "indefinite-length byte string"); };
  cb.string_start = [](void* c) { Reject(c, "indefinite-length text string"); };
  cb.indef_array_start = [](void* c) { Reject(c, "indefinite-length array"); };
  cb.indef_map_start = [](void* c) { Reject(c, "indefinite-length map"); };
  cb.indef_break = [](void* c) { Reject(c, "unexpected break"); };
  return cb;
}

const cbor_callbacks kScanCallbacks = ScanCallbacks();

constexpr uint8_t kCoseSign1TagHead = 0xd2;  // major type 6, value 18, in the initial byte

struct HeaderState {
  // Labels of both maps so far, compared by value (CborSameMapKey): a header holds a handful
  // of labels, so this beats building a std::string and a set node per label on every parse.
  std::vector<const cbor_item_t*> labels;
  std::optional<SigAlg> alg;
  std::optional<std::string> kid;
};

// Reads one header map (protected or unprotected) into `h`. Labels we do not know are
// ignored (RFC 9052 §3), except that none may repeat across both maps.
Status ReadHeaderMap(const cbor_item_t* map, bool is_protected, HeaderState* h) {
  const size_t n = cbor_map_size(map);
  const cbor_pair* pairs = cbor_map_handle(map);
  for (size_t i = 0; i < n; ++i) {
    const cbor_item_t* key = pairs[i].key;
    if (!CborIsMapKey(key)) return Format("a header label is neither an integer nor a text string");
    for (const cbor_item_t* seen : h->labels) {
      if (CborSameMapKey(seen, key)) return Format("a header label appears twice");
    }
    h->labels.push_back(key);
    auto label = CborInt64(pairs[i].key);
    if (!label) continue;
    if (*label == kCoseHeaderAlg) {
      // An unprotected alg could be swapped by anyone; RFC 9052 §3.1 wants it protected.
      if (!is_protected) return AlgError("alg is outside the protected header");
      auto value = CborInt64(pairs[i].value);
      if (!value) return AlgError("alg is not an integer algorithm id");
      auto alg = SigAlgFromCose(*value);
      if (!alg.ok()) return AlgError("unsupported algorithm " + std::to_string(*value));
      h->alg = *alg;
    } else if (*label == kCoseHeaderCrit) {
      // We understand no extension, so a critical one must make us refuse.
      return Format("critical header parameters are not supported");
    } else if (*label == kCoseHeaderKid) {
      auto kid = CborByteString(pairs[i].value);
      if (!kid) return Format("kid is not a byte string");
      h->kid.emplace(kid->begin(), kid->end());
    }
  }
  return Status::Ok();
}

Bytes CopyBytes(ByteView view) { return Bytes(view.begin(), view.end()); }

// Sig_structure = ["Signature1", body_protected, external_aad = h'', payload].
Bytes SigStructure(ByteView protected_header, ByteView payload) {
  CborWriter w;
  w.Array(4).Text("Signature1").ByteString(protected_header).ByteString({}).ByteString(payload);
  return w.Take();
}

}  // namespace

// ---- CBOR helpers ----

Status CheckCbor(ByteView bytes, size_t max_depth) {
  Scan s;
  s.max_depth = max_depth;
  s.input_size = bytes.size();
  size_t offset = 0;
  while (offset < bytes.size() && !s.complete) {
    // One call decodes one head (and a definite string's body) and calls one callback.
    const cbor_decoder_result r = cbor_stream_decode(bytes.data() + offset, bytes.size() - offset, &kScanCallbacks, &s);
    if (r.status == CBOR_DECODER_NEDATA) return Malformed("truncated");
    if (r.status != CBOR_DECODER_FINISHED || r.read == 0) return Malformed("invalid item");
    offset += r.read;
    if (s.too_deep) return TooDeep(max_depth);
    if (s.malformed != nullptr) return Malformed(s.malformed);
  }
  if (!s.complete) return Malformed(bytes.empty() ? "empty" : "truncated");
  if (offset != bytes.size()) return Malformed("bytes after the item");
  return Status::Ok();
}

void CborItemDeleter::operator()(cbor_item_t* item) const {
  if (item != nullptr) cbor_decref(&item);
}

Result<CborItem> LoadCbor(ByteView bytes, size_t max_depth) {
  EPERMIT_RETURN_IF_ERROR(CheckCbor(bytes, max_depth));
  cbor_load_result result{};
  CborItem item(cbor_load(bytes.data(), bytes.size(), &result));
  if (result.error.code == CBOR_ERR_MEMERROR) return InternalError("out of memory decoding CBOR");
  // libcbor also refuses what the scan let through (e.g. invalid UTF-8 in a text string).
  if (!item || result.error.code != CBOR_ERR_NONE || result.read != bytes.size()) {
    return Malformed("rejected by the decoder");
  }
  return item;
}

std::optional<int64_t> CborInt64(const cbor_item_t* item) {
  constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();
  if (cbor_isa_uint(item)) {
    const uint64_t v = cbor_get_int(item);
    if (v > kMax) return std::nullopt;
    return static_cast<int64_t>(v);
  }
  if (cbor_isa_negint(item)) {
    const uint64_t n = cbor_get_int(item);  // the value is -1 - n
    if (n > kMax) return std::nullopt;
    return -1 - static_cast<int64_t>(n);
  }
  return std::nullopt;
}

std::optional<uint64_t> CborUint64(const cbor_item_t* item) {
  if (!cbor_isa_uint(item)) return std::nullopt;
  return cbor_get_int(item);
}

std::optional<std::string_view> CborText(const cbor_item_t* item) {
  if (!cbor_isa_string(item) || !cbor_string_is_definite(item)) return std::nullopt;
  const size_t length = cbor_string_length(item);
  if (length == 0) return std::string_view();
  return std::string_view(reinterpret_cast<const char*>(cbor_string_handle(item)), length);
}

std::optional<ByteView> CborByteString(const cbor_item_t* item) {
  if (!cbor_isa_bytestring(item) || !cbor_bytestring_is_definite(item)) return std::nullopt;
  const size_t length = cbor_bytestring_length(item);
  if (length == 0) return ByteView();
  return ByteView(cbor_bytestring_handle(item), length);
}

bool CborIsMapKey(const cbor_item_t* key) {
  return cbor_isa_uint(key) || cbor_isa_negint(key) || CborText(key).has_value();
}

bool CborSameMapKey(const cbor_item_t* a, const cbor_item_t* b) {
  if ((cbor_isa_uint(a) && cbor_isa_uint(b)) || (cbor_isa_negint(a) && cbor_isa_negint(b))) {
    return cbor_get_int(a) == cbor_get_int(b);  // whatever width each was encoded in
  }
  const auto ta = CborText(a);
  const auto tb = CborText(b);
  return ta && tb && *ta == *tb;
}

std::optional<std::string> CborMapKeyId(const cbor_item_t* key) {
  if (auto i = CborInt64(key)) return "i:" + std::to_string(*i);
  if (cbor_isa_uint(key)) return "u:" + std::to_string(cbor_get_int(key));  // above int64_t
  if (cbor_isa_negint(key)) return "n:" + std::to_string(cbor_get_int(key));
  if (auto t = CborText(key)) return "t:" + std::string(*t);
  return std::nullopt;
}

void CborWriter::Append(const unsigned char* head, size_t size) { out_.insert(out_.end(), head, head + size); }

CborWriter& CborWriter::Uint(uint64_t value) {
  unsigned char head[9];
  Append(head, cbor_encode_uint(value, head, sizeof head));
  return *this;
}

CborWriter& CborWriter::Int(int64_t value) {
  if (value >= 0) return Uint(static_cast<uint64_t>(value));
  unsigned char head[9];
  Append(head, cbor_encode_negint(static_cast<uint64_t>(-(value + 1)), head, sizeof head));
  return *this;
}

CborWriter& CborWriter::ByteString(ByteView bytes) {
  unsigned char head[9];
  Append(head, cbor_encode_bytestring_start(bytes.size(), head, sizeof head));
  out_.insert(out_.end(), bytes.begin(), bytes.end());
  return *this;
}

CborWriter& CborWriter::Text(std::string_view text) {
  unsigned char head[9];
  Append(head, cbor_encode_string_start(text.size(), head, sizeof head));
  out_.insert(out_.end(), text.begin(), text.end());
  return *this;
}

CborWriter& CborWriter::Array(size_t size) {
  unsigned char head[9];
  Append(head, cbor_encode_array_start(size, head, sizeof head));
  return *this;
}

CborWriter& CborWriter::Map(size_t size) {
  unsigned char head[9];
  Append(head, cbor_encode_map_start(size, head, sizeof head));
  return *this;
}

CborWriter& CborWriter::Tag(uint64_t tag) {
  unsigned char head[9];
  Append(head, cbor_encode_tag(tag, head, sizeof head));
  return *this;
}

// ---- COSE_Sign1 ----

Result<Bytes> SignCoseSign1(const Signer& signer, ByteView payload) {
  CborWriter header;
  header.Map(2).Int(kCoseHeaderAlg).Int(CoseAlg(signer.alg())).Int(kCoseHeaderKid).ByteString(AsBytes(signer.kid()));
  const Bytes protected_header = header.Take();
  EPERMIT_ASSIGN_OR_RETURN(Bytes signature, signer.Sign(SigStructure(protected_header, payload)));
  CborWriter w;
  w.Tag(kCoseSign1Tag).Array(4).ByteString(protected_header).Map(0).ByteString(payload).ByteString(signature);
  return w.Take();
}

Result<UnverifiedCoseSign1> ParseCoseSign1(ByteView cose) {
  // libcbor before 0.11 refuses the one-byte tag heads 0xc6..0xd4 (tags 6 to 20, COSE's
  // 16 to 18 among them: PJK/libcbor#307), so the optional tag 18 in its shortest form
  // (0xd2, what every COSE encoder writes) is read here and libcbor gets the rest.
  ByteView body = cose;
  const bool short_tag = !body.empty() && body[0] == kCoseSign1TagHead;
  if (short_tag) body = body.subspan(1);
  auto loaded = LoadCbor(body);
  if (!loaded.ok()) {
    if (loaded.error().code == "cbor.too_deep") return loaded.error();
    return Format(loaded.error().message_en);
  }
  const cbor_item_t* item = loaded->get();
  CborItem untagged;
  if (cbor_isa_tag(item)) {
    // Tag 18 in a longer head (0xd8 0x12) is still tag 18; any other tag, or a second one, is not COSE_Sign1.
    if (short_tag || cbor_tag_value(item) != kCoseSign1Tag) return Format("the tag is not 18 (COSE_Sign1)");
    untagged.reset(cbor_tag_item(item));  // cbor_tag_item adds a reference; the holder drops it
    item = untagged.get();
  }
  if (!cbor_isa_array(item) || cbor_array_size(item) != 4) return Format("expected an array of four items");
  cbor_item_t** parts = cbor_array_handle(item);
  auto protected_bytes = CborByteString(parts[0]);
  if (!protected_bytes) return Format("the protected header is not a byte string");
  if (!cbor_isa_map(parts[1])) return Format("the unprotected header is not a map");
  auto payload = CborByteString(parts[2]);
  if (!payload) return Format("the payload is not a byte string (detached payloads are not accepted)");
  auto signature = CborByteString(parts[3]);
  if (!signature) return Format("the signature is not a byte string");

  // An empty protected bstr means "no protected header" and so no protected alg.
  if (protected_bytes->empty()) return AlgError("no algorithm in the protected header");
  auto protected_map = LoadCbor(*protected_bytes);
  if (!protected_map.ok()) {
    if (protected_map.error().code == "cbor.too_deep") return protected_map.error();
    return Format("the protected header: " + protected_map.error().message_en);
  }
  if (!cbor_isa_map(protected_map->get())) return Format("the protected header is not a map");

  HeaderState h;
  EPERMIT_RETURN_IF_ERROR(ReadHeaderMap(protected_map->get(), /*is_protected=*/true, &h));
  EPERMIT_RETURN_IF_ERROR(ReadHeaderMap(parts[1], /*is_protected=*/false, &h));
  if (!h.alg) return AlgError("no algorithm in the protected header");
  if (!h.kid) return Format("no kid");

  UnverifiedCoseSign1 out;
  out.protected_header = CopyBytes(*protected_bytes);
  out.alg = *h.alg;
  out.kid = std::move(*h.kid);
  out.payload = CopyBytes(*payload);
  out.signature = CopyBytes(*signature);
  return out;
}

Result<VerifiedCose> VerifyCoseSign1(ByteView cose, const KeyLookup& keys) {
  EPERMIT_ASSIGN_OR_RETURN(UnverifiedCoseSign1 parts, ParseCoseSign1(cose));
  return VerifyCoseSign1(std::move(parts), keys);
}

Result<VerifiedCose> VerifyCoseSign1(UnverifiedCoseSign1 parts, const KeyLookup& keys) {
  EPERMIT_ASSIGN_OR_RETURN(PublicKey key, keys(parts.kid));
  // The key, not the message, decides the algorithm: a header that names another one is
  // refused before any verification is attempted.
  if (key.alg != parts.alg) return AlgError("the header's algorithm does not match the key");
  EPERMIT_RETURN_IF_ERROR(VerifySignature(key, SigStructure(parts.protected_header, parts.payload), parts.signature));
  return VerifiedCose{std::move(parts.payload), std::move(key)};
}

}  // namespace epermit::credential
