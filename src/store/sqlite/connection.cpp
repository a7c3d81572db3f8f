#include "store/sqlite/connection.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace epermit::store::sqlite {

Error SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string detail = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  const int primary = rc & 0xff;
  if (primary == SQLITE_CONSTRAINT) {
    return MakeError(ErrorKind::kConflict, "store.constraint", "The change conflicts with stored data.",
                     "该操作与已有数据冲突。");
  }
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return MakeError(ErrorKind::kUnavailable, "store.busy", "The database is busy; try again.",
                     "数据库繁忙，请稍后重试。");
  }
  return InternalError(detail);
}

Statement& Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::BindBlob(int index, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
Statement& Statement::BindOpt(int index, const std::optional<std::string>& text) {
  return text ? Bind(index, std::string_view(*text)) : BindNull(index);
}
Statement& Statement::BindOpt(int index, const std::optional<int64_t>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}
Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(sqlite3_db_handle(stmt_), rc, "step");
}

Status Statement::Run() {
  for (;;) {
    auto row = Step();
    if (!row.ok()) return row.error();
    if (!*row) return Status::Ok();
  }
}

std::string Statement::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, col)) : std::string();
}
std::string_view Statement::Bytes(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);  // before _bytes: the order SQLite documents
  return p ? std::string_view(static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string_view();
}
std::optional<std::string> Statement::OptText(int col) const {
  if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
  return Text(col);
}
int64_t Statement::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
std::optional<int64_t> Statement::OptInt(int col) const {
  if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
  return Int(col);
}
void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, bool read_only) {
  sqlite3* db = nullptr;
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX;  // each connection is used by one thread at a time
  if (!read_only) {
    // A new database holds people's data: readable by the node's user only. SQLite gives its
    // -wal and -shm files the database file's mode. An existing file keeps its mode.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
  }
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error e = SqliteError(db, rc, "open " + path);
    sqlite3_close(db);
    return MakeError(ErrorKind::kUnavailable, "store.open", "Cannot open the database: " + e.message_en,
                     "无法打开数据库：" + e.message_en, "db");
  }
  std::unique_ptr<Connection> conn(new Connection(db));
  sqlite3_busy_timeout(db, 5000);
  sqlite3_extended_result_codes(db, 1);
  // WAL lets readers run beside the single writer; foreign keys are off by default in SQLite.
  std::string pragmas = "PRAGMA foreign_keys=ON; PRAGMA cache_size=-8000; PRAGMA temp_store=MEMORY;";
  if (!read_only) pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; " + pragmas;
  EPERMIT_RETURN_IF_ERROR(conn->Exec(pragmas));
  return conn;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt->raw());
  cache_.clear();
  sqlite3_close_v2(db_);
}

Status Connection::Exec(std::string_view sql) {
  char* err = nullptr;
  std::string text(sql);
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    sqlite3_free(err);
    return SqliteError(db_, rc, "exec");
  }
  return Status::Ok();
}

Result<Statement*> Connection::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    it->second->Reset();
    return it->second.get();
  }
  sqlite3_stmt* stmt = nullptr;
  int rc =
      sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "prepare");
  auto [pos, _] = cache_.emplace(sql, std::make_unique<Statement>(stmt));
  return pos->second.get();
}

}  // namespace epermit::store::sqlite
