// Issue 5 items 3, 4, 5 and 8 through the HTTP API: consent to third parties, assisted
// service (代办), the access log a resident reads (with inclusion proofs), and the rights to
// download, see the records used and ask for corrections. Every refusal is a clear problem
// and leaves the stored tables as they were.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <set>

#include "audit/merkle.hpp"
#include "support/resident_builder.hpp"

namespace epermit::testing {
namespace {

using nlohmann::json;

class PersonRightsTest : public CityFixture {
 protected:
  void SetUp() override {
    SetUpCity("310000", MakeDate(2026, 11, 15));
    ASSERT_TRUE(app_->Start().ok());
    ResidentSpec s;
    s.citizen_id = MakeCitizenId("360426", "19900101", 121);
    s.name = "林晓雨";
    AddResident(*app_, s);
    auto out = app_->applications().Apply(ApplyFor(s), {"test"});
    ASSERT_TRUE(out.ok() && out->permit);
    owner_ = s.citizen_id;
    number_ = out->permit->number;
    verifier_ = RoleToken(domain::Role::kVerifier);
    worker_ = RoleToken(domain::Role::kCommunityWorker);
  }
  void TearDown() override { app_->Stop(); }

  ClientResponse Call(const std::string& token, const std::string& method, const std::string& path,
                      const json& body = nullptr, std::map<std::string, std::string> extra = {}) {
    auto headers = Bearer(token);
    for (auto& [k, v] : extra) headers[k] = v;
    return HttpCall(app_->port(), method, path, body.is_null() ? "" : body.dump(), headers);
  }
  static std::string Code(const ClientResponse& r) { return json::parse(r.body, nullptr, false).value("code", ""); }
  std::string Owner() { return ResidentToken(owner_); }
  std::string PermitPath() const { return "/api/v1/permits/" + number_; }

  // The verifier asks for `fields`; the owner grants. Returns the consent id.
  std::string GrantedConsent(const std::vector<std::string>& fields) {
    ClientResponse asked = Call(verifier_, "POST", "/api/v1/consents",
                                {{"citizen_id", owner_},
                                 {"fields", fields},
                                 {"purpose", "school enrolment of a child"},
                                 {"valid_until", "2027-06-30"}});
    EXPECT_EQ(asked.status, 201) << asked.body;
    const std::string id = asked.Json().value("id", "");
    ClientResponse granted = Call(Owner(), "POST", "/api/v1/me/consents/" + id + "/decision", {{"decision", "grant"}});
    EXPECT_EQ(granted.status, 200) << granted.body;
    return id;
  }

  json AccessLog() {
    ClientResponse r = Call(Owner(), "GET", "/api/v1/me/access-log");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json()["items"];
  }

  std::string owner_;
  std::string number_;
  std::string verifier_;
  std::string worker_;
};

// ---- consent (item 4) ----

TEST_F(PersonRightsTest, VerifierReadsOnlyConsentedFieldsAndOnlyWhileTheConsentStands) {
  // No consent yet: refused, and nothing stored changes.
  std::string before = DumpTables(db_path());
  ClientResponse early = Call(verifier_, "GET", PermitPath());
  EXPECT_EQ(early.status, 403) << early.body;
  EXPECT_EQ(Code(early), "auth.consent_required");
  EXPECT_EQ(before, DumpTables(db_path()));

  // Asked but not yet answered: still refused.
  ClientResponse asked = Call(verifier_, "POST", "/api/v1/consents",
                              {{"citizen_id", owner_},
                               {"fields", {"state", "endorsed_until"}},
                               {"purpose", "employment check"},
                               {"valid_until", "2027-01-31"}});
  ASSERT_EQ(asked.status, 201) << asked.body;
  const std::string id = asked.Json()["id"];
  EXPECT_EQ(asked.Json()["status"], "requested");
  EXPECT_EQ(Call(verifier_, "GET", PermitPath()).status, 403);

  // The person sees the request and grants it.
  ClientResponse mine = Call(Owner(), "GET", "/api/v1/me/consents");
  ASSERT_EQ(mine.status, 200) << mine.body;
  ASSERT_EQ(mine.Json()["items"].size(), 1u);
  EXPECT_EQ(mine.Json()["items"][0]["purpose"], "employment check");
  ASSERT_EQ(Call(Owner(), "POST", "/api/v1/me/consents/" + id + "/decision", {{"decision", "grant"}}).status, 200);

  ClientResponse read = Call(verifier_, "GET", PermitPath());
  ASSERT_EQ(read.status, 200) << read.body;
  const json permit = read.Json();
  EXPECT_EQ(permit["number"], number_);
  EXPECT_EQ(permit["state"], "active");
  EXPECT_TRUE(permit.contains("endorsed_until"));
  EXPECT_FALSE(permit.contains("name")) << permit.dump();
  EXPECT_FALSE(permit.contains("residence_address"));
  EXPECT_EQ(read.body.find("林晓雨"), std::string::npos);

  // Asking for some of the consented fields gives just those.
  ClientResponse some = Call(verifier_, "GET", PermitPath() + "?fields=state");
  ASSERT_EQ(some.status, 200) << some.body;
  EXPECT_EQ(some.Json(), json({{"number", number_}, {"state", "active"}}));

  // Asking for a field outside the consent, or for a read it does not name: refused, unchanged.
  before = DumpTables(db_path());
  ClientResponse outside = Call(verifier_, "GET", PermitPath() + "?fields=state,name");
  EXPECT_EQ(outside.status, 403) << outside.body;
  EXPECT_EQ(Code(outside), "auth.consent_fields");
  EXPECT_NE(outside.body.find("name"), std::string::npos);
  ClientResponse ledger = Call(verifier_, "GET", "/api/v1/people/" + owner_ + "/ledger");
  EXPECT_EQ(ledger.status, 403) << ledger.body;
  EXPECT_EQ(Code(ledger), "auth.consent_required");
  EXPECT_EQ(before, DumpTables(db_path()));

  // Revoked: the very next read is refused.
  ClientResponse revoked = Call(Owner(), "POST", "/api/v1/me/consents/" + id + "/revocation");
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(revoked.Json()["status"], "revoked");
  before = DumpTables(db_path());
  ClientResponse after = Call(verifier_, "GET", PermitPath());
  EXPECT_EQ(after.status, 403) << after.body;
  EXPECT_EQ(Code(after), "auth.consent_required");
  EXPECT_EQ(before, DumpTables(db_path()));

  // The person's access log names the one consented read: who, fields, purpose, basis.
  const json log = AccessLog();
  ASSERT_EQ(log.size(), 2u) << log.dump();
  EXPECT_EQ(log[0]["action"], "read");
  EXPECT_EQ(log[0]["fields"], json({"endorsed_until", "state"}));
  EXPECT_EQ(log[0]["purpose"], "employment check");
  EXPECT_EQ(log[0]["basis"], "consent:" + id);
  EXPECT_EQ(log[0]["who"].get<std::string>().rfind("verifier:", 0), 0u);
  EXPECT_EQ(log[1]["fields"], json({"state"}));
}

TEST_F(PersonRightsTest, ConsentExpiresOnItsDate) {
  GrantedConsent({"state"});
  EXPECT_EQ(Call(verifier_, "GET", PermitPath()).status, 200);
  clock_->Set(MakeDate(2027, 7, 1));
  verifier_ = RoleToken(domain::Role::kVerifier);
  ClientResponse late = Call(verifier_, "GET", PermitPath());
  EXPECT_EQ(late.status, 403) << late.body;
  EXPECT_EQ(Code(late), "auth.consent_required");
}

TEST_F(PersonRightsTest, ConsentedPointsNeedPointsNamed) {
  GrantedConsent({"points"});
  EXPECT_EQ(Call(verifier_, "GET", "/api/v1/people/" + owner_ + "/points").status, 200);
  // "points" alone opens no permit field.
  EXPECT_EQ(Call(verifier_, "GET", PermitPath()).status, 403);
}

TEST_F(PersonRightsTest, BadConsentRequestsAreRefusedAndStoreNothing) {
  const std::string before = DumpTables(db_path());
  struct Bad {
    json body;
    int status;
    std::string code;
  };
  const json good = {{"citizen_id", owner_}, {"fields", {"state"}}, {"purpose", "p"}, {"valid_until", "2027-01-01"}};
  auto with = [&](const char* key, json value) {
    json b = good;
    b[key] = std::move(value);
    return b;
  };
  const std::vector<Bad> bad = {
      {with("fields", json::array()), 422, "consent.fields"},
      {with("fields", {"state", "salary"}), 422, "consent.fields"},
      {with("fields", {"state", "state"}), 422, "consent.fields"},
      {with("purpose", ""), 422, "field.empty"},
      {with("valid_until", "2026-11-15"), 422, "consent.period"},
      {with("valid_until", "2028-01-01"), 422, "consent.period"},
      {with("valid_until", "2027-02-30"), 422, "field.date"},
      {with("citizen_id", "360426199001011234"), 422, "citizen_id.checksum"},
  };
  for (const Bad& b : bad) {
    ClientResponse r = Call(verifier_, "POST", "/api/v1/consents", b.body);
    EXPECT_EQ(r.status, b.status) << b.body.dump() << " " << r.body;
    EXPECT_EQ(Code(r), b.code) << b.body.dump() << " " << r.body;
  }
  EXPECT_EQ(before, DumpTables(db_path()));

  // A second request while the first awaits an answer.
  ASSERT_EQ(Call(verifier_, "POST", "/api/v1/consents", good).status, 201);
  const std::string once = DumpTables(db_path());
  ClientResponse again = Call(verifier_, "POST", "/api/v1/consents", good);
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(Code(again), "consent.duplicate");
  EXPECT_EQ(once, DumpTables(db_path()));
}

TEST_F(PersonRightsTest, OnlyThePersonAnswersTheirConsentAndOnlyOnce) {
  ClientResponse asked =
      Call(verifier_, "POST", "/api/v1/consents",
           {{"citizen_id", owner_}, {"fields", {"state"}}, {"purpose", "p"}, {"valid_until", "2027-01-01"}});
  ASSERT_EQ(asked.status, 201);
  const std::string path = "/api/v1/me/consents/" + asked.Json()["id"].get<std::string>();
  const std::string other = ResidentToken(MakeCitizenId("360426", "19900101", 123));
  std::string before = DumpTables(db_path());
  ClientResponse stranger = Call(other, "POST", path + "/decision", {{"decision", "grant"}});
  EXPECT_EQ(stranger.status, 404) << stranger.body;
  EXPECT_EQ(Code(stranger), "consent.not_found");
  EXPECT_EQ(Call(Owner(), "POST", path + "/decision", {{"decision", "maybe"}}).status, 422);
  EXPECT_EQ(Call(Owner(), "POST", path + "/revocation").status, 409);  // nothing granted yet
  // DumpTables includes accounts: the stranger's token made an account; compare after it.
  before = DumpTables(db_path());
  EXPECT_EQ(Call(other, "POST", path + "/decision", {{"decision", "grant"}}).status, 404);
  EXPECT_EQ(before, DumpTables(db_path()));
  ASSERT_EQ(Call(Owner(), "POST", path + "/decision", {{"decision", "refuse"}}).status, 200);
  before = DumpTables(db_path());
  ClientResponse twice = Call(Owner(), "POST", path + "/decision", {{"decision", "grant"}});
  EXPECT_EQ(twice.status, 409) << twice.body;
  EXPECT_EQ(Code(twice), "consent.state");
  EXPECT_EQ(before, DumpTables(db_path()));
  EXPECT_EQ(Call(verifier_, "GET", PermitPath()).status, 403);
  // The verifier sees its request was refused.
  ClientResponse listed = Call(verifier_, "GET", "/api/v1/consents");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.Json()["items"][0]["status"], "refused");
}

// ---- assisted service (item 3) ----

TEST_F(PersonRightsTest, WorkerActsOnlyAfterTheResidentReadsOutTheCode) {
  // Without an assist, refused.
  std::string before = DumpTables(db_path());
  ClientResponse alone = Call(worker_, "POST", PermitPath() + "/endorsements", json::object());
  EXPECT_EQ(alone.status, 403) << alone.body;
  EXPECT_EQ(Code(alone), "auth.forbidden");
  EXPECT_EQ(before, DumpTables(db_path()));

  ClientResponse started = Call(worker_, "POST", "/api/v1/assists", {{"citizen_id", owner_}});
  ASSERT_EQ(started.status, 201) << started.body;
  EXPECT_FALSE(started.Json().contains("code")) << "the worker must hear the code from the resident";
  const std::string id = started.Json()["id"];
  const std::map<std::string, std::string> acting = {{"X-Assist-Id", id}};

  // Not yet confirmed: the assist does not open anything.
  before = DumpTables(db_path());
  ClientResponse unconfirmed = Call(worker_, "GET", PermitPath(), nullptr, acting);
  EXPECT_EQ(unconfirmed.status, 403) << unconfirmed.body;
  EXPECT_EQ(Code(unconfirmed), "auth.assist_inactive");
  EXPECT_EQ(before, DumpTables(db_path()));

  // The resident sees the code in their own account.
  ClientResponse mine = Call(Owner(), "GET", "/api/v1/me/assists");
  ASSERT_EQ(mine.status, 200);
  const std::string code = mine.Json()["items"][0].value("code", "");
  ASSERT_EQ(code.size(), 6u);

  // A wrong code is refused; the try is counted.
  const std::string wrong = code == "000000" ? "111111" : "000000";
  ClientResponse bad = Call(worker_, "POST", "/api/v1/assists/" + id + "/confirmation", {{"code", wrong}});
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(Code(bad), "assist.bad_code");
  EXPECT_NE(bad.body.find("4 tries left"), std::string::npos) << bad.body;

  // Another worker cannot use it.
  const std::string other_worker = TokenFor(domain::Role::kCommunityWorker);
  ClientResponse theirs = Call(other_worker, "POST", "/api/v1/assists/" + id + "/confirmation", {{"code", code}});
  EXPECT_EQ(theirs.status, 404) << theirs.body;

  ClientResponse confirmed = Call(worker_, "POST", "/api/v1/assists/" + id + "/confirmation", {{"code", code}});
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  EXPECT_EQ(confirmed.Json()["status"], "active");
  // Replaying the code does nothing.
  ClientResponse replay = Call(worker_, "POST", "/api/v1/assists/" + id + "/confirmation", {{"code", code}});
  EXPECT_EQ(replay.status, 409) << replay.body;
  EXPECT_EQ(Code(replay), "assist.state");
  EXPECT_EQ(Call(other_worker, "GET", PermitPath(), nullptr, acting).status, 403);

  // Now the worker reaches this resident (and no other) and history says for whom.
  ClientResponse read = Call(worker_, "GET", PermitPath(), nullptr, acting);
  ASSERT_EQ(read.status, 200) << read.body;
  clock_->Set(MakeDate(2027, 10, 20));  // inside the endorsement window
  worker_ = RoleToken(domain::Role::kCommunityWorker);
  // The assist lasts hours, not months: start and confirm a fresh one today.
  ClientResponse again = Call(worker_, "POST", "/api/v1/assists", {{"citizen_id", owner_}});
  ASSERT_EQ(again.status, 201);
  const std::string id2 = again.Json()["id"];
  const std::string code2 = Call(Owner(), "GET", "/api/v1/me/assists").Json()["items"][1].value("code", "");
  ASSERT_EQ(Call(worker_, "POST", "/api/v1/assists/" + id2 + "/confirmation", {{"code", code2}}).status, 200);
  ClientResponse stale = Call(worker_, "GET", PermitPath(), nullptr, acting);
  EXPECT_EQ(stale.status, 403) << "the first assist has expired: " << stale.body;
  ClientResponse endorsed =
      Call(worker_, "POST", PermitPath() + "/endorsements", json::object(), {{"X-Assist-Id", id2}});
  ASSERT_EQ(endorsed.status, 200) << endorsed.body;
  std::vector<domain::HistoryEntry> history;
  ASSERT_TRUE(app_->store()
                  .Read([&](store::Tx& tx) -> Status {
                    EPERMIT_ASSIGN_OR_RETURN(history, tx.History("permit", number_));
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_FALSE(history.empty());
  const std::string actor = history.back().actor;
  EXPECT_EQ(actor.rfind("community_worker:", 0), 0u) << actor;
  EXPECT_NE(actor.find("on behalf of resident " + domain::MaskCitizenId(owner_)), std::string::npos) << actor;
  EXPECT_NE(actor.find(id2), std::string::npos) << actor;
  // Another resident stays out of reach under this assist.
  ResidentSpec other;
  other.citizen_id = MakeCitizenId("360426", "19900101", 125);
  AddResident(*app_, other);
  auto other_permit = app_->applications().Apply(ApplyFor(other), {"test"});
  ASSERT_TRUE(other_permit.ok() && other_permit->permit);
  EXPECT_EQ(
      Call(worker_, "GET", "/api/v1/permits/" + other_permit->permit->number, nullptr, {{"X-Assist-Id", id2}}).status,
      403);

  // The resident ends it; the worker is out at once.
  ASSERT_EQ(Call(Owner(), "POST", "/api/v1/me/assists/" + id2 + "/end").status, 200);
  ClientResponse ended = Call(worker_, "GET", PermitPath(), nullptr, {{"X-Assist-Id", id2}});
  EXPECT_EQ(ended.status, 403) << ended.body;
  EXPECT_EQ(Code(ended), "auth.assist_inactive");

  // The access log shows the worker's read and change, on the assist's basis.
  const json log = AccessLog();
  ASSERT_EQ(log.size(), 2u) << log.dump();
  EXPECT_EQ(log[0]["basis"], "assist:" + id);
  EXPECT_EQ(log[1]["action"], "change");
  EXPECT_EQ(log[1]["basis"], "assist:" + id2);
}

TEST_F(PersonRightsTest, FiveWrongCodesFailTheAssist) {
  ClientResponse started = Call(worker_, "POST", "/api/v1/assists", {{"citizen_id", owner_}});
  ASSERT_EQ(started.status, 201);
  const std::string id = started.Json()["id"];
  const std::string code = Call(Owner(), "GET", "/api/v1/me/assists").Json()["items"][0].value("code", "");
  const std::string wrong = code == "000000" ? "111111" : "000000";
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Call(worker_, "POST", "/api/v1/assists/" + id + "/confirmation", {{"code", wrong}}).status, 422);
  }
  ClientResponse late = Call(worker_, "POST", "/api/v1/assists/" + id + "/confirmation", {{"code", code}});
  EXPECT_EQ(late.status, 409) << late.body;
  EXPECT_EQ(Call(worker_, "GET", PermitPath(), nullptr, {{"X-Assist-Id", id}}).status, 403);
}

TEST_F(PersonRightsTest, AMinorIsConfirmedByTheGuardian) {
  const std::string child = MakeCitizenId("360426", "20150301", 127);
  const std::string guardian = MakeCitizenId("360426", "19850101", 129);
  ClientResponse no_guardian = Call(worker_, "POST", "/api/v1/assists", {{"citizen_id", child}});
  EXPECT_EQ(no_guardian.status, 422) << no_guardian.body;
  EXPECT_EQ(Code(no_guardian), "assist.guardian_required");
  ClientResponse child_guardian =
      Call(worker_, "POST", "/api/v1/assists", {{"citizen_id", child}, {"guardian_citizen_id", child}});
  EXPECT_EQ(Code(child_guardian), "assist.guardian_invalid");
  ClientResponse adult_with_guardian =
      Call(worker_, "POST", "/api/v1/assists", {{"citizen_id", owner_}, {"guardian_citizen_id", guardian}});
  EXPECT_EQ(Code(adult_with_guardian), "assist.guardian_not_needed");

  ClientResponse started =
      Call(worker_, "POST", "/api/v1/assists", {{"citizen_id", child}, {"guardian_citizen_id", guardian}});
  ASSERT_EQ(started.status, 201) << started.body;
  EXPECT_EQ(started.Json()["confirmed_by"], "guardian");
  // The code goes to the guardian, not to the child's own account.
  const json for_child = Call(ResidentToken(child), "GET", "/api/v1/me/assists").Json()["items"];
  ASSERT_EQ(for_child.size(), 1u);
  EXPECT_FALSE(for_child[0].contains("code"));
  const json for_guardian = Call(ResidentToken(guardian), "GET", "/api/v1/me/assists").Json()["items"];
  ASSERT_EQ(for_guardian.size(), 1u);
  EXPECT_EQ(for_guardian[0].value("code", "").size(), 6u);
}

// ---- the access log and its proofs (items 5 and 6) ----

TEST_F(PersonRightsTest, AccessLogHasEveryoneElsesAccessAndEachEntryHasAnInclusionProof) {
  // The resident's own reads are not "someone else".
  ASSERT_EQ(Call(Owner(), "GET", PermitPath()).status, 200);
  EXPECT_TRUE(AccessLog().empty());
  // A reviewer's read, and a department's write of the person's records.
  ASSERT_EQ(Call(RoleToken(domain::Role::kReviewer), "GET", PermitPath()).status, 200);
  const json record = {{"kind", "social_insurance"}, {"citizen_id", owner_}, {"source", "310000-rsj"},
                       {"city", "310000"},           {"scheme", "employee"}, {"risk", "medical"},
                       {"from", "2019-01"},          {"to", "2019-06"}};
  ClientResponse fed =
      Call(RoleToken(domain::Role::kDepartment), "POST", "/api/v1/records", {{"records", json::array({record})}});
  ASSERT_EQ(fed.status, 201) << fed.body;
  // A refused read is not an access.
  ASSERT_EQ(Call(ResidentToken(MakeCitizenId("360426", "19900101", 131)), "GET", PermitPath()).status, 403);

  const json log = AccessLog();
  ASSERT_EQ(log.size(), 2u) << log.dump();
  EXPECT_EQ(log[0]["basis"], "role:reviewer");
  EXPECT_EQ(log[0]["fields"], json({"permit"}));
  EXPECT_EQ(log[0]["route"], "GET /api/v1/permits/{number}");
  EXPECT_EQ(log[1]["basis"], "role:department");
  EXPECT_EQ(log[1]["action"], "change");
  // Nobody else's log holds these.
  EXPECT_TRUE(Call(ResidentToken(MakeCitizenId("360426", "19900101", 131)), "GET", "/api/v1/me/access-log")
                  .Json()["items"]
                  .empty());

  // Each entry is in the signed tree: the proof from the public route checks against the head.
  ASSERT_TRUE(app_->audit_log().PublishHead().ok());
  const json head = HttpCall(app_->port(), "GET", "/api/v1/audit/tree-head").Json();
  const auto root = audit::FromHex(head["root_hash"].get<std::string>());
  ASSERT_TRUE(root);
  for (const json& e : log) {
    const uint64_t index = e["leaf_index"];
    const json proof =
        HttpCall(app_->port(), "GET", "/api/v1/audit/proof/inclusion?leaf_index=" + std::to_string(index)).Json();
    std::vector<audit::Hash> path;
    for (const auto& h : proof["inclusion_path"]) path.push_back(*audit::FromHex(h.get<std::string>()));
    const audit::Hash leaf = audit::LeafHash(e["entry"].get<std::string>());
    EXPECT_TRUE(audit::VerifyInclusion(index, head["tree_size"], leaf, path, *root)) << e.dump();
    // An entry edited by one character no longer proves.
    std::string edited = e["entry"];
    edited[edited.find("read") != std::string::npos ? edited.find("read") : 2] = 'X';
    EXPECT_FALSE(audit::VerifyInclusion(index, head["tree_size"], audit::LeafHash(edited), path, *root));
  }
}

// ---- personal-information rights (item 8) ----

TEST_F(PersonRightsTest, DownloadHasEverythingHeldAboutThePerson) {
  GrantedConsent({"state"});
  ASSERT_EQ(Call(verifier_, "GET", PermitPath()).status, 200);
  ClientResponse r = Call(Owner(), "GET", "/api/v1/me/export");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.Header("Content-Disposition").find("attachment"), std::string::npos);
  const json all = r.Json();
  EXPECT_EQ(all["citizen_id"], owner_);
  EXPECT_EQ(all["registrations"].size(), 1u);
  EXPECT_EQ(all["applications"].size(), 1u);
  EXPECT_EQ(all["permits"].size(), 1u);
  EXPECT_EQ(all["permits"][0]["name"], "林晓雨");
  EXPECT_FALSE(all["department_records"].empty());
  EXPECT_EQ(all["consents"].size(), 1u);
  EXPECT_EQ(all["access_log"].size(), 1u);
  EXPECT_EQ(all["account"]["role"], "resident");
  // Only one's own: another resident's download has none of this.
  const json theirs = Call(ResidentToken(MakeCitizenId("360426", "19900101", 133)), "GET", "/api/v1/me/export").Json();
  EXPECT_TRUE(theirs["permits"].empty());
  EXPECT_EQ(theirs.dump().find("林晓雨"), std::string::npos);
}

TEST_F(PersonRightsTest, RecordsUsedAreListedByDepartment) {
  ClientResponse r = Call(Owner(), "GET", "/api/v1/me/records-used");
  ASSERT_EQ(r.status, 200) << r.body;
  const json items = r.Json()["items"];
  ASSERT_EQ(items.size(), 1u);
  ASSERT_FALSE(items[0]["departments"].empty()) << items.dump();
  std::set<std::string> kinds;
  for (const json& d : items[0]["departments"]) {
    EXPECT_FALSE(d["department"].get<std::string>().empty());
    for (const json& rec : d["records"]) kinds.insert(rec["kind"].get<std::string>());
    for (const json& rec : d["records"]) EXPECT_EQ(rec["department"], d["department"]);
  }
  // The automatic review read at least the identity, hukou and social-insurance records.
  EXPECT_TRUE(kinds.count("person") && kinds.count("hukou") && kinds.count("social_insurance")) << items.dump();
}

TEST_F(PersonRightsTest, CorrectionGoesToAReviewerOfTheCityAndBack) {
  std::string before = DumpTables(db_path());
  const std::vector<std::pair<json, std::string>> bad = {
      {{{"field", "salary"}, {"requested", "x"}, {"reason", "y"}}, "correction.field"},
      {{{"field", "record:employment#99999"}, {"requested", "x"}, {"reason", "y"}}, "correction.field"},
      {{{"field", "name"}, {"requested", ""}, {"reason", "y"}}, "field.empty"},
      {{{"field", "name"}, {"requested", "x"}}, "field.missing"},
  };
  const std::string owner = Owner();
  before = DumpTables(db_path());
  for (const auto& [body, code] : bad) {
    ClientResponse r = Call(owner, "POST", "/api/v1/me/corrections", body);
    EXPECT_EQ(r.status, 422) << body.dump() << r.body;
    EXPECT_EQ(Code(r), code) << body.dump() << r.body;
  }
  EXPECT_EQ(before, DumpTables(db_path()));

  ClientResponse asked = Call(owner, "POST", "/api/v1/me/corrections",
                              {{"field", "name"}, {"requested", "林晓宇"}, {"reason", "typo at the counter"}});
  ASSERT_EQ(asked.status, 201) << asked.body;
  const std::string id = asked.Json()["id"];
  before = DumpTables(db_path());
  ClientResponse dup =
      Call(owner, "POST", "/api/v1/me/corrections", {{"field", "name"}, {"requested", "林晓宇"}, {"reason", "again"}});
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(Code(dup), "correction.duplicate");
  EXPECT_EQ(before, DumpTables(db_path()));

  // A reviewer of another city neither sees nor decides it.
  auto sz = app_->accounts().Add({"reviewer-sz", domain::Role::kReviewer, "", {}, "440300", kTestPassword}, {"t"});
  ASSERT_TRUE(sz.ok());
  auto sz_login = app_->sessions().Login(
      {"reviewer-sz", kTestPassword, auth::Totp(sz->totp_secret, clock_->UnixSeconds()), true}, "x");
  ASSERT_TRUE(sz_login.ok());
  before = DumpTables(db_path());
  EXPECT_EQ(Call(sz_login->token, "GET", "/api/v1/corrections").status, 403);
  EXPECT_EQ(Call(sz_login->token, "POST", "/api/v1/corrections/" + id + "/decision",
                 {{"decision", "accept"}, {"note", "done"}})
                .status,
            403);
  EXPECT_EQ(before, DumpTables(db_path()));

  const std::string reviewer = RoleToken(domain::Role::kReviewer);
  ClientResponse queue = Call(reviewer, "GET", "/api/v1/corrections");
  ASSERT_EQ(queue.status, 200);
  ASSERT_EQ(queue.Json()["items"].size(), 1u);
  ClientResponse decided = Call(reviewer, "POST", "/api/v1/corrections/" + id + "/decision",
                                {{"decision", "accept"}, {"note", "Name corrected on the permit."}});
  ASSERT_EQ(decided.status, 200) << decided.body;
  EXPECT_EQ(
      Call(reviewer, "POST", "/api/v1/corrections/" + id + "/decision", {{"decision", "reject"}, {"note", "x"}}).status,
      409);
  const json mine = Call(owner, "GET", "/api/v1/me/corrections").Json()["items"];
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["status"], "accepted");
  EXPECT_EQ(mine[0]["note"], "Name corrected on the permit.");
  // The reviewer's handling is in the person's access log.
  const json log = AccessLog();
  ASSERT_EQ(log.size(), 1u) << log.dump();
  EXPECT_EQ(log[0]["fields"], json({"correction"}));
}

// ---- encryption at rest (item 7) ----

// After a registration, an issued permit, department records, a consent and a verifier's read,
// an account and a correction request, the database file and its WAL hold none of the
// resident's name, ID number, phone or addresses, while the API still serves them.
TEST_F(PersonRightsTest, GreppingTheDatabaseFileFindsNoNameOrIdNumber) {
  GrantedConsent({"name", "state"});
  ClientResponse read = Call(verifier_, "GET", PermitPath());
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.Json().value("name", ""), "林晓雨");
  ClientResponse asked = Call(Owner(), "POST", "/api/v1/me/corrections",
                              {{"field", "name"}, {"requested", "林晓宇"}, {"reason", "typo at the counter"}});
  ASSERT_EQ(asked.status, 201) << asked.body;
  std::string bytes;
  for (const std::string& f : {db_path(), db_path() + "-wal"}) {
    std::ifstream in(f, std::ios::binary);
    bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_GT(bytes.size(), 4096u);
  for (const std::string& secret : {owner_, owner_.substr(0, 14), std::string("林晓雨"), std::string("林晓宇"),
                                    std::string("13800138000"), std::string("人民路1号"), std::string("宝塔乡1号")}) {
    EXPECT_EQ(bytes.find(secret), std::string::npos) << "found in the database file: " << secret;
  }
  // The export still has everything, opened with the node's key.
  ClientResponse exported = Call(Owner(), "GET", "/api/v1/me/export");
  ASSERT_EQ(exported.status, 200);
  EXPECT_NE(exported.body.find("林晓雨"), std::string::npos);
  EXPECT_NE(exported.body.find(owner_), std::string::npos);
}

}  // namespace
}  // namespace epermit::testing
