#include "service/transparency_log.hpp"

#include <nlohmann/json.hpp>

#include "credential/jws.hpp"

namespace epermit::service {
namespace {

constexpr int64_t kBatch = 10000;

std::string AsBytes(const audit::Hash& h) { return std::string(h.begin(), h.end()); }

Error BadRange(const std::string& en, const std::string& zh, const std::string& field) {
  return MakeError(ErrorKind::kInvalidArgument, "audit.bad_range", en, zh, field);
}

}  // namespace

std::string AuditEntryBytes(const domain::HistoryEntry& e) {
  return nlohmann::json{{"type", e.entity_type},  {"entity", e.entity_id}, {"action", e.action},
                        {"actor", e.actor},       {"reason", e.reason},    {"at", e.at},
                        {"detail", e.detail_json}}
      .dump();
}

Status TransparencyLog::Load() {
  std::lock_guard<std::mutex> lock(mu_);
  tree_ = audit::MerkleTree();
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    for (;;) {
      EPERMIT_ASSIGN_OR_RETURN(auto leaves, tx.AuditLeaves(static_cast<int64_t>(tree_.size()), kBatch));
      for (const std::string& h : leaves) {
        auto hash = audit::FromBytes(h);
        if (!hash) {
          return MakeError(ErrorKind::kInternal, "audit.leaf_size", "A stored transparency-log leaf is not 32 bytes.",
                           "透明日志中有叶子不是 32 字节。");
        }
        tree_.Append(*hash);
      }
      if (static_cast<int64_t>(leaves.size()) < kBatch) break;
    }
    EPERMIT_ASSIGN_OR_RETURN(auto heads, tx.TreeHeads());
    if (!heads.empty()) latest_ = heads.back();
    return Status::Ok();
  }));
  return SyncLocked();
}

Status TransparencyLog::Sync() {
  std::lock_guard<std::mutex> lock(mu_);
  return SyncLocked();
}

Status TransparencyLog::SyncLocked() {
  for (;;) {
    const int64_t first = static_cast<int64_t>(tree_.size());
    // Rows are read and hashed outside the write transaction, so the writer is held only to
    // store the hashes; mu_ keeps any other sync from appending meanwhile.
    std::vector<domain::HistoryEntry> rows;
    EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
      EPERMIT_ASSIGN_OR_RETURN(rows, tx.HistoryAfter(first, kBatch));
      return Status::Ok();
    }));
    if (rows.empty()) return Status::Ok();
    std::vector<audit::Hash> hashes;
    std::vector<std::string> stored;
    for (const auto& row : rows) {
      // History id n is leaf n - 1: a row id that skips breaks that, and is refused here
      // rather than logged at the wrong place (`epermit audit verify` names it).
      const int64_t expected = first + static_cast<int64_t>(hashes.size()) + 1;
      if (row.id != expected) {
        return MakeError(
            ErrorKind::kInternal, "audit.history_gap",
            "History row " + std::to_string(expected) + " is missing; the transparency log cannot continue past it.",
            "历史记录第 " + std::to_string(expected) + " 行缺失，透明日志无法继续。");
      }
      hashes.push_back(audit::LeafHash(AuditEntryBytes(row)));
      stored.push_back(AsBytes(hashes.back()));
    }
    EPERMIT_RETURN_IF_ERROR(ctx_.store->Write(
        store::Durability::kNormal, [&](store::Tx& tx) -> Status { return tx.AppendAuditLeaves(first, stored); }));
    for (const auto& h : hashes) tree_.Append(h);
    if (static_cast<int64_t>(hashes.size()) < kBatch) return Status::Ok();
  }
}

Result<store::TreeHead> TransparencyLog::PublishHead() {
  std::lock_guard<std::mutex> lock(mu_);
  EPERMIT_RETURN_IF_ERROR(SyncLocked());
  const int64_t size = static_cast<int64_t>(tree_.size());
  if (latest_ && latest_->tree_size == size) return *latest_;
  store::TreeHead head;
  head.tree_size = size;
  head.timestamp = ctx_.clock->UnixSeconds() * 1000;
  const audit::Hash root = *tree_.Root(tree_.size());
  head.root_hash = AsBytes(root);
  EPERMIT_ASSIGN_OR_RETURN(auto signer, keys_->ActiveSigner(ctx_.clock->UnixSeconds()));
  const nlohmann::json payload = {
      {"tree_size", head.tree_size}, {"timestamp", head.timestamp}, {"root_hash", audit::ToHex(root)}};
  EPERMIT_ASSIGN_OR_RETURN(head.signed_head, credential::SignJws(*signer, kTreeHeadTyp, payload.dump()));
  EPERMIT_RETURN_IF_ERROR(
      ctx_.store->Write(store::Durability::kFull, [&](store::Tx& tx) -> Status { return tx.InsertTreeHead(head); }));
  latest_ = head;
  return head;
}

Result<store::TreeHead> TransparencyLog::LatestHead() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!latest_) {
    return MakeError(ErrorKind::kNotFound, "audit.no_head", "No tree head has been published yet.", "尚未发布树头。");
  }
  return *latest_;
}

uint64_t TransparencyLog::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tree_.size();
}

Result<std::vector<audit::Hash>> TransparencyLog::InclusionProof(uint64_t leaf_index, uint64_t tree_size) {
  std::lock_guard<std::mutex> lock(mu_);
  if (tree_size > tree_.size()) EPERMIT_RETURN_IF_ERROR(SyncLocked());
  if (tree_size > tree_.size()) {
    return BadRange(
        "tree_size " + std::to_string(tree_size) + " is beyond the log (" + std::to_string(tree_.size()) + " entries).",
        "tree_size 超出日志长度（" + std::to_string(tree_.size()) + " 条）。", "tree_size");
  }
  if (leaf_index >= tree_size) {
    return BadRange("leaf_index must be below tree_size.", "leaf_index 须小于 tree_size。", "leaf_index");
  }
  return *tree_.InclusionProof(leaf_index, tree_size);
}

Result<std::vector<audit::Hash>> TransparencyLog::ConsistencyProof(uint64_t first, uint64_t second) {
  std::lock_guard<std::mutex> lock(mu_);
  if (second > tree_.size()) EPERMIT_RETURN_IF_ERROR(SyncLocked());
  if (second > tree_.size()) {
    return BadRange(
        "second " + std::to_string(second) + " is beyond the log (" + std::to_string(tree_.size()) + " entries).",
        "second 超出日志长度（" + std::to_string(tree_.size()) + " 条）。", "second");
  }
  if (first == 0 || first > second) {
    return BadRange("first must be from 1 to second.", "first 须在 1 与 second 之间。", "first");
  }
  return *tree_.ConsistencyProof(first, second);
}

Result<domain::HistoryEntry> TransparencyLog::Entry(uint64_t leaf_index) {
  std::optional<domain::HistoryEntry> found;
  EPERMIT_RETURN_IF_ERROR(ctx_.store->Read([&](store::Tx& tx) -> Status {
    EPERMIT_ASSIGN_OR_RETURN(auto rows, tx.HistoryAfter(static_cast<int64_t>(leaf_index), 1));
    if (!rows.empty() && rows[0].id == static_cast<int64_t>(leaf_index) + 1) found = rows[0];
    return Status::Ok();
  }));
  if (!found || leaf_index >= size()) {
    return MakeError(ErrorKind::kNotFound, "audit.no_entry", "No log entry has this index.", "没有该序号的日志条目。");
  }
  return *found;
}

}  // namespace epermit::service
