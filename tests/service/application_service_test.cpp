// Permit application and automatic review, on the real store and shipped policies.
#include <gtest/gtest.h>

#include "domain/permit_number.hpp"
#include "support/resident_builder.hpp"

namespace epermit::testing {
namespace {

using domain::ApplicationStatus;
using nlohmann::json;

json RuleById(const domain::Application& app, const std::string& id) {
  json d = json::parse(app.decision_json);
  for (const json& r : d["rules"]) {
    if (r["id"] == id) return r;
  }
  return json();
}

std::vector<std::string> MissingCodes(const domain::Application& app) {
  std::vector<std::string> out;
  const json decision = json::parse(app.decision_json);
  for (const json& m : decision["missing"]) out.push_back(m["code"]);
  return out;
}

class ShanghaiTest : public CityFixture {
 protected:
  void SetUp() override { SetUpCity("310000", MakeDate(2026, 11, 15)); }
  ResidentSpec Spec(int seq) {
    ResidentSpec s;
    s.citizen_id = MakeCitizenId("360426", "19900101", seq);
    return s;
  }
};

TEST_F(ShanghaiTest, CleanCaseIsApprovedAndIssuedInTheSameRequest) {
  ResidentSpec s = Spec(11);
  AddResident(*app_, s);
  auto out = app_->applications().Apply(ApplyFor(s), {"resident"});
  ASSERT_TRUE(out.ok()) << out.error().message_en;
  EXPECT_EQ(out->application.status, ApplicationStatus::kApproved);
  ASSERT_TRUE(out->permit.has_value());
  const domain::Permit& p = *out->permit;
  EXPECT_TRUE(domain::ParsePermitNumber(p.number).ok());
  EXPECT_EQ(out->application.permit_number, p.number);
  EXPECT_EQ(p.name, "张伟");
  EXPECT_EQ(p.sex, domain::Sex::kMale);
  EXPECT_EQ(p.ethnicity, "汉");
  EXPECT_EQ(FormatIsoDate(p.birth_date), "1990-01-01");
  EXPECT_EQ(p.issuing_authority, "上海市公安局黄浦分局");
  EXPECT_EQ(p.residence_address, "上海市黄浦区人民路1号");
  EXPECT_NE(p.hukou_address.find("德安县宝塔乡1号"), std::string::npos) << p.hukou_address;
  EXPECT_EQ(FormatIsoDate(p.issue_date), "2026-11-15");
  EXPECT_EQ(FormatIsoDate(p.residence_since), "2026-03-15");
  EXPECT_EQ(FormatIsoDate(p.endorsed_until), "2027-03-15");
  for (const char* rule : {"identity", "away_from_hukou", "residence_duration", "stable_basis", "social_insurance"}) {
    EXPECT_EQ(RuleById(out->application, rule)["status"], "passed") << rule;
  }
  EXPECT_TRUE(MissingCodes(out->application).empty());
  // The decision names the department records it relied on.
  EXPECT_FALSE(RuleById(out->application, "social_insurance")["records_used"].empty());
}

TEST_F(ShanghaiTest, EveryMissingItemIsListedAtOnce) {
  ResidentSpec s = Spec(13);
  s.registered_months_ago = 4;
  s.si_months = 3;
  s.hukou_record = false;
  AddResident(*app_, s);
  const std::string before = DumpTables(db_path());
  auto out = app_->applications().Apply(ApplyFor(s), {"resident"});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->application.status, ApplicationStatus::kRejected);
  EXPECT_FALSE(out->permit.has_value());
  auto codes = MissingCodes(out->application);
  EXPECT_EQ(codes, (std::vector<std::string>{"hukou_booklet", "residence_months", "social_insurance_months"}));
  EXPECT_EQ(RuleById(out->application, "residence_duration")["status"], "failed");
  EXPECT_NE(RuleById(out->application, "residence_duration")["detail_en"].get<std::string>().find("2027-01-15"),
            std::string::npos);
  EXPECT_EQ(RuleById(out->application, "away_from_hukou")["status"], "not_decidable");
  EXPECT_NE(before, DumpTables(db_path()));  // the rejected application itself is kept
}

TEST_F(ShanghaiTest, BackPaymentsAndMissingCurrentMonthDoNotCount) {
  ResidentSpec back = Spec(15);
  back.si_back_payment = true;
  AddResident(*app_, back);
  auto a = app_->applications().Apply(ApplyFor(back), {"r"});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->application.status, ApplicationStatus::kRejected);
  EXPECT_EQ(RuleById(a->application, "social_insurance")["status"], "failed");

  ResidentSpec stale = Spec(17);
  stale.si_skip_last = 1;  // paid the previous 8 months but not this month
  AddResident(*app_, stale);
  auto b = app_->applications().Apply(ApplyFor(stale), {"r"});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->application.status, ApplicationStatus::kRejected);
  EXPECT_NE(
      RuleById(b->application, "social_insurance")["detail_en"].get<std::string>().find("no contribution in 2026-11"),
      std::string::npos);

  ResidentSpec flexible = Spec(19);
  flexible.si_scheme = "flexible";  // Shanghai counts only employee insurance
  AddResident(*app_, flexible);
  auto c = app_->applications().Apply(ApplyFor(flexible), {"r"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->application.status, ApplicationStatus::kRejected);
}

TEST_F(ShanghaiTest, HukouInTheSameCityIsRefused) {
  ResidentSpec s = Spec(21);
  s.hukou_division = "310104";
  AddResident(*app_, s);
  auto out = app_->applications().Apply(ApplyFor(s), {"r"});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->application.status, ApplicationStatus::kRejected);
  EXPECT_EQ(RuleById(out->application, "away_from_hukou")["status"], "failed");
}

TEST_F(ShanghaiTest, UndecidableCaseQueuesWithDeadlineAndReviewerDecides) {
  ResidentSpec s = Spec(23);
  s.employment_record = false;
  s.housing_record = false;
  AddResident(*app_, s);
  auto out = app_->applications().Apply(ApplyFor(s), {"r"});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->application.status, ApplicationStatus::kPendingReview);
  ASSERT_TRUE(out->application.review_deadline.has_value());
  EXPECT_EQ(FormatIsoDate(*out->application.review_deadline), "2026-11-30");
  EXPECT_EQ(MissingCodes(out->application), std::vector<std::string>{"employment_proof"});

  auto queue = app_->applications().ReviewQueue({50, 0});
  ASSERT_TRUE(queue.ok());
  ASSERT_EQ(queue->total, 1);
  EXPECT_EQ(queue->items[0].application.id, out->application.id);
  EXPECT_EQ(queue->items[0].days_left, 15);

  // A second application while one is pending: refused, nothing written.
  const std::string before = DumpTables(db_path());
  auto again = app_->applications().Apply(ApplyFor(s), {"r"});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "application.pending");
  EXPECT_EQ(before, DumpTables(db_path()));

  auto bad = app_->applications().Decide(out->application.id, {"maybe", "x"}, {"reviewer-1"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "decision");

  auto decided = app_->applications().Decide(out->application.id, {"approve", "劳动合同已核验"}, {"reviewer-1"});
  ASSERT_TRUE(decided.ok()) << decided.error().message_en;
  EXPECT_EQ(decided->application.status, ApplicationStatus::kApproved);
  EXPECT_EQ(decided->application.decided_by, "reviewer-1");
  ASSERT_TRUE(decided->permit.has_value());

  auto twice = app_->applications().Decide(out->application.id, {"reject", "x"}, {"reviewer-1"});
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, "application.not_pending");
  auto q2 = app_->applications().ReviewQueue({50, 0});
  EXPECT_EQ(q2->total, 0);
}

TEST_F(ShanghaiTest, MinorAppliesThroughGuardianAndWithoutOneIsRefusedUnchanged) {
  ResidentSpec child;
  child.citizen_id = MakeCitizenId("360426", "20160305", 22);
  child.name = "李欣怡";
  child.basis = "study";
  child.employment_record = false;
  child.enrollment_record = true;
  child.si_months = 0;
  child.registered_months_ago = 12;
  AddResident(*app_, child);
  const std::string before = DumpTables(db_path());
  auto refused = app_->applications().Apply(ApplyFor(child), {"r"});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "guardian.required");
  EXPECT_EQ(refused.error().field, "guardian");
  EXPECT_EQ(before, DumpTables(db_path()));

  service::ApplicationInput in = ApplyFor(child);
  in.guardian = service::GuardianInput{MakeCitizenId("360426", "19880101", 24), "李娟", "mother"};
  auto out = app_->applications().Apply(in, {"r"});
  ASSERT_TRUE(out.ok()) << out.error().message_en;
  EXPECT_EQ(out->application.status, ApplicationStatus::kApproved) << out->application.decision_json;
  ASSERT_TRUE(out->application.guardian.has_value());
  EXPECT_EQ(out->application.guardian->relation, "mother");
  EXPECT_EQ(RuleById(out->application, "guardian")["status"], "passed");

  service::ApplicationInput minor_guardian = ApplyFor(child);
  minor_guardian.guardian = service::GuardianInput{MakeCitizenId("360426", "20120101", 26), "李小", "sibling"};
  auto not_adult = app_->applications().Apply(minor_guardian, {"r"});
  ASSERT_FALSE(not_adult.ok());
}

class ShenzhenTest : public CityFixture {
 protected:
  void SetUp() override { SetUpCity("440300", MakeDate(2026, 11, 15)); }
  ResidentSpec Spec(int seq) {
    ResidentSpec s;
    s.citizen_id = MakeCitizenId("430102", "19920202", seq);
    s.city = "440300";
    s.district = "440305";
    s.registered_months_ago = 13;
    return s;
  }
};

TEST_F(ShenzhenTest, TwelveContinuousOrEighteenInTwoYears) {
  ResidentSpec continuous = Spec(31);
  continuous.si_months = 12;
  AddResident(*app_, continuous);
  auto a = app_->applications().Apply(ApplyFor(continuous), {"r"});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->application.status, ApplicationStatus::kApproved) << a->application.decision_json;
  EXPECT_EQ(a->permit->issuing_authority, "深圳市公安局南山分局");

  ResidentSpec broken = Spec(33);
  broken.si_months = 18;
  broken.si_skip_last = 3;  // 18 months within 24, but the streak broke three months ago
  AddResident(*app_, broken);
  auto b = app_->applications().Apply(ApplyFor(broken), {"r"});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->application.status, ApplicationStatus::kApproved) << b->application.decision_json;

  ResidentSpec short_si = Spec(35);
  short_si.si_months = 11;
  AddResident(*app_, short_si);
  auto c = app_->applications().Apply(ApplyFor(short_si), {"r"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->application.status, ApplicationStatus::kRejected);

  ResidentSpec recent = Spec(37);
  recent.registered_months_ago = 11;  // Shenzhen needs 12 months of residence
  AddResident(*app_, recent);
  auto d = app_->applications().Apply(ApplyFor(recent), {"r"});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(RuleById(d->application, "residence_duration")["status"], "failed");
}

class BeijingTest : public CityFixture {
 protected:
  void SetUp() override { SetUpCity("110000", MakeDate(2026, 11, 15)); }
};

TEST_F(BeijingTest, NationalFormNeedsNoSocialInsurance) {
  ResidentSpec s;
  s.citizen_id = MakeCitizenId("420102", "19850707", 41);
  s.city = "110000";
  s.district = "110108";
  s.si_months = 0;
  s.basis = "rented_home";
  s.employment_record = false;
  AddResident(*app_, s);
  auto out = app_->applications().Apply(ApplyFor(s), {"r"});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->application.status, ApplicationStatus::kApproved) << out->application.decision_json;
  EXPECT_EQ(out->permit->issuing_authority, "北京市公安局海淀分局");
}

}  // namespace
}  // namespace epermit::testing
