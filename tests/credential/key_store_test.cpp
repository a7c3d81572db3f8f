#include "credential/key_store.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include "support/test_support.hpp"

namespace epermit::credential {
namespace {

using epermit::testing::TempDir;
using ::testing::HasSubstr;

constexpr int64_t kDay = 86400;
constexpr int64_t kJan1 = 1735660800;  // 2025-01-01 00:00 China Standard Time
int64_t Day(int n) { return kJan1 + n * kDay; }

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

KeyStore OpenPlain(const std::string& dir) {
  auto store = KeyStore::Open(dir, std::nullopt);
  EXPECT_TRUE(store.ok()) << store.error().message_en;
  return std::move(store).value();
}

TEST(KeyStoreTest, GenerateWritesPrivateFilesWithOwnerOnlyPermissions) {
  TempDir tmp;
  const std::string dir = tmp.File("keys");
  KeyStore store = OpenPlain(dir);
  EXPECT_EQ(ModeOf(dir), 0700u);
  EXPECT_FALSE(store.encrypts());

  auto ed = store.Generate(SigAlg::kEdDSA, "310000", Day(0));
  ASSERT_TRUE(ed.ok()) << ed.error().message_en;
  EXPECT_TRUE(std::regex_match(ed->kid, std::regex("310000-20250101-[0-9a-f]{4}"))) << ed->kid;
  EXPECT_EQ(ed->alg, SigAlg::kEdDSA);
  EXPECT_EQ(ed->city, "310000");
  EXPECT_EQ(ed->valid_from, Day(0));
  EXPECT_FALSE(ed->valid_to.has_value());
  EXPECT_EQ(ed->pub.kid, ed->kid);
  EXPECT_EQ(ed->pub.raw.size(), 32u);
  EXPECT_EQ(ModeOf(dir + "/" + ed->kid + ".key"), 0600u);
  EXPECT_EQ(ReadFile(dir + "/" + ed->kid + ".key").size(), 32u);  // raw seed without a passphrase
  EXPECT_THAT(ReadFile(dir + "/" + ed->kid + ".json"), HasSubstr("\"alg\": \"EdDSA\""));

  // 2025-01-03 04:00 CST is still 2025-01-02 in UTC: the kid carries the China date.
  auto sm2 = store.Generate(SigAlg::kSm2Sm3, "440300", Day(2) + 4 * 3600);
  ASSERT_TRUE(sm2.ok()) << sm2.error().message_en;
  EXPECT_TRUE(std::regex_match(sm2->kid, std::regex("440300-20250103-[0-9a-f]{4}"))) << sm2->kid;
  EXPECT_EQ(sm2->pub.raw.size(), 65u);
  EXPECT_EQ(ModeOf(dir + "/" + sm2->kid + ".key"), 0600u);

  // Everything survives a reopen, oldest first.
  KeyStore again = OpenPlain(dir);
  auto list = again.List();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].kid, ed->kid);
  EXPECT_EQ(list[1].kid, sm2->kid);
  EXPECT_EQ(list[1].alg, SigAlg::kSm2Sm3);
  EXPECT_EQ(list[1].pub.raw, sm2->pub.raw);

  // The loaded signers match the published keys and sign verifiably.
  for (const auto& info : list) {
    auto signer = again.LoadSigner(info.kid);
    ASSERT_TRUE(signer.ok()) << signer.error().message_en;
    auto sig = (*signer)->Sign(AsBytes("hello"));
    ASSERT_TRUE(sig.ok());
    EXPECT_TRUE(VerifySignature(info.pub, AsBytes("hello"), *sig).ok());
  }
}

TEST(KeyStoreTest, RotationNewKeySignsFromItsDateOldKeyStillVerifies) {
  TempDir tmp;
  const std::string dir = tmp.File("keys");
  KeyStore store = OpenPlain(dir);
  EXPECT_EQ(store.ActiveSigner(Day(0)).error().code, "key_store.no_active_key");

  auto a = store.Generate(SigAlg::kEdDSA, "310000", Day(0));
  auto b = store.Generate(SigAlg::kEdDSA, "310000", Day(10));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(store.ActiveSigner(Day(0) - 1).error().code, "key_store.no_active_key");

  auto at5 = store.ActiveSigner(Day(5));
  ASSERT_TRUE(at5.ok()) << at5.error().message_en;
  EXPECT_EQ((*at5)->kid(), a->kid);
  auto sig5 = (*at5)->Sign(AsBytes("signed on day 5"));
  ASSERT_TRUE(sig5.ok());

  auto at12 = store.ActiveSigner(Day(12));
  ASSERT_TRUE(at12.ok());
  EXPECT_EQ((*at12)->kid(), b->kid);
  EXPECT_EQ(store.ActiveSigner(Day(10)).value()->kid(), b->kid);  // B signs from its first second

  // A still verifies what it signed on day 5, on day 12 and after retirement.
  auto a_at5 = store.Lookup(a->kid, Day(5));
  ASSERT_TRUE(a_at5.ok());
  EXPECT_TRUE(VerifySignature(*a_at5, AsBytes("signed on day 5"), *sig5).ok());

  ASSERT_TRUE(store.Retire(a->kid, Day(20)).ok());
  EXPECT_TRUE(store.Lookup(a->kid, Day(5)).ok());
  EXPECT_TRUE(store.Lookup(a->kid, Day(20) - 1).ok());
  EXPECT_EQ(store.Lookup(a->kid, Day(20)).error().code, "trust.key_not_valid");
  EXPECT_EQ(store.Lookup(a->kid, Day(25)).error().code, "trust.key_not_valid");
  EXPECT_EQ(store.Lookup(b->kid, Day(5)).error().code, "trust.key_not_valid");  // before B existed
  EXPECT_EQ(store.Lookup("310000-20250101-zzzz", Day(5)).error().code, "trust.unknown_issuer");

  // Retirement is persisted.
  KeyStore again = OpenPlain(dir);
  EXPECT_EQ(again.List()[0].valid_to, Day(20));
  EXPECT_EQ(again.Lookup(a->kid, Day(25)).error().code, "trust.key_not_valid");

  // Retiring B too leaves no signer after its end, but a new key takes over.
  ASSERT_TRUE(again.Retire(b->kid, Day(30)).ok());
  EXPECT_EQ(again.ActiveSigner(Day(31)).error().code, "key_store.no_active_key");
  auto c = again.Generate(SigAlg::kSm2Sm3, "310000", Day(30));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(again.ActiveSigner(Day(31)).value()->kid(), c->kid);
  EXPECT_EQ(again.ActiveSigner(Day(29)).value()->kid(), b->kid);
}

TEST(KeyStoreTest, RetireChecksItsArguments) {
  TempDir tmp;
  KeyStore store = OpenPlain(tmp.File("keys"));
  auto a = store.Generate(SigAlg::kEdDSA, "310000", Day(10));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(store.Retire("nope", Day(20)).error().code, "key_store.unknown_key");
  EXPECT_EQ(store.Retire(a->kid, Day(9)).error().code, "key_store.valid_to");
  EXPECT_EQ(store.LoadSigner("../../etc/passwd").error().code, "key_store.unknown_key");
}

TEST(KeyStoreTest, CityMustBeSafeForFileNames) {
  TempDir tmp;
  KeyStore store = OpenPlain(tmp.File("keys"));
  for (const char* city : {"", "../x", "31/00", "a b", "12345678901234567"}) {
    EXPECT_EQ(store.Generate(SigAlg::kEdDSA, city, Day(0)).error().code, "key_store.city") << city;
  }
  EXPECT_TRUE(store.List().empty());
}

TEST(KeyStoreTest, RefusesKeyFileLooserThan0600) {
  TempDir tmp;
  const std::string dir = tmp.File("keys");
  KeyStore store = OpenPlain(dir);
  auto a = store.Generate(SigAlg::kEdDSA, "310000", Day(0));
  ASSERT_TRUE(a.ok());
  const std::string key_path = dir + "/" + a->kid + ".key";

  for (mode_t loose : {0644, 0640, 0604, 0660, 0700}) {
    ASSERT_EQ(::chmod(key_path.c_str(), loose), 0);
    auto signer = store.ActiveSigner(Day(1));
    ASSERT_FALSE(signer.ok()) << std::oct << loose;
    EXPECT_EQ(signer.error().code, "key_store.permissions");
    EXPECT_THAT(signer.error().message_en, HasSubstr(key_path));
    EXPECT_THAT(signer.error().message_en, HasSubstr("looser than 0600"));
    EXPECT_THAT(signer.error().message_zh, HasSubstr("0600"));
  }
  // Stricter than 0600 is fine.
  ASSERT_EQ(::chmod(key_path.c_str(), 0400), 0);
  EXPECT_TRUE(store.ActiveSigner(Day(1)).ok());
  ASSERT_EQ(::chmod(key_path.c_str(), 0600), 0);
  EXPECT_TRUE(store.ActiveSigner(Day(1)).ok());
}

TEST(KeyStoreTest, RefusesDirectoryOthersCanAccess) {
  TempDir tmp;
  const std::string dir = tmp.File("keys");
  { KeyStore store = OpenPlain(dir); }
  ASSERT_EQ(::chmod(dir.c_str(), 0755), 0);
  auto opened = KeyStore::Open(dir, std::nullopt);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, "key_store.permissions");
  EXPECT_THAT(opened.error().message_en, HasSubstr("chmod 700"));
  ASSERT_EQ(::chmod(dir.c_str(), 0700), 0);
  EXPECT_TRUE(KeyStore::Open(dir, std::nullopt).ok());
}

TEST(KeyStoreTest, PassphraseEncryptsPrivateKeys) {
  TempDir tmp;
  const std::string dir = tmp.File("keys");
  std::string kid;
  Bytes pub;
  {
    auto store = KeyStore::Open(dir, std::string("correct horse battery staple"));
    ASSERT_TRUE(store.ok()) << store.error().message_en;
    EXPECT_TRUE(store->encrypts());
    auto info = store->Generate(SigAlg::kSm2Sm3, "110000", Day(0));
    ASSERT_TRUE(info.ok()) << info.error().message_en;
    kid = info->kid;
    pub = info->pub.raw;
    const std::string file = ReadFile(dir + "/" + kid + ".key");
    EXPECT_EQ(file.substr(0, 4), "EPK1");
    EXPECT_GT(file.size(), 32u);
    EXPECT_EQ(ModeOf(dir + "/" + kid + ".key"), 0600u);
    EXPECT_TRUE(store->ActiveSigner(Day(1)).ok());
  }
  {  // The same passphrase opens it again.
    auto store = KeyStore::Open(dir, std::string("correct horse battery staple"));
    ASSERT_TRUE(store.ok());
    auto signer = store->ActiveSigner(Day(1));
    ASSERT_TRUE(signer.ok()) << signer.error().message_en;
    EXPECT_EQ((*signer)->public_key().raw, pub);
  }
  {  // A wrong passphrase is reported at Open.
    auto store = KeyStore::Open(dir, std::string("wrong"));
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.error().code, "key_store.passphrase");
  }
  {  // Without one, public data still works but the private key does not load.
    KeyStore store = OpenPlain(dir);
    EXPECT_TRUE(store.Lookup(kid, Day(1)).ok());
    auto signer = store.ActiveSigner(Day(1));
    ASSERT_FALSE(signer.ok());
    EXPECT_EQ(signer.error().code, "key_store.passphrase");
    EXPECT_THAT(signer.error().message_en, HasSubstr(kKeyPassphraseEnv));
  }
}

TEST(KeyStoreTest, PassphraseFromEnvironment) {
  TempDir tmp;
  ASSERT_EQ(::setenv(kKeyPassphraseEnv, "from the environment", 1), 0);
  auto store = KeyStore::Open(tmp.File("keys"));
  ::unsetenv(kKeyPassphraseEnv);
  ASSERT_TRUE(store.ok()) << store.error().message_en;
  EXPECT_TRUE(store->encrypts());
  auto plain = KeyStore::Open(tmp.File("other"));
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->encrypts());
}

TEST(KeyStoreTest, SwappedOrDamagedKeyFilesRefused) {
  TempDir tmp;
  const std::string dir = tmp.File("keys");
  KeyStore store = OpenPlain(dir);
  auto a = store.Generate(SigAlg::kEdDSA, "310000", Day(0));
  auto b = store.Generate(SigAlg::kEdDSA, "310000", Day(1));
  ASSERT_TRUE(a.ok() && b.ok());
  const std::string a_key = dir + "/" + a->kid + ".key";
  const std::string b_key = dir + "/" + b->kid + ".key";
  const std::string a_secret = ReadFile(a_key);
  WriteFile(a_key, ReadFile(b_key));  // A's file now holds B's secret
  EXPECT_EQ(store.LoadSigner(a->kid).error().code, "key_store.mismatch");
  WriteFile(a_key, "short");
  EXPECT_EQ(store.LoadSigner(a->kid).error().code, "key_store.format");
  WriteFile(a_key, a_secret);
  EXPECT_TRUE(store.LoadSigner(a->kid).ok());
  std::filesystem::remove(a_key);
  EXPECT_EQ(store.LoadSigner(a->kid).error().code, "key_store.io");
  // A symlink in place of the key file is refused, not followed.
  std::filesystem::create_symlink(b_key, a_key);
  EXPECT_FALSE(store.LoadSigner(a->kid).ok());
}

TEST(KeyStoreTest, MalformedMetadataRefusedAtOpen) {
  TempDir tmp;
  const std::string dir = tmp.File("keys");
  KeyStore store = OpenPlain(dir);
  auto a = store.Generate(SigAlg::kEdDSA, "310000", Day(0));
  ASSERT_TRUE(a.ok());
  const std::string meta = dir + "/" + a->kid + ".json";
  const std::string good = ReadFile(meta);
  for (const char* bad :
       {"not json", "[]", R"({"kid":"x"})", R"({"kid":"../x","alg":"EdDSA","city":"1","valid_from":0,"x":"AAAA"})"}) {
    WriteFile(meta, bad);
    auto opened = KeyStore::Open(dir, std::nullopt);
    ASSERT_FALSE(opened.ok()) << bad;
    EXPECT_EQ(opened.error().code, "key_store.format") << bad;
  }
  WriteFile(meta, good);
  EXPECT_TRUE(KeyStore::Open(dir, std::nullopt).ok());
  // A metadata file whose name differs from its kid is refused too.
  std::filesystem::rename(meta, dir + "/other.json");
  EXPECT_EQ(KeyStore::Open(dir, std::nullopt).error().code, "key_store.format");
}

}  // namespace
}  // namespace epermit::credential
