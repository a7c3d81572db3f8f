// What an offline verifier keeps between runs, and how it reads it back. Everything in
// the cache is re-verified on every read (signature, freshness), so a damaged or planted
// file can make the verifier say "stale" but never "valid".
//
// Layout of the cache directory (created 0700; files replaced atomically):
//   root-key.json          the root public key {kid, alg, x} the trust list was checked with
//   trust-list.jws         the national trust list as served at /.well-known/epermit-trust-list
//   status-lists/<name>.jwt  one Status List Token per list, <name> derived from its URI (sub)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "credential/status_list.hpp"
#include "credential/trust_list.hpp"

namespace epermit::app {

// A trust list older than this is stale even before its next_update (as a node treats its own).
inline constexpr int64_t kTrustListMaxAgeSeconds = 30 * 86400;
// A status list older than this (by iat) is stale even before its exp.
inline constexpr int64_t kStatusListMaxAgeSeconds = 86400;

// $XDG_CACHE_HOME/epermit, else $HOME/.cache/epermit. Errors: cache.dir (neither set).
Result<std::string> DefaultVerifierCacheDir(const EnvLookup& env);

// Reads a root public key file ({kid, alg, x}). Errors: file.missing, key.format.
Result<credential::PublicKey> ReadRootKeyFile(const std::string& path);

// Reads and verifies a trust list file against `root` at `now`.
// Errors: file.missing and VerifyTrustList's (trust.forged, trust.format, trust.stale).
Result<credential::TrustList> ReadTrustListFile(const std::string& path, const credential::PublicKey& root,
                                                int64_t now);

// One Status List Token checked against the trust list at `now`.
Result<credential::VerifiedStatusList> VerifyStatusList(const std::string& token, const credential::TrustList& trust,
                                                        int64_t now);

class VerifierCache {
 public:
  explicit VerifierCache(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }

  std::string root_key_path() const;
  std::string trust_list_path() const;
  std::string status_lists_dir() const;

  // The cached root key and trust list, verified at `now`. Errors: cache.missing (never
  // fetched), then those of ReadRootKeyFile / ReadTrustListFile.
  Result<credential::PublicKey> RootKey() const;
  Result<credential::TrustList> TrustList(const credential::PublicKey& root, int64_t now) const;

  // Every cached status list token (unverified), for VerifyStatusList.
  std::vector<std::string> StatusListTokens() const;

  // Writes (creating the directory 0700). Errors: cache.io.
  Status PutRootKey(const credential::PublicKey& root) const;
  Status PutTrustList(const std::string& jws) const;
  Status PutStatusList(const std::string& uri, const std::string& token) const;

 private:
  Status EnsureDir(const std::string& dir) const;
  std::string dir_;
};

}  // namespace epermit::app
