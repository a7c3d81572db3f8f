#include "app/data_key_file.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/atomic_file.hpp"

namespace epermit::app {
namespace {

namespace fs = std::filesystem;
constexpr const char* kFormat = "epermit-data-keys/1";

Error Invalid(const std::string& path, const std::string& why) {
  return MakeError(ErrorKind::kFailedPrecondition, "data_keys.invalid",
                   "The data-key file " + path + " is not valid: " + why + ".",
                   "数据密钥文件 " + path + " 无效：" + why + "。");
}

std::string Base64(const uint8_t* bytes, size_t n) {
  std::string out(sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes, n, sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();  // the terminating NUL
  return out;
}

}  // namespace

std::string DataKeyFilePath(const Config& config) {
  if (!config.data_key_file.empty()) return config.data_key_file;
  const std::string keys_dir =
      !config.keys_dir.empty() ? config.keys_dir : (fs::path(config.db_path).parent_path() / "keys").string();
  return (fs::path(keys_dir) / "data-keys.keyring").string();
}

Result<std::vector<store::DataKey>> LoadDataKeys(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return MakeError(ErrorKind::kNotFound, "data_keys.missing", "No data-key file at " + path + ".",
                     "找不到数据密钥文件 " + path + "。");
  }
  if ((st.st_mode & 077) != 0) {
    return MakeError(
        ErrorKind::kFailedPrecondition, "data_keys.permissions",
        "Refusing the data-key file " + path + ": group or others can read it (run: chmod 600 " + path + ").",
        "拒绝使用数据密钥文件 " + path + "：同组或其他用户可读取（请执行 chmod 600 " + path + "）。");
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, false);
  if (!doc.is_object() || doc.value("format", "") != kFormat) return Invalid(path, std::string("not ") + kFormat);
  const auto keys = doc.find("keys");
  if (keys == doc.end() || !keys->is_array() || keys->empty()) return Invalid(path, "no keys");
  if (sodium_init() < 0) return InternalError("libsodium failed to initialise");
  std::vector<store::DataKey> out;
  for (const auto& k : *keys) {
    if (!k.is_object() || !k.contains("id") || !k["id"].is_string() || !k.contains("key") || !k["key"].is_string()) {
      return Invalid(path, "a key needs a string id and key");
    }
    store::DataKey key;
    key.id = k["id"].get<std::string>();
    if (key.id.empty() || key.id.size() > 32) return Invalid(path, "a key id must be 1 to 32 characters");
    const std::string b64 = k["key"].get<std::string>();
    size_t len = 0;
    if (sodium_base642bin(key.bytes.data(), key.bytes.size(), b64.data(), b64.size(), nullptr, &len, nullptr,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        len != key.bytes.size()) {
      return Invalid(path, "key " + key.id + " is not 32 bytes of base64");
    }
    out.push_back(key);
  }
  return out;
}

Status SaveDataKeys(const std::string& path, const std::vector<store::DataKey>& keys) {
  nlohmann::json list = nlohmann::json::array();
  for (const store::DataKey& k : keys) list.push_back({{"id", k.id}, {"key", Base64(k.bytes.data(), k.bytes.size())}});
  const std::string text = nlohmann::json{{"format", kFormat}, {"keys", list}}.dump(2) + "\n";
  return WriteFileAtomic(path, text, 0600);
}

Result<std::vector<store::DataKey>> LoadOrCreateDataKeys(const std::string& path) {
  auto keys = LoadDataKeys(path);
  if (keys.ok() || keys.error().code != "data_keys.missing") return keys;
  const fs::path dir = fs::path(path).parent_path();
  if (!dir.empty() && !fs::exists(dir)) {
    std::error_code ec;
    fs::create_directories(dir.parent_path(), ec);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      const std::string why = std::strerror(errno);
      return MakeError(ErrorKind::kInternal, "file.write", "Cannot create " + dir.string() + ": " + why,
                       "无法创建 " + dir.string() + "：" + why);
    }
  }
  std::vector<store::DataKey> fresh{store::GenerateDataKey()};
  EPERMIT_RETURN_IF_ERROR(SaveDataKeys(path, fresh));
  return fresh;
}

Result<std::unique_ptr<store::sqlite::SqliteStore>> OpenNodeStore(const Config& config, const std::string& db_path,
                                                                  bool migrate, int read_connections,
                                                                  int64_t now_unix) {
  store::sqlite::SqliteOptions options;
  options.path = db_path;
  options.read_connections = read_connections;
  options.migrate = migrate;
  const std::string key_file = DataKeyFilePath(config);
  auto keys = migrate ? LoadOrCreateDataKeys(key_file) : LoadDataKeys(key_file);
  if (keys.ok()) {
    options.keys = std::move(*keys);
  } else if (migrate || keys.error().code != "data_keys.missing") {
    return keys.error();
  }
  // Without migrate and without a key file the store still opens (`db check` reads no rows);
  // its reads fail with store.no_key. A node that serves (migrate) must be able to read.
  EPERMIT_ASSIGN_OR_RETURN(auto store, store::sqlite::SqliteStore::Open(options, now_unix));
  if (migrate) {
    if (Status usable = store->CipherStatus(); !usable.ok()) {
      Error e = usable.error();
      e.message_en += " (key file: " + key_file + ")";
      e.message_zh += "（密钥文件：" + key_file + "）";
      return e;
    }
  }
  return store;
}

}  // namespace epermit::app
