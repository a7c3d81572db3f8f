#include "store/sqlite/rights_rows.hpp"

#include <nlohmann/json.hpp>

#include "store/sqlite/row_reader.hpp"

namespace epermit::store::sqlite {
namespace {

// ---- consents ----

constexpr const char* kConsentCols =
    "id, citizen_id, requester_id, requester, purpose, fields, valid_until, status, created_at, decided_at, sealed";

// Sealed: citizen_id (its column holds the blind index).
Result<domain::Consent> ConsentRow(const Statement& st, const FieldCipher& cipher) {
  EPERMIT_ASSIGN_OR_RETURN(std::vector<std::string> sealed, cipher.Open("consents", st.Bytes(10), 1));
  domain::Consent c;
  c.id = st.Text(0);
  c.citizen_id = std::move(sealed[0]);
  c.requester_id = st.Int(2);
  c.requester = st.Text(3);
  c.purpose = st.Text(4);
  c.fields = JsonStringList(st.Text(5));
  c.valid_until = st.Int(6);
  c.status = domain::ParseConsentStatus(st.Text(7)).value_or(domain::ConsentStatus::kRevoked);
  c.created_at = st.Int(8);
  c.decided_at = st.Int(9);
  return c;
}

// ---- assists ----

constexpr const char* kAssistCols =
    "id, worker_id, worker, citizen_id, guardian_citizen_id, code, code_expires_at, attempts, status, active_until, "
    "created_at, sealed";

// Sealed: citizen_id, guardian_citizen_id, code (the two IDs' columns hold blind indexes).
Result<domain::Assist> AssistRow(const Statement& st, const FieldCipher& cipher) {
  EPERMIT_ASSIGN_OR_RETURN(std::vector<std::string> sealed, cipher.Open("assists", st.Bytes(11), 3));
  domain::Assist a;
  a.id = st.Text(0);
  a.worker_id = st.Int(1);
  a.worker = st.Text(2);
  a.citizen_id = std::move(sealed[0]);
  a.guardian_citizen_id = std::move(sealed[1]);
  a.code = std::move(sealed[2]);
  a.code_expires_at = st.Int(6);
  a.attempts = static_cast<int>(st.Int(7));
  a.status = domain::ParseAssistStatus(st.Text(8)).value_or(domain::AssistStatus::kFailed);
  a.active_until = st.Int(9);
  a.created_at = st.Int(10);
  return a;
}

// ---- corrections ----

constexpr const char* kCorrectionCols =
    "id, citizen_id, city, field, requested, reason, status, decided_by, note, created_at, decided_at, sealed";

// Sealed: citizen_id, requested, reason (the ID's column holds the blind index).
Result<domain::Correction> CorrectionRow(const Statement& st, const FieldCipher& cipher) {
  EPERMIT_ASSIGN_OR_RETURN(std::vector<std::string> sealed, cipher.Open("corrections", st.Bytes(11), 3));
  domain::Correction c;
  c.id = st.Text(0);
  c.citizen_id = std::move(sealed[0]);
  c.city = st.Text(2);
  c.field = st.Text(3);
  c.requested = std::move(sealed[1]);
  c.reason = std::move(sealed[2]);
  c.status = domain::ParseCorrectionStatus(st.Text(6)).value_or(domain::CorrectionStatus::kPending);
  c.decided_by = st.Text(7);
  c.note = st.Text(8);
  c.created_at = st.Int(9);
  c.decided_at = st.Int(10);
  return c;
}

std::string Select(const char* cols, const char* rest) { return std::string("SELECT ") + cols + " " + rest; }

}  // namespace

Status SaveConsentRow(Connection& conn, const FieldCipher& cipher, const domain::Consent& c) {
  EPERMIT_ASSIGN_OR_RETURN(Statement * st, conn.Prepare(std::string("INSERT OR REPLACE INTO consents(") + kConsentCols +
                                                        ") VALUES(?,?,?,?,?,?,?,?,?,?,?)"));
  return st->Bind(1, c.id)
      .Bind(2, cipher.Index(c.citizen_id))
      .Bind(3, c.requester_id)
      .Bind(4, c.requester)
      .Bind(5, c.purpose)
      .Bind(6, nlohmann::json(c.fields).dump())
      .Bind(7, c.valid_until)
      .Bind(8, domain::ToString(c.status))
      .Bind(9, c.created_at)
      .Bind(10, c.decided_at)
      .BindBlob(11, cipher.Seal("consents", {c.citizen_id}))
      .Run();
}

Result<std::optional<domain::Consent>> FindConsentRow(Connection& conn, const FieldCipher& cipher,
                                                      const std::string& id) {
  EPERMIT_ASSIGN_OR_RETURN(Statement * st, conn.Prepare(Select(kConsentCols, "FROM consents WHERE id = ?")));
  st->Bind(1, id);
  return FirstRow<domain::Consent>(*st, With(cipher, ConsentRow));
}

Result<std::vector<domain::Consent>> ConsentRowsOf(Connection& conn, const FieldCipher& cipher,
                                                   const std::string& citizen_id) {
  EPERMIT_ASSIGN_OR_RETURN(
      Statement * st, conn.Prepare(Select(kConsentCols, "FROM consents WHERE citizen_id = ? ORDER BY created_at, id")));
  st->Bind(1, cipher.Index(citizen_id));
  return Rows<domain::Consent>(*st, With(cipher, ConsentRow));
}

Result<std::vector<domain::Consent>> ConsentRowsRequestedBy(Connection& conn, const FieldCipher& cipher,
                                                            int64_t requester_id) {
  EPERMIT_ASSIGN_OR_RETURN(
      Statement * st,
      conn.Prepare(Select(kConsentCols, "FROM consents WHERE requester_id = ? ORDER BY created_at, id")));
  st->Bind(1, requester_id);
  return Rows<domain::Consent>(*st, With(cipher, ConsentRow));
}

Status SaveAssistRow(Connection& conn, const FieldCipher& cipher, const domain::Assist& a) {
  EPERMIT_ASSIGN_OR_RETURN(Statement * st, conn.Prepare(std::string("INSERT OR REPLACE INTO assists(") + kAssistCols +
                                                        ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?)"));
  return st->Bind(1, a.id)
      .Bind(2, a.worker_id)
      .Bind(3, a.worker)
      .Bind(4, cipher.Index(a.citizen_id))
      .Bind(5, cipher.Index(a.guardian_citizen_id))
      .Bind(6, "")
      .Bind(7, a.code_expires_at)
      .Bind(8, int64_t{a.attempts})
      .Bind(9, domain::ToString(a.status))
      .Bind(10, a.active_until)
      .Bind(11, a.created_at)
      .BindBlob(12, cipher.Seal("assists", {a.citizen_id, a.guardian_citizen_id, a.code}))
      .Run();
}

Result<std::optional<domain::Assist>> FindAssistRow(Connection& conn, const FieldCipher& cipher,
                                                    const std::string& id) {
  EPERMIT_ASSIGN_OR_RETURN(Statement * st, conn.Prepare(Select(kAssistCols, "FROM assists WHERE id = ?")));
  st->Bind(1, id);
  return FirstRow<domain::Assist>(*st, With(cipher, AssistRow));
}

Result<std::vector<domain::Assist>> AssistRowsFor(Connection& conn, const FieldCipher& cipher,
                                                  const std::string& citizen_id) {
  EPERMIT_ASSIGN_OR_RETURN(
      Statement * st,
      conn.Prepare(Select(kAssistCols,
                          "FROM assists WHERE citizen_id = ?1 OR guardian_citizen_id = ?1 ORDER BY created_at, id")));
  st->Bind(1, cipher.Index(citizen_id));
  return Rows<domain::Assist>(*st, With(cipher, AssistRow));
}

Status SaveCorrectionRow(Connection& conn, const FieldCipher& cipher, const domain::Correction& c) {
  EPERMIT_ASSIGN_OR_RETURN(Statement * st, conn.Prepare(std::string("INSERT OR REPLACE INTO corrections(") +
                                                        kCorrectionCols + ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?)"));
  return st->Bind(1, c.id)
      .Bind(2, cipher.Index(c.citizen_id))
      .Bind(3, c.city)
      .Bind(4, c.field)
      .Bind(5, "")
      .Bind(6, "")
      .Bind(7, domain::ToString(c.status))
      .Bind(8, c.decided_by)
      .Bind(9, c.note)
      .Bind(10, c.created_at)
      .Bind(11, c.decided_at)
      .BindBlob(12, cipher.Seal("corrections", {c.citizen_id, c.requested, c.reason}))
      .Run();
}

Result<std::optional<domain::Correction>> FindCorrectionRow(Connection& conn, const FieldCipher& cipher,
                                                            const std::string& id) {
  EPERMIT_ASSIGN_OR_RETURN(Statement * st, conn.Prepare(Select(kCorrectionCols, "FROM corrections WHERE id = ?")));
  st->Bind(1, id);
  return FirstRow<domain::Correction>(*st, With(cipher, CorrectionRow));
}

Result<std::vector<domain::Correction>> CorrectionRowsOf(Connection& conn, const FieldCipher& cipher,
                                                         const std::string& citizen_id) {
  EPERMIT_ASSIGN_OR_RETURN(
      Statement * st,
      conn.Prepare(Select(kCorrectionCols, "FROM corrections WHERE citizen_id = ? ORDER BY created_at, id")));
  st->Bind(1, cipher.Index(citizen_id));
  return Rows<domain::Correction>(*st, With(cipher, CorrectionRow));
}

Result<std::vector<domain::Correction>> PendingCorrectionRows(Connection& conn, const FieldCipher& cipher,
                                                              const std::string& city) {
  EPERMIT_ASSIGN_OR_RETURN(
      Statement * st,
      conn.Prepare(Select(kCorrectionCols,
                          "FROM corrections WHERE city = ? AND status = 'pending' ORDER BY created_at, id LIMIT 500")));
  st->Bind(1, city);
  return Rows<domain::Correction>(*st, With(cipher, CorrectionRow));
}

}  // namespace epermit::store::sqlite
