#include "policy/profile.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <optional>
#include <set>
#include <string_view>

#include "domain/division.hpp"
#include "domain/model.hpp"
#include "policy/quantity.hpp"

namespace epermit::policy {
namespace {

using nlohmann::json;
using Keys = std::initializer_list<std::string_view>;

// The keys of each object of the profile (docs/points-profile.schema.json).
const Keys kTopKeys = {"birth_date",
                       "sex",
                       "post_type",
                       "holds_permit",
                       "permit_months",
                       "residence",
                       "social_insurance",
                       "work_district",
                       "homes",
                       "housing_fund_months",
                       "study_overlap_months",
                       "education",
                       "qualifications",
                       "tax_yuan_by_year",
                       "honours",
                       "violations",
                       "spouse",
                       "other_cities"};
const Keys kResidenceKeys = {"months", "district"};
const Keys kSchemesKeys = {"employee", "flexible", "resident"};
const Keys kSchemeKeys = {"months",         "continuous_months", "back_payment_months",
                          "base_ratio_pct", "months_at_base",    "risks"};
const Keys kHomesKeys = {"own", "rented", "dormitory"};
const Keys kHomeKeys = {"months", "district"};
const Keys kEducationKeys = {"level", "diploma", "degree", "completed_on", "full_time", "shortage_major"};
const Keys kQualificationKeys = {"type", "level", "obtained_on", "in_city"};
const Keys kViolationKeys = {"type", "on", "in_city"};
const Keys kSpouseKeys = {"hukou_city", "married_on"};
const Keys kOtherCityKeys = {"city", "residence_months", "social_insurance"};
const Keys kOtherSchemeKeys = {"months", "risks"};

constexpr int kMaxMonths = 1200;
constexpr int kBackPaymentWindow = 84;  // 北京: back payments within the seven years are limited
constexpr size_t kMaxListItems = 64;
constexpr size_t kMaxHonourKey = 64;

const domain::InsuranceRisk kAllRisks[] = {domain::InsuranceRisk::kPension, domain::InsuranceRisk::kMedical,
                                           domain::InsuranceRisk::kUnemployment, domain::InsuranceRisk::kWorkInjury,
                                           domain::InsuranceRisk::kMaternity};

Error Invalid(const std::string& path, const std::string& en, const std::string& zh) {
  return MakeError(ErrorKind::kInvalidArgument, "profile.invalid",
                   (path.empty() ? "Profile: " : "Profile field '" + path + "': ") + en,
                   (path.empty() ? "测算资料：" : "测算资料字段“" + path + "”：") + zh, path);
}

std::string Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}
std::string Item(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

std::string KeyList(Keys keys) {
  std::string out;
  for (std::string_view k : keys) out += (out.empty() ? "" : ", ") + std::string(k);
  return out;
}

// `j` is an object holding only `keys`.
Status CheckObject(const json& j, const std::string& path, Keys keys) {
  if (!j.is_object()) return Invalid(path, "must be a JSON object.", "须为 JSON 对象。");
  for (const auto& [key, value] : j.items()) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      const std::string p = Join(path, key);
      return Invalid(p, "unknown field (allowed here: " + KeyList(keys) + ").",
                     "未知字段（此处允许：" + KeyList(keys) + "）。");
    }
  }
  return Status::Ok();
}

// A member, or nullptr when absent or null.
const json* Member(const json& obj, std::string_view key) {
  auto it = obj.find(std::string(key));
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::optional<int64_t>> OptInt(const json& obj, std::string_view key, const std::string& path, int64_t min,
                                      int64_t max) {
  const json* v = Member(obj, key);
  if (v == nullptr) return std::optional<int64_t>();
  const std::string p = Join(path, key);
  const std::string en = "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ".";
  const std::string zh = "须为 " + std::to_string(min) + " 至 " + std::to_string(max) + " 之间的整数。";
  if (!v->is_number_integer()) return Invalid(p, en, zh);
  // Unsigned values above INT64_MAX are out of range, not wrapped.
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(max)) return Invalid(p, en, zh);
  const int64_t n = v->get<int64_t>();
  if (n < min || n > max) return Invalid(p, en, zh);
  return std::optional<int64_t>(n);
}

Result<int> Months(const json& obj, std::string_view key, const std::string& path, bool required = false) {
  EPERMIT_ASSIGN_OR_RETURN(std::optional<int64_t> n, OptInt(obj, key, path, 0, kMaxMonths));
  if (!n && required)
    return Invalid(Join(path, key), "is required (months, 0 to 1200).", "为必填项（月数，0 至 1200）。");
  return static_cast<int>(n.value_or(0));
}

Result<std::optional<bool>> OptBool(const json& obj, std::string_view key, const std::string& path) {
  const json* v = Member(obj, key);
  if (v == nullptr) return std::optional<bool>();
  if (!v->is_boolean()) return Invalid(Join(path, key), "must be true or false.", "须为 true 或 false。");
  return std::optional<bool>(v->get<bool>());
}

Result<std::optional<std::string>> OptString(const json& obj, std::string_view key, const std::string& path) {
  const json* v = Member(obj, key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return Invalid(Join(path, key), "must be a string.", "须为字符串。");
  return std::optional<std::string>(v->get<std::string>());
}

// One of `names`, required or not.
Result<std::optional<std::string>> OptEnum(const json& obj, std::string_view key, const std::string& path, Keys names,
                                           bool required) {
  EPERMIT_ASSIGN_OR_RETURN(std::optional<std::string> s, OptString(obj, key, path));
  const std::string p = Join(path, key);
  if (!s) {
    if (required)
      return Invalid(p, "is required: one of " + KeyList(names) + ".", "为必填项，取值：" + KeyList(names) + "。");
    return s;
  }
  if (std::find(names.begin(), names.end(), *s) == names.end()) {
    return Invalid(p, "must be one of " + KeyList(names) + ".", "取值须为：" + KeyList(names) + "。");
  }
  return s;
}

class Reader {
 public:
  Reader(const std::string& city, Date date) : city_(city), date_(date) {}

  // A YYYY-MM-DD date not after the date asked about.
  Result<std::optional<Date>> OptDate(const json& obj, std::string_view key, const std::string& path,
                                      bool required = false) const {
    EPERMIT_ASSIGN_OR_RETURN(std::optional<std::string> s, OptString(obj, key, path));
    const std::string p = Join(path, key);
    if (!s) {
      if (required) return Invalid(p, "is required (a date like 2020-07-01).", "为必填项（如 2020-07-01 的日期）。");
      return std::optional<Date>();
    }
    const std::optional<Date> d = ParseIsoDate(*s);
    if (!d) return Invalid(p, "must be a date like 2020-07-01.", "须为 2020-07-01 这样的日期。");
    if (*d > date_) {
      return Invalid(p, "lies after the date asked about (" + FormatIsoDate(date_) + ").",
                     "晚于测算日期（" + FormatIsoDate(date_) + "）。");
    }
    return std::optional<Date>(*d);
  }

  // A current county-level code of the city ("" when absent).
  Result<std::string> District(const json& obj, std::string_view key, const std::string& path) const {
    EPERMIT_ASSIGN_OR_RETURN(std::optional<std::string> s, OptString(obj, key, path));
    if (!s) return std::string();
    const auto& registry = domain::DivisionRegistry::Builtin();
    const domain::Division* d = registry.Find(*s);
    if (d == nullptr || d->retired || d->level != domain::Division::Level::kCounty || registry.CityOf(*s) != city_) {
      return Invalid(Join(path, key), "must be a current county-level division code of " + city_ + ", e.g. a district.",
                     "须为 " + city_ + " 现行的县级行政区划代码（区、县）。");
    }
    return *s;
  }

  // A current city-level code.
  Result<std::string> City(const json& obj, std::string_view key, const std::string& path) const {
    EPERMIT_ASSIGN_OR_RETURN(std::optional<std::string> s, OptString(obj, key, path));
    const std::string p = Join(path, key);
    if (!s)
      return Invalid(p, "is required (a city-level division code, e.g. 310000).",
                     "为必填项（地市级行政区划代码，如 310000）。");
    const auto& registry = domain::DivisionRegistry::Builtin();
    const domain::Division* d = registry.Find(*s);
    if (d == nullptr || d->retired || registry.CityOf(*s) != *s) {
      return Invalid(p, "must be a current city-level division code, e.g. 310000.",
                     "须为现行地市级行政区划代码，如 310000。");
    }
    return *s;
  }

  const std::string& city() const { return city_; }
  Date date() const { return date_; }

 private:
  std::string city_;
  Date date_;
};

// ---- month layout ----

Date FirstDayOf(MonthIndex m) { return MakeDate(m / 12, static_cast<unsigned>(m % 12 + 1), 1); }

struct Slot {  // one month of one scheme
  MonthIndex month = 0;
  bool back = false;
  int base_pct = 0;
};

struct SchemeInput {
  domain::InsuranceScheme scheme = domain::InsuranceScheme::kEmployee;
  int months = 0;
  int continuous = 0;
  int back = 0;
  int base_pct = 0;
  int at_base = 0;
  std::vector<domain::InsuranceRisk> risks;
};

// The months of one scheme, ascending (see the header).
std::vector<Slot> LayOut(const SchemeInput& s, MonthIndex last) {
  std::vector<Slot> slots;
  const MonthIndex earlier_end = last - s.continuous - 1;  // a one-month gap before the run
  for (MonthIndex m = earlier_end - (s.months - s.continuous) + 1; m <= earlier_end; ++m) slots.push_back({m});
  for (MonthIndex m = last - s.continuous + 1; m <= last; ++m) slots.push_back({m});
  // Back payments: the earliest months inside the last 84, then (if more) backwards before them.
  std::vector<size_t> order;
  for (size_t i = 0; i < slots.size(); ++i) {
    if (slots[i].month > last - kBackPaymentWindow) order.push_back(i);
  }
  for (size_t i = slots.size(); i-- > 0;) {
    if (slots[i].month <= last - kBackPaymentWindow) order.push_back(i);
  }
  for (int i = 0; i < s.back && static_cast<size_t>(i) < order.size(); ++i)
    slots[order[static_cast<size_t>(i)]].back = true;
  // The contribution base: the latest paid months.
  int based = 0;
  for (size_t i = slots.size(); i-- > 0 && based < s.at_base;) {
    if (slots[i].back) continue;
    slots[i].base_pct = s.base_pct;
    ++based;
  }
  return slots;
}

// Runs of consecutive months with the same attributes.
template <typename Same>
std::vector<std::pair<MonthPeriod, size_t>> Runs(const std::vector<Slot>& slots, Same same) {
  std::vector<std::pair<MonthPeriod, size_t>> out;
  for (size_t i = 0; i < slots.size(); ++i) {
    if (!out.empty()) {
      const size_t first = out.back().second;
      if (out.back().first.to + 1 == slots[i].month && same(slots[first], slots[i])) {
        out.back().first.to = slots[i].month;
        continue;
      }
    }
    out.push_back({{slots[i].month, slots[i].month}, i});
  }
  return out;
}

void AddSchemeFacts(Ledger& l, const std::string& city, const std::string& district, const SchemeInput& s,
                    const std::vector<Slot>& slots) {
  const auto runs =
      Runs(slots, [](const Slot& a, const Slot& b) { return a.back == b.back && a.base_pct == b.base_pct; });
  for (domain::InsuranceRisk risk : s.risks) {
    for (const auto& [period, first] : runs) {
      SocialInsuranceFact f;
      f.city = city;
      f.district = district;
      f.scheme = s.scheme;
      f.risk = risk;
      f.period = period;
      f.back_payment = slots[first].back;
      f.base_ratio_pct = slots[first].base_pct;
      f.record_id = 0;
      l.social_insurance.push_back(f);
    }
  }
}

Result<std::vector<domain::InsuranceRisk>> Risks(const json& obj, const std::string& path) {
  const json* v = Member(obj, "risks");
  if (v == nullptr) return std::vector<domain::InsuranceRisk>(std::begin(kAllRisks), std::end(kAllRisks));
  const std::string p = Join(path, "risks");
  if (!v->is_array() || v->empty()) {
    return Invalid(p, "must be a non-empty list of pension, medical, unemployment, work_injury, maternity.",
                   "须为非空列表，取值 pension、medical、unemployment、work_injury、maternity。");
  }
  std::vector<domain::InsuranceRisk> risks;
  for (size_t i = 0; i < v->size(); ++i) {
    const json& r = (*v)[i];
    const auto risk = r.is_string() ? domain::ParseInsuranceRisk(r.get<std::string>()) : std::nullopt;
    if (!risk) {
      return Invalid(Item(p, i), "must be one of pension, medical, unemployment, work_injury, maternity.",
                     "取值须为 pension、medical、unemployment、work_injury、maternity。");
    }
    if (std::find(risks.begin(), risks.end(), *risk) != risks.end()) {
      return Invalid(Item(p, i), "is listed twice.", "重复列出。");
    }
    risks.push_back(*risk);
  }
  return risks;
}

Result<SchemeInput> ReadScheme(const json& j, const std::string& path, domain::InsuranceScheme scheme) {
  EPERMIT_RETURN_IF_ERROR(CheckObject(j, path, kSchemeKeys));
  SchemeInput s;
  s.scheme = scheme;
  EPERMIT_ASSIGN_OR_RETURN(s.months, Months(j, "months", path, /*required=*/true));
  EPERMIT_ASSIGN_OR_RETURN(std::optional<int64_t> continuous, OptInt(j, "continuous_months", path, 0, kMaxMonths));
  s.continuous = static_cast<int>(continuous.value_or(s.months));
  if (s.continuous > s.months) {
    return Invalid(Join(path, "continuous_months"), "must not exceed months (" + std::to_string(s.months) + ").",
                   "不能大于 months（" + std::to_string(s.months) + "）。");
  }
  EPERMIT_ASSIGN_OR_RETURN(s.back, Months(j, "back_payment_months", path));
  if (s.back > s.months) {
    return Invalid(Join(path, "back_payment_months"), "must not exceed months (" + std::to_string(s.months) + ").",
                   "不能大于 months（" + std::to_string(s.months) + "）。");
  }
  EPERMIT_ASSIGN_OR_RETURN(std::optional<int64_t> base, OptInt(j, "base_ratio_pct", path, 0, 1000));
  EPERMIT_ASSIGN_OR_RETURN(std::optional<int64_t> at_base, OptInt(j, "months_at_base", path, 0, kMaxMonths));
  const int paid = s.months - s.back;
  if (at_base && !base) {
    return Invalid(Join(path, "months_at_base"), "needs base_ratio_pct.", "须同时给出 base_ratio_pct。");
  }
  if (at_base && *at_base > paid) {
    return Invalid(
        Join(path, "months_at_base"),
        "must not exceed the months paid on time (months − back_payment_months = " + std::to_string(paid) + ").",
        "不能大于按时缴纳的月数（months − back_payment_months = " + std::to_string(paid) + "）。");
  }
  s.base_pct = static_cast<int>(base.value_or(0));
  s.at_base = base ? static_cast<int>(at_base.value_or(paid)) : 0;
  EPERMIT_ASSIGN_OR_RETURN(s.risks, Risks(j, path));
  return s;
}

struct Parsed {
  std::vector<SchemeInput> schemes;
  std::vector<std::vector<Slot>> layouts;
};

// `social_insurance` of the person in the city.
Status ReadSocialInsurance(const json& profile, const std::string& district, MonthIndex last, const Reader& r,
                           Ledger& l, Parsed& parsed) {
  const json* si = Member(profile, "social_insurance");
  if (si == nullptr) return Status::Ok();
  EPERMIT_RETURN_IF_ERROR(CheckObject(*si, "social_insurance", kSchemesKeys));
  for (std::string_view name : kSchemesKeys) {
    const json* scheme = Member(*si, name);
    if (scheme == nullptr) continue;
    const std::string path = Join("social_insurance", name);
    EPERMIT_ASSIGN_OR_RETURN(SchemeInput s, ReadScheme(*scheme, path, *domain::ParseInsuranceScheme(name)));
    std::vector<Slot> slots = LayOut(s, last);
    AddSchemeFacts(l, r.city(), district, s, slots);
    parsed.schemes.push_back(std::move(s));
    parsed.layouts.push_back(std::move(slots));
  }
  return Status::Ok();
}

// Study overlapping work: the latest months paid on time in any scheme.
Status ReadStudy(const json& profile, const Parsed& parsed, const Reader& r, Ledger& l) {
  EPERMIT_ASSIGN_OR_RETURN(int study, Months(profile, "study_overlap_months", ""));
  if (study == 0) return Status::Ok();
  std::set<MonthIndex> paid;
  for (const auto& slots : parsed.layouts) {
    for (const Slot& s : slots) {
      if (!s.back) paid.insert(s.month);
    }
  }
  if (static_cast<size_t>(study) > paid.size()) {
    return Invalid("study_overlap_months",
                   "must not exceed the months of social insurance paid on time (" + std::to_string(paid.size()) + ").",
                   "不能大于按时缴纳社会保险的月数（" + std::to_string(paid.size()) + "）。");
  }
  std::vector<Slot> months;
  for (auto it = paid.rbegin(); it != paid.rend() && months.size() < static_cast<size_t>(study); ++it) {
    months.push_back({*it});
  }
  std::reverse(months.begin(), months.end());
  for (const auto& [period, first] : Runs(months, [](const Slot&, const Slot&) { return true; })) {
    l.study.push_back({r.city(), "", period, 0});
  }
  return Status::Ok();
}

Status ReadHomes(const json& profile, MonthIndex last, const Reader& r, Ledger& l) {
  const json* homes = Member(profile, "homes");
  if (homes == nullptr) return Status::Ok();
  EPERMIT_RETURN_IF_ERROR(CheckObject(*homes, "homes", kHomesKeys));
  MonthIndex end = last;  // own up to the as-of month, rented before it, dormitory before that
  for (std::string_view name : kHomesKeys) {
    const json* home = Member(*homes, name);
    if (home == nullptr) continue;
    const std::string path = Join("homes", name);
    EPERMIT_RETURN_IF_ERROR(CheckObject(*home, path, kHomeKeys));
    EPERMIT_ASSIGN_OR_RETURN(int months, Months(*home, "months", path, /*required=*/true));
    EPERMIT_ASSIGN_OR_RETURN(std::string district, r.District(*home, "district", path));
    if (months == 0) continue;
    l.homes.push_back({r.city(), district, *domain::ParseTenure(name), {end - months + 1, end}, 0});
    end -= months;
  }
  return Status::Ok();
}

Status ReadPermit(const json& profile, MonthIndex last, const Reader& r, Ledger& l) {
  EPERMIT_ASSIGN_OR_RETURN(std::optional<bool> holds, OptBool(profile, "holds_permit", ""));
  EPERMIT_ASSIGN_OR_RETURN(std::optional<int64_t> months, OptInt(profile, "permit_months", "", 0, kMaxMonths));
  const bool active = holds.value_or(false);
  if (active && months && *months == 0) {
    return Invalid("permit_months", "must be at least 1 when holds_permit is true.",
                   "holds_permit 为 true 时至少为 1。");
  }
  const int n = static_cast<int>(months.value_or(active ? 1 : 0));
  if (n == 0) return Status::Ok();
  const Date issued = FirstDayOf(last - n + 1);
  l.permits.push_back(
      {r.city(), "", active ? domain::PermitState::kActive : domain::PermitState::kSuspended, issued, issued});
  return Status::Ok();
}

Status ReadEducation(const json& profile, const Reader& r, Ledger& l) {
  const json* e = Member(profile, "education");
  if (e == nullptr) return Status::Ok();
  const std::string path = "education";
  EPERMIT_RETURN_IF_ERROR(CheckObject(*e, path, kEducationKeys));
  EPERMIT_ASSIGN_OR_RETURN(
      std::optional<std::string> level,
      OptEnum(*e, "level", path, {"high_school", "junior_college", "bachelor", "master", "doctor"}, true));
  EducationFact f;
  f.level = *ParseEducationLevel(*level);
  EPERMIT_ASSIGN_OR_RETURN(std::optional<bool> diploma, OptBool(*e, "diploma", path));
  EPERMIT_ASSIGN_OR_RETURN(std::optional<bool> degree, OptBool(*e, "degree", path));
  EPERMIT_ASSIGN_OR_RETURN(std::optional<Date> completed, r.OptDate(*e, "completed_on", path));
  EPERMIT_ASSIGN_OR_RETURN(std::optional<bool> full_time, OptBool(*e, "full_time", path));
  EPERMIT_ASSIGN_OR_RETURN(std::optional<bool> shortage, OptBool(*e, "shortage_major", path));
  f.diploma = diploma.value_or(true);
  f.degree = degree.value_or(false);
  if (!f.diploma && !f.degree) {
    return Invalid(Join(path, "diploma"), "diploma and degree cannot both be false.", "学历与学位不能都为 false。");
  }
  f.completed_on = completed.value_or(Date{});
  f.full_time = full_time.value_or(true);
  f.shortage_major = shortage.value_or(false);
  f.record_id = 0;
  l.education.push_back(f);
  return Status::Ok();
}

Result<const json*> List(const json& profile, std::string_view key) {
  const json* v = Member(profile, key);
  if (v == nullptr) return v;
  if (!v->is_array()) return Invalid(std::string(key), "must be a list.", "须为列表。");
  if (v->size() > kMaxListItems) {
    return Invalid(std::string(key), "has more than " + std::to_string(kMaxListItems) + " items.",
                   "超过 " + std::to_string(kMaxListItems) + " 项。");
  }
  return v;
}

Status ReadQualifications(const json& profile, const Reader& r, Ledger& l) {
  EPERMIT_ASSIGN_OR_RETURN(const json* list, List(profile, "qualifications"));
  if (list == nullptr) return Status::Ok();
  for (size_t i = 0; i < list->size(); ++i) {
    const json& q = (*list)[i];
    const std::string path = Item("qualifications", i);
    EPERMIT_RETURN_IF_ERROR(CheckObject(q, path, kQualificationKeys));
    EPERMIT_ASSIGN_OR_RETURN(std::optional<std::string> type, OptEnum(q, "type", path, {"skill", "title"}, true));
    const bool skill = *type == "skill";
    EPERMIT_ASSIGN_OR_RETURN(std::optional<int64_t> level, OptInt(q, "level", path, 1, skill ? 5 : 3));
    if (!level) {
      return Invalid(
          Join(path, "level"),
          skill ? "is required: 1 (一级/高级技师) to 5 (五级/初级工)." : "is required: 1 初级, 2 中级, 3 高级.",
          skill ? "为必填项：1（一级/高级技师）至 5（五级/初级工）。" : "为必填项：1 初级，2 中级，3 高级。");
    }
    EPERMIT_ASSIGN_OR_RETURN(std::optional<Date> obtained, r.OptDate(q, "obtained_on", path));
    EPERMIT_ASSIGN_OR_RETURN(std::optional<bool> in_city, OptBool(q, "in_city", path));
    l.qualifications.push_back({skill ? QualificationKind::kSkill : QualificationKind::kTitle, static_cast<int>(*level),
                                obtained.value_or(Date{}), in_city.value_or(true) ? r.city() : "", 0});
  }
  return Status::Ok();
}

Status ReadHonours(const json& profile, Ledger& l) {
  EPERMIT_ASSIGN_OR_RETURN(const json* list, List(profile, "honours"));
  if (list == nullptr) return Status::Ok();
  for (size_t i = 0; i < list->size(); ++i) {
    const json& h = (*list)[i];
    const std::string path = Item("honours", i);
    const std::string key = h.is_string() ? h.get<std::string>() : "";
    const bool ok = !key.empty() && key.size() <= kMaxHonourKey && std::all_of(key.begin(), key.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!ok) {
      return Invalid(path, "must be an honour key of lower-case letters, digits and '_', e.g. national_model_worker.",
                     "须为由小写字母、数字和下划线组成的荣誉代码，如 national_model_worker。");
    }
    l.honours.push_back({key, "", Date{}, 0});
  }
  return Status::Ok();
}

Status ReadViolations(const json& profile, const Reader& r, Ledger& l) {
  EPERMIT_ASSIGN_OR_RETURN(const json* list, List(profile, "violations"));
  if (list == nullptr) return Status::Ok();
  for (size_t i = 0; i < list->size(); ++i) {
    const json& v = (*list)[i];
    const std::string path = Item("violations", i);
    EPERMIT_RETURN_IF_ERROR(CheckObject(v, path, kViolationKeys));
    EPERMIT_ASSIGN_OR_RETURN(
        std::optional<std::string> type,
        OptEnum(v, "type", path, {"detention", "tax_violation", "false_material", "crime", "serious_crime"}, true));
    EPERMIT_ASSIGN_OR_RETURN(std::optional<Date> on, r.OptDate(v, "on", path, /*required=*/true));
    EPERMIT_ASSIGN_OR_RETURN(std::optional<bool> in_city, OptBool(v, "in_city", path));
    l.violations.push_back({*ParseViolationKind(*type), in_city.value_or(true) ? r.city() : "", *on, 0});
  }
  return Status::Ok();
}

Status ReadTax(const json& profile, const Reader& r, Ledger& l) {
  const json* tax = Member(profile, "tax_yuan_by_year");
  if (tax == nullptr) return Status::Ok();
  if (!tax->is_object()) {
    return Invalid("tax_yuan_by_year", "must be an object of years and yuan, e.g. {\"2023\": 120000}.",
                   "须为“年份: 元”的对象，如 {\"2023\": 120000}。");
  }
  const int max_year = static_cast<int>(std::chrono::year_month_day(r.date()).year());
  for (const auto& [year_text, value] : tax->items()) {
    const std::string path = Join("tax_yuan_by_year", year_text);
    const bool digits = year_text.size() == 4 &&
                        std::all_of(year_text.begin(), year_text.end(), [](char c) { return c >= '0' && c <= '9'; });
    const int year = digits ? std::stoi(year_text) : 0;
    if (year < 1980 || year > max_year) {
      return Invalid(path, "must be a year from 1980 to " + std::to_string(max_year) + ".",
                     "须为 1980 至 " + std::to_string(max_year) + " 之间的年份。");
    }
    if (value.is_null()) continue;
    EPERMIT_ASSIGN_OR_RETURN(std::optional<int64_t> yuan,
                             OptInt(*tax, year_text, "tax_yuan_by_year", 0, int64_t{1'000'000'000'000}));
    l.tax.push_back({r.city(), year, *yuan, 0});
  }
  std::sort(l.tax.begin(), l.tax.end(), [](const TaxFact& a, const TaxFact& b) { return a.year < b.year; });
  return Status::Ok();
}

Status ReadSpouse(const json& profile, const Reader& r, Ledger& l) {
  const json* s = Member(profile, "spouse");
  if (s == nullptr) return Status::Ok();
  EPERMIT_RETURN_IF_ERROR(CheckObject(*s, "spouse", kSpouseKeys));
  EPERMIT_ASSIGN_OR_RETURN(std::string hukou, r.City(*s, "hukou_city", "spouse"));
  EPERMIT_ASSIGN_OR_RETURN(std::optional<Date> married, r.OptDate(*s, "married_on", "spouse", /*required=*/true));
  l.spouse = SpouseFact{hukou, *married, 0};
  return Status::Ok();
}

Status ReadResidence(const json& profile, MonthIndex last, const Reader& r, Ledger& l) {
  const json* res = Member(profile, "residence");
  if (res == nullptr) return Status::Ok();
  EPERMIT_RETURN_IF_ERROR(CheckObject(*res, "residence", kResidenceKeys));
  EPERMIT_ASSIGN_OR_RETURN(int months, Months(*res, "months", "residence", /*required=*/true));
  EPERMIT_ASSIGN_OR_RETURN(std::string district, r.District(*res, "district", "residence"));
  if (months > 0) l.residence.push_back({r.city(), district, {last - months + 1, last}, "profile"});
  return Status::Ok();
}

// Months in other cities that a mutual-recognition agreement may add: placed before this
// city's months of the same kind, in the order listed.
Status ReadOtherCities(const json& profile, MonthIndex last, const Reader& r, Ledger& l) {
  EPERMIT_ASSIGN_OR_RETURN(const json* list, List(profile, "other_cities"));
  if (list == nullptr) return Status::Ok();
  MonthIndex residence_end = last;
  for (const ResidenceFact& f : l.residence) residence_end = std::min(residence_end, f.period.from - 1);
  std::array<MonthIndex, 3> scheme_end{last, last, last};
  for (const SocialInsuranceFact& f : l.social_insurance) {
    MonthIndex& end = scheme_end[static_cast<size_t>(f.scheme)];
    end = std::min(end, f.period.from - 1);
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& o = (*list)[i];
    const std::string path = Item("other_cities", i);
    EPERMIT_RETURN_IF_ERROR(CheckObject(o, path, kOtherCityKeys));
    EPERMIT_ASSIGN_OR_RETURN(std::string city, r.City(o, "city", path));
    if (city == r.city() || !seen.insert(city).second) {
      return Invalid(Join(path, "city"), "must be another city than the one scored, each listed once.",
                     "须为被测算城市以外的城市，且每个城市只列一次。");
    }
    EPERMIT_ASSIGN_OR_RETURN(int residence, Months(o, "residence_months", path));
    if (residence > 0) {
      l.residence.push_back({city, "", {residence_end - residence + 1, residence_end}, "profile"});
      residence_end -= residence;
    }
    const json* si = Member(o, "social_insurance");
    if (si == nullptr) continue;
    const std::string si_path = Join(path, "social_insurance");
    EPERMIT_RETURN_IF_ERROR(CheckObject(*si, si_path, kSchemesKeys));
    for (std::string_view name : kSchemesKeys) {
      const json* scheme = Member(*si, name);
      if (scheme == nullptr) continue;
      const std::string scheme_path = Join(si_path, name);
      EPERMIT_RETURN_IF_ERROR(CheckObject(*scheme, scheme_path, kOtherSchemeKeys));
      SchemeInput s;
      s.scheme = *domain::ParseInsuranceScheme(name);
      EPERMIT_ASSIGN_OR_RETURN(s.months, Months(*scheme, "months", scheme_path, /*required=*/true));
      EPERMIT_ASSIGN_OR_RETURN(s.risks, Risks(*scheme, scheme_path));
      if (s.months == 0) continue;
      MonthIndex& end = scheme_end[static_cast<size_t>(s.scheme)];
      s.continuous = s.months;
      AddSchemeFacts(l, city, "", s, LayOut(s, end));
      end -= s.months;
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Ledger> LedgerFromProfile(const json& profile, const std::string& city, Date date, Date as_of) {
  EPERMIT_RETURN_IF_ERROR(CheckObject(profile, "", kTopKeys));
  const Reader r(city, date);
  const MonthIndex last = MonthOf(as_of);
  Ledger l;

  EPERMIT_ASSIGN_OR_RETURN(std::optional<Date> born, r.OptDate(profile, "birth_date", "", /*required=*/true));
  const int age = AgeOn(*born, date);
  if (age < 16 || age > 100) {
    return Invalid("birth_date",
                   "gives an age of " + std::to_string(age) + " on " + FormatIsoDate(date) +
                       "; the calculator takes ages 16 to 100.",
                   "测算日期时年龄为 " + std::to_string(age) + " 岁；测算只接受 16 至 100 岁。");
  }
  l.birth_date = *born;
  EPERMIT_ASSIGN_OR_RETURN(std::optional<std::string> sex, OptEnum(profile, "sex", "", {"male", "female"}, true));
  l.sex = *sex == "female" ? domain::Sex::kFemale : domain::Sex::kMale;
  EPERMIT_ASSIGN_OR_RETURN(std::optional<std::string> post,
                           OptEnum(profile, "post_type", "", {"worker", "cadre"}, false));
  l.post_type = post && *post == "cadre" ? PostType::kCadre : PostType::kWorker;

  EPERMIT_RETURN_IF_ERROR(ReadPermit(profile, last, r, l));
  EPERMIT_RETURN_IF_ERROR(ReadResidence(profile, last, r, l));
  EPERMIT_ASSIGN_OR_RETURN(std::string work_district, r.District(profile, "work_district", ""));
  Parsed parsed;
  EPERMIT_RETURN_IF_ERROR(ReadSocialInsurance(profile, work_district, last, r, l, parsed));
  EPERMIT_RETURN_IF_ERROR(ReadStudy(profile, parsed, r, l));
  EPERMIT_RETURN_IF_ERROR(ReadHomes(profile, last, r, l));
  EPERMIT_ASSIGN_OR_RETURN(int fund, Months(profile, "housing_fund_months", ""));
  if (fund > 0) l.housing_fund.push_back({city, {last - fund + 1, last}, false, false, 0});
  EPERMIT_RETURN_IF_ERROR(ReadEducation(profile, r, l));
  EPERMIT_RETURN_IF_ERROR(ReadQualifications(profile, r, l));
  EPERMIT_RETURN_IF_ERROR(ReadTax(profile, r, l));
  EPERMIT_RETURN_IF_ERROR(ReadHonours(profile, l));
  EPERMIT_RETURN_IF_ERROR(ReadViolations(profile, r, l));
  EPERMIT_RETURN_IF_ERROR(ReadSpouse(profile, r, l));
  EPERMIT_RETURN_IF_ERROR(ReadOtherCities(profile, last, r, l));
  return l;
}

std::map<std::string, std::vector<std::string>> ProfileKeySets() {
  auto list = [](Keys keys) { return std::vector<std::string>(keys.begin(), keys.end()); };
  std::map<std::string, std::vector<std::string>> out;
  out[""] = list(kTopKeys);
  out["residence"] = list(kResidenceKeys);
  out["social_insurance"] = list(kSchemesKeys);
  out["homes"] = list(kHomesKeys);
  for (std::string_view scheme : kSchemesKeys) out["social_insurance." + std::string(scheme)] = list(kSchemeKeys);
  for (std::string_view home : kHomesKeys) out["homes." + std::string(home)] = list(kHomeKeys);
  out["education"] = list(kEducationKeys);
  out["qualifications[]"] = list(kQualificationKeys);
  out["violations[]"] = list(kViolationKeys);
  out["spouse"] = list(kSpouseKeys);
  out["other_cities[]"] = list(kOtherCityKeys);
  out["other_cities[].social_insurance"] = list(kSchemesKeys);
  for (std::string_view scheme : kSchemesKeys) {
    out["other_cities[].social_insurance." + std::string(scheme)] = list(kOtherSchemeKeys);
  }
  return out;
}

Result<PointsReport> ScoreProfile(const PolicySet& policies, const json& profile, const std::string& city, Date date,
                                  bool recognition) {
  EPERMIT_ASSIGN_OR_RETURN(const CityPolicy* policy, policies.InForce(city, date));
  // Without a table there is nothing to count to: ScorePoints says so ("points.no_table").
  if (!policy->points) return ScorePoints(policies, Ledger{}, city, date, recognition);
  const Date as_of = ResolveAsOf(policy->points->as_of, date);
  EPERMIT_ASSIGN_OR_RETURN(Ledger ledger, LedgerFromProfile(profile, city, date, as_of));
  return ScorePoints(policies, ledger, city, date, recognition);
}

}  // namespace epermit::policy
