// The rules of the three social-insurance services (issue 6 item 3), worked out from a
// person's ledger and explained: cross-province medical settlement filing (医保跨省异地就医备案),
// pension insurance transfer (养老保险关系转移接续) with the place the pension will be paid
// (待遇领取地), and the unemployment benefit (失业保险金) with its duration and where to claim.
// Pure: the ledger and the date come in, a decision or an error with a stable code comes out.
// Sources: ../shared/domain/RULES.md §6 (社会保险法 第十九、四十五、四十六、五十二条 confidence A;
// 国办发〔2009〕66号 where-received rule B; 医保发〔2022〕22号 B/C).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/date.hpp"
#include "common/result.hpp"
#include "policy/ledger.hpp"

namespace epermit::policy {

// ---- medical settlement filing (医保发〔2022〕22号) ----

// 异地长期居住人员: 异地安置退休, 异地长期居住, 常驻异地工作; 临时外出就医人员: 异地转诊,
// 急诊抢救, 其他临时外出就医.
enum class MedicalFilingCategory {
  kRetiredResettled,
  kLongTermResident,
  kStationedWorker,
  kReferral,
  kEmergency,
  kOtherTemporary,
};
const char* ToString(MedicalFilingCategory c);
std::optional<MedicalFilingCategory> ParseMedicalFilingCategory(std::string_view s);
bool IsLongTerm(MedicalFilingCategory c);

// A filing as it stands: when it was made, its category, and until when it is valid (long-term
// filings are valid until cancelled).
struct MedicalFiling {
  MedicalFilingCategory category = MedicalFilingCategory::kLongTermResident;
  std::string insured_city;  // the city whose medical insurance is paid (参保地)
  Date filed_on{};
  std::optional<Date> valid_until;  // inclusive; absent: long-term, until cancelled
};

// A temporary filing is valid this many months (“不少于6个月”); a long-term filing may not be
// changed or cancelled within this many months of being made.
inline constexpr int kMedicalFilingMonths = 6;

// The filing a person makes in `residence_city` on `today`. Errors:
//   medical.not_insured_elsewhere — no medical insurance paid in the last three months in a city
//     of another province (a person insured here needs no filing);
//   medical.filing_locked — `current` is a long-term filing made less than six months ago: the
//     message gives the first day it may change.
Result<MedicalFiling> PlanMedicalFiling(const Ledger& ledger, const std::string& residence_city,
                                        MedicalFilingCategory category, Date today,
                                        const std::optional<MedicalFiling>& current);

// ---- pension transfer and where the pension is paid (国办发〔2009〕66号) ----

struct PensionCity {
  std::string city;
  int months = 0;             // distinct months of pension contributions paid there
  MonthIndex last_month = 0;  // the latest of them
};

struct PensionPlace {
  int total_months = 0;             // years combined across places (《社会保险法》第十九条)
  std::vector<PensionCity> cities;  // most recent place first
  std::string current_city;         // where the relationship is now: the last place insured
  std::string receipt_city;         // where the pension will be paid
  int rule = 0;                     // 1..4, the clause of the where-received rule that decided
  std::string explanation_en;
  std::string explanation_zh;
};

// Ten years (120 months) of contributions in one place make it a place the pension may be paid.
inline constexpr int kPensionPlaceMonths = 120;

// The combined years and the place the pension will be paid, for a person whose 户口 is in
// `hukou_city`: (1) the relationship is in the hukou place → there; (2) otherwise, ≥ 10 years in
// the place it is in → there; (3) otherwise the latest earlier place with ≥ 10 years; (4)
// otherwise the hukou place. Error: pension.no_contribution_history (no pension months at all).
Result<PensionPlace> WorkOutPensionPlace(const Ledger& ledger, const std::string& hukou_city);

// ---- unemployment benefit (《社会保险法》第四十五、四十六条) ----

// Why the job ended. Involuntary (非因本人意愿中断就业, 《失业保险金申领发放办法》第四条): the
// contract ended, the employer ended it, or the worker ended it for the employer's fault
// (《劳动合同法》第三十八条). A resignation is voluntary.
enum class SeparationReason { kContractExpired, kDismissedByEmployer, kEmployerFault, kResigned };
const char* ToString(SeparationReason r);
std::optional<SeparationReason> ParseSeparationReason(std::string_view s);

struct UnemploymentBenefit {
  int months_paid = 0;     // unemployment insurance, every place combined (第五十二条)
  int benefit_months = 0;  // 12, 18 or 24
  std::string claim_city;  // the last place insured
  std::string explanation_en;
  std::string explanation_zh;
};

// Errors: unemployment.voluntary (a resignation), unemployment.too_short (under 12 months paid;
// the message says how many were).
Result<UnemploymentBenefit> WorkOutUnemploymentBenefit(const Ledger& ledger, SeparationReason reason);

}  // namespace epermit::policy
