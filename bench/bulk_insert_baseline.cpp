// Same-run baseline of the seeding benchmark (bench/seed_bench.sh): a bare SQLite bulk
// insert of ROWS rows of about BYTES bytes of text each, BATCH rows per transaction, into a
// fresh WAL database with synchronous=NORMAL and the same cache size as the node's
// connections. No secondary index: it is the ceiling of what SQLite does on this disk.
//
//   bulk_insert_baseline --db FILE --rows N [--bytes B] [--batch K]
//
// Prints one line: "bulk insert: N rows of B bytes in S s = R rows/s".
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

void Check(sqlite3* db, int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE) {
    std::fprintf(stderr, "bulk_insert_baseline: %s: %s\n", what, sqlite3_errmsg(db));
    std::exit(2);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  long long rows = 0;
  long long bytes = 250;
  long long batch = 32000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--db")) path = argv[i + 1];
    else if (!std::strcmp(argv[i], "--rows")) rows = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--bytes")) bytes = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--batch")) batch = std::atoll(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (path.empty() || rows <= 0 || bytes <= 0 || batch <= 0) {
    std::fprintf(stderr, "usage: bulk_insert_baseline --db FILE --rows N [--bytes B] [--batch K]\n");
    return 2;
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());

  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    std::fprintf(stderr, "cannot open %s\n", path.c_str());
    return 2;
  }
  Check(db, sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-8000; "
                             "PRAGMA temp_store=MEMORY;",
                         nullptr, nullptr, nullptr),
        "pragmas");
  Check(db, sqlite3_exec(db, "CREATE TABLE rows(id INTEGER PRIMARY KEY, k TEXT NOT NULL, body TEXT NOT NULL)",
                         nullptr, nullptr, nullptr),
        "create");
  sqlite3_stmt* st = nullptr;
  Check(db, sqlite3_prepare_v2(db, "INSERT INTO rows(k, body) VALUES(?, ?)", -1, &st, nullptr), "prepare");

  // A JSON-ish body of the requested size; the key varies per row like a citizen ID.
  std::string body = "{\"kind\":\"social_insurance\",\"source\":\"310000-rsj\",\"city\":\"310000\",\"scheme\":\"employee\"";
  while (static_cast<long long>(body.size()) < bytes - 18 - 2) body += ",\"x\":\"上海市黄浦区\"";
  body.resize(static_cast<size_t>(std::max(0LL, bytes - 18 - 1)), ' ');
  body += "}";

  const auto t0 = std::chrono::steady_clock::now();
  long long done = 0;
  char key[32];
  while (done < rows) {
    Check(db, sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), "begin");
    const long long n = std::min(batch, rows - done);
    for (long long i = 0; i < n; ++i) {
      std::snprintf(key, sizeof key, "36042619%010lld", done + i);
      sqlite3_bind_text(st, 1, key, 18, SQLITE_TRANSIENT);
      sqlite3_bind_text(st, 2, body.data(), static_cast<int>(body.size()), SQLITE_STATIC);
      Check(db, sqlite3_step(st), "insert");
      sqlite3_reset(st);
    }
    Check(db, sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), "commit");
    done += n;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  sqlite3_finalize(st);
  sqlite3_close(db);
  std::printf("bulk insert: %lld rows of %lld bytes in %.2f s = %.0f rows/s\n", rows, bytes, secs,
              static_cast<double>(rows) / secs);
  return 0;
}
