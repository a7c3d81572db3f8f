// The life of an issued permit: endorsement window, lapse and late endorsement,
// change, replacement and revocation, and that refused requests change nothing.
#include <gtest/gtest.h>

#include "domain/permit_number.hpp"
#include "support/resident_builder.hpp"

namespace epermit::testing {
namespace {

class PermitLifecycleTest : public CityFixture {
 protected:
  void SetUp() override {
    SetUpCity("310000", MakeDate(2026, 11, 15));
    ResidentSpec s;
    s.citizen_id = MakeCitizenId("360426", "19900101", 51);
    AddResident(*app_, s);  // registered 2026-03-15
    auto out = app_->applications().Apply(ApplyFor(s), {"resident"});
    ASSERT_TRUE(out.ok() && out->permit) << (out.ok() ? out->application.decision_json : out.error().message_en);
    number_ = out->permit->number;
  }

  void ExpectRefusedUnchanged(const Status& s, const std::string& code) {
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, code);
  }

  std::string number_;
};

TEST_F(PermitLifecycleTest, EndorsementOnlyInsideTheWindow) {
  const std::string before = DumpTables(db_path());
  auto early = app_->permits().Endorse(number_, {"resident"});
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, "endorsement.outside_window");
  EXPECT_NE(early.error().message_en.find("2027-02-15"), std::string::npos) << early.error().message_en;
  EXPECT_EQ(before, DumpTables(db_path()));

  clock_->Set(MakeDate(2027, 2, 20));  // inside the month before 2027-03-15
  auto ok = app_->permits().Endorse(number_, {"resident"});
  ASSERT_TRUE(ok.ok()) << ok.error().message_en;
  EXPECT_FALSE(ok->late);
  EXPECT_EQ(FormatIsoDate(ok->permit.endorsed_until), "2028-03-15");
  EXPECT_EQ(FormatIsoDate(ok->permit.residence_since), "2026-03-15");
}

TEST_F(PermitLifecycleTest, MissedWindowSuspendsAndLateEndorsementRestartsTheCount) {
  clock_->Set(MakeDate(2027, 3, 15));
  auto view = app_->permits().Get(number_);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->effective_state, domain::PermitState::kSuspended);  // shown before the sweep runs

  auto swept = app_->permits().Sweep({"system"});
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->suspended, 1);
  auto again = app_->permits().Sweep({"system"});
  EXPECT_EQ(again->suspended, 0);
  EXPECT_EQ(app_->permits().Get(number_)->permit.state, domain::PermitState::kSuspended);

  // A suspended permit cannot be changed or replaced before it is endorsed.
  service::ChangeInput change;
  change.name = "张伟伟";
  change.reason = "改名";
  const std::string before = DumpTables(db_path());
  EXPECT_EQ(app_->permits().Change(number_, change, {"r"}).error().code, "permit.suspended");
  EXPECT_EQ(app_->permits().Replace(number_, "lost", {"r"}).error().code, "permit.suspended");
  EXPECT_EQ(before, DumpTables(db_path()));

  clock_->Set(MakeDate(2027, 4, 2));
  auto late = app_->permits().Endorse(number_, {"resident"});
  ASSERT_TRUE(late.ok());
  EXPECT_TRUE(late->late);
  EXPECT_EQ(late->permit.state, domain::PermitState::kActive);
  EXPECT_EQ(FormatIsoDate(late->permit.residence_since), "2027-04-02");
  EXPECT_EQ(FormatIsoDate(late->permit.endorsed_until), "2028-04-02");
}

TEST_F(PermitLifecycleTest, ReplacementMakesANewVersionAndTheOldOneInvalid) {
  auto out = app_->permits().Replace(number_, "lost", {"resident"});
  ASSERT_TRUE(out.ok()) << out.error().message_en;
  EXPECT_EQ(out->fee_fen, 2000);
  EXPECT_EQ(out->old_permit.state, domain::PermitState::kReplaced);
  EXPECT_EQ(out->new_permit.version, 2);
  EXPECT_EQ(out->new_permit.replaces, number_);
  EXPECT_NE(out->new_permit.number, number_);
  auto parsed = domain::ParsePermitNumber(out->new_permit.number);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->version, 2);
  EXPECT_EQ(app_->permits().Get(number_)->permit.state, domain::PermitState::kReplaced);

  const std::string before = DumpTables(db_path());
  EXPECT_EQ(app_->permits().Replace(number_, "lost", {"r"}).error().code, "permit.replaced");
  EXPECT_EQ(app_->permits().Revoke(number_, "x", {"r"}).error().code, "permit.replaced");
  EXPECT_EQ(app_->permits().Replace(out->new_permit.number, "stolen", {"r"}).error().field, "reason");
  EXPECT_EQ(before, DumpTables(db_path()));
}

TEST_F(PermitLifecycleTest, ChangeUpdatesDetailsAndRefusesAnotherCity) {
  service::ChangeInput move;
  move.residence_division = "310115";
  move.residence_address = "张江路88号";
  move.reason = "搬家";
  auto out = app_->permits().Change(number_, move, {"resident"});
  ASSERT_TRUE(out.ok()) << out.error().message_en;
  EXPECT_EQ(out->residence_address, "上海市浦东新区张江路88号");
  EXPECT_EQ(out->issuing_authority, "上海市公安局浦东分局");

  const std::string before = DumpTables(db_path());
  service::ChangeInput away = move;
  away.residence_division = "440305";
  EXPECT_EQ(app_->permits().Change(number_, away, {"r"}).error().code, "registration.other_city");
  service::ChangeInput empty;
  empty.reason = "nothing";
  EXPECT_EQ(app_->permits().Change(number_, empty, {"r"}).error().code, "change.empty");
  EXPECT_EQ(before, DumpTables(db_path()));
}

TEST_F(PermitLifecycleTest, RevokedPermitRefusesEveryChange) {
  auto revoked = app_->permits().Revoke(number_, "骗领（条例 第十八条）", {"police-1"});
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked->state, domain::PermitState::kRevoked);

  const std::string before = DumpTables(db_path());
  clock_->Set(MakeDate(2027, 2, 20));
  EXPECT_EQ(app_->permits().Endorse(number_, {"r"}).error().code, "permit.revoked");
  service::ChangeInput change;
  change.name = "新名";
  change.reason = "x";
  EXPECT_EQ(app_->permits().Change(number_, change, {"r"}).error().code, "permit.revoked");
  EXPECT_EQ(app_->permits().Replace(number_, "damaged", {"r"}).error().code, "permit.revoked");
  EXPECT_EQ(app_->permits().Revoke(number_, "again", {"r"}).error().code, "permit.revoked");
  EXPECT_EQ(before, DumpTables(db_path()));
}

TEST_F(PermitLifecycleTest, UnknownAndMalformedNumbers) {
  auto bad = app_->permits().Get("not-a-number");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "number");
  std::string other = domain::FormatPermitNumber("310000", 999999, 1);
  auto missing = app_->permits().Get(other);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "permit.not_found");
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
}

TEST_F(PermitLifecycleTest, EveryChangeLeavesAHistoryRow) {
  clock_->Set(MakeDate(2027, 2, 20));
  ASSERT_TRUE(app_->permits().Endorse(number_, {"resident"}).ok());
  ASSERT_TRUE(app_->permits().Revoke(number_, "test", {"police-1"}).ok());
  std::vector<domain::HistoryEntry> rows;
  ASSERT_TRUE(app_->store()
                  .Read([&](store::Tx& tx) -> Status {
                    EPERMIT_ASSIGN_OR_RETURN(rows, tx.History("permit", number_));
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].action, "issue");
  EXPECT_EQ(rows[1].action, "endorse");
  EXPECT_EQ(rows[2].action, "revoke");
  EXPECT_EQ(rows[2].actor, "police-1");
  EXPECT_EQ(rows[2].reason, "test");
  // Append-only: the database itself refuses to rewrite or delete history.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path().c_str(), &db), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "UPDATE history SET actor = 'someone else'", nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "DELETE FROM history", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

// What verifiers will read from the status list follows every state change.
TEST_F(PermitLifecycleTest, StatusListFollowsEveryChange) {
  auto statuses = [&]() {
    std::vector<std::pair<int64_t, domain::CredentialStatus>> out;
    EXPECT_TRUE(app_->store()
                    .Read([&](store::Tx& tx) -> Status {
                      EPERMIT_ASSIGN_OR_RETURN(out, tx.NonValidStatuses("310000", 0, 131072));
                      return Status::Ok();
                    })
                    .ok());
    return out;
  };
  const int64_t first = app_->permits().Get(number_)->permit.status_index;
  EXPECT_GE(first, 0);
  EXPECT_TRUE(statuses().empty());

  service::ChangeInput change;
  change.name = "张大伟";
  change.reason = "更名";
  auto changed = app_->permits().Change(number_, change, {"r"});
  ASSERT_TRUE(changed.ok());
  const int64_t second = changed->status_index;
  EXPECT_NE(second, first);
  using CS = domain::CredentialStatus;
  EXPECT_EQ(statuses(), (std::vector<std::pair<int64_t, CS>>{{first, CS::kSuperseded}}));

  auto replaced = app_->permits().Replace(number_, "lost", {"r"});
  ASSERT_TRUE(replaced.ok());
  const int64_t third = replaced->new_permit.status_index;
  EXPECT_EQ(statuses(), (std::vector<std::pair<int64_t, CS>>{{first, CS::kSuperseded}, {second, CS::kSuperseded}}));

  clock_->Set(MakeDate(2027, 3, 16));
  ASSERT_EQ(app_->permits().Sweep({"system"})->suspended, 1);
  EXPECT_EQ(statuses().back(), std::make_pair(third, CS::kSuspended));
  auto endorsed = app_->permits().Endorse(replaced->new_permit.number, {"r"});  // late: restored
  ASSERT_TRUE(endorsed.ok());
  // Endorsement re-issues: the suspended index is superseded and a fresh one is valid.
  const int64_t fourth = endorsed->permit.status_index;
  EXPECT_NE(fourth, third);
  EXPECT_EQ(statuses(), (std::vector<std::pair<int64_t, CS>>{
                            {first, CS::kSuperseded}, {second, CS::kSuperseded}, {third, CS::kSuperseded}}));
  ASSERT_TRUE(app_->permits().Revoke(replaced->new_permit.number, "test", {"r"}).ok());
  EXPECT_EQ(statuses().back(), std::make_pair(fourth, CS::kInvalid));
}

class ShenzhenLifecycleTest : public CityFixture {
 protected:
  void SetUp() override { SetUpCity("440300", MakeDate(2026, 11, 15)); }
};

TEST_F(ShenzhenLifecycleTest, SixtyDayWindowAndCancellationAfterTwoYearsSuspended) {
  ResidentSpec s;
  s.citizen_id = MakeCitizenId("430102", "19920202", 81);
  s.city = "440300";
  s.district = "440305";
  s.registered_months_ago = 13;  // since 2025-10-15
  s.si_months = 13;
  AddResident(*app_, s);
  auto out = app_->applications().Apply(ApplyFor(s), {"resident"});
  ASSERT_TRUE(out.ok() && out->permit) << (out.ok() ? out->application.decision_json : out.error().message_en);
  const std::string number = out->permit->number;
  EXPECT_EQ(FormatIsoDate(out->permit->endorsed_until), "2027-10-15");
  EXPECT_EQ(FormatIsoDate(app_->permits().Get(number)->endorsement_opens), "2027-08-16");  // 60 days before

  clock_->Set(MakeDate(2027, 8, 15));
  EXPECT_EQ(app_->permits().Endorse(number, {"r"}).error().code, "endorsement.outside_window");
  clock_->Set(MakeDate(2027, 10, 16));
  EXPECT_EQ(app_->permits().Sweep({"system"})->suspended, 1);
  clock_->Set(MakeDate(2029, 10, 1));  // not yet two years suspended
  EXPECT_EQ(app_->permits().Sweep({"system"})->cancelled, 0);
  clock_->Set(MakeDate(2029, 10, 17));
  auto swept = app_->permits().Sweep({"system"});
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->cancelled, 1);
  EXPECT_EQ(app_->permits().Get(number)->permit.state, domain::PermitState::kCancelled);
  EXPECT_EQ(app_->permits().Endorse(number, {"r"}).error().code, "permit.cancelled");
}

}  // namespace
}  // namespace epermit::testing
