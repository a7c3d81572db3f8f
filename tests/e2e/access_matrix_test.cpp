// Issue 5 item 2: every route × every kind of caller, against an expected table written
// out here independently of src/auth/access_policy.cpp. An allowed caller is not refused
// (whatever the route then says about the request itself); a refused one gets 401 (not
// signed in) or 403 with an auth.* code, and nothing stored changes.
#include <gtest/gtest.h>

#include <set>

#include "support/resident_builder.hpp"

namespace epermit::testing {
namespace {

using nlohmann::json;

class AccessMatrixTest : public CityFixture {
 protected:
  void SetUp() override {
    SetUpCity("310000", MakeDate(2026, 11, 15));
    ASSERT_TRUE(app_->Start().ok());
    owner_ = Issue(81);
    revocable_ = Issue(83);
    ResidentSpec other;
    other.citizen_id = MakeCitizenId("360426", "19900101", 85);
    AddResident(*app_, other);
    // A reviewer account of another city, kept on this node.
    auto added =
        app_->accounts().Add({"reviewer-sz", domain::Role::kReviewer, "", {}, "440300", kTestPassword}, {"test"});
    ASSERT_TRUE(added.ok());
    auto login = app_->sessions().Login(
        {"reviewer-sz", kTestPassword, auth::Totp(added->totp_secret, clock_->UnixSeconds()), true}, "m");
    ASSERT_TRUE(login.ok());
    // A correction request of the owner's, for the reviewer's side of the table.
    auth::Principal owner_principal;
    owner_principal.username = "owner";
    owner_principal.citizen_id = owner_.citizen_id;
    auto correction =
        app_->personal_data().RequestCorrection(owner_principal, {"residence_address", "漕溪北路2号", "moved"});
    ASSERT_TRUE(correction.ok());
    correction_ = correction->id;
    // A service application of the owner's, for the office's side.
    auto applied =
        app_->service_applications().Apply(owner_.citizen_id, {"employment_services", {}, "", ""}, {"test"}, nullptr);
    ASSERT_TRUE(applied.ok()) << applied.error().message_en;
    service_application_ = applied->id;
    callers_ = {{"anonymous", ""},
                {"owner", ResidentToken(owner_.citizen_id)},
                {"other_resident", ResidentToken(other.citizen_id)},
                {"community_worker", RoleToken(domain::Role::kCommunityWorker)},
                {"reviewer", RoleToken(domain::Role::kReviewer)},
                {"reviewer_other_city", login->token},
                {"verifier", RoleToken(domain::Role::kVerifier)},
                {"department", TokenFor(domain::Role::kDepartment, "", {"social_insurance"})},
                {"policy_admin", RoleToken(domain::Role::kPolicyAdmin)},
                {"operator", RoleToken(domain::Role::kOperator)}};
  }
  void TearDown() override { app_->Stop(); }

  struct Case {
    std::string citizen_id;
    std::string number;
    std::string application;
  };
  Case Issue(int seq) {
    ResidentSpec s;
    s.citizen_id = MakeCitizenId("360426", "19900101", seq);
    AddResident(*app_, s);
    auto out = app_->applications().Apply(ApplyFor(s), {"test"});
    EXPECT_TRUE(out.ok() && out->permit);
    return {s.citizen_id, out->permit->number, out->application.id};
  }

  Case owner_;
  Case revocable_;
  std::string correction_;
  std::string service_application_;
  std::vector<std::pair<std::string, std::string>> callers_;
};

TEST_F(AccessMatrixTest, EveryRouteAgainstEveryCaller) {
  const std::set<std::string> everyone_signed_in = {"owner",      "other_resident",      "community_worker",
                                                    "reviewer",   "reviewer_other_city", "verifier",
                                                    "department", "policy_admin",        "operator"};
  const std::set<std::string> anyone = [&] {
    auto s = everyone_signed_in;
    s.insert("anonymous");
    return s;
  }();
  const std::set<std::string> residents = {"owner", "other_resident"};
  const std::string permit = "/api/v1/permits/" + owner_.number;
  const std::string person = "/api/v1/people/" + owner_.citizen_id;
  const json si_record = {{"kind", "social_insurance"},
                          {"citizen_id", owner_.citizen_id},
                          {"source", "rsj"},
                          {"city", "310000"},
                          {"scheme", "employee"},
                          {"risk", "medical"},
                          {"from", "2020-01"},
                          {"to", "2020-02"}};
  struct Row {
    std::string method;
    std::string pattern;
    std::string path;
    std::string body;
    std::set<std::string> allowed;
  };
  // Bodies are well formed, so a caller allowed in gets past the route's own checks to
  // the point where whose data it is matters; what they then do is harmless (an
  // endorsement outside its window, a change to another city, a decided application).
  const std::vector<Row> rows = {
      {"GET", "/healthz", "/healthz", "", anyone},
      {"GET", "/api/v1/openapi.json", "/api/v1/openapi.json", "", anyone},
      {"GET", "/.well-known/epermit-trust-list", "/.well-known/epermit-trust-list", "", anyone},
      {"GET", "/api/v1/status-lists/{id}", "/api/v1/status-lists/0", "", anyone},
      {"POST", "/api/v1/verify", "/api/v1/verify", R"({"qr":"JZZ1:x"})", anyone},
      {"POST", "/api/v1/points/calculate", "/api/v1/points/calculate", "{}", anyone},
      {"POST", "/api/v1/auth/login", "/api/v1/auth/login", "{}", anyone},
      {"GET", "/api/v1/audit/tree-head", "/api/v1/audit/tree-head", "", anyone},
      {"GET", "/api/v1/audit/proof/inclusion", "/api/v1/audit/proof/inclusion?leaf_index=0", "", anyone},
      {"GET", "/api/v1/audit/proof/consistency", "/api/v1/audit/proof/consistency?first=1", "", anyone},
      {"GET", "/api/v1/audit/entries/{index}", "/api/v1/audit/entries/0", "", {"operator"}},
      {"GET", "/api/v1/me", "/api/v1/me", "", everyone_signed_in},
      {"POST", "/api/v1/me/password", "/api/v1/me/password", "{}", everyone_signed_in},
      {"POST", "/api/v1/me/totp", "/api/v1/me/totp", "", everyone_signed_in},
      {"POST", "/api/v1/me/totp/confirm", "/api/v1/me/totp/confirm", R"({"code":"000000"})", everyone_signed_in},
      {"POST", "/api/v1/records", "/api/v1/records", json{{"records", {si_record}}}.dump(), {"department"}},
      {"POST",
       "/api/v1/registrations",
       "/api/v1/registrations",
       json{{"citizen_id", owner_.citizen_id},
            {"name", "张伟"},
            {"phone", "13912345678"},
            {"residence", {{"division_code", "310104"}, {"address", "漕溪北路1号"}}},
            {"basis", "employment"},
            {"employer_uscc", kShanghaiEmployer}}
           .dump(),
       {"owner"}},
      {"POST",
       "/api/v1/applications",
       "/api/v1/applications",
       json{{"citizen_id", owner_.citizen_id}, {"name", "张伟"}, {"photo_ref", "p"}}.dump(),
       {"owner"}},
      {"GET", "/api/v1/applications/{id}", "/api/v1/applications/" + owner_.application, "", {"owner", "reviewer"}},
      {"GET", "/api/v1/review-queue", "/api/v1/review-queue", "", {"reviewer"}},
      {"POST",
       "/api/v1/applications/{id}/decision",
       "/api/v1/applications/" + owner_.application + "/decision",
       R"({"decision":"approve","reason":"ok"})",
       {"reviewer"}},
      {"GET", "/api/v1/permits/{number}/qr", permit + "/qr?format=text", "", {"owner"}},
      {"POST",
       "/api/v1/permits/{number}/credentials",
       permit + "/credentials",
       R"({"holder_jwk":{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}})",
       {"owner"}},
      {"GET", "/api/v1/people/{citizen_id}/ledger", person + "/ledger", "", {"owner", "reviewer"}},
      {"GET", "/api/v1/people/{citizen_id}/points", person + "/points", "", {"owner", "reviewer"}},
      {"GET", "/api/v1/people/{citizen_id}/services", person + "/services", "", {"owner", "reviewer"}},
      {"GET", "/api/v1/permits/{number}", permit, "", {"owner", "reviewer"}},
      {"POST", "/api/v1/permits/{number}/endorsements", permit + "/endorsements", "{}", {"owner", "reviewer"}},
      {"POST",
       "/api/v1/permits/{number}/changes",
       permit + "/changes",
       R"({"residence":{"division_code":"440305","address":"x"},"reason":"moved"})",
       {"owner", "reviewer"}},
      {"POST",
       "/api/v1/permits/{number}/replacements",
       permit + "/replacements",
       R"({"reason":"no-such-reason"})",
       {"owner", "reviewer"}},
      {"POST",
       "/api/v1/permits/{number}/revocation",
       "/api/v1/permits/" + revocable_.number + "/revocation",
       R"({"reason":"test"})",
       {"reviewer"}},
      {"POST", "/api/v1/policy/simulate", "/api/v1/policy/simulate", "{}", {"policy_admin"}},
      // A resident's rights over their own data: every resident, nobody else.
      {"GET", "/api/v1/me/access-log", "/api/v1/me/access-log", "", residents},
      {"GET", "/api/v1/me/export", "/api/v1/me/export", "", residents},
      {"GET", "/api/v1/me/records-used", "/api/v1/me/records-used", "", residents},
      {"GET", "/api/v1/me/services", "/api/v1/me/services", "", residents},
      {"POST", "/api/v1/me/service-applications", "/api/v1/me/service-applications",
       R"({"service_id":"exit_entry_documents"})", residents},
      {"GET", "/api/v1/me/service-applications", "/api/v1/me/service-applications", "", residents},
      {"POST", "/api/v1/me/service-applications/{id}/materials",
       "/api/v1/me/service-applications/" + service_application_ + "/materials", R"({"materials":["x"]})", residents},
      {"GET", "/api/v1/me/inbox", "/api/v1/me/inbox", "", residents},
      {"POST", "/api/v1/me/inbox/preference", "/api/v1/me/inbox/preference", R"({"push":true})", residents},
      {"GET", "/api/v1/me/consents", "/api/v1/me/consents", "", residents},
      {"POST", "/api/v1/me/consents/{id}/decision", "/api/v1/me/consents/con_none/decision", R"({"decision":"grant"})",
       residents},
      {"POST", "/api/v1/me/consents/{id}/revocation", "/api/v1/me/consents/con_none/revocation", "", residents},
      {"GET", "/api/v1/me/assists", "/api/v1/me/assists", "", residents},
      {"POST", "/api/v1/me/assists/{id}/end", "/api/v1/me/assists/as_none/end", "", residents},
      {"GET", "/api/v1/me/corrections", "/api/v1/me/corrections", "", residents},
      {"POST", "/api/v1/me/corrections", "/api/v1/me/corrections", R"({"field":"salary","requested":"x","reason":"y"})",
       residents},
      // What third parties ask of a resident.
      {"POST",
       "/api/v1/consents",
       "/api/v1/consents",
       json{{"citizen_id", owner_.citizen_id}, {"fields", {"salary"}}, {"purpose", "p"}, {"valid_until", "2027-01-01"}}
           .dump(),
       {"verifier"}},
      {"GET", "/api/v1/consents", "/api/v1/consents", "", {"verifier"}},
      {"POST",
       "/api/v1/assists",
       "/api/v1/assists",
       json{{"citizen_id", owner_.citizen_id}}.dump(),
       {"community_worker"}},
      {"POST",
       "/api/v1/assists/{id}/confirmation",
       "/api/v1/assists/as_none/confirmation",
       R"({"code":"123456"})",
       {"community_worker"}},
      {"GET", "/api/v1/corrections", "/api/v1/corrections", "", {"reviewer"}},
      {"POST",
       "/api/v1/corrections/{id}/decision",
       "/api/v1/corrections/" + correction_ + "/decision",
       R"({"decision":"accept","note":"done"})",
       {"reviewer"}},
      {"GET",
       "/api/v1/service-applications/{id}",
       "/api/v1/service-applications/" + service_application_,
       "",
       {"owner", "reviewer"}},
      {"GET", "/api/v1/service-applications", "/api/v1/service-applications", "", {"reviewer"}},
      {"POST",
       "/api/v1/people/{citizen_id}/service-applications",
       person + "/service-applications",
       R"({"service_id":"driving_licence"})",
       {"owner"}},
      {"POST",
       "/api/v1/service-applications/{id}/decision",
       "/api/v1/service-applications/" + service_application_ + "/decision",
       R"({"decision":"approve"})",
       {"reviewer"}},
      {"POST", "/api/v1/auth/logout", "/api/v1/auth/logout", "", everyone_signed_in},  // last: ends the session
  };

  // Every registered route has a row, and every row is a registered route.
  std::set<std::pair<std::string, std::string>> routes, covered;
  for (const auto& r : app_->router().Routes()) routes.insert(r);
  for (const Row& row : rows) covered.emplace(row.method, row.pattern);
  EXPECT_EQ(routes, covered);

  for (const Row& row : rows) {
    for (const auto& [who, token] : callers_) {
      std::map<std::string, std::string> headers = {{"Content-Type", "application/json"}};
      if (!token.empty()) headers["Authorization"] = "Bearer " + token;
      const bool allowed = row.allowed.count(who) > 0;
      const std::string before = allowed ? "" : DumpTables(db_path());
      ClientResponse r = HttpCall(app_->port(), row.method, row.path, row.body, headers);
      const std::string what = row.method + " " + row.pattern + " as " + who + ": " + r.body;
      if (allowed) {
        EXPECT_NE(r.status, 401) << what;
        EXPECT_NE(r.status, 403) << what;
        EXPECT_LT(r.status, 500) << what;
      } else {
        EXPECT_EQ(r.status, who == "anonymous" ? 401 : 403) << what;
        json p = json::parse(r.body, nullptr, false);
        EXPECT_EQ(p.value("code", "").rfind("auth.", 0), 0u) << what;
        EXPECT_EQ(before, DumpTables(db_path())) << "tables changed: " << what;
      }
    }
  }
}

}  // namespace
}  // namespace epermit::testing
