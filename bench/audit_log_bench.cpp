// Transparency-log benchmarks of issue 5, each against bare SHA-256 of the same bytes in
// the same run; the figure is the ratio, nothing is asserted.
//
//   BM_BareSha256Entries   libsodium SHA-256 of each audit entry's bytes (the baseline).
//   BM_AppendLeaves        what the node does per entry: the RFC 9162 leaf hash, the append
//                          to the in-memory tree (its share of interior hashes), and a signed
//                          tree head (root + Ed25519 JWS) every 1,000 entries.
//   BM_InclusionProof      an inclusion proof for a random leaf of a 1,048,576-leaf tree at
//                          its full size (and, as the baseline's twin, BM_BareSha256Proofs:
//                          SHA-256 of a proof's worth of bytes, 20 x 32).
//
// Defaults: 5 repetitions of at least 0.5 s; ratios use the median items/s.
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "audit/merkle.hpp"
#include "bench_support.hpp"
#include "credential/jws.hpp"
#include "credential/signer.hpp"

namespace {

using epermit::audit::MerkleTree;

// Entries shaped like the node's history rows (service::AuditEntryBytes), about 250 bytes.
const std::vector<std::string>& Entries() {
  static const std::vector<std::string> entries = [] {
    std::vector<std::string> out;
    for (int i = 0; i < 4096; ++i) {
      out.push_back(
          nlohmann::json{{"type", "permit"},
                         {"entity", "1.2.156.3005.2.JZZ01.310000." + std::to_string(100000000 + i) + ".001.E"},
                         {"action", "issue"},
                         {"actor", "reviewer:rev-" + std::to_string(i % 40)},
                         {"reason", ""},
                         {"at", 1795000000 + i},
                         {"detail", R"({"application_id":"app_4f018c924cad219121b7","endorsed_until":"2027-11-18"})"}}
              .dump());
    }
    return out;
  }();
  return entries;
}

void BM_BareSha256Entries(benchmark::State& state) {
  const auto& entries = Entries();
  unsigned char out[32];
  size_t i = 0;
  for (auto _ : state) {
    const std::string& e = entries[i++ % entries.size()];
    crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(e.data()), e.size());
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_AppendLeaves(benchmark::State& state) {
  const auto& entries = Entries();
  auto signer = epermit::credential::GenerateEd25519("310000-20261129-bench");
  MerkleTree tree;
  size_t i = 0;
  for (auto _ : state) {
    tree.Append(epermit::audit::LeafHash(entries[i++ % entries.size()]));
    if (tree.size() % 1000 == 0) {
      const auto root = *tree.Root(tree.size());
      const nlohmann::json head = {
          {"tree_size", tree.size()}, {"timestamp", 0}, {"root_hash", epermit::audit::ToHex(root)}};
      auto jws = epermit::credential::SignJws(*signer, "epermit-sth+jwt", head.dump());
      benchmark::DoNotOptimize(jws);
    }
  }
  state.SetItemsProcessed(state.iterations());
}

const MerkleTree& BigTree() {
  static const MerkleTree tree = [] {
    MerkleTree t;
    for (uint32_t i = 0; i < (1u << 20); ++i) t.Append(epermit::audit::LeafHash(std::to_string(i)));
    return t;
  }();
  return tree;
}

void BM_InclusionProof(benchmark::State& state) {
  const MerkleTree& tree = BigTree();
  std::mt19937_64 rng(42);
  for (auto _ : state) {
    auto proof = tree.InclusionProof(rng() % tree.size(), tree.size());
    benchmark::DoNotOptimize(proof);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_BareSha256Proofs(benchmark::State& state) {
  unsigned char bytes[20 * 32] = {};
  unsigned char out[32];
  for (auto _ : state) {
    crypto_hash_sha256(out, bytes, sizeof bytes);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_BareSha256Entries);
BENCHMARK(BM_AppendLeaves);
BENCHMARK(BM_BareSha256Proofs);
BENCHMARK(BM_InclusionProof);

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  if (!epermit::bench::InitializeWithDefaults(argc, argv, "0.5")) return 1;
  BigTree();  // built before timing
  epermit::bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  int rc = 0;
  const struct {
    const char* what;
    const char* name;
    const char* baseline;
    double target;
  } ratios[] = {
      {"leaf append (signed head per 1,000) vs bare SHA-256 of the entry", "BM_AppendLeaves", "BM_BareSha256Entries",
       10000},
      {"inclusion proof, 2^20 leaves vs bare SHA-256 of 640 bytes", "BM_InclusionProof", "BM_BareSha256Proofs", 100000},
  };
  for (const auto& r : ratios) {
    const double v = reporter.Median(r.name);
    const double b = reporter.Median(r.baseline);
    if (v > 0 && b > 0) {
      std::printf("%s: %.0f/s vs %.0f/s = %.3f (target >= %.0f/s: %s)\n", r.what, v, b, v / b, r.target,
                  v >= r.target ? "met" : "NOT met");
    } else {
      std::printf("%s: not computed\n", r.what);
      rc = 1;
    }
  }
  return rc;
}
