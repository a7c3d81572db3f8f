// Points benchmarks of issue 4: the engine (src/policy/points.hpp) scoring synthetic people
// against the shipped Beijing table (policies/110000/2020-01-01.toml), against a hand-written
// C++ function for the same table measured in the same run, on the same core. The result is
// the ratio and the people per second; nothing is asserted on time.
//
//   BM_EngineTotals        policy::Evaluate over 1,000,000 synthetic people (EPERMIT_BENCH_PEOPLE),
//                          each a precomputed slot vector (one flat std::vector<int64_t>, people ×
//                          slots, from a fixed seed); one iteration scores the whole population.
//                          Totals only: explanations are built lazily, when someone asks.
//   BM_EngineColumnsTotals **The engine figure**: policy::EvaluateBatchColumns over the same people
//                          laid out by column (one array per slot, as a simulation counting straight
//                          into columns holds them), in chunks of 4,096.
//   BM_EngineBatchTotals   policy::EvaluateBatch over the people as rows (each block of 64 is
//                          transposed first); info, with the transposition's cost per person.
//   BM_HandWrittenTotals   **The baseline**: a hand-written function of the Beijing rules over the
//                          same slot vectors (slot indices looked up once by QuantitySpec::Key(),
//                          then plain arithmetic). It returns exactly the engine's Totals: checked
//                          for every person before any timing (the program stops if one differs).
//   BM_CountSlotsFromLedger   policy::CountSlots of the Beijing table over 10,000 synthetic
//                          ledgers (social insurance in five risks, homes, study, tax, education,
//                          honours, violations), one ledger per iteration. Reported, no target.
//   BM_Explain             policy::Explain of one typical person (counting with facts, every
//                          indicator's arithmetic written out). Reported, no target.
//   BM_ServicesRecompute   Issue 6: every service of the shipped Shanghai catalogue
//                          (policies/310000/2023-01-01.toml [[services]]) for one person from
//                          their ledger: CountSlots of the catalogue's rules and EvaluateServices,
//                          one person per iteration over the 10,000 synthetic ledgers (half of
//                          them given children), counted in the ledgers' city. Target: 1,000,000
//                          people in at most 10 s on one core.
//   BM_PointsRecompute     **Its baseline**: the same people scored by the points engine from
//                          their ledgers (CountSlots of the Beijing table and Evaluate).
//
// Defaults: 5 repetitions of at least 0.5 s, randomly interleaved; ratios use the median
// items/s. Any --benchmark_* flag overrides them.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "common/date.hpp"
#include "policy/city_policy.hpp"
#include "policy/ledger.hpp"
#include "policy/points.hpp"
#include "policy/points_report.hpp"
#include "policy/policy_set.hpp"
#include "policy/quantity.hpp"
#include "policy/services.hpp"

#ifndef EPERMIT_SOURCE_POLICIES_DIR
#error "bench/CMakeLists.txt passes EPERMIT_SOURCE_POLICIES_DIR (the repository's policies/)"
#endif

namespace {

using namespace epermit;          // NOLINT(google-build-using-namespace): a benchmark driver
using namespace epermit::policy;  // NOLINT(google-build-using-namespace)

constexpr char kCity[] = "110000";
// An application date of 2026: counts run to 2025-12-31, age is taken on 2025-01-01.
const Date kDate = MakeDate(2026, 6, 1);
constexpr size_t kLedgers = 10000;
constexpr uint64_t kSeed = 20200101;
constexpr int64_t kU = Points::kUnitsPerPoint;  // units of one point

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "points_bench: " << what << "\n";
  std::exit(2);
}

size_t PeopleFromEnv() {
  const char* v = std::getenv("EPERMIT_BENCH_PEOPLE");
  if (v == nullptr || *v == '\0') return 1000000;
  const long n = std::strtol(v, nullptr, 10);
  if (n <= 0) Die(std::string("EPERMIT_BENCH_PEOPLE must be a positive number, not '") + v + "'");
  return static_cast<size_t>(n);
}

// ---- the hand-written baseline ----

// The six central districts (城六区), as the table's 职住 quantities name them.
constexpr char kCentre[] = "110101,110102,110105,110106,110107,110108";

// Where each quantity of the Beijing table is in a person's slot vector.
struct BeijingSlots {
  int permit, below_retirement, si_run, si_back, crime;  // preconditions
  int si, own, rented;                                   // without education
  int education, si_os, own_os, rented_os;               // with education (study months left out)
  int home_work, home_only;                              // 职住区域
  int honour, tax, tax_violations, age, detentions;      // the rest
};

// Points (in units) of each bit of a set slot, 0 for a name this indicator does not list.
using LevelTable = std::array<int64_t, 64>;

struct HandWritten {
  BeijingSlots s{};
  LevelTable education{}, innovation{}, honours{};
};

int SlotOf(const PointsTable& t, const std::string& key) {
  for (size_t i = 0; i < t.slots.size(); ++i) {
    if (t.slots[i].Key() == key) return static_cast<int>(i);
  }
  std::string have;
  for (const QuantitySpec& q : t.slots) have += "\n  " + q.Key();
  Die("the Beijing table has no slot '" + key + "'; it has:" + have);
}

// The level values of the TOML, written out by hand, placed on the bits of the slot's level list.
LevelTable Levels(const PointsTable& t, int slot, const std::vector<std::pair<const char*, double>>& points) {
  LevelTable out{};
  const auto& names = t.slot_levels[static_cast<size_t>(slot)];
  for (const auto& [name, value] : points) {
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) Die(std::string("level '") + name + "' is not in the table's level list");
    out[static_cast<size_t>(it - names.begin())] = static_cast<int64_t>(value * 100 + 0.5) * 12;
  }
  return out;
}

HandWritten MakeHandWritten(const PointsTable& t) {
  HandWritten h;
  const std::string si = "schemes=employee,flexible";
  const std::string centre = std::string(" districts_not_in=") + kCentre;
  const std::string work = std::string(" since=2018-01-01 work_districts_not_in=") + kCentre;
  h.s.permit = SlotOf(t, "holds_permit");
  h.s.below_retirement = SlotOf(t, "below_retirement_age");
  h.s.si_run = SlotOf(t, "si_continuous_months " + si + " risks=pension");
  h.s.si_back = SlotOf(t, "si_back_payment_months " + si + " risks=pension within_months=84");
  h.s.crime = SlotOf(t, "violations kinds=crime,serious_crime any_city");
  h.s.si = SlotOf(t, "si_months " + si + " risk_mode=max since=1998-07-01");
  h.s.own = SlotOf(t, "home_months tenures=own");
  h.s.rented = SlotOf(t, "home_months tenures=rented,dormitory");
  h.s.education = SlotOf(t, "education");
  h.s.si_os = SlotOf(t, "si_months " + si + " risk_mode=max exclude_study since=1998-07-01");
  h.s.own_os = SlotOf(t, "home_months exclude_study tenures=own");
  h.s.rented_os = SlotOf(t, "home_months exclude_study tenures=rented,dormitory");
  h.s.home_work = SlotOf(t, "home_work_months tenures=own" + centre + work + " with_work");
  h.s.home_only = SlotOf(t, "home_work_months tenures=own" + centre + work + " without_work");
  h.s.honour = SlotOf(t, "honour");
  h.s.tax = SlotOf(t, "tax_years min_yuan=100000 last_years=3 consecutive");
  h.s.tax_violations = SlotOf(t, "violations within_months=60 kinds=tax_violation any_city");
  h.s.age = SlotOf(t, "age_years");
  h.s.detentions = SlotOf(t, "violations kinds=detention");
  h.education = Levels(t, h.s.education,
                       {{"junior_college", 10.5},
                        {"bachelor_diploma", 10.5},
                        {"bachelor_degree_only", 10.5},
                        {"bachelor_degree", 15},
                        {"master_diploma", 15},
                        {"master_degree_only", 15},
                        {"master_degree", 26},
                        {"doctor_diploma", 26},
                        {"doctor_degree_only", 26},
                        {"doctor_degree", 37}});
  h.innovation = Levels(t, h.s.honour,
                        {{"innovation_national_first", 12},
                         {"innovation_national_second", 11},
                         {"innovation_national_third", 10},
                         {"innovation_municipal_first", 9},
                         {"innovation_municipal_second", 8},
                         {"innovation_municipal_third", 6},
                         {"innovation_enterprise_stake", 5},
                         {"innovation_competition_national", 4},
                         {"innovation_competition_municipal", 2}});
  h.honours = Levels(t, h.s.honour,
                     {{"national_model_worker", 20},
                      {"provincial_model_worker", 20},
                      {"national_moral_model", 20},
                      {"capital_moral_model", 20},
                      {"national_brave_hero", 20},
                      {"capital_brave_citizen", 20}});
  return h;
}

inline int64_t Highest(uint64_t bits, const LevelTable& points) {
  int64_t best = 0;
  while (bits != 0) {
    best = std::max(best, points[static_cast<size_t>(std::countr_zero(bits))]);
    bits &= bits - 1;
  }
  return best;
}

// Employment 3 a year, own home 1, rented 0.5, by month; own and rented together at most the
// social-insurance months, own first. Either with every month, or with education and the
// months of study left out (the applicant takes the higher).
struct TwoWays {
  int64_t without_education, with_education;
};
// `v[k]` is the person's slot k: `const int64_t*` (a row, the baseline) or ColumnSlots (info).
template <class Slots>
inline TwoWays EmploymentHomeEducation(const HandWritten& h, const Slots& v) {
  const BeijingSlots& s = h.s;
  const int64_t si = v[s.si];
  const int64_t own = std::min(v[s.own], std::max<int64_t>(si, 0));
  const int64_t rented = std::min(v[s.rented], std::max<int64_t>(si - own, 0));
  const int64_t without_education = 300 * si + 100 * own + 50 * rented;
  const int64_t si_os = v[s.si_os];
  const int64_t own_os = std::min(v[s.own_os], std::max<int64_t>(si_os, 0));
  const int64_t rented_os = std::min(v[s.rented_os], std::max<int64_t>(si_os - own_os, 0));
  const int64_t education = std::min(Highest(static_cast<uint64_t>(v[s.education]), h.education), 37 * kU);
  return {without_education, education + 300 * si_os + 100 * own_os + 50 * rented_os};
}

// 京政办发〔2020〕9号 第五条、第十条 and 京人社积发〔2018〕82号, as the table states them.
template <class Slots>
inline Totals BeijingTotals(const HandWritten& h, const Slots& v) {
  const BeijingSlots& s = h.s;
  Totals t;
  t.eligible =
      v[s.permit] >= 1 && v[s.below_retirement] >= 1 && v[s.si_run] >= 84 && v[s.si_back] <= 5 && v[s.crime] == 0;
  const TwoWays ways = EmploymentHomeEducation(h, v);
  int64_t total = std::max(ways.with_education, ways.without_education);
  // 职住区域: 3 a full year of own home and work outside the centre, its leftover months join
  // the 2-a-year own home outside the centre; together at most 12.
  const int64_t home_work = v[s.home_work];
  const int64_t home_only = v[s.home_only] + home_work % 12;
  total += std::min(3 * kU * (home_work / 12) + 2 * kU * (home_only / 12), 12 * kU);
  const auto honour = static_cast<uint64_t>(v[s.honour]);
  total += std::min(Highest(honour, h.innovation), 12 * kU);
  total += std::min(2 * kU * v[s.tax], 6 * kU);
  total -= 12 * kU * v[s.tax_violations];
  const int64_t age = v[s.age];
  total += (age >= 0 && age <= 45) ? 20 * kU : (age >= 46 && age <= 49) ? (50 - age) * 4 * kU : 0;
  total += std::min(Highest(honour, h.honours), 20 * kU);
  total -= 30 * kU * v[s.detentions];
  t.total = Points::FromUnits(total);
  return t;
}

// Person `i` of a population laid out by column, for the same function (info only: is the
// hand-written code faster by column too?).
struct ColumnSlots {
  const int64_t* const* column;
  size_t i;
  int64_t operator[](int k) const { return column[k][i]; }
};

// ---- synthetic people ----

// One person's slots, drawn from plausible distributions: months 0–300 (less since 2018 for
// 职住), age 20–65, flags mostly set, one education level (sometimes two), honours and
// violations rare, months of study taken out of the with-education counts.
void FillPerson(const HandWritten& h, const PointsTable& t, std::mt19937_64& rng, int64_t* v) {
  const BeijingSlots& s = h.s;
  auto uniform = [&rng](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  auto chance = [&rng](double p) { return std::bernoulli_distribution(p)(rng); };
  const int64_t age = chance(0.8) ? uniform(22, 45) : uniform(20, 65);
  v[s.age] = age;
  v[s.permit] = chance(0.92) ? 1 : 0;
  v[s.below_retirement] = age < 60 ? 1 : (age < 63 && chance(0.5) ? 1 : 0);
  const int64_t si = std::min<int64_t>(uniform(0, 300), std::max<int64_t>(age - 20, 0) * 12);
  v[s.si] = si;
  v[s.si_run] = chance(0.8) ? si : uniform(0, si);
  v[s.si_back] = chance(0.85) ? 0 : uniform(1, 12);
  v[s.crime] = chance(0.995) ? 0 : 1;
  const int64_t own = chance(0.45) ? 0 : uniform(0, 300);
  const int64_t rented = chance(0.3) ? 0 : uniform(0, 300);
  v[s.own] = own;
  v[s.rented] = rented;
  const int64_t study = chance(0.6) ? 0 : uniform(1, 48);
  v[s.si_os] = std::max<int64_t>(si - uniform(0, study), 0);
  v[s.own_os] = std::max<int64_t>(own - uniform(0, study), 0);
  v[s.rented_os] = std::max<int64_t>(rented - uniform(0, study), 0);
  const auto& edu_names = t.slot_levels[static_cast<size_t>(s.education)];
  int64_t edu = 0;
  if (!edu_names.empty() && chance(0.85)) {
    edu |= int64_t{1} << uniform(0, static_cast<int64_t>(edu_names.size()) - 1);
    if (chance(0.1)) edu |= int64_t{1} << uniform(0, static_cast<int64_t>(edu_names.size()) - 1);
  }
  v[s.education] = edu;
  const int64_t since_2018 = 8 * 12;  // 2018-01 .. 2025-12
  const int64_t home_work = own == 0 || chance(0.5) ? 0 : uniform(0, std::min(own, since_2018));
  v[s.home_work] = home_work;
  v[s.home_only] = own == 0 || chance(0.5) ? 0 : uniform(0, since_2018 - home_work);
  const auto& honour_names = t.slot_levels[static_cast<size_t>(s.honour)];
  int64_t honour = 0;
  if (!honour_names.empty() && chance(0.04)) {
    honour |= int64_t{1} << uniform(0, static_cast<int64_t>(honour_names.size()) - 1);
    if (chance(0.2)) honour |= int64_t{1} << uniform(0, static_cast<int64_t>(honour_names.size()) - 1);
  }
  v[s.honour] = honour;
  v[s.tax] = chance(0.8) ? 0 : uniform(0, 3);
  v[s.tax_violations] = chance(0.98) ? 0 : uniform(1, 2);
  v[s.detentions] = chance(0.99) ? 0 : uniform(1, 3);
}

// A synthetic ledger in Beijing, as BuildLedger would make it from department records:
// one or two jobs (five risks each, districts in and outside the centre), rented then owned
// homes, sometimes part-time study, three years of income tax, one education, rare honours
// and violations.
Ledger MakeLedger(std::mt19937_64& rng, size_t n) {
  auto uniform = [&rng](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  auto chance = [&rng](double p) { return std::bernoulli_distribution(p)(rng); };
  static const char* const kDistricts[] = {"110101", "110102", "110105", "110106", "110107",
                                           "110108", "110112", "110114", "110115", ""};
  auto district = [&] { return std::string(kDistricts[uniform(0, 9)]); };
  const MonthIndex last = MonthOf(MakeDate(2025, 12, 31));
  int64_t id = static_cast<int64_t>(n) * 100;
  Ledger l;
  l.citizen_id = "11010519" + std::to_string(70 + n % 30) + "0101" + std::to_string(1000 + n % 9000);
  const int age = static_cast<int>(chance(0.8) ? uniform(24, 45) : uniform(20, 62));
  l.birth_date = MakeDate(2025 - age, static_cast<unsigned>(uniform(1, 12)), static_cast<unsigned>(uniform(1, 28)));
  l.sex = chance(0.5) ? domain::Sex::kMale : domain::Sex::kFemale;
  l.post_type = chance(0.7) ? PostType::kWorker : PostType::kCadre;
  const MonthIndex start = static_cast<MonthIndex>(last - uniform(6, std::min<int64_t>(300, (age - 19) * 12)));
  const Date issued = MakeDate(start / 12 + 1, static_cast<unsigned>(start % 12 + 1), 1);
  l.permits.push_back({kCity, "110000-" + std::to_string(n),
                       chance(0.92) ? domain::PermitState::kActive : domain::PermitState::kSuspended, issued, issued});
  l.residence.push_back({kCity, district(), {start, last}, "permit:110000-" + std::to_string(n)});
  // Jobs: one, or two with a gap; the second may run past the as-of month.
  std::vector<std::pair<MonthPeriod, std::string>> jobs;
  if (chance(0.6)) {
    jobs.push_back({{start, last + static_cast<MonthIndex>(uniform(0, 5))}, district()});
  } else {
    const MonthIndex split = static_cast<MonthIndex>(uniform(start, last));
    jobs.push_back({{start, split}, district()});
    jobs.push_back({{split + static_cast<MonthIndex>(uniform(1, 4)), last + 5}, district()});
  }
  for (const auto& [period, where] : jobs) {
    const auto scheme = chance(0.9) ? domain::InsuranceScheme::kEmployee : domain::InsuranceScheme::kFlexible;
    for (auto risk :
         {domain::InsuranceRisk::kPension, domain::InsuranceRisk::kMedical, domain::InsuranceRisk::kUnemployment,
          domain::InsuranceRisk::kWorkInjury, domain::InsuranceRisk::kMaternity}) {
      SocialInsuranceFact f;
      f.city = kCity;
      f.district = where;
      f.scheme = scheme;
      f.risk = risk;
      f.period = period;
      f.base_ratio_pct = static_cast<int>(uniform(60, 300));
      f.record_id = ++id;
      l.social_insurance.push_back(f);
    }
  }
  if (chance(0.15)) {  // a back payment of pension months inside the first job
    SocialInsuranceFact f = l.social_insurance.front();
    const MonthIndex from = static_cast<MonthIndex>(uniform(start, last));
    f.period = {from, from + static_cast<MonthIndex>(uniform(0, 6))};
    f.back_payment = true;
    f.record_id = ++id;
    l.social_insurance.push_back(f);
  }
  // Homes: rented from the start, owned from some month on (or not at all).
  const MonthIndex bought = chance(0.5) ? static_cast<MonthIndex>(uniform(start, last)) : last + 1;
  if (bought > start) l.homes.push_back({kCity, district(), domain::Tenure::kRented, {start, bought - 1}, ++id});
  if (bought <= last) l.homes.push_back({kCity, district(), domain::Tenure::kOwn, {bought, last}, ++id});
  if (chance(0.3)) {
    const MonthIndex from = static_cast<MonthIndex>(uniform(start, last));
    l.study.push_back({kCity, "某大学", {from, from + static_cast<MonthIndex>(uniform(12, 36))}, ++id});
  }
  for (int year = 2023; year <= 2025; ++year) {
    l.tax.push_back({kCity, year, chance(0.2) ? uniform(100000, 400000) : uniform(0, 99999), ++id});
  }
  EducationFact e;
  e.level = static_cast<EducationLevel>(uniform(1, 5));
  e.diploma = chance(0.95);
  e.degree = e.level >= EducationLevel::kBachelor && (!e.diploma || chance(0.8));
  e.completed_on = MakeDate(2025 - age + 22, 7, 1);
  e.record_id = ++id;
  l.education.push_back(e);
  if (chance(0.04)) {
    l.honours.push_back(
        {chance(0.5) ? "capital_moral_model" : "innovation_municipal_second", "表彰", MakeDate(2021, 5, 1), ++id});
  }
  if (chance(0.02)) l.violations.push_back({ViolationKind::kDetention, kCity, MakeDate(2019, 3, 1), ++id});
  if (chance(0.01)) l.violations.push_back({ViolationKind::kTaxViolation, kCity, MakeDate(2023, 3, 1), ++id});
  return l;
}

// Everything set up once, outside timing.
struct Fixture {
  PolicySet set;
  const PointsTable* table = nullptr;
  HandWritten hand;
  size_t people = 0;
  size_t stride = 0;
  std::vector<int64_t> slots;  // people × stride
  // The same people by column (stride × people): column k at columns.data() + k × people, as
  // a simulation that counts its population straight into columns holds them.
  std::vector<int64_t> columns;
  std::vector<Ledger> ledgers;
  CountContext ctx;
  const ServiceCatalogue* services = nullptr;
  CountContext services_ctx;
  size_t typical = 0;  // the ledger BM_Explain explains
  size_t eligible = 0, with_education_wins = 0, area_capped = 0;

  Fixture() {
    auto loaded = LoadPolicyDir(EPERMIT_SOURCE_POLICIES_DIR);
    if (!loaded.ok()) Die("policies: " + loaded.error().message_en);
    set = std::move(loaded).value();
    auto policy = set.InForce(kCity, kDate);
    if (!policy.ok()) Die("no Beijing policy in force: " + policy.error().message_en);
    if (!(*policy)->points) Die("the Beijing policy in force has no points table");
    table = &*(*policy)->points;
    hand = MakeHandWritten(*table);

    people = PeopleFromEnv();
    stride = table->slots.size();
    slots.assign(people * stride, 0);
    std::mt19937_64 rng(kSeed);
    for (size_t i = 0; i < people; ++i) FillPerson(hand, *table, rng, &slots[i * stride]);

    // The baseline must compute exactly what the engine computes, for every person.
    for (size_t i = 0; i < people; ++i) {
      const int64_t* v = &slots[i * stride];
      const Totals e = Evaluate(*table, v);
      const Totals h = BeijingTotals(hand, v);
      if (e.eligible != h.eligible || e.vetoed != h.vetoed || e.total != h.total) {
        std::string values;
        for (size_t k = 0; k < stride; ++k) values += "\n  " + table->slots[k].Key() + " = " + std::to_string(v[k]);
        Die("person " + std::to_string(i) + ": engine eligible=" + std::to_string(e.eligible) + " total " +
            e.total.ToExact() + ", hand-written eligible=" + std::to_string(h.eligible) + " total " +
            h.total.ToExact() + "; slots:" + values);
      }
      eligible += e.eligible ? 1 : 0;
      const BeijingSlots& s = hand.s;
      const TwoWays ways = EmploymentHomeEducation(hand, v);
      with_education_wins += ways.with_education > ways.without_education ? 1 : 0;
      area_capped += 3 * (v[s.home_work] / 12) + 2 * ((v[s.home_only] + v[s.home_work] % 12) / 12) > 12 ? 1 : 0;
    }

    columns.assign(people * stride, 0);
    for (size_t i = 0; i < people; ++i) {
      for (size_t k = 0; k < stride; ++k) columns[k * people + i] = slots[i * stride + k];
    }

    // Both batch paths must agree with the per-person one on everyone.
    std::vector<Totals> batch(people);
    std::vector<Totals> by_column(people);
    EvaluateBatch(*table, slots.data(), stride, people, batch.data());
    const std::vector<const int64_t*> start = ColumnPointers(0);
    EvaluateBatchColumns(*table, start.data(), people, by_column.data());
    for (size_t i = 0; i < people; ++i) {
      const Totals e = Evaluate(*table, &slots[i * stride]);
      if (BeijingTotals(hand, ColumnSlots{start.data(), i}).total != e.total) {
        Die("person " + std::to_string(i) + ": the hand-written function by columns and Evaluate disagree");
      }
      if (batch[i].eligible != e.eligible || batch[i].vetoed != e.vetoed || batch[i].total != e.total) {
        Die("person " + std::to_string(i) + ": EvaluateBatch and Evaluate disagree");
      }
      if (by_column[i].eligible != e.eligible || by_column[i].vetoed != e.vetoed || by_column[i].total != e.total) {
        Die("person " + std::to_string(i) + ": EvaluateBatchColumns and Evaluate disagree");
      }
    }

    ctx.city = kCity;
    ctx.as_of = ResolveAsOf(table->as_of, kDate);
    ctx.age_as_of = ResolveAsOf(table->age_as_of, kDate);
    std::mt19937_64 lrng(kSeed + 1);
    ledgers.reserve(kLedgers);
    for (size_t i = 0; i < kLedgers; ++i) ledgers.push_back(MakeLedger(lrng, i));
    // Typical: eligible, counted both ways, a positive score; the two paths must agree on it.
    typical = kLedgers;
    for (size_t i = 0; i < kLedgers && typical == kLedgers; ++i) {
      const SlotValues c = CountSlots(*table, ledgers[i], ctx);
      const Totals t = Evaluate(*table, c.values.data());
      if (t.eligible && !ledgers[i].study.empty() && t.total > Points::Whole(40)) typical = i;
    }
    if (typical == kLedgers) Die("no typical ledger among the synthetic ones");
    const SlotValues c = CountSlots(*table, ledgers[typical], ctx);
    const Totals fast = Evaluate(*table, c.values.data());
    const Explanation ex = Explain(*table, ledgers[typical], ctx, kDate);
    if (ex.total != fast.total || ex.eligible != fast.eligible) Die("Explain and Evaluate disagree");
    if (BeijingTotals(hand, c.values.data()).total != fast.total) Die("hand-written and engine disagree on a ledger");

    // Issue 6: the Shanghai catalogue over the same people, counted in their city. Half of
    // them get one or two children (their own generator, so the ledgers above are unchanged).
    auto shanghai = set.InForce("310000", kDate);
    if (!shanghai.ok() || (*shanghai)->services.services.empty()) Die("no Shanghai service catalogue in force");
    services = &(*shanghai)->services;
    services_ctx = ContextFor(services->rules, kCity, kDate, nullptr);
    std::mt19937_64 crng(kSeed + 2);
    for (size_t i = 0; i < ledgers.size(); ++i) {
      for (int k = static_cast<int>(crng() % 4) - 1; k > 0; --k) {
        ledgers[i].children.push_back({MakeDate(2008 + static_cast<int>(crng() % 18), 6, 1), "110100",
                                       static_cast<int64_t>(i * 100 + 99 - static_cast<size_t>(k))});
      }
    }
    // The fast path must agree with the explanation on the ledgers it is timed on.
    for (size_t i = 0; i < 200; ++i) {
      const SlotValues v = CountSlots(services->rules, ledgers[i], services_ctx);
      std::vector<ServiceStanding> fast_services(services->services.size());
      EvaluateServices(*services, v.values.data(), fast_services.data());
      const std::vector<ServiceResult> slow = ExplainServices(*services, ledgers[i], kCity, kDate);
      for (size_t k = 0; k < slow.size(); ++k) {
        if (slow[k].qualifies != fast_services[k].qualifies) Die("services: fast path and explanation disagree");
      }
    }
  }

  // Where each column's values of person `from` on start.
  std::vector<const int64_t*> ColumnPointers(size_t from) const {
    std::vector<const int64_t*> p(stride);
    for (size_t k = 0; k < stride; ++k) p[k] = columns.data() + k * people + from;
    return p;
  }
};

const Fixture& F() {
  static const Fixture* f = new Fixture;
  return *f;
}

void BM_EngineTotals(benchmark::State& state) {
  const Fixture& f = F();
  const PointsTable& table = *f.table;
  for (auto _ : state) {
    int64_t sum = 0;
    size_t eligible = 0;
    for (size_t i = 0; i < f.people; ++i) {
      const Totals t = Evaluate(table, f.slots.data() + i * f.stride);
      sum += t.total.units();
      eligible += t.eligible ? 1 : 0;
    }
    benchmark::DoNotOptimize(sum);
    benchmark::DoNotOptimize(eligible);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(f.people));
}
BENCHMARK(BM_EngineTotals)->Unit(benchmark::kMillisecond);

// The population path (policy simulation): the people by column, EvaluateBatchColumns over
// chunks of them (the engine figure of the ratio).
void BM_EngineColumnsTotals(benchmark::State& state) {
  const Fixture& f = F();
  const PointsTable& table = *f.table;
  constexpr size_t kChunk = 4096;
  std::vector<Totals> out(kChunk);
  const std::vector<const int64_t*> start = f.ColumnPointers(0);
  std::vector<const int64_t*> chunk(f.stride);
  for (auto _ : state) {
    int64_t sum = 0;
    size_t eligible = 0;
    for (size_t base = 0; base < f.people; base += kChunk) {
      const size_t n = std::min(kChunk, f.people - base);
      for (size_t k = 0; k < f.stride; ++k) chunk[k] = start[k] + base;
      EvaluateBatchColumns(table, chunk.data(), n, out.data());
      for (size_t i = 0; i < n; ++i) {
        sum += out[i].total.units();
        eligible += out[i].eligible ? 1 : 0;
      }
    }
    benchmark::DoNotOptimize(sum);
    benchmark::DoNotOptimize(eligible);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(f.people));
}
BENCHMARK(BM_EngineColumnsTotals)->Unit(benchmark::kMillisecond);

// The same with the people row by row: EvaluateBatch transposes each block of 64 first.
void BM_EngineBatchTotals(benchmark::State& state) {
  const Fixture& f = F();
  const PointsTable& table = *f.table;
  constexpr size_t kChunk = 4096;
  std::vector<Totals> out(kChunk);
  for (auto _ : state) {
    int64_t sum = 0;
    size_t eligible = 0;
    for (size_t base = 0; base < f.people; base += kChunk) {
      const size_t n = std::min(kChunk, f.people - base);
      EvaluateBatch(table, f.slots.data() + base * f.stride, f.stride, n, out.data());
      for (size_t i = 0; i < n; ++i) {
        sum += out[i].total.units();
        eligible += out[i].eligible ? 1 : 0;
      }
    }
    benchmark::DoNotOptimize(sum);
    benchmark::DoNotOptimize(eligible);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(f.people));
}
BENCHMARK(BM_EngineBatchTotals)->Unit(benchmark::kMillisecond);

void BM_HandWrittenTotals(benchmark::State& state) {
  const Fixture& f = F();
  const HandWritten& hand = f.hand;
  for (auto _ : state) {
    int64_t sum = 0;
    size_t eligible = 0;
    for (size_t i = 0; i < f.people; ++i) {
      const Totals t = BeijingTotals(hand, f.slots.data() + i * f.stride);
      sum += t.total.units();
      eligible += t.eligible ? 1 : 0;
    }
    benchmark::DoNotOptimize(sum);
    benchmark::DoNotOptimize(eligible);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(f.people));
}
BENCHMARK(BM_HandWrittenTotals)->Unit(benchmark::kMillisecond);

// Info: the same hand-written function reading the people by column, as the engine's figure does.
void BM_HandWrittenColumnsTotals(benchmark::State& state) {
  const Fixture& f = F();
  const HandWritten& hand = f.hand;
  const std::vector<const int64_t*> start = f.ColumnPointers(0);
  for (auto _ : state) {
    int64_t sum = 0;
    size_t eligible = 0;
    for (size_t i = 0; i < f.people; ++i) {
      const Totals t = BeijingTotals(hand, ColumnSlots{start.data(), i});
      sum += t.total.units();
      eligible += t.eligible ? 1 : 0;
    }
    benchmark::DoNotOptimize(sum);
    benchmark::DoNotOptimize(eligible);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(f.people));
}
BENCHMARK(BM_HandWrittenColumnsTotals)->Unit(benchmark::kMillisecond);

void BM_CountSlotsFromLedger(benchmark::State& state) {
  const Fixture& f = F();
  size_t i = 0;
  for (auto _ : state) {
    SlotValues v = CountSlots(*f.table, f.ledgers[i], f.ctx);
    benchmark::DoNotOptimize(v);
    if (++i == f.ledgers.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CountSlotsFromLedger);

void BM_Explain(benchmark::State& state) {
  const Fixture& f = F();
  const Ledger& l = f.ledgers[f.typical];
  for (auto _ : state) {
    Explanation e = Explain(*f.table, l, f.ctx, kDate);
    benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Explain);

void BM_ServicesRecompute(benchmark::State& state) {
  const Fixture& f = F();
  std::vector<ServiceStanding> out(f.services->services.size());
  size_t i = 0;
  int64_t qualifying = 0;
  for (auto _ : state) {
    const SlotValues v = CountSlots(f.services->rules, f.ledgers[i], f.services_ctx);
    EvaluateServices(*f.services, v.values.data(), out.data());
    for (const ServiceStanding& s : out) qualifying += s.qualifies ? 1 : 0;
    if (++i == f.ledgers.size()) i = 0;
  }
  benchmark::DoNotOptimize(qualifying);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ServicesRecompute);

void BM_PointsRecompute(benchmark::State& state) {
  const Fixture& f = F();
  size_t i = 0;
  int64_t sum = 0;
  for (auto _ : state) {
    const SlotValues v = CountSlots(*f.table, f.ledgers[i], f.ctx);
    sum += Evaluate(*f.table, v.values.data()).total.units();
    if (++i == f.ledgers.size()) i = 0;
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PointsRecompute);

}  // namespace

int main(int argc, char** argv) {
  if (!epermit::bench::InitializeWithDefaults(argc, argv, "0.5")) return 1;

  const Fixture& f = F();
  size_t facts = 0;
  for (const Ledger& l : f.ledgers) {
    facts += l.social_insurance.size() + l.homes.size() + l.study.size() + l.tax.size() + l.education.size() +
             l.honours.size() + l.violations.size() + l.permits.size() + l.residence.size();
  }
  std::printf(
      "Beijing table: %zu slots, %zu indicators, %zu preconditions; %zu people (%.0f MB of slots), %.1f%% eligible, "
      "%.1f%% better off counting education, %.1f%% above the 职住 cap; hand-written = engine for every person; "
      "%zu ledgers, %.1f facts each\n",
      f.stride, f.table->indicators.size(), f.table->preconditions.size(), f.people,
      static_cast<double>(f.slots.size() * sizeof(int64_t)) / 1e6,
      100.0 * static_cast<double>(f.eligible) / static_cast<double>(f.people),
      100.0 * static_cast<double>(f.with_education_wins) / static_cast<double>(f.people),
      100.0 * static_cast<double>(f.area_capped) / static_cast<double>(f.people), f.ledgers.size(),
      static_cast<double>(facts) / static_cast<double>(f.ledgers.size()));
  epermit::bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  int rc = 0;
  const double engine = reporter.Median("BM_EngineColumnsTotals");
  const double rows = reporter.Median("BM_EngineBatchTotals");
  const double one_by_one = reporter.Median("BM_EngineTotals");
  const double hand = reporter.Median("BM_HandWrittenTotals");
  const double count = reporter.Median("BM_CountSlotsFromLedger");
  if (engine > 0 && hand > 0) {
    std::printf(
        "points totals: engine (EvaluateBatchColumns) %.0f people/s vs hand-written %.0f people/s = %.2f (target >= "
        "0.5); engine %.0f people/s per core (target >= 1,000,000)\n",
        engine, hand, engine / hand, engine);
    if (rows > 0) {
      // What a caller holding rows pays for them: the block transposition, per person, also as
      // a share of counting that person's slots from a ledger (CountSlots), which it does anyway.
      const double transpose_ns = 1e9 / rows - 1e9 / engine;
      char share[64] = "";
      if (count > 0) std::snprintf(share, sizeof share, " = %.2f%% of counting one ledger", transpose_ns * count / 1e7);
      std::printf(
          "  (info) engine by rows (EvaluateBatch, transposing blocks of 64) %.0f people/s = %.2f of hand-written; "
          "the transposition costs %.1f ns a person%s\n",
          rows, rows / hand, transpose_ns, share);
    }
    const double hand_columns = reporter.Median("BM_HandWrittenColumnsTotals");
    if (hand_columns > 0) {
      std::printf(
          "  (info) hand-written reading the same columns %.0f people/s: engine by columns = %.2f of it "
          "(same layout on both sides)\n",
          hand_columns, engine / hand_columns);
    }
    std::printf("  (info) engine one person at a time (Evaluate) %.0f people/s = %.2f of hand-written\n", one_by_one,
                one_by_one / hand);
    std::printf("  (repetitions) columns %s; rows %s; one by one %s; hand-written %s; hand-written by columns %s\n",
                reporter.All("BM_EngineColumnsTotals").c_str(), reporter.All("BM_EngineBatchTotals").c_str(),
                reporter.All("BM_EngineTotals").c_str(), reporter.All("BM_HandWrittenTotals").c_str(),
                reporter.All("BM_HandWrittenColumnsTotals").c_str());
  } else {
    std::printf("points totals: not computed (engine %.0f people/s, hand-written %.0f people/s)\n", engine, hand);
    rc = 1;
  }
  if (count > 0) {
    std::printf("points ledger counting: CountSlots %.0f ledgers/s (%.1f us each, %zu slots) (info, no target)\n",
                count, 1e6 / count, f.stride);
  }
  const double explain = reporter.Median("BM_Explain");
  if (explain > 0) {
    std::printf("points explain: Explain %.0f explanations/s (%.1f us each%s) (info, paid only when asked)\n", explain,
                1e6 / explain,
                engine > 0
                    ? (", = " + std::to_string(static_cast<long>(engine / explain + 0.5)) + " Evaluate calls").c_str()
                    : "");
  }
  const double services = reporter.Median("BM_ServicesRecompute");
  const double points_from_ledgers = reporter.Median("BM_PointsRecompute");
  if (services > 0 && points_from_ledgers > 0) {
    std::printf(
        "services recompute (%zu services, %zu rules over %zu quantities): %.0f people/s = %.2f s per 1,000,000 "
        "people on one core (target <= 10 s); points engine from the same ledgers %.0f people/s = %.2f s; "
        "services time / points time = %.2f\n",
        f.services->services.size(), f.services->rules.preconditions.size(), f.services->rules.slots.size(), services,
        1e6 / services, points_from_ledgers, 1e6 / points_from_ledgers, points_from_ledgers / services);
    std::printf("  (repetitions) services %s; points %s\n", reporter.All("BM_ServicesRecompute").c_str(),
                reporter.All("BM_PointsRecompute").c_str());
  } else {
    std::printf("services recompute: not computed\n");
    rc = 1;
  }
  return rc;
}
