// The core records of a city node: residence registrations, department records,
// permit applications and permits. Plain data; the rules that act on it live in
// domain/permit_state.hpp and policy/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/date.hpp"

namespace epermit::domain {

// 条例 第二条: lawful stable employment, lawful stable residence (own or rented home), or
// continuous study.
enum class ResidenceBasis { kEmployment, kOwnHome, kRentedHome, kStudy };
const char* ToString(ResidenceBasis b);
std::optional<ResidenceBasis> ParseResidenceBasis(std::string_view s);

// 居住登记: starts the residence clock on `registered_on`.
struct Registration {
  std::string id;
  std::string citizen_id;
  std::string name;
  std::string phone;
  std::string city;           // city-level division code of the node, e.g. 310000
  std::string division_code;  // county-level code of the address, e.g. 310101
  std::string address;        // street address within that division
  ResidenceBasis basis = ResidenceBasis::kEmployment;
  std::string employer_uscc;  // when basis is employment
  std::string school;         // when basis is study
  Date registered_on{};
  std::string actor;
  int64_t created_at = 0;
};

// ---- Department records (supplied by 公安户籍, 人社社保, 住建, 教育 ...) ----

// Values are append-only: the wire names (model.cpp) follow this order.
enum class RecordKind {
  kPerson,
  kHukou,
  kSocialInsurance,
  kEmployment,
  kHousing,
  kEnrollment,
  kHousingFund,    // 住房公积金 months
  kIncomeTax,      // 个人所得税 paid in a city in a year
  kEducation,      // 学历 / 学位
  kQualification,  // 职业技能等级 / 专业技术职称
  kHonour,         // 表彰奖励
  kViolation,      // 违法违规记录
  kFamily,         // spouse or child
};
const char* ToString(RecordKind k);
std::optional<RecordKind> ParseRecordKind(std::string_view s);

enum class InsuranceScheme { kEmployee, kFlexible, kResident };  // 职工 / 灵活就业 / 城乡居民
enum class InsuranceRisk { kPension, kMedical, kUnemployment, kWorkInjury, kMaternity };
const char* ToString(InsuranceScheme s);
const char* ToString(InsuranceRisk r);
std::optional<InsuranceScheme> ParseInsuranceScheme(std::string_view s);
std::optional<InsuranceRisk> ParseInsuranceRisk(std::string_view s);

enum class Tenure { kOwn, kRented, kDormitory };
const char* ToString(Tenure t);
std::optional<Tenure> ParseTenure(std::string_view s);

// 工人 / 干部 post of an employment (the retirement age of women depends on it).
enum class PostType { kWorker, kCadre };
const char* ToString(PostType p);
std::optional<PostType> ParsePostType(std::string_view s);

enum class EducationLevel { kHighSchool, kJuniorCollege, kBachelor, kMaster, kDoctor };
const char* ToString(EducationLevel e);
std::optional<EducationLevel> ParseEducationLevel(std::string_view s);

enum class QualificationKind { kSkill, kTitle };  // 职业技能等级 / 专业技术职称
const char* ToString(QualificationKind k);
std::optional<QualificationKind> ParseQualificationKind(std::string_view s);

enum class ViolationKind { kDetention, kTaxViolation, kFalseMaterial, kCrime, kSeriousCrime };
const char* ToString(ViolationKind k);
std::optional<ViolationKind> ParseViolationKind(std::string_view s);

enum class FamilyRelation { kSpouse, kChild };
const char* ToString(FamilyRelation r);
std::optional<FamilyRelation> ParseFamilyRelation(std::string_view s);

// Fields common to every record; `id` is assigned by the store.
struct RecordHeader {
  int64_t id = 0;
  std::string citizen_id;
  std::string source;  // the supplying department, e.g. "310000-rsj"
};

struct PersonRecord {  // 公安户籍: identity as registered
  RecordHeader h;
  std::string name;
  std::string ethnicity;
};
struct HukouRecord {  // 常住户口所在地
  RecordHeader h;
  std::string division_code;
  std::string address;
};
struct SocialInsuranceRecord {  // one contiguous period of paid months
  RecordHeader h;
  std::string city;
  InsuranceScheme scheme = InsuranceScheme::kEmployee;
  InsuranceRisk risk = InsuranceRisk::kPension;
  MonthIndex from_month = 0;
  MonthIndex to_month = 0;    // inclusive
  bool back_payment = false;  // 补缴: paid after the fact
  std::string division_code;  // county-level code where contributions are paid; "" when not stated
  int base_ratio_pct = 0;     // contribution base as % of the city's average wage (1..1000); 0 not stated
};
struct EmploymentRecord {
  RecordHeader h;
  std::string city;
  std::string employer_uscc;
  std::string employer_name;
  Date from{};
  std::optional<Date> to;  // open-ended when absent
  std::optional<PostType> post_type;
};
struct HousingRecord {  // rental registration or property
  RecordHeader h;
  std::string city;
  std::string division_code;
  Tenure tenure = Tenure::kRented;
  std::string registration_no;
  Date from{};
  std::optional<Date> to;
};
struct EnrollmentRecord {
  RecordHeader h;
  std::string city;
  std::string school;
  Date from{};
  std::optional<Date> to;
};
struct HousingFundRecord {  // 住房公积金: one contiguous period of paid months
  RecordHeader h;
  std::string city;
  MonthIndex from_month = 0;
  MonthIndex to_month = 0;      // inclusive
  bool back_payment = false;    // 补缴
  bool transferred_in = false;  // months carried over from another city's fund (转入)
};
struct IncomeTaxRecord {  // 税务: individual income tax paid in one city in one year
  RecordHeader h;
  std::string city;
  int year = 0;
  int64_t yuan = 0;
};
struct EducationRecord {  // 教育: one completed course of education
  RecordHeader h;
  EducationLevel level = EducationLevel::kHighSchool;
  bool diploma = true;  // 学历 certificate
  bool degree = false;  // 学位 certificate
  Date completed_on{};
  bool full_time = true;
  bool shortage_major = false;  // 紧缺急需专业
};
struct QualificationRecord {  // 人社: skill level (1 highest .. 5) or title (1 初级, 2 中级, 3 高级)
  RecordHeader h;
  QualificationKind kind = QualificationKind::kSkill;
  int level = 0;
  Date obtained_on{};
  std::string city;
};
struct HonourRecord {
  RecordHeader h;
  std::string level;  // catalogue key, [a-z_]{1,40}, e.g. "national_model_worker"
  std::string title;
  Date awarded_on{};
};
struct ViolationRecord {  // 公安 / 税务
  RecordHeader h;
  ViolationKind kind = ViolationKind::kDetention;
  std::string city;
  Date on{};
};
struct FamilyRecord {  // 民政 / 公安
  RecordHeader h;
  FamilyRelation relation = FamilyRelation::kSpouse;
  std::string member_citizen_id;
  Date since{};                     // marriage date (spouse) or birth date (child)
  std::string hukou_division_code;  // the member's 户口 division, current or retired code
};

// Everything the departments hold about one person.
struct RecordBundle {
  std::vector<PersonRecord> persons;
  std::vector<HukouRecord> hukou;
  std::vector<SocialInsuranceRecord> social_insurance;
  std::vector<EmploymentRecord> employment;
  std::vector<HousingRecord> housing;
  std::vector<EnrollmentRecord> enrollment;
  std::vector<HousingFundRecord> housing_fund;
  std::vector<IncomeTaxRecord> income_tax;
  std::vector<EducationRecord> education;
  std::vector<QualificationRecord> qualifications;
  std::vector<HonourRecord> honours;
  std::vector<ViolationRecord> violations;
  std::vector<FamilyRecord> family;
};

// ---- Applications ----

enum class ApplicationStatus { kApproved, kRejected, kPendingReview };
const char* ToString(ApplicationStatus s);
std::optional<ApplicationStatus> ParseApplicationStatus(std::string_view s);

struct Guardian {  // 条例 第九条 ¶3: a minor under 16 applies through a guardian
  std::string citizen_id;
  std::string name;
  std::string relation;  // e.g. "father", "mother", "legal_guardian"
};

struct Application {
  std::string id;
  std::string citizen_id;
  std::string registration_id;
  std::string city;
  std::string name;
  std::string ethnicity;  // as declared; the person record wins when present
  std::string photo_ref;
  std::optional<Guardian> guardian;
  ApplicationStatus status = ApplicationStatus::kPendingReview;
  std::string policy_version;
  std::string decision_json;  // the full explained decision (rules, records used, missing items)
  Date accepted_on{};
  std::optional<Date> review_deadline;  // set while pending review
  std::string decided_by;
  std::string decision_reason;
  std::optional<int64_t> decided_at;
  std::string permit_number;
  std::string actor;
  int64_t created_at = 0;
};

// ---- Permits ----

enum class PermitState { kActive, kSuspended, kRevoked, kReplaced, kCancelled };
const char* ToString(PermitState s);
std::optional<PermitState> ParsePermitState(std::string_view s);

enum class Sex { kMale, kFemale };
const char* ToString(Sex s);

// 条例 第四条 fields plus what the lifecycle needs.
struct Permit {
  std::string number;  // GB/T 36904 form, see domain/permit_number.hpp
  uint64_t sequence = 0;
  int version = 1;
  std::string city;
  std::string citizen_id;
  std::string name;
  Sex sex = Sex::kMale;
  std::string ethnicity;
  Date birth_date{};
  std::string photo_ref;
  std::string hukou_address;
  std::string residence_division;
  std::string residence_address;
  std::string issuing_authority;
  Date issue_date{};
  PermitState state = PermitState::kActive;
  Date residence_since{};  // start of the continuous-residence count (条例 第十条 restarts it)
  Date endorsed_until{};   // next residence anniversary; endorse in the window before it
  std::string application_id;
  std::string replaces;  // the number this permit replaced, if any
  int64_t updated_at = 0;
  // Index of this permit's current credentials in the city's status list; a change or
  // replacement moves to a fresh index and marks the old one superseded.
  int64_t status_index = -1;
};

// Status-list values (IETF Token Status List, 2 bits per entry).
enum class CredentialStatus : uint8_t {
  kValid = 0,
  kInvalid = 1,     // revoked or cancelled
  kSuspended = 2,   // endorsement missed
  kSuperseded = 3,  // application-specific: replaced by newer credentials after a change
};
CredentialStatus StatusFor(PermitState s);

// An append-only row for every state change: who did what, when and why.
struct HistoryEntry {
  int64_t id = 0;
  std::string entity_type;  // "registration", "application", "permit", "records"
  std::string entity_id;
  std::string action;
  std::string actor;
  std::string reason;
  int64_t at = 0;
  std::string detail_json;
};

}  // namespace epermit::domain
