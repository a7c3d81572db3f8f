// The accumulation ledger built from hand-made registrations, permits and records: the
// residence rule (permit over registration, the 第十条 restart, lapse, revocation), months
// merged per city, every other fact kind, and the month-by-month JSON view.
#include "policy/ledger.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "domain/person_digest.hpp"

namespace epermit::policy {
namespace {

using domain::PermitState;
using nlohmann::json;

constexpr char kId[] = "11010519491231002X";        // born 1949-12-31, female (sequence 002)
constexpr char kSpouseId[] = "110105195103150024";  // must never appear in the view
const Date kToday = MakeDate(2026, 11, 15);

MonthIndex M(const char* ym) { return *ParseIsoMonth(ym); }
Date D(const char* ymd) { return *ParseIsoDate(ymd); }

domain::Registration Reg(const std::string& id, const std::string& city, const char* on,
                         const std::string& district = "310104") {
  domain::Registration r;
  r.id = id;
  r.citizen_id = kId;
  r.city = city;
  r.division_code = district;
  r.registered_on = D(on);
  return r;
}

domain::Permit Permit(const std::string& number, PermitState state, const char* since, const char* until,
                      int version = 1) {
  domain::Permit p;
  p.number = number;
  p.version = version;
  p.city = "310000";
  p.citizen_id = kId;
  p.residence_division = "310101";
  p.state = state;
  p.issue_date = D(since);
  p.residence_since = D(since);
  p.endorsed_until = D(until);
  return p;
}

int TotalMonths(const Ledger& l, const std::string& city) {
  int n = 0;
  for (const auto& r : l.residence) n += r.city == city ? r.period.Months() : 0;
  return n;
}

Ledger Build(const std::vector<domain::Registration>& regs, const std::vector<domain::Permit>& permits,
             const domain::RecordBundle& records = {}, Date today = kToday) {
  return BuildLedger(kId, regs, permits, records, today);
}

TEST(LedgerTest, PersonFactsFromTheIdAndTheLatestStatedPost) {
  domain::RecordBundle records;
  domain::EmploymentRecord older;
  older.h.id = 1;
  older.from = D("2010-01-01");
  older.post_type = domain::PostType::kCadre;
  domain::EmploymentRecord newer_unstated;
  newer_unstated.h.id = 2;
  newer_unstated.from = D("2020-01-01");
  records.employment = {older, newer_unstated};
  Ledger l = Build({}, {}, records);
  EXPECT_EQ(l.birth_date, D("1949-12-31"));
  EXPECT_EQ(l.sex, domain::Sex::kFemale);
  EXPECT_EQ(l.post_type, PostType::kCadre);  // the newer record states no post

  domain::EmploymentRecord newest = newer_unstated;
  newest.h.id = 3;
  newest.from = D("2024-01-01");
  newest.post_type = domain::PostType::kWorker;
  records.employment.push_back(newest);
  EXPECT_EQ(Build({}, {}, records).post_type, PostType::kWorker);
  EXPECT_EQ(Build({}, {}).post_type, PostType::kWorker);  // the default
}

TEST(LedgerTest, RegistrationCountsToTodayInACityWithoutAPermit) {
  Ledger l = Build({Reg("reg_1", "310000", "2026-03-15")}, {});
  ASSERT_EQ(l.residence.size(), 1u);
  EXPECT_EQ(l.residence[0].city, "310000");
  EXPECT_EQ(l.residence[0].district, "310104");
  EXPECT_EQ(l.residence[0].source, "registration:reg_1");
  EXPECT_EQ(l.residence[0].period.from, M("2026-03"));
  EXPECT_EQ(l.residence[0].period.to, M("2026-11"));
  EXPECT_EQ(TotalMonths(l, "310000"), 9);
}

TEST(LedgerTest, AnActivePermitGovernsItsCity) {
  Ledger l =
      Build({Reg("reg_1", "310000", "2025-01-10")}, {Permit("N1", PermitState::kActive, "2025-06-20", "2027-06-20")});
  ASSERT_EQ(l.residence.size(), 1u);
  EXPECT_EQ(l.residence[0].source, "permit:N1");
  EXPECT_EQ(l.residence[0].district, "310101");
  EXPECT_EQ(l.residence[0].period.from, M("2025-06"));  // the registration's earlier months do not count
  EXPECT_EQ(l.residence[0].period.to, M("2026-11"));
  ASSERT_EQ(l.permits.size(), 1u);
  EXPECT_EQ(l.permits[0].state, PermitState::kActive);
}

TEST(LedgerTest, LateEndorsementRestartsTheCount) {
  // Registered 2024-03-15, permit issued then; the 2025-03-15 anniversary was missed and the
  // permit endorsed late on 2025-05-02: residence_since moved there (条例 第十条).
  domain::Permit restarted = Permit("N1", PermitState::kActive, "2025-05-02", "2026-05-02");
  restarted.issue_date = D("2024-03-15");
  restarted.endorsed_until = D("2027-05-02");  // endorsed again on time in 2026
  Ledger l = Build({Reg("reg_1", "310000", "2024-03-15")}, {restarted});
  ASSERT_EQ(l.residence.size(), 1u);
  EXPECT_EQ(l.residence[0].period.from, M("2025-05"));
  EXPECT_EQ(l.residence[0].period.to, M("2026-11"));
  EXPECT_EQ(TotalMonths(l, "310000"), 19);  // not the 33 months since registration
}

TEST(LedgerTest, SuspendedOrLapsedPermitsStopBeforeTheirAnniversary) {
  Ledger suspended = Build({}, {Permit("N1", PermitState::kSuspended, "2025-03-15", "2026-03-15")});
  ASSERT_EQ(suspended.residence.size(), 1u);
  EXPECT_EQ(suspended.residence[0].period.to, M("2026-03"));  // last valid day 2026-03-14

  // An anniversary on the 1st: the last valid day is in the month before.
  Ledger first_of_month = Build({}, {Permit("N1", PermitState::kSuspended, "2025-03-01", "2026-03-01")});
  EXPECT_EQ(first_of_month.residence[0].period.to, M("2026-02"));

  // Still stored active, but past its anniversary: counts (and shows) as suspended.
  Ledger lapsed = Build({}, {Permit("N1", PermitState::kActive, "2025-03-15", "2026-03-15")});
  EXPECT_EQ(lapsed.residence[0].period.to, M("2026-03"));
  EXPECT_EQ(lapsed.permits[0].state, PermitState::kSuspended);
}

TEST(LedgerTest, RevokedPermitStopsOnTheDayItWasRevoked) {
  domain::Permit revoked = Permit("N1", PermitState::kRevoked, "2025-03-15", "2027-03-15");
  revoked.updated_at =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::sys_days(D("2026-07-10")).time_since_epoch())
          .count();
  Ledger l = Build({Reg("reg_1", "310000", "2025-03-15")}, {revoked});
  ASSERT_EQ(l.residence.size(), 1u);
  EXPECT_EQ(l.residence[0].period.to, M("2026-07"));
  EXPECT_EQ(l.permits[0].state, PermitState::kRevoked);
  // Without a change time, the anniversary bounds it.
  revoked.updated_at = 0;
  revoked.endorsed_until = D("2026-09-15");
  EXPECT_EQ(Build({}, {revoked}).residence[0].period.to, M("2026-09"));
}

TEST(LedgerTest, MonthsCoveredTwiceCountOnce) {
  // Version 1 replaced by version 2 (same residence start); a later cancelled permit and a
  // current one overlap too. Every month of 310000 counts once.
  domain::Permit v1 = Permit("N1v1", PermitState::kReplaced, "2024-01-10", "2025-01-10", 1);
  domain::Permit v2 = Permit("N1v2", PermitState::kCancelled, "2024-01-10", "2025-01-10", 2);
  domain::Permit again = Permit("N2", PermitState::kActive, "2024-12-20", "2027-12-20");
  Ledger l = Build({Reg("reg_9", "440300", "2026-01-05", "440305")}, {v1, v2, again});
  int shanghai = 0;
  std::vector<MonthIndex> seen;
  for (const auto& r : l.residence) {
    if (r.city != "310000") continue;
    shanghai += r.period.Months();
    for (MonthIndex m = r.period.from; m <= r.period.to; ++m) seen.push_back(m);
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end()) << "a month counted twice";
  EXPECT_EQ(shanghai, M("2026-11") - M("2024-01") + 1);  // 2024-01 .. 2026-11, each once
  // The newer version gets the months both versions cover; the later permit the rest.
  ASSERT_GE(l.residence.size(), 2u);
  EXPECT_EQ(l.residence[0].source, "permit:N1v2");
  EXPECT_EQ(l.residence[0].period.to, M("2025-01"));
  EXPECT_EQ(l.residence[1].source, "permit:N2");
  EXPECT_EQ(l.residence[1].period.from, M("2025-02"));
  // Shenzhen: registration only, its own city.
  EXPECT_EQ(TotalMonths(l, "440300"), 11);
}

domain::RecordBundle EveryKind() {
  domain::RecordBundle b;
  domain::SocialInsuranceRecord si;
  si.h.id = 11;
  si.city = "310000";
  si.scheme = domain::InsuranceScheme::kEmployee;
  si.risk = domain::InsuranceRisk::kPension;
  si.from_month = M("2026-01");
  si.to_month = M("2026-10");
  si.division_code = "310104";
  si.base_ratio_pct = 120;
  b.social_insurance.push_back(si);
  si.h.id = 12;
  si.risk = domain::InsuranceRisk::kMedical;
  si.from_month = M("2025-11");
  si.to_month = M("2025-12");
  si.back_payment = true;
  b.social_insurance.push_back(si);

  domain::HousingRecord home;
  home.h.id = 21;
  home.city = "310000";
  home.division_code = "310105";
  home.tenure = domain::Tenure::kRented;
  home.from = D("2025-11-20");
  home.to = D("2026-06-30");
  b.housing.push_back(home);
  home.h.id = 22;
  home.division_code = "310115";
  home.tenure = domain::Tenure::kOwn;
  home.from = D("2026-06-01");
  home.to.reset();
  b.housing.push_back(home);

  domain::HousingFundRecord fund;
  fund.h.id = 31;
  fund.city = "310000";
  fund.from_month = M("2026-03");
  fund.to_month = M("2026-11");
  b.housing_fund.push_back(fund);
  fund.h.id = 32;
  fund.from_month = M("2025-01");
  fund.to_month = M("2025-12");
  fund.transferred_in = true;
  b.housing_fund.push_back(fund);

  domain::IncomeTaxRecord tax;
  tax.h.id = 41;
  tax.city = "310000";
  tax.year = 2025;
  tax.yuan = 12000;
  b.income_tax.push_back(tax);
  tax.h.id = 42;
  tax.city = "440300";
  tax.yuan = 800;
  b.income_tax.push_back(tax);

  domain::EnrollmentRecord study;
  study.h.id = 51;
  study.city = "310000";
  study.school = "复旦大学";
  study.from = D("2026-09-01");
  b.enrollment.push_back(study);

  domain::EducationRecord edu;
  edu.h.id = 61;
  edu.level = domain::EducationLevel::kMaster;
  edu.degree = true;
  edu.completed_on = D("1975-07-01");
  edu.shortage_major = true;
  b.education.push_back(edu);

  domain::QualificationRecord q;
  q.h.id = 71;
  q.kind = domain::QualificationKind::kTitle;
  q.level = 2;
  q.obtained_on = D("1990-12-01");
  q.city = "310000";
  b.qualifications.push_back(q);

  domain::HonourRecord honour;
  honour.h.id = 81;
  honour.level = "national_model_worker";
  honour.title = "全国劳动模范";
  honour.awarded_on = D("1995-04-28");
  b.honours.push_back(honour);

  domain::ViolationRecord v;
  v.h.id = 91;
  v.kind = domain::ViolationKind::kTaxViolation;
  v.city = "310000";
  v.on = D("2024-06-01");
  b.violations.push_back(v);

  domain::FamilyRecord spouse;
  spouse.h.id = 101;
  spouse.relation = domain::FamilyRelation::kSpouse;
  spouse.member_citizen_id = kSpouseId;
  spouse.since = D("1975-05-01");
  spouse.hukou_division_code = "110103";  // retired code: Beijing
  b.family.push_back(spouse);
  spouse.h.id = 102;
  spouse.since = D("1990-05-01");
  spouse.hukou_division_code = "440305";
  b.family.push_back(spouse);
  domain::FamilyRecord child = spouse;
  child.h.id = 103;
  child.relation = domain::FamilyRelation::kChild;
  child.since = D("2000-01-01");
  child.hukou_division_code = "510104";
  b.family.push_back(child);
  return b;
}

TEST(LedgerTest, EveryOtherFactMapsFromItsRecord) {
  Ledger l = Build({}, {}, EveryKind());
  ASSERT_EQ(l.social_insurance.size(), 2u);
  EXPECT_EQ(l.social_insurance[0].district, "310104");
  EXPECT_EQ(l.social_insurance[0].base_ratio_pct, 120);
  EXPECT_EQ(l.social_insurance[0].period.Months(), 10);
  EXPECT_EQ(l.social_insurance[0].record_id, 11);
  EXPECT_TRUE(l.social_insurance[1].back_payment);

  ASSERT_EQ(l.homes.size(), 2u);
  EXPECT_EQ(l.homes[0].period.from, M("2025-11"));  // months touched by the dates
  EXPECT_EQ(l.homes[0].period.to, M("2026-06"));
  EXPECT_EQ(l.homes[1].tenure, domain::Tenure::kOwn);
  EXPECT_EQ(l.homes[1].period.to, M("2026-11"));  // open-ended: to today
  EXPECT_EQ(l.homes[1].district, "310115");

  ASSERT_EQ(l.housing_fund.size(), 2u);
  EXPECT_TRUE(l.housing_fund[1].transferred_in);
  ASSERT_EQ(l.tax.size(), 2u);
  EXPECT_EQ(l.tax[1].city, "440300");
  EXPECT_EQ(l.tax[1].yuan, 800);
  ASSERT_EQ(l.study.size(), 1u);
  EXPECT_EQ(l.study[0].period.Months(), 3);  // 2026-09 .. 2026-11
  ASSERT_EQ(l.education.size(), 1u);
  EXPECT_EQ(l.education[0].level, EducationLevel::kMaster);
  EXPECT_TRUE(l.education[0].shortage_major);
  ASSERT_EQ(l.qualifications.size(), 1u);
  EXPECT_EQ(l.qualifications[0].kind, QualificationKind::kTitle);
  EXPECT_EQ(l.qualifications[0].level, 2);
  ASSERT_EQ(l.honours.size(), 1u);
  EXPECT_EQ(l.honours[0].level, "national_model_worker");
  ASSERT_EQ(l.violations.size(), 1u);
  EXPECT_EQ(l.violations[0].kind, ViolationKind::kTaxViolation);
  ASSERT_TRUE(l.spouse.has_value());  // the latest marriage
  EXPECT_EQ(l.spouse->record_id, 102);
  EXPECT_EQ(l.spouse->hukou_city, "440300");
  EXPECT_EQ(l.spouse->married_on, D("1990-05-01"));
}

TEST(LedgerTest, FactsAfterTodayDoNotCount) {
  domain::RecordBundle b;
  domain::HousingRecord home;
  home.city = "310000";
  home.division_code = "310105";
  home.from = D("2027-01-01");  // stored with a later clock; not yet here
  b.housing.push_back(home);
  Ledger l = Build({Reg("reg_1", "310000", "2027-02-01")}, {}, b);
  EXPECT_TRUE(l.homes.empty());
  EXPECT_TRUE(l.residence.empty());
}

TEST(LedgerTest, JsonViewPerCityAndMonth) {
  Ledger l = Build({Reg("reg_1", "310000", "2026-03-15")}, {}, EveryKind());
  json j = LedgerToJson(l, kToday);
  const std::string text = j.dump();
  EXPECT_EQ(text.find(kId), std::string::npos) << "the citizen ID is masked";
  EXPECT_EQ(text.find(kSpouseId), std::string::npos);
  EXPECT_EQ(j["citizen_id_masked"], "110105********002X");
  EXPECT_EQ(j["sex"], "female");
  EXPECT_EQ(j["post_type"], "worker");
  EXPECT_EQ(j["as_of"], "2026-11-15");

  ASSERT_EQ(j["cities"].size(), 1u);  // Shenzhen has only tax, which is per year
  const json& sh = j["cities"][0];
  EXPECT_EQ(sh["city"], "310000");
  const json& months = sh["months"];
  ASSERT_EQ(months.front()["month"], "2025-01");  // the transferred-in fund months are the earliest
  ASSERT_EQ(months.back()["month"], "2026-11");
  ASSERT_EQ(months.size(), 23u);
  auto month = [&](const char* ym) -> const json& {
    for (const json& m : months)
      if (m["month"] == ym) return m;
    static const json kNone;
    return kNone;
  };

  const json& jan25 = month("2025-01");
  EXPECT_FALSE(jan25["residence"].get<bool>());
  EXPECT_TRUE(jan25["home"].is_null());
  EXPECT_EQ(jan25["housing_fund"], "transferred_in");
  EXPECT_EQ(jan25["social_insurance"], json::object());

  const json& dec25 = month("2025-12");
  EXPECT_EQ(dec25["social_insurance"]["employee"]["medical"], "back_payment");
  EXPECT_EQ(dec25["home"]["tenure"], "rented");
  EXPECT_EQ(dec25["home"]["district"], "310105");
  EXPECT_EQ(dec25["sources"]["home"], json::array({"housing#21"}));

  const json& jun26 = month("2026-06");  // the own home started that month: it is the home shown
  EXPECT_EQ(jun26["home"]["tenure"], "own");
  EXPECT_TRUE(jun26["residence"].get<bool>());
  EXPECT_EQ(jun26["sources"]["residence"], json::array({"registration:reg_1"}));
  EXPECT_EQ(jun26["social_insurance"]["employee"]["pension"], "paid");
  EXPECT_EQ(jun26["sources"]["social_insurance"], json::array({"social_insurance#11"}));
  EXPECT_EQ(jun26["housing_fund"], "paid");
  EXPECT_FALSE(jun26["study"].get<bool>());

  const json& oct26 = month("2026-10");
  EXPECT_TRUE(oct26["study"].get<bool>());
  EXPECT_EQ(oct26["sources"]["study"], json::array({"enrollment#51"}));
  EXPECT_EQ(month("2026-11")["social_insurance"], json::object());

  ASSERT_EQ(j["income_tax"].size(), 1u);
  EXPECT_EQ(j["income_tax"][0]["year"], 2025);
  ASSERT_EQ(j["income_tax"][0]["cities"].size(), 2u);
  EXPECT_EQ(j["income_tax"][0]["cities"][0]["city"], "310000");
  EXPECT_EQ(j["income_tax"][0]["cities"][0]["yuan"], 12000);
  EXPECT_EQ(j["income_tax"][0]["cities"][0]["record_ids"], json::array({41}));

  EXPECT_EQ(j["education"][0]["level"], "master");
  EXPECT_EQ(j["education"][0]["record_id"], 61);
  EXPECT_EQ(j["qualifications"][0]["type"], "title");
  EXPECT_EQ(j["honours"][0]["level"], "national_model_worker");
  EXPECT_EQ(j["violations"][0]["type"], "tax_violation");
  EXPECT_EQ(j["spouse"]["hukou_city"], "440300");
  EXPECT_EQ(j["spouse"]["record_id"], 102);
  EXPECT_EQ(j["residence"][0]["months"], 9);
  EXPECT_TRUE(j["permits"].empty());
}

TEST(LedgerTest, EnumNamesRoundTrip) {
  for (auto p : {PostType::kWorker, PostType::kCadre}) EXPECT_EQ(ParsePostType(ToString(p)), p);
  for (int i = 0; i <= static_cast<int>(EducationLevel::kDoctor); ++i) {
    auto e = static_cast<EducationLevel>(i);
    EXPECT_EQ(ParseEducationLevel(ToString(e)), e);
  }
  EXPECT_EQ(ParseEducationLevel("bachelor"), EducationLevel::kBachelor);
  EXPECT_EQ(ParseQualificationKind("title"), QualificationKind::kTitle);
  EXPECT_EQ(ParseViolationKind("serious_crime"), ViolationKind::kSeriousCrime);
  EXPECT_FALSE(ParseViolationKind("parking").has_value());
}

// ---- the person digest (domain/person_digest.hpp): the ledger's inputs in compact form ----

domain::PersonInputs EveryInput() {
  domain::PersonInputs p;
  p.citizen_id = kId;
  p.registrations = {Reg("reg_1", "310000", "2019-03-15"), Reg("reg_2", "440300", "2021-07-01", "440305")};
  p.registrations[0].name = "张三";  // not kept: the ledger does not read it
  p.permits = {Permit("P1", PermitState::kReplaced, "2019-04-01", "2020-04-01"),
               Permit("P2", PermitState::kActive, "2019-04-01", "2026-04-01", 2),
               Permit("P3", PermitState::kRevoked, "2022-01-10", "2023-01-10")};
  p.permits[0].updated_at = 1580000000;
  p.permits[2].city = "440300";
  p.permits[2].updated_at = 1660000000;
  p.records = EveryKind();
  domain::EmploymentRecord job;
  job.h.id = 5;
  job.city = "310000";
  job.employer_name = "某公司";
  job.from = D("2019-01-01");
  job.post_type = domain::PostType::kCadre;
  p.records.employment.push_back(job);
  job.h.id = 6;
  job.from = D("2024-01-01");
  job.post_type.reset();
  p.records.employment.push_back(job);
  domain::EnrollmentRecord ended;
  ended.h.id = 52;
  ended.city = "440300";
  ended.from = D("2021-09-01");
  ended.to = D("2022-06-30");
  p.records.enrollment.push_back(ended);
  return p;
}

TEST(PersonDigestTest, TheLedgerFromADigestIsTheLedgerFromTheRows) {
  const domain::PersonInputs rows = EveryInput();
  const std::string digest = domain::EncodePersonDigest(rows);
  domain::PersonInputs back;
  back.citizen_id = kId;
  ASSERT_TRUE(domain::DecodePersonDigest(digest, back).ok());
  EXPECT_EQ(digest.find("张三"), std::string::npos) << "a digest keeps no names";
  EXPECT_EQ(digest.find("某公司"), std::string::npos);
  // On several days: past, at and after an anniversary, so every residence rule is reached.
  for (const char* day : {"2020-06-01", "2026-03-31", "2026-04-01", "2026-11-15", "2031-01-01"}) {
    const Ledger a = BuildLedger(kId, rows.registrations, rows.permits, rows.records, D(day));
    const Ledger b = BuildLedger(kId, back.registrations, back.permits, back.records, D(day));
    EXPECT_EQ(LedgerToJson(a, D(day)), LedgerToJson(b, D(day))) << day;
    EXPECT_EQ(a.post_type, b.post_type);
    EXPECT_EQ(a.birth_date, b.birth_date);
  }
  EXPECT_EQ(back.records.employment.at(0).post_type, domain::PostType::kCadre);
  EXPECT_FALSE(back.records.employment.at(1).post_type.has_value());
  EXPECT_EQ(back.records.housing.at(1).to, std::nullopt);
  EXPECT_EQ(back.records.enrollment.at(1).to, D("2022-06-30"));
  EXPECT_EQ(back.permits.at(2).updated_at, 1660000000);
  // Encoding is a function of the inputs: the same person, the same bytes.
  EXPECT_EQ(domain::EncodePersonDigest(back), digest);
}

TEST(PersonDigestTest, ADamagedDigestIsAnErrorAndNoPartialPerson) {
  const std::string digest = domain::EncodePersonDigest(EveryInput());
  auto refused = [](const std::string& bytes) {
    domain::PersonInputs p;
    p.citizen_id = kId;
    const Status s = domain::DecodePersonDigest(bytes, p);
    return !s.ok() && s.error().code == "store.digest_invalid" && p.registrations.empty() && p.permits.empty() &&
           p.records.social_insurance.empty() && p.records.family.empty();
  };
  for (size_t n = 0; n < digest.size(); ++n) EXPECT_TRUE(refused(digest.substr(0, n))) << "cut at " << n;
  EXPECT_TRUE(refused(digest + '\0')) << "a byte too many";
  std::string other_version = digest;
  other_version[0] = 2;
  EXPECT_TRUE(refused(other_version));
  // An enum beyond its values (a permit's state) is damage, not a new state: the byte is
  // where two digests differing only in the state differ.
  domain::PersonInputs one;
  one.permits = {Permit("P1", PermitState::kActive, "2019-04-01", "2020-04-01")};
  const std::string active = domain::EncodePersonDigest(one);
  one.permits[0].state = PermitState::kCancelled;
  std::string bad_state = domain::EncodePersonDigest(one);
  ASSERT_EQ(active.size(), bad_state.size());
  const size_t state_at =
      static_cast<size_t>(std::mismatch(active.begin(), active.end(), bad_state.begin()).first - active.begin());
  ASSERT_LT(state_at, active.size());
  domain::PersonInputs ok;
  EXPECT_TRUE(domain::DecodePersonDigest(bad_state, ok).ok());  // the last state there is
  bad_state[state_at] = 5;                                      // one past it
  EXPECT_TRUE(refused(bad_state));
  // Random bytes never crash the reader (the test build runs under ASan and UBSan).
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string noise(rng() % 64, '\0');
    for (char& c : noise) c = static_cast<char>(rng());
    if (!noise.empty() && rng() % 2 == 0) noise[0] = 1;
    domain::PersonInputs p;
    (void)domain::DecodePersonDigest(noise, p);
  }
}

}  // namespace
}  // namespace epermit::policy
