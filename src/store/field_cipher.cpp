#include "store/field_cipher.hpp"

#include <sodium.h>

#include <cstring>

namespace epermit::store {
namespace {

constexpr uint8_t kFormat = 1;
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "epermitF";  // exactly 8 bytes
constexpr uint64_t kSealSubkey = 1;
constexpr uint64_t kIndexSubkey = 2;
constexpr size_t kIndexBytes = 16;

void EnsureSodium() {
  static const int ready = sodium_init();
  (void)ready;  // -1 only when no randomness source exists; randombytes then aborts
}

std::string AssociatedData(std::string_view table, std::string_view key_id) {
  std::string ad = "epermit-sealed/1|";
  ad.append(table).append("|").append(key_id);
  return ad;
}

void AppendLength(std::string& out, size_t n) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
}

Error Corrupt(std::string_view table) {
  return MakeError(ErrorKind::kInternal, "store.sealed_corrupt",
                   "A sealed value in table " + std::string(table) +
                       " does not open: it was altered, truncated or copied from elsewhere.",
                   "数据表 " + std::string(table) + " 中的加密字段无法解密：已被篡改、截断或来自别处。");
}

}  // namespace

DataKey GenerateDataKey() {
  EnsureSodium();
  DataKey key;
  randombytes_buf(key.bytes.data(), key.bytes.size());
  std::array<uint8_t, 4> id{};
  randombytes_buf(id.data(), id.size());
  static const char* kHex = "0123456789abcdef";
  key.id = "k";
  for (uint8_t b : id) {
    key.id.push_back(kHex[b >> 4]);
    key.id.push_back(kHex[b & 15]);
  }
  return key;
}

FieldCipher::Keys FieldCipher::Derive(const DataKey& key) {
  Keys k;
  k.id = key.id;
  crypto_kdf_derive_from_key(k.seal.data(), k.seal.size(), kSealSubkey, kKdfContext, key.bytes.data());
  crypto_kdf_derive_from_key(k.index.data(), k.index.size(), kIndexSubkey, kKdfContext, key.bytes.data());
  return k;
}

FieldCipher::FieldCipher(const DataKey& current, const std::vector<DataKey>& others) : current_id_(current.id) {
  EnsureSodium();
  keys_.push_back(Derive(current));
  for (const DataKey& k : others) {
    if (k.id != current.id) keys_.push_back(Derive(k));
  }
}

FieldCipher::~FieldCipher() {
  for (Keys& k : keys_) {
    sodium_memzero(k.seal.data(), k.seal.size());
    sodium_memzero(k.index.data(), k.index.size());
  }
}

const FieldCipher::Keys* FieldCipher::Find(std::string_view id) const {
  for (const Keys& k : keys_) {
    if (k.id == id) return &k;
  }
  return nullptr;
}

std::string FieldCipher::Index(std::string_view value) const {
  if (value.empty()) return {};
  std::array<uint8_t, kIndexBytes> out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(value.data()), value.size(),
                     keys_[0].index.data(), keys_[0].index.size());
  std::string hex(kIndexBytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), out.data(), out.size());
  hex.pop_back();
  return hex;
}

std::string FieldCipher::Seal(std::string_view table, const std::vector<std::string_view>& fields) const {
  std::string plain;
  for (std::string_view f : fields) {
    AppendLength(plain, f.size());
    plain.append(f);
  }
  const Keys& key = keys_[0];
  std::string out;
  out.push_back(static_cast<char>(kFormat));
  out.push_back(static_cast<char>(key.id.size()));
  out.append(key.id);
  const size_t nonce_at = out.size();
  out.resize(nonce_at + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  randombytes_buf(out.data() + nonce_at, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  const size_t body_at = out.size();
  out.resize(body_at + plain.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  const std::string ad = AssociatedData(table, key.id);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(reinterpret_cast<unsigned char*>(out.data() + body_at), &written,
                                             reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
                                             reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr,
                                             reinterpret_cast<const unsigned char*>(out.data() + nonce_at),
                                             key.seal.data());
  out.resize(body_at + written);
  sodium_memzero(plain.data(), plain.size());
  return out;
}

Result<std::vector<std::string>> FieldCipher::Open(std::string_view table, std::string_view sealed,
                                                   size_t count) const {
  if (sealed.size() < 2 || static_cast<uint8_t>(sealed[0]) != kFormat) return Corrupt(table);
  const size_t id_len = static_cast<uint8_t>(sealed[1]);
  const size_t nonce_at = 2 + id_len;
  const size_t body_at = nonce_at + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  if (sealed.size() < body_at + crypto_aead_xchacha20poly1305_ietf_ABYTES) return Corrupt(table);
  const std::string_view id = sealed.substr(2, id_len);
  const Keys* key = Find(id);
  if (key == nullptr) {
    return MakeError(ErrorKind::kFailedPrecondition, "store.sealed_key_unknown",
                     "A value in table " + std::string(table) + " is sealed with data key " + std::string(id) +
                         ", which is not in this node's key file.",
                     "数据表 " + std::string(table) + " 中的字段由密钥 " + std::string(id) +
                         " 加密，本节点的密钥文件中没有该密钥。");
  }
  std::string plain(sealed.size() - body_at - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  const std::string ad = AssociatedData(table, id);
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &written, nullptr,
          reinterpret_cast<const unsigned char*>(sealed.data() + body_at), sealed.size() - body_at,
          reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
          reinterpret_cast<const unsigned char*>(sealed.data() + nonce_at), key->seal.data()) != 0) {
    return Corrupt(table);
  }
  plain.resize(written);
  std::vector<std::string> fields;
  fields.reserve(count);
  size_t at = 0;
  while (at < plain.size()) {
    if (plain.size() - at < 4) return Corrupt(table);
    size_t n = 0;
    for (int i = 0; i < 4; ++i) n |= static_cast<size_t>(static_cast<uint8_t>(plain[at + i])) << (8 * i);
    at += 4;
    if (plain.size() - at < n) return Corrupt(table);
    fields.emplace_back(plain.substr(at, n));
    at += n;
  }
  sodium_memzero(plain.data(), plain.size());
  if (fields.size() != count) return Corrupt(table);
  return fields;
}

}  // namespace epermit::store
