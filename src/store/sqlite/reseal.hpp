// Re-sealing every personal field of a file: from plaintext (a file written before schema 8)
// or from one data key to another (key rotation, `epermit db rotate-key`). Runs inside the
// caller's transaction, so a file is either wholly under the old key or wholly under the new.
#pragma once

#include <cstdint>

#include "common/result.hpp"
#include "store/field_cipher.hpp"
#include "store/sqlite/connection.hpp"

namespace epermit::store::sqlite {

// `from` null: the personal columns hold plaintext. Returns how many rows were re-sealed.
// Person digests are dropped and every person marked stale: the refresh rebuilds them under
// the new key. Records the new key in store_key.
Result<int64_t> ResealAll(Connection& conn, const FieldCipher* from, const FieldCipher& to, int64_t now_unix);

// The data key the file is sealed with; empty when its rows are still plaintext.
Result<std::string> SealedKeyId(Connection& conn);

}  // namespace epermit::store::sqlite
