// Encryption of personal fields at rest (issue 5 item 7). A row's personal fields are
// sealed together with XChaCha20-Poly1305 (libsodium, random 192-bit nonce) under the
// table's name as associated data, so a sealed value moved to another table does not open.
// A column that is looked up by value (a citizen ID) holds a blind index instead: a keyed
// BLAKE2b-128 of the value, equal for equal values, useless without the key.
//
// Each data key is 32 random bytes; the sealing key and the index key are derived from it
// with crypto_kdf (distinct subkeys, so one leaking does not give the other). The keys
// live in a key file outside the database (app/data_key_file.hpp); a sealed value names
// the key that sealed it, so a file being re-sealed under a new key stays readable.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace epermit::store {

struct DataKey {
  std::string id;  // short and printable; written into every sealed value
  std::array<uint8_t, 32> bytes{};
};

// A fresh random key with a random id.
DataKey GenerateDataKey();

class FieldCipher {
 public:
  // Seals and indexes with `current`; opens values sealed with it or any of `others`.
  FieldCipher(const DataKey& current, const std::vector<DataKey>& others);
  FieldCipher(const FieldCipher&) = delete;
  FieldCipher& operator=(const FieldCipher&) = delete;
  ~FieldCipher();

  const std::string& key_id() const { return current_id_; }

  // The blind index of a looked-up value, 32 lowercase hex digits; "" for "".
  std::string Index(std::string_view value) const;

  // Seals the fields (any bytes, in order) for `table`.
  std::string Seal(std::string_view table, const std::vector<std::string_view>& fields) const;
  // The `count` fields sealed for `table`. Errors: store.sealed_key_unknown (sealed with a
  // key this node does not hold), store.sealed_corrupt (altered, truncated, moved or of
  // another table).
  Result<std::vector<std::string>> Open(std::string_view table, std::string_view sealed, size_t count) const;

 private:
  struct Keys {
    std::string id;
    std::array<uint8_t, 32> seal{};
    std::array<uint8_t, 32> index{};
  };
  static Keys Derive(const DataKey& key);
  const Keys* Find(std::string_view id) const;

  std::string current_id_;
  std::vector<Keys> keys_;  // keys_[0] is the current key
};

}  // namespace epermit::store
