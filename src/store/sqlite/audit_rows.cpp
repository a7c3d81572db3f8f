#include "store/sqlite/audit_rows.hpp"

namespace epermit::store::sqlite {

Result<domain::HistoryEntry> HistoryRow(const Statement& st, const FieldCipher& cipher) {
  auto opened = cipher.Open("history", st.Bytes(5), 3);
  if (!opened.ok()) {
    // Name the entry, as `epermit audit verify` names the first entry altered.
    Error e = opened.error();
    e.message_en += " (history entry " + std::to_string(st.Int(0)) + ")";
    e.message_zh += "（历史记录第 " + std::to_string(st.Int(0)) + " 条）";
    return e;
  }
  std::vector<std::string> sealed = std::move(*opened);
  return domain::HistoryEntry{st.Int(0),  st.Text(1),          std::move(sealed[0]),
                              st.Text(2), st.Text(3),          std::move(sealed[1]),
                              st.Int(4),  std::move(sealed[2])};
}

Result<std::vector<domain::HistoryEntry>> HistoryRowsAfter(Connection& conn, const FieldCipher& cipher,
                                                           int64_t after_id, int64_t limit) {
  EPERMIT_ASSIGN_OR_RETURN(Statement * st, conn.Prepare(std::string("SELECT ") + kHistoryCols +
                                                        " FROM history WHERE id > ? ORDER BY id LIMIT ?"));
  st->Bind(1, after_id).Bind(2, limit);
  std::vector<domain::HistoryEntry> out;
  for (;;) {
    auto row = st->Step();
    if (!row.ok()) {
      st->Reset();
      return row.error();
    }
    if (!*row) break;
    auto entry = HistoryRow(*st, cipher);
    if (!entry.ok()) {
      st->Reset();
      return entry.error();
    }
    out.push_back(std::move(*entry));
  }
  st->Reset();
  return out;
}

Status InsertAuditLeafRows(Connection& conn, int64_t first_index, const std::vector<std::string>& leaf_hashes) {
  EPERMIT_ASSIGN_OR_RETURN(Statement * st, conn.Prepare("INSERT INTO audit_leaves(leaf_index, leaf_hash) VALUES(?,?)"));
  int64_t index = first_index;
  for (const std::string& h : leaf_hashes) {
    st->Reset();
    EPERMIT_RETURN_IF_ERROR(st->Bind(1, index++).BindBlob(2, h).Run());
  }
  return Status::Ok();
}

Result<std::vector<std::string>> AuditLeafRows(Connection& conn, int64_t from_index, int64_t limit) {
  EPERMIT_ASSIGN_OR_RETURN(Statement * st,
                           conn.Prepare("SELECT leaf_index, leaf_hash FROM audit_leaves WHERE leaf_index >= ? "
                                        "ORDER BY leaf_index LIMIT ?"));
  st->Bind(1, from_index).Bind(2, limit);
  std::vector<std::string> out;
  for (;;) {
    EPERMIT_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    const int64_t expected = from_index + static_cast<int64_t>(out.size());
    if (st->Int(0) != expected) {
      return MakeError(ErrorKind::kInternal, "audit.leaf_gap",
                       "Transparency log leaf " + std::to_string(expected) + " is missing from the database.",
                       "透明日志缺少第 " + std::to_string(expected) + " 个叶子。");
    }
    out.emplace_back(st->Bytes(1));
  }
  return out;
}

Status InsertTreeHeadRow(Connection& conn, const TreeHead& head) {
  EPERMIT_ASSIGN_OR_RETURN(
      Statement * st,
      conn.Prepare("INSERT INTO tree_heads(tree_size, timestamp, root_hash, signed_head) VALUES(?,?,?,?)"));
  return st->Bind(1, head.tree_size)
      .Bind(2, head.timestamp)
      .BindBlob(3, head.root_hash)
      .Bind(4, head.signed_head)
      .Run();
}

Result<std::vector<TreeHead>> TreeHeadRows(Connection& conn) {
  EPERMIT_ASSIGN_OR_RETURN(
      Statement * st,
      conn.Prepare("SELECT tree_size, timestamp, root_hash, signed_head FROM tree_heads ORDER BY tree_size"));
  std::vector<TreeHead> out;
  for (;;) {
    EPERMIT_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Int(0), st->Int(1), std::string(st->Bytes(2)), st->Text(3)});
  }
  return out;
}

}  // namespace epermit::store::sqlite
