#include "app/trust_admin.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "app/app.hpp"
#include "app/atomic_file.hpp"
#include "common/date.hpp"
#include "credential/jws.hpp"
#include "credential/key_store.hpp"
#include "credential/sm2_signer.hpp"
#include "domain/division.hpp"

namespace epermit::app {
namespace {

namespace fs = std::filesystem;

Error KeyError(const std::string& kid, const std::string& en, const std::string& zh) {
  return MakeError(ErrorKind::kInvalidArgument, "trust.key", "Issuer key " + kid + ": " + en + ".",
                   "签发密钥 " + kid + "：" + zh + "。");
}

Error DraftError(const std::string& path, const std::string& en, const std::string& zh) {
  return MakeError(ErrorKind::kInvalidArgument, "trust.draft_format", path + " is not a trust-list draft: " + en + ".",
                   path + " 不是信任列表草稿：" + zh + "。");
}

// A key store's own city (KeyStore::Generate takes any short name) for the root.
constexpr char kRootName[] = "root";

Result<credential::TrustedKey> KeyFromJson(const nlohmann::json& j, const std::string& where) {
  EPERMIT_ASSIGN_OR_RETURN(credential::PublicKey pub, PublicKeyFromJson(j));
  credential::TrustedKey key;
  key.kid = pub.kid;
  key.alg = pub.alg;
  key.pub = std::move(pub);
  if (auto city = j.find("city"); city != j.end()) {
    if (!city->is_string()) return DraftError(where, "city must be a string", "city 必须为字符串");
    key.city = city->get<std::string>();
  }
  if (j.contains("valid_from")) {
    auto v = credential::Int64Member(j, "valid_from");
    if (!v) return DraftError(where, "valid_from must be an integer", "valid_from 必须为整数");
    key.valid_from = *v;
  }
  if (j.contains("valid_to")) {
    auto v = credential::Int64Member(j, "valid_to");
    if (!v) return DraftError(where, "valid_to must be an integer", "valid_to 必须为整数");
    key.valid_to = *v;
  }
  return key;
}

}  // namespace

RootKeyPaths RootKeyPathsIn(const std::string& dir) {
  return {(fs::path(dir) / "private").string(), (fs::path(dir) / "root-key.json").string()};
}

Result<credential::PublicKey> InitRootKey(const std::string& dir, credential::SigAlg alg, int64_t now) {
  const RootKeyPaths paths = RootKeyPathsIn(dir);
  std::error_code ec;
  if (fs::exists(paths.public_key_file, ec) ||
      (fs::is_directory(paths.private_dir, ec) && !fs::is_empty(paths.private_dir, ec))) {
    return MakeError(ErrorKind::kConflict, "trust.root_exists",
                     dir + " already holds a root key; a second one would orphan every signed list.",
                     dir + " 中已有根密钥；再生成会使已签发的信任列表失效。");
  }
  fs::create_directories(fs::path(dir).parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return MakeError(ErrorKind::kInternal, "key_store.io", "Cannot create " + dir + ".", "无法创建 " + dir + "。");
  }
  // The private key is never needed by anything but `trust sign`: keep the whole
  // directory closed to group and others, as the key store insists for its own.
  ::chmod(dir.c_str(), 0700);
  EPERMIT_ASSIGN_OR_RETURN(credential::KeyStore store, credential::KeyStore::Open(paths.private_dir));
  EPERMIT_ASSIGN_OR_RETURN(credential::KeyInfo info, store.Generate(alg, kRootName, now));
  EPERMIT_RETURN_IF_ERROR(WriteFileAtomic(paths.public_key_file, PublicKeyJson(info.pub).dump(2) + "\n"));
  return info.pub;
}

Result<std::unique_ptr<credential::Signer>> LoadRootSigner(const std::string& dir, int64_t now) {
  const RootKeyPaths paths = RootKeyPathsIn(dir);
  std::error_code ec;
  if (!fs::is_directory(paths.private_dir, ec)) {
    return MakeError(ErrorKind::kNotFound, "trust.root_missing",
                     "No root key in " + dir + " (create one with: epermit trust init --dir " + dir + ").",
                     dir + " 中没有根密钥（请先运行 epermit trust init --dir " + dir + "）。");
  }
  EPERMIT_ASSIGN_OR_RETURN(credential::KeyStore store, credential::KeyStore::Open(paths.private_dir));
  return store.ActiveSigner(now);
}

nlohmann::json TrustedKeyJson(const credential::TrustedKey& key) {
  nlohmann::json j = {{"kid", key.kid},
                      {"alg", credential::JoseName(key.alg)},
                      {"city", key.city},
                      {"x", credential::Base64UrlEncode(key.pub.raw)},
                      {"valid_from", key.valid_from}};
  if (key.valid_to) j["valid_to"] = *key.valid_to;
  return j;
}

nlohmann::json TrustDraftJson(const TrustDraft& draft) {
  nlohmann::json keys = nlohmann::json::array();
  for (const auto& k : draft.keys) keys.push_back(TrustedKeyJson(k));
  return {{"format", kTrustDraftFormat}, {"keys", std::move(keys)}};
}

Result<TrustDraft> ReadTrustDraft(const std::string& path, bool missing_ok) {
  std::error_code ec;
  if (missing_ok && !fs::exists(path, ec)) return TrustDraft{};
  EPERMIT_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path));
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || j.value("format", "") != kTrustDraftFormat) {
    return DraftError(path, std::string("no \"format\": \"") + kTrustDraftFormat + "\"",
                      std::string("缺少 \"format\": \"") + kTrustDraftFormat + "\"");
  }
  auto keys = j.find("keys");
  if (keys == j.end() || !keys->is_array()) return DraftError(path, "keys must be an array", "keys 必须为数组");
  TrustDraft draft;
  for (const auto& e : *keys) {
    auto key = KeyFromJson(e, path);
    if (!key.ok()) return DraftError(path, key.error().message_en, key.error().message_zh);
    // The same checks as `trust add`, so a hand-edited draft cannot slip a bad key in.
    EPERMIT_RETURN_IF_ERROR(AddTrustedKey(draft, std::move(key).value()));
  }
  return draft;
}

Status WriteTrustDraft(const std::string& path, const TrustDraft& draft) {
  return WriteFileAtomic(path, TrustDraftJson(draft).dump(2) + "\n");
}

Status AddTrustedKey(TrustDraft& draft, credential::TrustedKey key) {
  const bool listed =
      std::any_of(draft.keys.begin(), draft.keys.end(), [&key](const auto& k) { return k.kid == key.kid; });
  if (listed) {
    return MakeError(ErrorKind::kConflict, "trust.duplicate_kid",
                     "The draft already lists kid " + key.kid + "; remove it first to change it.",
                     "草稿中已有 kid " + key.kid + "，如需修改请先删除。", "kid");
  }
  if (key.kid.empty() || key.kid.size() > 128)
    return KeyError(key.kid, "the kid is empty or too long", "kid 为空或过长");
  if (!domain::DivisionRegistry::Builtin().IsCurrentCity(key.city)) {
    return KeyError(key.kid, "city '" + key.city + "' is not a current city-level GB/T 2260 code (e.g. 310000)",
                    "城市 '" + key.city + "' 不是现行地市级 GB/T 2260 代码（如 310000）");
  }
  const size_t want = key.alg == credential::SigAlg::kEdDSA ? 32 : credential::kSm2PublicKeyBytes;
  if (key.pub.raw.size() != want || key.pub.alg != key.alg) {
    return KeyError(key.kid, "the public key does not fit its algorithm", "公钥与其算法不符");
  }
  if (key.valid_to && *key.valid_to <= key.valid_from) {
    return KeyError(key.kid, "valid_to must be after valid_from", "停用时间必须晚于启用时间");
  }
  draft.keys.push_back(std::move(key));
  return Status::Ok();
}

Result<std::vector<credential::TrustedKey>> KeysInKeyDir(const std::string& dir) {
  std::error_code ec;
  // KeyStore::Open would create a missing directory; a typo must be an error instead.
  if (!fs::is_directory(dir, ec)) {
    return MakeError(ErrorKind::kNotFound, "file.missing", "No key directory " + dir + ".",
                     "没有密钥目录 " + dir + "。", dir);
  }
  // Metadata only: no passphrase needed, no private key read.
  EPERMIT_ASSIGN_OR_RETURN(credential::KeyStore store, credential::KeyStore::Open(dir, std::nullopt));
  return store.List();
}

Result<credential::TrustedKey> KeyFromFile(const std::string& path, const std::optional<std::string>& city,
                                           std::optional<int64_t> valid_from) {
  EPERMIT_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path));
  const auto j = nlohmann::json::parse(text, nullptr, false);
  auto key = KeyFromJson(j, path);
  if (!key.ok()) {
    Error e = key.error();
    e.message_en = path + ": " + e.message_en;
    e.message_zh = path + "：" + e.message_zh;
    return e;
  }
  if (city) key->city = *city;
  if (valid_from) key->valid_from = *valid_from;
  if (key->city.empty() || !j.is_object() || (!j.contains("valid_from") && !valid_from)) {
    return KeyError(key->kid, "a bare public key needs --city and --valid-from",
                    "纯公钥须同时给出 --city 和 --valid-from");
  }
  return key;
}

std::optional<int64_t> SignedTrustListVersion(const std::string& jws, const credential::PublicKey& root) {
  const credential::KeyLookup root_only = [&root](const std::string& kid) -> Result<credential::PublicKey> {
    if (kid == root.kid) return root;
    return MakeError(ErrorKind::kFailedPrecondition, "trust.forged", "not the root key", "非根密钥");
  };
  auto verified = credential::VerifyJws(jws, root_only);
  if (!verified.ok()) return std::nullopt;
  return credential::Int64Member(nlohmann::json::parse(verified->payload, nullptr, false), "version");
}

Result<std::string> SignTrustDraft(const credential::Signer& root, const TrustDraft& draft, int64_t version,
                                   int64_t now, int64_t next_update) {
  credential::TrustList list;
  list.version = version;
  list.issued_at = now;
  list.next_update = next_update;
  list.keys = draft.keys;
  return credential::SignTrustList(root, list);
}

Result<int64_t> ParseTimeArg(const std::string& text, const std::string& field) {
  if (!text.empty() && text.size() <= 12 && text.find_first_not_of("0123456789") == std::string::npos) {
    return std::stoll(text);
  }
  if (auto d = ParseIsoDate(text)) {
    // 00:00 China Standard Time, the civil day every other date here is counted in.
    return std::chrono::duration_cast<std::chrono::seconds>(d->time_since_epoch()).count() - 8 * 3600;
  }
  return MakeError(ErrorKind::kInvalidArgument, "trust.time",
                   field + " must be a date (YYYY-MM-DD, China time) or Unix seconds; got '" + text + "'.",
                   field + " 须为日期（YYYY-MM-DD，北京时间）或 Unix 秒数，实际为 '" + text + "'。", field);
}

}  // namespace epermit::app
