// The contract every Store backend must meet. Instantiated for SQLite now; a
// PostgreSQL backend adds one factory line to INSTANTIATE_TEST_SUITE_P below.
#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "store/sqlite/migrations.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/test_support.hpp"

namespace epermit::store {
namespace {

using domain::Application;
using domain::Permit;
using domain::Registration;

using StoreFactory = std::function<std::unique_ptr<Store>(const std::string& dir)>;

struct Backend {
  std::string name;
  StoreFactory make;
};

std::unique_ptr<Store> MakeSqlite(const std::string& dir) {
  auto s = sqlite::SqliteStore::Open({dir + "/contract.db", 2, true}, 1700000000);
  EXPECT_TRUE(s.ok()) << s.error().message_en;
  return std::move(s).value();
}

Registration SampleRegistration(const std::string& id, const std::string& citizen) {
  Registration r;
  r.id = id;
  r.citizen_id = citizen;
  r.name = "王芳 <b>'x'</b>";
  r.phone = "13912345678";
  r.city = "310000";
  r.division_code = "310104";
  r.address = "漕溪北路1号";
  r.basis = domain::ResidenceBasis::kStudy;
  r.school = "复旦大学";
  r.registered_on = MakeDate(2026, 3, 15);
  r.actor = "test";
  r.created_at = 1700000001;
  return r;
}

Application SampleApplication(const std::string& id, const std::string& citizen, const std::string& reg) {
  Application a;
  a.id = id;
  a.citizen_id = citizen;
  a.registration_id = reg;
  a.city = "310000";
  a.name = "王芳";
  a.ethnicity = "汉";
  a.photo_ref = "p";
  a.guardian = domain::Guardian{"11010519491231002X", "王某", "mother"};
  a.status = domain::ApplicationStatus::kPendingReview;
  a.policy_version = "v1";
  a.decision_json = "{}";
  a.accepted_on = MakeDate(2026, 11, 15);
  a.review_deadline = MakeDate(2026, 11, 30);
  a.actor = "test";
  a.created_at = 1700000002;
  return a;
}

Permit SamplePermit(const std::string& number, const std::string& citizen, uint64_t seq) {
  Permit p;
  p.number = number;
  p.sequence = seq;
  p.version = 1;
  p.city = "310000";
  p.citizen_id = citizen;
  p.name = "王芳";
  p.sex = domain::Sex::kFemale;
  p.ethnicity = "汉";
  p.birth_date = MakeDate(1990, 1, 1);
  p.photo_ref = "p";
  p.hukou_address = "h";
  p.residence_division = "310104";
  p.residence_address = "r";
  p.issuing_authority = "上海市公安局徐汇分局";
  p.issue_date = MakeDate(2026, 11, 15);
  p.residence_since = MakeDate(2026, 3, 15);
  p.endorsed_until = MakeDate(2027, 3, 15);
  p.updated_at = 1700000003;
  return p;
}

class StoreContractTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { store_ = GetParam().make(dir_.path().string()); }
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

constexpr char kCitizen[] = "310104199001010020";

TEST_P(StoreContractTest, RoundTripsEveryField) {
  ASSERT_TRUE(store_
                  ->Write(Durability::kFull,
                          [](Tx& tx) -> Status {
                            EPERMIT_RETURN_IF_ERROR(tx.InsertRegistration(SampleRegistration("reg_1", kCitizen)));
                            EPERMIT_RETURN_IF_ERROR(
                                tx.InsertApplication(SampleApplication("app_1", kCitizen, "reg_1")));
                            return tx.InsertPermit(SamplePermit("N1", kCitizen, 1));
                          })
                  .ok());
  ASSERT_TRUE(store_
                  ->Read([](Tx& tx) -> Status {
                    auto reg = tx.FindRegistration("reg_1");
                    EXPECT_TRUE(reg.ok() && reg->has_value());
                    EXPECT_EQ((*reg)->name, "王芳 <b>'x'</b>");
                    EXPECT_EQ((*reg)->basis, domain::ResidenceBasis::kStudy);
                    EXPECT_EQ((*reg)->registered_on, MakeDate(2026, 3, 15));
                    auto app = tx.FindApplication("app_1");
                    EXPECT_TRUE(app.ok() && app->has_value());
                    EXPECT_EQ((*app)->guardian->relation, "mother");
                    EXPECT_EQ((*app)->review_deadline, MakeDate(2026, 11, 30));
                    auto permit = tx.CurrentPermit(kCitizen, "310000");
                    EXPECT_TRUE(permit.ok() && permit->has_value());
                    EXPECT_EQ((*permit)->sex, domain::Sex::kFemale);
                    EXPECT_EQ((*permit)->endorsed_until, MakeDate(2027, 3, 15));
                    EXPECT_FALSE(tx.FindPermit("N2")->has_value());
                    return Status::Ok();
                  })
                  .ok());
}

TEST_P(StoreContractTest, FailedTransactionLeavesNothing) {
  Status s = store_->Write(Durability::kNormal, [](Tx& tx) -> Status {
    EPERMIT_RETURN_IF_ERROR(tx.InsertRegistration(SampleRegistration("reg_1", kCitizen)));
    return MakeError(ErrorKind::kInvalidArgument, "test.abort", "abort", "abort");
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "test.abort");
  ASSERT_TRUE(store_
                  ->Read([](Tx& tx) -> Status {
                    EXPECT_FALSE(tx.FindRegistration("reg_1")->has_value());
                    return Status::Ok();
                  })
                  .ok());
}

TEST_P(StoreContractTest, ReadTransactionsCannotWrite) {
  Status s = store_->Read([](Tx& tx) { return tx.InsertRegistration(SampleRegistration("reg_1", kCitizen)); });
  EXPECT_FALSE(s.ok());
}

TEST_P(StoreContractTest, OnePendingApplicationAndOneCurrentPermitPerPerson) {
  ASSERT_TRUE(store_
                  ->Write(Durability::kNormal,
                          [](Tx& tx) -> Status {
                            EPERMIT_RETURN_IF_ERROR(tx.InsertRegistration(SampleRegistration("reg_1", kCitizen)));
                            return tx.InsertApplication(SampleApplication("app_1", kCitizen, "reg_1"));
                          })
                  .ok());
  Status second = store_->Write(
      Durability::kNormal, [](Tx& tx) { return tx.InsertApplication(SampleApplication("app_2", kCitizen, "reg_1")); });
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().kind, ErrorKind::kConflict);

  ASSERT_TRUE(
      store_->Write(Durability::kFull, [](Tx& tx) { return tx.InsertPermit(SamplePermit("N1", kCitizen, 1)); }).ok());
  Status two_permits =
      store_->Write(Durability::kFull, [](Tx& tx) { return tx.InsertPermit(SamplePermit("N2", kCitizen, 2)); });
  ASSERT_FALSE(two_permits.ok());
  EXPECT_EQ(two_permits.error().kind, ErrorKind::kConflict);

  // Once the first is revoked a new one may be issued.
  ASSERT_TRUE(store_
                  ->Write(Durability::kFull,
                          [](Tx& tx) -> Status {
                            Permit p = SamplePermit("N1", kCitizen, 1);
                            p.state = domain::PermitState::kRevoked;
                            EPERMIT_RETURN_IF_ERROR(tx.UpdatePermit(p));
                            return tx.InsertPermit(SamplePermit("N2", kCitizen, 2));
                          })
                  .ok());
}

TEST_P(StoreContractTest, SequencesCountPerCityAndRollBackWithTheTransaction) {
  std::vector<uint64_t> got;
  for (const char* city : {"310000", "310000", "440300", "310000"}) {
    ASSERT_TRUE(store_
                    ->Write(Durability::kNormal,
                            [&](Tx& tx) -> Status {
                              EPERMIT_ASSIGN_OR_RETURN(uint64_t n, tx.NextPermitSequence(city));
                              got.push_back(n);
                              return Status::Ok();
                            })
                    .ok());
  }
  EXPECT_EQ(got, (std::vector<uint64_t>{1, 2, 1, 3}));
  (void)store_->Write(Durability::kNormal, [](Tx& tx) -> Status {
    (void)tx.NextPermitSequence("310000");
    return MakeError(ErrorKind::kInternal, "abort", "abort", "abort");
  });
  ASSERT_TRUE(store_
                  ->Write(Durability::kNormal,
                          [&](Tx& tx) -> Status {
                            EPERMIT_ASSIGN_OR_RETURN(uint64_t n, tx.NextPermitSequence("310000"));
                            EXPECT_EQ(n, 4u);
                            return Status::Ok();
                          })
                  .ok());
}

TEST_P(StoreContractTest, LapsedPermitsAndPendingQueue) {
  ASSERT_TRUE(
      store_
          ->Write(Durability::kFull,
                  [](Tx& tx) -> Status {
                    EPERMIT_RETURN_IF_ERROR(tx.InsertPermit(SamplePermit("N1", "310104199001010020", 1)));
                    Permit later = SamplePermit("N2", "310104199001010039", 2);
                    later.endorsed_until = MakeDate(2027, 6, 1);
                    EPERMIT_RETURN_IF_ERROR(tx.InsertPermit(later));
                    EPERMIT_RETURN_IF_ERROR(tx.InsertRegistration(SampleRegistration("reg_1", "310104199001010020")));
                    EPERMIT_RETURN_IF_ERROR(tx.InsertRegistration(SampleRegistration("reg_2", "310104199001010039")));
                    Application late = SampleApplication("app_late", "310104199001010039", "reg_2");
                    late.review_deadline = MakeDate(2026, 12, 5);
                    EPERMIT_RETURN_IF_ERROR(tx.InsertApplication(late));
                    return tx.InsertApplication(SampleApplication("app_soon", "310104199001010020", "reg_1"));
                  })
          .ok());
  ASSERT_TRUE(store_
                  ->Read([](Tx& tx) -> Status {
                    auto lapsed = tx.LapsedPermits("310000", MakeDate(2027, 3, 15), 10);
                    EXPECT_EQ(lapsed->size(), 1u);
                    EXPECT_EQ(lapsed->at(0).number, "N1");
                    EXPECT_TRUE(tx.LapsedPermits("310000", MakeDate(2027, 3, 14), 10)->empty());
                    auto queue = tx.ListPendingReview("310000", {10, 0});
                    EXPECT_EQ(queue->size(), 2u);
                    EXPECT_EQ(queue->at(0).id, "app_soon");  // earliest deadline first
                    EXPECT_EQ(*tx.CountPendingReview("310000"), 2);
                    EXPECT_EQ(tx.ListPendingReview("310000", {1, 1})->at(0).id, "app_late");
                    return Status::Ok();
                  })
                  .ok());
}

TEST_P(StoreContractTest, HistoryIsOrderedPerEntity) {
  ASSERT_TRUE(store_
                  ->Write(Durability::kNormal,
                          [](Tx& tx) -> Status {
                            EPERMIT_RETURN_IF_ERROR(tx.AppendHistory({0, "permit", "N1", "issue", "a", "", 1, "{}"}));
                            EPERMIT_RETURN_IF_ERROR(tx.AppendHistory({0, "permit", "N2", "issue", "a", "", 2, "{}"}));
                            return tx.AppendHistory({0, "permit", "N1", "revoke", "b", "why", 3, "{\"k\":1}"});
                          })
                  .ok());
  ASSERT_TRUE(store_
                  ->Read([](Tx& tx) -> Status {
                    auto h = tx.History("permit", "N1");
                    EXPECT_EQ(h->size(), 2u);
                    EXPECT_EQ(h->at(1).action, "revoke");
                    EXPECT_EQ(h->at(1).reason, "why");
                    EXPECT_EQ(h->at(1).detail_json, "{\"k\":1}");
                    return Status::Ok();
                  })
                  .ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContractTest, ::testing::Values(Backend{"sqlite", MakeSqlite}),
                         [](const auto& info) { return info.param.name; });

TEST(SqliteStoreTest, MigrationsAreIdempotentAndCheckIsClean) {
  testing::TempDir dir;
  const std::string path = dir.File("m.db");
  {
    auto s = sqlite::SqliteStore::Open({path, 1, true}, 1);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(*(*s)->SchemaVersion(), sqlite::LatestSchemaVersion());
  }
  auto again = sqlite::SqliteStore::Open({path, 1, true}, 2);
  ASSERT_TRUE(again.ok());
  auto lines = (*again)->Check();
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(*lines, (std::vector<std::string>{"integrity_check: ok", "foreign_key_check: ok"}));
}

}  // namespace
}  // namespace epermit::store
