// CredentialService's online checks: the node's own status lists are verified once per
// signed token (not on every POST /api/v1/verify) and re-verified when a status changes.
#include <gtest/gtest.h>

#include "support/resident_builder.hpp"

namespace epermit::testing {
namespace {

class OwnStatusListTest : public CityFixture {
 protected:
  void SetUp() override {
    CityOptions opt;
    opt.trust_list = true;
    SetUpCity("310000", MakeDate(2026, 11, 15), opt);
    ResidentSpec s;
    s.citizen_id = MakeCitizenId("360426", "19900101", 61);
    AddResident(*app_, s);
    auto out = app_->applications().Apply(ApplyFor(s), {"r"});
    ASSERT_TRUE(out.ok() && out->permit);
    number_ = out->permit->number;
    index_ = out->permit->status_index;
  }
  std::string number_;
  int64_t index_ = 0;
};

TEST_F(OwnStatusListTest, VerifiedOncePerTokenAndAgainAfterAChange) {
  service::CredentialService& credentials = app_->credentials();
  const credential::TrustList* trust = app_->trust_list();
  ASSERT_NE(trust, nullptr);
  const std::string uri = credentials.StatusListUri(0);
  const int64_t now = clock_->UnixSeconds();
  auto first = credentials.OwnStatusList(uri, *trust, now);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->Get(static_cast<size_t>(index_)), 0);
  EXPECT_EQ(credentials.OwnStatusList(uri, *trust, now + 1), first);  // cached, not re-verified
  // Not ours, or not a list id: nothing.
  EXPECT_EQ(credentials.OwnStatusList("https://110000.epermit.cn/api/v1/status-lists/0", *trust, now), nullptr);
  EXPECT_EQ(credentials.OwnStatusList(credentials.public_url() + "/api/v1/status-lists/x", *trust, now), nullptr);

  ASSERT_TRUE(app_->permits().Revoke(number_, "test", {"r"}).ok());
  auto after = credentials.OwnStatusList(uri, *trust, now + 2);
  ASSERT_NE(after, nullptr);
  EXPECT_NE(after, first);
  EXPECT_EQ(after->Get(static_cast<size_t>(index_)), 1);
  // A list past its max age is re-signed and re-verified rather than served stale.
  clock_->Advance(std::chrono::hours(25));
  auto later = credentials.OwnStatusList(uri, *trust, clock_->UnixSeconds());
  ASSERT_NE(later, nullptr);
  EXPECT_NE(later, after);
  EXPECT_GT(later->iat, after->iat);
}

TEST_F(OwnStatusListTest, WithoutATrustListOnlineChecksAreStale) {
  auto qr = app_->credentials().PermitQr(number_, service::QrForm::kPhone);
  ASSERT_TRUE(qr.ok());
  EXPECT_EQ(app_->credentials().VerifyQrOnline(*qr, app_->trust_list()).code, "valid");
  credential::Verification v = app_->credentials().VerifyQrOnline(*qr, nullptr);
  EXPECT_EQ(v.verdict, credential::Verdict::kStale);
  EXPECT_EQ(v.code, "trust.missing");
  EXPECT_EQ(app_->credentials().VerifySdJwtOnline("a~b~c", "n", "a", nullptr).verification.code, "trust.missing");
}

}  // namespace
}  // namespace epermit::testing
