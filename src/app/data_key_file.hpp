// The data-key file: the keys that encrypt personal fields at rest (store/field_cipher.hpp),
// kept outside the database (by default beside the issuer keys, in the 0700 key directory).
// JSON: {"format": "epermit-data-keys/1", "keys": [{"id": "k…", "key": "<base64 of 32 bytes>"}]},
// newest last. The file must be 0600 or stricter, as an SSH private key must.
#pragma once

#include <string>
#include <vector>

#include "app/config.hpp"
#include "common/result.hpp"
#include "store/field_cipher.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace epermit::app {

// Where the node's data keys are: [store] key_file, else data-keys.keyring in the key directory.
std::string DataKeyFilePath(const Config& config);

// Errors: data_keys.missing, data_keys.permissions, data_keys.invalid.
Result<std::vector<store::DataKey>> LoadDataKeys(const std::string& path);
// Creates the file with one fresh key when there is none (its directory 0700).
Result<std::vector<store::DataKey>> LoadOrCreateDataKeys(const std::string& path);
Status SaveDataKeys(const std::string& path, const std::vector<store::DataKey>& keys);

// Opens the node's database with its data keys. With `migrate`, pending migrations are
// applied, a missing key file is created and plaintext rows are sealed.
Result<std::unique_ptr<store::sqlite::SqliteStore>> OpenNodeStore(const Config& config, const std::string& db_path,
                                                                  bool migrate, int read_connections, int64_t now_unix);

}  // namespace epermit::app
