// SimulatePolicy straight over a store: what it does with stored records it cannot read, and
// the bounds of its request.
#include "service/simulation_service.hpp"

#include <gtest/gtest.h>

#include "domain/record_codec.hpp"
#include "policy/city_policy.hpp"
#include "policy/points_report.hpp"
#include "service/demo_seeder.hpp"
#include "service/digest_refresher.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/city_fixture.hpp"

namespace epermit::testing {
namespace {

using nlohmann::json;

const Date kToday = MakeDate(2026, 11, 15);

class SimulationServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::sqlite::SqliteOptions options;
    options.path = dir_.File("s.db");
    options.read_connections = 1;
    options.keys = {store::GenerateDataKey()};
    auto opened = store::sqlite::SqliteStore::Open(options, 1);
    ASSERT_TRUE(opened.ok()) << opened.error().message_en;
    store_ = std::move(opened).value();
    auto current = policy::ParseCityPolicy(ReadShippedPolicy("310000/2023-01-01.toml"), "current.toml");
    ASSERT_TRUE(current.ok()) << current.error().message_en;
    current_ = std::move(current).value();
    draft_ = current_;
  }

  // 2,000 people with one income-tax record each (four blocks of 512 for the scoring
  // threads); the records of the people at `bad` are stored unreadable. Returns the ids the
  // store gave the bad ones, in the order of `bad`.
  std::vector<int64_t> Population(const std::vector<int>& bad) {
    std::vector<store::StoredRecord> rows;
    for (int i = 0; i < 2000; ++i) {
      // Born 1990-01-01, then 1990-01-02: citizen-ID order is the order of i.
      const std::string id = MakeCitizenId("360426", i < 1000 ? "19900101" : "19900102", i % 1000);
      json tax = {{"kind", "income_tax"}, {"citizen_id", id}, {"source", "sw"},
                  {"city", "310000"},     {"year", 2025},     {"yuan", 3600}};
      auto parsed = domain::ParseRecord(tax, kToday);
      if (!parsed.ok()) {
        ADD_FAILURE() << parsed.error().message_en;
        return {};
      }
      std::string body = domain::RecordToJson(*parsed).dump();
      if (std::find(bad.begin(), bad.end(), i) != bad.end()) body = R"({"kind":"income_tax","year":"x"})";
      rows.push_back({domain::RecordKind::kIncomeTax, id, "sw", body});
    }
    EXPECT_TRUE(
        store_->Write(store::Durability::kNormal, [&](store::Tx& tx) { return tx.InsertRecords(rows, 1); }).ok());
    std::vector<int64_t> ids;
    for (int i : bad) {
      EXPECT_TRUE(store_
                      ->Read([&](store::Tx& tx) -> Status {
                        EPERMIT_ASSIGN_OR_RETURN(auto stored,
                                                 tx.StoredRecordsOf(rows[static_cast<size_t>(i)].citizen_id));
                        ids.push_back(stored.at(0).id);
                        return Status::Ok();
                      })
                      .ok());
    }
    return ids;
  }

  service::SimulationRequest Request(unsigned threads) const {
    service::SimulationRequest r;
    r.current = &current_;
    r.draft = &draft_;
    r.date = kToday;
    r.threads = threads;
    return r;
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  policy::CityPolicy current_, draft_;
};

TEST_F(SimulationServiceTest, ScoresEveryPersonOnAnyNumberOfThreads) {
  Population({});
  for (unsigned threads : {1u, 2u, 3u}) {
    auto report = service::SimulatePolicy(*store_, Request(threads), kToday);
    ASSERT_TRUE(report.ok()) << report.error().message_en;
    EXPECT_EQ(report->counts.people, 2000u) << threads;
    uint64_t by_change = 0;
    for (uint64_t n : report->counts.by_change) by_change += n;
    EXPECT_EQ(by_change, 2000u) << threads;
  }
}

// Three unreadable records (in blocks the blind index decides): whichever scoring thread meets
// one first, the error names the earliest in the pass's order, on every run.
TEST_F(SimulationServiceTest, TheEarliestUnreadableRecordIsTheErrorOnEveryRun) {
  const std::vector<int64_t> bad = Population({1900, 1300, 600});
  ASSERT_EQ(bad.size(), 3u);
  // The earliest in the pass's order (the blind index's), whichever thread scores it.
  std::vector<std::string> order;
  ASSERT_TRUE(store_
                  ->Read([&](store::Tx& tx) {
                    return tx.ForEachPerson([&](store::PersonRows& p) -> Status {
                      order.push_back(p.citizen_id);
                      return Status::Ok();
                    });
                  })
                  .ok());
  ASSERT_EQ(order.size(), 2000u);
  size_t first = order.size();
  int64_t earliest_id = 0;
  for (size_t k = 0; k < bad.size(); ++k) {
    const int i = std::vector<int>{1900, 1300, 600}[k];
    const std::string id = MakeCitizenId("360426", i < 1000 ? "19900101" : "19900102", i % 1000);
    const size_t at = static_cast<size_t>(std::find(order.begin(), order.end(), id) - order.begin());
    if (at < first) {
      first = at;
      earliest_id = bad[k];
    }
  }
  const std::string earliest = "stored record " + std::to_string(earliest_id) + " is invalid";
  for (int run = 0; run < 8; ++run) {
    auto report = service::SimulatePolicy(*store_, Request(3), kToday);
    ASSERT_FALSE(report.ok());
    EXPECT_NE(report.error().message_en.find(earliest), std::string::npos) << run << ": " << report.error().message_en;
  }
}

TEST_F(SimulationServiceTest, MoreThanSixtyFourThreadsIsRefused) {
  auto report = service::SimulatePolicy(*store_, Request(65), kToday);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().code, "simulate.bad_threads");
  EXPECT_EQ(report.error().field, "threads");
  EXPECT_TRUE(service::SimulatePolicy(*store_, Request(64), kToday).ok());
}

// The same population simulated from the rows (every digest stale) and from the digests
// gives the same report to the last sample: the demo city's varied residents (permits through
// the real application path, registrations, every kind of record the seeder writes), a draft
// that moves people in every direction, with samples.
class SimulationFromDigestsTest : public CityFixture {
 protected:
  void SetUp() override { SetUpCity("310000", MakeDate(2026, 11, 15)); }
};

TEST_F(SimulationFromDigestsTest, DigestsAndRowsGiveTheSameReport) {
  service::DemoSeeder seeder(app_->context());
  service::SeedOptions options;
  options.residents = 1500;
  options.issued_permits = 60;
  ASSERT_TRUE(seeder.Seed(options).ok());
  auto current = policy::ParseCityPolicy(ReadShippedPolicy("310000/2023-01-01.toml"), "current.toml");
  ASSERT_TRUE(current.ok());
  auto draft = policy::ParseCityPolicy(
      ReplaceOnce(ReplaceOnce(ReadShippedPolicy("310000/2023-01-01.toml"), "within_months = 12 }\nat_least = 6",
                              "within_months = 12 }\nat_least = 9"),
                  "pass_mark = 120", "pass_mark = 40"),
      "draft.toml");
  ASSERT_TRUE(draft.ok()) << draft.error().message_en;
  service::SimulationRequest r;
  r.current = &*current;
  r.draft = &*draft;
  r.date = MakeDate(2026, 11, 15);
  r.samples = 20;
  r.threads = 2;
  store::Store& store = *app_->context().store;
  auto simulate = [&] {
    auto report = service::SimulatePolicy(store, r, MakeDate(2026, 11, 15));
    EXPECT_TRUE(report.ok()) << report.error().message_en;
    return report.ok() ? policy::SimulationReportToJson(*report) : nlohmann::json();
  };
  int64_t stale = 0;
  auto stale_count = [&] {
    EXPECT_TRUE(store
                    .Read([&](store::Tx& tx) -> Status {
                      EPERMIT_ASSIGN_OR_RETURN(stale, tx.StaleDigestCount());
                      return Status::Ok();
                    })
                    .ok());
    return stale;
  };
  ASSERT_GT(stale_count(), 1500);  // the seeded residents, and the demo cases
  const nlohmann::json from_rows = simulate();
  auto refreshed = service::RefreshDigests(store);
  ASSERT_TRUE(refreshed.ok()) << refreshed.error().message_en;
  EXPECT_EQ(static_cast<int64_t>(*refreshed), stale);
  EXPECT_EQ(stale_count(), 0);
  const nlohmann::json from_digests = simulate();
  EXPECT_EQ(from_digests, from_rows);
  // The draft did move people, so the comparison covered something.
  EXPECT_GT(from_rows["changes"]["no_longer_eligible"]["people"].get<int64_t>(), 0) << from_rows.dump();
  EXPECT_FALSE(from_rows["changes"]["no_longer_eligible"]["samples"].empty());
  EXPECT_GT(from_rows["eligible"]["before"].get<int64_t>(), 0);
  EXPECT_GT(from_rows["people"].get<int64_t>(), 1500);
}

}  // namespace
}  // namespace epermit::testing
