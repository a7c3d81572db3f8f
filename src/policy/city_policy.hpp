// A city's published permit rules, as data: one TOML file per version under
// policies/<division-code>/, each with the date it takes force. Parsing is pure
// (text in, policy out); policy_set.hpp reads the files.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/date.hpp"
#include "common/result.hpp"
#include "domain/model.hpp"
#include "domain/permit_state.hpp"
#include "policy/points.hpp"
#include "policy/services.hpp"

namespace epermit::policy {

// Permit eligibility runs on the points engine (points.hpp): ParseCityPolicy compiles the
// data-driven conditions of [eligibility] into PointsTables of preconditions over ledger
// quantities, and eligibility.cpp evaluates and explains them with Explain. The ids of the
// preconditions it compiles:
inline constexpr char kResidencePreconditionId[] = "residence_full_months";
inline constexpr char kSiPaidInMonthPreconditionId[] = "si_paid_in_as_of_month";
inline constexpr char kSiContinuousPreconditionId[] = "si_continuous_months";
inline constexpr char kSiWindowPreconditionId[] = "si_months_in_window";

// One way to satisfy a city's social-insurance condition. A person meets the condition
// when any one alternative holds, that is, every precondition of its compiled table.
// Months are counted back from the application month:
//   require_current_month  → si_months { within_months = 1 } ≥ 1 (paid in the application month)
//   continuous_months = N  → si_continuous_months { allow_unpaid_as_of_month = true } ≥ N
//   window_months = W, min_months_in_window = K
//                          → si_months { within_months = W, before_as_of_month = true } ≥ K
// each with the alternative's schemes and risks (any listed risk paid) and back payments
// excluded or not (for the run: include_back_payments_in_run = !exclude_back_payments).
struct SocialInsuranceAlternative {
  std::string label_en;
  std::string label_zh;
  std::vector<domain::InsuranceScheme> schemes;  // empty: any scheme
  std::vector<domain::InsuranceRisk> risks;      // empty: any one risk counts
  int continuous_months = 0;                     // >0: this many consecutive months up to the latest month
  int window_months = 0;                         // >0 with min_months_in_window: "N of the last W months"
  int min_months_in_window = 0;
  bool require_current_month = false;  // paying in the application month itself (上海: 申请当月在缴)
  bool exclude_back_payments = true;   // 不含补缴
  std::string source;
  // [[eligibility.social_insurance.precondition]] tables, as written: engine preconditions
  // over any ledger quantity, which must hold besides the ones compiled from the keys above.
  std::vector<Precondition> preconditions;
  PointsTable table;  // compiled by CompileEligibility: the keys above, then `preconditions`
};

struct EligibilityPolicy {
  int min_residence_months = 6;  // 条例 第二条: 居住半年以上
  std::string residence_source;
  std::vector<SocialInsuranceAlternative> social_insurance;  // empty: no condition
  // Bases on which the social-insurance condition does not apply (e.g. 就读).
  std::vector<domain::ResidenceBasis> social_insurance_exempt_bases;
  int minor_age = 16;  // 条例 第九条 ¶3: under 16 applies through a guardian
  // Compiled by CompileEligibility: residence_full_months ≥ min_residence_months.
  PointsTable residence;
};

// Compiles the data-driven conditions of `e` (residence duration, every social-insurance
// alternative) into engine tables counted at the application date. ParseCityPolicy calls it;
// code that builds an EligibilityPolicy by hand calls it after changing one.
void CompileEligibility(EligibilityPolicy& e);

struct PermitPolicy {
  int review_deadline_days = 15;                 // 条例 第九条 ¶6: 15 days, a city may extend to at most 30
  domain::EndorsementWindow endorsement_window;  // 条例 第十条: one month before the anniversary
  int replacement_fee_fen = 0;          // 第二十一条: first issue and endorsement free; replacement charged
  int cancel_after_suspended_days = 0;  // >0: a permit suspended this long is cancelled (深圳: 2 years)
  std::string issuing_authority = "{city_name}公安局{county_short}分局";
  std::string source;
};

// How long what the node signs may be trusted (issue 3).
struct CredentialPolicy {
  int qr_ttl_hours = 24;                    // the phone's QR is renewed while online
  int status_list_ttl_seconds = 300;        // how long verifiers may cache a status list
  int status_list_max_age_seconds = 86400;  // older than this, verifiers must say "stale", not "valid"
};

struct CityPolicy {
  std::string city;       // division code, e.g. 310000
  std::string city_name;  // e.g. 上海市
  std::string version;
  Date effective_from{};
  std::optional<Date> effective_to;  // exclusive
  std::string source;
  std::string file;  // where it was loaded from, for messages
  EligibilityPolicy eligibility;
  PermitPolicy permit;
  CredentialPolicy credentials;
  std::optional<PointsTable> points;  // the city's points scheme, when it has one in this version
  ServiceCatalogue services;          // [[services]]: what the permit opens in this version (may be empty)
};

// Parses one policy file. Errors name the place as "file:line: message" in message_en.
Result<CityPolicy> ParseCityPolicy(std::string_view toml_text, const std::string& file_name);

// The authority that issues permits for a residence in `county_code` (条例 第十条: the
// county-level public-security organ), from the policy's template.
std::string IssuingAuthority(const CityPolicy& policy, const std::string& county_code);

}  // namespace epermit::policy
