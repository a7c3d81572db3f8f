// A small builder of accumulation ledgers for the points tests: each call adds one fact with
// the next record id, so explanations name records as a department import would.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/date.hpp"
#include "policy/ledger.hpp"

namespace epermit::policy::testing_ledger {

using domain::InsuranceRisk;
using domain::InsuranceScheme;
using domain::PermitState;
using domain::Tenure;

struct Si {                   // one social-insurance fact's options
  std::string district = "";  // where it is paid ("" = not known / 市本级)
  bool back = false;          // 补缴
  int base_pct = 0;           // contribution base, % of the average wage
  InsuranceScheme scheme = InsuranceScheme::kEmployee;
  std::vector<InsuranceRisk> risks = {InsuranceRisk::kPension, InsuranceRisk::kMedical, InsuranceRisk::kUnemployment,
                                      InsuranceRisk::kWorkInjury, InsuranceRisk::kMaternity};
};

inline MonthIndex M(const char* iso_month) {
  auto m = ParseIsoMonth(iso_month);
  EXPECT_TRUE(m.has_value()) << iso_month;
  return m.value_or(0);
}

inline Date D(int y, unsigned m, unsigned d) { return MakeDate(y, m, d); }

struct L {
  Ledger l;
  int64_t next_id = 1;

  L& Born(int y, unsigned m, unsigned d) {
    l.birth_date = D(y, m, d);
    return *this;
  }
  L& Female(PostType post = PostType::kWorker) {
    l.sex = domain::Sex::kFemale;
    l.post_type = post;
    return *this;
  }
  L& Permit(const std::string& city, Date issued, PermitState state = PermitState::kActive) {
    l.permits.push_back({city, "P" + std::to_string(next_id++), state, issued, issued});
    return *this;
  }
  L& Insured(const std::string& city, const char* from, const char* to, Si o = {}) {
    for (InsuranceRisk r : o.risks) {
      SocialInsuranceFact f;
      f.city = city;
      f.district = o.district;
      f.scheme = o.scheme;
      f.risk = r;
      f.period = {M(from), M(to)};
      f.back_payment = o.back;
      f.base_ratio_pct = o.base_pct;
      f.record_id = next_id++;
      l.social_insurance.push_back(f);
    }
    return *this;
  }
  L& Home(Tenure t, const std::string& city, const std::string& district, const char* from, const char* to) {
    l.homes.push_back({city, district, t, {M(from), M(to)}, next_id++});
    return *this;
  }
  L& Own(const std::string& city, const std::string& district, const char* from, const char* to) {
    return Home(Tenure::kOwn, city, district, from, to);
  }
  L& Rent(const std::string& city, const std::string& district, const char* from, const char* to) {
    return Home(Tenure::kRented, city, district, from, to);
  }
  L& Study(const std::string& city, const char* from, const char* to) {
    l.study.push_back({city, "某大学", {M(from), M(to)}, next_id++});
    return *this;
  }
  L& Edu(EducationLevel level, bool diploma, bool degree, Date completed, bool shortage_major = false) {
    EducationFact e;
    e.level = level;
    e.diploma = diploma;
    e.degree = degree;
    e.completed_on = completed;
    e.full_time = true;
    e.shortage_major = shortage_major;
    e.record_id = next_id++;
    l.education.push_back(e);
    return *this;
  }
  L& Qual(QualificationKind kind, int level, const std::string& city, Date obtained) {
    l.qualifications.push_back({kind, level, obtained, city, next_id++});
    return *this;
  }
  L& Honour(const std::string& level, Date awarded) {
    l.honours.push_back({level, "表彰", awarded, next_id++});
    return *this;
  }
  L& Violation(ViolationKind kind, const std::string& city, Date on) {
    l.violations.push_back({kind, city, on, next_id++});
    return *this;
  }
  L& Tax(const std::string& city, int year, int64_t yuan) {
    l.tax.push_back({city, year, yuan, next_id++});
    return *this;
  }
  L& Spouse(const std::string& hukou_city, Date married) {
    l.spouse = SpouseFact{hukou_city, married, next_id++};
    return *this;
  }
};

}  // namespace epermit::policy::testing_ledger
