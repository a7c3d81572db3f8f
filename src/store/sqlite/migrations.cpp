#include "store/sqlite/migrations.hpp"

namespace epermit::store::sqlite {
namespace {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// Append only: never edit a step that has shipped; add a new one.
const Migration kMigrations[] = {
    {1, "initial schema", R"SQL(
CREATE TABLE records(
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  citizen_id TEXT NOT NULL,
  source TEXT NOT NULL,
  body TEXT NOT NULL,
  imported_at INTEGER NOT NULL);
CREATE INDEX records_by_person ON records(citizen_id);

CREATE TABLE registrations(
  id TEXT PRIMARY KEY,
  citizen_id TEXT NOT NULL,
  name TEXT NOT NULL,
  phone TEXT NOT NULL,
  city TEXT NOT NULL,
  division_code TEXT NOT NULL,
  address TEXT NOT NULL,
  basis TEXT NOT NULL,
  employer_uscc TEXT NOT NULL DEFAULT '',
  school TEXT NOT NULL DEFAULT '',
  registered_on TEXT NOT NULL,
  actor TEXT NOT NULL,
  created_at INTEGER NOT NULL);
CREATE UNIQUE INDEX one_registration_per_city ON registrations(citizen_id, city);

CREATE TABLE applications(
  id TEXT PRIMARY KEY,
  citizen_id TEXT NOT NULL,
  registration_id TEXT NOT NULL REFERENCES registrations(id),
  city TEXT NOT NULL,
  name TEXT NOT NULL,
  ethnicity TEXT NOT NULL,
  photo_ref TEXT NOT NULL,
  guardian TEXT,
  status TEXT NOT NULL CHECK (status IN ('approved', 'rejected', 'pending_review')),
  policy_version TEXT NOT NULL,
  decision TEXT NOT NULL,
  accepted_on TEXT NOT NULL,
  review_deadline TEXT,
  decided_by TEXT NOT NULL DEFAULT '',
  decision_reason TEXT NOT NULL DEFAULT '',
  decided_at INTEGER,
  permit_number TEXT,
  actor TEXT NOT NULL,
  created_at INTEGER NOT NULL);
CREATE UNIQUE INDEX one_pending_application ON applications(citizen_id) WHERE status = 'pending_review';
CREATE INDEX review_queue ON applications(city, review_deadline) WHERE status = 'pending_review';
CREATE INDEX applications_by_person ON applications(citizen_id);

CREATE TABLE permit_sequences(city TEXT PRIMARY KEY, next INTEGER NOT NULL);

CREATE TABLE permits(
  number TEXT PRIMARY KEY,
  sequence INTEGER NOT NULL,
  version INTEGER NOT NULL,
  city TEXT NOT NULL,
  citizen_id TEXT NOT NULL,
  name TEXT NOT NULL,
  sex TEXT NOT NULL CHECK (sex IN ('male', 'female')),
  ethnicity TEXT NOT NULL,
  birth_date TEXT NOT NULL,
  photo_ref TEXT NOT NULL,
  hukou_address TEXT NOT NULL,
  residence_division TEXT NOT NULL,
  residence_address TEXT NOT NULL,
  issuing_authority TEXT NOT NULL,
  issue_date TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('active', 'suspended', 'revoked', 'replaced', 'cancelled')),
  residence_since TEXT NOT NULL,
  endorsed_until TEXT NOT NULL,
  application_id TEXT REFERENCES applications(id),
  replaces TEXT REFERENCES permits(number),
  updated_at INTEGER NOT NULL,
  UNIQUE (city, sequence, version));
CREATE UNIQUE INDEX one_current_permit ON permits(citizen_id, city) WHERE state IN ('active', 'suspended');
CREATE INDEX permits_due ON permits(city, state, endorsed_until);

CREATE TABLE history(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  entity_type TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  action TEXT NOT NULL,
  actor TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  at INTEGER NOT NULL,
  detail TEXT NOT NULL DEFAULT '{}');
CREATE INDEX history_by_entity ON history(entity_type, entity_id, id);
CREATE TRIGGER history_no_update BEFORE UPDATE ON history
  BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER history_no_delete BEFORE DELETE ON history
  BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
)SQL"},
    {2, "credential status list", R"SQL(
ALTER TABLE permits ADD COLUMN status_index INTEGER NOT NULL DEFAULT -1;
CREATE TABLE credential_status(
  idx INTEGER PRIMARY KEY,
  city TEXT NOT NULL,
  permit_number TEXT NOT NULL REFERENCES permits(number) DEFERRABLE INITIALLY DEFERRED,
  status INTEGER NOT NULL CHECK (status BETWEEN 0 AND 3),
  updated_at INTEGER NOT NULL);
CREATE INDEX credential_status_by_permit ON credential_status(permit_number);
CREATE TABLE credential_status_version(city TEXT PRIMARY KEY, version INTEGER NOT NULL);
CREATE INDEX permits_by_application ON permits(application_id);
)SQL"},
    // Fewer B-trees touched per issuance (each is a 4 KB WAL page at every FULL commit):
    // - history loses AUTOINCREMENT, whose sqlite_sequence row was rewritten on every append;
    //   rows are never deleted (the triggers refuse it), so MAX(id)+1 never reuses an id.
    // - the index of permits by application, which nothing reads: it only served the
    //   foreign-key check on deleting or renumbering an application, which the node never does
    //   (applications are updated in place). credential_status_by_permit stays: its foreign key
    //   is deferred, so inserting the permit makes SQLite look up the status row written
    //   before it.
    {3, "leaner issuance writes", R"SQL(
CREATE TABLE history_v3(
  id INTEGER PRIMARY KEY,
  entity_type TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  action TEXT NOT NULL,
  actor TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  at INTEGER NOT NULL,
  detail TEXT NOT NULL DEFAULT '{}');
INSERT INTO history_v3(id, entity_type, entity_id, action, actor, reason, at, detail)
  SELECT id, entity_type, entity_id, action, actor, reason, at, detail FROM history ORDER BY id;
DROP TABLE history;
ALTER TABLE history_v3 RENAME TO history;
CREATE INDEX history_by_entity ON history(entity_type, entity_id, id);
CREATE TRIGGER history_no_update BEFORE UPDATE ON history
  BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER history_no_delete BEFORE DELETE ON history
  BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
DROP INDEX permits_by_application;
)SQL"},
    // 4: person digests (domain/person_digest.hpp), so a whole-population pass reads one
    //    short row per person in citizen-ID order (a WITHOUT ROWID table is stored in key
    //    order) instead of three tables through their indexes and every record's JSON.
    //    The store marks a person stale in the transaction that writes their rows; stale
    //    people are read from the rows until a refresh rebuilds their digest. Every existing
    //    person starts stale. permits_by_person lets one person's permits be read directly
    //    (PermitsOf goes through applications; a digest must hold exactly the permit rows).
    {4, "person digests", R"SQL(
CREATE TABLE person_digests(citizen_id TEXT PRIMARY KEY, body BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE person_digest_stale(citizen_id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE INDEX permits_by_person ON permits(citizen_id);
INSERT OR IGNORE INTO person_digest_stale(citizen_id)
  SELECT citizen_id FROM registrations UNION SELECT citizen_id FROM permits UNION SELECT citizen_id FROM records;
)SQL"},
    // 5. Accounts and their sessions (issue 5). A session row holds the SHA-256 of its token,
    //    never the token. A citizen ID is bound to at most one resident account.
    {5, "accounts and sessions", R"SQL(
CREATE TABLE accounts(
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  citizen_id TEXT,
  city TEXT NOT NULL,
  record_kinds TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  totp_secret BLOB,
  totp_pending BLOB,
  totp_last_step INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE UNIQUE INDEX one_account_per_resident ON accounts(citizen_id) WHERE citizen_id IS NOT NULL;

CREATE TABLE sessions(
  token_hash BLOB PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  bearer INTEGER NOT NULL,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX sessions_by_account ON sessions(account_id);
)SQL"},
    // 6. The transparency log (issue 5): leaf i is the hash of history row i + 1, and the
    //    signed tree heads the node published. Both append-only, as history is.
    {6, "transparency log", R"SQL(
CREATE TABLE audit_leaves(
  leaf_index INTEGER PRIMARY KEY,
  leaf_hash BLOB NOT NULL);
CREATE TABLE tree_heads(
  tree_size INTEGER PRIMARY KEY,
  timestamp INTEGER NOT NULL,
  root_hash BLOB NOT NULL,
  signed_head TEXT NOT NULL);
CREATE TRIGGER audit_leaves_no_update BEFORE UPDATE ON audit_leaves
  BEGIN SELECT RAISE(ABORT, 'the transparency log is append-only'); END;
CREATE TRIGGER audit_leaves_no_delete BEFORE DELETE ON audit_leaves
  BEGIN SELECT RAISE(ABORT, 'the transparency log is append-only'); END;
CREATE TRIGGER tree_heads_no_update BEFORE UPDATE ON tree_heads
  BEGIN SELECT RAISE(ABORT, 'tree heads are append-only'); END;
CREATE TRIGGER tree_heads_no_delete BEFORE DELETE ON tree_heads
  BEGIN SELECT RAISE(ABORT, 'tree heads are append-only'); END;
)SQL"},
    // 7. A resident's say over their data (issue 5): consents to third parties, assisted-
    //    service confirmations, correction requests. Their events go to history (and so
    //    to the transparency log); these rows hold the current state.
    {7, "consents, assists, corrections", R"SQL(
CREATE TABLE consents(
  id TEXT PRIMARY KEY,
  citizen_id TEXT NOT NULL,
  requester_id INTEGER NOT NULL REFERENCES accounts(id),
  requester TEXT NOT NULL,
  purpose TEXT NOT NULL,
  fields TEXT NOT NULL,
  valid_until INTEGER NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  decided_at INTEGER NOT NULL DEFAULT 0);
CREATE INDEX consents_by_person ON consents(citizen_id);
CREATE INDEX consents_by_requester ON consents(requester_id, citizen_id);
CREATE TABLE assists(
  id TEXT PRIMARY KEY,
  worker_id INTEGER NOT NULL REFERENCES accounts(id),
  worker TEXT NOT NULL,
  citizen_id TEXT NOT NULL,
  guardian_citizen_id TEXT NOT NULL DEFAULT '',
  code TEXT NOT NULL DEFAULT '',
  code_expires_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL,
  active_until INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL);
CREATE INDEX assists_by_person ON assists(citizen_id);
CREATE INDEX assists_by_guardian ON assists(guardian_citizen_id) WHERE guardian_citizen_id <> '';
CREATE TABLE corrections(
  id TEXT PRIMARY KEY,
  citizen_id TEXT NOT NULL,
  city TEXT NOT NULL,
  field TEXT NOT NULL,
  requested TEXT NOT NULL,
  reason TEXT NOT NULL,
  status TEXT NOT NULL,
  decided_by TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  decided_at INTEGER NOT NULL DEFAULT 0);
CREATE INDEX corrections_by_person ON corrections(citizen_id);
CREATE INDEX corrections_pending ON corrections(city, status, created_at);
)SQL"},
    // 8. Personal fields encrypted at rest (issue 5; store/field_cipher.hpp). Each table with
    //    personal data gains `sealed`, its personal fields sealed together; the columns they
    //    came from keep their place but hold '' (or NULL), except a looked-up citizen ID,
    //    which holds its blind index. store_key names the data key the file is sealed and
    //    indexed with; until it has a row the rows are plaintext, and opening the store seals
    //    them (sqlite/reseal.hpp), as a key rotation re-seals them.
    {8, "personal fields sealed", R"SQL(
ALTER TABLE records ADD COLUMN sealed BLOB;
ALTER TABLE registrations ADD COLUMN sealed BLOB;
ALTER TABLE applications ADD COLUMN sealed BLOB;
ALTER TABLE permits ADD COLUMN sealed BLOB;
ALTER TABLE history ADD COLUMN sealed BLOB;
ALTER TABLE accounts ADD COLUMN sealed BLOB;
ALTER TABLE consents ADD COLUMN sealed BLOB;
ALTER TABLE assists ADD COLUMN sealed BLOB;
ALTER TABLE corrections ADD COLUMN sealed BLOB;
CREATE TABLE store_key(one INTEGER PRIMARY KEY CHECK (one = 1), key_id TEXT NOT NULL, sealed_at INTEGER NOT NULL);
)SQL"},
    // 9. Services (issue 6): applications for a service of the catalogue (one open per
    //    person and service, by a partial unique index), the inbox of notices about services
    //    gained or lost, and what was last worked out per person to tell what changed.
    //    Personal fields sealed like migration 8's.
    {9, "service applications, inbox, service standing", R"SQL(
CREATE TABLE service_applications(
  id TEXT PRIMARY KEY,
  citizen_id TEXT NOT NULL,
  city TEXT NOT NULL,
  service_id TEXT NOT NULL,
  policy_version TEXT NOT NULL,
  tier TEXT NOT NULL,
  state TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '',
  materials_missing TEXT NOT NULL,
  reasons TEXT NOT NULL,
  step INTEGER NOT NULL,
  step_due INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  sealed BLOB);
CREATE INDEX service_applications_by_person ON service_applications(citizen_id, created_at);
CREATE INDEX service_applications_queue ON service_applications(city, state, step_due);
CREATE UNIQUE INDEX one_open_service_application ON service_applications(citizen_id, service_id)
  WHERE state IN ('submitted', 'needs_materials', 'approved');
CREATE TABLE inbox(
  id INTEGER PRIMARY KEY,
  citizen_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  service_id TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  sealed BLOB);
CREATE INDEX inbox_by_person ON inbox(citizen_id, id);
CREATE TABLE service_standing(
  citizen_id TEXT PRIMARY KEY,
  qualified TEXT NOT NULL DEFAULT '',
  opted_out INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  sealed BLOB);
)SQL"},
};

}  // namespace

int LatestSchemaVersion() { return kMigrations[std::size(kMigrations) - 1].version; }

Result<int> CurrentSchemaVersion(Connection& conn) {
  EPERMIT_RETURN_IF_ERROR(
      conn.Exec("CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                "applied_at INTEGER NOT NULL)"));
  EPERMIT_ASSIGN_OR_RETURN(Statement * st, conn.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  EPERMIT_ASSIGN_OR_RETURN(bool row, st->Step());
  int v = row ? static_cast<int>(st->Int(0)) : 0;
  st->Reset();
  return v;
}

Result<std::vector<int>> Migrate(Connection& conn, int64_t now_unix, int target) {
  if (target <= 0) target = LatestSchemaVersion();
  EPERMIT_ASSIGN_OR_RETURN(int current, CurrentSchemaVersion(conn));
  if (current > LatestSchemaVersion()) {
    return MakeError(ErrorKind::kFailedPrecondition, "store.schema_too_new",
                     "The database schema (version " + std::to_string(current) +
                         ") is newer than this program supports (" + std::to_string(LatestSchemaVersion()) + ").",
                     "数据库结构版本高于本程序支持的版本。");
  }
  std::vector<int> applied;
  for (const Migration& m : kMigrations) {
    if (m.version <= current || m.version > target) continue;
    EPERMIT_RETURN_IF_ERROR(conn.Exec("BEGIN IMMEDIATE"));
    Status s = conn.Exec(m.sql);
    if (s.ok()) {
      auto st = conn.Prepare("INSERT INTO schema_migrations(version, name, applied_at) VALUES(?, ?, ?)");
      s = st.ok() ? (*st)->Bind(1, int64_t{m.version}).Bind(2, m.name).Bind(3, now_unix).Run() : st.status();
    }
    if (s.ok()) s = conn.Exec("COMMIT");
    if (!s.ok()) {
      (void)conn.Exec("ROLLBACK");
      return s.error();
    }
    applied.push_back(m.version);
  }
  return applied;
}

}  // namespace epermit::store::sqlite
