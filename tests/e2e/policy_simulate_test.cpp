// POST /api/v1/policy/simulate over HTTP: a draft Shanghai table applied to the node's
// residents (one losing eligibility, one newly passing the mark, one never eligible), masked
// samples, every bad request as a problem naming the field, and nothing written.
#include <gtest/gtest.h>

#include "http/http_client.hpp"
#include "service/simulation_service.hpp"
#include "support/resident_builder.hpp"

namespace epermit::testing {
namespace {

using nlohmann::json;

class PolicySimulateTest : public CityFixture {
 protected:
  void SetUp() override {
    SetUpCity("310000", MakeDate(2026, 11, 15));
    ASSERT_TRUE(app_->Start().ok());
    port_ = app_->port();
    // Eight months of insurance: eligible under 6-of-12, not under 12-of-12.
    eight_ = Holder(MakeCitizenId("360426", "19880808", 91), 8);
    // Two years: eligible under both; passes a mark of 30, not 120.
    two_years_ = Holder(MakeCitizenId("360426", "19900101", 93), 24);
    // Registered, no permit applied for: eligible under neither.
    ResidentSpec s;
    s.citizen_id = MakeCitizenId("360426", "19920202", 95);
    AddResident(*app_, s);
    unregistered_ = s.citizen_id;
    // Signed in before any "nothing changed" snapshot.
    RoleToken(domain::Role::kPolicyAdmin);
    RoleToken(domain::Role::kReviewer);
  }
  void TearDown() override { app_->Stop(); }

  std::string Holder(const std::string& id, int si_months) {
    ResidentSpec s;
    s.citizen_id = id;
    s.si_months = si_months;
    s.registered_months_ago = si_months;
    AddResident(*app_, s);
    ClientResponse issued =
        Api("POST", "/api/v1/applications", json{{"citizen_id", id}, {"name", s.name}, {"photo_ref", "p"}}.dump(),
            {{"Content-Type", "application/json"}});
    EXPECT_EQ(issued.status, 201) << issued.body;
    return id;
  }

  ClientResponse Simulate(const std::string& body) {
    return Api("POST", "/api/v1/policy/simulate", body, {{"Content-Type", "application/json"}});
  }

  std::string Draft() const {
    return ReplaceOnce(ReplaceOnce(ReplaceOnce(shanghai_, "version = \"310000-2023.1\"", "version = \"310000-draft\""),
                                   "within_months = 12 }\nat_least = 6", "within_months = 12 }\nat_least = 12"),
                       "pass_mark = 120", "pass_mark = 30");
  }

  uint16_t port_ = 0;
  std::string eight_, two_years_, unregistered_;
  const std::string shanghai_ = ReadShippedPolicy("310000/2023-01-01.toml");
};

TEST_F(PolicySimulateTest, CountsEveryChangeWithMaskedSamplesAndWritesNothing) {
  const std::string before = DumpTables(db_path());
  ClientResponse r = Simulate(json{{"draft", Draft()}, {"samples", 3}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = r.Json();
  EXPECT_EQ(j["city"], "310000");
  EXPECT_EQ(j["date"], "2026-11-15");
  EXPECT_EQ(j["current"]["version"], "310000-2023.1");
  EXPECT_EQ(j["draft"]["version"], "310000-draft");
  EXPECT_EQ(j["people"], 3);
  EXPECT_EQ(j["changes"]["no_longer_eligible"]["people"], 1);
  EXPECT_EQ(j["changes"]["ineligible_both"]["people"], 1);
  EXPECT_EQ(j["changes"]["unchanged"]["people"], 1);
  EXPECT_EQ(j["eligible"]["before"], 2);
  EXPECT_EQ(j["eligible"]["after"], 1);
  EXPECT_EQ(j["pass_mark"]["mark_before"], "120");
  EXPECT_EQ(j["pass_mark"]["mark_after"], "30");
  EXPECT_EQ(j["pass_mark"]["before"], 0);
  EXPECT_EQ(j["pass_mark"]["newly_passing"], 1);
  const json& lost = j["changes"]["no_longer_eligible"]["samples"];
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0]["citizen_id"], eight_.substr(0, 6) + "********" + eight_.substr(14));
  EXPECT_TRUE(lost[0]["eligible_before"].get<bool>());
  EXPECT_FALSE(lost[0]["eligible_after"].get<bool>());
  // The sample's score is the person's explained score under the table in force.
  ClientResponse points = Api("GET", "/api/v1/people/" + eight_ + "/points");
  ASSERT_EQ(points.status, 200) << points.body;
  EXPECT_EQ(lost[0]["before"], points.Json()["total"]);
  int64_t in_bands = 0;
  for (const json& band : j["distribution"]) in_bands += band["before"].get<int64_t>();
  EXPECT_EQ(in_bands, 2);
  EXPECT_EQ(j["written"], false);
  for (const std::string& id : {eight_, two_years_, unregistered_}) EXPECT_EQ(r.body.find(id), std::string::npos);
  EXPECT_EQ(DumpTables(db_path()), before);
}

TEST_F(PolicySimulateTest, TheTableInForceAgainstItselfChangesNobody) {
  ClientResponse r = Simulate(json{{"draft", shanghai_}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = r.Json();
  EXPECT_EQ(j["changes"]["unchanged"]["people"], 2);
  EXPECT_EQ(j["changes"]["ineligible_both"]["people"], 1);
  for (const char* change : {"newly_eligible", "no_longer_eligible", "score_up", "score_down"}) {
    EXPECT_EQ(j["changes"][change]["people"], 0) << change;
  }
}

TEST_F(PolicySimulateTest, OneSimulationAtATimeTheSecondIsToldToRetry) {
  const std::string body = json{{"draft", Draft()}}.dump();
  {
    // As if a simulation of a large population were running.
    const std::unique_lock<std::mutex> running = app_->simulation().TryReserve();
    ASSERT_TRUE(running.owns_lock());
    const std::string before = DumpTables(db_path());
    ClientResponse busy = Simulate(body);
    EXPECT_EQ(busy.status, 503) << busy.body;
    EXPECT_EQ(busy.Json()["code"], "simulate.busy");
    EXPECT_EQ(DumpTables(db_path()), before);
  }
  ClientResponse after = Simulate(body);
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(after.Json()["people"], 3);
  // The slot is free again once a simulation has answered.
  EXPECT_TRUE(app_->simulation().TryReserve().owns_lock());
}

TEST_F(PolicySimulateTest, BadRequestsAreProblemsNamingTheFieldAndChangeNothing) {
  struct Case {
    std::string body;
    int status;
    const char* code;
    const char* field;
    const char* message_part = "";
  };
  const std::string syntax_error = ReplaceOnce(Draft(), "pass_mark = 30", "pass_mark = = 30");
  const std::string unknown_kind = ReplaceOnce(Draft(), "kind = \"bands\"", "kind = \"curve\"");
  const std::string negative_cap = ReplaceOnce(Draft(), "cap = 110", "cap = -1");
  const std::string unknown_quantity = ReplaceOnce(Draft(), "quantity = \"age_years\"", "quantity = \"shoe_size\"");
  const Case cases[] = {
      {json{{"draft", syntax_error}}.dump(), 422, "policy.syntax", "draft", "draft:"},
      {json{{"draft", unknown_kind}}.dump(), 422, "policy.invalid", "draft", "curve"},
      {json{{"draft", negative_cap}}.dump(), 422, "policy.invalid", "draft", "cap"},
      {json{{"draft", unknown_quantity}}.dump(), 422, "policy.invalid", "draft", "shoe_size"},
      {json{{"draft", ReadShippedPolicy("110000/2020-01-01.toml")}}.dump(), 422, "simulate.city_mismatch", "draft"},
      {json{{"draft", ReadShippedPolicy("440300/2023-01-01.toml")}}.dump(), 422, "simulate.no_table", "draft"},
      {json{{"draft", Draft()}, {"date", "2026-11-16"}}.dump(), 422, "simulate.bad_date", "date"},
      {json{{"draft", Draft()}, {"date", "2026-02-30"}}.dump(), 422, "simulate.bad_date", "date"},
      {json{{"draft", Draft()}, {"date", "2015-01-01"}}.dump(), 404, "policy.not_in_force", ""},
      {json{{"draft", Draft()}, {"samples", 101}}.dump(), 422, "field.range", "samples"},
      {json{{"draft", Draft()}, {"band_points", 0}}.dump(), 422, "field.range", "band_points"},
      {json{{"draft", Draft()}, {"population", "all"}}.dump(), 422, "field.unknown", "population"},
      {json{{"draft", 7}}.dump(), 422, "field.required", "draft"},
      {json{{"date", "2026-11-01"}}.dump(), 422, "field.required", "draft"},
      {"{\"draft\": ", 400, "json.malformed", ""},
      {json{{"draft", std::string(600 * 1024, '#')}}.dump(), 413, "request.too_large", ""},
  };
  const std::string before = DumpTables(db_path());
  for (const Case& c : cases) {
    ClientResponse r = Simulate(c.body);
    EXPECT_EQ(r.status, c.status) << c.code << ": " << r.body.substr(0, 300);
    const json p = r.Json();
    EXPECT_EQ(p.value("code", ""), c.code) << r.body.substr(0, 300);
    if (*c.field != '\0') {
      EXPECT_EQ(p.value("field", ""), c.field) << c.code;
    }
    EXPECT_NE(p.value("message_en", "").find(c.message_part), std::string::npos) << p.value("message_en", "");
  }
  EXPECT_EQ(DumpTables(db_path()), before);
}

}  // namespace
}  // namespace epermit::testing
