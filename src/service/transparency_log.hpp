// The node's transparency log (RFC 9162 shape): every history row (decisions, issuance,
// revocation, accounts, and later consent and access) is a leaf, in history-id order;
// the node signs tree heads in batches and answers inclusion and consistency proofs from
// a tree kept in memory. Leaves follow committed history (Sync), so the write path pays
// nothing; a crash between a commit and the next sync is caught up at start.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "audit/merkle.hpp"
#include "credential/key_store.hpp"
#include "service/node_context.hpp"
#include "store/store.hpp"

namespace epermit::service {

// The bytes of the leaf for a history row: canonical JSON (sorted keys, no spaces) of every
// column but the id; the leaf's place in the tree is the row's place in the log, so an
// entry moved elsewhere shows up as another position's leaf.
std::string AuditEntryBytes(const domain::HistoryEntry& e);

// The JWS typ of a signed tree head; its payload is {"tree_size", "timestamp" (unix ms),
// "root_hash" (hex)}.
inline constexpr char kTreeHeadTyp[] = "epermit-sth+jwt";

class TransparencyLog {
 public:
  TransparencyLog(const NodeContext& ctx, const credential::KeyStore* keys) : ctx_(ctx), keys_(keys) {}

  // Loads the stored leaves and heads, then syncs.
  Status Load();
  // Appends a leaf for each history row committed since, storing the leaf hashes.
  Status Sync();
  // Syncs and, when the tree grew since the last head, signs and stores a new head.
  Result<store::TreeHead> PublishHead();
  // The latest published head (kNotFound before the first).
  Result<store::TreeHead> LatestHead() const;

  uint64_t size() const;
  // Errors: audit.bad_range (422) naming what is out of range.
  Result<std::vector<audit::Hash>> InclusionProof(uint64_t leaf_index, uint64_t tree_size);
  Result<std::vector<audit::Hash>> ConsistencyProof(uint64_t first, uint64_t second);
  // The history row behind leaf `leaf_index` (kNotFound beyond the tree).
  Result<domain::HistoryEntry> Entry(uint64_t leaf_index);

 private:
  Status SyncLocked();

  NodeContext ctx_;
  const credential::KeyStore* keys_;
  mutable std::mutex mu_;
  audit::MerkleTree tree_;
  std::optional<store::TreeHead> latest_;
};

}  // namespace epermit::service
