#include "app/config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "support/test_support.hpp"

namespace epermit::app {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

TEST(ConfigTest, DefaultsFileThenEnvironment) {
  testing::TempDir dir;
  std::ofstream(dir.File("c.toml")) << "[server]\nport = 9000\nthreads = 4\n[node]\ncity = \"440300\"\n";
  auto c = LoadConfig(dir.File("c.toml"), FakeEnv({{"EPERMIT_SERVER_PORT", "9100"}}));
  ASSERT_TRUE(c.ok()) << c.error().message_en;
  EXPECT_EQ(c->port, 9100);  // environment wins
  EXPECT_EQ(c->threads, 4);
  EXPECT_EQ(c->city, "440300");
  EXPECT_EQ(c->address, "127.0.0.1");  // default
  EXPECT_EQ(c->body_limit_bytes, 1 << 20);
}

TEST(ConfigTest, MistakesAreErrorsNotDefaults) {
  testing::TempDir dir;
  std::ofstream(dir.File("typo.toml")) << "[server]\nprot = 9000\n";
  auto typo = LoadConfig(dir.File("typo.toml"), FakeEnv({}));
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message_en.find("typo.toml:2"), std::string::npos) << typo.error().message_en;
  EXPECT_NE(typo.error().message_en.find("server.prot"), std::string::npos);

  auto bad_env = LoadConfig(std::nullopt, FakeEnv({{"EPERMIT_SERVER_PORT", "eighty"}}));
  ASSERT_FALSE(bad_env.ok());
  EXPECT_NE(bad_env.error().message_en.find("EPERMIT_SERVER_PORT"), std::string::npos);

  std::ofstream(dir.File("range.toml")) << "[server]\nport = 70000\n";
  EXPECT_FALSE(LoadConfig(dir.File("range.toml"), FakeEnv({})).ok());
}

TEST(ConfigTest, PrintedDefaultsParseBackToTheDefaults) {
  testing::TempDir dir;
  std::ofstream(dir.File("d.toml")) << DefaultConfigToml();
  auto c = LoadConfig(dir.File("d.toml"), FakeEnv({}));
  ASSERT_TRUE(c.ok()) << c.error().message_en;
  Config d;
  EXPECT_EQ(c->port, d.port);
  EXPECT_EQ(c->db_path, d.db_path);
  EXPECT_EQ(c->policies_dir, DefaultPoliciesDir());
}

}  // namespace
}  // namespace epermit::app
