// A thin RAII layer over the SQLite C API: one connection, its cached prepared
// statements, and typed bind/column helpers. Every SQLite failure becomes an Error.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace epermit::store::sqlite {

class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, const std::string& text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Statement& BindOpt(int index, const std::optional<std::string>& text);  // NULL when empty
  Statement& BindOpt(int index, const std::optional<int64_t>& value);
  Statement& BindNull(int index);
  Statement& BindBlob(int index, std::string_view bytes);
  // Steps once: true when a row is available, false when done.
  Result<bool> Step();
  Status Run();  // steps to completion, expecting no rows
  std::string Text(int col) const;
  std::optional<std::string> OptText(int col) const;
  // A BLOB (or text) column's bytes, valid until the next Step or Reset.
  std::string_view Bytes(int col) const;
  int64_t Int(int col) const;
  std::optional<int64_t> OptInt(int col) const;
  void Reset();
  sqlite3_stmt* raw() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  // Opens (creating if allowed) the database and applies the connection pragmas
  // (WAL, foreign keys, busy timeout).
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, bool read_only);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Status Exec(std::string_view sql);
  // A cached statement, reset and with bindings cleared, ready to bind.
  Result<Statement*> Prepare(const std::string& sql);
  int64_t Changes() const { return sqlite3_changes64(db_); }
  sqlite3* raw() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::map<std::string, std::unique_ptr<Statement>> cache_;
};

// Turns a SQLite result code into an Error; constraint violations become kConflict.
Error SqliteError(sqlite3* db, int rc, std::string_view what);

}  // namespace epermit::store::sqlite
