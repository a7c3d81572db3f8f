// Permit eligibility on the points engine: the residence and social-insurance rules are the
// policy's compiled precondition tables, explained over the applicant's ledger. These tests
// pin the answers at the edges, compare them with the bespoke rules they replaced (kept here
// as an oracle), and check that records, details and the `engine` lines come from the engine.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "policy/eligibility.hpp"
#include "policy/ledger.hpp"
#include "policy/points_report.hpp"
#include "policy/policy_set.hpp"
#include "support/test_support.hpp"

namespace epermit::policy {
namespace {

using domain::InsuranceRisk;
using domain::InsuranceScheme;
using nlohmann::json;

const Date kToday = MakeDate(2026, 11, 15);
const MonthIndex kNow = MonthOf(kToday);

const PolicySet& Shipped() {
  static const PolicySet set = [] {
    auto loaded = LoadPolicyDir(testing::SourcePoliciesDir());
    EXPECT_TRUE(loaded.ok()) << loaded.error().message_en;
    return loaded.ok() ? std::move(*loaded) : PolicySet();
  }();
  return set;
}

const CityPolicy& Shanghai() { return **Shipped().InForce("310000", kToday); }
const CityPolicy& Shenzhen() { return **Shipped().InForce("440300", kToday); }

constexpr char kHead[] = R"(city = "310000"
city_name = "上海市"
version = "t1"
effective_from = 2023-01-01
source = "test"
[permit]
source = "test"
[eligibility]
source = "test residence"
)";

// One applicant: a registration in the policy's city and department records.
struct Applicant {
  domain::Registration reg;
  domain::RecordBundle records;
  int64_t next_id = 10;

  Applicant(const std::string& city, const std::string& district, Date registered_on) {
    const std::string cid = "360426199001010011";
    reg.id = "reg_1";
    reg.citizen_id = cid;
    reg.name = "张伟";
    reg.city = city;
    reg.division_code = district;
    reg.basis = domain::ResidenceBasis::kEmployment;
    reg.registered_on = registered_on;
    records.persons.push_back({{1, cid, "gaj"}, "张伟", "汉"});
    records.hukou.push_back({{2, cid, "gaj"}, "360426", "宝塔乡1号"});
    records.employment.push_back(
        {{3, cid, "rsj"}, city, "91310115MA1K3BTP2B", "测试有限公司", registered_on, std::nullopt, std::nullopt});
  }

  // One social-insurance record; returns its ref as the engine names it.
  std::string Si(MonthIndex from, MonthIndex to, bool back_payment = false,
                 InsuranceScheme scheme = InsuranceScheme::kEmployee, InsuranceRisk risk = InsuranceRisk::kPension,
                 std::string city = "") {
    domain::SocialInsuranceRecord r;
    r.h = {next_id++, reg.citizen_id, "rsj"};
    r.city = city.empty() ? reg.city : city;
    r.scheme = scheme;
    r.risk = risk;
    r.from_month = from;
    r.to_month = to;
    r.back_payment = back_payment;
    records.social_insurance.push_back(r);
    return "social_insurance#" + std::to_string(r.h.id);
  }

  EligibilityInput Input(Date today = kToday) const {
    return {reg.citizen_id, MakeDate(1990, 1, 1), "张伟", &reg, &records, std::nullopt, today};
  }
};

// A copy, so a rule of a temporary decision can be kept.
RuleResult RuleOf(const Decision& d, const std::string& id) {
  for (const RuleResult& r : d.rules) {
    if (r.id == id) return r;
  }
  ADD_FAILURE() << "no rule " << id;
  return {};
}

const PreconditionLine* LineOf(const EngineAlternative& a, const std::string& id) {
  for (const PreconditionLine& l : a.preconditions) {
    if (l.id == id) return &l;
  }
  return nullptr;
}

// ---- the rules as they were before the engine (the oracle) ----

struct OldAnswer {
  bool passed = false;
  int shortfall = 0;   // when failed: the least months short over the alternatives
  size_t passing = 0;  // when passed: the alternative that held
};

OldAnswer OldSocialInsurance(const CityPolicy& policy, const domain::RecordBundle& records, Date today) {
  const MonthIndex now = MonthOf(today);
  OldAnswer out;
  int best = 1 << 30;
  for (size_t i = 0; i < policy.eligibility.social_insurance.size(); ++i) {
    const SocialInsuranceAlternative& alt = policy.eligibility.social_insurance[i];
    std::set<MonthIndex> paid;
    for (const auto& rec : records.social_insurance) {
      if (rec.city != policy.city) continue;
      if (!alt.schemes.empty() && std::find(alt.schemes.begin(), alt.schemes.end(), rec.scheme) == alt.schemes.end())
        continue;
      if (!alt.risks.empty() && std::find(alt.risks.begin(), alt.risks.end(), rec.risk) == alt.risks.end()) continue;
      if (alt.exclude_back_payments && rec.back_payment) continue;
      for (MonthIndex m = rec.from_month; m <= rec.to_month; ++m) paid.insert(m);
    }
    bool ok = true;
    int shortfall = 0;
    if (alt.require_current_month && !paid.count(now)) {
      ok = false;
      shortfall += 1;
    }
    if (alt.continuous_months > 0) {
      MonthIndex m = paid.count(now) ? now : now - 1;
      int streak = 0;
      while (paid.count(m)) {
        ++streak;
        --m;
      }
      if (streak < alt.continuous_months) {
        ok = false;
        shortfall += alt.continuous_months - streak;
      }
    }
    if (alt.window_months > 0) {
      int count = 0;
      for (MonthIndex m = now - alt.window_months; m < now; ++m) count += paid.count(m) ? 1 : 0;
      if (count < alt.min_months_in_window) {
        ok = false;
        shortfall += alt.min_months_in_window - count;
      }
    }
    if (ok) return {true, 0, i};
    best = std::min(best, shortfall);
  }
  out.shortfall = best;
  return out;
}

std::string MissingText(const RuleResult& r) { return r.missing.empty() ? "" : r.missing.front().en; }

// ---- residence_duration ----

TEST(EligibilityEngineTest, ResidenceCountsFullMonthsByTheDay) {
  // Exactly six full months: passed.
  Applicant six("310000", "310101", MakeDate(2026, 5, 15));
  six.Si(kNow - 12, kNow);
  const Decision d6 = EvaluateEligibility(Shanghai(), six.Input());
  const RuleResult& r6 = RuleOf(d6, "residence_duration");
  EXPECT_EQ(r6.status, RuleStatus::kPassed) << r6.detail_en;
  EXPECT_EQ(r6.detail_en, "Registered since 2026-05-15: 6 full months (needs ≥ 6).");
  EXPECT_EQ(r6.records_used, std::vector<std::string>{"registration:reg_1"});
  ASSERT_TRUE(r6.engine.has_value());
  ASSERT_EQ(r6.engine->alternatives.size(), 1u);
  const PreconditionLine* line = LineOf(r6.engine->alternatives[0], kResidencePreconditionId);
  ASSERT_NE(line, nullptr);
  EXPECT_EQ(line->quantity.name, "residence_full_months");
  EXPECT_EQ(line->quantity.value, 6);
  EXPECT_EQ(line->requirement, "≥ 6");
  EXPECT_TRUE(line->met);
  ASSERT_EQ(line->quantity.facts.size(), 1u);
  EXPECT_EQ(line->quantity.facts[0].ref, "registration:reg_1");
  EXPECT_EQ(line->quantity.detail, "from 2026-05-15 to 2026-11-15");
  EXPECT_EQ(d6.outcome, Outcome::kApproved);

  // One day short: five full months, rejected, and told when to come back.
  Applicant short_one("310000", "310101", MakeDate(2026, 5, 16));
  short_one.Si(kNow - 12, kNow);
  const Decision d5 = EvaluateEligibility(Shanghai(), short_one.Input());
  const RuleResult& r5 = RuleOf(d5, "residence_duration");
  EXPECT_EQ(r5.status, RuleStatus::kFailed);
  EXPECT_EQ(r5.detail_en, "Registered since 2026-05-16: 5 of 6 months (needs ≥ 6). You may apply from 2026-11-16.");
  ASSERT_EQ(r5.missing.size(), 1u);
  EXPECT_EQ(r5.missing[0].code, "residence_months");
  EXPECT_EQ(r5.missing[0].en, "Residence of 1 more month(s)");
  EXPECT_EQ(r5.engine->alternatives[0].preconditions[0].quantity.value, 5);
  EXPECT_FALSE(r5.engine->alternatives[0].met);
  EXPECT_EQ(d5.outcome, Outcome::kRejected);

  // Month ends clamp as civil-law counting does: 05-31 + 6 months is 11-30.
  Applicant month_end("310000", "310101", MakeDate(2026, 5, 31));
  month_end.Si(kNow - 12, kNow);
  EXPECT_EQ(
      RuleOf(EvaluateEligibility(Shanghai(), month_end.Input(MakeDate(2026, 11, 30))), "residence_duration").status,
      RuleStatus::kPassed);
  EXPECT_EQ(
      RuleOf(EvaluateEligibility(Shanghai(), month_end.Input(MakeDate(2026, 11, 29))), "residence_duration").status,
      RuleStatus::kFailed);

  // Shenzhen needs 12.
  Applicant sz("440300", "440305", MakeDate(2025, 11, 16));
  sz.Si(kNow - 12, kNow);
  const RuleResult& rs = RuleOf(EvaluateEligibility(Shenzhen(), sz.Input()), "residence_duration");
  EXPECT_EQ(rs.status, RuleStatus::kFailed);
  EXPECT_EQ(rs.engine->alternatives[0].preconditions[0].requirement, "≥ 12");
  EXPECT_EQ(rs.engine->alternatives[0].preconditions[0].quantity.value, 11);
}

TEST(EligibilityEngineTest, ResidenceMatchesTheOldDayCountOverEveryStartDay) {
  for (Date today : {MakeDate(2026, 11, 15), MakeDate(2026, 11, 30), MakeDate(2027, 2, 28), MakeDate(2028, 2, 29)}) {
    for (Date since = AddMonths(today, -9); since <= today + std::chrono::days(2); since += std::chrono::days(1)) {
      Applicant a("310000", "310101", since);
      a.Si(MonthOf(today) - 12, MonthOf(today));
      const RuleResult& r = RuleOf(EvaluateEligibility(Shanghai(), a.Input(today)), "residence_duration");
      const int old_months = WholeMonthsBetween(since, today);
      SCOPED_TRACE(FormatIsoDate(since) + " to " + FormatIsoDate(today));
      EXPECT_EQ(r.status == RuleStatus::kPassed, old_months >= 6);
      ASSERT_TRUE(r.engine.has_value());
      EXPECT_EQ(r.engine->alternatives[0].preconditions[0].quantity.value, old_months);
      if (old_months < 6) {
        EXPECT_EQ(MissingText(r), "Residence of " + std::to_string(6 - old_months) + " more month(s)");
      }
    }
  }
}

// ---- social_insurance ----

TEST(EligibilityEngineTest, ContinuousRunBrokenByOneMonthFails) {
  // Shenzhen alternative 1: 12 continuous months; alternative 2: 18 of the last 24.
  Applicant whole("440300", "440305", MakeDate(2025, 1, 1));
  whole.Si(kNow - 11, kNow);
  const RuleResult& ok = RuleOf(EvaluateEligibility(Shenzhen(), whole.Input()), "social_insurance");
  EXPECT_EQ(ok.status, RuleStatus::kPassed) << ok.detail_en;
  ASSERT_EQ(ok.engine->alternatives.size(), 1u);  // the first alternative held: the second is not evaluated
  EXPECT_EQ(LineOf(ok.engine->alternatives[0], kSiContinuousPreconditionId)->quantity.value, 12);
  EXPECT_EQ(ok.detail_en, "Met: " + Shenzhen().eligibility.social_insurance[0].label_en +
                              " (Continuous months of contributions: 12 (needs ≥ 12)).");

  // The current month not yet paid: the run may end last month (as before).
  Applicant unpaid_now("440300", "440305", MakeDate(2025, 1, 1));
  unpaid_now.Si(kNow - 12, kNow - 1);
  EXPECT_EQ(RuleOf(EvaluateEligibility(Shenzhen(), unpaid_now.Input()), "social_insurance").status,
            RuleStatus::kPassed);

  // Broken four months ago: a run of 4 (this month included), 11 months before this one.
  Applicant broken("440300", "440305", MakeDate(2025, 1, 1));
  broken.Si(kNow - 12, kNow - 5);
  broken.Si(kNow - 3, kNow);
  const RuleResult& r = RuleOf(EvaluateEligibility(Shenzhen(), broken.Input()), "social_insurance");
  EXPECT_EQ(r.status, RuleStatus::kFailed);
  ASSERT_EQ(r.engine->alternatives.size(), 2u);
  EXPECT_EQ(LineOf(r.engine->alternatives[0], kSiContinuousPreconditionId)->quantity.value, 4);
  EXPECT_EQ(LineOf(r.engine->alternatives[1], kSiWindowPreconditionId)->quantity.value, 11);  // before this month
  EXPECT_NE(r.detail_en.find("Continuous months of contributions: 4 (needs ≥ 12)"), std::string::npos) << r.detail_en;
  // Least shortfall: 8 continuous months versus 7 in the window.
  EXPECT_EQ(MissingText(r), "At least 7 more month(s) of social-insurance contributions in 深圳市");
  EXPECT_EQ(r.missing[0].code, "social_insurance_months");
}

TEST(EligibilityEngineTest, ShanghaiWindowSixOfTwelveAtFiveAndSix) {
  auto with_window = [](MonthIndex from, MonthIndex to) {
    Applicant a("310000", "310101", MakeDate(2025, 1, 1));
    a.Si(from, to);
    a.Si(kNow, kNow);  // paid in the application month
    return RuleOf(EvaluateEligibility(Shanghai(), a.Input()), "social_insurance");
  };
  const RuleResult five = with_window(kNow - 12, kNow - 8);
  EXPECT_EQ(five.status, RuleStatus::kFailed);
  EXPECT_EQ(LineOf(five.engine->alternatives[0], kSiWindowPreconditionId)->quantity.value, 5);
  EXPECT_EQ(MissingText(five), "At least 1 more month(s) of social-insurance contributions in 上海市");

  const RuleResult six = with_window(kNow - 12, kNow - 7);
  EXPECT_EQ(six.status, RuleStatus::kPassed) << six.detail_en;
  EXPECT_EQ(LineOf(six.engine->alternatives[0], kSiWindowPreconditionId)->quantity.value, 6);

  // The 13th month back lies outside the window: six months paid, five count.
  const RuleResult edge = with_window(kNow - 13, kNow - 8);
  EXPECT_EQ(edge.status, RuleStatus::kFailed);
  EXPECT_EQ(LineOf(edge.engine->alternatives[0], kSiWindowPreconditionId)->quantity.value, 5);
}

TEST(EligibilityEngineTest, ShanghaiRequiresTheApplicationMonth) {
  Applicant a("310000", "310101", MakeDate(2025, 1, 1));
  a.Si(kNow - 12, kNow - 1);  // twelve months, none this month
  const RuleResult& r = RuleOf(EvaluateEligibility(Shanghai(), a.Input()), "social_insurance");
  EXPECT_EQ(r.status, RuleStatus::kFailed);
  const PreconditionLine* now = LineOf(r.engine->alternatives[0], kSiPaidInMonthPreconditionId);
  ASSERT_NE(now, nullptr);
  EXPECT_EQ(now->quantity.value, 0);
  EXPECT_FALSE(now->met);
  EXPECT_TRUE(LineOf(r.engine->alternatives[0], kSiWindowPreconditionId)->met);
  EXPECT_NE(r.detail_en.find("no contribution in 2026-11 (0, needs ≥ 1)"), std::string::npos) << r.detail_en;
  EXPECT_NE(r.detail_zh.find("2026-11 无缴费"), std::string::npos) << r.detail_zh;
  EXPECT_EQ(MissingText(r), "At least 1 more month(s) of social-insurance contributions in 上海市");

  a.Si(kNow, kNow);
  EXPECT_EQ(RuleOf(EvaluateEligibility(Shanghai(), a.Input()), "social_insurance").status, RuleStatus::kPassed);
}

TEST(EligibilityEngineTest, BackPaymentsExcludedOrIncludedPerAlternative) {
  // Shanghai excludes back payments: the same months back-paid do not count.
  Applicant sh("310000", "310101", MakeDate(2025, 1, 1));
  sh.Si(kNow - 12, kNow, /*back_payment=*/true);
  const RuleResult& shr = RuleOf(EvaluateEligibility(Shanghai(), sh.Input()), "social_insurance");
  EXPECT_EQ(shr.status, RuleStatus::kFailed);
  EXPECT_EQ(LineOf(shr.engine->alternatives[0], kSiWindowPreconditionId)->quantity.value, 0);
  EXPECT_NE(LineOf(shr.engine->alternatives[0], kSiWindowPreconditionId)->quantity.spec.find(" within_months=12"),
            std::string::npos);
  EXPECT_TRUE(shr.records_used.empty());  // the back payment was not a fact the rule could use

  // Shenzhen includes them (exclude_back_payments = false): a back-paid month keeps the run.
  Applicant sz("440300", "440305", MakeDate(2025, 1, 1));
  sz.Si(kNow - 11, kNow - 6);
  const std::string back = sz.Si(kNow - 5, kNow - 5, /*back_payment=*/true);
  sz.Si(kNow - 4, kNow);
  const RuleResult& szr = RuleOf(EvaluateEligibility(Shenzhen(), sz.Input()), "social_insurance");
  EXPECT_EQ(szr.status, RuleStatus::kPassed) << szr.detail_en;
  EXPECT_NE(std::find(szr.records_used.begin(), szr.records_used.end(), back), szr.records_used.end());

  // The same records under a continuous alternative that excludes back payments: run of 5.
  auto custom = ParseCityPolicy(std::string(kHead) + R"(
[[eligibility.social_insurance]]
label_en = "12 continuous months, no back payments"
label_zh = "连续12个月（不含补缴）"
continuous_months = 12
exclude_back_payments = true
source = "test si"
)",
                                "c.toml");
  ASSERT_TRUE(custom.ok()) << custom.error().message_en;
  Applicant sh2("310000", "310101", MakeDate(2025, 1, 1));
  sh2.Si(kNow - 11, kNow - 6);
  sh2.Si(kNow - 5, kNow - 5, true);
  sh2.Si(kNow - 4, kNow);
  const RuleResult& cr = RuleOf(EvaluateEligibility(*custom, sh2.Input()), "social_insurance");
  EXPECT_EQ(cr.status, RuleStatus::kFailed);
  const PreconditionLine* run = LineOf(cr.engine->alternatives[0], kSiContinuousPreconditionId);
  EXPECT_EQ(run->quantity.value, 5);
  EXPECT_NE(run->quantity.spec.find("run_without_back_payments"), std::string::npos) << run->quantity.spec;
  EXPECT_EQ(MissingText(cr), "At least 7 more month(s) of social-insurance contributions in 上海市");
}

TEST(EligibilityEngineTest, SecondAlternativeHoldsWhenTheFirstFails) {
  Applicant a("440300", "440305", MakeDate(2025, 1, 1));
  a.Si(kNow - 20, kNow - 3);  // 18 months within 24, but the run broke three months ago
  const Decision d = EvaluateEligibility(Shenzhen(), a.Input());
  const RuleResult& r = RuleOf(d, "social_insurance");
  EXPECT_EQ(r.status, RuleStatus::kPassed) << r.detail_en;
  ASSERT_EQ(r.engine->alternatives.size(), 2u);
  EXPECT_FALSE(r.engine->alternatives[0].met);
  EXPECT_TRUE(r.engine->alternatives[1].met);
  EXPECT_EQ(r.engine->alternatives[1].label_en, Shenzhen().eligibility.social_insurance[1].label_en);
  EXPECT_EQ(LineOf(r.engine->alternatives[0], kSiContinuousPreconditionId)->quantity.value, 0);
  EXPECT_EQ(LineOf(r.engine->alternatives[1], kSiWindowPreconditionId)->quantity.value, 18);
  EXPECT_EQ(r.source, Shenzhen().eligibility.social_insurance[1].source);
  EXPECT_EQ(r.detail_en.rfind("Met: " + Shenzhen().eligibility.social_insurance[1].label_en, 0), 0u) << r.detail_en;
  EXPECT_EQ(d.outcome, Outcome::kApproved);
}

TEST(EligibilityEngineTest, RecordsAndExplanationComeFromTheEngine) {
  Applicant a("310000", "310101", MakeDate(2025, 1, 1));
  const std::string paid = a.Si(kNow - 12, kNow);
  const std::string medical = a.Si(kNow - 3, kNow, false, InsuranceScheme::kEmployee, InsuranceRisk::kMedical);
  a.Si(kNow - 12, kNow, false, InsuranceScheme::kFlexible);                                     // not employee
  a.Si(kNow - 12, kNow, false, InsuranceScheme::kEmployee, InsuranceRisk::kPension, "440300");  // another city
  const Decision d = EvaluateEligibility(Shanghai(), a.Input());
  const RuleResult& r = RuleOf(d, "social_insurance");
  ASSERT_EQ(r.status, RuleStatus::kPassed) << r.detail_en;
  // Exactly the refs of the facts in the engine's lines, each once.
  std::vector<std::string> refs;
  for (const EngineAlternative& alt : r.engine->alternatives) {
    for (const PreconditionLine& l : alt.preconditions) {
      for (const UsedFact& f : l.quantity.facts) {
        if (std::find(refs.begin(), refs.end(), f.ref) == refs.end()) refs.push_back(f.ref);
      }
    }
  }
  EXPECT_EQ(r.records_used, refs);
  EXPECT_EQ(r.records_used, (std::vector<std::string>{paid, medical}));
  EXPECT_EQ(r.detail_en, "Met: " + Shanghai().eligibility.social_insurance[0].label_en +
                             " (Contribution paid in the application month: 1 (needs ≥ 1); Months paid in the "
                             "previous 12 months: 12 (needs ≥ 6)).");

  // The JSON carries the lines exactly as the points report renders preconditions.
  const json j = DecisionToJson(d);
  json si, identity;
  for (const json& rule : j["rules"]) {
    if (rule["id"] == "social_insurance") si = rule;
    if (rule["id"] == "identity") identity = rule;
  }
  EXPECT_TRUE(identity["engine"].is_null());  // a document check, not an engine rule
  ASSERT_TRUE(si["engine"].is_object());
  EXPECT_EQ(si["engine"]["as_of"], "2026-11-15");
  EXPECT_EQ(si["engine"]["met"], true);
  ASSERT_EQ(si["engine"]["alternatives"].size(), 1u);
  const json& lines = si["engine"]["alternatives"][0]["preconditions"];
  ASSERT_EQ(lines.size(), 2u);
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i], PreconditionLineToJson(r.engine->alternatives[0].preconditions[i]));
  }
  EXPECT_EQ(lines[1]["id"], kSiWindowPreconditionId);
  EXPECT_EQ(lines[1]["requirement"], "≥ 6");
  EXPECT_EQ(lines[1]["met"], true);
  EXPECT_EQ(lines[1]["quantity"]["name"], "si_months");
  EXPECT_EQ(lines[1]["quantity"]["counted_as"], "si_months schemes=employee within_months=12 before_as_of_month");
  EXPECT_EQ(lines[1]["quantity"]["value"], 12);
  EXPECT_EQ(lines[1]["quantity"]["facts"][0]["ref"], paid);

  json residence;
  for (const json& rule : j["rules"]) {
    if (rule["id"] == "residence_duration") residence = rule;
  }
  EXPECT_EQ(residence["records_used"], json::array({"registration:reg_1"}));
  EXPECT_EQ(residence["engine"]["alternatives"][0]["preconditions"][0]["quantity"]["counted_as"],
            "residence_full_months");
}

TEST(EligibilityEngineTest, ExemptionsAndNoConditionDoNotRunTheEngine) {
  Applicant a("110000", "110108", MakeDate(2025, 1, 1));  // Beijing sets no SI condition
  const RuleResult& r =
      RuleOf(EvaluateEligibility(**Shipped().InForce("110000", kToday), a.Input()), "social_insurance");
  EXPECT_EQ(r.status, RuleStatus::kPassed);
  EXPECT_FALSE(r.engine.has_value());
  EXPECT_TRUE(r.records_used.empty());
}

TEST(EligibilityEngineTest, PolicyBuiltInCodeIsCompiledBeforeUse) {
  CityPolicy hand = Shanghai();
  hand.eligibility.residence = PointsTable();  // as if built field by field, never compiled
  for (SocialInsuranceAlternative& a : hand.eligibility.social_insurance) a.table = PointsTable();
  Applicant a("310000", "310101", MakeDate(2025, 1, 1));
  a.Si(kNow - 12, kNow - 1);  // not paid this month: Shanghai refuses
  const RuleResult r = RuleOf(EvaluateEligibility(hand, a.Input()), "social_insurance");
  EXPECT_EQ(r.status, RuleStatus::kFailed);
  EXPECT_EQ(r.engine->alternatives.at(0).preconditions.size(), 2u);
  EXPECT_EQ(RuleOf(EvaluateEligibility(hand, a.Input()), "residence_duration").status, RuleStatus::kPassed);
}

// The engine's answers equal the bespoke rules' over random contribution histories, for the
// shipped alternatives and a custom policy using every key.
TEST(EligibilityEngineTest, SocialInsuranceMatchesTheOldRulesOnRandomHistories) {
  auto custom = ParseCityPolicy(std::string(kHead) + R"(
[[eligibility.social_insurance]]
label_en = "medical, 6 continuous incl. this month, no back payments"
label_zh = "a"
risks = ["medical"]
continuous_months = 6
require_current_month = true
source = "a"

[[eligibility.social_insurance]]
label_en = "flexible, 8 of 12, back payments count"
label_zh = "b"
schemes = ["flexible"]
window_months = 12
min_months_in_window = 8
exclude_back_payments = false
source = "b"

[[eligibility.social_insurance]]
label_en = "4 continuous and 5 of 6, back payments count"
label_zh = "c"
continuous_months = 4
window_months = 6
min_months_in_window = 5
exclude_back_payments = false
source = "c"
)",
                                "r.toml");
  ASSERT_TRUE(custom.ok()) << custom.error().message_en;
  std::mt19937 rng(20261115);
  auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const std::vector<const CityPolicy*> policies = {&Shanghai(), &Shenzhen(), &*custom};
  int passed = 0, failed = 0;
  for (int trial = 0; trial < 600; ++trial) {
    const CityPolicy& policy = *policies[static_cast<size_t>(trial) % policies.size()];
    Applicant a(policy.city, policy.city == "440300" ? "440305" : "310101", MakeDate(2024, 1, 1));
    const int n = 1 + pick(5);
    for (int k = 0; k < n; ++k) {
      const MonthIndex from = kNow - 28 + pick(30);
      const MonthIndex to = std::min(from + pick(14), kNow + 1);
      a.Si(from, to, pick(4) == 0, pick(4) == 0 ? InsuranceScheme::kFlexible : InsuranceScheme::kEmployee,
           pick(3) == 0 ? InsuranceRisk::kMedical : InsuranceRisk::kPension, pick(8) == 0 ? "320500" : "");
    }
    const OldAnswer old = OldSocialInsurance(policy, a.records, kToday);
    const RuleResult& r = RuleOf(EvaluateEligibility(policy, a.Input()), "social_insurance");
    SCOPED_TRACE("trial " + std::to_string(trial) + " policy " + policy.file + ": " + r.detail_en);
    ASSERT_EQ(r.status == RuleStatus::kPassed, old.passed);
    if (old.passed) {
      ++passed;
      EXPECT_EQ(r.source, policy.eligibility.social_insurance[old.passing].source);
      EXPECT_EQ(r.engine->alternatives.size(), old.passing + 1);
    } else {
      ++failed;
      EXPECT_EQ(MissingText(r), "At least " + std::to_string(old.shortfall) +
                                    " more month(s) of social-insurance contributions in " + policy.city_name);
    }
    // The fast path (counted slots) agrees with the explanation for every alternative.
    const Ledger ledger = BuildLedger(a.reg.citizen_id, {a.reg}, {}, a.records, kToday);
    for (size_t i = 0; i < r.engine->alternatives.size(); ++i) {
      const PointsTable& t = policy.eligibility.social_insurance[i].table;
      const SlotValues slots = CountSlots(t, ledger, ContextFor(t, policy.city, kToday, nullptr));
      EXPECT_EQ(Evaluate(t, slots.values.data()).eligible, r.engine->alternatives[i].met);
    }
  }
  EXPECT_GT(passed, 50);  // both answers are well represented
  EXPECT_GT(failed, 50);
}

// ---- compiling and parsing ----

TEST(EligibilityEngineTest, ShippedAlternativesCompileToPreconditions) {
  const PointsTable& sh = Shanghai().eligibility.social_insurance.at(0).table;
  ASSERT_EQ(sh.preconditions.size(), 2u);
  EXPECT_EQ(sh.preconditions[0].id, kSiPaidInMonthPreconditionId);
  EXPECT_EQ(sh.preconditions[0].quantity.Key(), "si_months schemes=employee within_months=1");
  EXPECT_EQ(sh.preconditions[0].value, 1);
  EXPECT_EQ(sh.preconditions[1].quantity.Key(), "si_months schemes=employee within_months=12 before_as_of_month");
  EXPECT_EQ(sh.preconditions[1].value, 6);
  EXPECT_EQ(sh.slots.size(), 2u);
  const auto& sz = Shenzhen().eligibility.social_insurance;
  ASSERT_EQ(sz.size(), 2u);
  EXPECT_EQ(sz[0].table.preconditions.at(0).quantity.Key(), "si_continuous_months allow_unpaid_as_of_month");
  EXPECT_EQ(sz[0].table.preconditions.at(0).value, 12);
  EXPECT_EQ(sz[1].table.preconditions.at(0).quantity.Key(),
            "si_months back_payments=included within_months=24 before_as_of_month");
  EXPECT_EQ(sz[1].table.preconditions.at(0).value, 18);
  EXPECT_EQ(Shenzhen().eligibility.residence.preconditions.at(0).value, 12);
}

TEST(EligibilityEngineTest, AlternativeMayAddEnginePreconditions) {
  auto p = ParseCityPolicy(std::string(kHead) + R"(
[[eligibility.social_insurance]]
label_en = "6 months of housing fund"
label_zh = "公积金6个月"
source = "test fund"

[[eligibility.social_insurance.precondition]]
id = "fund"
title_en = "Housing fund months"
title_zh = "公积金月数"
source = "test fund"
quantity = { name = "housing_fund_months", within_months = 12 }
at_least = 6
)",
                           "f.toml");
  ASSERT_TRUE(p.ok()) << p.error().message_en;
  ASSERT_EQ(p->eligibility.social_insurance.at(0).table.preconditions.size(), 1u);
  auto with_fund = [&](int months) {
    Applicant a("310000", "310101", MakeDate(2025, 1, 1));
    a.records.housing_fund.push_back({{50, a.reg.citizen_id, "gjj"}, "310000", kNow - months + 1, kNow, false, false});
    return RuleOf(EvaluateEligibility(*p, a.Input()), "social_insurance");
  };
  const RuleResult six = with_fund(6);
  EXPECT_EQ(six.status, RuleStatus::kPassed) << six.detail_en;
  EXPECT_EQ(six.records_used, std::vector<std::string>{"housing_fund#50"});
  EXPECT_EQ(six.engine->alternatives[0].preconditions[0].quantity.name, "housing_fund_months");
  const RuleResult five = with_fund(5);
  EXPECT_EQ(five.status, RuleStatus::kFailed);
  EXPECT_NE(five.detail_en.find("Housing fund months: 5 (needs ≥ 6)"), std::string::npos) << five.detail_en;
  EXPECT_EQ(MissingText(five), "At least 1 more month(s) of social-insurance contributions in 上海市");
}

// Where `needle` starts in `text`, as a 1-based line number.
int LineOfText(const std::string& text, const std::string& needle) {
  const size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

TEST(EligibilityEngineTest, BadEligibilityQuantityParametersAreFileLineErrors) {
  const std::string alt = R"(
[[eligibility.social_insurance]]
label_en = "a"
label_zh = "b"
source = "s"
)";
  // A parameter the quantity does not take.
  const std::string bad_param = std::string(kHead) + alt + R"(
[[eligibility.social_insurance.precondition]]
id = "fund"
title_en = "x"
title_zh = "y"
source = "s"
quantity = { name = "housing_fund_months", within_month = 12 }
at_least = 6
)";
  auto p1 = ParseCityPolicy(bad_param, "policies/310000/e.toml");
  ASSERT_FALSE(p1.ok());
  EXPECT_EQ(p1.error().message_en, "policies/310000/e.toml:" + std::to_string(LineOfText(bad_param, "quantity = {")) +
                                       ": quantity 'housing_fund_months' takes no parameter 'within_month'");

  // A new parameter on a quantity that does not take it.
  const std::string wrong_quantity = std::string(kHead) + alt + R"(
[[eligibility.social_insurance.precondition]]
id = "run"
title_en = "x"
title_zh = "y"
source = "s"
quantity = { name = "si_continuous_months", before_as_of_month = true }
at_least = 6
)";
  auto p2 = ParseCityPolicy(wrong_quantity, "e.toml");
  ASSERT_FALSE(p2.ok());
  EXPECT_EQ(p2.error().message_en, "e.toml:" + std::to_string(LineOfText(wrong_quantity, "quantity = {")) +
                                       ": quantity 'si_continuous_months' takes no parameter 'before_as_of_month'");

  // An unknown quantity.
  std::string unknown = wrong_quantity;
  unknown.replace(unknown.find("si_continuous_months"), 20, "si_continous_months");
  auto p3 = ParseCityPolicy(unknown, "e.toml");
  ASSERT_FALSE(p3.ok());
  EXPECT_EQ(p3.error().message_en.rfind("e.toml:" + std::to_string(LineOfText(unknown, "quantity = {")) +
                                            ": unknown ledger quantity 'si_continous_months'",
                                        0),
            0u)
      << p3.error().message_en;

  // A misspelt shorthand key is refused, not ignored.
  const std::string typo =
      std::string(kHead) + alt + "window_months = 12\nmin_months_in_window = 6\n" + "require_current_monht = true\n";
  auto p4 = ParseCityPolicy(typo, "e.toml");
  ASSERT_FALSE(p4.ok());
  EXPECT_EQ(p4.error().message_en, "e.toml:" + std::to_string(LineOfText(typo, "require_current_monht")) +
                                       ": unknown key 'require_current_monht' in [[eligibility.social_insurance]]");
  std::string elig_typo = std::string(kHead) + "min_residence_month = 6\n";
  auto p5 = ParseCityPolicy(elig_typo, "e.toml");
  ASSERT_FALSE(p5.ok());
  EXPECT_EQ(p5.error().message_en, "e.toml:" + std::to_string(LineOfText(elig_typo, "min_residence_month")) +
                                       ": unknown key 'min_residence_month' in [eligibility]");

  // A compiled precondition's id cannot be taken by a written one.
  std::string reserved = bad_param;
  reserved.replace(reserved.find("within_month = 12"), 17, "within_months = 12");
  reserved.replace(reserved.find("id = \"fund\""), 11, "id = \"si_months_in_window\"");
  auto p6 = ParseCityPolicy(reserved, "e.toml");
  ASSERT_FALSE(p6.ok());
  EXPECT_NE(p6.error().message_en.find("is reserved"), std::string::npos) << p6.error().message_en;

  // An alternative with nothing to check.
  auto p7 = ParseCityPolicy(std::string(kHead) + alt, "e.toml");
  ASSERT_FALSE(p7.ok());
  EXPECT_NE(
      p7.error().message_en.find("needs require_current_month, continuous_months, window_months or a precondition"),
      std::string::npos)
      << p7.error().message_en;
  // Paid in the application month is a condition on its own (docs/POLICIES.md [eligibility]).
  auto p8 = ParseCityPolicy(std::string(kHead) + alt + "require_current_month = true\n", "e.toml");
  ASSERT_TRUE(p8.ok()) << p8.error().message_en;
  ASSERT_EQ(p8->eligibility.social_insurance.size(), 1u);
  const PointsTable& only_this_month = p8->eligibility.social_insurance[0].table;
  ASSERT_EQ(only_this_month.preconditions.size(), 1u);
  EXPECT_EQ(only_this_month.preconditions[0].id, "si_paid_in_as_of_month");
}

// ---- the catalogue's additions, counted directly ----

TEST(EligibilityEngineTest, NewQuantityParametersCountAsDocumented) {
  Ledger l;
  l.social_insurance.push_back(
      {"310000", "", InsuranceScheme::kEmployee, InsuranceRisk::kPension, {kNow - 12, kNow - 1}, false, 0, 7});
  CountContext ctx;
  ctx.city = "310000";
  ctx.as_of = kToday;
  ctx.age_as_of = kToday;
  auto count = [&](QuantitySpec spec) { return Count(spec, l, ctx, {}, false).value; };
  QuantitySpec window;
  window.name = "si_months";
  window.within_months = 12;
  EXPECT_EQ(count(window), 11);  // the 12 months up to this one: this month unpaid, kNow-12 outside
  window.before_as_of_month = true;
  EXPECT_EQ(count(window), 12);  // the 12 months before this one
  QuantitySpec run;
  run.name = "si_continuous_months";
  EXPECT_EQ(count(run), 0);  // this month unpaid: no run to it
  run.allow_unpaid_as_of_month = true;
  EXPECT_EQ(count(run), 12);
  l.social_insurance.push_back(
      {"310000", "", InsuranceScheme::kEmployee, InsuranceRisk::kPension, {kNow, kNow}, false, 0, 8});
  EXPECT_EQ(count(run), 13);  // paid this month: the run includes it

  // residence_full_months: from the day the unbroken run began; a profile fact from the 1st.
  Ledger r;
  r.residence.push_back({"310000", "310101", {kNow - 30, kNow - 20}, "registration:old", MakeDate(2024, 5, 3)});
  r.residence.push_back({"310000", "310101", {kNow - 6, kNow}, "permit:N1", MakeDate(2026, 5, 20)});
  QuantitySpec full;
  full.name = "residence_full_months";
  const CountedValue v = Count(full, r, ctx, {}, true);
  EXPECT_EQ(v.value, 5);  // 2026-05-20 to 2026-11-15
  ASSERT_EQ(v.facts.size(), 1u);
  EXPECT_EQ(v.facts[0].ref, "permit:N1");
  r.residence[1].since = Date{};                       // only the months known
  EXPECT_EQ(Count(full, r, ctx, {}, false).value, 6);  // 2026-05-01 to 2026-11-15
  r.residence.pop_back();
  EXPECT_EQ(Count(full, r, ctx, {}, false).value, 0);  // no residence this month
}

}  // namespace
}  // namespace epermit::policy
