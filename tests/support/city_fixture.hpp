// A whole city node on a temp directory with a fixed clock: the real store, policies,
// services and (when started) HTTP server. Used by service and end-to-end tests.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/app.hpp"
#include "auth/totp.hpp"
#include "credential/key_store.hpp"
#include "credential/signer.hpp"
#include "credential/trust_list.hpp"
#include "domain/citizen_id.hpp"
#include "http/http_client.hpp"
#include "support/test_support.hpp"

namespace epermit::testing {

// A valid citizen ID (correct check character) for the given parts.
inline std::string MakeCitizenId(const std::string& division, const std::string& yyyymmdd, int seq) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%s%s%03d", division.c_str(), yyyymmdd.c_str(), seq);
  std::string first17(buf, 17);
  return first17 + domain::CitizenIdCheckChar(first17);
}

inline constexpr char kShanghaiEmployer[] = "91310115MA1K3BTP2B";

// Every row of the tables a request could touch, as text, to prove "nothing changed". Not the
// inbox and service standing: the push worker writes those in the background after any change
// (tests/e2e/service_applications_test.cpp checks them after draining it).
inline std::string DumpTables(const std::string& db_path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  std::string out;
  for (const char* table : {"records", "registrations", "applications", "permits", "permit_sequences", "history",
                            "credential_status", "credential_status_version", "accounts", "sessions", "consents",
                            "assists", "corrections", "service_applications"}) {
    out += std::string("## ") + table + "\n";
    sqlite3_stmt* st = nullptr;
    // sessions is a WITHOUT ROWID table, ordered by its key.
    std::string sql = std::string("SELECT * FROM ") + table +
                      (std::string(table) == "sessions" ? " ORDER BY token_hash" : " ORDER BY rowid");
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      out += "prepare failed\n";
      continue;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        if (sqlite3_column_type(st, i) == SQLITE_BLOB) {
          // Sealed fields and hashes: every byte, as hex (raw, a NUL would cut the text short
          // and a newline would look like another row).
          const auto* b = static_cast<const unsigned char*>(sqlite3_column_blob(st, i));
          static const char* kHex = "0123456789abcdef";
          out += "x'";
          for (int k = 0; k < sqlite3_column_bytes(st, i); ++k) {
            out += kHex[b[k] >> 4];
            out += kHex[b[k] & 15];
          }
          out += '\'';
        } else {
          const unsigned char* t = sqlite3_column_text(st, i);
          out += t ? reinterpret_cast<const char*>(t) : "NULL";
        }
        out += '\x1f';
      }
      out += '\n';
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

// How a test city node is set up beyond its city and date.
struct CityOptions {
  std::string key_algorithm = "EdDSA";  // keys.algorithm: "EdDSA" or "SM2"
  // Serve and trust a national trust list (signed by a test root) that names this node's
  // key and `also_trusted`; without it the node has no trust list and says "stale".
  bool trust_list = false;
  std::vector<credential::KeyInfo> also_trusted;
};

inline void WriteTextFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

// A trust list (version 1, fresh for a week from `now`) naming `keys`.
inline credential::TrustList MakeTrustList(const std::vector<credential::KeyInfo>& keys, int64_t now) {
  credential::TrustList list;
  list.version = 1;
  list.issued_at = now - 60;
  list.next_update = now + 7 * 86400;
  list.keys = keys;
  return list;
}

// Makes the node's issuer key in `keys_dir` beforehand (so the node does not make its own)
// and writes a trust list naming it and `opt.also_trusted`, signed by `root`, into
// `dir`; points `cfg` at both. Returns the node's key.
inline credential::KeyInfo PrepareTrustedNode(const TempDir& dir, const credential::Signer& root,
                                              const CityOptions& opt, int64_t now, app::Config& cfg) {
  cfg.keys_dir = dir.File("keys");
  auto store = credential::KeyStore::Open(cfg.keys_dir);
  EXPECT_TRUE(store.ok()) << store.error().message_en;
  if (!store.ok()) return {};
  auto alg = credential::SigAlgFromJose(opt.key_algorithm);
  EXPECT_TRUE(alg.ok());
  auto key = store->Generate(alg.ok() ? *alg : credential::SigAlg::kEdDSA, cfg.city, now - 86400);
  EXPECT_TRUE(key.ok()) << key.error().message_en;
  if (!key.ok()) return {};
  std::vector<credential::KeyInfo> keys = opt.also_trusted;
  keys.push_back(*key);
  auto jws = credential::SignTrustList(root, MakeTrustList(keys, now));
  EXPECT_TRUE(jws.ok()) << jws.error().message_en;
  cfg.trust_list_file = dir.File("trust-list.jwt");
  cfg.trust_root_key_file = dir.File("root.json");
  WriteTextFile(cfg.trust_list_file, jws.ok() ? *jws : "");
  WriteTextFile(cfg.trust_root_key_file, app::PublicKeyJson(root.public_key()).dump());
  return *key;
}

class CityFixture : public ::testing::Test {
 protected:
  app::Config MakeConfig(const std::string& city) {
    app::Config cfg;
    cfg.city = city;
    cfg.db_path = dir_.File("city.db");
    cfg.policies_dir = SourcePoliciesDir();
    cfg.port = 0;
    cfg.threads = 2;
    return cfg;
  }

  void SetUpCity(const std::string& city, Date today, const CityOptions& opt = {}) {
    clock_ = std::make_unique<FixedClock>(today);
    app::Config cfg = MakeConfig(city);
    cfg.key_algorithm = opt.key_algorithm;
    if (opt.trust_list) {
      root_ = credential::GenerateEd25519("root-test-1");
      city_key_ = PrepareTrustedNode(dir_, *root_, opt, clock_->UnixSeconds(), cfg);
    }
    auto created = app::App::Create(cfg, clock_.get());
    ASSERT_TRUE(created.ok()) << created.error().message_en;
    app_ = std::move(created).value();
  }

  std::string db_path() const { return dir_.File("city.db"); }

  // The bearer token of a new account of `role` (a resident bound to `citizen_id`, a
  // department client writing `kinds`), signed in through the services; staff sign in with
  // their TOTP code. The HTTP sign-in itself is tested in tests/e2e/auth_api_test.cpp.
  std::string TokenFor(domain::Role role, const std::string& citizen_id = "",
                       const std::vector<std::string>& kinds = {}) {
    return MakeAccount(role, citizen_id, kinds).token;
  }

  // One resident account per citizen ID, and one account per other role, made on first use;
  // signed in again when the test clock has run past the token's lifetime.
  std::string ResidentToken(const std::string& citizen_id) {
    return CachedToken(citizen_id, domain::Role::kResident, citizen_id, {});
  }
  std::string RoleToken(domain::Role role) {
    std::vector<std::string> kinds;
    if (role == domain::Role::kDepartment) {
      for (const char* k :
           {"person", "hukou", "social_insurance", "employment", "housing", "enrollment", "housing_fund", "income_tax",
            "education", "qualification", "honour", "violation", "family"}) {
        kinds.emplace_back(k);
      }
    }
    return CachedToken(std::string(domain::RoleName(role)), role, "", kinds);
  }

  // Headers of a JSON request signed in with `token`.
  static std::map<std::string, std::string> Bearer(const std::string& token,
                                                   const std::string& content_type = "application/json") {
    return {{"Authorization", "Bearer " + token}, {"Content-Type", content_type}};
  }

  // Whose token a test request to `path` is sent with, when the test is about the route's
  // behaviour rather than its access rules (those: tests/e2e/access_matrix_test.cpp):
  // department records as a department client, a resident's own registration or
  // application as that resident, everything else on people and permits as a reviewer of
  // this city, the policy what-if as a policy administrator; public routes with none.
  std::string TokenForPath(const std::string& method, const std::string& path, const std::string& body) {
    const std::string route = path.substr(0, path.find('?'));
    if (route == "/api/v1/records") return RoleToken(domain::Role::kDepartment);
    if (route == "/api/v1/policy/simulate") return RoleToken(domain::Role::kPolicyAdmin);
    if (method == "POST" && (route == "/api/v1/registrations" || route == "/api/v1/applications")) {
      auto parsed = nlohmann::json::parse(body, nullptr, false);
      std::string id = parsed.is_object() ? parsed.value("citizen_id", "") : "";
      if (!domain::ParseCitizenId(id, clock_->Today()).ok()) id = MakeCitizenId("110101", "19800101", 991);
      return ResidentToken(id);
    }
    const bool credentials = route.find("/qr") != std::string::npos || route.find("/credentials") != std::string::npos;
    if (credentials && route.rfind("/api/v1/permits/", 0) == 0) {
      // A holder fetches their own QR code and credentials.
      auto view = app_->permits().Get(route.substr(16, route.find('/', 16) - 16));
      if (view.ok()) return ResidentToken(view->permit.citizen_id);
    }
    if (route.rfind("/api/v1/people/", 0) == 0) {
      // A resident reads their own ledger and points; a malformed ID goes in as a reviewer's.
      const std::string id = route.substr(15, route.find('/', 15) - 15);
      if (domain::ParseCitizenId(id, clock_->Today()).ok()) return ResidentToken(id);
    }
    if (route.rfind("/api/v1/permits/", 0) == 0 || route.rfind("/api/v1/applications/", 0) == 0 ||
        route.rfind("/api/v1/people/", 0) == 0 || route == "/api/v1/review-queue") {
      return RoleToken(domain::Role::kReviewer);
    }
    return "";
  }

  // HttpCall to this node, signed in as TokenForPath says unless `headers` has its own
  // Authorization.
  ClientResponse Api(const std::string& method, const std::string& target, const std::string& body = "",
                     std::map<std::string, std::string> headers = {}) {
    if (headers.count("Authorization") == 0) {
      const std::string token = TokenForPath(method, target, body);
      if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    }
    return HttpCall(app_->port(), method, target, body, std::move(headers));
  }

  static constexpr char kTestPassword[] = "a long test password 1";

  struct TestAccount {
    std::string username;
    std::string totp_secret;
    std::string token;
    std::int64_t signed_in_at = 0;
  };

  // A new account of `role` signed in through the services; staff sign in with their TOTP
  // code. The HTTP sign-in itself is tested in tests/e2e/auth_api_test.cpp.
  TestAccount MakeAccount(domain::Role role, const std::string& citizen_id, const std::vector<std::string>& kinds) {
    const int n = ++accounts_made_;
    TestAccount account;
    account.username = std::string(domain::RoleName(role)) + "-" + std::to_string(n);
    std::replace(account.username.begin(), account.username.end(), '_', '-');
    auto added = app_->accounts().Add({account.username, role, citizen_id, kinds, "", kTestPassword}, {"test"});
    EXPECT_TRUE(added.ok()) << added.error().message_en;
    if (!added.ok()) return account;
    account.totp_secret = added->totp_secret;
    SignIn(account);
    return account;
  }

  void SignIn(TestAccount& account) {
    service::LoginInput in{account.username, kTestPassword, "", true};
    if (!account.totp_secret.empty()) in.totp_code = auth::Totp(account.totp_secret, clock_->UnixSeconds());
    // Each account signs in from its own address, so the per-address limit never trips here.
    auto login = app_->sessions().Login(in, "fixture-" + account.username);
    EXPECT_TRUE(login.ok()) << login.error().message_en;
    account.token = login.ok() ? login->token : "";
    account.signed_in_at = clock_->UnixSeconds();
  }

  std::string CachedToken(const std::string& key, domain::Role role, const std::string& citizen_id,
                          const std::vector<std::string>& kinds) {
    auto it = tokens_.find(key);
    if (it == tokens_.end()) return (tokens_[key] = MakeAccount(role, citizen_id, kinds)).token;
    // Well inside the shortest token lifetime the fixture's config gives.
    if (clock_->UnixSeconds() - it->second.signed_in_at > 600) SignIn(it->second);
    return it->second.token;
  }

  int accounts_made_ = 0;
  std::map<std::string, TestAccount> tokens_;

  TempDir dir_;
  std::unique_ptr<FixedClock> clock_;
  std::unique_ptr<app::App> app_;
  std::unique_ptr<credential::Signer> root_;  // signs the trust list (with opt.trust_list)
  credential::KeyInfo city_key_;              // the node's issuer key (with opt.trust_list)
};

}  // namespace epermit::testing
