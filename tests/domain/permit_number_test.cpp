#include "domain/permit_number.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>

namespace epermit::domain {
namespace {

// Independently published MOD 37,36 strings (data + check character).
const char* const kMod3736Valid[] = {
    "A12425GABC1234002M",         // GRid example (ISO 7064 hybrid 37,36)
    "B159D8FA01240000K",          // xbib standardnumber MOD3736 tests
    "188166C7342000003",          // xbib standardnumber MOD3736 tests
    "00000000D07A0090Q",          // ISAN 0000-0000-D07A-0090-Q (python-stdnum isan)
    "00000000D07A009000000000X",  // ISAN …-Q-0000-0000-X, second check over version
    "00000001894700008",          // ISAN 0000-0001-8947-0000-8
    "000000018947000000000000D",  // ISAN …-8-0000-0000-D
    "000000018CFA0000I",          // ISAN 0000-0001-8CFA-0000-I
    "000000018CFA000000000000K",  // ISAN …-I-0000-0000-K
};

TEST(Iso7064Mod3736Test, PublishedVectorsAreValid) {
  for (const char* v : kMod3736Valid) {
    const std::string s = v;
    EXPECT_TRUE(Iso7064Mod3736Valid(s)) << s;
    EXPECT_EQ(Iso7064Mod3736Check(std::string_view(s).substr(0, s.size() - 1)), s.back()) << s;
  }
}

TEST(Iso7064Mod3736Test, WrongCheckCharactersAreInvalid) {
  const std::string data = "A12425GABC1234002";
  int valid = 0;
  for (char c : std::string_view("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")) {
    if (Iso7064Mod3736Valid(data + c)) {
      ++valid;
      EXPECT_EQ(c, 'M');
    }
  }
  EXPECT_EQ(valid, 1);
  EXPECT_FALSE(Iso7064Mod3736Valid("A12425GABC1234002X"));
  EXPECT_FALSE(Iso7064Mod3736Valid("00000000D07A0090A"));  // stdnum's invalid ISAN check
}

TEST(Iso7064Mod3736Test, RejectsCharactersOutsideTheAlphabet) {
  EXPECT_EQ(Iso7064Mod3736Check("a12425GABC1234002"), '\0');
  EXPECT_EQ(Iso7064Mod3736Check("A12425-GABC1234002"), '\0');
  EXPECT_EQ(Iso7064Mod3736Check("A12425GABC1234002 "), '\0');
  EXPECT_FALSE(Iso7064Mod3736Valid("a12425GABC1234002M"));
  EXPECT_FALSE(Iso7064Mod3736Valid("A12425GABC1234002*"));
  EXPECT_FALSE(Iso7064Mod3736Valid(""));
}

TEST(Iso7064Mod3736Test, DetectsAdjacentTranspositions) {
  const std::string valid = "A12425GABC1234002M";
  for (size_t i = 0; i + 1 < valid.size(); ++i) {
    if (valid[i] == valid[i + 1]) continue;
    std::string swapped = valid;
    std::swap(swapped[i], swapped[i + 1]);
    EXPECT_FALSE(Iso7064Mod3736Valid(swapped)) << swapped;
  }
}

// Computed with a separate Python implementation of the hybrid recurrence.
TEST(FormatPermitNumberTest, KnownNumbers) {
  EXPECT_EQ(FormatPermitNumber("310000", 1, 1), "1.2.156.3005.2.JZZ01.310000.000000000001.001.F");
  EXPECT_EQ(FormatPermitNumber("310000", 1, 2), "1.2.156.3005.2.JZZ01.310000.000000000001.002.D");
  EXPECT_EQ(FormatPermitNumber("440300", 123456789012, 1), "1.2.156.3005.2.JZZ01.440300.123456789012.001.E");
  EXPECT_EQ(FormatPermitNumber("110000", 42, 7), "1.2.156.3005.2.JZZ01.110000.000000000042.007.V");
}

TEST(FormatPermitNumberTest, RejectsOutOfRangeFields) {
  EXPECT_EQ(FormatPermitNumber("31000", 1, 1), "");
  EXPECT_EQ(FormatPermitNumber("3100000", 1, 1), "");
  EXPECT_EQ(FormatPermitNumber("31000A", 1, 1), "");
  EXPECT_EQ(FormatPermitNumber("310000", kMaxPermitSequence + 1, 1), "");
  EXPECT_EQ(FormatPermitNumber("310000", 1, 0), "");
  EXPECT_EQ(FormatPermitNumber("310000", 1, -1), "");
  EXPECT_EQ(FormatPermitNumber("310000", 1, kMaxPermitVersion + 1), "");
  EXPECT_NE(FormatPermitNumber("310000", kMaxPermitSequence, kMaxPermitVersion), "");
}

TEST(ParsePermitNumberTest, RoundTrips) {
  struct Case {
    const char* city;
    uint64_t sequence;
    int version;
  };
  const Case cases[] = {
      {"310000", 0, 1},  {"310000", 1, 1},   {"440300", 123456789012, 1},
      {"110000", 42, 7}, {"429004", 999, 2}, {"440300", kMaxPermitSequence, kMaxPermitVersion},
  };
  for (const Case& c : cases) {
    const std::string text = FormatPermitNumber(c.city, c.sequence, c.version);
    ASSERT_EQ(text.size(), 46u) << text;
    Result<PermitNumber> r = ParsePermitNumber(text);
    ASSERT_TRUE(r.ok()) << text << ": " << r.error().code;
    EXPECT_EQ(r->city, c.city);
    EXPECT_EQ(r->sequence, c.sequence);
    EXPECT_EQ(r->version, c.version);
    EXPECT_EQ(r->text, text);
  }
}

TEST(ParsePermitNumberTest, NormalisesLowerCase) {
  Result<PermitNumber> r = ParsePermitNumber("1.2.156.3005.2.jzz01.110000.000000000042.007.v");
  ASSERT_TRUE(r.ok()) << r.error().code;
  EXPECT_EQ(r->text, "1.2.156.3005.2.JZZ01.110000.000000000042.007.V");
}

TEST(ParsePermitNumberTest, EverySingleCharacterCorruptionIsDetected) {
  const std::string valid = FormatPermitNumber("440300", 123456789012, 3);
  ASSERT_TRUE(ParsePermitNumber(valid).ok());
  const std::string_view replacements = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.-";
  for (size_t i = 0; i < valid.size(); ++i) {
    for (char c : replacements) {
      if (c == valid[i]) continue;
      std::string corrupted = valid;
      corrupted[i] = c;
      Result<PermitNumber> r = ParsePermitNumber(corrupted);
      EXPECT_FALSE(r.ok()) << "position " << i << ": " << corrupted;
    }
  }
}

TEST(ParsePermitNumberTest, DataCorruptionIsAChecksumError) {
  const std::string valid = "1.2.156.3005.2.JZZ01.310000.000000000001.001.F";
  std::string changed = valid;
  changed[39] = '2';  // last sequence digit
  Result<PermitNumber> r = ParsePermitNumber(changed);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "permit_number.checksum");
  changed = valid;
  changed.back() = 'G';
  r = ParsePermitNumber(changed);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "permit_number.checksum");
}

TEST(ParsePermitNumberTest, VersionIncrementChangesTheCheckCharacter) {
  // A replacement must not carry the old check character: 001 → 002 is a single
  // substitution, which MOD 37,36 always detects; carries (009 → 010) change two
  // characters, so every increment is checked here rather than assumed.
  for (uint64_t sequence : {uint64_t{1}, uint64_t{77}, uint64_t{123456789012}}) {
    std::set<char> checks;
    for (int version = 1; version < kMaxPermitVersion; ++version) {
      const std::string a = FormatPermitNumber("310000", sequence, version);
      const std::string b = FormatPermitNumber("310000", sequence, version + 1);
      ASSERT_NE(a.back(), b.back()) << a << " vs " << b;
      checks.insert(a.back());
    }
    EXPECT_EQ(checks.size(), 36u) << "sequence " << sequence;
  }
}

TEST(ParsePermitNumberTest, RejectsMalformedText) {
  const char* const cases[] = {
      "",
      "1.2.156.3005.2.JZZ01.310000.000000000001.001",     // no check character
      "1.2.156.3005.2.JZZ01.310000.000000000001.001.FF",  // two check characters
      "1.2.156.3005.2.JZZ02.310000.000000000001.001.F",   // another certificate type
      "1.2.156.3005.3.JZZ01.310000.000000000001.001.F",   // another root
      "1.2.156.3005.2.JZZ01.31000.0000000000001.001.F",   // dot moved
      "1.2.156.3005.2.JZZ01.310000.00000000000A.001.F",   // letter in the sequence
      "1.2.156.3005.2.JZZ01.310000.000000000001.000.F",   // version 000
      "1.2.156.3005.2.JZZ01.310000.000000000001.001.*",   // check outside the alphabet
      " 1.2.156.3005.2.JZZ01.310000.000000000001.001.F",  // not trimmed
      "1.2.156.3005.2.JZZ01.310000.000000000001.001.F ",
      "1.2.156.3005.2.JZZ01.310000.000000000001-001.F",
  };
  for (const char* text : cases) {
    Result<PermitNumber> r = ParsePermitNumber(text);
    ASSERT_FALSE(r.ok()) << '"' << text << '"';
    EXPECT_EQ(r.error().code, "permit_number.format") << '"' << text << '"';
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalidArgument);
    EXPECT_EQ(r.error().field, "");
    EXPECT_FALSE(r.error().message_en.empty());
    EXPECT_FALSE(r.error().message_zh.empty());
  }
}

TEST(ParsePermitNumberTest, TypeCodeIsOneConstant) {
  const std::string text = FormatPermitNumber("310000", 1, 1);
  EXPECT_EQ(text.substr(0, kCertificateRootCode.size()), kCertificateRootCode);
  EXPECT_NE(text.find(std::string(".") + std::string(kResidencePermitTypeCode) + "."), std::string::npos);
}

}  // namespace
}  // namespace epermit::domain
