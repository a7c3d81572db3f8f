#include "service/records_service.hpp"

#include <algorithm>
#include <map>

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
  std::vector<store::StoredRecord> rows;
  rows.reserve(records.size());
  std::map<std::string, int> kinds;
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
    const domain::RecordHeader& h = domain::HeaderOf(*parsed);
    const domain::RecordKind kind = domain::KindOf(*parsed);
    ++kinds[domain::ToString(kind)];
    rows.push_back({kind, h.citizen_id, h.source, domain::RecordToJson(*parsed).dump()});
  }
  if (bad > 0) {
    if (errors) {
      std::stable_sort(errors->begin(), errors->end(),
                       [](const RecordLineError& a, const RecordLineError& b) { return a.line < b.line; });
    }
    return BatchError(bad);
  }

  ImportResult result{ctx_.ids->Next("rec_"), rows.size()};
  const int64_t now = ctx_.clock->UnixSeconds();
  nlohmann::json detail = {{"count", rows.size()}, {"kinds", kinds}};
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Write(store::Durability::kNormal, [&](store::Tx& tx) -> Status {
    EPERMIT_RETURN_IF_ERROR(tx.InsertRecords(rows, now));
    return tx.AppendHistory({0, "records", result.batch_id, "import", actor.id, "", now, detail.dump()});
  }));
  return result;
}

}  // namespace epermit::service
