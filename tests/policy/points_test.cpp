#include "policy/points.hpp"

#include <gtest/gtest.h>

#include "policy/city_policy.hpp"
#include "policy/policy_set.hpp"
#include "support/test_support.hpp"

namespace epermit::policy {
namespace {

// A minimal policy file with a [points] table appended, for parser and engine tests.
constexpr char kHead[] = R"(city = "310000"
city_name = "上海市"
version = "t"
effective_from = 2023-01-01
source = "test"
[permit]
source = "test"
[eligibility]
source = "test"
)";

Result<CityPolicy> WithPoints(const std::string& points) {
  return ParseCityPolicy(std::string(kHead) + points, "policies/310000/t.toml");
}

std::string ErrorOf(const std::string& points) {
  auto p = WithPoints(points);
  return p.ok() ? "ok" : p.error().message_en;
}

constexpr char kTableHead[] = R"([points]
title_en = "t"
title_zh = "t"
source = "t"
)";

std::string Indicator(const std::string& body) {
  return std::string(kTableHead) +
         "[[points.indicator]]\nid = \"a\"\ntitle_en = \"a\"\ntitle_zh = \"a\"\nsource = \"s\"\n" + body;
}

TEST(PointsTest, ExactArithmeticRoundsOnlyForDisplay) {
  // 87 months at 3 a year = 21.75 exactly; 7 months at 0.5 a year = 0.291666...
  const Points employment = Points::FromUnits(Points::FromHundredths(300).units() * 87 / 12);
  EXPECT_EQ(employment.ToDisplay(), "21.75");
  EXPECT_EQ(employment.ToExact(), "87/4");
  const Points rented = Points::FromUnits(Points::FromHundredths(50).units() * 7 / 12);
  EXPECT_EQ(rented.ToDisplay(), "0.29");
  EXPECT_EQ(rented.ToExact(), "7/24");
  // Three thirds make one, exactly: no 0.99999 from binary fractions.
  Points sum;
  for (int i = 0; i < 3; ++i) sum += Points::FromUnits(Points::FromHundredths(50).units() * 8 / 12);
  EXPECT_EQ(sum, Points::Whole(1));
  EXPECT_EQ(Points::Whole(-30).ToDisplay(), "-30");
  EXPECT_EQ(Points::FromUnits(-6).ToDisplay(), "-0.01");  // half away from zero
  EXPECT_EQ(Points::FromUnits(5).ToDisplay(), "0");
  EXPECT_EQ(Points::FromHundredths(1050).ToDisplay(), "10.5");
}

TEST(PointsTest, RetirementAgeFollowsThe2025Schedule) {
  const auto male = [](int y, unsigned m) {
    return RetirementAgeMonths(MakeDate(y, m, 15), domain::Sex::kMale, PostType::kWorker);
  };
  EXPECT_EQ(male(1964, 12), 60 * 12);
  EXPECT_EQ(male(1965, 1), 60 * 12 + 1);
  EXPECT_EQ(male(1965, 4), 60 * 12 + 1);
  EXPECT_EQ(male(1965, 5), 60 * 12 + 2);
  EXPECT_EQ(male(1976, 8), 63 * 12 - 1);
  EXPECT_EQ(male(1976, 9), 63 * 12);
  EXPECT_EQ(male(1990, 1), 63 * 12);
  const auto cadre = [](int y, unsigned m) {
    return RetirementAgeMonths(MakeDate(y, m, 1), domain::Sex::kFemale, PostType::kCadre);
  };
  EXPECT_EQ(cadre(1969, 12), 55 * 12);
  EXPECT_EQ(cadre(1970, 1), 55 * 12 + 1);
  EXPECT_EQ(cadre(1981, 9), 58 * 12);
  const auto worker = [](int y, unsigned m) {
    return RetirementAgeMonths(MakeDate(y, m, 1), domain::Sex::kFemale, PostType::kWorker);
  };
  EXPECT_EQ(worker(1974, 12), 50 * 12);
  EXPECT_EQ(worker(1975, 1), 50 * 12 + 1);
  EXPECT_EQ(worker(1975, 3), 50 * 12 + 2);
  EXPECT_EQ(worker(1984, 11), 55 * 12);
  EXPECT_EQ(AgeYears(MakeDate(1980, 3, 1), MakeDate(2025, 2, 28)), 44);
  EXPECT_EQ(AgeYears(MakeDate(1980, 3, 1), MakeDate(2025, 3, 1)), 45);
}

// Each bad table: the error names the file and the line of the offending entry, and no
// policy comes out of it.
TEST(PointsTest, BadTablesNameFileAndLine) {
  struct Case {
    const char* what;
    std::string points;
    const char* message;
  };
  const Case cases[] = {
      {"syntax error", std::string(kTableHead) + "[[points.indicator]\n", "policies/310000/t.toml:14"},
      {"unknown indicator kind", Indicator("kind = \"per_decade\"\nquantity = \"age_years\"\n"),
       "unknown indicator kind 'per_decade'"},
      {"cap below zero", Indicator("kind = \"per_month\"\nquantity = \"si_months\"\nper_year = 3\ncap = -1\n"),
       "'cap' cannot be below zero"},
      {"unknown ledger quantity", Indicator("kind = \"per_month\"\nquantity = \"moon_months\"\nper_year = 3\n"),
       "unknown ledger quantity 'moon_months'"},
      {"parameter the quantity does not take",
       Indicator(
           "kind = \"per_month\"\nquantity = { name = \"residence_months\", risks = [\"pension\"] }\nper_year = 1\n"),
       "quantity 'residence_months' takes no parameter 'risks'"},
      {"unknown scheme",
       Indicator("kind = \"per_month\"\nquantity = { name = \"si_months\", schemes = [\"gold\"] }\nper_year = 1\n"),
       "unknown value in 'schemes'"},
      {"rate finer than two decimals", Indicator("kind = \"per_month\"\nquantity = \"si_months\"\nper_year = 0.125\n"),
       "at most two decimals"},
      {"key of another kind",
       Indicator("kind = \"threshold\"\nquantity = \"fresh_graduate\"\npoints = 10\nper_year = 3\n"),
       "'per_year' does not apply to a threshold indicator"},
      {"levels on a number", Indicator("kind = \"levels\"\nquantity = \"age_years\"\nlevels = { a = 1 }\n"),
       "a levels indicator needs a set quantity"},
      {"months rate on a count", Indicator("kind = \"per_month\"\nquantity = \"violations\"\nper_year = 1\n"),
       "needs a quantity counted in months"},
      {"group with an unknown member", Indicator("kind = \"sum\"\nmembers = [\"x\", \"y\"]\n"),
       "member 'x' is not an indicator"},
      {"overlapping bands",
       Indicator("kind = \"bands\"\nquantity = \"age_years\"\nbands = [{ from = 0, to = 45, points = 20 }, { from = "
                 "45, to = 50, points = 1 }]\n"),
       "bands overlap"},
      {"unknown division",
       Indicator(
           "kind = \"per_month\"\nquantity = { name = \"home_months\", districts_in = [\"999999\"] }\nper_year = 1\n"),
       "unknown division code 999999"},
      {"no indicators", std::string(kTableHead), "needs [[points.indicator]]"},
      {"too many preconditions",
       [] {
         std::string t(kTableHead);
         for (int i = 0; i < 65; ++i) {
           t += "[[points.precondition]]\nid = \"p" + std::to_string(i) +
                "\"\ntitle_en = \"p\"\ntitle_zh = \"p\"\nsource = \"s\"\nquantity = \"holds_permit\"\nat_least = 1\n";
         }
         return t;
       }(),
       "at most 64 preconditions"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const std::string error = ErrorOf(c.points);
    EXPECT_NE(error.find(c.message), std::string::npos) << error;
    EXPECT_EQ(error.rfind("policies/310000/t.toml:", 0), 0u) << error;
  }
}

TEST(PointsTest, GroupsCarryAndSharedCapsEvaluateAsWritten) {
  // Two ways to count months (a highest_of of two sums), a carried remainder and a shared
  // month budget, evaluated over hand-set slot values.
  auto p = WithPoints(std::string(kTableHead) + R"(
[[points.indicator]]
id = "both"
kind = "per_full_year"
title_en = "b"
title_zh = "b"
source = "s"
quantity = { name = "home_work_months", tenures = ["own"] }
per_year = 3
carry_remainder_to = "only"
[[points.indicator]]
id = "only"
kind = "per_full_year"
title_en = "o"
title_zh = "o"
source = "s"
quantity = { name = "home_work_months", tenures = ["own"], with_work = false }
per_year = 2
[[points.indicator]]
id = "area"
kind = "sum"
title_en = "a"
title_zh = "a"
source = "s"
members = ["both", "only"]
cap = 12
[[points.indicator]]
id = "own"
kind = "per_month"
title_en = "own"
title_zh = "own"
source = "s"
quantity = { name = "home_months", tenures = ["own"] }
per_year = 1
cap_months_by = "si_months"
[[points.indicator]]
id = "rent"
kind = "per_month"
title_en = "rent"
title_zh = "rent"
source = "s"
quantity = { name = "home_months", tenures = ["rented"] }
per_year = 0.5
cap_months_by = "si_months"
cap_months_after = "own"
)");
  ASSERT_TRUE(p.ok()) << p.error().message_en;
  const PointsTable& t = *p->points;
  auto slot = [&t](const std::string& key) {
    for (size_t i = 0; i < t.slots.size(); ++i) {
      if (t.slots[i].Key() == key) return i;
    }
    ADD_FAILURE() << "no slot " << key;
    return size_t{0};
  };
  std::vector<int64_t> v(t.slots.size(), 0);
  v[slot("home_work_months tenures=own with_work")] = 26;     // 2 years × 3 = 6, 2 months carried
  v[slot("home_work_months tenures=own without_work")] = 10;  // 10 + 2 = 12 months: 1 year × 2 = 2
  v[slot("home_months tenures=own")] = 50;
  v[slot("home_months tenures=rented")] = 40;
  v[slot("si_months")] = 70;  // own 50 months fit; rented only 20 of its 40
  const Totals totals = Evaluate(t, v.data());
  // area 6 + 2 = 8; own 50/12 = 25/6; rented 20 × 0.5/12 = 5/6; total 8 + 5 = 13.
  EXPECT_EQ(totals.total, Points::Whole(13));
  v[slot("home_work_months tenures=own with_work")] = 60;  // 15 + 2 = 17, capped at 12
  EXPECT_EQ(Evaluate(t, v.data()).total, Points::Whole(12 + 5));
}

}  // namespace
}  // namespace epermit::policy

namespace epermit::policy {
namespace {

// The population path must give exactly what the per-person path gives, for every shipped
// table, on people that hit every branch (random slot values over wide ranges).
TEST(PointsTest, BatchEvaluationAgreesWithPerPersonEvaluation) {
  auto set = LoadPolicyDir(testing::SourcePoliciesDir());
  ASSERT_TRUE(set.ok()) << set.error().message_en;
  uint64_t state = 42;
  auto next = [&state](int64_t bound) {  // a fixed LCG: reproducible across platforms
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int64_t>((state >> 33) % static_cast<uint64_t>(bound));
  };
  for (const auto& [city, date] :
       {std::pair{"110000", MakeDate(2026, 4, 1)}, std::pair{"310000", MakeDate(2026, 4, 1)},
        std::pair{"440100", MakeDate(2025, 4, 1)}, std::pair{"320500", MakeDate(2026, 4, 1)}}) {
    SCOPED_TRACE(city);
    const PointsTable& table = *(*set->InForce(city, date))->points;
    const size_t stride = table.slots.size();
    const size_t people = 1000;  // not a multiple of the block size
    std::vector<int64_t> slots(people * stride);
    for (int64_t& v : slots) v = next(5) == 0 ? next(3) : next(400);  // small and large values, level bits
    std::vector<Totals> batch(people);
    EvaluateBatch(table, slots.data(), stride, people, batch.data());
    size_t eligible = 0;
    for (size_t i = 0; i < people; ++i) {
      const Totals one = Evaluate(table, slots.data() + i * stride);
      ASSERT_EQ(batch[i].total, one.total) << "person " << i;
      ASSERT_EQ(batch[i].eligible, one.eligible) << "person " << i;
      ASSERT_EQ(batch[i].vetoed, one.vetoed) << "person " << i;
      eligible += one.eligible ? 1 : 0;
    }
    EXPECT_GT(eligible, 0u);
  }
}

}  // namespace
}  // namespace epermit::policy
