// Issue 3 item 8 over HTTP: after a change, an endorsement or a replacement the node hands
// out a new QR and credential carrying the new data, and the old QR and old SD-JWT stop
// verifying as valid; the verifier says why (status.superseded, or qr.expired for a phone
// QR that simply ran out).
#include <gtest/gtest.h>

#include "credential/qr_payload.hpp"
#include "support/credential_fixture.hpp"

namespace epermit::testing {
namespace {

using nlohmann::json;

constexpr char kSchool[] = "https://school.example.cn/enrolment";

class ReissueTest : public TrustedCityTest {
 protected:
  void SetUp() override { StartCity(); }

  // What the holder kept from before: both QR forms and the SD-JWT VC.
  struct Old {
    std::string phone_qr, paper_qr, sd_jwt;
  };
  Old Keep(const std::string& number) {
    Old old{QrText(number, "phone"), QrText(number, "paper"), IssueSdJwt(number)};
    EXPECT_EQ(Outcome(VerifyQrText(old.phone_qr)), "valid/valid");
    EXPECT_EQ(Outcome(VerifyQrText(old.paper_qr)), "valid/valid");
    EXPECT_EQ(Outcome(PresentAndVerify(old.sd_jwt, "before")), "valid/valid");
    return old;
  }

  json PresentAndVerify(const std::string& sd_jwt, const std::string& nonce) {
    return VerifyPresentation(Present(sd_jwt, {"resident_district", "resident_since"}, nonce, kSchool), nonce, kSchool);
  }

  void ExpectSuperseded(const Old& old) {
    for (const std::string* qr : {&old.phone_qr, &old.paper_qr}) {
      const json answer = VerifyQrText(*qr);
      EXPECT_EQ(Outcome(answer), "revoked/status.superseded") << answer.dump();
      EXPECT_EQ(answer["exit_code"], 2);
      EXPECT_NE(answer["message_en"].get<std::string>().find("newer credentials"), std::string::npos);
    }
    const json sd = PresentAndVerify(old.sd_jwt, "after");
    EXPECT_EQ(Outcome(sd), "revoked/status.superseded") << sd.dump();
    EXPECT_EQ(sd["exit_code"], 2);
  }

  static credential::PermitClaims Peek(const std::string& qr) {
    auto c = credential::PeekQrClaims(qr);
    EXPECT_TRUE(c.ok());
    return c.ok() ? *c : credential::PermitClaims{};
  }
};

TEST_F(ReissueTest, ChangeIssuesNewCredentialsAndSupersedesTheOld) {
  const Old old = Keep(number_);
  ClientResponse changed = Post("/api/v1/permits/" + number_ + "/changes",
                                {{"name", "张大伟"},
                                 {"residence", {{"division_code", "310104"}, {"address", "漕溪北路2号"}}},
                                 {"reason", "更名并搬家"}});
  ASSERT_EQ(changed.status, 200) << changed.body;

  ExpectSuperseded(old);

  const std::string fresh = QrText(number_);
  EXPECT_NE(fresh, old.phone_qr);
  EXPECT_NE(Peek(fresh).status_index, Peek(old.phone_qr).status_index);
  const json answer = VerifyQrText(fresh);
  EXPECT_EQ(Outcome(answer), "valid/valid") << answer.dump();
  EXPECT_EQ(answer["permit"]["name"], "张大伟");
  EXPECT_EQ(answer["permit"]["number"], number_);  // a change keeps the number
  const json sd = PresentAndVerify(IssueSdJwt(number_), "new");
  EXPECT_EQ(Outcome(sd), "valid/valid") << sd.dump();
  EXPECT_EQ(sd["disclosed"]["resident_district"]["code"], "310104");
}

TEST_F(ReissueTest, EndorsementIssuesNewCredentialsAndSupersedesTheOld) {
  clock_->Set(MakeDate(2027, 2, 20));  // inside the month before the 2027-03-15 anniversary
  const Old old = Keep(number_);
  EXPECT_EQ(Peek(old.paper_qr).endorsed_until, "2027-03-15");
  ClientResponse endorsed = Post("/api/v1/permits/" + number_ + "/endorsements", json::object());
  ASSERT_EQ(endorsed.status, 200) << endorsed.body;

  // The printed QR would otherwise stay valid until 2027-03-15 showing the old date.
  ExpectSuperseded(old);

  const std::string paper = QrText(number_, "paper");
  EXPECT_EQ(Peek(paper).endorsed_until, "2028-03-15");
  EXPECT_EQ(Outcome(VerifyQrText(paper)), "valid/valid");
  EXPECT_EQ(Outcome(VerifyQrText(QrText(number_))), "valid/valid");
  EXPECT_EQ(Outcome(PresentAndVerify(IssueSdJwt(number_), "new")), "valid/valid");
}

TEST_F(ReissueTest, ReplacementIssuesANewNumberAndSupersedesTheOld) {
  const Old old = Keep(number_);
  ClientResponse replaced = Post("/api/v1/permits/" + number_ + "/replacements", {{"reason", "lost"}});
  ASSERT_EQ(replaced.status, 201) << replaced.body;
  const std::string new_number = replaced.Json()["permit"]["number"];
  ASSERT_NE(new_number, number_);
  EXPECT_EQ(replaced.Json()["permit"]["version"], 2);

  ExpectSuperseded(old);
  // The replaced number gets no fresh credentials.
  EXPECT_EQ(Api("GET", "/api/v1/permits/" + number_ + "/qr?format=text").status, 409);

  const json answer = VerifyQrText(QrText(new_number));
  EXPECT_EQ(Outcome(answer), "valid/valid") << answer.dump();
  EXPECT_EQ(answer["permit"]["number"], new_number);
  EXPECT_EQ(Outcome(PresentAndVerify(IssueSdJwt(new_number), "new")), "valid/valid");
}

TEST_F(ReissueTest, UnchangedPhoneQrRunsOutAndTheVerifierSaysSo) {
  const std::string phone = QrText(number_);
  const std::string paper = QrText(number_, "paper");
  clock_->Advance(std::chrono::hours(25));
  EXPECT_EQ(Outcome(VerifyQrText(phone)), "expired/qr.expired");
  EXPECT_EQ(Outcome(VerifyQrText(paper)), "valid/valid");  // the printed one lives until the anniversary
  EXPECT_EQ(Outcome(VerifyQrText(QrText(number_))), "valid/valid");
}

}  // namespace
}  // namespace epermit::testing
