#include "store/sqlite/account_rows.hpp"

namespace epermit::store::sqlite {
namespace {

constexpr const char* kAccountCols =
    "id, username, role, citizen_id, city, record_kinds, password_hash, totp_secret, totp_pending, "
    "totp_last_step, failed_logins, locked_until, disabled, created_at, updated_at, sealed";

std::string JoinKinds(const std::vector<std::string>& kinds) {
  std::string out;
  for (const std::string& k : kinds) {
    if (!out.empty()) out += ',';
    out += k;
  }
  return out;
}

std::vector<std::string> SplitKinds(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Sealed: citizen_id, totp_secret, totp_pending. The citizen_id column holds the blind index
// (NULL for staff, so the unique index binds residents only); the TOTP columns hold NULL.
Result<domain::Account> AccountRow(const Statement& st, const FieldCipher& cipher) {
  EPERMIT_ASSIGN_OR_RETURN(std::vector<std::string> sealed, cipher.Open("accounts", st.Bytes(15), 3));
  domain::Account a;
  a.id = st.Int(0);
  a.username = st.Text(1);
  a.role = domain::RoleFromName(st.Text(2)).value_or(domain::Role::kResident);
  a.citizen_id = std::move(sealed[0]);
  a.city = st.Text(4);
  a.record_kinds = SplitKinds(st.Text(5));
  a.password_hash = st.Text(6);
  a.totp_secret = std::move(sealed[1]);
  a.totp_pending = std::move(sealed[2]);
  a.totp_last_step = static_cast<uint64_t>(st.Int(9));
  a.failed_logins = static_cast<int>(st.Int(10));
  a.locked_until = st.Int(11);
  a.disabled = st.Int(12) != 0;
  a.created_at = st.Int(13);
  a.updated_at = st.Int(14);
  return a;
}

// Binds the columns after id, in kAccountCols order, from parameter 1.
Statement& BindAccount(Statement& st, const FieldCipher& cipher, const domain::Account& a) {
  st.Bind(1, a.username).Bind(2, domain::RoleName(a.role));
  st.BindOpt(3, a.citizen_id.empty() ? std::nullopt : std::optional<std::string>(cipher.Index(a.citizen_id)));
  st.Bind(4, a.city).Bind(5, JoinKinds(a.record_kinds)).Bind(6, a.password_hash);
  st.BindNull(7).BindNull(8);
  st.BindBlob(15, cipher.Seal("accounts", {a.citizen_id, a.totp_secret, a.totp_pending}));
  return st.Bind(9, static_cast<int64_t>(a.totp_last_step))
      .Bind(10, int64_t{a.failed_logins})
      .Bind(11, a.locked_until)
      .Bind(12, int64_t{a.disabled ? 1 : 0})
      .Bind(13, a.created_at)
      .Bind(14, a.updated_at);
}

Result<std::optional<domain::Account>> OneAccount(Statement& st, const FieldCipher& cipher) {
  auto row = st.Step();
  if (!row.ok()) {
    st.Reset();
    return row.error();
  }
  std::optional<domain::Account> out;
  if (*row) {
    auto account = AccountRow(st, cipher);
    if (!account.ok()) {
      st.Reset();
      return account.error();
    }
    out = std::move(*account);
  }
  st.Reset();
  return out;
}

}  // namespace

Result<int64_t> InsertAccountRow(Connection& conn, const FieldCipher& cipher, const domain::Account& a) {
  EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                           conn.Prepare("INSERT INTO accounts(username, role, citizen_id, city, record_kinds, "
                                        "password_hash, totp_secret, totp_pending, totp_last_step, failed_logins, "
                                        "locked_until, disabled, created_at, updated_at, sealed) "
                                        "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  Status s = BindAccount(*st, cipher, a).Run();
  if (!s.ok()) {
    if (s.error().kind == ErrorKind::kConflict) {
      return MakeError(ErrorKind::kConflict, "account.exists",
                       "An account with this user name (or for this resident) already exists.",
                       "该用户名（或该居民）的账户已存在。", "username");
    }
    return s.error();
  }
  return sqlite3_last_insert_rowid(conn.raw());
}

Status UpdateAccountRow(Connection& conn, const FieldCipher& cipher, const domain::Account& a) {
  EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                           conn.Prepare("UPDATE accounts SET username = ?, role = ?, citizen_id = ?, city = ?, "
                                        "record_kinds = ?, password_hash = ?, totp_secret = ?, totp_pending = ?, "
                                        "totp_last_step = ?, failed_logins = ?, locked_until = ?, disabled = ?, "
                                        "created_at = ?, updated_at = ?, sealed = ? WHERE id = ?"));
  return BindAccount(*st, cipher, a).Bind(16, a.id).Run();
}

Result<std::optional<domain::Account>> FindAccountRow(Connection& conn, const FieldCipher& cipher,
                                                      const std::string& username) {
  EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                           conn.Prepare(std::string("SELECT ") + kAccountCols + " FROM accounts WHERE username = ?"));
  st->Bind(1, username);
  return OneAccount(*st, cipher);
}

Result<std::optional<domain::Account>> FindAccountRowById(Connection& conn, const FieldCipher& cipher, int64_t id) {
  EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                           conn.Prepare(std::string("SELECT ") + kAccountCols + " FROM accounts WHERE id = ?"));
  st->Bind(1, id);
  return OneAccount(*st, cipher);
}

Status InsertSessionRow(Connection& conn, const domain::Session& s) {
  EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                           conn.Prepare("INSERT INTO sessions(token_hash, account_id, bearer, csrf_token, created_at, "
                                        "expires_at) VALUES(?,?,?,?,?,?)"));
  return st->BindBlob(1, s.token_hash)
      .Bind(2, s.account_id)
      .Bind(3, int64_t{s.bearer ? 1 : 0})
      .Bind(4, s.csrf_token)
      .Bind(5, s.created_at)
      .Bind(6, s.expires_at)
      .Run();
}

Result<std::optional<domain::Session>> FindSessionRow(Connection& conn, const std::string& token_hash) {
  EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                           conn.Prepare("SELECT token_hash, account_id, bearer, csrf_token, created_at, expires_at "
                                        "FROM sessions WHERE token_hash = ?"));
  st->BindBlob(1, token_hash);
  auto row = st->Step();
  if (!row.ok()) {
    st->Reset();
    return row.error();
  }
  std::optional<domain::Session> out;
  if (*row) {
    out = domain::Session{std::string(st->Bytes(0)), st->Int(1), st->Int(2) != 0, st->Text(3), st->Int(4), st->Int(5)};
  }
  st->Reset();
  return out;
}

Status DeleteSessionRow(Connection& conn, const std::string& token_hash) {
  EPERMIT_ASSIGN_OR_RETURN(Statement * st, conn.Prepare("DELETE FROM sessions WHERE token_hash = ?"));
  return st->BindBlob(1, token_hash).Run();
}

Result<int64_t> DeleteSessionRowsOf(Connection& conn, int64_t account_id) {
  EPERMIT_ASSIGN_OR_RETURN(Statement * st, conn.Prepare("DELETE FROM sessions WHERE account_id = ?"));
  EPERMIT_RETURN_IF_ERROR(st->Bind(1, account_id).Run());
  return conn.Changes();
}

}  // namespace epermit::store::sqlite
