// The online step of an offline verifier: download the national trust list and a city
// node's status lists, verify them, and only then store them in the verifier's cache.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "app/verifier_cache.hpp"

namespace epermit::app {

struct FetchReport {
  int64_t trust_version = 0;
  int64_t trust_next_update = 0;
  size_t trust_keys = 0;
  std::vector<std::string> status_lists;  // URIs (sub) of the lists stored
  std::vector<Error> failures;            // status lists that could not be fetched or verified

  nlohmann::json ToJson() const;
};

// GETs BASE_URL/.well-known/epermit-trust-list and BASE_URL/api/v1/status-lists/{id} for
// every id in `list_ids`, verifies the trust list against `root` and each status list
// against the trust list, and stores what verified (with the root key) in `cache`.
// Nothing is stored unless the trust list verifies; a trust list older (by version) than
// the cached one is refused, so a replayed old list cannot undo a key removal.
// Errors: fetch.url, fetch.network, fetch.http (a non-200 answer), the trust list's own
// (trust.forged, trust.format, trust.stale), trust.rollback, cache.io. Status-list
// failures are reported in FetchReport::failures instead.
Result<FetchReport> FetchIntoCache(const std::string& base_url, const credential::PublicKey& root,
                                   const VerifierCache& cache, const std::vector<int64_t>& list_ids, int64_t now);

// The list id at the end of a status list URI (".../status-lists/7" → 7), if it has one.
std::optional<int64_t> StatusListIdOf(const std::string& uri);

}  // namespace epermit::app
