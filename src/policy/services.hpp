// A city's service catalogue (一证通办), as policy data: the public services and conveniences
// a residence permit opens (条例 第十二、十三条), each with its legal basis, the rules a person
// must meet, service tiers by insurance scheme or contribution band, the materials the
// platform cannot fetch itself and the steps with their deadlines. A `[[services]]` entry of
// the city's policy file (docs/POLICIES.md), versioned with it.
//
// Every rule is an engine precondition over a ledger quantity (points.hpp), so a service is
// explained exactly like permit eligibility and points. All the rules of a catalogue are kept
// in one PointsTable, their quantities counted once per person: recomputing every service
// for a population is one CountSlots and a comparison per rule.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/date.hpp"
#include "common/result.hpp"
#include "policy/points.hpp"

namespace epermit::policy {

enum class ServiceCategory { kEducation, kHousing, kEmployment, kSocialInsurance, kHealth, kConvenience };
const char* ToString(ServiceCategory c);
std::optional<ServiceCategory> ParseServiceCategory(std::string_view s);

// A service whose outcome is worked out from the ledger beyond qualifying
// (policy/social_insurance_services.hpp): the filing, the pension place, the benefit.
enum class ServiceWorkflow { kNone, kMedicalFiling, kPensionTransfer, kUnemploymentBenefit };
const char* ToString(ServiceWorkflow w);
std::optional<ServiceWorkflow> ParseServiceWorkflow(std::string_view s);

// Something the person must bring: what the platform cannot fetch from a department.
struct ServiceMaterial {
  std::string code;
  std::string en;
  std::string zh;
};

// One step of the service's procedure and how long the office has for it.
struct ServiceStep {
  std::string id;
  std::string en;
  std::string zh;
  int deadline_days = 0;  // working days are not modelled: calendar days, as the notices state them
};

// A service level. The first tier (in file order) whose rules all hold applies.
struct ServiceTier {
  std::string id;
  std::string label_en;
  std::string label_zh;
  std::string source;
  std::vector<int> rules;  // indices into ServiceCatalogue::rules.preconditions
};

struct ServiceDefinition {
  std::string id;  // [a-z0-9_]{1,40}, unique in the catalogue
  std::string name_en;
  std::string name_zh;
  ServiceCategory category = ServiceCategory::kConvenience;
  ServiceWorkflow workflow = ServiceWorkflow::kNone;
  std::string basis;  // the legal basis, e.g. "《居住证暂行条例》第十二条"
  std::string description_en;
  std::string description_zh;
  std::string note;  // an uncertainty and the choice made (RULES.md confidence C)
  std::vector<ServiceMaterial> materials;
  std::vector<ServiceStep> steps;
  std::vector<int> rules;          // every one must hold; indices into ServiceCatalogue::rules.preconditions
  std::vector<ServiceTier> tiers;  // none: one level of service
};

struct ServiceCatalogue {
  std::vector<ServiceDefinition> services;
  // Every rule of every service and tier, counted over shared slots (AddPrecondition), in
  // the as-of date's terms (AsOf::kDate) and with the city's own months only.
  PointsTable rules;
};

// At most this many rules in one catalogue, so one person's counts stay small.
inline constexpr size_t kMaxServiceRules = 512;

// ---- evaluation ----

// One service for one person, from counted slots: qualifies, and the tier that applies.
struct ServiceStanding {
  bool qualifies = false;
  int tier = -1;  // index into the service's tiers; -1 when it has none or the person does not qualify
};

// Every service of `catalogue` from one person's counted rule slots (CountSlots of
// catalogue.rules): out[i] for services[i]. The fast path a population recompute runs.
void EvaluateServices(const ServiceCatalogue& catalogue, const int64_t* slots, ServiceStanding* out);

struct TierResult {
  const ServiceTier* tier = nullptr;
  bool met = false;
  std::vector<PreconditionLine> rules;
};

struct ServiceResult {
  const ServiceDefinition* service = nullptr;
  bool qualifies = false;
  const ServiceTier* tier = nullptr;  // the tier that applies
  std::vector<PreconditionLine> rules;
  std::vector<TierResult> tiers;  // every tier, in order
};

// Every service explained for one person in `city` on `date`: each rule's quantity, value,
// facts and requirement, each tier's. Agrees with EvaluateServices (tests check both).
std::vector<ServiceResult> ExplainServices(const ServiceCatalogue& catalogue, const Ledger& ledger,
                                           const std::string& city, Date date);

// The rules a person misses: the service's own, and when no tier's rules hold, every tier's
// (each line's id prefixed with "<tier>/"). Empty when they qualify.
std::vector<PreconditionLine> UnmetRules(const ServiceResult& result);

// One service's answer: names, category, basis, status ("qualifies" / "does_not_qualify"),
// the tier, a sentence in English and Chinese saying why, every rule and tier, the unmet rules,
// materials and steps.
nlohmann::json ServiceResultToJson(const ServiceResult& result);

}  // namespace epermit::policy
