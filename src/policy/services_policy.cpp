#include "policy/services_policy.hpp"

#include <algorithm>

#include "policy/points_policy.hpp"

namespace epermit::policy {
namespace {

bool IsIdentifier(const std::string& s) {
  return !s.empty() && s.size() <= 40 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

Result<std::string> Identifier(const PolicyReader& r, const toml::table& t, const char* what) {
  EPERMIT_ASSIGN_OR_RETURN(std::string id, r.String(t, "id", true));
  if (!IsIdentifier(id)) return r.Fail(t.get("id"), std::string(what) + " id '" + id + "' is not [a-z0-9_]{1,40}");
  return id;
}

// The tables of an array key: [[services.material]], [[services.step]], ... (absent: none).
Result<std::vector<const toml::table*>> Tables(const PolicyReader& r, const toml::table& t, std::string_view key,
                                               const std::string& where) {
  std::vector<const toml::table*> out;
  const toml::node* n = t.get(key);
  if (n == nullptr) return out;
  const toml::array* arr = n->as_array();
  if (arr == nullptr) return r.Fail(n, "use [[" + where + "]] tables");
  for (const toml::node& item : *arr) {
    const toml::table* table = item.as_table();
    if (table == nullptr) return r.Fail(&item, "each entry of " + where + " must be a table");
    out.push_back(table);
  }
  return out;
}

// Reads [[...precondition]] tables into the catalogue's rules; their indices go to `into`.
Status ReadRules(const PolicyReader& r, const toml::table& t, const std::string& where, ServiceCatalogue& c,
                 std::vector<int>& into) {
  EPERMIT_ASSIGN_OR_RETURN(auto tables, Tables(r, t, "precondition", where));
  std::vector<std::string> ids;
  for (const toml::table* pt : tables) {
    EPERMIT_ASSIGN_OR_RETURN(Precondition p, ParsePrecondition(r, *pt));
    if (std::find(ids.begin(), ids.end(), p.id) != ids.end()) {
      return r.Fail(pt->get("id"), "rule id '" + p.id + "' is used twice in " + where);
    }
    if (c.rules.preconditions.size() >= kMaxServiceRules) {
      return r.Fail(pt, "a service catalogue may have at most " + std::to_string(kMaxServiceRules) + " rules");
    }
    ids.push_back(p.id);
    into.push_back(static_cast<int>(c.rules.preconditions.size()));
    AddPrecondition(c.rules, std::move(p));
  }
  return Status::Ok();
}

Result<ServiceDefinition> ReadService(const PolicyReader& r, const toml::table& t, ServiceCatalogue& c) {
  EPERMIT_RETURN_IF_ERROR(r.OnlyKeys(t,
                                     {"id", "name_en", "name_zh", "category", "basis", "description_en",
                                      "description_zh", "note", "workflow", "material", "step", "precondition", "tier"},
                                     "[[services]]"));
  ServiceDefinition d;
  EPERMIT_ASSIGN_OR_RETURN(d.id, Identifier(r, t, "service"));
  EPERMIT_ASSIGN_OR_RETURN(d.name_en, r.String(t, "name_en", true));
  EPERMIT_ASSIGN_OR_RETURN(d.name_zh, r.String(t, "name_zh", true));
  EPERMIT_ASSIGN_OR_RETURN(std::string category, r.String(t, "category", true));
  auto parsed = ParseServiceCategory(category);
  if (!parsed) {
    return r.Fail(t.get("category"),
                  "category is education, housing, employment, social_insurance, health or convenience");
  }
  d.category = *parsed;
  EPERMIT_ASSIGN_OR_RETURN(std::string workflow, r.String(t, "workflow", false, "none"));
  auto flow = ParseServiceWorkflow(workflow);
  if (!flow)
    return r.Fail(t.get("workflow"), "workflow is none, medical_filing, pension_transfer or unemployment_benefit");
  d.workflow = *flow;
  EPERMIT_ASSIGN_OR_RETURN(d.basis, r.String(t, "basis", true));
  EPERMIT_ASSIGN_OR_RETURN(d.description_en, r.String(t, "description_en", true));
  EPERMIT_ASSIGN_OR_RETURN(d.description_zh, r.String(t, "description_zh", true));
  EPERMIT_ASSIGN_OR_RETURN(d.note, r.String(t, "note", false));
  for (const std::string* text : {&d.name_en, &d.name_zh, &d.basis, &d.description_en, &d.description_zh}) {
    if (text->empty()) return r.Fail(&t, "service '" + d.id + "': names, basis and descriptions cannot be empty");
  }

  EPERMIT_ASSIGN_OR_RETURN(auto materials, Tables(r, t, "material", "services.material"));
  for (const toml::table* m : materials) {
    EPERMIT_RETURN_IF_ERROR(r.OnlyKeys(*m, {"code", "en", "zh"}, "[[services.material]]"));
    ServiceMaterial item;
    EPERMIT_ASSIGN_OR_RETURN(item.code, r.String(*m, "code", true));
    EPERMIT_ASSIGN_OR_RETURN(item.en, r.String(*m, "en", true));
    EPERMIT_ASSIGN_OR_RETURN(item.zh, r.String(*m, "zh", true));
    if (!IsIdentifier(item.code))
      return r.Fail(m->get("code"), "material code '" + item.code + "' is not [a-z0-9_]{1,40}");
    for (const ServiceMaterial& other : d.materials) {
      if (other.code == item.code) return r.Fail(m->get("code"), "material '" + item.code + "' is listed twice");
    }
    d.materials.push_back(std::move(item));
  }
  EPERMIT_ASSIGN_OR_RETURN(auto steps, Tables(r, t, "step", "services.step"));
  if (steps.empty()) return r.Fail(&t, "service '" + d.id + "' needs at least one [[services.step]]");
  for (const toml::table* s : steps) {
    EPERMIT_RETURN_IF_ERROR(r.OnlyKeys(*s, {"id", "en", "zh", "deadline_days"}, "[[services.step]]"));
    ServiceStep step;
    EPERMIT_ASSIGN_OR_RETURN(step.id, Identifier(r, *s, "step"));
    EPERMIT_ASSIGN_OR_RETURN(step.en, r.String(*s, "en", true));
    EPERMIT_ASSIGN_OR_RETURN(step.zh, r.String(*s, "zh", true));
    if (!s->contains("deadline_days")) return r.Fail(s, "step '" + step.id + "' needs deadline_days");
    EPERMIT_ASSIGN_OR_RETURN(int64_t days, r.Int(*s, "deadline_days", 0, 1, 365));
    step.deadline_days = static_cast<int>(days);
    for (const ServiceStep& other : d.steps) {
      if (other.id == step.id) return r.Fail(s->get("id"), "step '" + step.id + "' is listed twice");
    }
    d.steps.push_back(std::move(step));
  }

  EPERMIT_RETURN_IF_ERROR(ReadRules(r, t, "services.precondition", c, d.rules));
  EPERMIT_ASSIGN_OR_RETURN(auto tiers, Tables(r, t, "tier", "services.tier"));
  for (const toml::table* tt : tiers) {
    EPERMIT_RETURN_IF_ERROR(
        r.OnlyKeys(*tt, {"id", "label_en", "label_zh", "source", "precondition"}, "[[services.tier]]"));
    ServiceTier tier;
    EPERMIT_ASSIGN_OR_RETURN(tier.id, Identifier(r, *tt, "tier"));
    EPERMIT_ASSIGN_OR_RETURN(tier.label_en, r.String(*tt, "label_en", true));
    EPERMIT_ASSIGN_OR_RETURN(tier.label_zh, r.String(*tt, "label_zh", true));
    EPERMIT_ASSIGN_OR_RETURN(tier.source, r.String(*tt, "source", true));
    for (const ServiceTier& other : d.tiers) {
      if (other.id == tier.id) return r.Fail(tt->get("id"), "tier '" + tier.id + "' is listed twice");
    }
    EPERMIT_RETURN_IF_ERROR(ReadRules(r, *tt, "services.tier.precondition", c, tier.rules));
    if (tier.rules.empty()) return r.Fail(tt, "tier '" + tier.id + "' needs at least one precondition");
    d.tiers.push_back(std::move(tier));
  }
  if (d.rules.empty() && d.tiers.empty()) {
    return r.Fail(&t, "service '" + d.id + "' needs a [[services.precondition]] or a [[services.tier]]");
  }
  return d;
}

}  // namespace

Result<ServiceCatalogue> ParseServiceCatalogue(const PolicyReader& r, const toml::node& services) {
  const toml::array* arr = services.as_array();
  if (arr == nullptr) return r.Fail(&services, "'services' must be [[services]] tables");
  ServiceCatalogue c;
  c.rules.title_en = "Service catalogue";
  c.rules.title_zh = "服务目录";
  c.rules.as_of = AsOf::kDate;
  c.rules.age_as_of = AsOf::kDate;
  c.rules.recognition = false;
  for (const toml::node& item : *arr) {
    const toml::table* t = item.as_table();
    if (t == nullptr) return r.Fail(&item, "each services entry must be a table");
    EPERMIT_ASSIGN_OR_RETURN(ServiceDefinition d, ReadService(r, *t, c));
    for (const ServiceDefinition& other : c.services) {
      if (other.id == d.id) return r.Fail(t->get("id"), "service id '" + d.id + "' is used twice");
    }
    c.services.push_back(std::move(d));
  }
  CompilePlan(c.rules);
  return c;
}

}  // namespace epermit::policy
