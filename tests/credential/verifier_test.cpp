// The offline verifier's verdicts, one per exit code, from real signed artefacts.
#include "credential/verifier.hpp"

#include <gtest/gtest.h>

#include "domain/permit_number.hpp"

namespace epermit::credential {
namespace {

constexpr int64_t kNow = 1795000000;  // 2026-11-18
const Date kToday = MakeDate(2026, 11, 18);
constexpr char kListUri[] = "https://310000.epermit.cn/api/v1/status-lists/0";

class VerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    shanghai_ = GenerateEd25519("310000-k1");
    beijing_ = GenerateEd25519("110000-k1");
    trust_.version = 1;
    trust_.issued_at = kNow - 100;
    trust_.next_update = kNow + 86400;
    trust_.keys.push_back(
        {"310000-k1", SigAlg::kEdDSA, "310000", kNow - 86400 * 30, std::nullopt, shanghai_->public_key()});
    trust_.keys.push_back(
        {"110000-k1", SigAlg::kEdDSA, "110000", kNow - 86400 * 30, std::nullopt, beijing_->public_key()});
    SetStatus(0);
  }

  void SetStatus(uint8_t status) {
    StatusList list;
    list.Set(7, status);
    auto token = list.ToToken(*shanghai_, kListUri, kNow - 60, kNow + 3600, 300);
    ASSERT_TRUE(token.ok());
    auto verified = VerifyStatusListToken(*token, AsKeyLookup(trust_, kNow), kNow, 86400);
    ASSERT_TRUE(verified.ok()) << verified.error().message_en;
    list_ = *verified;
  }

  PermitClaims Claims() {
    PermitClaims c;
    c.permit_number = domain::FormatPermitNumber("310000", 183, 1);
    c.name = "张伟";
    c.masked_citizen_id = "360426********0071";
    c.city = "310000";
    c.issue_date = "2026-11-15";
    c.endorsed_until = "2027-03-15";
    c.status_index = 7;
    c.status_list_uri = kListUri;
    c.iat = kNow - 10;
    c.exp = kNow + 86400;
    c.iss = "https://310000.epermit.cn";
    return c;
  }

  Verification Verify(const std::string& qr, bool with_status = true) {
    VerifierContext ctx{&trust_, nullptr, kNow, kToday};
    if (with_status) {
      ctx.status_list = [this](const std::string& uri) { return uri == list_.uri ? &list_ : nullptr; };
    }
    return VerifyQr(qr, ctx);
  }

  std::string Qr(const Signer& s, const PermitClaims& c) {
    auto qr = EncodeQr(s, c);
    EXPECT_TRUE(qr.ok()) << qr.error().message_en;
    return qr.ok() ? *qr : std::string();
  }

  std::unique_ptr<Signer> shanghai_, beijing_;
  TrustList trust_;
  VerifiedStatusList list_;
};

TEST_F(VerifierTest, ValidPermit) {
  Verification v = Verify(Qr(*shanghai_, Claims()));
  EXPECT_EQ(v.verdict, Verdict::kValid) << v.code << " " << v.message_en;
  EXPECT_EQ(v.exit_code(), 0);
  ASSERT_TRUE(v.claims.has_value());
  EXPECT_EQ(v.claims->name, "张伟");
  EXPECT_EQ(VerificationJson(v)["permit"]["citizen_id_masked"], "360426********0071");
}

TEST_F(VerifierTest, StatusesFromTheList) {
  const std::string qr = Qr(*shanghai_, Claims());
  SetStatus(1);
  EXPECT_EQ(Verify(qr).exit_code(), 2);
  EXPECT_EQ(Verify(qr).code, "status.revoked");
  SetStatus(3);
  EXPECT_EQ(Verify(qr).exit_code(), 2);
  EXPECT_EQ(Verify(qr).code, "status.superseded");
  SetStatus(2);
  EXPECT_EQ(Verify(qr).exit_code(), 3);
  EXPECT_EQ(Verify(qr, false).exit_code(), 6);  // no status data: cannot say valid
}

// A genuine list signed by another city, published under this permit's list URI, must not
// decide the permit's status (it could mark a revoked Shanghai permit as valid).
TEST_F(VerifierTest, AStatusListSignedByAnotherCityIsNotUsed) {
  const std::string qr = Qr(*shanghai_, Claims());
  StatusList list;  // index 7 left valid
  auto token = list.ToToken(*beijing_, kListUri, kNow - 60, kNow + 3600, 300);
  ASSERT_TRUE(token.ok());
  auto verified = VerifyStatusListToken(*token, AsKeyLookup(trust_, kNow), kNow, 86400);
  ASSERT_TRUE(verified.ok()) << verified.error().message_en;
  EXPECT_EQ(verified->kid, "110000-k1");
  list_ = *verified;
  Verification v = Verify(qr);
  EXPECT_EQ(v.exit_code(), 6) << v.code;
  EXPECT_EQ(v.code, "status.wrong_issuer");
  SetStatus(0);  // Shanghai's own list: valid again
  EXPECT_EQ(Verify(qr).exit_code(), 0);
}

TEST_F(VerifierTest, ExpiredAndLapsed) {
  PermitClaims old = Claims();
  old.exp = kNow - 1;
  EXPECT_EQ(Verify(Qr(*shanghai_, old)).exit_code(), 4);
  PermitClaims lapsed = Claims();
  lapsed.endorsed_until = "2026-11-18";
  Verification v = Verify(Qr(*shanghai_, lapsed));
  EXPECT_EQ(v.exit_code(), 3);
  EXPECT_EQ(v.code, "permit.lapsed");
}

TEST_F(VerifierTest, IssuerProblems) {
  auto stranger = GenerateEd25519("990000-k9");
  EXPECT_EQ(Verify(Qr(*stranger, Claims())).exit_code(), 5);
  // Beijing's genuine key signing a Shanghai permit number.
  Verification other_city = Verify(Qr(*beijing_, Claims()));
  EXPECT_EQ(other_city.exit_code(), 1);
  EXPECT_EQ(other_city.code, "qr.wrong_city");
  // A trusted kid with another key behind it.
  auto impostor = GenerateEd25519("310000-k1");
  EXPECT_EQ(Verify(Qr(*impostor, Claims())).exit_code(), 1);
  // A key used outside its validity.
  trust_.keys[0].valid_to = kNow - 86400;
  Verification retired = Verify(Qr(*shanghai_, Claims()));
  EXPECT_EQ(retired.exit_code(), 5) << retired.code;
}

TEST_F(VerifierTest, AnyFlippedCharacterIsNeverValid) {
  const std::string qr = Qr(*shanghai_, Claims());
  const std::string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  for (size_t i = 0; i < qr.size(); ++i) {
    std::string bad = qr;
    bad[i] = alphabet[(alphabet.find(bad[i]) + 1) % alphabet.size()];
    Verification v = Verify(bad);
    EXPECT_NE(v.verdict, Verdict::kValid) << "position " << i;
  }
}

}  // namespace
}  // namespace epermit::credential
