#include "domain/uscc.hpp"

#include <gtest/gtest.h>

#include <string>

namespace epermit::domain {
namespace {

// RULES.md §7.3 valid vectors (real codes from python-stdnum's tests) and a few more.
const char* const kValid[] = {
    "91110000600037341L",  // S = 538 → 'L'
    "121200004013590816", "91310115MA1K3BTP2B",
    "9144030071526726XG",  // organisation check character 'X'
    "91620105L015101280",  // letter in the organisation code
    "92340602MA2PBMEM24",  // 个体工商户
    "91340603MA2UJXXCXF",
    "N2110105MA01ABCD5Y",  // synthetic: department N (agriculture) is a letter
    "Y1310000MA1K3BTP2Q",  // synthetic: department Y (other)
};

TEST(ParseUsccTest, AcceptsValidCodes) {
  for (const char* code : kValid) {
    Result<std::string> r = ParseUscc(code);
    ASSERT_TRUE(r.ok()) << code << ": " << r.error().code;
    EXPECT_EQ(*r, code);
  }
}

TEST(ParseUsccTest, NormalisesLowerCase) {
  Result<std::string> r = ParseUscc("91310115ma1k3btp2b");
  ASSERT_TRUE(r.ok()) << r.error().code;
  EXPECT_EQ(*r, "91310115MA1K3BTP2B");
  r = ParseUscc("9144030071526726xg");
  ASSERT_TRUE(r.ok()) << r.error().code;
  EXPECT_EQ(*r, "9144030071526726XG");
}

struct InvalidCase {
  const char* text;
  const char* code;
};

const InvalidCase kInvalid[] = {
    {"", "uscc.length"},
    {"12345", "uscc.length"},
    {"91110000600037341", "uscc.length"},
    {"91110000600037341L0", "uscc.length"},
    {" 91110000600037341L", "uscc.length"},
    {"9111000060003IOZSV", "uscc.charset"},  // RULES.md vector
    {"91110000600037341I", "uscc.charset"},
    {"9111000060003734-L", "uscc.charset"},
    {"91110000600037341 ", "uscc.charset"},
    {"91A100006000373411", "uscc.charset"},   // division part must be digits (checksum ok)
    {"91110000600037341N", "uscc.checksum"},  // RULES.md vector
    {"91110000600037342L", "uscc.checksum"},
    {"A1110000600037341L", "uscc.checksum"},           // stdnum: format; here only the check fails
    {"91110000600037342P", "uscc.org_code_checksum"},  // position 18 recomputed, 17 wrong
};

TEST(ParseUsccTest, RejectsWithStableCodes) {
  for (const InvalidCase& c : kInvalid) {
    Result<std::string> r = ParseUscc(c.text);
    ASSERT_FALSE(r.ok()) << '"' << c.text << '"';
    EXPECT_EQ(r.error().code, c.code) << '"' << c.text << '"';
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalidArgument);
    EXPECT_EQ(r.error().field, "");
    EXPECT_FALSE(r.error().message_en.empty());
    EXPECT_FALSE(r.error().message_zh.empty());
  }
}

TEST(UsccCheckCharTest, MatchesVectors) {
  for (const char* code : kValid) {
    const std::string s = code;
    EXPECT_EQ(UsccCheckChar(std::string_view(s).substr(0, 17)), s[17]) << s;
  }
  EXPECT_EQ(UsccCheckChar("00000000000000000"), '0');
  EXPECT_EQ(UsccCheckChar(""), '\0');
  EXPECT_EQ(UsccCheckChar("9111000060003734"), '\0');
  EXPECT_EQ(UsccCheckChar("9111000060003734I"), '\0');  // I is not in the charset
  EXPECT_EQ(UsccCheckChar("91310115ma1k3btp2"), '\0');  // helpers take upper case only
}

TEST(UsccCheckCharTest, EverySingleSubstitutionIsDetected) {
  const std::string valid = "91310115MA1K3BTP2B";
  for (size_t i = 0; i < 17; ++i) {
    for (char c : kUsccCharset) {
      if (c == valid[i]) continue;
      std::string changed = valid;
      changed[i] = c;
      EXPECT_NE(UsccCheckChar(std::string_view(changed).substr(0, 17)), 'B') << changed;
    }
  }
}

TEST(OrgCodeCheckCharTest, MatchesVectors) {
  EXPECT_EQ(OrgCodeCheckChar("60003734"), '1');  // S = 109 → 11 − 10 = 1
  EXPECT_EQ(OrgCodeCheckChar("71526726"), 'X');  // 10 → X
  EXPECT_EQ(OrgCodeCheckChar("MA1K3BTP"), '2');
  EXPECT_EQ(OrgCodeCheckChar("L0151012"), '8');
  EXPECT_EQ(OrgCodeCheckChar("00000000"), '0');  // 11 → 0
  EXPECT_EQ(OrgCodeCheckChar("4013590"), '\0');
  EXPECT_EQ(OrgCodeCheckChar("4013590-"), '\0');
  EXPECT_EQ(OrgCodeCheckChar("ma1k3btp"), '\0');
  for (const char* code : kValid) {
    const std::string s = code;
    EXPECT_EQ(OrgCodeCheckChar(std::string_view(s).substr(8, 8)), s[16]) << s;
  }
}

}  // namespace
}  // namespace epermit::domain
