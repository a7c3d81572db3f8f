// What the trust-list maintainer does (`epermit trust init|add|sign|show`), apart from the
// command line: the root key directory, the unsigned draft list, and signing it.
//
// Root key directory (`trust init --dir DIR`):
//   DIR/                 0700
//   DIR/private/         the root key as a KeyStore (private key 0600, encrypted when
//                        $EPERMIT_KEY_PASSPHRASE is set)
//   DIR/root-key.json    the root PUBLIC key {kid, alg, x}, given to every verifier and node
//
// Draft file (unsigned JSON, edited by `trust add`):
//   {"format": "epermit-trust-draft/1",
//    "keys": [{"kid", "alg", "city", "x", "valid_from", "valid_to"?}, ...]}
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "credential/trust_list.hpp"

namespace epermit::app {

inline constexpr char kTrustDraftFormat[] = "epermit-trust-draft/1";

struct RootKeyPaths {
  std::string private_dir;
  std::string public_key_file;
};
RootKeyPaths RootKeyPathsIn(const std::string& dir);

// Creates the root key in `dir` and writes its public half. Errors: trust.root_exists
// (the directory already holds a root key), key_store.* (permissions, I/O).
Result<credential::PublicKey> InitRootKey(const std::string& dir, credential::SigAlg alg, int64_t now);

// The root signer kept in `dir` (the one valid at `now`). Errors: trust.root_missing,
// key_store.* (wrong passphrase, loose permissions, damaged key).
Result<std::unique_ptr<credential::Signer>> LoadRootSigner(const std::string& dir, int64_t now);

struct TrustDraft {
  std::vector<credential::TrustedKey> keys;
};

nlohmann::json TrustedKeyJson(const credential::TrustedKey& key);
nlohmann::json TrustDraftJson(const TrustDraft& draft);

// Reads a draft; a missing file is an empty draft when `missing_ok`.
// Errors: file.missing, trust.draft_format.
Result<TrustDraft> ReadTrustDraft(const std::string& path, bool missing_ok);
Status WriteTrustDraft(const std::string& path, const TrustDraft& draft);

// Adds one issuer key after checking it: a current city-level GB/T 2260 code, a public
// key of the right size for its alg, valid_to after valid_from, a kid not yet listed.
// Errors: trust.duplicate_kid, trust.key (what is wrong is in the message).
Status AddTrustedKey(TrustDraft& draft, credential::TrustedKey key);

// The public keys of a city node's key directory (metadata only; no private key is read).
// Errors: file.missing (no such directory), key_store.* (permissions, damaged metadata).
Result<std::vector<credential::TrustedKey>> KeysInKeyDir(const std::string& dir);

// One key from a public-key JSON file: either a key directory's <kid>.json (kid, alg, x,
// city, valid_from, valid_to?) or a bare {kid, alg, x}, completed by `city` and
// `valid_from` (which also override the file's). Errors: file.missing, key.format, trust.key.
Result<credential::TrustedKey> KeyFromFile(const std::string& path, const std::optional<std::string>& city,
                                           std::optional<int64_t> valid_from);

// The version of a trust list `root` signed, whatever its age; nothing when it is not
// one (another key, altered, not a JWS).
std::optional<int64_t> SignedTrustListVersion(const std::string& jws, const credential::PublicKey& root);

// Signs `draft` as trust list `version` issued at `now`.
Result<std::string> SignTrustDraft(const credential::Signer& root, const TrustDraft& draft, int64_t version,
                                   int64_t now, int64_t next_update);

// "2026-01-01" (00:00 China time) or Unix seconds. Errors: trust.time.
Result<int64_t> ParseTimeArg(const std::string& text, const std::string& field);

}  // namespace epermit::app
