#include "store/sqlite/service_rows.hpp"

#include <nlohmann/json.hpp>

#include "store/sqlite/row_reader.hpp"

namespace epermit::store::sqlite {
namespace {

constexpr const char* kApplicationCols =
    "SELECT id, citizen_id, city, service_id, policy_version, tier, state, details, materials_missing, reasons, step, "
    "step_due, created_at, updated_at, sealed FROM service_applications ";

// Sealed: citizen_id, details (the ID's column holds the blind index).
Result<domain::ServiceApplication> ApplicationRow(const Statement& st, const FieldCipher& cipher) {
  EPERMIT_ASSIGN_OR_RETURN(std::vector<std::string> sealed, cipher.Open("service_applications", st.Bytes(14), 2));
  domain::ServiceApplication a;
  a.id = st.Text(0);
  a.citizen_id = std::move(sealed[0]);
  a.city = st.Text(2);
  a.service_id = st.Text(3);
  a.policy_version = st.Text(4);
  a.tier = st.Text(5);
  auto state = domain::ParseServiceApplicationState(st.Text(6));
  if (!state) return InternalError("service application " + a.id + " has an unknown state");
  a.state = *state;
  a.details_json = std::move(sealed[1]);
  a.materials_missing = JsonStringList(st.Text(8));
  a.reasons = JsonStringList(st.Text(9));
  a.step = static_cast<int>(st.Int(10));
  a.step_due = st.Int(11);
  a.created_at = st.Int(12);
  a.updated_at = st.Int(13);
  return a;
}

// Sealed: citizen_id, body.
Result<domain::InboxItem> InboxRow(const Statement& st, const FieldCipher& cipher) {
  EPERMIT_ASSIGN_OR_RETURN(std::vector<std::string> sealed, cipher.Open("inbox", st.Bytes(5), 2));
  domain::InboxItem item;
  item.id = st.Int(0);
  item.citizen_id = std::move(sealed[0]);
  item.kind = st.Text(2);
  item.service_id = st.Text(3);
  item.body_json = std::move(sealed[1]);
  item.created_at = st.Int(4);
  return item;
}

}  // namespace

Status SaveServiceApplicationRow(Connection& conn, const FieldCipher& cipher, const domain::ServiceApplication& a) {
  EPERMIT_ASSIGN_OR_RETURN(
      Statement * st,
      // An upsert on the id alone: OR REPLACE would resolve a clash on the one-open-application
      // index by deleting the other application.
      conn.Prepare(
          "INSERT INTO service_applications(id, citizen_id, city, service_id, policy_version, tier, state, "
          "details, materials_missing, reasons, step, step_due, created_at, updated_at, sealed) "
          "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET citizen_id = excluded.citizen_id, "
          "city = excluded.city, service_id = excluded.service_id, policy_version = excluded.policy_version, "
          "tier = excluded.tier, state = excluded.state, details = excluded.details, "
          "materials_missing = excluded.materials_missing, reasons = excluded.reasons, step = excluded.step, "
          "step_due = excluded.step_due, created_at = excluded.created_at, updated_at = excluded.updated_at, "
          "sealed = excluded.sealed"));
  Status s = st->Bind(1, a.id)
                 .Bind(2, cipher.Index(a.citizen_id))
                 .Bind(3, a.city)
                 .Bind(4, a.service_id)
                 .Bind(5, a.policy_version)
                 .Bind(6, a.tier)
                 .Bind(7, domain::ToString(a.state))
                 .Bind(8, "")
                 .Bind(9, nlohmann::json(a.materials_missing).dump())
                 .Bind(10, nlohmann::json(a.reasons).dump())
                 .Bind(11, int64_t{a.step})
                 .Bind(12, a.step_due)
                 .Bind(13, a.created_at)
                 .Bind(14, a.updated_at)
                 .BindBlob(15, cipher.Seal("service_applications", {a.citizen_id, a.details_json}))
                 .Run();
  if (!s.ok() && s.error().kind == ErrorKind::kConflict) {
    return MakeError(ErrorKind::kConflict, "service_application.duplicate",
                     "There is already an open application for this service; follow that one.",
                     "该服务已有办理中的申请，请查看原申请的进度。", "service_id");
  }
  return s;
}

Result<std::optional<domain::ServiceApplication>> FindServiceApplicationRow(Connection& conn, const FieldCipher& cipher,
                                                                            const std::string& id) {
  EPERMIT_ASSIGN_OR_RETURN(Statement * st, conn.Prepare(std::string(kApplicationCols) + "WHERE id = ?"));
  st->Bind(1, id);
  return FirstRow<domain::ServiceApplication>(*st, With(cipher, ApplicationRow));
}

Result<std::vector<domain::ServiceApplication>> ServiceApplicationRowsOf(Connection& conn, const FieldCipher& cipher,
                                                                         const std::string& citizen_id) {
  EPERMIT_ASSIGN_OR_RETURN(
      Statement * st, conn.Prepare(std::string(kApplicationCols) + "WHERE citizen_id = ? ORDER BY created_at, id"));
  st->Bind(1, cipher.Index(citizen_id));
  return Rows<domain::ServiceApplication>(*st, With(cipher, ApplicationRow));
}

Result<std::vector<domain::ServiceApplication>> ServiceApplicationQueueRows(Connection& conn, const FieldCipher& cipher,
                                                                            const std::string& city, int limit) {
  EPERMIT_ASSIGN_OR_RETURN(Statement * st, conn.Prepare(std::string(kApplicationCols) +
                                                        "WHERE city = ? AND state IN ('submitted', 'approved') "
                                                        "ORDER BY step_due, id LIMIT ?"));
  st->Bind(1, city).Bind(2, int64_t{limit});
  return Rows<domain::ServiceApplication>(*st, With(cipher, ApplicationRow));
}

Result<int64_t> InsertInboxRow(Connection& conn, const FieldCipher& cipher, const domain::InboxItem& item) {
  EPERMIT_ASSIGN_OR_RETURN(
      Statement * st,
      conn.Prepare("INSERT INTO inbox(citizen_id, kind, service_id, body, created_at, sealed) VALUES(?,?,?,?,?,?)"));
  EPERMIT_RETURN_IF_ERROR(st->Bind(1, cipher.Index(item.citizen_id))
                              .Bind(2, item.kind)
                              .Bind(3, item.service_id)
                              .Bind(4, "")
                              .Bind(5, item.created_at)
                              .BindBlob(6, cipher.Seal("inbox", {item.citizen_id, item.body_json}))
                              .Run());
  return sqlite3_last_insert_rowid(conn.raw());
}

Result<std::vector<domain::InboxItem>> InboxRowsOf(Connection& conn, const FieldCipher& cipher,
                                                   const std::string& citizen_id, int limit) {
  EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                           conn.Prepare("SELECT id, citizen_id, kind, service_id, created_at, sealed FROM inbox "
                                        "WHERE citizen_id = ? ORDER BY id DESC LIMIT ?"));
  st->Bind(1, cipher.Index(citizen_id)).Bind(2, int64_t{limit});
  return Rows<domain::InboxItem>(*st, With(cipher, InboxRow));
}

Status SaveServiceStandingRow(Connection& conn, const FieldCipher& cipher, const domain::ServiceStandingRecord& s) {
  EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                           conn.Prepare("INSERT OR REPLACE INTO service_standing(citizen_id, qualified, opted_out, "
                                        "updated_at, sealed) VALUES(?,?,?,?,?)"));
  const std::string qualified = nlohmann::json(s.qualified).dump();
  return st->Bind(1, cipher.Index(s.citizen_id))
      .Bind(2, "")
      .Bind(3, int64_t{s.opted_out ? 1 : 0})
      .Bind(4, s.updated_at)
      .BindBlob(5, cipher.Seal("service_standing", {s.citizen_id, qualified}))
      .Run();
}

Result<domain::ServiceStandingRecord> FindServiceStandingRow(Connection& conn, const FieldCipher& cipher,
                                                             const std::string& citizen_id) {
  EPERMIT_ASSIGN_OR_RETURN(
      Statement * st, conn.Prepare("SELECT opted_out, updated_at, sealed FROM service_standing WHERE citizen_id = ?"));
  st->Bind(1, cipher.Index(citizen_id));
  auto rows =
      Rows<domain::ServiceStandingRecord>(*st, [&](const Statement& row) -> Result<domain::ServiceStandingRecord> {
        EPERMIT_ASSIGN_OR_RETURN(std::vector<std::string> sealed, cipher.Open("service_standing", row.Bytes(2), 2));
        domain::ServiceStandingRecord s;
        s.citizen_id = std::move(sealed[0]);
        s.opted_out = row.Int(0) != 0;
        s.updated_at = row.Int(1);
        s.known = true;
        const nlohmann::json q = nlohmann::json::parse(sealed[1], nullptr, false);
        if (q.is_object()) {
          for (const auto& [k, v] : q.items()) {
            if (v.is_string()) s.qualified[k] = v.get<std::string>();
          }
        }
        return s;
      });
  if (!rows.ok()) return rows.error();
  if (rows->empty()) {
    domain::ServiceStandingRecord none;
    none.citizen_id = citizen_id;
    return none;
  }
  return std::move(rows->front());
}

}  // namespace epermit::store::sqlite
