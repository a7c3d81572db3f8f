#include "policy/eligibility.hpp"

#include <algorithm>
#include <set>

#include "domain/citizen_id.hpp"
#include "domain/division.hpp"

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

RuleResult ResidenceRule(const CityPolicy& policy, const EligibilityInput& in) {
  const int need = policy.eligibility.min_residence_months;
  RuleResult r = Rule("residence_duration", "Resident for at least " + std::to_string(need) + " months",
                      "居住满" + std::to_string(need) + "个月", policy.eligibility.residence_source);
  const Date since = in.registration->registered_on;
  const int months = WholeMonthsBetween(since, in.today);
  r.records_used.push_back("registration#" + in.registration->id);
  if (months >= need) {
    Set(r, RuleStatus::kPassed,
        "Registered since " + FormatIsoDate(since) + ": " + std::to_string(months) + " full months.",
        "自 " + FormatIsoDate(since) + " 起居住登记，已满 " + std::to_string(months) + " 个月。");
    return r;
  }
  const Date eligible = AddMonths(since, need);
  Set(r, RuleStatus::kFailed,
      "Registered since " + FormatIsoDate(since) + ": " + std::to_string(months) + " of " + std::to_string(need) +
          " months. You may apply from " + FormatIsoDate(eligible) + ".",
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

std::string SchemeWords(const SocialInsuranceAlternative& a) { return a.label_en; }

RuleResult SocialInsuranceRule(const CityPolicy& policy, const EligibilityInput& in, bool minor,
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
  const MonthIndex now = MonthOf(in.today);
  std::string en = "None of the accepted contribution patterns is met: ";
  std::string zh = "不符合任一社保缴纳条件：";
  int best_shortfall = 1 << 30;
  for (size_t i = 0; i < policy.eligibility.social_insurance.size(); ++i) {
    const SocialInsuranceAlternative& alt = policy.eligibility.social_insurance[i];
    std::vector<std::string> used;
    const std::vector<MonthIndex> months = PaidMonths(in.records->social_insurance, policy.city, alt, &used);
    const std::set<MonthIndex> paid(months.begin(), months.end());
    bool ok = true;
    std::string why_en, why_zh;
    int shortfall = 0;
    if (alt.require_current_month && !paid.count(now)) {
      ok = false;
      why_en += "no contribution in " + FormatIsoMonth(now) + "; ";
      why_zh += FormatIsoMonth(now) + " 无缴费；";
      shortfall += 1;
    }
    if (alt.continuous_months > 0) {
      MonthIndex m = paid.count(now) ? now : now - 1;
      int streak = 0;
      while (paid.count(m)) {
        ++streak;
        --m;
      }
      if (streak < alt.continuous_months) {
        ok = false;
        why_en += std::to_string(streak) + " of " + std::to_string(alt.continuous_months) + " continuous months; ";
        why_zh +=
            "连续缴费 " + std::to_string(streak) + " 个月，需 " + std::to_string(alt.continuous_months) + " 个月；";
        shortfall += alt.continuous_months - streak;
      }
    }
    if (alt.window_months > 0) {
      int count = 0;
      for (MonthIndex m = now - alt.window_months; m < now; ++m) count += paid.count(m) ? 1 : 0;
      if (count < alt.min_months_in_window) {
        ok = false;
        why_en += std::to_string(count) + " of the required " + std::to_string(alt.min_months_in_window) +
                  " months in the previous " + std::to_string(alt.window_months) + "; ";
        why_zh += "前 " + std::to_string(alt.window_months) + " 个月内缴费 " + std::to_string(count) + " 个月，需 " +
                  std::to_string(alt.min_months_in_window) + " 个月；";
        shortfall += alt.min_months_in_window - count;
      }
    }
    r.records_used.insert(r.records_used.end(), used.begin(), used.end());
    if (ok) {
      r.source = alt.source;
      Set(r, RuleStatus::kPassed, "Met: " + alt.label_en + ".", "符合：" + alt.label_zh + "。");
      return r;
    }
    en += "(" + std::to_string(i + 1) + ") " + SchemeWords(alt) + ": " + why_en;
    zh += "（" + std::to_string(i + 1) + "）" + alt.label_zh + "：" + why_zh;
    best_shortfall = std::min(best_shortfall, shortfall);
  }
  std::sort(r.records_used.begin(), r.records_used.end());
  r.records_used.erase(std::unique(r.records_used.begin(), r.records_used.end()), r.records_used.end());
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

std::vector<MonthIndex> PaidMonths(const std::vector<domain::SocialInsuranceRecord>& records, const std::string& city,
                                   const SocialInsuranceAlternative& alt, std::vector<std::string>* used) {
  std::vector<MonthIndex> months;
  for (const auto& rec : records) {
    if (rec.city != city) continue;
    if (!alt.schemes.empty() && !Contains(alt.schemes, rec.scheme)) continue;
    if (!alt.risks.empty() && !Contains(alt.risks, rec.risk)) continue;
    if (alt.exclude_back_payments && rec.back_payment) continue;
    if (used != nullptr) used->push_back(Ref("social_insurance", rec.h.id));
    for (MonthIndex m = rec.from_month; m <= rec.to_month; ++m) months.push_back(m);
  }
  std::sort(months.begin(), months.end());
  months.erase(std::unique(months.begin(), months.end()), months.end());
  return months;
}

Decision EvaluateEligibility(const CityPolicy& policy, const EligibilityInput& in) {
  Decision d;
  d.city = policy.city;
  d.policy_version = policy.version;
  d.decided_on = in.today;
  const bool minor = AgeOn(in.birth_date, in.today) < policy.eligibility.minor_age;
  std::vector<ResidenceBasis> confirmed;
  d.rules.push_back(IdentityRule(in));
  d.rules.push_back(HukouRule(policy, in));
  d.rules.push_back(ResidenceRule(policy, in));
  d.rules.push_back(BasisRule(policy, in, &confirmed));
  d.rules.push_back(SocialInsuranceRule(policy, in, minor, confirmed));
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
                     {"missing", missing}});
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
