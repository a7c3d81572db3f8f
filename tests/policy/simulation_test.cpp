// What-if over a population: every person lands in exactly one change, each person's before
// and after equal the explained scores of the two tables, samples are masked and in
// population order, and pass marks are compared per table.
#include "policy/simulation.hpp"

#include <gtest/gtest.h>

#include "policy/points_report.hpp"
#include "support/ledger_builder.hpp"
#include "support/test_support.hpp"

namespace epermit::policy {
namespace {

using testing_ledger::D;
using testing_ledger::L;

constexpr char kBj[] = "110000";
constexpr char kSh[] = "310000";

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  size_t n = 0;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()), ++n) {
    text.replace(at, from.size(), to);
  }
  EXPECT_GT(n, 0u) << from;
  return text;
}

CityPolicy Parse(const std::string& text) {
  auto p = ParseCityPolicy(text, "test.toml");
  EXPECT_TRUE(p.ok()) << p.error().message_en;
  return p.ok() ? std::move(*p) : CityPolicy{};
}

const std::string kBjEmployment = "risk_mode = \"max\", since = 1998-07-01 }\nper_year = 3";

Ledger Person(L builder, const std::string& citizen_id) {
  builder.l.citizen_id = citizen_id;
  return builder.l;
}

// Eligible (permit 2016, 96 months of SI to 2023-12, age 46): the B07 worked case, 60 points.
Ledger NinetySixMonths() {
  return Person(L().Born(1976, 12, 31)
                    .Permit(kBj, D(2016, 6, 1))
                    .Insured(kBj, "2016-01", "2023-12", {.district = "110115"})
                    .Own(kBj, "110115", "2016-01", "2023-12"),
                "110105197612310011");
}

// 72 months of SI: short of the 84 the current table asks.
Ledger SeventyTwoMonths() {
  return Person(L().Born(1985, 3, 1)
                    .Permit(kBj, D(2018, 6, 1))
                    .Insured(kBj, "2018-01", "2023-12", {.district = "110114"})
                    .Rent(kBj, "110114", "2018-01", "2023-12"),
                "110105198503010022");
}

// 90 months: eligible now, not under a 96-month draft.
Ledger NinetyMonths() {
  return Person(L().Born(1980, 7, 1)
                    .Permit(kBj, D(2017, 1, 1))
                    .Insured(kBj, "2016-07", "2023-12", {.district = "110112"})
                    .Rent(kBj, "110112", "2016-07", "2023-12"),
                "110105198007010033");
}

// No permit: ineligible under every version.
Ledger NoPermit() {
  return Person(L().Born(1990, 1, 1).Insured(kBj, "2010-01", "2023-12", {.district = "110105"}), "110105199001010044");
}

class SimulationTest : public ::testing::Test {
 protected:
  // Both tables scored on `date` in `city`, the population added in order.
  static SimulationCounts Run(const CityPolicy& current, const CityPolicy& draft, const std::vector<Ledger>& people,
                              const std::string& city, Date date, size_t samples = 5) {
    SimulationSetup setup;
    setup.current = &*current.points;
    setup.draft = &*draft.points;
    setup.current_ctx = ContextFor(*setup.current, city, date, nullptr);
    setup.draft_ctx = ContextFor(*setup.draft, city, date, nullptr);
    setup.samples = samples;
    const SimulationPlan plan(setup);
    SimulationAccumulator acc(plan);
    for (size_t i = 0; i < people.size(); ++i) acc.Add(people[i], i);
    acc.Flush();
    return acc.counts();
  }

  static Points Explained(const CityPolicy& policy, const Ledger& l, const std::string& city, Date date) {
    return Explain(*policy.points, l, ContextFor(*policy.points, city, date, nullptr), date).total;
  }

  const Date date_ = D(2024, 4, 15);  // counts to 2023-12-31, age on 2023-01-01
  const std::string beijing_ = testing::ReadShippedPolicy("110000/2020-01-01.toml");
};

TEST_F(SimulationTest, AMilderDraftMakesPeopleEligibleAndRaisesScores) {
  const CityPolicy current = Parse(beijing_);
  const CityPolicy draft =
      Parse(testing::ReplaceOnce(testing::ReplaceOnce(beijing_, "at_least = 84", "at_least = 60"), kBjEmployment,
                                 "risk_mode = \"max\", since = 1998-07-01 }\nper_year = 4"));
  const std::vector<Ledger> people = {NinetySixMonths(), SeventyTwoMonths(), NoPermit()};
  const SimulationCounts c = Run(current, draft, people, kBj, date_);

  EXPECT_EQ(c.people, 3u);
  EXPECT_EQ(c.by_change[static_cast<size_t>(Change::kScoreUp)], 1u);
  EXPECT_EQ(c.by_change[static_cast<size_t>(Change::kNewlyEligible)], 1u);
  EXPECT_EQ(c.by_change[static_cast<size_t>(Change::kIneligibleBoth)], 1u);
  EXPECT_EQ(c.by_change[static_cast<size_t>(Change::kNoLongerEligible)], 0u);
  EXPECT_EQ(c.eligible_before, 1u);
  EXPECT_EQ(c.eligible_after, 2u);

  // Each sample's before and after are the explained scores of the two tables.
  const SamplePerson& up = c.samples[static_cast<size_t>(Change::kScoreUp)].at(0);
  EXPECT_EQ(up.before, Explained(current, people[0], kBj, date_));
  EXPECT_EQ(up.before.ToDisplay(), "60");  // the B07 worked case
  EXPECT_EQ(up.after, Explained(draft, people[0], kBj, date_));
  EXPECT_GT(up.after, up.before);
  EXPECT_EQ(up.citizen_id_masked, "110105********0011");
  const SamplePerson& newly = c.samples[static_cast<size_t>(Change::kNewlyEligible)].at(0);
  EXPECT_FALSE(newly.eligible_before);
  EXPECT_TRUE(newly.eligible_after);
  EXPECT_EQ(newly.after, Explained(draft, people[1], kBj, date_));
  EXPECT_EQ(newly.position, 1u);

  // Bands hold exactly the eligible people, each in the band of its score.
  uint64_t before = 0, after = 0;
  for (const auto& [band, n] : c.bands_before) before += n;
  for (const auto& [band, n] : c.bands_after) after += n;
  EXPECT_EQ(before, c.eligible_before);
  EXPECT_EQ(after, c.eligible_after);
  EXPECT_EQ(c.bands_before.at(60), 1u);
  EXPECT_EQ(c.sum_before, up.before);
}

TEST_F(SimulationTest, AStricterDraftTakesEligibilityAwayAndLowersScores) {
  const CityPolicy current = Parse(beijing_);
  // Every 3-a-year rate down to 2 (both ways of counting employment, whichever wins).
  const CityPolicy draft = Parse(
      ReplaceAll(testing::ReplaceOnce(beijing_, "at_least = 84", "at_least = 96"), "per_year = 3\n", "per_year = 2\n"));
  const std::vector<Ledger> people = {NinetyMonths(), NinetySixMonths(), SeventyTwoMonths()};
  const SimulationCounts c = Run(current, draft, people, kBj, date_);
  EXPECT_EQ(c.by_change[static_cast<size_t>(Change::kNoLongerEligible)], 1u);
  EXPECT_EQ(c.by_change[static_cast<size_t>(Change::kScoreDown)], 1u);
  EXPECT_EQ(c.by_change[static_cast<size_t>(Change::kIneligibleBoth)], 1u);
  const SamplePerson& down = c.samples[static_cast<size_t>(Change::kScoreDown)].at(0);
  EXPECT_EQ(down.before, Explained(current, people[1], kBj, date_));
  EXPECT_EQ(down.after, Explained(draft, people[1], kBj, date_));
  EXPECT_LT(down.after, down.before);
  EXPECT_EQ(c.samples[static_cast<size_t>(Change::kNoLongerEligible)].at(0).citizen_id_masked, "110105********0033");
}

TEST_F(SimulationTest, TheSameTableChangesNobodyAndSharesEverySlot) {
  const CityPolicy current = Parse(beijing_);
  const CityPolicy same = Parse(beijing_);
  SimulationSetup setup;
  setup.current = &*current.points;
  setup.draft = &*same.points;
  setup.current_ctx = ContextFor(*setup.current, kBj, date_, nullptr);
  setup.draft_ctx = ContextFor(*setup.draft, kBj, date_, nullptr);
  const SimulationPlan plan(setup);
  EXPECT_EQ(plan.union_slots(), current.points->slots.size());  // counted once for both

  const SimulationCounts c = Run(current, same, {NinetySixMonths(), NinetyMonths(), NoPermit()}, kBj, date_);
  EXPECT_EQ(c.by_change[static_cast<size_t>(Change::kUnchanged)], 2u);
  EXPECT_EQ(c.by_change[static_cast<size_t>(Change::kIneligibleBoth)], 1u);
  EXPECT_EQ(c.sum_before, c.sum_after);
}

TEST_F(SimulationTest, ANewQuantityInTheDraftIsCountedBesideTheOldOnes) {
  const CityPolicy current = Parse(beijing_);
  // The draft counts insurance from 2017 only: quantities (parameters) the current table lacks.
  const CityPolicy draft = Parse(ReplaceAll(beijing_, "since = 1998-07-01", "since = 2017-01-01"));
  SimulationSetup setup;
  setup.current = &*current.points;
  setup.draft = &*draft.points;
  setup.current_ctx = ContextFor(*setup.current, kBj, date_, nullptr);
  setup.draft_ctx = ContextFor(*setup.draft, kBj, date_, nullptr);
  const SimulationPlan plan(setup);
  EXPECT_GT(plan.union_slots(), current.points->slots.size());
  EXPECT_LT(plan.union_slots(), current.points->slots.size() + draft.points->slots.size());
  const std::vector<Ledger> people = {NinetySixMonths()};
  const SimulationCounts c = Run(current, draft, people, kBj, date_);
  const SamplePerson& down = c.samples[static_cast<size_t>(Change::kScoreDown)].at(0);
  EXPECT_EQ(down.after, Explained(draft, people[0], kBj, date_));
  EXPECT_LT(down.after, down.before);
}

TEST_F(SimulationTest, SamplesKeepTheEarliestPeopleAcrossMergedShares) {
  const CityPolicy current = Parse(beijing_);
  const CityPolicy draft = Parse(testing::ReplaceOnce(beijing_, "at_least = 84", "at_least = 60"));
  SimulationSetup setup;
  setup.current = &*current.points;
  setup.draft = &*draft.points;
  setup.current_ctx = ContextFor(*setup.current, kBj, date_, nullptr);
  setup.draft_ctx = ContextFor(*setup.draft, kBj, date_, nullptr);
  setup.samples = 2;
  const SimulationPlan plan(setup);
  // Two shares as two threads would see them; the later share is merged first.
  SimulationAccumulator early(plan), late(plan);
  for (uint64_t i = 0; i < 3; ++i) early.Add(SeventyTwoMonths(), i);
  for (uint64_t i = 3; i < 6; ++i) late.Add(SeventyTwoMonths(), i);
  early.Flush();
  late.Flush();
  SimulationAccumulator total(plan);
  total.Merge(late);
  total.Merge(early);
  const auto& samples = total.counts().samples[static_cast<size_t>(Change::kNewlyEligible)];
  EXPECT_EQ(total.counts().by_change[static_cast<size_t>(Change::kNewlyEligible)], 6u);
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].position, 0u);
  EXPECT_EQ(samples[1].position, 1u);
}

TEST_F(SimulationTest, PassMarksAreComparedPerTable) {
  const std::string shanghai = testing::ReadShippedPolicy("310000/2023-01-01.toml");
  const CityPolicy current = Parse(shanghai);
  const CityPolicy draft = Parse(testing::ReplaceOnce(shanghai, "pass_mark = 120", "pass_mark = 150"));
  // The S01 worked case: 141 points, passing 120, not 150.
  const Ledger s01 = Person(L().Born(1994, 1, 1)
                                .Permit(kSh, D(2020, 1, 1))
                                .Insured(kSh, "2017-07", "2024-06", {.district = "310115"})
                                .Rent(kSh, "310120", "2017-07", "2024-06")
                                .Edu(EducationLevel::kBachelor, true, true, D(2016, 7, 1)),
                            "310115199401010055");
  const SimulationCounts c = Run(current, draft, {s01}, kSh, D(2024, 6, 15));
  EXPECT_EQ(c.by_change[static_cast<size_t>(Change::kUnchanged)], 1u);
  EXPECT_EQ(c.passing_before, 1u);
  EXPECT_EQ(c.passing_after, 0u);
  EXPECT_EQ(c.no_longer_passing, 1u);
  EXPECT_EQ(c.newly_passing, 0u);

  SimulationReport report;
  report.city = kSh;
  report.current_version = current.version;
  report.draft_version = "draft";
  report.date = D(2024, 6, 15);
  report.current = &*current.points;
  report.draft = &*draft.points;
  report.counts = c;
  const nlohmann::json j = SimulationReportToJson(report);
  EXPECT_EQ(j["pass_mark"]["mark_before"], "120");
  EXPECT_EQ(j["pass_mark"]["mark_after"], "150");
  EXPECT_EQ(j["pass_mark"]["no_longer_passing"], 1);
  EXPECT_EQ(j["mean_score"]["before"], "141");
  EXPECT_EQ(j["written"], false);
  EXPECT_EQ(j["changes"]["unchanged"]["people"], 1);
}

TEST_F(SimulationTest, TheReportNamesNobodyInFull) {
  const CityPolicy current = Parse(beijing_);
  const CityPolicy draft = Parse(testing::ReplaceOnce(beijing_, "at_least = 84", "at_least = 60"));
  const std::vector<Ledger> people = {SeventyTwoMonths(), NinetySixMonths()};
  SimulationReport report;
  report.city = kBj;
  report.current = &*current.points;
  report.draft = &*draft.points;
  report.counts = Run(current, draft, people, kBj, date_);
  const std::string text = SimulationReportToJson(report).dump();
  for (const Ledger& l : people) EXPECT_EQ(text.find(l.citizen_id), std::string::npos);
  EXPECT_NE(text.find("110105********0022"), std::string::npos);
}

}  // namespace
}  // namespace epermit::policy
