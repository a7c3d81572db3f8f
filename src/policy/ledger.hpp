// One accumulation ledger per person (居住权益累计): every fact the points tables and
// eligibility rules count, normalised from department records, registrations and permits,
// per city and per month. Pure data plus a pure builder; nothing here reads a store.
//
// Periods are whole calendar months (MonthIndex, inclusive at both ends); a month is
// counted once however many records cover it. Each fact keeps the id of the record it came
// from (0 for facts from a calculator profile), so an explanation can name what it used.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/date.hpp"
#include "domain/model.hpp"

namespace epermit::policy {

// The department records' own enums (domain/model.hpp), used as they are: post type (女工人 /
// 女干部 retire at different ages), education level, skill or title, violation kind.
using domain::EducationLevel;
using domain::ParseEducationLevel;
using domain::ParsePostType;
using domain::ParseQualificationKind;
using domain::ParseViolationKind;
using domain::PostType;
using domain::QualificationKind;
using domain::ViolationKind;

struct MonthPeriod {
  MonthIndex from = 0;
  MonthIndex to = 0;  // inclusive
  int Months() const { return to >= from ? to - from + 1 : 0; }
  bool Contains(MonthIndex m) const { return m >= from && m <= to; }
  bool Empty() const { return to < from; }
};

// Months of registered residence in a city: from the 居住登记 (or the permit's residence
// start), restarted as 条例 第十条 says when an endorsement was missed.
struct ResidenceFact {
  std::string city;
  std::string district;  // county-level code of the address
  MonthPeriod period;
  std::string source;  // "registration:<id>" or "permit:<number>"
  // The day residence began when the fact starts on it (registered_on, the permit's
  // residence_since); otherwise (a profile, or months after an earlier source's) unset,
  // and the fact starts on the first day of period.from. residence_full_months counts by it.
  Date since{};
};

struct PermitFact {
  std::string city;
  std::string number;
  // As shown: a permit past its anniversary without endorsement is suspended (as
  // PermitService::Get shows it) even before the sweep stores that.
  domain::PermitState state = domain::PermitState::kActive;
  Date issue_date{};
  Date residence_since{};
};

struct SocialInsuranceFact {
  std::string city;
  std::string district;  // where the contributions are paid, when the department says (Beijing 职住)
  domain::InsuranceScheme scheme = domain::InsuranceScheme::kEmployee;
  domain::InsuranceRisk risk = domain::InsuranceRisk::kPension;
  MonthPeriod period;
  bool back_payment = false;
  int base_ratio_pct = 0;  // contribution base as % of the city's average wage; 0 unknown
  int64_t record_id = 0;
};

struct HomeFact {  // own, rented or dormitory housing
  std::string city;
  std::string district;
  domain::Tenure tenure = domain::Tenure::kRented;
  MonthPeriod period;
  int64_t record_id = 0;
};

struct HousingFundFact {  // 住房公积金
  std::string city;
  MonthPeriod period;
  bool back_payment = false;
  bool transferred_in = false;  // months carried over from another city's fund
  int64_t record_id = 0;
};

struct TaxFact {  // individual income tax paid in a city in a year
  std::string city;
  int year = 0;
  int64_t yuan = 0;
  int64_t record_id = 0;
};

struct StudyFact {  // enrolment at a school in a city (在职就读 included)
  std::string city;
  std::string school;
  MonthPeriod period;
  int64_t record_id = 0;
};

struct EducationFact {
  EducationLevel level = EducationLevel::kHighSchool;
  bool diploma = true;  // 学历
  bool degree = false;  // 学位
  Date completed_on{};
  bool full_time = true;
  bool shortage_major = false;  // 紧缺急需专业 as the city's list says (Shanghai)
  int64_t record_id = 0;
};

struct QualificationFact {
  QualificationKind kind = QualificationKind::kSkill;
  // Skill: 5 (五级/初级工) .. 1 (一级/高级技师). Title: 1 初级, 2 中级, 3 高级.
  int level = 0;
  Date obtained_on{};
  std::string city;  // where it was obtained
  int64_t record_id = 0;
};

struct HonourFact {
  // A catalogue key, e.g. "national_model_worker", "provincial", "municipal_comprehensive";
  // the policy decides what each is worth.
  std::string level;
  std::string title;
  Date awarded_on{};
  int64_t record_id = 0;
};

struct ViolationFact {
  ViolationKind kind = ViolationKind::kDetention;
  std::string city;
  Date on{};
  int64_t record_id = 0;
};

struct SpouseFact {        // from a family record (relation "spouse")
  std::string hukou_city;  // city-level code of the spouse's 户口
  Date married_on{};
  int64_t record_id = 0;
};

struct ChildFact {         // from a family record (relation "child")
  Date born{};             // the birth date in the child's ID number
  std::string hukou_city;  // city-level code of the child's 户口
  int64_t record_id = 0;
};

struct Ledger {
  std::string citizen_id;
  Date birth_date{};
  domain::Sex sex = domain::Sex::kMale;
  PostType post_type = PostType::kWorker;

  std::vector<ResidenceFact> residence;
  std::vector<PermitFact> permits;
  std::vector<SocialInsuranceFact> social_insurance;
  std::vector<HomeFact> homes;
  std::vector<HousingFundFact> housing_fund;
  std::vector<TaxFact> tax;
  std::vector<StudyFact> study;
  std::vector<EducationFact> education;
  std::vector<QualificationFact> qualifications;
  std::vector<HonourFact> honours;
  std::vector<ViolationFact> violations;
  std::optional<SpouseFact> spouse;
  std::vector<ChildFact> children;  // in record order
};

// Builds the ledger of one person from what a city node holds about them: registrations
// and permits (every city the node has, every state) and department records. Pure.
//
// Person: birth date and sex from the citizen ID (GB 11643); post_type from the employment
// record with the latest `from` that states one (worker when none does).
//
// Residence (居住月数), per city, as whole calendar months touched:
//   - a permit counts from the month of its `residence_since` (which already carries the
//     条例 第十条 restart after a late endorsement: months before it no longer count) to
//       * today's month while it is active and not past its anniversary;
//       * the month of the day before `endorsed_until` when it is suspended, or active but
//         past its anniversary (lapsed), or revoked, cancelled or replaced; for those three
//         terminal states also no later than the day of the change that ended it
//         (`updated_at`, when set);
//   - a registration (居住登记) counts from the month of `registered_on` to today's month,
//     but only in a city where the person has no permit at all (there the permit governs,
//     including its restart);
//   - months are merged per city: a month counts once however many sources cover it. The
//     facts of a city never overlap; a month is attributed to the source that covers it and
//     starts earliest (permits before registrations, newer permit versions first), and
//     adjacent months of the same source form one fact. Nothing counts after today.
// Every other fact maps 1:1 from its record, in record order: homes and study cover the
// months touched by [from, to or today]; social insurance and housing fund keep their months;
// records whose months lie wholly after today are dropped. The spouse is the family record
// of relation "spouse" with the latest `since`; every family record of relation "child" born
// by today is a child.
Ledger BuildLedger(const std::string& citizen_id, const std::vector<domain::Registration>& registrations,
                   const std::vector<domain::Permit>& permits, const domain::RecordBundle& records, Date today);

// The ledger "per city and per month" for the API: for each city every month from its first
// fact to today's month with residence, home, social insurance (scheme → risk → "paid" or
// "back_payment"), housing fund, study and the sources of each; income tax per year and city;
// education, qualifications, honours, violations, spouse, permits and residence periods.
// The citizen ID is masked (first 6, last 4).
nlohmann::json LedgerToJson(const Ledger& ledger, Date today);

}  // namespace epermit::policy
