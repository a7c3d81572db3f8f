#include "app/verifier_cache.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "app/app.hpp"
#include "app/atomic_file.hpp"

namespace epermit::app {
namespace {

namespace fs = std::filesystem;

Error CacheIo(const std::string& what, const std::string& path, int err) {
  const std::string why = std::strerror(err);
  return MakeError(ErrorKind::kInternal, "cache.io", "Cannot " + what + " " + path + ": " + why,
                   "无法" + what + " " + path + "：" + why);
}

// The status list's URI as a file name: readable, and no path separators or dots that
// could leave the directory.
std::string FileNameFor(const std::string& uri) {
  std::string name;
  for (char c : uri.substr(0, 180)) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    name += keep ? c : '_';
  }
  // Distinct URIs can sanitise alike; a hash suffix keeps them apart. FNV-1a, because the
  // name must stay the same across builds (std::hash need not).
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : uri) h = (h ^ c) * 1099511628211ull;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return name + "-" + hex + ".jwt";
}

}  // namespace

Result<std::string> DefaultVerifierCacheDir(const EnvLookup& env) {
  if (auto xdg = env("XDG_CACHE_HOME"); xdg && !xdg->empty()) return (fs::path(*xdg) / "epermit").string();
  if (auto home = env("HOME"); home && !home->empty()) return (fs::path(*home) / ".cache" / "epermit").string();
  return MakeError(ErrorKind::kInvalidArgument, "cache.dir",
                   "Neither XDG_CACHE_HOME nor HOME is set; pass --cache DIR.",
                   "未设置 XDG_CACHE_HOME 或 HOME，请用 --cache DIR 指定缓存目录。");
}

Result<credential::PublicKey> ReadRootKeyFile(const std::string& path) {
  EPERMIT_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path));
  auto key = PublicKeyFromJson(nlohmann::json::parse(text, nullptr, false));
  if (!key.ok()) {
    Error e = key.error();
    e.message_en = path + ": " + e.message_en;
    e.message_zh = path + "：" + e.message_zh;
    return e;
  }
  return key;
}

Result<credential::TrustList> ReadTrustListFile(const std::string& path, const credential::PublicKey& root,
                                                int64_t now) {
  EPERMIT_ASSIGN_OR_RETURN(std::string jws, ReadTokenFile(path));
  return credential::VerifyTrustList(jws, root, now, kTrustListMaxAgeSeconds);
}

Result<credential::VerifiedStatusList> VerifyStatusList(const std::string& token, const credential::TrustList& trust,
                                                        int64_t now) {
  std::string_view jwt = token;
  while (!jwt.empty() && (jwt.back() == '\n' || jwt.back() == '\r' || jwt.back() == ' ')) jwt.remove_suffix(1);
  return credential::VerifyStatusListToken(jwt, credential::AsKeyLookup(trust, now), now, kStatusListMaxAgeSeconds);
}

std::string VerifierCache::root_key_path() const { return (fs::path(dir_) / "root-key.json").string(); }
std::string VerifierCache::trust_list_path() const { return (fs::path(dir_) / "trust-list.jws").string(); }
std::string VerifierCache::status_lists_dir() const { return (fs::path(dir_) / "status-lists").string(); }

Result<credential::PublicKey> VerifierCache::RootKey() const {
  std::error_code ec;
  if (!fs::exists(root_key_path(), ec) || !fs::exists(trust_list_path(), ec)) {
    return MakeError(ErrorKind::kNotFound, "cache.missing",
                     "No trust list is cached in " + dir_ + "; run: epermit verify --fetch BASE_URL --root-key FILE.",
                     "缓存 " + dir_ + " 中没有信任列表，请先运行 epermit verify --fetch BASE_URL --root-key FILE。");
  }
  return ReadRootKeyFile(root_key_path());
}

Result<credential::TrustList> VerifierCache::TrustList(const credential::PublicKey& root, int64_t now) const {
  std::error_code ec;
  if (!fs::exists(trust_list_path(), ec)) {
    return MakeError(ErrorKind::kNotFound, "cache.missing", "No trust list is cached in " + dir_ + ".",
                     "缓存 " + dir_ + " 中没有信任列表。");
  }
  return ReadTrustListFile(trust_list_path(), root, now);
}

std::vector<std::string> VerifierCache::StatusListTokens() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(status_lists_dir(), ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".jwt") continue;
    auto text = ReadTextFile(it->path().string());
    if (text.ok()) out.push_back(std::move(text).value());
  }
  return out;
}

Status VerifierCache::EnsureDir(const std::string& dir) const {
  std::error_code ec;
  fs::create_directories(fs::path(dir).parent_path(), ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return CacheIo("create", dir, errno);
  return Status::Ok();
}

Status VerifierCache::PutRootKey(const credential::PublicKey& root) const {
  EPERMIT_RETURN_IF_ERROR(EnsureDir(dir_));
  return WriteFileAtomic(root_key_path(), PublicKeyJson(root).dump(2) + "\n");
}

Status VerifierCache::PutTrustList(const std::string& jws) const {
  EPERMIT_RETURN_IF_ERROR(EnsureDir(dir_));
  return WriteFileAtomic(trust_list_path(), jws);
}

Status VerifierCache::PutStatusList(const std::string& uri, const std::string& token) const {
  EPERMIT_RETURN_IF_ERROR(EnsureDir(dir_));
  EPERMIT_RETURN_IF_ERROR(EnsureDir(status_lists_dir()));
  return WriteFileAtomic((fs::path(status_lists_dir()) / FileNameFor(uri)).string(), token);
}

}  // namespace epermit::app
