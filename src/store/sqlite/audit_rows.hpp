// The transparency log's tables (audit_leaves, tree_heads) and the history rows it is built
// from: the queries behind Tx's transparency-log methods.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "domain/model.hpp"
#include "store/sqlite/connection.hpp"
#include "store/store.hpp"

namespace epermit::store::sqlite {

Result<std::vector<domain::HistoryEntry>> HistoryRowsAfter(Connection& conn, int64_t after_id, int64_t limit);
Status InsertAuditLeafRows(Connection& conn, int64_t first_index, const std::vector<std::string>& leaf_hashes);
Result<std::vector<std::string>> AuditLeafRows(Connection& conn, int64_t from_index, int64_t limit);
Status InsertTreeHeadRow(Connection& conn, const TreeHead& head);
Result<std::vector<TreeHead>> TreeHeadRows(Connection& conn);

}  // namespace epermit::store::sqlite
