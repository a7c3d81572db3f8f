#include "policy/eligibility.hpp"

#include <algorithm>

#include "domain/citizen_id.hpp"
#include "domain/division.hpp"
#include "policy/ledger.hpp"
#include "policy/points_report.hpp"

namespace epermit::policy {
namespace {

using domain::ResidenceBasis;

std::string Ref(const char* kind, int64_t id) { return std::string(kind) + "#" + std::to_string(id); }

bool Covers(Date from, const std::optional<Date>& to, Date day) { return from <= day && (!to || day <= *to); }

template <typename T>
bool Contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

RuleResult Rule(std::string id, std::string en, std::string zh, std::string source) {
  RuleResult r;
  r.id = std::move(id);
  r.title_en = std::move(en);
  r.title_zh = std::move(zh);
  r.source = std::move(source);
  return r;
}

void Set(RuleResult& r, RuleStatus s, std::string en, std::string zh) {
  r.status = s;
  r.detail_en = std::move(en);
  r.detail_zh = std::move(zh);
}

RuleResult IdentityRule(const EligibilityInput& in) {
  RuleResult r = Rule("identity", "Identity matches the household register", "身份信息与户籍登记一致",
                      "条例 第九条 第一款 (居民身份证)");
  if (in.records->persons.empty()) {
    Set(r, RuleStatus::kNotDecidable, "No household-register record of this ID number was found.",
        "未查到该身份号码的户籍登记信息。");
    r.missing.push_back(
        {"identity_card", "Resident identity card (居民身份证) to be checked in person", "居民身份证（需现场核验）"});
    return r;
  }
  const domain::PersonRecord& p = in.records->persons.back();
  r.records_used.push_back(Ref("person", p.h.id));
  if (p.name != in.declared_name) {
    Set(r, RuleStatus::kFailed, "The name given differs from the name in the household register.",
        "填写的姓名与户籍登记的姓名不一致。");
    r.missing.push_back({"name_mismatch", "Correct the name to match the identity card", "请按居民身份证填写姓名"});
    return r;
  }
  Set(r, RuleStatus::kPassed, "Name and ID number match the household register.", "姓名、身份号码与户籍登记一致。");
  return r;
}

RuleResult HukouRule(const CityPolicy& policy, const EligibilityInput& in) {
  RuleResult r = Rule("away_from_hukou", "Hukou is registered in another city", "离开常住户口所在地", "条例 第二条");
  if (in.records->hukou.empty()) {
    Set(r, RuleStatus::kNotDecidable, "No hukou record was found.", "未查到常住户口登记信息。");
    r.missing.push_back({"hukou_booklet", "Household register booklet (户口簿)", "户口簿"});
    return r;
  }
  const domain::HukouRecord& h = in.records->hukou.back();
  r.records_used.push_back(Ref("hukou", h.h.id));
  const std::string hukou_city = domain::DivisionRegistry::Builtin().CityOf(h.division_code);
  if (hukou_city == policy.city) {
    Set(r, RuleStatus::kFailed,
        "The hukou is in " + policy.city_name +
            "; a residence permit is for people living away from "
            "their hukou place.",
        "常住户口在" + policy.city_name + "，居住证只向离开常住户口所在地的人员签发。");
    return r;
  }
  Set(r, RuleStatus::kPassed, "Hukou is registered outside " + policy.city_name + ".",
      "常住户口不在" + policy.city_name + "。");
  return r;
}

// The engine's explanation of one compiled table for the applicant, at the application date.
EngineAlternative RunTable(const PointsTable& table, const Ledger& ledger, const std::string& city, Date today) {
  Explanation e = Explain(table, ledger, ContextFor(table, city, today, nullptr), today);
  return {table.title_en, table.title_zh, table.source, e.eligible, std::move(e.preconditions)};
}

// records_used from the facts the engine used, each once, in the order it named them.
void AddRecordsUsed(RuleResult& r, const EngineAlternative& a) {
  for (const PreconditionLine& line : a.preconditions) {
    for (const UsedFact& f : line.quantity.facts) {
      if (!Contains(r.records_used, f.ref)) r.records_used.push_back(f.ref);
    }
  }
}

// "Continuous months of contributions: 3 (needs ≥ 12)", from one explained line; the
// application-month check reads "no contribution in 2026-11".
void LineWords(const PreconditionLine& line, Date today, std::string* en, std::string* zh) {
  const std::string value = std::to_string(line.quantity.value);
  if (line.id == kSiPaidInMonthPreconditionId && !line.met) {
    *en = "no contribution in " + FormatIsoMonth(MonthOf(today)) + " (" + value + ", needs " + line.requirement + ")";
    *zh = FormatIsoMonth(MonthOf(today)) + " 无缴费（" + value + "，需 " + line.requirement + "）";
    return;
  }
  *en = line.title_en + ": " + value + " (needs " + line.requirement + ")";
  *zh = line.title_zh + "：" + value + "（需 " + line.requirement + "）";
}

RuleResult ResidenceRule(const CityPolicy& policy, const EligibilityInput& in, const Ledger& ledger) {
  const int need = policy.eligibility.min_residence_months;
  RuleResult r = Rule("residence_duration", "Resident for at least " + std::to_string(need) + " months",
                      "居住满" + std::to_string(need) + "个月", policy.eligibility.residence_source);
  EngineAlternative alt = RunTable(policy.eligibility.residence, ledger, policy.city, in.today);
  AddRecordsUsed(r, alt);
  int months = 0;
  std::string requirement = "≥ " + std::to_string(need);
  for (const PreconditionLine& line : alt.preconditions) {
    if (line.id != kResidencePreconditionId) continue;
    months = static_cast<int>(line.quantity.value);
    requirement = line.requirement;
  }
  const bool met = alt.met;
  r.engine = EngineExplanation{in.today, {std::move(alt)}};
  // The ledger holds only this registration, so the run the engine counted starts on its date.
  const Date since = in.registration->registered_on;
  if (met) {
    Set(r, RuleStatus::kPassed,
        "Registered since " + FormatIsoDate(since) + ": " + std::to_string(months) + " full months (needs " +
            requirement + ").",
        "自 " + FormatIsoDate(since) + " 起居住登记，已满 " + std::to_string(months) + " 个月（需 " + requirement +
            "）。");
    return r;
  }
  const Date eligible = AddMonths(since, need);
  Set(r, RuleStatus::kFailed,
      "Registered since " + FormatIsoDate(since) + ": " + std::to_string(months) + " of " + std::to_string(need) +
          " months (needs " + requirement + "). You may apply from " + FormatIsoDate(eligible) + ".",
      "自 " + FormatIsoDate(since) + " 起居住登记，已满 " + std::to_string(months) + " 个月，需满 " +
          std::to_string(need) + " 个月，可于 " + FormatIsoDate(eligible) + " 起申领。");
  r.missing.push_back({"residence_months", "Residence of " + std::to_string(need - months) + " more month(s)",
                       "还需居住 " + std::to_string(need - months) + " 个月"});
  return r;
}

// Which of the three bases of 第二条 department records confirm today.
RuleResult BasisRule(const CityPolicy& policy, const EligibilityInput& in, std::vector<ResidenceBasis>* confirmed) {
  RuleResult r = Rule("stable_basis", "Lawful stable employment, lawful stable residence, or continuous study",
                      "合法稳定就业、合法稳定住所、连续就读之一", "条例 第二条、第九条 第二款");
  std::vector<std::string> found_en, found_zh;
  for (const auto& e : in.records->employment) {
    if (e.city == policy.city && Covers(e.from, e.to, in.today)) {
      r.records_used.push_back(Ref("employment", e.h.id));
      if (!Contains(*confirmed, ResidenceBasis::kEmployment)) {
        confirmed->push_back(ResidenceBasis::kEmployment);
        found_en.push_back("employment");
        found_zh.push_back("就业");
      }
    }
  }
  for (const auto& h : in.records->housing) {
    if (h.city == policy.city && Covers(h.from, h.to, in.today)) {
      r.records_used.push_back(Ref("housing", h.h.id));
      auto basis = h.tenure == domain::Tenure::kOwn ? ResidenceBasis::kOwnHome : ResidenceBasis::kRentedHome;
      if (!Contains(*confirmed, basis)) {
        confirmed->push_back(basis);
        found_en.push_back(h.tenure == domain::Tenure::kOwn ? "own home" : "registered rental or dormitory");
        found_zh.push_back(h.tenure == domain::Tenure::kOwn ? "自有住房" : "租赁登记或单位宿舍");
      }
    }
  }
  for (const auto& s : in.records->enrollment) {
    if (s.city == policy.city && Covers(s.from, s.to, in.today)) {
      r.records_used.push_back(Ref("enrollment", s.h.id));
      if (!Contains(*confirmed, ResidenceBasis::kStudy)) {
        confirmed->push_back(ResidenceBasis::kStudy);
        found_en.push_back("school enrollment");
        found_zh.push_back("在读");
      }
    }
  }
  if (!confirmed->empty()) {
    std::string en, zh;
    for (size_t i = 0; i < found_en.size(); ++i) {
      en += (i ? ", " : "") + found_en[i];
      zh += (i ? "、" : "") + found_zh[i];
    }
    Set(r, RuleStatus::kPassed, "Confirmed by department records: " + en + ".", "部门数据已核实：" + zh + "。");
    return r;
  }
  Set(r, RuleStatus::kNotDecidable,
      "No department record confirms employment, housing or study in " + policy.city_name + " today.",
      "部门数据未能核实在" + policy.city_name + "的就业、住所或就读情况。");
  switch (in.registration->basis) {
    case ResidenceBasis::kEmployment:
      r.missing.push_back({"employment_proof",
                           "Proof of employment: labour contract, business licence or employer's letter",
                           "就业证明：劳动合同、营业执照或用人单位出具的劳动关系证明"});
      break;
    case ResidenceBasis::kOwnHome:
      r.missing.push_back({"property_proof", "Proof of residence: property certificate or purchase contract",
                           "住址证明：房屋产权证明或购房合同"});
      break;
    case ResidenceBasis::kRentedHome:
      r.missing.push_back({"rental_proof", "Proof of residence: registered rental contract or landlord's certificate",
                           "住址证明：房屋租赁合同或出租人出具的住宿证明"});
      break;
    case ResidenceBasis::kStudy:
      r.missing.push_back({"study_proof", "Proof of study: student card or school's certificate",
                           "就读证明：学生证或学校出具的在读证明"});
      break;
  }
  return r;
}

// How far one unmet precondition is from holding: the months still needed for an at_least
// over months, otherwise one.
int64_t Shortfall(const Precondition& pre, const PreconditionLine& line) {
  if (line.met) return 0;
  const QuantityInfo* info = FindQuantity(pre.quantity.name);
  if (pre.comparison == Comparison::kAtLeast && info != nullptr && info->unit == QuantityUnit::kMonths) {
    return std::max<int64_t>(1, pre.value - line.quantity.value);
  }
  return 1;
}

RuleResult SocialInsuranceRule(const CityPolicy& policy, const EligibilityInput& in, const Ledger& ledger, bool minor,
                               const std::vector<ResidenceBasis>& confirmed) {
  RuleResult r = Rule("social_insurance", "City social-insurance condition", "本市社会保险缴纳条件",
                      policy.eligibility.social_insurance.empty() ? std::string("条例 第二条")
                                                                  : policy.eligibility.social_insurance.front().source);
  if (policy.eligibility.social_insurance.empty()) {
    Set(r, RuleStatus::kPassed, policy.city_name + " sets no social-insurance condition.",
        policy.city_name + "未设定社会保险缴纳条件。");
    return r;
  }
  if (minor) {
    Set(r, RuleStatus::kPassed, "Not required of a minor applying through a guardian.",
        "未成年人由监护人代为申领，不适用社保条件。");
    return r;
  }
  for (ResidenceBasis b : policy.eligibility.social_insurance_exempt_bases) {
    if (in.registration->basis == b && Contains(confirmed, b)) {
      Set(r, RuleStatus::kPassed,
          std::string("Not required for the basis '") + domain::ToString(b) + "', confirmed by records.",
          "以就读等事由申领，经核实不适用社保条件。");
      return r;
    }
  }
  // Any one alternative: every precondition of its table, explained by the engine.
  EngineExplanation engine{in.today, {}};
  std::string en = "None of the accepted contribution patterns is met: ";
  std::string zh = "不符合任一社保缴纳条件：";
  int64_t best_shortfall = -1;
  for (size_t i = 0; i < policy.eligibility.social_insurance.size(); ++i) {
    const SocialInsuranceAlternative& alt = policy.eligibility.social_insurance[i];
    EngineAlternative ea = RunTable(alt.table, ledger, policy.city, in.today);
    AddRecordsUsed(r, ea);
    std::string why_en, why_zh;
    int64_t shortfall = 0;
    for (size_t j = 0; j < ea.preconditions.size() && j < alt.table.preconditions.size(); ++j) {
      const PreconditionLine& line = ea.preconditions[j];
      std::string line_en, line_zh;
      LineWords(line, in.today, &line_en, &line_zh);
      if (ea.met || !line.met) {
        why_en += line_en + "; ";
        why_zh += line_zh + "；";
      }
      shortfall += Shortfall(alt.table.preconditions[j], line);
    }
    const bool met = ea.met;
    engine.alternatives.push_back(std::move(ea));
    if (met) {
      r.source = alt.source;
      r.engine = std::move(engine);
      if (!why_en.empty()) why_en.resize(why_en.size() - 2);  // the last "; "
      if (!why_zh.empty()) why_zh.resize(why_zh.size() - std::string("；").size());
      Set(r, RuleStatus::kPassed, "Met: " + alt.label_en + " (" + why_en + ").",
          "符合：" + alt.label_zh + "（" + why_zh + "）。");
      return r;
    }
    en += "(" + std::to_string(i + 1) + ") " + alt.label_en + ": " + why_en;
    zh += "（" + std::to_string(i + 1) + "）" + alt.label_zh + "：" + why_zh;
    if (best_shortfall < 0 || shortfall < best_shortfall) best_shortfall = shortfall;
  }
  r.engine = std::move(engine);
  Set(r, RuleStatus::kFailed, en, zh);
  r.missing.push_back({"social_insurance_months",
                       "At least " + std::to_string(best_shortfall) +
                           " more month(s) of social-insurance contributions in " + policy.city_name,
                       "还需在" + policy.city_name + "缴纳社会保险至少 " + std::to_string(best_shortfall) + " 个月"});
  return r;
}

RuleResult GuardianRule(const EligibilityInput& in, int minor_age) {
  RuleResult r = Rule("guardian", "A minor under " + std::to_string(minor_age) + " applies through a guardian",
                      "未满" + std::to_string(minor_age) + "周岁由监护人代为申领", "条例 第九条 第三款");
  if (in.guardian) {
    Set(r, RuleStatus::kPassed,
        "Guardian recorded (" + in.guardian->relation + ", ID " + domain::MaskCitizenId(in.guardian->citizen_id) + ").",
        "已登记监护人（" + in.guardian->relation + "，身份号码 " + domain::MaskCitizenId(in.guardian->citizen_id) +
            "）。");
  } else {
    Set(r, RuleStatus::kFailed, "No guardian was given for a minor.", "未成年人申领未登记监护人。");
    r.missing.push_back(
        {"guardian", "The guardian's identity (ID number, name, relation)", "监护人身份信息（身份号码、姓名、关系）"});
  }
  return r;
}

}  // namespace

const char* ToString(RuleStatus s) {
  switch (s) {
    case RuleStatus::kPassed:
      return "passed";
    case RuleStatus::kFailed:
      return "failed";
    case RuleStatus::kNotDecidable:
      return "not_decidable";
  }
  return "unknown";
}

const char* ToString(Outcome o) {
  switch (o) {
    case Outcome::kApproved:
      return "approved";
    case Outcome::kRejected:
      return "rejected";
    case Outcome::kNeedsReview:
      return "needs_review";
  }
  return "unknown";
}

Decision EvaluateEligibility(const CityPolicy& given, const EligibilityInput& in) {
  // A policy built in code without CompileEligibility has no tables yet: compile a copy, so an
  // empty table never passes a condition by default.
  std::optional<CityPolicy> compiled;
  if (given.eligibility.residence.preconditions.empty()) {
    compiled = given;
    CompileEligibility(compiled->eligibility);
  }
  const CityPolicy& policy = compiled ? *compiled : given;
  Decision d;
  d.city = policy.city;
  d.policy_version = policy.version;
  d.decided_on = in.today;
  const bool minor = AgeOn(in.birth_date, in.today) < policy.eligibility.minor_age;
  std::vector<ResidenceBasis> confirmed;
  // The ledger the engine counts: this application's registration (no permit: the applicant
  // holds none in this city) and the department records, up to today.
  const Ledger ledger = BuildLedger(in.citizen_id, {*in.registration}, {}, *in.records, in.today);
  d.rules.push_back(IdentityRule(in));
  d.rules.push_back(HukouRule(policy, in));
  d.rules.push_back(ResidenceRule(policy, in, ledger));
  d.rules.push_back(BasisRule(policy, in, &confirmed));
  d.rules.push_back(SocialInsuranceRule(policy, in, ledger, minor, confirmed));
  if (minor) d.rules.push_back(GuardianRule(in, policy.eligibility.minor_age));

  bool any_failed = false, any_open = false;
  for (const RuleResult& r : d.rules) {
    any_failed |= r.status == RuleStatus::kFailed;
    any_open |= r.status == RuleStatus::kNotDecidable;
    d.missing.insert(d.missing.end(), r.missing.begin(), r.missing.end());
  }
  d.outcome = any_failed ? Outcome::kRejected : any_open ? Outcome::kNeedsReview : Outcome::kApproved;
  return d;
}

namespace {

// The engine's lines in the shape of the points report's preconditions; null for the rules
// decided without the engine.
nlohmann::json EngineJson(const std::optional<EngineExplanation>& e) {
  if (!e) return nullptr;
  nlohmann::json alternatives = nlohmann::json::array();
  bool any = false;
  for (const EngineAlternative& a : e->alternatives) {
    nlohmann::json lines = nlohmann::json::array();
    for (const PreconditionLine& line : a.preconditions) lines.push_back(PreconditionLineToJson(line));
    alternatives.push_back({{"label_en", a.label_en},
                            {"label_zh", a.label_zh},
                            {"source", a.source},
                            {"met", a.met},
                            {"preconditions", std::move(lines)}});
    any |= a.met;
  }
  return {{"as_of", FormatIsoDate(e->as_of)}, {"met", any}, {"alternatives", std::move(alternatives)}};
}

}  // namespace

nlohmann::json DecisionToJson(const Decision& d) {
  nlohmann::json rules = nlohmann::json::array();
  for (const RuleResult& r : d.rules) {
    nlohmann::json missing = nlohmann::json::array();
    for (const MissingItem& m : r.missing) missing.push_back({{"code", m.code}, {"en", m.en}, {"zh", m.zh}});
    rules.push_back({{"id", r.id},
                     {"title_en", r.title_en},
                     {"title_zh", r.title_zh},
                     {"status", ToString(r.status)},
                     {"detail_en", r.detail_en},
                     {"detail_zh", r.detail_zh},
                     {"source", r.source},
                     {"records_used", r.records_used},
                     {"missing", missing},
                     {"engine", EngineJson(r.engine)}});
  }
  nlohmann::json missing = nlohmann::json::array();
  for (const MissingItem& m : d.missing) missing.push_back({{"code", m.code}, {"en", m.en}, {"zh", m.zh}});
  return {{"outcome", ToString(d.outcome)},
          {"city", d.city},
          {"policy_version", d.policy_version},
          {"decided_on", FormatIsoDate(d.decided_on)},
          {"rules", rules},
          {"missing", missing}};
}

}  // namespace epermit::policy
