// The accounts and sessions tables: the queries behind Tx's account methods, kept apart
// from the permit tables' so each file has one subject.
#pragma once

#include <optional>
#include <string>

#include "common/result.hpp"
#include "domain/account.hpp"
#include "store/field_cipher.hpp"
#include "store/sqlite/connection.hpp"

namespace epermit::store::sqlite {

Result<int64_t> InsertAccountRow(Connection& conn, const FieldCipher& cipher, const domain::Account& a);
Status UpdateAccountRow(Connection& conn, const FieldCipher& cipher, const domain::Account& a);
Result<std::optional<domain::Account>> FindAccountRow(Connection& conn, const FieldCipher& cipher,
                                                      const std::string& username);
Result<std::optional<domain::Account>> FindAccountRowById(Connection& conn, const FieldCipher& cipher, int64_t id);

Status InsertSessionRow(Connection& conn, const domain::Session& s);
Result<std::optional<domain::Session>> FindSessionRow(Connection& conn, const std::string& token_hash);
Status DeleteSessionRow(Connection& conn, const std::string& token_hash);
Result<int64_t> DeleteSessionRowsOf(Connection& conn, int64_t account_id);

}  // namespace epermit::store::sqlite
