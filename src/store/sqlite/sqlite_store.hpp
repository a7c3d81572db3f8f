// The embedded-SQLite backend: one file in WAL mode, one writer connection behind a
// mutex, and a pool of read connections so readers never wait for the writer.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/sqlite/connection.hpp"
#include "store/store.hpp"

namespace epermit::store::sqlite {

struct SqliteOptions {
  std::string path;
  int read_connections = 4;
  bool migrate = true;  // apply pending migrations on open (serve/demo); `db check` opens without
};

class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<SqliteStore>> Open(const SqliteOptions& options, int64_t now_unix);
  Status Write(Durability durability, const std::function<Status(Tx&)>& fn) override;
  Status Read(const std::function<Status(Tx&)>& fn) override;

  // `PRAGMA integrity_check` and `foreign_key_check`; "ok" lines when healthy.
  Result<std::vector<std::string>> Check();
  Result<int> SchemaVersion();
  // Transactions committed by Write() so far: fewer than writes when group commit batched them.
  int64_t Commits() const { return commits_.load(); }

 private:
  explicit SqliteStore(std::string path) : path_(std::move(path)) {}
  struct PendingWrite {
    Durability durability;
    const std::function<Status(Tx&)>* fn;
    Status result = Status::Ok();
    bool done = false;
  };
  void CommitBatch(const std::vector<PendingWrite*>& batch);
  std::unique_ptr<Connection> AcquireReader();
  void ReleaseReader(std::unique_ptr<Connection> conn);

  std::string path_;
  std::mutex queue_mu_;  // guards queue_ and leading_
  std::condition_variable queue_cv_;
  std::vector<PendingWrite*> queue_;
  bool leading_ = false;
  std::atomic<int64_t> commits_{0};
  std::mutex write_mu_;  // held while a batch is written, and by Check()
  std::unique_ptr<Connection> writer_;
  std::mutex read_mu_;
  std::condition_variable read_cv_;
  std::vector<std::unique_ptr<Connection>> readers_;
  bool digests_ = false;  // schema 4 or later: person digests are kept
};

}  // namespace epermit::store::sqlite
