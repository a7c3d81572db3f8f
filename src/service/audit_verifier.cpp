#include "service/audit_verifier.hpp"

#include <cstring>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "audit/merkle.hpp"
#include "credential/jws.hpp"
#include "service/transparency_log.hpp"

namespace epermit::service {
namespace {

constexpr int64_t kBatch = 10000;
constexpr size_t kMaxFindings = 100;

struct HashKey {
  size_t operator()(const audit::Hash& h) const {
    size_t out;
    std::memcpy(&out, h.data(), sizeof out);
    return out;
  }
};

void Add(AuditReport& r, std::string code, int64_t entry, std::string en, std::string zh) {
  if (r.findings.size() < kMaxFindings) r.findings.push_back({std::move(code), entry, std::move(en), std::move(zh)});
}

std::string N(int64_t v) { return std::to_string(v); }

}  // namespace

Result<AuditReport> VerifyAuditLog(store::Store& store, const credential::KeyStore& keys) {
  AuditReport report;
  std::vector<audit::Hash> stored;
  std::vector<store::TreeHead> heads;
  std::vector<std::pair<int64_t, audit::Hash>> recomputed;  // (history id, leaf hash of its row)
  EPERMIT_RETURN_IF_ERROR(store.Read([&](store::Tx& tx) -> Status {
    for (;;) {
      EPERMIT_ASSIGN_OR_RETURN(auto leaves, tx.AuditLeaves(static_cast<int64_t>(stored.size()), kBatch));
      for (const auto& l : leaves) stored.push_back(audit::FromBytes(l).value_or(audit::Hash{}));
      if (static_cast<int64_t>(leaves.size()) < kBatch) break;
    }
    int64_t after = 0;
    for (;;) {
      EPERMIT_ASSIGN_OR_RETURN(auto rows, tx.HistoryAfter(after, kBatch));
      for (const auto& row : rows) recomputed.emplace_back(row.id, audit::LeafHash(AuditEntryBytes(row)));
      if (rows.empty()) break;
      after = rows.back().id;
    }
    EPERMIT_ASSIGN_OR_RETURN(heads, tx.TreeHeads());
    return Status::Ok();
  }));
  report.entries = recomputed.size();
  report.leaves = stored.size();

  // 1. Each row against the leaf logged for it: a gap in the ids is a removed entry, a row
  //    whose hash is another position's leaf was moved, any other difference an alteration.
  std::unordered_map<audit::Hash, int64_t, HashKey> leaf_at;
  for (size_t i = 0; i < stored.size(); ++i) leaf_at.emplace(stored[i], static_cast<int64_t>(i));
  int64_t expected_id = 1;
  for (size_t r = 0; r < recomputed.size(); ++r) {
    const auto& [id, hash] = recomputed[r];
    for (; expected_id < id; ++expected_id) {
      Add(report, "audit.entry_removed", expected_id - 1,
          "Entry " + N(expected_id - 1) + " (history row " + N(expected_id) + ") was removed.",
          "第 " + N(expected_id - 1) + " 条（历史记录第 " + N(expected_id) + " 行）已被删除。");
    }
    expected_id = id + 1;
    const int64_t index = id - 1;
    if (index >= static_cast<int64_t>(stored.size())) continue;  // not yet logged: the node syncs it
    if (stored[index] == hash) continue;
    auto other = leaf_at.find(hash);
    const bool next_is_this = r + 1 < recomputed.size() && recomputed[r + 1].second == stored[index];
    if (other != leaf_at.end() && other->second == index + 1 && !next_is_this) {
      // The rows after a removed one were renumbered to close the gap.
      Add(report, "audit.entry_removed", index, "Entry " + N(index) + " was removed and the entries after it moved up.",
          "第 " + N(index) + " 条已被删除，其后的条目被前移。");
      break;  // every later row is shifted too; the first finding is the one that matters
    }
    if (other != leaf_at.end() && other->second != index) {
      Add(report, "audit.entry_reordered", index,
          "Entry " + N(index) + " holds what was logged as entry " + N(other->second) + ": entries were reordered.",
          "第 " + N(index) + " 条的内容原记录为第 " + N(other->second) + " 条：条目顺序被调换。");
    } else {
      Add(report, "audit.entry_altered", index, "Entry " + N(index) + " was altered after it was logged.",
          "第 " + N(index) + " 条在记录后被篡改。");
    }
  }
  for (int64_t index = expected_id - 1; index < static_cast<int64_t>(stored.size()); ++index) {
    Add(report, "audit.entry_removed", index, "Entry " + N(index) + " was removed (it is logged, its row is gone).",
        "第 " + N(index) + " 条已被删除（日志中有，记录已不存在）。");
  }

  // 2. The stored leaves against every signed head, and each head against the one before.
  audit::MerkleTree tree;
  for (const auto& h : stored) tree.Append(h);
  const auto key_infos = keys.List();
  const credential::KeyLookup lookup = [&](const std::string& kid) -> Result<credential::PublicKey> {
    for (const auto& k : key_infos) {
      if (k.kid == kid) return k.pub;
    }
    return MakeError(ErrorKind::kNotFound, "trust.unknown_issuer", "Unknown key " + kid + ".",
                     "未知密钥 " + kid + "。");
  };
  const store::TreeHead* previous = nullptr;
  for (const auto& head : heads) {
    ++report.heads;
    const std::string size = N(head.tree_size);
    auto verified = credential::VerifyJws(head.signed_head, lookup);
    nlohmann::json payload = verified.ok() ? nlohmann::json::parse(verified->payload, nullptr, false) : nullptr;
    const audit::Hash root = audit::FromBytes(head.root_hash).value_or(audit::Hash{});
    if (!verified.ok() || !payload.is_object() || verified->header.value("typ", "") != kTreeHeadTyp ||
        payload.value("tree_size", int64_t{-1}) != head.tree_size ||
        payload.value("root_hash", "") != audit::ToHex(root)) {
      Add(report, "audit.head_signature", -1,
          "The signed head of tree size " + size + " does not verify or does not say what is stored beside it.",
          "树大小为 " + size + " 的签名树头验签失败或与存储内容不符。");
      continue;
    }
    auto actual = tree.Root(static_cast<uint64_t>(head.tree_size));
    if (!actual || *actual != root) {
      Add(report, "audit.head_mismatch", -1,
          "The log no longer has the root signed at tree size " + size + ": an entry before it was changed.",
          "日志与树大小为 " + size + " 的签名根不再一致：此前的条目被改动。");
      continue;
    }
    if (previous != nullptr) {
      const audit::Hash previous_root = audit::FromBytes(previous->root_hash).value_or(audit::Hash{});
      auto proof = tree.ConsistencyProof(previous->tree_size, head.tree_size);
      ++report.proofs;
      if (!proof || !audit::VerifyConsistency(previous->tree_size, head.tree_size, previous_root, root, *proof)) {
        Add(report, "audit.head_inconsistent", -1,
            "The head of tree size " + size + " does not extend the head of size " + N(previous->tree_size) + ".",
            "树大小为 " + size + " 的树头不是树大小 " + N(previous->tree_size) + " 的延续。");
      }
    }
    previous = &head;
  }
  // 3. Every logged entry's inclusion proof against the latest good head.
  if (previous != nullptr && report.ok()) {
    const audit::Hash root = audit::FromBytes(previous->root_hash).value_or(audit::Hash{});
    const auto size = static_cast<uint64_t>(previous->tree_size);
    for (uint64_t i = 0; i < size; ++i) {
      ++report.proofs;
      if (!audit::VerifyInclusion(i, size, stored[i], *tree.InclusionProof(i, size), root)) {
        Add(report, "audit.head_mismatch", static_cast<int64_t>(i),
            "Entry " + N(static_cast<int64_t>(i)) + " is not proven in the latest head.",
            "第 " + N(static_cast<int64_t>(i)) + " 条无法在最新树头中证明。");
        break;
      }
    }
  }
  return report;
}

}  // namespace epermit::service
