// The contract every Store backend must meet. Instantiated for SQLite now; a
// PostgreSQL backend adds one factory line to INSTANTIATE_TEST_SUITE_P below.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <future>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "domain/citizen_id.hpp"
#include "domain/person_digest.hpp"
#include "domain/record_codec.hpp"
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

// The data keys of every file a test here makes, generated when the tests run.
const std::vector<DataKey>& TestKeys() {
  static const std::vector<DataKey> keys{GenerateDataKey()};
  return keys;
}

sqlite::SqliteOptions Options(const std::string& path, int readers, bool migrate,
                              const std::vector<DataKey>& keys = TestKeys()) {
  sqlite::SqliteOptions o;
  o.path = path;
  o.read_connections = readers;
  o.migrate = migrate;
  o.keys = keys;
  return o;
}

std::unique_ptr<Store> MakeSqlite(const std::string& dir) {
  auto s = sqlite::SqliteStore::Open(Options(dir + "/contract.db", 2, true), 1700000000);
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

// Nine writers at once: the first holds the write until the other eight are waiting, so a
// batching backend must take them together. Each writer must still get its own answer and
// keep exactly its own rows: odd writers fail after inserting, writer 8 breaks a unique index.
struct QueuedWrites {
  std::vector<Status> results;
};

QueuedWrites RunQueuedWrites(Store& store) {
  constexpr int kWriters = 9;
  QueuedWrites out;
  out.results.assign(kWriters, Status::Ok());
  std::promise<void> first_inside;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  auto citizen = [](int i) { return "3101041990010100" + std::to_string(10 + i); };
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    out.results[0] = store.Write(Durability::kFull, [&](Tx& tx) -> Status {
      EPERMIT_RETURN_IF_ERROR(tx.InsertRegistration(SampleRegistration("reg_0", citizen(0))));
      first_inside.set_value();
      released.wait_for(std::chrono::seconds(10));
      return Status::Ok();
    });
  });
  first_inside.get_future().wait();
  for (int i = 1; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      out.results[i] = store.Write(i % 2 ? Durability::kNormal : Durability::kFull, [&, i](Tx& tx) -> Status {
        // Writer 8 registers writer 0's person in the same city again: one_registration_per_city.
        EPERMIT_RETURN_IF_ERROR(
            tx.InsertRegistration(SampleRegistration("reg_" + std::to_string(i), citizen(i == 8 ? 0 : i))));
        if (i % 2) return MakeError(ErrorKind::kInvalidArgument, "test.abort", "abort", "abort");
        return Status::Ok();
      });
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  release.set_value();
  for (auto& t : threads) t.join();
  return out;
}

TEST_P(StoreContractTest, ConcurrentWritersEachGetTheirOwnOutcome) {
  QueuedWrites w = RunQueuedWrites(*store_);
  for (int i : {0, 2, 4, 6}) EXPECT_TRUE(w.results[i].ok()) << i << ": " << w.results[i].error().message_en;
  for (int i : {1, 3, 5, 7}) {
    ASSERT_FALSE(w.results[i].ok()) << i;
    EXPECT_EQ(w.results[i].error().code, "test.abort");
  }
  ASSERT_FALSE(w.results[8].ok());
  EXPECT_EQ(w.results[8].error().kind, ErrorKind::kConflict);
  ASSERT_TRUE(store_
                  ->Read([](Tx& tx) -> Status {
                    for (int i = 0; i < 9; ++i) {
                      EXPECT_EQ(tx.FindRegistration("reg_" + std::to_string(i))->has_value(), i % 2 == 0 && i != 8)
                          << i;
                    }
                    return Status::Ok();
                  })
                  .ok());
}

TEST_P(StoreContractTest, AWriteThatThrowsFailsAndLeavesTheStoreUsable) {
  Status s = store_->Write(Durability::kFull, [](Tx& tx) -> Status {
    EPERMIT_RETURN_IF_ERROR(tx.InsertRegistration(SampleRegistration("reg_1", kCitizen)));
    throw std::runtime_error("boom");
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::kInternal);
  ASSERT_TRUE(store_
                  ->Write(Durability::kFull,
                          [](Tx& tx) { return tx.InsertRegistration(SampleRegistration("reg_2", kCitizen)); })
                  .ok());
  ASSERT_TRUE(store_
                  ->Read([](Tx& tx) -> Status {
                    EXPECT_FALSE(tx.FindRegistration("reg_1")->has_value());
                    EXPECT_TRUE(tx.FindRegistration("reg_2")->has_value());
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

TEST_P(StoreContractTest, NewStatusEntriesLeaveTheSignedListVersionAloneButChangesBumpIt) {
  int64_t idx = -1;
  ASSERT_TRUE(store_
                  ->Write(Durability::kFull,
                          [&](Tx& tx) -> Status {
                            EPERMIT_RETURN_IF_ERROR(tx.InsertPermit(SamplePermit("N1", kCitizen, 1)));
                            EPERMIT_ASSIGN_OR_RETURN(idx, tx.AllocateStatusIndex("310000", "N1", 10));
                            return Status::Ok();
                          })
                  .ok());
  auto version = [&] {
    int64_t v = -1;
    EXPECT_TRUE(store_
                    ->Read([&](Tx& tx) -> Status {
                      EPERMIT_ASSIGN_OR_RETURN(v, tx.StatusVersion("310000"));
                      return Status::Ok();
                    })
                    .ok());
    return v;
  };
  const int64_t before = version();
  EXPECT_EQ(before, 0) << "a valid entry changes no list";
  ASSERT_TRUE(store_
                  ->Write(Durability::kFull,
                          [&](Tx& tx) { return tx.SetCredentialStatus(idx, domain::CredentialStatus::kInvalid, 11); })
                  .ok());
  EXPECT_EQ(version(), before + 1);
}

// What the accumulation ledger reads: every registration, every permit version and every
// stored record of one person, and nothing of anyone else.
TEST_P(StoreContractTest, EverythingOfOnePerson) {
  constexpr char kOther[] = "11010519491231002X";
  ASSERT_TRUE(store_
                  ->Write(Durability::kFull,
                          [&](Tx& tx) -> Status {
                            Registration sz = SampleRegistration("reg_2", kCitizen);
                            sz.city = "440300";
                            sz.division_code = "440305";
                            sz.registered_on = MakeDate(2025, 1, 1);
                            EPERMIT_RETURN_IF_ERROR(tx.InsertRegistration(sz));
                            EPERMIT_RETURN_IF_ERROR(tx.InsertRegistration(SampleRegistration("reg_1", kCitizen)));
                            EPERMIT_RETURN_IF_ERROR(tx.InsertRegistration(SampleRegistration("reg_3", kOther)));
                            Application mine = SampleApplication("app_1", kCitizen, "reg_1");
                            mine.status = domain::ApplicationStatus::kApproved;
                            mine.permit_number = "N1v1";
                            EPERMIT_RETURN_IF_ERROR(tx.InsertApplication(mine));
                            Application theirs = SampleApplication("app_3", kOther, "reg_3");
                            theirs.status = domain::ApplicationStatus::kApproved;
                            theirs.permit_number = "M1";
                            EPERMIT_RETURN_IF_ERROR(tx.InsertApplication(theirs));
                            Permit v1 = SamplePermit("N1v1", kCitizen, 1);
                            v1.application_id = "app_1";
                            v1.state = domain::PermitState::kReplaced;
                            EPERMIT_RETURN_IF_ERROR(tx.InsertPermit(v1));
                            Permit v2 = v1;
                            v2.number = "N1v2";
                            v2.version = 2;
                            v2.replaces = "N1v1";
                            v2.state = domain::PermitState::kActive;
                            EPERMIT_RETURN_IF_ERROR(tx.InsertPermit(v2));
                            Permit m1 = SamplePermit("M1", kOther, 2);
                            m1.application_id = "app_3";
                            EPERMIT_RETURN_IF_ERROR(tx.InsertPermit(m1));
                            return tx.InsertRecords(
                                {{domain::RecordKind::kIncomeTax, kCitizen, "sw", R"({"year":2025})"},
                                 {domain::RecordKind::kPerson, kOther, "gaj", R"({"name":"x"})"},
                                 {domain::RecordKind::kFamily, kCitizen, "mzj", R"({"relation":"spouse"})"}},
                                1700000010);
                          })
                  .ok());
  ASSERT_TRUE(store_
                  ->Read([&](Tx& tx) -> Status {
                    auto regs = tx.RegistrationsOf(kCitizen);
                    EXPECT_TRUE(regs.ok());
                    EXPECT_EQ(regs->size(), 2u);
                    EXPECT_EQ(regs->at(0).id, "reg_1");  // by city: 310000 first
                    EXPECT_EQ(regs->at(1).city, "440300");
                    auto permits = tx.PermitsOf(kCitizen);
                    EXPECT_TRUE(permits.ok());
                    EXPECT_EQ(permits->size(), 2u);
                    EXPECT_EQ(permits->at(0).number, "N1v1");
                    EXPECT_EQ(permits->at(0).state, domain::PermitState::kReplaced);
                    EXPECT_EQ(permits->at(1).number, "N1v2");
                    EXPECT_EQ(permits->at(1).replaces, "N1v1");
                    EXPECT_EQ(tx.PermitsOf(kOther)->size(), 1u);
                    EXPECT_TRUE(tx.PermitsOf("110105194912310011")->empty());
                    auto records = tx.StoredRecordsOf(kCitizen);
                    EXPECT_TRUE(records.ok());
                    EXPECT_EQ(records->size(), 2u);
                    EXPECT_LT(records->at(0).id, records->at(1).id);
                    EXPECT_EQ(records->at(0).kind, domain::RecordKind::kIncomeTax);
                    EXPECT_EQ(records->at(0).body_json, R"({"year":2025})");
                    EXPECT_EQ(records->at(1).kind, domain::RecordKind::kFamily);
                    EXPECT_EQ(records->at(1).source, "mzj");
                    EXPECT_EQ(records->at(1).citizen_id, kCitizen);
                    EXPECT_TRUE(tx.StoredRecordsOf("110105194912310011")->empty());
                    EXPECT_TRUE(tx.RegistrationsOf("110105194912310011")->empty());
                    return Status::Ok();
                  })
                  .ok());
}

// The whole-population pass of policy simulation: every person with a registration, a permit
// or a record, once, with exactly their own rows. (The order is the blind index's: the same on
// every pass, but not the citizen IDs'; the test sorts what it saw.)
TEST_P(StoreContractTest, ForEachPersonMergesEveryTableOncePerPerson) {
  constexpr char kRecordsOnly[] = "110105194912310011";
  constexpr char kEverything[] = "310104199001010020";
  constexpr char kRegistrationOnly[] = "440304198808080018";
  constexpr char kPermitOnly[] = "500101197505050013";
  ASSERT_TRUE(store_
                  ->Write(Durability::kNormal,
                          [&](Tx& tx) -> Status {
                            EPERMIT_RETURN_IF_ERROR(tx.InsertPermit(SamplePermit("P9", kPermitOnly, 9)));
                            EPERMIT_RETURN_IF_ERROR(
                                tx.InsertRegistration(SampleRegistration("reg_c", kRegistrationOnly)));
                            EPERMIT_RETURN_IF_ERROR(tx.InsertRegistration(SampleRegistration("reg_b", kEverything)));
                            EPERMIT_RETURN_IF_ERROR(tx.InsertPermit(SamplePermit("P1", kEverything, 1)));
                            return tx.InsertRecords(
                                {{domain::RecordKind::kIncomeTax, kRecordsOnly, "sw", R"({"year":2024})"},
                                 {domain::RecordKind::kFamily, kEverything, "mzj", R"({"relation":"spouse"})"},
                                 {domain::RecordKind::kIncomeTax, kRecordsOnly, "sw", R"({"year":2025})"}},
                                1700000010);
                          })
                  .ok());
  struct Seen {
    std::string citizen_id;
    std::vector<std::string> registrations, permits, bodies;
  };
  std::vector<Seen> seen;
  ASSERT_TRUE(store_
                  ->Read([&](Tx& tx) -> Status {
                    return tx.ForEachPerson([&](PersonRows& p) -> Status {
                      Seen s{p.citizen_id, {}, {}, {}};
                      for (const auto& r : p.registrations) s.registrations.push_back(r.id);
                      for (const auto& m : p.permits) s.permits.push_back(m.number);
                      for (const auto& [id, body] : p.records) s.bodies.push_back(body);
                      seen.push_back(std::move(s));
                      return Status::Ok();
                    });
                  })
                  .ok());
  ASSERT_EQ(seen.size(), 4u);
  std::sort(seen.begin(), seen.end(), [](const Seen& a, const Seen& b) { return a.citizen_id < b.citizen_id; });
  EXPECT_EQ(seen[0].citizen_id, kRecordsOnly);
  EXPECT_TRUE(seen[0].registrations.empty() && seen[0].permits.empty());
  EXPECT_EQ(seen[0].bodies, (std::vector<std::string>{R"({"year":2024})", R"({"year":2025})"}));
  EXPECT_EQ(seen[1].citizen_id, kEverything);
  EXPECT_EQ(seen[1].registrations, std::vector<std::string>{"reg_b"});
  EXPECT_EQ(seen[1].permits, std::vector<std::string>{"P1"});
  EXPECT_EQ(seen[1].bodies, std::vector<std::string>{R"({"relation":"spouse"})"});
  EXPECT_EQ(seen[2].citizen_id, kRegistrationOnly);
  EXPECT_EQ(seen[2].registrations, std::vector<std::string>{"reg_c"});
  EXPECT_TRUE(seen[2].permits.empty() && seen[2].bodies.empty());
  EXPECT_EQ(seen[3].citizen_id, kPermitOnly);
  EXPECT_EQ(seen[3].permits, std::vector<std::string>{"P9"});
  EXPECT_TRUE(seen[3].registrations.empty() && seen[3].bodies.empty());

  // An error from the callback ends the pass and is what the pass returns.
  int calls = 0;
  Status stopped = store_->Read([&](Tx& tx) -> Status {
    return tx.ForEachPerson([&](PersonRows&) -> Status {
      ++calls;
      return InternalError("stop here");
    });
  });
  EXPECT_FALSE(stopped.ok());
  EXPECT_EQ(calls, 1);
}

std::string ValidId(const std::string& first17) { return first17 + domain::CitizenIdCheckChar(first17); }

// A stored income-tax record as an import stores it (canonical JSON).
StoredRecord TaxRecord(const std::string& citizen, int year) {
  auto parsed = domain::ParseRecord({{"kind", "income_tax"},
                                     {"citizen_id", citizen},
                                     {"source", "sw"},
                                     {"city", "310000"},
                                     {"year", year},
                                     {"yuan", 3600}},
                                    MakeDate(2026, 11, 15));
  EXPECT_TRUE(parsed.ok());
  return {domain::RecordKind::kIncomeTax, citizen, "sw", parsed.ok() ? domain::RecordToJson(*parsed).dump() : ""};
}

// Who the whole-population pass gives, and whether from a digest ("d") or the rows ("r").
std::vector<std::string> PassOf(Store& store) {
  std::vector<std::string> out;
  EXPECT_TRUE(store
                  .Read([&](Tx& tx) {
                    return tx.ForEachPerson([&](PersonRows& p) -> Status {
                      const bool rows = !p.registrations.empty() || !p.permits.empty() || !p.records.empty();
                      EXPECT_NE(p.digest.empty(), !rows) << p.citizen_id << ": a digest or rows, never both";
                      out.push_back(p.citizen_id + (p.digest.empty() ? ":r" : ":d"));
                      return Status::Ok();
                    });
                  })
                  .ok());
  std::sort(out.begin(), out.end());
  return out;
}

int64_t StaleCount(Store& store) {
  int64_t n = -1;
  EXPECT_TRUE(store
                  .Read([&](Tx& tx) -> Status {
                    EPERMIT_ASSIGN_OR_RETURN(n, tx.StaleDigestCount());
                    return Status::Ok();
                  })
                  .ok());
  return n;
}

Result<size_t> Refresh(Store& store, size_t limit) {
  size_t done = 0;
  EPERMIT_RETURN_IF_ERROR(store.Write(Durability::kNormal, [&](Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(done, tx.RefreshPersonDigests(limit));
    return Status::Ok();
  }));
  return done;
}

// Every write of a person's rows marks their digest stale in the same transaction; a stale
// person is read from the rows, a refreshed one from the digest, which holds what they hold.
TEST_P(StoreContractTest, PersonDigestsAreMarkedStaleByEveryWriteAndRefreshed) {
  const std::string kA = ValidId("11010519491231001");
  const std::string kB = ValidId("31010419900101002");
  const std::string kC = ValidId("44030419880808001");
  ASSERT_TRUE(store_
                  ->Write(Durability::kNormal,
                          [&](Tx& tx) -> Status {
                            EPERMIT_RETURN_IF_ERROR(tx.InsertRegistration(SampleRegistration("reg_a", kA)));
                            EPERMIT_RETURN_IF_ERROR(tx.InsertPermit(SamplePermit("PB", kB, 1)));
                            return tx.InsertRecords({TaxRecord(kC, 2024), TaxRecord(kC, 2025)}, 1700000010);
                          })
                  .ok());
  EXPECT_EQ(StaleCount(*store_), 3);
  EXPECT_EQ(PassOf(*store_),
            (std::vector<std::string>{std::string(kA) + ":r", std::string(kB) + ":r", std::string(kC) + ":r"}));
  // At most `limit` at a time.
  EXPECT_EQ(*Refresh(*store_, 2), 2u);
  EXPECT_EQ(StaleCount(*store_), 1);
  const std::vector<std::string> pass = PassOf(*store_);
  EXPECT_EQ(std::count_if(pass.begin(), pass.end(), [](const std::string& p) { return p.ends_with(":d"); }), 2)
      << ::testing::PrintToString(pass);
  EXPECT_EQ(*Refresh(*store_, 10), 1u);
  EXPECT_EQ(*Refresh(*store_, 10), 0u);
  EXPECT_EQ(StaleCount(*store_), 0);
  // The digest holds the person's rows as the ledger reads them.
  ASSERT_TRUE(store_
                  ->Read([&](Tx& tx) {
                    return tx.ForEachPerson([&](PersonRows& p) -> Status {
                      domain::PersonInputs in;
                      in.citizen_id = p.citizen_id;
                      EXPECT_TRUE(domain::DecodePersonDigest(p.digest, in).ok()) << p.citizen_id;
                      if (p.citizen_id == kA) {
                        EXPECT_EQ(in.registrations.size(), 1u);
                        EXPECT_EQ(in.registrations.at(0).id, "reg_a");
                        EXPECT_EQ(in.registrations.at(0).registered_on, MakeDate(2026, 3, 15));
                      }
                      if (p.citizen_id == kB) {
                        EXPECT_EQ(in.permits.size(), 1u);
                        EXPECT_EQ(in.permits.at(0).number, "PB");
                      }
                      if (p.citizen_id == kC) {
                        EXPECT_EQ(in.records.income_tax.size(), 2u);
                        EXPECT_EQ(in.records.income_tax.at(1).year, 2025);
                        EXPECT_GT(in.records.income_tax.at(1).h.id, in.records.income_tax.at(0).h.id);
                      }
                      return Status::Ok();
                    });
                  })
                  .ok());

  // A permit's update, a new record, a new registration: each person stale again.
  ASSERT_TRUE(store_
                  ->Write(Durability::kNormal,
                          [&](Tx& tx) -> Status {
                            Permit p = SamplePermit("PB", kB, 1);
                            p.state = domain::PermitState::kSuspended;
                            return tx.UpdatePermit(p);
                          })
                  .ok());
  EXPECT_EQ(PassOf(*store_),
            (std::vector<std::string>{std::string(kA) + ":d", std::string(kB) + ":r", std::string(kC) + ":d"}));
  ASSERT_TRUE(store_
                  ->Write(Durability::kNormal,
                          [&](Tx& tx) -> Status {
                            EPERMIT_RETURN_IF_ERROR(tx.InsertRecords({TaxRecord(kA, 2023)}, 1700000020));
                            return tx.InsertRegistration(SampleRegistration("reg_c", kC));
                          })
                  .ok());
  EXPECT_EQ(StaleCount(*store_), 3);

  // A write that fails marks nothing: its marks roll back with its rows.
  ASSERT_EQ(*Refresh(*store_, 10), 3u);
  Status failed = store_->Write(Durability::kNormal, [&](Tx& tx) -> Status {
    EPERMIT_RETURN_IF_ERROR(tx.InsertRecords({TaxRecord(kA, 2022)}, 1700000030));
    return MakeError(ErrorKind::kInvalidArgument, "test.abort", "abort", "abort");
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(StaleCount(*store_), 0);
}

// A stored record that cannot be read stops the refresh with an error naming it; nothing of
// the batch is written and the person stays stale (read from the rows, which fail the same way).
TEST_P(StoreContractTest, AnUnreadableRecordStopsTheRefreshAndChangesNothing) {
  const std::string kA = ValidId("11010519491231001");
  const std::string kB = ValidId("31010419900101002");
  ASSERT_TRUE(
      store_
          ->Write(
              Durability::kNormal,
              [&](Tx& tx) -> Status {
                EPERMIT_RETURN_IF_ERROR(tx.InsertRecords({TaxRecord(kA, 2024)}, 1700000010));
                return tx.InsertRecords({{domain::RecordKind::kIncomeTax, kB, "sw", R"({"year":"x"})"}}, 1700000010);
              })
          .ok());
  auto refreshed = Refresh(*store_, 10);
  ASSERT_FALSE(refreshed.ok());
  EXPECT_NE(refreshed.error().message_en.find("stored record 2 is invalid"), std::string::npos)
      << refreshed.error().message_en;
  EXPECT_EQ(StaleCount(*store_), 2);
  EXPECT_EQ(PassOf(*store_), (std::vector<std::string>{std::string(kA) + ":r", std::string(kB) + ":r"}));
}

domain::Account SampleAccount(const std::string& username, const std::string& citizen) {
  domain::Account a;
  a.username = username;
  a.role = citizen.empty() ? domain::Role::kDepartment : domain::Role::kResident;
  a.citizen_id = citizen;
  a.city = "310000";
  if (citizen.empty()) a.record_kinds = {"social_insurance", "housing"};
  a.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
  a.totp_secret = std::string("\x00\x01secret", 8);
  a.totp_last_step = 59000000;
  a.created_at = a.updated_at = 1700000001;
  return a;
}

// Accounts: every field round-trips (the TOTP secret is bytes), one account per user name
// and per resident, and a session is found by its token hash until deleted with its account's.
TEST_P(StoreContractTest, AccountsAndSessions) {
  int64_t resident_id = 0;
  ASSERT_TRUE(store_
                  ->Write(Durability::kFull,
                          [&](Tx& tx) -> Status {
                            EPERMIT_ASSIGN_OR_RETURN(resident_id,
                                                     tx.InsertAccount(SampleAccount("wang-fang", kCitizen)));
                            EPERMIT_RETURN_IF_ERROR(tx.InsertAccount(SampleAccount("rsj-client", "")).status());
                            domain::Session s{std::string(32, '\x07'), resident_id, true, "", 1700000002, 1700003602};
                            EPERMIT_RETURN_IF_ERROR(tx.InsertSession(s));
                            s.token_hash = std::string(32, '\x08');
                            s.bearer = false;
                            s.csrf_token = "csrf";
                            return tx.InsertSession(s);
                          })
                  .ok());
  for (const auto& dup : {SampleAccount("wang-fang", ValidId("11010519491231001")), SampleAccount("other", kCitizen)}) {
    Status s = store_->Write(Durability::kFull, [&](Tx& tx) { return tx.InsertAccount(dup).status(); });
    ASSERT_FALSE(s.ok()) << dup.username;
    EXPECT_EQ(s.error().code, "account.exists");
  }
  ASSERT_TRUE(store_
                  ->Write(Durability::kFull,
                          [&](Tx& tx) -> Status {
                            auto a = tx.FindAccount("wang-fang");
                            EXPECT_TRUE(a.ok() && a->has_value());
                            const domain::Account want = SampleAccount("wang-fang", kCitizen);
                            EXPECT_EQ((*a)->id, resident_id);
                            EXPECT_EQ((*a)->citizen_id, kCitizen);
                            EXPECT_EQ((*a)->totp_secret, want.totp_secret);
                            EXPECT_EQ((*a)->totp_last_step, want.totp_last_step);
                            EXPECT_EQ((*a)->password_hash, want.password_hash);
                            auto d = tx.FindAccount("rsj-client");
                            EXPECT_TRUE(d.ok() && d->has_value());
                            EXPECT_EQ((*d)->record_kinds, (std::vector<std::string>{"social_insurance", "housing"}));
                            domain::Account changed = **a;
                            changed.failed_logins = 3;
                            changed.locked_until = 1700000900;
                            changed.disabled = true;
                            EPERMIT_RETURN_IF_ERROR(tx.UpdateAccount(changed));
                            auto by_id = tx.FindAccountById(resident_id);
                            EXPECT_TRUE(by_id.ok() && by_id->has_value());
                            EXPECT_EQ((*by_id)->failed_logins, 3);
                            EXPECT_EQ((*by_id)->locked_until, 1700000900);
                            EXPECT_TRUE((*by_id)->disabled);
                            auto cookie = tx.FindSession(std::string(32, '\x08'));
                            EXPECT_TRUE(cookie.ok() && cookie->has_value());
                            EXPECT_FALSE((*cookie)->bearer);
                            EXPECT_EQ((*cookie)->csrf_token, "csrf");
                            EXPECT_EQ((*cookie)->expires_at, 1700003602);
                            EXPECT_FALSE(tx.FindSession(std::string(32, '\x09'))->has_value());
                            EPERMIT_RETURN_IF_ERROR(tx.DeleteSession(std::string(32, '\x07')));
                            EXPECT_FALSE(tx.FindSession(std::string(32, '\x07'))->has_value());
                            auto ended = tx.DeleteSessionsOf(resident_id);
                            EXPECT_TRUE(ended.ok() && *ended == 1);
                            EXPECT_FALSE(tx.FindSession(std::string(32, '\x08'))->has_value());
                            EXPECT_FALSE(tx.FindAccount("nobody")->has_value());
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
    auto s = sqlite::SqliteStore::Open(Options(path, 1, true), 1);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(*(*s)->SchemaVersion(), sqlite::LatestSchemaVersion());
  }
  auto again = sqlite::SqliteStore::Open(Options(path, 1, true), 2);
  ASSERT_TRUE(again.ok());
  auto lines = (*again)->Check();
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(*lines, (std::vector<std::string>{"integrity_check: ok", "foreign_key_check: ok"}));
}

// The database holds people's data: a new file, its WAL and shared-memory files are the
// node user's only.
TEST(SqliteStoreTest, NewDatabaseFilesAreOwnerOnly) {
  testing::TempDir dir;
  const std::string path = dir.File("mode.db");
  auto s = sqlite::SqliteStore::Open(Options(path, 1, true), 1);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->Write(Durability::kNormal,
                          [](Tx& tx) {
                            return tx.AppendHistory({0, "t", "e", "a", "x", "", 1, "{}"});
                          })
                  .ok());
  for (const std::string& f : {path, path + "-wal", path + "-shm"}) {
    struct stat st {};
    ASSERT_EQ(::stat(f.c_str(), &st), 0) << f;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
  }
}

// Consents, assists and corrections keep every field through a save and a read, and a save
// of the same id replaces the row.
TEST(SqliteStoreTest, PersonRightsRowsRoundTrip) {
  testing::TempDir dir;
  auto s = sqlite::SqliteStore::Open(Options(dir.File("r.db"), 1, true), 1);
  ASSERT_TRUE(s.ok());
  domain::Account verifier;
  verifier.username = "school";
  verifier.role = domain::Role::kVerifier;
  verifier.city = "310000";
  verifier.password_hash = "x";
  int64_t verifier_id = 0;
  domain::Consent c{"con_1",     "360426199001011236",
                    0,           "school",
                    "enrolment", {"state", "name"},
                    1800000000,  domain::ConsentStatus::kGranted,
                    1700000000,  1700000100};
  domain::Assist a{"as_1",
                   0,
                   "worker",
                   "360426201503011234",
                   "360426198501011235",
                   "123456",
                   1700000600,
                   2,
                   domain::AssistStatus::kAwaitingCode,
                   0,
                   1700000000};
  domain::Correction k{
      "cor_1", "360426199001011236", "310000", "name", "林晓宇", "typo", domain::CorrectionStatus::kPending, "",
      "",      1700000000,           0};
  ASSERT_TRUE((*s)->Write(Durability::kNormal,
                          [&](Tx& tx) -> Status {
                            EPERMIT_ASSIGN_OR_RETURN(verifier_id, tx.InsertAccount(verifier));
                            c.requester_id = verifier_id;
                            a.worker_id = verifier_id;
                            EPERMIT_RETURN_IF_ERROR(tx.SaveConsent(c));
                            EPERMIT_RETURN_IF_ERROR(tx.SaveAssist(a));
                            return tx.SaveCorrection(k);
                          })
                  .ok());
  ASSERT_TRUE((*s)->Read([&](Tx& tx) -> Status {
                    auto consent = tx.FindConsent("con_1");
                    EXPECT_TRUE(consent.ok() && *consent);
                    EXPECT_EQ((*consent)->fields, c.fields);
                    EXPECT_EQ((*consent)->status, domain::ConsentStatus::kGranted);
                    EXPECT_EQ((*consent)->valid_until, 1800000000);
                    EXPECT_EQ(tx.ConsentsRequestedBy(verifier_id)->size(), 1u);
                    EXPECT_EQ(tx.ConsentsOf("360426199001011236")->size(), 1u);
                    // The guardian finds the assist they confirm, as the minor does.
                    EXPECT_EQ(tx.AssistsFor("360426198501011235")->size(), 1u);
                    EXPECT_EQ(tx.AssistsFor("360426201503011234")->front().code, "123456");
                    EXPECT_EQ(tx.PendingCorrections("310000")->front().requested, "林晓宇");
                    EXPECT_TRUE(tx.PendingCorrections("440300")->empty());
                    return Status::Ok();
                  })
                  .ok());
  k.status = domain::CorrectionStatus::kAccepted;
  ASSERT_TRUE((*s)->Write(Durability::kNormal, [&](Tx& tx) { return tx.SaveCorrection(k); }).ok());
  ASSERT_TRUE((*s)->Read([&](Tx& tx) -> Status {
                    EXPECT_TRUE(tx.PendingCorrections("310000")->empty());
                    EXPECT_EQ(tx.CorrectionsOf("360426199001011236")->size(), 1u);
                    return Status::Ok();
                  })
                  .ok());
}

// A pass the callback stops leaves no statement open on the pooled read connection: the next
// read on it sees what was written since (an unfinished statement would keep the old snapshot,
// and the WAL could not be checkpointed past it).
TEST(SqliteStoreTest, StoppedPersonPassLeavesTheReadConnectionCurrent) {
  testing::TempDir dir;
  auto s = sqlite::SqliteStore::Open(Options(dir.File("p.db"), 1, true), 1);  // one read connection
  ASSERT_TRUE(s.ok());
  Store& store = **s;
  auto add = [&](const std::string& id, const std::string& citizen) {
    return store.Write(Durability::kNormal,
                       [&](Tx& tx) { return tx.InsertRegistration(SampleRegistration(id, citizen)); });
  };
  ASSERT_TRUE(add("reg_a", "110105194912310011").ok());
  ASSERT_TRUE(add("reg_b", "310104199001010020").ok());
  Status stopped = store.Read(
      [](Tx& tx) { return tx.ForEachPerson([](PersonRows&) -> Status { return InternalError("stop here"); }); });
  ASSERT_FALSE(stopped.ok());
  ASSERT_TRUE(add("reg_c", "440304198808080018").ok());
  size_t seen = 0;
  ASSERT_TRUE(store
                  .Read([&](Tx& tx) -> Status {
                    EPERMIT_ASSIGN_OR_RETURN(auto regs, tx.RegistrationsOf("440304198808080018"));
                    seen = regs.size();
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(seen, 1u);
}

// The eight writers queued behind the first go out in one commit (group commit), not eight.
TEST(SqliteStoreTest, QueuedWritersShareOneCommit) {
  testing::TempDir dir;
  auto s = sqlite::SqliteStore::Open(Options(dir.File("g.db"), 1, true), 1);
  ASSERT_TRUE(s.ok());
  const int64_t before = (*s)->Commits();
  QueuedWrites w = RunQueuedWrites(**s);
  EXPECT_TRUE(w.results[2].ok());
  EXPECT_EQ((*s)->Commits() - before, 2) << "writer 0 alone, then the other eight together";
}

// A database made by the previous release (schema 2, with history) upgrades in place:
// every history row keeps its id, new rows follow them, and history stays append-only.
TEST(SqliteStoreTest, SchemaThreeKeepsHistoryAndItsAppendOnlyGuard) {
  testing::TempDir dir;
  const std::string path = dir.File("old.db");
  {
    auto conn = sqlite::Connection::Open(path, false);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE(sqlite::Migrate(**conn, 1, 2).ok());
    ASSERT_EQ(*sqlite::CurrentSchemaVersion(**conn), 2);
    ASSERT_TRUE(
        (*conn)
            ->Exec("INSERT INTO history(entity_type, entity_id, action, actor, at) VALUES"
                   "('permit','N1','issue','a',1),('permit','N1','revoke','b',2),('application','A1','apply','c',3)")
            .ok());
  }
  auto s = sqlite::SqliteStore::Open(Options(path, 1, true), 5);
  ASSERT_TRUE(s.ok()) << s.error().message_en;
  EXPECT_EQ(*(*s)->SchemaVersion(), sqlite::LatestSchemaVersion());
  ASSERT_TRUE((*s)->Write(Durability::kFull,
                          [](Tx& tx) {
                            return tx.AppendHistory({0, "permit", "N1", "endorse", "d", "", 4, ""});
                          })
                  .ok());
  ASSERT_TRUE(
      (*s)->Read([](Tx& tx) -> Status {
            auto h = tx.History("permit", "N1");
            EXPECT_TRUE(h.ok());
            if (!h.ok()) return Status::Ok();
            std::vector<std::pair<int64_t, std::string>> got;
            for (const auto& e : *h) got.emplace_back(e.id, e.action);
            EXPECT_EQ(got, (std::vector<std::pair<int64_t, std::string>>{{1, "issue"}, {2, "revoke"}, {4, "endorse"}}));
            return Status::Ok();
          })
          .ok());
  auto conn = sqlite::Connection::Open(path, false);
  ASSERT_TRUE(conn.ok());
  EXPECT_FALSE((*conn)->Exec("UPDATE history SET actor = 'x' WHERE id = 1").ok());
  EXPECT_FALSE((*conn)->Exec("DELETE FROM history WHERE id = 1").ok());
  auto lines = (*s)->Check();
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(*lines, (std::vector<std::string>{"integrity_check: ok", "foreign_key_check: ok"}));
}

// Group commit: a write rolled back to its savepoint takes its stale marks with it; the next
// write in the same batch for the same person must mark them again.
TEST(SqliteStoreTest, AWriteRolledBackInABatchDoesNotHideTheNextOnesMark) {
  testing::TempDir dir;
  auto s = sqlite::SqliteStore::Open(Options(dir.File("b.db"), 1, true), 1);
  ASSERT_TRUE(s.ok());
  Store& store = **s;
  const std::string kX = ValidId("11010519491231001");
  std::promise<void> first_inside, release;
  std::shared_future<void> released = release.get_future().share();
  std::thread leader([&] {
    EXPECT_TRUE(store
                    .Write(Durability::kNormal,
                           [&](Tx& tx) -> Status {
                             EPERMIT_RETURN_IF_ERROR(
                                 tx.InsertRegistration(SampleRegistration("reg_0", "310104199001010020")));
                             first_inside.set_value();
                             released.wait_for(std::chrono::seconds(10));
                             return Status::Ok();
                           })
                    .ok());
  });
  first_inside.get_future().wait();
  Status rolled_back = Status::Ok(), kept = Status::Ok();
  std::thread a([&] {
    rolled_back = store.Write(Durability::kNormal, [&](Tx& tx) -> Status {
      EPERMIT_RETURN_IF_ERROR(tx.InsertRecords({TaxRecord(kX, 2024)}, 1700000010));
      return MakeError(ErrorKind::kInvalidArgument, "test.abort", "abort", "abort");
    });
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a is queued before b
  std::thread b([&] {
    kept = store.Write(Durability::kNormal,
                       [&](Tx& tx) -> Status { return tx.InsertRecords({TaxRecord(kX, 2025)}, 1700000010); });
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  release.set_value();
  for (std::thread* t : {&leader, &a, &b}) t->join();
  ASSERT_FALSE(rolled_back.ok());
  ASSERT_TRUE(kept.ok()) << kept.error().message_en;
  EXPECT_EQ(PassOf(store), (std::vector<std::string>{kX + ":r", "310104199001010020:r"}));  // sorted
  EXPECT_EQ(StaleCount(store), 2);
}

// The bytes of a database file and its WAL, to search for what must not be in them.
std::string FileBytes(const std::string& path) {
  std::string out;
  for (const std::string& f : {path, path + "-wal"}) {
    std::ifstream in(f, std::ios::binary);
    out.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

// Issue 5, encryption at rest: every personal field written through the store is sealed or
// blind-indexed. Nothing of a name, ID number, phone, address, guardian, TOTP secret,
// correction or record body is in the file or its WAL, and every lookup by ID still works.
TEST(SqliteStoreTest, PersonalFieldsAreNotInTheFile) {
  testing::TempDir dir;
  const std::string path = dir.File("sealed.db");
  auto s = sqlite::SqliteStore::Open(Options(path, 1, true), 1);
  ASSERT_TRUE(s.ok()) << s.error().message_en;
  const std::string kId = ValidId("36042619900101123");
  const std::string kGuardianId = ValidId("36042619650505123");
  Registration r = SampleRegistration("reg_s", kId);
  r.name = "欧阳明月";
  r.phone = "13800001234";
  r.address = "幸福路77号";
  Application a = SampleApplication("app_s", kId, "reg_s");
  a.name = r.name;
  a.guardian = domain::Guardian{kGuardianId, "欧阳长风", "father"};
  Permit p = SamplePermit("P-S", kId, 7);
  p.name = r.name;
  p.hukou_address = "江西省某县老街9号";
  p.residence_address = r.address;
  domain::Account acc;
  acc.username = "resident-s";
  acc.role = domain::Role::kResident;
  acc.citizen_id = kId;
  acc.city = "310000";
  acc.password_hash = "x";
  acc.totp_secret = "TOTPSECRETBYTES!";
  ASSERT_TRUE((*s)->Write(Durability::kNormal,
                          [&](Tx& tx) -> Status {
                            EPERMIT_RETURN_IF_ERROR(tx.InsertRegistration(r));
                            EPERMIT_RETURN_IF_ERROR(tx.InsertApplication(a));
                            EPERMIT_RETURN_IF_ERROR(tx.InsertPermit(p));
                            EPERMIT_RETURN_IF_ERROR(tx.InsertRecords({TaxRecord(kId, 2024)}, 1700000010));
                            EPERMIT_RETURN_IF_ERROR(
                                tx.AppendHistory({0, "access", kId, "read", "verifier:school", "欧阳明月的入学", 5,
                                                  R"({"citizen_id":")" + kId + "\"}"}));
                            EPERMIT_ASSIGN_OR_RETURN(int64_t id, tx.InsertAccount(acc));
                            EPERMIT_RETURN_IF_ERROR(tx.SaveConsent({"con_s",
                                                                    kId,
                                                                    id,
                                                                    "school",
                                                                    "enrolment",
                                                                    {"name"},
                                                                    1800000000,
                                                                    domain::ConsentStatus::kGranted,
                                                                    1,
                                                                    0}));
                            EPERMIT_RETURN_IF_ERROR(
                                tx.SaveAssist({"as_s", id, "worker", kId, kGuardianId, "654321", 1700000600, 0,
                                               domain::AssistStatus::kAwaitingCode, 0, 1}));
                            EPERMIT_RETURN_IF_ERROR(
                                tx.SaveCorrection({"cor_s", kId, "310000", "address", "幸福路78号", "门牌号写错",
                                                   domain::CorrectionStatus::kPending, "", "", 1, 0}));
                            return tx.RefreshPersonDigests(10).status();
                          })
                  .ok());
  const std::string bytes = FileBytes(path);
  ASSERT_GT(bytes.size(), 4096u);
  for (const std::string& secret :
       {kId, kGuardianId, kId.substr(0, 14), r.name, std::string("欧阳长风"), r.phone, r.address, p.hukou_address,
        acc.totp_secret, std::string("幸福路78号"), std::string("门牌号写错"), std::string("654321")}) {
    EXPECT_EQ(bytes.find(secret), std::string::npos) << "found in the file: " << secret;
  }
  // Every lookup by ID goes through the blind index and every field opens.
  ASSERT_TRUE((*s)->Read([&](Tx& tx) -> Status {
                    EXPECT_EQ(tx.LatestRegistration(kId, "310000")->value().phone, r.phone);
                    EXPECT_EQ(tx.PendingApplication(kId)->value().guardian->name, "欧阳长风");
                    EXPECT_EQ(tx.CurrentPermit(kId, "310000")->value().hukou_address, p.hukou_address);
                    EXPECT_EQ(tx.PermitsOf(kId)->size(), 0u);  // through applications: none issued P-S
                    EXPECT_EQ(tx.StoredRecordsOf(kId)->size(), 1u);
                    EXPECT_EQ(tx.History("access", kId)->at(0).reason, "欧阳明月的入学");
                    EXPECT_EQ(tx.FindAccount("resident-s")->value().totp_secret, acc.totp_secret);
                    EXPECT_EQ(tx.FindAccount("resident-s")->value().citizen_id, kId);
                    EXPECT_EQ(tx.ConsentsOf(kId)->size(), 1u);
                    EXPECT_EQ(tx.AssistsFor(kGuardianId)->at(0).code, "654321");
                    EXPECT_EQ(tx.CorrectionsOf(kId)->at(0).requested, "幸福路78号");
                    int people = 0;
                    EXPECT_TRUE(tx.ForEachPerson([&](PersonRows& person) -> Status {
                                    EXPECT_EQ(person.citizen_id, kId);
                                    EXPECT_FALSE(person.digest.empty());
                                    ++people;
                                    return Status::Ok();
                                  }).ok());
                    EXPECT_EQ(people, 1);
                    return Status::Ok();
                  })
                  .ok());
}

// Service applications, the inbox and the service standing keep every field, a person has at
// most one open application per service (a closed one does not count), and none of the
// personal values is readable in the file.
TEST(SqliteStoreTest, ServiceRowsRoundTripWithOneOpenApplicationPerService) {
  testing::TempDir dir;
  const std::string path = dir.File("sv.db");
  auto s = sqlite::SqliteStore::Open(Options(path, 1, true), 1);
  ASSERT_TRUE(s.ok());
  const std::string kId = "360426199001011236";
  domain::ServiceApplication a;
  a.id = "sva_1";
  a.citizen_id = kId;
  a.city = "310000";
  a.service_id = "compulsory_education";
  a.policy_version = "310000-2023.1";
  a.tier = "employee";
  a.state = domain::ServiceApplicationState::kNeedsMaterials;
  a.details_json = R"({"insured_city":"320500","note":"苏州参保"})";
  a.materials_missing = {"child_household_register", "vaccination_record"};
  a.step = 1;
  a.step_due = 1700086400;
  a.created_at = 1700000000;
  a.updated_at = 1700000001;
  domain::ServiceApplication second = a;
  second.id = "sva_2";
  ASSERT_TRUE((*s)->Write(Durability::kNormal, [&](Tx& tx) { return tx.SaveServiceApplication(a); }).ok());
  Status dup = (*s)->Write(Durability::kNormal, [&](Tx& tx) { return tx.SaveServiceApplication(second); });
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, "service_application.duplicate");
  // Rejected, the first no longer blocks a new one; saving it again replaces the row.
  a.state = domain::ServiceApplicationState::kRejected;
  a.reasons = {"材料不全"};
  ASSERT_TRUE(
      (*s)->Write(Durability::kNormal,
                  [&](Tx& tx) -> Status {
                    EPERMIT_RETURN_IF_ERROR(tx.SaveServiceApplication(a));
                    EPERMIT_RETURN_IF_ERROR(tx.SaveServiceApplication(second));
                    EPERMIT_RETURN_IF_ERROR(
                        tx.AppendInbox({0, kId, "service_gained", "a", R"({"text_zh":"您现在符合条件"})", 5}).status());
                    EPERMIT_RETURN_IF_ERROR(
                        tx.AppendInbox({0, kId, "service_lost", "b", R"({"text_zh":"您已不再符合条件"})", 6}).status());
                    return tx.SaveServiceStanding(
                        {kId, {{"compulsory_education", "employee"}, {"id_card_renewal", ""}}, true, true, 7});
                  })
          .ok());
  ASSERT_TRUE((*s)->Read([&](Tx& tx) -> Status {
                    auto found = tx.FindServiceApplication("sva_1");
                    EXPECT_TRUE(found.ok() && *found);
                    const domain::ServiceApplication& f = **found;
                    EXPECT_EQ(f.citizen_id, kId);
                    EXPECT_EQ(f.state, domain::ServiceApplicationState::kRejected);
                    EXPECT_EQ(f.tier, "employee");
                    EXPECT_EQ(f.details_json, a.details_json);
                    EXPECT_EQ(f.materials_missing, a.materials_missing);
                    EXPECT_EQ(f.reasons, a.reasons);
                    EXPECT_EQ(f.step, 1);
                    EXPECT_EQ(f.step_due, 1700086400);
                    EXPECT_EQ(f.updated_at, 1700000001);
                    EXPECT_EQ(tx.ServiceApplicationsOf(kId)->size(), 2u);
                    EXPECT_TRUE(tx.ServiceApplicationsOf("360426199001011252")->empty());
                    // The queue holds submitted and approved ones only.
                    EXPECT_TRUE(tx.ServiceApplicationQueue("310000", 10)->empty());
                    auto inbox = tx.InboxOf(kId, 10);
                    EXPECT_EQ(inbox->size(), 2u);
                    EXPECT_EQ(inbox->front().kind, "service_lost");  // newest first
                    EXPECT_EQ(inbox->front().body_json, R"({"text_zh":"您已不再符合条件"})");
                    EXPECT_EQ(tx.InboxOf(kId, 1)->size(), 1u);
                    auto standing = tx.FindServiceStanding(kId);
                    EXPECT_TRUE(standing->known);
                    EXPECT_TRUE(standing->opted_out);
                    EXPECT_EQ(standing->qualified.at("compulsory_education"), "employee");
                    EXPECT_EQ(standing->qualified.count("id_card_renewal"), 1u);
                    auto none = tx.FindServiceStanding("360426199001011252");
                    EXPECT_FALSE(none->known);
                    EXPECT_TRUE(none->qualified.empty());
                    return Status::Ok();
                  })
                  .ok());
  const std::string bytes = FileBytes(path);
  for (const std::string& secret :
       {kId, std::string("苏州参保"), std::string("您已不再符合条件"), std::string("compulsory_education\":")}) {
    EXPECT_EQ(bytes.find(secret), std::string::npos) << "found in the file: " << secret;
  }
}

// A sealed value altered by one byte, or copied from another table, does not open: the read
// fails with store.sealed_corrupt instead of returning what it was made to say. (A value
// copied between rows of one table does open: the associated data names the table, not the
// row; see the closing note of issue 5.)
TEST(SqliteStoreTest, AlteredOrMovedSealedValuesDoNotOpen) {
  testing::TempDir dir;
  const std::string path = dir.File("tamper.db");
  auto s = sqlite::SqliteStore::Open(Options(path, 1, true), 1);
  ASSERT_TRUE(s.ok());
  const std::string kA = ValidId("11010519491231001");
  const std::string kB = ValidId("31010419900101002");
  ASSERT_TRUE((*s)->Write(Durability::kNormal,
                          [&](Tx& tx) -> Status {
                            EPERMIT_RETURN_IF_ERROR(tx.InsertRegistration(SampleRegistration("reg_a", kA)));
                            EPERMIT_RETURN_IF_ERROR(tx.InsertRegistration(SampleRegistration("reg_b", kB)));
                            return tx.InsertPermit(SamplePermit("PB", kB, 1));
                          })
                  .ok());
  auto read_a = [&]() -> Status { return (*s)->Read([&](Tx& tx) { return tx.FindRegistration("reg_a").status(); }); };
  ASSERT_TRUE(read_a().ok());
  auto conn = sqlite::Connection::Open(path, false);
  ASSERT_TRUE(conn.ok());
  // Another table's sealed value (the permits row has the same number of fields).
  ASSERT_TRUE((*conn)->Exec("UPDATE registrations SET sealed = (SELECT sealed FROM permits) WHERE id = 'reg_a'").ok());
  Status moved = read_a();
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.error().code, "store.sealed_corrupt");
  // One byte changed at the end (the tag).
  ASSERT_TRUE((*conn)
                  ->Exec("UPDATE registrations SET sealed = substr(sealed, 1, length(sealed) - 1) || "
                         "(CASE WHEN substr(sealed, -1) = x'00' THEN x'01' ELSE x'00' END) WHERE id = 'reg_b'")
                  .ok());
  Status altered = (*s)->Read([&](Tx& tx) { return tx.FindRegistration("reg_b").status(); });
  ASSERT_FALSE(altered.ok());
  EXPECT_EQ(altered.error().code, "store.sealed_corrupt");
  // An altered history entry is named, as `audit verify` names the first entry altered.
  ASSERT_TRUE((*s)->Write(Durability::kNormal,
                          [&](Tx& tx) {
                            return tx.AppendHistory({0, "access", kA, "read", "v", "why", 5, "{}"});
                          })
                  .ok());
  ASSERT_TRUE((*conn)
                  ->Exec("DROP TRIGGER history_no_update; UPDATE history SET sealed = "
                         "substr(sealed, 1, length(sealed) - 1) || "
                         "(CASE WHEN substr(sealed, -1) = x'00' THEN x'01' ELSE x'00' END) WHERE id = 1")
                  .ok());
  Status history = (*s)->Read([](Tx& tx) { return tx.HistoryAfter(0, 10).status(); });
  ASSERT_FALSE(history.ok());
  EXPECT_EQ(history.error().code, "store.sealed_corrupt");
  EXPECT_NE(history.error().message_en.find("history entry 1"), std::string::npos) << history.error().message_en;
}

// `epermit db rotate-key`: every personal field re-sealed and re-indexed under a new key in one
// transaction; the file then opens with the new key alone and not with the old one.
TEST(SqliteStoreTest, KeyRotationResealsEveryRow) {
  testing::TempDir dir;
  const std::string path = dir.File("rotate.db");
  const DataKey old_key = GenerateDataKey();
  const DataKey new_key = GenerateDataKey();
  const std::string kA = ValidId("11010519491231001");
  {
    auto s = sqlite::SqliteStore::Open(Options(path, 1, true, {old_key}), 1);
    ASSERT_TRUE(s.ok());
    ASSERT_EQ((*s)->KeyId(), old_key.id);
    ASSERT_TRUE((*s)->Write(Durability::kNormal,
                            [&](Tx& tx) -> Status {
                              EPERMIT_RETURN_IF_ERROR(tx.InsertRegistration(SampleRegistration("reg_a", kA)));
                              EPERMIT_RETURN_IF_ERROR(tx.InsertRecords({TaxRecord(kA, 2024)}, 1700000010));
                              EPERMIT_RETURN_IF_ERROR(tx.AppendHistory({0, "access", kA, "read", "v", "why", 5, "{}"}));
                              return tx.RefreshPersonDigests(10).status();
                            })
                    .ok());
    auto rows = (*s)->RotateKey(new_key, 2);
    ASSERT_TRUE(rows.ok()) << rows.error().message_en;
    EXPECT_EQ(*rows, 3);  // the registration, the record, the history entry
    EXPECT_EQ((*s)->KeyId(), new_key.id);
  }
  {
    auto s = sqlite::SqliteStore::Open(Options(path, 1, true, {new_key}), 3);
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->Read([&](Tx& tx) -> Status {
                      EXPECT_EQ(tx.RegistrationsOf(kA)->size(), 1u);
                      EXPECT_EQ(tx.StoredRecordsOf(kA)->size(), 1u);
                      EXPECT_EQ(tx.History("access", kA)->at(0).reason, "why");
                      EXPECT_EQ(*tx.StaleDigestCount(), 1);  // digests are rebuilt under the new key
                      return Status::Ok();
                    })
                    .ok());
  }
  auto with_old = sqlite::SqliteStore::Open(Options(path, 1, true, {old_key}), 4);
  ASSERT_TRUE(with_old.ok());
  Status refused = (*with_old)->Read([&](Tx& tx) { return tx.RegistrationsOf(kA).status(); });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "store.key_missing");
  // The history table is append-only again after the rotation lifted its guard.
  auto conn = sqlite::Connection::Open(path, false);
  ASSERT_TRUE(conn.ok());
  EXPECT_FALSE((*conn)->Exec("UPDATE history SET actor = 'x' WHERE id = 1").ok());
}

// A file written before encryption at rest (schema 7, plaintext) is sealed when it is opened
// with migrate, under the newest key; its rows read as before, nothing of them is left in the
// file, and opened without migrate it refuses reads until it is.
TEST(SqliteStoreTest, APlaintextFileIsSealedOnMigration) {
  testing::TempDir dir;
  const std::string path = dir.File("seven.db");
  const std::string kA = ValidId("11010519491231001");
  {
    auto conn = sqlite::Connection::Open(path, false);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE(sqlite::Migrate(**conn, 1, 7).ok());
    ASSERT_TRUE(
        (*conn)
            ->Exec("INSERT INTO registrations(id, citizen_id, name, phone, city, division_code, address, basis, "
                   "registered_on, actor, created_at) VALUES('reg_a', '" +
                   kA +
                   "', '司马相如', '13700001111', '310000', '310104', '旧城路5号', 'study', '2026-03-15', "
                   "'t', 1);"
                   "INSERT INTO history(entity_type, entity_id, action, actor, reason, at, detail) "
                   "VALUES('registration', 'reg_a', 'register', 't', '', 1, '{\"name\":\"司马相如\"}');"
                   "INSERT INTO person_digest_stale(citizen_id) VALUES('" +
                   kA + "');")
            .ok());
  }
  {
    auto unmigrated = sqlite::SqliteStore::Open(Options(path, 1, false), 2);
    ASSERT_TRUE(unmigrated.ok());
    Status refused = (*unmigrated)->Read([&](Tx& tx) { return tx.RegistrationsOf(kA).status(); });
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, "store.schema_old");
  }
  auto s = sqlite::SqliteStore::Open(Options(path, 1, true), 3);
  ASSERT_TRUE(s.ok()) << s.error().message_en;
  EXPECT_EQ((*s)->KeyId(), TestKeys().back().id);
  ASSERT_TRUE((*s)->Read([&](Tx& tx) -> Status {
                    auto regs = tx.RegistrationsOf(kA);
                    EXPECT_TRUE(regs.ok() && regs->size() == 1u);
                    if (regs.ok() && !regs->empty()) {
                      EXPECT_EQ(regs->front().name, "司马相如");
                    }
                    EXPECT_EQ(tx.History("registration", "reg_a")->at(0).detail_json, R"({"name":"司马相如"})");
                    EXPECT_EQ(*tx.StaleDigestCount(), 1);
                    return Status::Ok();
                  })
                  .ok());
  const std::string bytes = FileBytes(path);
  for (const std::string& secret :
       {kA, std::string("司马相如"), std::string("旧城路5号"), std::string("13700001111")}) {
    EXPECT_EQ(bytes.find(secret), std::string::npos) << "left in the file: " << secret;
  }
}

}  // namespace
}  // namespace epermit::store
