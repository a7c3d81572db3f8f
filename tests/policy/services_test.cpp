// The service catalogue (一证通办): parsing [[services]] with every error placed, the shipped
// Shanghai catalogue, tiers by insurance scheme and contribution band, the explanation of
// every rule, the unmet list, and the fast path agreeing with the explained one.
#include "policy/services.hpp"

#include <gtest/gtest.h>

#include <random>

#include "policy/city_policy.hpp"
#include "policy/ledger.hpp"
#include "policy/points_report.hpp"
#include "policy/policy_set.hpp"
#include "support/test_support.hpp"

namespace epermit::policy {
namespace {

using domain::InsuranceRisk;
using domain::InsuranceScheme;

const Date kToday = MakeDate(2026, 11, 15);
const MonthIndex kNow = MonthOf(kToday);
constexpr char kCity[] = "310000";

const PolicySet& Shipped() {
  static const PolicySet set = [] {
    auto loaded = LoadPolicyDir(testing::SourcePoliciesDir());
    EXPECT_TRUE(loaded.ok()) << loaded.error().message_en;
    return loaded.ok() ? std::move(*loaded) : PolicySet();
  }();
  return set;
}

const ServiceCatalogue& Catalogue() { return (*Shipped().InForce(kCity, kToday))->services; }

// A permit holder in Shanghai since 2020, with nothing else on record.
Ledger Holder() {
  Ledger l;
  l.citizen_id = "360426199001010011";
  l.birth_date = MakeDate(1990, 1, 1);
  l.permits.push_back({kCity, "310000-1", domain::PermitState::kActive, MakeDate(2020, 3, 1), MakeDate(2020, 3, 1)});
  l.residence.push_back({kCity, "310101", {MonthOf(MakeDate(2020, 3, 1)), kNow}, "permit:310000-1", {}});
  return l;
}

void Insure(Ledger& l, InsuranceScheme scheme, int months, int base_ratio_pct = 100,
            std::vector<InsuranceRisk> risks = {InsuranceRisk::kPension, InsuranceRisk::kMedical,
                                                InsuranceRisk::kUnemployment}) {
  for (InsuranceRisk risk : risks) {
    SocialInsuranceFact f;
    f.city = kCity;
    f.scheme = scheme;
    f.risk = risk;
    f.period = {kNow - months + 1, kNow};
    f.base_ratio_pct = base_ratio_pct;
    f.record_id = 100 + static_cast<int64_t>(l.social_insurance.size());
    l.social_insurance.push_back(f);
  }
}

void AddChild(Ledger& l, Date born) {
  l.children.push_back({born, "360400", 500 + static_cast<int64_t>(l.children.size())});
}

// A copy: callers pass the temporary answer of ExplainServices.
ServiceResult Find(const std::vector<ServiceResult>& all, const std::string& id) {
  for (const ServiceResult& r : all) {
    if (r.service->id == id) return r;
  }
  ADD_FAILURE() << "no service " << id;
  return all.front();
}

std::vector<std::string> UnmetIds(const ServiceResult& r) {
  std::vector<std::string> ids;
  for (const PreconditionLine& l : UnmetRules(r)) ids.push_back(l.id);
  return ids;
}

TEST(ServiceCatalogue, ShanghaiShipsTheServicesOfArticles12And13) {
  std::vector<std::string> ids;
  for (const ServiceDefinition& d : Catalogue().services) {
    ids.push_back(d.id);
    EXPECT_FALSE(d.steps.empty()) << d.id;
    EXPECT_FALSE(d.basis.empty()) << d.id;
    if (d.id == "pension_transfer") {
      EXPECT_EQ(d.workflow, ServiceWorkflow::kPensionTransfer);
    } else if (d.id == "medical_settlement_filing") {
      EXPECT_EQ(d.workflow, ServiceWorkflow::kMedicalFiling);
    } else if (d.id == "unemployment_benefit") {
      EXPECT_EQ(d.workflow, ServiceWorkflow::kUnemploymentBenefit);
    } else {
      EXPECT_EQ(d.workflow, ServiceWorkflow::kNone) << d.id;
    }
  }
  for (const char* want :
       {"compulsory_education", "housing_fund_withdrawal", "public_rental_housing", "child_education_subsidy",
        "employment_services", "medical_settlement_filing", "pension_transfer", "unemployment_benefit",
        "exit_entry_documents", "id_card_renewal", "vehicle_registration", "driving_licence", "qualification_exams",
        "birth_service_registration"}) {
    EXPECT_NE(std::find(ids.begin(), ids.end(), want), ids.end()) << want;
  }
  // Quantities shared by several rules are counted once.
  EXPECT_LT(Catalogue().rules.slots.size(), Catalogue().rules.preconditions.size());
}

TEST(ServiceCatalogue, SchoolPlacementTierFollowsTheInsuranceScheme) {
  Ledger employee = Holder();
  Insure(employee, InsuranceScheme::kEmployee, 8);
  AddChild(employee, MakeDate(2019, 9, 1));  // 7 years old
  const ServiceResult e = Find(ExplainServices(Catalogue(), employee, kCity, kToday), "compulsory_education");
  ASSERT_TRUE(e.qualifies);
  ASSERT_NE(e.tier, nullptr);
  EXPECT_EQ(e.tier->id, "employee");
  const nlohmann::json j = ServiceResultToJson(e);
  EXPECT_EQ(j["status"], "qualifies");
  EXPECT_EQ(j["tier"]["id"], "employee");
  EXPECT_NE(j["explanation_en"].get<std::string>().find("tier 'employee'"), std::string::npos) << j.dump();
  EXPECT_NE(j["explanation_en"].get<std::string>().find("Children aged 6 to 15: 1"), std::string::npos);
  EXPECT_TRUE(j["unmet"].empty());
  // The rule names the child record it counted.
  EXPECT_EQ(j["rules"][1]["quantity"]["facts"][0]["ref"], "family#500");

  Ledger flexible = Holder();
  Insure(flexible, InsuranceScheme::kFlexible, 8);
  AddChild(flexible, MakeDate(2019, 9, 1));
  const ServiceResult f = Find(ExplainServices(Catalogue(), flexible, kCity, kToday), "compulsory_education");
  ASSERT_TRUE(f.qualifies);
  EXPECT_EQ(f.tier->id, "flexible");
  EXPECT_FALSE(f.tiers[0].met);
  EXPECT_TRUE(f.tiers[1].met);
}

TEST(ServiceCatalogue, NotQualifyingListsEveryUnmetRule) {
  Ledger l = Holder();  // no child, no insurance
  const ServiceResult r = Find(ExplainServices(Catalogue(), l, kCity, kToday), "compulsory_education");
  EXPECT_FALSE(r.qualifies);
  EXPECT_EQ(r.tier, nullptr);
  EXPECT_EQ(UnmetIds(r), (std::vector<std::string>{"school_age_child", "employee/employee_insurance_6_of_12",
                                                   "flexible/flexible_insurance_6_of_12"}));
  const nlohmann::json j = ServiceResultToJson(r);
  EXPECT_EQ(j["status"], "does_not_qualify");
  EXPECT_TRUE(j["tier"].is_null());
  EXPECT_NE(j["explanation_zh"].get<std::string>().find("6至15周岁子女人数：0（需 ≥ 1）"), std::string::npos)
      << j["explanation_zh"];
}

TEST(ServiceCatalogue, ChildAgesAreTakenOnTheDateAsked) {
  Ledger l = Holder();
  Insure(l, InsuranceScheme::kEmployee, 12);
  AddChild(l, MakeDate(2020, 11, 16));  // turns 6 the day after kToday
  EXPECT_FALSE(Find(ExplainServices(Catalogue(), l, kCity, kToday), "compulsory_education").qualifies);
  EXPECT_TRUE(
      Find(ExplainServices(Catalogue(), l, kCity, kToday + std::chrono::days(1)), "compulsory_education").qualifies);
  Ledger older = Holder();
  Insure(older, InsuranceScheme::kEmployee, 12);
  AddChild(older, MakeDate(2010, 11, 15));  // 16 today: past compulsory schooling
  EXPECT_FALSE(Find(ExplainServices(Catalogue(), older, kCity, kToday), "compulsory_education").qualifies);
}

TEST(ServiceCatalogue, SubsidyTierFollowsTheContributionBaseBand) {
  auto tier_for = [](int base_ratio_pct) {
    Ledger l = Holder();
    Insure(l, InsuranceScheme::kEmployee, 12, base_ratio_pct);
    AddChild(l, MakeDate(2021, 1, 1));
    const ServiceResult r = Find(ExplainServices(Catalogue(), l, kCity, kToday), "child_education_subsidy");
    return r.tier != nullptr ? r.tier->id : std::string("none");
  };
  EXPECT_EQ(tier_for(60), "full");
  EXPECT_EQ(tier_for(100), "full");
  EXPECT_EQ(tier_for(101), "standard");
  EXPECT_EQ(tier_for(300), "standard");
  EXPECT_EQ(tier_for(0), "standard");  // base not stated by the department: never the full band
}

TEST(ServiceCatalogue, PublicRentalHousingNeedsNoHomeOfOnesOwn) {
  Ledger l = Holder();
  Insure(l, InsuranceScheme::kEmployee, 14);
  EXPECT_EQ(Find(ExplainServices(Catalogue(), l, kCity, kToday), "public_rental_housing").tier->id, "employee");
  l.homes.push_back({kCity, "310101", domain::Tenure::kOwn, {kNow - 3, kNow}, 900});
  const ServiceResult owner = Find(ExplainServices(Catalogue(), l, kCity, kToday), "public_rental_housing");
  EXPECT_FALSE(owner.qualifies);
  EXPECT_EQ(UnmetIds(owner), std::vector<std::string>{"no_home_owned"});
  // ... and the home makes the housing-fund withdrawal a purchase one.
  l.housing_fund.push_back({kCity, {kNow - 5, kNow}, false, false, 901});
  EXPECT_EQ(Find(ExplainServices(Catalogue(), l, kCity, kToday), "housing_fund_withdrawal").tier->id, "home_purchase");
}

TEST(ServiceCatalogue, ConveniencesNeedAnActivePermit) {
  Ledger l = Holder();
  EXPECT_TRUE(Find(ExplainServices(Catalogue(), l, kCity, kToday), "exit_entry_documents").qualifies);
  l.permits[0].state = domain::PermitState::kSuspended;
  const ServiceResult r = Find(ExplainServices(Catalogue(), l, kCity, kToday), "exit_entry_documents");
  EXPECT_FALSE(r.qualifies);
  EXPECT_EQ(UnmetIds(r), std::vector<std::string>{"permit"});
}

// The population path (counted slots, EvaluateServices) says what the explanation says, for
// every service of random people.
TEST(ServiceCatalogue, FastPathAgreesWithTheExplanation) {
  const ServiceCatalogue& c = Catalogue();
  std::mt19937_64 rng(6);
  auto uniform = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int n = 0; n < 300; ++n) {
    Ledger l = Holder();
    if (uniform(0, 9) == 0) l.permits[0].state = domain::PermitState::kRevoked;
    const auto scheme = static_cast<InsuranceScheme>(uniform(0, 2));
    Insure(l, scheme, uniform(0, 40), uniform(0, 300));
    for (int k = uniform(0, 2); k > 0; --k) AddChild(l, MakeDate(uniform(2006, 2026), 1, 1));
    if (uniform(0, 1) == 1) l.homes.push_back({kCity, "310101", domain::Tenure::kOwn, {kNow - 2, kNow}, 900});
    if (uniform(0, 1) == 1) l.housing_fund.push_back({kCity, {kNow - uniform(0, 6), kNow}, false, false, 901});
    const SlotValues slots = CountSlots(c.rules, l, ContextFor(c.rules, kCity, kToday, nullptr));
    std::vector<ServiceStanding> fast(c.services.size());
    EvaluateServices(c, slots.values.data(), fast.data());
    const std::vector<ServiceResult> slow = ExplainServices(c, l, kCity, kToday);
    for (size_t s = 0; s < c.services.size(); ++s) {
      ASSERT_EQ(fast[s].qualifies, slow[s].qualifies) << c.services[s].id << " person " << n;
      const int slow_tier = slow[s].tier == nullptr ? -1 : static_cast<int>(slow[s].tier - c.services[s].tiers.data());
      ASSERT_EQ(fast[s].tier, slow_tier) << c.services[s].id << " person " << n;
    }
  }
}

// ---- parsing ----

constexpr char kHead[] = R"(city = "310000"
city_name = "上海市"
version = "t1"
effective_from = 2023-01-01
source = "test"
[permit]
source = "test"
[eligibility]
source = "test"
)";

constexpr char kService[] = R"(
[[services]]
id = "svc"
name_en = "A service"
name_zh = "服务"
category = "education"
basis = "条例 第十二条"
description_en = "What it is"
description_zh = "说明"
[[services.step]]
id = "apply"
en = "Apply"
zh = "申请"
deadline_days = 10
[[services.precondition]]
id = "permit"
title_en = "Permit"
title_zh = "居住证"
source = "条例"
quantity = "holds_permit"
at_least = 1
)";

Result<CityPolicy> Parse(const std::string& body) {
  return ParseCityPolicy(std::string(kHead) + body, "policies/310000/t.toml");
}

std::string ErrorOf(const std::string& body) {
  auto p = Parse(body);
  if (p.ok()) return "parsed";
  EXPECT_EQ(p.error().code, "policy.invalid");
  return p.error().message_en;
}

TEST(ServiceCataloguePolicy, ParsesAServiceWithTiersMaterialsAndSteps) {
  auto p = Parse(std::string(kService) + R"(
[[services.material]]
code = "photo"
en = "A photo"
zh = "照片"
[[services.tier]]
id = "gold"
label_en = "Gold"
label_zh = "金"
source = "s"
[[services.tier.precondition]]
id = "months"
title_en = "Months"
title_zh = "月数"
source = "s"
quantity = { name = "si_months", schemes = ["employee"] }
at_least = 12
)");
  ASSERT_TRUE(p.ok()) << p.error().message_en;
  ASSERT_EQ(p->services.services.size(), 1u);
  const ServiceDefinition& d = p->services.services[0];
  EXPECT_EQ(d.category, ServiceCategory::kEducation);
  EXPECT_EQ(d.workflow, ServiceWorkflow::kNone);
  EXPECT_EQ(d.materials.at(0).code, "photo");
  EXPECT_EQ(d.steps.at(0).deadline_days, 10);
  EXPECT_EQ(d.rules, std::vector<int>{0});
  ASSERT_EQ(d.tiers.size(), 1u);
  EXPECT_EQ(d.tiers[0].rules, std::vector<int>{1});
  EXPECT_EQ(p->services.rules.slots.size(), 2u);
}

TEST(ServiceCataloguePolicy, EveryMistakeIsRefusedWithItsLine) {
  std::string twice = std::string(kService) + kService;
  EXPECT_NE(ErrorOf(twice).find("service id 'svc' is used twice"), std::string::npos) << ErrorOf(twice);
  auto replaced = [](std::string from, std::string to) {
    std::string s = kService;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  EXPECT_NE(ErrorOf(replaced(R"(category = "education")", "category = \"education\"\nworkflow = \"fishing\""))
                .find("workflow is none, medical_filing"),
            std::string::npos);
  const std::string category = ErrorOf(replaced(R"(category = "education")", R"(category = "leisure")"));
  EXPECT_NE(category.find("policies/310000/t.toml:15: category is education"), std::string::npos) << category;
  EXPECT_NE(ErrorOf(replaced(R"(id = "svc")", R"(id = "Svc-1")")).find("is not [a-z0-9_]{1,40}"), std::string::npos);
  EXPECT_NE(ErrorOf(replaced("deadline_days = 10", "deadline_days = 0")).find("between 1 and 365"), std::string::npos);
  EXPECT_NE(ErrorOf(replaced("deadline_days = 10\n", "")).find("needs deadline_days"), std::string::npos);
  EXPECT_NE(ErrorOf(replaced(R"(basis = "条例 第十二条")", R"(bases = "x")")).find("unknown key 'bases'"),
            std::string::npos);
  EXPECT_NE(ErrorOf(replaced(R"(quantity = "holds_permit")", R"(quantity = "holds_permits")"))
                .find("unknown ledger quantity 'holds_permits'"),
            std::string::npos);
  const std::string no_rules = kService;
  EXPECT_NE(
      ErrorOf(no_rules.substr(0, no_rules.find("[[services.precondition]]"))).find("needs a [[services.precondition]]"),
      std::string::npos);
  EXPECT_NE(
      ErrorOf(replaced("[[services.step]]\nid = \"apply\"\nen = \"Apply\"\nzh = \"申请\"\ndeadline_days = 10\n", ""))
          .find("needs at least one [[services.step]]"),
      std::string::npos);
  EXPECT_NE(ErrorOf(std::string(kService) + "[[services.tier]]\nid = \"t\"\nlabel_en = \"T\"\nlabel_zh = \"T\"\n"
                                            "source = \"s\"\n")
                .find("tier 't' needs at least one precondition"),
            std::string::npos);
  EXPECT_NE(
      ErrorOf(replaced(R"(quantity = "holds_permit")", R"(quantity = { name = "children", min_age = 6, max_age = 3 })"))
          .find("max_age must not be below min_age"),
      std::string::npos);
  EXPECT_NE(ErrorOf(replaced(R"(quantity = "holds_permit")", R"(quantity = { name = "children", max_age = 31 })"))
                .find("'max_age' must be between 0 and 30"),
            std::string::npos);
}

TEST(ServiceCataloguePolicy, APolicyWithoutServicesHasAnEmptyCatalogue) {
  auto p = Parse("");
  ASSERT_TRUE(p.ok()) << p.error().message_en;
  EXPECT_TRUE(p->services.services.empty());
}

// ---- the children quantity and the ledger ----

TEST(ChildrenQuantity, CountsChildrenByAgeOnTheAsOfDate) {
  Ledger l = Holder();
  AddChild(l, MakeDate(2020, 6, 1));  // 6
  AddChild(l, MakeDate(2012, 6, 1));  // 14
  AddChild(l, MakeDate(2026, 6, 1));  // 0
  CountContext ctx{kCity, kToday, kToday, {}, {}};
  QuantitySpec all;
  all.name = "children";
  EXPECT_EQ(Count(all, l, ctx, {}, false).value, 3);
  QuantitySpec school = all;
  school.min_age = 6;
  school.max_age = 14;
  const CountedValue v = Count(school, l, ctx, {}, true);
  EXPECT_EQ(v.value, 2);
  ASSERT_EQ(v.facts.size(), 2u);
  EXPECT_EQ(v.facts[0].what, "child born 2020-06-01, age 6");
  EXPECT_EQ(school.Key(), "children min_age=6 max_age=14");
  QuantitySpec infants = all;
  infants.max_age = 0;
  EXPECT_EQ(Count(infants, l, ctx, {}, false).value, 1);
}

TEST(ChildrenQuantity, TheLedgerTakesChildrenFromFamilyRecords) {
  domain::RecordBundle records;
  domain::FamilyRecord child;
  child.h.id = 7;
  child.h.citizen_id = "360426199001010011";
  child.relation = domain::FamilyRelation::kChild;
  child.member_citizen_id = "360426201906010013";
  child.since = MakeDate(2019, 6, 1);
  child.hukou_division_code = "360426";
  records.family.push_back(child);
  domain::FamilyRecord spouse = child;
  spouse.h.id = 8;
  spouse.relation = domain::FamilyRelation::kSpouse;
  records.family.push_back(spouse);
  const Ledger l = BuildLedger("360426199001010011", {}, {}, records, kToday);
  ASSERT_EQ(l.children.size(), 1u);
  EXPECT_EQ(l.children[0].born, MakeDate(2019, 6, 1));
  EXPECT_EQ(l.children[0].hukou_city, "360400");
  EXPECT_EQ(l.children[0].record_id, 7);
  const nlohmann::json j = LedgerToJson(l, kToday);
  EXPECT_EQ(j["children"][0]["born"], "2019-06-01");
  EXPECT_EQ(j["children"][0].dump().find("360426201906010013"), std::string::npos);  // no ID number shown
}

}  // namespace
}  // namespace epermit::policy
