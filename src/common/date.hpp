// Calendar dates and months. Residence permits count whole days and calendar months
// in China Standard Time (UTC+8), so dates are civil dates, never time points.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace epermit {

using Date = std::chrono::sys_days;

// A calendar month as a single integer (year * 12 + month - 1), so ranges and
// "the previous 12 months" are plain integer arithmetic.
using MonthIndex = int;

std::optional<Date> ParseIsoDate(std::string_view text);  // "YYYY-MM-DD", strictly
std::string FormatIsoDate(Date d);
std::optional<MonthIndex> ParseIsoMonth(std::string_view text);  // "YYYY-MM"
std::string FormatIsoMonth(MonthIndex m);

MonthIndex MonthOf(Date d);
Date MakeDate(int year, unsigned month, unsigned day);  // caller passes a valid date
bool IsValidDate(int year, unsigned month, unsigned day);

// Adds calendar months; a day that does not exist in the target month clamps to its
// last day (2024-01-31 + 1 month = 2024-02-29), as civil-law month counting does.
Date AddMonths(Date d, int months);
Date AddYears(Date d, int years);

// Whole calendar months from `from` to `to` (0 when `to` is before `from` + 1 month).
int WholeMonthsBetween(Date from, Date to);

// Age in completed years on `on`.
int AgeOn(Date birth, Date on);

// A unix time as RFC 3339 UTC, "2026-11-29T10:58:23Z", for timestamps in API answers.
std::string FormatUtcTimestamp(int64_t unix_seconds);

}  // namespace epermit
