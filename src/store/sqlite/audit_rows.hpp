// The transparency log's tables (audit_leaves, tree_heads) and the history rows it is built
// from: the queries behind Tx's transparency-log methods.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "domain/model.hpp"
#include "store/field_cipher.hpp"
#include "store/sqlite/connection.hpp"
#include "store/store.hpp"

namespace epermit::store::sqlite {

// The history columns a HistoryRow reads, in its order. entity_id holds the blind index of
// the entity's id; the id, reason and detail are sealed together.
inline constexpr const char* kHistoryCols = "id, entity_type, action, actor, at, sealed";
Result<domain::HistoryEntry> HistoryRow(const Statement& st, const FieldCipher& cipher);

Result<std::vector<domain::HistoryEntry>> HistoryRowsAfter(Connection& conn, const FieldCipher& cipher,
                                                           int64_t after_id, int64_t limit);
Status InsertAuditLeafRows(Connection& conn, int64_t first_index, const std::vector<std::string>& leaf_hashes);
Result<std::vector<std::string>> AuditLeafRows(Connection& conn, int64_t from_index, int64_t limit);
Status InsertTreeHeadRow(Connection& conn, const TreeHead& head);
Result<std::vector<TreeHead>> TreeHeadRows(Connection& conn);

}  // namespace epermit::store::sqlite
