#include "credential/cbor.hpp"

#include <cbor.h>

#include <limits>
#include <vector>

#include "common/utf8.hpp"

namespace epermit::credential {
namespace {

Error Malformed(const std::string& what) {
  return MakeError(ErrorKind::kInvalidArgument, "cbor.malformed", "Malformed CBOR: " + what,
                   "CBOR 数据格式错误：" + what);
}

Error TooDeep(size_t max_depth) {
  return MakeError(ErrorKind::kInvalidArgument, "cbor.too_deep",
                   "CBOR is nested deeper than " + std::to_string(max_depth) + " levels.",
                   "CBOR 嵌套超过 " + std::to_string(max_depth) + " 层。");
}

std::string_view AsText(cbor_data data, size_t length) {
  return length == 0 ? std::string_view() : std::string_view(reinterpret_cast<const char*>(data), length);
}

// Callbacks shared by the scan and the reader for what neither accepts. Indefinite
// lengths have no place in what we sign (RFC 9052 §9 wants definite ones for signed
// structures), and refusing them keeps chunk handling out of the attack surface.
template <void (*Reject)(void*, const char*)>
void RefuseIndefinite(cbor_callbacks* cb) {
  cb->byte_string_start = [](void* c) { Reject(c, "indefinite-length byte string"); };
  cb->string_start = [](void* c) { Reject(c, "indefinite-length text string"); };
  cb->indef_array_start = [](void* c) { Reject(c, "indefinite-length array"); };
  cb->indef_map_start = [](void* c) { Reject(c, "indefinite-length map"); };
  cb->indef_break = [](void* c) { Reject(c, "unexpected break"); };
}

// ---- the well-formedness scan ----

// State of the iterative scan. `remaining` holds, for each open container, how many items
// it still expects; its size is the current depth, so the memory the scan needs is bounded
// by max_depth whatever the input claims.
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

void ScanReject(void* ctx, const char* why) {
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
  cb.string = [](void* c, cbor_data data, size_t length) {
    if (!IsValidUtf8(AsText(data, length))) return ScanReject(c, "a text string is not valid UTF-8");
    Leaf(c);
  };
  cb.float2 = [](void* c, float) { Leaf(c); };
  cb.float4 = [](void* c, float) { Leaf(c); };
  cb.float8 = [](void* c, double) { Leaf(c); };
  cb.undefined = [](void* c) { Leaf(c); };
  cb.null = [](void* c) { Leaf(c); };
  cb.boolean = [](void* c, bool) { Leaf(c); };
  // A definite container cannot hold more items than there are bytes left, so a claimed
  // size above the input size is refused here, before anyone would allocate room for it.
  cb.array_start = [](void* c, size_t size) {
    auto* s = static_cast<Scan*>(c);
    if (size > s->input_size) return ScanReject(c, "array longer than the input");
    Open(s, size);
  };
  cb.map_start = [](void* c, size_t size) {
    auto* s = static_cast<Scan*>(c);
    if (size > s->input_size / 2) return ScanReject(c, "map longer than the input");
    Open(s, uint64_t{size} * 2);
  };
  cb.tag = [](void* c, uint64_t) { Open(static_cast<Scan*>(c), 1); };
  RefuseIndefinite<ScanReject>(&cb);
  return cb;
}

const cbor_callbacks kScanCallbacks = ScanCallbacks();

// ---- the reader ----

struct ReadState {
  CborHead* head;
  const char* malformed = nullptr;
};

CborHead& HeadOf(void* ctx) { return *static_cast<ReadState*>(ctx)->head; }

void Set(void* ctx, CborType type, uint64_t value) {
  CborHead& h = HeadOf(ctx);
  h.type = type;
  h.value = value;
}

void SetString(void* ctx, CborType type, cbor_data data, size_t length) {
  CborHead& h = HeadOf(ctx);
  h.type = type;
  h.value = length;
  h.body = length == 0 ? ByteView() : ByteView(data, length);
}

void ReadReject(void* ctx, const char* why) {
  auto* s = static_cast<ReadState*>(ctx);
  if (s->malformed == nullptr) s->malformed = why;
}

cbor_callbacks ReadCallbacks() {
  cbor_callbacks cb = cbor_empty_callbacks;
  cb.uint8 = [](void* c, uint8_t v) { Set(c, CborType::kUint, v); };
  cb.uint16 = [](void* c, uint16_t v) { Set(c, CborType::kUint, v); };
  cb.uint32 = [](void* c, uint32_t v) { Set(c, CborType::kUint, v); };
  cb.uint64 = [](void* c, uint64_t v) { Set(c, CborType::kUint, v); };
  cb.negint8 = [](void* c, uint8_t v) { Set(c, CborType::kNegint, v); };
  cb.negint16 = [](void* c, uint16_t v) { Set(c, CborType::kNegint, v); };
  cb.negint32 = [](void* c, uint32_t v) { Set(c, CborType::kNegint, v); };
  cb.negint64 = [](void* c, uint64_t v) { Set(c, CborType::kNegint, v); };
  cb.byte_string = [](void* c, cbor_data d, size_t n) { SetString(c, CborType::kBytes, d, n); };
  cb.string = [](void* c, cbor_data d, size_t n) { SetString(c, CborType::kText, d, n); };
  cb.float2 = [](void* c, float) { Set(c, CborType::kOther, 0); };
  cb.float4 = [](void* c, float) { Set(c, CborType::kOther, 0); };
  cb.float8 = [](void* c, double) { Set(c, CborType::kOther, 0); };
  cb.undefined = [](void* c) { Set(c, CborType::kOther, 0); };
  cb.null = [](void* c) { Set(c, CborType::kOther, 0); };
  cb.boolean = [](void* c, bool) { Set(c, CborType::kOther, 0); };
  cb.array_start = [](void* c, size_t size) { Set(c, CborType::kArray, size); };
  cb.map_start = [](void* c, size_t size) { Set(c, CborType::kMap, size); };
  cb.tag = [](void* c, uint64_t tag) { Set(c, CborType::kTag, tag); };
  RefuseIndefinite<ReadReject>(&cb);
  return cb;
}

const cbor_callbacks kReadCallbacks = ReadCallbacks();

}  // namespace

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

// ---- CborHead ----

std::optional<int64_t> CborHead::Int64() const {
  constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();
  if ((type != CborType::kUint && type != CborType::kNegint) || value > kMax) return std::nullopt;
  // A negative integer is -1 - n; n ≤ INT64_MAX keeps it at or above INT64_MIN.
  return type == CborType::kUint ? static_cast<int64_t>(value) : -1 - static_cast<int64_t>(value);
}

std::optional<uint64_t> CborHead::Uint64() const {
  if (type != CborType::kUint) return std::nullopt;
  return value;
}

std::optional<std::string_view> CborHead::Text() const {
  if (type != CborType::kText) return std::nullopt;
  return AsText(body.data(), body.size());
}

std::optional<ByteView> CborHead::ByteString() const {
  if (type != CborType::kBytes) return std::nullopt;
  return body;
}

bool CborHead::IsMapKey() const {
  return type == CborType::kUint || type == CborType::kNegint || type == CborType::kText;
}

bool CborHead::SameMapKey(const CborHead& other) const {
  if (type != other.type || !IsMapKey()) return false;
  if (type == CborType::kText) return *Text() == *other.Text();
  return value == other.value;  // the decoded value, whatever width each was encoded in
}

bool CborKeySet::Insert(const CborHead& key) {
  const size_t in_array = size_ < kInline ? size_ : kInline;
  for (size_t i = 0; i < in_array; ++i) {
    if (inline_[i].SameMapKey(key)) return false;
  }
  for (const CborHead& seen : spill_) {
    if (seen.SameMapKey(key)) return false;
  }
  if (size_ < kInline) {
    inline_[size_] = key;
  } else {
    spill_.push_back(key);
  }
  ++size_;
  return true;
}

// ---- CborReader ----

Result<CborHead> CborReader::Next() {
  CborHead head;
  if (AtEnd()) return Malformed("truncated");
  ReadState state{&head};
  const size_t left = input_.size() - offset_;
  const cbor_decoder_result r = cbor_stream_decode(input_.data() + offset_, left, &kReadCallbacks, &state);
  if (r.status == CBOR_DECODER_NEDATA) return Malformed("truncated");
  if (r.status != CBOR_DECODER_FINISHED || r.read == 0) return Malformed("invalid item");
  if (state.malformed != nullptr) return Malformed(state.malformed);
  offset_ += r.read;
  // As in the scan: each item takes at least one byte, so no honest container claims more
  // items than there are bytes after its head.
  const size_t after = input_.size() - offset_;
  if ((head.type == CborType::kArray && head.value > after) ||
      (head.type == CborType::kMap && head.value > after / 2)) {
    return Malformed("container longer than the input");
  }
  return head;
}

Status CborReader::SkipContent(const CborHead& head) {
  // Items still owed to the containers opened so far: no stack, so nesting costs nothing.
  // Next() bounds each count by the bytes left, so the sum cannot overflow.
  uint64_t owed = 0;
  auto owe = [&owed](const CborHead& h) {
    if (h.type == CborType::kArray) owed += h.value;
    if (h.type == CborType::kMap) owed += h.value * 2;
    if (h.type == CborType::kTag) owed += 1;
  };
  owe(head);
  while (owed > 0) {
    EPERMIT_ASSIGN_OR_RETURN(CborHead inner, Next());
    --owed;
    owe(inner);
  }
  return Status::Ok();
}

// ---- CborWriter ----

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

}  // namespace epermit::credential
