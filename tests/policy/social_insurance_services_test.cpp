// The rules of the three social-insurance services (RULES.md §6): the medical filing's
// categories, validity and six-month no-change rule; the pension's combined years and each of
// the four where-received clauses; the unemployment benefit's 12/18/24 months, where to claim,
// and the refusals (no history, a resignation, under 12 months).
#include "policy/social_insurance_services.hpp"

#include <gtest/gtest.h>

namespace epermit::policy {
namespace {

using domain::InsuranceRisk;
using domain::InsuranceScheme;

const Date kToday = MakeDate(2026, 11, 15);
const MonthIndex kNow = MonthOf(kToday);

// `months` months of `risk` in `city`, ending `ago` months before this month.
void Paid(Ledger& l, const std::string& city, InsuranceRisk risk, int months, int ago = 0) {
  SocialInsuranceFact f;
  f.city = city;
  f.scheme = InsuranceScheme::kEmployee;
  f.risk = risk;
  f.period = {kNow - ago - months + 1, kNow - ago};
  f.record_id = static_cast<int64_t>(l.social_insurance.size()) + 1;
  l.social_insurance.push_back(f);
}

// ---- medical filing ----

TEST(MedicalFiling, LongTermFilingForSomeoneInsuredInAnotherProvince) {
  Ledger l;
  Paid(l, "360400", InsuranceRisk::kMedical, 24);  // 江西 九江
  auto f = PlanMedicalFiling(l, "310000", MedicalFilingCategory::kLongTermResident, kToday, std::nullopt);
  ASSERT_TRUE(f.ok()) << f.error().message_en;
  EXPECT_EQ(f->insured_city, "360400");
  EXPECT_EQ(f->filed_on, kToday);
  EXPECT_FALSE(f->valid_until.has_value());  // long-term: until cancelled
  auto temp = PlanMedicalFiling(l, "310000", MedicalFilingCategory::kReferral, kToday, std::nullopt);
  ASSERT_TRUE(temp.ok());
  EXPECT_EQ(temp->valid_until, MakeDate(2027, 5, 14));  // six months
}

TEST(MedicalFiling, NoFilingForSomeoneInsuredInThisProvinceOrNotRecently) {
  Ledger here;
  Paid(here, "310000", InsuranceRisk::kMedical, 24);
  auto r = PlanMedicalFiling(here, "310000", MedicalFilingCategory::kLongTermResident, kToday, std::nullopt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "medical.not_insured_elsewhere");
  Ledger stopped;
  Paid(stopped, "360400", InsuranceRisk::kMedical, 24, /*ago=*/3);  // last paid four months ago
  EXPECT_EQ(
      PlanMedicalFiling(stopped, "310000", MedicalFilingCategory::kLongTermResident, kToday, std::nullopt).error().code,
      "medical.not_insured_elsewhere");
  Ledger pension_only;
  Paid(pension_only, "360400", InsuranceRisk::kPension, 24);
  EXPECT_FALSE(PlanMedicalFiling(pension_only, "310000", MedicalFilingCategory::kEmergency, kToday, std::nullopt).ok());
}

TEST(MedicalFiling, LongTermFilingCannotChangeWithinSixMonths) {
  Ledger l;
  Paid(l, "360400", InsuranceRisk::kMedical, 24);
  const MedicalFiling current{MedicalFilingCategory::kLongTermResident, "360400", MakeDate(2026, 5, 16), std::nullopt};
  auto locked = PlanMedicalFiling(l, "310000", MedicalFilingCategory::kReferral, kToday, current);
  ASSERT_FALSE(locked.ok());
  EXPECT_EQ(locked.error().code, "medical.filing_locked");
  EXPECT_EQ(locked.error().kind, ErrorKind::kConflict);
  EXPECT_NE(locked.error().message_en.find("may change from 2026-11-16"), std::string::npos)
      << locked.error().message_en;
  // The day six months have passed, it may change; a temporary filing may change at any time.
  EXPECT_TRUE(PlanMedicalFiling(l, "310000", MedicalFilingCategory::kReferral, MakeDate(2026, 11, 16), current).ok());
  const MedicalFiling temporary{MedicalFilingCategory::kEmergency, "360400", MakeDate(2026, 10, 1),
                                MakeDate(2027, 3, 31)};
  EXPECT_TRUE(PlanMedicalFiling(l, "310000", MedicalFilingCategory::kLongTermResident, kToday, temporary).ok());
}

TEST(MedicalFiling, CategoryNames) {
  for (const char* name :
       {"retired_resettled", "long_term_resident", "stationed_worker", "referral", "emergency", "other_temporary"}) {
    auto c = ParseMedicalFilingCategory(name);
    ASSERT_TRUE(c.has_value()) << name;
    EXPECT_EQ(std::string(ToString(*c)), name);
  }
  EXPECT_FALSE(ParseMedicalFilingCategory("holiday").has_value());
  EXPECT_TRUE(IsLongTerm(MedicalFilingCategory::kStationedWorker));
  EXPECT_FALSE(IsLongTerm(MedicalFilingCategory::kOtherTemporary));
}

// ---- pension place ----

TEST(PensionPlace, RelationshipInTheHukouPlaceStaysThere) {
  Ledger l;
  Paid(l, "310000", InsuranceRisk::kPension, 150, 40);
  Paid(l, "360400", InsuranceRisk::kPension, 30);
  auto p = WorkOutPensionPlace(l, "360400");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->rule, 1);
  EXPECT_EQ(p->current_city, "360400");
  EXPECT_EQ(p->receipt_city, "360400");
  EXPECT_EQ(p->total_months, 180);
}

TEST(PensionPlace, TenYearsInTheCurrentPlace) {
  Ledger l;
  Paid(l, "440300", InsuranceRisk::kPension, 36, 130);
  Paid(l, "310000", InsuranceRisk::kPension, 120);
  Paid(l, "310000", InsuranceRisk::kMedical, 120);  // other risks do not count
  auto p = WorkOutPensionPlace(l, "360400");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->rule, 2);
  EXPECT_EQ(p->receipt_city, "310000");
  EXPECT_EQ(p->total_months, 156);
  ASSERT_EQ(p->cities.size(), 2u);
  EXPECT_EQ(p->cities[0].city, "310000");
  EXPECT_EQ(p->cities[0].months, 120);
  EXPECT_NE(p->explanation_en.find("13 years 0 months over 2 place(s)"), std::string::npos) << p->explanation_en;
}

TEST(PensionPlace, BackToTheLatestEarlierTenYearPlace) {
  Ledger l;
  Paid(l, "110000", InsuranceRisk::kPension, 130, 200);  // Beijing, long ago: 10+ years
  Paid(l, "440300", InsuranceRisk::kPension, 121, 60);   // Shenzhen, later: 10+ years
  Paid(l, "310000", InsuranceRisk::kPension, 59);        // Shanghai now: under 10
  auto p = WorkOutPensionPlace(l, "360400");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->rule, 3);
  EXPECT_EQ(p->current_city, "310000");
  EXPECT_EQ(p->receipt_city, "440300");  // the latest earlier place with 10 years, not Beijing
  EXPECT_NE(p->explanation_zh.find("转回上一个缴费满10年的参保地 440300"), std::string::npos) << p->explanation_zh;
}

TEST(PensionPlace, NoTenYearPlaceGathersInTheHukouPlace) {
  Ledger l;
  Paid(l, "440300", InsuranceRisk::kPension, 119, 60);
  Paid(l, "310000", InsuranceRisk::kPension, 59);
  auto p = WorkOutPensionPlace(l, "360400");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->rule, 4);
  EXPECT_EQ(p->receipt_city, "360400");
}

TEST(PensionPlace, OverlappingMonthsCountOnce) {
  Ledger l;
  Paid(l, "310000", InsuranceRisk::kPension, 24);
  Paid(l, "310000", InsuranceRisk::kPension, 12);  // a second record over the same months
  EXPECT_EQ(WorkOutPensionPlace(l, "360400")->total_months, 24);
}

TEST(PensionPlace, NoContributionHistoryIsRefused) {
  Ledger l;
  Paid(l, "310000", InsuranceRisk::kMedical, 24);
  auto p = WorkOutPensionPlace(l, "360400");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, "pension.no_contribution_history");
  EXPECT_NE(p.error().message_zh.find("参保缴费凭证"), std::string::npos);
}

// ---- unemployment benefit ----

TEST(UnemploymentBenefit, DurationByYearsPaidAndClaimedAtTheLastInsuredPlace) {
  auto months_for = [](int paid) {
    Ledger l;
    Paid(l, "440300", InsuranceRisk::kUnemployment, paid / 2, paid - paid / 2);  // just before the second
    Paid(l, "310000", InsuranceRisk::kUnemployment, paid - paid / 2);
    auto b = WorkOutUnemploymentBenefit(l, SeparationReason::kContractExpired);
    EXPECT_TRUE(b.ok()) << paid;
    if (b.ok()) {
      EXPECT_EQ(b->months_paid, paid);
      EXPECT_EQ(b->claim_city, "310000");
    }
    return b.ok() ? b->benefit_months : 0;
  };
  EXPECT_EQ(months_for(12), 12);
  EXPECT_EQ(months_for(59), 12);
  EXPECT_EQ(months_for(60), 18);
  EXPECT_EQ(months_for(119), 18);
  EXPECT_EQ(months_for(120), 24);
  EXPECT_EQ(months_for(300), 24);
}

TEST(UnemploymentBenefit, UnderTwelveMonthsOrAResignationIsRefused) {
  Ledger l;
  Paid(l, "310000", InsuranceRisk::kUnemployment, 11);
  Paid(l, "310000", InsuranceRisk::kPension, 60);  // other risks do not count
  auto short_paid = WorkOutUnemploymentBenefit(l, SeparationReason::kDismissedByEmployer);
  ASSERT_FALSE(short_paid.ok());
  EXPECT_EQ(short_paid.error().code, "unemployment.too_short");
  EXPECT_NE(short_paid.error().message_en.find("11 months are on record"), std::string::npos);
  Paid(l, "310000", InsuranceRisk::kUnemployment, 1, 11);
  EXPECT_TRUE(WorkOutUnemploymentBenefit(l, SeparationReason::kEmployerFault).ok());
  auto resigned = WorkOutUnemploymentBenefit(l, SeparationReason::kResigned);
  ASSERT_FALSE(resigned.ok());
  EXPECT_EQ(resigned.error().code, "unemployment.voluntary");
  EXPECT_EQ(resigned.error().field, "separation_reason");
  EXPECT_FALSE(ParseSeparationReason("bored").has_value());
  EXPECT_EQ(ParseSeparationReason("employer_fault"), SeparationReason::kEmployerFault);
}

}  // namespace
}  // namespace epermit::policy
