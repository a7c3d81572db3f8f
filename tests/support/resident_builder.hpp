// Builds one resident's department records and registration for tests, with sensible
// defaults that a test changes one at a time.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/city_fixture.hpp"

namespace epermit::testing {

struct ResidentSpec {
  std::string citizen_id;
  std::string name = "张伟";
  std::string city = "310000";
  std::string district = "310101";
  std::string hukou_division = "360426";  // 江西 德安县
  bool person_record = true;
  bool hukou_record = true;
  bool employment_record = true;
  bool housing_record = true;
  bool enrollment_record = false;
  std::string basis = "employment";
  int registered_months_ago = 8;
  int si_months = 8;     // consecutive months up to and including the current month
  int si_skip_last = 0;  // leave out the most recent N months
  bool si_back_payment = false;
  std::string si_scheme = "employee";
};

inline std::vector<nlohmann::json> RecordsFor(const ResidentSpec& s, Date today) {
  using nlohmann::json;
  std::vector<json> out;
  if (s.person_record) {
    out.push_back(
        {{"kind", "person"}, {"citizen_id", s.citizen_id}, {"source", "gaj"}, {"name", s.name}, {"ethnicity", "汉"}});
  }
  if (s.hukou_record) {
    out.push_back({{"kind", "hukou"},
                   {"citizen_id", s.citizen_id},
                   {"source", "gaj"},
                   {"division_code", s.hukou_division},
                   {"address", "宝塔乡1号"}});
  }
  const Date since = AddMonths(today, -s.registered_months_ago);
  if (s.employment_record) {
    out.push_back({{"kind", "employment"},
                   {"citizen_id", s.citizen_id},
                   {"source", "rsj"},
                   {"city", s.city},
                   {"employer_uscc", kShanghaiEmployer},
                   {"employer_name", "测试有限公司"},
                   {"from", FormatIsoDate(since)},
                   {"to", nullptr}});
  }
  if (s.housing_record) {
    out.push_back({{"kind", "housing"},
                   {"citizen_id", s.citizen_id},
                   {"source", "zjw"},
                   {"city", s.city},
                   {"division_code", s.district},
                   {"tenure", "rented"},
                   {"registration_no", "ZL1"},
                   {"from", FormatIsoDate(since)},
                   {"to", nullptr}});
  }
  if (s.enrollment_record) {
    out.push_back({{"kind", "enrollment"},
                   {"citizen_id", s.citizen_id},
                   {"source", "jyj"},
                   {"city", s.city},
                   {"school", "实验小学"},
                   {"from", FormatIsoDate(since)},
                   {"to", nullptr}});
  }
  if (s.si_months > 0) {
    const MonthIndex last = MonthOf(today) - s.si_skip_last;
    out.push_back({{"kind", "social_insurance"},
                   {"citizen_id", s.citizen_id},
                   {"source", "rsj"},
                   {"city", s.city},
                   {"scheme", s.si_scheme},
                   {"risk", "pension"},
                   {"from", FormatIsoMonth(last - s.si_months + 1)},
                   {"to", FormatIsoMonth(last)},
                   {"back_payment", s.si_back_payment}});
  }
  return out;
}

// Imports the records and registers the resident (back-dated as the spec says).
inline domain::Registration AddResident(app::App& app, const ResidentSpec& s) {
  const Date today = app.context().clock->Today();
  std::vector<service::RecordLineError> errors;
  auto imported = app.records().Import(RecordsFor(s, today), {"test"}, &errors);
  EXPECT_TRUE(imported.ok()) << (errors.empty() ? imported.error().message_en : errors[0].error.message_en);
  service::RegistrationInput in{s.citizen_id,
                                s.name,
                                "13800138000",
                                s.district,
                                "人民路1号",
                                s.basis,
                                s.basis == "employment" ? kShanghaiEmployer : "",
                                s.basis == "study" ? "实验小学" : "",
                                AddMonths(today, -s.registered_months_ago)};
  auto reg = app.registrations().Register(in, {"test"});
  EXPECT_TRUE(reg.ok()) << reg.error().message_en;
  return reg.ok() ? *reg : domain::Registration{};
}

inline service::ApplicationInput ApplyFor(const ResidentSpec& s) {
  return {s.citizen_id, "", s.name, "汉", "photo:test", std::nullopt};
}

}  // namespace epermit::testing
