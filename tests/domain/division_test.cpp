#include "domain/division.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

namespace epermit::domain {
namespace {

const DivisionRegistry& Registry() { return DivisionRegistry::Builtin(); }

TEST(DivisionRegistryTest, BuiltinHoldsCurrentAndRetiredTables) {
  // divisions.tsv has 3,348 rows and retired.tsv 768; a parse that silently dropped
  // rows would fall far below this.
  EXPECT_GT(Registry().size(), 4000u);
  for (const char* code : {"110000", "310000", "440000", "650000"}) {
    const Division* d = Registry().Find(code);
    ASSERT_NE(d, nullptr) << code;
    EXPECT_EQ(d->level, Division::Level::kProvince) << code;
    EXPECT_EQ(d->parent, "") << code;
    EXPECT_FALSE(d->retired) << code;
  }
  for (const char* code : {"110103", "110104", "310103", "500234"}) {
    const Division* d = Registry().Find(code);
    ASSERT_NE(d, nullptr) << code;
    EXPECT_TRUE(d->retired) << code;
  }
}

TEST(DivisionRegistryTest, FindsCurrentCounty) {
  const Division* d = Registry().Find("310101");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->code, "310101");
  EXPECT_EQ(d->name, "黄浦区");
  EXPECT_EQ(d->level, Division::Level::kCounty);
  EXPECT_EQ(d->parent, "310100");
  EXPECT_FALSE(d->retired);
}

TEST(DivisionRegistryTest, FindsRetiredCountyWithDerivedParent) {
  const Division* d = Registry().Find("110103");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->name, "崇文区");
  EXPECT_EQ(d->level, Division::Level::kCounty);
  EXPECT_EQ(d->parent, "110100");
  EXPECT_TRUE(d->retired);
}

TEST(DivisionRegistryTest, FindRejectsUnknownAndMalformed) {
  for (const char* code : {"990101", "000000", "31010", "3101011", "", "31010a", "310101 "}) {
    EXPECT_EQ(Registry().Find(code), nullptr) << '"' << code << '"';
  }
}

TEST(DivisionRegistryTest, IsCurrentAndIsKnownForCitizenId) {
  struct Case {
    const char* code;
    bool current;
    bool known_for_id;
  };
  const Case cases[] = {
      {"310101", true, true},    // current county
      {"110103", false, true},   // retired 崇文区: fine inside an ID number
      {"110000", true, true},    // province code, seen in early ID numbers
      {"110100", true, true},    // prefecture code
      {"440300", true, true},    // prefecture code
      {"990101", false, false},  // never existed
      {"abcdef", false, false},  // not digits
      {"", false, false},        // empty
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Registry().IsCurrent(c.code), c.current) << c.code;
    EXPECT_EQ(Registry().IsKnownForCitizenId(c.code), c.known_for_id) << c.code;
  }
}

TEST(DivisionRegistryTest, FullName) {
  const std::pair<const char*, const char*> cases[] = {
      {"310101", "上海市黄浦区"},  // 市辖区 skipped
      {"440305", "广东省深圳市南山区"},
      {"110103", "北京市崇文区"},              // retired, parent derived from the code
      {"500229", "重庆市城口县"},              // 县 placeholder skipped
      {"429004", "湖北省仙桃市"},              // 省直辖县级行政区划 skipped
      {"659001", "新疆维吾尔自治区石河子市"},  // 自治区直辖县级行政区划 skipped
      {"441900", "广东省东莞市"},              // city without counties, its own parent
      {"440300", "广东省深圳市"},
      {"440000", "广东省"},
      {"990101", ""},
      {"", ""},
  };
  for (const auto& [code, name] : cases) {
    EXPECT_EQ(Registry().FullName(code), name) << code;
  }
}

TEST(DivisionRegistryTest, CityOf) {
  const std::pair<const char*, const char*> cases[] = {
      {"310101", "310000"},  // municipality → province code
      {"110105", "110000"},  // 北京
      {"120101", "120000"},  // 天津
      {"500229", "500000"},  // 重庆 county under the 县 placeholder
      {"310100", "310000"},  // municipality placeholder prefecture
      {"110103", "110000"},  // retired county still maps to its city
      {"440305", "440300"},  // county → prefecture
      {"440300", "440300"},  // prefecture → itself
      {"429004", "429004"},  // province-administered county-level city is its own city
      {"659001", "659001"},  // 石河子, under 自治区直辖县级行政区划
      {"441900", "441900"},  // 东莞: no counties
      {"419000", ""},        // placeholder group, not a city
      {"440000", ""},        // province
      {"990101", ""},        // unknown
  };
  for (const auto& [code, city] : cases) {
    EXPECT_EQ(Registry().CityOf(code), city) << code;
  }
}

TEST(DivisionRegistryTest, BuiltinIsOneInstanceAcrossThreads) {
  std::vector<const DivisionRegistry*> seen(8, nullptr);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&seen, i] { seen[i] = &DivisionRegistry::Builtin(); });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(std::set<const DivisionRegistry*>(seen.begin(), seen.end()).size(), 1u);
  EXPECT_EQ(seen[0], &DivisionRegistry::Builtin());
}

TEST(DivisionRegistryTest, FromTsvBuildsSmallRegistry) {
  Result<DivisionRegistry> r = DivisionRegistry::FromTsv(
      "320000\t江苏省\tprovince\t\n"
      "320100\t南京市\tprefecture\t320000\n"
      "320102\t玄武区\tcounty\t320100\n",
      "320103\t白下区\n");
  ASSERT_TRUE(r.ok()) << r.error().message_en;
  EXPECT_EQ(r->size(), 4u);
  EXPECT_EQ(r->FullName("320102"), "江苏省南京市玄武区");
  EXPECT_EQ(r->FullName("320103"), "江苏省南京市白下区");
  EXPECT_EQ(r->CityOf("320103"), "320100");
  EXPECT_TRUE(r->IsCurrent("320102"));
  EXPECT_FALSE(r->IsCurrent("320103"));
  EXPECT_TRUE(r->IsKnownForCitizenId("320103"));
}

TEST(DivisionRegistryTest, FromTsvRejectsMalformedTables) {
  const std::pair<const char*, const char*> cases[] = {
      {"320000\t江苏省\tprovince\n", ""},                    // 3 columns
      {"320000\t江苏省\tstate\t\n", ""},                     // unknown level
      {"32000\t江苏省\tprovince\t\n", ""},                   // 5-digit code
      {"320100\t南京市\tprefecture\t\n", ""},                // missing parent
      {"320000\t\tprovince\t\n", ""},                        // empty name
      {"320000\t江苏省\tprovince\t\n", "320000\t江苏省\n"},  // same code in both tables
      {"", "320103\t白下区\tcounty\n"},                      // retired rows have 2 columns
  };
  for (const auto& [current, retired] : cases) {
    Result<DivisionRegistry> r = DivisionRegistry::FromTsv(current, retired);
    ASSERT_FALSE(r.ok()) << current << " | " << retired;
    EXPECT_EQ(r.error().kind, ErrorKind::kInternal);
  }
}

TEST(ValidateResidenceDivisionTest, AcceptsCurrentCounties) {
  for (const char* code : {"310101", "440305", "110105", "429004", "441900"}) {
    Result<std::string> r = ValidateResidenceDivision(code);
    ASSERT_TRUE(r.ok()) << code << ": " << r.error().code;
    EXPECT_EQ(*r, code);
  }
}

TEST(ValidateResidenceDivisionTest, RejectsWithStableCodes) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "division.format"},           {"31010", "division.format"},
      {"3101011", "division.format"},    {"31010a", "division.format"},
      {" 310101", "division.format"},    {"３１０１０１", "division.format"},  // full-width digits
      {"990101", "division.unknown"},    {"110103", "division.unknown"},  // retired: valid in an ID, not for an address
      {"310103", "division.unknown"},                                     // retired 卢湾区
      {"310000", "division.not_county"},                                  // province (municipality)
      {"310100", "division.not_county"}, {"440300", "division.not_county"},  // a city is not precise enough
  };
  for (const auto& [code, error_code] : cases) {
    Result<std::string> r = ValidateResidenceDivision(code);
    ASSERT_FALSE(r.ok()) << code;
    EXPECT_EQ(r.error().code, error_code) << code;
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalidArgument);
    EXPECT_EQ(r.error().field, "");
    EXPECT_FALSE(r.error().message_en.empty());
    EXPECT_FALSE(r.error().message_zh.empty());
  }
}

TEST(ValidateResidenceDivisionTest, RetiredMessageNamesTheDivision) {
  Result<std::string> r = ValidateResidenceDivision("110103");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message_zh.find("崇文区"), std::string::npos);
  EXPECT_NE(r.error().message_en.find("no longer in use"), std::string::npos);
}

}  // namespace
}  // namespace epermit::domain
