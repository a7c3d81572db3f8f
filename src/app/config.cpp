#include "app/config.hpp"

#include <toml++/toml.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <sstream>
#include <vector>

namespace epermit::app {
namespace {

// One row per key: where it lives, and how to read it into a Config.
struct Key {
  const char* section;
  const char* name;
  const char* doc;
  std::function<Status(Config&, const std::string& text, const std::string& where)> set;
  std::function<std::string(const Config&)> show;
};

Error ConfigError(const std::string& where, const std::string& what) {
  return MakeError(ErrorKind::kInvalidArgument, "config.invalid", where + ": " + what, where + "：" + what, where);
}

Key StringKey(const char* section, const char* name, const char* doc, std::string Config::*member) {
  return {section, name, doc,
          [member](Config& c, const std::string& v, const std::string&) -> Status {
            c.*member = v;
            return Status::Ok();
          },
          [member](const Config& c) { return "\"" + c.*member + "\""; }};
}

template <typename T>
Key IntKey(const char* section, const char* name, const char* doc, T Config::*member, int64_t min, int64_t max) {
  return {section, name, doc,
          [member, min, max](Config& c, const std::string& v, const std::string& where) -> Status {
            char* end = nullptr;
            errno = 0;
            long long n = std::strtoll(v.c_str(), &end, 10);
            if (v.empty() || *end != '\0' || errno != 0 || n < min || n > max) {
              return ConfigError(where,
                                 "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
            }
            c.*member = static_cast<T>(n);
            return Status::Ok();
          },
          [member](const Config& c) { return std::to_string(c.*member); }};
}

const std::vector<Key>& Keys() {
  static const std::vector<Key> keys = {
      StringKey("node", "city", "GB/T 2260 city-level code of the city this node serves", &Config::city),
      StringKey("node", "public_url", "where verifiers reach this node; default http(s)://<address>:<port>",
                &Config::public_url),
      StringKey("keys", "dir", "issuer key directory (0700; private keys 0600); default: keys/ beside the database",
                &Config::keys_dir),
      StringKey("keys", "algorithm", "signature algorithm of new issuer keys: EdDSA or SM2", &Config::key_algorithm),
      StringKey("trust", "list_file", "signed national trust list served at /.well-known/epermit-trust-list",
                &Config::trust_list_file),
      StringKey("trust", "root_key_file", "root public key (JSON) that the trust list must be signed with",
                &Config::trust_root_key_file),
      StringKey("server", "address",
                "address to listen on (for public access: a TLS reverse proxy, or tls_cert and tls_key)",
                &Config::address),
      IntKey("server", "port", "TCP port; 0 picks a free one", &Config::port, 0, 65535),
      IntKey("server", "threads", "I/O threads serving requests", &Config::threads, 1, 64),
      IntKey("server", "body_limit_bytes", "largest request body accepted (larger: 413)", &Config::body_limit_bytes,
             1024, int64_t{64} << 20),
      IntKey("server", "read_timeout_seconds",
             "a client must send its request (and finish a TLS handshake) within this time",
             &Config::read_timeout_seconds, 1, 600),
      StringKey("server", "tls_cert",
                "PEM certificate chain (server certificate first); with tls_key the port speaks only HTTPS "
                "(TLS 1.2+) and sends HSTS; empty: plain HTTP",
                &Config::tls_cert),
      StringKey("server", "tls_key", "PEM private key of tls_cert (readable by the node only)", &Config::tls_key),
      StringKey("store", "path", "SQLite database file (created if missing)", &Config::db_path),
      IntKey("store", "read_connections", "read connections in the pool", &Config::read_connections, 1, 64),
      StringKey("store", "key_file",
                "data keys encrypting personal fields (0600; keep it off the database's disk and backups); "
                "default: data-keys.keyring in the key directory",
                &Config::data_key_file),
      StringKey("policies", "dir", "folder holding policies/<division-code>/*.toml", &Config::policies_dir),
      StringKey("log", "level", "trace, debug, info, warn, error or off", &Config::log_level),
      IntKey("maintenance", "sweep_interval_seconds", "how often lapsed permits are suspended",
             &Config::sweep_interval_seconds, 10, 86400),
      IntKey("maintenance", "digest_refresh_seconds",
             "how often the person digests of people written since are rebuilt (policy simulation reads them)",
             &Config::digest_refresh_seconds, 1, 86400),
      IntKey("auth", "max_concurrent_hashes", "password hashes (Argon2id, 64 MiB each) computed at once",
             &Config::max_concurrent_hashes, 1, 16),
      IntKey("auth", "lockout_threshold", "failed sign-ins in a row that lock an account", &Config::lockout_threshold,
             1, 100),
      IntKey("auth", "lockout_seconds", "how long a locked account stays locked", &Config::lockout_seconds, 1, 86400),
      IntKey("auth", "cookie_session_seconds", "lifetime of a browser session", &Config::cookie_session_seconds, 60,
             7 * 86400),
      IntKey("auth", "bearer_token_seconds", "lifetime of an API client's bearer token", &Config::bearer_token_seconds,
             60, 86400),
      IntKey("auth", "login_attempts_per_minute", "sign-in attempts allowed per remote address per minute",
             &Config::login_attempts_per_minute, 1, 100000),
      IntKey("audit", "tree_head_seconds", "how often a new transparency-log head is signed when the log grew",
             &Config::tree_head_seconds, 1, 86400),
  };
  return keys;
}

std::string EnvName(const Key& k) {
  std::string s = std::string("EPERMIT_") + k.section + "_" + k.name;
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string DefaultPoliciesDir() {
#ifdef EPERMIT_SOURCE_POLICIES_DIR
  return EPERMIT_SOURCE_POLICIES_DIR;
#else
  return "policies";
#endif
}

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
}

Result<Config> LoadConfig(const std::optional<std::string>& file, const EnvLookup& env) {
  Config c;
  c.policies_dir = DefaultPoliciesDir();
  if (file) {
    toml::table root;
    try {
      root = toml::parse_file(*file);
    } catch (const toml::parse_error& e) {
      std::ostringstream where;
      where << *file << ":" << e.source().begin.line;
      return ConfigError(where.str(), std::string(e.description()));
    }
    for (const auto& [section_name, section_node] : root) {
      const toml::table* section = section_node.as_table();
      const std::string sname(section_name.str());
      if (section == nullptr) return ConfigError(*file, "'" + sname + "' must be a [section]");
      for (const auto& [key_name, value] : *section) {
        const std::string kname(key_name.str());
        const Key* key = nullptr;
        for (const Key& k : Keys()) {
          if (sname == k.section && kname == k.name) key = &k;
        }
        std::ostringstream where;
        where << *file << ":" << value.source().begin.line;
        if (key == nullptr) return ConfigError(where.str(), "unknown key " + sname + "." + kname);
        std::string text;
        if (auto s = value.value<std::string>(); s && value.is_string()) {
          text = *s;
        } else if (value.is_integer()) {
          text = std::to_string(value.as_integer()->get());
        } else {
          return ConfigError(where.str(), sname + "." + kname + " must be a string or an integer");
        }
        EPERMIT_RETURN_IF_ERROR(key->set(c, text, where.str() + " " + sname + "." + kname));
      }
    }
  }
  for (const Key& k : Keys()) {
    if (auto v = env(EnvName(k))) EPERMIT_RETURN_IF_ERROR(k.set(c, *v, EnvName(k)));
  }
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    return ConfigError("server.tls_cert, server.tls_key", "set both (HTTPS) or neither (plain HTTP)");
  }
  return c;
}

std::string DefaultConfigToml() {
  Config c;
  c.policies_dir = DefaultPoliciesDir();
  std::ostringstream out;
  out << "# epermit node configuration. Every key is optional; shown are the defaults.\n"
         "# Each key can also be set by the environment variable named beside it.\n";
  std::string section;
  for (const Key& k : Keys()) {
    if (section != k.section) {
      section = k.section;
      out << "\n[" << section << "]\n";
    }
    out << "# " << k.doc << " (" << EnvName(k) << ")\n" << k.name << " = " << k.show(c) << "\n";
  }
  return out.str();
}

}  // namespace epermit::app
