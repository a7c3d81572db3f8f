#include "credential/key_store.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <tuple>

#include "credential/jws.hpp"
#include "credential/sm2_signer.hpp"

namespace epermit::credential {
namespace {

constexpr size_t kSecretBytes = 32;  // Ed25519 seed or SM2 scalar
constexpr char kEncryptedMagic[] = "EPK1";
constexpr size_t kMagicBytes = sizeof kEncryptedMagic - 1;
constexpr size_t kEncryptedFileBytes =
    kMagicBytes + crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + kSecretBytes;
constexpr char kKekParamsFile[] = "kek.params";
constexpr char kKekCheck[] = "epermit key-encryption check";
// Refuse KDF parameters far beyond anything we write, so a planted kek.params cannot
// make Open spend gigabytes of memory.
constexpr unsigned long long kMaxMemlimit = 1ULL << 30;

void EnsureSodium() {
  static const bool ready = [] { return sodium_init() >= 0; }();
  if (!ready) throw std::runtime_error("libsodium failed to initialise");
}

Error IoError(const std::string& what, const std::string& path, int err) {
  const std::string detail = what + " " + path + ": " + std::strerror(err);
  return MakeError(ErrorKind::kInternal, "key_store.io", "Key store I/O failed: " + detail,
                   "密钥库读写失败：" + detail);
}

Error FormatError(const std::string& path, const std::string& what) {
  return MakeError(ErrorKind::kInternal, "key_store.format", "Malformed key store file " + path + ": " + what,
                   "密钥库文件格式错误 " + path + "：" + what);
}

Error PassphraseError(const std::string& en, const std::string& zh) {
  return MakeError(ErrorKind::kFailedPrecondition, "key_store.passphrase", en, zh);
}

std::string ModeText(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

bool IsSafeName(const std::string& s, size_t max_len, bool allow_dash) {
  if (s.empty() || s.size() > max_len) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (allow_dash && (c == '-' || c == '_'));
  });
}
// Kids become file names, so anything that could walk out of the directory is refused.
bool IsSafeKid(const std::string& kid) { return IsSafeName(kid, 64, true); }

// yyyymmdd of a unix time in China Standard Time (UTC+8), as in the kid.
std::string ChinaDateDigits(int64_t unix_seconds) {
  using namespace std::chrono;
  const sys_seconds t{seconds{unix_seconds + int64_t{8} * 3600}};
  const year_month_day ymd{floor<days>(t)};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now so a failing close (a lost write on some filesystems) is reported.
  int Close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

Status WriteAll(int fd, ByteView data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("write", path, errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

// Creates `path` exclusively with mode 0600 and makes its content durable. Exclusive
// creation means an existing key is never overwritten, and the mode is set at creation
// so the secret is never readable by others, not even for an instant.
Status WriteNewFile(const std::string& path, ByteView data) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0 && errno == EEXIST) {
    return MakeError(ErrorKind::kConflict, "key_store.exists", "The file " + path + " already exists.",
                     "文件 " + path + " 已存在。");
  }
  if (fd.get() < 0) return IoError("create", path, errno);
  Status st = WriteAll(fd.get(), data, path);
  if (st.ok() && ::fsync(fd.get()) != 0) st = IoError("fsync", path, errno);
  if (fd.Close() != 0 && st.ok()) st = IoError("close", path, errno);
  if (!st.ok()) ::unlink(path.c_str());
  return st;
}

Status FsyncDir(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return IoError("open", dir, errno);
  if (::fsync(fd.get()) != 0) return IoError("fsync", dir, errno);
  return Status::Ok();
}

// Replaces `path` atomically (temp file, fsync, rename, fsync of the directory) so a
// crash leaves either the old or the new metadata, never half of it.
Status ReplaceFile(const std::string& dir, const std::string& path, std::string_view text) {
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, ".tmp%08x", randombytes_random());
  const std::string tmp = path + suffix;
  EPERMIT_RETURN_IF_ERROR(WriteNewFile(tmp, AsBytes(text)));
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return IoError("rename", tmp, err);
  }
  return FsyncDir(dir);
}

// Reads a small regular file (symlinks refused). With `secret`, the file must not be
// accessible beyond its owner's read and write (0600 or stricter).
Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes, bool secret) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) return IoError("open", path, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return IoError("stat", path, errno);
  if (!S_ISREG(st.st_mode)) return FormatError(path, "not a regular file");
  if (secret && (st.st_mode & 0177) != 0) {
    const std::string mode = ModeText(st.st_mode);
    return MakeError(
        ErrorKind::kFailedPrecondition, "key_store.permissions",
        "Refusing the private key file " + path + ": its permissions " + mode +
            " are looser than 0600 (run: chmod 600 " + path + ").",
        "拒绝读取私钥文件 " + path + "：权限 " + mode + " 比 0600 宽松（请执行 chmod 600 " + path + "）。");
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) return FormatError(path, "unexpectedly large");
  std::string out(max_bytes + 1, '\0');
  size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::read(fd.get(), out.data() + got, out.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("read", path, errno);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got > max_bytes) return FormatError(path, "unexpectedly large");
  out.resize(got);
  return out;
}

bool OlderFirst(const KeyInfo& a, const KeyInfo& b) {
  return std::tie(a.valid_from, a.kid) < std::tie(b.valid_from, b.kid);
}

size_t PublicKeyBytes(SigAlg alg) { return alg == SigAlg::kEdDSA ? crypto_sign_PUBLICKEYBYTES : kSm2PublicKeyBytes; }

std::string MetadataJson(const KeyInfo& k) {
  nlohmann::json j = {{"kid", k.kid},
                      {"alg", JoseName(k.alg)},
                      {"city", k.city},
                      {"valid_from", k.valid_from},
                      {"x", Base64UrlEncode(k.pub.raw)}};
  if (k.valid_to) j["valid_to"] = *k.valid_to;
  return j.dump(2) + "\n";
}

Result<KeyInfo> ParseMetadata(const std::string& path, const std::string& text) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return FormatError(path, "not a JSON object");
  auto str = [&](const char* name) -> const nlohmann::json* {
    auto it = j.find(name);
    return it != j.end() && it->is_string() ? &*it : nullptr;
  };
  auto integer = [&](const char* name) -> const nlohmann::json* {
    auto it = j.find(name);
    return it != j.end() && it->is_number_integer() ? &*it : nullptr;
  };
  const auto* kid = str("kid");
  const auto* alg = str("alg");
  const auto* city = str("city");
  const auto* x = str("x");
  const auto* valid_from = integer("valid_from");
  if (!kid || !alg || !city || !x || !valid_from) return FormatError(path, "missing or mistyped member");
  KeyInfo k;
  k.kid = kid->get<std::string>();
  if (!IsSafeKid(k.kid)) return FormatError(path, "unsafe kid");
  auto parsed_alg = SigAlgFromJose(alg->get<std::string>());
  if (!parsed_alg.ok()) return FormatError(path, "unknown alg");
  k.alg = *parsed_alg;
  k.city = city->get<std::string>();
  k.valid_from = valid_from->get<int64_t>();
  if (j.contains("valid_to")) {
    const auto* valid_to = integer("valid_to");
    if (!valid_to) return FormatError(path, "valid_to is not an integer");
    k.valid_to = valid_to->get<int64_t>();
  }
  auto raw = Base64UrlDecode(x->get<std::string>());
  if (!raw.ok() || raw->size() != PublicKeyBytes(k.alg)) return FormatError(path, "bad public key");
  k.pub = PublicKey{k.kid, k.alg, std::move(raw).value()};
  return k;
}

Result<std::unique_ptr<Signer>> SignerFromSecret(SigAlg alg, const std::string& kid, ByteView secret) {
  return alg == SigAlg::kEdDSA ? Ed25519FromSeed(kid, secret) : Sm2FromPrivateKey(kid, secret);
}

// A fresh secret and its signer. For SM2 a random 256-bit string is outside [1, n-2]
// with probability ~2^-32; drawing again keeps the scalar uniform.
Result<std::unique_ptr<Signer>> NewSecret(SigAlg alg, const std::string& kid, uint8_t secret[kSecretBytes]) {
  for (int attempt = 0; attempt < 64; ++attempt) {
    randombytes_buf(secret, kSecretBytes);
    auto signer = SignerFromSecret(alg, kid, ByteView(secret, kSecretBytes));
    if (signer.ok() || signer.error().code != "key.invalid") return signer;
  }
  return InternalError("could not draw a valid private key");
}

}  // namespace

struct KeyStore::Kek {
  uint8_t key[crypto_secretbox_KEYBYTES];
  Kek() = default;
  Kek(const Kek&) = delete;
  Kek& operator=(const Kek&) = delete;
  ~Kek() { sodium_memzero(key, sizeof key); }
};

namespace {

Status DeriveKek(const std::string& passphrase, const uint8_t* salt, unsigned long long opslimit, size_t memlimit,
                 uint8_t* out) {
  if (crypto_pwhash(out, crypto_secretbox_KEYBYTES, passphrase.data(), passphrase.size(), salt, opslimit, memlimit,
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return InternalError("key-encryption key derivation ran out of memory");
  }
  return Status::Ok();
}

}  // namespace

bool KeyValidAt(const KeyInfo& key, int64_t at) {
  return at >= key.valid_from && (!key.valid_to || at < *key.valid_to);
}

Result<PublicKey> PublicKeyAt(const KeyInfo* key, const std::string& kid, int64_t at) {
  if (key == nullptr) {
    return MakeError(ErrorKind::kFailedPrecondition, "trust.unknown_issuer",
                     "The signing key " + kid + " is not a trusted issuer key.",
                     "签名密钥 " + kid + " 不是受信任的签发密钥。", "kid");
  }
  if (!KeyValidAt(*key, at)) {
    return MakeError(ErrorKind::kFailedPrecondition, "trust.key_not_valid",
                     "The signing key " + kid + " was not valid at the time of signing.",
                     "签名密钥 " + kid + " 在签名时不在有效期内。", "kid");
  }
  return key->pub;
}

KeyStore::KeyStore(std::string dir, std::unique_ptr<Kek> kek, std::vector<KeyInfo> keys)
    : dir_(std::move(dir)), kek_(std::move(kek)), keys_(std::move(keys)) {}
KeyStore::KeyStore(KeyStore&&) noexcept = default;
KeyStore& KeyStore::operator=(KeyStore&&) noexcept = default;
KeyStore::~KeyStore() = default;

Result<KeyStore> KeyStore::Open(std::string dir) {
  const char* env = std::getenv(kKeyPassphraseEnv);
  std::optional<std::string> passphrase;
  if (env != nullptr && *env != '\0') passphrase = env;
  return Open(std::move(dir), std::move(passphrase));
}

Result<KeyStore> KeyStore::Open(std::string dir, std::optional<std::string> passphrase) {
  EnsureSodium();
  namespace fs = std::filesystem;
  if (dir.empty()) return IoError("open", "(empty path)", ENOENT);
  std::error_code ec;
  const fs::path parent = fs::path(dir).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);  // parents keep default modes
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return IoError("mkdir", dir, errno);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return IoError("stat", dir, errno);
  if (!S_ISDIR(st.st_mode)) return IoError("open", dir, ENOTDIR);
  if ((st.st_mode & 077) != 0) {
    const std::string mode = ModeText(st.st_mode);
    return MakeError(
        ErrorKind::kFailedPrecondition, "key_store.permissions",
        "Refusing the key directory " + dir + ": group or others can access it (mode " + mode + "; run: chmod 700 " +
            dir + ").",
        "拒绝使用密钥目录 " + dir + "：同组或其他用户可访问（权限 " + mode + "；请执行 chmod 700 " + dir + "）。");
  }

  std::unique_ptr<Kek> kek;
  if (passphrase) {
    kek = std::make_unique<Kek>();
    const std::string params_path = (fs::path(dir) / kKekParamsFile).string();
    if (!fs::exists(params_path, ec)) {
      // First use of a passphrase here: a fresh salt, and a check value so a mistyped
      // passphrase is reported at Open instead of as a damaged key later.
      uint8_t salt[crypto_pwhash_SALTBYTES];
      uint8_t nonce[crypto_secretbox_NONCEBYTES];
      randombytes_buf(salt, sizeof salt);
      randombytes_buf(nonce, sizeof nonce);
      const unsigned long long ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
      const size_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
      EPERMIT_RETURN_IF_ERROR(DeriveKek(*passphrase, salt, ops, mem, kek->key));
      Bytes check(crypto_secretbox_MACBYTES + sizeof kKekCheck - 1);
      crypto_secretbox_easy(check.data(), reinterpret_cast<const uint8_t*>(kKekCheck), sizeof kKekCheck - 1, nonce,
                            kek->key);
      const nlohmann::json j = {{"kdf", "argon2id13"},
                                {"opslimit", ops},
                                {"memlimit", mem},
                                {"salt", Base64UrlEncode(ByteView(salt, sizeof salt))},
                                {"check_nonce", Base64UrlEncode(ByteView(nonce, sizeof nonce))},
                                {"check", Base64UrlEncode(check)}};
      const std::string text = j.dump(2) + "\n";
      Status written = WriteNewFile(params_path, AsBytes(text));
      if (written.ok()) EPERMIT_RETURN_IF_ERROR(FsyncDir(dir));
      // Another process may have created it first; then its parameters win (below).
      if (!written.ok() && !fs::exists(params_path, ec)) return written;
    }
    EPERMIT_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(params_path, 4096, false));
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object()) return FormatError(params_path, "not a JSON object");
    auto b64 = [&](const char* name) -> Result<Bytes> {
      auto it = j.find(name);
      if (it == j.end() || !it->is_string()) return FormatError(params_path, name);
      return Base64UrlDecode(it->get<std::string>());
    };
    auto unsigned_member = [&](const char* name) -> std::optional<unsigned long long> {
      auto it = j.find(name);
      if (it == j.end() || !it->is_number_unsigned()) return std::nullopt;
      return it->get<unsigned long long>();
    };
    auto kdf = j.find("kdf");
    auto salt = b64("salt");
    auto nonce = b64("check_nonce");
    auto check = b64("check");
    const auto ops = unsigned_member("opslimit");
    const auto mem = unsigned_member("memlimit");
    if (kdf == j.end() || *kdf != "argon2id13" || !salt.ok() || !nonce.ok() || !check.ok() ||
        salt->size() != crypto_pwhash_SALTBYTES || nonce->size() != crypto_secretbox_NONCEBYTES ||
        check->size() < crypto_secretbox_MACBYTES || !ops || !mem) {
      return FormatError(params_path, "bad key-encryption parameters");
    }
    if (*ops < crypto_pwhash_OPSLIMIT_MIN || *ops > crypto_pwhash_OPSLIMIT_SENSITIVE ||
        *mem < crypto_pwhash_MEMLIMIT_MIN || *mem > kMaxMemlimit) {
      return FormatError(params_path, "key-encryption limits out of range");
    }
    EPERMIT_RETURN_IF_ERROR(DeriveKek(*passphrase, salt->data(), *ops, static_cast<size_t>(*mem), kek->key));
    Bytes plain(check->size() - crypto_secretbox_MACBYTES);
    if (crypto_secretbox_open_easy(plain.data(), check->data(), check->size(), nonce->data(), kek->key) != 0 ||
        std::string_view(reinterpret_cast<const char*>(plain.data()), plain.size()) != kKekCheck) {
      return PassphraseError("The key passphrase is wrong for " + dir + ".", "密钥口令与 " + dir + " 不符。");
    }
  }

  std::vector<KeyInfo> keys;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (p.extension() != ".json") continue;
    EPERMIT_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(p.string(), size_t{64} * 1024, false));
    EPERMIT_ASSIGN_OR_RETURN(KeyInfo info, ParseMetadata(p.string(), text));
    if (p.filename().string() != info.kid + ".json") return FormatError(p.string(), "file name differs from kid");
    keys.push_back(std::move(info));
  }
  if (ec) return IoError("list", dir, ec.value());
  std::sort(keys.begin(), keys.end(), OlderFirst);
  return KeyStore(std::move(dir), std::move(kek), std::move(keys));
}

const KeyInfo* KeyStore::Find(const std::string& kid) const {
  for (const auto& k : keys_) {
    if (k.kid == kid) return &k;
  }
  return nullptr;
}

Result<KeyInfo> KeyStore::Generate(SigAlg alg, std::string city, int64_t valid_from) {
  EnsureSodium();
  if (!IsSafeName(city, 16, false)) {
    return MakeError(ErrorKind::kInvalidArgument, "key_store.city",
                     "The city code must be 1 to 16 letters or digits (GB/T 2260 code, e.g. 310000).",
                     "城市代码应为1至16位字母或数字（GB/T 2260 代码，如 310000）。", "city");
  }
  const std::string prefix = city + "-" + ChinaDateDigits(valid_from) + "-";
  uint8_t secret[kSecretBytes];
  struct Wipe {
    uint8_t* p;
    ~Wipe() { sodium_memzero(p, kSecretBytes); }
  } wipe{secret};

  for (int attempt = 0; attempt < 32; ++attempt) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "%04x", randombytes_uniform(0x10000));
    const std::string kid = prefix + hex;
    if (Find(kid) != nullptr) continue;
    EPERMIT_ASSIGN_OR_RETURN(std::unique_ptr<Signer> signer, NewSecret(alg, kid, secret));

    Bytes file;
    if (kek_) {
      file.assign(kEncryptedMagic, kEncryptedMagic + kMagicBytes);
      file.resize(kEncryptedFileBytes);
      uint8_t* nonce = file.data() + kMagicBytes;
      randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
      crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, secret, kSecretBytes, nonce, kek_->key);
    } else {
      file.assign(secret, secret + kSecretBytes);
    }
    const std::string key_path = dir_ + "/" + kid + ".key";
    Status written = WriteNewFile(key_path, file);
    sodium_memzero(file.data(), file.size());
    if (!written.ok()) {
      if (written.error().code == "key_store.exists") continue;  // an orphan from an earlier crash
      return written.error();
    }

    KeyInfo info{kid, alg, std::move(city), valid_from, std::nullopt, signer->public_key()};
    Status meta = ReplaceFile(dir_, dir_ + "/" + kid + ".json", MetadataJson(info));
    if (!meta.ok()) {
      ::unlink(key_path.c_str());
      return meta.error();
    }
    keys_.push_back(info);
    std::sort(keys_.begin(), keys_.end(), OlderFirst);
    return info;
  }
  return InternalError("no free key id for " + prefix);
}

Status KeyStore::Retire(const std::string& kid, int64_t valid_to) {
  auto found = std::find_if(keys_.begin(), keys_.end(), [&](const KeyInfo& k) { return k.kid == kid; });
  if (found == keys_.end()) {
    return MakeError(ErrorKind::kNotFound, "key_store.unknown_key", "No key " + kid + " in this key store.",
                     "密钥库中没有密钥 " + kid + "。", "kid");
  }
  if (valid_to < found->valid_from) {
    return MakeError(ErrorKind::kInvalidArgument, "key_store.valid_to",
                     "A key cannot be retired before it becomes valid.", "密钥的停用时间不能早于启用时间。",
                     "valid_to");
  }
  KeyInfo updated = *found;
  updated.valid_to = valid_to;
  EPERMIT_RETURN_IF_ERROR(ReplaceFile(dir_, dir_ + "/" + kid + ".json", MetadataJson(updated)));
  found->valid_to = valid_to;
  return Status::Ok();
}

std::vector<KeyInfo> KeyStore::List() const { return keys_; }

Result<std::unique_ptr<Signer>> KeyStore::ActiveSigner(int64_t now) const {
  // keys_ is sorted by valid_from, so the last key valid now is the newest one.
  for (auto it = keys_.rbegin(); it != keys_.rend(); ++it) {
    if (KeyValidAt(*it, now)) return LoadSigner(it->kid);
  }
  return MakeError(ErrorKind::kFailedPrecondition, "key_store.no_active_key",
                   "No issuer key is valid now; generate one (epermit keys generate).",
                   "当前没有有效的签发密钥，请先生成（epermit keys generate）。");
}

Result<std::unique_ptr<Signer>> KeyStore::LoadSigner(const std::string& kid) const {
  EnsureSodium();
  const KeyInfo* info = Find(kid);
  if (info == nullptr || !IsSafeKid(kid)) {
    return MakeError(ErrorKind::kNotFound, "key_store.unknown_key", "No key " + kid + " in this key store.",
                     "密钥库中没有密钥 " + kid + "。", "kid");
  }
  const std::string path = dir_ + "/" + kid + ".key";
  EPERMIT_ASSIGN_OR_RETURN(std::string file, ReadSmallFile(path, kEncryptedFileBytes, true));
  struct Wipe {
    std::string& s;
    ~Wipe() { sodium_memzero(s.data(), s.size()); }
  } wipe_file{file};
  uint8_t secret[kSecretBytes];
  struct WipeSecret {
    uint8_t* p;
    ~WipeSecret() { sodium_memzero(p, kSecretBytes); }
  } wipe_secret{secret};

  const auto* bytes = reinterpret_cast<const uint8_t*>(file.data());
  if (file.size() == kSecretBytes) {
    std::memcpy(secret, bytes, kSecretBytes);
  } else if (file.size() == kEncryptedFileBytes && file.compare(0, kMagicBytes, kEncryptedMagic) == 0) {
    if (!kek_) {
      return PassphraseError("The private key " + kid + " is encrypted; set " + std::string(kKeyPassphraseEnv) + ".",
                             "私钥 " + kid + " 已加密，请设置 " + std::string(kKeyPassphraseEnv) + "。");
    }
    const uint8_t* nonce = bytes + kMagicBytes;
    const uint8_t* box = nonce + crypto_secretbox_NONCEBYTES;
    if (crypto_secretbox_open_easy(secret, box, crypto_secretbox_MACBYTES + kSecretBytes, nonce, kek_->key) != 0) {
      return PassphraseError("The private key " + kid + " does not decrypt: wrong passphrase or a damaged file.",
                             "私钥 " + kid + " 无法解密：口令错误或文件损坏。");
    }
  } else {
    return FormatError(path, "not a private key");
  }
  EPERMIT_ASSIGN_OR_RETURN(std::unique_ptr<Signer> signer,
                           SignerFromSecret(info->alg, kid, ByteView(secret, kSecretBytes)));
  // A swapped or corrupted key file would otherwise sign under someone else's kid.
  if (signer->public_key().raw != info->pub.raw) {
    return MakeError(ErrorKind::kInternal, "key_store.mismatch",
                     "The private key file of " + kid + " does not match its published public key.",
                     "密钥 " + kid + " 的私钥文件与其公布的公钥不符。");
  }
  return signer;
}

Result<PublicKey> KeyStore::Lookup(const std::string& kid, int64_t at) const { return PublicKeyAt(Find(kid), kid, at); }

}  // namespace epermit::credential
