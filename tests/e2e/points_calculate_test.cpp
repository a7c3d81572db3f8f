// POST /api/v1/points/calculate over HTTP: the shipped example profiles scored and explained
// like a person's own points, defaults for city and date, every bad request as a problem
// naming the field, and nothing stored or logged.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <sstream>

#include "http/http_client.hpp"
#include "support/resident_builder.hpp"

namespace epermit::testing {
namespace {

using nlohmann::json;

json Example(const std::string& name) {
  const auto path = std::filesystem::path(SourcePoliciesDir()).parent_path() / "docs" / "examples" /
                    ("points-profile-" + name + ".json");
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str(), nullptr, false);
}

const json* Line(const json& report, const std::string& id) {
  for (const json& line : report["indicators"]) {
    if (line["id"] == id) return &line;
  }
  return nullptr;
}

class PointsCalculateTest : public CityFixture {
 protected:
  void SetUp() override {
    SetUpCity("310000", MakeDate(2026, 11, 15));
    ASSERT_TRUE(app_->Start().ok());
    port_ = app_->port();
    // Something stored beforehand, so "unchanged" means more than "still empty".
    ResidentSpec s;
    s.citizen_id = MakeCitizenId("360426", "19880808", 91);
    AddResident(*app_, s);
  }
  void TearDown() override { app_->Stop(); }

  ClientResponse Calculate(const std::string& body) {
    return Api("POST", "/api/v1/points/calculate", body, {{"Content-Type", "application/json"}});
  }
  ClientResponse Calculate(const json& body) { return Calculate(body.dump()); }

  uint16_t port_ = 0;
};

TEST_F(PointsCalculateTest, ScoresAProfileExplainedAndStoresNothing) {
  const json profile = Example("shanghai");
  ASSERT_TRUE(profile.is_object());
  const std::string before = DumpTables(db_path());
  ClientResponse r = Calculate(json{{"city", "310000"}, {"date", "2026-04-01"}, {"profile", profile}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(before, DumpTables(db_path())) << "the calculator stored something";
  const json j = r.Json();
  EXPECT_EQ(j["city"], "310000");
  EXPECT_EQ(j["date"], "2026-04-01");
  EXPECT_EQ(j["as_of"], "2026-04-01");
  EXPECT_EQ(j["policy_version"], "310000-2023.1");
  EXPECT_FALSE(j.contains("citizen_id"));
  EXPECT_TRUE(j["eligible"].get<bool>()) << j["preconditions"].dump(1);
  // Worked out in tests/policy/profile_test.cpp: 30 + 100 + 18 + 50 + 10 + 24.
  EXPECT_EQ(j["total"], "232");
  EXPECT_TRUE(j["meets_pass_mark"].get<bool>());
  const json* si = Line(j, "social_insurance_years");
  ASSERT_NE(si, nullptr);
  EXPECT_EQ((*si)["quantity"]["value"], 72);
  EXPECT_EQ((*si)["points"], "18");
  ASSERT_FALSE((*si)["quantity"]["facts"].empty());
  EXPECT_EQ((*si)["quantity"]["facts"][0]["ref"], "profile");
  EXPECT_EQ((*si)["quantity"]["facts"][0]["what"], "employee pension 32 months to 2022-12 in 310117");
  const json* spouse = Line(j, "spouse");
  ASSERT_NE(spouse, nullptr);
  EXPECT_EQ((*spouse)["points"], "24");
  EXPECT_EQ((*spouse)["quantity"]["facts"][0]["ref"], "profile");
}

TEST_F(PointsCalculateTest, DefaultsToTheNodesCityAndToday) {
  ClientResponse r = Calculate(json{{"profile", Example("shanghai")}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["city"], "310000");
  EXPECT_EQ(r.Json()["date"], "2026-11-15");
}

TEST_F(PointsCalculateTest, AnotherCitysTableAndNotEligibleIsStillAnAnswer) {
  ClientResponse bj = Calculate(json{{"city", "110000"}, {"date", "2026-04-01"}, {"profile", Example("beijing")}});
  ASSERT_EQ(bj.status, 200) << bj.body;
  EXPECT_EQ(bj.Json()["as_of"], "2025-12-31");
  EXPECT_TRUE(bj.Json()["eligible"].get<bool>());
  EXPECT_EQ(bj.Json()["total"], "73.83");
  EXPECT_EQ(bj.Json()["total_exact"], "443/6");

  json profile = Example("beijing");
  profile["social_insurance"]["employee"]["continuous_months"] = 83;  // one month short of 7 years
  ClientResponse short_run = Calculate(json{{"city", "110000"}, {"date", "2026-04-01"}, {"profile", profile}});
  ASSERT_EQ(short_run.status, 200) << short_run.body;
  EXPECT_FALSE(short_run.Json()["eligible"].get<bool>());
}

TEST_F(PointsCalculateTest, BadRequestsAreProblemsNamingTheFieldAndStoreNothing) {
  json too_many = Example("shanghai");
  too_many["social_insurance"]["employee"]["months"] = 1300;
  json bad_district = Example("shanghai");
  bad_district["homes"]["rented"]["district"] = "110105";
  json bad_title = Example("shanghai");
  bad_title["qualifications"][0]["level"] = 4;
  struct Case {
    std::string body;
    int status;
    const char* code;
    const char* field;
  };
  const Case cases[] = {
      {json{{"profile", too_many}}.dump(), 422, "profile.invalid", "profile.social_insurance.employee.months"},
      {json{{"profile", bad_district}}.dump(), 422, "profile.invalid", "profile.homes.rented.district"},
      {json{{"profile", bad_title}}.dump(), 422, "profile.invalid", "profile.qualifications[0].level"},
      {json{{"profile", json::object()}}.dump(), 422, "profile.invalid", "profile.birth_date"},
      {json{{"profile", json::array()}}.dump(), 422, "field.type", "profile"},
      {json{{"city", "310000"}}.dump(), 422, "field.missing", "profile"},
      {json{{"profile", Example("shanghai")}, {"citizen_id", "x"}}.dump(), 422, "field.unknown", "citizen_id"},
      {json{{"profile", Example("shanghai")}, {"date", "2026-13-01"}}.dump(), 422, "points.bad_date", "date"},
      {json{{"profile", Example("shanghai")}, {"date", "2027-01-01"}}.dump(), 422, "points.bad_date", "date"},
      {json{{"profile", Example("shanghai")}, {"city", "310101"}}.dump(), 422, "points.bad_city", "city"},
      {json{{"profile", Example("shanghai")}, {"recognition", "yes"}}.dump(), 422, "field.type", "recognition"},
      {json{{"profile", Example("shanghai")}, {"city", "440300"}}.dump(), 404, "points.no_table", "date"},
      {"{\"profile\": {", 400, "json.malformed", ""},
      {"", 400, "json.empty", ""},
      {"[]", 400, "json.not_object", ""},
      {"{\"profile\":" + std::string(40, '[') + std::string(40, ']') + "}", 400, "json.too_deep", ""},
      {"{\"profile\": {\"honours\": [\"" + std::string(70 * 1024, 'a') + "\"]}}", 413, "request.too_large", ""},
  };
  const std::string before = DumpTables(db_path());
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body.substr(0, 200));
    ClientResponse r = Calculate(c.body);
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_EQ(r.Header("Content-Type"), "application/problem+json");
    const json p = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(p.is_object()) << r.body;
    EXPECT_EQ(p.value("code", ""), c.code) << r.body;
    EXPECT_EQ(p.value("field", ""), c.field) << r.body;
    EXPECT_FALSE(p.value("message_zh", "").empty());
  }
  EXPECT_EQ(before, DumpTables(db_path())) << "a refused calculation stored something";
}

TEST_F(PointsCalculateTest, NeitherTheProfileNorTheAnswerIsLogged) {
  std::ostringstream captured;
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);

  json profile = Example("shanghai");
  profile["birth_date"] = "1979-02-27";
  profile["spouse"]["married_on"] = "2004-08-19";
  profile["honours"] = json::array({"unlikely_honour_key_4711"});
  ClientResponse ok = Calculate(json{{"date", "2026-04-01"}, {"profile", profile}});
  json bad = profile;
  bad["violations"] = json::array({json{{"type", "detention"}, {"on", "2025-06-30"}, {"where", "x"}}});
  ClientResponse refused = Calculate(json{{"profile", bad}});
  spdlog::set_default_logger(previous);

  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(refused.status, 422) << refused.body;
  const std::string log = captured.str();
  EXPECT_NE(log.find("/api/v1/points/calculate"), std::string::npos) << "the access log works:\n" << log;
  for (const char* secret : {"1979-02-27", "2004-08-19", "unlikely_honour_key_4711", "2025-06-30"}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "log contains " << secret << ":\n" << log;
  }
}

}  // namespace
}  // namespace epermit::testing
