// The transparency log end to end: a node's history becomes leaves, signed heads are
// served, inclusion and consistency proofs from the API verify against them with the RFC
// 9162 verifiers, bad proof requests are refused, and VerifyAuditLog (what `epermit audit
// verify` runs) names the entry that was altered, removed or reordered in the database.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "audit/merkle.hpp"
#include "service/audit_verifier.hpp"
#include "support/credential_fixture.hpp"

namespace epermit::testing {
namespace {

using nlohmann::json;

class AuditLogTest : public TrustedCityTest {
 protected:
  void SetUp() override { StartCity(); }

  json Get(const std::string& target, const std::string& token = "") {
    std::map<std::string, std::string> headers;
    if (!token.empty()) headers["Authorization"] = "Bearer " + token;
    ClientResponse r = HttpCall(app_->port(), "GET", target, "", headers);
    last_status_ = r.status;
    return json::parse(r.body, nullptr, false);
  }

  static std::vector<audit::Hash> Hashes(const json& list) {
    std::vector<audit::Hash> out;
    for (const auto& h : list) out.push_back(*audit::FromHex(h.get<std::string>()));
    return out;
  }

  // SQL run on the database as someone with the file would, triggers dropped first.
  void Tamper(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    const std::string all = "DROP TRIGGER IF EXISTS history_no_update; DROP TRIGGER IF EXISTS history_no_delete;" + sql;
    EXPECT_EQ(sqlite3_exec(db, all.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }

  service::AuditReport Verify() {
    auto report = service::VerifyAuditLog(app_->store(), app_->keys());
    EXPECT_TRUE(report.ok()) << report.error().message_en;
    return report.ok() ? *report : service::AuditReport{};
  }

  int last_status_ = 0;
};

TEST_F(AuditLogTest, ProofsFromTheApiVerifyAgainstTheSignedHeads) {
  auto first = app_->audit_log().PublishHead();
  ASSERT_TRUE(first.ok()) << first.error().message_en;
  ASSERT_GT(first->tree_size, 0);  // the permit issued at start is logged
  // More history: a change of the permit, then a new head.
  ClientResponse changed = Api("POST", "/api/v1/permits/" + number_ + "/changes",
                               R"({"residence":{"division_code":"310104","address":"新地址 1 号"},"reason":"moved"})",
                               {{"Content-Type", "application/json"}});
  ASSERT_EQ(changed.status, 200) << changed.body;
  auto second = app_->audit_log().PublishHead();
  ASSERT_TRUE(second.ok());
  ASSERT_GT(second->tree_size, first->tree_size);

  const json head = Get("/api/v1/audit/tree-head");
  ASSERT_EQ(last_status_, 200) << head.dump();
  EXPECT_EQ(head["tree_size"], second->tree_size);
  const audit::Hash root = *audit::FromHex(head["root_hash"].get<std::string>());
  // The signed head says the same, under the node's key.
  auto verified = credential::VerifyJws(head["signed_head"].get<std::string>(), [&](const std::string& kid) {
    for (const auto& k : app_->keys().List()) {
      if (k.kid == kid) return Result<credential::PublicKey>(k.pub);
    }
    return Result<credential::PublicKey>(MakeError(ErrorKind::kNotFound, "x", "x", "x"));
  });
  ASSERT_TRUE(verified.ok()) << verified.error().message_en;
  EXPECT_EQ(json::parse(verified->payload)["root_hash"], head["root_hash"]);

  const std::string operator_token = RoleToken(domain::Role::kOperator);
  for (int64_t i = 0; i < second->tree_size; ++i) {
    const json entry = Get("/api/v1/audit/entries/" + std::to_string(i), operator_token);
    ASSERT_EQ(last_status_, 200) << entry.dump();
    const audit::Hash leaf = audit::LeafHash(entry["entry"].get<std::string>());
    EXPECT_EQ(audit::ToHex(leaf), entry["leaf_hash"]);
    const json proof = Get("/api/v1/audit/proof/inclusion?leaf_index=" + std::to_string(i));
    ASSERT_EQ(last_status_, 200) << proof.dump();
    EXPECT_TRUE(audit::VerifyInclusion(i, second->tree_size, leaf, Hashes(proof["inclusion_path"]), root)) << i;
    EXPECT_FALSE(
        audit::VerifyInclusion(i, second->tree_size, audit::LeafHash("forged"), Hashes(proof["inclusion_path"]), root));
  }
  const json consistency = Get("/api/v1/audit/proof/consistency?first=" + std::to_string(first->tree_size));
  ASSERT_EQ(last_status_, 200) << consistency.dump();
  audit::Hash first_root{};
  std::copy_n(first->root_hash.begin(), 32, first_root.begin());
  EXPECT_TRUE(audit::VerifyConsistency(first->tree_size, second->tree_size, first_root, root,
                                       Hashes(consistency["consistency_path"])));
  EXPECT_TRUE(Verify().ok());
}

TEST_F(AuditLogTest, BadProofRequestsAreRefusedClearly) {
  ASSERT_TRUE(app_->audit_log().PublishHead().ok());
  const int64_t size = static_cast<int64_t>(app_->audit_log().size());
  const std::string operator_token = RoleToken(domain::Role::kOperator);
  const std::string before = DumpTables(db_path());
  struct Case {
    std::string target, code, field;
  };
  for (const Case& c : std::vector<Case>{
           {"/api/v1/audit/proof/inclusion", "audit.missing_parameter", "leaf_index"},
           {"/api/v1/audit/proof/inclusion?leaf_index=-1", "audit.bad_parameter", "leaf_index"},
           {"/api/v1/audit/proof/inclusion?leaf_index=1x", "audit.bad_parameter", "leaf_index"},
           {"/api/v1/audit/proof/inclusion?leaf_index=" + std::to_string(size), "audit.bad_range", "leaf_index"},
           {"/api/v1/audit/proof/inclusion?leaf_index=0&tree_size=" + std::to_string(size + 1000), "audit.bad_range",
            "tree_size"},
           {"/api/v1/audit/proof/consistency?first=0", "audit.bad_range", "first"},
           {"/api/v1/audit/proof/consistency?first=" + std::to_string(size + 1) + "&second=" + std::to_string(size),
            "audit.bad_range", "first"},
       }) {
    const json p = Get(c.target);
    EXPECT_EQ(last_status_, 422) << c.target << " " << p.dump();
    EXPECT_EQ(p.value("code", ""), c.code) << c.target;
    EXPECT_EQ(p.value("field", ""), c.field) << c.target;
  }
  Get("/api/v1/audit/entries/999999", operator_token);
  EXPECT_EQ(last_status_, 404);
  EXPECT_EQ(before, DumpTables(db_path()));
}

TEST_F(AuditLogTest, OneByteChangedIsNamed) {
  ASSERT_TRUE(app_->audit_log().PublishHead().ok());
  app_->Stop();
  Tamper("UPDATE history SET actor = actor || 'x' WHERE id = 2;");
  const auto report = Verify();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.findings[0].code, "audit.entry_altered");
  EXPECT_EQ(report.findings[0].entry, 1);
}

TEST_F(AuditLogTest, OneEntryRemovedIsNamed) {
  ASSERT_TRUE(app_->audit_log().PublishHead().ok());
  app_->Stop();
  Tamper("DELETE FROM history WHERE id = 2;");
  const auto report = Verify();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.findings[0].code, "audit.entry_removed");
  EXPECT_EQ(report.findings[0].entry, 1);
}

// The same removal with the later rows renumbered to close the gap.
TEST_F(AuditLogTest, ARemovalHiddenByRenumberingIsNamed) {
  ASSERT_TRUE(app_->audit_log().PublishHead().ok());
  app_->Stop();
  Tamper("DELETE FROM history WHERE id = 2; UPDATE history SET id = id - 1 WHERE id > 2;");
  const auto report = Verify();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.findings[0].code, "audit.entry_removed");
  EXPECT_EQ(report.findings[0].entry, 1);
}

TEST_F(AuditLogTest, TwoEntriesSwappedAreNamed) {
  ASSERT_TRUE(app_->audit_log().PublishHead().ok());
  app_->Stop();
  // Rows 1 and 2 trade places: each id now holds the other's content.
  Tamper(
      "UPDATE history SET id = -1 WHERE id = 1; UPDATE history SET id = 1 WHERE id = 2;"
      "UPDATE history SET id = 2 WHERE id = -1;");
  const auto report = Verify();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.findings[0].code, "audit.entry_reordered");
  EXPECT_EQ(report.findings[0].entry, 0);
}

// Rewriting an entry and its stored leaf together still breaks the signed head.
TEST_F(AuditLogTest, ARewrittenLeafFailsTheSignedHead) {
  ASSERT_TRUE(app_->audit_log().PublishHead().ok());
  app_->Stop();
  Tamper("DROP TRIGGER audit_leaves_no_update; UPDATE audit_leaves SET leaf_hash = zeroblob(32) WHERE leaf_index = 0;");
  const auto report = Verify();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.findings[0].code, "audit.entry_altered");  // the row no longer matches its leaf
  bool head_failed = false;
  for (const auto& f : report.findings) head_failed |= f.code == "audit.head_mismatch";
  EXPECT_TRUE(head_failed);
}

}  // namespace
}  // namespace epermit::testing
