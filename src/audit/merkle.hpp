// The Merkle tree of RFC 9162 (Certificate Transparency 2.0), section 2.1: leaf hashes
// SHA-256(0x00 || entry), interior nodes SHA-256(0x01 || left || right), the tree head of
// the first n leaves, inclusion proofs (2.1.3) and consistency proofs (2.1.4), and the
// verifiers a client runs on them. SHA-256 is libsodium's; only the tree shape is ours.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace epermit::audit {

using Hash = std::array<uint8_t, 32>;

Hash LeafHash(std::string_view entry);
Hash NodeHash(const Hash& left, const Hash& right);
Hash EmptyRoot();  // SHA-256 of nothing: the head of a tree with no leaves
std::string ToHex(const Hash& h);
std::optional<Hash> FromHex(std::string_view hex);
// A hash as stored (32 raw bytes); nullopt for any other length.
std::optional<Hash> FromBytes(std::string_view bytes);

// An append-only tree of leaf hashes that keeps every complete aligned subtree's hash
// (levels_[k][i] covers leaves [i*2^k, (i+1)*2^k)), so a head or a proof for any size up
// to size() needs O(log n) lookups and a few hashes of the ragged right edge, and an
// append costs one leaf's worth of node hashes on average.
class MerkleTree {
 public:
  void Append(const Hash& leaf_hash);
  uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  const Hash& leaf(uint64_t index) const { return levels_[0][index]; }

  // The head of the first `tree_size` leaves; nullopt when tree_size > size().
  std::optional<Hash> Root(uint64_t tree_size) const;
  // PATH(index, D[tree_size]) of RFC 9162 2.1.3.1, leaf side first; nullopt when
  // index >= tree_size or tree_size > size().
  std::optional<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t tree_size) const;
  // PROOF(first, D[second]) of RFC 9162 2.1.4.1; nullopt unless first <= second <= size().
  std::optional<std::vector<Hash>> ConsistencyProof(uint64_t first, uint64_t second) const;

 private:
  Hash Subtree(uint64_t start, uint64_t count) const;  // MTH(D[start:start+count])
  void Path(uint64_t index, uint64_t start, uint64_t count, std::vector<Hash>& out) const;
  void SubProof(uint64_t m, uint64_t start, uint64_t count, bool whole, std::vector<Hash>& out) const;

  std::vector<std::vector<Hash>> levels_;
};

// RFC 9162 2.1.3.2: does `proof` show the leaf `leaf_hash` at `index` in the tree of
// `tree_size` leaves whose head is `root`?
bool VerifyInclusion(uint64_t index, uint64_t tree_size, const Hash& leaf_hash, const std::vector<Hash>& proof,
                     const Hash& root);
// RFC 9162 2.1.4.2: is the tree of `second` leaves with head `second_root` an append-only
// extension of the tree of `first` leaves with head `first_root`?
bool VerifyConsistency(uint64_t first, uint64_t second, const Hash& first_root, const Hash& second_root,
                       const std::vector<Hash>& proof);

}  // namespace epermit::audit
