#include "app/demo_trust.hpp"

#include <filesystem>

#include "app/app.hpp"
#include "app/atomic_file.hpp"
#include "app/trust_admin.hpp"
#include "app/verifier_cache.hpp"
#include "credential/jws.hpp"
#include "credential/key_store.hpp"

namespace epermit::app {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kDemoListLifetimeSeconds = 30 * 86400;
constexpr int64_t kResignMarginSeconds = 86400;

bool ListsEveryKey(const credential::TrustList& list, const std::vector<credential::KeyInfo>& keys) {
  for (const auto& k : keys) {
    const credential::TrustedKey* listed = list.Find(k.kid);
    if (listed == nullptr || listed->pub.raw != k.pub.raw || listed->valid_to != k.valid_to) return false;
  }
  return true;
}

}  // namespace

Result<DemoTrustFiles> EnsureDemoTrust(const std::string& dir, const std::string& keys_dir, const std::string& city,
                                       credential::SigAlg alg, int64_t now) {
  EPERMIT_ASSIGN_OR_RETURN(credential::KeyStore keys, credential::KeyStore::Open(keys_dir));
  if (!keys.ActiveSigner(now).ok()) EPERMIT_RETURN_IF_ERROR(keys.Generate(alg, city, now).status());

  DemoTrustFiles files;
  files.root_dir = (fs::path(dir) / "trust-root").string();
  files.root_key_file = RootKeyPathsIn(files.root_dir).public_key_file;
  files.trust_list_file = (fs::path(dir) / "trust-list.jws").string();
  std::error_code ec;
  if (!fs::exists(files.root_key_file, ec)) {
    EPERMIT_RETURN_IF_ERROR(InitRootKey(files.root_dir, credential::SigAlg::kEdDSA, now).status());
  }
  EPERMIT_ASSIGN_OR_RETURN(credential::PublicKey root, ReadRootKeyFile(files.root_key_file));

  int64_t version = 1;
  if (auto old = ReadTextFile(files.trust_list_file); old.ok()) {
    if (auto v = SignedTrustListVersion(*old, root)) version = *v + 1;
    auto fresh_later = ReadTrustListFile(files.trust_list_file, root, now + kResignMarginSeconds);
    auto fresh_now = ReadTrustListFile(files.trust_list_file, root, now);
    if (fresh_now.ok() && fresh_later.ok() && ListsEveryKey(*fresh_now, keys.List())) return files;
  }
  TrustDraft draft;
  for (auto& k : keys.List()) EPERMIT_RETURN_IF_ERROR(AddTrustedKey(draft, k));
  EPERMIT_ASSIGN_OR_RETURN(auto signer, LoadRootSigner(files.root_dir, now));
  EPERMIT_ASSIGN_OR_RETURN(std::string jws,
                           SignTrustDraft(*signer, draft, version, now, now + kDemoListLifetimeSeconds));
  // Replaced atomically: a node of the same demo directory may be reading it. No trailing
  // newline: the node serves the file byte for byte as the JWS.
  EPERMIT_RETURN_IF_ERROR(WriteFileAtomic(files.trust_list_file, jws));
  files.signed_now = true;
  return files;
}

}  // namespace epermit::app
