// The Merkle tree against the Certificate Transparency reference vectors (the eight
// entries of RFC 6962's test suite, the same hashing in RFC 9162), then every proof of
// every shape up to 70 leaves, and proofs that must not verify.
#include "audit/merkle.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace epermit::audit {
namespace {

std::string Unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

Hash H(const std::string& hex) {
  auto h = FromHex(hex);
  EXPECT_TRUE(h.has_value()) << hex;
  return h.value_or(Hash{});
}

std::vector<Hash> Hs(const std::vector<std::string>& hexes) {
  std::vector<Hash> out;
  for (const auto& x : hexes) out.push_back(H(x));
  return out;
}

MerkleTree ReferenceTree() {
  MerkleTree t;
  for (const char* e :
       {"", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"}) {
    t.Append(LeafHash(Unhex(e)));
  }
  return t;
}

const std::vector<std::string> kRoots = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

TEST(MerkleTest, HeadsMatchTheReferenceForEverySize) {
  const MerkleTree t = ReferenceTree();
  for (uint64_t n = 0; n <= 8; ++n) EXPECT_EQ(ToHex(*t.Root(n)), kRoots[n]) << "size " << n;
  EXPECT_FALSE(t.Root(9).has_value());
}

TEST(MerkleTest, InclusionProofsMatchTheReference) {
  const MerkleTree t = ReferenceTree();
  const auto p0 = Hs({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"});
  const auto p5 = Hs({"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"});
  EXPECT_EQ(*t.InclusionProof(0, 8), p0);
  EXPECT_EQ(*t.InclusionProof(5, 8), p5);
  EXPECT_EQ(*t.InclusionProof(2, 3), Hs({kRoots[2]}));
  EXPECT_TRUE(t.InclusionProof(0, 1)->empty());
  EXPECT_TRUE(VerifyInclusion(5, 8, t.leaf(5), p5, H(kRoots[8])));
  EXPECT_FALSE(t.InclusionProof(8, 8).has_value());
  EXPECT_FALSE(t.InclusionProof(0, 9).has_value());
}

TEST(MerkleTest, ConsistencyProofsMatchTheReference) {
  const MerkleTree t = ReferenceTree();
  const auto c28 = Hs({"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                       "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"});
  const auto c68 = Hs({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                       "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                       "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"});
  EXPECT_EQ(*t.ConsistencyProof(2, 8), c28);
  EXPECT_EQ(*t.ConsistencyProof(6, 8), c68);
  EXPECT_TRUE(VerifyConsistency(2, 8, H(kRoots[2]), H(kRoots[8]), c28));
  EXPECT_TRUE(VerifyConsistency(6, 8, H(kRoots[6]), H(kRoots[8]), c68));
  EXPECT_FALSE(t.ConsistencyProof(5, 3).has_value());
  EXPECT_FALSE(t.ConsistencyProof(1, 9).has_value());
}

// Every proof of every tree shape verifies, and a flipped byte, a dropped or an extra hash,
// a wrong index or a wrong head does not.
TEST(MerkleTest, EveryProofOfEveryShapeVerifiesAndNoAlteredOneDoes) {
  MerkleTree t;
  constexpr uint64_t kN = 70;
  for (uint64_t i = 0; i < kN; ++i) t.Append(LeafHash("entry " + std::to_string(i)));
  std::vector<Hash> roots;
  for (uint64_t n = 0; n <= kN; ++n) roots.push_back(*t.Root(n));
  for (uint64_t n = 1; n <= kN; ++n) {
    for (uint64_t i = 0; i < n; ++i) {
      auto proof = *t.InclusionProof(i, n);
      ASSERT_TRUE(VerifyInclusion(i, n, t.leaf(i), proof, roots[n])) << i << "/" << n;
      EXPECT_FALSE(VerifyInclusion(i, n, LeafHash("other"), proof, roots[n]));
      if (n > 1) {
        EXPECT_FALSE(VerifyInclusion((i + 1) % n, n, t.leaf(i), proof, roots[n])) << i << "/" << n;
      }
      if (!proof.empty()) {
        auto flipped = proof;
        flipped.back()[7] ^= 1;
        EXPECT_FALSE(VerifyInclusion(i, n, t.leaf(i), flipped, roots[n]));
        EXPECT_FALSE(VerifyInclusion(i, n, t.leaf(i), {proof.begin(), proof.end() - 1}, roots[n]));
      }
      auto longer = proof;
      longer.push_back(Hash{});
      EXPECT_FALSE(VerifyInclusion(i, n, t.leaf(i), longer, roots[n]));
    }
    for (uint64_t m = 0; m <= n; ++m) {
      auto proof = *t.ConsistencyProof(m, n);
      ASSERT_TRUE(VerifyConsistency(m, n, roots[m], roots[n], proof)) << m << "->" << n;
      if (m > 0 && m < n) {
        EXPECT_FALSE(VerifyConsistency(m, n, roots[m - 1], roots[n], proof)) << m << "->" << n;
        EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n - 1], proof)) << m << "->" << n;
        auto flipped = proof;
        flipped.front()[3] ^= 0x80;
        EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], flipped));
        EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], {proof.begin(), proof.end() - 1}));
      }
    }
  }
  EXPECT_FALSE(VerifyConsistency(4, 4, roots[4], roots[5], {}));
  EXPECT_FALSE(VerifyConsistency(5, 4, roots[5], roots[4], {}));
}

TEST(MerkleTest, HexIsStrict) {
  EXPECT_FALSE(FromHex("00").has_value());
  EXPECT_FALSE(FromHex(std::string(63, 'a') + "g").has_value());
  EXPECT_EQ(ToHex(*FromHex(kRoots[3])), kRoots[3]);
}

}  // namespace
}  // namespace epermit::audit
