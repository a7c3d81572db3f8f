// A synthetic Beijing population for the `policy simulate` benchmark (bench/simulate.sh):
// N people, each with a registration, an active permit and the department records the
// Beijing points table reads (employee pension and medical insurance, sometimes with a
// break; a rented or own home in one of the districts; a degree; for some, income tax),
// written through the store like an import. Deterministic in N.
//
//   population_seed DB N
#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "app/data_key_file.hpp"
#include "common/clock.hpp"
#include "domain/citizen_id.hpp"
#include "domain/record_codec.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace {

using namespace epermit;  // NOLINT(google-build-using-namespace): a small tool
using nlohmann::json;

const char* const kHukouCounties[] = {"130102", "410105", "320102", "510104", "430102",
                                      "370102", "340102", "360102", "420102", "610102"};
const char* const kBeijingDistricts[] = {"110101", "110102", "110105", "110106", "110107", "110108",
                                         "110109", "110111", "110112", "110113", "110114", "110115"};
constexpr int64_t kBirthDays = 9125;  // 25 years of birth dates per county, from 1975

std::string CitizenIdOf(int64_t i) {
  const int64_t counties = std::size(kHukouCounties);
  // Spread over the 25 years (7919 is prime to kBirthDays, so the mapping stays one to one).
  const Date birth = MakeDate(1975, 1, 1) + std::chrono::days((i / counties) * 7919 % kBirthDays);
  const std::chrono::year_month_day ymd{birth};
  char first17[18];
  std::snprintf(first17, sizeof first17, "%s%04d%02u%02u%03u", kHukouCounties[i % counties],
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<unsigned>((i / (counties * kBirthDays)) % 1000));
  return std::string(first17, 17) + domain::CitizenIdCheckChar(std::string_view(first17, 17));
}

json Si(const std::string& id, const char* risk, MonthIndex from, MonthIndex to) {
  return {{"kind", "social_insurance"}, {"citizen_id", id}, {"source", "110000-rsj"},       {"city", "110000"},
          {"scheme", "employee"},       {"risk", risk},     {"from", FormatIsoMonth(from)}, {"to", FormatIsoMonth(to)},
          {"back_payment", false}};
}

struct Person {
  domain::Registration registration;
  domain::Permit permit;
  std::vector<store::StoredRecord> records;
};

Person MakePerson(int64_t i, std::mt19937_64& rng, Date today, int64_t now_unix) {
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  Person p;
  const std::string id = CitizenIdOf(i);
  const MonthIndex now = MonthOf(today);
  const int64_t si_months = pick(24, 240);
  const Date registered = AddMonths(today, -static_cast<int>(std::min<int64_t>(si_months, 180)));
  const std::string district = kBeijingDistricts[pick(0, std::size(kBeijingDistricts) - 1)];

  domain::Registration& r = p.registration;
  r.id = "reg_bench" + std::to_string(i);
  r.citizen_id = id;
  r.name = "居民";
  r.phone = "13800000000";
  r.city = "110000";
  r.division_code = district;
  r.address = "某街道1号";
  r.basis = domain::ResidenceBasis::kEmployment;
  r.registered_on = registered;
  r.actor = "bench";
  r.created_at = now_unix;

  domain::Permit& m = p.permit;
  m.number = "110000B" + std::to_string(i);
  m.sequence = static_cast<uint64_t>(i) + 1;
  m.city = "110000";
  m.citizen_id = id;
  m.name = "居民";
  m.sex = (id[16] - '0') % 2 == 1 ? domain::Sex::kMale : domain::Sex::kFemale;
  m.ethnicity = "汉";
  m.birth_date = MakeDate(1975, 1, 1);  // not read by the ledger (the ID carries it)
  m.photo_ref = "bench";
  m.hukou_address = "户籍地址";
  m.residence_division = district;
  m.residence_address = "某街道1号";
  m.issuing_authority = "北京市公安局";
  m.issue_date = AddMonths(registered, 6);
  m.residence_since = registered;
  const int years_held = static_cast<int>(std::chrono::year_month_day{today}.year()) -
                         static_cast<int>(std::chrono::year_month_day{m.issue_date}.year());
  m.endorsed_until = AddYears(m.issue_date, years_held + 1);  // the next anniversary, after today
  m.updated_at = now_unix;

  std::vector<json> recs;
  // Insurance from `si_months` ago to now, a third of people with a break of 1-6 months.
  const MonthIndex start = now - static_cast<MonthIndex>(si_months) + 1;
  if (pick(0, 2) == 0 && si_months > 36) {
    const MonthIndex gap_from = start + static_cast<MonthIndex>(pick(12, si_months - 13));
    const MonthIndex gap_to = gap_from + static_cast<MonthIndex>(pick(0, 5));
    for (const char* risk : {"pension", "medical"}) {
      recs.push_back(Si(id, risk, start, gap_from - 1));
      recs.push_back(Si(id, risk, gap_to + 1, now));
    }
  } else {
    for (const char* risk : {"pension", "medical"}) recs.push_back(Si(id, risk, start, now));
  }
  recs.push_back({{"kind", "housing"},
                  {"citizen_id", id},
                  {"source", "110000-zjw"},
                  {"city", "110000"},
                  {"division_code", district},
                  {"tenure", pick(0, 9) < 3 ? "own" : "rented"},
                  {"registration_no", "ZL" + std::to_string(100000 + i % 900000)},
                  {"from", FormatIsoDate(registered)},
                  {"to", nullptr}});
  if (pick(0, 9) < 8) {
    const char* levels[] = {"junior_college", "bachelor", "master", "doctor"};
    recs.push_back({{"kind", "education"},
                    {"citizen_id", id},
                    {"source", "jyb-xxw"},
                    {"level", levels[pick(0, 3)]},
                    {"diploma", true},
                    {"degree", true},
                    {"completed_on", FormatIsoDate(AddYears(registered, -1))},
                    {"full_time", true},
                    {"shortage_major", false}});
  }
  if (pick(0, 9) == 0) {
    const int year = static_cast<int>(std::chrono::year_month_day{today}.year());
    for (int y = year - 3; y < year; ++y) {
      recs.push_back({{"kind", "income_tax"},
                      {"citizen_id", id},
                      {"source", "110000-sw"},
                      {"city", "110000"},
                      {"year", y},
                      {"yuan", pick(20000, 300000)}});
    }
  }
  for (const json& rec : recs) {
    auto parsed = domain::ParseRecord(rec, today);
    if (!parsed.ok()) {
      std::cerr << "bad synthetic record: " << parsed.error().message_en << "\n" << rec.dump() << "\n";
      std::exit(1);
    }
    p.records.push_back(
        {domain::KindOf(*parsed), id, domain::HeaderOf(*parsed).source, domain::RecordToJson(*parsed).dump()});
  }
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: population_seed DB N\n";
    return 2;
  }
  const int64_t n = std::stoll(argv[2]);
  SystemClock clock;
  const Date today = clock.Today();
  const int64_t now_unix = clock.UnixSeconds();
  app::Config config;
  config.db_path = argv[1];  // data keys in keys/data-keys.keyring beside it, created when missing
  auto store = app::OpenNodeStore(config, config.db_path, true, 1, now_unix);
  if (!store.ok()) {
    std::cerr << store.error().message_en << "\n";
    return 1;
  }
  std::mt19937_64 rng(20261128);
  constexpr int64_t kBatch = 5000;
  for (int64_t from = 0; from < n; from += kBatch) {
    std::vector<Person> people;
    for (int64_t i = from; i < std::min(n, from + kBatch); ++i) people.push_back(MakePerson(i, rng, today, now_unix));
    Status s = (*store)->Write(store::Durability::kNormal, [&](store::Tx& tx) -> Status {
      for (const Person& p : people) {
        EPERMIT_RETURN_IF_ERROR(tx.InsertRegistration(p.registration));
        EPERMIT_RETURN_IF_ERROR(tx.InsertPermit(p.permit));
        EPERMIT_RETURN_IF_ERROR(tx.InsertRecords(p.records, now_unix));
      }
      return Status::Ok();
    });
    if (!s.ok()) {
      std::cerr << s.error().message_en << "\n";
      return 1;
    }
  }
  std::cout << "seeded " << n << " people into " << argv[1] << "\n";
  return 0;
}
