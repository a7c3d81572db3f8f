#include "policy/ledger.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <tuple>

#include "domain/citizen_id.hpp"
#include "domain/division.hpp"
#include "domain/permit_state.hpp"

namespace epermit::policy {
namespace {

using nlohmann::json;

// The civil date (China time) of a Unix timestamp.
Date DayOfUnix(int64_t unix_seconds) {
  return std::chrono::floor<std::chrono::days>(std::chrono::sys_seconds(std::chrono::seconds(unix_seconds)) +
                                               std::chrono::hours(8));
}

// The months touched by [from, to or today], never after today's month.
MonthPeriod MonthsTouched(Date from, const std::optional<Date>& to, Date today) {
  MonthIndex end = MonthOf(today);
  if (to) end = std::min(end, MonthOf(*to));
  return {MonthOf(from), end};
}

// The last day a permit's residence counts (see BuildLedger in the header).
Date PermitResidenceEnd(const domain::Permit& p, Date today) {
  const Date before_anniversary = p.endorsed_until - std::chrono::days(1);
  switch (p.state) {
    case domain::PermitState::kActive:
      return domain::HasLapsed(p, today) ? before_anniversary : today;
    case domain::PermitState::kSuspended:
      return before_anniversary;
    case domain::PermitState::kRevoked:
    case domain::PermitState::kCancelled:
    case domain::PermitState::kReplaced:
      return p.updated_at > 0 ? std::min(before_anniversary, DayOfUnix(p.updated_at)) : before_anniversary;
  }
  return before_anniversary;
}

struct ResidenceCandidate {
  std::string city;
  std::string district;
  std::string source;
  MonthPeriod period;
  int rank = 0;  // lower first among candidates starting the same month
  Date since{};  // the day it began
};

std::vector<ResidenceFact> Residence(const std::vector<domain::Registration>& registrations,
                                     const std::vector<domain::Permit>& permits, Date today) {
  std::vector<ResidenceCandidate> candidates;
  std::set<std::string> permit_cities;
  for (const domain::Permit& p : permits) {
    permit_cities.insert(p.city);
    const Date end = std::min(PermitResidenceEnd(p, today), today);
    if (end < p.residence_since) continue;
    // Newer versions first: a replacement carries the same residence start.
    candidates.push_back({p.city,
                          p.residence_division,
                          "permit:" + p.number,
                          {MonthOf(p.residence_since), MonthOf(end)},
                          -p.version,
                          p.residence_since});
  }
  for (const domain::Registration& r : registrations) {
    if (permit_cities.count(r.city) > 0 || r.registered_on > today) continue;
    candidates.push_back({r.city,
                          r.division_code,
                          "registration:" + r.id,
                          {MonthOf(r.registered_on), MonthOf(today)},
                          1,
                          r.registered_on});
  }
  std::sort(candidates.begin(), candidates.end(), [](const ResidenceCandidate& a, const ResidenceCandidate& b) {
    return std::tie(a.city, a.period.from, a.rank, a.source) < std::tie(b.city, b.period.from, b.rank, b.source);
  });
  std::vector<ResidenceFact> out;
  std::map<std::string, MonthIndex> covered_to;  // per city: every month up to here from the first is decided
  for (const ResidenceCandidate& c : candidates) {
    auto it = covered_to.find(c.city);
    MonthIndex from = c.period.from;
    if (it != covered_to.end()) from = std::max(from, it->second + 1);
    if (from > c.period.to) continue;
    covered_to[c.city] = c.period.to;
    if (!out.empty() && out.back().city == c.city && out.back().source == c.source &&
        out.back().period.to + 1 == from) {
      out.back().period.to = c.period.to;
      continue;
    }
    out.push_back({c.city, c.district, {from, c.period.to}, c.source, from == c.period.from ? c.since : Date{}});
  }
  return out;
}

std::string Ref(const char* kind, int64_t id) { return std::string(kind) + "#" + std::to_string(id); }

json OptDate(const Date& d) { return d == Date{} ? json(nullptr) : json(FormatIsoDate(d)); }

}  // namespace

Ledger BuildLedger(const std::string& citizen_id, const std::vector<domain::Registration>& registrations,
                   const std::vector<domain::Permit>& permits, const domain::RecordBundle& records, Date today) {
  Ledger l;
  l.citizen_id = citizen_id;
  if (auto id = domain::ParseCitizenId(citizen_id, today); id.ok()) {
    l.birth_date = id->birth_date;
    l.sex = id->sex == domain::CitizenId::Sex::kFemale ? domain::Sex::kFemale : domain::Sex::kMale;
  }

  const domain::EmploymentRecord* post = nullptr;
  for (const auto& e : records.employment) {
    if (!e.post_type) continue;
    if (post == nullptr || std::tie(e.from, e.h.id) > std::tie(post->from, post->h.id)) post = &e;
  }
  if (post != nullptr) l.post_type = *post->post_type;

  l.residence = Residence(registrations, permits, today);
  for (const domain::Permit& p : permits) {
    const domain::PermitState shown = domain::HasLapsed(p, today) ? domain::PermitState::kSuspended : p.state;
    l.permits.push_back({p.city, p.number, shown, p.issue_date, p.residence_since});
  }

  const MonthIndex this_month = MonthOf(today);
  for (const auto& r : records.social_insurance) {
    if (r.from_month > this_month) continue;
    l.social_insurance.push_back({r.city,
                                  r.division_code,
                                  r.scheme,
                                  r.risk,
                                  {r.from_month, std::min(r.to_month, this_month)},
                                  r.back_payment,
                                  r.base_ratio_pct,
                                  r.h.id});
  }
  for (const auto& r : records.housing) {
    MonthPeriod period = MonthsTouched(r.from, r.to, today);
    if (period.Empty()) continue;
    l.homes.push_back({r.city, r.division_code, r.tenure, period, r.h.id});
  }
  for (const auto& r : records.housing_fund) {
    if (r.from_month > this_month) continue;
    l.housing_fund.push_back(
        {r.city, {r.from_month, std::min(r.to_month, this_month)}, r.back_payment, r.transferred_in, r.h.id});
  }
  for (const auto& r : records.income_tax) l.tax.push_back({r.city, r.year, r.yuan, r.h.id});
  for (const auto& r : records.enrollment) {
    MonthPeriod period = MonthsTouched(r.from, r.to, today);
    if (period.Empty()) continue;
    l.study.push_back({r.city, r.school, period, r.h.id});
  }
  for (const auto& r : records.education) {
    l.education.push_back({r.level, r.diploma, r.degree, r.completed_on, r.full_time, r.shortage_major, r.h.id});
  }
  for (const auto& r : records.qualifications) {
    l.qualifications.push_back({r.kind, r.level, r.obtained_on, r.city, r.h.id});
  }
  for (const auto& r : records.honours) l.honours.push_back({r.level, r.title, r.awarded_on, r.h.id});
  for (const auto& r : records.violations) l.violations.push_back({r.kind, r.city, r.on, r.h.id});

  const domain::FamilyRecord* spouse = nullptr;
  for (const auto& f : records.family) {
    if (f.relation == domain::FamilyRelation::kChild && f.since <= today) {
      l.children.push_back({f.since, domain::DivisionRegistry::Builtin().CityOf(f.hukou_division_code), f.h.id});
    }
    if (f.relation != domain::FamilyRelation::kSpouse) continue;
    if (spouse == nullptr || std::tie(f.since, f.h.id) > std::tie(spouse->since, spouse->h.id)) spouse = &f;
  }
  if (spouse != nullptr) {
    l.spouse = SpouseFact{domain::DivisionRegistry::Builtin().CityOf(spouse->hukou_division_code), spouse->since,
                          spouse->h.id};
  }
  return l;
}

namespace {

// The facts of one city, for the month-by-month view.
struct CityFacts {
  std::vector<const ResidenceFact*> residence;
  std::vector<const HomeFact*> homes;
  std::vector<const SocialInsuranceFact*> si;
  std::vector<const HousingFundFact*> fund;
  std::vector<const StudyFact*> study;
  MonthIndex first = 0;
  bool any = false;
  void Touch(const MonthPeriod& p) {
    if (p.Empty()) return;
    first = any ? std::min(first, p.from) : p.from;
    any = true;
  }
};

json MonthJson(const CityFacts& f, MonthIndex m) {
  json sources = json::object();
  auto add_source = [&](const char* key, const std::string& ref) { sources[key].push_back(ref); };

  bool residence = false;
  for (const ResidenceFact* r : f.residence) {
    if (!r->period.Contains(m)) continue;
    residence = true;
    add_source("residence", r->source);
  }

  // The home that started most recently (own before rented before dormitory on the same
  // month, then the newer record).
  const HomeFact* home = nullptr;
  for (const HomeFact* h : f.homes) {
    if (!h->period.Contains(m)) continue;
    if (home == nullptr || std::make_tuple(h->period.from, -static_cast<int>(h->tenure), h->record_id) >
                               std::make_tuple(home->period.from, -static_cast<int>(home->tenure), home->record_id)) {
      home = h;
    }
  }
  json home_json = nullptr;
  if (home != nullptr) {
    home_json = {{"tenure", domain::ToString(home->tenure)}, {"district", home->district}};
    add_source("home", Ref("housing", home->record_id));
  }

  json si = json::object();
  for (const SocialInsuranceFact* s : f.si) {
    if (!s->period.Contains(m)) continue;
    json& slot = si[domain::ToString(s->scheme)][domain::ToString(s->risk)];
    // Paid on time wins over a back-payment of the same month.
    if (slot.is_null() || !s->back_payment) slot = s->back_payment ? "back_payment" : "paid";
    add_source("social_insurance", Ref("social_insurance", s->record_id));
  }

  // Paid here on time, then back-paid, then carried over from another city's fund.
  auto fund_rank = [](const HousingFundFact* h) { return h->transferred_in ? 0 : h->back_payment ? 1 : 2; };
  const HousingFundFact* fund = nullptr;
  for (const HousingFundFact* h : f.fund) {
    if (!h->period.Contains(m)) continue;
    if (fund == nullptr || fund_rank(h) > fund_rank(fund)) fund = h;
    add_source("housing_fund", Ref("housing_fund", h->record_id));
  }
  json fund_json = nullptr;
  if (fund != nullptr)
    fund_json = fund->transferred_in ? "transferred_in" : fund->back_payment ? "back_payment" : "paid";

  bool study = false;
  for (const StudyFact* s : f.study) {
    if (!s->period.Contains(m)) continue;
    study = true;
    add_source("study", Ref("enrollment", s->record_id));
  }

  return {{"month", FormatIsoMonth(m)}, {"residence", residence}, {"home", home_json}, {"social_insurance", si},
          {"housing_fund", fund_json},  {"study", study},         {"sources", sources}};
}

json PeriodJson(const MonthPeriod& p) {
  return {{"from", FormatIsoMonth(p.from)}, {"to", FormatIsoMonth(p.to)}, {"months", p.Months()}};
}

}  // namespace

json LedgerToJson(const Ledger& l, Date today) {
  std::map<std::string, CityFacts> cities;
  for (const auto& r : l.residence) {
    cities[r.city].residence.push_back(&r);
    cities[r.city].Touch(r.period);
  }
  for (const auto& h : l.homes) {
    cities[h.city].homes.push_back(&h);
    cities[h.city].Touch(h.period);
  }
  for (const auto& s : l.social_insurance) {
    cities[s.city].si.push_back(&s);
    cities[s.city].Touch(s.period);
  }
  for (const auto& h : l.housing_fund) {
    cities[h.city].fund.push_back(&h);
    cities[h.city].Touch(h.period);
  }
  for (const auto& s : l.study) {
    cities[s.city].study.push_back(&s);
    cities[s.city].Touch(s.period);
  }

  const MonthIndex last = MonthOf(today);
  const MonthIndex born = l.birth_date == Date{} ? 0 : MonthOf(l.birth_date);
  json city_list = json::array();
  for (const auto& [city, facts] : cities) {
    if (!facts.any) continue;
    json months = json::array();
    for (MonthIndex m = std::max(facts.first, born); m <= last; ++m) months.push_back(MonthJson(facts, m));
    city_list.push_back({{"city", city}, {"months", std::move(months)}});
  }

  std::map<int, std::map<std::string, std::pair<int64_t, std::vector<int64_t>>>> tax;
  for (const auto& t : l.tax) {
    auto& slot = tax[t.year][t.city];
    slot.first += t.yuan;
    slot.second.push_back(t.record_id);
  }
  json tax_json = json::array();
  for (const auto& [year, by_city] : tax) {
    json list = json::array();
    for (const auto& [city, paid] : by_city) {
      list.push_back({{"city", city}, {"yuan", paid.first}, {"record_ids", paid.second}});
    }
    tax_json.push_back({{"year", year}, {"cities", std::move(list)}});
  }

  json residence = json::array();
  for (const auto& r : l.residence) {
    json j = PeriodJson(r.period);
    j["city"] = r.city;
    j["district"] = r.district;
    j["source"] = r.source;
    residence.push_back(std::move(j));
  }
  json education = json::array();
  for (const auto& e : l.education) {
    education.push_back({{"level", ToString(e.level)},
                         {"diploma", e.diploma},
                         {"degree", e.degree},
                         {"completed_on", OptDate(e.completed_on)},
                         {"full_time", e.full_time},
                         {"shortage_major", e.shortage_major},
                         {"record_id", e.record_id}});
  }
  json qualifications = json::array();
  for (const auto& q : l.qualifications) {
    qualifications.push_back({{"type", ToString(q.kind)},
                              {"level", q.level},
                              {"obtained_on", OptDate(q.obtained_on)},
                              {"city", q.city},
                              {"record_id", q.record_id}});
  }
  json honours = json::array();
  for (const auto& h : l.honours) {
    honours.push_back(
        {{"level", h.level}, {"title", h.title}, {"awarded_on", OptDate(h.awarded_on)}, {"record_id", h.record_id}});
  }
  json violations = json::array();
  for (const auto& v : l.violations) {
    violations.push_back(
        {{"type", ToString(v.kind)}, {"city", v.city}, {"on", OptDate(v.on)}, {"record_id", v.record_id}});
  }
  json children = json::array();
  for (const auto& c : l.children) {
    children.push_back({{"born", OptDate(c.born)}, {"hukou_city", c.hukou_city}, {"record_id", c.record_id}});
  }
  json permits = json::array();
  for (const auto& p : l.permits) {
    permits.push_back({{"city", p.city},
                       {"number", p.number},
                       {"state", domain::ToString(p.state)},
                       {"issue_date", OptDate(p.issue_date)},
                       {"residence_since", OptDate(p.residence_since)}});
  }
  json spouse = nullptr;
  if (l.spouse) {
    spouse = {{"hukou_city", l.spouse->hukou_city},
              {"married_on", OptDate(l.spouse->married_on)},
              {"record_id", l.spouse->record_id}};
  }

  return {{"citizen_id_masked", domain::MaskCitizenId(l.citizen_id)},
          {"birth_date", OptDate(l.birth_date)},
          {"sex", domain::ToString(l.sex)},
          {"post_type", ToString(l.post_type)},
          {"as_of", FormatIsoDate(today)},
          {"cities", std::move(city_list)},
          {"income_tax", std::move(tax_json)},
          {"residence", std::move(residence)},
          {"education", std::move(education)},
          {"qualifications", std::move(qualifications)},
          {"honours", std::move(honours)},
          {"violations", std::move(violations)},
          {"spouse", std::move(spouse)},
          {"children", std::move(children)},
          {"permits", std::move(permits)}};
}

}  // namespace epermit::policy
