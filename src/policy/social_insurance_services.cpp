#include "policy/social_insurance_services.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <utility>

#include "common/enum_names.hpp"

namespace epermit::policy {
namespace {

// Wire names in enum order (common/enum_names.hpp).
constexpr std::array<const char*, 6> kCategoryNames{"retired_resettled", "long_term_resident", "stationed_worker",
                                                    "referral",          "emergency",          "other_temporary"};
constexpr std::array<const char*, 4> kReasonNames{"contract_expired", "dismissed_by_employer", "employer_fault",
                                                  "resigned"};

// Distinct months of one risk paid in each city, back payments included (they are paid months).
std::map<std::string, std::set<MonthIndex>> MonthsByCity(const Ledger& l, domain::InsuranceRisk risk) {
  std::map<std::string, std::set<MonthIndex>> out;
  for (const SocialInsuranceFact& f : l.social_insurance) {
    if (f.risk != risk) continue;
    for (MonthIndex m = f.period.from; m <= f.period.to; ++m) out[f.city].insert(m);
  }
  return out;
}

// Places by their latest month, most recent first; the total counts each month once.
std::vector<PensionCity> Places(const std::map<std::string, std::set<MonthIndex>>& by_city, int* total) {
  std::vector<PensionCity> out;
  std::set<MonthIndex> all;
  for (const auto& [city, months] : by_city) {
    if (months.empty()) continue;
    out.push_back({city, static_cast<int>(months.size()), *months.rbegin()});
    all.insert(months.begin(), months.end());
  }
  std::sort(out.begin(), out.end(), [](const PensionCity& a, const PensionCity& b) {
    return std::tie(a.last_month, a.city) > std::tie(b.last_month, b.city);
  });
  *total = static_cast<int>(all.size());
  return out;
}

std::string YearsMonths(int months) {
  return std::to_string(months / 12) + " years " + std::to_string(months % 12) + " months";
}
std::string YearsMonthsZh(int months) {
  return std::to_string(months / 12) + "年" + std::to_string(months % 12) + "个月";
}

}  // namespace

const char* ToString(MedicalFilingCategory c) { return NameOf(kCategoryNames, c); }
std::optional<MedicalFilingCategory> ParseMedicalFilingCategory(std::string_view s) {
  return Lookup<MedicalFilingCategory>(kCategoryNames, s);
}
bool IsLongTerm(MedicalFilingCategory c) {
  return c == MedicalFilingCategory::kRetiredResettled || c == MedicalFilingCategory::kLongTermResident ||
         c == MedicalFilingCategory::kStationedWorker;
}

const char* ToString(SeparationReason r) { return NameOf(kReasonNames, r); }
std::optional<SeparationReason> ParseSeparationReason(std::string_view s) {
  return Lookup<SeparationReason>(kReasonNames, s);
}

Result<MedicalFiling> PlanMedicalFiling(const Ledger& ledger, const std::string& residence_city,
                                        MedicalFilingCategory category, Date today,
                                        const std::optional<MedicalFiling>& current) {
  if (current && IsLongTerm(current->category) && today < AddMonths(current->filed_on, kMedicalFilingMonths)) {
    const std::string from = FormatIsoDate(AddMonths(current->filed_on, kMedicalFilingMonths));
    return MakeError(ErrorKind::kConflict, "medical.filing_locked",
                     "A long-term filing made on " + FormatIsoDate(current->filed_on) +
                         " cannot be changed or cancelled within six months; it may change from " + from + ".",
                     "长期异地居住备案（" + FormatIsoDate(current->filed_on) + "）六个月内不得变更或取消，自 " + from +
                         " 起可以变更。",
                     "category");
  }
  // 参保地: the latest medical insurance paid in the last three months, in another province.
  const MonthIndex recent = MonthOf(today) - 2;
  const SocialInsuranceFact* insured = nullptr;
  for (const SocialInsuranceFact& f : ledger.social_insurance) {
    if (f.risk != domain::InsuranceRisk::kMedical || f.period.to < recent) continue;
    if (f.city.substr(0, 2) == residence_city.substr(0, 2)) continue;
    if (insured == nullptr || f.period.to > insured->period.to) insured = &f;
  }
  if (insured == nullptr) {
    return MakeError(ErrorKind::kFailedPrecondition, "medical.not_insured_elsewhere",
                     "No medical insurance paid in the last three months in another province: a person insured in "
                     "this province is settled here without a filing.",
                     "近三个月没有在外省缴纳医疗保险：在本省参保的无需办理异地就医备案。", "category");
  }
  MedicalFiling filing;
  filing.category = category;
  filing.insured_city = insured->city;
  filing.filed_on = today;
  if (!IsLongTerm(category)) filing.valid_until = AddMonths(today, kMedicalFilingMonths) - std::chrono::days(1);
  return filing;
}

Result<PensionPlace> WorkOutPensionPlace(const Ledger& ledger, const std::string& hukou_city) {
  PensionPlace p;
  p.cities = Places(MonthsByCity(ledger, domain::InsuranceRisk::kPension), &p.total_months);
  if (p.cities.empty()) {
    return MakeError(ErrorKind::kFailedPrecondition, "pension.no_contribution_history",
                     "No pension insurance contributions on record: there is nothing to transfer. Ask the previous "
                     "insured place for a contribution certificate (参保缴费凭证).",
                     "没有养老保险缴费记录，无可转移的关系。请向原参保地申请开具参保缴费凭证。");
  }
  p.current_city = p.cities.front().city;
  const int here = p.cities.front().months;
  std::string why_en, why_zh;
  if (p.current_city == hukou_city) {
    p.rule = 1;
    p.receipt_city = hukou_city;
    why_en = "the relationship is in the hukou place " + hukou_city;
    why_zh = "基本养老保险关系在户籍所在地 " + hukou_city;
  } else if (here >= kPensionPlaceMonths) {
    p.rule = 2;
    p.receipt_city = p.current_city;
    why_en = "the relationship is in " + p.current_city + ", not the hukou place, with " + YearsMonths(here) +
             " paid there (at least 10 years)";
    why_zh = "关系不在户籍地，在 " + p.current_city + " 累计缴费" + YearsMonthsZh(here) + "（满10年）";
  } else {
    auto earlier = std::find_if(p.cities.begin() + 1, p.cities.end(),
                                [](const PensionCity& c) { return c.months >= kPensionPlaceMonths; });
    if (earlier != p.cities.end()) {
      p.rule = 3;
      p.receipt_city = earlier->city;
      why_en = "the relationship is in " + p.current_city + " with only " + YearsMonths(here) +
               "; the latest earlier place with at least 10 years is " + earlier->city + " (" +
               YearsMonths(earlier->months) + "), so it moves back there";
      why_zh = "关系所在地 " + p.current_city + " 仅缴费" + YearsMonthsZh(here) + "，转回上一个缴费满10年的参保地 " +
               earlier->city + "（" + YearsMonthsZh(earlier->months) + "）";
    } else {
      p.rule = 4;
      p.receipt_city = hukou_city;
      why_en =
          "no place has 10 years of contributions, so the relationship and funds are gathered in the hukou "
          "place " +
          hukou_city;
      why_zh = "各参保地均不满10年，关系和资金归集到户籍所在地 " + hukou_city;
    }
  }
  p.explanation_en = "Contributions combined: " + YearsMonths(p.total_months) + " over " +
                     std::to_string(p.cities.size()) + " place(s). The pension will be paid in " + p.receipt_city +
                     " (国办发〔2009〕66号, rule " + std::to_string(p.rule) + "): " + why_en + ".";
  p.explanation_zh = "缴费年限合并计算：" + YearsMonthsZh(p.total_months) + "，共 " + std::to_string(p.cities.size()) +
                     " 个参保地。待遇领取地为 " + p.receipt_city + "（国办发〔2009〕66号 第" + std::to_string(p.rule) +
                     "种情形）：" + why_zh + "。";
  return p;
}

Result<UnemploymentBenefit> WorkOutUnemploymentBenefit(const Ledger& ledger, SeparationReason reason) {
  if (reason == SeparationReason::kResigned) {
    return MakeError(ErrorKind::kFailedPrecondition, "unemployment.voluntary",
                     "Unemployment benefit is paid only after an involuntary loss of job (《社会保险法》第四十五条); "
                     "a resignation is voluntary.",
                     "失业保险金仅在非因本人意愿中断就业时发放（《社会保险法》第四十五条），本人辞职不属于此情形。",
                     "separation_reason");
  }
  int total = 0;
  const std::vector<PensionCity> places = Places(MonthsByCity(ledger, domain::InsuranceRisk::kUnemployment), &total);
  if (total < 12) {
    return MakeError(
        ErrorKind::kFailedPrecondition, "unemployment.too_short",
        "Unemployment insurance must have been paid for at least 12 months (《社会保险法》第四十五条); " +
            std::to_string(total) + " months are on record.",
        "失业保险须累计缴费满12个月（《社会保险法》第四十五条），现有记录为 " + std::to_string(total) + " 个月。");
  }
  UnemploymentBenefit b;
  b.months_paid = total;
  b.benefit_months = total < 60 ? 12 : total < 120 ? 18 : 24;
  b.claim_city = places.front().city;
  const char* band_en = total < 60 ? "1 to under 5 years" : total < 120 ? "5 to under 10 years" : "10 years or more";
  const char* band_zh = total < 60 ? "满1年不足5年" : total < 120 ? "满5年不足10年" : "10年以上";
  b.explanation_en = YearsMonths(total) + " of unemployment insurance paid (" + band_en + "): benefit for at most " +
                     std::to_string(b.benefit_months) + " months (《社会保险法》第四十六条), claimed in " +
                     b.claim_city + ", the last insured place.";
  b.explanation_zh = "失业保险累计缴费" + YearsMonthsZh(total) + "（" + band_zh + "）：最长领取" +
                     std::to_string(b.benefit_months) + "个月失业保险金（《社会保险法》第四十六条），在最后参保地 " +
                     b.claim_city + " 申领。";
  return b;
}

}  // namespace epermit::policy
