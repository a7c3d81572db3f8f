// A whole city node on a temp directory with a fixed clock: the real store, policies,
// services and (when started) HTTP server. Used by service and end-to-end tests.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <string>

#include "app/app.hpp"
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

class CityFixture : public ::testing::Test {
 protected:
  void SetUpCity(const std::string& city, Date today) {
    clock_ = std::make_unique<FixedClock>(today);
    app::Config cfg;
    cfg.city = city;
    cfg.db_path = dir_.File("city.db");
    cfg.policies_dir = SourcePoliciesDir();
    cfg.port = 0;
    cfg.threads = 2;
    auto created = app::App::Create(cfg, clock_.get());
    ASSERT_TRUE(created.ok()) << created.error().message_en;
    app_ = std::move(created).value();
  }

  std::string db_path() const { return dir_.File("city.db"); }

  TempDir dir_;
  std::unique_ptr<FixedClock> clock_;
  std::unique_ptr<app::App> app_;
};

}  // namespace epermit::testing
