// GET /api/v1/people/{citizen_id}/points over HTTP: an explained Shanghai score from the
// node's own ledger, another city's table for the same person, and every bad query as a
// problem that names the field and never the citizen ID.
#include <gtest/gtest.h>

#include "http/http_client.hpp"
#include "support/resident_builder.hpp"

namespace epermit::testing {
namespace {

using nlohmann::json;

class PointsApiTest : public CityFixture {
 protected:
  void SetUp() override {
    SetUpCity("310000", MakeDate(2026, 11, 15));
    ASSERT_TRUE(app_->Start().ok());
    port_ = app_->port();
  }
  void TearDown() override { app_->Stop(); }

  ClientResponse Points(const std::string& id, const std::string& query = "") {
    return Api("GET", "/api/v1/people/" + id + "/points" + query);
  }

  // A permit holder born 1988-08-08 with a bachelor's degree and 8 months of Shanghai
  // employee insurance up to this month.
  std::string Holder() {
    ResidentSpec s;
    s.citizen_id = MakeCitizenId("360426", "19880808", 91);
    AddResident(*app_, s);
    ClientResponse issued = Api("POST", "/api/v1/applications",
                                json{{"citizen_id", s.citizen_id}, {"name", s.name}, {"photo_ref", "p"}}.dump(),
                                {{"Content-Type", "application/json"}});
    EXPECT_EQ(issued.status, 201) << issued.body;
    const json edu = {{"kind", "education"}, {"citizen_id", s.citizen_id},  {"source", "jyb"}, {"level", "bachelor"},
                      {"degree", true},      {"completed_on", "2010-07-01"}};
    ClientResponse imported =
        Api("POST", "/api/v1/records", edu.dump() + "\n", {{"Content-Type", "application/x-ndjson"}});
    EXPECT_EQ(imported.status, 201) << imported.body;
    return s.citizen_id;
  }

  uint16_t port_ = 0;
};

const json* Line(const json& report, const std::string& id) {
  for (const json& line : report["indicators"]) {
    if (line["id"] == id) return &line;
  }
  return nullptr;
}

TEST_F(PointsApiTest, ShanghaiScoreIsExplainedFromTheNodesOwnRecords) {
  const std::string id = Holder();
  ClientResponse r = Points(id);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find(id), std::string::npos) << "unmasked citizen ID in the answer";
  const json j = r.Json();
  EXPECT_EQ(j["citizen_id"], domain::MaskCitizenId(id));
  EXPECT_EQ(j["city"], "310000");
  EXPECT_EQ(j["date"], "2026-11-15");
  EXPECT_EQ(j["policy_version"], "310000-2023.1");
  EXPECT_TRUE(j["eligible"].get<bool>()) << j["preconditions"].dump(1);
  // Age 38 → 30; bachelor with degree 90 (no title: the higher is education); 8 months of
  // insurance make no full year → 0. Total 120 = the standard score.
  EXPECT_EQ(j["total"], "120");
  EXPECT_EQ(j["total_exact"], "120");
  EXPECT_EQ(j["pass_mark"], "120");
  EXPECT_TRUE(j["meets_pass_mark"].get<bool>());
  const json* age = Line(j, "age");
  ASSERT_NE(age, nullptr);
  EXPECT_EQ((*age)["points"], "30");
  EXPECT_EQ((*age)["quantity"]["value"], 38);
  const json* edu = Line(j, "education_or_qualification");
  ASSERT_NE(edu, nullptr);
  EXPECT_EQ((*edu)["points"], "90");
  EXPECT_TRUE((*edu)["members"][0]["counted"].get<bool>());
  EXPECT_FALSE((*edu)["members"][1]["counted"].get<bool>());
  const std::string ref = (*edu)["members"][0]["quantity"]["facts"][0]["ref"];
  EXPECT_EQ(ref.rfind("education#", 0), 0u) << ref;
  const json* si = Line(j, "social_insurance_years");
  ASSERT_NE(si, nullptr);
  EXPECT_EQ((*si)["points"], "0");
  EXPECT_EQ((*si)["quantity"]["value"], 8);
  EXPECT_NE((*si)["arithmetic"].get<std::string>().find("0 full years"), std::string::npos) << si->dump();
  EXPECT_EQ(j["recognition"]["applied"], false);  // Shanghai counts only its own months
}

TEST_F(PointsApiTest, AnotherCitysTableAndAnEarlierDate) {
  const std::string id = Holder();
  ClientResponse bj = Points(id, "?city=110000&date=2026-06-01");
  ASSERT_EQ(bj.status, 200) << bj.body;
  const json j = bj.Json();
  EXPECT_EQ(j["policy_version"], "110000-2020.1");
  EXPECT_EQ(j["as_of"], "2025-12-31");
  EXPECT_FALSE(j["eligible"].get<bool>());  // no Beijing permit, no 7 years in Beijing
  EXPECT_EQ(j["preconditions"][0]["id"], "permit");
  EXPECT_FALSE(j["preconditions"][0]["met"].get<bool>());
  EXPECT_TRUE(j["pass_mark"].is_null());
}

TEST_F(PointsApiTest, BadQueriesAreProblemsNamingTheField) {
  const std::string id = Holder();
  struct Case {
    std::string query;
    int status;
    const char* code;
    const char* field;
  };
  const Case cases[] = {
      {"?date=2026-13-01", 400, "points.bad_date", "date"},
      {"?date=2027-01-01", 400, "points.bad_date", "date"},
      {"?city=999999", 400, "points.bad_city", "city"},
      {"?city=310101", 400, "points.bad_city", "city"},  // a district, not a city
      {"?recognition=maybe", 400, "points.bad_recognition", "recognition"},
      {"?city=440300", 404, "points.no_table", "date"},  // Shenzhen has no table encoded
      {"?city=310000&date=2022-06-01", 404, "policy.not_in_force", "city"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.query);
    ClientResponse r = Points(id, c.query);
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_EQ(r.Header("Content-Type"), "application/problem+json");
    EXPECT_EQ(r.Json()["code"], c.code);
    EXPECT_EQ(r.Json()["field"], c.field);
    EXPECT_EQ(r.body.find(id), std::string::npos);
  }
  const std::string unknown = MakeCitizenId("360426", "19900101", 93);
  EXPECT_EQ(Points(unknown).status, 404);
  EXPECT_EQ(Points("not-an-id").status, 400);
}

}  // namespace
}  // namespace epermit::testing
