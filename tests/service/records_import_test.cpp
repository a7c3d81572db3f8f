// Importing department records: the ledger kinds, the overlap rule for periods of the same
// scheme (within a batch and against stored records), exact resends skipped as unchanged, and
// dates in the future. Every refused batch leaves every table as it was.
#include <gtest/gtest.h>

#include "support/resident_builder.hpp"

namespace epermit::testing {
namespace {

using nlohmann::json;

class RecordsImportTest : public CityFixture {
 protected:
  void SetUp() override { SetUpCity("310000", MakeDate(2026, 11, 15)); }

  json Rec(const char* kind, const json& members) {
    json r = {{"kind", kind}, {"citizen_id", id_}, {"source", "test"}};
    for (const auto& [k, v] : members.items()) r[k] = v;
    return r;
  }
  json Si(const char* from, const char* to, const char* risk = "pension", const char* scheme = "employee",
          const char* city = "310000") {
    return Rec(
        "social_insurance",
        {{"city", city}, {"scheme", scheme}, {"risk", risk}, {"from", from}, {"to", to}, {"back_payment", false}});
  }
  json Fund(const char* from, const char* to, const char* city = "310000") {
    return Rec("housing_fund", {{"city", city}, {"from", from}, {"to", to}});
  }
  json Tax(int year, int64_t yuan, const char* city = "310000") {
    return Rec("income_tax", {{"city", city}, {"year", year}, {"yuan", yuan}});
  }

  Result<service::ImportResult> Import(const std::vector<json>& records) {
    errors_.clear();
    return app_->records().Import(records, {"test"}, &errors_);
  }

  // Imports and expects the batch refused with the line errors (line, code, field), and no
  // table changed.
  void ExpectRefused(const std::vector<json>& records,
                     const std::vector<std::tuple<size_t, std::string, std::string>>& expected) {
    const std::string before = DumpTables(db_path());
    auto r = Import(records);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "records.invalid");
    ASSERT_EQ(errors_.size(), expected.size()) << (errors_.empty() ? "" : errors_[0].error.message_en);
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(errors_[i].line, std::get<0>(expected[i]));
      EXPECT_EQ(errors_[i].error.code, std::get<1>(expected[i])) << errors_[i].error.message_en;
      EXPECT_EQ(errors_[i].error.field, std::get<2>(expected[i])) << errors_[i].error.message_en;
      EXPECT_FALSE(errors_[i].error.message_zh.empty());
    }
    EXPECT_EQ(before, DumpTables(db_path())) << "a refused batch changed the store";
  }

  int64_t RecordRows() {
    int64_t n = 0;
    const std::string dump = DumpTables(db_path());
    const size_t start = dump.find("## records\n");
    const size_t end = dump.find("## registrations\n");
    for (size_t i = start; i < end; ++i) n += dump[i] == '\n';
    return n - 1;
  }

  std::string id_ = MakeCitizenId("360426", "19900101", 71);
  std::vector<service::RecordLineError> errors_;
};

TEST_F(RecordsImportTest, EveryLedgerKindIsImported) {
  auto r = Import(
      {Si("2026-01", "2026-10"), Fund("2026-01", "2026-10"), Tax(2025, 18600),
       Rec("education", {{"level", "bachelor"}, {"degree", true}, {"completed_on", "2012-07-01"}}),
       Rec("qualification", {{"type", "skill"}, {"level", 3}, {"obtained_on", "2020-01-01"}, {"city", "310000"}}),
       Rec("honour", {{"level", "municipal"}, {"title", "先进个人"}, {"awarded_on", "2021-01-01"}}),
       Rec("violation", {{"type", "detention"}, {"city", "310000"}, {"on", "2019-01-01"}}),
       Rec("family", {{"relation", "spouse"},
                      {"member_citizen_id", MakeCitizenId("360426", "19910101", 72)},
                      {"since", "2018-10-01"},
                      {"hukou_division_code", "360426"}})});
  ASSERT_TRUE(r.ok()) << (errors_.empty() ? r.error().message_en : errors_[0].error.message_en);
  EXPECT_EQ(r->imported, 8u);
  EXPECT_EQ(r->unchanged, 0u);
  EXPECT_EQ(RecordRows(), 8);
}

TEST_F(RecordsImportTest, OverlappingSocialInsuranceInOneBatch) {
  ExpectRefused({Si("2026-01", "2026-06"), Si("2026-06", "2026-10")}, {{2, "records.overlap", "from"}});
  EXPECT_NE(errors_[0].error.message_en.find("2026-01..2026-06"), std::string::npos) << errors_[0].error.message_en;
  EXPECT_NE(errors_[0].error.message_en.find("line 1"), std::string::npos) << errors_[0].error.message_en;
  EXPECT_EQ(errors_[0].error.kind, ErrorKind::kConflict);
  // A period that encloses the other starts outside it: the conflict is at its end.
  ExpectRefused({Si("2026-03", "2026-04"), Si("2026-01", "2026-10")}, {{2, "records.overlap", "to"}});
}

TEST_F(RecordsImportTest, OverlapWithAStoredRecord) {
  ASSERT_TRUE(Import({Si("2025-01", "2025-12")}).ok());
  ExpectRefused({Si("2025-12", "2026-10")}, {{1, "records.overlap", "from"}});
  EXPECT_NE(errors_[0].error.message_en.find("stored record #1"), std::string::npos) << errors_[0].error.message_en;
  EXPECT_NE(errors_[0].error.message_en.find("2025-01..2025-12"), std::string::npos);
  EXPECT_NE(errors_[0].error.message_zh.find("已存记录 #1"), std::string::npos);
  EXPECT_EQ(RecordRows(), 1);
}

TEST_F(RecordsImportTest, OtherRiskSchemeCityOrAdjacentMonthsDoNotOverlap) {
  ASSERT_TRUE(Import({Si("2025-01", "2025-12")}).ok());
  auto r = Import({Si("2025-01", "2025-12", "medical"), Si("2025-01", "2025-12", "pension", "flexible"),
                   Si("2025-01", "2025-12", "pension", "employee", "440300"), Si("2026-01", "2026-10"),
                   Fund("2025-01", "2025-12"), Tax(2025, 100), Tax(2024, 100), Tax(2025, 100, "440300")});
  ASSERT_TRUE(r.ok()) << (errors_.empty() ? r.error().message_en : errors_[0].error.message_en);
  EXPECT_EQ(r->imported, 8u);
}

TEST_F(RecordsImportTest, OverlappingHousingFundMonths) {
  ASSERT_TRUE(Import({Fund("2024-01", "2024-12")}).ok());
  ExpectRefused({Fund("2024-06", "2025-03")}, {{1, "records.overlap", "from"}});
  ExpectRefused({Fund("2025-01", "2025-06"), Fund("2025-06", "2025-09")}, {{2, "records.overlap", "from"}});
  EXPECT_TRUE(Import({Fund("2024-06", "2025-03", "440300")}).ok());  // another city's fund
}

TEST_F(RecordsImportTest, TwoTaxFiguresForOneCityAndYear) {
  ASSERT_TRUE(Import({Tax(2025, 12000)}).ok());
  ExpectRefused({Tax(2025, 13000)}, {{1, "records.overlap", "year"}});
  ExpectRefused({Tax(2024, 1), Tax(2024, 2)}, {{2, "records.overlap", "year"}});
}

TEST_F(RecordsImportTest, AnExactResendIsSkippedAsUnchanged) {
  auto first = Import({Si("2025-01", "2025-12"), Fund("2025-01", "2025-12"), Tax(2025, 1)});
  ASSERT_TRUE(first.ok());
  const std::string stored = DumpTables(db_path());
  // The same records, members in another order and a default left out: the same canonical JSON.
  json si = Si("2025-01", "2025-12");
  si.erase("back_payment");
  auto again = Import({Tax(2025, 1), si, Fund("2025-01", "2025-12"), Si("2026-01", "2026-03")});
  ASSERT_TRUE(again.ok()) << (errors_.empty() ? again.error().message_en : errors_[0].error.message_en);
  EXPECT_EQ(again->imported, 1u);
  EXPECT_EQ(again->unchanged, 3u);
  EXPECT_EQ(again->unchanged_lines, (std::vector<size_t>{1, 2, 3}));
  EXPECT_EQ(RecordRows(), 4);
  // A line repeating an earlier line of the same batch is a resend too.
  auto twice = Import({Si("2026-04", "2026-05"), Si("2026-04", "2026-05")});
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(twice->imported, 1u);
  EXPECT_EQ(twice->unchanged_lines, (std::vector<size_t>{2}));
  // The same period from another department is not a resend: it overlaps.
  json other = Si("2025-01", "2025-12");
  other["source"] = "310000-rsj";
  ExpectRefused({other}, {{1, "records.overlap", "from"}});
  // Resending person records does not pile up copies either.
  json person = Rec("person", {{"name", "张伟"}, {"ethnicity", "汉"}});
  ASSERT_TRUE(Import({person}).ok());
  EXPECT_EQ(Import({person})->unchanged, 1u);
  EXPECT_EQ(RecordRows(), 6);
  EXPECT_NE(stored, DumpTables(db_path()));
}

TEST_F(RecordsImportTest, MonthsDatesAndYearsInTheFuture) {
  ExpectRefused(
      {Si("2026-10", "2026-12"), Fund("2026-12", "2027-01"), Tax(2027, 1),
       Rec("education", {{"level", "master"}, {"degree", true}, {"completed_on", "2026-11-16"}}),
       Rec("qualification", {{"type", "title"}, {"level", 1}, {"obtained_on", "2027-01-01"}, {"city", "310000"}}),
       Rec("honour", {{"level", "municipal"}, {"title", "x"}, {"awarded_on", "2026-12-01"}}),
       Rec("violation", {{"type", "crime"}, {"city", "310000"}, {"on", "2026-11-16"}}),
       Rec("family", {{"relation", "spouse"},
                      {"member_citizen_id", MakeCitizenId("360426", "19910101", 72)},
                      {"since", "2026-11-16"},
                      {"hukou_division_code", "360426"}}),
       Rec("housing", {{"city", "310000"},
                       {"division_code", "310104"},
                       {"tenure", "rented"},
                       {"from", "2026-01-01"},
                       {"to", "2027-01-01"}})},
      {{1, "field.future_date", "to"},
       {2, "field.future_date", "from"},
       {3, "field.future_date", "year"},
       {4, "field.future_date", "completed_on"},
       {5, "field.future_date", "obtained_on"},
       {6, "field.future_date", "awarded_on"},
       {7, "field.future_date", "on"},
       {8, "field.future_date", "since"},
       {9, "field.future_date", "to"}});
}

TEST_F(RecordsImportTest, InvalidLinesAndOverlapsAreListedTogether) {
  ASSERT_TRUE(Import({Si("2025-01", "2025-12")}).ok());
  ExpectRefused({Si("2025-06", "2026-01"), Tax(2027, 1), Fund("2025-01", "2025-02"), Fund("2025-02", "2025-03")},
                {{1, "records.overlap", "from"}, {2, "field.future_date", "year"}, {4, "records.overlap", "from"}});
}

}  // namespace
}  // namespace epermit::testing
