// Same-run baseline of the seeding benchmark (bench/seed_bench.sh): a bare SQLite bulk
// insert of ROWS rows of about BYTES bytes of text each, BATCH rows per transaction, into a
// fresh WAL database with synchronous=NORMAL and the same cache size as the node's
// connections. By default no secondary index: the ceiling of what SQLite does on this disk.
// With --index 1 the 18-character key (a citizen-ID-like number in random order) is also
// indexed, as records and registrations are indexed by person: a diagnostic second figure.
//
//   bulk_insert_baseline --db FILE --rows N [--bytes B] [--batch K] [--index 0|1]
//
// Prints one line: "bulk insert[ + random-key index]: N rows of B bytes in S s = R rows/s (C CPU s ...)".
#include <sqlite3.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
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

// User + system CPU time of this process.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  long long rows = 0;
  long long bytes = 250;
  long long batch = 32000;
  bool index = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--db"))
      path = argv[i + 1];
    else if (!std::strcmp(argv[i], "--rows"))
      rows = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--bytes"))
      bytes = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--batch"))
      batch = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--index"))
      index = std::atoll(argv[i + 1]) != 0;
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
  Check(db,
        sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-8000; "
                     "PRAGMA temp_store=MEMORY;",
                     nullptr, nullptr, nullptr),
        "pragmas");
  Check(db,
        sqlite3_exec(db, "CREATE TABLE rows(id INTEGER PRIMARY KEY, k TEXT NOT NULL, body TEXT NOT NULL)", nullptr,
                     nullptr, nullptr),
        "create");
  if (index) Check(db, sqlite3_exec(db, "CREATE INDEX rows_by_k ON rows(k)", nullptr, nullptr, nullptr), "index");
  sqlite3_stmt* st = nullptr;
  Check(db, sqlite3_prepare_v2(db, "INSERT INTO rows(k, body) VALUES(?, ?)", -1, &st, nullptr), "prepare");

  // A JSON-ish body of the requested size; the key varies per row like a citizen ID.
  std::string body =
      "{\"kind\":\"social_insurance\",\"source\":\"310000-rsj\",\"city\":\"310000\",\"scheme\":\"employee\"";
  while (static_cast<long long>(body.size()) < bytes - 18 - 2) body += ",\"x\":\"上海市黄浦区\"";
  body.resize(static_cast<size_t>(std::max(0LL, bytes - 18 - 1)), ' ');
  body += "}";

  const auto t0 = std::chrono::steady_clock::now();
  const double cpu0 = CpuSeconds();
  long long done = 0;
  char key[32];
  while (done < rows) {
    Check(db, sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), "begin");
    const long long n = std::min(batch, rows - done);
    for (long long i = 0; i < n; ++i) {
      // splitmix64: keys in random order, distinct for distinct rows (a bijection).
      uint64_t z = static_cast<uint64_t>(done + i) + 0x9e3779b97f4a7c15ULL;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      z ^= z >> 31;
      std::snprintf(key, sizeof key, "%018llu", static_cast<unsigned long long>(z % 1000000000000000000ULL));
      sqlite3_bind_text(st, 1, key, 18, SQLITE_TRANSIENT);
      sqlite3_bind_text(st, 2, body.data(), static_cast<int>(body.size()), SQLITE_STATIC);
      Check(db, sqlite3_step(st), "insert");
      sqlite3_reset(st);
    }
    Check(db, sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), "commit");
    done += n;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = CpuSeconds() - cpu0;
  sqlite3_finalize(st);
  sqlite3_close(db);
  std::printf("bulk insert%s: %lld rows of %lld bytes in %.2f s = %.0f rows/s (%.2f CPU s = %.0f rows per CPU s)\n",
              index ? " + random-key index" : "", rows, bytes, secs, static_cast<double>(rows) / secs, cpu,
              cpu > 0 ? static_cast<double>(rows) / cpu : 0.0);
  return 0;
}
