// A whole city node on a temp directory with a fixed clock: the real store, policies,
// services and (when started) HTTP server. Used by service and end-to-end tests.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "app/app.hpp"
#include "credential/key_store.hpp"
#include "credential/signer.hpp"
#include "credential/trust_list.hpp"
#include "domain/citizen_id.hpp"
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

// Every row of the tables a request could touch, as text, to prove "nothing changed".
inline std::string DumpTables(const std::string& db_path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  std::string out;
  for (const char* table : {"records", "registrations", "applications", "permits", "permit_sequences", "history",
                            "credential_status", "credential_status_version"}) {
    out += std::string("## ") + table + "\n";
    sqlite3_stmt* st = nullptr;
    std::string sql = std::string("SELECT * FROM ") + table + " ORDER BY rowid";
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      out += "prepare failed\n";
      continue;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        const unsigned char* t = sqlite3_column_text(st, i);
        out += t ? reinterpret_cast<const char*>(t) : "NULL";
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

  TempDir dir_;
  std::unique_ptr<FixedClock> clock_;
  std::unique_ptr<app::App> app_;
  std::unique_ptr<credential::Signer> root_;  // signs the trust list (with opt.trust_list)
  credential::KeyInfo city_key_;              // the node's issuer key (with opt.trust_list)
};

}  // namespace epermit::testing
