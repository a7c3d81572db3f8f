#include "audit/merkle.hpp"

#include <sodium.h>

namespace epermit::audit {
namespace {

// The largest power of two smaller than n (n >= 2).
uint64_t SplitPoint(uint64_t n) {
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

bool IsPowerOfTwo(uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

int Log2(uint64_t power_of_two) { return __builtin_ctzll(power_of_two); }

}  // namespace

Hash LeafHash(std::string_view entry) {
  Hash out;
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  const unsigned char prefix = 0x00;
  crypto_hash_sha256_update(&st, &prefix, 1);
  crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(entry.data()), entry.size());
  crypto_hash_sha256_final(&st, out.data());
  return out;
}

Hash NodeHash(const Hash& left, const Hash& right) {
  unsigned char buf[65];
  buf[0] = 0x01;
  std::copy(left.begin(), left.end(), buf + 1);
  std::copy(right.begin(), right.end(), buf + 33);
  Hash out;
  crypto_hash_sha256(out.data(), buf, sizeof buf);
  return out;
}

Hash EmptyRoot() {
  Hash out;
  crypto_hash_sha256(out.data(), nullptr, 0);
  return out;
}

std::string ToHex(const Hash& h) {
  std::string out(h.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), h.data(), h.size());
  out.pop_back();
  return out;
}

std::optional<Hash> FromHex(std::string_view hex) {
  Hash out;
  size_t len = 0;
  const char* end = nullptr;
  if (hex.size() != 64 || sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &len, &end) != 0 ||
      len != 32 || end != hex.data() + hex.size()) {
    return std::nullopt;
  }
  return out;
}

std::optional<Hash> FromBytes(std::string_view bytes) {
  Hash out;
  if (bytes.size() != out.size()) return std::nullopt;
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

void MerkleTree::Append(const Hash& leaf_hash) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf_hash);
  // Each level whose count became even completes a subtree one level up.
  for (size_t k = 0; levels_[k].size() % 2 == 0; ++k) {
    if (levels_.size() == k + 1) levels_.emplace_back();
    const auto& below = levels_[k];
    Hash parent = NodeHash(below[below.size() - 2], below[below.size() - 1]);
    levels_[k + 1].push_back(parent);
  }
}

Hash MerkleTree::Subtree(uint64_t start, uint64_t count) const {
  if (IsPowerOfTwo(count) && start % count == 0) {
    return levels_[Log2(count)][start >> Log2(count)];
  }
  const uint64_t k = SplitPoint(count);
  return NodeHash(Subtree(start, k), Subtree(start + k, count - k));
}

std::optional<Hash> MerkleTree::Root(uint64_t tree_size) const {
  if (tree_size > size()) return std::nullopt;
  if (tree_size == 0) return EmptyRoot();
  return Subtree(0, tree_size);
}

void MerkleTree::Path(uint64_t index, uint64_t start, uint64_t count, std::vector<Hash>& out) const {
  if (count <= 1) return;
  const uint64_t k = SplitPoint(count);
  if (index < k) {
    Path(index, start, k, out);
    out.push_back(Subtree(start + k, count - k));
  } else {
    Path(index - k, start + k, count - k, out);
    out.push_back(Subtree(start, k));
  }
}

std::optional<std::vector<Hash>> MerkleTree::InclusionProof(uint64_t index, uint64_t tree_size) const {
  if (index >= tree_size || tree_size > size()) return std::nullopt;
  std::vector<Hash> out;
  Path(index, 0, tree_size, out);
  return out;
}

void MerkleTree::SubProof(uint64_t m, uint64_t start, uint64_t count, bool whole, std::vector<Hash>& out) const {
  if (m == count) {
    if (!whole) out.push_back(Subtree(start, count));
    return;
  }
  const uint64_t k = SplitPoint(count);
  if (m <= k) {
    SubProof(m, start, k, whole, out);
    out.push_back(Subtree(start + k, count - k));
  } else {
    SubProof(m - k, start + k, count - k, false, out);
    out.push_back(Subtree(start, k));
  }
}

std::optional<std::vector<Hash>> MerkleTree::ConsistencyProof(uint64_t first, uint64_t second) const {
  if (first > second || second > size()) return std::nullopt;
  std::vector<Hash> out;
  if (first == 0 || first == second) return out;
  SubProof(first, 0, second, true, out);
  return out;
}

bool VerifyInclusion(uint64_t index, uint64_t tree_size, const Hash& leaf_hash, const std::vector<Hash>& proof,
                     const Hash& root) {
  if (index >= tree_size) return false;
  uint64_t fn = index;
  uint64_t sn = tree_size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool VerifyConsistency(uint64_t first, uint64_t second, const Hash& first_root, const Hash& second_root,
                       const std::vector<Hash>& proof) {
  if (first > second) return false;
  if (first == second) return proof.empty() && first_root == second_root;
  if (first == 0) return proof.empty() && first_root == EmptyRoot();
  if (proof.empty()) return false;
  std::vector<Hash> path;
  path.reserve(proof.size() + 1);
  if (IsPowerOfTwo(first)) path.push_back(first_root);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = first - 1;
  uint64_t sn = second - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0];
  Hash sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == first_root && sr == second_root && sn == 0;
}

}  // namespace epermit::audit
