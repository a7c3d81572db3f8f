#include "credential/qr_payload.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <iterator>

#include "common/date.hpp"
#include "common/utf8.hpp"
#include "credential/base45.hpp"

namespace epermit::credential {
namespace {

Error ClaimsError(const std::string& field, const std::string& what_en, const std::string& what_zh) {
  return MakeError(ErrorKind::kInvalidArgument, "qr.claims", "Invalid QR claim " + field + ": " + what_en,
                   "二维码声明 " + field + " 无效：" + what_zh, field);
}

Error TooLarge(const std::string& what_en, const std::string& what_zh) {
  return MakeError(ErrorKind::kPayloadTooLarge, "qr.too_large", "The QR payload is too large: " + what_en,
                   "二维码内容过大：" + what_zh);
}

Error ZlibError(const std::string& what) {
  return MakeError(ErrorKind::kInvalidArgument, "qr.zlib", "The QR payload does not decompress: " + what,
                   "二维码内容无法解压：" + what);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsPrintableAscii(std::string_view s) {
  for (char c : s) {
    if (c <= 0x20 || c >= 0x7F) return false;
  }
  return true;
}

Status CheckText(std::string_view field, std::string_view value) {
  if (value.empty()) return ClaimsError(std::string(field), "empty", "为空");
  if (!IsValidUtf8(value)) return ClaimsError(std::string(field), "not valid UTF-8", "不是有效的 UTF-8 文本");
  return Status::Ok();
}

// "360426********0071": the first 6 and last 4 characters of a GB 11643 number, the
// rest masked. Refusing anything else keeps a full ID number out of every QR we sign.
bool IsMaskedCitizenId(std::string_view s) {
  if (s.size() != 18) return false;
  for (size_t i = 0; i < 18; ++i) {
    const char c = s[i];
    if (i >= 6 && i < 14) {
      if (c != '*') return false;
    } else if (i == 17) {
      if (!IsDigit(c) && c != 'X') return false;  // the MOD 11-2 check character
    } else if (!IsDigit(c)) {
      return false;
    }
  }
  return true;
}

// The next head of claims that CheckCbor has passed; an error here means the scan and
// the reader disagree, reported against `field` all the same.
Result<CborHead> NextHead(CborReader* r, const std::string& field) {
  auto head = r->Next();
  if (!head.ok()) return ClaimsError(field, head.error().message_en, head.error().message_zh);
  return head;
}

Status SkipHead(CborReader* r, const CborHead& head, const std::string& field) {
  if (Status s = r->SkipContent(head); !s.ok()) return ClaimsError(field, s.error().message_en, s.error().message_zh);
  return Status::Ok();
}

// Reads the pairs of the map `map` opened (its head already read), refusing keys that are
// neither integers nor text and keys that appear twice. `on_pair(key, value)` is called
// with each value's head and must read or skip what that value opens.
template <typename OnPair>
Status ForEachPair(CborReader* r, const CborHead& map, const std::string& field, OnPair on_pair) {
  CborKeySet keys;
  for (uint64_t i = 0; i < map.value; ++i) {
    EPERMIT_ASSIGN_OR_RETURN(const CborHead key, NextHead(r, field));
    if (!key.IsMapKey())
      return ClaimsError(field, "a key is neither an integer nor a text string", "键既不是整数也不是文本");
    if (!keys.Insert(key)) return ClaimsError(field, "a key appears twice", "键重复");
    EPERMIT_ASSIGN_OR_RETURN(const CborHead value, NextHead(r, field));
    EPERMIT_RETURN_IF_ERROR(on_pair(key, value));
  }
  return Status::Ok();
}

// The status claim {"status_list": {"idx": uint, "uri": text}}; other keys are skipped.
Status ReadStatus(CborReader* r, const CborHead& value, PermitClaims* claims) {
  if (value.type != CborType::kMap) return ClaimsError("status", "not a map", "不是映射");
  bool found_list = false;
  EPERMIT_RETURN_IF_ERROR(ForEachPair(r, value, "status", [&](const CborHead& key, const CborHead& list) -> Status {
    if (key.Text() != "status_list") return SkipHead(r, list, "status");
    found_list = true;
    if (list.type != CborType::kMap) return ClaimsError("status.status_list", "not a map", "不是映射");
    std::optional<CborHead> idx;
    std::optional<CborHead> uri;
    EPERMIT_RETURN_IF_ERROR(
        ForEachPair(r, list, "status.status_list", [&](const CborHead& inner_key, const CborHead& inner) -> Status {
          if (inner_key.Text() == "idx") idx = inner;
          if (inner_key.Text() == "uri") uri = inner;
          return SkipHead(r, inner, "status.status_list");
        }));
    if (!idx) return ClaimsError("status.status_list.idx", "missing", "缺失");
    if (!uri) return ClaimsError("status.status_list.uri", "missing", "缺失");
    auto idx_value = idx->Uint64();
    if (!idx_value) return ClaimsError("status.status_list.idx", "not an unsigned integer", "不是非负整数");
    auto uri_value = uri->Text();
    if (!uri_value) return ClaimsError("status.status_list.uri", "not a text string", "不是文本");
    claims->status_index = *idx_value;
    claims->status_list_uri.assign(uri_value->data(), uri_value->size());
    return Status::Ok();
  }));
  if (!found_list) return ClaimsError("status.status_list", "missing", "缺失");
  return Status::Ok();
}

// The zlib preset dictionary (RFC 1950 FDICT) of the JZZ1 format: the CBOR a permit QR
// is made of, with placeholder values. Deflate can then copy the claim keys, the status
// claim's text keys, the URL shapes and the permit-number prefix from it instead of
// spelling them out, which takes a realistic QR from about 445 characters to about 295
// and so under the 400-character budget (zlib alone cannot: the claims are too short to
// repeat themselves). It is part of the format: changing one byte needs a new prefix.
constexpr char kDictionary[] =
    // SM2 protected header {1: -65600, 4: kid}
    "\xa2\x01\x3a\x00\x01\x00\x3f\x04"
    // COSE_Sign1 opening: tag 18, array of 4, bstr, EdDSA protected header {1: -8, 4: kid}
    "\xd2\x84\x58\x1e\xa2\x01\x27\x04\x53"
    // claims map of 10; 1 (iss)
    "\xaa\x01\x78\x19"
    "https://000000.epermit.cn"
    // 4 (exp), 6 (iat)
    "\x04\x1a\x69\x00\x00\x00\x06\x1a\x69\x00\x00\x00"
    // 65535 (status): {"status_list": {"idx": 0, "uri": "https://..."}}
    "\x19\xff\xff\xa1\x6b"
    "status_list"
    "\xa2\x63"
    "idx"
    "\x1a\x00\x00\x00\x00\x63"
    "uri"
    "\x78\x2f"
    "https://000000.epermit.cn/api/v1/status-lists/0"
    // -70001 permit number
    "\x3a\x00\x01\x11\x70\x78\x2e"
    "1.2.156.3005.2.JZZ01.000000.000000000000.001."
    // -70002 name
    "\x3a\x00\x01\x11\x71\x6c"
    // -70003 masked citizen ID
    "\x3a\x00\x01\x11\x72\x72"
    "000000********0000"
    // -70004 city
    "\x3a\x00\x01\x11\x73\x66"
    "000000"
    // -70005 issue date
    "\x3a\x00\x01\x11\x74\x6a"
    "2025-01-01"
    // -70006 endorsed until
    "\x3a\x00\x01\x11\x75\x6a"
    "2026-01-01";

ByteView Dictionary() { return {reinterpret_cast<const uint8_t*>(kDictionary), sizeof kDictionary - 1}; }

// One deflate state per thread, reset before each use. deflateInit at level 9 allocates
// about 270 KB (window and hash tables), which malloc maps and unmaps on every call: that
// cost more than the Ed25519 signature of the QR. deflateReset is documented as equivalent
// to deflateEnd + deflateInit with the same parameters, so the output is the same bytes.
class ThreadDeflater {
 public:
  ThreadDeflater() { ok_ = deflateInit(&zs_, Z_BEST_COMPRESSION) == Z_OK; }
  ~ThreadDeflater() {
    if (ok_) deflateEnd(&zs_);
  }
  ThreadDeflater(const ThreadDeflater&) = delete;
  ThreadDeflater& operator=(const ThreadDeflater&) = delete;

  // A freshly reset stream, or null if zlib could not allocate one.
  z_stream* Reset() { return ok_ && deflateReset(&zs_) == Z_OK ? &zs_ : nullptr; }

 private:
  z_stream zs_{};
  bool ok_ = false;
};

Result<Bytes> ZlibCompress(ByteView input) {
  thread_local ThreadDeflater deflater;
  z_stream* zs = deflater.Reset();
  if (zs == nullptr) return InternalError("zlib deflateInit failed");
  const ByteView dictionary = Dictionary();
  Bytes out(deflateBound(zs, static_cast<uLong>(input.size())) + 4);  // + 4: the dictionary id
  int rc = deflateSetDictionary(zs, dictionary.data(), static_cast<uInt>(dictionary.size()));
  if (rc == Z_OK) {
    zs->next_in = const_cast<Bytef*>(input.data());  // zlib's API is not const-correct; it only reads
    zs->avail_in = static_cast<uInt>(input.size());
    zs->next_out = out.data();
    zs->avail_out = static_cast<uInt>(out.size());
    rc = deflate(zs, Z_FINISH);
  }
  const size_t produced = out.size() - zs->avail_out;
  zs->next_in = nullptr;  // the stream outlives `input` and `out`
  zs->next_out = nullptr;
  if (rc != Z_STREAM_END) return InternalError("zlib compression failed");
  out.resize(produced);
  return out;
}

// Streaming inflate into a buffer of cap + 1 bytes: filling it means the output would
// exceed the cap, which is all we need to know, so a bomb costs at most cap + 1 bytes
// (plus zlib's 32 KiB window) however far it would expand. Streams with our preset
// dictionary and plain zlib streams (as other encoders may write) are both accepted.
// One inflate state per thread, reset before each use, as ThreadDeflater does for deflate:
// inflateInit and inflateEnd were most of the zlib time of a verification. inflateReset
// is documented as equivalent to inflateEnd + inflateInit (it also clears a dictionary and
// any error state left by a corrupt stream), so each QR is decoded from a clean state.
class ThreadInflater {
 public:
  ThreadInflater() { ok_ = inflateInit(&zs_) == Z_OK; }
  ~ThreadInflater() {
    if (ok_) inflateEnd(&zs_);
  }
  ThreadInflater(const ThreadInflater&) = delete;
  ThreadInflater& operator=(const ThreadInflater&) = delete;

  // A freshly reset stream, or null if zlib could not allocate one.
  z_stream* Reset() {
    if (!ok_) ok_ = inflateInit(&zs_) == Z_OK;  // an earlier allocation failure need not be permanent
    return ok_ && inflateReset(&zs_) == Z_OK ? &zs_ : nullptr;
  }

 private:
  z_stream zs_{};
  bool ok_ = false;
};

Result<Bytes> InflateCapped(ByteView input, size_t cap) {
  thread_local ThreadInflater inflater;
  z_stream* zs = inflater.Reset();
  if (zs == nullptr) return InternalError("zlib inflateInit failed");
  Bytes out(cap + 1);
  zs->next_in = const_cast<Bytef*>(input.data());  // zlib's API is not const-correct; it only reads
  zs->avail_in = static_cast<uInt>(input.size());
  zs->next_out = out.data();
  zs->avail_out = static_cast<uInt>(out.size());
  int rc = inflate(zs, Z_FINISH);
  if (rc == Z_NEED_DICT) {
    const ByteView dictionary = Dictionary();
    // Refuses (Z_DATA_ERROR) a stream that asks for any other dictionary.
    rc = inflateSetDictionary(zs, dictionary.data(), static_cast<uInt>(dictionary.size()));
    if (rc == Z_OK) rc = inflate(zs, Z_FINISH);
  }
  const size_t produced = out.size() - zs->avail_out;
  const size_t unread = zs->avail_in;
  zs->next_in = nullptr;  // the stream outlives `input` and `out`
  zs->next_out = nullptr;
  if (produced > cap) {
    return TooLarge("it inflates to more than " + std::to_string(cap) + " bytes",
                    "解压后超过 " + std::to_string(cap) + " 字节");
  }
  if (rc == Z_MEM_ERROR) return InternalError("out of memory inflating");
  if (rc == Z_NEED_DICT) return ZlibError("an unknown preset dictionary");
  if (rc != Z_STREAM_END) return ZlibError(rc == Z_BUF_ERROR ? "truncated" : "corrupt data");
  if (unread != 0) return ZlibError("bytes after the compressed stream");
  out.resize(produced);
  return out;
}

struct TextClaim {
  int64_t key;
  const char* field;
  std::string PermitClaims::*member;
};
constexpr TextClaim kTextClaims[] = {
    {kClaimIss, "iss", &PermitClaims::iss},
    {kClaimPermitNumber, "permit_number", &PermitClaims::permit_number},
    {kClaimName, "name", &PermitClaims::name},
    {kClaimMaskedCitizenId, "masked_citizen_id", &PermitClaims::masked_citizen_id},
    {kClaimCity, "city", &PermitClaims::city},
    {kClaimIssueDate, "issue_date", &PermitClaims::issue_date},
    {kClaimEndorsedUntil, "endorsed_until", &PermitClaims::endorsed_until},
};

const TextClaim* FindTextClaim(int64_t key) {
  for (const TextClaim& claim : kTextClaims) {
    if (claim.key == key) return &claim;
  }
  return nullptr;
}

Result<PermitClaims> ClaimsFromCose(ByteView cose) {
  EPERMIT_ASSIGN_OR_RETURN(UnverifiedCoseSign1 parts, ParseCoseSign1(cose));
  return DecodePermitClaims(parts.payload);
}

}  // namespace

Status ValidatePermitClaims(const PermitClaims& c) {
  EPERMIT_RETURN_IF_ERROR(CheckText("permit_number", c.permit_number));
  if (!IsPrintableAscii(c.permit_number)) {
    return ClaimsError("permit_number", "not printable ASCII", "含有非法字符");
  }
  EPERMIT_RETURN_IF_ERROR(CheckText("name", c.name));
  if (!IsMaskedCitizenId(c.masked_citizen_id)) {
    return ClaimsError("masked_citizen_id", "not a masked ID number (first 6 and last 4 digits only)",
                       "不是脱敏身份证号（仅保留前6位和后4位）");
  }
  if (c.city.size() != 6 || !std::all_of(c.city.begin(), c.city.end(), IsDigit)) {
    return ClaimsError("city", "not a 6-digit division code", "不是6位行政区划代码");
  }
  if (!ParseIsoDate(c.issue_date)) return ClaimsError("issue_date", "not a YYYY-MM-DD date", "不是 YYYY-MM-DD 日期");
  if (!ParseIsoDate(c.endorsed_until)) {
    return ClaimsError("endorsed_until", "not a YYYY-MM-DD date", "不是 YYYY-MM-DD 日期");
  }
  // http is allowed: the status list token is signed itself, and a node on a private
  // network (or in a test) has no TLS name; production nodes publish https URLs.
  const bool http_uri = c.status_list_uri.rfind("https://", 0) == 0 || c.status_list_uri.rfind("http://", 0) == 0;
  if (!http_uri || !IsPrintableAscii(c.status_list_uri)) {
    return ClaimsError("status_list_uri", "not an http(s) URI", "不是 http(s) 地址");
  }
  EPERMIT_RETURN_IF_ERROR(CheckText("iss", c.iss));
  if (c.exp < c.iat) return ClaimsError("exp", "before iat", "早于签发时间");
  return Status::Ok();
}

Result<Bytes> EncodePermitClaims(const PermitClaims& c) {
  EPERMIT_RETURN_IF_ERROR(ValidatePermitClaims(c));
  CborWriter w;
  w.Map(10);
  w.Int(kClaimIss).Text(c.iss);
  w.Int(kClaimExp).Int(c.exp);
  w.Int(kClaimIat).Int(c.iat);
  w.Int(kClaimStatus)
      .Map(1)
      .Text("status_list")
      .Map(2)
      .Text("idx")
      .Uint(c.status_index)
      .Text("uri")
      .Text(c.status_list_uri);
  w.Int(kClaimPermitNumber).Text(c.permit_number);
  w.Int(kClaimName).Text(c.name);
  w.Int(kClaimMaskedCitizenId).Text(c.masked_citizen_id);
  w.Int(kClaimCity).Text(c.city);
  w.Int(kClaimIssueDate).Text(c.issue_date);
  w.Int(kClaimEndorsedUntil).Text(c.endorsed_until);
  return w.Take();
}

Result<PermitClaims> DecodePermitClaims(ByteView cbor) {
  if (Status checked = CheckCbor(cbor); !checked.ok()) {
    if (checked.error().code == "cbor.too_deep") return checked.error();
    return ClaimsError("claims", checked.error().message_en, checked.error().message_zh);
  }
  CborReader r(cbor);
  EPERMIT_ASSIGN_OR_RETURN(const CborHead map, NextHead(&r, "claims"));
  if (map.type != CborType::kMap) return ClaimsError("claims", "not a map", "不是映射");

  PermitClaims c;
  // Which known claims were present, a bit each (kFound* and then kTextClaims in order):
  // duplicates are refused by ForEachPair, so each is set at most once.
  constexpr uint32_t kFoundExp = 1u << 0;
  constexpr uint32_t kFoundIat = 1u << 1;
  constexpr uint32_t kFoundStatus = 1u << 2;
  constexpr int kFirstTextBit = 3;
  static_assert(kFirstTextBit + std::size(kTextClaims) <= 32);
  uint32_t found = 0;
  EPERMIT_RETURN_IF_ERROR(
      ForEachPair(&r, map, "claims", [&](const CborHead& key_head, const CborHead& value) -> Status {
        auto key = key_head.Int64();
        if (!key) return SkipHead(&r, value, "claims");  // a text-keyed claim: not ours, ignored as RFC 8392 allows
        if (*key == kClaimStatus) {
          EPERMIT_RETURN_IF_ERROR(ReadStatus(&r, value, &c));
          found |= kFoundStatus;
          return Status::Ok();
        }
        if (*key == kClaimExp || *key == kClaimIat) {
          auto v = value.Int64();
          const char* field = *key == kClaimExp ? "exp" : "iat";
          if (!v) return ClaimsError(field, "not an integer", "不是整数");
          (*key == kClaimExp ? c.exp : c.iat) = *v;
          found |= *key == kClaimExp ? kFoundExp : kFoundIat;
          return Status::Ok();
        }
        const TextClaim* claim = FindTextClaim(*key);
        if (claim == nullptr) return SkipHead(&r, value, "claims");  // an unknown claim: ignored
        auto t = value.Text();
        if (!t) return ClaimsError(claim->field, "not a text string", "不是文本");
        (c.*(claim->member)).assign(t->data(), t->size());
        found |= 1u << (kFirstTextBit + (claim - kTextClaims));
        return Status::Ok();
      }));
  if ((found & kFoundExp) == 0) return ClaimsError("exp", "missing", "缺失");
  if ((found & kFoundIat) == 0) return ClaimsError("iat", "missing", "缺失");
  if ((found & kFoundStatus) == 0) return ClaimsError("status", "missing", "缺失");
  for (size_t i = 0; i < std::size(kTextClaims); ++i) {
    if ((found & (1u << (kFirstTextBit + i))) == 0) return ClaimsError(kTextClaims[i].field, "missing", "缺失");
  }
  EPERMIT_RETURN_IF_ERROR(ValidatePermitClaims(c));
  return c;
}

ByteView QrZlibDictionary() { return Dictionary(); }

Result<std::string> QrTextFromCose(ByteView cose) {
  if (cose.size() > kMaxInflatedCoseBytes) {
    return TooLarge("the signed payload exceeds " + std::to_string(kMaxInflatedCoseBytes) + " bytes",
                    "签名内容超过 " + std::to_string(kMaxInflatedCoseBytes) + " 字节");
  }
  EPERMIT_ASSIGN_OR_RETURN(Bytes compressed, ZlibCompress(cose));
  std::string text = std::string(kQrPrefix) + Base45Encode(compressed);
  if (text.size() > kMaxQrTextLength) return TooLarge("it does not fit a QR code", "二维码容纳不下");
  return text;
}

Result<Bytes> CoseFromQrText(std::string_view text) {
  if (text.size() > kMaxQrTextLength) return TooLarge("longer than any QR code holds", "超过二维码容量");
  if (text.substr(0, kQrPrefix.size()) != kQrPrefix) {
    return MakeError(ErrorKind::kInvalidArgument, "qr.prefix", "This is not an electronic residence permit QR code.",
                     "这不是电子居住证二维码。");
  }
  auto compressed = Base45Decode(text.substr(kQrPrefix.size()));
  if (!compressed.ok()) {
    return MakeError(ErrorKind::kInvalidArgument, "qr.base45",
                     "The QR text is damaged: " + compressed.error().message_en,
                     "二维码内容已损坏：" + compressed.error().message_zh);
  }
  return InflateCapped(*compressed, kMaxInflatedCoseBytes);
}

Result<std::string> EncodeQr(const Signer& signer, const PermitClaims& claims) {
  EPERMIT_ASSIGN_OR_RETURN(Bytes payload, EncodePermitClaims(claims));
  EPERMIT_ASSIGN_OR_RETURN(Bytes cose, SignCoseSign1(signer, payload));
  return QrTextFromCose(cose);
}

Result<DecodedQr> DecodeQr(std::string_view text, const KeyLookup& keys) {
  EPERMIT_ASSIGN_OR_RETURN(Bytes cose, CoseFromQrText(text));
  EPERMIT_ASSIGN_OR_RETURN(VerifiedCose verified, VerifyCoseSign1(cose, keys));
  EPERMIT_ASSIGN_OR_RETURN(PermitClaims claims, DecodePermitClaims(verified.payload));
  return DecodedQr{std::move(claims), std::move(verified.key), std::move(cose)};
}

Result<DecodedQr> DecodeQrSignedAt(std::string_view text, const std::function<KeyLookup(int64_t)>& keys_at,
                                   int64_t fallback_at) {
  EPERMIT_ASSIGN_OR_RETURN(Bytes cose, CoseFromQrText(text));
  EPERMIT_ASSIGN_OR_RETURN(UnverifiedCoseSign1 parts, ParseCoseSign1(cose));
  // Decoded from the unverified payload; the signature check below covers these bytes.
  Result<PermitClaims> claims = DecodePermitClaims(parts.payload);
  const int64_t signed_at = claims.ok() ? claims->iat : fallback_at;
  EPERMIT_ASSIGN_OR_RETURN(VerifiedCose verified, VerifyCoseSign1(std::move(parts), keys_at(signed_at)));
  if (!claims.ok()) return claims.error();
  return DecodedQr{std::move(claims).value(), std::move(verified.key), std::move(cose)};
}

Result<PermitClaims> PeekQrClaims(std::string_view text) {
  EPERMIT_ASSIGN_OR_RETURN(Bytes cose, CoseFromQrText(text));
  return ClaimsFromCose(cose);
}

}  // namespace epermit::credential
