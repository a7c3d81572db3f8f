#include <gtest/gtest.h>

#include "policy/points_report.hpp"
#include "policy/policy_set.hpp"
#include "support/test_support.hpp"

namespace epermit::policy {
namespace {

MonthPeriod Months(const char* from, const char* to) { return {*ParseIsoMonth(from), *ParseIsoMonth(to)}; }

// Someone who worked in Wuxi, then moved to Suzhou: 3 years of pension insurance and
// residence in Wuxi (2020-01..2022-12), 2 years in Suzhou (2023-01..2024-12), and one month
// (2023-01) paid in both cities when the job changed.
Ledger Mover() {
  Ledger l;
  l.citizen_id = "11010519491231002X";
  l.birth_date = MakeDate(1990, 5, 1);
  l.residence.push_back({"320200", "320213", Months("2020-01", "2022-12"), "registration:wx"});
  l.residence.push_back({"320500", "320508", Months("2023-01", "2024-12"), "registration:sz"});
  SocialInsuranceFact wx;
  wx.city = "320200";
  wx.period = Months("2020-01", "2023-01");
  wx.record_id = 1;
  SocialInsuranceFact sz = wx;
  sz.city = "320500";
  sz.period = Months("2023-01", "2024-12");
  sz.record_id = 2;
  l.social_insurance = {wx, sz};
  return l;
}

TEST(RecognitionTest, ShippedAgreementAppliesToItsMembersFromItsDate) {
  auto set = LoadPolicyDir(testing::SourcePoliciesDir());
  ASSERT_TRUE(set.ok()) << set.error().message_en;
  ASSERT_EQ(set->AgreementsFor("320500", MakeDate(2026, 1, 1)).size(), 1u);
  EXPECT_EQ(set->AgreementsFor("320500", MakeDate(2026, 1, 1)).front()->region, "sunan");
  EXPECT_TRUE(set->AgreementsFor("320500", MakeDate(2025, 9, 15)).empty());
  EXPECT_TRUE(set->AgreementsFor("110000", MakeDate(2026, 1, 1)).empty());
  EXPECT_TRUE(set->AgreementsFor("310000", MakeDate(2026, 1, 1)).empty());
}

TEST(RecognitionTest, SuzhouWithAndWithoutTheAgreementExplainedLineByLine) {
  auto set = LoadPolicyDir(testing::SourcePoliciesDir());
  ASSERT_TRUE(set.ok()) << set.error().message_en;
  const Date date = MakeDate(2025, 1, 15);  // before the agreement: nothing recognized
  auto before = ScorePoints(*set, Mover(), "320500", date);
  ASSERT_TRUE(before.ok()) << before.error().message_en;
  // Suzhou only: residence 24 months × 3/12 = 6; pension 24 months × 6/12 = 12; total 18.
  EXPECT_EQ(before->explanation.total, Points::Whole(18));
  EXPECT_EQ(before->agreement, nullptr);

  const Date later = MakeDate(2026, 1, 15);
  Ledger l = Mover();
  auto with = ScorePoints(*set, l, "320500", later);
  ASSERT_TRUE(with.ok()) << with.error().message_en;
  ASSERT_NE(with->agreement, nullptr);
  // Residence: Suzhou 2023-01..2024-12 = 24 + Wuxi 36 = 60 months × 3/12 = 15.
  // Pension: Suzhou 24 + Wuxi 37 less the shared 2023-01 = 36 more: 60 months × 6/12 = 30.
  EXPECT_EQ(with->explanation.total, Points::Whole(45));
  ASSERT_TRUE(with->without_recognition.has_value());
  EXPECT_EQ(with->without_recognition->total, Points::Whole(18));

  const nlohmann::json j = PointsReportToJson(*with);
  EXPECT_EQ(j["total"], "45");
  EXPECT_EQ(j["recognition"]["applied"], true);
  EXPECT_EQ(j["recognition"]["region"], "sunan");
  EXPECT_EQ(j["recognition"]["total_without"], "18");
  EXPECT_EQ(j["recognition"]["difference"], "27");
  const auto& lines = j["recognition"]["indicators"];
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["id"], "residence");
  EXPECT_EQ(lines[0]["with"], "15");
  EXPECT_EQ(lines[0]["without"], "6");
  EXPECT_EQ(lines[0]["difference"], "9");
  EXPECT_EQ(lines[1]["id"], "social_insurance");
  EXPECT_EQ(lines[1]["difference"], "18");
  EXPECT_EQ(lines[2]["difference"], "0");
  // The quantity line says how much came from other cities and which records.
  const auto& si = j["indicators"][1]["quantity"];
  EXPECT_EQ(si["value"], 60);
  EXPECT_EQ(si["recognized_part"], 36);
  EXPECT_NE(si["detail"].get<std::string>().find("36 recognized"), std::string::npos) << si.dump();
  EXPECT_EQ(si["facts"].size(), 2u);

  // Asked without the agreement, the same person gets Suzhou's own months only.
  auto without = ScorePoints(*set, l, "320500", later, /*recognition=*/false);
  ASSERT_TRUE(without.ok());
  EXPECT_EQ(without->explanation.total, Points::Whole(18));
  EXPECT_TRUE(PointsReportToJson(*without)["recognition"].is_null());
}

TEST(RecognitionTest, MegacitiesCountOnlyTheirOwnMonthsWhateverAnAgreementSays) {
  auto set = LoadPolicyDir(testing::SourcePoliciesDir());
  ASSERT_TRUE(set.ok());
  PolicySet with_beijing = *set;
  RecognitionAgreement a;
  a.region = "jingjinji-test";
  a.name_en = a.name_zh = a.version = a.source = "test";
  a.effective_from = MakeDate(2020, 1, 1);
  a.members = {"110000", "120100"};
  a.quantities = {{"si_months", 100, 0}};
  ASSERT_TRUE(with_beijing.AddAgreement(a).ok());
  Ledger l = Mover();
  for (SocialInsuranceFact& f : l.social_insurance) f.city = f.city == "320200" ? "120100" : "110000";
  auto r = ScorePoints(with_beijing, l, "110000", MakeDate(2026, 4, 1));
  ASSERT_TRUE(r.ok()) << r.error().message_en;
  EXPECT_EQ(r->agreement, nullptr);
  EXPECT_TRUE(r->recognition_excluded);
  const nlohmann::json j = PointsReportToJson(*r);
  EXPECT_EQ(j["recognition"]["applied"], false);
  // Employment counts the 24 Beijing months only: 24 × 3/12 = 6.
  bool found = false;
  for (const auto& line : j["indicators"]) {
    if (line["id"] != "employment_home_education") continue;
    for (const auto& member : line["members"]) {
      if (member["id"] != "without_education") continue;
      EXPECT_EQ(member["members"][0]["points"], "6") << member.dump();
      found = true;
    }
  }
  EXPECT_TRUE(found) << j.dump();
}

TEST(RecognitionTest, BadAgreementsNameFileAndLine) {
  const std::string head = R"(region = "r"
name_en = "r"
name_zh = "r"
version = "r1"
effective_from = 2025-01-01
source = "s"
)";
  const std::string sum = "[[sum]]\nquantity = \"si_months\"\n";
  struct Case {
    const char* what;
    std::string text;
    const char* message;
  };
  const Case cases[] = {
      {"unknown city", head + "members = [\"320500\", \"329900\"]\n" + sum,
       "r.toml:7: member '329900' is not a current city-level division code"},
      {"a county, not a city", head + "members = [\"320500\", \"320508\"]\n" + sum, "member '320508' is not"},
      {"one member", head + "members = [\"320500\"]\n" + sum, "at least two member cities"},
      {"twice", head + "members = [\"320500\", \"320500\"]\n" + sum, "listed twice"},
      {"unknown quantity", head + "members = [\"320500\", \"320200\"]\n[[sum]]\nquantity = \"moon_months\"\n",
       "r.toml:9: unknown ledger quantity 'moon_months'"},
      {"not recognizable", head + "members = [\"320500\", \"320200\"]\n[[sum]]\nquantity = \"age_years\"\n",
       "is not counted in months of one city"},
      {"factor above 1", head + "members = [\"320500\", \"320200\"]\n" + sum + "factor = 1.5\n",
       "'factor' must be between 0.01 and 1"},
      {"negative cap", head + "members = [\"320500\", \"320200\"]\n" + sum + "cap_months = -1\n",
       "'cap_months' cannot be below zero"},
      {"no sums", head + "members = [\"320500\", \"320200\"]\n", "needs [[sum]] entries"},
      {"syntax", head + "members = [\"320500\"\n", "r.toml:7: Error while parsing array"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    auto a = ParseAgreement(c.text, "policies/regions/r/r.toml");
    ASSERT_FALSE(a.ok());
    EXPECT_NE(a.error().message_en.find(c.message), std::string::npos) << a.error().message_en;
    EXPECT_EQ(a.error().message_en.rfind("policies/regions/r/r.toml:", 0), 0u) << a.error().message_en;
  }
}

TEST(RecognitionTest, NoTableOnTheDateIsAClearError) {
  auto set = LoadPolicyDir(testing::SourcePoliciesDir());
  ASSERT_TRUE(set.ok());
  auto expired = ScorePoints(*set, Mover(), "440100", MakeDate(2026, 11, 28));
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, "points.no_table");
  EXPECT_NE(expired.error().message_en.find("440100-2026.1"), std::string::npos);
  auto none = ScorePoints(*set, Mover(), "440300", MakeDate(2026, 11, 28));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, "points.no_table");
  auto unknown = ScorePoints(*set, Mover(), "650100", MakeDate(2026, 11, 28));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, "policy.not_in_force");
}

}  // namespace
}  // namespace epermit::policy
