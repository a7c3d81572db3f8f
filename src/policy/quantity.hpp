// The ledger quantities a policy may count: a fixed catalogue of names, each with the
// parameters it accepts (which schemes, since when, which districts, ...), computed from a
// person's Ledger for one city and one date. Policy files name them
// (`quantity = { name = "si_months", risk_mode = "max", since = 1998-07-01 }`); a name or a
// parameter outside the catalogue is a policy error, so a typo cannot silently count zero.
//
// Every value is an exact integer: months, years, yuan, a count, a 0/1 flag, or a set of
// level names (education, qualification, honour) held as a bit mask over the names the
// policy mentions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.hpp"
#include "common/result.hpp"
#include "domain/model.hpp"
#include "policy/ledger.hpp"

namespace epermit::policy {

enum class QuantityUnit { kMonths, kYears, kYuan, kCount, kFlag, kSet };
const char* ToString(QuantityUnit u);

// How months of several insurance risks combine into one count.
enum class RiskMode {
  kAny,  // a month counts when any listed risk was paid
  kAll,  // only when every listed risk was paid (五险齐缴)
  kMax,  // the single risk with the most months (北京: 缴费月数最多的险种)
};

// One quantity as a policy names it: the catalogue name and its parameters. Parameters a
// name does not accept stay at their defaults (the parser refuses them when given).
struct QuantitySpec {
  std::string name;
  std::vector<domain::InsuranceScheme> schemes;  // empty: every scheme
  std::vector<domain::InsuranceRisk> risks;      // empty: every risk
  RiskMode risk_mode = RiskMode::kAny;
  bool exclude_back_payments = true;
  bool exclude_study = false;  // drop months that overlap study (北京: 在职就读)
  bool exclude_transferred = true;
  std::vector<domain::Tenure> tenures;    // empty: any
  std::vector<std::string> districts_in;  // county codes; empty: any
  std::vector<std::string> districts_not_in;
  std::optional<Date> since;   // months before this date's month do not count
  int within_months = 0;       // >0: only the months (or events) of the last N months to the as-of date
  int min_base_ratio_pct = 0;  // social insurance: contribution base at least this % of the average wage
  int max_base_ratio_pct = 0;  // ... and below this (0: no upper bound)
  int64_t min_yuan = 0;        // tax_years: a year counts when at least this much was paid
  int last_years = 0;          // tax_years: among the last N calendar years up to the as-of year
  bool consecutive = false;    // tax_years / si: only the unbroken run ending at the as-of date
  std::vector<ViolationKind> violation_kinds;  // empty: every kind
  bool in_city_only = true;                    // qualifications and violations: only those of this city
  bool include_back_payments_in_run = true;    // si_continuous_months: back-paid months keep the run
  // si_continuous_months: when the as-of month itself is not (yet) paid, the run may end at
  // the month before it (permit eligibility: this month's contribution may not be recorded).
  bool allow_unpaid_as_of_month = false;
  // si_months: count up to the month before the as-of month; with within_months = N, the N
  // months before it (上海 居住证: 前12个月内累计缴满6个月, the application month not counted).
  bool before_as_of_month = false;
  // home_work_months: months at home (tenures, districts) in which social insurance was
  // (with_work) or was not (!with_work) paid in a district outside work_districts_not_in.
  std::vector<std::string> work_districts_not_in;
  bool with_work = true;
  // children: only those whose age in whole years on the as-of date is at least min_age and,
  // when max_age ≥ 0, at most max_age.
  int min_age = 0;
  int max_age = -1;

  // A canonical text of the name and every parameter, so equal specs share one slot and an
  // explanation can show exactly what was counted.
  std::string Key() const;
};

struct QuantityInfo {
  std::string_view name;
  QuantityUnit unit;
  std::string_view en;
  std::string_view zh;
  std::vector<std::string_view> params;  // the parameters it accepts
  bool recognizable;                     // mutual-recognition agreements may add other cities' months to it
};

// The whole catalogue, in a stable order (docs and `policy check` list it).
const std::vector<QuantityInfo>& QuantityCatalogue();
const QuantityInfo* FindQuantity(std::string_view name);

// Where and when quantities are counted.
struct CountContext {
  std::string city;  // the policy's city
  Date as_of{};      // months up to and including this date's month; events up to this date
  Date age_as_of{};  // the date age is taken at (北京: 1 January of the previous year)
  // Mutual recognition: the other cities whose months are added to the quantities named in
  // `recognized`, each with a factor (percent) and a cap (months added, 0 none); empty when
  // no agreement applies.
  struct Recognized {
    std::string quantity;
    int factor_pct = 100;
    int cap_months = 0;
  };
  std::vector<std::string> recognized_cities;
  std::vector<Recognized> recognized;
};

// One fact a quantity used, for explanations: "social_insurance#12 2019-01..2023-12 employee pension".
struct UsedFact {
  std::string ref;   // "social_insurance#12", "registration:abc", "profile"
  std::string what;  // human-readable detail
};

struct CountedValue {
  int64_t value = 0;
  std::vector<UsedFact> facts;  // filled only when asked for (explanations)
  int64_t recognized_part = 0;  // how much of `value` came from other cities by agreement
  std::string detail;           // e.g. "pension 87, medical 85 → max 87"
};

// Computes one quantity. `level_names` maps set members to bits for kSet quantities (the
// names the policy's level table mentions, in order); ignored otherwise. With `explain`
// false, only `value` is filled (the fast path).
CountedValue Count(const QuantitySpec& spec, const Ledger& ledger, const CountContext& ctx,
                   const std::vector<std::string>& level_names, bool explain);

// The statutory retirement age in months for a person, on the gradual-increase schedule of
// 2025 (全国人大常委会《关于实施渐进式延迟法定退休年龄的决定》): men 60 → 63, women cadres
// 55 → 58 (one month per four months of birth from 1965-01 / 1970-01), women workers 50 →
// 55 (one month per two months of birth from 1975-01).
int RetirementAgeMonths(Date birth_date, domain::Sex sex, PostType post);

// Whole years of age (周岁) on `on`.
int AgeYears(Date birth_date, Date on);

}  // namespace epermit::policy
