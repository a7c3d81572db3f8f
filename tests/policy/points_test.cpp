#include "policy/points.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

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
    std::vector<int64_t> by_column(people * stride);
    std::vector<const int64_t*> columns(stride);
    for (size_t k = 0; k < stride; ++k) {
      for (size_t i = 0; i < people; ++i) by_column[k * people + i] = slots[i * stride + k];
      columns[k] = by_column.data() + k * people;
    }
    std::vector<Totals> from_columns(people);
    EvaluateBatchColumns(table, columns.data(), people, from_columns.data());
    size_t eligible = 0;
    for (size_t i = 0; i < people; ++i) {
      const Totals one = Evaluate(table, slots.data() + i * stride);
      ASSERT_EQ(batch[i].total, one.total) << "person " << i;
      ASSERT_EQ(batch[i].eligible, one.eligible) << "person " << i;
      ASSERT_EQ(batch[i].vetoed, one.vetoed) << "person " << i;
      ASSERT_EQ(from_columns[i].total, one.total) << "person " << i;
      ASSERT_EQ(from_columns[i].eligible, one.eligible) << "person " << i;
      ASSERT_EQ(from_columns[i].vetoed, one.vetoed) << "person " << i;
      eligible += one.eligible ? 1 : 0;
    }
    EXPECT_GT(eligible, 0u);
  }
}

// An independent reading of a table for one person, indicator by indicator from
// `table.indicators` in `table.order` (not the compiled plan): what every engine path must give.
Totals Reference(const PointsTable& t, const int64_t* v) {
  Totals out;
  for (const Precondition& p : t.preconditions) {
    const int64_t q = v[p.slot];
    out.eligible = out.eligible && (p.comparison == Comparison::kAtLeast  ? q >= p.value
                                    : p.comparison == Comparison::kAtMost ? q <= p.value
                                                                          : q == p.value);
  }
  const size_t n = t.indicators.size();
  std::vector<int64_t> points(n, 0), carried(n, 0), months(n, 0);
  int64_t total = 0;
  for (int i : t.order) {
    const auto& ind = t.indicators[static_cast<size_t>(i)];
    const int64_t q = ind.slot >= 0 ? v[ind.slot] : 0;
    const int64_t rate = ind.rate.units();
    int64_t p = 0;
    switch (ind.kind) {
      case IndicatorKind::kVeto:
        if (q >= ind.at_least) out.vetoed = true;
        continue;
      case IndicatorKind::kPerMonth:
      case IndicatorKind::kPerFullYear: {
        int64_t m = q + carried[static_cast<size_t>(i)];
        if (ind.cap_slot >= 0) {
          const int64_t used = ind.cap_after >= 0 ? months[static_cast<size_t>(ind.cap_after)] : 0;
          m = std::min(m, std::max<int64_t>(v[ind.cap_slot] - used, 0));
        }
        if (ind.at_least > 0 && m < ind.at_least) m = 0;
        months[static_cast<size_t>(i)] = m;
        if (ind.kind == IndicatorKind::kPerMonth) {
          p = rate * m / 12;
        } else {
          p = rate * (m / 12);
          if (ind.carry_to >= 0) carried[static_cast<size_t>(ind.carry_to)] += m % 12;
        }
        break;
      }
      case IndicatorKind::kPerUnit:
        p = rate * (q / ind.unit);
        break;
      case IndicatorKind::kThreshold:
        p = q >= ind.at_least ? rate : 0;
        break;
      case IndicatorKind::kBands:
        for (const Band& b : ind.bands) {
          if (q >= b.from && q <= b.to) p = b.points.units();
        }
        break;
      case IndicatorKind::kLevels:
        for (size_t b = 0; b < ind.level_by_bit.size(); ++b) {
          if ((q >> b & 1) != 0 && ind.level_by_bit[b]) p = std::max(p, ind.level_by_bit[b]->units());
        }
        break;
      case IndicatorKind::kSum:
        for (int m : ind.member_index) p += points[static_cast<size_t>(m)];
        break;
      case IndicatorKind::kHighestOf:
        p = points[static_cast<size_t>(ind.member_index.front())];
        for (int m : ind.member_index) p = std::max(p, points[static_cast<size_t>(m)]);
        break;
    }
    if (ind.cap) p = std::clamp(p, -ind.cap->units(), ind.cap->units());
    points[static_cast<size_t>(i)] = p;
    if (!ind.in_group) total += p;
  }
  out.total = Points::FromUnits(out.vetoed ? 0 : total);
  return out;
}

std::string Leaf(const std::string& id, const std::string& body) {
  return "[[points.indicator]]\nid = \"" + id + "\"\ntitle_en = \"t\"\ntitle_zh = \"t\"\nsource = \"s\"\n" + body;
}

// Every kind, option and combination the engine evaluates (preconditions of each comparison,
// month caps with a shared budget, at_least, a carried remainder into per_month and into
// per_full_year, per_unit with a unit and negative points, thresholds, bands from a dense
// table and from compares, levels, nested sum and highest_of groups with caps, two vetoes),
// over people with negative, small, large and bit-mask values: the column path, the row path
// and Evaluate all equal the reference, person by person, at any block boundary.
TEST(PointsTest, EveryPathEqualsAReferenceReadingOfTheTable) {
  const std::string table_text =
      std::string(kTableHead) +
      "[[points.precondition]]\nid = \"p1\"\ntitle_en = \"p\"\ntitle_zh = \"p\"\nsource = \"s\"\n"
      "quantity = \"holds_permit\"\nat_least = 1\n"
      "[[points.precondition]]\nid = \"p2\"\ntitle_en = \"p\"\ntitle_zh = \"p\"\nsource = \"s\"\n"
      "quantity = \"si_back_payment_months\"\nat_most = 300\n"
      "[[points.precondition]]\nid = \"p3\"\ntitle_en = \"p\"\ntitle_zh = \"p\"\nsource = \"s\"\n"
      "quantity = { name = \"violations\", violation_kinds = [\"crime\"] }\nequals = 0\n" +
      Leaf("emp", "kind = \"per_month\"\nquantity = \"si_months\"\nper_year = 3\nat_least = 6\n") +
      Leaf("own",
           "kind = \"per_month\"\nquantity = { name = \"home_months\", tenures = [\"own\"] }\nper_year = 1\n"
           "cap_months_by = \"si_months\"\n") +
      Leaf("rent",
           "kind = \"per_month\"\nquantity = { name = \"home_months\", tenures = [\"rented\"] }\n"
           "per_year = 0.55\ncap_months_by = \"si_months\"\ncap_months_after = \"own\"\n") +
      Leaf("edu",
           "kind = \"levels\"\nquantity = \"education\"\nlevels = { junior_college = 10.5, bachelor_degree = 15, "
           "master_degree = 26, doctor_degree = 37 }\ncap = 30\n") +
      Leaf("emp2", "kind = \"per_full_year\"\nquantity = \"residence_months\"\nper_year = 2.5\n") +
      Leaf("with", "kind = \"sum\"\nmembers = [\"edu\", \"emp2\"]\n") +
      Leaf("without", "kind = \"sum\"\nmembers = [\"emp\", \"own\", \"rent\"]\ncap = 50\n") +
      Leaf("best", "kind = \"highest_of\"\nmembers = [\"with\", \"without\"]\ncap = 45\n") +
      Leaf("both",
           "kind = \"per_full_year\"\nquantity = { name = \"home_work_months\", tenures = [\"own\"] }\n"
           "per_year = 3\ncarry_remainder_to = \"only\"\n") +
      Leaf("only",
           "kind = \"per_month\"\nquantity = { name = \"home_work_months\", tenures = [\"own\"], with_work = "
           "false }\nper_year = 2\nat_least = 12\n") +
      Leaf("area", "kind = \"sum\"\nmembers = [\"both\", \"only\"]\ncap = 12\n") +
      Leaf("first",
           "kind = \"per_full_year\"\nquantity = \"permit_months\"\nper_year = 1\n"
           "carry_remainder_to = \"last\"\n") +
      Leaf("last",
           "kind = \"per_full_year\"\nquantity = \"housing_fund_months\"\nper_year = 1.5\n"
           "cap_months_by = \"spouse_hukou_months\"\n") +
      Leaf("tax", "kind = \"per_unit\"\nquantity = \"tax_years\"\npoints = 2\ncap = 5\n") +
      Leaf("fine", "kind = \"per_unit\"\nquantity = \"study_overlap_months\"\npoints = -2.5\nunit = 7\n") +
      Leaf("fresh", "kind = \"threshold\"\nquantity = \"fresh_graduate\"\npoints = 10\nat_least = 1\n") +
      Leaf("age",
           "kind = \"bands\"\nquantity = \"age_years\"\nbands = [{ from = 18, to = 45, points = 20 }, { from = 46, "
           "to = 49, points = 10 }, { from = 60, to = 80, points = -5 }]\n") +
      Leaf("wide",
           "kind = \"bands\"\nquantity = \"si_continuous_months\"\nbands = [{ from = -5000, to = -1, points = 1 }, "
           "{ from = 100, to = 200, points = 2 }, { from = 3000, to = 5000, points = 3.25 }]\n") +
      Leaf("honour",
           "kind = \"levels\"\nquantity = \"honour\"\nlevels = { national_model_worker = 20, capital_moral_model = "
           "12, city_star = 4 }\ncap = 15\n") +
      Leaf("veto1",
           "kind = \"veto\"\nquantity = { name = \"violations\", violation_kinds = [\"detention\"] }\n"
           "at_least = 5000\n") +
      Leaf("veto2", "kind = \"veto\"\nquantity = \"below_retirement_age\"\nat_least = 60000\n");
  auto p = WithPoints(table_text);
  ASSERT_TRUE(p.ok()) << p.error().message_en;
  const PointsTable& table = *p->points;
  // Both ways of evaluating bands are taken.
  int lookup = 0, compared = 0;
  for (const EvalStep& s : table.plan.steps) {
    if (s.kind == IndicatorKind::kBands) (s.lookup_first >= 0 ? lookup : compared) += 1;
  }
  ASSERT_EQ(lookup, 1);
  ASSERT_EQ(compared, 1);

  const size_t stride = table.slots.size();
  uint64_t state = 7;
  auto next = [&state](int64_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int64_t>((state >> 33) % static_cast<uint64_t>(bound));
  };
  const size_t people = 1000;
  std::vector<int64_t> rows(people * stride);
  // The edges of the bands, caps and at_least counts above.
  const int64_t edges[] = {-5001, -5000, -1, 0,  1,  5,  6,  11, 12,  13,  17,  18,   23,   24,   45,
                           46,    49,    50, 59, 60, 80, 81, 99, 100, 200, 201, 2999, 3000, 5000, 5001};
  for (int64_t& v : rows) {
    switch (next(7)) {
      case 6:
        v = edges[next(std::size(edges))];
        break;
      case 0:
        v = -next(40);
        break;
      case 1:
        v = next(4);
        break;
      case 2:
        v = next(100);
        break;
      case 3:
        v = next(400);
        break;
      case 4:
        v = next(6000) - 500;
        break;
      default:
        v = next(1 << 16);  // level bits
        break;
    }
  }
  std::vector<int64_t> by_column(people * stride);
  for (size_t k = 0; k < stride; ++k) {
    for (size_t i = 0; i < people; ++i) by_column[k * people + i] = rows[i * stride + k];
  }
  // Columns in one call, and in uneven chunks starting anywhere (1, 63, 64, 65, 200 ... people).
  std::vector<Totals> whole(people), chunked(people), batch(people);
  std::vector<const int64_t*> columns(stride);
  for (size_t k = 0; k < stride; ++k) columns[k] = by_column.data() + k * people;
  EvaluateBatchColumns(table, columns.data(), people, whole.data());
  const size_t sizes[] = {1, 63, 64, 65, 200, 3, 128, 129};
  for (size_t base = 0, c = 0; base < people; ++c) {
    const size_t n = std::min(sizes[c % std::size(sizes)], people - base);
    std::vector<const int64_t*> at(stride);
    for (size_t k = 0; k < stride; ++k) at[k] = columns[k] + base;
    EvaluateBatchColumns(table, at.data(), n, chunked.data() + base);
    base += n;
  }
  EvaluateBatch(table, rows.data(), stride, people, batch.data());
  size_t eligible = 0, vetoed = 0;
  for (size_t i = 0; i < people; ++i) {
    const Totals want = Reference(table, rows.data() + i * stride);
    for (const auto& [what, got] :
         {std::pair{"columns", whole[i]}, std::pair{"columns in chunks", chunked[i]}, std::pair{"rows", batch[i]},
          std::pair{"one", Evaluate(table, &rows[i * stride])}}) {
      ASSERT_EQ(got.total, want.total) << what << ", person " << i;
      ASSERT_EQ(got.eligible, want.eligible) << what << ", person " << i;
      ASSERT_EQ(got.vetoed, want.vetoed) << what << ", person " << i;
    }
    eligible += want.eligible ? 1 : 0;
    vetoed += want.vetoed ? 1 : 0;
  }
  EXPECT_GT(eligible, 0u);
  EXPECT_GT(vetoed, 0u);
  EXPECT_LT(vetoed, people / 2);  // most totals count
  // An empty population writes nothing.
  EvaluateBatchColumns(table, columns.data(), 0, nullptr);
}

}  // namespace
}  // namespace epermit::policy
