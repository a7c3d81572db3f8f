#include "app/config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "app/app.hpp"
#include "common/clock.hpp"
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

TEST(ConfigTest, TlsCertificateAndKey) {
  Config defaults;
  EXPECT_EQ(defaults.tls_cert, "");  // plain HTTP unless both are given
  EXPECT_EQ(defaults.tls_key, "");
  const std::string printed = DefaultConfigToml();
  EXPECT_NE(printed.find("tls_cert = \"\""), std::string::npos) << printed;
  EXPECT_NE(printed.find("EPERMIT_SERVER_TLS_KEY"), std::string::npos);

  testing::TempDir dir;
  std::ofstream(dir.File("tls.toml")) << "[server]\ntls_cert = \"/etc/epermit/chain.pem\"\ntls_key = "
                                         "\"/etc/epermit/key.pem\"\n";
  auto from_file = LoadConfig(dir.File("tls.toml"), FakeEnv({}));
  ASSERT_TRUE(from_file.ok()) << from_file.error().message_en;
  EXPECT_EQ(from_file->tls_cert, "/etc/epermit/chain.pem");
  EXPECT_EQ(from_file->tls_key, "/etc/epermit/key.pem");

  auto from_env = LoadConfig(dir.File("tls.toml"), FakeEnv({{"EPERMIT_SERVER_TLS_CERT", "/run/secrets/chain.pem"},
                                                            {"EPERMIT_SERVER_TLS_KEY", "/run/secrets/key.pem"}}));
  ASSERT_TRUE(from_env.ok()) << from_env.error().message_en;
  EXPECT_EQ(from_env->tls_cert, "/run/secrets/chain.pem");  // environment wins
  EXPECT_EQ(from_env->tls_key, "/run/secrets/key.pem");

  // One without the other is a mistake, not plain HTTP.
  auto half = LoadConfig(std::nullopt, FakeEnv({{"EPERMIT_SERVER_TLS_CERT", "/run/secrets/chain.pem"}}));
  ASSERT_FALSE(half.ok());
  EXPECT_EQ(half.error().code, "config.invalid");
  EXPECT_NE(half.error().message_en.find("server.tls_key"), std::string::npos) << half.error().message_en;
  std::ofstream(dir.File("half.toml")) << "[server]\ntls_key = \"/etc/epermit/key.pem\"\n";
  EXPECT_FALSE(LoadConfig(dir.File("half.toml"), FakeEnv({})).ok());
}

TEST(ConfigTest, NodeWithAnUnreadableCertificateDoesNotStart) {
  testing::TempDir dir;
  Config cfg;
  cfg.db_path = dir.File("c.db");
  cfg.policies_dir = testing::SourcePoliciesDir();
  cfg.port = 0;
  cfg.tls_cert = dir.File("missing-chain.pem");
  cfg.tls_key = dir.File("missing-key.pem");
  FixedClock clock(MakeDate(2026, 11, 15));
  auto node = App::Create(cfg, &clock);
  ASSERT_TRUE(node.ok()) << node.error().message_en;
  Status started = (*node)->Start();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, "server.tls_config");
  EXPECT_NE(started.error().message_en.find("missing-chain.pem"), std::string::npos) << started.error().message_en;
  EXPECT_EQ((*node)->port(), 0);
}

}  // namespace
}  // namespace epermit::app
