// Issuance benchmark (issue 2): one permit issued end to end through the service layer,
// against a bare SQLite FULL-sync commit of one row of comparable size, both measured in
// the same run on the same file system. The result is the ratio; nothing is asserted.
//
//   BM_BareSqliteFullCommit  one transaction per iteration: INSERT one ~1.5 KB text row,
//                            COMMIT with journal_mode=WAL, synchronous=FULL.
//   BM_ServiceIssuance       one ApplicationService::Apply per iteration of a resident who
//                            is approved at once: registration lookup, records, eligibility,
//                            application + permit + two history rows, FULL-sync commit.
//
// Residents (department records + back-dated registrations) are created outside the timed
// region, in chunks, and the WAL is checkpointed afterwards so their writes are not flushed
// by the first timed FULL commit.
//
// Defaults (each can be overridden on the command line with the usual --benchmark_* flags):
// 5 repetitions of at least 1 s each, randomly interleaved so drift on a noisy machine hits
// both benchmarks alike; the ratio uses the median of the repetitions.
// Environment: EPERMIT_BENCH_DIR (where the temp databases go; default $TMPDIR or /tmp —
// must be a real disk, fsync on tmpfs is free), EPERMIT_BENCH_ROW_BYTES (bare row size,
// default 1536).
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/app.hpp"
#include "bench_support.hpp"
#include "domain/citizen_id.hpp"
#include "service/application_service.hpp"
#include "service/records_service.hpp"
#include "service/registration_service.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace epermit;

constexpr char kCity[] = "310000";
constexpr char kDistrict[] = "310101";              // 黄浦区
constexpr char kEmployer[] = "91310115MA1K3BTP2B";  // a valid Shanghai USCC
constexpr int kRegisteredMonthsAgo = 8;             // > 6 months: approved at once
constexpr size_t kPoolChunk = 500;                  // residents prepared per refill
constexpr int kClients = 8;                         // threads of the concurrent benchmark
constexpr int kConcurrentPerClient = 150;           // issuances per thread per repetition

// ---------------------------------------------------------------------------------------
// Shared setup: one temp directory for the run, removed at exit.

fs::path& BenchDir() {
  static fs::path dir = [] {
    const char* base = getenv("EPERMIT_BENCH_DIR");
    if (base == nullptr || *base == '\0') base = getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/epermit-issuance-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) == nullptr) {
      std::perror("mkdtemp");
      std::exit(2);
    }
    return fs::path(buf.data());
  }();
  return dir;
}

size_t RowBytes() {
  const char* v = getenv("EPERMIT_BENCH_ROW_BYTES");
  long n = v ? std::atol(v) : 0;
  return n > 0 ? static_cast<size_t>(n) : 1536;
}

void Die(const std::string& what) {
  std::cerr << "issuance_bench: " << what << "\n";
  std::exit(2);
}

void ExecOrDie(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "?";
    sqlite3_free(err);
    Die(std::string(sql) + ": " + msg);
  }
}

// ---------------------------------------------------------------------------------------
// Baseline: a bare table, one ~1.5 KB row per FULL-sync transaction.

// Text shaped like what issuance writes (permit fields, decision, history), padded to `bytes`.
std::string BareRow(uint64_t i, size_t bytes) {
  std::string s = "{\"number\":\"310000" + std::to_string(100000000 + i) +
                  "\",\"name\":\"张伟\",\"residence_address\":\"上海市黄浦区人民路1号\",\"issuing_authority\":"
                  "\"上海市公安局黄浦分局\",\"decision\":{\"outcome\":\"approved\",\"rules\":[";
  static const std::string kRule =
      "{\"id\":\"social_insurance\",\"result\":\"passed\",\"label_zh\":\"申请当月在缴本市职工社保\",\"records\":[1,2]}"
      ",";
  while (s.size() + kRule.size() + 4 < bytes) s += kRule;
  s += "]}}";
  while (s.size() < bytes) s += ' ';
  return s;
}

class BareDb {
 public:
  BareDb() {
    path_ = (BenchDir() / "bare.db").string();
    if (sqlite3_open(path_.c_str(), &db_) != SQLITE_OK) Die("cannot open " + path_);
    ExecOrDie(db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-8000;");
    ExecOrDie(db_,
              "CREATE TABLE IF NOT EXISTS issued(id INTEGER PRIMARY KEY, number TEXT NOT NULL, body TEXT NOT NULL)");
    if (sqlite3_prepare_v2(db_, "INSERT INTO issued(number, body) VALUES(?, ?)", -1, &insert_, nullptr) != SQLITE_OK) {
      Die(sqlite3_errmsg(db_));
    }
  }
  ~BareDb() {
    sqlite3_finalize(insert_);
    sqlite3_close(db_);
  }

  const std::string& path() const { return path_; }

  bool InsertOne(uint64_t i, const std::string& body) {
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) return false;
    const std::string number = "310000" + std::to_string(100000000 + i);
    sqlite3_bind_text(insert_, 1, number.data(), static_cast<int>(number.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(insert_, 2, body.data(), static_cast<int>(body.size()), SQLITE_STATIC);
    const bool ok = sqlite3_step(insert_) == SQLITE_DONE;
    sqlite3_reset(insert_);
    if (!ok) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return false;
    }
    return sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK;
  }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
};

BareDb& Bare() {
  static BareDb db;
  return db;
}

void BM_BareSqliteFullCommit(benchmark::State& state) {
  BareDb& db = Bare();
  const size_t bytes = RowBytes();
  static uint64_t next = 0;
  // Bodies differ a little per row (the number is in them) but are built outside the loop.
  std::vector<std::string> bodies;
  for (int k = 0; k < 64; ++k) bodies.push_back(BareRow(static_cast<uint64_t>(k), bytes));
  for (auto _ : state) {
    ++next;
    if (!db.InsertOne(next, bodies[next % bodies.size()])) {
      state.SkipWithError("bare insert failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
}

// ---------------------------------------------------------------------------------------
// The service: a whole city node on the temp directory, residents prepared in chunks.

// A valid citizen ID, unique per k: an adult born 1980-01-01 + k/900 days, sequence 100+k%900.
std::string CitizenIdFor(uint64_t k) {
  const Date birth = *ParseIsoDate("1980-01-01") + std::chrono::days(static_cast<int>(k / 900));
  std::chrono::year_month_day ymd{birth};
  char buf[24];
  std::snprintf(buf, sizeof buf, "360426%04d%02u%02u%03u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<unsigned>(100 + k % 900));
  std::string first17(buf, 17);
  return first17 + domain::CitizenIdCheckChar(first17);
}

class City {
 public:
  City() : clock_(*ParseIsoDate("2025-06-16")) {
    db_path_ = (BenchDir() / "city.db").string();
    app::Config cfg;
    cfg.city = kCity;
    cfg.db_path = db_path_;
    cfg.policies_dir = app::DefaultPoliciesDir();
    cfg.port = 0;
    auto created = app::App::Create(cfg, &clock_);
    if (!created.ok()) Die("App::Create: " + created.error().message_en);
    app_ = std::move(created).value();
  }

  // The next resident ready to apply; call Refill() first when Empty(). Take() may be called
  // from several threads at once (the concurrent benchmark); Refill() may not.
  bool Empty() const { return next_.load() >= pool_.size(); }
  const service::ApplicationInput& Take() { return pool_[next_.fetch_add(1)]; }
  size_t Left() const { return Empty() ? 0 : pool_.size() - next_.load(); }
  const std::string& db_path() const { return db_path_; }
  app::App& app() { return *app_; }

  // Imports the records of kPoolChunk new residents in one batch, registers each of them
  // (back-dated 8 months) through RegistrationService, then checkpoints the WAL.
  void Refill(size_t count = kPoolChunk) {
    pool_.clear();
    next_ = 0;
    const Date today = clock_.Today();
    const Date since = AddMonths(today, -kRegisteredMonthsAgo);
    const MonthIndex now = MonthOf(today);
    std::vector<json> records;
    std::vector<service::RegistrationInput> regs;
    for (size_t i = 0; i < count; ++i) {
      const std::string id = CitizenIdFor(made_++);
      records.push_back(
          {{"kind", "person"}, {"citizen_id", id}, {"source", "gaj"}, {"name", "张伟"}, {"ethnicity", "汉"}});
      records.push_back({{"kind", "hukou"},
                         {"citizen_id", id},
                         {"source", "gaj"},
                         {"division_code", "360426"},
                         {"address", "宝塔乡1号"}});
      records.push_back({{"kind", "employment"},
                         {"citizen_id", id},
                         {"source", "rsj"},
                         {"city", kCity},
                         {"employer_uscc", kEmployer},
                         {"employer_name", "测试有限公司"},
                         {"from", FormatIsoDate(since)},
                         {"to", nullptr}});
      records.push_back({{"kind", "housing"},
                         {"citizen_id", id},
                         {"source", "zjw"},
                         {"city", kCity},
                         {"division_code", kDistrict},
                         {"tenure", "rented"},
                         {"registration_no", "ZL1"},
                         {"from", FormatIsoDate(since)},
                         {"to", nullptr}});
      records.push_back({{"kind", "social_insurance"},
                         {"citizen_id", id},
                         {"source", "rsj"},
                         {"city", kCity},
                         {"scheme", "employee"},
                         {"risk", "pension"},
                         {"from", FormatIsoMonth(now - kRegisteredMonthsAgo + 1)},
                         {"to", FormatIsoMonth(now)},
                         {"back_payment", false}});
      regs.push_back({id, "张伟", "13800138000", kDistrict, "人民路1号", "employment", kEmployer, "", since});
      pool_.push_back({id, "", "张伟", "汉", "photo:bench", std::nullopt});
    }
    std::vector<service::RecordLineError> errors;
    auto imported = app_->records().Import(records, {"bench"}, &errors);
    if (!imported.ok()) {
      Die("records import: " + (errors.empty() ? imported.error().message_en : errors[0].error.message_en));
    }
    for (const auto& in : regs) {
      auto reg = app_->registrations().Register(in, {"bench"});
      if (!reg.ok()) Die("register: " + reg.error().message_en);
    }
    Checkpoint(db_path_);
  }

  static void Checkpoint(const std::string& path) {
    sqlite3* db = nullptr;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Die("cannot open " + path);
    sqlite3_busy_timeout(db, 5000);
    ExecOrDie(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    sqlite3_close(db);
  }

 private:
  FixedClock clock_;
  std::string db_path_;
  std::unique_ptr<app::App> app_;
  std::vector<service::ApplicationInput> pool_;
  std::atomic<size_t> next_{0};
  uint64_t made_ = 0;
};

City& TheCity() {
  static City city;
  return city;
}

void BM_ServiceIssuance(benchmark::State& state) {
  City& city = TheCity();
  if (city.Empty()) city.Refill();
  const service::Actor actor{"bench"};
  for (auto _ : state) {
    if (city.Empty()) {
      state.PauseTiming();
      city.Refill();
      state.ResumeTiming();
    }
    auto out = city.app().applications().Apply(city.Take(), actor);
    if (!out.ok()) {
      std::cerr << "Apply failed: " << out.error().code << ": " << out.error().message_en << "\n";
      state.SkipWithError("Apply failed");
      break;
    }
    if (!out->permit) {
      std::cerr << "not approved at once: " << out->application.decision_json << "\n";
      state.SkipWithError("not approved at once");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

// One issuance and then the proactive push it queues (service/service_push.hpp), worked out
// on this thread instead of the node's push worker: the person's ledger read back, every
// service of the catalogue explained, the standing compared and the notices written. Against
// BM_ServiceIssuance in the same run, the share of a node's work the push adds per permit.
void BM_ServiceIssuanceWithPush(benchmark::State& state) {
  City& city = TheCity();
  if (city.Empty()) city.Refill();
  city.app().push().Drain();  // what earlier benchmarks queued, outside timing
  const service::Actor actor{"bench"};
  for (auto _ : state) {
    if (city.Empty()) {
      state.PauseTiming();
      city.Refill();
      city.app().push().Drain();  // the records imported queue everyone
      state.ResumeTiming();
    }
    auto out = city.app().applications().Apply(city.Take(), actor);
    if (!out.ok() || !out->permit) {
      state.SkipWithError("Apply failed or not approved at once");
      break;
    }
    city.app().push().Drain();
  }
  state.SetItemsProcessed(state.iterations());
}

// The same issuances from kClients threads at once, as a node's request threads would send
// them: the store's group commit writes whatever is queued in one FULL commit. A fixed
// number of iterations so that thread 0 can prepare every resident before the timed loop
// (all threads wait at the loop's start until it has).
void BM_ServiceIssuanceConcurrent(benchmark::State& state) {
  City& city = TheCity();
  if (state.thread_index() == 0) {
    const size_t need = static_cast<size_t>(kClients) * kConcurrentPerClient;
    if (city.Left() < need) city.Refill(need);
  }
  const service::Actor actor{"bench"};
  for (auto _ : state) {
    auto out = city.app().applications().Apply(city.Take(), actor);
    if (!out.ok() || !out->permit) {
      state.SkipWithError("Apply failed or not approved at once");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_BareSqliteFullCommit)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ServiceIssuance)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ServiceIssuanceWithPush)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ServiceIssuanceConcurrent)
    ->Threads(kClients)
    ->Iterations(kConcurrentPerClient)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// ---------------------------------------------------------------------------------------
// Reporting: what one issuance writes, and WAL pages per commit (outside timing).

// What one issuance actually writes, read back from the city database (for the README).
void PrintIssuanceFootprint(const std::string& db_path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return;
  struct Q {
    const char* label;
    const char* sql;
  } queries[] = {
      {"application row",
       "SELECT COUNT(*), AVG(length(id)+length(citizen_id)+length(registration_id)+length(name)+"
       "length(photo_ref)+length(policy_version)+length(decision)+length(decided_by)+"
       "length(permit_number)+length(sealed)+60) FROM applications"},
      {"  of which decision JSON", "SELECT COUNT(*), AVG(length(decision)) FROM applications"},
      {"permit row",
       "SELECT COUNT(*), AVG(length(number)+length(citizen_id)+length(name)+length(photo_ref)+"
       "length(hukou_address)+length(residence_address)+length(issuing_authority)+length(application_id)+"
       "length(sealed)+80) FROM permits"},
      {"history row (apply, issue)",
       "SELECT COUNT(*), AVG(length(entity_id)+length(action)+length(actor)+"
       "length(detail)+length(sealed)+30) FROM history WHERE action IN ('apply','issue')"},
  };
  std::cout << "per issuance the service writes (bytes of text, approx.):\n";
  for (const Q& q : queries) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, q.sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
      std::printf("  %-28s %8.0f  (%lld rows)\n", q.label, sqlite3_column_double(st, 1),
                  static_cast<long long>(sqlite3_column_int64(st, 0)));
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
}

// Frames (pages) in the WAL of `path` right now, without checkpointing anything.
int64_t WalFrames(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Die("cannot open " + path);
  sqlite3_stmt* st = nullptr;
  int64_t frames = -1;
  // Column 1 of a PASSIVE checkpoint is the number of frames in the log (the checkpoint may
  // also copy them into the database file, which changes nothing here).
  if (sqlite3_prepare_v2(db, "PRAGMA wal_checkpoint(PASSIVE)", -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    frames = sqlite3_column_int64(st, 1);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return frames;
}

// How many 4 KB pages one commit appends to the WAL: the WAL is emptied first, then one
// more issuance (or one bare insert) is committed and the frames counted. Outside timing.
void PrintWalFramesPerCommit(bool bare_ran, bool service_ran) {
  std::cout << "WAL frames (pages) written by one commit:";
  if (bare_ran) {
    BareDb& db = Bare();
    City::Checkpoint(db.path());
    const bool ok = db.InsertOne(1u << 30, BareRow(0, RowBytes()));
    std::cout << " bare FULL commit " << (ok ? WalFrames(db.path()) : -1);
  }
  if (service_ran) {
    City& city = TheCity();
    if (city.Empty()) city.Refill();
    City::Checkpoint(city.db_path());
    auto out = city.app().applications().Apply(city.Take(), {"bench"});
    std::cout << ", service issuance " << (out.ok() && out->permit ? WalFrames(city.db_path()) : -1);
  }
  std::cout << "\n";
}

int64_t PermitCount(const std::string& db_path) {
  sqlite3* db = nullptr;
  int64_t n = -1;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM permits", -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      n = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  if (!epermit::bench::InitializeWithDefaults(argc, argv, "1")) return 1;

  std::cout << "databases in " << BenchDir().string() << " (bare row " << RowBytes() << " bytes)\n";
  epermit::bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  const double bare = reporter.Median("BM_BareSqliteFullCommit");
  const double service = reporter.Median("BM_ServiceIssuance");
  const double concurrent = reporter.Median("BM_ServiceIssuanceConcurrent");
  std::cout << "\nrepetitions (items/s): bare FULL commit [" << reporter.All("BM_BareSqliteFullCommit")
            << "], service [" << reporter.All("BM_ServiceIssuance") << "], service with " << kClients << " clients ["
            << reporter.All("BM_ServiceIssuanceConcurrent") << "]\n";
  PrintIssuanceFootprint((BenchDir() / "city.db").string());
  std::cout << "permits in the city database at the end: " << PermitCount((BenchDir() / "city.db").string())
            << " (each repetition starts with those of the ones before)\n";
  PrintWalFramesPerCommit(bare > 0, service > 0);
  int rc = 0;
  if (bare > 0 && service > 0) {
    std::printf("issuance ratio, one client: service %.0f/s vs bare FULL commit %.0f/s = %.2f\n", service, bare,
                service / bare);
    if (concurrent > 0) {
      std::printf(
          "issuance ratio, %d clients (group commit): service %.0f/s vs bare FULL commit %.0f/s = %.2f "
          "(target >= 0.5)\n",
          kClients, concurrent, bare, concurrent / bare);
    }
  } else {
    std::printf("issuance ratio: not computed (service %.0f/s, bare %.0f/s; run both benchmarks)\n", service, bare);
    rc = 1;
  }
  std::error_code ec;
  fs::remove_all(BenchDir(), ec);
  return rc;
}
