// Every bad input named in issue 2, through the real HTTP API: each gets a 4xx
// problem+json naming the code (and field), and the affected tables are byte-for-byte
// unchanged afterwards.
#include <gtest/gtest.h>

#include "domain/permit_number.hpp"
#include "http/http_client.hpp"
#include "support/resident_builder.hpp"

namespace epermit::testing {
namespace {

using nlohmann::json;

class ApiTest : public CityFixture {
 protected:
  void SetUp() override {
    SetUpCity("310000", MakeDate(2026, 11, 15));
    ASSERT_TRUE(app_->Start().ok());
    port_ = app_->port();
    // Signed in before any "nothing changed" snapshot.
    RoleToken(domain::Role::kDepartment);
    RoleToken(domain::Role::kReviewer);
  }
  void TearDown() override { app_->Stop(); }

  ClientResponse Post(const std::string& path, const std::string& body) {
    return Api("POST", path, body, {{"Content-Type", "application/json"}});
  }
  ClientResponse Post(const std::string& path, const json& body) { return Post(path, body.dump()); }

  // Sends the request and checks: the status, problem+json with the code (and field), and
  // that no table changed.
  void ExpectRefused(const std::string& method, const std::string& path, const std::string& body, int status,
                     const std::string& code, const std::string& field = "") {
    // The caller's account is made before the "before" snapshot: signing in is not the
    // request under test.
    const std::string token = TokenForPath(method, path, body);
    const std::string before = DumpTables(db_path());
    ClientResponse r =
        Api(method, path, body, {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}});
    EXPECT_EQ(r.status, status) << path << " " << r.body;
    EXPECT_EQ(r.Header("Content-Type"), "application/problem+json") << r.body;
    json p = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(p.is_object()) << r.body;
    EXPECT_EQ(p.value("code", ""), code) << r.body;
    EXPECT_EQ(p.value("status", 0), status);
    EXPECT_FALSE(p.value("message_en", "").empty());
    EXPECT_FALSE(p.value("message_zh", "").empty());
    if (!field.empty()) {
      EXPECT_EQ(p.value("field", ""), field) << r.body;
    }
    EXPECT_EQ(before, DumpTables(db_path())) << "tables changed after a refused " << method << " " << path;
  }

  json Registration(const std::string& id, const std::string& name = "王芳") {
    return {{"citizen_id", id},       {"name", name},
            {"phone", "13912345678"}, {"residence", {{"division_code", "310104"}, {"address", "漕溪北路1号"}}},
            {"basis", "employment"},  {"employer_uscc", kShanghaiEmployer}};
  }

  std::string IssuedPermit(int seq) {
    ResidentSpec s;
    s.citizen_id = MakeCitizenId("360426", "19900101", seq);
    AddResident(*app_, s);
    ClientResponse r =
        Post("/api/v1/applications", json{{"citizen_id", s.citizen_id}, {"name", s.name}, {"photo_ref", "p"}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json()["permit"]["number"];
  }

  uint16_t port_ = 0;
};

TEST_F(ApiTest, WrongIdChecksum) {
  json body = Registration("36042619910102009X");  // RULES.md invalid checksum vector
  ExpectRefused("POST", "/api/v1/registrations", body.dump(), 422, "citizen_id.checksum", "citizen_id");
}

TEST_F(ApiTest, ImpossibleBirthDate) {
  ExpectRefused("POST", "/api/v1/registrations", Registration("360426199113010079").dump(), 422,
                "citizen_id.birth_date", "citizen_id");
  ExpectRefused("POST", "/api/v1/registrations", Registration(MakeCitizenId("360426", "20230229", 11)).dump(), 422,
                "citizen_id.birth_date", "citizen_id");
}

TEST_F(ApiTest, UnknownDivisionCode) {
  ExpectRefused("POST", "/api/v1/registrations", Registration(MakeCitizenId("990101", "19900101", 11)).dump(), 422,
                "citizen_id.division", "citizen_id");
  json body = Registration(MakeCitizenId("360426", "19900101", 11));
  body["residence"]["division_code"] = "310199";
  ExpectRefused("POST", "/api/v1/registrations", body.dump(), 422, "division.unknown", "residence.division_code");
  body["residence"]["division_code"] = "440305";  // real, but not in this city
  ExpectRefused("POST", "/api/v1/registrations", body.dump(), 422, "registration.other_city",
                "residence.division_code");
}

TEST_F(ApiTest, RetiredDivisionIsValidInsideAnIdNumber) {
  ClientResponse r = Post("/api/v1/registrations", Registration(MakeCitizenId("110103", "19700101", 11)));
  EXPECT_EQ(r.status, 201) << r.body;
}

TEST_F(ApiTest, MinorWithoutGuardian) {
  ResidentSpec child;
  child.citizen_id = MakeCitizenId("360426", "20160305", 22);
  child.basis = "study";
  child.employment_record = false;
  child.enrollment_record = true;
  child.si_months = 0;
  AddResident(*app_, child);
  json body = {{"citizen_id", child.citizen_id}, {"name", child.name}, {"photo_ref", "p"}};
  ExpectRefused("POST", "/api/v1/applications", body.dump(), 422, "guardian.required", "guardian");
}

TEST_F(ApiTest, MalformedJson) {
  ExpectRefused("POST", "/api/v1/registrations", "{\"citizen_id\": ", 400, "json.malformed");
  ExpectRefused("POST", "/api/v1/applications", "[1,2]", 400, "json.not_object");
  ExpectRefused("POST", "/api/v1/registrations", "", 400, "json.empty");
}

TEST_F(ApiTest, BodyOverOneMebibyte) {
  std::string big = "{\"name\":\"" + std::string((1 << 20) + 1, 'a') + "\"}";
  ExpectRefused("POST", "/api/v1/registrations", big, 413, "request.too_large");
}

TEST_F(ApiTest, JsonNestedOver64Levels) {
  std::string deep;
  for (int i = 0; i < 65; ++i) deep += "{\"a\":";
  deep += "1";
  for (int i = 0; i < 65; ++i) deep += "}";
  ExpectRefused("POST", "/api/v1/applications", deep, 400, "json.too_deep");
}

TEST_F(ApiTest, MissingOrMistypedFields) {
  json body = Registration(MakeCitizenId("360426", "19900101", 11));
  body.erase("phone");
  ExpectRefused("POST", "/api/v1/registrations", body.dump(), 422, "field.missing", "phone");
  body = Registration(MakeCitizenId("360426", "19900101", 11));
  body["name"] = 42;
  ExpectRefused("POST", "/api/v1/registrations", body.dump(), 422, "field.type", "name");
  body = Registration(MakeCitizenId("360426", "19900101", 11));
  body["residence"] = "somewhere";
  ExpectRefused("POST", "/api/v1/registrations", body.dump(), 422, "field.type", "residence");
  body = Registration(MakeCitizenId("360426", "19900101", 11));
  body["basis"] = "lottery";
  ExpectRefused("POST", "/api/v1/registrations", body.dump(), 422, "field.enum", "basis");
  body = Registration(MakeCitizenId("360426", "19900101", 11));
  body["nmae"] = "typo";
  ExpectRefused("POST", "/api/v1/registrations", body.dump(), 422, "field.unknown", "nmae");
  body = Registration(MakeCitizenId("360426", "19900101", 11));
  body["phone"] = "12345";
  ExpectRefused("POST", "/api/v1/registrations", body.dump(), 422, "phone.format", "phone");
  body = Registration(MakeCitizenId("360426", "19900101", 11));
  body["employer_uscc"] = "91110000600037341N";
  ExpectRefused("POST", "/api/v1/registrations", body.dump(), 422, "uscc.checksum", "employer_uscc");
}

TEST_F(ApiTest, SecondApplicationWhilePending) {
  ResidentSpec s;
  s.citizen_id = MakeCitizenId("360426", "19900101", 31);
  s.employment_record = false;
  s.housing_record = false;
  AddResident(*app_, s);
  json body = {{"citizen_id", s.citizen_id}, {"name", s.name}, {"photo_ref", "p"}};
  ClientResponse first = Post("/api/v1/applications", body);
  ASSERT_EQ(first.status, 201);
  EXPECT_EQ(first.Json()["application"]["status"], "pending_review");
  ExpectRefused("POST", "/api/v1/applications", body.dump(), 409, "application.pending", "citizen_id");
}

TEST_F(ApiTest, EndorsementOutsideTheWindow) {
  std::string number = IssuedPermit(41);
  ExpectRefused("POST", "/api/v1/permits/" + number + "/endorsements", "", 409, "endorsement.outside_window");
}

TEST_F(ApiTest, AnyChangeToARevokedPermit) {
  std::string number = IssuedPermit(43);
  ClientResponse r = Post("/api/v1/permits/" + number + "/revocation", json{{"reason", "骗领"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["permit"]["state"], "revoked");
  const std::string base = "/api/v1/permits/" + number;
  ExpectRefused("POST", base + "/endorsements", "{}", 409, "permit.revoked");
  ExpectRefused("POST", base + "/changes", json{{"name", "新名"}, {"reason", "x"}}.dump(), 409, "permit.revoked");
  ExpectRefused("POST", base + "/replacements", json{{"reason", "lost"}}.dump(), 409, "permit.revoked");
  ExpectRefused("POST", base + "/revocation", json{{"reason", "again"}}.dump(), 409, "permit.revoked");
  EXPECT_EQ(Api("GET", base).Json()["state"], "revoked");
}

TEST_F(ApiTest, UnknownPermitNumber) {
  // Well formed, right check character, never issued here.
  const std::string never = domain::FormatPermitNumber("310000", 424242, 1);
  ExpectRefused("GET", "/api/v1/permits/" + never, "", 404, "permit.not_found", "number");
  ExpectRefused("POST", "/api/v1/permits/" + never + "/endorsements", "{}", 404, "permit.not_found", "number");
  // A one-character slip is caught by the check character.
  std::string slipped = never;
  slipped[slipped.size() - 3] = slipped[slipped.size() - 3] == '1' ? '2' : '1';
  ExpectRefused("GET", "/api/v1/permits/" + slipped, "", 422, "permit_number.checksum", "number");
  ExpectRefused("POST", "/api/v1/permits/garbage/endorsements", "{}", 422, "permit_number.format", "number");
  ExpectRefused("GET", "/api/v1/applications/app_doesnotexist", "", 404, "application.not_found");
}

TEST_F(ApiTest, SqlAndHtmlInNamesAreStoredVerbatimAndHarmless) {
  const std::string nasty = "Robert'); DROP TABLE registrations;-- <script>alert(1)</script>";
  ClientResponse r = Post("/api/v1/registrations", Registration(MakeCitizenId("360426", "19900101", 51), nasty));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Json()["name"], nasty);
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff");
  // The table is still there and holds the name exactly: sealed at rest (not in the file's
  // text), read back through the store.
  std::string stored;
  ASSERT_TRUE(app_->context()
                  .store
                  ->Read([&](store::Tx& tx) -> Status {
                    EPERMIT_ASSIGN_OR_RETURN(auto regs, tx.RegistrationsOf(MakeCitizenId("360426", "19900101", 51)));
                    if (!regs.empty()) stored = regs.front().name;
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(stored, nasty);
  EXPECT_EQ(DumpTables(db_path()).find("DROP TABLE registrations"), std::string::npos);
  ClientResponse again = Post("/api/v1/registrations", Registration(MakeCitizenId("360426", "19900101", 53)));
  EXPECT_EQ(again.status, 201) << again.body;
}

TEST_F(ApiTest, ChineseNamesWithMiddleDotAreAccepted) {
  ResidentSpec s;
  s.citizen_id = MakeCitizenId("650102", "19900101", 55);
  s.name = "买买提·艾力";
  AddResident(*app_, s);
  ClientResponse r =
      Post("/api/v1/applications", json{{"citizen_id", s.citizen_id}, {"name", s.name}, {"photo_ref", "p"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Json()["permit"]["name"], "买买提·艾力");
}

TEST_F(ApiTest, FiveHundredCharacterStrings) {
  std::string long_name;
  for (int i = 0; i < 500; ++i) long_name += "张";
  ExpectRefused("POST", "/api/v1/registrations",
                Registration(MakeCitizenId("360426", "19900101", 57), long_name).dump(), 422, "field.too_long", "name");
  json body = Registration(MakeCitizenId("360426", "19900101", 57));
  body["residence"]["address"] = std::string(500, 'a');
  ExpectRefused("POST", "/api/v1/registrations", body.dump(), 422, "field.too_long", "residence.address");
  std::string number = IssuedPermit(59);
  ExpectRefused("POST", "/api/v1/permits/" + number + "/revocation", json{{"reason", std::string(501, 'r')}}.dump(),
                422, "field.too_long", "reason");
}

TEST_F(ApiTest, WalkFromRecordsToPermitOverHttp) {
  ResidentSpec s;
  s.citizen_id = MakeCitizenId("360426", "19880808", 61);
  std::string ndjson;
  for (const json& rec : RecordsFor(s, clock_->Today())) ndjson += rec.dump() + "\n";
  ClientResponse rec = Api("POST", "/api/v1/records", ndjson, {{"Content-Type", "application/x-ndjson"}});
  ASSERT_EQ(rec.status, 201) << rec.body;
  EXPECT_EQ(rec.Json()["imported"], 5);

  ClientResponse reg = Post("/api/v1/registrations", Registration(s.citizen_id, s.name));
  ASSERT_EQ(reg.status, 201) << reg.body;
  // Registered today: the application is refused with the date it may be made, and why.
  ClientResponse early =
      Post("/api/v1/applications", json{{"citizen_id", s.citizen_id}, {"name", s.name}, {"photo_ref", "p"}});
  ASSERT_EQ(early.status, 201) << early.body;
  EXPECT_EQ(early.Json()["application"]["status"], "rejected");
  EXPECT_EQ(early.Json()["application"]["decision"]["missing"][0]["code"], "residence_months");

  ClientResponse openapi = Api("GET", "/api/v1/openapi.json");
  ASSERT_EQ(openapi.status, 200);
  EXPECT_EQ(openapi.Json()["openapi"], "3.1.0");
  EXPECT_EQ(Api("GET", "/healthz").Json()["status"], "ok");
}

TEST_F(ApiTest, BadRecordBatchImportsNothing) {
  ResidentSpec s;
  s.citizen_id = MakeCitizenId("360426", "19880808", 63);
  std::vector<json> recs = RecordsFor(s, clock_->Today());
  recs[2]["from"] = "2099-01-01";
  std::string ndjson;
  for (const json& r : recs) ndjson += r.dump() + "\n";
  ndjson += "not json\n";
  const std::string before = DumpTables(db_path());
  ClientResponse r = Api("POST", "/api/v1/records", ndjson, {{"Content-Type", "application/x-ndjson"}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.Json()["code"], "records.invalid");
  EXPECT_EQ(before, DumpTables(db_path()));
}

// Issue 4: a ledger record with months in the future, or a period overlapping another of
// the same scheme (in the batch or already stored), is refused with every bad line listed,
// and nothing is stored.
TEST_F(ApiTest, LedgerRecordsInTheFutureOrOverlappingAreRefused) {
  const std::string id = MakeCitizenId("360426", "19880808", 65);
  auto si = [&](const char* from, const char* to) {
    return json{{"kind", "social_insurance"}, {"citizen_id", id},  {"source", "rsj"}, {"city", "310000"},
                {"scheme", "employee"},       {"risk", "pension"}, {"from", from},    {"to", to}};
  };
  auto fund = [&](const char* from, const char* to) {
    return json{{"kind", "housing_fund"}, {"citizen_id", id}, {"source", "gjj"},
                {"city", "310000"},       {"from", from},     {"to", to}};
  };
  auto post = [&](const std::vector<json>& recs) {
    std::string ndjson;
    for (const json& r : recs) ndjson += r.dump() + "\n";
    return Api("POST", "/api/v1/records", ndjson, {{"Content-Type", "application/x-ndjson"}});
  };
  ClientResponse stored = post({si("2025-01", "2025-12"), fund("2025-01", "2025-12")});
  ASSERT_EQ(stored.status, 201) << stored.body;

  struct Case {
    std::vector<json> records;
    std::vector<std::tuple<int, std::string, std::string>> errors;  // line, code, field
  };
  const json future_tax = {{"kind", "income_tax"}, {"citizen_id", id}, {"source", "sw"},
                           {"city", "310000"},     {"year", 2027},     {"yuan", 100}};
  const Case cases[] = {
      {{si("2026-10", "2026-12")}, {{1, "field.future_date", "to"}}},
      {{fund("2026-12", "2027-02")}, {{1, "field.future_date", "from"}}},
      {{future_tax}, {{1, "field.future_date", "year"}}},
      {{si("2025-12", "2026-03")}, {{1, "records.overlap", "from"}}},                            // against stored
      {{fund("2024-06", "2025-01")}, {{1, "records.overlap", "to"}}},                            // against stored
      {{si("2026-01", "2026-05"), si("2026-05", "2026-06")}, {{2, "records.overlap", "from"}}},  // in the batch
      {{fund("2026-01", "2026-05"), fund("2026-02", "2026-03"), future_tax},
       {{2, "records.overlap", "from"}, {3, "field.future_date", "year"}}},
  };
  for (const Case& c : cases) {
    const std::string before = DumpTables(db_path());
    ClientResponse r = post(c.records);
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(r.Header("Content-Type"), "application/problem+json");
    json p = r.Json();
    EXPECT_EQ(p["code"], "records.invalid") << r.body;
    ASSERT_EQ(p["errors"].size(), c.errors.size()) << r.body;
    for (size_t i = 0; i < c.errors.size(); ++i) {
      EXPECT_EQ(p["errors"][i]["line"], std::get<0>(c.errors[i])) << r.body;
      EXPECT_EQ(p["errors"][i]["code"], std::get<1>(c.errors[i])) << r.body;
      EXPECT_EQ(p["errors"][i]["field"], std::get<2>(c.errors[i])) << r.body;
      EXPECT_FALSE(p["errors"][i]["message_zh"].get<std::string>().empty());
    }
    EXPECT_EQ(before, DumpTables(db_path())) << "a refused record batch changed the store: " << r.body;
  }
  // The overlap message names the other period.
  ClientResponse overlap = post({si("2025-06", "2025-07")});
  EXPECT_NE(overlap.body.find("2025-01..2025-12"), std::string::npos) << overlap.body;

  // An exact resend is not an error, and stores nothing new.
  const std::string before = DumpTables(db_path());
  ClientResponse again = post({si("2025-01", "2025-12")});
  EXPECT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.Json()["imported"], 0);
  EXPECT_EQ(again.Json()["unchanged"], 1);
  EXPECT_EQ(again.Json()["unchanged_lines"], nlohmann::json::array({1}));
  const std::string after = DumpTables(db_path());
  EXPECT_EQ(before.substr(0, before.find("## registrations")), after.substr(0, after.find("## registrations")));
}

}  // namespace
}  // namespace epermit::testing
