// The demo city's share of the national trust infrastructure: a root key, and a trust list
// signed by it that lists the city's issuer keys, so that `epermit demo` serves
// /.well-known/epermit-trust-list and `epermit verify` can check its QR codes end to end.
#pragma once

#include <cstdint>
#include <string>

#include "credential/signer.hpp"

namespace epermit::app {

struct DemoTrustFiles {
  std::string root_dir;         // DIR/trust-root (trust init layout)
  std::string root_key_file;    // the root public key
  std::string trust_list_file;  // the signed list, for trust.list_file
  bool signed_now = false;      // the list was (re)signed by this call
};

// Inside `dir`: makes the city's first issuer key in `keys_dir` (as App would on first
// start) and a root key when missing, and re-signs the trust list when it is missing,
// would go stale within a day, or does not list every key of `keys_dir`.
Result<DemoTrustFiles> EnsureDemoTrust(const std::string& dir, const std::string& keys_dir, const std::string& city,
                                       credential::SigAlg alg, int64_t now);

}  // namespace epermit::app
