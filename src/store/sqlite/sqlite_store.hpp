// The embedded-SQLite backend: one file in WAL mode, one writer connection behind a
// mutex, and a pool of read connections so readers never wait for the writer.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/field_cipher.hpp"
#include "store/sqlite/connection.hpp"
#include "store/store.hpp"

namespace epermit::store::sqlite {

struct SqliteOptions {
  std::string path;
  int read_connections = 4;
  bool migrate = true;  // apply pending migrations on open (serve/demo); `db check` opens without
  // The data keys of the key file (app/data_key_file.hpp), newest last. The file is read
  // with the key it names in store_key; a file still in plaintext is sealed on opening
  // (with migrate) under the newest. Without migrate, or without the key, the store opens
  // but every Read and Write fails with the reason (`db check` needs no key).
  std::vector<DataKey> keys;
};

class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<SqliteStore>> Open(const SqliteOptions& options, int64_t now_unix);
  Status Write(Durability durability, const std::function<Status(Tx&)>& fn) override;
  Status Read(const std::function<Status(Tx&)>& fn) override;

  // `PRAGMA integrity_check` and `foreign_key_check`; "ok" lines when healthy.
  Result<std::vector<std::string>> Check();
  Result<int> SchemaVersion();
  // Re-seals every personal field under `next` in one transaction, then compacts the file so
  // no page keeps a value under the old key. Run with the node stopped. Returns rows re-sealed.
  Result<int64_t> RotateKey(const DataKey& next, int64_t now_unix);
  // The data key the file is sealed with ("" when not yet sealed).
  std::string KeyId() const;
  // Ok when rows can be read and written; else why not (store.key_missing, store.unsealed...).
  Status CipherStatus() const;
  // Transactions committed by Write() so far: fewer than writes when group commit batched them.
  int64_t Commits() const { return commits_.load(); }

 private:
  explicit SqliteStore(std::string path) : path_(std::move(path)) {}
  // The cipher for one transaction, or why there is none.
  Result<std::shared_ptr<const FieldCipher>> Cipher() const;
  Status OpenCipher(bool seal, int64_t now_unix);
  Status Compact();
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
  std::vector<DataKey> keys_;
  mutable std::mutex cipher_mu_;  // guards cipher_ and unsealed_ (RotateKey swaps them)
  std::shared_ptr<const FieldCipher> cipher_;
  Error unsealed_ = InternalError("store not opened");  // why cipher_ is null
};

}  // namespace epermit::store::sqlite
