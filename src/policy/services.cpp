#include "policy/services.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "common/enum_names.hpp"
#include "policy/points_report.hpp"

namespace epermit::policy {
namespace {

// Wire names in enum order (common/enum_names.hpp).
constexpr std::array<const char*, 6> kCategoryNames{"education",        "housing", "employment",
                                                    "social_insurance", "health",  "convenience"};
constexpr std::array<const char*, 4> kWorkflowNames{"none", "medical_filing", "pension_transfer",
                                                    "unemployment_benefit"};

bool AllHold(const PointsTable& rules, const std::vector<int>& which, const int64_t* slots) {
  for (int i : which) {
    const Precondition& pre = rules.preconditions[static_cast<size_t>(i)];
    if (!Holds(pre, slots[pre.slot])) return false;
  }
  return true;
}

std::vector<PreconditionLine> LinesOf(const std::vector<PreconditionLine>& all, const std::vector<int>& which,
                                      bool* met) {
  std::vector<PreconditionLine> out;
  *met = true;
  for (int i : which) {
    out.push_back(all[static_cast<size_t>(i)]);
    if (!out.back().met) *met = false;
  }
  return out;
}

std::string RuleWords(const PreconditionLine& l, bool zh) {
  const std::string value = std::to_string(l.quantity.value);
  return zh ? l.title_zh + "：" + value + "（需 " + l.requirement + "）"
            : l.title_en + ": " + value + " (needs " + l.requirement + ")";
}

std::string Joined(const std::vector<PreconditionLine>& lines, bool zh) {
  std::string out;
  for (const PreconditionLine& l : lines) out += (out.empty() ? "" : zh ? "；" : "; ") + RuleWords(l, zh);
  return out;
}

// Why, in one sentence per language: the tier and the rules that made it, or what is missing.
std::pair<std::string, std::string> Because(const ServiceResult& r) {
  if (r.qualifies) {
    std::vector<PreconditionLine> held = r.rules;
    std::string en = "Qualifies", zh = "符合条件";
    if (r.tier != nullptr) {
      for (const TierResult& t : r.tiers) {
        if (t.tier == r.tier) held.insert(held.end(), t.rules.begin(), t.rules.end());
      }
      en += " at tier '" + r.tier->id + "' (" + r.tier->label_en + ")";
      zh += "，适用“" + r.tier->label_zh + "”档次";
    }
    if (!held.empty()) {
      en += ": " + Joined(held, false);
      zh += "：" + Joined(held, true);
    }
    return {en + ".", zh + "。"};
  }
  const std::vector<PreconditionLine> unmet = UnmetRules(r);
  return {"Does not qualify; unmet: " + Joined(unmet, false) + ".",
          "不符合条件；未满足：" + Joined(unmet, true) + "。"};
}

nlohmann::json LinesJson(const std::vector<PreconditionLine>& lines) {
  nlohmann::json out = nlohmann::json::array();
  for (const PreconditionLine& l : lines) out.push_back(PreconditionLineToJson(l));
  return out;
}

}  // namespace

const char* ToString(ServiceCategory c) { return NameOf(kCategoryNames, c); }
std::optional<ServiceCategory> ParseServiceCategory(std::string_view s) {
  return Lookup<ServiceCategory>(kCategoryNames, s);
}
const char* ToString(ServiceWorkflow w) { return NameOf(kWorkflowNames, w); }
std::optional<ServiceWorkflow> ParseServiceWorkflow(std::string_view s) {
  return Lookup<ServiceWorkflow>(kWorkflowNames, s);
}

void EvaluateServices(const ServiceCatalogue& catalogue, const int64_t* slots, ServiceStanding* out) {
  for (size_t s = 0; s < catalogue.services.size(); ++s) {
    const ServiceDefinition& def = catalogue.services[s];
    ServiceStanding standing;
    if (AllHold(catalogue.rules, def.rules, slots)) {
      if (def.tiers.empty()) {
        standing.qualifies = true;
      } else {
        for (size_t t = 0; t < def.tiers.size() && !standing.qualifies; ++t) {
          if (AllHold(catalogue.rules, def.tiers[t].rules, slots)) {
            standing.qualifies = true;
            standing.tier = static_cast<int>(t);
          }
        }
      }
    }
    out[s] = standing;
  }
}

std::vector<ServiceResult> ExplainServices(const ServiceCatalogue& catalogue, const Ledger& ledger,
                                           const std::string& city, Date date) {
  const Explanation e = Explain(catalogue.rules, ledger, ContextFor(catalogue.rules, city, date, nullptr), date);
  std::vector<ServiceResult> out;
  out.reserve(catalogue.services.size());
  for (const ServiceDefinition& def : catalogue.services) {
    ServiceResult r;
    r.service = &def;
    bool own_met = true;
    r.rules = LinesOf(e.preconditions, def.rules, &own_met);
    for (const ServiceTier& tier : def.tiers) {
      TierResult t;
      t.tier = &tier;
      t.rules = LinesOf(e.preconditions, tier.rules, &t.met);
      if (own_met && t.met && r.tier == nullptr) r.tier = &tier;
      r.tiers.push_back(std::move(t));
    }
    r.qualifies = own_met && (def.tiers.empty() || r.tier != nullptr);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<PreconditionLine> UnmetRules(const ServiceResult& r) {
  std::vector<PreconditionLine> unmet;
  if (r.qualifies) return unmet;
  for (const PreconditionLine& l : r.rules) {
    if (!l.met) unmet.push_back(l);
  }
  const bool a_tier_holds = std::any_of(r.tiers.begin(), r.tiers.end(), [](const TierResult& t) { return t.met; });
  if (!a_tier_holds) {
    for (const TierResult& t : r.tiers) {
      for (const PreconditionLine& l : t.rules) {
        if (l.met) continue;
        unmet.push_back(l);
        unmet.back().id = t.tier->id + "/" + l.id;
      }
    }
  }
  return unmet;
}

nlohmann::json ServiceResultToJson(const ServiceResult& r) {
  const ServiceDefinition& d = *r.service;
  const auto [because_en, because_zh] = Because(r);
  nlohmann::json tiers = nlohmann::json::array();
  for (const TierResult& t : r.tiers) {
    tiers.push_back({{"id", t.tier->id},
                     {"label_en", t.tier->label_en},
                     {"label_zh", t.tier->label_zh},
                     {"source", t.tier->source},
                     {"met", t.met},
                     {"applies", t.tier == r.tier},
                     {"rules", LinesJson(t.rules)}});
  }
  nlohmann::json materials = nlohmann::json::array();
  for (const ServiceMaterial& m : d.materials) materials.push_back({{"code", m.code}, {"en", m.en}, {"zh", m.zh}});
  nlohmann::json steps = nlohmann::json::array();
  for (const ServiceStep& s : d.steps) {
    steps.push_back({{"id", s.id}, {"en", s.en}, {"zh", s.zh}, {"deadline_days", s.deadline_days}});
  }
  nlohmann::json tier = nullptr;
  if (r.tier != nullptr) tier = {{"id", r.tier->id}, {"label_en", r.tier->label_en}, {"label_zh", r.tier->label_zh}};
  nlohmann::json j = {{"id", d.id},
                      {"name_en", d.name_en},
                      {"name_zh", d.name_zh},
                      {"category", ToString(d.category)},
                      {"workflow", ToString(d.workflow)},
                      {"basis", d.basis},
                      {"description_en", d.description_en},
                      {"description_zh", d.description_zh},
                      {"status", r.qualifies ? "qualifies" : "does_not_qualify"},
                      {"tier", std::move(tier)},
                      {"explanation_en", because_en},
                      {"explanation_zh", because_zh},
                      {"rules", LinesJson(r.rules)},
                      {"tiers", std::move(tiers)},
                      {"unmet", LinesJson(UnmetRules(r))},
                      {"materials", std::move(materials)},
                      {"steps", std::move(steps)}};
  if (!d.note.empty()) j["note"] = d.note;
  return j;
}

}  // namespace epermit::policy
