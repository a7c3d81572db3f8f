// Applications for services and the inbox over HTTP (issue 6 items 3, 4 and 5): the states
// and deadlines of an application, the office's decisions, every bad input of the issue
// refused with a clear error and nothing changed, the medical filing's six-month lock, and
// notices of services gained or lost pushed to the inbox (not to those who opted out).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <functional>

#include "service/service_push.hpp"
#include "support/resident_builder.hpp"

namespace epermit::testing {
namespace {

using nlohmann::json;

class RecordingNotifier final : public service::Notifier {
 public:
  void Send(const service::Notice& notice) override { sent.push_back(notice); }
  std::vector<service::Notice> sent;
};

class ServiceApplicationsTest : public CityFixture {
 protected:
  void SetUp() override {
    SetUpCity("310000", MakeDate(2026, 11, 15));
    ASSERT_TRUE(app_->Start().ok());
    owner_ = NewResident(91, 8);
  }
  void TearDown() override { app_->Stop(); }

  // A resident of Shanghai with `si_months` of employee pension insurance and, when `permit`,
  // an active permit.
  std::string NewResident(int seq, int si_months, bool permit = true) {
    ResidentSpec s;
    s.citizen_id = MakeCitizenId("360426", "19880808", seq);
    s.si_months = si_months;
    AddResident(*app_, s);
    residents_.push_back(s.citizen_id);
    if (permit) {
      auto out = app_->applications().Apply(ApplyFor(s), {"test"});
      EXPECT_TRUE(out.ok() && out->permit);
    }
    return s.citizen_id;
  }
  std::string PermitNumber(const std::string& citizen_id) {
    std::string number;
    EXPECT_TRUE(app_->store()
                    .Read([&](store::Tx& tx) -> Status {
                      EPERMIT_ASSIGN_OR_RETURN(auto p, tx.CurrentPermit(citizen_id, "310000"));
                      if (p) number = p->number;
                      return Status::Ok();
                    })
                    .ok());
    return number;
  }
  std::vector<domain::HistoryEntry> History(const std::string& application_id) {
    std::vector<domain::HistoryEntry> out;
    EXPECT_TRUE(app_->store()
                    .Read([&](store::Tx& tx) -> Status {
                      EPERMIT_ASSIGN_OR_RETURN(out, tx.History("service_application", application_id));
                      return Status::Ok();
                    })
                    .ok());
    return out;
  }
  domain::ServiceStandingRecord Standing(const std::string& citizen_id) {
    app_->push().Drain();
    domain::ServiceStandingRecord out;
    EXPECT_TRUE(app_->store()
                    .Read([&](store::Tx& tx) -> Status {
                      EPERMIT_ASSIGN_OR_RETURN(out, tx.FindServiceStanding(citizen_id));
                      return Status::Ok();
                    })
                    .ok());
    return out;
  }

  ClientResponse As(const std::string& token, const std::string& method, const std::string& path,
                    const std::string& body = "") {
    return HttpCall(app_->port(), method, path, body, Bearer(token));
  }
  ClientResponse Apply(const std::string& citizen_id, const json& body) {
    return As(ResidentToken(citizen_id), "POST", "/api/v1/me/service-applications", body.dump());
  }
  ClientResponse Decide(const std::string& id, const json& body) {
    return As(RoleToken(domain::Role::kReviewer), "POST", "/api/v1/service-applications/" + id + "/decision",
              body.dump());
  }
  ClientResponse Import(const std::vector<json>& records) {
    std::string ndjson;
    for (const json& r : records) ndjson += r.dump() + "\n";
    return Api("POST", "/api/v1/records", ndjson, {{"Content-Type", "application/x-ndjson"}});
  }
  json ChildRecord(const std::string& parent, const std::string& born, int seq) {
    return {
        {"kind", "family"},
        {"citizen_id", parent},
        {"source", "mzj"},
        {"relation", "child"},
        {"member_citizen_id", MakeCitizenId("310101", born.substr(0, 4) + born.substr(5, 2) + born.substr(8, 2), seq)},
        {"since", born},
        {"hukou_division_code", "360426"}};
  }
  json Insurance(const std::string& citizen_id, const std::string& city, const std::string& risk, int months) {
    const MonthIndex last = MonthOf(clock_->Today());
    return {{"kind", "social_insurance"},
            {"citizen_id", citizen_id},
            {"source", "rsj"},
            {"city", city},
            {"scheme", "employee"},
            {"risk", risk},
            {"from", FormatIsoMonth(last - months + 1)},
            {"to", FormatIsoMonth(last)}};
  }
  json Inbox(const std::string& citizen_id) {
    app_->push().Drain();
    ClientResponse r = As(ResidentToken(citizen_id), "GET", "/api/v1/me/inbox");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json();
  }
  // The notices of `kind` about `service`, newest first.
  static std::vector<json> Notices(const json& inbox, const std::string& kind, const std::string& service) {
    std::vector<json> out;
    for (const json& item : inbox["items"]) {
      if (item["kind"] == kind && item["service_id"] == service) out.push_back(item);
    }
    return out;
  }
  static std::string Code(const ClientResponse& r) { return json::parse(r.body, nullptr, false).value("code", ""); }

  // Every table, with the push's own once every queued change is worked out.
  std::string Tables() {
    app_->push().Drain();
    std::string out = DumpTables(db_path());
    sqlite3* db = nullptr;
    sqlite3_open_v2(db_path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    for (const char* sql :
         {"SELECT id || kind || service_id || hex(sealed) FROM inbox ORDER BY id",
          "SELECT citizen_id || opted_out || hex(sealed) FROM service_standing ORDER BY citizen_id"}) {
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) {
        out += "prepare failed\n";
        continue;
      }
      while (sqlite3_step(st) == SQLITE_ROW)
        out += reinterpret_cast<const char*>(sqlite3_column_text(st, 0)) + std::string("\n");
      sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return out;
  }

  // Sends the request and expects it refused with `status` and `code`, every table as before.
  ClientResponse Refused(const std::function<ClientResponse()>& call, int status, const std::string& code) {
    // Signing in writes a session and a history row: every caller is signed in beforehand.
    for (const std::string& id : residents_) ResidentToken(id);
    RoleToken(domain::Role::kReviewer);
    const std::string before = Tables();
    ClientResponse r = call();
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(Code(r), code) << r.body;
    EXPECT_EQ(before, Tables()) << "tables changed by a refused request: " << r.body;
    return r;
  }

  std::string owner_;
  std::vector<std::string> residents_;
};

TEST_F(ServiceApplicationsTest, AnApplicationGoesThroughMaterialsApprovalAndCompletionWithDeadlines) {
  ASSERT_EQ(Import({ChildRecord(owner_, "2019-09-01", 12)}).status, 201);
  // Brought one of the two materials: the full list of what is missing, at once.
  ClientResponse applied =
      Apply(owner_, {{"service_id", "compulsory_education"}, {"materials", {"vaccination_record"}}});
  ASSERT_EQ(applied.status, 201) << applied.body;
  json a = applied.Json();
  const std::string id = a["id"];
  EXPECT_EQ(applied.Header("Location"), "/api/v1/service-applications/" + id);
  EXPECT_EQ(a["state"], "needs_materials");
  EXPECT_EQ(a["tier"], "employee");
  EXPECT_EQ(a["policy_version"], "310000-2023.1");
  ASSERT_EQ(a["materials_missing"].size(), 1u);
  EXPECT_EQ(a["materials_missing"][0]["code"], "child_household_register");
  EXPECT_FALSE(a["materials_missing"][0]["zh"].get<std::string>().empty());
  EXPECT_EQ(applied.body.find(owner_), std::string::npos) << "unmasked citizen ID";

  // The office cannot decide an application still waiting for materials.
  Refused([&] { return Decide(id, {{"decision", "approve"}}); }, 409, "service_application.state");
  // A material not asked for is refused.
  Refused(
      [&] {
        return As(ResidentToken(owner_), "POST", "/api/v1/me/service-applications/" + id + "/materials",
                  json{{"materials", {"vaccination_record"}}}.dump());
      },
      422, "service.material_unknown");
  ClientResponse brought = As(ResidentToken(owner_), "POST", "/api/v1/me/service-applications/" + id + "/materials",
                              json{{"materials", {"child_household_register"}}}.dump());
  ASSERT_EQ(brought.status, 200) << brought.body;
  a = brought.Json();
  EXPECT_EQ(a["state"], "submitted");
  EXPECT_EQ(a["step"]["id"], "register_online");
  // 30 days for the first step, from the day the application was complete.
  EXPECT_EQ(a["step"]["due"], FormatUtcTimestamp(clock_->UnixSeconds() + 30 * 86400));

  // In the office's queue; read by the reviewer, which the resident's access log shows.
  ClientResponse queue = As(RoleToken(domain::Role::kReviewer), "GET", "/api/v1/service-applications");
  ASSERT_EQ(queue.status, 200) << queue.body;
  ASSERT_EQ(queue.Json()["items"].size(), 1u);
  EXPECT_EQ(queue.Json()["items"][0]["id"], id);
  ASSERT_EQ(As(RoleToken(domain::Role::kReviewer), "GET", "/api/v1/service-applications/" + id).status, 200);
  const json log = As(ResidentToken(owner_), "GET", "/api/v1/me/access-log").Json()["items"];
  EXPECT_NE(log.dump().find("service_application"), std::string::npos) << log.dump(1);

  ClientResponse approved = Decide(id, {{"decision", "approve"}});
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(approved.Json()["state"], "approved");
  EXPECT_EQ(approved.Json()["step"]["id"], "verify_documents");
  EXPECT_EQ(approved.Json()["step"]["due"], FormatUtcTimestamp(clock_->UnixSeconds() + 15 * 86400));
  Refused(
      [&] {
        return Decide(id, {{"decision", "reject"}, {"reasons", {"late"}}});
      },
      409, "service_application.state");
  ClientResponse done = Decide(id, {{"decision", "complete"}});
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.Json()["state"], "completed");
  EXPECT_TRUE(done.Json()["step"]["due"].is_null());

  // The resident's list and inbox follow every step.
  const json mine = As(ResidentToken(owner_), "GET", "/api/v1/me/service-applications").Json()["items"];
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["state"], "completed");
  const json inbox = Inbox(owner_);
  for (const char* state : {"needs_materials", "approved", "completed"}) {
    EXPECT_EQ(Notices(inbox, std::string("application_") + state, "compulsory_education").size(), 1u) << state;
  }
  // Every change is a history row (and so in the transparency log).
  const std::vector<domain::HistoryEntry> history = History(id);
  std::vector<std::string> actions;
  for (const auto& h : history) actions.push_back(h.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"submitted", "materials_provided", "approved", "completed"}));
}

TEST_F(ServiceApplicationsTest, RejectionGivesReasonsAndMaterialsAreAskedForAllAtOnce) {
  ClientResponse applied = Apply(owner_, {{"service_id", "employment_services"}});
  ASSERT_EQ(applied.status, 201) << applied.body;
  const std::string id = applied.Json()["id"];
  EXPECT_EQ(applied.Json()["state"], "submitted");
  EXPECT_EQ(applied.Json()["tier"], "basic");
  Refused([&] { return Decide(id, {{"decision", "reject"}}); }, 422, "service_application.reasons");
  Refused([&] { return Decide(id, {{"decision", "approve"}, {"reasons", {"x"}}}); }, 422, "field.unexpected");
  Refused([&] { return Decide(id, {{"decision", "maybe"}}); }, 422, "field.enum");
  Refused([&] { return Decide(id, {{"decision", "request_materials"}}); }, 422, "service_application.materials");
  // employment_services asks for no materials, so none can be asked for.
  Refused(
      [&] {
        return Decide(id, {{"decision", "request_materials"}, {"materials", {"passport"}}});
      },
      422, "service.material_unknown");
  Refused([&] { return Decide("sva_nothing", {{"decision", "approve"}}); }, 404, "service_application.not_found");
  ClientResponse rejected = Decide(id, {{"decision", "reject"}, {"reasons", {"Registered elsewhere already"}}});
  ASSERT_EQ(rejected.status, 200) << rejected.body;
  EXPECT_EQ(rejected.Json()["state"], "rejected");
  EXPECT_EQ(rejected.Json()["reasons"][0], "Registered elsewhere already");
  const auto notice = Notices(Inbox(owner_), "application_rejected", "employment_services");
  ASSERT_EQ(notice.size(), 1u);
  EXPECT_EQ(notice[0]["reasons"][0], "Registered elsewhere already");
  // A rejected application is closed: the resident may apply again.
  EXPECT_EQ(Apply(owner_, {{"service_id", "employment_services"}}).status, 201);
}

TEST_F(ServiceApplicationsTest, ACommunityWorkerAppliesOnlyThroughAConfirmedAssist) {
  const std::string worker = RoleToken(domain::Role::kCommunityWorker);
  const std::string path = "/api/v1/people/" + owner_ + "/service-applications";
  const std::string body = json{{"service_id", "employment_services"}}.dump();
  Refused([&] { return As(worker, "POST", path, body); }, 403, "auth.forbidden");

  ClientResponse started = As(worker, "POST", "/api/v1/assists", json{{"citizen_id", owner_}}.dump());
  ASSERT_EQ(started.status, 201) << started.body;
  const std::string assist = started.Json()["id"];
  const std::string code = As(ResidentToken(owner_), "GET", "/api/v1/me/assists").Json()["items"][0].value("code", "");
  ASSERT_EQ(As(worker, "POST", "/api/v1/assists/" + assist + "/confirmation", json{{"code", code}}.dump()).status, 200);
  auto headers = Bearer(worker);
  headers["X-Assist-Id"] = assist;
  ClientResponse applied = HttpCall(app_->port(), "POST", path, body, headers);
  ASSERT_EQ(applied.status, 201) << applied.body;
  const std::string id = applied.Json()["id"];
  // Another person is out of this assist's reach.
  const std::string other = NewResident(97, 8);
  EXPECT_EQ(HttpCall(app_->port(), "POST", "/api/v1/people/" + other + "/service-applications", body, headers).status,
            403);

  // History names the worker and the assist; the resident's access log shows the worker.
  const std::vector<domain::HistoryEntry> history = History(id);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_NE(history[0].actor.find("community_worker"), std::string::npos) << history[0].actor;
  EXPECT_NE(history[0].actor.find(assist), std::string::npos) << history[0].actor;
  const json log = As(ResidentToken(owner_), "GET", "/api/v1/me/access-log").Json()["items"];
  bool logged = false;
  for (const json& e : log) {
    const std::string text = e.dump();
    logged = logged || (text.find("service_application") != std::string::npos &&
                        text.find("community_worker") != std::string::npos);
  }
  EXPECT_TRUE(logged) << log.dump(1);
}

TEST_F(ServiceApplicationsTest, BadApplicationsAreRefusedWithNothingChanged) {
  // Not qualified: every unmet rule listed (no child of school age; no tier's insurance).
  ClientResponse not_qualified = Refused(
      [&] {
        return Apply(owner_, {{"service_id", "compulsory_education"}});
      },
      422, "service.not_qualified");
  const json unmet = not_qualified.Json()["unmet"];
  ASSERT_EQ(unmet.size(), 1u) << not_qualified.body;
  EXPECT_EQ(unmet[0]["id"], "school_age_child");
  EXPECT_NE(not_qualified.Json()["message_zh"].get<std::string>().find("6至15周岁子女人数"), std::string::npos);

  // A duplicate of an open application.
  ASSERT_EQ(Apply(owner_, {{"service_id", "employment_services"}}).status, 201);
  ClientResponse dup = Refused(
      [&] {
        return Apply(owner_, {{"service_id", "employment_services"}});
      },
      409, "service_application.duplicate");
  EXPECT_EQ(dup.Json()["field"], "service_id");

  // A pension transfer with no contribution history at all.
  const std::string no_history = NewResident(92, 0, false);
  ClientResponse pension = Refused(
      [&] {
        return Apply(no_history, {{"service_id", "pension_transfer"}});
      },
      422, "service.not_qualified");
  EXPECT_EQ(pension.Json()["unmet"][0]["id"], "pension_months");

  // An unemployment claim with 8 months paid, and one after resigning.
  ASSERT_EQ(Import({Insurance(owner_, "310000", "unemployment", 8)}).status, 201);
  ClientResponse short_claim = Refused(
      [&] {
        return Apply(owner_, {{"service_id", "unemployment_benefit"},
                              {"separation_reason", "contract_expired"},
                              {"materials", {"separation_certificate"}}});
      },
      422, "service.not_qualified");
  EXPECT_EQ(short_claim.Json()["unmet"][0]["id"], "unemployment_insurance_12");
  const std::string long_paid = NewResident(93, 8);
  ASSERT_EQ(Import({Insurance(long_paid, "310000", "unemployment", 13)}).status, 201);
  Refused(
      [&] {
        return Apply(long_paid, {{"service_id", "unemployment_benefit"}, {"separation_reason", "resigned"}});
      },
      409, "unemployment.voluntary");
  Refused([&] { return Apply(long_paid, {{"service_id", "unemployment_benefit"}}); }, 422, "field.enum");
  ClientResponse claim = Apply(long_paid, {{"service_id", "unemployment_benefit"},
                                           {"separation_reason", "dismissed_by_employer"},
                                           {"materials", {"separation_certificate"}}});
  ASSERT_EQ(claim.status, 201) << claim.body;
  EXPECT_EQ(claim.Json()["details"]["benefit_months"], 12);
  EXPECT_EQ(claim.Json()["details"]["claim_city"], "310000");

  // Inputs: an unknown service, a material not in the catalogue, a workflow input the service
  // does not take, a missing or unknown one, unknown fields.
  Refused([&] { return Apply(owner_, {{"service_id", "free_lunch"}}); }, 422, "service.unknown");
  Refused(
      [&] {
        return Apply(owner_, {{"service_id", "exit_entry_documents"}, {"materials", {"photo"}}});
      },
      422, "service.material_unknown");
  Refused(
      [&] {
        return Apply(owner_, {{"service_id", "exit_entry_documents"}, {"medical_category", "long_term_resident"}});
      },
      422, "field.unexpected");
  Refused(
      [&] {
        return Apply(owner_, {{"service_id", "exit_entry_documents"}, {"colour", "red"}});
      },
      422, "field.unknown");
  Refused([&] { return Apply(owner_, {{"materials", "x"}}); }, 422, "field.missing");
}

TEST_F(ServiceApplicationsTest, AMedicalFilingCannotChangeWithinSixMonths) {
  // Insured for medical care in 苏州 (another province) while living in Shanghai.
  ASSERT_EQ(Import({Insurance(owner_, "320500", "medical", 6)}).status, 201);
  const json filing = {{"service_id", "medical_settlement_filing"},
                       {"medical_category", "long_term_resident"},
                       {"materials", {"filing_commitment"}}};
  ClientResponse applied = Apply(owner_, filing);
  ASSERT_EQ(applied.status, 201) << applied.body;
  const std::string id = applied.Json()["id"];
  EXPECT_EQ(applied.Json()["details"]["insured_city"], "320500");
  ASSERT_EQ(Decide(id, {{"decision", "approve"}}).status, 200);
  ClientResponse done = Decide(id, {{"decision", "complete"}});
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.Json()["details"]["filed_on"], "2026-11-15");

  // A change a month later: refused, saying from when it may change.
  clock_->Set(MakeDate(2026, 12, 15));
  json change = filing;
  change["medical_category"] = "stationed_worker";
  ClientResponse locked = Refused([&] { return Apply(owner_, change); }, 409, "medical.filing_locked");
  EXPECT_NE(locked.Json()["message_en"].get<std::string>().find("2027-05-15"), std::string::npos) << locked.body;
}

TEST_F(ServiceApplicationsTest, ChangesOfFactsArePushedToTheInboxUnlessOptedOut) {
  // The permit's issue told the owner what it opens.
  json inbox = Inbox(owner_);
  EXPECT_EQ(inbox["push"], true);
  const auto gained = Notices(inbox, "service_gained", "exit_entry_documents");
  ASSERT_EQ(gained.size(), 1u) << inbox.dump(1);
  EXPECT_EQ(gained[0]["trigger"], "permit_issued");
  EXPECT_FALSE(gained[0]["explanation_zh"].get<std::string>().empty());
  EXPECT_TRUE(Notices(inbox, "service_gained", "compulsory_education").empty());

  // A new child record: compulsory education gained, at the employee tier, once.
  ASSERT_EQ(Import({ChildRecord(owner_, "2019-09-01", 12)}).status, 201);
  inbox = Inbox(owner_);
  const auto school = Notices(inbox, "service_gained", "compulsory_education");
  ASSERT_EQ(school.size(), 1u) << inbox.dump(1);
  EXPECT_EQ(school[0]["trigger"], "records");
  EXPECT_EQ(school[0]["tier"]["id"], "employee");
  EXPECT_EQ(inbox.dump().find(owner_), std::string::npos) << "unmasked citizen ID in the inbox";
  // A year of unemployment insurance: employment services move up a tier.
  ASSERT_EQ(Import({Insurance(owner_, "310000", "unemployment", 12)}).status, 201);
  inbox = Inbox(owner_);
  const auto tier = Notices(inbox, "service_tier_changed", "employment_services");
  ASSERT_EQ(tier.size(), 1u) << inbox.dump(1);
  EXPECT_EQ(tier[0]["old_tier"], "basic");
  EXPECT_EQ(tier[0]["tier"]["id"], "with_training_subsidy");
  const size_t count = inbox["items"].size();
  // Nothing new, nothing pushed.
  {
    auto placed = app_->push().Recompute(owner_, "test");
    ASSERT_TRUE(placed.ok());
    EXPECT_EQ(*placed, 0);
  }
  EXPECT_EQ(Inbox(owner_)["items"].size(), count);

  // Opted out: a second child's record (a change of count, not of standing) and then a revoked
  // permit (every permit-based service lost) place nothing.
  Refused([&] { return As(ResidentToken(owner_), "POST", "/api/v1/me/inbox/preference", R"({"push":"no"})"); }, 422,
          "field.type");
  ClientResponse off = As(ResidentToken(owner_), "POST", "/api/v1/me/inbox/preference", R"({"push":false})");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(Inbox(owner_)["push"], false);
  ASSERT_TRUE(app_->permits().Revoke(PermitNumber(owner_), "test", {"test"}).ok());
  EXPECT_EQ(Inbox(owner_)["items"].size(), count);
  EXPECT_EQ(Standing(owner_).qualified.count("exit_entry_documents"), 0u) << "standing not kept current";
  // Opting in again does not bring back what happened meanwhile.
  ASSERT_EQ(As(ResidentToken(owner_), "POST", "/api/v1/me/inbox/preference", R"({"push":true})").status, 200);
  {
    auto placed = app_->push().Recompute(owner_, "test");
    ASSERT_TRUE(placed.ok());
    EXPECT_EQ(*placed, 0);
  }
  EXPECT_EQ(Inbox(owner_)["items"].size(), count);
}

TEST_F(ServiceApplicationsTest, TheDailySweepPushesWhatTimeAloneChangesAndLostServices) {
  // Two parents of children who turn 6 on 2026-12-01; the second opted out of notices.
  const std::string quiet = NewResident(95, 8);
  ASSERT_EQ(Import({ChildRecord(owner_, "2020-12-01", 14), ChildRecord(quiet, "2020-12-01", 16)}).status, 201);
  EXPECT_TRUE(Notices(Inbox(owner_), "service_gained", "compulsory_education").empty());
  ASSERT_TRUE(app_->push().SetOptOut(quiet, true, {"test"}).ok());
  const size_t quiet_items = Inbox(quiet)["items"].size();

  RecordingNotifier sms;
  service::ServicePush push(app_->context(), &sms);
  clock_->Set(MakeDate(2026, 12, 1));
  auto swept = push.DailySweep();
  ASSERT_TRUE(swept.ok()) << swept.error().message_en;
  ASSERT_TRUE(swept->has_value());
  EXPECT_EQ((*swept)->people, 2);
  const auto school = Notices(Inbox(owner_), "service_gained", "compulsory_education");
  ASSERT_EQ(school.size(), 1u);
  EXPECT_EQ(school[0]["trigger"], "daily");
  ASSERT_EQ((*swept)->notices, 1);
  ASSERT_EQ(sms.sent.size(), 1u);
  EXPECT_EQ(sms.sent[0].kind, "service_gained");
  EXPECT_EQ(sms.sent[0].citizen_id, owner_);
  // Nothing for the one who opted out, though what they qualify for is kept.
  EXPECT_EQ(Inbox(quiet)["items"].size(), quiet_items);
  EXPECT_EQ(Standing(quiet).qualified.count("compulsory_education"), 1u);
  // Once a day.
  auto again = push.DailySweep();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());

  // A revoked permit: every service that needs it is lost, and said so.
  ASSERT_TRUE(app_->permits().Revoke(PermitNumber(owner_), "test", {"test"}).ok());
  const json inbox = Inbox(owner_);
  const auto lost = Notices(inbox, "service_lost", "compulsory_education");
  ASSERT_EQ(lost.size(), 1u) << inbox.dump(1);
  EXPECT_EQ(lost[0]["trigger"], "permit_revoked");
  EXPECT_EQ(lost[0]["status"], "does_not_qualify");
  EXPECT_EQ(Notices(inbox, "service_lost", "exit_entry_documents").size(), 1u);
}

}  // namespace
}  // namespace epermit::testing
