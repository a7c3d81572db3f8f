// The department record codec: the kinds of the accumulation ledger, the optional members
// added to social_insurance and employment, and that older records keep their canonical text.
#include "domain/record_codec.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "domain/citizen_id.hpp"

namespace epermit::domain {
namespace {

using nlohmann::json;

const Date kToday = MakeDate(2026, 11, 15);
constexpr char kId[] = "11010519491231002X";
constexpr char kSpouse[] = "110105195103150024";

json Base(const char* kind) { return {{"kind", kind}, {"citizen_id", kId}, {"source", "test"}}; }

json With(json base, const json& members) {
  for (const auto& [k, v] : members.items()) base[k] = v;
  return base;
}

void ExpectError(const json& rec, const std::string& code, const std::string& field) {
  auto r = ParseRecord(rec, kToday);
  ASSERT_FALSE(r.ok()) << rec.dump();
  EXPECT_EQ(r.error().code, code) << rec.dump() << " " << r.error().message_en;
  EXPECT_EQ(r.error().field, field) << rec.dump();
  EXPECT_FALSE(r.error().message_en.empty());
  EXPECT_FALSE(r.error().message_zh.empty());
}

// Parses, checks the canonical text parses back to the same canonical text.
AnyRecord RoundTrip(const json& rec) {
  auto r = ParseRecord(rec, kToday);
  EXPECT_TRUE(r.ok()) << rec.dump() << ": " << (r.ok() ? "" : r.error().message_en);
  if (!r.ok()) return PersonRecord{};
  const json canonical = RecordToJson(*r);
  auto again = ParseRecord(canonical, kToday);
  EXPECT_TRUE(again.ok()) << canonical.dump();
  if (again.ok()) {
    EXPECT_EQ(RecordToJson(*again).dump(), canonical.dump());
  }
  return *r;
}

const json kSi = With(Base("social_insurance"), {{"city", "310000"},
                                                 {"scheme", "employee"},
                                                 {"risk", "pension"},
                                                 {"from", "2026-01"},
                                                 {"to", "2026-10"},
                                                 {"back_payment", false}});

TEST(RecordCodecTest, OlderRecordsKeepTheirCanonicalText) {
  // What a social_insurance or employment record looked like before the optional members: the
  // canonical text must not change, or a resend would not be recognised as one.
  EXPECT_EQ(RecordToJson(RoundTrip(kSi)).dump(),
            R"({"back_payment":false,"citizen_id":"11010519491231002X","city":"310000","from":"2026-01",)"
            R"("kind":"social_insurance","risk":"pension","scheme":"employee","source":"test","to":"2026-10"})");
  json emp = With(Base("employment"), {{"city", "310000"},
                                       {"employer_uscc", "91310115MA1K3BTP2B"},
                                       {"employer_name", "测试"},
                                       {"from", "2025-01-01"},
                                       {"to", nullptr}});
  EXPECT_FALSE(RecordToJson(RoundTrip(emp)).contains("post_type"));
}

TEST(RecordCodecTest, SocialInsuranceDistrictAndBaseRatio) {
  auto rec = RoundTrip(With(kSi, {{"division_code", "310104"}, {"base_ratio_pct", 300}}));
  const auto& si = std::get<SocialInsuranceRecord>(rec);
  EXPECT_EQ(si.division_code, "310104");
  EXPECT_EQ(si.base_ratio_pct, 300);
  ExpectError(With(kSi, {{"division_code", "440305"}}), "division.unknown", "division_code");  // other city
  ExpectError(With(kSi, {{"division_code", "310000"}}), "division.unknown", "division_code");  // not a county
  ExpectError(With(kSi, {{"base_ratio_pct", 0}}), "field.range", "base_ratio_pct");
  ExpectError(With(kSi, {{"base_ratio_pct", 1001}}), "field.range", "base_ratio_pct");
  ExpectError(With(kSi, {{"base_ratio_pct", 60.5}}), "field.type", "base_ratio_pct");
  ExpectError(With(kSi, {{"base_ratio_pct", "60"}}), "field.type", "base_ratio_pct");
  ExpectError(With(kSi, {{"to", "2026-12"}}), "field.future_date", "to");
}

TEST(RecordCodecTest, EmploymentPostType) {
  json emp = With(Base("employment"), {{"city", "310000"},
                                       {"employer_uscc", "91310115MA1K3BTP2B"},
                                       {"employer_name", "测试"},
                                       {"from", "2025-01-01"},
                                       {"to", nullptr},
                                       {"post_type", "cadre"}});
  EXPECT_EQ(std::get<EmploymentRecord>(RoundTrip(emp)).post_type, PostType::kCadre);
  ExpectError(With(emp, {{"post_type", "boss"}}), "field.enum", "post_type");
  ExpectError(With(emp, {{"to", "2027-01-01"}}), "field.future_date", "to");  // an end date in the future
}

TEST(RecordCodecTest, HousingFund) {
  json hf = With(Base("housing_fund"), {{"city", "310000"}, {"from", "2025-03"}, {"to", "2026-11"}});
  auto rec = std::get<HousingFundRecord>(RoundTrip(hf));
  EXPECT_EQ(rec.from_month, *ParseIsoMonth("2025-03"));
  EXPECT_FALSE(rec.back_payment);
  EXPECT_FALSE(rec.transferred_in);
  EXPECT_TRUE(std::get<HousingFundRecord>(RoundTrip(With(hf, {{"transferred_in", true}}))).transferred_in);
  ExpectError(With(hf, {{"to", "2026-12"}}), "field.future_date", "to");
  ExpectError(With(hf, {{"from", "2027-01"}}), "field.future_date", "from");
  ExpectError(With(hf, {{"to", "2025-01"}}), "field.period", "to");
  ExpectError(With(hf, {{"back_payment", "yes"}}), "field.type", "back_payment");
  ExpectError(With(hf, {{"city", "310104"}}), "division.unknown", "city");
}

TEST(RecordCodecTest, IncomeTax) {
  json tax = With(Base("income_tax"), {{"city", "310000"}, {"year", 2025}, {"yuan", 18600}});
  auto rec = std::get<IncomeTaxRecord>(RoundTrip(tax));
  EXPECT_EQ(rec.year, 2025);
  EXPECT_EQ(rec.yuan, 18600);
  RoundTrip(With(tax, {{"year", 2026}, {"yuan", 0}}));  // this year so far; nothing paid
  ExpectError(With(tax, {{"year", 2027}}), "field.future_date", "year");
  ExpectError(With(tax, {{"year", 1979}}), "field.range", "year");
  ExpectError(With(tax, {{"year", "2025"}}), "field.type", "year");
  ExpectError(With(tax, {{"yuan", -1}}), "field.range", "yuan");
  ExpectError(With(tax, {{"yuan", 10.5}}), "field.type", "yuan");
  ExpectError(With(tax, {{"yuan", 18446744073709551615ULL}}), "field.range", "yuan");
  ExpectError(With(Base("income_tax"), {{"city", "310000"}, {"year", 2025}}), "field.missing", "yuan");
}

TEST(RecordCodecTest, Education) {
  json edu = With(Base("education"), {{"level", "bachelor"}, {"degree", true}, {"completed_on", "2012-07-01"}});
  auto rec = std::get<EducationRecord>(RoundTrip(edu));
  EXPECT_EQ(rec.level, EducationLevel::kBachelor);
  EXPECT_TRUE(rec.diploma);
  EXPECT_TRUE(rec.full_time);
  EXPECT_FALSE(rec.shortage_major);
  ExpectError(With(edu, {{"level", "none"}}), "field.enum", "level");
  ExpectError(With(edu, {{"level", "kindergarten"}}), "field.enum", "level");
  json no_degree = edu;
  no_degree.erase("degree");
  ExpectError(no_degree, "field.missing", "degree");
  ExpectError(With(edu, {{"diploma", false}, {"degree", false}}), "education.empty", "degree");
  ExpectError(With(edu, {{"completed_on", "2026-11-16"}}), "field.future_date", "completed_on");
}

TEST(RecordCodecTest, Qualification) {
  json q =
      With(Base("qualification"), {{"type", "skill"}, {"level", 1}, {"obtained_on", "2020-05-01"}, {"city", "440300"}});
  auto rec = std::get<QualificationRecord>(RoundTrip(q));
  EXPECT_EQ(rec.kind, QualificationKind::kSkill);
  EXPECT_EQ(rec.level, 1);
  RoundTrip(With(q, {{"level", 5}}));
  ExpectError(With(q, {{"level", 6}}), "field.range", "level");
  ExpectError(With(q, {{"level", 0}}), "field.range", "level");
  RoundTrip(With(q, {{"type", "title"}, {"level", 3}}));
  ExpectError(With(q, {{"type", "title"}, {"level", 4}}), "field.range", "level");
  ExpectError(With(q, {{"type", "licence"}}), "field.enum", "type");
  ExpectError(With(q, {{"obtained_on", "2030-01-01"}}), "field.future_date", "obtained_on");
}

TEST(RecordCodecTest, Honour) {
  json h = With(Base("honour"),
                {{"level", "national_model_worker"}, {"title", "全国劳动模范"}, {"awarded_on", "2020-04-30"}});
  EXPECT_EQ(std::get<HonourRecord>(RoundTrip(h)).level, "national_model_worker");
  ExpectError(With(h, {{"level", "National"}}), "field.format", "level");
  ExpectError(With(h, {{"level", "a b"}}), "field.format", "level");
  ExpectError(With(h, {{"level", std::string(41, 'a')}}), "field.too_long", "level");
  ExpectError(With(h, {{"title", ""}}), "field.empty", "title");
  ExpectError(With(h, {{"awarded_on", "2026-11-16"}}), "field.future_date", "awarded_on");
}

TEST(RecordCodecTest, Violation) {
  json v = With(Base("violation"), {{"type", "serious_crime"}, {"city", "310000"}, {"on", "2019-01-01"}});
  EXPECT_EQ(std::get<ViolationRecord>(RoundTrip(v)).kind, ViolationKind::kSeriousCrime);
  ExpectError(With(v, {{"type", "parking"}}), "field.enum", "type");
  ExpectError(With(v, {{"on", "2026-11-16"}}), "field.future_date", "on");
}

TEST(RecordCodecTest, Family) {
  json f = With(Base("family"), {{"relation", "spouse"},
                                 {"member_citizen_id", kSpouse},
                                 {"since", "1975-05-01"},
                                 {"hukou_division_code", "110103"}});  // retired 崇文区: still a hukou code
  auto rec = std::get<FamilyRecord>(RoundTrip(f));
  EXPECT_EQ(rec.relation, FamilyRelation::kSpouse);
  EXPECT_EQ(rec.member_citizen_id, kSpouse);
  ExpectError(With(f, {{"member_citizen_id", kId}}), "family.self", "member_citizen_id");
  ExpectError(With(f, {{"member_citizen_id", "110105195103150025"}}), "citizen_id.checksum", "member_citizen_id");
  ExpectError(With(f, {{"since", "1950-01-01"}}), "field.period", "since");  // before the spouse was born
  ExpectError(With(f, {{"hukou_division_code", "999999"}}), "division.unknown", "hukou_division_code");
  ExpectError(With(f, {{"relation", "cousin"}}), "field.enum", "relation");
  // A child: `since` is the birth date in the child's number.
  const std::string child = "110105201503150021";
  ASSERT_TRUE(ParseCitizenId(child, kToday).ok());
  RoundTrip(With(f, {{"relation", "child"}, {"member_citizen_id", child}, {"since", "2015-03-15"}}));
  ExpectError(With(f, {{"relation", "child"}, {"member_citizen_id", child}, {"since", "2015-03-16"}}),
              "family.birth_date", "since");
  // A child whose age makes no sense: born before the parent (born 1949-12-31) was 12.
  ExpectError(With(f, {{"relation", "child"}, {"member_citizen_id", "110105195503150023"}, {"since", "1955-03-15"}}),
              "family.child_age", "member_citizen_id");
  ExpectError(With(f, {{"relation", "child"}, {"member_citizen_id", "110105196112300025"}, {"since", "1961-12-30"}}),
              "family.child_age", "member_citizen_id");
  RoundTrip(With(f, {{"relation", "child"}, {"member_citizen_id", "110105196112310020"}, {"since", "1961-12-31"}}));
}

TEST(RecordCodecTest, BundleTakesEveryKind) {
  RecordBundle bundle;
  const json records[] = {
      With(Base("housing_fund"), {{"city", "310000"}, {"from", "2025-03"}, {"to", "2026-11"}}),
      With(Base("income_tax"), {{"city", "310000"}, {"year", 2025}, {"yuan", 1}}),
      With(Base("education"), {{"level", "doctor"}, {"degree", true}, {"completed_on", "2012-07-01"}}),
      With(Base("qualification"), {{"type", "title"}, {"level", 2}, {"obtained_on", "2020-05-01"}, {"city", "310000"}}),
      With(Base("honour"), {{"level", "provincial"}, {"title", "x"}, {"awarded_on", "2020-04-30"}}),
      With(Base("violation"), {{"type", "detention"}, {"city", "310000"}, {"on", "2019-01-01"}}),
      With(Base("family"), {{"relation", "spouse"},
                            {"member_citizen_id", kSpouse},
                            {"since", "1975-05-01"},
                            {"hukou_division_code", "110105"}}),
  };
  int64_t id = 1;
  for (const json& r : records) ASSERT_TRUE(AddToBundle(bundle, id++, RecordToJson(*ParseRecord(r, kToday))).ok());
  EXPECT_EQ(bundle.housing_fund.at(0).h.id, 1);
  EXPECT_EQ(bundle.income_tax.at(0).h.id, 2);
  EXPECT_EQ(bundle.education.at(0).h.id, 3);
  EXPECT_EQ(bundle.qualifications.at(0).h.id, 4);
  EXPECT_EQ(bundle.honours.at(0).h.id, 5);
  EXPECT_EQ(bundle.violations.at(0).h.id, 6);
  EXPECT_EQ(bundle.family.at(0).h.id, 7);
}

TEST(RecordCodecTest, EveryExampleInTheDocsIsValid) {
  const std::filesystem::path doc =
      std::filesystem::path(EPERMIT_SOURCE_POLICIES_DIR).parent_path() / "docs" / "RECORDS.md";
  std::ifstream in(doc);
  ASSERT_TRUE(in.good()) << doc;
  std::string line;
  int examples = 0;
  while (std::getline(in, line)) {
    if (line.rfind("{\"kind\"", 0) != 0) continue;
    ++examples;
    auto r = ParseRecord(json::parse(line), kToday);
    EXPECT_TRUE(r.ok()) << line << ": " << (r.ok() ? "" : r.error().message_en);
  }
  EXPECT_GE(examples, 9);
}

}  // namespace
}  // namespace epermit::domain
