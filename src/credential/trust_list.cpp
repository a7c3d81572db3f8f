#include "credential/trust_list.hpp"

#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_set>

#include "credential/sm2_signer.hpp"

namespace epermit::credential {
namespace {

// Every city with a few keys each is a few hundred kilobytes; far more is not a list.
constexpr size_t kMaxTrustListBytes = 4u << 20;
constexpr int64_t kClockSkewSeconds = 300;
constexpr size_t kEd25519PublicKeyBytes = 32;

Error FormatError(const std::string& en, const std::string& zh) {
  return MakeError(ErrorKind::kInvalidArgument, "trust.format", "Malformed trust list: " + en,
                   "信任列表格式错误：" + zh);
}

Error Forged(const std::string& en, const std::string& zh) {
  return MakeError(ErrorKind::kFailedPrecondition, "trust.forged",
                   "The trust list is not signed by the national root key (" + en + ").",
                   "信任列表不是由国家根密钥签发的（" + zh + "）。");
}

Error Stale(const std::string& en, const std::string& zh) {
  return MakeError(ErrorKind::kFailedPrecondition, "trust.stale",
                   "The trust list is out of date (" + en + "); fetch a new one.",
                   "信任列表已过期（" + zh + "），请获取新的信任列表。");
}

bool RawKeyFits(SigAlg alg, const Bytes& raw) {
  if (alg == SigAlg::kEdDSA) return raw.size() == kEd25519PublicKeyBytes;
  return raw.size() == kSm2PublicKeyBytes && raw[0] == 0x04;
}

// The rules both the signer and the verifier enforce, so a list that signs also verifies.
Status CheckContent(const TrustList& list) {
  if (list.next_update <= list.issued_at) {
    return FormatError("next_update must be after issued_at", "next_update 必须晚于 issued_at");
  }
  std::unordered_set<std::string> seen;
  for (const auto& k : list.keys) {
    if (k.kid.empty() || k.kid.size() > 128) return FormatError("a kid is empty or too long", "kid 为空或过长");
    // Two entries for one kid would let the order of the list decide which key verifies.
    if (!seen.insert(k.kid).second) return FormatError("duplicate kid " + k.kid, "kid 重复：" + k.kid);
    if (k.city.empty()) return FormatError("no city for " + k.kid, k.kid + " 缺少城市代码");
    if (k.pub.alg != k.alg || !RawKeyFits(k.alg, k.pub.raw)) {
      return FormatError("bad public key for " + k.kid, k.kid + " 的公钥无效");
    }
    if (k.valid_to && *k.valid_to < k.valid_from) {
      return FormatError("valid_to before valid_from for " + k.kid, k.kid + " 的停用时间早于启用时间");
    }
  }
  return Status::Ok();
}

Result<TrustList> ParsePayload(const std::string& text) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return FormatError("the payload is not a JSON object", "载荷不是 JSON 对象");
  TrustList list;
  const auto version = Int64Member(j, "version");
  const auto issued_at = Int64Member(j, "issued_at");
  const auto next_update = Int64Member(j, "next_update");
  if (!version || !issued_at || !next_update) {
    return FormatError("version, issued_at and next_update must be integers",
                       "version、issued_at 和 next_update 必须为整数");
  }
  list.version = *version;
  list.issued_at = *issued_at;
  list.next_update = *next_update;
  auto keys = j.find("keys");
  if (keys == j.end() || !keys->is_array()) return FormatError("keys must be an array", "keys 必须为数组");
  list.keys.reserve(keys->size());
  for (const auto& e : *keys) {
    if (!e.is_object()) return FormatError("a key is not an object", "密钥条目不是对象");
    auto kid = e.find("kid");
    auto alg = e.find("alg");
    auto city = e.find("city");
    auto x = e.find("x");
    const auto valid_from = Int64Member(e, "valid_from");
    if (kid == e.end() || !kid->is_string() || alg == e.end() || !alg->is_string() || city == e.end() ||
        !city->is_string() || x == e.end() || !x->is_string() || !valid_from) {
      return FormatError("a key lacks kid, alg, city, x or valid_from", "密钥条目缺少 kid、alg、city、x 或 valid_from");
    }
    TrustedKey k;
    k.kid = kid->get<std::string>();
    auto parsed_alg = SigAlgFromJose(alg->get<std::string>());
    if (!parsed_alg.ok()) return FormatError("unknown alg for " + k.kid, k.kid + " 的算法未知");
    k.alg = *parsed_alg;
    k.city = city->get<std::string>();
    k.valid_from = *valid_from;
    if (e.contains("valid_to")) {
      const auto valid_to = Int64Member(e, "valid_to");
      if (!valid_to) return FormatError("valid_to must be an integer", "valid_to 必须为整数");
      k.valid_to = *valid_to;
    }
    auto raw = Base64UrlDecode(x->get<std::string>());
    if (!raw.ok()) return FormatError("x is not base64url for " + k.kid, k.kid + " 的 x 不是 base64url");
    k.pub = PublicKey{k.kid, k.alg, std::move(raw).value()};
    list.keys.push_back(std::move(k));
  }
  EPERMIT_RETURN_IF_ERROR(CheckContent(list));
  return list;
}

}  // namespace

const TrustedKey* TrustList::Find(const std::string& kid) const {
  for (const auto& k : keys) {
    if (k.kid == kid) return &k;
  }
  return nullptr;
}

Result<PublicKey> TrustList::Lookup(const std::string& kid, int64_t at) const {
  return PublicKeyAt(Find(kid), kid, at);
}

Result<std::string> SignTrustList(const Signer& root, const TrustList& list) {
  EPERMIT_RETURN_IF_ERROR(CheckContent(list));
  nlohmann::json keys = nlohmann::json::array();
  for (const auto& k : list.keys) {
    nlohmann::json e = {{"kid", k.kid},
                        {"alg", JoseName(k.alg)},
                        {"city", k.city},
                        {"x", Base64UrlEncode(k.pub.raw)},
                        {"valid_from", k.valid_from}};
    if (k.valid_to) e["valid_to"] = *k.valid_to;
    keys.push_back(std::move(e));
  }
  const nlohmann::json payload = {{"version", list.version},
                                  {"issued_at", list.issued_at},
                                  {"next_update", list.next_update},
                                  {"keys", std::move(keys)}};
  return SignJws(root, kTrustListTyp, payload.dump());
}

Result<TrustList> VerifyTrustList(std::string_view jws, const PublicKey& root, int64_t now, int64_t max_age_seconds) {
  if (jws.size() > kMaxTrustListBytes) return FormatError("larger than 4 MiB", "超过 4 MiB");
  // Only the root key is consulted, whatever kid the header names.
  const KeyLookup root_only = [&root](const std::string& kid) -> Result<PublicKey> {
    if (kid == root.kid) return root;
    return Forged("signed by key " + kid + ", not by the root key " + root.kid,
                  "签名密钥为 " + kid + "，而非根密钥 " + root.kid);
  };
  auto verified = VerifyJws(jws, root_only);
  if (!verified.ok()) {
    const std::string& code = verified.error().code;
    if (code == "trust.forged") return verified.error();
    if (code == "signature.invalid") return Forged("the signature does not verify", "签名验证失败");
    if (code == "jws.alg") return Forged("the algorithm is not the root key's", "签名算法与根密钥不符");
    return FormatError(verified.error().message_en, verified.error().message_zh);
  }
  auto typ = verified->header.find("typ");
  if (typ == verified->header.end() || *typ != kTrustListTyp) {
    return FormatError("typ is not epermit-trust-list+jwt", "typ 不是 epermit-trust-list+jwt");
  }
  EPERMIT_ASSIGN_OR_RETURN(TrustList list, ParsePayload(verified->payload));
  if (list.issued_at > now + kClockSkewSeconds) return FormatError("issued in the future", "签发时间在未来");
  if (now >= list.next_update) return Stale("past its next_update", "已超过下次更新时间");
  if (now - list.issued_at > max_age_seconds) return Stale("older than the maximum age", "超过最长缓存时间");
  return list;
}

KeyLookup AsKeyLookup(const TrustList& list, int64_t at) {
  return [&list, at](const std::string& kid) { return list.Lookup(kid, at); };
}

}  // namespace epermit::credential
