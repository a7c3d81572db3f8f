#include "store/sqlite/sqlite_store.hpp"

#include <array>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "domain/person_digest.hpp"
#include "domain/record_codec.hpp"
#include "store/sqlite/account_rows.hpp"
#include "store/sqlite/audit_rows.hpp"
#include "store/sqlite/migrations.hpp"
#include "store/sqlite/reseal.hpp"
#include "store/sqlite/rights_rows.hpp"
#include "store/sqlite/row_reader.hpp"
#include "store/sqlite/service_rows.hpp"

namespace epermit::store::sqlite {
namespace {

using domain::Application;
using domain::Permit;
using domain::Registration;

std::string DateText(Date d) { return FormatIsoDate(d); }
Date DateFrom(const std::string& s) { return ParseIsoDate(s).value_or(Date{}); }

Error ReadOnlyError() { return InternalError("write attempted in a read transaction"); }

const char* kRegistrationCols =
    "id, citizen_id, name, phone, city, division_code, address, basis, employer_uscc, school, "
    "registered_on, actor, created_at, sealed";
const char* kApplicationCols =
    "id, citizen_id, registration_id, city, name, ethnicity, photo_ref, guardian, status, policy_version, "
    "decision, accepted_on, review_deadline, decided_by, decision_reason, decided_at, permit_number, actor, "
    "created_at, sealed";
const char* kPermitCols =
    "number, sequence, version, city, citizen_id, name, sex, ethnicity, birth_date, photo_ref, hukou_address, "
    "residence_division, residence_address, issuing_authority, issue_date, state, residence_since, "
    "endorsed_until, application_id, replaces, updated_at, status_index, sealed";

// Sealed fields, in this order (sqlite/reseal.cpp seals the same columns in the same order):
//   registrations: citizen_id, name, phone, address
//   applications:  citizen_id, name, guardian (JSON, or "" for none)
//   permits:       citizen_id, name, hukou_address, residence_address
//   records:       citizen_id, body
//   history:       entity_id, reason, detail
Result<Registration> RegistrationRow(const Statement& s, const FieldCipher& cipher) {
  EPERMIT_ASSIGN_OR_RETURN(std::vector<std::string> sealed, cipher.Open("registrations", s.Bytes(13), 4));
  Registration r;
  r.id = s.Text(0);
  r.citizen_id = std::move(sealed[0]);
  r.name = std::move(sealed[1]);
  r.phone = std::move(sealed[2]);
  r.city = s.Text(4);
  r.division_code = s.Text(5);
  r.address = std::move(sealed[3]);
  r.basis = domain::ParseResidenceBasis(s.Text(7)).value_or(domain::ResidenceBasis::kEmployment);
  r.employer_uscc = s.Text(8);
  r.school = s.Text(9);
  r.registered_on = DateFrom(s.Text(10));
  r.actor = s.Text(11);
  r.created_at = s.Int(12);
  return r;
}

Result<Application> ApplicationRow(const Statement& s, const FieldCipher& cipher) {
  EPERMIT_ASSIGN_OR_RETURN(std::vector<std::string> sealed, cipher.Open("applications", s.Bytes(19), 3));
  Application a;
  a.id = s.Text(0);
  a.citizen_id = std::move(sealed[0]);
  a.registration_id = s.Text(2);
  a.city = s.Text(3);
  a.name = std::move(sealed[1]);
  a.ethnicity = s.Text(5);
  a.photo_ref = s.Text(6);
  if (!sealed[2].empty()) {
    auto j = nlohmann::json::parse(sealed[2], nullptr, false);
    if (j.is_object()) {
      a.guardian = domain::Guardian{j.value("citizen_id", ""), j.value("name", ""), j.value("relation", "")};
    }
  }
  a.status = domain::ParseApplicationStatus(s.Text(8)).value_or(domain::ApplicationStatus::kPendingReview);
  a.policy_version = s.Text(9);
  a.decision_json = s.Text(10);
  a.accepted_on = DateFrom(s.Text(11));
  if (auto d = s.OptText(12)) a.review_deadline = DateFrom(*d);
  a.decided_by = s.Text(13);
  a.decision_reason = s.Text(14);
  a.decided_at = s.OptInt(15);
  a.permit_number = s.OptText(16).value_or("");
  a.actor = s.Text(17);
  a.created_at = s.Int(18);
  return a;
}

Result<Permit> PermitRow(const Statement& s, const FieldCipher& cipher) {
  EPERMIT_ASSIGN_OR_RETURN(std::vector<std::string> sealed, cipher.Open("permits", s.Bytes(22), 4));
  Permit p;
  p.number = s.Text(0);
  p.sequence = static_cast<uint64_t>(s.Int(1));
  p.version = static_cast<int>(s.Int(2));
  p.city = s.Text(3);
  p.citizen_id = std::move(sealed[0]);
  p.name = std::move(sealed[1]);
  p.sex = s.Text(6) == "female" ? domain::Sex::kFemale : domain::Sex::kMale;
  p.ethnicity = s.Text(7);
  p.birth_date = DateFrom(s.Text(8));
  p.photo_ref = s.Text(9);
  p.hukou_address = std::move(sealed[2]);
  p.residence_division = s.Text(11);
  p.residence_address = std::move(sealed[3]);
  p.issuing_authority = s.Text(13);
  p.issue_date = DateFrom(s.Text(14));
  p.state = domain::ParsePermitState(s.Text(15)).value_or(domain::PermitState::kActive);
  p.residence_since = DateFrom(s.Text(16));
  p.endorsed_until = DateFrom(s.Text(17));
  p.application_id = s.OptText(18).value_or("");
  p.replaces = s.OptText(19).value_or("");
  p.updated_at = s.Int(20);
  p.status_index = s.Int(21);
  return p;
}

std::optional<std::string> NonEmpty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

// Resets cached statements however a pass over them ends: one left unfinished would keep
// its connection's read snapshot open (and the WAL from being checkpointed past it).
template <size_t N>
struct ResetOnExit {
  std::array<Statement*, N> statements;
  ~ResetOnExit() {
    for (Statement* st : statements) st->Reset();
  }
};

class SqliteTx final : public Tx {
 public:
  SqliteTx(Connection& conn, bool writable, const FieldCipher& cipher)
      : conn_(conn), writable_(writable), cipher_(cipher) {}

  // Group commit runs several writes in one transaction, each in a savepoint that may be
  // rolled back: what one write marked stale must be marked again by the next.
  void StartWrite() { marked_.clear(); }

  // Reads (id, body) of a records row selected as "id, sealed"; the owner's citizen ID goes
  // to *owner when given.
  auto RecordBodyRow(std::string* owner = nullptr) const {
    return [this, owner](const Statement& s) -> Result<std::pair<int64_t, std::string>> {
      EPERMIT_ASSIGN_OR_RETURN(std::vector<std::string> sealed, cipher_.Open("records", s.Bytes(1), 2));
      if (owner != nullptr) *owner = std::move(sealed[0]);
      return std::make_pair(s.Int(0), std::move(sealed[1]));
    };
  }

  // Binds a sealed-row reader to this transaction's cipher.
  template <typename RowFn>
  auto RowOf(RowFn row_fn) const {
    return [this, row_fn](const Statement& s) { return row_fn(s, cipher_); };
  }

  Status InsertRecords(const std::vector<StoredRecord>& records, int64_t imported_at) override {
    if (!writable_) return ReadOnlyError();
    EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                             conn_.Prepare("INSERT INTO records(kind, citizen_id, source, body, imported_at, sealed) "
                                           "VALUES(?, ?, ?, '', ?, ?)"));
    for (const StoredRecord& r : records) {
      st->Reset();
      EPERMIT_RETURN_IF_ERROR(st->Bind(1, domain::ToString(r.kind))
                                  .Bind(2, cipher_.Index(r.citizen_id))
                                  .Bind(3, r.source)
                                  .Bind(4, imported_at)
                                  .BindBlob(5, cipher_.Seal("records", {r.citizen_id, r.body_json}))
                                  .Run());
      EPERMIT_RETURN_IF_ERROR(MarkStale(r.citizen_id));
    }
    return Status::Ok();
  }

  Result<domain::RecordBundle> LoadRecords(const std::string& citizen_id) override {
    EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                             conn_.Prepare("SELECT id, sealed FROM records WHERE citizen_id = ? ORDER BY id"));
    st->Bind(1, cipher_.Index(citizen_id));
    EPERMIT_ASSIGN_OR_RETURN(auto rows, (Rows<std::pair<int64_t, std::string>>(*st, RecordBodyRow())));
    domain::RecordBundle bundle;
    for (const auto& [id, body] : rows) EPERMIT_RETURN_IF_ERROR(domain::AddStoredToBundle(bundle, id, body));
    return bundle;
  }

  Result<std::vector<StoredRecord>> StoredRecordsOf(const std::string& citizen_id) override {
    EPERMIT_ASSIGN_OR_RETURN(
        Statement * st, conn_.Prepare("SELECT id, kind, sealed, source FROM records WHERE citizen_id = ? ORDER BY id"));
    st->Bind(1, cipher_.Index(citizen_id));
    return Rows<StoredRecord>(*st, [this](const Statement& s) -> Result<StoredRecord> {
      EPERMIT_ASSIGN_OR_RETURN(std::vector<std::string> sealed, cipher_.Open("records", s.Bytes(2), 2));
      StoredRecord r;
      r.id = s.Int(0);
      r.kind = domain::ParseRecordKind(s.Text(1)).value_or(domain::RecordKind::kPerson);
      r.citizen_id = std::move(sealed[0]);
      r.source = s.Text(3);
      r.body_json = std::move(sealed[1]);
      return r;
    });
  }

  Status InsertRegistration(const Registration& r) override {
    if (!writable_) return ReadOnlyError();
    EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                             conn_.Prepare(std::string("INSERT INTO registrations(") + kRegistrationCols +
                                           ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    EPERMIT_RETURN_IF_ERROR(st->Bind(1, r.id)
                                .Bind(2, cipher_.Index(r.citizen_id))
                                .Bind(3, "")
                                .Bind(4, "")
                                .Bind(5, r.city)
                                .Bind(6, r.division_code)
                                .Bind(7, "")
                                .Bind(8, domain::ToString(r.basis))
                                .Bind(9, r.employer_uscc)
                                .Bind(10, r.school)
                                .Bind(11, DateText(r.registered_on))
                                .Bind(12, r.actor)
                                .Bind(13, r.created_at)
                                .BindBlob(14, cipher_.Seal("registrations", {r.citizen_id, r.name, r.phone, r.address}))
                                .Run());
    return MarkStale(r.citizen_id);
  }

  Result<std::optional<Registration>> FindRegistration(const std::string& id) override {
    return One<Registration>(std::string("SELECT ") + kRegistrationCols + " FROM registrations WHERE id = ?",
                             RowOf(RegistrationRow), id);
  }

  Result<std::optional<Registration>> LatestRegistration(const std::string& citizen_id,
                                                         const std::string& city) override {
    return One<Registration>(std::string("SELECT ") + kRegistrationCols +
                                 " FROM registrations WHERE citizen_id = ? AND city = ? "
                                 "ORDER BY registered_on DESC, created_at DESC LIMIT 1",
                             RowOf(RegistrationRow), cipher_.Index(citizen_id), city);
  }

  Result<std::vector<Registration>> RegistrationsOf(const std::string& citizen_id) override {
    EPERMIT_ASSIGN_OR_RETURN(Statement * st, conn_.Prepare(std::string("SELECT ") + kRegistrationCols +
                                                           " FROM registrations WHERE citizen_id = ? "
                                                           "ORDER BY city, registered_on, created_at, id"));
    st->Bind(1, cipher_.Index(citizen_id));
    return Rows<Registration>(*st, RowOf(RegistrationRow));
  }

  Status InsertApplication(const Application& a) override {
    if (!writable_) return ReadOnlyError();
    EPERMIT_ASSIGN_OR_RETURN(Statement * st, conn_.Prepare(std::string("INSERT INTO applications(") + kApplicationCols +
                                                           ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    BindApplication(*st, a);
    return st->Run();
  }

  Status UpdateApplication(const Application& a) override {
    if (!writable_) return ReadOnlyError();
    // An UPDATE, not REPLACE: REPLACE deletes the row first, which makes SQLite look for
    // referencing permits on every decision.
    EPERMIT_ASSIGN_OR_RETURN(
        Statement * st,
        conn_.Prepare("UPDATE applications SET status = ?, decision = ?, review_deadline = ?, decided_by = ?, "
                      "decision_reason = ?, decided_at = ?, permit_number = ? WHERE id = ?"));
    std::optional<std::string> deadline;
    if (a.review_deadline) deadline = DateText(*a.review_deadline);
    EPERMIT_RETURN_IF_ERROR(st->Bind(1, domain::ToString(a.status))
                                .Bind(2, a.decision_json)
                                .BindOpt(3, deadline)
                                .Bind(4, a.decided_by)
                                .Bind(5, a.decision_reason)
                                .BindOpt(6, a.decided_at)
                                .BindOpt(7, NonEmpty(a.permit_number))
                                .Bind(8, a.id)
                                .Run());
    if (conn_.Changes() != 1) return InternalError("application to update not found");
    return Status::Ok();
  }

  Result<std::optional<Application>> FindApplication(const std::string& id) override {
    return One<Application>(std::string("SELECT ") + kApplicationCols + " FROM applications WHERE id = ?",
                            RowOf(ApplicationRow), id);
  }

  Result<std::optional<Application>> PendingApplication(const std::string& citizen_id) override {
    return One<Application>(std::string("SELECT ") + kApplicationCols +
                                " FROM applications WHERE citizen_id = ? AND status = 'pending_review'",
                            RowOf(ApplicationRow), cipher_.Index(citizen_id));
  }

  Result<std::vector<Application>> ListPendingReview(const std::string& city, PageRequest page) override {
    EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                             conn_.Prepare(std::string("SELECT ") + kApplicationCols +
                                           " FROM applications WHERE city = ? AND status = 'pending_review' "
                                           "ORDER BY review_deadline, created_at, id LIMIT ? OFFSET ?"));
    st->Bind(1, city).Bind(2, int64_t{page.limit}).Bind(3, int64_t{page.offset});
    return Rows<Application>(*st, RowOf(ApplicationRow));
  }

  Result<int64_t> CountPendingReview(const std::string& city) override {
    EPERMIT_ASSIGN_OR_RETURN(
        Statement * st,
        conn_.Prepare("SELECT COUNT(*) FROM applications WHERE city = ? AND status = 'pending_review'"));
    st->Bind(1, city);
    EPERMIT_ASSIGN_OR_RETURN(bool row, st->Step());
    int64_t n = row ? st->Int(0) : 0;
    st->Reset();
    return n;
  }

  Result<uint64_t> NextPermitSequence(const std::string& city) override {
    if (!writable_) return ReadOnlyError();
    EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                             conn_.Prepare("INSERT INTO permit_sequences(city, next) VALUES(?, 2) "
                                           "ON CONFLICT(city) DO UPDATE SET next = next + 1 RETURNING next - 1"));
    st->Bind(1, city);
    EPERMIT_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) return InternalError("sequence not returned");
    uint64_t v = static_cast<uint64_t>(st->Int(0));
    st->Reset();
    return v;
  }

  Status InsertPermit(const Permit& p) override {
    if (!writable_) return ReadOnlyError();
    EPERMIT_ASSIGN_OR_RETURN(Statement * st, conn_.Prepare(std::string("INSERT INTO permits(") + kPermitCols +
                                                           ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    BindPermit(*st, p);
    EPERMIT_RETURN_IF_ERROR(st->Run());
    return MarkStale(p.citizen_id);
  }

  Status UpdatePermit(const Permit& p) override {
    if (!writable_) return ReadOnlyError();
    // The stored owner, not the caller's copy of it: it is sealed with the new fields.
    EPERMIT_ASSIGN_OR_RETURN(Statement * owner, conn_.Prepare("SELECT sealed FROM permits WHERE number = ?"));
    owner->Bind(1, p.number);
    EPERMIT_ASSIGN_OR_RETURN(bool found, owner->Step());
    Result<std::vector<std::string>> stored =
        found ? cipher_.Open("permits", owner->Bytes(0), 4)
              : Result<std::vector<std::string>>(InternalError("permit to update not found"));
    owner->Reset();
    if (!stored.ok()) return stored.error();
    const std::string citizen_id = std::move((*stored)[0]);
    EPERMIT_ASSIGN_OR_RETURN(
        Statement * st,
        conn_.Prepare("UPDATE permits SET ethnicity=?, photo_ref=?, residence_division=?, issuing_authority=?, "
                      "state=?, residence_since=?, endorsed_until=?, updated_at=?, status_index=?, sealed=? "
                      "WHERE number=?"));
    EPERMIT_RETURN_IF_ERROR(
        st->Bind(1, p.ethnicity)
            .Bind(2, p.photo_ref)
            .Bind(3, p.residence_division)
            .Bind(4, p.issuing_authority)
            .Bind(5, domain::ToString(p.state))
            .Bind(6, DateText(p.residence_since))
            .Bind(7, DateText(p.endorsed_until))
            .Bind(8, p.updated_at)
            .Bind(9, p.status_index)
            .BindBlob(10, cipher_.Seal("permits", {citizen_id, p.name, p.hukou_address, p.residence_address}))
            .Bind(11, p.number)
            .Run());
    if (conn_.Changes() != 1) return InternalError("permit to update not found");
    return MarkStale(citizen_id);
  }

  Result<std::optional<Permit>> FindPermit(const std::string& number) override {
    return One<Permit>(std::string("SELECT ") + kPermitCols + " FROM permits WHERE number = ?", RowOf(PermitRow),
                       number);
  }

  Result<std::optional<Permit>> CurrentPermit(const std::string& citizen_id, const std::string& city) override {
    return One<Permit>(std::string("SELECT ") + kPermitCols +
                           " FROM permits WHERE citizen_id = ? AND city = ? AND state IN ('active', 'suspended')",
                       RowOf(PermitRow), cipher_.Index(citizen_id), city);
  }

  Result<std::vector<Permit>> PermitsOf(const std::string& citizen_id) override {
    // Through the person's applications (applications_by_person), the permit each issued
    // (primary key) and every version of that sequence (the UNIQUE (city, sequence, version)
    // index): no index on permits.citizen_id is needed, so issuance writes no extra B-tree.
    static const std::string kSql = [] {
      std::string cols;
      for (std::string_view rest = kPermitCols; !rest.empty();) {
        const size_t comma = rest.find(',');
        std::string_view col = rest.substr(0, comma);
        while (!col.empty() && col.front() == ' ') col.remove_prefix(1);
        cols += (cols.empty() ? "p." : ", p.") + std::string(col);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
      return "SELECT DISTINCT " + cols +
             " FROM applications a JOIN permits q ON q.number = a.permit_number "
             "JOIN permits p ON p.city = q.city AND p.sequence = q.sequence "
             "WHERE a.citizen_id = ? AND p.citizen_id = a.citizen_id ORDER BY p.city, p.sequence, p.version";
    }();
    EPERMIT_ASSIGN_OR_RETURN(Statement * st, conn_.Prepare(kSql));
    st->Bind(1, cipher_.Index(citizen_id));
    return Rows<Permit>(*st, RowOf(PermitRow));
  }

  Status ForEachPerson(const std::function<Status(PersonRows&)>& fn) override {
    // Two cursors in blind-index order, merged: the digests (a WITHOUT ROWID table, stored in
    // key order: a sequential read) and the stale marks, whose people are read from their rows.
    EPERMIT_ASSIGN_OR_RETURN(Statement * digests,
                             conn_.Prepare("SELECT citizen_id, body FROM person_digests ORDER BY citizen_id"));
    EPERMIT_ASSIGN_OR_RETURN(Statement * stale,
                             conn_.Prepare("SELECT citizen_id FROM person_digest_stale ORDER BY citizen_id"));
    const ResetOnExit<2> reset_on_exit{{digests, stale}};
    EPERMIT_ASSIGN_OR_RETURN(bool has_digest, digests->Step());
    EPERMIT_ASSIGN_OR_RETURN(bool has_stale, stale->Step());
    PersonRows person;
    while (has_digest || has_stale) {
      std::string digest_key = has_digest ? digests->Text(0) : std::string();
      std::string stale_key = has_stale ? stale->Text(0) : std::string();
      if (has_stale && (!has_digest || stale_key <= digest_key)) {
        EPERMIT_RETURN_IF_ERROR(RowsOfIndexed(stale_key, person));
        if (has_digest && digest_key == stale_key) {
          EPERMIT_ASSIGN_OR_RETURN(has_digest, digests->Step());
        }
        EPERMIT_ASSIGN_OR_RETURN(has_stale, stale->Step());
        if (person.registrations.empty() && person.permits.empty() && person.records.empty()) continue;
      } else {
        EPERMIT_ASSIGN_OR_RETURN(std::vector<std::string> sealed, cipher_.Open("person_digests", digests->Bytes(1), 2));
        person.citizen_id = std::move(sealed[0]);
        person.digest = std::move(sealed[1]);
        person.registrations.clear();
        person.permits.clear();
        person.records.clear();
        EPERMIT_ASSIGN_OR_RETURN(has_digest, digests->Step());
      }
      EPERMIT_RETURN_IF_ERROR(fn(person));
    }
    return Status::Ok();
  }

  Result<size_t> RefreshPersonDigests(size_t limit) override {
    if (!writable_) return ReadOnlyError();
    std::vector<std::string> ids;  // blind indexes
    {
      EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                               conn_.Prepare("SELECT citizen_id FROM person_digest_stale ORDER BY citizen_id LIMIT ?"));
      st->Bind(1, static_cast<int64_t>(limit));
      EPERMIT_ASSIGN_OR_RETURN(ids, Rows<std::string>(*st, [](const Statement& s) { return s.Text(0); }));
    }
    EPERMIT_ASSIGN_OR_RETURN(Statement * put,
                             conn_.Prepare("INSERT OR REPLACE INTO person_digests(citizen_id, body) VALUES(?, ?)"));
    EPERMIT_ASSIGN_OR_RETURN(Statement * drop, conn_.Prepare("DELETE FROM person_digests WHERE citizen_id = ?"));
    EPERMIT_ASSIGN_OR_RETURN(Statement * fresh, conn_.Prepare("DELETE FROM person_digest_stale WHERE citizen_id = ?"));
    const ResetOnExit<3> reset_on_exit{{put, drop, fresh}};
    PersonRows rows;
    for (const std::string& id : ids) {
      EPERMIT_RETURN_IF_ERROR(RowsOfIndexed(id, rows));
      // Prepared once for the batch: each use starts from a reset statement.
      for (Statement* st : {put, drop, fresh}) st->Reset();
      if (rows.registrations.empty() && rows.permits.empty() && rows.records.empty()) {
        EPERMIT_RETURN_IF_ERROR(drop->Bind(1, id).Run());
      } else {
        domain::PersonInputs in;
        in.citizen_id = rows.citizen_id;
        in.registrations = std::move(rows.registrations);
        in.permits = std::move(rows.permits);
        for (const auto& [record_id, body] : rows.records) {
          EPERMIT_RETURN_IF_ERROR(domain::AddStoredToBundle(in.records, record_id, body));
        }
        const std::string digest = domain::EncodePersonDigest(in);
        EPERMIT_RETURN_IF_ERROR(
            put->Bind(1, id).BindBlob(2, cipher_.Seal("person_digests", {in.citizen_id, digest})).Run());
      }
      EPERMIT_RETURN_IF_ERROR(fresh->Bind(1, id).Run());
    }
    return ids.size();
  }

  Result<int64_t> StaleDigestCount() override { return Count("SELECT COUNT(*) FROM person_digest_stale"); }

  Result<int64_t> InsertAccount(const domain::Account& a) override {
    if (!writable_) return ReadOnlyError();
    return InsertAccountRow(conn_, cipher_, a);
  }
  Status UpdateAccount(const domain::Account& a) override {
    if (!writable_) return ReadOnlyError();
    return UpdateAccountRow(conn_, cipher_, a);
  }
  Result<std::optional<domain::Account>> FindAccount(const std::string& username) override {
    return FindAccountRow(conn_, cipher_, username);
  }
  Result<std::optional<domain::Account>> FindAccountById(int64_t id) override {
    return FindAccountRowById(conn_, cipher_, id);
  }

  Status SaveConsent(const domain::Consent& c) override {
    if (!writable_) return ReadOnlyError();
    return SaveConsentRow(conn_, cipher_, c);
  }
  Result<std::optional<domain::Consent>> FindConsent(const std::string& id) override {
    return FindConsentRow(conn_, cipher_, id);
  }
  Result<std::vector<domain::Consent>> ConsentsOf(const std::string& citizen_id) override {
    return ConsentRowsOf(conn_, cipher_, citizen_id);
  }
  Result<std::vector<domain::Consent>> ConsentsRequestedBy(int64_t requester_id) override {
    return ConsentRowsRequestedBy(conn_, cipher_, requester_id);
  }
  Status SaveAssist(const domain::Assist& a) override {
    if (!writable_) return ReadOnlyError();
    return SaveAssistRow(conn_, cipher_, a);
  }
  Result<std::optional<domain::Assist>> FindAssist(const std::string& id) override {
    return FindAssistRow(conn_, cipher_, id);
  }
  Result<std::vector<domain::Assist>> AssistsFor(const std::string& citizen_id) override {
    return AssistRowsFor(conn_, cipher_, citizen_id);
  }
  Status SaveCorrection(const domain::Correction& c) override {
    if (!writable_) return ReadOnlyError();
    return SaveCorrectionRow(conn_, cipher_, c);
  }
  Result<std::optional<domain::Correction>> FindCorrection(const std::string& id) override {
    return FindCorrectionRow(conn_, cipher_, id);
  }
  Result<std::vector<domain::Correction>> CorrectionsOf(const std::string& citizen_id) override {
    return CorrectionRowsOf(conn_, cipher_, citizen_id);
  }
  Result<std::vector<domain::Correction>> PendingCorrections(const std::string& city) override {
    return PendingCorrectionRows(conn_, cipher_, city);
  }
  Status SaveServiceApplication(const domain::ServiceApplication& a) override {
    if (!writable_) return ReadOnlyError();
    return SaveServiceApplicationRow(conn_, cipher_, a);
  }
  Result<std::optional<domain::ServiceApplication>> FindServiceApplication(const std::string& id) override {
    return FindServiceApplicationRow(conn_, cipher_, id);
  }
  Result<std::vector<domain::ServiceApplication>> ServiceApplicationsOf(const std::string& citizen_id) override {
    return ServiceApplicationRowsOf(conn_, cipher_, citizen_id);
  }
  Result<std::vector<domain::ServiceApplication>> ServiceApplicationQueue(const std::string& city, int limit) override {
    return ServiceApplicationQueueRows(conn_, cipher_, city, limit);
  }
  Result<int64_t> AppendInbox(const domain::InboxItem& item) override {
    if (!writable_) return ReadOnlyError();
    return InsertInboxRow(conn_, cipher_, item);
  }
  Result<std::vector<domain::InboxItem>> InboxOf(const std::string& citizen_id, int limit) override {
    return InboxRowsOf(conn_, cipher_, citizen_id, limit);
  }
  Status SaveServiceStanding(const domain::ServiceStandingRecord& s) override {
    if (!writable_) return ReadOnlyError();
    return SaveServiceStandingRow(conn_, cipher_, s);
  }
  Result<domain::ServiceStandingRecord> FindServiceStanding(const std::string& citizen_id) override {
    return FindServiceStandingRow(conn_, cipher_, citizen_id);
  }
  Result<std::vector<Application>> ApplicationsOf(const std::string& citizen_id) override {
    EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                             conn_.Prepare(std::string("SELECT ") + kApplicationCols +
                                           " FROM applications WHERE citizen_id = ? ORDER BY created_at, id"));
    st->Bind(1, cipher_.Index(citizen_id));
    return Rows<Application>(*st, RowOf(ApplicationRow));
  }
  Status InsertSession(const domain::Session& s) override {
    if (!writable_) return ReadOnlyError();
    return InsertSessionRow(conn_, s);
  }
  Result<std::optional<domain::Session>> FindSession(const std::string& token_hash) override {
    return FindSessionRow(conn_, token_hash);
  }
  Status DeleteSession(const std::string& token_hash) override {
    if (!writable_) return ReadOnlyError();
    return DeleteSessionRow(conn_, token_hash);
  }
  Result<int64_t> DeleteSessionsOf(int64_t account_id) override {
    if (!writable_) return ReadOnlyError();
    return DeleteSessionRowsOf(conn_, account_id);
  }

  Result<std::vector<domain::HistoryEntry>> HistoryAfter(int64_t after_id, int64_t limit) override {
    return HistoryRowsAfter(conn_, cipher_, after_id, limit);
  }
  Status AppendAuditLeaves(int64_t first_index, const std::vector<std::string>& leaf_hashes) override {
    if (!writable_) return ReadOnlyError();
    return InsertAuditLeafRows(conn_, first_index, leaf_hashes);
  }
  Result<std::vector<std::string>> AuditLeaves(int64_t from_index, int64_t limit) override {
    return AuditLeafRows(conn_, from_index, limit);
  }
  Status InsertTreeHead(const TreeHead& head) override {
    if (!writable_) return ReadOnlyError();
    return InsertTreeHeadRow(conn_, head);
  }
  Result<std::vector<TreeHead>> TreeHeads() override { return TreeHeadRows(conn_); }

  Result<std::vector<Permit>> LapsedPermits(const std::string& city, Date day, int limit) override {
    EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                             conn_.Prepare(std::string("SELECT ") + kPermitCols +
                                           " FROM permits WHERE city = ? AND state = 'active' AND endorsed_until <= ? "
                                           "ORDER BY endorsed_until LIMIT ?"));
    st->Bind(1, city).Bind(2, DateText(day)).Bind(3, int64_t{limit});
    return Rows<Permit>(*st, RowOf(PermitRow));
  }

  Result<std::vector<Permit>> SuspendedSince(const std::string& city, int64_t before_unix, int limit) override {
    EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                             conn_.Prepare(std::string("SELECT ") + kPermitCols +
                                           " FROM permits WHERE city = ? AND state = 'suspended' AND updated_at < ? "
                                           "ORDER BY updated_at LIMIT ?"));
    st->Bind(1, city).Bind(2, before_unix).Bind(3, int64_t{limit});
    return Rows<Permit>(*st, RowOf(PermitRow));
  }

  Result<int64_t> AllocateStatusIndex(const std::string& city, const std::string& permit_number, int64_t now) override {
    if (!writable_) return ReadOnlyError();
    EPERMIT_ASSIGN_OR_RETURN(
        Statement * st,
        conn_.Prepare(
            "INSERT INTO credential_status(idx, city, permit_number, status, updated_at) "
            "VALUES((SELECT COALESCE(MAX(idx) + 1, 0) FROM credential_status WHERE city = ?1), ?1, ?2, 0, ?3) "
            "RETURNING idx"));
    st->Bind(1, city).Bind(2, permit_number).Bind(3, now);
    EPERMIT_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) return InternalError("status index not returned");
    const int64_t idx = st->Int(0);
    st->Reset();
    // No version bump: a new entry is "valid", which every list already says of an unused
    // index, so no signed list changes.
    return idx;
  }

  Status SetCredentialStatus(int64_t idx, domain::CredentialStatus status, int64_t now) override {
    if (!writable_) return ReadOnlyError();
    EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                             conn_.Prepare("UPDATE credential_status SET status = ?, updated_at = ? WHERE idx = ? "
                                           "RETURNING city"));
    st->Bind(1, int64_t{static_cast<uint8_t>(status)}).Bind(2, now).Bind(3, idx);
    EPERMIT_ASSIGN_OR_RETURN(bool row, st->Step());
    std::string city = row ? st->Text(0) : std::string();
    st->Reset();
    if (!row) return InternalError("unknown status index");
    return BumpStatusVersion(city);
  }

  Result<std::vector<std::pair<int64_t, domain::CredentialStatus>>> NonValidStatuses(const std::string& city,
                                                                                     int64_t from,
                                                                                     int64_t to) override {
    EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                             conn_.Prepare("SELECT idx, status FROM credential_status WHERE city = ? AND idx >= ? "
                                           "AND idx < ? AND status != 0 ORDER BY idx"));
    st->Bind(1, city).Bind(2, from).Bind(3, to);
    return Rows<std::pair<int64_t, domain::CredentialStatus>>(*st, [](const Statement& s) {
      return std::make_pair(s.Int(0), static_cast<domain::CredentialStatus>(s.Int(1)));
    });
  }

  Result<int64_t> StatusVersion(const std::string& city) override {
    EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                             conn_.Prepare("SELECT version FROM credential_status_version WHERE city = ?"));
    st->Bind(1, city);
    EPERMIT_ASSIGN_OR_RETURN(bool row, st->Step());
    const int64_t v = row ? st->Int(0) : 0;
    st->Reset();
    return v;
  }

  Status AppendHistory(const domain::HistoryEntry& e) override {
    if (!writable_) return ReadOnlyError();
    EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                             conn_.Prepare("INSERT INTO history(entity_type, entity_id, action, actor, reason, at, "
                                           "detail, sealed) VALUES(?,?,?,?,'',?,'',?)"));
    const std::string detail = e.detail_json.empty() ? std::string("{}") : e.detail_json;
    return st->Bind(1, e.entity_type)
        .Bind(2, cipher_.Index(e.entity_id))
        .Bind(3, e.action)
        .Bind(4, e.actor)
        .Bind(5, e.at)
        .BindBlob(6, cipher_.Seal("history", {e.entity_id, e.reason, detail}))
        .Run();
  }

  Result<std::vector<domain::HistoryEntry>> History(const std::string& entity_type,
                                                    const std::string& entity_id) override {
    EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                             conn_.Prepare(std::string("SELECT ") + kHistoryCols +
                                           " FROM history WHERE entity_type = ? AND entity_id = ? ORDER BY id"));
    st->Bind(1, entity_type).Bind(2, cipher_.Index(entity_id));
    return Rows<domain::HistoryEntry>(*st, [this](const Statement& s) { return HistoryRow(s, cipher_); });
  }

 private:
  Status BumpStatusVersion(const std::string& city) {
    EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                             conn_.Prepare("INSERT INTO credential_status_version(city, version) VALUES(?, 1) "
                                           "ON CONFLICT(city) DO UPDATE SET version = version + 1"));
    return st->Bind(1, city).Run();
  }

  template <typename T, typename RowFn, typename... Args>
  Result<std::optional<T>> One(const std::string& sql, RowFn row_fn, const Args&... args) {
    EPERMIT_ASSIGN_OR_RETURN(Statement * st, conn_.Prepare(sql));
    int i = 1;
    (st->Bind(i++, std::string_view(args)), ...);
    EPERMIT_ASSIGN_OR_RETURN(std::vector<T> rows, Rows<T>(*st, row_fn));
    if (rows.empty()) return std::optional<T>();
    return std::optional<T>(std::move(rows.front()));
  }

  // The rows of the person with this blind index; out.citizen_id is read from them (empty
  // when there are none).
  Status RowsOfIndexed(const std::string& index, PersonRows& out) {
    out.citizen_id.clear();
    out.digest.clear();
    EPERMIT_ASSIGN_OR_RETURN(Statement * regs, conn_.Prepare(std::string("SELECT ") + kRegistrationCols +
                                                             " FROM registrations WHERE citizen_id = ? "
                                                             "ORDER BY city, registered_on, created_at, id"));
    regs->Bind(1, index);
    EPERMIT_ASSIGN_OR_RETURN(out.registrations, Rows<Registration>(*regs, RowOf(RegistrationRow)));
    EPERMIT_ASSIGN_OR_RETURN(Statement * permits,
                             conn_.Prepare(std::string("SELECT ") + kPermitCols +
                                           " FROM permits WHERE citizen_id = ? ORDER BY city, sequence, version"));
    permits->Bind(1, index);
    EPERMIT_ASSIGN_OR_RETURN(out.permits, Rows<Permit>(*permits, RowOf(PermitRow)));
    EPERMIT_ASSIGN_OR_RETURN(Statement * records,
                             conn_.Prepare("SELECT id, sealed FROM records WHERE citizen_id = ? ORDER BY id"));
    records->Bind(1, index);
    std::string owner;
    EPERMIT_ASSIGN_OR_RETURN(out.records, (Rows<std::pair<int64_t, std::string>>(*records, RecordBodyRow(&owner))));
    if (!out.registrations.empty()) {
      out.citizen_id = out.registrations.front().citizen_id;
    } else if (!out.permits.empty()) {
      out.citizen_id = out.permits.front().citizen_id;
    } else {
      out.citizen_id = std::move(owner);
    }
    return Status::Ok();
  }

  // Marks a person's digest stale, once per person per write.
  Status MarkStale(const std::string& citizen_id) {
    if (!marked_.insert(citizen_id).second) return Status::Ok();
    EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                             conn_.Prepare("INSERT OR IGNORE INTO person_digest_stale(citizen_id) VALUES(?)"));
    return st->Bind(1, cipher_.Index(citizen_id)).Run();
  }

  Result<int64_t> Count(const std::string& sql) {
    EPERMIT_ASSIGN_OR_RETURN(Statement * st, conn_.Prepare(sql));
    EPERMIT_ASSIGN_OR_RETURN(bool row, st->Step());
    const int64_t n = row ? st->Int(0) : 0;
    st->Reset();
    return n;
  }

  void BindApplication(Statement& st, const Application& a) const {
    std::string guardian;
    if (a.guardian) {
      guardian =
          nlohmann::json{
              {"citizen_id", a.guardian->citizen_id}, {"name", a.guardian->name}, {"relation", a.guardian->relation}}
              .dump();
    }
    std::optional<std::string> deadline;
    if (a.review_deadline) deadline = DateText(*a.review_deadline);
    st.Bind(1, a.id)
        .Bind(2, cipher_.Index(a.citizen_id))
        .Bind(3, a.registration_id)
        .Bind(4, a.city)
        .Bind(5, "")
        .Bind(6, a.ethnicity)
        .Bind(7, a.photo_ref)
        .BindNull(8)
        .Bind(9, domain::ToString(a.status))
        .Bind(10, a.policy_version)
        .Bind(11, a.decision_json)
        .Bind(12, DateText(a.accepted_on))
        .BindOpt(13, deadline)
        .Bind(14, a.decided_by)
        .Bind(15, a.decision_reason)
        .BindOpt(16, a.decided_at)
        .BindOpt(17, NonEmpty(a.permit_number))
        .Bind(18, a.actor)
        .Bind(19, a.created_at)
        .BindBlob(20, cipher_.Seal("applications", {a.citizen_id, a.name, guardian}));
  }

  void BindPermit(Statement& st, const Permit& p) const {
    st.Bind(1, p.number)
        .Bind(2, static_cast<int64_t>(p.sequence))
        .Bind(3, int64_t{p.version})
        .Bind(4, p.city)
        .Bind(5, cipher_.Index(p.citizen_id))
        .Bind(6, "")
        .Bind(7, domain::ToString(p.sex))
        .Bind(8, p.ethnicity)
        .Bind(9, DateText(p.birth_date))
        .Bind(10, p.photo_ref)
        .Bind(11, "")
        .Bind(12, p.residence_division)
        .Bind(13, "")
        .Bind(14, p.issuing_authority)
        .Bind(15, DateText(p.issue_date))
        .Bind(16, domain::ToString(p.state))
        .Bind(17, DateText(p.residence_since))
        .Bind(18, DateText(p.endorsed_until))
        .BindOpt(19, NonEmpty(p.application_id))
        .BindOpt(20, NonEmpty(p.replaces))
        .Bind(21, p.updated_at)
        .Bind(22, p.status_index)
        .BindBlob(23, cipher_.Seal("permits", {p.citizen_id, p.name, p.hukou_address, p.residence_address}));
  }

  Connection& conn_;
  bool writable_;
  const FieldCipher& cipher_;
  std::unordered_set<std::string> marked_;  // marked stale in this write
};

// A write function that throws fails like one that returns an error: the batch, and the
// callers waiting on it, must not be left mid-transaction.
Status Invoke(const std::function<Status(Tx&)>& fn, Tx& tx) {
  try {
    return fn(tx);
  } catch (const std::exception& e) {
    return InternalError(std::string("write failed: ") + e.what());
  }
}

Status RunCached(Connection& c, const std::string& sql) {
  EPERMIT_ASSIGN_OR_RETURN(Statement * st, c.Prepare(sql));
  return st->Run();
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteOptions& options, int64_t now_unix) {
  std::unique_ptr<SqliteStore> store(new SqliteStore(options.path));
  store->keys_ = options.keys;
  EPERMIT_ASSIGN_OR_RETURN(store->writer_, Connection::Open(options.path, false));
  if (options.migrate) {
    EPERMIT_RETURN_IF_ERROR(Migrate(*store->writer_, now_unix));
  }
  EPERMIT_RETURN_IF_ERROR(store->OpenCipher(options.migrate, now_unix));
  for (int i = 0; i < options.read_connections; ++i) {
    EPERMIT_ASSIGN_OR_RETURN(auto reader, Connection::Open(options.path, true));
    store->readers_.push_back(std::move(reader));
  }
  return store;
}

Status SqliteStore::OpenCipher(bool seal, int64_t now_unix) {
  Connection& c = *writer_;
  // Read, not CurrentSchemaVersion: a file opened without migrating is not written to.
  EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                           c.Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'store_key'"));
  EPERMIT_ASSIGN_OR_RETURN(bool has_key_table, st->Step());
  st->Reset();
  if (!has_key_table) {
    unsealed_ = MakeError(ErrorKind::kFailedPrecondition, "store.schema_old",
                          "The database " + path_ + " predates encryption at rest: run `epermit db migrate` first.",
                          "数据库 " + path_ + " 的结构早于字段加密：请先运行 `epermit db migrate`。");
    return Status::Ok();
  }
  EPERMIT_ASSIGN_OR_RETURN(std::string key_id, SealedKeyId(c));
  if (key_id.empty() && !seal) {
    unsealed_ = MakeError(ErrorKind::kFailedPrecondition, "store.unsealed",
                          "The personal fields of " + path_ + " are not yet encrypted: run `epermit db migrate`.",
                          "数据库 " + path_ + " 的个人字段尚未加密：请运行 `epermit db migrate`。");
    return Status::Ok();
  }
  if (keys_.empty()) {
    unsealed_ = MakeError(ErrorKind::kFailedPrecondition, "store.no_key",
                          "No data key was given for " + path_ + " ([store] key_file).",
                          "未提供数据库 " + path_ + " 的数据密钥（[store] key_file）。");
    return Status::Ok();
  }
  if (key_id.empty()) {
    // Plaintext rows (or none yet): seal them under the newest key, then compact so no
    // freed page keeps them.
    auto cipher = std::make_shared<const FieldCipher>(keys_.back(), keys_);
    EPERMIT_RETURN_IF_ERROR(c.Exec("BEGIN IMMEDIATE"));
    auto sealed = ResealAll(c, nullptr, *cipher, now_unix);
    Status s = sealed.ok() ? c.Exec("COMMIT") : sealed.status();
    if (!s.ok()) {
      (void)c.Exec("ROLLBACK");
      return s;
    }
    if (*sealed > 0) EPERMIT_RETURN_IF_ERROR(Compact());
    std::lock_guard<std::mutex> lock(cipher_mu_);
    cipher_ = std::move(cipher);
    return Status::Ok();
  }
  for (const DataKey& k : keys_) {
    if (k.id == key_id) {
      std::lock_guard<std::mutex> lock(cipher_mu_);
      cipher_ = std::make_shared<const FieldCipher>(k, keys_);
      return Status::Ok();
    }
  }
  unsealed_ = MakeError(
      ErrorKind::kFailedPrecondition, "store.key_missing",
      "The database " + path_ + " is encrypted with data key " + key_id + ", which is not in the key file given.",
      "数据库 " + path_ + " 由数据密钥 " + key_id + " 加密，所给密钥文件中没有该密钥。");
  return Status::Ok();
}

Result<std::shared_ptr<const FieldCipher>> SqliteStore::Cipher() const {
  std::lock_guard<std::mutex> lock(cipher_mu_);
  if (cipher_ == nullptr) return unsealed_;
  return cipher_;
}

Status SqliteStore::CipherStatus() const { return Cipher().status(); }

std::string SqliteStore::KeyId() const {
  std::lock_guard<std::mutex> lock(cipher_mu_);
  return cipher_ == nullptr ? std::string() : cipher_->key_id();
}

Status SqliteStore::Compact() {
  EPERMIT_RETURN_IF_ERROR(writer_->Exec("VACUUM"));
  return writer_->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

Result<int64_t> SqliteStore::RotateKey(const DataKey& next, int64_t now_unix) {
  EPERMIT_ASSIGN_OR_RETURN(std::shared_ptr<const FieldCipher> from, Cipher());
  std::vector<DataKey> keys = keys_;
  keys.push_back(next);
  auto to = std::make_shared<const FieldCipher>(next, keys);
  std::lock_guard<std::mutex> write_lock(write_mu_);
  Connection& c = *writer_;
  EPERMIT_RETURN_IF_ERROR(c.Exec("BEGIN IMMEDIATE"));
  auto resealed = ResealAll(c, from.get(), *to, now_unix);
  Status s = resealed.ok() ? c.Exec("COMMIT") : resealed.status();
  if (!s.ok()) {
    (void)c.Exec("ROLLBACK");
    return s.error();
  }
  {
    std::lock_guard<std::mutex> lock(cipher_mu_);
    cipher_ = std::move(to);
    keys_ = std::move(keys);
  }
  EPERMIT_RETURN_IF_ERROR(Compact());
  return *resealed;
}

// Group commit (leader/follower, no extra thread): a caller queues its write; if no batch is
// being written it leads, taking every write queued so far into one transaction, each in
// its own savepoint so that one failing write leaves the others, and one COMMIT (FULL if
// any of them asked for it). Followers sleep until their batch has committed. Under
// concurrent requests the fsync, and the WAL pages the writes share, are paid once per
// batch; a lone caller goes through the plain path.
Status SqliteStore::Write(Durability durability, const std::function<Status(Tx&)>& fn) {
  PendingWrite me{durability, &fn};
  std::unique_lock<std::mutex> lock(queue_mu_);
  queue_.push_back(&me);
  queue_cv_.wait(lock, [&] { return me.done || !leading_; });
  if (me.done) return me.result;
  leading_ = true;
  std::vector<PendingWrite*> batch;
  batch.swap(queue_);
  lock.unlock();
  {
    std::lock_guard<std::mutex> write_lock(write_mu_);
    CommitBatch(batch);
  }
  lock.lock();
  for (PendingWrite* w : batch) w->done = true;
  leading_ = false;
  lock.unlock();
  queue_cv_.notify_all();
  return me.result;
}

void SqliteStore::CommitBatch(const std::vector<PendingWrite*>& batch) {
  Connection& c = *writer_;
  auto fail_all = [&](const Status& s) {
    for (PendingWrite* w : batch)
      if (w->result.ok()) w->result = s;
  };
  auto cipher_or = Cipher();
  if (!cipher_or.ok()) return fail_all(cipher_or.status());
  const std::shared_ptr<const FieldCipher> cipher = std::move(*cipher_or);
  bool full = false;
  for (const PendingWrite* w : batch) full = full || w->durability == Durability::kFull;
  // synchronous cannot change inside a transaction, so it is set per commit here. Cached
  // statements: sqlite3_exec would parse these on every write.
  Status s = RunCached(c, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  if (s.ok()) s = RunCached(c, "BEGIN IMMEDIATE");
  if (!s.ok()) return fail_all(s);
  SqliteTx tx(c, true, *cipher);
  if (batch.size() == 1) {
    s = Invoke(*batch[0]->fn, tx);
    if (s.ok()) s = RunCached(c, "COMMIT");
    if (s.ok()) ++commits_;
    if (!s.ok()) (void)c.Exec("ROLLBACK");
    batch[0]->result = s;
    return;
  }
  bool any_ok = false;
  for (PendingWrite* w : batch) {
    s = RunCached(c, "SAVEPOINT one_write");
    if (s.ok()) {
      tx.StartWrite();
      w->result = Invoke(*w->fn, tx);
      if (sqlite3_get_autocommit(c.raw())) {
        // SQLite rolled the whole transaction back (I/O error, disk full): nothing of this
        // batch is stored, so every write in it fails.
        Status lost = w->result.ok() ? InternalError("transaction rolled back by the database") : w->result;
        return fail_all(lost);
      }
      if (!w->result.ok()) s = RunCached(c, "ROLLBACK TO one_write");
      if (s.ok()) s = RunCached(c, "RELEASE one_write");
    }
    if (!s.ok()) {
      (void)c.Exec("ROLLBACK");
      return fail_all(s);
    }
    any_ok = any_ok || w->result.ok();
  }
  s = any_ok ? RunCached(c, "COMMIT") : RunCached(c, "ROLLBACK");
  if (s.ok() && any_ok) ++commits_;
  if (!s.ok()) {
    (void)c.Exec("ROLLBACK");
    fail_all(s);
  }
}

std::unique_ptr<Connection> SqliteStore::AcquireReader() {
  std::unique_lock<std::mutex> lock(read_mu_);
  read_cv_.wait(lock, [this] { return !readers_.empty(); });
  auto conn = std::move(readers_.back());
  readers_.pop_back();
  return conn;
}

void SqliteStore::ReleaseReader(std::unique_ptr<Connection> conn) {
  {
    std::lock_guard<std::mutex> lock(read_mu_);
    readers_.push_back(std::move(conn));
  }
  read_cv_.notify_one();
}

Status SqliteStore::Read(const std::function<Status(Tx&)>& fn) {
  EPERMIT_ASSIGN_OR_RETURN(std::shared_ptr<const FieldCipher> cipher, Cipher());
  auto conn = AcquireReader();
  // Cached statements: BEGIN/COMMIT through sqlite3_exec would be parsed on every read.
  Status s = RunCached(*conn, "BEGIN");
  if (s.ok()) {
    SqliteTx tx(*conn, false, *cipher);
    s = fn(tx);
    Status end = RunCached(*conn, "COMMIT");
    if (s.ok() && !end.ok()) s = end;
  }
  ReleaseReader(std::move(conn));
  return s;
}

Result<std::vector<std::string>> SqliteStore::Check() {
  std::lock_guard<std::mutex> lock(write_mu_);
  std::vector<std::string> lines;
  EPERMIT_ASSIGN_OR_RETURN(Statement * st, writer_->Prepare("PRAGMA integrity_check"));
  for (;;) {
    EPERMIT_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    lines.push_back("integrity_check: " + st->Text(0));
  }
  EPERMIT_ASSIGN_OR_RETURN(Statement * fk, writer_->Prepare("PRAGMA foreign_key_check"));
  int violations = 0;
  for (;;) {
    EPERMIT_ASSIGN_OR_RETURN(bool row, fk->Step());
    if (!row) break;
    ++violations;
    lines.push_back("foreign_key_check: " + fk->Text(0) + " row " + std::to_string(fk->Int(1)) +
                    " references missing " + fk->Text(2));
  }
  if (violations == 0) lines.push_back("foreign_key_check: ok");
  return lines;
}

Result<int> SqliteStore::SchemaVersion() {
  std::lock_guard<std::mutex> lock(write_mu_);
  return CurrentSchemaVersion(*writer_);
}

}  // namespace epermit::store::sqlite
