// A city configured with keys.algorithm = "SM2" (国密) end to end: its QRs are COSE_Sign1
// with the private-use alg -65600 (SM2 over SM3), its SD-JWT VCs and status lists are JWS
// "SM2"; they verify online and in the library verifier with a trust list naming that SM2
// key, and not with a list that names only an Ed25519 city.
#include <gtest/gtest.h>

#include "credential/cose.hpp"
#include "credential/qr_payload.hpp"
#include "credential/verifier.hpp"
#include "support/credential_fixture.hpp"

namespace epermit::testing {
namespace {

using nlohmann::json;

class Sm2CityTest : public TrustedCityTest {
 protected:
  void SetUp() override {
    CityOptions opt;
    opt.key_algorithm = "SM2";
    StartCity(opt);
  }
};

TEST_F(Sm2CityTest, QrIsSignedWithSm2AndVerifiesOnline) {
  ASSERT_EQ(city_key_.alg, credential::SigAlg::kSm2Sm3);
  const std::string qr = QrText(number_);
  ASSERT_EQ(qr.rfind("JZZ1:", 0), 0u);
  EXPECT_LE(qr.size(), credential::kQrTextBudget);
  auto cose = credential::CoseFromQrText(qr);
  ASSERT_TRUE(cose.ok());
  auto parsed = credential::ParseCoseSign1(*cose);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message_en;
  EXPECT_EQ(parsed->alg, credential::SigAlg::kSm2Sm3);
  EXPECT_EQ(credential::CoseAlg(parsed->alg), -65600);
  EXPECT_EQ(parsed->kid, city_key_.kid);
  EXPECT_EQ(parsed->signature.size(), 64u);

  const json answer = VerifyQrText(qr);
  EXPECT_EQ(Outcome(answer), "valid/valid") << answer.dump();
  EXPECT_EQ(answer["kid"], city_key_.kid);
  // The paper form too, and a revocation shows through the SM2-signed status list.
  EXPECT_EQ(Outcome(VerifyQrText(QrText(number_, "paper"))), "valid/valid");
  ASSERT_TRUE(app_->permits().Revoke(number_, "test", {"r"}).ok());
  EXPECT_EQ(Outcome(VerifyQrText(qr)), "revoked/status.revoked");
}

TEST_F(Sm2CityTest, SdJwtIsSignedWithSm2AndVerifiesOnline) {
  const std::string sd = IssueSdJwt(number_);
  auto header = credential::Base64UrlDecode(sd.substr(0, sd.find('.')));
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(json::parse(std::string(header->begin(), header->end()))["alg"], "SM2");
  const std::string presented = Present(sd, {"resident_district", "resident_since"}, "n-1", "school");
  const json answer = VerifyPresentation(presented, "n-1", "school");
  EXPECT_EQ(Outcome(answer), "valid/valid") << answer.dump();
  EXPECT_EQ(answer["disclosed"].size(), 2u);
}

TEST_F(Sm2CityTest, LibraryVerifierWithATrustListNamingTheSm2Key) {
  const std::string qr = QrText(number_);
  const int64_t now = clock_->UnixSeconds();
  auto status_token = app_->credentials().StatusListToken(0);
  ASSERT_TRUE(status_token.ok());

  auto verify_with = [&](const credential::TrustList& trust) {
    auto list = credential::VerifyStatusListToken(*status_token, credential::AsKeyLookup(trust, now), now, 86400);
    credential::VerifierContext ctx{&trust,
                                    [&](const std::string& uri) -> const credential::VerifiedStatusList* {
                                      return list.ok() && list->uri == uri ? &*list : nullptr;
                                    },
                                    now, clock_->Today()};
    return credential::VerifyQr(qr, ctx);
  };
  // The list this node serves (root-signed, naming the SM2 key) as a verifier fetches it.
  ClientResponse served = Api("GET", "/.well-known/epermit-trust-list");
  ASSERT_EQ(served.status, 200);
  auto trust = credential::VerifyTrustList(served.body, root_->public_key(), now, 30 * 86400);
  ASSERT_TRUE(trust.ok()) << trust.error().message_en;
  credential::Verification v = verify_with(*trust);
  EXPECT_EQ(v.verdict, credential::Verdict::kValid) << v.code;

  // A list naming only an Ed25519 city (another city's key) does not make it valid.
  auto guangzhou = credential::GenerateEd25519("440100-20261101-0001");
  const credential::TrustList ed_only = MakeTrustList(
      {{guangzhou->kid(), credential::SigAlg::kEdDSA, "440100", now - 86400, std::nullopt, guangzhou->public_key()}},
      now);
  v = verify_with(ed_only);
  EXPECT_EQ(v.verdict, credential::Verdict::kUnknownIssuer);
  EXPECT_EQ(v.code, "trust.unknown_issuer");
  // Nor one that lists this kid as an Ed25519 key: the list's algorithm is binding.
  credential::KeyInfo as_ed = city_key_;
  as_ed.alg = credential::SigAlg::kEdDSA;
  as_ed.pub = credential::GenerateEd25519(city_key_.kid)->public_key();
  v = verify_with(MakeTrustList({as_ed}, now));
  EXPECT_EQ(v.verdict, credential::Verdict::kForged);
  EXPECT_EQ(v.code, "cose.alg");
}

TEST_F(Sm2CityTest, AnEd25519CitysNodeDoesNotAcceptIt) {
  const std::string qr = QrText(number_);
  // A Guangzhou node (Ed25519) whose trust list names only its own key.
  TempDir other_dir;
  app::Config cfg = MakeConfig("440100");
  cfg.db_path = other_dir.File("city.db");
  auto other_root = credential::GenerateEd25519("root-440100");
  const credential::KeyInfo key = PrepareTrustedNode(other_dir, *other_root, {}, clock_->UnixSeconds(), cfg);
  ASSERT_EQ(key.alg, credential::SigAlg::kEdDSA);
  auto other = app::App::Create(cfg, clock_.get());
  ASSERT_TRUE(other.ok()) << other.error().message_en;
  ASSERT_TRUE((*other)->Start().ok());
  ClientResponse r = HttpCall((*other)->port(), "POST", "/api/v1/verify", json{{"qr", qr}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Outcome(r.Json()), "unknown_issuer/trust.unknown_issuer");
  (*other)->Stop();
}

}  // namespace
}  // namespace epermit::testing
