#include "credential/sd_jwt.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace epermit::credential {
namespace {

using nlohmann::json;

constexpr size_t kSaltBytes = 16;  // 128 bits, what RFC 9901 §9.3 recommends as a minimum
// Disclosed values are inserted under their parent, so the processed payload may nest deeper
// than any single parsed text; still bounded so recursion stays shallow.
constexpr int kMaxProcessedDepth = 2 * kMaxSdJwtJsonDepth;
// NumericDate values beyond what a JavaScript number holds exactly are refused, which also
// keeps every later comparison with `now` free of overflow.
constexpr int64_t kMaxNumericDate = int64_t{1} << 53;
// Room left for the KB-JWT when checking that an issued SD-JWT can still be presented.
constexpr size_t kKbJwtAllowance = 1024;

// Claims SD-JWT VC says stay in the issuer-signed payload, never in a Disclosure: a verifier
// must see validity, type, status and holder key without the holder's consent.
constexpr std::array<std::string_view, 6> kVcVisibleOnly = {"iss", "nbf", "exp", "cnf", "vct", "status"};
// Names that belong to the SD-JWT mechanism itself.
constexpr std::array<std::string_view, 3> kReservedNames = {"_sd", "...", "_sd_alg"};

template <size_t N>
bool OneOf(std::string_view name, const std::array<std::string_view, N>& names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

Error FormatError(const std::string& en, const std::string& zh, std::string field = {}) {
  return MakeError(ErrorKind::kInvalidArgument, "sdjwt.format", "Malformed SD-JWT: " + en, "SD-JWT 格式错误：" + zh,
                   std::move(field));
}

Error TooLarge(const std::string& en, const std::string& zh) {
  return MakeError(ErrorKind::kPayloadTooLarge, "sdjwt.format", "SD-JWT too large: " + en, "SD-JWT 过大：" + zh);
}

Error DisclosureError(const std::string& en, const std::string& zh, std::string field = {}) {
  return MakeError(ErrorKind::kInvalidArgument, "sdjwt.disclosure", "Invalid disclosure: " + en,
                   "选择性披露项无效：" + zh, std::move(field));
}

Error ClaimsError(const std::string& en, const std::string& zh, std::string field = {}) {
  return MakeError(ErrorKind::kInvalidArgument, "sdjwt.claims", "Cannot issue SD-JWT: " + en, "无法签发 SD-JWT：" + zh,
                   std::move(field));
}

Error JwkError(const std::string& en, const std::string& zh) {
  return MakeError(ErrorKind::kInvalidArgument, "jwk.invalid", "Invalid holder key: " + en, "持有人密钥无效：" + zh,
                   "cnf.jwk");
}

Error KbError(std::string code, const std::string& en, const std::string& zh, std::string field = "kb_jwt") {
  return MakeError(ErrorKind::kUnauthorized, std::move(code), "Key binding rejected: " + en,
                   "持有人密钥绑定验证失败：" + zh, std::move(field));
}

Error KbFormat(const std::string& en, const std::string& zh) {
  return MakeError(ErrorKind::kInvalidArgument, "kb.format", "Malformed key binding JWT: " + en,
                   "持有人绑定 JWT 格式错误：" + zh, "kb_jwt");
}

bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

std::string Sha256Base64Url(std::string_view text) {
  uint8_t digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  return Base64UrlEncode(ByteView(digest, sizeof digest));
}

// Parses untrusted JSON text with a nesting limit. nlohmann's parser itself is iterative, but
// later consumers (dump, our own digest walk) recurse, so depth is refused up front.
std::optional<json> ParseBoundedJson(std::string_view text) {
  bool too_deep = false;
  const json::parser_callback_t limit = [&too_deep](int depth, json::parse_event_t, json&) {
    if (depth > kMaxSdJwtJsonDepth) {
      too_deep = true;
      return false;  // discard; the flag makes the whole text fail
    }
    return true;
  };
  json value = json::parse(text.begin(), text.end(), limit, /*allow_exceptions=*/false);
  if (too_deep || value.is_discarded()) return std::nullopt;
  return value;
}

std::optional<json> ParseBase64UrlJson(std::string_view b64) {
  auto bytes = Base64UrlDecode(b64);
  if (!bytes.ok()) return std::nullopt;
  return ParseBoundedJson(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()));
}

const std::string* FindString(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return nullptr;
  return &it->get_ref<const std::string&>();
}

// cnf.jwk (RFC 7800 §3.2), or nullptr.
const json* FindHolderJwk(const json& payload) {
  auto cnf = payload.find("cnf");
  if (cnf == payload.end() || !cnf->is_object()) return nullptr;
  auto jwk = cnf->find("jwk");
  return jwk == cnf->end() ? nullptr : &*jwk;
}

// A JWT NumericDate (seconds, RFC 7519 §2). Fractions are allowed by the RFC and floored.
std::optional<int64_t> NumericDate(const json& v) {
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(kMaxNumericDate)) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (v.is_number_integer()) {
    const int64_t i = v.get<int64_t>();
    if (i > kMaxNumericDate || i < -kMaxNumericDate) return std::nullopt;
    return i;
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!std::isfinite(d) || d > static_cast<double>(kMaxNumericDate) || d < -static_cast<double>(kMaxNumericDate)) {
      return std::nullopt;
    }
    return static_cast<int64_t>(std::floor(d));
  }
  return std::nullopt;
}

// The three dot-separated parts of a compact JWS, unverified.
struct CompactParts {
  std::string_view header;
  std::string_view payload;
  std::string_view signature;
  std::string_view signing_input;  // header "." payload
};

std::optional<CompactParts> SplitCompact(std::string_view jws) {
  const size_t a = jws.find('.');
  if (a == std::string_view::npos) return std::nullopt;
  const size_t b = jws.find('.', a + 1);
  if (b == std::string_view::npos || jws.find('.', b + 1) != std::string_view::npos) return std::nullopt;
  return CompactParts{jws.substr(0, a), jws.substr(a + 1, b - a - 1), jws.substr(b + 1), jws.substr(0, b)};
}

// <issuer JWT>~<Disclosure>~...~<KB-JWT or empty>, split without copying.
struct SdJwtParts {
  std::string_view issuer_jwt;
  std::vector<std::string_view> disclosures;
  std::string_view kb_jwt;  // empty when the text ends with '~'
  std::string_view sd_jwt;  // everything up to and including the last '~': what sd_hash covers
};

Result<SdJwtParts> SplitSdJwt(std::string_view text) {
  if (text.size() > kMaxSdJwtBytes) {
    return TooLarge("more than " + std::to_string(kMaxSdJwtBytes) + " bytes",
                    "超过 " + std::to_string(kMaxSdJwtBytes) + " 字节");
  }
  const size_t tildes = static_cast<size_t>(std::count(text.begin(), text.end(), '~'));
  if (tildes == 0) return FormatError("no '~' separator", "缺少“~”分隔符");
  if (tildes > kMaxDisclosures + 1) {
    return TooLarge("more than " + std::to_string(kMaxDisclosures) + " disclosures",
                    "选择性披露项超过 " + std::to_string(kMaxDisclosures) + " 个");
  }
  SdJwtParts parts;
  const size_t first = text.find('~');
  const size_t last = text.rfind('~');
  parts.issuer_jwt = text.substr(0, first);
  parts.sd_jwt = text.substr(0, last + 1);
  parts.kb_jwt = text.substr(last + 1);
  if (parts.issuer_jwt.empty()) return FormatError("no issuer-signed JWT", "缺少签发方签名的 JWT");
  size_t pos = first + 1;
  while (pos <= last) {
    const size_t next = text.find('~', pos);
    if (next == pos) return FormatError("empty disclosure between '~'", "两个“~”之间为空");
    parts.disclosures.push_back(text.substr(pos, next - pos));
    pos = next + 1;
  }
  return parts;
}

// Only SHA-256 is offered or accepted: RFC 9901 §4.1.1 makes it mandatory to support and
// the default when _sd_alg is absent; accepting weaker choices would only add risk.
Status CheckSdAlg(const json& payload) {
  auto alg = payload.find("_sd_alg");
  if (alg == payload.end()) return Status::Ok();
  if (!alg->is_string() || alg->get_ref<const std::string&>() != kSdHashAlg) {
    return FormatError("_sd_alg must be sha-256", "_sd_alg 必须为 sha-256", "_sd_alg");
  }
  return Status::Ok();
}

struct Disclosure {
  std::string_view encoded;
  std::string digest;               // base64url(SHA-256(encoded)), RFC 9901 §4.2.3
  std::optional<std::string> name;  // absent for an array-element disclosure
  json value;
  bool used = false;
};

Result<Disclosure> ParseDisclosure(std::string_view encoded) {
  auto array = ParseBase64UrlJson(encoded);
  if (!array) return DisclosureError("not base64url-encoded JSON", "不是 base64url 编码的 JSON");
  if (!array->is_array() || (array->size() != 2 && array->size() != 3)) {
    return DisclosureError("not a JSON array of 2 or 3 elements", "不是含 2 或 3 个元素的 JSON 数组");
  }
  if (!(*array)[0].is_string()) return DisclosureError("the salt is not a string", "盐值不是字符串");
  Disclosure d;
  d.encoded = encoded;
  d.digest = Sha256Base64Url(encoded);
  if (array->size() == 3) {
    if (!(*array)[1].is_string()) return DisclosureError("the claim name is not a string", "声明名称不是字符串");
    d.name = (*array)[1].get<std::string>();
    d.value = std::move((*array)[2]);
  } else {
    d.value = std::move((*array)[1]);
  }
  return d;
}

// Replaces embedded digests with the values of matching Disclosures (RFC 9901 §7.1 step 3),
// enforcing that each digest occurs once and each Disclosure is used once.
class DigestResolver {
 public:
  static Result<DigestResolver> Create(std::vector<Disclosure>* disclosures) {
    DigestResolver resolver(disclosures);
    for (size_t i = 0; i < disclosures->size(); ++i) {
      if (!resolver.by_digest_.emplace((*disclosures)[i].digest, i).second) {
        return DisclosureError("the same disclosure is presented twice", "同一披露项出现了两次");
      }
    }
    return resolver;
  }

  Status ProcessPayload(json& payload) {
    EPERMIT_RETURN_IF_ERROR(ProcessObject(payload, 0, /*top_level=*/true));
    for (const Disclosure& d : *disclosures_) {
      if (!d.used) {
        return DisclosureError("not referenced by the issuer-signed JWT", "签发方签名的 JWT 中没有该披露项的摘要");
      }
    }
    payload.erase("_sd_alg");
    return Status::Ok();
  }

 private:
  explicit DigestResolver(std::vector<Disclosure>* disclosures) : disclosures_(disclosures) {}

  // The Disclosure for `digest`, or nullptr for a decoy or a claim the holder withheld.
  Result<Disclosure*> Take(const std::string& digest) {
    if (!seen_.insert(digest).second) {
      return DisclosureError("a digest appears more than once", "同一摘要出现了多次");
    }
    auto it = by_digest_.find(digest);
    if (it == by_digest_.end()) return static_cast<Disclosure*>(nullptr);
    Disclosure* d = &(*disclosures_)[it->second];
    d->used = true;
    return d;
  }

  Status Process(json& node, int depth) {
    if (node.is_object()) return ProcessObject(node, depth, /*top_level=*/false);
    if (node.is_array()) return ProcessArray(node, depth);
    return Status::Ok();
  }

  Status ProcessObject(json& object, int depth, bool top_level) {
    if (depth > kMaxProcessedDepth) return FormatError("nested too deeply", "嵌套层级过深");
    for (auto& [key, member] : object.items()) {
      if (key != "_sd") EPERMIT_RETURN_IF_ERROR(Process(member, depth + 1));
    }
    auto sd = object.find("_sd");
    if (sd == object.end()) return Status::Ok();
    if (!sd->is_array()) return FormatError("_sd is not an array", "_sd 不是数组", "_sd");
    json digests = std::move(*sd);
    object.erase("_sd");
    for (const json& digest : digests) {
      if (!digest.is_string()) return FormatError("_sd holds a non-string", "_sd 中含有非字符串", "_sd");
      EPERMIT_ASSIGN_OR_RETURN(Disclosure * d, Take(digest.get_ref<const std::string&>()));
      if (d == nullptr) continue;
      if (!d->name) {
        return DisclosureError("an array-element disclosure is referenced from _sd", "数组元素披露项被 _sd 引用");
      }
      const std::string& name = *d->name;
      if (OneOf(name, kReservedNames)) return DisclosureError("reserved claim name", "保留的声明名称", name);
      if (top_level && OneOf(name, kVcVisibleOnly)) {
        return DisclosureError("this claim may not be selectively disclosed", "该声明不得选择性披露", name);
      }
      // Never let a holder-supplied value replace what the issuer made visible (§7.1 3.3.2.3).
      if (object.contains(name)) return DisclosureError("would overwrite an existing claim", "将覆盖已有声明", name);
      json value = std::move(d->value);
      EPERMIT_RETURN_IF_ERROR(Process(value, depth + 1));
      object[name] = std::move(value);
    }
    return Status::Ok();
  }

  Status ProcessArray(json& array, int depth) {
    if (depth > kMaxProcessedDepth) return FormatError("nested too deeply", "嵌套层级过深");
    json out = json::array();
    for (json& element : array) {
      auto dots = element.is_object() && element.size() == 1 ? element.find("...") : element.end();
      if (dots == element.end()) {
        EPERMIT_RETURN_IF_ERROR(Process(element, depth + 1));
        out.push_back(std::move(element));
        continue;
      }
      if (!dots->is_string()) return FormatError("an array digest is not a string", "数组摘要不是字符串");
      EPERMIT_ASSIGN_OR_RETURN(Disclosure * d, Take(dots->get_ref<const std::string&>()));
      if (d == nullptr) continue;  // §7.1 step 3.4: undisclosed elements are dropped
      if (d->name) return DisclosureError("a claim disclosure is referenced from an array", "声明披露项被数组引用");
      json value = std::move(d->value);
      EPERMIT_RETURN_IF_ERROR(Process(value, depth + 1));
      out.push_back(std::move(value));
    }
    array = std::move(out);
    return Status::Ok();
  }

  std::vector<Disclosure>* disclosures_;
  std::unordered_map<std::string, size_t> by_digest_;
  std::unordered_set<std::string> seen_;
};

Result<std::vector<Disclosure>> ParseDisclosures(const std::vector<std::string_view>& encoded) {
  std::vector<Disclosure> out;
  out.reserve(encoded.size());
  for (std::string_view e : encoded) {
    EPERMIT_ASSIGN_OR_RETURN(Disclosure d, ParseDisclosure(e));
    out.push_back(std::move(d));
  }
  return out;
}

// Rejects the mechanism's own names anywhere in issuer-visible claims (a verifier would treat
// them as digests) and nesting the verifier would refuse.
Status CheckVisibleValue(const json& value, int depth) {
  if (depth > kMaxSdJwtJsonDepth - 2) return ClaimsError("claims nested too deeply", "声明嵌套层级过深");
  if (value.is_object()) {
    for (const auto& [key, member] : value.items()) {
      if (OneOf(key, kReservedNames)) return ClaimsError("reserved claim name", "保留的声明名称", key);
      EPERMIT_RETURN_IF_ERROR(CheckVisibleValue(member, depth + 1));
    }
  } else if (value.is_array()) {
    for (const json& element : value) EPERMIT_RETURN_IF_ERROR(CheckVisibleValue(element, depth + 1));
  }
  return Status::Ok();
}

Result<std::string> IssueImpl(const Signer& issuer, const json& visible, const json& disclosable, size_t decoys) {
  if (!SodiumReady()) return InternalError("libsodium failed to initialise");
  if (!visible.is_object()) return ClaimsError("visible claims must be a JSON object", "可见声明必须是 JSON 对象");
  if (!disclosable.is_object()) {
    return ClaimsError("disclosable claims must be a JSON object", "可选择披露的声明必须是 JSON 对象");
  }
  if (disclosable.size() > kMaxDisclosures || decoys > kMaxDisclosures) {
    return ClaimsError("too many disclosable claims or decoys", "可选择披露的声明或诱饵摘要过多");
  }
  EPERMIT_RETURN_IF_ERROR(CheckVisibleValue(visible, 0));
  if (FindString(visible, "vct") == nullptr) {
    return ClaimsError("vct (string) is required", "必须提供字符串 vct", "vct");
  }
  auto exp = visible.find("exp");
  if (exp == visible.end() || !NumericDate(*exp)) {
    return ClaimsError("exp (seconds) is required", "必须提供 exp（秒）", "exp");
  }
  for (const char* claim : {"iat", "nbf"}) {  // the verifier refuses anything but a NumericDate
    auto it = visible.find(claim);
    if (it != visible.end() && !NumericDate(*it)) {
      return ClaimsError(std::string(claim) + " must be seconds", std::string(claim) + " 必须为秒数", claim);
    }
  }
  if (visible.contains("cnf")) {
    const json* jwk = FindHolderJwk(visible);
    if (jwk == nullptr) return JwkError("cnf must hold a jwk", "cnf 中必须包含 jwk");
    EPERMIT_RETURN_IF_ERROR(PublicKeyFromJwk(*jwk).status());
  }

  // Every salt of this credential from one randombytes_buf call: libsodium makes one getrandom
  // syscall per call, and one per salt was ~7 % of the issuance. Each salt is still its own
  // kSaltBytes of CSPRNG output (RFC 9901 §9.3), never shared or derived from another.
  const size_t decoy_count = disclosable.empty() ? 0 : decoys;
  Bytes salts((disclosable.size() + decoy_count) * kSaltBytes);
  // Nothing disclosable means no salts, and an empty vector's data() may be null, which
  // randombytes_buf's nonnull contract forbids even for zero bytes.
  if (!salts.empty()) randombytes_buf(salts.data(), salts.size());
  size_t next_salt = 0;
  const auto take_salt = [&salts, &next_salt] {
    const ByteView salt(salts.data() + next_salt * kSaltBytes, kSaltBytes);
    ++next_salt;
    return Base64UrlEncode(salt);
  };

  std::vector<std::string> encoded;
  std::vector<std::string> digests;
  encoded.reserve(disclosable.size());
  digests.reserve(disclosable.size() + decoy_count);
  std::string array;
  for (const auto& [name, value] : disclosable.items()) {
    if (OneOf(name, kReservedNames)) return ClaimsError("reserved claim name", "保留的声明名称", name);
    if (OneOf(name, kVcVisibleOnly)) {
      return ClaimsError("this claim may not be selectively disclosed", "该声明不得选择性披露", name);
    }
    if (visible.contains(name)) return ClaimsError("claim is both visible and disclosable", "声明重复", name);
    EPERMIT_RETURN_IF_ERROR(CheckVisibleValue(value, 1));
    // The array is serialised once and never re-serialised: the digest covers these exact
    // bytes. Each element is dumped by nlohmann and joined as json::array({salt, name,
    // value}).dump() would join them, without deep-copying the value into a temporary array.
    // The salt is base64url, which needs no escaping.
    const std::string salt = take_salt();
    array.clear();
    array += "[\"";
    array += salt;
    array += "\",";
    array += json(name).dump();
    array += ',';
    array += value.dump();
    array += ']';
    encoded.push_back(Base64UrlEncode(array));
    digests.push_back(Sha256Base64Url(encoded.back()));
  }

  json payload = visible;
  // SD-JWT VC: a credential without selectively disclosable claims carries no _sd at all.
  if (!encoded.empty()) {
    for (size_t i = 0; i < decoy_count; ++i) digests.push_back(Sha256Base64Url(take_salt()));
    // Sorted so the order of digests reveals nothing about which claim is which.
    std::sort(digests.begin(), digests.end());
    payload["_sd"] = std::move(digests);
    payload["_sd_alg"] = kSdHashAlg;
  }
  EPERMIT_ASSIGN_OR_RETURN(std::string jwt, SignJws(issuer, kSdJwtVcTyp, payload.dump()));
  size_t total = jwt.size() + 1;
  for (const std::string& e : encoded) total += e.size() + 1;
  std::string out = std::move(jwt);
  out.reserve(total);
  out += '~';
  for (const std::string& e : encoded) {
    out += e;
    out += '~';
  }
  if (out.size() + kKbJwtAllowance > kMaxSdJwtBytes) {
    return ClaimsError("the credential would be too large to present", "凭证过大，无法出示");
  }
  return out;
}

Result<std::string> PresentImpl(std::string_view sd_jwt, const std::vector<std::string>& reveal, const Signer& holder,
                                std::string_view nonce, std::string_view audience, int64_t iat) {
  if (!SodiumReady()) return InternalError("libsodium failed to initialise");
  EPERMIT_ASSIGN_OR_RETURN(SdJwtParts parts, SplitSdJwt(sd_jwt));
  // RFC 9901 §7.2: what the issuer hands over never carries a KB-JWT.
  if (!parts.kb_jwt.empty()) {
    return FormatError("already carries a key binding JWT", "已包含持有人绑定 JWT");
  }
  auto compact = SplitCompact(parts.issuer_jwt);
  if (!compact) return FormatError("the issuer-signed JWT is not a compact JWS", "签发方 JWT 不是紧凑 JWS");
  auto payload = ParseBase64UrlJson(compact->payload);
  if (!payload || !payload->is_object()) return FormatError("the payload is not a JSON object", "载荷不是 JSON 对象");
  EPERMIT_RETURN_IF_ERROR(CheckSdAlg(*payload));
  EPERMIT_ASSIGN_OR_RETURN(std::vector<Disclosure> all, ParseDisclosures(parts.disclosures));

  const std::unordered_set<std::string> wanted(reveal.begin(), reveal.end());
  std::unordered_set<std::string> found;
  std::vector<std::string_view> kept;
  std::vector<Disclosure> selected;
  for (Disclosure& d : all) {
    if (d.name && wanted.count(*d.name) != 0) {
      found.insert(*d.name);
      kept.push_back(d.encoded);
      selected.push_back(std::move(d));
    }
  }
  for (const std::string& name : reveal) {
    if (found.count(name) == 0) {
      return DisclosureError("the credential has no disclosure for this claim", "凭证中没有该声明的披露项", name);
    }
  }
  // Run the verifier's own processing on the selection, so a presentation we build is one a
  // verifier accepts (e.g. a nested claim is not sent without its parent, §7.2 step 2).
  EPERMIT_ASSIGN_OR_RETURN(DigestResolver resolver, DigestResolver::Create(&selected));
  EPERMIT_RETURN_IF_ERROR(resolver.ProcessPayload(*payload));

  std::string presented(parts.issuer_jwt);
  presented += '~';
  for (std::string_view e : kept) {
    presented += e;
    presented += '~';
  }
  // No kid in the KB-JWT header: the verifier takes the key from cnf, and a stable holder
  // key id would only be one more value that links presentations to each other.
  const json header = {{"alg", JoseName(holder.alg())}, {"typ", kKbJwtTyp}};
  const json claims = {{"iat", iat},
                       {"aud", std::string(audience)},
                       {"nonce", std::string(nonce)},
                       {"sd_hash", Sha256Base64Url(presented)}};
  const std::string signing_input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());
  EPERMIT_ASSIGN_OR_RETURN(Bytes signature, holder.Sign(AsBytes(signing_input)));
  return presented + signing_input + "." + Base64UrlEncode(signature);
}

// RFC 9901 §7.3 step 5, against the holder key from cnf.jwk.
Status VerifyKbJwt(std::string_view kb_jwt, const PublicKey& holder_key, const KbExpectations& expect,
                   std::string_view presented_sd_jwt, int64_t now) {
  auto compact = SplitCompact(kb_jwt);
  if (!compact) return KbFormat("not a compact JWS", "不是紧凑 JWS");
  auto header = ParseBase64UrlJson(compact->header);
  if (!header || !header->is_object()) return KbFormat("the header is not a JSON object", "头部不是 JSON 对象");
  const std::string* alg = FindString(*header, "alg");
  auto claimed = alg ? SigAlgFromJose(*alg) : Result<SigAlg>(KbFormat("no alg", "缺少 alg"));
  if (!claimed.ok() || *claimed != holder_key.alg) {
    return MakeError(ErrorKind::kFailedPrecondition, "jws.alg",
                     "The key binding JWT algorithm is not the holder key's.",
                     "持有人绑定 JWT 的签名算法与持有人密钥不符。", "kb_jwt.alg");
  }
  auto signature = Base64UrlDecode(compact->signature);
  if (!signature.ok()) return KbFormat("the signature is not base64url", "签名不是 base64url");
  if (Status s = VerifySignature(holder_key, AsBytes(compact->signing_input), *signature); !s.ok()) {
    Error e = s.error();
    e.field = "kb_jwt";
    return e;
  }
  const std::string* typ = FindString(*header, "typ");
  if (typ == nullptr || *typ != kKbJwtTyp) return KbFormat("typ must be kb+jwt", "typ 必须为 kb+jwt");
  auto claims = ParseBase64UrlJson(compact->payload);
  if (!claims || !claims->is_object()) return KbFormat("the payload is not a JSON object", "载荷不是 JSON 对象");

  auto iat_it = claims->find("iat");
  auto iat = iat_it == claims->end() ? std::nullopt : NumericDate(*iat_it);
  if (!iat) return KbFormat("no iat", "缺少 iat");
  if (*iat > now + kSdJwtClockSkewSeconds || *iat < now - expect.max_age_seconds) {
    return KbError("kb.stale", "it was not made just now", "绑定 JWT 不是刚刚生成的", "kb_jwt.iat");
  }
  // Nonce and audience tie the presentation to this transaction and this verifier (replay).
  const std::string* nonce = FindString(*claims, "nonce");
  if (nonce == nullptr || *nonce != expect.nonce) {
    return KbError("kb.nonce", "the nonce does not match", "随机数不匹配", "kb_jwt.nonce");
  }
  const std::string* aud = FindString(*claims, "aud");
  if (aud == nullptr || *aud != expect.audience) {
    return KbError("kb.audience", "it was made for another verifier", "该出示是为其他验证方生成的", "kb_jwt.aud");
  }
  const std::string* sd_hash = FindString(*claims, "sd_hash");
  if (sd_hash == nullptr || *sd_hash != Sha256Base64Url(presented_sd_jwt)) {
    return KbError("kb.sd_hash", "it does not cover these disclosures", "绑定 JWT 与所出示的披露项不符",
                   "kb_jwt.sd_hash");
  }
  return Status::Ok();
}

Result<VerifiedSdJwt> VerifyImpl(std::string_view presentation, const KeyLookup& issuer_keys, const KbExpectations* kb,
                                 int64_t now) {
  if (!SodiumReady()) return InternalError("libsodium failed to initialise");
  EPERMIT_ASSIGN_OR_RETURN(SdJwtParts parts, SplitSdJwt(presentation));
  EPERMIT_ASSIGN_OR_RETURN(VerifiedJws jws, VerifyJws(parts.issuer_jwt, issuer_keys));
  // Explicit typing (RFC 9901 §9.11) keeps other JWTs signed by the same key from passing
  // as credentials.
  const std::string* typ = FindString(jws.header, "typ");
  if (typ == nullptr || *typ != kSdJwtVcTyp) return FormatError("typ must be dc+sd-jwt", "typ 必须为 dc+sd-jwt", "typ");
  auto payload = ParseBoundedJson(jws.payload);
  if (!payload || !payload->is_object()) return FormatError("the payload is not a JSON object", "载荷不是 JSON 对象");
  EPERMIT_RETURN_IF_ERROR(CheckSdAlg(*payload));

  EPERMIT_ASSIGN_OR_RETURN(std::vector<Disclosure> disclosures, ParseDisclosures(parts.disclosures));
  VerifiedSdJwt out;
  for (const Disclosure& d : disclosures) {
    if (d.name) out.disclosed.push_back(*d.name);
  }
  EPERMIT_ASSIGN_OR_RETURN(DigestResolver resolver, DigestResolver::Create(&disclosures));
  EPERMIT_RETURN_IF_ERROR(resolver.ProcessPayload(*payload));

  if (FindString(*payload, "vct") == nullptr) return FormatError("no vct", "缺少 vct", "vct");
  // A permit credential must lapse: exp is required, not merely checked when present.
  auto exp_it = payload->find("exp");
  auto exp = exp_it == payload->end() ? std::nullopt : NumericDate(*exp_it);
  if (!exp) return FormatError("no valid exp", "缺少有效的 exp", "exp");
  if (now >= *exp) {
    return MakeError(ErrorKind::kFailedPrecondition, "sdjwt.expired", "The credential has expired.", "凭证已过期。",
                     "exp");
  }
  for (const char* claim : {"nbf", "iat"}) {
    auto it = payload->find(claim);
    if (it == payload->end()) continue;
    auto when = NumericDate(*it);
    if (!when) {
      return FormatError(std::string(claim) + " is not a NumericDate", std::string(claim) + " 不是时间戳", claim);
    }
    if (*when > now + kSdJwtClockSkewSeconds) {
      return MakeError(ErrorKind::kFailedPrecondition, "sdjwt.not_yet_valid", "The credential is not valid yet.",
                       "凭证尚未生效。", claim);
    }
  }

  if (kb != nullptr) {
    // §7.3: whether to require key binding is the verifier's policy, never the presentation's.
    if (parts.kb_jwt.empty()) {
      return KbError("kb.missing", "this verifier requires a key binding JWT", "此验证方要求持有人绑定 JWT");
    }
    const json* jwk = FindHolderJwk(*payload);
    if (jwk == nullptr) {
      return JwkError("the credential names no holder key (cnf.jwk)", "凭证中没有持有人密钥（cnf.jwk）");
    }
    EPERMIT_ASSIGN_OR_RETURN(PublicKey holder_key, PublicKeyFromJwk(*jwk));
    EPERMIT_RETURN_IF_ERROR(VerifyKbJwt(parts.kb_jwt, holder_key, *kb, parts.sd_jwt, now));
    out.key_bound = true;
  }
  out.claims = std::move(*payload);
  out.issuer_key = std::move(jws.key);
  return out;
}

}  // namespace

Result<std::string> IssueSdJwt(const Signer& issuer, const nlohmann::json& visible, const nlohmann::json& disclosable,
                               size_t decoy_digests) {
  try {
    return IssueImpl(issuer, visible, disclosable, decoy_digests);
  } catch (const json::exception&) {  // dump() refuses strings that are not UTF-8
    return ClaimsError("a claim is not valid JSON text (UTF-8)", "声明不是有效的 JSON 文本（UTF-8）");
  }
}

Result<std::string> Present(std::string_view sd_jwt, const std::vector<std::string>& reveal_claim_names,
                            const Signer& holder, std::string_view nonce, std::string_view audience, int64_t iat) {
  try {
    return PresentImpl(sd_jwt, reveal_claim_names, holder, nonce, audience, iat);
  } catch (const json::exception&) {  // nonce or audience not UTF-8
    return MakeError(ErrorKind::kInvalidArgument, "sdjwt.format", "The nonce or audience is not UTF-8 text.",
                     "随机数或受众不是 UTF-8 文本。");
  }
}

Result<VerifiedSdJwt> VerifySdJwt(std::string_view presentation, const KeyLookup& issuer_keys, const KbExpectations* kb,
                                  int64_t now) {
  try {
    return VerifyImpl(presentation, issuer_keys, kb, now);
  } catch (const json::exception&) {  // defence in depth: every access above is type-checked
    return FormatError("unexpected JSON structure", "JSON 结构异常");
  }
}

nlohmann::json Ed25519Jwk(const PublicKey& key) {
  if (key.alg != SigAlg::kEdDSA || key.raw.size() != crypto_sign_PUBLICKEYBYTES) return nullptr;
  return {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", Base64UrlEncode(key.raw)}};
}

Result<PublicKey> PublicKeyFromJwk(const nlohmann::json& jwk) {
  if (!jwk.is_object()) return JwkError("not a JSON object", "不是 JSON 对象");
  const std::string* kty = FindString(jwk, "kty");
  const std::string* crv = FindString(jwk, "crv");
  const std::string* x = FindString(jwk, "x");
  if (kty == nullptr || *kty != "OKP" || crv == nullptr || *crv != "Ed25519" || x == nullptr) {
    return JwkError("only OKP Ed25519 keys are supported", "仅支持 OKP Ed25519 密钥");
  }
  // A private key in a credential would hand the holder's key to every verifier.
  if (jwk.contains("d")) return JwkError("the JWK carries a private key", "JWK 中含有私钥");
  auto raw = Base64UrlDecode(*x);
  if (!raw.ok() || raw->size() != crypto_sign_PUBLICKEYBYTES) {
    return JwkError("x is not a base64url 32-byte key", "x 不是 base64url 编码的 32 字节公钥");
  }
  PublicKey key;
  if (const std::string* kid = FindString(jwk, "kid")) key.kid = *kid;
  key.alg = SigAlg::kEdDSA;
  key.raw = std::move(*raw);
  return key;
}

}  // namespace epermit::credential
