#include "domain/citizen_id.hpp"

#include <gtest/gtest.h>

#include <string>

namespace epermit::domain {
namespace {

const Date kToday = MakeDate(2025, 6, 1);

struct ValidCase {
  const char* text;
  const char* number;  // normalised
  const char* division;
  int year;
  unsigned month;
  unsigned day;
  CitizenId::Sex sex;
};

constexpr auto kMale = CitizenId::Sex::kMale;
constexpr auto kFemale = CitizenId::Sex::kFemale;

// RULES.md §7.1 vectors (python-stdnum) plus cases for retired and coarse address codes.
const ValidCase kValid[] = {
    {"11010519491231002X", "11010519491231002X", "110105", 1949, 12, 31, kFemale},
    {"360426199101010071", "360426199101010071", "360426", 1991, 1, 1, kMale},
    {"44011320141005001X", "44011320141005001X", "440113", 2014, 10, 5, kMale},
    {"110102199101010078", "110102199101010078", "110102", 1991, 1, 1, kMale},
    {"110108199003071238", "110108199003071238", "110108", 1990, 3, 7, kMale},
    {"310115198506154824", "310115198506154824", "310115", 1985, 6, 15, kFemale},
    {"440306200002290017", "440306200002290017", "440306", 2000, 2, 29, kMale},     // leap day
    {"11010519491231002x", "11010519491231002X", "110105", 1949, 12, 31, kFemale},  // lower x
    {"110103198001010013", "110103198001010013", "110103", 1980, 1, 1, kMale},      // 崇文区, retired
    {"110000198001010019", "110000198001010019", "110000", 1980, 1, 1, kMale},      // province code
    {"110100198001010014", "110100198001010014", "110100", 1980, 1, 1, kMale},      // prefecture
    {"110105200002290021", "110105200002290021", "110105", 2000, 2, 29, kFemale},
    {"110105199602290038", "110105199602290038", "110105", 1996, 2, 29, kMale},
    {"11010519000101001X", "11010519000101001X", "110105", 1900, 1, 1, kMale},  // earliest
    {"110105202506010010", "110105202506010010", "110105", 2025, 6, 1, kMale},  // born today
};

TEST(ParseCitizenIdTest, AcceptsValidNumbers) {
  for (const ValidCase& c : kValid) {
    Result<CitizenId> r = ParseCitizenId(c.text, kToday);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.error().code;
    EXPECT_EQ(r->number, c.number) << c.text;
    EXPECT_EQ(r->division_code, c.division) << c.text;
    EXPECT_EQ(r->birth_date, MakeDate(c.year, c.month, c.day)) << c.text;
    EXPECT_EQ(r->sex, c.sex) << c.text;
  }
}

struct InvalidCase {
  const char* text;
  const char* code;
};

const InvalidCase kInvalid[] = {
    {"", "citizen_id.length"},
    {"11010519491231002", "citizen_id.length"},    // 17
    {"11010519491231002X0", "citizen_id.length"},  // 19
    {" 11010519491231002X", "citizen_id.length"},  // leading space is not trimmed
    {"110105194912310", "citizen_id.length"},      // first-generation 15 digits
    {"11010519491231002 ", "citizen_id.format"},   // trailing space in the check position
    {"11010519491231002Y", "citizen_id.format"},
    {"1101051949123100XX", "citizen_id.format"},  // X only allowed last
    {"11010519491231 02X", "citizen_id.format"},
    {"A1010519491231002X", "citizen_id.format"},
    {"36042619910102009X", "citizen_id.checksum"},    // RULES.md vector
    {"11010519491231003X", "citizen_id.checksum"},    // one digit changed
    {"110105194912310020", "citizen_id.checksum"},    // X replaced by 0
    {"360426199113010079", "citizen_id.birth_date"},  // RULES.md vector: month 13
    {"110105199902290013", "citizen_id.birth_date"},  // Feb 29 in a non-leap year
    {"110105198002300015", "citizen_id.birth_date"},  // Feb 30
    {"110105198000010014", "citizen_id.birth_date"},  // month 00
    {"110105189912310015", "citizen_id.birth_date"},  // before 1900
    {"11010520300101001X", "citizen_id.birth_date"},  // far future
    {"110105202506020016", "citizen_id.birth_date"},  // tomorrow
    {"990101198001010014", "citizen_id.division"},    // no such address code
};

TEST(ParseCitizenIdTest, RejectsWithStableCodes) {
  for (const InvalidCase& c : kInvalid) {
    Result<CitizenId> r = ParseCitizenId(c.text, kToday);
    ASSERT_FALSE(r.ok()) << '"' << c.text << '"';
    EXPECT_EQ(r.error().code, c.code) << '"' << c.text << '"';
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalidArgument);
    EXPECT_EQ(r.error().field, "");
    EXPECT_FALSE(r.error().message_en.empty());
    EXPECT_FALSE(r.error().message_zh.empty());
  }
}

TEST(ParseCitizenIdTest, ReportsMostBasicErrorFirst) {
  // Bad date and bad check character: the checksum wins (a typo explains both).
  EXPECT_EQ(ParseCitizenId("360426199113010070", kToday).error().code, "citizen_id.checksum");
  // Bad date and unknown division, valid checksum: the date wins.
  EXPECT_EQ(ParseCitizenId("990101199913010011", kToday).error().code, "citizen_id.birth_date");
  // Wrong length and non-digits: length wins.
  EXPECT_EQ(ParseCitizenId("ABCDEFGHIJ", kToday).error().code, "citizen_id.length");
  // Non-digit and a wrong check character: format wins.
  EXPECT_EQ(ParseCitizenId("1101051949123100AX", kToday).error().code, "citizen_id.format");
}

TEST(ParseCitizenIdTest, TodayDecidesWhetherABirthDateIsInTheFuture) {
  EXPECT_FALSE(ParseCitizenId("110105202506020016", MakeDate(2025, 6, 1)).ok());
  EXPECT_TRUE(ParseCitizenId("110105202506020016", MakeDate(2025, 6, 2)).ok());
}

TEST(CitizenIdCheckCharTest, MatchesVectors) {
  EXPECT_EQ(CitizenIdCheckChar("11010519491231002"), 'X');  // S = 167, 167 mod 11 = 2
  EXPECT_EQ(CitizenIdCheckChar("36042619910101007"), '1');
  EXPECT_EQ(CitizenIdCheckChar("31011519850615482"), '4');
  EXPECT_EQ(CitizenIdCheckChar("00000000000000000"), '1');  // S = 0
  for (const ValidCase& c : kValid) {
    const std::string number = c.number;
    EXPECT_EQ(CitizenIdCheckChar(std::string_view(number).substr(0, 17)), number[17]) << number;
  }
}

TEST(CitizenIdCheckCharTest, RejectsBadInput) {
  EXPECT_EQ(CitizenIdCheckChar(""), '\0');
  EXPECT_EQ(CitizenIdCheckChar("1101051949123100"), '\0');
  EXPECT_EQ(CitizenIdCheckChar("110105194912310020"), '\0');
  EXPECT_EQ(CitizenIdCheckChar("1101051949123100A"), '\0');
}

TEST(CitizenIdCheckCharTest, EverySingleDigitChangeIsDetected) {
  const std::string valid = "11010519491231002X";
  for (size_t i = 0; i < 17; ++i) {
    for (char d = '0'; d <= '9'; ++d) {
      if (d == valid[i]) continue;
      std::string changed = valid;
      changed[i] = d;
      EXPECT_NE(CitizenIdCheckChar(std::string_view(changed).substr(0, 17)), 'X') << changed;
    }
  }
}

TEST(MaskCitizenIdTest, KeepsOnlyRegionAndTail) {
  EXPECT_EQ(MaskCitizenId("11010519491231002X"), "110105********002X");
  EXPECT_EQ(MaskCitizenId("360426199101010071"), "360426********0071");
  EXPECT_EQ(MaskCitizenId("12345"), "*****");
  EXPECT_EQ(MaskCitizenId(""), "");
  EXPECT_EQ(MaskCitizenId("11010519491231002X0"), std::string(19, '*'));
}

}  // namespace
}  // namespace epermit::domain
