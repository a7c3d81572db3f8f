// A city node's issuer keys on disk, with rotation: each key signs from its valid_from
// and, once retired, stops at valid_to, while its public half keeps verifying whatever it
// signed inside that window.
//
// Layout of the directory (created 0700; refused if group or others can access it):
//   <kid>.key    the private key, 0600 (refused when looser): either the raw 32-byte
//                Ed25519 seed or SM2 scalar d, or "EPK1" || nonce || secretbox(secret)
//                when a passphrase is configured
//   <kid>.json   public metadata: kid, alg, city, valid_from, valid_to, x (public key)
//   kek.params   Argon2id salt and limits for the key-encryption key, plus a check value
//                that detects a wrong passphrase at Open
// Times are unix seconds; a key is valid on the half-open interval [valid_from, valid_to).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "credential/signer.hpp"

namespace epermit::credential {

// Public facts about one issuer key; the same shape is published in the trust list.
struct KeyInfo {
  std::string kid;
  SigAlg alg = SigAlg::kEdDSA;
  std::string city;  // GB/T 2260 code of the issuing city, e.g. "310000"
  int64_t valid_from = 0;
  std::optional<int64_t> valid_to;  // absent while the key is current
  PublicKey pub;                    // pub.kid == kid, pub.alg == alg
};

// True when `at` lies in [valid_from, valid_to).
bool KeyValidAt(const KeyInfo& key, int64_t at);

// The public key of `key` for a signature made at `at`, or trust.unknown_issuer (key is
// null) / trust.key_not_valid. Shared by the key store and the trust list so a verifier
// sees one vocabulary whichever it consults.
Result<PublicKey> PublicKeyAt(const KeyInfo* key, const std::string& kid, int64_t at);

// Name of the environment variable holding the key-encryption passphrase.
inline constexpr char kKeyPassphraseEnv[] = "EPERMIT_KEY_PASSPHRASE";

// Const calls may run concurrently; Generate and Retire need exclusive access. Several
// processes may share a directory (a server and `epermit keys ...`): files are created
// exclusively and metadata replaced atomically, but a process sees another's changes
// only after opening the store again.
class KeyStore {
 public:
  // Opens (creating it 0700 when missing) the key directory; the passphrase comes from
  // $EPERMIT_KEY_PASSPHRASE when set and non-empty.
  static Result<KeyStore> Open(std::string dir);
  // The same with an explicit passphrase (std::nullopt: store keys unencrypted, 0600).
  // Errors: key_store.io, key_store.permissions, key_store.format, key_store.passphrase.
  static Result<KeyStore> Open(std::string dir, std::optional<std::string> passphrase);

  KeyStore(KeyStore&&) noexcept;
  KeyStore& operator=(KeyStore&&) noexcept;
  ~KeyStore();

  // Creates a key for `city` that signs from `valid_from`. The kid is
  // city-yyyymmdd-xxxx (date of valid_from in China Standard Time, 4 random hex digits).
  // Errors: key_store.city (city not [A-Za-z0-9]{1,16}), key_store.io.
  Result<KeyInfo> Generate(SigAlg alg, std::string city, int64_t valid_from);

  // Stops `kid` signing at `valid_to` (it still verifies signatures made before).
  // Errors: key_store.unknown_key, key_store.valid_to (before valid_from), key_store.io.
  Status Retire(const std::string& kid, int64_t valid_to);

  // Every key, oldest valid_from first.
  std::vector<KeyInfo> List() const;

  // The signer for `now`: among keys valid at `now`, the one with the latest valid_from.
  // Errors: key_store.no_active_key, key_store.permissions (private key file looser than
  // 0600), key_store.passphrase (encrypted key, no or wrong passphrase), key_store.format,
  // key_store.mismatch (private key does not match the published public key), key_store.io.
  Result<std::unique_ptr<Signer>> ActiveSigner(int64_t now) const;

  // The signer of one key regardless of dates (for tools); same errors as ActiveSigner.
  Result<std::unique_ptr<Signer>> LoadSigner(const std::string& kid) const;

  // The public key of `kid` for a signature made at `at`.
  // Errors: trust.unknown_issuer, trust.key_not_valid.
  Result<PublicKey> Lookup(const std::string& kid, int64_t at) const;

  const std::string& dir() const { return dir_; }
  bool encrypts() const { return kek_ != nullptr; }

 private:
  struct Kek;  // the key-encryption key, wiped on destruction
  KeyStore(std::string dir, std::unique_ptr<Kek> kek, std::vector<KeyInfo> keys);
  const KeyInfo* Find(const std::string& kid) const;

  std::string dir_;
  std::unique_ptr<Kek> kek_;
  std::vector<KeyInfo> keys_;  // sorted by (valid_from, kid)
};

}  // namespace epermit::credential
