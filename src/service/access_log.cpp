#include "service/access_log.hpp"

#include <nlohmann/json.hpp>

#include "service/transparency_log.hpp"

namespace epermit::service {
namespace {

domain::HistoryEntry ToHistory(const AccessEvent& e) {
  const nlohmann::json detail = {{"route", e.route}, {"fields", e.fields}, {"basis", e.basis}};
  return {0, "access", e.citizen_id, e.action, e.actor, e.purpose, e.at, detail.dump()};
}

AccessEvent FromHistory(const domain::HistoryEntry& h) {
  AccessEvent e;
  e.citizen_id = h.entity_id;
  e.actor = h.actor;
  e.action = h.action;
  e.purpose = h.reason;
  e.at = h.at;
  const nlohmann::json detail = nlohmann::json::parse(h.detail_json, nullptr, false);
  if (detail.is_object()) {
    e.route = detail.value("route", "");
    e.basis = detail.value("basis", "");
    if (auto f = detail.find("fields"); f != detail.end() && f->is_array()) {
      for (const auto& x : *f) {
        if (x.is_string()) e.fields.push_back(x.get<std::string>());
      }
    }
  }
  return e;
}

}  // namespace

Status AccessLog::Record(std::vector<AccessEvent> events) {
  if (events.empty()) return Status::Ok();
  const int64_t now = ctx_.clock->UnixSeconds();
  for (AccessEvent& e : events) {
    if (e.at == 0) e.at = now;
  }
  return ctx_.store->Write(store::Durability::kNormal, [&](store::Tx& tx) -> Status {
    for (const AccessEvent& e : events) EPERMIT_RETURN_IF_ERROR(tx.AppendHistory(ToHistory(e)));
    return Status::Ok();
  });
}

Result<std::vector<AccessLogEntry>> AccessLog::Of(const std::string& citizen_id) {
  std::vector<domain::HistoryEntry> rows;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(rows, tx.History("access", citizen_id));
    return Status::Ok();
  }));
  std::vector<AccessLogEntry> out;
  out.reserve(rows.size());
  for (const auto& row : rows)
    out.push_back({FromHistory(row), static_cast<uint64_t>(row.id - 1), AuditEntryBytes(row)});
  return out;
}

}  // namespace epermit::service
