// Worked cases for the shipped points tables: policies/110000/2020-01-01.toml (北京积分落户)
// and policies/310000/2023-01-01.toml (上海居住证积分), scored over hand-built ledgers.
//
// Every expected number below was computed by hand from RULES.md §2/§3 and the TOML (the
// arithmetic is part of each case), not copied from the engine. Each case also checks that
// the fast path (Evaluate over CountSlots) and the explanation (Explain) agree.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "policy/ledger.hpp"
#include "policy/points.hpp"
#include "policy/policy_set.hpp"
#include "support/ledger_builder.hpp"
#include "support/test_support.hpp"

namespace epermit::policy {
namespace {

using namespace testing_ledger;  // NOLINT(google-build-using-namespace): the builder is this file's vocabulary

using domain::InsuranceRisk;
using domain::InsuranceScheme;
using domain::PermitState;
using domain::Tenure;

// ---- exact expected values ----

// "46.75", "-212", "10.5" (at most two decimals) or a fraction "679/12", in points. Points
// are compared by units (1/1200 point), so a failure prints numbers, with both displays.
Points P(const std::string& text) {
  const size_t slash = text.find('/');
  if (slash != std::string::npos) {
    const int64_t num = std::stoll(text.substr(0, slash));
    const int64_t den = std::stoll(text.substr(slash + 1));
    EXPECT_EQ(num * Points::kUnitsPerPoint % den, 0) << text << " is not a whole number of units";
    return Points::FromUnits(num * Points::kUnitsPerPoint / den);
  }
  const bool negative = !text.empty() && text[0] == '-';
  const std::string digits = negative ? text.substr(1) : text;
  const size_t dot = digits.find('.');
  int64_t hundredths = std::stoll(digits.substr(0, dot)) * 100;
  if (dot != std::string::npos) {
    std::string frac = digits.substr(dot + 1);
    EXPECT_LE(frac.size(), 2u) << text;
    if (frac.size() == 1) frac += "0";
    hundredths += std::stoll(frac);
  }
  return Points::FromHundredths(negative ? -hundredths : hundredths);
}

// ---- cases ----

struct LineCheck {
  std::string id;
  std::string points;
  std::optional<bool> capped = std::nullopt;
  std::optional<bool> counted = std::nullopt;  // as shown under its group
};

struct Case {
  std::string name;
  std::string arithmetic;  // the hand computation of the total
  L ledger;
  bool eligible = true;
  std::string total;
  bool vetoed = false;
  std::string display = "";  // optional: the expected ToDisplay() of the total
  std::vector<LineCheck> lines = {};
  std::optional<Date> on = std::nullopt;  // the scoring date, when not the city's usual one
};

// Depth-first: top-level lines, then members as their group shows them.
const IndicatorLine* FindLine(const std::vector<IndicatorLine>& lines, const std::string& id) {
  for (const IndicatorLine& line : lines) {
    if (line.id == id) return &line;
    if (const IndicatorLine* m = FindLine(line.members, id)) return m;
  }
  return nullptr;
}

std::string Dump(const std::vector<IndicatorLine>& lines, int depth = 0) {
  std::string out;
  for (const IndicatorLine& line : lines) {
    out += std::string(static_cast<size_t>(depth) * 2, ' ') + line.id + " = " + line.points.ToDisplay() +
           (line.capped ? " (capped)" : "") + (line.counted ? "" : " (not counted)") + ": " + line.arithmetic + "\n";
    out += Dump(line.members, depth + 1);
  }
  return out;
}

class PointsTableTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto set = LoadPolicyDir(testing::SourcePoliciesDir());
    ASSERT_TRUE(set.ok()) << set.error().message_en;
    set_ = new PolicySet(std::move(*set));
  }
  static void TearDownTestSuite() {
    delete set_;
    set_ = nullptr;
  }

  static void Run(const std::string& city, Date usual_date, const std::vector<Case>& cases) {
    ASSERT_NE(set_, nullptr);
    for (const Case& c : cases) {
      SCOPED_TRACE(c.name + " — " + c.arithmetic);
      const Date date = c.on.value_or(usual_date);
      auto policy = set_->InForce(city, date);
      ASSERT_TRUE(policy.ok()) << city;
      ASSERT_TRUE((*policy)->points.has_value()) << city;
      const PointsTable& table = *(*policy)->points;
      CountContext ctx;  // recognition fields left empty
      ctx.city = city;
      ctx.as_of = ResolveAsOf(table.as_of, date);
      ctx.age_as_of = ResolveAsOf(table.age_as_of, date);

      const SlotValues slots = CountSlots(table, c.ledger.l, ctx);
      const Totals fast = Evaluate(table, slots.values.data());
      const Explanation e = Explain(table, c.ledger.l, ctx, date);
      const Points want = P(c.total);

      EXPECT_EQ(fast.eligible, c.eligible);
      EXPECT_EQ(fast.vetoed, c.vetoed);
      EXPECT_EQ(fast.total.units(), want.units()) << "got " << fast.total.ToDisplay() << " (" << fast.total.ToExact()
                                                  << "), want " << want.ToDisplay() << " (" << want.ToExact() << ")\n"
                                                  << Dump(e.indicators);
      // Both paths agree.
      EXPECT_EQ(e.eligible, fast.eligible);
      EXPECT_EQ(e.vetoed, fast.vetoed);
      EXPECT_EQ(e.total.units(), fast.total.units())
          << "explained " << e.total.ToDisplay() << ", fast " << fast.total.ToDisplay();
      if (!c.display.empty()) {
        EXPECT_EQ(e.total.ToDisplay(), c.display);
      }

      for (const LineCheck& check : c.lines) {
        SCOPED_TRACE("line " + check.id);
        const IndicatorLine* line = FindLine(e.indicators, check.id);
        if (line == nullptr) {
          ADD_FAILURE() << "no line " << check.id << "\n" << Dump(e.indicators);
          continue;
        }
        EXPECT_EQ(line->points.units(), P(check.points).units())
            << "got " << line->points.ToDisplay() << " (" << line->points.ToExact() << "): " << line->arithmetic;
        if (check.capped) {
          EXPECT_EQ(line->capped, *check.capped) << line->arithmetic;
        }
        if (check.counted) {
          EXPECT_EQ(line->counted, *check.counted) << Dump(e.indicators);
        }
      }
    }
  }

  static PolicySet* set_;
};

PolicySet* PointsTableTest::set_ = nullptr;

constexpr char kBj[] = "110000";
constexpr char kSh[] = "310000";

// ============================================================================================
// 北京 积分落户. Scored on 2024-04-15 (B18: 2020-04-15): every count runs to 2023-12-31
// (previous_year_end), age is taken on 2023-01-01 (previous_year_start). Central districts (城六区): 110101 110102
// 110105 110106 110107 110108; outside: 110112 通州, 110114 昌平, 110115 大兴. Age: ≤45 → 20, 46 → 16, 47 → 12, 48 → 8,
// 49 → 4, ≥50 → 0.
// ============================================================================================
TEST_F(PointsTableTest, PointsTableBeijingWorkedCases) {
  const Date date = D(2024, 4, 15);
  std::vector<Case> cases;

  cases.push_back({
      .name = "B01 official employment example",
      .arithmetic = "SI 2016-10..2024-03 counted to 2023-12 = 3+84 = 87 months × 3/12 = 21.75; "
                    "own home 2019-01..2023-12 = 60 ≤ 87 × 1/12 = 5; age 44 (born 1978-06-15) → 20; "
                    "no education (both ways equal); total 46.75",
      .ledger = L().Born(1978, 6, 15)
                    .Permit(kBj, D(2017, 3, 1))
                    .Insured(kBj, "2016-10", "2024-03", {.district = "110105"})
                    .Own(kBj, "110105", "2019-01", "2023-12"),
      .total = "46.75",
      .display = "46.75",
      .lines = {{.id = "employment", .points = "21.75"},
                {.id = "home_own", .points = "5"},
                {.id = "employment_home_education", .points = "26.75"},
                {.id = "age", .points = "20"}},
  });

  cases.push_back({
      .name = "B02 only months since 1998-07 count; own home capped by SI months; age 50; tax run of 2",
      .arithmetic = "SI 1996-01..2023-12, since 1998-07: 6 + 25×12 = 306 months × 3/12 = 76.5; "
                    "own home 1990-01..2023-12 = 408 months, at most 306 SI months × 1/12 = 25.5; "
                    "tax 2023 300000 ✓, 2022 100000 ✓, 2021 50000 ✗ → run of 2 × 2 = 4; "
                    "age 50 (born 1972-05-10) → 0; total 76.5 + 25.5 + 4 + 0 = 106",
      .ledger = L().Born(1972, 5, 10)
                    .Permit(kBj, D(2005, 1, 1))
                    .Insured(kBj, "1996-01", "2023-12")
                    .Own(kBj, "110108", "1990-01", "2023-12")
                    .Tax(kBj, 2021, 50000)
                    .Tax(kBj, 2022, 100000)
                    .Tax(kBj, 2023, 300000),
      .total = "106",
      .lines = {{.id = "employment", .points = "76.5"},
                {.id = "home_own", .points = "25.5"},
                {.id = "tax", .points = "4"},
                {.id = "age", .points = "0"}},
  });

  cases.push_back({
      .name = "B03 own home first, rented home gets what the own months left of the SI months",
      .arithmetic = "SI 2014-01..2023-12 = 120 × 3/12 = 30; own 2020-01..2023-12 = 48 × 1/12 = 4; "
                    "rented 2010-01..2019-12 = 120 months, budget 120 − 48 = 72 × 0.5/12 = 3; "
                    "age 43 (born 1980-01-01) → 20; total 30 + 4 + 3 + 20 = 57",
      .ledger = L().Born(1980, 1, 1)
                    .Permit(kBj, D(2014, 1, 1))
                    .Insured(kBj, "2014-01", "2023-12", {.district = "110105"})
                    .Own(kBj, "110108", "2020-01", "2023-12")
                    .Rent(kBj, "110105", "2010-01", "2019-12"),
      .total = "57",
      .lines = {{.id = "home_own", .points = "4"}, {.id = "home_rented", .points = "3"}},
  });

  cases.push_back({
      .name = "B04 part-time bachelor: counting education wins",
      .arithmetic = "SI and rent 2015-01..2023-12 = 108; study 2018-09..2021-06 = 4+24+6 = 34; "
                    "without education: 108×3/12 = 27 + 108×0.5/12 = 4.5 → 31.5; "
                    "with: bachelor+degree 15 + (108−34 = 74)×3/12 = 18.5 + 74×0.5/12 = 37/12 → 439/12 ≈ 36.58; "
                    "age 32 (born 1990-07-01) → 20; total 439/12 + 20 = 679/12 ≈ 56.58",
      .ledger = L().Born(1990, 7, 1)
                    .Permit(kBj, D(2015, 3, 1))
                    .Insured(kBj, "2015-01", "2023-12", {.district = "110105"})
                    .Rent(kBj, "110105", "2015-01", "2023-12")
                    .Study(kBj, "2018-09", "2021-06")
                    .Edu(EducationLevel::kBachelor, true, true, D(2021, 7, 1)),
      .total = "679/12",
      .display = "56.58",
      .lines = {{.id = "with_education", .points = "439/12", .counted = true},
                {.id = "without_education", .points = "31.5", .counted = false},
                {.id = "education", .points = "15"},
                {.id = "employment_outside_study", .points = "18.5"},
                {.id = "home_rented_outside_study", .points = "37/12"},
                {.id = "employment_home_education", .points = "439/12"}},
  });

  cases.push_back({
      .name = "B05 long part-time master: not counting education wins",
      .arithmetic = "SI and own home 2010-01..2023-12 = 168; study 2012-09..2020-08 = 4+84+8 = 96; "
                    "without: 168×3/12 = 42 + 168×1/12 = 14 → 56; "
                    "with: master+degree 26 + (168−96 = 72)×3/12 = 18 + 72×1/12 = 6 → 50; "
                    "age 39 (born 1983-02-01) → 20; total 56 + 20 = 76",
      .ledger = L().Born(1983, 2, 1)
                    .Permit(kBj, D(2011, 1, 1))
                    .Insured(kBj, "2010-01", "2023-12", {.district = "110105"})
                    .Own(kBj, "110105", "2010-01", "2023-12")
                    .Study(kBj, "2012-09", "2020-08")
                    .Edu(EducationLevel::kMaster, true, true, D(2020, 9, 1)),
      .total = "76",
      .lines = {{.id = "with_education", .points = "50", .counted = false},
                {.id = "without_education", .points = "56", .counted = true},
                {.id = "home_own_outside_study", .points = "6"},
                {.id = "education", .points = "26"}},
  });

  cases.push_back({
      .name = "B06 职住 official example: 26 months both → 6, 2 months join residence-only",
      .arithmetic = "SI 2015-01..2021-10 in 110105 (82) + 2021-11..2023-12 in 110114 (26) = 108 × 3/12 = 27; "
                    "own home 110114 2021-01..2023-12 = 36 × 1/12 = 3; "
                    "职住 both = 2021-11..2023-12 = 26 → 2 full years × 3 = 6, 2 carried; "
                    "home only 2021-01..2021-10 = 10 + 2 = 12 → 1 × 2 = 2; area 8; "
                    "age 35 (born 1988-01-01) → 20; total 27 + 3 + 8 + 20 = 58",
      .ledger = L().Born(1988, 1, 1)
                    .Permit(kBj, D(2016, 1, 1))
                    .Insured(kBj, "2015-01", "2021-10", {.district = "110105"})
                    .Insured(kBj, "2021-11", "2023-12", {.district = "110114"})
                    .Own(kBj, "110114", "2021-01", "2023-12"),
      .total = "58",
      .lines = {{.id = "live_and_work_outside_centre", .points = "6"},
                {.id = "live_outside_centre", .points = "2"},
                {.id = "home_work_area", .points = "8", .capped = false},
                {.id = "employment", .points = "27"}},
  });

  cases.push_back({
      .name = "B07 职住 capped at 12; age 46 on 2023-01-01",
      .arithmetic = "SI 110115 2016-01..2023-12 = 96 × 3/12 = 24; own 110115 96 × 1/12 = 8; "
                    "职住 since 2018-01: both 72 → 6 × 3 = 18, area capped at 12; "
                    "age 46 (born 1976-12-31) → 16; total 24 + 8 + 12 + 16 = 60",
      .ledger = L().Born(1976, 12, 31)
                    .Permit(kBj, D(2016, 6, 1))
                    .Insured(kBj, "2016-01", "2023-12", {.district = "110115"})
                    .Own(kBj, "110115", "2016-01", "2023-12"),
      .total = "60",
      .lines = {{.id = "live_and_work_outside_centre", .points = "18"},
                {.id = "home_work_area", .points = "12", .capped = true},
                {.id = "age", .points = "16"}},
  });

  cases.push_back({
      .name = "B08 tax 3 years; honours and innovation: highest only; a rented home outside the centre earns no 职住",
      .arithmetic = "SI 110105 2013-01..2023-12 = 132 × 3/12 = 33; own 110105 2018-01..2023-12 = 72 × 1/12 = 6; "
                    "rented 110112 2013-01..2023-12 = 132, budget 132 − 72 = 60 × 0.5/12 = 2.5; "
                    "职住: the owned home is central, the rented one does not count → 0; "
                    "tax 2023 150000, 2022 100000, 2021 120000 → 3 × 2 = 6 (2020 outside the 3 years); "
                    "honours capital_moral_model + national_model_worker → 20; "
                    "innovation national second 11, municipal first 9 → 11; age 45 (born 1977-01-02) → 20; "
                    "total 33 + 6 + 2.5 + 0 + 6 + 20 + 11 + 20 = 98.5",
      .ledger = L().Born(1977, 1, 2)
                    .Permit(kBj, D(2013, 5, 1))
                    .Insured(kBj, "2013-01", "2023-12", {.district = "110105"})
                    .Own(kBj, "110105", "2018-01", "2023-12")
                    .Rent(kBj, "110112", "2013-01", "2023-12")
                    .Tax(kBj, 2020, 200000)
                    .Tax(kBj, 2021, 120000)
                    .Tax(kBj, 2022, 100000)
                    .Tax(kBj, 2023, 150000)
                    .Honour("capital_moral_model", D(2019, 5, 1))
                    .Honour("national_model_worker", D(2020, 5, 1))
                    .Honour("innovation_national_second", D(2021, 5, 1))
                    .Honour("innovation_municipal_first", D(2022, 5, 1)),
      .total = "98.5",
      .lines = {{.id = "home_work_area", .points = "0"},
                {.id = "home_own", .points = "6"},
                {.id = "home_rented", .points = "2.5"},
                {.id = "tax", .points = "6", .capped = false},
                {.id = "honours", .points = "20"},
                {.id = "innovation", .points = "11"},
                {.id = "age", .points = "20"}},
  });

  cases.push_back({
      .name = "B09 deductions; tax run broken in the latest year; age 48",
      .arithmetic = "SI 2014-01..2023-12 = 120 × 3/12 = 30; tax 2023 99999 ✗ → run 0 → 0; "
                    "tax violations: 2019-01-01 inside 2019..2023 → −12, 2018-12-31 outside, 2024-01-10 after as-of; "
                    "detention in Beijing 2010 → −30, in Shanghai → 0; age 48 (born 1974-06-01) → 8; "
                    "total 30 − 12 − 30 + 8 = −4",
      .ledger = L().Born(1974, 6, 1)
                    .Permit(kBj, D(2014, 1, 1))
                    .Insured(kBj, "2014-01", "2023-12")
                    .Tax(kBj, 2021, 200000)
                    .Tax(kBj, 2022, 200000)
                    .Tax(kBj, 2023, 99999)
                    .Violation(ViolationKind::kTaxViolation, kBj, D(2019, 1, 1))
                    .Violation(ViolationKind::kTaxViolation, kBj, D(2018, 12, 31))
                    .Violation(ViolationKind::kTaxViolation, kBj, D(2024, 1, 10))
                    .Violation(ViolationKind::kDetention, kBj, D(2010, 5, 1))
                    .Violation(ViolationKind::kDetention, kSh, D(2022, 1, 1)),
      .total = "-4",
      .display = "-4",
      .lines = {{.id = "tax", .points = "0"},
                {.id = "tax_violations", .points = "-12"},
                {.id = "detentions", .points = "-30"},
                {.id = "age", .points = "8"}},
  });

  cases.push_back({
      .name = "B10 5 back-paid months allowed: they keep the run but do not score; female cadre 49",
      .arithmetic = "pension run 2016-01..2023-12 = 96 ≥ 84 with back payments 2019-07..2019-11 = 5 ≤ 5; "
                    "scored SI 42 + 49 = 91 × 3/12 = 22.75; rent 96 months capped at 91 × 0.5/12 = 91/24; "
                    "age 49 (born 1973-03-10) → 4; total 22.75 + 91/24 + 4 = 733/24 ≈ 30.54",
      .ledger = L().Born(1973, 3, 10)
                    .Female(PostType::kCadre)
                    .Permit(kBj, D(2016, 1, 1))
                    .Insured(kBj, "2016-01", "2019-06")
                    .Insured(kBj, "2019-07", "2019-11", {.back = true})
                    .Insured(kBj, "2019-12", "2023-12")
                    .Rent(kBj, "110105", "2016-01", "2023-12"),
      .total = "733/24",
      .display = "30.54",
      .lines = {{.id = "employment", .points = "22.75"}, {.id = "home_rented", .points = "91/24"}},
  });

  cases.push_back({
      .name = "B11 6 back-paid months: not eligible",
      .arithmetic = "back payments 2019-07..2019-12 = 6 > 5 → not eligible; scored SI 42 + 48 = 90 × 3/12 = 22.5; "
                    "rent capped at 90 × 0.5/12 = 3.75; age 49 → 4; total 30.25",
      .ledger = L().Born(1973, 3, 10)
                    .Female(PostType::kCadre)
                    .Permit(kBj, D(2016, 1, 1))
                    .Insured(kBj, "2016-01", "2019-06")
                    .Insured(kBj, "2019-07", "2019-12", {.back = true})
                    .Insured(kBj, "2020-01", "2023-12")
                    .Rent(kBj, "110105", "2016-01", "2023-12"),
      .eligible = false,
      .total = "30.25",
  });

  cases.push_back({
      .name = "B12 a one-month gap leaves a run of 83: not eligible; junior college 10.5",
      .arithmetic = "SI 2010-01..2016-12 (84) + 2017-02..2023-12 (11+72 = 83): run 83 < 84 → not eligible; "
                    "scored 167 × 3/12 = 41.75; junior college 10.5 (no study overlap) → with 52.25 > 41.75; "
                    "age 32 (born 1990-05-05) → 20; total 72.25",
      .ledger = L().Born(1990, 5, 5)
                    .Permit(kBj, D(2012, 1, 1))
                    .Insured(kBj, "2010-01", "2016-12")
                    .Insured(kBj, "2017-02", "2023-12")
                    .Edu(EducationLevel::kJuniorCollege, true, false, D(2009, 7, 1)),
      .eligible = false,
      .total = "72.25",
      .lines = {{.id = "with_education", .points = "52.25", .counted = true},
                {.id = "without_education", .points = "41.75", .counted = false}},
  });

  cases.push_back({
      .name = "B13 permit suspended: not eligible",
      .arithmetic = "no active permit → not eligible; SI 2012-01..2023-12 = 144 × 3/12 = 36; "
                    "rent 144 × 0.5/12 = 6; age 37 → 20; total 62",
      .ledger = L().Born(1985, 3, 1)
                    .Permit(kBj, D(2013, 1, 1), PermitState::kSuspended)
                    .Insured(kBj, "2012-01", "2023-12")
                    .Rent(kBj, "110105", "2012-01", "2023-12"),
      .eligible = false,
      .total = "62",
  });

  cases.push_back({
      .name = "B14 man turning 60 on 2023-12-31: not below retirement age",
      .arithmetic =
          "born 1963-12-31: 60 on 2023-12-31 (60 不含) → not eligible; SI 2000-01..2023-12 = 288 × 3/12 = 72; "
          "age 59 on 2023-01-01 → 0; total 72",
      .ledger = L().Born(1963, 12, 31).Permit(kBj, D(2005, 1, 1)).Insured(kBj, "2000-01", "2023-12"),
      .eligible = false,
      .total = "72",
  });

  cases.push_back({
      .name = "B15 man born 1964-01-01 is still 59 on 2023-12-31: eligible",
      .arithmetic = "59 years 11 months on 2023-12-31 < 60 → eligible; SI 288 × 3/12 = 72; age 58 → 0; total 72",
      .ledger = L().Born(1964, 1, 1).Permit(kBj, D(2005, 1, 1)).Insured(kBj, "2000-01", "2023-12"),
      .total = "72",
  });

  cases.push_back({
      .name = "B16 woman worker reaching 50: not eligible",
      .arithmetic = "female worker born 1973-12-15 is 50 on 2023-12-31 (50 不含) → not eligible; "
                    "SI 2010-01..2023-12 = 168 × 3/12 = 42; age 49 → 4; total 46",
      .ledger = L().Born(1973, 12, 15).Female().Permit(kBj, D(2011, 1, 1)).Insured(kBj, "2010-01", "2023-12"),
      .eligible = false,
      .total = "46",
  });

  cases.push_back({
      .name = "B17 criminal record in another city: not eligible",
      .arithmetic = "crime in Shanghai 2015 → not eligible (any city); SI 2012-01..2023-12 = 144 × 3/12 = 36; "
                    "age 47 (born 1975-06-01) → 12; total 48",
      .ledger = L().Born(1975, 6, 1)
                    .Permit(kBj, D(2013, 1, 1))
                    .Insured(kBj, "2012-01", "2023-12")
                    .Violation(ViolationKind::kCrime, kSh, D(2015, 3, 1)),
      .eligible = false,
      .total = "48",
      .lines = {{.id = "age", .points = "12"}},
  });

  cases.push_back({
      .name = "B18 scored on 2020-04-15: 职住 counts own-home months only from 2018-01",
      .arithmetic = "as of 2019-12-31, age on 2019-01-01; SI 110105 2012-01..2019-12 = 96 × 3/12 = 24; "
                    "own 110112 2016-01..2019-12 = 48 × 1/12 = 4; 职住 from 2018-01: 24 months, work central "
                    "→ home only 2 × 2 = 4 (not 48 → 8); age 38 (born 1980-06-01) → 20; total 24 + 4 + 4 + 20 = 52",
      .ledger = L().Born(1980, 6, 1)
                    .Permit(kBj, D(2013, 1, 1))
                    .Insured(kBj, "2012-01", "2019-12", {.district = "110105"})
                    .Own(kBj, "110112", "2016-01", "2019-12"),
      .total = "52",
      .lines = {{.id = "live_outside_centre", .points = "4"}, {.id = "home_own", .points = "4"}},
      .on = D(2020, 4, 15),
  });

  Run(kBj, date, cases);
}

// ============================================================================================
// 上海 居住证积分. Scored on 2024-06-15 (as_of = date): windows end with 2024-06; the last 12
// months are 2023-07..2024-06, 36 months 2021-07.., 48 months 2020-07.., 60 months 2019-07...
// Central (not 远郊) districts: 310101 104 105 106 107 109 110 112 113 115; 远郊: 310114 嘉定,
// 310117 松江, 310118 青浦, 310120 奉贤. Age: ≤43 → 30, 44 → 29, 45 → 27 … 55 → 7, 56–60 → 5.
// Pass mark 120 (not part of eligibility).
// ============================================================================================
TEST_F(PointsTableTest, PointsTableShanghaiWorkedCases) {
  const Date date = D(2024, 6, 15);
  std::vector<Case> cases;

  cases.push_back({
      .name = "S01 bachelor with degree; home in the suburbs but work in a central district",
      .arithmetic = "bachelor+degree 90; SI 310115 2017-07..2024-06 = 6+72+6 = 84 → 7 × 3 = 21; "
                    "age 30 (born 1994-01-01) → 30; rented 310120 but SI paid in 310115 → 远郊 0; "
                    "total 90 + 21 + 30 = 141",
      .ledger = L().Born(1994, 1, 1)
                    .Permit(kSh, D(2020, 1, 1))
                    .Insured(kSh, "2017-07", "2024-06", {.district = "310115"})
                    .Rent(kSh, "310120", "2017-07", "2024-06")
                    .Edu(EducationLevel::kBachelor, true, true, D(2016, 7, 1)),
      .total = "141",
      .lines = {{.id = "education_or_qualification", .points = "90"},
                {.id = "social_insurance_years", .points = "21"},
                {.id = "suburb_work_and_home", .points = "0"},
                {.id = "age", .points = "30"}},
  });

  cases.push_back({
      .name = "S02 master 100 ties with intermediate title 100; 36 months at ≥0.8× → 25",
      .arithmetic = "highest of master 100 / title_intermediate 100 = 100 (education listed first); "
                    "SI 2018-01..2021-06 base 50% (42) + 2021-07..2024-06 base 85% (36) = 78 → 6 × 3 = 18; "
                    "≥80% in 2020-07..2024-06: 36 ≥ 36 → 25, ≥100%: 0; age 38 (born 1985-06-16) → 30; "
                    "total 100 + 18 + 25 + 30 = 173",
      .ledger = L().Born(1985, 6, 16)
                    .Permit(kSh, D(2020, 1, 1))
                    .Insured(kSh, "2018-01", "2021-06", {.base_pct = 50})
                    .Insured(kSh, "2021-07", "2024-06", {.base_pct = 85})
                    .Edu(EducationLevel::kMaster, true, true, D(2010, 7, 1))
                    .Qual(QualificationKind::kTitle, 2, kSh, D(2019, 1, 1)),
      .total = "173",
      .lines = {{.id = "education", .points = "100", .counted = true},
                {.id = "qualification", .points = "100", .counted = false},
                {.id = "base_0_8", .points = "25", .counted = true},
                {.id = "base_1", .points = "0", .counted = false},
                {.id = "contribution_base", .points = "25"},
                {.id = "social_insurance_years", .points = "18"}},
  });

  cases.push_back({
      .name = "S03 35 months at 1× miss every tier; skill level 3 (60) beats junior college (50); age 44",
      .arithmetic = "highest of junior college 50 / skill_3 60 = 60; SI 2019-01..2021-07 base 60% (31) + "
                    "2021-08..2024-06 base 100% (35) = 66 → 5 × 3 = 15; ≥80% in window 35 < 36 → 0; "
                    "age 44 (born 1979-06-16) → 29; total 60 + 15 + 0 + 29 = 104",
      .ledger = L().Born(1979, 6, 16)
                    .Permit(kSh, D(2020, 1, 1))
                    .Insured(kSh, "2019-01", "2021-07", {.base_pct = 60})
                    .Insured(kSh, "2021-08", "2024-06", {.base_pct = 100})
                    .Edu(EducationLevel::kJuniorCollege, true, false, D(2000, 7, 1))
                    .Qual(QualificationKind::kSkill, 3, kSh, D(2020, 1, 1)),
      .total = "104",
      .lines = {{.id = "education", .points = "50", .counted = false},
                {.id = "qualification", .points = "60", .counted = true},
                {.id = "contribution_base", .points = "0"},
                {.id = "age", .points = "29"}},
  });

  cases.push_back({
      .name = "S04 48 months at 2.5×: 2× tier (one tier only); senior title 140 beats doctor 110; age 45",
      .arithmetic = "highest of doctor 110 / title_senior 140 = 140; SI 2020-01..2024-06 base 250% = 54 → 4 × 3 = 12; "
                    "tiers 25/50/100 all met, 3×: 0 → highest 100; age 45 on the birthday (born 1979-06-15) → 27; "
                    "total 140 + 12 + 100 + 27 = 279",
      .ledger = L().Born(1979, 6, 15)
                    .Permit(kSh, D(2020, 1, 1))
                    .Insured(kSh, "2020-01", "2024-06", {.base_pct = 250})
                    .Edu(EducationLevel::kDoctor, true, true, D(2012, 7, 1))
                    .Qual(QualificationKind::kTitle, 3, kSh, D(2022, 1, 1)),
      .total = "279",
      .lines = {{.id = "education", .points = "110", .counted = false},
                {.id = "qualification", .points = "140", .counted = true},
                {.id = "base_0_8", .points = "25", .counted = false},
                {.id = "base_1", .points = "50", .counted = false},
                {.id = "base_2", .points = "100", .counted = true},
                {.id = "base_3", .points = "0", .counted = false},
                {.id = "contribution_base", .points = "100"},
                {.id = "age", .points = "27"}},
  });

  cases.push_back({
      .name = "S05 24 months at 3× in the last 3 years → 120; age 50",
      .arithmetic = "bachelor diploma only 60; SI 2016-01..2022-06 base 120% (78) + 2022-07..2024-06 base 300% (24) = "
                    "102 → 8 × 3 = 24; 3× in 2021-07..2024-06: 24 ≥ 24 → 120 (1×: 48 → 50; 2×: 24 < 36 → 0) "
                    "→ 120; age 50 (born 1974-01-01) → 17; total 60 + 24 + 120 + 17 = 221",
      .ledger = L().Born(1974, 1, 1)
                    .Permit(kSh, D(2020, 1, 1))
                    .Insured(kSh, "2016-01", "2022-06", {.base_pct = 120})
                    .Insured(kSh, "2022-07", "2024-06", {.base_pct = 300})
                    .Edu(EducationLevel::kBachelor, true, false, D(1996, 7, 1)),
      .total = "221",
      .lines = {{.id = "base_3", .points = "120", .counted = true},
                {.id = "base_2", .points = "0"},
                {.id = "base_1", .points = "50", .counted = false},
                {.id = "contribution_base", .points = "120"},
                {.id = "age", .points = "17"}},
  });

  cases.push_back({
      .name = "S06 23 months at 3× miss the top tier; 1× tier remains",
      .arithmetic = "SI 2016-01..2022-07 base 120% (79) + 2022-08..2024-06 base 300% (23) = 102 → 24; "
                    "3×: 23 < 24 → 0; 1×: 48 → 50; total 60 + 24 + 50 + 17 = 151",
      .ledger = L().Born(1974, 1, 1)
                    .Permit(kSh, D(2020, 1, 1))
                    .Insured(kSh, "2016-01", "2022-07", {.base_pct = 120})
                    .Insured(kSh, "2022-08", "2024-06", {.base_pct = 300})
                    .Edu(EducationLevel::kBachelor, true, false, D(1996, 7, 1)),
      .total = "151",
      .lines = {{.id = "base_3", .points = "0"}, {.id = "contribution_base", .points = "50"}},
  });

  cases.push_back({
      .name = "S07 远郊 59 months: nothing before 5 years",
      .arithmetic = "rent and SI in 310117 2019-08..2024-06 = 5+48+6 = 59 < 60 → 0; SI 59 → 4 × 3 = 12; "
                    "bachelor+degree 90; age 32 → 30; total 90 + 12 + 30 = 132",
      .ledger = L().Born(1992, 2, 2)
                    .Permit(kSh, D(2020, 1, 1))
                    .Insured(kSh, "2019-08", "2024-06", {.district = "310117"})
                    .Rent(kSh, "310117", "2019-08", "2024-06")
                    .Edu(EducationLevel::kBachelor, true, true, D(2014, 7, 1)),
      .total = "132",
      .lines = {{.id = "suburb_work_and_home", .points = "0"}, {.id = "social_insurance_years", .points = "12"}},
  });

  cases.push_back({
      .name = "S08 远郊 60 months: 5 years × 2 = 10",
      .arithmetic = "rent and SI in 310117 2019-07..2024-06 = 60 → 5 × 2 = 10; SI 60 → 5 × 3 = 15; "
                    "total 90 + 15 + 10 + 30 = 145",
      .ledger = L().Born(1992, 2, 2)
                    .Permit(kSh, D(2020, 1, 1))
                    .Insured(kSh, "2019-07", "2024-06", {.district = "310117"})
                    .Rent(kSh, "310117", "2019-07", "2024-06")
                    .Edu(EducationLevel::kBachelor, true, true, D(2014, 7, 1)),
      .total = "145",
      .lines = {{.id = "suburb_work_and_home", .points = "10", .capped = false}},
  });

  cases.push_back({
      .name = "S09 远郊 capped at 20; skill level 2 from Suzhou does not count; age 54",
      .arithmetic = "own home and SI in 310118 2010-01..2024-06 = 174 → 14 × 2 = 28, capped 20; "
                    "SI 174 → 14 × 3 = 42; skill_2 obtained in 320500 → 0, bachelor+degree 90 wins; "
                    "age 54 (born 1970-01-01) → 9; total 90 + 42 + 20 + 9 = 161",
      .ledger = L().Born(1970, 1, 1)
                    .Permit(kSh, D(2020, 1, 1))
                    .Insured(kSh, "2010-01", "2024-06", {.district = "310118"})
                    .Own(kSh, "310118", "2010-01", "2024-06")
                    .Edu(EducationLevel::kBachelor, true, true, D(1992, 7, 1))
                    .Qual(QualificationKind::kSkill, 2, "320500", D(2015, 1, 1)),
      .total = "161",
      .lines = {{.id = "suburb_work_and_home", .points = "20", .capped = true},
                {.id = "social_insurance_years", .points = "42"},
                {.id = "education", .points = "90", .counted = true},
                {.id = "qualification", .points = "0", .counted = false},
                {.id = "age", .points = "9"}},
  });

  cases.push_back({
      .name = "S10 fresh graduate, shortage major, honours highest, spouse 23 months",
      .arithmetic = "master+degree 100 (completed 2023-07-01, full time, 11 months ago → fresh graduate 10); "
                    "shortage major 30; SI 2023-07..2024-06 = 12 → 1 × 3 = 3; honours 30 and 60 → 60; "
                    "spouse married 2022-06-16: 23 full months → 1 × 4 = 4; age 26 → 30; "
                    "total 100 + 3 + 30 + 10 + 60 + 4 + 30 = 237",
      .ledger = L().Born(1998, 3, 1)
                    .Permit(kSh, D(2023, 8, 1))
                    .Insured(kSh, "2023-07", "2024-06")
                    .Edu(EducationLevel::kMaster, true, true, D(2023, 7, 1), /*shortage_major=*/true)
                    .Honour("municipal_special", D(2024, 1, 1))
                    .Honour("municipal_comprehensive", D(2024, 3, 1))
                    .Spouse(kSh, D(2022, 6, 16)),
      .total = "237",
      .lines = {{.id = "fresh_graduate", .points = "10"},
                {.id = "shortage_major", .points = "30"},
                {.id = "honours", .points = "60"},
                {.id = "spouse", .points = "4", .capped = false},
                {.id = "social_insurance_years", .points = "3"}},
  });

  cases.push_back({
      .name = "S11 spouse capped at 40; national honour 110; back-paid month not in SI years; age 56",
      .arithmetic = "SI 2012-07..2024-06 = 144 of which 2013-03 back-paid → 143 → 11 × 3 = 33; "
                    "bachelor+degree 90; spouse married 2010-01-01: 173 months → 14 × 4 = 56, capped 40; "
                    "honours provincial_or_above + national_model_worker → 110; age 56 (born 1968-06-15) → 5; "
                    "total 90 + 33 + 40 + 110 + 5 = 278",
      .ledger = L().Born(1968, 6, 15)
                    .Permit(kSh, D(2020, 1, 1))
                    .Insured(kSh, "2012-07", "2013-02")
                    .Insured(kSh, "2013-03", "2013-03", {.back = true})
                    .Insured(kSh, "2013-04", "2024-06")
                    .Edu(EducationLevel::kBachelor, true, true, D(1990, 7, 1))
                    .Honour("provincial_or_above", D(2018, 1, 1))
                    .Honour("national_model_worker", D(2019, 1, 1))
                    .Spouse(kSh, D(2010, 1, 1)),
      .total = "278",
      .lines = {{.id = "social_insurance_years", .points = "33"},
                {.id = "spouse", .points = "40", .capped = true},
                {.id = "honours", .points = "110"},
                {.id = "age", .points = "5"}},
  });

  cases.push_back({
      .name = "S12 deductions inside and just outside their windows",
      .arithmetic = "bachelor+degree 90; SI 2018-01..2024-06 = 78 → 6 × 3 = 18; age 43 (born 1980-06-16) → 30; "
                    "false material 2021-06-16 (35 full months) → −150, 2021-06-15 (36) → 0; "
                    "detention in Beijing 2019-07-01 (59) → −50, 2019-06-15 (60) → 0; "
                    "ordinary crime in Suzhou 2020-01-01 → −150; total 90 + 18 + 30 − 150 − 50 − 150 = −212",
      .ledger = L().Born(1980, 6, 16)
                    .Permit(kSh, D(2020, 1, 1))
                    .Insured(kSh, "2018-01", "2024-06")
                    .Edu(EducationLevel::kBachelor, true, true, D(2012, 7, 1))
                    .Violation(ViolationKind::kFalseMaterial, kSh, D(2021, 6, 16))
                    .Violation(ViolationKind::kFalseMaterial, kSh, D(2021, 6, 15))
                    .Violation(ViolationKind::kDetention, kBj, D(2019, 7, 1))
                    .Violation(ViolationKind::kDetention, kSh, D(2019, 6, 15))
                    .Violation(ViolationKind::kCrime, "320500", D(2020, 1, 1)),
      .total = "-212",
      .display = "-212",
      .lines = {{.id = "age", .points = "30"},
                {.id = "false_material", .points = "-150"},
                {.id = "detention", .points = "-50"},
                {.id = "crime", .points = "-150"}},
  });

  cases.push_back({
      .name = "S13 serious crime: vetoed, no score",
      .arithmetic = "S01's 141 points, serious crime in 2005 (no window) → veto → 0",
      .ledger = L().Born(1994, 1, 1)
                    .Permit(kSh, D(2020, 1, 1))
                    .Insured(kSh, "2017-07", "2024-06", {.district = "310115"})
                    .Edu(EducationLevel::kBachelor, true, true, D(2016, 7, 1))
                    .Violation(ViolationKind::kSeriousCrime, kSh, D(2005, 1, 1)),
      .total = "0",
      .vetoed = true,
  });

  cases.push_back({
      .name = "S14 no Shanghai permit: not eligible",
      .arithmetic = "permit held in Beijing only → not eligible; 90 + 21 + 30 = 141",
      .ledger = L().Born(1994, 1, 1)
                    .Permit(kBj, D(2020, 1, 1))
                    .Insured(kSh, "2017-07", "2024-06")
                    .Edu(EducationLevel::kBachelor, true, true, D(2016, 7, 1)),
      .eligible = false,
      .total = "141",
  });

  cases.push_back({
      .name = "S15 stopped paying in May: not paying in the application month",
      .arithmetic = "SI 2017-07..2024-05 = 83 → 6 × 3 = 18 (11 of the last 12, but none in 2024-06) → not eligible; "
                    "total 90 + 18 + 30 = 138",
      .ledger = L().Born(1994, 1, 1)
                    .Permit(kSh, D(2020, 1, 1))
                    .Insured(kSh, "2017-07", "2024-05")
                    .Edu(EducationLevel::kBachelor, true, true, D(2016, 7, 1)),
      .eligible = false,
      .total = "138",
  });

  cases.push_back({
      .name = "S16 paying now but only 5 of the last 12 months",
      .arithmetic = "SI 2015-01..2022-12 (96) + 2024-02..2024-06 (5) = 101 → 8 × 3 = 24; 5 < 6 in 2023-07..2024-06 "
                    "→ not eligible; total 90 + 24 + 30 = 144",
      .ledger = L().Born(1994, 1, 1)
                    .Permit(kSh, D(2020, 1, 1))
                    .Insured(kSh, "2015-01", "2022-12")
                    .Insured(kSh, "2024-02", "2024-06")
                    .Edu(EducationLevel::kBachelor, true, true, D(2014, 7, 1)),
      .eligible = false,
      .total = "144",
  });

  cases.push_back({
      .name = "S17 flexible-employment insurance this month is not employee insurance; age 61 scores 0",
      .arithmetic = "employee SI 2017-07..2024-05 = 83 → 6 × 3 = 18, flexible 2024-06 not counted → not paying "
                    "now → not eligible; age 61 (born 1963-01-01) is in no band → 0; total 90 + 18 + 0 = 108",
      .ledger = L().Born(1963, 1, 1)
                    .Permit(kSh, D(2020, 1, 1))
                    .Insured(kSh, "2017-07", "2024-05")
                    .Insured(kSh, "2024-06", "2024-06", {.scheme = InsuranceScheme::kFlexible})
                    .Edu(EducationLevel::kBachelor, true, true, D(1985, 7, 1)),
      .eligible = false,
      .total = "108",
      .lines = {{.id = "age", .points = "0"}, {.id = "social_insurance_years", .points = "18"}},
  });

  Run(kSh, date, cases);
}

}  // namespace
}  // namespace epermit::policy
