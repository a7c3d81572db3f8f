#include "policy/city_policy.hpp"

#include <toml++/toml.h>

#include <algorithm>

#include "domain/division.hpp"
#include "policy/points_policy.hpp"
#include "policy/policy_reader.hpp"
#include "policy/services_policy.hpp"

namespace epermit::policy {
namespace {

Result<SocialInsuranceAlternative> ReadAlternative(const PolicyReader& r, const toml::table& t) {
  EPERMIT_RETURN_IF_ERROR(
      r.OnlyKeys(t,
                 {"label_en", "label_zh", "source", "schemes", "risks", "continuous_months", "window_months",
                  "min_months_in_window", "require_current_month", "exclude_back_payments", "precondition"},
                 "[[eligibility.social_insurance]]"));
  SocialInsuranceAlternative a;
  EPERMIT_ASSIGN_OR_RETURN(a.label_en, r.String(t, "label_en", true));
  EPERMIT_ASSIGN_OR_RETURN(a.label_zh, r.String(t, "label_zh", true));
  EPERMIT_ASSIGN_OR_RETURN(a.source, r.String(t, "source", true));
  EPERMIT_ASSIGN_OR_RETURN(a.schemes, r.EnumList<domain::InsuranceScheme>(t, "schemes", domain::ParseInsuranceScheme));
  EPERMIT_ASSIGN_OR_RETURN(a.risks, r.EnumList<domain::InsuranceRisk>(t, "risks", domain::ParseInsuranceRisk));
  EPERMIT_ASSIGN_OR_RETURN(int64_t cont, r.Int(t, "continuous_months", 0, 0, 600));
  EPERMIT_ASSIGN_OR_RETURN(int64_t window, r.Int(t, "window_months", 0, 0, 600));
  EPERMIT_ASSIGN_OR_RETURN(int64_t min_in, r.Int(t, "min_months_in_window", 0, 0, 600));
  a.continuous_months = static_cast<int>(cont);
  a.window_months = static_cast<int>(window);
  a.min_months_in_window = static_cast<int>(min_in);
  EPERMIT_ASSIGN_OR_RETURN(a.require_current_month, r.Bool(t, "require_current_month", false));
  EPERMIT_ASSIGN_OR_RETURN(a.exclude_back_payments, r.Bool(t, "exclude_back_payments", true));
  if (const toml::node* pre = t.get("precondition")) {
    const toml::array* arr = pre->as_array();
    if (arr == nullptr) return r.Fail(pre, "use [[eligibility.social_insurance.precondition]] tables");
    if (arr->size() > kMaxPreconditions - 3) return r.Fail(pre, "an alternative may have at most 61 preconditions");
    for (const toml::node& item : *arr) {
      const toml::table* pt = item.as_table();
      if (pt == nullptr) return r.Fail(&item, "each precondition must be a table");
      EPERMIT_ASSIGN_OR_RETURN(Precondition p, ParsePrecondition(r, *pt));
      for (std::string_view reserved : {kSiPaidInMonthPreconditionId, kSiContinuousPreconditionId,
                                        kSiWindowPreconditionId, kResidencePreconditionId}) {
        if (p.id == reserved) return r.Fail(pt->get("id"), "precondition id '" + p.id + "' is reserved");
      }
      for (const Precondition& other : a.preconditions) {
        if (other.id == p.id) return r.Fail(pt->get("id"), "precondition id '" + p.id + "' is used twice");
      }
      a.preconditions.push_back(std::move(p));
    }
  }
  if (!a.require_current_month && a.continuous_months == 0 && a.window_months == 0 && a.preconditions.empty()) {
    return r.Fail(&t, "an alternative needs require_current_month, continuous_months, window_months or a precondition");
  }
  if ((a.window_months > 0) != (a.min_months_in_window > 0) || a.min_months_in_window > a.window_months) {
    return r.Fail(&t, "window_months and min_months_in_window go together, min <= window");
  }
  return a;
}

PointsTable EngineTable(std::string title_en, std::string title_zh, std::string source) {
  PointsTable t;
  t.title_en = std::move(title_en);
  t.title_zh = std::move(title_zh);
  t.source = std::move(source);
  t.as_of = AsOf::kDate;  // counted at the application date
  t.age_as_of = AsOf::kDate;
  t.recognition = false;  // only the city's own months; no agreement applies to the permit itself
  return t;
}

Precondition AtLeast(std::string id, std::string title_en, std::string title_zh, std::string source,
                     QuantitySpec quantity, int64_t value) {
  Precondition p;
  p.id = std::move(id);
  p.title_en = std::move(title_en);
  p.title_zh = std::move(title_zh);
  p.source = std::move(source);
  p.quantity = std::move(quantity);
  p.comparison = Comparison::kAtLeast;
  p.value = value;
  return p;
}

PointsTable CompileAlternative(const SocialInsuranceAlternative& a) {
  PointsTable t = EngineTable(a.label_en, a.label_zh, a.source);
  QuantitySpec paid;
  paid.name = "si_months";
  paid.schemes = a.schemes;
  paid.risks = a.risks;  // empty: every risk; any one listed risk paid makes a month
  paid.risk_mode = RiskMode::kAny;
  paid.exclude_back_payments = a.exclude_back_payments;
  if (a.require_current_month) {
    QuantitySpec q = paid;
    q.within_months = 1;
    AddPrecondition(t, AtLeast(kSiPaidInMonthPreconditionId, "Contribution paid in the application month",
                               "申请当月缴费", a.source, q, 1));
  }
  if (a.continuous_months > 0) {
    QuantitySpec q;
    q.name = "si_continuous_months";
    q.schemes = a.schemes;
    q.risks = a.risks;
    q.include_back_payments_in_run = !a.exclude_back_payments;
    q.allow_unpaid_as_of_month = true;
    AddPrecondition(t, AtLeast(kSiContinuousPreconditionId, "Continuous months of contributions", "连续缴费月数",
                               a.source, q, a.continuous_months));
  }
  if (a.window_months > 0) {
    QuantitySpec q = paid;
    q.within_months = a.window_months;
    q.before_as_of_month = true;
    const std::string w = std::to_string(a.window_months);
    AddPrecondition(t, AtLeast(kSiWindowPreconditionId, "Months paid in the previous " + w + " months",
                               "前" + w + "个月内缴费月数", a.source, q, a.min_months_in_window));
  }
  for (const Precondition& p : a.preconditions) AddPrecondition(t, p);
  CompilePlan(t);
  return t;
}

}  // namespace

void CompileEligibility(EligibilityPolicy& e) {
  e.residence = EngineTable("Residence duration", "居住时间", e.residence_source);
  QuantitySpec months;
  months.name = "residence_full_months";
  AddPrecondition(e.residence, AtLeast(kResidencePreconditionId, "Full months of registered residence",
                                       "居住登记满月数", e.residence_source, months, e.min_residence_months));
  CompilePlan(e.residence);
  for (SocialInsuranceAlternative& a : e.social_insurance) a.table = CompileAlternative(a);
}

Result<CityPolicy> ParseCityPolicy(std::string_view toml_text, const std::string& file_name) {
  EPERMIT_ASSIGN_OR_RETURN(toml::table root, ParseTomlFile(toml_text, file_name));
  PolicyReader r(file_name);
  CityPolicy p;
  p.file = file_name;
  EPERMIT_ASSIGN_OR_RETURN(p.city, r.String(root, "city", true));
  if (!domain::DivisionRegistry::Builtin().IsCurrentCity(p.city)) {
    return r.Fail(root.get("city"), "'city' must be a current city-level division code");
  }
  EPERMIT_ASSIGN_OR_RETURN(p.city_name, r.String(root, "city_name", true));
  EPERMIT_ASSIGN_OR_RETURN(p.version, r.String(root, "version", true));
  EPERMIT_ASSIGN_OR_RETURN(p.source, r.String(root, "source", true));
  EPERMIT_ASSIGN_OR_RETURN(auto from, r.DateValue(root, "effective_from", true));
  p.effective_from = *from;
  EPERMIT_ASSIGN_OR_RETURN(p.effective_to, r.DateValue(root, "effective_to", false));
  if (p.effective_to && *p.effective_to <= p.effective_from) {
    return r.Fail(root.get("effective_to"), "effective_to must be after effective_from");
  }

  const toml::table* permit = root["permit"].as_table();
  if (permit == nullptr) return r.Fail(&root, "missing table [permit]");
  EPERMIT_ASSIGN_OR_RETURN(int64_t deadline, r.Int(*permit, "review_deadline_days", 15, 1, 30));
  p.permit.review_deadline_days = static_cast<int>(deadline);
  EPERMIT_ASSIGN_OR_RETURN(int64_t win_m, r.Int(*permit, "endorsement_window_months", 1, 0, 6));
  EPERMIT_ASSIGN_OR_RETURN(int64_t win_d, r.Int(*permit, "endorsement_window_days", 0, 0, 180));
  if (win_d > 0 && permit->contains("endorsement_window_months")) {
    return r.Fail(permit->get("endorsement_window_days"),
                  "give endorsement_window_days or endorsement_window_months, not both");
  }
  if (win_d == 0 && win_m == 0) return r.Fail(permit, "the endorsement window cannot be empty");
  p.permit.endorsement_window = {static_cast<int>(win_m), static_cast<int>(win_d)};
  EPERMIT_ASSIGN_OR_RETURN(int64_t fee, r.Int(*permit, "replacement_fee_fen", 0, 0, 100000));
  p.permit.replacement_fee_fen = static_cast<int>(fee);
  EPERMIT_ASSIGN_OR_RETURN(int64_t cancel, r.Int(*permit, "cancel_after_suspended_days", 0, 0, 36500));
  p.permit.cancel_after_suspended_days = static_cast<int>(cancel);
  EPERMIT_ASSIGN_OR_RETURN(p.permit.issuing_authority,
                           r.String(*permit, "issuing_authority", false, p.permit.issuing_authority));
  EPERMIT_ASSIGN_OR_RETURN(p.permit.source, r.String(*permit, "source", true));

  if (const toml::node* creds_node = root.get("credentials")) {
    const toml::table* creds = creds_node->as_table();
    if (creds == nullptr) return r.Fail(creds_node, "'credentials' must be a table");
    EPERMIT_ASSIGN_OR_RETURN(int64_t ttl, r.Int(*creds, "qr_ttl_hours", 24, 1, 24 * 31));
    EPERMIT_ASSIGN_OR_RETURN(int64_t list_ttl, r.Int(*creds, "status_list_ttl_seconds", 300, 10, 86400));
    EPERMIT_ASSIGN_OR_RETURN(int64_t max_age, r.Int(*creds, "status_list_max_age_seconds", 86400, 60, 7 * 86400));
    p.credentials = {static_cast<int>(ttl), static_cast<int>(list_ttl), static_cast<int>(max_age)};
  }

  const toml::table* elig = root["eligibility"].as_table();
  if (elig == nullptr) return r.Fail(&root, "missing table [eligibility]");
  EPERMIT_RETURN_IF_ERROR(r.OnlyKeys(
      *elig, {"min_residence_months", "source", "minor_age", "social_insurance_exempt_bases", "social_insurance"},
      "[eligibility]"));
  EPERMIT_ASSIGN_OR_RETURN(int64_t months, r.Int(*elig, "min_residence_months", 6, 0, 120));
  p.eligibility.min_residence_months = static_cast<int>(months);
  EPERMIT_ASSIGN_OR_RETURN(p.eligibility.residence_source, r.String(*elig, "source", true));
  EPERMIT_ASSIGN_OR_RETURN(int64_t minor, r.Int(*elig, "minor_age", 16, 0, 18));
  p.eligibility.minor_age = static_cast<int>(minor);
  EPERMIT_ASSIGN_OR_RETURN(
      p.eligibility.social_insurance_exempt_bases,
      r.EnumList<domain::ResidenceBasis>(*elig, "social_insurance_exempt_bases", domain::ParseResidenceBasis));
  if (const toml::node* si = elig->get("social_insurance")) {
    const toml::array* arr = si->as_array();
    if (arr == nullptr) return r.Fail(si, "'social_insurance' must be [[eligibility.social_insurance]] tables");
    for (const toml::node& item : *arr) {
      const toml::table* t = item.as_table();
      if (t == nullptr) return r.Fail(&item, "each social_insurance entry must be a table");
      EPERMIT_ASSIGN_OR_RETURN(auto alt, ReadAlternative(r, *t));
      p.eligibility.social_insurance.push_back(std::move(alt));
    }
  }
  CompileEligibility(p.eligibility);
  if (const toml::node* points_node = root.get("points")) {
    const toml::table* points = points_node->as_table();
    if (points == nullptr) return r.Fail(points_node, "'points' must be a table");
    EPERMIT_ASSIGN_OR_RETURN(PointsTable table, ParsePointsTable(r, *points));
    p.points = std::move(table);
  }
  if (const toml::node* services = root.get("services")) {
    EPERMIT_ASSIGN_OR_RETURN(p.services, ParseServiceCatalogue(r, *services));
  }
  return p;
}

std::string IssuingAuthority(const CityPolicy& policy, const std::string& county_code) {
  const auto& registry = domain::DivisionRegistry::Builtin();
  const domain::Division* county = registry.Find(county_code);
  std::string county_name = county ? county->name : "";
  std::string county_short = county_name;
  // "黄浦区" → "黄浦", "浦东新区" → "浦东": authorities are named 上海市公安局黄浦分局.
  for (std::string_view suffix : {"新区", "区", "县", "市"}) {
    if (county_short.size() > suffix.size() + 3 &&
        county_short.compare(county_short.size() - suffix.size(), suffix.size(), suffix) == 0) {
      county_short.erase(county_short.size() - suffix.size());
      break;
    }
  }
  std::string out = policy.permit.issuing_authority;
  auto replace = [&out](std::string_view key, const std::string& value) {
    for (size_t pos = out.find(key); pos != std::string::npos; pos = out.find(key, pos + value.size())) {
      out.replace(pos, key.size(), value);
    }
  };
  replace("{city_name}", policy.city_name);
  replace("{county_short}", county_short);
  replace("{county}", county_name);
  return out;
}

}  // namespace epermit::policy
