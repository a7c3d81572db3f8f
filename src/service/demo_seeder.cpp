#include "service/demo_seeder.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <future>
#include <random>

#include "domain/citizen_id.hpp"
#include "domain/division.hpp"
#include "domain/record_codec.hpp"
#include "domain/uscc.hpp"
#include "service/application_service.hpp"
#include "service/registration_service.hpp"
#include "service/views.hpp"

namespace epermit::service {
namespace {

using nlohmann::json;

constexpr std::array<const char*, 24> kSurnames{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
                                                "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋"};
constexpr std::array<const char*, 32> kGiven{"伟",   "芳",   "娜",   "敏",   "静",   "丽",   "强",   "磊",
                                             "军",   "洋",   "勇",   "艳",   "杰",   "娟",   "涛",   "明",
                                             "超",   "秀英", "霞",   "平",   "刚",   "桂英", "华",   "玉兰",
                                             "建国", "晓东", "子涵", "欣怡", "浩然", "雨轩", "思远", "梓萱"};
// Hukou places: real county codes across provinces.
constexpr std::array<const char*, 16> kHukouCounties{"360426", "410102", "420102", "430102", "510104", "340102",
                                                     "320102", "370102", "130102", "450102", "350102", "610102",
                                                     "520102", "230102", "620102", "360111"};
constexpr std::array<const char*, 8> kRoads{"人民路", "中山路", "解放路", "建设路",
                                            "长江路", "和平路", "新华路", "滨江路"};
constexpr std::array<const char*, 6> kEmployers{"华东精密制造有限公司", "申城物流有限公司",     "新程软件科技有限公司",
                                                "江南餐饮管理有限公司", "东方建设工程有限公司", "明德健康管理有限公司"};

// Synthetic identities: a real division code, a birth date, a sequence number and the
// correct MOD 11-2 check character. Sequences start at 900 so demo people are unlikely to
// collide with real ones.
class PersonFactory {
 public:
  explicit PersonFactory(uint64_t seed) : rng_(seed) {}

  // Synthetic person number `index` gets a unique (county, birth date, sequence) triple,
  // so a million demo residents never share an ID number. Ages run from 20 to 55.
  std::string CitizenId(uint64_t index, bool female, Date today) {
    constexpr uint64_t kDays = 35 * 365;
    const char* county = kHukouCounties[index % kHukouCounties.size()];
    const uint64_t rest = index / kHukouCounties.size();
    const Date birth = AddYears(today, -55) + std::chrono::days(static_cast<int>(rest % kDays));
    const unsigned pair = static_cast<unsigned>((rest / kDays) % 50);
    return CitizenIdOf(county, birth, 900 + pair * 2 + (female ? 0 : 1));
  }

  // For the named demo cases, whose birth dates are set by hand.
  std::string CitizenId(Date birth, bool female) {
    return CitizenIdOf(kHukouCounties[Pick(kHukouCounties.size())], birth,
                       900 + static_cast<unsigned>(Pick(50)) * 2 + (female ? 0 : 1));
  }

  static std::string CitizenIdOf(const char* county, Date birth, unsigned seq) {
    std::chrono::year_month_day ymd{birth};
    char first17[18];
    std::snprintf(first17, sizeof first17, "%s%04d%02u%02u%03u", county, static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), seq % 1000);
    return std::string(first17, 17) + domain::CitizenIdCheckChar(std::string_view(first17, 17));
  }

  std::string Name() { return std::string(kSurnames[Pick(kSurnames.size())]) + kGiven[Pick(kGiven.size())]; }

  std::string Phone() {
    char buf[16];
    std::snprintf(buf, sizeof buf, "13%09llu", static_cast<unsigned long long>(Pick(1000000000)));
    return buf;
  }

  std::string Address() {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s%zu弄%zu号%zu室", kRoads[Pick(kRoads.size())], 1 + Pick(999), 1 + Pick(60),
                  101 + Pick(25) * 100 + Pick(4));
    return buf;
  }

  std::string Uscc(const std::string& city) {
    // 9 (工商) 1 (企业) + 6-digit registration division + 8-digit body + org check + USCC check
    char body[9];
    std::snprintf(body, sizeof body, "%08llu", static_cast<unsigned long long>(Pick(100000000)));
    std::string org = std::string(body) + domain::OrgCodeCheckChar(body);
    std::string first17 = "91" + city + org;
    return first17 + domain::UsccCheckChar(first17);
  }

  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

 private:
  std::mt19937_64 rng_;
};

json SiRecord(const std::string& id, const std::string& city, const char* risk, MonthIndex from, MonthIndex to) {
  return {{"kind", "social_insurance"}, {"citizen_id", id}, {"source", city + "-rsj"},      {"city", city},
          {"scheme", "employee"},       {"risk", risk},     {"from", FormatIsoMonth(from)}, {"to", FormatIsoMonth(to)},
          {"back_payment", false}};
}

struct Resident {
  std::string citizen_id;
  std::string name;
  std::string phone;
  std::string division;
  std::string address;
  std::string basis;
  std::string uscc;
  std::string school;
  Date registered_on{};
  std::vector<json> records;
};

// One resident's department records, as the departments would send them.
Resident MakeResident(PersonFactory& f, const NodeContext& ctx, const std::vector<std::string>& counties, Date today,
                      uint64_t index, int registered_months_ago, int si_months, bool employed) {
  Resident r;
  r.citizen_id = f.CitizenId(index, f.Pick(2) == 0, today);
  r.name = f.Name();
  r.phone = f.Phone();
  r.division = counties[f.Pick(counties.size())];
  r.address = f.Address();
  r.registered_on = AddMonths(today, -registered_months_ago);
  const std::string& city = ctx.city;
  r.records.push_back(
      {{"kind", "person"}, {"citizen_id", r.citizen_id}, {"source", "gaj-hj"}, {"name", r.name}, {"ethnicity", "汉"}});
  r.records.push_back({{"kind", "hukou"},
                       {"citizen_id", r.citizen_id},
                       {"source", "gaj-hj"},
                       {"division_code", r.citizen_id.substr(0, 6)},
                       {"address", f.Address()}});
  if (employed) {
    r.basis = "employment";
    r.uscc = f.Uscc(city);
    r.records.push_back({{"kind", "employment"},
                         {"citizen_id", r.citizen_id},
                         {"source", city + "-rsj"},
                         {"city", city},
                         {"employer_uscc", r.uscc},
                         {"employer_name", kEmployers[f.Pick(kEmployers.size())]},
                         {"from", FormatIsoDate(AddMonths(today, -registered_months_ago))},
                         {"to", nullptr}});
    if (si_months > 0) {
      const MonthIndex now = MonthOf(today);
      r.records.push_back(SiRecord(r.citizen_id, city, "pension", now - si_months + 1, now));
      r.records.push_back(SiRecord(r.citizen_id, city, "medical", now - si_months + 1, now));
    }
  } else {
    r.basis = "rented_home";
  }
  r.records.push_back({{"kind", "housing"},
                       {"citizen_id", r.citizen_id},
                       {"source", city + "-zjw"},
                       {"city", city},
                       {"division_code", r.division},
                       {"tenure", "rented"},
                       {"registration_no", "ZL" + std::to_string(100000 + f.Pick(900000))},
                       {"from", FormatIsoDate(r.registered_on)},
                       {"to", nullptr}});
  return r;
}

int YearOf(Date d) { return static_cast<int>(std::chrono::year_month_day{d}.year()); }

// Records the accumulation ledger shows beyond what the application review reads: housing
// fund months beside the social insurance, last year's income tax and a degree. `rich` adds a
// skill qualification, an honour and a spouse (for the named demo cases). Deterministic in
// `index`: the random stream, and so the demo's people, stay as they were.
void AddLedgerRecords(Resident& r, const std::string& city, Date today, uint64_t index, int si_months, bool rich) {
  const MonthIndex now = MonthOf(today);
  if (si_months > 0) {
    r.records.push_back({{"kind", "housing_fund"},
                         {"citizen_id", r.citizen_id},
                         {"source", city + "-gjj"},
                         {"city", city},
                         {"from", FormatIsoMonth(now - si_months + 1)},
                         {"to", FormatIsoMonth(now)},
                         {"back_payment", false},
                         {"transferred_in", false}});
    if (si_months >= 12) {
      r.records.push_back({{"kind", "income_tax"},
                           {"citizen_id", r.citizen_id},
                           {"source", city + "-sw"},
                           {"city", city},
                           {"year", YearOf(today) - 1},
                           {"yuan", static_cast<int64_t>(2400 + (index % 40) * 300)}});
    }
  }
  r.records.push_back({{"kind", "education"},
                       {"citizen_id", r.citizen_id},
                       {"source", "jyb-xxw"},
                       {"level", index % 3 == 0 ? "master" : "bachelor"},
                       {"diploma", true},
                       {"degree", true},
                       {"completed_on", FormatIsoDate(AddYears(today, -8))},
                       {"full_time", true},
                       {"shortage_major", index % 4 == 0}});
  if (!rich) return;
  r.records.push_back({{"kind", "qualification"},
                       {"citizen_id", r.citizen_id},
                       {"source", city + "-rsj"},
                       {"type", "skill"},
                       {"level", 3},
                       {"obtained_on", FormatIsoDate(AddYears(today, -3))},
                       {"city", city}});
  r.records.push_back({{"kind", "honour"},
                       {"citizen_id", r.citizen_id},
                       {"source", city + "-zgh"},
                       {"level", "municipal_model_worker"},
                       {"title", "劳动模范"},
                       {"awarded_on", FormatIsoDate(AddYears(today, -2))}});
  // A spouse of 30 with a hukou where the resident's own is, married 3 years ago. Sequences
  // below 900, so never the resident's own number.
  const std::string spouse = PersonFactory::CitizenIdOf(r.citizen_id.substr(0, 6).c_str(), AddYears(today, -30),
                                                        800 + static_cast<unsigned>(index % 50) * 2);
  r.records.push_back({{"kind", "family"},
                       {"citizen_id", r.citizen_id},
                       {"source", city + "-mzj"},
                       {"relation", "spouse"},
                       {"member_citizen_id", spouse},
                       {"since", FormatIsoDate(AddYears(today, -3))},
                       {"hukou_division_code", r.citizen_id.substr(0, 6)}});
}

// Every this-many bulk residents, one also gets the ledger records above (kept rare so the
// seeding benchmark keeps its pace).
constexpr uint64_t kLedgerRecordsEvery = 20;

// The resident's records as the store keeps them, validated like any import.
Result<std::vector<store::StoredRecord>> StoredRecordsOf(const Resident& r, Date today) {
  std::vector<store::StoredRecord> rows;
  for (const json& rec : r.records) {
    EPERMIT_ASSIGN_OR_RETURN(domain::AnyRecord parsed, domain::ParseRecord(rec, today));
    rows.push_back(
        {domain::KindOf(parsed), r.citizen_id, domain::HeaderOf(parsed).source, domain::RecordToJson(parsed).dump()});
  }
  return rows;
}

Status StoreRecordsOf(const NodeContext& ctx, const Resident& r) {
  EPERMIT_ASSIGN_OR_RETURN(auto rows, StoredRecordsOf(r, ctx.clock->Today()));
  return ctx.store->Write(store::Durability::kNormal,
                          [&](store::Tx& tx) { return tx.InsertRecords(rows, ctx.clock->UnixSeconds()); });
}

RegistrationInput RegistrationOf(const Resident& r) {
  return {r.citizen_id, r.name, r.phone, r.division, r.address, r.basis, r.uscc, r.school, r.registered_on};
}

json ApplicationBody(const Resident& r) {
  return {{"citizen_id", r.citizen_id},
          {"name", r.name},
          {"ethnicity", "汉"},
          {"photo_ref", "photo:demo-" + r.citizen_id.substr(14)}};
}

}  // namespace

Result<SeedReport> DemoSeeder::Seed(const SeedOptions& options) {
  const Date today = ctx_.clock->Today();
  const auto& registry = domain::DivisionRegistry::Builtin();
  std::vector<std::string> counties;
  for (const domain::Division* d : registry.CountiesIn(ctx_.city)) counties.push_back(d->code);
  if (counties.empty()) return InternalError("no districts known for city " + ctx_.city);

  PersonFactory f(options.seed);
  RegistrationService registrations(ctx_);
  ApplicationService applications(ctx_);
  const Actor seeder{"demo-seeder"};
  SeedReport report;

  // Bulk residents: validated like any registration, stored in large transactions. Making
  // a batch (synthetic people, validation, record encoding) is a third of the work and
  // needs no database, so the next batch is made on a second thread while this one is
  // written. Only that thread touches the factory `f` and `with_permits`, one batch at a time.
  struct Batch {
    int64_t n = 0;
    std::vector<domain::Registration> regs;
    std::vector<store::StoredRecord> rows;
  };
  std::vector<Resident> with_permits;
  auto make_batch = [&](int64_t first, int64_t n) -> Result<Batch> {
    Batch b;
    b.n = n;
    b.regs.reserve(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      const bool employed = f.Pick(10) < 8;
      const int months = 1 + static_cast<int>(f.Pick(48));
      const uint64_t index = static_cast<uint64_t>(first + i);
      const int si_months = employed ? std::min(months, 1 + static_cast<int>(f.Pick(60))) : 0;
      Resident r = MakeResident(f, ctx_, counties, today, index, months, si_months, employed);
      if (index % kLedgerRecordsEvery == 0) AddLedgerRecords(r, ctx_.city, today, index, si_months, false);
      EPERMIT_ASSIGN_OR_RETURN(domain::Registration reg, registrations.Validate(RegistrationOf(r), seeder));
      reg.id = ctx_.ids->Next("reg_");
      b.regs.push_back(std::move(reg));
      EPERMIT_ASSIGN_OR_RETURN(auto resident_rows, StoredRecordsOf(r, today));
      b.rows.insert(b.rows.end(), std::make_move_iterator(resident_rows.begin()),
                    std::make_move_iterator(resident_rows.end()));
      if (static_cast<int>(with_permits.size()) < options.issued_permits && months >= 12 && employed) {
        with_permits.push_back(std::move(r));
      }
    }
    return b;
  };
  auto batch_size = [&](int64_t from) { return std::min<int64_t>(options.batch, options.residents - from); };
  int64_t done = 0;
  int64_t made = 0;
  std::future<Result<Batch>> next;
  if (options.residents > 0) {
    next = std::async(std::launch::async, make_batch, made, batch_size(made));
    made += batch_size(0);
  }
  while (done < options.residents) {
    Result<Batch> batch = next.get();
    if (!batch.ok()) return batch.error();
    if (made < options.residents) {
      const int64_t n = batch_size(made);
      next = std::async(std::launch::async, make_batch, made, n);
      made += n;
    }
    const int64_t now = ctx_.clock->UnixSeconds();
    Status written = ctx_.store->Write(store::Durability::kNormal, [&](store::Tx& tx) -> Status {
      for (const auto& reg : batch->regs) EPERMIT_RETURN_IF_ERROR(tx.InsertRegistration(reg));
      EPERMIT_RETURN_IF_ERROR(tx.InsertRecords(batch->rows, now));
      return tx.AppendHistory({0, "records", ctx_.ids->Next("rec_"), "seed", seeder.id, "", now,
                               json{{"residents", batch->n}, {"records", batch->rows.size()}}.dump()});
    });
    if (!written.ok()) {
      if (next.valid()) next.wait();  // the maker thread uses locals of this function
      return written.error();
    }
    report.rows += static_cast<int64_t>(batch->regs.size() + batch->rows.size()) + 1;
    done += batch->n;
  }
  report.residents = done;

  // Permits through the real application path, so they carry full decisions and history.
  for (const Resident& r : with_permits) {
    ApplicationInput in{r.citizen_id, "", r.name, "汉", "photo:demo-" + r.citizen_id.substr(14), std::nullopt};
    auto out = applications.Apply(in, seeder);
    if (out.ok() && out->permit) ++report.permits;
  }

  // The named cases of demo.json.
  auto add_case = [&](Resident r, const char* key, const char* what) -> Result<json> {
    EPERMIT_RETURN_IF_ERROR(StoreRecordsOf(ctx_, r));
    EPERMIT_ASSIGN_OR_RETURN(domain::Registration reg, registrations.Register(RegistrationOf(r), seeder));
    json c = {{"what", what},
              {"citizen_id", r.citizen_id},
              {"name", r.name},
              {"registration_id", reg.id},
              {"registered_on", FormatIsoDate(reg.registered_on)},
              {"apply_request", ApplicationBody(r)}};
    report.cases[key] = c;
    return c;
  };

  uint64_t case_index = static_cast<uint64_t>(done);
  Resident approved = MakeResident(f, ctx_, counties, today, case_index, 8, 8, true);
  AddLedgerRecords(approved, ctx_.city, today, case_index++, 8, true);
  EPERMIT_RETURN_IF_ERROR(
      add_case(approved, "approved_at_once",
               "Clean case: registered 8 months ago, employed with 8 months of employee social insurance; "
               "POST /api/v1/applications with apply_request is approved and the permit issued at once.")
          .status());

  Resident short_si = MakeResident(f, ctx_, counties, today, case_index++, 9, 3, true);
  EPERMIT_RETURN_IF_ERROR(add_case(short_si, "lacks_social_insurance",
                                   "Registered 9 months ago but only 3 months of social insurance: the application is "
                                   "rejected with every unmet rule and missing item listed at once.")
                              .status());

  Resident minor = MakeResident(f, ctx_, counties, today, case_index++, 12, 0, false);
  {
    const Date birth = AddYears(today, -10) - std::chrono::days(40);
    minor.citizen_id = f.CitizenId(birth, true);
    minor.basis = "study";
    minor.school = "实验小学";
    for (json& rec : minor.records) rec["citizen_id"] = minor.citizen_id;
    minor.records[0]["name"] = minor.name;
    minor.records.push_back({{"kind", "enrollment"},
                             {"citizen_id", minor.citizen_id},
                             {"source", ctx_.city + "-jyj"},
                             {"city", ctx_.city},
                             {"school", minor.school},
                             {"from", FormatIsoDate(AddMonths(today, -12))},
                             {"to", nullptr}});
  }
  EPERMIT_RETURN_IF_ERROR(add_case(minor, "minor_with_guardian",
                                   "A 10-year-old pupil; her guardian applies for her (条例 第九条). "
                                   "Without the guardian member the request is refused.")
                              .status());
  report.cases["minor_with_guardian"]["apply_request"]["guardian"] = {
      {"citizen_id", approved.citizen_id}, {"name", approved.name}, {"relation", "mother"}};

  Resident review = MakeResident(f, ctx_, counties, today, case_index++, 7, 7, true);
  review.records.erase(
      std::remove_if(review.records.begin(), review.records.end(),
                     [](const json& j) { return j["kind"] == "employment" || j["kind"] == "housing"; }),
      review.records.end());
  EPERMIT_RETURN_IF_ERROR(
      add_case(review, "needs_review",
               "No employment or rental record has reached the platform: the application goes to the "
               "reviewer queue (GET /api/v1/review-queue) with its 15-day deadline.")
          .status());

  Resident holder = MakeResident(f, ctx_, counties, today, case_index, 20, 20, true);
  AddLedgerRecords(holder, ctx_.city, today, case_index++, 20, true);
  EPERMIT_RETURN_IF_ERROR(add_case(holder, "holds_permit",
                                   "Already holds an active permit: try GET /api/v1/permits/{number}, an endorsement "
                                   "(refused outside the window) or a change.")
                              .status());
  // A newcomer whose department records exist but who has not registered yet: the
  // README's first curl line registers them (their residence clock starts that day).
  Resident newcomer = MakeResident(f, ctx_, counties, today, case_index++, 0, 2, true);
  {
    EPERMIT_RETURN_IF_ERROR(StoreRecordsOf(ctx_, newcomer));
    report.cases["newcomer"] = {
        {"what",
         "Has just moved in: register them (POST /api/v1/registrations); an application today is refused "
         "with the date from which they may apply."},
        {"citizen_id", newcomer.citizen_id},
        {"name", newcomer.name},
        {"register_request",
         {{"citizen_id", newcomer.citizen_id},
          {"name", newcomer.name},
          {"phone", newcomer.phone},
          {"residence", {{"division_code", newcomer.division}, {"address", newcomer.address}}},
          {"basis", newcomer.basis},
          {"employer_uscc", newcomer.uscc}}},
        {"apply_request", ApplicationBody(newcomer)}};
  }

  ApplicationInput holder_in{holder.citizen_id, "", holder.name, "汉", "photo:demo-holder", std::nullopt};
  EPERMIT_ASSIGN_OR_RETURN(ApplicationOutcome issued, applications.Apply(holder_in, seeder));
  if (!issued.permit) return InternalError("demo holder was not approved: " + issued.application.decision_json);
  report.cases["holds_permit"]["permit_number"] = issued.permit->number;
  // Their accumulation ledgers show every kind of fact.
  for (const Resident* r : {&approved, &holder}) {
    const char* key = r == &holder ? "holds_permit" : "approved_at_once";
    report.cases[key]["ledger_path"] = "/api/v1/people/" + r->citizen_id + "/ledger";
  }
  report.cases["holds_permit"].erase("apply_request");
  ++report.permits;
  return report;
}

}  // namespace epermit::service
