#include "domain/model.hpp"

#include <array>
#include <utility>

#include "common/enum_names.hpp"

namespace epermit::domain {
namespace {

constexpr std::array<const char*, 4> kBasisNames{"employment", "own_home", "rented_home", "study"};
constexpr std::array<const char*, 13> kRecordKindNames{
    "person",     "hukou",     "social_insurance", "employment", "housing",   "enrollment", "housing_fund",
    "income_tax", "education", "qualification",    "honour",     "violation", "family"};
constexpr std::array<const char*, 3> kSchemeNames{"employee", "flexible", "resident"};
constexpr std::array<const char*, 5> kRiskNames{"pension", "medical", "unemployment", "work_injury", "maternity"};
constexpr std::array<const char*, 3> kTenureNames{"own", "rented", "dormitory"};
constexpr std::array<const char*, 2> kPostTypeNames{"worker", "cadre"};
constexpr std::array<const char*, 5> kEducationLevelNames{"high_school", "junior_college", "bachelor", "master",
                                                          "doctor"};
constexpr std::array<const char*, 2> kQualificationKindNames{"skill", "title"};
constexpr std::array<const char*, 5> kViolationKindNames{"detention", "tax_violation", "false_material", "crime",
                                                         "serious_crime"};
constexpr std::array<const char*, 2> kFamilyRelationNames{"spouse", "child"};
constexpr std::array<const char*, 3> kApplicationStatusNames{"approved", "rejected", "pending_review"};
constexpr std::array<const char*, 5> kPermitStateNames{"active", "suspended", "revoked", "replaced", "cancelled"};
constexpr std::array<const char*, 2> kSexNames{"male", "female"};

}  // namespace

const char* ToString(ResidenceBasis b) { return NameOf(kBasisNames, b); }
std::optional<ResidenceBasis> ParseResidenceBasis(std::string_view s) { return Lookup<ResidenceBasis>(kBasisNames, s); }
const char* ToString(RecordKind k) { return NameOf(kRecordKindNames, k); }
std::optional<RecordKind> ParseRecordKind(std::string_view s) { return Lookup<RecordKind>(kRecordKindNames, s); }
const char* ToString(InsuranceScheme s) { return NameOf(kSchemeNames, s); }
std::optional<InsuranceScheme> ParseInsuranceScheme(std::string_view s) {
  return Lookup<InsuranceScheme>(kSchemeNames, s);
}
const char* ToString(InsuranceRisk r) { return NameOf(kRiskNames, r); }
std::optional<InsuranceRisk> ParseInsuranceRisk(std::string_view s) { return Lookup<InsuranceRisk>(kRiskNames, s); }
const char* ToString(Tenure t) { return NameOf(kTenureNames, t); }
std::optional<Tenure> ParseTenure(std::string_view s) { return Lookup<Tenure>(kTenureNames, s); }
const char* ToString(PostType p) { return NameOf(kPostTypeNames, p); }
std::optional<PostType> ParsePostType(std::string_view s) { return Lookup<PostType>(kPostTypeNames, s); }
const char* ToString(EducationLevel e) { return NameOf(kEducationLevelNames, e); }
std::optional<EducationLevel> ParseEducationLevel(std::string_view s) {
  return Lookup<EducationLevel>(kEducationLevelNames, s);
}
const char* ToString(QualificationKind k) { return NameOf(kQualificationKindNames, k); }
std::optional<QualificationKind> ParseQualificationKind(std::string_view s) {
  return Lookup<QualificationKind>(kQualificationKindNames, s);
}
const char* ToString(ViolationKind k) { return NameOf(kViolationKindNames, k); }
std::optional<ViolationKind> ParseViolationKind(std::string_view s) {
  return Lookup<ViolationKind>(kViolationKindNames, s);
}
const char* ToString(FamilyRelation r) { return NameOf(kFamilyRelationNames, r); }
std::optional<FamilyRelation> ParseFamilyRelation(std::string_view s) {
  return Lookup<FamilyRelation>(kFamilyRelationNames, s);
}
const char* ToString(ApplicationStatus s) { return NameOf(kApplicationStatusNames, s); }
std::optional<ApplicationStatus> ParseApplicationStatus(std::string_view s) {
  return Lookup<ApplicationStatus>(kApplicationStatusNames, s);
}
const char* ToString(PermitState s) { return NameOf(kPermitStateNames, s); }
std::optional<PermitState> ParsePermitState(std::string_view s) { return Lookup<PermitState>(kPermitStateNames, s); }
const char* ToString(Sex s) { return NameOf(kSexNames, s); }

CredentialStatus StatusFor(PermitState s) {
  switch (s) {
    case PermitState::kActive:
      return CredentialStatus::kValid;
    case PermitState::kSuspended:
      return CredentialStatus::kSuspended;
    case PermitState::kReplaced:
      return CredentialStatus::kSuperseded;
    case PermitState::kRevoked:
    case PermitState::kCancelled:
      return CredentialStatus::kInvalid;
  }
  return CredentialStatus::kInvalid;
}

}  // namespace epermit::domain
