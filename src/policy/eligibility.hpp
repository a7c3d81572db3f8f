// Automatic review of a permit application (申领) against a city's published conditions.
// Every rule reports passed / failed / not-decidable with its reasons, the department
// records it used, and what is missing, so the applicant is told everything at once
// (条例 第九条 一次性告知).
//
// The data-driven rules (residence duration, the social-insurance alternatives) run on the
// points engine: the policy's compiled tables (city_policy.hpp) are explained over the
// applicant's ledger, and the rule's records, detail and `engine` lines come from that
// explanation. Identity, hukou, stable basis and guardian are document and identity checks,
// not ledger quantities, and are decided here directly.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "policy/city_policy.hpp"
#include "policy/points.hpp"

namespace epermit::policy {

enum class RuleStatus { kPassed, kFailed, kNotDecidable };
const char* ToString(RuleStatus s);

// Something the applicant (or a department) must still supply.
struct MissingItem {
  std::string code;
  std::string en;
  std::string zh;
};

// One engine table evaluated for a rule: it holds when every precondition holds.
struct EngineAlternative {
  std::string label_en;
  std::string label_zh;
  std::string source;
  bool met = false;
  std::vector<PreconditionLine> preconditions;  // as Explain wrote them
};

// What the engine evaluated for a rule, which holds when any one alternative holds (one for
// residence; the social-insurance alternatives in policy order, up to the first that holds).
struct EngineExplanation {
  Date as_of{};
  std::vector<EngineAlternative> alternatives;
};

struct RuleResult {
  std::string id;
  std::string title_en;
  std::string title_zh;
  RuleStatus status = RuleStatus::kNotDecidable;
  std::string detail_en;
  std::string detail_zh;
  std::string source;                     // the clause that makes this a rule
  std::vector<std::string> records_used;  // "social_insurance#42"; engine rules: the facts' refs
  std::vector<MissingItem> missing;
  std::optional<EngineExplanation> engine;  // engine-backed rules, when a table was evaluated
};

enum class Outcome { kApproved, kRejected, kNeedsReview };
const char* ToString(Outcome o);

struct Decision {
  Outcome outcome = Outcome::kNeedsReview;
  std::string city;
  std::string policy_version;
  Date decided_on{};
  std::vector<RuleResult> rules;
  std::vector<MissingItem> missing;  // every rule's missing items, in rule order
};

struct EligibilityInput {
  std::string citizen_id;
  Date birth_date{};
  std::string declared_name;
  const domain::Registration* registration = nullptr;
  const domain::RecordBundle* records = nullptr;
  std::optional<domain::Guardian> guardian;
  Date today{};
};

// Any failed rule rejects; otherwise any not-decidable rule sends the case to a
// reviewer; otherwise it is approved at once (即时办结).
Decision EvaluateEligibility(const CityPolicy& policy, const EligibilityInput& in);

nlohmann::json DecisionToJson(const Decision& d);

}  // namespace epermit::policy
