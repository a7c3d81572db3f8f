// Issue 5: signing in and the attacks on it, through the real HTTP API. Each refusal is a
// clear problem, and nothing stored about people changes.
#include <gtest/gtest.h>

#include <future>

#include "domain/permit_number.hpp"
#include "support/resident_builder.hpp"

namespace epermit::testing {
namespace {

using nlohmann::json;

class AuthApiTest : public CityFixture {
 protected:
  void SetUp() override {
    SetUpCity("310000", MakeDate(2026, 11, 15));
    ASSERT_TRUE(app_->Start().ok());
    ResidentSpec s;
    s.citizen_id = MakeCitizenId("360426", "19900101", 101);
    AddResident(*app_, s);
    auto out = app_->applications().Apply(ApplyFor(s), {"test"});
    ASSERT_TRUE(out.ok() && out->permit);
    resident_id_ = s.citizen_id;
    number_ = out->permit->number;
    ASSERT_TRUE(
        app_->accounts().Add({"li.ming", domain::Role::kResident, resident_id_, {}, "", kPassword}, {"t"}).ok());
    auto reviewer = app_->accounts().Add({"rev.wang", domain::Role::kReviewer, "", {}, "", kPassword}, {"t"});
    ASSERT_TRUE(reviewer.ok());
    reviewer_secret_ = reviewer->totp_secret;
  }
  void TearDown() override { app_->Stop(); }

  ClientResponse Login(const json& body) { return HttpCall(app_->port(), "POST", "/api/v1/auth/login", body.dump()); }
  ClientResponse Get(const std::string& path, const std::map<std::string, std::string>& headers) {
    return HttpCall(app_->port(), "GET", path, "", headers);
  }
  static std::string Code(const ClientResponse& r) { return json::parse(r.body, nullptr, false).value("code", ""); }
  // The tables holding people's data (not the account, where a failed sign-in is counted,
  // nor history, where it is recorded).
  std::string PeopleTables() {
    std::string all = DumpTables(db_path());
    return all.substr(0, all.find("## history"));
  }
  std::string ResidentBearer() {
    ClientResponse r = Login({{"username", "li.ming"}, {"password", kPassword}, {"session", "bearer"}});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json().value("access_token", "");
  }

  static constexpr char kPassword[] = "correct horse battery";
  std::string resident_id_;
  std::string number_;
  std::string reviewer_secret_;
};

TEST_F(AuthApiTest, CookieSessionIsHttpOnlySecureSameSiteAndNeedsTheCsrfTokenToWrite) {
  ClientResponse login = Login({{"username", "li.ming"}, {"password", kPassword}});
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string cookie = login.Header("Set-Cookie");
  EXPECT_NE(cookie.find("epermit_session=ept_"), std::string::npos) << cookie;
  for (const char* flag : {"HttpOnly", "Secure", "SameSite=Strict", "Path=/"}) {
    EXPECT_NE(cookie.find(flag), std::string::npos) << flag << " missing: " << cookie;
  }
  EXPECT_EQ(login.Header("Cache-Control"), "no-store");
  const std::string session = cookie.substr(0, cookie.find(';'));
  const std::string csrf = login.Json()["csrf_token"];
  EXPECT_EQ(login.Json()["account"]["citizen_id"], domain::MaskCitizenId(resident_id_));

  // Reading with the cookie alone is fine.
  ClientResponse mine = Get("/api/v1/permits/" + number_, {{"Cookie", session}});
  EXPECT_EQ(mine.status, 200) << mine.body;
  // A forged cross-site request carries the cookie but not the token: refused, nothing changed.
  const std::string before = DumpTables(db_path());
  ClientResponse forged = HttpCall(app_->port(), "POST", "/api/v1/permits/" + number_ + "/replacements",
                                   R"({"reason":"lost"})", {{"Cookie", session}});
  EXPECT_EQ(forged.status, 403) << forged.body;
  EXPECT_EQ(Code(forged), "auth.csrf");
  ClientResponse wrong_token = HttpCall(app_->port(), "POST", "/api/v1/permits/" + number_ + "/replacements",
                                        R"({"reason":"lost"})", {{"Cookie", session}, {"X-CSRF-Token", csrf + "x"}});
  EXPECT_EQ(Code(wrong_token), "auth.csrf");
  EXPECT_EQ(before, DumpTables(db_path()));
  // With the token the same request goes through.
  ClientResponse real = HttpCall(app_->port(), "POST", "/api/v1/permits/" + number_ + "/replacements",
                                 R"({"reason":"lost"})", {{"Cookie", session}, {"X-CSRF-Token", csrf}});
  EXPECT_EQ(real.status, 201) << real.body;
}

TEST_F(AuthApiTest, WrongPasswordFiveTimesLocksTheAccountEvenForTheRightPassword) {
  const std::string before = PeopleTables();
  for (int i = 0; i < 5; ++i) {
    ClientResponse r = Login({{"username", "li.ming"}, {"password", "wrong password " + std::to_string(i)}});
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_EQ(Code(r), "auth.bad_credentials");
    EXPECT_EQ(r.Header("WWW-Authenticate"), "");  // a failed sign-in, not a missing session
  }
  ClientResponse locked = Login({{"username", "li.ming"}, {"password", kPassword}});
  EXPECT_EQ(locked.status, 429) << locked.body;
  EXPECT_EQ(Code(locked), "auth.locked");
  EXPECT_EQ(before, PeopleTables());
  // The lock lasts auth.lockout_seconds (15 minutes), then the right password works again.
  clock_->Advance(std::chrono::minutes(16));
  EXPECT_EQ(Login({{"username", "li.ming"}, {"password", kPassword}}).status, 200);
}

TEST_F(AuthApiTest, AnUnknownUserGetsTheSameAnswerAsAWrongPassword) {
  ClientResponse unknown = Login({{"username", "nobody.here"}, {"password", kPassword}});
  ClientResponse wrong = Login({{"username", "li.ming"}, {"password", "not the password"}});
  EXPECT_EQ(unknown.status, wrong.status);
  EXPECT_EQ(unknown.body.substr(0, unknown.body.find("\"instance\"")),
            wrong.body.substr(0, wrong.body.find("\"instance\"")));
}

TEST_F(AuthApiTest, StaffNeedTheirTotpCodeAndACodeWorksOnlyOnce) {
  ClientResponse none = Login({{"username", "rev.wang"}, {"password", kPassword}, {"session", "bearer"}});
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(Code(none), "auth.totp_required");
  const std::string code = auth::Totp(reviewer_secret_, clock_->UnixSeconds());
  const std::string wrong = code == "000000" ? "000001" : "000000";
  ClientResponse bad =
      Login({{"username", "rev.wang"}, {"password", kPassword}, {"totp", wrong}, {"session", "bearer"}});
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(Code(bad), "auth.bad_totp");
  ClientResponse ok = Login({{"username", "rev.wang"}, {"password", kPassword}, {"totp", code}, {"session", "bearer"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Json()["token_type"], "Bearer");
  EXPECT_EQ(ok.Json()["expires_in"], 3600);
  // Someone who saw the code over the reviewer's shoulder cannot use it again.
  ClientResponse replay =
      Login({{"username", "rev.wang"}, {"password", kPassword}, {"totp", code}, {"session", "bearer"}});
  EXPECT_EQ(replay.status, 401);
  EXPECT_EQ(Code(replay), "auth.totp_replayed");
  // The next 30-second step's code is accepted.
  clock_->Advance(std::chrono::seconds(30));
  EXPECT_EQ(Login({{"username", "rev.wang"},
                   {"password", kPassword},
                   {"totp", auth::Totp(reviewer_secret_, clock_->UnixSeconds())},
                   {"session", "bearer"}})
                .status,
            200);
}

TEST_F(AuthApiTest, ExpiredAndUnknownTokensAreRefused) {
  ClientResponse login = Login({{"username", "li.ming"}, {"password", kPassword}, {"session", "bearer"}});
  ASSERT_EQ(login.status, 200);
  const std::string token = login.Json()["access_token"];
  const std::map<std::string, std::string> bearer = {{"Authorization", "Bearer " + token}};
  EXPECT_EQ(Get("/api/v1/me", bearer).status, 200);
  clock_->Advance(std::chrono::seconds(3601));
  ClientResponse expired = Get("/api/v1/me", bearer);
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(Code(expired), "auth.session_expired");
  EXPECT_EQ(expired.Header("WWW-Authenticate"), "Bearer realm=\"epermit\"");
  std::string forged = token;
  forged[10] = forged[10] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Code(Get("/api/v1/me", {{"Authorization", "Bearer " + forged}})), "auth.session_invalid");
  EXPECT_EQ(Code(Get("/api/v1/me", {{"Authorization", "Basic bGk6eA=="}})), "auth.bad_authorization");
  EXPECT_EQ(Code(Get("/api/v1/me", {})), "auth.session_invalid");
  // A bearer token is not a cookie, nor the other way round.
  EXPECT_EQ(Code(Get("/api/v1/me", {{"Cookie", "epermit_session=" + token}})), "auth.session_invalid");
}

TEST_F(AuthApiTest, AResidentCannotReachAnotherResidentByChangingTheIdInTheUrl) {
  ResidentSpec other;
  other.citizen_id = MakeCitizenId("360426", "19900101", 103);
  AddResident(*app_, other);
  auto theirs = app_->applications().Apply(ApplyFor(other), {"test"});
  ASSERT_TRUE(theirs.ok() && theirs->permit);
  const auto me = Bearer(ResidentBearer());
  const std::string before = DumpTables(db_path());
  for (const std::string& path :
       {"/api/v1/permits/" + theirs->permit->number, "/api/v1/people/" + other.citizen_id + "/ledger",
        "/api/v1/people/" + other.citizen_id + "/points", "/api/v1/applications/" + theirs->application.id,
        "/api/v1/permits/" + theirs->permit->number + "/qr"}) {
    ClientResponse r = Get(path, me);
    EXPECT_EQ(r.status, 403) << path << " " << r.body;
    EXPECT_EQ(Code(r), "auth.forbidden");
    EXPECT_EQ(r.body.find(other.citizen_id), std::string::npos);
  }
  ClientResponse endorse = HttpCall(app_->port(), "POST", "/api/v1/permits/" + theirs->permit->number + "/revocation",
                                    R"({"reason":"x"})", me);
  EXPECT_EQ(endorse.status, 403);
  // A number that was never issued gets the same answer as someone else's: no probing.
  ClientResponse never = Get("/api/v1/permits/" + domain::FormatPermitNumber("310000", 777777, 1), me);
  EXPECT_EQ(never.status, 403);
  EXPECT_EQ(before, DumpTables(db_path()));
  EXPECT_EQ(Get("/api/v1/permits/" + number_, me).status, 200);  // their own, yes
}

TEST_F(AuthApiTest, ADepartmentClientCannotWriteAnotherDepartmentsRecords) {
  const std::string token = TokenFor(domain::Role::kDepartment, "", {"social_insurance"});
  const json si = {{"kind", "social_insurance"}, {"citizen_id", resident_id_}, {"source", "rsj"},   {"city", "310000"},
                   {"scheme", "employee"},       {"risk", "medical"},          {"from", "2019-01"}, {"to", "2019-02"}};
  const json employment = {{"kind", "employment"}, {"citizen_id", resident_id_},         {"source", "rsj"},
                           {"city", "310000"},     {"employer_uscc", kShanghaiEmployer}, {"from", "2019-01-01"}};
  const std::string before = DumpTables(db_path());
  ClientResponse mixed = HttpCall(app_->port(), "POST", "/api/v1/records", si.dump() + "\n" + employment.dump() + "\n",
                                  Bearer(token, "application/x-ndjson"));
  EXPECT_EQ(mixed.status, 403) << mixed.body;
  EXPECT_EQ(Code(mixed), "auth.record_kind");
  EXPECT_EQ(mixed.Json()["line"], 2);
  EXPECT_EQ(before, DumpTables(db_path()));
  ClientResponse own =
      HttpCall(app_->port(), "POST", "/api/v1/records", si.dump() + "\n", Bearer(token, "application/x-ndjson"));
  EXPECT_EQ(own.status, 201) << own.body;
  // Clients sign in for bearer tokens only, scoped to their kinds.
  ASSERT_TRUE(app_->accounts()
                  .Add({"dept.rsj", domain::Role::kDepartment, "", {"social_insurance"}, "", kPassword}, {"t"})
                  .ok());
  ClientResponse cookie = Login({{"username", "dept.rsj"}, {"password", kPassword}});
  EXPECT_EQ(cookie.status, 422);
  EXPECT_EQ(Code(cookie), "auth.client_needs_bearer");
  ClientResponse bearer = Login({{"username", "dept.rsj"}, {"password", kPassword}, {"session", "bearer"}});
  EXPECT_EQ(bearer.Json()["scope"], "department records:social_insurance");
}

TEST_F(AuthApiTest, ADepartmentClientOfAnotherCityCannotWriteHere) {
  auto other = app_->accounts().Add(
      {"dept.sz", domain::Role::kDepartment, "", {"social_insurance"}, "440300", kPassword}, {"t"});
  ASSERT_TRUE(other.ok());
  auto login =
      app_->sessions().Login({"dept.sz", kPassword, auth::Totp(other->totp_secret, clock_->UnixSeconds()), true}, "sz");
  ASSERT_TRUE(login.ok()) << login.error().message_en;
  const json si = {{"kind", "social_insurance"}, {"citizen_id", resident_id_}, {"source", "rsj"},   {"city", "310000"},
                   {"scheme", "employee"},       {"risk", "medical"},          {"from", "2019-01"}, {"to", "2019-02"}};
  const std::string before = DumpTables(db_path());
  ClientResponse r =
      HttpCall(app_->port(), "POST", "/api/v1/records", json{{"records", {si}}}.dump(), Bearer(login->token));
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(Code(r), "auth.forbidden");
  EXPECT_EQ(before, DumpTables(db_path()));
}

// Two sign-ins racing with one TOTP code: the password check runs outside the writer, so
// both pass it; the code is accepted once, by whichever commits first.
TEST_F(AuthApiTest, ATotpCodeUsedByTwoConcurrentSignInsIsAcceptedOnce) {
  const std::string code = auth::Totp(reviewer_secret_, clock_->UnixSeconds());
  auto attempt = [&](const char* addr) { return app_->sessions().Login({"rev.wang", kPassword, code, true}, addr); };
  auto first = std::async(std::launch::async, attempt, "a");
  auto second = std::async(std::launch::async, attempt, "b");
  auto r1 = first.get();
  auto r2 = second.get();
  EXPECT_EQ(int{r1.ok()} + int{r2.ok()}, 1);
  const auto& failed = r1.ok() ? r2 : r1;
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, "auth.totp_replayed");
}

TEST_F(AuthApiTest, AWorkerWithoutTheResidentsConfirmationIsRefused) {
  const auto worker = Bearer(RoleToken(domain::Role::kCommunityWorker));
  const std::string before = DumpTables(db_path());
  EXPECT_EQ(Get("/api/v1/permits/" + number_, worker).status, 403);
  ClientResponse apply =
      HttpCall(app_->port(), "POST", "/api/v1/applications",
               json{{"citizen_id", resident_id_}, {"name", "张伟"}, {"photo_ref", "p"}}.dump(), worker);
  EXPECT_EQ(apply.status, 403) << apply.body;
  EXPECT_EQ(before, DumpTables(db_path()));
}

TEST_F(AuthApiTest, SignInAttemptsFromOneAddressAreRateLimited) {
  for (int i = 0; i < 20; ++i) Login({{"username", "nobody.here"}, {"password", "x"}});
  ClientResponse limited = Login({{"username", "li.ming"}, {"password", kPassword}});
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(Code(limited), "auth.rate_limited");
  EXPECT_FALSE(limited.Header("Retry-After").empty());
  clock_->Advance(std::chrono::seconds(61));
  EXPECT_EQ(Login({{"username", "li.ming"}, {"password", kPassword}}).status, 200);
}

TEST_F(AuthApiTest, ResidentsCanTurnOnTwoFactorAndChangeTheirPassword) {
  ClientResponse login = Login({{"username", "li.ming"}, {"password", kPassword}, {"session", "bearer"}});
  const auto me = Bearer(login.Json()["access_token"]);
  EXPECT_EQ(HttpCall(app_->port(), "GET", "/api/v1/me", "", me).Json()["totp_enabled"], false);
  ClientResponse start = HttpCall(app_->port(), "POST", "/api/v1/me/totp", "", me);
  ASSERT_EQ(start.status, 200) << start.body;
  const std::string secret = *auth::Base32Decode(start.Json()["secret"].get<std::string>());
  EXPECT_NE(start.Json()["otpauth_uri"].get<std::string>().find("otpauth://totp/"), std::string::npos);
  EXPECT_EQ(HttpCall(app_->port(), "POST", "/api/v1/me/totp/confirm", R"({"code":"12345"})", me).status, 422);
  ClientResponse confirm = HttpCall(app_->port(), "POST", "/api/v1/me/totp/confirm",
                                    json{{"code", auth::Totp(secret, clock_->UnixSeconds())}}.dump(), me);
  EXPECT_EQ(confirm.status, 204) << confirm.body;
  EXPECT_EQ(Code(Login({{"username", "li.ming"}, {"password", kPassword}})), "auth.totp_required");

  // A new password must pass the rules and needs the current one.
  ClientResponse weak = HttpCall(app_->port(), "POST", "/api/v1/me/password",
                                 json{{"current_password", kPassword}, {"new_password", "password123"}}.dump(), me);
  EXPECT_EQ(Code(weak), "password.common");
  ClientResponse guess =
      HttpCall(app_->port(), "POST", "/api/v1/me/password",
               json{{"current_password", "a guess at it"}, {"new_password", "a new long one 2"}}.dump(), me);
  EXPECT_EQ(Code(guess), "auth.bad_password");
  ClientResponse changed =
      HttpCall(app_->port(), "POST", "/api/v1/me/password",
               json{{"current_password", kPassword}, {"new_password", "a new long one 2"}}.dump(), me);
  EXPECT_EQ(changed.status, 204) << changed.body;
  EXPECT_EQ(HttpCall(app_->port(), "GET", "/api/v1/me", "", me).status, 401);  // every session ended
}

TEST_F(AuthApiTest, ADisabledAccountIsSignedOutAndCannotSignIn) {
  const auto me =
      Bearer(Login({{"username", "li.ming"}, {"password", kPassword}, {"session", "bearer"}}).Json()["access_token"]);
  EXPECT_EQ(HttpCall(app_->port(), "GET", "/api/v1/me", "", me).status, 200);
  ASSERT_TRUE(app_->accounts().Disable("li.ming", {"operator:test"}).ok());
  clock_->Advance(std::chrono::seconds(31));  // past the session cache's re-check
  EXPECT_EQ(HttpCall(app_->port(), "GET", "/api/v1/me", "", me).status, 401);
  EXPECT_EQ(Code(Login({{"username", "li.ming"}, {"password", kPassword}})), "auth.bad_credentials");
}

TEST_F(AuthApiTest, LogoutEndsTheSessionAndClearsTheCookie) {
  ClientResponse login = Login({{"username", "li.ming"}, {"password", kPassword}});
  const std::string session = login.Header("Set-Cookie").substr(0, login.Header("Set-Cookie").find(';'));
  ClientResponse out = HttpCall(app_->port(), "POST", "/api/v1/auth/logout", "",
                                {{"Cookie", session}, {"X-CSRF-Token", login.Json()["csrf_token"]}});
  EXPECT_EQ(out.status, 204) << out.body;
  EXPECT_NE(out.Header("Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Get("/api/v1/me", {{"Cookie", session}}).status, 401);
}

}  // namespace
}  // namespace epermit::testing
