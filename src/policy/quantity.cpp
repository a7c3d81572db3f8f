#include "policy/quantity.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <map>
#include <sstream>

namespace epermit::policy {
namespace {

// Months are counted in a window of kWindow months ending at the as-of month: 85 years,
// more than any working life, so nothing a policy counts falls outside it.
constexpr int kWindow = 1024;
static_assert(kWindow % 64 == 0);

std::string MonthText(MonthIndex m) { return FormatIsoMonth(m); }

std::string PeriodText(const MonthPeriod& p) { return MonthText(p.from) + ".." + MonthText(p.to); }

// How an explanation names a fact: "<kind>#<record id>", or "profile" for the facts of a
// calculator profile (record id 0, policy/profile.hpp).
std::string RefOf(const char* kind, int64_t record_id) {
  return record_id == 0 ? std::string("profile") : std::string(kind) + "#" + std::to_string(record_id);
}

// A permit as an explanation names it; a profile's permit (no number) by its months.
UsedFact PermitFactUsed(const PermitFact& p, MonthIndex last, const char* label) {
  if (p.number.empty()) {
    const int months = last >= MonthOf(p.issue_date) ? last - MonthOf(p.issue_date) + 1 : 0;
    return {"profile", std::string(p.state == domain::PermitState::kActive ? "active" : "no longer active") +
                           " permit, " + std::to_string(months) + " months to " + MonthText(last)};
  }
  return {"permit:" + p.number, std::string(label) + " " + FormatIsoDate(p.issue_date)};
}

// A fact's months: "2019-01..2023-12", or for a profile's facts, whose placement is only
// nominal, "60 months to 2023-12".
std::string FactMonths(const MonthPeriod& p, int64_t record_id) {
  return record_id == 0 ? std::to_string(p.Months()) + " months to " + MonthText(p.to) : PeriodText(p);
}

// The months of one counting: a bit per month of [first, last] where last is the as-of month,
// in 64-bit words, so that a period is set and a set counted a word at a time (counting is the
// hot path of a whole-population simulation).
class Months {
 public:
  explicit Months(MonthIndex last) : last_(last), first_(last - kWindow + 1) {}

  // Adds [from, to] clipped to the window and to [lower, last].
  void Add(MonthIndex from, MonthIndex to, MonthIndex lower) {
    from = std::max({from, first_, lower});
    to = std::min(to, last_);
    if (to < from) return;
    const auto lo = static_cast<size_t>(from - first_);
    const auto hi = static_cast<size_t>(to - first_);
    const size_t lo_word = lo / 64, hi_word = hi / 64;
    const uint64_t lo_mask = ~uint64_t{0} << (lo % 64);
    const uint64_t hi_mask = ~uint64_t{0} >> (63 - hi % 64);
    if (lo_word == hi_word) {
      words_[lo_word] |= lo_mask & hi_mask;
      return;
    }
    words_[lo_word] |= lo_mask;
    for (size_t w = lo_word + 1; w < hi_word; ++w) words_[w] = ~uint64_t{0};
    words_[hi_word] |= hi_mask;
  }
  void Remove(const Months& other) {
    for (size_t w = 0; w < kWords; ++w) words_[w] &= ~other.words_[w];
  }
  void Intersect(const Months& other) {
    for (size_t w = 0; w < kWords; ++w) words_[w] &= other.words_[w];
  }
  void Unite(const Months& other) {
    for (size_t w = 0; w < kWords; ++w) words_[w] |= other.words_[w];
  }
  int64_t Count() const {
    int64_t n = 0;
    for (uint64_t w : words_) {
      if (w != 0) n += std::popcount(w);  // most words of a working life's window are empty
    }
    return n;
  }
  bool Has(MonthIndex m) const {
    if (m < first_ || m > last_) return false;
    const auto i = static_cast<size_t>(m - first_);
    return (words_[i / 64] >> (i % 64) & 1) != 0;
  }
  // The unbroken run of months ending at the last month.
  int64_t RunToLast() const { return RunTo(last_); }
  // The unbroken run of months ending at `end`.
  int64_t RunTo(MonthIndex end) const {
    if (end < first_ || end > last_) return 0;
    auto i = static_cast<size_t>(end - first_);
    int64_t n = 0;
    for (;;) {
      // The set bits from bit i of its word downwards: a whole word at a time.
      const uint64_t below = words_[i / 64] << (63 - i % 64);
      const int ones = std::countl_one(below);
      n += ones;
      if (ones <= static_cast<int>(i % 64) || i < 64) return n;
      i = i - i % 64 - 1;  // the run reached bit 0 of the word: go on in the word below
    }
  }
  MonthIndex last() const { return last_; }

 private:
  static constexpr size_t kWords = kWindow / 64;
  MonthIndex last_;
  MonthIndex first_;
  std::array<uint64_t, kWords> words_{};
};

template <typename T>
bool Allowed(const std::vector<T>& allowed, const T& value) {
  return allowed.empty() || std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

bool DistrictAllowed(const QuantitySpec& spec, const std::string& district) {
  if (!spec.districts_in.empty()) {
    if (std::find(spec.districts_in.begin(), spec.districts_in.end(), district) == spec.districts_in.end())
      return false;
  }
  if (!spec.districts_not_in.empty()) {
    // A fact without a district cannot be shown to lie outside the listed ones.
    if (district.empty()) return false;
    if (std::find(spec.districts_not_in.begin(), spec.districts_not_in.end(), district) !=
        spec.districts_not_in.end()) {
      return false;
    }
  }
  return true;
}

// The lowest month a spec counts: `since`, and the look-back window.
MonthIndex LowerBound(const QuantitySpec& spec, MonthIndex last) {
  MonthIndex lower = last - kWindow + 1;
  if (spec.since) lower = std::max(lower, MonthOf(*spec.since));
  if (spec.within_months > 0) lower = std::max(lower, last - spec.within_months + 1);
  return lower;
}

bool CityCounts(const std::string& fact_city, const std::string& city) { return fact_city == city; }

const domain::InsuranceRisk kAllRisks[] = {domain::InsuranceRisk::kPension, domain::InsuranceRisk::kMedical,
                                           domain::InsuranceRisk::kUnemployment, domain::InsuranceRisk::kWorkInjury,
                                           domain::InsuranceRisk::kMaternity};

bool SiFactMatches(const QuantitySpec& spec, const SocialInsuranceFact& f, bool allow_back_payment) {
  if (!Allowed(spec.schemes, f.scheme)) return false;
  if (f.back_payment && !allow_back_payment) return false;
  if (!DistrictAllowed(spec, f.district)) return false;
  if (spec.min_base_ratio_pct > 0 && f.base_ratio_pct < spec.min_base_ratio_pct) return false;
  if (spec.max_base_ratio_pct > 0 && f.base_ratio_pct >= spec.max_base_ratio_pct) return false;
  return true;
}

Months StudyMonths(const Ledger& l, const std::string& city, MonthIndex last) {
  Months study(last);
  for (const StudyFact& s : l.study) {
    if (CityCounts(s.city, city)) study.Add(s.period.from, s.period.to, s.period.from);
  }
  return study;
}

// Social-insurance months in one city by the spec's risk mode; `detail` says which risk won.
// `lower` is the first month counted (LowerBound of the spec, unless the caller widens it).
Months SiMonths(const QuantitySpec& spec, const Ledger& l, const std::string& city, MonthIndex last, MonthIndex lower,
                bool allow_back_payment, std::vector<UsedFact>* facts, std::string* detail) {
  constexpr size_t kRisks = std::size(kAllRisks);
  const std::vector<domain::InsuranceRisk>& listed = spec.risks;
  const domain::InsuranceRisk* risks = listed.empty() ? std::begin(kAllRisks) : listed.data();
  const size_t risk_count = listed.empty() ? kRisks : listed.size();
  // One month set per risk, by the risk's value; only the listed risks are read.
  bool wanted[kRisks] = {};
  for (size_t i = 0; i < risk_count; ++i) wanted[static_cast<size_t>(risks[i])] = true;
  std::array<Months, kRisks> per_risk{Months(last), Months(last), Months(last), Months(last), Months(last)};
  for (const SocialInsuranceFact& f : l.social_insurance) {
    const auto r = static_cast<size_t>(f.risk);
    if (!wanted[r] || !CityCounts(f.city, city) || !SiFactMatches(spec, f, allow_back_payment)) continue;
    per_risk[r].Add(f.period.from, f.period.to, lower);
    if (facts != nullptr) {
      facts->push_back({RefOf("social_insurance", f.record_id),
                        std::string(domain::ToString(f.scheme)) + " " + domain::ToString(f.risk) + " " +
                            FactMonths(f.period, f.record_id) + (f.back_payment ? " (back payment)" : "") +
                            (f.district.empty() ? "" : " in " + f.district)});
    }
  }
  if (spec.exclude_study) {
    const Months study = StudyMonths(l, city, last);
    for (size_t i = 0; i < risk_count; ++i) per_risk[static_cast<size_t>(risks[i])].Remove(study);
  }
  auto of = [&](size_t i) -> const Months& { return per_risk[static_cast<size_t>(risks[i])]; };
  Months out(last);
  switch (spec.risk_mode) {
    case RiskMode::kAny:
      for (size_t i = 0; i < risk_count; ++i) out.Unite(of(i));
      break;
    case RiskMode::kAll:
      out = of(0);
      for (size_t i = 1; i < risk_count; ++i) out.Intersect(of(i));
      break;
    case RiskMode::kMax: {
      size_t best = 0;
      int64_t best_count = of(0).Count();
      for (size_t i = 1; i < risk_count; ++i) {
        const int64_t c = of(i).Count();
        if (c > best_count) {
          best = i;
          best_count = c;
        }
      }
      out = of(best);
      if (detail != nullptr && risk_count > 1) {
        std::ostringstream d;
        for (size_t i = 0; i < risk_count; ++i) {
          d << (i ? ", " : "") << domain::ToString(risks[i]) << " " << of(i).Count();
        }
        d << " → the most: " << domain::ToString(risks[best]);
        *detail = d.str();
      }
      break;
    }
  }
  return out;
}

Months SiMonths(const QuantitySpec& spec, const Ledger& l, const std::string& city, MonthIndex last,
                bool allow_back_payment, std::vector<UsedFact>* facts, std::string* detail) {
  return SiMonths(spec, l, city, last, LowerBound(spec, last), allow_back_payment, facts, detail);
}

Months HomeMonths(const QuantitySpec& spec, const Ledger& l, const std::string& city, MonthIndex last,
                  std::vector<UsedFact>* facts) {
  const MonthIndex lower = LowerBound(spec, last);
  Months out(last);
  for (const HomeFact& h : l.homes) {
    if (!CityCounts(h.city, city) || !Allowed(spec.tenures, h.tenure) || !DistrictAllowed(spec, h.district)) continue;
    out.Add(h.period.from, h.period.to, lower);
    if (facts != nullptr) {
      facts->push_back({RefOf("housing", h.record_id), std::string(domain::ToString(h.tenure)) + " " +
                                                           (h.district.empty() ? "" : h.district + " ") +
                                                           FactMonths(h.period, h.record_id)});
    }
  }
  if (spec.exclude_study) out.Remove(StudyMonths(l, city, last));
  return out;
}

Months ResidenceMonths(const QuantitySpec& spec, const Ledger& l, const std::string& city, MonthIndex last,
                       std::vector<UsedFact>* facts) {
  const MonthIndex lower = LowerBound(spec, last);
  Months out(last);
  for (const ResidenceFact& r : l.residence) {
    if (!CityCounts(r.city, city) || !DistrictAllowed(spec, r.district)) continue;
    out.Add(r.period.from, r.period.to, lower);
    if (facts != nullptr) {
      const bool profile = r.source == "profile";
      facts->push_back(
          {r.source, "registered residence " + (profile ? FactMonths(r.period, 0) : PeriodText(r.period))});
    }
  }
  if (spec.exclude_study) out.Remove(StudyMonths(l, city, last));
  return out;
}

Date FirstDayOf(MonthIndex m) { return MakeDate(m / 12, static_cast<unsigned>(m % 12) + 1, 1); }

// Full months (by the day, as WholeMonthsBetween counts them) of the unbroken run of residence
// months ending at the as-of month, from the day the run began: 居住半年 as 条例 第二条 reads.
CountedValue ResidenceFullMonths(const Ledger& l, const std::string& city, Date as_of, bool explain) {
  CountedValue out;
  const MonthIndex last = MonthOf(as_of);
  Months months(last);
  for (const ResidenceFact& r : l.residence) {
    if (CityCounts(r.city, city)) months.Add(r.period.from, r.period.to, r.period.from);
  }
  const int64_t run = months.RunToLast();
  if (run == 0) return out;
  const MonthIndex first = last - static_cast<MonthIndex>(run) + 1;
  std::optional<Date> start;
  for (const ResidenceFact& r : l.residence) {
    if (!CityCounts(r.city, city) || r.period.to < first || r.period.from > last) continue;
    if (r.period.from == first) {
      const Date day = MonthOf(r.since) == first ? r.since : FirstDayOf(first);
      if (!start || day < *start) start = day;
    }
    if (explain) {
      const bool profile = r.source == "profile";
      out.facts.push_back(
          {r.source, "registered residence " + (profile ? FactMonths(r.period, 0) : PeriodText(r.period)) +
                         (!profile && MonthOf(r.since) == r.period.from ? " since " + FormatIsoDate(r.since) : "")});
    }
  }
  if (!start) start = FirstDayOf(first);  // unreachable: some fact starts the run
  out.value = WholeMonthsBetween(*start, as_of);
  if (explain) out.detail = "from " + FormatIsoDate(*start) + " to " + FormatIsoDate(as_of);
  return out;
}

Months FundMonths(const QuantitySpec& spec, const Ledger& l, const std::string& city, MonthIndex last,
                  std::vector<UsedFact>* facts) {
  const MonthIndex lower = LowerBound(spec, last);
  Months out(last);
  for (const HousingFundFact& f : l.housing_fund) {
    if (!CityCounts(f.city, city)) continue;
    if (f.back_payment && spec.exclude_back_payments) continue;
    if (f.transferred_in && spec.exclude_transferred) continue;
    out.Add(f.period.from, f.period.to, lower);
    if (facts != nullptr) {
      facts->push_back({RefOf("housing_fund", f.record_id), FactMonths(f.period, f.record_id)});
    }
  }
  return out;
}

// Home months (tenure, district filters) intersected with, or minus, the months in which
// any social insurance was paid in a district outside spec.work_districts_not_in.
Months HomeWorkMonths(const QuantitySpec& spec, const Ledger& l, const std::string& city, MonthIndex last,
                      std::vector<UsedFact>* facts) {
  Months home = HomeMonths(spec, l, city, last, facts);
  QuantitySpec work;
  work.name = "si_months";
  work.districts_not_in = spec.work_districts_not_in;
  work.since = spec.since;
  work.within_months = spec.within_months;
  Months worked = SiMonths(work, l, city, last, /*allow_back_payment=*/false, facts, nullptr);
  if (spec.with_work) {
    home.Intersect(worked);
  } else {
    home.Remove(worked);
  }
  return home;
}

Months StudyOverlap(const QuantitySpec& spec, const Ledger& l, const std::string& city, MonthIndex last,
                    std::vector<UsedFact>* facts) {
  QuantitySpec any = spec;
  any.exclude_study = false;
  any.risk_mode = RiskMode::kAny;
  Months si = SiMonths(any, l, city, last, !spec.exclude_back_payments, nullptr, nullptr);
  Months study = StudyMonths(l, city, last);
  if (facts != nullptr) {
    for (const StudyFact& s : l.study) {
      if (CityCounts(s.city, city)) {
        facts->push_back({RefOf("enrollment", s.record_id), (s.school.empty() ? std::string("study") : s.school) + " " +
                                                                FactMonths(s.period, s.record_id)});
      }
    }
  }
  si.Intersect(study);
  return si;
}

// Months of a month-valued quantity in one city (the unit of mutual recognition).
std::optional<Months> CityMonths(const QuantitySpec& spec, const Ledger& l, const std::string& city, MonthIndex last,
                                 std::vector<UsedFact>* facts, std::string* detail) {
  const std::string_view n = spec.name;  // compared by length first: most names differ in it
  if (n == "si_months") return SiMonths(spec, l, city, last, !spec.exclude_back_payments, facts, detail);
  if (n == "residence_months") return ResidenceMonths(spec, l, city, last, facts);
  if (n == "home_months") return HomeMonths(spec, l, city, last, facts);
  if (n == "housing_fund_months") return FundMonths(spec, l, city, last, facts);
  if (n == "study_overlap_months") return StudyOverlap(spec, l, city, last, facts);
  if (n == "home_work_months") return HomeWorkMonths(spec, l, city, last, facts);
  return std::nullopt;
}

int FullMonthsBetween(Date from, Date to) {
  if (to < from) return 0;
  const auto a = std::chrono::year_month_day(from);
  const auto b = std::chrono::year_month_day(to);
  int months =
      (static_cast<int>(b.year()) - static_cast<int>(a.year())) * 12 +
      (static_cast<int>(static_cast<unsigned>(b.month())) - static_cast<int>(static_cast<unsigned>(a.month())));
  if (static_cast<unsigned>(b.day()) < static_cast<unsigned>(a.day())) --months;
  return std::max(months, 0);
}

std::vector<std::string> EducationNames(const EducationFact& e) {
  switch (e.level) {
    case EducationLevel::kHighSchool:
      return {"high_school"};
    case EducationLevel::kJuniorCollege:
      return {"junior_college"};
    case EducationLevel::kBachelor:
      if (e.diploma && e.degree) return {"bachelor_degree"};
      return {e.diploma ? "bachelor_diploma" : "bachelor_degree_only"};
    case EducationLevel::kMaster:
      if (e.diploma && e.degree) return {"master_degree"};
      return {e.diploma ? "master_diploma" : "master_degree_only"};
    case EducationLevel::kDoctor:
      if (e.diploma && e.degree) return {"doctor_degree"};
      return {e.diploma ? "doctor_diploma" : "doctor_degree_only"};
  }
  return {};
}

std::string QualificationName(const QualificationFact& q) {
  if (q.kind == QualificationKind::kSkill) return "skill_" + std::to_string(q.level);
  switch (q.level) {
    case 1:
      return "title_junior";
    case 2:
      return "title_intermediate";
    case 3:
      return "title_senior";
  }
  return "title_unknown";
}

int64_t SetBits(const std::vector<std::string>& held, const std::vector<std::string>& level_names) {
  int64_t bits = 0;
  for (const std::string& h : held) {
    for (size_t i = 0; i < level_names.size() && i < 63; ++i) {
      if (level_names[i] == h) bits |= int64_t{1} << i;
    }
  }
  return bits;
}

}  // namespace

const char* ToString(QuantityUnit u) {
  switch (u) {
    case QuantityUnit::kMonths:
      return "months";
    case QuantityUnit::kYears:
      return "years";
    case QuantityUnit::kYuan:
      return "yuan";
    case QuantityUnit::kCount:
      return "count";
    case QuantityUnit::kFlag:
      return "flag";
    case QuantityUnit::kSet:
      return "set";
  }
  return "?";
}

std::string QuantitySpec::Key() const {
  std::ostringstream k;
  k << name;
  auto list = [&k](const char* label, const auto& items, auto to_text) {
    if (items.empty()) return;
    k << " " << label << "=";
    for (size_t i = 0; i < items.size(); ++i) k << (i ? "," : "") << to_text(items[i]);
  };
  auto text = [](const std::string& s) { return s; };
  list("schemes", schemes, [](domain::InsuranceScheme s) { return std::string(domain::ToString(s)); });
  list("risks", risks, [](domain::InsuranceRisk r) { return std::string(domain::ToString(r)); });
  if (risk_mode != RiskMode::kAny) k << " risk_mode=" << (risk_mode == RiskMode::kAll ? "all" : "max");
  if (!exclude_back_payments) k << " back_payments=included";
  if (exclude_study) k << " exclude_study";
  if (!exclude_transferred) k << " transferred=included";
  list("tenures", tenures, [](domain::Tenure t) { return std::string(domain::ToString(t)); });
  list("districts_in", districts_in, text);
  list("districts_not_in", districts_not_in, text);
  if (since) k << " since=" << FormatIsoDate(*since);
  if (within_months > 0) k << " within_months=" << within_months;
  if (min_base_ratio_pct > 0) k << " min_base_ratio_pct=" << min_base_ratio_pct;
  if (max_base_ratio_pct > 0) k << " max_base_ratio_pct=" << max_base_ratio_pct;
  if (min_yuan > 0) k << " min_yuan=" << min_yuan;
  if (last_years > 0) k << " last_years=" << last_years;
  if (consecutive) k << " consecutive";
  list("kinds", violation_kinds, [](ViolationKind v) { return std::string(ToString(v)); });
  if (!in_city_only) k << " any_city";
  if (!include_back_payments_in_run) k << " run_without_back_payments";
  if (allow_unpaid_as_of_month) k << " allow_unpaid_as_of_month";
  if (before_as_of_month) k << " before_as_of_month";
  if (min_age > 0) k << " min_age=" << min_age;
  if (max_age >= 0) k << " max_age=" << max_age;
  list("work_districts_not_in", work_districts_not_in, text);
  if (name == "home_work_months") k << (with_work ? " with_work" : " without_work");
  return k.str();
}

const std::vector<QuantityInfo>& QuantityCatalogue() {
  static const std::vector<QuantityInfo> catalogue = {
      {"holds_permit",
       QuantityUnit::kFlag,
       "holds an active residence permit of the city",
       "持有本市有效居住证",
       {},
       false},
      {"permit_months",
       QuantityUnit::kMonths,
       "months since the city's residence permit was first issued",
       "持有本市居住证月数",
       {"since", "within_months"},
       true},
      {"age_years", QuantityUnit::kYears, "age in whole years (周岁)", "周岁年龄", {}, false},
      {"below_retirement_age",
       QuantityUnit::kFlag,
       "below the statutory retirement age",
       "未达法定退休年龄",
       {},
       false},
      {"residence_months",
       QuantityUnit::kMonths,
       "months of registered residence in the city",
       "本市居住登记月数",
       {"since", "within_months", "districts_in", "districts_not_in", "exclude_study"},
       true},
      {"home_months",
       QuantityUnit::kMonths,
       "months in a home of the given tenure and district",
       "本市住所月数",
       {"tenures", "districts_in", "districts_not_in", "since", "within_months", "exclude_study"},
       true},
      {"home_work_months",
       QuantityUnit::kMonths,
       "months at home (tenure, district) with (or without) social insurance paid outside listed districts",
       "住所与工作地(社保缴纳地)月数",
       {"tenures", "districts_in", "districts_not_in", "since", "within_months", "work_districts_not_in", "with_work"},
       false},
      {"residence_full_months",
       QuantityUnit::kMonths,
       "full months (by the day) of registered residence without a break up to the as-of date",
       "截至基准日连续居住登记满月数（按日计算）",
       {},
       false},
      {"si_months",
       QuantityUnit::kMonths,
       "months of social insurance paid in the city (before_as_of_month: up to the month before the as-of month)",
       "本市社会保险缴费月数（before_as_of_month：截至基准月的上一个月）",
       {"schemes", "risks", "risk_mode", "exclude_back_payments", "exclude_study", "since", "within_months",
        "before_as_of_month", "districts_in", "districts_not_in", "min_base_ratio_pct", "max_base_ratio_pct"},
       true},
      {"si_continuous_months",
       QuantityUnit::kMonths,
       "months of social insurance paid without a break up to the as-of month (allow_unpaid_as_of_month: or up to "
       "the month before, when the as-of month is not paid)",
       "截至基准月连续缴纳社会保险月数（allow_unpaid_as_of_month：基准月未缴时截至上一个月）",
       {"schemes", "risks", "risk_mode", "include_back_payments_in_run", "allow_unpaid_as_of_month", "since"},
       false},
      {"si_back_payment_months",
       QuantityUnit::kMonths,
       "months of social insurance paid afterwards (补缴)",
       "社会保险补缴月数",
       {"schemes", "risks", "risk_mode", "since", "within_months"},
       false},
      {"housing_fund_months",
       QuantityUnit::kMonths,
       "months of housing fund paid in the city",
       "本市住房公积金缴存月数",
       {"exclude_back_payments", "exclude_transferred", "since", "within_months"},
       true},
      {"study_overlap_months",
       QuantityUnit::kMonths,
       "months of study that overlap months of social insurance",
       "在职就读与社保重叠月数",
       {"since", "within_months", "exclude_back_payments"},
       false},
      {"tax_years",
       QuantityUnit::kYears,
       "years with at least min_yuan of income tax paid in the city",
       "本市年度个税达标年数",
       {"min_yuan", "last_years", "consecutive"},
       false},
      {"education", QuantityUnit::kSet, "education held (level, diploma and degree)", "学历学位", {}, false},
      {"qualification",
       QuantityUnit::kSet,
       "skill levels and professional titles held",
       "职业技能等级和专业技术职称",
       {"in_city_only"},
       false},
      {"honour", QuantityUnit::kSet, "honours awarded", "荣誉表彰", {}, false},
      {"violations",
       QuantityUnit::kCount,
       "violations on record",
       "违法违规记录条数",
       {"violation_kinds", "within_months", "in_city_only"},
       false},
      {"spouse_hukou_months",
       QuantityUnit::kMonths,
       "months married to a spouse with the city's hukou",
       "与本市户籍配偶结婚月数",
       {},
       false},
      {"fresh_graduate",
       QuantityUnit::kFlag,
       "full-time graduate within the last 12 months",
       "全日制应届高校毕业生",
       {},
       false},
      {"children",
       QuantityUnit::kCount,
       "children (from family records) whose age on the as-of date is within [min_age, max_age]",
       "子女人数（按基准日周岁，min_age 至 max_age）",
       {"min_age", "max_age"},
       false},
      {"shortage_major", QuantityUnit::kFlag, "studied a major on the city's shortage list", "紧缺急需专业", {}, false},
  };
  return catalogue;
}

const QuantityInfo* FindQuantity(std::string_view name) {
  for (const QuantityInfo& q : QuantityCatalogue()) {
    if (q.name == name) return &q;
  }
  return nullptr;
}

int AgeYears(Date birth_date, Date on) {
  if (on < birth_date) return 0;
  const auto b = std::chrono::year_month_day(birth_date);
  const auto o = std::chrono::year_month_day(on);
  int years = static_cast<int>(o.year()) - static_cast<int>(b.year());
  if (std::chrono::month_day(o.month(), o.day()) < std::chrono::month_day(b.month(), b.day())) --years;
  return years;
}

int RetirementAgeMonths(Date birth_date, domain::Sex sex, PostType post) {
  const MonthIndex born = MonthOf(birth_date);
  auto delayed = [born](int base_years, int reform_start_year, int months_per_step, int max_delay) {
    const MonthIndex start = reform_start_year * 12;  // January of that birth year
    if (born < start) return base_years * 12;
    const int delay = std::min((born - start) / months_per_step + 1, max_delay);
    return base_years * 12 + delay;
  };
  if (sex == domain::Sex::kMale) return delayed(60, 1965, 4, 36);
  if (post == PostType::kCadre) return delayed(55, 1970, 4, 36);
  return delayed(50, 1975, 2, 60);
}

CountedValue Count(const QuantitySpec& spec, const Ledger& l, const CountContext& ctx,
                   const std::vector<std::string>& level_names, bool explain) {
  CountedValue out;
  std::vector<UsedFact>* facts = explain ? &out.facts : nullptr;
  std::string* detail = explain ? &out.detail : nullptr;
  const MonthIndex last = MonthOf(ctx.as_of) - (spec.before_as_of_month ? 1 : 0);
  const std::string_view n = spec.name;  // compared by length first: most names differ in it

  if (auto own = CityMonths(spec, l, ctx.city, last, facts, detail)) {
    out.value = own->Count();
    const QuantityInfo* info = FindQuantity(n);
    const CountContext::Recognized* rule = nullptr;
    for (const CountContext::Recognized& r : ctx.recognized) {
      if (r.quantity == n) rule = &r;
    }
    if (info != nullptr && info->recognizable && rule != nullptr && !ctx.recognized_cities.empty()) {
      Months others(last);
      for (const std::string& city : ctx.recognized_cities) {
        if (city == ctx.city) continue;
        if (auto m = CityMonths(spec, l, city, last, facts, nullptr)) others.Unite(*m);
      }
      others.Remove(*own);  // a month counts once, wherever it was paid
      int64_t added = others.Count() * rule->factor_pct / 100;
      if (rule->cap_months > 0) added = std::min<int64_t>(added, rule->cap_months);
      out.recognized_part = added;
      out.value += added;
      if (explain) {
        out.detail += (out.detail.empty() ? "" : "; ") + std::to_string(out.value - added) + " months in " + ctx.city +
                      " + " + std::to_string(others.Count()) + " months in other member cities" +
                      (rule->factor_pct != 100 ? " × " + std::to_string(rule->factor_pct) + "%" : "") +
                      (rule->cap_months > 0 ? " (at most " + std::to_string(rule->cap_months) + ")" : "") + " = " +
                      std::to_string(added) + " recognized";
      }
    }
    return out;
  }
  if (n == "si_continuous_months") {
    // A run is counted whole, however far back it goes: the spec's look-back window does not
    // cut it (only `since` does).
    const MonthIndex lower = spec.since ? std::max(last - kWindow + 1, MonthOf(*spec.since)) : last - kWindow + 1;
    Months m = SiMonths(spec, l, ctx.city, last, lower, spec.include_back_payments_in_run, facts, detail);
    out.value = m.RunToLast();
    if (spec.allow_unpaid_as_of_month && !m.Has(last)) {
      out.value = m.RunTo(last - 1);
      if (explain)
        out.detail += (out.detail.empty() ? "" : "; ") + MonthText(last) + " not paid: run to " + MonthText(last - 1);
    }
    return out;
  }
  if (n == "residence_full_months") {
    return ResidenceFullMonths(l, ctx.city, ctx.as_of, explain);
  }
  if (n == "si_back_payment_months") {
    Months all = SiMonths(spec, l, ctx.city, last, true, nullptr, nullptr);
    Months paid = SiMonths(spec, l, ctx.city, last, false, nullptr, nullptr);
    all.Remove(paid);  // months held only by back payments
    out.value = all.Count();
    if (facts != nullptr) {
      for (const SocialInsuranceFact& f : l.social_insurance) {
        if (f.back_payment && CityCounts(f.city, ctx.city)) {
          facts->push_back(
              {RefOf("social_insurance", f.record_id),
               std::string("back payment ") + domain::ToString(f.risk) + " " + FactMonths(f.period, f.record_id)});
        }
      }
    }
    return out;
  }
  if (n == "holds_permit") {
    for (const PermitFact& p : l.permits) {
      if (p.city == ctx.city && p.state == domain::PermitState::kActive && p.issue_date <= ctx.as_of) {
        out.value = 1;
        if (facts != nullptr) facts->push_back(PermitFactUsed(p, last, "active since"));
      }
    }
    return out;
  }
  if (n == "permit_months") {
    std::optional<Date> first;
    for (const PermitFact& p : l.permits) {
      if (p.city != ctx.city || p.issue_date > ctx.as_of) continue;
      if (!first || p.issue_date < *first) first = p.issue_date;
      if (facts != nullptr) facts->push_back(PermitFactUsed(p, last, "issued"));
    }
    if (first) {
      Months m(last);
      m.Add(MonthOf(*first), last, LowerBound(spec, last));
      out.value = m.Count();
    }
    return out;
  }
  if (n == "age_years") {
    out.value = AgeYears(l.birth_date, ctx.age_as_of);
    if (explain) out.detail = "born " + FormatIsoDate(l.birth_date) + ", age on " + FormatIsoDate(ctx.age_as_of);
    return out;
  }
  if (n == "below_retirement_age") {
    const int limit = RetirementAgeMonths(l.birth_date, l.sex, l.post_type);
    const int age_months = FullMonthsBetween(l.birth_date, ctx.as_of);
    out.value = age_months < limit ? 1 : 0;
    if (explain) {
      out.detail = "age " + std::to_string(age_months / 12) + " years " + std::to_string(age_months % 12) +
                   " months on " + FormatIsoDate(ctx.as_of) + "; statutory retirement age " +
                   std::to_string(limit / 12) + " years " + std::to_string(limit % 12) + " months (" +
                   domain::ToString(l.sex) + ", " + ToString(l.post_type) + ")";
    }
    return out;
  }
  if (n == "tax_years") {
    const int last_year = static_cast<int>(std::chrono::year_month_day(ctx.as_of).year());
    const int span = spec.last_years > 0 ? spec.last_years : 1;
    std::map<int, int64_t> by_year;
    for (const TaxFact& t : l.tax) {
      if (t.city != ctx.city || t.year > last_year || t.year <= last_year - span) continue;
      by_year[t.year] += t.yuan;
      if (facts != nullptr) {
        facts->push_back(
            {RefOf("income_tax", t.record_id), std::to_string(t.year) + ": " + std::to_string(t.yuan) + " yuan"});
      }
    }
    int64_t years = 0;
    for (int y = last_year; y > last_year - span; --y) {
      const bool met = by_year[y] >= spec.min_yuan && by_year[y] > 0;
      if (met) {
        ++years;
      } else if (spec.consecutive) {
        break;
      }
    }
    out.value = years;
    return out;
  }
  if (n == "education") {
    std::vector<std::string> held;
    for (const EducationFact& e : l.education) {
      if (e.completed_on > ctx.as_of) continue;
      for (std::string& name : EducationNames(e)) {
        if (facts != nullptr) facts->push_back({RefOf("education", e.record_id), name});
        held.push_back(std::move(name));
      }
    }
    out.value = SetBits(held, level_names);
    return out;
  }
  if (n == "qualification") {
    std::vector<std::string> held;
    for (const QualificationFact& q : l.qualifications) {
      if (q.obtained_on > ctx.as_of || (spec.in_city_only && q.city != ctx.city)) continue;
      held.push_back(QualificationName(q));
      if (facts != nullptr) facts->push_back({RefOf("qualification", q.record_id), held.back()});
    }
    out.value = SetBits(held, level_names);
    return out;
  }
  if (n == "honour") {
    std::vector<std::string> held;
    for (const HonourFact& h : l.honours) {
      if (h.awarded_on > ctx.as_of) continue;
      held.push_back(h.level);
      if (facts != nullptr) {
        facts->push_back({RefOf("honour", h.record_id), h.title.empty() ? h.level : h.level + " " + h.title});
      }
    }
    out.value = SetBits(held, level_names);
    return out;
  }
  if (n == "violations") {
    for (const ViolationFact& v : l.violations) {
      if (v.on > ctx.as_of || !Allowed(spec.violation_kinds, v.kind)) continue;
      if (spec.in_city_only && v.city != ctx.city) continue;
      if (spec.within_months > 0 && FullMonthsBetween(v.on, ctx.as_of) >= spec.within_months) continue;
      ++out.value;
      if (facts != nullptr) {
        facts->push_back(
            {RefOf("violation", v.record_id), std::string(ToString(v.kind)) + " on " + FormatIsoDate(v.on)});
      }
    }
    return out;
  }
  if (n == "spouse_hukou_months") {
    if (l.spouse && l.spouse->hukou_city == ctx.city) {
      out.value = FullMonthsBetween(l.spouse->married_on, ctx.as_of);
      if (facts != nullptr) {
        facts->push_back({RefOf("family", l.spouse->record_id),
                          "married " + FormatIsoDate(l.spouse->married_on) + ", spouse hukou " + l.spouse->hukou_city});
      }
    }
    return out;
  }
  if (n == "fresh_graduate") {
    for (const EducationFact& e : l.education) {
      if (e.full_time && e.level >= EducationLevel::kJuniorCollege && e.completed_on <= ctx.as_of &&
          FullMonthsBetween(e.completed_on, ctx.as_of) < 12) {
        out.value = 1;
        if (facts != nullptr) {
          facts->push_back({RefOf("education", e.record_id), "completed " + FormatIsoDate(e.completed_on)});
        }
      }
    }
    return out;
  }
  if (n == "children") {
    for (const ChildFact& c : l.children) {
      if (c.born > ctx.as_of) continue;
      const int age = AgeYears(c.born, ctx.as_of);
      if (age < spec.min_age || (spec.max_age >= 0 && age > spec.max_age)) continue;
      ++out.value;
      if (facts != nullptr) {
        facts->push_back(
            {RefOf("family", c.record_id), "child born " + FormatIsoDate(c.born) + ", age " + std::to_string(age)});
      }
    }
    return out;
  }
  if (n == "shortage_major") {
    for (const EducationFact& e : l.education) {
      if (e.shortage_major && e.completed_on <= ctx.as_of) {
        out.value = 1;
        if (facts != nullptr) facts->push_back({RefOf("education", e.record_id), "shortage-list major"});
      }
    }
    return out;
  }
  return out;  // unreachable for a parsed policy: the parser refuses names outside the catalogue
}

}  // namespace epermit::policy
