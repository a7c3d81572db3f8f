#include "credential/trust_list.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "credential/sm2_signer.hpp"
#include "support/test_support.hpp"

namespace epermit::credential {
namespace {

using epermit::testing::TempDir;
using nlohmann::json;

constexpr int64_t kDay = 86400;
constexpr int64_t kJan1 = 1767196800;  // 2026-01-01 00:00 China Standard Time
int64_t Day(int n) { return kJan1 + n * kDay; }

TrustedKey KeyOf(const Signer& s, const std::string& city, int64_t from, std::optional<int64_t> to = std::nullopt) {
  return TrustedKey{s.kid(), s.alg(), city, from, to, s.public_key()};
}

// Splits a compact JWS and rebuilds it with a different payload but the old signature.
std::string WithPayload(const std::string& jws, const json& payload) {
  const size_t dot1 = jws.find('.');
  const size_t dot2 = jws.find('.', dot1 + 1);
  return jws.substr(0, dot1 + 1) + Base64UrlEncode(std::string_view(payload.dump())) + jws.substr(dot2);
}

json PayloadOf(const std::string& jws) {
  const size_t dot1 = jws.find('.');
  const size_t dot2 = jws.find('.', dot1 + 1);
  return json::parse(*Base64UrlDecode(jws.substr(dot1 + 1, dot2 - dot1 - 1)));
}

class TrustListTest : public ::testing::Test {
 protected:
  TrustListTest()
      : root_(GenerateEd25519("cn-root-2026")),
        shanghai_(GenerateEd25519("310000-20260101-0001")),
        shenzhen_(GenerateSm2("440300-20260101-0002")) {
    list_.version = 3;
    list_.issued_at = Day(1);
    list_.next_update = Day(8);
    list_.keys = {KeyOf(*shanghai_, "310000", Day(0)), KeyOf(*shenzhen_, "440300", Day(0), Day(30))};
  }

  std::unique_ptr<Signer> root_;
  std::unique_ptr<Signer> shanghai_;
  std::unique_ptr<Signer> shenzhen_;
  TrustList list_;
};

TEST_F(TrustListTest, SignVerifyRoundTrip) {
  auto jws = SignTrustList(*root_, list_);
  ASSERT_TRUE(jws.ok()) << jws.error().message_en;
  auto v = VerifyTrustList(*jws, root_->public_key(), Day(2), 7 * kDay);
  ASSERT_TRUE(v.ok()) << v.error().message_en;
  EXPECT_EQ(v->version, 3);
  EXPECT_EQ(v->issued_at, Day(1));
  EXPECT_EQ(v->next_update, Day(8));
  ASSERT_EQ(v->keys.size(), 2u);
  const TrustedKey* sz = v->Find(shenzhen_->kid());
  ASSERT_NE(sz, nullptr);
  EXPECT_EQ(sz->city, "440300");
  EXPECT_EQ(sz->alg, SigAlg::kSm2Sm3);
  EXPECT_EQ(sz->valid_to, Day(30));
  EXPECT_EQ(sz->pub.raw, shenzhen_->public_key().raw);
  EXPECT_EQ(v->Find(shanghai_->kid())->valid_to, std::nullopt);
  EXPECT_EQ(v->Find("nobody"), nullptr);

  const json payload = PayloadOf(*jws);
  EXPECT_EQ(payload["keys"][0]["alg"], "EdDSA");
  EXPECT_EQ(payload["keys"][1]["alg"], "SM2");
  EXPECT_FALSE(payload["keys"][0].contains("valid_to"));

  // Credentials of both cities verify through the list, each with its own algorithm.
  for (const Signer* issuer : {shanghai_.get(), shenzhen_.get()}) {
    auto credential = SignJws(*issuer, "test+jwt", R"({"permit":"x"})");
    ASSERT_TRUE(credential.ok());
    EXPECT_TRUE(VerifyJws(*credential, AsKeyLookup(*v, Day(2))).ok()) << issuer->kid();
  }
}

TEST_F(TrustListTest, LookupChecksValidity) {
  EXPECT_TRUE(list_.Lookup(shenzhen_->kid(), Day(0)).ok());
  EXPECT_TRUE(list_.Lookup(shenzhen_->kid(), Day(30) - 1).ok());
  EXPECT_EQ(list_.Lookup(shenzhen_->kid(), Day(30)).error().code, "trust.key_not_valid");
  EXPECT_EQ(list_.Lookup(shenzhen_->kid(), Day(0) - 1).error().code, "trust.key_not_valid");
  EXPECT_EQ(list_.Lookup("110000-20260101-ffff", Day(1)).error().code, "trust.unknown_issuer");
  auto credential = SignJws(*shenzhen_, "test+jwt", "{}");
  ASSERT_TRUE(credential.ok());
  EXPECT_EQ(VerifyJws(*credential, AsKeyLookup(list_, Day(31))).error().code, "trust.key_not_valid");
  auto stranger = GenerateEd25519("110000-20260101-ffff");
  auto unknown = SignJws(*stranger, "test+jwt", "{}");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(VerifyJws(*unknown, AsKeyLookup(list_, Day(1))).error().code, "trust.unknown_issuer");
}

TEST_F(TrustListTest, ForgedListsRefused) {
  // Signed by another key claiming the root's kid.
  auto impostor = GenerateEd25519(root_->kid());
  auto forged = SignTrustList(*impostor, list_);
  ASSERT_TRUE(forged.ok());
  EXPECT_EQ(VerifyTrustList(*forged, root_->public_key(), Day(2), 7 * kDay).error().code, "trust.forged");

  // Signed by another key under its own kid (a city key, say).
  auto by_city = SignTrustList(*shanghai_, list_);
  ASSERT_TRUE(by_city.ok());
  auto refused = VerifyTrustList(*by_city, root_->public_key(), Day(2), 7 * kDay);
  EXPECT_EQ(refused.error().code, "trust.forged");
  EXPECT_THAT(refused.error().message_en, ::testing::HasSubstr(shanghai_->kid()));

  // A key added after signing, the root's signature kept.
  auto genuine = SignTrustList(*root_, list_);
  ASSERT_TRUE(genuine.ok());
  json payload = PayloadOf(*genuine);
  auto rogue = GenerateEd25519("310000-20260101-6666");
  payload["keys"].push_back({{"kid", rogue->kid()},
                             {"alg", "EdDSA"},
                             {"city", "310000"},
                             {"x", Base64UrlEncode(rogue->public_key().raw)},
                             {"valid_from", Day(0)}});
  EXPECT_EQ(VerifyTrustList(WithPayload(*genuine, payload), root_->public_key(), Day(2), 7 * kDay).error().code,
            "trust.forged");
  // A validity extended after signing.
  payload = PayloadOf(*genuine);
  payload["keys"][1].erase("valid_to");
  EXPECT_EQ(VerifyTrustList(WithPayload(*genuine, payload), root_->public_key(), Day(2), 7 * kDay).error().code,
            "trust.forged");
  // The header switched to another algorithm.
  const std::string sm2_header =
      Base64UrlEncode(std::string_view(R"({"alg":"SM2","kid":"cn-root-2026","typ":"epermit-trust-list+jwt"})"));
  EXPECT_EQ(VerifyTrustList(sm2_header + genuine->substr(genuine->find('.')), root_->public_key(), Day(2), 7 * kDay)
                .error()
                .code,
            "trust.forged");
  // alg "none" with no signature.
  const std::string none = Base64UrlEncode(std::string_view(R"({"alg":"none","kid":"cn-root-2026"})")) + "." +
                           Base64UrlEncode(std::string_view(payload.dump())) + ".";
  EXPECT_EQ(VerifyTrustList(none, root_->public_key(), Day(2), 7 * kDay).error().code, "trust.forged");
  // The genuine list still verifies.
  EXPECT_TRUE(VerifyTrustList(*genuine, root_->public_key(), Day(2), 7 * kDay).ok());
}

TEST_F(TrustListTest, Sm2RootWorks) {
  auto root = GenerateSm2("cn-root-sm2");
  auto jws = SignTrustList(*root, list_);
  ASSERT_TRUE(jws.ok());
  EXPECT_TRUE(VerifyTrustList(*jws, root->public_key(), Day(2), 7 * kDay).ok());
  EXPECT_EQ(VerifyTrustList(*jws, root_->public_key(), Day(2), 7 * kDay).error().code, "trust.forged");
}

TEST_F(TrustListTest, StaleListRefused) {
  auto jws = SignTrustList(*root_, list_);
  ASSERT_TRUE(jws.ok());
  EXPECT_TRUE(VerifyTrustList(*jws, root_->public_key(), Day(8) - 1, 7 * kDay).ok());
  EXPECT_EQ(VerifyTrustList(*jws, root_->public_key(), Day(8), 30 * kDay).error().code, "trust.stale");
  // A verifier whose policy is "no older than 2 days" refuses it on day 4.
  EXPECT_TRUE(VerifyTrustList(*jws, root_->public_key(), Day(3), 2 * kDay).ok());
  EXPECT_EQ(VerifyTrustList(*jws, root_->public_key(), Day(3) + 1, 2 * kDay).error().code, "trust.stale");
  EXPECT_EQ(VerifyTrustList(*jws, root_->public_key(), Day(0), 7 * kDay).error().code, "trust.format");  // future
}

TEST_F(TrustListTest, MalformedListsRefused) {
  auto code_of = [&](const json& payload, std::string_view typ = kTrustListTyp) {
    auto jws = SignJws(*root_, typ, payload.dump());
    EXPECT_TRUE(jws.ok());
    auto v = VerifyTrustList(*jws, root_->public_key(), Day(2), 7 * kDay);
    return v.ok() ? std::string("ok") : v.error().code;
  };
  const json good = PayloadOf(*SignTrustList(*root_, list_));
  EXPECT_EQ(code_of(good), "ok");
  EXPECT_EQ(code_of(good, "statuslist+jwt"), "trust.format");  // a root-signed document of another kind
  EXPECT_EQ(code_of(json::array()), "trust.format");
  for (const char* member : {"version", "issued_at", "next_update", "keys"}) {
    json p = good;
    p.erase(member);
    EXPECT_EQ(code_of(p), "trust.format") << member;
  }
  for (const char* member : {"kid", "alg", "city", "x", "valid_from"}) {
    json p = good;
    p["keys"][0].erase(member);
    EXPECT_EQ(code_of(p), "trust.format") << member;
  }
  json p = good;
  p["keys"][0]["alg"] = "ES256";
  EXPECT_EQ(code_of(p), "trust.format");
  p = good;
  p["keys"][1]["x"] = Base64UrlEncode(shanghai_->public_key().raw);  // 32 bytes for an SM2 key
  EXPECT_EQ(code_of(p), "trust.format");
  p = good;
  p["keys"][0]["x"] = "***";
  EXPECT_EQ(code_of(p), "trust.format");
  p = good;
  p["keys"].push_back(good["keys"][0]);  // duplicate kid
  EXPECT_EQ(code_of(p), "trust.format");
  p = good;
  p["keys"][1]["valid_to"] = Day(0) - 1;
  EXPECT_EQ(code_of(p), "trust.format");
  p = good;
  p["keys"][0]["valid_from"] = "yesterday";
  EXPECT_EQ(code_of(p), "trust.format");
  p = good;
  p["keys"] = json::array({42});
  EXPECT_EQ(code_of(p), "trust.format");
  EXPECT_EQ(VerifyTrustList("a.b", root_->public_key(), Day(2), 7 * kDay).error().code, "trust.format");
  EXPECT_EQ(VerifyTrustList("", root_->public_key(), Day(2), 7 * kDay).error().code, "trust.format");

  // The signer refuses what the verifier would refuse.
  TrustList dup = list_;
  dup.keys.push_back(dup.keys[0]);
  EXPECT_EQ(SignTrustList(*root_, dup).error().code, "trust.format");
  TrustList backwards = list_;
  backwards.next_update = backwards.issued_at;
  EXPECT_EQ(SignTrustList(*root_, backwards).error().code, "trust.format");
  TrustList wrong_alg = list_;
  wrong_alg.keys[0].alg = SigAlg::kSm2Sm3;  // an Ed25519 key labelled SM2
  EXPECT_EQ(SignTrustList(*root_, wrong_alg).error().code, "trust.format");
}

// The rotation story end to end: a city's key store, its keys published in the national
// list, and a verifier that only has the list.
TEST(TrustListRotationTest, OldKeyVerifiesWhatItSignedNewKeySignsFromItsDate) {
  TempDir tmp;
  auto store = KeyStore::Open(tmp.File("keys"), std::nullopt);
  ASSERT_TRUE(store.ok());
  auto a = store->Generate(SigAlg::kEdDSA, "310000", Day(0));
  auto b = store->Generate(SigAlg::kSm2Sm3, "310000", Day(10));
  ASSERT_TRUE(a.ok() && b.ok());

  auto signer_day5 = store->ActiveSigner(Day(5));
  ASSERT_TRUE(signer_day5.ok());
  ASSERT_EQ((*signer_day5)->kid(), a->kid);
  auto signed_day5 = SignJws(**signer_day5, "test+jwt", R"({"iat_day":5})");
  ASSERT_TRUE(signed_day5.ok());

  auto signer_day12 = store->ActiveSigner(Day(12));
  ASSERT_TRUE(signer_day12.ok());
  EXPECT_EQ((*signer_day12)->kid(), b->kid);
  auto signed_day12 = SignJws(**signer_day12, "test+jwt", R"({"iat_day":12})");
  ASSERT_TRUE(signed_day12.ok());

  ASSERT_TRUE(store->Retire(a->kid, Day(20)).ok());
  auto root = GenerateEd25519("cn-root");
  TrustList list{7, Day(21), Day(28), store->List()};
  auto published = SignTrustList(*root, list);
  ASSERT_TRUE(published.ok());
  auto cached = VerifyTrustList(*published, root->public_key(), Day(22), 7 * kDay);
  ASSERT_TRUE(cached.ok()) << cached.error().message_en;
  EXPECT_EQ(cached->Find(a->kid)->valid_to, Day(20));

  // A still verifies its day-5 signature; B its day-12 one.
  EXPECT_TRUE(VerifyJws(*signed_day5, AsKeyLookup(*cached, Day(5))).ok());
  EXPECT_TRUE(VerifyJws(*signed_day12, AsKeyLookup(*cached, Day(12))).ok());
  // But A is no longer valid for anything claimed after its retirement.
  EXPECT_EQ(cached->Lookup(a->kid, Day(25)).error().code, "trust.key_not_valid");
  EXPECT_EQ(VerifyJws(*signed_day5, AsKeyLookup(*cached, Day(25))).error().code, "trust.key_not_valid");
  // The store and the list agree.
  EXPECT_EQ(store->Lookup(a->kid, Day(25)).error().code, "trust.key_not_valid");
  EXPECT_TRUE(store->Lookup(a->kid, Day(5)).ok());
}

}  // namespace
}  // namespace epermit::credential
