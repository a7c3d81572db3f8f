#include "domain/record_codec.hpp"

#include "domain/citizen_id.hpp"
#include "domain/division.hpp"
#include "domain/uscc.hpp"

namespace epermit::domain {
namespace {

using nlohmann::json;

Error Bad(const std::string& field, const std::string& en, const std::string& zh, std::string code = "record.invalid") {
  return MakeError(ErrorKind::kInvalidArgument, std::move(code), en, zh, field);
}

constexpr size_t kMaxText = 200;

// Code points in a UTF-8 string (nlohmann has already rejected invalid UTF-8).
size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

Result<std::string> Text(const json& o, const char* key, bool required, size_t max = kMaxText) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) {
    if (required)
      return Bad(key, std::string("Missing field '") + key + "'.", std::string("缺少字段 ") + key + "。",
                 "field.missing");
    return std::string();
  }
  if (!it->is_string())
    return Bad(key, std::string("'") + key + "' must be a string.", std::string(key) + " 必须是字符串。", "field.type");
  std::string s = it->get<std::string>();
  if (required && s.empty())
    return Bad(key, std::string("'") + key + "' must not be empty.", std::string(key) + " 不能为空。", "field.empty");
  if (CodePoints(s) > max) {
    return Bad(key, std::string("'") + key + "' is longer than " + std::to_string(max) + " characters.",
               std::string(key) + " 超过 " + std::to_string(max) + " 个字符。", "field.too_long");
  }
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f)
      return Bad(key, std::string("'") + key + "' contains control characters.", std::string(key) + " 含有控制字符。",
                 "field.control_chars");
  }
  return s;
}

Result<Date> DateField(const json& o, const char* key, Date today) {
  EPERMIT_ASSIGN_OR_RETURN(std::string s, Text(o, key, true, 10));
  auto d = ParseIsoDate(s);
  if (!d)
    return Bad(key, std::string("'") + key + "' must be a date YYYY-MM-DD.",
               std::string(key) + " 必须是 YYYY-MM-DD 格式的日期。", "field.date");
  if (*d > today)
    return Bad(key, std::string("'") + key + "' is in the future.", std::string(key) + " 不能是将来的日期。",
               "field.future_date");
  return *d;
}

Result<std::optional<Date>> OptDateField(const json& o, const char* key, Date today) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return std::optional<Date>{};
  EPERMIT_ASSIGN_OR_RETURN(Date d, DateField(o, key, today));
  return std::optional<Date>{d};
}

Result<MonthIndex> MonthField(const json& o, const char* key, Date today) {
  EPERMIT_ASSIGN_OR_RETURN(std::string s, Text(o, key, true, 7));
  auto m = ParseIsoMonth(s);
  if (!m)
    return Bad(key, std::string("'") + key + "' must be a month YYYY-MM.",
               std::string(key) + " 必须是 YYYY-MM 格式的月份。", "field.month");
  if (*m > MonthOf(today))
    return Bad(key, std::string("'") + key + "' is in the future.", std::string(key) + " 不能是将来的月份。",
               "field.future_date");
  return *m;
}

Result<std::string> CityField(const json& o) {
  EPERMIT_ASSIGN_OR_RETURN(std::string city, Text(o, "city", true, 6));
  if (!DivisionRegistry::Builtin().IsCurrentCity(city)) {
    return Bad("city", "'city' must be a current city-level division code.", "city 必须是现行的地市级行政区划代码。",
               "division.unknown");
  }
  return city;
}

template <typename T>
Result<T> EnumField(const json& o, const char* key, std::optional<T> (*parse)(std::string_view)) {
  EPERMIT_ASSIGN_OR_RETURN(std::string s, Text(o, key, true, 40));
  auto v = parse(s);
  if (!v)
    return Bad(key, std::string("'") + key + "' has an unknown value.", std::string(key) + " 的取值无效。",
               "field.enum");
  return *v;
}

// A JSON boolean; `fallback` when absent or null (or an error when `required`).
Result<bool> BoolField(const json& o, const char* key, bool fallback, bool required = false) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) {
    if (required)
      return Bad(key, std::string("Missing field '") + key + "'.", std::string("缺少字段 ") + key + "。",
                 "field.missing");
    return fallback;
  }
  if (!it->is_boolean())
    return Bad(key, std::string("'") + key + "' must be true or false.", std::string(key) + " 必须是 true 或 false。",
               "field.type");
  return it->get<bool>();
}

// A JSON integer (not a fraction, not a string) in [min, max]; nullopt when absent and optional.
Result<std::optional<int64_t>> IntField(const json& o, const char* key, int64_t min, int64_t max, bool required) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) {
    if (required)
      return Bad(key, std::string("Missing field '") + key + "'.", std::string("缺少字段 ") + key + "。",
                 "field.missing");
    return std::optional<int64_t>{};
  }
  if (!it->is_number_integer())
    return Bad(key, std::string("'") + key + "' must be a whole number.", std::string(key) + " 必须是整数。",
               "field.type");
  // Unsigned values above INT64_MAX are out of range, not wrapped.
  if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(max)) {
    return Bad(key, std::string("'") + key + "' is out of range.", std::string(key) + " 超出取值范围。", "field.range");
  }
  const int64_t v = it->get<int64_t>();
  if (v < min || v > max) {
    return Bad(
        key, std::string("'") + key + "' must be between " + std::to_string(min) + " and " + std::to_string(max) + ".",
        std::string(key) + " 必须在 " + std::to_string(min) + " 至 " + std::to_string(max) + " 之间。", "field.range");
  }
  return std::optional<int64_t>{v};
}

// A month range [from, to], both present, neither in the future, to not before from.
Status MonthPeriod(const json& o, Date today, MonthIndex& from, MonthIndex& to) {
  EPERMIT_ASSIGN_OR_RETURN(from, MonthField(o, "from", today));
  EPERMIT_ASSIGN_OR_RETURN(to, MonthField(o, "to", today));
  if (to < from) return Bad("to", "'to' is before 'from'.", "结束月份早于开始月份。", "field.period");
  return Status::Ok();
}

// A county-level division code that is current and lies in `city`.
Result<std::string> DistrictInCity(const json& o, const char* key, const std::string& city, bool required) {
  EPERMIT_ASSIGN_OR_RETURN(std::string code, Text(o, key, required, 6));
  if (code.empty()) return code;
  const auto& registry = DivisionRegistry::Builtin();
  const Division* d = registry.Find(code);
  if (d == nullptr || d->retired || d->level != Division::Level::kCounty || registry.CityOf(code) != city) {
    return Bad(key, std::string("'") + key + "' must be a current county-level division in the record's city.",
               std::string(key) + " 必须是该城市现行的县级行政区划代码。", "division.unknown");
  }
  return code;
}

// Another person's citizen ID, checked like the record's own.
Result<std::string> CitizenIdField(const json& o, const char* key, Date today) {
  EPERMIT_ASSIGN_OR_RETURN(std::string text, Text(o, key, true, 18));
  auto id = ParseCitizenId(text, today);
  if (!id.ok()) {
    Error e = id.error();
    e.field = key;
    return e;
  }
  return id->number;
}

bool IsCatalogueKey(const std::string& s) {
  if (s.empty() || s.size() > 40) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
  }
  return true;
}

constexpr int kFirstTaxYear = 1980;  // 个人所得税法 of 1980
constexpr int64_t kMaxTaxYuan = 1'000'000'000'000;

int YearOf(Date d) { return static_cast<int>(std::chrono::year_month_day{d}.year()); }

Status CheckPeriod(Date from, const std::optional<Date>& to) {
  if (to && *to < from) return Bad("to", "'to' is before 'from'.", "结束日期早于开始日期。", "field.period");
  return Status::Ok();
}

}  // namespace

RecordKind KindOf(const AnyRecord& r) {
  return std::visit(
      [](const auto& rec) -> RecordKind {
        using T = std::decay_t<decltype(rec)>;
        if constexpr (std::is_same_v<T, PersonRecord>)
          return RecordKind::kPerson;
        else if constexpr (std::is_same_v<T, HukouRecord>)
          return RecordKind::kHukou;
        else if constexpr (std::is_same_v<T, SocialInsuranceRecord>)
          return RecordKind::kSocialInsurance;
        else if constexpr (std::is_same_v<T, EmploymentRecord>)
          return RecordKind::kEmployment;
        else if constexpr (std::is_same_v<T, HousingRecord>)
          return RecordKind::kHousing;
        else if constexpr (std::is_same_v<T, EnrollmentRecord>)
          return RecordKind::kEnrollment;
        else if constexpr (std::is_same_v<T, HousingFundRecord>)
          return RecordKind::kHousingFund;
        else if constexpr (std::is_same_v<T, IncomeTaxRecord>)
          return RecordKind::kIncomeTax;
        else if constexpr (std::is_same_v<T, EducationRecord>)
          return RecordKind::kEducation;
        else if constexpr (std::is_same_v<T, QualificationRecord>)
          return RecordKind::kQualification;
        else if constexpr (std::is_same_v<T, HonourRecord>)
          return RecordKind::kHonour;
        else if constexpr (std::is_same_v<T, ViolationRecord>)
          return RecordKind::kViolation;
        else
          return RecordKind::kFamily;
      },
      r);
}

const RecordHeader& HeaderOf(const AnyRecord& r) {
  return std::visit([](const auto& rec) -> const RecordHeader& { return rec.h; }, r);
}

Result<AnyRecord> ParseRecord(const json& o, Date today) {
  if (!o.is_object())
    return Bad("", "A record must be a JSON object.", "每条记录必须是 JSON 对象。", "record.not_object");
  EPERMIT_ASSIGN_OR_RETURN(RecordKind kind, EnumField<RecordKind>(o, "kind", ParseRecordKind));
  RecordHeader h;
  EPERMIT_ASSIGN_OR_RETURN(std::string id_text, Text(o, "citizen_id", true, 18));
  auto id = ParseCitizenId(id_text, today);
  if (!id.ok()) {
    Error e = id.error();
    e.field = "citizen_id";
    return e;
  }
  h.citizen_id = id->number;
  EPERMIT_ASSIGN_OR_RETURN(h.source, Text(o, "source", true, 64));

  switch (kind) {
    case RecordKind::kPerson: {
      PersonRecord r{h, {}, {}};
      EPERMIT_ASSIGN_OR_RETURN(r.name, Text(o, "name", true, 64));
      EPERMIT_ASSIGN_OR_RETURN(r.ethnicity, Text(o, "ethnicity", true, 20));
      return AnyRecord(r);
    }
    case RecordKind::kHukou: {
      HukouRecord r{h, {}, {}};
      EPERMIT_ASSIGN_OR_RETURN(r.division_code, Text(o, "division_code", true, 6));
      if (!DivisionRegistry::Builtin().IsKnownForCitizenId(r.division_code)) {
        return Bad("division_code", "Unknown division code.", "行政区划代码无效。", "division.unknown");
      }
      EPERMIT_ASSIGN_OR_RETURN(r.address, Text(o, "address", true));
      return AnyRecord(r);
    }
    case RecordKind::kSocialInsurance: {
      SocialInsuranceRecord r;
      r.h = h;
      EPERMIT_ASSIGN_OR_RETURN(r.city, CityField(o));
      EPERMIT_ASSIGN_OR_RETURN(r.scheme, EnumField<InsuranceScheme>(o, "scheme", ParseInsuranceScheme));
      EPERMIT_ASSIGN_OR_RETURN(r.risk, EnumField<InsuranceRisk>(o, "risk", ParseInsuranceRisk));
      EPERMIT_RETURN_IF_ERROR(MonthPeriod(o, today, r.from_month, r.to_month));
      EPERMIT_ASSIGN_OR_RETURN(r.back_payment, BoolField(o, "back_payment", false));
      EPERMIT_ASSIGN_OR_RETURN(r.division_code, DistrictInCity(o, "division_code", r.city, false));
      EPERMIT_ASSIGN_OR_RETURN(auto ratio, IntField(o, "base_ratio_pct", 1, 1000, false));
      r.base_ratio_pct = static_cast<int>(ratio.value_or(0));
      return AnyRecord(r);
    }
    case RecordKind::kEmployment: {
      EmploymentRecord r;
      r.h = h;
      EPERMIT_ASSIGN_OR_RETURN(r.city, CityField(o));
      EPERMIT_ASSIGN_OR_RETURN(std::string uscc, Text(o, "employer_uscc", true, 18));
      auto code = ParseUscc(uscc);
      if (!code.ok()) {
        Error e = code.error();
        e.field = "employer_uscc";
        return e;
      }
      r.employer_uscc = *code;
      EPERMIT_ASSIGN_OR_RETURN(r.employer_name, Text(o, "employer_name", true));
      EPERMIT_ASSIGN_OR_RETURN(r.from, DateField(o, "from", today));
      EPERMIT_ASSIGN_OR_RETURN(r.to, OptDateField(o, "to", today));
      EPERMIT_RETURN_IF_ERROR(CheckPeriod(r.from, r.to));
      if (auto pt = o.find("post_type"); pt != o.end() && !pt->is_null()) {
        EPERMIT_ASSIGN_OR_RETURN(r.post_type, EnumField<PostType>(o, "post_type", ParsePostType));
      }
      return AnyRecord(r);
    }
    case RecordKind::kHousing: {
      HousingRecord r;
      r.h = h;
      EPERMIT_ASSIGN_OR_RETURN(r.city, CityField(o));
      EPERMIT_ASSIGN_OR_RETURN(r.division_code, Text(o, "division_code", true, 6));
      if (!DivisionRegistry::Builtin().IsCurrent(r.division_code) ||
          DivisionRegistry::Builtin().CityOf(r.division_code) != r.city) {
        return Bad("division_code", "'division_code' must be a current division in the record's city.",
                   "division_code 必须是该城市现行的行政区划代码。", "division.unknown");
      }
      EPERMIT_ASSIGN_OR_RETURN(r.tenure, EnumField<Tenure>(o, "tenure", ParseTenure));
      EPERMIT_ASSIGN_OR_RETURN(r.registration_no, Text(o, "registration_no", false, 64));
      EPERMIT_ASSIGN_OR_RETURN(r.from, DateField(o, "from", today));
      EPERMIT_ASSIGN_OR_RETURN(r.to, OptDateField(o, "to", today));
      EPERMIT_RETURN_IF_ERROR(CheckPeriod(r.from, r.to));
      return AnyRecord(r);
    }
    case RecordKind::kEnrollment: {
      EnrollmentRecord r;
      r.h = h;
      EPERMIT_ASSIGN_OR_RETURN(r.city, CityField(o));
      EPERMIT_ASSIGN_OR_RETURN(r.school, Text(o, "school", true));
      EPERMIT_ASSIGN_OR_RETURN(r.from, DateField(o, "from", today));
      EPERMIT_ASSIGN_OR_RETURN(r.to, OptDateField(o, "to", today));
      EPERMIT_RETURN_IF_ERROR(CheckPeriod(r.from, r.to));
      return AnyRecord(r);
    }
    case RecordKind::kHousingFund: {
      HousingFundRecord r;
      r.h = h;
      EPERMIT_ASSIGN_OR_RETURN(r.city, CityField(o));
      EPERMIT_RETURN_IF_ERROR(MonthPeriod(o, today, r.from_month, r.to_month));
      EPERMIT_ASSIGN_OR_RETURN(r.back_payment, BoolField(o, "back_payment", false));
      EPERMIT_ASSIGN_OR_RETURN(r.transferred_in, BoolField(o, "transferred_in", false));
      return AnyRecord(r);
    }
    case RecordKind::kIncomeTax: {
      IncomeTaxRecord r;
      r.h = h;
      EPERMIT_ASSIGN_OR_RETURN(r.city, CityField(o));
      EPERMIT_ASSIGN_OR_RETURN(auto year, IntField(o, "year", kFirstTaxYear, 9999, true));
      if (*year > YearOf(today))
        return Bad("year", "'year' is in the future.", "year 不能是将来的年份。", "field.future_date");
      r.year = static_cast<int>(*year);
      EPERMIT_ASSIGN_OR_RETURN(auto yuan, IntField(o, "yuan", 0, kMaxTaxYuan, true));
      r.yuan = *yuan;
      return AnyRecord(r);
    }
    case RecordKind::kEducation: {
      EducationRecord r;
      r.h = h;
      EPERMIT_ASSIGN_OR_RETURN(r.level, EnumField<EducationLevel>(o, "level", ParseEducationLevel));
      EPERMIT_ASSIGN_OR_RETURN(r.diploma, BoolField(o, "diploma", true));
      EPERMIT_ASSIGN_OR_RETURN(r.degree, BoolField(o, "degree", false, true));
      EPERMIT_ASSIGN_OR_RETURN(r.completed_on, DateField(o, "completed_on", today));
      EPERMIT_ASSIGN_OR_RETURN(r.full_time, BoolField(o, "full_time", true));
      EPERMIT_ASSIGN_OR_RETURN(r.shortage_major, BoolField(o, "shortage_major", false));
      if (!r.diploma && !r.degree)
        return Bad("degree", "An education record needs a diploma, a degree or both.", "学历和学位至少应有一项。",
                   "education.empty");
      return AnyRecord(r);
    }
    case RecordKind::kQualification: {
      QualificationRecord r;
      r.h = h;
      // "type", because "kind" names the record kind.
      EPERMIT_ASSIGN_OR_RETURN(r.kind, EnumField<QualificationKind>(o, "type", ParseQualificationKind));
      EPERMIT_ASSIGN_OR_RETURN(auto level, IntField(o, "level", 1, r.kind == QualificationKind::kSkill ? 5 : 3, true));
      r.level = static_cast<int>(*level);
      EPERMIT_ASSIGN_OR_RETURN(r.obtained_on, DateField(o, "obtained_on", today));
      EPERMIT_ASSIGN_OR_RETURN(r.city, CityField(o));
      return AnyRecord(r);
    }
    case RecordKind::kHonour: {
      HonourRecord r;
      r.h = h;
      EPERMIT_ASSIGN_OR_RETURN(r.level, Text(o, "level", true, 40));
      if (!IsCatalogueKey(r.level))
        return Bad("level", "'level' must be a catalogue key of a-z and '_' (at most 40).",
                   "level 必须是由小写字母和下划线组成的目录键（不超过 40 个字符）。", "field.format");
      EPERMIT_ASSIGN_OR_RETURN(r.title, Text(o, "title", true));
      EPERMIT_ASSIGN_OR_RETURN(r.awarded_on, DateField(o, "awarded_on", today));
      return AnyRecord(r);
    }
    case RecordKind::kViolation: {
      ViolationRecord r;
      r.h = h;
      EPERMIT_ASSIGN_OR_RETURN(r.kind, EnumField<ViolationKind>(o, "type", ParseViolationKind));
      EPERMIT_ASSIGN_OR_RETURN(r.city, CityField(o));
      EPERMIT_ASSIGN_OR_RETURN(r.on, DateField(o, "on", today));
      return AnyRecord(r);
    }
    case RecordKind::kFamily: {
      FamilyRecord r;
      r.h = h;
      EPERMIT_ASSIGN_OR_RETURN(r.relation, EnumField<FamilyRelation>(o, "relation", ParseFamilyRelation));
      EPERMIT_ASSIGN_OR_RETURN(r.member_citizen_id, CitizenIdField(o, "member_citizen_id", today));
      if (r.member_citizen_id == h.citizen_id)
        return Bad("member_citizen_id", "'member_citizen_id' is the person's own ID number.",
                   "member_citizen_id 不能是本人的身份号码。", "family.self");
      EPERMIT_ASSIGN_OR_RETURN(r.since, DateField(o, "since", today));
      const Date member_birth = ParseCitizenId(r.member_citizen_id, today)->birth_date;
      if (r.relation == FamilyRelation::kChild && r.since != member_birth) {
        return Bad("since", "For a child, 'since' must be the birth date in the child's ID number.",
                   "子女记录的 since 必须是其身份号码中的出生日期。", "family.birth_date");
      }
      // A parent younger than this at the birth is a data-entry error, not a family
      // (adoption law sets the adopter's minimum age far higher).
      constexpr int kMinParentAge = 12;
      if (r.relation == FamilyRelation::kChild && member_birth < AddYears(id->birth_date, kMinParentAge)) {
        return Bad("member_citizen_id",
                   "The child's birth date (" + FormatIsoDate(member_birth) + ") is not at least " +
                       std::to_string(kMinParentAge) + " years after the parent's (" + FormatIsoDate(id->birth_date) +
                       ").",
                   "子女出生日期（" + FormatIsoDate(member_birth) + "）应晚于本人出生日期（" +
                       FormatIsoDate(id->birth_date) + "）至少" + std::to_string(kMinParentAge) + "年。",
                   "family.child_age");
      }
      if (r.relation == FamilyRelation::kSpouse && (r.since < member_birth || r.since < id->birth_date)) {
        return Bad("since", "The marriage date is before a spouse was born.", "结婚日期早于配偶一方的出生日期。",
                   "field.period");
      }
      EPERMIT_ASSIGN_OR_RETURN(r.hukou_division_code, Text(o, "hukou_division_code", true, 6));
      if (!DivisionRegistry::Builtin().IsKnownForCitizenId(r.hukou_division_code) ||
          DivisionRegistry::Builtin().CityOf(r.hukou_division_code).empty()) {
        return Bad("hukou_division_code", "Unknown division code.", "行政区划代码无效。", "division.unknown");
      }
      return AnyRecord(r);
    }
  }
  return InternalError("unhandled record kind");
}

json RecordToJson(const AnyRecord& any) {
  json o;
  const RecordHeader& h = HeaderOf(any);
  o["kind"] = ToString(KindOf(any));
  o["citizen_id"] = h.citizen_id;
  o["source"] = h.source;
  auto opt_date = [](const std::optional<Date>& d) { return d ? json(FormatIsoDate(*d)) : json(nullptr); };
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, PersonRecord>) {
          o["name"] = r.name;
          o["ethnicity"] = r.ethnicity;
        } else if constexpr (std::is_same_v<T, HukouRecord>) {
          o["division_code"] = r.division_code;
          o["address"] = r.address;
        } else if constexpr (std::is_same_v<T, SocialInsuranceRecord>) {
          o["city"] = r.city;
          o["scheme"] = ToString(r.scheme);
          o["risk"] = ToString(r.risk);
          o["from"] = FormatIsoMonth(r.from_month);
          o["to"] = FormatIsoMonth(r.to_month);
          o["back_payment"] = r.back_payment;
          // Optional members only when stated, so records stored before they existed keep
          // the same canonical text (an exact resend is recognised as a duplicate).
          if (!r.division_code.empty()) o["division_code"] = r.division_code;
          if (r.base_ratio_pct > 0) o["base_ratio_pct"] = r.base_ratio_pct;
        } else if constexpr (std::is_same_v<T, EmploymentRecord>) {
          o["city"] = r.city;
          o["employer_uscc"] = r.employer_uscc;
          o["employer_name"] = r.employer_name;
          o["from"] = FormatIsoDate(r.from);
          o["to"] = opt_date(r.to);
          if (r.post_type) o["post_type"] = ToString(*r.post_type);
        } else if constexpr (std::is_same_v<T, HousingRecord>) {
          o["city"] = r.city;
          o["division_code"] = r.division_code;
          o["tenure"] = ToString(r.tenure);
          o["registration_no"] = r.registration_no;
          o["from"] = FormatIsoDate(r.from);
          o["to"] = opt_date(r.to);
        } else if constexpr (std::is_same_v<T, EnrollmentRecord>) {
          o["city"] = r.city;
          o["school"] = r.school;
          o["from"] = FormatIsoDate(r.from);
          o["to"] = opt_date(r.to);
        } else if constexpr (std::is_same_v<T, HousingFundRecord>) {
          o["city"] = r.city;
          o["from"] = FormatIsoMonth(r.from_month);
          o["to"] = FormatIsoMonth(r.to_month);
          o["back_payment"] = r.back_payment;
          o["transferred_in"] = r.transferred_in;
        } else if constexpr (std::is_same_v<T, IncomeTaxRecord>) {
          o["city"] = r.city;
          o["year"] = r.year;
          o["yuan"] = r.yuan;
        } else if constexpr (std::is_same_v<T, EducationRecord>) {
          o["level"] = ToString(r.level);
          o["diploma"] = r.diploma;
          o["degree"] = r.degree;
          o["completed_on"] = FormatIsoDate(r.completed_on);
          o["full_time"] = r.full_time;
          o["shortage_major"] = r.shortage_major;
        } else if constexpr (std::is_same_v<T, QualificationRecord>) {
          o["type"] = ToString(r.kind);
          o["level"] = r.level;
          o["obtained_on"] = FormatIsoDate(r.obtained_on);
          o["city"] = r.city;
        } else if constexpr (std::is_same_v<T, HonourRecord>) {
          o["level"] = r.level;
          o["title"] = r.title;
          o["awarded_on"] = FormatIsoDate(r.awarded_on);
        } else if constexpr (std::is_same_v<T, ViolationRecord>) {
          o["type"] = ToString(r.kind);
          o["city"] = r.city;
          o["on"] = FormatIsoDate(r.on);
        } else {
          static_assert(std::is_same_v<T, FamilyRecord>);
          o["relation"] = ToString(r.relation);
          o["member_citizen_id"] = r.member_citizen_id;
          o["since"] = FormatIsoDate(r.since);
          o["hukou_division_code"] = r.hukou_division_code;
        }
      },
      any);
  return o;
}

Status AddToBundle(RecordBundle& bundle, int64_t id, const json& obj) {
  // Stored records were validated on the way in; re-parse with a far-future "today"
  // so records stay readable whatever the clock says.
  auto parsed = ParseRecord(obj, MakeDate(9999, 12, 31));
  if (!parsed.ok()) return InternalError("stored record " + std::to_string(id) + " is invalid");
  std::visit(
      [&](auto rec) {
        rec.h.id = id;
        using T = std::decay_t<decltype(rec)>;
        if constexpr (std::is_same_v<T, PersonRecord>)
          bundle.persons.push_back(std::move(rec));
        else if constexpr (std::is_same_v<T, HukouRecord>)
          bundle.hukou.push_back(std::move(rec));
        else if constexpr (std::is_same_v<T, SocialInsuranceRecord>)
          bundle.social_insurance.push_back(std::move(rec));
        else if constexpr (std::is_same_v<T, EmploymentRecord>)
          bundle.employment.push_back(std::move(rec));
        else if constexpr (std::is_same_v<T, HousingRecord>)
          bundle.housing.push_back(std::move(rec));
        else if constexpr (std::is_same_v<T, EnrollmentRecord>)
          bundle.enrollment.push_back(std::move(rec));
        else if constexpr (std::is_same_v<T, HousingFundRecord>)
          bundle.housing_fund.push_back(std::move(rec));
        else if constexpr (std::is_same_v<T, IncomeTaxRecord>)
          bundle.income_tax.push_back(std::move(rec));
        else if constexpr (std::is_same_v<T, EducationRecord>)
          bundle.education.push_back(std::move(rec));
        else if constexpr (std::is_same_v<T, QualificationRecord>)
          bundle.qualifications.push_back(std::move(rec));
        else if constexpr (std::is_same_v<T, HonourRecord>)
          bundle.honours.push_back(std::move(rec));
        else if constexpr (std::is_same_v<T, ViolationRecord>)
          bundle.violations.push_back(std::move(rec));
        else
          bundle.family.push_back(std::move(rec));
      },
      std::move(parsed).value());
  return Status::Ok();
}

Status AddStoredToBundle(RecordBundle& bundle, int64_t id, std::string_view stored_json) {
  return AddToBundle(bundle, id, json::parse(stored_json, nullptr, false));
}

}  // namespace epermit::domain
