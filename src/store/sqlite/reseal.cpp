#include "store/sqlite/reseal.hpp"

#include <string>
#include <vector>

namespace epermit::store::sqlite {
namespace {

// What a personal column holds once its value is sealed.
enum class Kept {
  kIndex,        // the blind index (a looked-up citizen ID)
  kIndexOrNull,  // the blind index, NULL for none (a nullable column under a UNIQUE index)
  kBlank,        // ''
  kNull,         // NULL
};
struct Column {
  const char* name;
  Kept kept;
};
struct Table {
  const char* name;
  std::vector<Column> columns;  // in the order the table's rows are sealed (sqlite_store.cpp)
};

const std::vector<Table>& SealedTables() {
  static const std::vector<Table> kTables = {
      {"records", {{"citizen_id", Kept::kIndex}, {"body", Kept::kBlank}}},
      {"registrations",
       {{"citizen_id", Kept::kIndex}, {"name", Kept::kBlank}, {"phone", Kept::kBlank}, {"address", Kept::kBlank}}},
      {"applications", {{"citizen_id", Kept::kIndex}, {"name", Kept::kBlank}, {"guardian", Kept::kNull}}},
      {"permits",
       {{"citizen_id", Kept::kIndex},
        {"name", Kept::kBlank},
        {"hukou_address", Kept::kBlank},
        {"residence_address", Kept::kBlank}}},
      {"history", {{"entity_id", Kept::kIndex}, {"reason", Kept::kBlank}, {"detail", Kept::kBlank}}},
      {"accounts", {{"citizen_id", Kept::kIndexOrNull}, {"totp_secret", Kept::kNull}, {"totp_pending", Kept::kNull}}},
      {"consents", {{"citizen_id", Kept::kIndex}}},
      {"assists", {{"citizen_id", Kept::kIndex}, {"guardian_citizen_id", Kept::kIndex}, {"code", Kept::kBlank}}},
      {"corrections", {{"citizen_id", Kept::kIndex}, {"requested", Kept::kBlank}, {"reason", Kept::kBlank}}},
      {"service_applications", {{"citizen_id", Kept::kIndex}, {"details", Kept::kBlank}}},
      {"inbox", {{"citizen_id", Kept::kIndex}, {"body", Kept::kBlank}}},
      {"service_standing", {{"citizen_id", Kept::kIndex}, {"qualified", Kept::kBlank}}},
  };
  return kTables;
}

// history refuses UPDATE (migration 3's triggers); a re-seal changes how a row is stored,
// not what it says (the transparency log hashes the opened entry), so the trigger is lifted
// for the transaction and put back (also when someone had dropped it: the guard returns).
constexpr const char* kHistoryTriggerDrop = "DROP TRIGGER IF EXISTS history_no_update";
constexpr const char* kHistoryTriggerCreate =
    "CREATE TRIGGER history_no_update BEFORE UPDATE ON history "
    "BEGIN SELECT RAISE(ABORT, 'history is append-only'); END";

Result<int64_t> ResealTable(Connection& conn, const Table& t, const FieldCipher* from, const FieldCipher& to) {
  std::string cols;
  std::string sets;
  for (const Column& c : t.columns) {
    cols += std::string(c.name) + ", ";
    sets += std::string(c.name) + " = ?, ";
  }
  EPERMIT_ASSIGN_OR_RETURN(Statement * select, conn.Prepare("SELECT rowid, " + cols + "sealed FROM " + t.name +
                                                            " WHERE rowid > ? ORDER BY rowid LIMIT 512"));
  EPERMIT_ASSIGN_OR_RETURN(Statement * update, conn.Prepare("UPDATE " + std::string(t.name) + " SET " + sets +
                                                            "sealed = ? WHERE rowid = ?"));
  const int n = static_cast<int>(t.columns.size());
  int64_t after = 0;
  int64_t count = 0;
  for (;;) {
    std::vector<std::pair<int64_t, std::vector<std::string>>> page;
    select->Bind(1, after);
    for (;;) {
      auto row = select->Step();
      if (!row.ok()) {
        select->Reset();
        return row.error();
      }
      if (!*row) break;
      std::vector<std::string> values;
      if (from == nullptr) {
        for (int i = 0; i < n; ++i) values.emplace_back(select->Bytes(1 + i));
      } else {
        auto opened = from->Open(t.name, select->Bytes(1 + n), t.columns.size());
        if (!opened.ok()) {
          select->Reset();
          return opened.error();
        }
        values = std::move(*opened);
      }
      page.emplace_back(select->Int(0), std::move(values));
    }
    select->Reset();
    if (page.empty()) return count;
    for (const auto& [rowid, values] : page) {
      update->Reset();
      std::vector<std::string_view> fields(values.begin(), values.end());
      for (int i = 0; i < n; ++i) {
        const std::string& v = values[i];
        switch (t.columns[i].kept) {
          case Kept::kIndex:
            update->Bind(1 + i, to.Index(v));
            break;
          case Kept::kIndexOrNull:
            if (v.empty()) {
              update->BindNull(1 + i);
            } else {
              update->Bind(1 + i, to.Index(v));
            }
            break;
          case Kept::kBlank:
            update->Bind(1 + i, "");
            break;
          case Kept::kNull:
            update->BindNull(1 + i);
            break;
        }
      }
      EPERMIT_RETURN_IF_ERROR(update->BindBlob(1 + n, to.Seal(t.name, fields)).Bind(2 + n, rowid).Run());
      after = rowid;
      ++count;
    }
  }
}

}  // namespace

Result<std::string> SealedKeyId(Connection& conn) {
  EPERMIT_ASSIGN_OR_RETURN(Statement * st, conn.Prepare("SELECT key_id FROM store_key WHERE one = 1"));
  EPERMIT_ASSIGN_OR_RETURN(bool row, st->Step());
  std::string id = row ? st->Text(0) : std::string();
  st->Reset();
  return id;
}

Result<int64_t> ResealAll(Connection& conn, const FieldCipher* from, const FieldCipher& to, int64_t now_unix) {
  EPERMIT_RETURN_IF_ERROR(conn.Exec(kHistoryTriggerDrop));
  int64_t total = 0;
  for (const Table& t : SealedTables()) {
    EPERMIT_ASSIGN_OR_RETURN(int64_t n, ResealTable(conn, t, from, to));
    total += n;
  }
  EPERMIT_RETURN_IF_ERROR(conn.Exec(kHistoryTriggerCreate));
  EPERMIT_RETURN_IF_ERROR(
      conn.Exec("DELETE FROM person_digests; DELETE FROM person_digest_stale; "
                "INSERT OR IGNORE INTO person_digest_stale(citizen_id) SELECT citizen_id FROM registrations "
                "UNION SELECT citizen_id FROM permits UNION SELECT citizen_id FROM records"));
  EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                           conn.Prepare("INSERT OR REPLACE INTO store_key(one, key_id, sealed_at) VALUES(1, ?, ?)"));
  EPERMIT_RETURN_IF_ERROR(st->Bind(1, to.key_id()).Bind(2, now_unix).Run());
  return total;
}

}  // namespace epermit::store::sqlite
