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

enum class RecordKind { kPerson, kHukou, kSocialInsurance, kEmployment, kHousing, kEnrollment };
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
};
struct EmploymentRecord {
  RecordHeader h;
  std::string city;
  std::string employer_uscc;
  std::string employer_name;
  Date from{};
  std::optional<Date> to;  // open-ended when absent
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

// Everything the departments hold about one person.
struct RecordBundle {
  std::vector<PersonRecord> persons;
  std::vector<HukouRecord> hukou;
  std::vector<SocialInsuranceRecord> social_insurance;
  std::vector<EmploymentRecord> employment;
  std::vector<HousingRecord> housing;
  std::vector<EnrollmentRecord> enrollment;
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
