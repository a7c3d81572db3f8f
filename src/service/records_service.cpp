#include "service/records_service.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <unordered_set>

#include "domain/record_codec.hpp"

namespace epermit::service {
namespace {

constexpr size_t kMaxReportedErrors = 100;
constexpr int kMaxDepth = 16;  // records are flat objects

Error BatchError(size_t bad) {
  return MakeError(ErrorKind::kInvalidArgument, "records.invalid",
                   std::to_string(bad) + " record(s) are invalid; nothing was imported.",
                   std::to_string(bad) + " 条记录无效，本批数据均未导入。", "records");
}

// A period that must not overlap another with the same key.
struct Period {
  std::string key;  // citizen | kind | city [| scheme | risk]
  int from = 0;     // months (MonthIndex), or years for income_tax
  int to = 0;       // inclusive
  bool years = false;
};

std::optional<Period> PeriodOf(const domain::AnyRecord& any) {
  const std::string& citizen = domain::HeaderOf(any).citizen_id;
  if (const auto* si = std::get_if<domain::SocialInsuranceRecord>(&any)) {
    return Period{citizen + "|social_insurance|" + si->city + "|" + domain::ToString(si->scheme) + "|" +
                      domain::ToString(si->risk),
                  si->from_month, si->to_month, false};
  }
  if (const auto* hf = std::get_if<domain::HousingFundRecord>(&any)) {
    return Period{citizen + "|housing_fund|" + hf->city, hf->from_month, hf->to_month, false};
  }
  if (const auto* tax = std::get_if<domain::IncomeTaxRecord>(&any)) {
    return Period{citizen + "|income_tax|" + tax->city, tax->year, tax->year, true};
  }
  return std::nullopt;
}

std::string PeriodText(const Period& p) {
  if (p.years) return std::to_string(p.from);
  return FormatIsoMonth(p.from) + ".." + FormatIsoMonth(p.to);
}

// A period already taken: by a stored record or an earlier line of the batch.
struct Taken {
  Period period;
  std::string en;  // "stored record #12", "line 3"
  std::string zh;
};

Error OverlapError(const domain::AnyRecord& rec, const Period& mine, const Taken& other) {
  const char* kind = domain::ToString(domain::KindOf(rec));
  // The member that lies inside the other period: "from" when it does, else "to".
  const bool from_inside = mine.from >= other.period.from && mine.from <= other.period.to;
  const char* field = mine.years ? "year" : from_inside ? "from" : "to";
  std::string scope = "same person, city, scheme and risk";
  if (mine.years) {
    scope = "same person, city and year";
  } else if (domain::KindOf(rec) == domain::RecordKind::kHousingFund) {
    scope = "same person and city";
  }
  return MakeError(ErrorKind::kConflict, "records.overlap",
                   std::string("The ") + kind + (mine.years ? " year " : " period ") + PeriodText(mine) + " overlaps " +
                       PeriodText(other.period) + " of " + other.en + " (" + scope + ").",
                   std::string(kind) + " 的期间 " + PeriodText(mine) + " 与" + other.zh + "的期间 " +
                       PeriodText(other.period) + " 重叠。",
                   field);
}

struct Candidate {
  size_t line = 0;  // 1-based
  domain::AnyRecord record;
  std::string body;  // canonical JSON
};

struct Plan {
  std::vector<store::StoredRecord> rows;
  std::vector<size_t> unchanged_lines;
  std::map<std::string, int> kinds;
};

// Sorts candidates into new rows, exact resends and overlaps (reported in `errors`, counted
// in `bad`), reading the stored records of everyone in the batch through `tx`.
Result<Plan> CheckBatch(store::Tx& tx, const std::vector<Candidate>& candidates, std::vector<RecordLineError>* errors,
                        size_t& bad) {
  Plan plan;
  std::unordered_set<std::string> known;  // canonical bodies stored or accepted earlier in the batch
  std::map<std::string, std::vector<Taken>> taken;
  std::set<std::string> citizens;
  for (const Candidate& c : candidates) citizens.insert(domain::HeaderOf(c.record).citizen_id);
  const Date far_future = MakeDate(9999, 12, 31);
  for (const std::string& citizen : citizens) {
    EPERMIT_ASSIGN_OR_RETURN(std::vector<store::StoredRecord> stored, tx.StoredRecordsOf(citizen));
    for (store::StoredRecord& row : stored) {
      if (row.kind == domain::RecordKind::kSocialInsurance || row.kind == domain::RecordKind::kHousingFund ||
          row.kind == domain::RecordKind::kIncomeTax) {
        auto parsed = domain::ParseRecord(nlohmann::json::parse(row.body_json, nullptr, false), far_future);
        if (!parsed.ok()) return InternalError("stored record " + std::to_string(row.id) + " is invalid");
        if (auto period = PeriodOf(*parsed)) {
          const std::string id = std::to_string(row.id);
          taken[period->key].push_back({*period, "stored record #" + id, "已存记录 #" + id});
        }
      }
      known.insert(std::move(row.body_json));
    }
  }
  for (const Candidate& c : candidates) {
    if (known.count(c.body) > 0) {
      plan.unchanged_lines.push_back(c.line);
      continue;
    }
    const std::optional<Period> period = PeriodOf(c.record);
    if (period) {
      const Taken* clash = nullptr;
      for (const Taken& t : taken[period->key]) {
        if (period->from <= t.period.to && t.period.from <= period->to) {
          clash = &t;
          break;
        }
      }
      if (clash != nullptr) {
        ++bad;
        if (errors && errors->size() < kMaxReportedErrors) {
          errors->push_back({c.line, OverlapError(c.record, *period, *clash)});
        }
        continue;
      }
      const std::string line = std::to_string(c.line);
      taken[period->key].push_back({*period, "line " + line, "第 " + line + " 条记录"});
    }
    known.insert(c.body);
    const domain::RecordHeader& h = domain::HeaderOf(c.record);
    const domain::RecordKind kind = domain::KindOf(c.record);
    ++plan.kinds[domain::ToString(kind)];
    plan.rows.push_back({kind, h.citizen_id, h.source, c.body});
  }
  return plan;
}

void SortErrors(std::vector<RecordLineError>* errors) {
  if (errors == nullptr) return;
  std::stable_sort(errors->begin(), errors->end(),
                   [](const RecordLineError& a, const RecordLineError& b) { return a.line < b.line; });
}

}  // namespace

std::vector<nlohmann::json> RecordsService::ParseNdjson(std::string_view text, std::vector<RecordLineError>* errors) {
  std::vector<nlohmann::json> out;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    bool too_deep = false;
    auto value = nlohmann::json::parse(
        line,
        [&too_deep](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
          if (depth > kMaxDepth) too_deep = true;
          return !too_deep;
        },
        false);
    if (value.is_discarded() || too_deep || !value.is_object()) {
      if (errors && errors->size() < kMaxReportedErrors) {
        errors->push_back({out.size() + 1, MakeError(ErrorKind::kInvalidArgument, "json.malformed",
                                                     "Line " + std::to_string(line_no) + " is not a JSON object.",
                                                     "第 " + std::to_string(line_no) + " 行不是有效的 JSON 对象。")});
      }
      out.emplace_back(nullptr);
      continue;
    }
    out.push_back(std::move(value));
  }
  return out;
}

Result<ImportResult> RecordsService::Import(const std::vector<nlohmann::json>& records, const Actor& actor,
                                            std::vector<RecordLineError>* errors) {
  if (records.empty()) {
    return MakeError(ErrorKind::kInvalidArgument, "records.empty", "No records were given.", "未提供任何记录。",
                     "records");
  }
  const Date today = ctx_.clock->Today();
  std::vector<Candidate> candidates;
  candidates.reserve(records.size());
  size_t bad = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].is_null()) {  // a line ParseNdjson could not read; already reported
      ++bad;
      continue;
    }
    auto parsed = domain::ParseRecord(records[i], today);
    if (!parsed.ok()) {
      ++bad;
      if (errors && errors->size() < kMaxReportedErrors) errors->push_back({i + 1, parsed.error()});
      continue;
    }
    std::string body = domain::RecordToJson(*parsed).dump();
    candidates.push_back({i + 1, std::move(parsed).value(), std::move(body)});
  }

  if (bad > 0) {
    // Refused already; the overlaps of the valid lines are still listed, from a read snapshot.
    Status read = ctx_.store->Read([&](store::Tx& tx) { return CheckBatch(tx, candidates, errors, bad).status(); });
    if (!read.ok()) return read.error();
    SortErrors(errors);
    return BatchError(bad);
  }

  ImportResult result{ctx_.ids->Next("rec_"), 0, 0, {}};
  const int64_t now = ctx_.clock->UnixSeconds();
  Status written = ctx_.store->Write(store::Durability::kNormal, [&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(Plan plan, CheckBatch(tx, candidates, errors, bad));
    if (bad > 0) return BatchError(bad);  // rolls back; nothing was written yet
    if (!plan.rows.empty()) EPERMIT_RETURN_IF_ERROR(tx.InsertRecords(plan.rows, now));
    result.imported = plan.rows.size();
    result.unchanged = plan.unchanged_lines.size();
    result.unchanged_lines = std::move(plan.unchanged_lines);
    nlohmann::json detail = {{"count", result.imported}, {"unchanged", result.unchanged}, {"kinds", plan.kinds}};
    return tx.AppendHistory({0, "records", result.batch_id, "import", actor.id, "", now, detail.dump()});
  });
  if (!written.ok()) {
    SortErrors(errors);
    return written.error();
  }
  std::set<std::string> people;
  for (const Candidate& c : candidates) people.insert(domain::HeaderOf(c.record).citizen_id);
  for (const std::string& citizen_id : people) ctx_.PersonChanged(citizen_id, "records");
  return result;
}

}  // namespace epermit::service
