// The data-key file that encrypts personal fields at rest (issue 5, item 7): created 0600
// when missing, refused when others can read it or when it is malformed, and the database
// opened with it keeps nobody's name or ID number in plain text.
#include "app/data_key_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/test_support.hpp"

namespace epermit::app {
namespace {

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

TEST(DataKeyFileTest, ACreatedFileIsOwnerOnlyAndReadsBackTheSameKey) {
  testing::TempDir dir;
  const std::string path = dir.File("keys/data-keys.keyring");
  auto created = LoadOrCreateDataKeys(path);
  ASSERT_TRUE(created.ok()) << created.error().message_en;
  ASSERT_EQ(created->size(), 1u);
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(ModeOf(dir.File("keys")), 0700u);
  auto loaded = LoadDataKeys(path);
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ(loaded->front().id, created->front().id);
  EXPECT_EQ(loaded->front().bytes, created->front().bytes);
  // LoadOrCreate on an existing file keeps it.
  auto again = LoadOrCreateDataKeys(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->front().id, created->front().id);
}

TEST(DataKeyFileTest, MissingReadableOrMalformedFilesAreRefusedByName) {
  testing::TempDir dir;
  auto missing = LoadDataKeys(dir.File("none.keyring"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "data_keys.missing");

  const std::string path = dir.File("k.keyring");
  ASSERT_TRUE(SaveDataKeys(path, {store::GenerateDataKey()}).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto readable = LoadDataKeys(path);
  ASSERT_FALSE(readable.ok());
  EXPECT_EQ(readable.error().code, "data_keys.permissions");
  EXPECT_NE(readable.error().message_en.find("chmod 600"), std::string::npos);

  for (
      const std::string& text :
      {std::string("not json"), std::string(R"({"format":"other","keys":[]})"),
       std::string(R"({"format":"epermit-data-keys/1","keys":[]})"),
       std::string(R"({"format":"epermit-data-keys/1","keys":[{"id":"k1","key":"c2hvcnQ="}]})"),
       std::string(
           R"({"format":"epermit-data-keys/1","keys":[{"id":"","key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}]})")}) {
    std::ofstream(path, std::ios::trunc) << text;
    ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
    auto bad = LoadDataKeys(path);
    ASSERT_FALSE(bad.ok()) << text;
    EXPECT_EQ(bad.error().code, "data_keys.invalid") << text;
  }
}

// The node's database opened through its configuration: the key file is created in the key
// directory, not in the database, and a node given another key file cannot read the rows.
TEST(DataKeyFileTest, TheNodeStoreIsSealedWithTheKeyFileOutsideTheDatabase) {
  testing::TempDir dir;
  Config cfg;
  cfg.db_path = dir.File("city.db");
  EXPECT_EQ(DataKeyFilePath(cfg), dir.File("keys/data-keys.keyring"));
  std::string key_id;
  {
    auto store = OpenNodeStore(cfg, cfg.db_path, true, 1, 1);
    ASSERT_TRUE(store.ok()) << store.error().message_en;
    key_id = (*store)->KeyId();
    EXPECT_FALSE(key_id.empty());
  }
  auto keys = LoadDataKeys(DataKeyFilePath(cfg));
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->front().id, key_id);

  Config other = cfg;
  other.data_key_file = dir.File("elsewhere/other.keyring");
  ASSERT_TRUE(LoadOrCreateDataKeys(other.data_key_file).ok());
  // A node (migrate) refuses to start; a read-only tool opens but cannot read a row.
  auto node = OpenNodeStore(other, other.db_path, true, 1, 2);
  ASSERT_FALSE(node.ok());
  EXPECT_EQ(node.error().code, "store.key_missing");
  EXPECT_NE(node.error().message_en.find(key_id), std::string::npos);
  EXPECT_NE(node.error().message_en.find(other.data_key_file), std::string::npos);
  auto tool = OpenNodeStore(other, other.db_path, false, 1, 2);
  ASSERT_TRUE(tool.ok());
  Status refused = (*tool)->Read([](store::Tx& tx) { return tx.StaleDigestCount().status(); });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "store.key_missing");
}

}  // namespace
}  // namespace epermit::app
