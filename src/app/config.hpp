// Node configuration: a TOML file (every key optional, defaults below and in
// docs/CONFIG.md), then EPERMIT_<SECTION>_<KEY> environment variables on top.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "common/result.hpp"

namespace epermit::app {

struct Config {
  // [node]
  std::string city = "310000";
  std::string public_url;  // default: http://<server.address>:<port> (https:// with TLS)
  // [keys]
  std::string keys_dir;                 // default: "keys" beside the database
  std::string key_algorithm = "EdDSA";  // or "SM2" (国密)
  // [trust]
  std::string trust_list_file;      // the signed national trust list this node serves and trusts
  std::string trust_root_key_file;  // the root public key (JSON) that signs it
  // [server]
  std::string address = "127.0.0.1";
  int port = 8080;
  int threads = 8;  // handlers block on FULL commits; more in flight lets group commit batch them
  int64_t body_limit_bytes = 1 << 20;
  int read_timeout_seconds = 15;
  // TLS: both set, the port speaks only HTTPS; both empty, plain HTTP (docs/DEPLOY.md).
  std::string tls_cert;  // PEM certificate chain, the server's certificate first
  std::string tls_key;   // PEM private key of that certificate
  // [store]
  std::string db_path = "epermit.db";
  int read_connections = 4;
  std::string data_key_file;  // keys of personal fields at rest; default: data-keys.keyring in keys_dir
  // [policies]
  std::string policies_dir;  // default: the policies/ folder of the source tree
  // [log]
  std::string log_level = "info";
  // [maintenance]
  int sweep_interval_seconds = 3600;
  int digest_refresh_seconds = 10;
  // [auth]
  int max_concurrent_hashes = 2;  // Argon2id hashes at once (64 MiB each)
  int lockout_threshold = 5;
  int lockout_seconds = 900;
  int cookie_session_seconds = 8 * 3600;
  int bearer_token_seconds = 3600;
  int login_attempts_per_minute = 20;
  int tree_head_seconds = 60;  // how often the transparency log's head is signed when it grew
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup ProcessEnv();

// Reads `file` (when given) and applies the environment. Unknown keys and wrong types are
// errors naming the key, so a typo never silently falls back to a default.
Result<Config> LoadConfig(const std::optional<std::string>& file, const EnvLookup& env);

// The defaults as a commented TOML file (`epermit serve --print-config`).
std::string DefaultConfigToml();

std::string DefaultPoliciesDir();

}  // namespace epermit::app
