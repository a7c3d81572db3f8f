// The points calculator's profile (policy/profile.hpp, docs/points-profile.schema.json):
// how aggregates become ledger facts (each quantity counts back the number given), every
// validation error with the path it names, the published schema and examples against the
// parser, and the same total from a profile as from the equivalent hand-built ledger.
#include "policy/profile.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "policy/points.hpp"
#include "support/ledger_builder.hpp"
#include "support/test_support.hpp"

namespace epermit::policy {
namespace {

using testing_ledger::D;
using testing_ledger::L;
using testing_ledger::M;

using domain::InsuranceRisk;
using domain::InsuranceScheme;
using domain::PermitState;
using domain::Tenure;
using nlohmann::json;

constexpr char kBj[] = "110000";
constexpr char kSh[] = "310000";

std::filesystem::path DocsDir() { return std::filesystem::path(testing::SourcePoliciesDir()).parent_path() / "docs"; }

json ReadJson(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str(), nullptr, false);
}

class ProfileTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto set = LoadPolicyDir(testing::SourcePoliciesDir());
    ASSERT_TRUE(set.ok()) << set.error().message_en;
    set_ = new PolicySet(std::move(*set));
  }
  static void TearDownTestSuite() {
    delete set_;
    set_ = nullptr;
  }

  // One quantity counted from `l` in `city` as of `as_of`, without recognition.
  static int64_t Count(const QuantitySpec& spec, const Ledger& l, const std::string& city, Date as_of,
                       std::vector<UsedFact>* facts = nullptr) {
    CountContext ctx;
    ctx.city = city;
    ctx.as_of = as_of;
    ctx.age_as_of = as_of;
    CountedValue v = policy::Count(spec, l, ctx, {}, facts != nullptr);
    if (facts != nullptr) *facts = v.facts;
    return v.value;
  }

  static PolicySet* set_;
};

PolicySet* ProfileTest::set_ = nullptr;

QuantitySpec Q(const std::string& name, const std::function<void(QuantitySpec&)>& with = nullptr) {
  QuantitySpec s;
  s.name = name;
  if (with) with(s);
  return s;
}

// ---- conversion ----

TEST_F(ProfileTest, EveryAggregateCountsBackAsTheNumberGiven) {
  // Beijing on 2026-04-01 counts to 2025-12-31: every period ends in 2025-12.
  const json profile = json::parse(R"({
    "birth_date": "1986-03-12", "sex": "female", "post_type": "cadre",
    "holds_permit": true, "permit_months": 100,
    "residence": {"months": 30, "district": "110112"},
    "social_insurance": {
      "employee": {"months": 87, "continuous_months": 80, "back_payment_months": 2,
                   "base_ratio_pct": 150, "months_at_base": 10},
      "flexible": {"months": 12, "risks": ["pension", "medical"]}
    },
    "work_district": "110114",
    "homes": {"own": {"months": 40, "district": "110114"}, "rented": {"months": 60, "district": "110105"}},
    "housing_fund_months": 50,
    "study_overlap_months": 24,
    "education": {"level": "master", "degree": true, "completed_on": "2019-07-01", "full_time": false},
    "qualifications": [{"type": "title", "level": 2}, {"type": "skill", "level": 3, "in_city": false}],
    "tax_yuan_by_year": {"2025": 135000, "2024": 120000, "2023": 96000},
    "honours": ["capital_moral_model"],
    "violations": [{"type": "detention", "on": "2016-05-04"}, {"type": "crime", "on": "2010-01-01", "in_city": false}],
    "spouse": {"hukou_city": "310000", "married_on": "2015-06-01"}
  })");
  const Date as_of = D(2025, 12, 31);
  auto ledger = LedgerFromProfile(profile, kBj, D(2026, 4, 1), as_of);
  ASSERT_TRUE(ledger.ok()) << ledger.error().field << ": " << ledger.error().message_en;
  const Ledger& l = *ledger;
  EXPECT_EQ(l.birth_date, D(1986, 3, 12));
  EXPECT_EQ(l.sex, domain::Sex::kFemale);
  EXPECT_EQ(l.post_type, PostType::kCadre);

  auto employee = [](QuantitySpec& s) { s.schemes = {InsuranceScheme::kEmployee}; };
  auto pension = [](QuantitySpec& s) {
    s.schemes = {InsuranceScheme::kEmployee};
    s.risks = {InsuranceRisk::kPension};
  };
  EXPECT_EQ(Count(Q("si_months", employee), l, kBj, as_of), 85);  // back payments excluded
  EXPECT_EQ(Count(Q("si_months",
                    [](QuantitySpec& s) {
                      s.schemes = {InsuranceScheme::kEmployee};
                      s.exclude_back_payments = false;
                    }),
                  l, kBj, as_of),
            87);
  EXPECT_EQ(Count(Q("si_continuous_months", pension), l, kBj, as_of), 80);
  EXPECT_EQ(Count(Q("si_back_payment_months",
                    [](QuantitySpec& s) {
                      s.schemes = {InsuranceScheme::kEmployee};
                      s.within_months = 84;  // 北京: inside the seven years
                    }),
                  l, kBj, as_of),
            2);
  EXPECT_EQ(Count(Q("si_months",
                    [](QuantitySpec& s) {
                      s.schemes = {InsuranceScheme::kEmployee};
                      s.min_base_ratio_pct = 150;
                    }),
                  l, kBj, as_of),
            10);
  // The flexible scheme has only the risks listed.
  EXPECT_EQ(Count(Q("si_months",
                    [](QuantitySpec& s) {
                      s.schemes = {InsuranceScheme::kFlexible};
                      s.risks = {InsuranceRisk::kMedical};
                    }),
                  l, kBj, as_of),
            12);
  EXPECT_EQ(Count(Q("si_months",
                    [](QuantitySpec& s) {
                      s.schemes = {InsuranceScheme::kFlexible};
                      s.risks = {InsuranceRisk::kMaternity};
                    }),
                  l, kBj, as_of),
            0);
  // Work district: all of it in 110114.
  EXPECT_EQ(Count(Q("si_months",
                    [](QuantitySpec& s) {
                      s.schemes = {InsuranceScheme::kEmployee};
                      s.districts_in = {"110114"};
                    }),
                  l, kBj, as_of),
            85);
  // Homes: own (40) up to 2025-12, rented (60) before it.
  EXPECT_EQ(Count(Q("home_months", [](QuantitySpec& s) { s.tenures = {Tenure::kOwn}; }), l, kBj, as_of), 40);
  EXPECT_EQ(Count(Q("home_months", [](QuantitySpec& s) { s.tenures = {Tenure::kRented}; }), l, kBj, as_of), 60);
  EXPECT_EQ(Count(Q("home_months"), l, kBj, as_of), 100);
  EXPECT_EQ(Count(Q("home_months", [](QuantitySpec& s) { s.districts_in = {"110105"}; }), l, kBj, as_of), 60);
  ASSERT_EQ(l.homes.size(), 2u);
  EXPECT_EQ(l.homes[0].period.from, M("2022-09"));
  EXPECT_EQ(l.homes[0].period.to, M("2025-12"));
  EXPECT_EQ(l.homes[1].period.from, M("2017-09"));
  EXPECT_EQ(l.homes[1].period.to, M("2022-08"));
  // Study: the latest 24 paid months, overlapping work (and the own home).
  EXPECT_EQ(Count(Q("study_overlap_months"), l, kBj, as_of), 24);
  EXPECT_EQ(Count(Q("home_months",
                    [](QuantitySpec& s) {
                      s.tenures = {Tenure::kOwn};
                      s.exclude_study = true;
                    }),
                  l, kBj, as_of),
            16);
  EXPECT_EQ(Count(Q("holds_permit"), l, kBj, as_of), 1);
  EXPECT_EQ(Count(Q("permit_months"), l, kBj, as_of), 100);
  EXPECT_EQ(Count(Q("residence_months"), l, kBj, as_of), 30);
  EXPECT_EQ(Count(Q("residence_months", [](QuantitySpec& s) { s.districts_not_in = {"110112"}; }), l, kBj, as_of), 0);
  EXPECT_EQ(Count(Q("housing_fund_months"), l, kBj, as_of), 50);
  EXPECT_EQ(Count(Q("tax_years",
                    [](QuantitySpec& s) {
                      s.min_yuan = 100000;
                      s.last_years = 3;
                      s.consecutive = true;
                    }),
                  l, kBj, as_of),
            2);
  EXPECT_EQ(Count(Q("violations"), l, kBj, as_of), 1);  // the crime was elsewhere
  EXPECT_EQ(Count(Q("violations", [](QuantitySpec& s) { s.in_city_only = false; }), l, kBj, as_of), 2);
  EXPECT_EQ(Count(Q("spouse_hukou_months"), l, kSh, as_of), 126);  // 2015-06-01 .. 2025-12-31
  EXPECT_EQ(Count(Q("spouse_hukou_months"), l, kBj, as_of), 0);
  EXPECT_EQ(Count(Q("below_retirement_age"), l, kBj, as_of), 1);
  ASSERT_EQ(l.education.size(), 1u);
  EXPECT_EQ(l.education[0].level, EducationLevel::kMaster);
  EXPECT_TRUE(l.education[0].diploma);
  EXPECT_TRUE(l.education[0].degree);
  EXPECT_FALSE(l.education[0].full_time);
  ASSERT_EQ(l.qualifications.size(), 2u);
  EXPECT_EQ(l.qualifications[0].city, kBj);
  EXPECT_EQ(l.qualifications[1].city, "");
  ASSERT_TRUE(l.spouse.has_value());
  EXPECT_EQ(l.spouse->hukou_city, kSh);

  // Explanations name the profile, with the months and the month they end.
  std::vector<UsedFact> facts;
  Count(Q("si_months",
          [](QuantitySpec& s) {
            s.schemes = {InsuranceScheme::kEmployee};
            s.risks = {InsuranceRisk::kPension};
            s.exclude_back_payments = false;
          }),
        l, kBj, as_of, &facts);
  ASSERT_FALSE(facts.empty());
  std::set<std::string> whats;
  for (const UsedFact& f : facts) {
    EXPECT_EQ(f.ref, "profile");
    whats.insert(f.what);
  }
  EXPECT_EQ(whats.count("employee pension 10 months to 2025-12 in 110114"), 1u) << ::testing::PrintToString(whats);
  EXPECT_EQ(whats.count("employee pension 2 months to 2019-02 (back payment) in 110114"), 1u)
      << ::testing::PrintToString(whats);
  Count(Q("holds_permit"), l, kBj, as_of, &facts);
  ASSERT_EQ(facts.size(), 1u);
  EXPECT_EQ(facts[0].ref, "profile");
  EXPECT_EQ(facts[0].what, "active permit, 100 months to 2025-12");
}

TEST_F(ProfileTest, ContinuityAndBackPaymentsAreLaidOutAsDocumented) {
  const json profile = {{"birth_date", "1990-01-01"},
                        {"sex", "male"},
                        {"social_insurance",
                         {{"employee",
                           {{"months", 87},
                            {"continuous_months", 80},
                            {"back_payment_months", 2},
                            {"risks", json::array({"pension"})}}}}}};
  auto l = LedgerFromProfile(profile, kBj, D(2026, 4, 1), D(2025, 12, 31));
  ASSERT_TRUE(l.ok()) << l.error().message_en;
  // Run 2019-05..2025-12 (80); gap 2019-04; earlier 2018-09..2019-03 (7); back payments are
  // the earliest months of the last 84 (from 2019-01): 2019-01 and 2019-02.
  std::vector<std::tuple<std::string, std::string, bool>> got;
  for (const SocialInsuranceFact& f : l->social_insurance) {
    got.emplace_back(FormatIsoMonth(f.period.from), FormatIsoMonth(f.period.to), f.back_payment);
    EXPECT_EQ(f.record_id, 0);
    EXPECT_EQ(f.risk, InsuranceRisk::kPension);
  }
  const std::vector<std::tuple<std::string, std::string, bool>> want = {{"2018-09", "2018-12", false},
                                                                        {"2019-01", "2019-02", true},
                                                                        {"2019-03", "2019-03", false},
                                                                        {"2019-05", "2025-12", false}};
  EXPECT_EQ(got, want);
}

TEST_F(ProfileTest, NothingGivenMeansNothingCounted) {
  auto l = LedgerFromProfile({{"birth_date", "1990-01-01"}, {"sex", "male"}, {"post_type", nullptr}}, kSh,
                             D(2026, 4, 1), D(2026, 4, 1));
  ASSERT_TRUE(l.ok()) << l.error().message_en;
  EXPECT_TRUE(l->permits.empty());
  EXPECT_TRUE(l->social_insurance.empty());
  EXPECT_TRUE(l->homes.empty());
  EXPECT_TRUE(l->education.empty());
  EXPECT_FALSE(l->spouse.has_value());
  EXPECT_EQ(l->post_type, PostType::kWorker);
  // holds_permit alone: one month.
  auto held = LedgerFromProfile({{"birth_date", "1990-01-01"}, {"sex", "male"}, {"holds_permit", true}}, kSh,
                                D(2026, 4, 1), D(2026, 4, 1));
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(Count(Q("permit_months"), *held, kSh, D(2026, 4, 1)), 1);
  EXPECT_EQ(Count(Q("holds_permit"), *held, kSh, D(2026, 4, 1)), 1);
}

// ---- validation ----

TEST_F(ProfileTest, EveryBadFieldIsRefusedNamingItsPath) {
  const json base = json::parse(R"({
    "birth_date": "1986-03-12", "sex": "male",
    "holds_permit": true, "permit_months": 20,
    "social_insurance": {"employee": {"months": 87}},
    "homes": {"own": {"months": 40, "district": "110114"}},
    "education": {"level": "bachelor"},
    "qualifications": [{"type": "title", "level": 2}],
    "tax_yuan_by_year": {"2023": 96000},
    "honours": ["capital_moral_model"],
    "violations": [{"type": "detention", "on": "2016-05-04"}],
    "spouse": {"hukou_city": "110000", "married_on": "2015-06-01"},
    "other_cities": [{"city": "320100", "residence_months": 12}]
  })");
  ASSERT_TRUE(LedgerFromProfile(base, kBj, D(2026, 4, 1), D(2025, 12, 31)).ok());

  struct Case {
    std::string field;
    std::function<void(json&)> change;
  };
  const std::vector<Case> cases = {
      {"", [](json& p) { p = json::array(); }},
      {"foo", [](json& p) { p["foo"] = 1; }},
      {"birth_date", [](json& p) { p.erase("birth_date"); }},
      {"birth_date", [](json& p) { p["birth_date"] = "1986-02-30"; }},
      {"birth_date", [](json& p) { p["birth_date"] = "19860312"; }},
      {"birth_date", [](json& p) { p["birth_date"] = "2010-04-02"; }},  // 15 on 2026-04-01
      {"birth_date", [](json& p) { p["birth_date"] = "1925-01-01"; }},  // 101
      {"birth_date", [](json& p) { p["birth_date"] = "2026-05-01"; }},  // after the date
      {"sex", [](json& p) { p["sex"] = "x"; }},
      {"sex", [](json& p) { p.erase("sex"); }},
      {"post_type", [](json& p) { p["post_type"] = "boss"; }},
      {"holds_permit", [](json& p) { p["holds_permit"] = "yes"; }},
      {"permit_months", [](json& p) { p["permit_months"] = 0; }},  // with holds_permit
      {"permit_months", [](json& p) { p["permit_months"] = 1201; }},
      {"residence.months",
       [](json& p) {
         p["residence"] = {{"district", "110105"}};
       }},
      {"residence.district",
       [](json& p) {
         p["residence"] = {{"months", 1}, {"district", "310105"}};
       }},
      {"social_insurance", [](json& p) { p["social_insurance"] = 87; }},
      {"social_insurance.civil_servant",
       [](json& p) {
         p["social_insurance"]["civil_servant"] = {{"months", 1}};
       }},
      {"social_insurance.employee.month", [](json& p) { p["social_insurance"]["employee"]["month"] = 1; }},
      {"social_insurance.employee.months", [](json& p) { p["social_insurance"]["employee"]["months"] = 1201; }},
      {"social_insurance.employee.months", [](json& p) { p["social_insurance"]["employee"]["months"] = -1; }},
      {"social_insurance.employee.months", [](json& p) { p["social_insurance"]["employee"]["months"] = 12.5; }},
      {"social_insurance.employee.months", [](json& p) { p["social_insurance"]["employee"]["months"] = "87"; }},
      {"social_insurance.employee.months", [](json& p) { p["social_insurance"]["employee"]["months"] = true; }},
      {"social_insurance.employee.months",
       [](json& p) { p["social_insurance"]["employee"]["months"] = 18446744073709551615ull; }},
      {"social_insurance.employee.months", [](json& p) { p["social_insurance"]["employee"].erase("months"); }},
      {"social_insurance.employee.continuous_months",
       [](json& p) { p["social_insurance"]["employee"]["continuous_months"] = 88; }},
      {"social_insurance.employee.back_payment_months",
       [](json& p) { p["social_insurance"]["employee"]["back_payment_months"] = 88; }},
      {"social_insurance.employee.base_ratio_pct",
       [](json& p) { p["social_insurance"]["employee"]["base_ratio_pct"] = 1001; }},
      {"social_insurance.employee.months_at_base",
       [](json& p) { p["social_insurance"]["employee"]["months_at_base"] = 10; }},  // no base_ratio_pct
      {"social_insurance.employee.months_at_base",
       [](json& p) {
         p["social_insurance"]["employee"]["base_ratio_pct"] = 150;
         p["social_insurance"]["employee"]["back_payment_months"] = 2;
         p["social_insurance"]["employee"]["months_at_base"] = 86;  // only 85 paid on time
       }},
      {"social_insurance.employee.risks", [](json& p) { p["social_insurance"]["employee"]["risks"] = json::array(); }},
      {"social_insurance.employee.risks[1]",
       [](json& p) {
         p["social_insurance"]["employee"]["risks"] = json::array({"pension", "pension"});
       }},
      {"social_insurance.employee.risks[0]",
       [](json& p) { p["social_insurance"]["employee"]["risks"] = json::array({"lottery"}); }},
      {"work_district", [](json& p) { p["work_district"] = "110000"; }},  // the city, not a district
      {"work_district", [](json& p) { p["work_district"] = "110103"; }},  // 崇文区, retired
      {"work_district", [](json& p) { p["work_district"] = "11010"; }},
      {"homes.own.district", [](json& p) { p["homes"]["own"]["district"] = "310115"; }},  // Shanghai's
      {"homes.own.months", [](json& p) { p["homes"]["own"]["months"] = 1300; }},
      {"homes.tent",
       [](json& p) {
         p["homes"]["tent"] = {{"months", 1}};
       }},
      {"homes.rented.months", [](json& p) { p["homes"]["rented"] = json::object(); }},
      {"housing_fund_months", [](json& p) { p["housing_fund_months"] = 2000; }},
      {"study_overlap_months", [](json& p) { p["study_overlap_months"] = 88; }},  // more than the 87 paid
      {"education.level", [](json& p) { p["education"]["level"] = "phd"; }},
      {"education.level", [](json& p) { p["education"].erase("level"); }},
      {"education.diploma",
       [](json& p) {
         p["education"]["diploma"] = false;
         p["education"]["degree"] = false;
       }},
      {"education.completed_on", [](json& p) { p["education"]["completed_on"] = "2026-04-02"; }},
      {"education.school", [](json& p) { p["education"]["school"] = "北大"; }},
      {"qualifications",
       [](json& p) {
         p["qualifications"] = {{"type", "title"}};
       }},
      {"qualifications[0].level", [](json& p) { p["qualifications"][0]["level"] = 4; }},  // titles 1..3
      {"qualifications[1].level",
       [](json& p) {
         p["qualifications"].push_back({{"type", "skill"}, {"level", 6}});
       }},
      {"qualifications[0].type", [](json& p) { p["qualifications"][0]["type"] = "licence"; }},
      {"qualifications[0].obtained_on", [](json& p) { p["qualifications"][0]["obtained_on"] = "2030-01-01"; }},
      {"tax_yuan_by_year.2027", [](json& p) { p["tax_yuan_by_year"]["2027"] = 1; }},  // after 2026
      {"tax_yuan_by_year.2023", [](json& p) { p["tax_yuan_by_year"]["2023"] = -1; }},
      {"tax_yuan_by_year.23", [](json& p) { p["tax_yuan_by_year"]["23"] = 1; }},
      {"tax_yuan_by_year",
       [](json& p) {
         p["tax_yuan_by_year"] = {1, 2};
       }},
      {"honours[0]", [](json& p) { p["honours"][0] = "Model Worker"; }},
      {"honours[1]", [](json& p) { p["honours"].push_back(7); }},
      {"violations[0].type", [](json& p) { p["violations"][0]["type"] = "speeding"; }},
      {"violations[0].on", [](json& p) { p["violations"][0].erase("on"); }},
      {"violations[0].on", [](json& p) { p["violations"][0]["on"] = "2026-04-02"; }},
      {"spouse.hukou_city", [](json& p) { p["spouse"]["hukou_city"] = "110105"; }},  // a district
      {"spouse.married_on", [](json& p) { p["spouse"].erase("married_on"); }},
      {"other_cities[0].city", [](json& p) { p["other_cities"][0]["city"] = kBj; }},  // the city scored
      {"other_cities[1].city",
       [](json& p) {
         p["other_cities"].push_back({{"city", "320100"}});
       }},
      {"other_cities[0].social_insurance.employee.back_payment_months",
       [](json& p) {
         p["other_cities"][0]["social_insurance"] = {{"employee", {{"months", 3}, {"back_payment_months", 1}}}};
       }},
  };
  for (const Case& c : cases) {
    json profile = base;
    c.change(profile);
    SCOPED_TRACE(profile.dump());
    auto l = LedgerFromProfile(profile, kBj, D(2026, 4, 1), D(2025, 12, 31));
    ASSERT_FALSE(l.ok()) << "accepted; expected an error on " << c.field;
    EXPECT_EQ(l.error().code, "profile.invalid");
    EXPECT_EQ(l.error().kind, ErrorKind::kInvalidArgument);
    EXPECT_EQ(l.error().field, c.field) << l.error().message_en;
    EXPECT_FALSE(l.error().message_zh.empty());
  }
}

// ---- the published schema and examples ----

// Every object path of the schema ("" the root, "a.b", "list[]") → its property names.
void SchemaKeys(const json& root, const json& node, const std::string& path,
                std::map<std::string, std::vector<std::string>>& out) {
  if (node.contains("$ref")) {
    const std::string ref = node["$ref"];
    ASSERT_EQ(ref.rfind("#/$defs/", 0), 0u) << ref;
    SchemaKeys(root, root["$defs"][ref.substr(8)], path, out);
    return;
  }
  if (node.contains("properties")) {
    EXPECT_EQ(node.value("additionalProperties", true), false) << "'" << path << "' must refuse unknown keys";
    std::vector<std::string> keys;
    for (const auto& [key, sub] : node["properties"].items()) {
      keys.push_back(key);
      SchemaKeys(root, sub, path.empty() ? key : path + "." + key, out);
    }
    out[path] = keys;
  }
  if (node.contains("items")) SchemaKeys(root, node["items"], path + "[]", out);
}

TEST_F(ProfileTest, SchemaAndParserAcceptTheSameKeys) {
  const json schema = ReadJson(DocsDir() / "points-profile.schema.json");
  ASSERT_TRUE(schema.is_object()) << "docs/points-profile.schema.json is not JSON";
  EXPECT_EQ(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
  std::map<std::string, std::vector<std::string>> from_schema;
  SchemaKeys(schema, schema, "", from_schema);
  std::map<std::string, std::vector<std::string>> from_parser = ProfileKeySets();
  for (auto* m : {&from_schema, &from_parser}) {
    for (auto& [path, keys] : *m) std::sort(keys.begin(), keys.end());
  }
  EXPECT_EQ(from_schema, from_parser);
  // The required keys of the root are the parser's too.
  std::vector<std::string> required = schema["required"];
  for (const std::string& key : required) {
    json profile = ReadJson(DocsDir() / "examples" / "points-profile-shanghai.json");
    profile.erase(key);
    auto l = LedgerFromProfile(profile, kSh, D(2026, 4, 1), D(2026, 4, 1));
    ASSERT_FALSE(l.ok()) << key;
    EXPECT_EQ(l.error().field, key);
  }
}

TEST_F(ProfileTest, ShippedExamplesParseAndScoreAsWorkedOut) {
  struct Example {
    const char* file;
    const char* city;
    const char* total;
    const char* arithmetic;
  };
  const Example examples[] = {
      {"points-profile-beijing.json", kBj, "73.83",
       "as of 2025-12-31; SI 110 − 2 back-paid = 108; with education: master+degree 26 + (108 − 24 study) × 3/12 = 21 "
       "+ own (40 − 24) × 1/12 + rented 60 × 0.5/12 = 2.5 → 305/6 beats 27 + 40/12 + 2.5; 职住 own and work in 110114 "
       "40 months → 3 × 3 = 9; tax run 2025, 2024 → 4; capital moral model 20; detention −30; age 38 on 2025-01-01 → "
       "20; total 305/6 + 9 + 4 + 20 − 30 + 20 = 443/6"},
      {"points-profile-shanghai.json", kSh, "232",
       "age 34 → 30; intermediate title 100 beats bachelor+degree 90; 72 months → 6 × 3 = 18; 40 months at 150% in "
       "the last 48 → 1× tier 50; rented home and work in 310117 66 months → 5 × 2 = 10; married 2019-10-01 → 78 "
       "months → 6 × 4 = 24; total 30 + 100 + 18 + 50 + 10 + 24 = 232"},
  };
  for (const Example& e : examples) {
    SCOPED_TRACE(std::string(e.file) + ": " + e.arithmetic);
    const json profile = ReadJson(DocsDir() / "examples" / e.file);
    ASSERT_TRUE(profile.is_object());
    auto report = ScoreProfile(*set_, profile, e.city, D(2026, 4, 1));
    ASSERT_TRUE(report.ok()) << report.error().field << ": " << report.error().message_en;
    EXPECT_TRUE(report->explanation.eligible);
    EXPECT_FALSE(report->explanation.vetoed);
    EXPECT_EQ(report->explanation.total.ToDisplay(), e.total);
  }
}

// ---- the same person by profile and by ledger ----

struct Twin {
  std::string name;
  L ledger;
  std::string profile;  // JSON
  std::string total;    // as displayed
  bool eligible = true;
};

void ExpectSameScore(const PolicySet& set, const std::string& city, Date date, const std::vector<Twin>& twins) {
  for (const Twin& t : twins) {
    SCOPED_TRACE(t.name);
    auto by_ledger = ScorePoints(set, t.ledger.l, city, date);
    ASSERT_TRUE(by_ledger.ok()) << by_ledger.error().message_en;
    const json profile = json::parse(t.profile, nullptr, false);
    ASSERT_TRUE(profile.is_object()) << t.profile;
    auto by_profile = ScoreProfile(set, profile, city, date);
    ASSERT_TRUE(by_profile.ok()) << by_profile.error().field << ": " << by_profile.error().message_en;
    const Explanation& a = by_ledger->explanation;
    const Explanation& b = by_profile->explanation;
    EXPECT_EQ(a.total.ToDisplay(), t.total) << "the hand-built ledger";
    EXPECT_EQ(b.total.units(), a.total.units())
        << "profile " << b.total.ToDisplay() << ", ledger " << a.total.ToDisplay();
    EXPECT_EQ(b.eligible, a.eligible);
    EXPECT_EQ(a.eligible, t.eligible);
    EXPECT_EQ(b.vetoed, a.vetoed);
    ASSERT_EQ(a.preconditions.size(), b.preconditions.size());
    for (size_t i = 0; i < a.preconditions.size(); ++i) {
      EXPECT_EQ(b.preconditions[i].met, a.preconditions[i].met) << a.preconditions[i].id;
    }
    ASSERT_EQ(a.indicators.size(), b.indicators.size());
    for (size_t i = 0; i < a.indicators.size(); ++i) {
      EXPECT_EQ(b.indicators[i].points.units(), a.indicators[i].points.units())
          << a.indicators[i].id << ": ledger " << a.indicators[i].arithmetic << "; profile "
          << b.indicators[i].arithmetic;
    }
  }
}

TEST_F(ProfileTest, BeijingTotalsEqualTheLedgerPath) {
  // Cases of points_table_test.cpp (scored on 2024-04-15: counts to 2023-12-31), each as the
  // aggregates an applicant would type into the official simulator.
  std::vector<Twin> twins;
  twins.push_back({"B01 official employment example",
                   L().Born(1978, 6, 15)
                       .Permit(kBj, D(2017, 3, 1))
                       .Insured(kBj, "2016-10", "2024-03", {.district = "110105"})
                       .Home(Tenure::kOwn, kBj, "110105", "2019-01", "2023-12"),
                   R"({"birth_date": "1978-06-15", "sex": "male", "holds_permit": true, "permit_months": 82,
                       "social_insurance": {"employee": {"months": 87}}, "work_district": "110105",
                       "homes": {"own": {"months": 60, "district": "110105"}}})",
                   "46.75"});
  twins.push_back({"B02 months before 1998-07 do not count; own home capped; tax run of 2",
                   L().Born(1972, 5, 10)
                       .Permit(kBj, D(2005, 1, 1))
                       .Insured(kBj, "1996-01", "2023-12")
                       .Home(Tenure::kOwn, kBj, "110108", "1990-01", "2023-12")
                       .Tax(kBj, 2021, 50000)
                       .Tax(kBj, 2022, 100000)
                       .Tax(kBj, 2023, 300000),
                   R"({"birth_date": "1972-05-10", "sex": "male", "holds_permit": true, "permit_months": 228,
                       "social_insurance": {"employee": {"months": 336}},
                       "homes": {"own": {"months": 408, "district": "110108"}},
                       "tax_yuan_by_year": {"2021": 50000, "2022": 100000, "2023": 300000}})",
                   "106"});
  twins.push_back({"B04 part-time bachelor: counting education wins",
                   L().Born(1990, 7, 1)
                       .Permit(kBj, D(2015, 3, 1))
                       .Insured(kBj, "2015-01", "2023-12", {.district = "110105"})
                       .Home(Tenure::kRented, kBj, "110105", "2015-01", "2023-12")
                       .Study(kBj, "2018-09", "2021-06")
                       .Edu(EducationLevel::kBachelor, true, true, D(2021, 7, 1)),
                   R"({"birth_date": "1990-07-01", "sex": "male", "holds_permit": true, "permit_months": 106,
                       "social_insurance": {"employee": {"months": 108}}, "work_district": "110105",
                       "homes": {"rented": {"months": 108, "district": "110105"}}, "study_overlap_months": 34,
                       "education": {"level": "bachelor", "degree": true, "completed_on": "2021-07-01"}})",
                   "56.58"});
  twins.push_back({"B07 职住 capped at 12; age 46",
                   L().Born(1976, 12, 31)
                       .Permit(kBj, D(2016, 6, 1))
                       .Insured(kBj, "2016-01", "2023-12", {.district = "110115"})
                       .Home(Tenure::kOwn, kBj, "110115", "2016-01", "2023-12"),
                   R"({"birth_date": "1976-12-31", "sex": "male", "holds_permit": true, "permit_months": 91,
                       "social_insurance": {"employee": {"months": 96}}, "work_district": "110115",
                       "homes": {"own": {"months": 96, "district": "110115"}}})",
                   "60"});
  twins.push_back({"B08 tax 3 years; honours and innovation highest only; rented home outside the centre",
                   L().Born(1977, 1, 2)
                       .Permit(kBj, D(2013, 5, 1))
                       .Insured(kBj, "2013-01", "2023-12", {.district = "110105"})
                       .Home(Tenure::kOwn, kBj, "110105", "2018-01", "2023-12")
                       .Home(Tenure::kRented, kBj, "110112", "2012-01", "2017-12")
                       .Tax(kBj, 2021, 120000)
                       .Tax(kBj, 2022, 100000)
                       .Tax(kBj, 2023, 150000)
                       .Honour("capital_moral_model", D(2019, 5, 1))
                       .Honour("national_model_worker", D(2020, 5, 1))
                       .Honour("innovation_national_second", D(2021, 5, 1))
                       .Honour("innovation_municipal_first", D(2022, 5, 1)),
                   R"({"birth_date": "1977-01-02", "sex": "male", "holds_permit": true, "permit_months": 128,
                       "social_insurance": {"employee": {"months": 132}}, "work_district": "110105",
                       "homes": {"own": {"months": 72, "district": "110105"},
                                 "rented": {"months": 72, "district": "110112"}},
                       "tax_yuan_by_year": {"2021": 120000, "2022": 100000, "2023": 150000},
                       "honours": ["capital_moral_model", "national_model_worker", "innovation_national_second",
                                   "innovation_municipal_first"]})",
                   "98.5"});
  twins.push_back({"B09 deductions; tax run broken in the latest year; age 48",
                   L().Born(1974, 6, 1)
                       .Permit(kBj, D(2014, 1, 1))
                       .Insured(kBj, "2014-01", "2023-12")
                       .Tax(kBj, 2021, 200000)
                       .Tax(kBj, 2022, 200000)
                       .Tax(kBj, 2023, 99999)
                       .Violation(ViolationKind::kTaxViolation, kBj, D(2019, 1, 1))
                       .Violation(ViolationKind::kTaxViolation, kBj, D(2018, 12, 31))
                       .Violation(ViolationKind::kTaxViolation, kBj, D(2024, 1, 10))
                       .Violation(ViolationKind::kDetention, kBj, D(2010, 5, 1))
                       .Violation(ViolationKind::kDetention, kSh, D(2022, 1, 1)),
                   R"({"birth_date": "1974-06-01", "sex": "male", "holds_permit": true, "permit_months": 120,
                       "social_insurance": {"employee": {"months": 120}},
                       "tax_yuan_by_year": {"2021": 200000, "2022": 200000, "2023": 99999},
                       "violations": [{"type": "tax_violation", "on": "2019-01-01"},
                                      {"type": "tax_violation", "on": "2018-12-31"},
                                      {"type": "tax_violation", "on": "2024-01-10"},
                                      {"type": "detention", "on": "2010-05-01"},
                                      {"type": "detention", "on": "2022-01-01", "in_city": false}]})",
                   "-4"});
  twins.push_back({"B10 five back-paid months keep the run; female cadre 49",
                   L().Born(1973, 3, 10)
                       .Female(PostType::kCadre)
                       .Permit(kBj, D(2016, 1, 1))
                       .Insured(kBj, "2016-01", "2019-06")
                       .Insured(kBj, "2019-07", "2019-11", {.back = true})
                       .Insured(kBj, "2019-12", "2023-12")
                       .Home(Tenure::kRented, kBj, "110105", "2016-01", "2023-12"),
                   R"({"birth_date": "1973-03-10", "sex": "female", "post_type": "cadre", "holds_permit": true,
                       "permit_months": 96, "social_insurance": {"employee": {"months": 96, "back_payment_months": 5}},
                       "homes": {"rented": {"months": 96, "district": "110105"}}})",
                   "30.54"});
  twins.push_back({"B11 six back-paid months: not eligible",
                   L().Born(1973, 3, 10)
                       .Female(PostType::kCadre)
                       .Permit(kBj, D(2016, 1, 1))
                       .Insured(kBj, "2016-01", "2019-06")
                       .Insured(kBj, "2019-07", "2019-12", {.back = true})
                       .Insured(kBj, "2020-01", "2023-12")
                       .Home(Tenure::kRented, kBj, "110105", "2016-01", "2023-12"),
                   R"({"birth_date": "1973-03-10", "sex": "female", "post_type": "cadre", "holds_permit": true,
                       "permit_months": 96, "social_insurance": {"employee": {"months": 96, "back_payment_months": 6}},
                       "homes": {"rented": {"months": 96, "district": "110105"}}})",
                   "30.25", /*eligible=*/false});
  twins.push_back({"B12 a one-month gap leaves a run of 83: not eligible; junior college",
                   L().Born(1990, 5, 5)
                       .Permit(kBj, D(2012, 1, 1))
                       .Insured(kBj, "2010-01", "2016-12")
                       .Insured(kBj, "2017-02", "2023-12")
                       .Edu(EducationLevel::kJuniorCollege, true, false, D(2009, 7, 1)),
                   R"({"birth_date": "1990-05-05", "sex": "male", "holds_permit": true, "permit_months": 144,
                       "social_insurance": {"employee": {"months": 167, "continuous_months": 83}},
                       "education": {"level": "junior_college", "completed_on": "2009-07-01"}})",
                   "72.25", /*eligible=*/false});
  ExpectSameScore(*set_, kBj, D(2024, 4, 15), twins);
}

TEST_F(ProfileTest, ShanghaiTotalsEqualTheLedgerPath) {
  // Scored on 2024-06-15 (as of that date).
  std::vector<Twin> twins;
  twins.push_back({"S01 bachelor with degree; suburban home, central work",
                   L().Born(1994, 1, 1)
                       .Permit(kSh, D(2020, 1, 1))
                       .Insured(kSh, "2017-07", "2024-06", {.district = "310115"})
                       .Home(Tenure::kRented, kSh, "310120", "2017-07", "2024-06")
                       .Edu(EducationLevel::kBachelor, true, true, D(2016, 7, 1)),
                   R"({"birth_date": "1994-01-01", "sex": "male", "holds_permit": true, "permit_months": 54,
                       "social_insurance": {"employee": {"months": 84}}, "work_district": "310115",
                       "homes": {"rented": {"months": 84, "district": "310120"}},
                       "education": {"level": "bachelor", "degree": true, "completed_on": "2016-07-01"}})",
                   "141"});
  twins.push_back({"S02 36 months at 0.85 of the average wage → 25; master ties with intermediate title",
                   L().Born(1985, 6, 16)
                       .Permit(kSh, D(2020, 1, 1))
                       .Insured(kSh, "2018-01", "2021-06", {.base_pct = 50})
                       .Insured(kSh, "2021-07", "2024-06", {.base_pct = 85})
                       .Edu(EducationLevel::kMaster, true, true, D(2010, 7, 1))
                       .Qual(QualificationKind::kTitle, 2, kSh, D(2019, 1, 1)),
                   R"({"birth_date": "1985-06-16", "sex": "male", "holds_permit": true, "permit_months": 54,
                       "social_insurance": {"employee": {"months": 78, "base_ratio_pct": 85, "months_at_base": 36}},
                       "education": {"level": "master", "degree": true, "completed_on": "2010-07-01"},
                       "qualifications": [{"type": "title", "level": 2, "obtained_on": "2019-01-01"}]})",
                   "173"});
  twins.push_back({"S05 24 months at 3× in the last 3 years → 120; age 50",
                   L().Born(1974, 1, 1)
                       .Permit(kSh, D(2020, 1, 1))
                       .Insured(kSh, "2016-01", "2022-06", {.base_pct = 120})
                       .Insured(kSh, "2022-07", "2024-06", {.base_pct = 300})
                       .Edu(EducationLevel::kBachelor, true, false, D(1996, 7, 1)),
                   R"({"birth_date": "1974-01-01", "sex": "male", "holds_permit": true, "permit_months": 54,
                       "social_insurance": {"employee": {"months": 102, "base_ratio_pct": 300, "months_at_base": 24}},
                       "education": {"level": "bachelor", "completed_on": "1996-07-01"}})",
                   "221"});
  twins.push_back({"S08 远郊 60 months: 5 years × 2",
                   L().Born(1992, 2, 2)
                       .Permit(kSh, D(2020, 1, 1))
                       .Insured(kSh, "2019-07", "2024-06", {.district = "310117"})
                       .Home(Tenure::kRented, kSh, "310117", "2019-07", "2024-06")
                       .Edu(EducationLevel::kBachelor, true, true, D(2014, 7, 1)),
                   R"({"birth_date": "1992-02-02", "sex": "male", "holds_permit": true, "permit_months": 54,
                       "social_insurance": {"employee": {"months": 60}}, "work_district": "310117",
                       "homes": {"rented": {"months": 60, "district": "310117"}},
                       "education": {"level": "bachelor", "degree": true, "completed_on": "2014-07-01"}})",
                   "145"});
  twins.push_back({"S09 远郊 capped; a skill level from Suzhou does not count; age 54",
                   L().Born(1970, 1, 1)
                       .Permit(kSh, D(2020, 1, 1))
                       .Insured(kSh, "2010-01", "2024-06", {.district = "310118"})
                       .Home(Tenure::kOwn, kSh, "310118", "2010-01", "2024-06")
                       .Edu(EducationLevel::kBachelor, true, true, D(1992, 7, 1))
                       .Qual(QualificationKind::kSkill, 2, "320500", D(2015, 1, 1)),
                   R"({"birth_date": "1970-01-01", "sex": "male", "holds_permit": true, "permit_months": 54,
                       "social_insurance": {"employee": {"months": 174}}, "work_district": "310118",
                       "homes": {"own": {"months": 174, "district": "310118"}},
                       "education": {"level": "bachelor", "degree": true, "completed_on": "1992-07-01"},
                       "qualifications": [{"type": "skill", "level": 2, "obtained_on": "2015-01-01", "in_city": false}]})",
                   "161"});
  twins.push_back({"S10 fresh graduate, shortage major, honours, spouse 23 months",
                   L().Born(1998, 3, 1)
                       .Permit(kSh, D(2023, 8, 1))
                       .Insured(kSh, "2023-07", "2024-06")
                       .Edu(EducationLevel::kMaster, true, true, D(2023, 7, 1), /*shortage_major=*/true)
                       .Honour("municipal_special", D(2024, 1, 1))
                       .Honour("municipal_comprehensive", D(2024, 3, 1))
                       .Spouse(kSh, D(2022, 6, 16)),
                   R"({"birth_date": "1998-03-01", "sex": "male", "holds_permit": true, "permit_months": 11,
                       "social_insurance": {"employee": {"months": 12}},
                       "education": {"level": "master", "degree": true, "completed_on": "2023-07-01",
                                     "shortage_major": true},
                       "honours": ["municipal_special", "municipal_comprehensive"],
                       "spouse": {"hukou_city": "310000", "married_on": "2022-06-16"}})",
                   "237"});
  twins.push_back({"serious crime: vetoed",
                   L().Born(1990, 1, 1)
                       .Permit(kSh, D(2020, 1, 1))
                       .Insured(kSh, "2020-01", "2024-06")
                       .Violation(ViolationKind::kSeriousCrime, "440100", D(2012, 1, 1)),
                   R"({"birth_date": "1990-01-01", "sex": "male", "holds_permit": true, "permit_months": 54,
                       "social_insurance": {"employee": {"months": 54}},
                       "violations": [{"type": "serious_crime", "on": "2012-01-01", "in_city": false}]})",
                   "0"});
  ExpectSameScore(*set_, kSh, D(2024, 6, 15), twins);
}

TEST_F(ProfileTest, OtherCitiesAddMonthsWhereAnAgreementApplies) {
  // 苏州 (demonstration table) with the 苏南 agreement from 2025-09-16: residence 3 and
  // employee pension 6 points a year, by month; months in Nanjing count as months here.
  const json profile = json::parse(R"({
    "birth_date": "1990-01-01", "sex": "male",
    "residence": {"months": 12},
    "social_insurance": {"employee": {"months": 12}},
    "other_cities": [{"city": "320100", "residence_months": 24,
                      "social_insurance": {"employee": {"months": 24, "risks": ["pension"]}}}]
  })");
  auto with = ScoreProfile(*set_, profile, "320500", D(2026, 4, 1));
  ASSERT_TRUE(with.ok()) << with.error().field << ": " << with.error().message_en;
  ASSERT_NE(with->agreement, nullptr);
  // Own: 12 × 3/12 + 12 × 6/12 = 9; with Nanjing: 36 × 3/12 + 36 × 6/12 = 27.
  EXPECT_EQ(with->explanation.total.ToDisplay(), "27");
  ASSERT_TRUE(with->without_recognition.has_value());
  EXPECT_EQ(with->without_recognition->total.ToDisplay(), "9");
  auto without = ScoreProfile(*set_, profile, "320500", D(2026, 4, 1), /*recognition=*/false);
  ASSERT_TRUE(without.ok());
  EXPECT_EQ(without->explanation.total.ToDisplay(), "9");
}

TEST_F(ProfileTest, ScoreProfileReportsTheTableBeforeTheProfile) {
  auto none = ScoreProfile(*set_, json::object(), "440300", D(2026, 4, 1));  // Shenzhen: no table
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, "points.no_table");
  auto bad = ScoreProfile(*set_, json::object(), kSh, D(2026, 4, 1));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "profile.invalid");
  EXPECT_EQ(bad.error().field, "birth_date");
}

}  // namespace
}  // namespace epermit::policy
