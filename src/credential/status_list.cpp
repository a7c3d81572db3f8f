#include "credential/status_list.hpp"

#include <zlib.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

namespace epermit::credential {
namespace {

constexpr int kIssuerBits = 2;
constexpr size_t kEntriesPerByte = 8 / kIssuerBits;
// A token is a few hundred bytes in practice; a megabyte list that does not compress at
// all is ~1.4 MB of base64url. Anything beyond this is refused before parsing.
constexpr size_t kMaxTokenBytes = 2 * kMaxStatusListBytes;
// Clocks of offline verifiers drift; a list "issued" slightly in the future is accepted.
constexpr int64_t kClockSkewSeconds = 300;

Error FormatError(const std::string& en, const std::string& zh) {
  return MakeError(ErrorKind::kInvalidArgument, "status.format", "Malformed status list: " + en,
                   "状态列表格式错误：" + zh);
}

Error StaleError(const std::string& en, const std::string& zh) {
  return MakeError(ErrorKind::kFailedPrecondition, "status.stale",
                   "The status list is out of date (" + en + "); the permit's status cannot be confirmed.",
                   "状态列表已过期（" + zh + "），无法确认证件状态。");
}

struct InflateStream {
  z_stream zs{};
  bool ready = false;
  ~InflateStream() {
    if (ready) inflateEnd(&zs);
  }
};

}  // namespace

StatusList::StatusList(size_t size) : size_(size), bytes_((size + kEntriesPerByte - 1) / kEntriesPerByte, 0) {}

void StatusList::Set(size_t idx, uint8_t status) {
  if (idx >= size_) throw std::out_of_range("status list index");
  if (status > 3) throw std::invalid_argument("a 2-bit status is 0..3");
  const unsigned shift = static_cast<unsigned>(idx % kEntriesPerByte) * kIssuerBits;
  uint8_t& b = bytes_[idx / kEntriesPerByte];
  b = static_cast<uint8_t>((b & ~(0x3u << shift)) | (static_cast<unsigned>(status) << shift));
}

uint8_t StatusList::Get(size_t idx) const {
  if (idx >= size_) throw std::out_of_range("status list index");
  const unsigned shift = static_cast<unsigned>(idx % kEntriesPerByte) * kIssuerBits;
  return static_cast<uint8_t>((bytes_[idx / kEntriesPerByte] >> shift) & 0x3u);
}

std::string EncodeStatusListLst(ByteView bytes) {
  uLongf len = compressBound(static_cast<uLong>(bytes.size()));
  Bytes out(len);
  if (compress2(out.data(), &len, bytes.data(), static_cast<uLong>(bytes.size()), Z_BEST_COMPRESSION) != Z_OK) {
    throw std::runtime_error("zlib compress2 failed");  // only on out-of-memory
  }
  out.resize(len);
  return Base64UrlEncode(out);
}

Result<Bytes> DecodeStatusListLst(std::string_view lst) {
  auto compressed = Base64UrlDecode(lst);
  if (!compressed.ok()) return FormatError("lst is not base64url", "lst 不是 base64url 编码");
  if (compressed->size() > std::numeric_limits<uInt>::max()) return FormatError("lst too long", "lst 过长");
  InflateStream s;
  if (inflateInit(&s.zs) != Z_OK) return InternalError("zlib inflateInit");
  s.ready = true;
  s.zs.next_in = compressed->data();
  s.zs.avail_in = static_cast<uInt>(compressed->size());
  Bytes out;
  uint8_t chunk[16384];
  int rc = Z_OK;
  // Inflate in chunks and stop at the cap, so a bomb costs at most the cap in memory.
  while (rc != Z_STREAM_END) {
    s.zs.next_out = chunk;
    s.zs.avail_out = sizeof chunk;
    rc = inflate(&s.zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      // Z_BUF_ERROR here means the input ended before the stream did: truncated.
      return FormatError("lst is not a complete zlib stream", "lst 不是完整的 zlib 数据");
    }
    const size_t got = sizeof chunk - s.zs.avail_out;
    if (out.size() + got > kMaxStatusListBytes) {
      return FormatError("lst inflates beyond 1 MiB", "lst 解压后超过 1 MiB");
    }
    out.insert(out.end(), chunk, chunk + got);
  }
  if (s.zs.avail_in != 0) return FormatError("bytes after the zlib stream", "zlib 数据后有多余字节");
  return out;
}

Result<std::string> StatusList::ToToken(const Signer& signer, std::string uri, int64_t iat, int64_t exp,
                                        int64_t ttl) const {
  if (size_ < kMinStatusListSize) {
    return MakeError(ErrorKind::kInvalidArgument, "status.too_small",
                     "A status list needs at least 131072 entries for herd privacy.",
                     "为保护隐私，状态列表至少应有131072个条目。");
  }
  if (uri.empty() || exp <= iat || ttl <= 0) {
    return MakeError(ErrorKind::kInvalidArgument, "status.argument",
                     "A status list token needs a URI, exp after iat and a positive ttl.",
                     "状态列表令牌需要 URI、晚于签发时间的过期时间和正的 ttl。");
  }
  const nlohmann::json payload = {{"sub", std::move(uri)},
                                  {"iat", iat},
                                  {"exp", exp},
                                  {"ttl", ttl},
                                  {"status_list", {{"bits", kIssuerBits}, {"lst", EncodeStatusListLst(bytes_)}}}};
  return SignJws(signer, kStatusListTyp, payload.dump());
}

uint8_t VerifiedStatusList::Get(size_t idx) const {
  auto status = Lookup(idx);
  return status.ok() ? *status : kStatusInvalid;
}

Result<uint8_t> VerifiedStatusList::Lookup(size_t idx) const {
  if (bits != 1 && bits != 2 && bits != 4 && bits != 8) return FormatError("bits", "bits");
  const size_t per_byte = 8 / static_cast<size_t>(bits);
  if (idx / per_byte >= bits_bytes.size()) {
    return MakeError(ErrorKind::kInvalidArgument, "status.index", "The status index is outside the status list.",
                     "状态索引超出状态列表范围。", "idx");
  }
  const unsigned shift = static_cast<unsigned>(idx % per_byte) * static_cast<unsigned>(bits);
  const unsigned mask = (1u << bits) - 1u;
  return static_cast<uint8_t>((bits_bytes[idx / per_byte] >> shift) & mask);
}

Result<VerifiedStatusList> VerifyStatusListToken(std::string_view jwt, const KeyLookup& keys, int64_t now,
                                                 int64_t max_age_seconds) {
  if (jwt.size() > kMaxTokenBytes) return FormatError("token too large", "令牌过大");
  EPERMIT_ASSIGN_OR_RETURN(VerifiedJws jws, VerifyJws(jwt, keys));
  auto typ = jws.header.find("typ");
  if (typ == jws.header.end() || *typ != kStatusListTyp) {
    return FormatError("typ is not statuslist+jwt", "typ 不是 statuslist+jwt");
  }
  const auto payload = nlohmann::json::parse(jws.payload, nullptr, false);
  if (!payload.is_object()) return FormatError("the payload is not a JSON object", "载荷不是 JSON 对象");

  VerifiedStatusList out;
  auto sub = payload.find("sub");
  if (sub == payload.end() || !sub->is_string() || sub->get_ref<const std::string&>().empty()) {
    return FormatError("no sub", "缺少 sub");
  }
  out.uri = sub->get<std::string>();
  if (auto kid = jws.header.find("kid"); kid != jws.header.end() && kid->is_string()) out.kid = kid->get<std::string>();
  const auto iat = Int64Member(payload, "iat");
  // exp is optional in the draft; we require it, since a list without an end would be
  // trusted by offline verifiers indefinitely.
  const auto exp = Int64Member(payload, "exp");
  if (!iat || !exp) return FormatError("iat and exp must be integers", "iat 和 exp 必须为整数");
  out.iat = *iat;
  out.exp = *exp;
  if (payload.contains("ttl")) {
    const auto ttl = Int64Member(payload, "ttl");
    if (!ttl || *ttl <= 0) return FormatError("ttl must be a positive integer", "ttl 必须为正整数");
    out.ttl = *ttl;
  }
  auto list = payload.find("status_list");
  if (list == payload.end() || !list->is_object()) return FormatError("no status_list", "缺少 status_list");
  const auto bits = Int64Member(*list, "bits");
  if (!bits || (*bits != 1 && *bits != 2 && *bits != 4 && *bits != 8)) {
    return FormatError("bits must be 1, 2, 4 or 8", "bits 必须为 1、2、4 或 8");
  }
  out.bits = static_cast<int>(*bits);
  auto lst = list->find("lst");
  if (lst == list->end() || !lst->is_string()) return FormatError("no lst", "缺少 lst");

  // Freshness before the (comparatively costly) inflate: a stale list is useless anyway.
  if (out.iat > now + kClockSkewSeconds) return FormatError("issued in the future", "签发时间在未来");
  if (now >= out.exp) return StaleError("past its exp", "已超过有效期");
  if (now - out.iat > max_age_seconds) return StaleError("older than the maximum age", "超过最长缓存时间");

  EPERMIT_ASSIGN_OR_RETURN(out.bits_bytes, DecodeStatusListLst(lst->get_ref<const std::string&>()));
  if (out.bits_bytes.empty()) return FormatError("the list is empty", "列表为空");
  return out;
}

}  // namespace epermit::credential
