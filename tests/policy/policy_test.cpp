#include <gtest/gtest.h>

#include "policy/policy_set.hpp"
#include "support/test_support.hpp"

namespace epermit::policy {
namespace {

constexpr char kValid[] = R"(city = "310000"
city_name = "上海市"
version = "v1"
effective_from = 2023-01-01
source = "test"
[permit]
source = "test"
[eligibility]
source = "test"
)";

TEST(PolicyTest, ShippedPoliciesLoadAndApplyByDate) {
  auto set = LoadPolicyDir(testing::SourcePoliciesDir());
  ASSERT_TRUE(set.ok()) << set.error().message_en;
  EXPECT_EQ(set->Cities(), (std::vector<std::string>{"110000", "310000", "320500", "440100", "440300"}));
  auto sh = set->InForce("310000", MakeDate(2026, 1, 1));
  ASSERT_TRUE(sh.ok());
  EXPECT_EQ((*sh)->eligibility.min_residence_months, 6);
  ASSERT_EQ((*sh)->eligibility.social_insurance.size(), 1u);
  EXPECT_TRUE((*sh)->eligibility.social_insurance[0].require_current_month);
  auto sz = set->InForce("440300", MakeDate(2026, 1, 1));
  ASSERT_TRUE(sz.ok());
  EXPECT_EQ((*sz)->permit.endorsement_window.days, 60);
  EXPECT_EQ((*sz)->eligibility.social_insurance.size(), 2u);
  EXPECT_FALSE(set->InForce("310000", MakeDate(2022, 12, 31)).ok());
  EXPECT_FALSE(set->InForce("650100", MakeDate(2026, 1, 1)).ok());

  // Points tables by date: each date gets the version in force on it, whatever came later.
  EXPECT_FALSE((*set->InForce("110000", MakeDate(2019, 12, 31)))->points.has_value());
  EXPECT_EQ((*set->InForce("110000", MakeDate(2020, 1, 1)))->version, "110000-2020.1");
  EXPECT_TRUE((*set->InForce("110000", MakeDate(2026, 11, 28)))->points.has_value());
  EXPECT_EQ((*set->InForce("310000", MakeDate(2026, 11, 28)))->points->pass_mark, Points::Whole(120));
  EXPECT_TRUE((*set->InForce("440100", MakeDate(2026, 11, 15)))->points.has_value());
  EXPECT_EQ((*set->InForce("440100", MakeDate(2026, 11, 16)))->version, "440100-2026.1");
  EXPECT_FALSE((*set->InForce("440100", MakeDate(2026, 11, 16)))->points.has_value());  // the 2021 table expired
  EXPECT_FALSE((*set->InForce("440100", MakeDate(2021, 11, 15)))->points.has_value());
}

TEST(PolicyTest, ErrorsNameFileAndLine) {
  std::string bad = kValid;
  bad.replace(bad.find("effective_from = 2023-01-01"), 27, "effective_from = \"2023-01-01\"");
  auto p = ParseCityPolicy(bad, "policies/310000/x.toml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message_en.rfind("policies/310000/x.toml:4: ", 0), 0u) << p.error().message_en;

  auto syntax = ParseCityPolicy("city = \n", "f.toml");
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.error().message_en.rfind("f.toml:1: ", 0), 0u) << syntax.error().message_en;

  std::string unknown_scheme = std::string(kValid) +
                               "[[eligibility.social_insurance]]\nlabel_en='a'\nlabel_zh='b'\nsource='s'\n"
                               "schemes=['gold']\ncontinuous_months=6\n";
  auto u = ParseCityPolicy(unknown_scheme, "g.toml");
  ASSERT_FALSE(u.ok());
  EXPECT_NE(u.error().message_en.find("g.toml:14"), std::string::npos) << u.error().message_en;

  std::string too_slow = kValid;
  too_slow.replace(too_slow.find("[permit]\n"), 9, "[permit]\nreview_deadline_days = 45\n");
  auto slow = ParseCityPolicy(too_slow, "h.toml");
  ASSERT_FALSE(slow.ok());  // 条例 第九条: at most 30 days
  EXPECT_NE(slow.error().message_en.find("between 1 and 30"), std::string::npos);
}

TEST(PolicyTest, VersionsOnTheSameDateOrEndingLateAreRefusedAndSuccessorsApplyByDate) {
  auto v1 = ParseCityPolicy(std::string(kValid), "a.toml");
  ASSERT_TRUE(v1.ok());
  auto v2 =
      ParseCityPolicy(std::string(kValid).replace(std::string(kValid).find("2023-01-01"), 10, "2025-01-01"), "b.toml");
  ASSERT_TRUE(v2.ok());
  v2->version = "v2";

  PolicySet same_day;  // two versions taking force on one date
  ASSERT_TRUE(same_day.Add(*v1).ok());
  CityPolicy twin = *v1;
  twin.version = "twin";
  Status twice = same_day.Add(twin);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, "policy.overlap");
  EXPECT_EQ((*same_day.InForce("310000", MakeDate(2024, 1, 1)))->version, "v1");  // nothing changed

  PolicySet late_end;  // an explicit end after the successor starts
  CityPolicy long_first = *v1;
  long_first.effective_to = MakeDate(2025, 6, 1);
  ASSERT_TRUE(late_end.Add(long_first).ok());
  Status overlap = late_end.Add(*v2);
  ASSERT_FALSE(overlap.ok());
  EXPECT_EQ(overlap.error().code, "policy.overlap");

  PolicySet successor;  // no end: in force until the next version takes over
  ASSERT_TRUE(successor.Add(*v2).ok());
  ASSERT_TRUE(successor.Add(*v1).ok());
  EXPECT_TRUE(successor.CheckNoGaps().ok());
  EXPECT_FALSE(successor.InForce("310000", MakeDate(2022, 12, 31)).ok());
  EXPECT_EQ((*successor.InForce("310000", MakeDate(2024, 12, 31)))->version, "v1");
  EXPECT_EQ((*successor.InForce("310000", MakeDate(2025, 1, 1)))->version, "v2");
  EXPECT_EQ((*successor.InForce("310000", MakeDate(2040, 1, 1)))->version, "v2");

  PolicySet gap;  // v1 ends before v2 starts
  CityPolicy short_first = *v1;
  short_first.effective_to = MakeDate(2024, 7, 1);
  ASSERT_TRUE(gap.Add(short_first).ok());
  ASSERT_TRUE(gap.Add(*v2).ok());
  Status gaps = gap.CheckNoGaps();
  ASSERT_FALSE(gaps.ok());
  EXPECT_EQ(gaps.error().code, "policy.gap");
  EXPECT_NE(gaps.error().message_en.find("from 2024-07-01"), std::string::npos) << gaps.error().message_en;
  EXPECT_FALSE(gap.InForce("310000", MakeDate(2024, 8, 1)).ok());
}

TEST(PolicyTest, IssuingAuthorityFromTemplate) {
  auto p = ParseCityPolicy(kValid, "a.toml");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(IssuingAuthority(*p, "310101"), "上海市公安局黄浦分局");
  EXPECT_EQ(IssuingAuthority(*p, "310115"), "上海市公安局浦东分局");
}

}  // namespace
}  // namespace epermit::policy
