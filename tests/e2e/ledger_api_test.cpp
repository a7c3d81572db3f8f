// GET /api/v1/people/{citizen_id}/ledger over HTTP: the view per city and month with the
// citizen ID masked, 404 and 400 problems, and no citizen ID in any log line or problem.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "http/http_client.hpp"
#include "support/resident_builder.hpp"

namespace epermit::testing {
namespace {

using nlohmann::json;

class LedgerApiTest : public CityFixture {
 protected:
  void SetUp() override {
    SetUpCity("310000", MakeDate(2026, 11, 15));
    ASSERT_TRUE(app_->Start().ok());
    port_ = app_->port();
  }
  void TearDown() override { app_->Stop(); }

  ClientResponse Ledger(const std::string& id) { return Api("GET", "/api/v1/people/" + id + "/ledger"); }

  uint16_t port_ = 0;
};

TEST_F(LedgerApiTest, PermitHolderWithLedgerRecords) {
  ResidentSpec s;
  s.citizen_id = MakeCitizenId("360426", "19880808", 91);
  AddResident(*app_, s);
  ClientResponse issued = Api("POST", "/api/v1/applications",
                              json{{"citizen_id", s.citizen_id}, {"name", s.name}, {"photo_ref", "p"}}.dump(),
                              {{"Content-Type", "application/json"}});
  ASSERT_EQ(issued.status, 201) << issued.body;
  const std::string spouse = MakeCitizenId("360426", "19890101", 92);
  std::string ndjson;
  for (const json& rec : {
           json{{"kind", "housing_fund"},
                {"citizen_id", s.citizen_id},
                {"source", "gjj"},
                {"city", "310000"},
                {"from", "2026-05"},
                {"to", "2026-11"}},
           json{{"kind", "education"},
                {"citizen_id", s.citizen_id},
                {"source", "jyb"},
                {"level", "bachelor"},
                {"degree", true},
                {"completed_on", "2010-07-01"}},
           json{{"kind", "family"},
                {"citizen_id", s.citizen_id},
                {"source", "mzj"},
                {"relation", "spouse"},
                {"member_citizen_id", spouse},
                {"since", "2015-10-01"},
                {"hukou_division_code", "440305"}},
       }) {
    ndjson += rec.dump() + "\n";
  }
  ClientResponse imported = Api("POST", "/api/v1/records", ndjson, {{"Content-Type", "application/x-ndjson"}});
  ASSERT_EQ(imported.status, 201) << imported.body;

  ClientResponse r = Ledger(s.citizen_id);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  EXPECT_EQ(r.body.find(s.citizen_id), std::string::npos) << "unmasked citizen ID in the answer";
  EXPECT_EQ(r.body.find(spouse), std::string::npos);
  json j = r.Json();
  EXPECT_EQ(j["citizen_id_masked"], domain::MaskCitizenId(s.citizen_id));
  ASSERT_EQ(j["cities"].size(), 1u);
  const json& months = j["cities"][0]["months"];
  ASSERT_FALSE(months.empty());
  const json& now = months.back();
  EXPECT_EQ(now["month"], "2026-11");
  EXPECT_TRUE(now["residence"].get<bool>());
  EXPECT_EQ(now["sources"]["residence"][0], "permit:" + issued.Json()["permit"]["number"].get<std::string>());
  EXPECT_EQ(now["social_insurance"]["employee"]["pension"], "paid");
  EXPECT_EQ(now["housing_fund"], "paid");
  EXPECT_EQ(now["home"]["tenure"], "rented");
  EXPECT_EQ(j["education"][0]["level"], "bachelor");
  EXPECT_EQ(j["spouse"]["hukou_city"], "440300");
  EXPECT_EQ(j["permits"][0]["state"], "active");
  // A lower-case check character names the same person.
  std::string lower = s.citizen_id;
  if (lower.back() == 'X') {
    lower.back() = 'x';
    EXPECT_EQ(Ledger(lower).status, 200);
  }
}

TEST_F(LedgerApiTest, UnknownPersonAndMalformedIdAreProblemsWithoutTheId) {
  const std::string unknown = MakeCitizenId("360426", "19900101", 93);
  ClientResponse none = Ledger(unknown);
  EXPECT_EQ(none.status, 404) << none.body;
  EXPECT_EQ(none.Header("Content-Type"), "application/problem+json");
  EXPECT_EQ(none.Json()["code"], "person.not_found");
  EXPECT_EQ(none.Json()["instance"], "/api/v1/people/" + domain::MaskCitizenId(unknown) + "/ledger");
  EXPECT_EQ(none.body.find(unknown), std::string::npos);

  std::string slipped = unknown;
  slipped[10] = slipped[10] == '1' ? '2' : '1';
  ClientResponse bad = Ledger(slipped);
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(bad.Header("Content-Type"), "application/problem+json");
  EXPECT_EQ(bad.Json()["code"], "citizen_id.checksum");
  EXPECT_EQ(bad.Json()["field"], "citizen_id");
  EXPECT_EQ(bad.body.find(slipped), std::string::npos);
  EXPECT_EQ(Ledger("not-an-id").status, 400);
  EXPECT_EQ(Api("POST", "/api/v1/people/" + unknown + "/ledger", "{}").status, 405);
}

TEST_F(LedgerApiTest, CitizenIdsInThePathAreNotLogged) {
  std::ostringstream captured;
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);

  ResidentSpec s;
  s.citizen_id = MakeCitizenId("360426", "19900101", 95);
  AddResident(*app_, s);
  const std::string unknown = MakeCitizenId("360426", "19900101", 97);
  std::string slipped = unknown;
  slipped[10] = slipped[10] == '1' ? '2' : '1';
  EXPECT_EQ(Ledger(s.citizen_id).status, 200);
  EXPECT_EQ(Ledger(unknown).status, 404);
  EXPECT_EQ(Ledger(slipped).status, 400);
  app_->Stop();
  spdlog::set_default_logger(previous);

  const std::string log = captured.str();
  EXPECT_NE(log.find("http GET /api/v1/people/{citizen_id}/ledger 200"), std::string::npos) << log;
  EXPECT_NE(log.find("http GET /api/v1/people/{citizen_id}/ledger 404"), std::string::npos) << log;
  for (const std::string& secret : {s.citizen_id, unknown, slipped}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "log contains " << secret << ":\n" << log;
  }
}

}  // namespace
}  // namespace epermit::testing
