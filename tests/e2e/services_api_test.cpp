// GET /api/v1/me/services and /api/v1/people/{citizen_id}/services over HTTP (issue 6 item 6):
// the city's catalogue for the node's own records, a new child record changing the answer,
// a community worker reading it only through a confirmed assist (and the resident's access
// log saying so), and bad queries and nonsensical child records refused with nothing changed.
#include <gtest/gtest.h>

#include "support/resident_builder.hpp"

namespace epermit::testing {
namespace {

using nlohmann::json;

class ServicesApiTest : public CityFixture {
 protected:
  void SetUp() override {
    SetUpCity("310000", MakeDate(2026, 11, 15));
    ASSERT_TRUE(app_->Start().ok());
    ResidentSpec s;
    s.citizen_id = MakeCitizenId("360426", "19880808", 91);
    AddResident(*app_, s);
    auto out = app_->applications().Apply(ApplyFor(s), {"test"});
    ASSERT_TRUE(out.ok() && out->permit);
    owner_ = s.citizen_id;
  }
  void TearDown() override { app_->Stop(); }

  ClientResponse Call(const std::string& token, const std::string& path,
                      std::map<std::string, std::string> extra = {}) {
    auto headers = Bearer(token);
    for (auto& [k, v] : extra) headers[k] = v;
    return HttpCall(app_->port(), "GET", path, "", headers);
  }
  static std::string Code(const ClientResponse& r) { return json::parse(r.body, nullptr, false).value("code", ""); }

  ClientResponse ImportChild(const std::string& child_id, const std::string& born) {
    const json rec = {{"kind", "family"},
                      {"citizen_id", owner_},
                      {"source", "mzj"},
                      {"relation", "child"},
                      {"member_citizen_id", child_id},
                      {"since", born},
                      {"hukou_division_code", "360426"}};
    return Api("POST", "/api/v1/records", rec.dump() + "\n", {{"Content-Type", "application/x-ndjson"}});
  }

  // A copy: callers pass temporaries.
  static json Service(const json& report, const std::string& id) {
    for (const json& s : report["services"]) {
      if (s["id"] == id) return s;
    }
    ADD_FAILURE() << "no service " << id;
    return json();
  }

  std::string owner_;
};

TEST_F(ServicesApiTest, ResidentSeesEveryServiceAndANewChildChangesTheAnswer) {
  ClientResponse before = Call(ResidentToken(owner_), "/api/v1/me/services");
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_EQ(before.body.find(owner_), std::string::npos) << "unmasked citizen ID in the answer";
  const json b = before.Json();
  EXPECT_EQ(b["citizen_id"], domain::MaskCitizenId(owner_));
  EXPECT_EQ(b["policy_version"], "310000-2023.1");
  EXPECT_GE(b["services"].size(), 14u);
  const json school = Service(b, "compulsory_education");
  EXPECT_EQ(school["status"], "does_not_qualify");
  ASSERT_EQ(school["unmet"].size(), 1u) << school.dump(1);
  EXPECT_EQ(school["unmet"][0]["id"], "school_age_child");
  EXPECT_EQ(Service(b, "exit_entry_documents")["status"], "qualifies");
  // 8 months of employee insurance: not the 12 the unemployment benefit needs.
  EXPECT_EQ(Service(b, "unemployment_benefit")["status"], "does_not_qualify");
  // The social-insurance services say what they would give, worked out from the ledger:
  // 8 months of Shanghai pension, hukou in 九江 (360400), no place with ten years → rule 4.
  const json pension = Service(b, "pension_transfer")["assessment"];
  EXPECT_EQ(pension["outcome"], "worked_out") << pension.dump(1);
  EXPECT_EQ(pension["rule"], 4);
  EXPECT_EQ(pension["receipt_city"], "360400");
  EXPECT_EQ(pension["current_city"], "310000");
  EXPECT_EQ(pension["total_months"], 8);
  EXPECT_EQ(Service(b, "unemployment_benefit")["assessment"]["code"], "unemployment.too_short");
  EXPECT_EQ(Service(b, "medical_settlement_filing")["assessment"]["code"], "medical.not_insured_elsewhere");
  EXPECT_FALSE(Service(b, "exit_entry_documents").contains("assessment"));

  ASSERT_EQ(ImportChild(MakeCitizenId("310101", "20190901", 12), "2019-09-01").status, 201);
  ClientResponse after = Call(ResidentToken(owner_), "/api/v1/me/services");
  ASSERT_EQ(after.status, 200) << after.body;
  const json now = Service(after.Json(), "compulsory_education");
  EXPECT_EQ(now["status"], "qualifies") << now.dump(1);
  EXPECT_EQ(now["tier"]["id"], "employee");
  EXPECT_NE(now["explanation_zh"].get<std::string>().find("职工社保"), std::string::npos);
  EXPECT_EQ(after.body.find(MakeCitizenId("310101", "20190901", 12)), std::string::npos) << "child's ID shown";

  // The same through the person route, and on an earlier date, before the child's record
  // would have made a difference: still counted (the record's facts are dated by birth).
  ClientResponse on_date = Api("GET", "/api/v1/people/" + owner_ + "/services?date=2026-06-01");
  ASSERT_EQ(on_date.status, 200) << on_date.body;
  EXPECT_EQ(on_date.Json()["date"], "2026-06-01");
}

TEST_F(ServicesApiTest, WorkerReadsOnlyThroughAConfirmedAssistAndItIsLogged) {
  const std::string worker = RoleToken(domain::Role::kCommunityWorker);
  const std::string path = "/api/v1/people/" + owner_ + "/services";
  ClientResponse alone = Call(worker, path);
  EXPECT_EQ(alone.status, 403) << alone.body;

  auto headers = Bearer(worker);
  ClientResponse started =
      HttpCall(app_->port(), "POST", "/api/v1/assists", json{{"citizen_id", owner_}}.dump(), headers);
  ASSERT_EQ(started.status, 201) << started.body;
  const std::string id = started.Json()["id"];
  const std::string code = Call(ResidentToken(owner_), "/api/v1/me/assists").Json()["items"][0].value("code", "");
  ASSERT_EQ(
      HttpCall(app_->port(), "POST", "/api/v1/assists/" + id + "/confirmation", json{{"code", code}}.dump(), headers)
          .status,
      200);

  ClientResponse read = Call(worker, path, {{"X-Assist-Id", id}});
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.Json()["services"].size(),
            Call(ResidentToken(owner_), "/api/v1/me/services").Json()["services"].size());
  // The worker may not read someone else's services with this assist.
  const std::string other = MakeCitizenId("360426", "19900101", 33);
  EXPECT_EQ(Call(worker, "/api/v1/people/" + other + "/services", {{"X-Assist-Id", id}}).status, 403);

  const json log = Call(ResidentToken(owner_), "/api/v1/me/access-log").Json()["items"];
  bool logged = false;
  for (const json& e : log) {
    if (e.dump().find("services") != std::string::npos && e.dump().find("community_worker") != std::string::npos) {
      logged = true;
    }
  }
  EXPECT_TRUE(logged) << log.dump(1);
}

TEST_F(ServicesApiTest, BadQueriesAndNonsensicalChildRecordsAreRefusedAndNothingChanges) {
  // Accounts and sessions first: signing in writes rows of its own.
  ResidentToken(owner_);
  RoleToken(domain::Role::kDepartment);
  const std::string before = DumpTables(db_path());
  for (const char* query : {"?date=2026-13-01", "?date=2027-01-01", "?date="}) {
    ClientResponse r = Call(ResidentToken(owner_), std::string("/api/v1/me/services") + query);
    EXPECT_EQ(r.status, 400) << query << " " << r.body;
    EXPECT_EQ(Code(r), "services.bad_date") << query;
    EXPECT_EQ(r.Json()["field"], "date");
  }
  ClientResponse no_policy = Call(ResidentToken(owner_), "/api/v1/me/services?date=2022-06-01");
  EXPECT_EQ(no_policy.status, 404) << no_policy.body;
  EXPECT_EQ(Code(no_policy), "policy.not_in_force");
  EXPECT_EQ(before, DumpTables(db_path()));

  // A child born when the parent (1988-08-08) was 3, and a child whose `since` is not the
  // birth date in the child's number.
  ClientResponse too_old = ImportChild(MakeCitizenId("310101", "19910101", 14), "1991-01-01");
  EXPECT_EQ(too_old.status, 422) << too_old.body;
  EXPECT_EQ(too_old.Json()["errors"][0]["code"], "family.child_age") << too_old.body;
  EXPECT_EQ(too_old.Json()["errors"][0]["field"], "member_citizen_id");
  ClientResponse wrong_day = ImportChild(MakeCitizenId("310101", "20190901", 12), "2019-09-02");
  EXPECT_EQ(wrong_day.status, 422) << wrong_day.body;
  EXPECT_EQ(wrong_day.Json()["errors"][0]["code"], "family.birth_date") << wrong_day.body;
  EXPECT_EQ(before, DumpTables(db_path()));
  EXPECT_EQ(Service(Call(ResidentToken(owner_), "/api/v1/me/services").Json(), "compulsory_education")["status"],
            "does_not_qualify");
}

}  // namespace
}  // namespace epermit::testing
