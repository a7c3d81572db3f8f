#include "common/date.hpp"

#include <gtest/gtest.h>

namespace epermit {
namespace {

TEST(DateTest, ParsesOnlyRealIsoDates) {
  EXPECT_TRUE(ParseIsoDate("2024-02-29").has_value());
  EXPECT_FALSE(ParseIsoDate("2023-02-29").has_value());
  EXPECT_FALSE(ParseIsoDate("2023-13-01").has_value());
  EXPECT_FALSE(ParseIsoDate("2023-1-01").has_value());
  EXPECT_FALSE(ParseIsoDate("2023-01-01T00").has_value());
  EXPECT_FALSE(ParseIsoDate("+023-01-01").has_value());
  EXPECT_EQ(FormatIsoDate(*ParseIsoDate("0999-03-04")), "0999-03-04");
}

TEST(DateTest, MonthsAreIntegers) {
  auto m = ParseIsoMonth("2026-01");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(FormatIsoMonth(*m - 1), "2025-12");
  EXPECT_EQ(MonthOf(MakeDate(2026, 1, 31)), *m);
  EXPECT_FALSE(ParseIsoMonth("2026-00").has_value());
  EXPECT_FALSE(ParseIsoMonth("2026-13").has_value());
}

TEST(DateTest, AddMonthsClampsToTheLastDay) {
  EXPECT_EQ(FormatIsoDate(AddMonths(MakeDate(2024, 1, 31), 1)), "2024-02-29");
  EXPECT_EQ(FormatIsoDate(AddMonths(MakeDate(2023, 1, 31), 1)), "2023-02-28");
  EXPECT_EQ(FormatIsoDate(AddMonths(MakeDate(2024, 3, 31), -1)), "2024-02-29");
  EXPECT_EQ(FormatIsoDate(AddYears(MakeDate(2024, 2, 29), 1)), "2025-02-28");
}

TEST(DateTest, WholeMonthsBetween) {
  EXPECT_EQ(WholeMonthsBetween(MakeDate(2026, 3, 15), MakeDate(2026, 9, 14)), 5);
  EXPECT_EQ(WholeMonthsBetween(MakeDate(2026, 3, 15), MakeDate(2026, 9, 15)), 6);
  EXPECT_EQ(WholeMonthsBetween(MakeDate(2026, 1, 31), MakeDate(2026, 2, 28)), 1);
  EXPECT_EQ(WholeMonthsBetween(MakeDate(2026, 9, 15), MakeDate(2026, 3, 15)), 0);
  EXPECT_EQ(AgeOn(MakeDate(2010, 6, 1), MakeDate(2026, 5, 31)), 15);
  EXPECT_EQ(AgeOn(MakeDate(2010, 6, 1), MakeDate(2026, 6, 1)), 16);
}

TEST(DateTest, UtcTimestampIsRfc3339) {
  EXPECT_EQ(FormatUtcTimestamp(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatUtcTimestamp(1795949903), "2026-11-29T10:58:23Z");
  EXPECT_EQ(FormatUtcTimestamp(951782400), "2000-02-29T00:00:00Z");
}

}  // namespace
}  // namespace epermit
