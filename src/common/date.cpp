#include "common/date.hpp"

#include <charconv>
#include <cstdio>

namespace epermit {
namespace {

bool ParseDigits(std::string_view s, int& out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

bool IsValidDate(int year, unsigned month, unsigned day) {
  std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{month}, std::chrono::day{day}};
  return year >= 1 && year <= 9999 && ymd.ok();
}

Date MakeDate(int year, unsigned month, unsigned day) {
  return std::chrono::sys_days{
      std::chrono::year_month_day{std::chrono::year{year}, std::chrono::month{month}, std::chrono::day{day}}};
}

std::optional<Date> ParseIsoDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = 0, m = 0, d = 0;
  if (!ParseDigits(text.substr(0, 4), y) || !ParseDigits(text.substr(5, 2), m) || !ParseDigits(text.substr(8, 2), d)) {
    return std::nullopt;
  }
  if (m < 1 || d < 1 || !IsValidDate(y, static_cast<unsigned>(m), static_cast<unsigned>(d))) {
    return std::nullopt;
  }
  return MakeDate(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

std::string FormatIsoDate(Date d) {
  std::chrono::year_month_day ymd{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

std::optional<MonthIndex> ParseIsoMonth(std::string_view text) {
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  int y = 0, m = 0;
  if (!ParseDigits(text.substr(0, 4), y) || !ParseDigits(text.substr(5, 2), m)) {
    return std::nullopt;
  }
  if (y < 1 || m < 1 || m > 12) return std::nullopt;
  return y * 12 + m - 1;
}

std::string FormatIsoMonth(MonthIndex m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", m / 12, m % 12 + 1);
  return buf;
}

MonthIndex MonthOf(Date d) {
  std::chrono::year_month_day ymd{d};
  return static_cast<int>(ymd.year()) * 12 + static_cast<int>(static_cast<unsigned>(ymd.month())) - 1;
}

Date AddMonths(Date d, int months) {
  std::chrono::year_month_day ymd{d};
  auto target = ymd.year() / ymd.month() / std::chrono::day{1};
  target += std::chrono::months{months};
  auto last = std::chrono::year_month_day_last{target.year(), std::chrono::month_day_last{target.month()}};
  auto day = ymd.day() > last.day() ? last.day() : ymd.day();
  return std::chrono::sys_days{target.year() / target.month() / day};
}

Date AddYears(Date d, int years) { return AddMonths(d, years * 12); }

int WholeMonthsBetween(Date from, Date to) {
  if (to < from) return 0;
  std::chrono::year_month_day a{from}, b{to};
  int months = (static_cast<int>(b.year()) - static_cast<int>(a.year())) * 12 +
               static_cast<int>(static_cast<unsigned>(b.month())) - static_cast<int>(static_cast<unsigned>(a.month()));
  // Step back while adding the count overshoots `to` (handles day-of-month and clamping).
  while (months > 0 && AddMonths(from, months) > to) --months;
  return months;
}

int AgeOn(Date birth, Date on) {
  int years = WholeMonthsBetween(birth, on) / 12;
  return years;
}

std::string FormatUtcTimestamp(int64_t unix_seconds) {
  const auto tp = std::chrono::sys_seconds(std::chrono::seconds(unix_seconds));
  const auto day = std::chrono::floor<std::chrono::days>(tp);
  const std::chrono::hh_mm_ss<std::chrono::seconds> t(tp - day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02dZ", static_cast<int>(t.hours().count()),
                static_cast<int>(t.minutes().count()), static_cast<int>(t.seconds().count()));
  return FormatIsoDate(day) + buf;
}

}  // namespace epermit
