// Month counting (policy/quantity.cpp counts month sets a 64-bit word at a time) against a
// reading of the rules written with one std::set entry per month, over random ledgers:
// periods that cross word boundaries, reach past the 1,024-month window or into the future,
// every risk mode, study exclusion, look-back windows, `since`, back payments, unbroken runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "policy/quantity.hpp"

namespace epermit::policy {
namespace {

using domain::InsuranceRisk;
using domain::InsuranceScheme;
using MonthSet = std::set<MonthIndex>;

constexpr char kCity[] = "110000";
constexpr int kWindow = 1024;  // quantity.cpp's look-back: 85 years

const InsuranceRisk kRisks[] = {InsuranceRisk::kPension, InsuranceRisk::kMedical, InsuranceRisk::kUnemployment,
                                InsuranceRisk::kWorkInjury, InsuranceRisk::kMaternity};

void AddMonths(MonthSet& s, MonthIndex from, MonthIndex to, MonthIndex lower, MonthIndex last) {
  for (MonthIndex m = std::max({from, lower, last - kWindow + 1}); m <= std::min(to, last); ++m) s.insert(m);
}

MonthIndex Lower(const QuantitySpec& spec, MonthIndex last, bool with_window) {
  MonthIndex lower = last - kWindow + 1;
  if (spec.since) lower = std::max(lower, MonthOf(*spec.since));
  if (with_window && spec.within_months > 0) lower = std::max(lower, last - spec.within_months + 1);
  return lower;
}

MonthSet StudySet(const Ledger& l, MonthIndex last) {
  MonthSet s;
  for (const StudyFact& f : l.study) {
    if (f.city == kCity) AddMonths(s, f.period.from, f.period.to, f.period.from, last);
  }
  return s;
}

// The social-insurance months of the spec's risks, combined by its risk mode.
MonthSet ReferenceSi(const QuantitySpec& spec, const Ledger& l, MonthIndex last, MonthIndex lower,
                     bool allow_back_payment) {
  std::vector<InsuranceRisk> risks = spec.risks;
  if (risks.empty()) risks.assign(std::begin(kRisks), std::end(kRisks));
  std::vector<MonthSet> per_risk;
  const MonthSet study = StudySet(l, last);
  for (InsuranceRisk r : risks) {
    MonthSet s;
    for (const SocialInsuranceFact& f : l.social_insurance) {
      if (f.city != kCity || f.risk != r || (f.back_payment && !allow_back_payment)) continue;
      if (!spec.schemes.empty() && std::find(spec.schemes.begin(), spec.schemes.end(), f.scheme) == spec.schemes.end())
        continue;
      AddMonths(s, f.period.from, f.period.to, lower, last);
    }
    if (spec.exclude_study) {
      for (MonthIndex m : study) s.erase(m);
    }
    per_risk.push_back(std::move(s));
  }
  MonthSet out;
  switch (spec.risk_mode) {
    case RiskMode::kAny:
      for (const MonthSet& s : per_risk) out.insert(s.begin(), s.end());
      break;
    case RiskMode::kAll:
      out = per_risk.front();
      for (const MonthSet& s : per_risk) {
        MonthSet both;
        std::set_intersection(out.begin(), out.end(), s.begin(), s.end(), std::inserter(both, both.end()));
        out = std::move(both);
      }
      break;
    case RiskMode::kMax:
      out = per_risk.front();
      for (const MonthSet& s : per_risk) {
        if (s.size() > out.size()) out = s;
      }
      break;
  }
  return out;
}

int64_t RunTo(const MonthSet& s, MonthIndex end) {
  int64_t n = 0;
  while (s.count(end - n) != 0) ++n;
  return n;
}

TEST(QuantityCountTest, WordWiseMonthCountsEqualAMonthByMonthReading) {
  std::mt19937_64 rng(20261128);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const Date as_of = MakeDate(2026, 11, 15);
  CountContext ctx;
  ctx.city = kCity;
  ctx.as_of = as_of;
  ctx.age_as_of = as_of;
  const MonthIndex now = MonthOf(as_of);
  int nonzero_runs = 0, long_runs = 0;
  for (int person = 0; person < 400; ++person) {
    Ledger l;
    const int facts = pick(0, 12);
    for (int i = 0; i < facts; ++i) {
      // From 90 years back (beyond the window) to a few months ahead; runs of up to 40 years.
      const MonthIndex from = now - pick(0, 1080);
      const MonthIndex to = from + pick(-1, 480);
      l.social_insurance.push_back({pick(0, 4) == 0 ? "310000" : kCity, "", static_cast<InsuranceScheme>(pick(0, 2)),
                                    kRisks[pick(0, 4)], MonthPeriod{from, to}, pick(0, 5) == 0, 0, i + 1});
    }
    // Often one long unbroken run to this month or the month before, so runs cross words.
    if (pick(0, 1) == 0) {
      for (InsuranceRisk r : kRisks) {
        l.social_insurance.push_back({kCity, "", InsuranceScheme::kEmployee, r,
                                      MonthPeriod{now - pick(0, 700), now - pick(0, 1)}, false, 0, 99});
      }
    }
    for (int i = pick(0, 2); i > 0; --i) {
      const MonthIndex from = now - pick(0, 400);
      l.study.push_back({kCity, "s", MonthPeriod{from, from + pick(0, 60)}, 50});
    }
    for (int i = pick(0, 3); i > 0; --i) {
      const MonthIndex from = now - pick(0, 1100);
      l.homes.push_back({kCity, "", pick(0, 1) == 0 ? domain::Tenure::kOwn : domain::Tenure::kRented,
                         MonthPeriod{from, from + pick(0, 500)}, 60});
    }

    QuantitySpec si;
    si.name = "si_months";
    si.risk_mode = static_cast<RiskMode>(pick(0, 2));
    for (InsuranceRisk r : kRisks) {
      if (pick(0, 2) == 0) si.risks.push_back(r);
    }
    if (pick(0, 2) == 0) si.schemes = {InsuranceScheme::kEmployee};
    si.exclude_back_payments = pick(0, 1) == 0;
    si.exclude_study = pick(0, 1) == 0;
    if (pick(0, 2) == 0) si.within_months = pick(1, 300);
    if (pick(0, 3) == 0) si.since = MakeDate(2026 - pick(0, 95), 3, 1);
    si.before_as_of_month = pick(0, 3) == 0;
    const MonthIndex last = now - (si.before_as_of_month ? 1 : 0);
    const MonthSet expected = ReferenceSi(si, l, last, Lower(si, last, true), !si.exclude_back_payments);
    EXPECT_EQ(Count(si, l, ctx, {}, false).value, static_cast<int64_t>(expected.size())) << "person " << person;

    QuantitySpec run = si;
    run.name = "si_continuous_months";
    run.before_as_of_month = false;
    run.allow_unpaid_as_of_month = pick(0, 1) == 0;
    const MonthSet paid = ReferenceSi(run, l, now, Lower(run, now, false), run.include_back_payments_in_run);
    int64_t want = RunTo(paid, now);
    if (run.allow_unpaid_as_of_month && paid.count(now) == 0) want = RunTo(paid, now - 1);
    nonzero_runs += want > 0;
    long_runs += want > 64;
    EXPECT_EQ(Count(run, l, ctx, {}, false).value, want) << "person " << person;

    QuantitySpec home;
    home.name = "home_months";
    if (pick(0, 1) == 0) home.tenures = {domain::Tenure::kOwn};
    home.exclude_study = pick(0, 1) == 0;
    if (pick(0, 2) == 0) home.within_months = pick(1, 200);
    MonthSet homes;
    for (const HomeFact& h : l.homes) {
      if (home.tenures.empty() || h.tenure == home.tenures[0]) {
        AddMonths(homes, h.period.from, h.period.to, Lower(home, now, true), now);
      }
    }
    if (home.exclude_study) {
      for (MonthIndex m : StudySet(l, now)) homes.erase(m);
    }
    EXPECT_EQ(Count(home, l, ctx, {}, false).value, static_cast<int64_t>(homes.size())) << "person " << person;
  }
  // The random people did reach the cases that matter.
  EXPECT_GT(nonzero_runs, 100);
  EXPECT_GT(long_runs, 50);
}

// An unpaid month at every distance from the as-of month up to 200, so that the gap falls on
// every bit of the words a run crosses (the run is counted a word at a time).
TEST(QuantityCountTest, ARunStopsAtTheGapWhereverItFallsInAWord) {
  const Date as_of = MakeDate(2026, 11, 15);
  const MonthIndex now = MonthOf(as_of);
  CountContext ctx;
  ctx.city = kCity;
  ctx.as_of = as_of;
  ctx.age_as_of = as_of;
  QuantitySpec run;
  run.name = "si_continuous_months";
  run.risks = {InsuranceRisk::kPension};
  for (int gap = 0; gap <= 200; ++gap) {
    Ledger l;
    l.social_insurance.push_back({kCity, "", InsuranceScheme::kEmployee, InsuranceRisk::kPension,
                                  MonthPeriod{now - 900, now - gap - 1}, false, 0, 1});
    l.social_insurance.push_back(
        {kCity, "", InsuranceScheme::kEmployee, InsuranceRisk::kPension, MonthPeriod{now - gap + 1, now}, false, 0, 2});
    EXPECT_EQ(Count(run, l, ctx, {}, false).value, gap) << "unpaid " << gap << " months back";
  }
  // Paid all through the window: the run is the window, not more.
  Ledger all;
  all.social_insurance.push_back(
      {kCity, "", InsuranceScheme::kEmployee, InsuranceRisk::kPension, MonthPeriod{now - 2000, now}, false, 0, 1});
  EXPECT_EQ(Count(run, all, ctx, {}, false).value, kWindow);
}

}  // namespace
}  // namespace epermit::policy
