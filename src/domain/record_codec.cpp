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

Result<std::optional<Date>> OptDateField(const json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return std::optional<Date>{};
  EPERMIT_ASSIGN_OR_RETURN(std::string s, Text(o, key, true, 10));
  auto d = ParseIsoDate(s);
  if (!d)
    return Bad(key, std::string("'") + key + "' must be a date YYYY-MM-DD.",
               std::string(key) + " 必须是 YYYY-MM-DD 格式的日期。", "field.date");
  return std::optional<Date>{*d};
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
  const Division* d = DivisionRegistry::Builtin().Find(city);
  if (d == nullptr || d->retired || DivisionRegistry::Builtin().CityOf(city) != city) {
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
        else
          return RecordKind::kEnrollment;
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
      EPERMIT_ASSIGN_OR_RETURN(r.from_month, MonthField(o, "from", today));
      EPERMIT_ASSIGN_OR_RETURN(r.to_month, MonthField(o, "to", today));
      if (r.to_month < r.from_month)
        return Bad("to", "'to' is before 'from'.", "结束月份早于开始月份。", "field.period");
      auto bp = o.find("back_payment");
      if (bp != o.end() && !bp->is_null()) {
        if (!bp->is_boolean())
          return Bad("back_payment", "'back_payment' must be true or false.", "back_payment 必须是 true 或 false。",
                     "field.type");
        r.back_payment = bp->get<bool>();
      }
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
      EPERMIT_ASSIGN_OR_RETURN(r.to, OptDateField(o, "to"));
      EPERMIT_RETURN_IF_ERROR(CheckPeriod(r.from, r.to));
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
      EPERMIT_ASSIGN_OR_RETURN(r.to, OptDateField(o, "to"));
      EPERMIT_RETURN_IF_ERROR(CheckPeriod(r.from, r.to));
      return AnyRecord(r);
    }
    case RecordKind::kEnrollment: {
      EnrollmentRecord r;
      r.h = h;
      EPERMIT_ASSIGN_OR_RETURN(r.city, CityField(o));
      EPERMIT_ASSIGN_OR_RETURN(r.school, Text(o, "school", true));
      EPERMIT_ASSIGN_OR_RETURN(r.from, DateField(o, "from", today));
      EPERMIT_ASSIGN_OR_RETURN(r.to, OptDateField(o, "to"));
      EPERMIT_RETURN_IF_ERROR(CheckPeriod(r.from, r.to));
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
        } else if constexpr (std::is_same_v<T, EmploymentRecord>) {
          o["city"] = r.city;
          o["employer_uscc"] = r.employer_uscc;
          o["employer_name"] = r.employer_name;
          o["from"] = FormatIsoDate(r.from);
          o["to"] = opt_date(r.to);
        } else if constexpr (std::is_same_v<T, HousingRecord>) {
          o["city"] = r.city;
          o["division_code"] = r.division_code;
          o["tenure"] = ToString(r.tenure);
          o["registration_no"] = r.registration_no;
          o["from"] = FormatIsoDate(r.from);
          o["to"] = opt_date(r.to);
        } else {
          o["city"] = r.city;
          o["school"] = r.school;
          o["from"] = FormatIsoDate(r.from);
          o["to"] = opt_date(r.to);
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
        else
          bundle.enrollment.push_back(std::move(rec));
      },
      std::move(parsed).value());
  return Status::Ok();
}

}  // namespace epermit::domain
