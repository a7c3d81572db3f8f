// SimulatePolicy straight over a store: what it does with stored records it cannot read, and
// the bounds of its request.
#include "service/simulation_service.hpp"

#include <gtest/gtest.h>

#include "domain/record_codec.hpp"
#include "policy/city_policy.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "support/city_fixture.hpp"

namespace epermit::testing {
namespace {

using nlohmann::json;

const Date kToday = MakeDate(2026, 11, 15);

class SimulationServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::sqlite::SqliteStore::Open({dir_.File("s.db"), 1, true}, 1);
    ASSERT_TRUE(opened.ok()) << opened.error().message_en;
    store_ = std::move(opened).value();
    auto current = policy::ParseCityPolicy(ReadShippedPolicy("310000/2023-01-01.toml"), "current.toml");
    ASSERT_TRUE(current.ok()) << current.error().message_en;
    current_ = std::move(current).value();
    draft_ = current_;
  }

  // 2,000 people with one income-tax record each (four blocks of 512 for the scoring
  // threads); the records of the people at `bad` are stored unreadable. Returns the ids the
  // store gave the bad ones, in citizen-ID order.
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

// Unreadable records in three blocks: whichever scoring thread meets one first, the error
// names the earliest in citizen-ID order, on every run.
TEST_F(SimulationServiceTest, TheEarliestUnreadableRecordIsTheErrorOnEveryRun) {
  const std::vector<int64_t> bad = Population({1900, 1300, 600});
  ASSERT_EQ(bad.size(), 3u);
  const std::string earliest = "stored record " + std::to_string(bad[2]) + " is invalid";
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

}  // namespace
}  // namespace epermit::testing
